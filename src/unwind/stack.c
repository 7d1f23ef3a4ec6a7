/* Stack walks over any architecture, and the unwinder's view of a
 * session's modules (images from the dump or the symbol path). */
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "target/session.h"
#include "unwind/unwind.h"

void kdx_stack_free(kdx_stack *st)
{
    free(st->frames);
    st->frames = NULL;
    st->len = 0;
}

static kdx_status unwind_one(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *step,
                             kdx_err *err)
{
    switch (ctx->arch) {
    case KDX_ARCH_X64: return kdx_x64_unwind(env, ctx, step, err);
    case KDX_ARCH_X86: return kdx_x86_unwind(env, ctx, step, err);
    case KDX_ARCH_ARM64: return kdx_arm64_unwind(env, ctx, step, err);
    default: return kdx_err_set(err, KDX_E_UNSUPPORTED, "no unwinder for this architecture");
    }
}

/* Stack arguments as kb shows them: x64 home slots of the callee (at the
 * caller's stack pointer), x86 the dwords above the return address. */
static void read_args(const kdx_unwind_env *env, kdx_frame *f, const kdx_context *caller)
{
    int ps = kdx_arch_ptr_size(f->ctx.arch);
    uint64_t at;
    if (f->ctx.arch == KDX_ARCH_X86)
        at = f->frame_ptr + 8;
    else if (f->ctx.arch == KDX_ARCH_X64)
        at = kdx_ctx_sp(caller);
    else
        return;
    uint8_t buf[32];
    if (kdx_read_virt(env->target, at, buf, (size_t)(4 * ps), NULL, NULL) != KDX_OK)
        return;
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        memcpy(&v, buf + i * ps, (size_t)ps); /* little-endian host and target */
        f->args[i] = v;
    }
    f->args_valid = true;
}

/* Frame 0 with its pc outside every module (a call through a null or stale
 * pointer, or code executed from data): nothing ran there, so the caller's
 * return address is where the call left it, [sp] on x86/x64 and lr on
 * ARM64. Labelled a heuristic. */
static kdx_status outside_modules(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *step,
                                  kdx_err *err)
{
    memset(step, 0, sizeof *step);
    step->caller = *ctx;
    if (ctx->arch == KDX_ARCH_ARM64) {
        kdx_ctx_set(&step->caller, KDX_ARM64_PC, ctx->r[KDX_ARM64_LR]);
    } else {
        int ps = kdx_arch_ptr_size(ctx->arch);
        uint64_t sp = kdx_ctx_sp(ctx), ret = 0;
        kdx_err e2 = {0};
        if (kdx_read_virt(env->target, sp, &ret, (size_t)ps, NULL, &e2) != KDX_OK)
            return kdx_err_set(err, KDX_E_MEM_MISSING, "the pc is in no module and [sp] cannot be read: %s", e2.msg);
        kdx_ctx_set(&step->caller, kdx_reg_ip(ctx->arch), ret);
        kdx_ctx_set(&step->caller, kdx_reg_sp(ctx->arch), sp + (uint64_t)ps);
        /* x86 ChildEBP: where the callee would have pushed ebp (WinDbg's). */
        if (ctx->arch == KDX_ARCH_X86)
            step->establisher = (sp - 4) & 0xffffffffu;
    }
    step->leaf = true;
    step->heuristic = true;
    step->method = "pc outside modules";
    return KDX_OK;
}

/* x86 has no unwind data to miss (the EBP chain always answers), so the
 * outside-modules rule is taken only when [esp] holds an address in a
 * module, as a call's return address would be; else the EBP chain. */
static bool x86_returns_through_esp(const kdx_unwind_env *env, const kdx_context *ctx)
{
    uint32_t ret = 0;
    return kdx_read_virt(env->target, ctx->r[KDX_X86_ESP], &ret, 4, NULL, NULL) == KDX_OK &&
           kdx_stack_pc_in_module(env, ret);
}

/* A pc exactly at a function's first instruction has run nothing of it: the
 * return address is where the call put it, [sp] on x86/x64 and lr on ARM64,
 * whatever the function's unwind data (possibly absent) would say. */
