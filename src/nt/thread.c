/* Thread contexts and the implicit thread (thread.h). */
#include "nt/thread.h"

#include <string.h>

#include "nt/field.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "target/memory.h"
#include "unwind/unwind.h"

#define KT "nt!_KTHREAD"

const char *kdx_nt_assumed_frame_note(void)
{
    return "Note: the symbols do not describe _KSWITCH_FRAME; the stacks of threads that are not running start "
           "from the x64 switch-frame layout (return address at KernelStack+0x38, rbp at +0x30), an inference.";
}

/* Where the return address into KiSwapContext and rbp lie in the switch frame. */
static void switch_frame_layout(kdx_session *s, uint64_t *ret_off, uint64_t *rbp_off, bool *assumed)
{
    const kdx_nt_field *r, *b;
    *assumed = kdx_nt_field_of(s, "nt!_KSWITCH_FRAME", "Return", &r, NULL) != KDX_OK ||
               kdx_nt_field_of(s, "nt!_KSWITCH_FRAME", "Rbp", &b, NULL) != KDX_OK;
    *ret_off = *assumed ? KDX_X64_SWITCH_FRAME_RETURN : r->offset;
    *rbp_off = *assumed ? KDX_X64_SWITCH_FRAME_RBP : b->offset;
}

static kdx_status switch_frame_context(kdx_session *s, uint64_t thread, kdx_context *ctx, kdx_nt_ctx_source *src,
                                       kdx_err *err)
{
    if (s->target->arch != KDX_ARCH_X64)
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "the context of a thread that is not running is read only for x64 kernels so far");
    uint64_t ks, limit, base, ret_off, rbp_off, rip, rbp;
    bool assumed;
    kdx_status st = kdx_nt_read(s, KT, thread, "KernelStack", &ks, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, KT, thread, "StackLimit", &limit, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, KT, thread, "StackBase", &base, err);
    if (st != KDX_OK)
        return st;
    char a[24], b[24], c[24];
    if (ks < limit || ks >= base)
        return kdx_err_set(err, KDX_E_FORMAT, "KernelStack %s lies outside the thread's stack [%s, %s)",
                           kdx_session_fmt_ptr(s, a, ks), kdx_session_fmt_ptr(s, b, limit),
                           kdx_session_fmt_ptr(s, c, base));
    switch_frame_layout(s, &ret_off, &rbp_off, &assumed);
    kdx_err why = {0};
    if ((st = kdx_read_u64(s->target, ks + ret_off, &rip, &why)) != KDX_OK ||
        (st = kdx_read_u64(s->target, ks + rbp_off, &rbp, &why)) != KDX_OK)
        return kdx_err_set(err, st, "the switch frame at KernelStack %s: %s", kdx_session_fmt_ptr(s, a, ks),
                           why.msg);
    memset(ctx, 0, sizeof *ctx);
    ctx->arch = KDX_ARCH_X64;
    kdx_ctx_set(ctx, KDX_X64_RIP, rip);
    kdx_ctx_set(ctx, KDX_X64_RSP, ks + ret_off + 8);
    kdx_ctx_set(ctx, KDX_X64_RBP, rbp);
    *src = assumed ? KDX_NT_CTX_SWITCH_ASSUMED : KDX_NT_CTX_SWITCH_FRAME;
    return KDX_OK;
}

kdx_status kdx_nt_thread_context(kdx_session *s, uint64_t thread, kdx_context *ctx, int *cpu,
                                 kdx_nt_ctx_source *src, kdx_err *err)
{
    kdx_nt_ctx_source local;
    src = src ? src : &local;
    int on = kdx_nt_thread_running_on(s, thread);
    if (cpu)
        *cpu = on;
    kdx_target *t = s->target;
    if (on >= 0 && t->ops && t->ops->get_context) {
        *src = KDX_NT_CTX_PROCESSOR;
        return t->ops->get_context(t->impl, (unsigned)on, ctx, err);
    }
    return switch_frame_context(s, thread, ctx, src, err);
}

kdx_status kdx_nt_thread_process(kdx_session *s, uint64_t thread, uint64_t *process, kdx_err *err)
{
    return kdx_nt_read(s, KT, thread, "Process|ApcState.Process", process, err);
}

kdx_status kdx_nt_set_implicit_thread(kdx_session *s, uint64_t thread, bool with_process, kdx_err *err)
{
    if (!thread) {
        kdx_session_reset_scope(s);
        s->implicit_thread = 0;
        return with_process ? kdx_nt_set_implicit_process(s, 0, err) : KDX_OK;
    }
    kdx_context ctx;
    uint64_t process = 0;
    kdx_status st = kdx_nt_thread_context(s, thread, &ctx, NULL, NULL, err);
    if (st == KDX_OK && with_process)
        st = kdx_nt_thread_process(s, thread, &process, err);
    if (st == KDX_OK && with_process)
        st = kdx_nt_set_implicit_process(s, process, err);
    if (st != KDX_OK)
        return st;
    kdx_session_reset_scope(s);
    kdx_session_set_scope(s, &ctx);
    s->implicit_thread = thread;
    return KDX_OK;
}

kdx_status kdx_nt_thread_stack(kdx_session *s, uint64_t thread, size_t max, kdx_stack *st, kdx_nt_ctx_source *src,
                               kdx_err *err)
{
    kdx_context ctx;
    kdx_nt_ctx_source local;
    kdx_status rc = kdx_nt_thread_context(s, thread, &ctx, NULL, src ? src : &local, err);
    if (rc != KDX_OK)
        return rc;
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    return kdx_stack_walk(&env, &ctx, max, st, err);
}