static kdx_status function_entry_step(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *step,
                                      kdx_err *err)
{
    memset(step, 0, sizeof *step);
    step->caller = *ctx;
    step->leaf = true;
    step->method = "function entry";
    if (ctx->arch == KDX_ARCH_ARM64) {
        kdx_ctx_set(&step->caller, KDX_ARM64_PC, ctx->r[KDX_ARM64_LR]);
        return KDX_OK;
    }
    int ps = kdx_arch_ptr_size(ctx->arch);
    uint64_t sp = kdx_ctx_sp(ctx), ret = 0;
    kdx_err e2 = {0};
    if (kdx_read_virt(env->target, sp, &ret, (size_t)ps, NULL, &e2) != KDX_OK)
        return kdx_err_set(err, KDX_E_MEM_MISSING, "the pc is at a function's entry and its return address "
                                                   "cannot be read: %s", e2.msg);
    kdx_ctx_set(&step->caller, kdx_reg_ip(ctx->arch), ret);
    kdx_ctx_set(&step->caller, kdx_reg_sp(ctx->arch), sp + (uint64_t)ps);
    return KDX_OK;
}

const char *kdx_frame_trust_name(kdx_frame_trust t)
{
    switch (t) {
    case KDX_TRUST_CONTEXT: return "context";
    case KDX_TRUST_CFI: return "cfi";
    case KDX_TRUST_FRAME_POINTER: return "frame_pointer";
    case KDX_TRUST_SCAN: return "scan";
    }
    return "scan";
}

static kdx_frame_trust trust_of(const kdx_unwind_step *step)
{
    if (!step->heuristic)
        return KDX_TRUST_CFI;
    return strcmp(step->method, "pc outside modules") == 0 || strcmp(step->method, "scan") == 0
               ? KDX_TRUST_SCAN
               : KDX_TRUST_FRAME_POINTER;
}

/* The exact walk's next caller: the function-entry rule where the context is
 * complete (frame 00, or the pc a machine frame saved), else unwind data.
 * guessed: cur came from scanning, so registers other than pc and sp are
 * guesses too. */
static kdx_status exact_step(const kdx_unwind_env *env, const kdx_context *cur, size_t i, bool complete_ctx,
                             bool guessed, kdx_unwind_step *step, kdx_err *e)
{
    uint64_t ip = kdx_ctx_ip(cur);
    if (complete_ctx && cur->arch != KDX_ARCH_UNKNOWN && env->function_entry && env->function_entry(env->ud, ip))
        return function_entry_step(env, cur, step, e);
    bool stray = i == 0 && complete_ctx && !kdx_target_module_at(env->target, ip);
    if (stray && cur->arch == KDX_ARCH_X86 && x86_returns_through_esp(env, cur))
        return outside_modules(env, cur, step, e);
    kdx_status st = unwind_one(env, cur, step, e);
    if (st == KDX_E_NOT_FOUND && stray && cur->arch != KDX_ARCH_X86)
        st = outside_modules(env, cur, step, e); /* a call through a bad pointer */
    /* A frame-pointer chain, or unwind data applied to guessed registers, that
     * leads out of every module gives no frame (Breakpad checks the same);
     * with scanning on, the scan gets its chance instead. */
    uint64_t ret = st == KDX_OK ? kdx_ctx_ip(&step->caller) : 0;
    if (ret && env->scan && (step->heuristic || guessed) && strcmp(step->method, "pc outside modules") != 0 &&
        !kdx_stack_pc_in_module(env, ret)) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(e, KDX_E_NO_SYMBOLS, "%s leads to %s, which is in no module",
                           step->heuristic ? "no unwind data, and the frame-pointer chain"
                                           : "unwind data applied to registers found by scanning",
                           kdx_fmt_ptr(a, ret, kdx_arch_ptr_size(cur->arch)));
    }
    return st;
}

static kdx_frame_end end_for(kdx_status st)
{
    return (st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID || st == KDX_E_FORMAT || st == KDX_E_TRUNCATED ||
            st == KDX_E_LIMIT)
               ? KDX_FRAME_END_ERROR
               : KDX_FRAME_END_NO_UNWIND;
}

/* Where the exact walk fails, scanning (when on) may still find the caller;
 * the frame keeps the reason the exact walk stopped. */
static kdx_status next_step(const kdx_unwind_env *env, const kdx_context *cur, size_t i, bool complete_ctx,
                            kdx_frame *f, kdx_unwind_step *step, kdx_frame_trust *trust, bool *verified)
{
    kdx_err e = {0};
    kdx_status st = exact_step(env, cur, i, complete_ctx, f->trust == KDX_TRUST_SCAN, step, &e);
    *verified = false;
    if (st == KDX_OK) {
        *trust = trust_of(step);
        return KDX_OK;
    }
    snprintf(f->note, sizeof f->note, "%s", e.msg);
    if (env->scan) {
        kdx_err e2 = {0};
        if (kdx_stack_scan_caller(env, cur, i == 0, step, verified, &e2) == KDX_OK) {
            f->exact_walk_stopped = true;
            *trust = KDX_TRUST_SCAN;
            return KDX_OK;
        }
        size_t n = strlen(f->note);
        snprintf(f->note + n, sizeof f->note - n, "; %s", e2.msg);
    }
    f->end = end_for(st);
    return st;
}

static kdx_frame *new_frame(kdx_stack *out, size_t *cap, size_t i, const kdx_context *cur)
{
    if (out->len == *cap) {
        *cap *= 2;
        out->frames = kdx_xrealloc(out->frames, *cap * sizeof *out->frames);
    }
    kdx_frame *f = &out->frames[out->len++];
    memset(f, 0, sizeof *f);
    f->index = (unsigned)i;
    f->ctx = *cur;
    f->child_sp = kdx_ctx_sp(cur);
    f->frame_ptr = cur->r[kdx_reg_fp(cur->arch)];
    return f;
}

kdx_status kdx_stack_walk(const kdx_unwind_env *env, const kdx_context *ctx, size_t max, kdx_stack *out,
                          kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (max == 0)
        max = 1;
    size_t cap = max < 64 ? max : 64;
    out->frames = kdx_xcalloc(cap, sizeof *out->frames);
    kdx_context cur = *ctx;
    kdx_frame_trust trust = KDX_TRUST_CONTEXT;
    bool complete_ctx = true, verified = false;
    for (size_t i = 0; i < max; i++) {
        kdx_frame *f = new_frame(out, &cap, i, &cur);
        f->trust = trust;
        f->call_verified = verified;
        kdx_unwind_step step;
        if (next_step(env, &cur, i, complete_ctx, f, &step, &trust, &verified) != KDX_OK)
            break;
        f->method = step.method;
        f->heuristic = step.heuristic;
        f->has_frame_data = step.has_frame_data;
        f->frame_data = step.frame_data;
        f->trap_frame = step.machine_frame;
        if (step.machine_frame && cur.arch == KDX_ARCH_X64 && env->target->kind == KDX_TARGET_KERNEL_DUMP)
            f->trap_addr = step.machframe_addr - 0x168; /* KTRAP_FRAME.Rip */
        f->ret_addr = kdx_ctx_ip(&step.caller);
        f->has_ret = true;
        if (cur.arch == KDX_ARCH_X86)
            f->frame_ptr = step.establisher ? step.establisher : f->frame_ptr;
        read_args(env, f, &step.caller);
        if (f->ret_addr == 0) {
            f->end = KDX_FRAME_END_ZERO;
            break;
        }
        uint64_t sp = kdx_ctx_sp(&cur), nsp = kdx_ctx_sp(&step.caller);
        /* An ARM64 leaf returns through lr without touching sp: the stack
         * pointer may stay on the first unwind (Breakpad's TerminateWalk too). */
        bool may_stay = cur.arch == KDX_ARCH_ARM64 && complete_ctx;
        if (!step.machine_frame && (nsp < sp || (nsp == sp && !may_stay))) {
            char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
            f->end = KDX_FRAME_END_ERROR;
            snprintf(f->note, sizeof f->note,
                     "the stack pointer does not grow (%s -> %s); the stack is corrupt or the unwind "
                     "data does not match the code",
                     kdx_fmt_u64(a, sp), kdx_fmt_u64(b, nsp));
            break;
        }
        if (i + 1 == max) {
            f->end = KDX_FRAME_END_LIMIT;
            break;
        }
        complete_ctx = step.machine_frame;
        cur = step.caller;
    }
    (void)err;
    return KDX_OK;
}

/* ---- the session's images ---- */

static kdx_unwind_find_image override_fn;
static void *override_ud;

static kdx_status pe_read(void *ud, uint32_t rva, void *buf, size_t len, kdx_err *err)
{
    return kdx_pe_read(ud, rva, buf, len, err);
}

static kdx_status pe_lookup(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err)
{
    return kdx_pe_runtime_function_for(ud, rva, out, err);
}

static kdx_status pe_entry_at(void *ud, uint32_t index, kdx_runtime_function *out, kdx_err *err)
{
    return kdx_pe_runtime_function_at(ud, index, out, err);
}

enum { SCN_CNT_CODE = 0x20, SCN_MEM_EXECUTE = 0x20000000 };

static bool pe_is_code(void *ud, uint32_t rva)
{
    kdx_pe_section sec;
    int i = kdx_pe_section_for_rva(ud, rva);
    return i >= 0 && kdx_pe_section_at(ud, (unsigned)i, &sec) == KDX_OK &&
           (sec.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE)) != 0;
}

/* x86 frame data from the module's symbols (PDB FPO/FrameData, Breakpad STACK WIN). */
static kdx_status session_frame_data(void *ud, uint64_t addr, kdx_frame_data *out)
{
    kdx_session *s = ud;
    kdx_module *m = s->target ? kdx_target_module_at(s->target, addr) : NULL;
    if (!m || kdx_sym_load_module(s, m, NULL) != KDX_OK || !m->symbols.ops ||
        !m->symbols.ops->frame_data_for_rva)
        return KDX_E_NOT_FOUND;
    return m->symbols.ops->frame_data_for_rva(m->symbols.impl, (uint32_t)(addr - m->base), out);
}

void kdx_unwind_image_from_pe(struct kdx_pe *pe, uint64_t base, uint64_t size, const char *name,
                              kdx_unwind_image *out)
{
    memset(out, 0, sizeof *out);
    out->base = base;
    out->size = size ? size : kdx_pe_get_info(pe)->size_of_image;
    out->name = name;
    out->ud = pe;
    out->read = pe_read;
    out->lookup = pe_lookup;
    out->entry_at = pe_entry_at;
    out->is_code = pe_is_code;
    out->nentries = kdx_pe_runtime_function_count(pe);
    uint32_t dir_size = 0;
    kdx_pe_data_directory(pe, KDX_PE_DIR_EXCEPTION, &out->pdata_rva, &dir_size);
}

kdx_status kdx_unwind_session_image(kdx_session *s, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    char a[KDX_ADDR_BUF];
    if (override_fn)
        return override_fn(override_ud, addr, out, err);
    if (!s->target)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no target is open");
    kdx_module *m = kdx_target_module_at(s->target, addr);
    if (!m)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s is not in any loaded module",
                           kdx_session_fmt_ptr(s, a, addr));
    struct kdx_pe *pe = NULL;
    kdx_err e2 = {0};
    if (kdx_sym_module_image(s, m, &pe, &e2) != KDX_OK || !pe)
        return kdx_err_set(err, KDX_E_NO_SYMBOLS, "%s", e2.msg[0] ? e2.msg : "the module's image is not available");
    kdx_unwind_image_from_pe(pe, m->base, m->size, m->name, out);
    return KDX_OK;
}

void kdx_unwind_set_resolver(kdx_unwind_find_image fn, void *ud)
{
    override_fn = fn;
    override_ud = ud;
}

static kdx_status session_find_image(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    return kdx_unwind_session_image(ud, addr, out, err);
}

/* A function's first instruction: a code symbol (not data) starts exactly
 * there, or a primary .pdata entry begins there; never an address in a
 * section that is not executable when the image says so. */
static bool session_function_entry(void *ud, uint64_t addr)
{
    kdx_session *s = ud;
    kdx_module *m = s->target ? kdx_target_module_at(s->target, addr) : NULL;
    if (!m)
        return false;
    uint32_t rva = (uint32_t)(addr - m->base);
    kdx_unwind_image img;
    bool have_img = kdx_unwind_session_image(s, addr, &img, NULL) == KDX_OK;
    if (have_img && img.is_code && !img.is_code(img.ud, rva))
        return false;
    kdx_runtime_function fn;
    if (have_img && img.lookup(img.ud, rva, &fn, NULL) == KDX_OK && fn.begin_rva == rva)
        return true;
    kdx_symbol sym;
    return kdx_sym_load_module(s, m, NULL) == KDX_OK && m->symbols.ops &&
           m->symbols.ops->by_rva(m->symbols.impl, rva, &sym) == KDX_OK && sym.rva == rva &&
           sym.kind != KDX_SYM_DATA;
}

void kdx_unwind_env_for_session(kdx_session *s, kdx_unwind_env *env)
{
    env->target = s->target;
    env->find_image = session_find_image;
    env->frame_data = override_fn ? NULL : session_frame_data;
    env->function_entry = session_function_entry;
    env->scan = kdx_session_stack_scan(s);
    env->ud = s;
}
