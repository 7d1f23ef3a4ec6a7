/* Names in expressions: registers of the context in scope, pseudo-registers
 * ($ip, $t0, $thread, ...) and symbols. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "expr/expr_internal.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "unwind/unwind.h"

bool kdx_xp_kernel_mode(const kdx_session *s)
{
    return s->target && s->target->kind == KDX_TARGET_KERNEL_DUMP;
}

uint64_t kdx_xp_sign_extend32(uint64_t v)
{
    if (v >= 0x80000000ull && v <= 0xffffffffull)
        return v | 0xffffffff00000000ull;
    return v;
}

static kdx_status need_context(kdx_xp *x, kdx_context *ctx, const char *name, size_t len)
{
    kdx_err e;
    (void)name;
    (void)len;
    if (!x->s->target)
        return kdx_xp_failf(x, KDX_E_UNSUPPORTED, "Bad register error at '%.200s' (no target is open)",
                            x->tok);
    if (kdx_session_context(x->s, ctx, &e) != KDX_OK)
        return kdx_xp_failf(x, e.code, "Bad register error at '%.200s' (%s)", x->tok, e.msg);
    return KDX_OK;
}

static kdx_status thread_info(kdx_xp *x, kdx_thread_info *ti, const char *name, size_t len);
static kdx_status read_field(kdx_xp *x, const char *type, uint64_t addr, const char *field,
                             uint64_t *v, const char *name, size_t len);

/* cr0, cr2, cr3, cr4 and cr8 of a kernel target's current processor, from
 * _KPRCB.ProcessorState.SpecialRegisters (the dump has no live registers). */
static kdx_status control_register(kdx_xp *x, const char *name, size_t len, uint64_t *v, int *width)
{
    static const char *const regs[] = {"cr0", "cr2", "cr3", "cr4", "cr8"};
    size_t i = 0;
    while (i < KDX_ARRAY_LEN(regs) && !(strlen(regs[i]) == len && kdx_strncasecmp(name, regs[i], len) == 0))
        i++;
    if (i == KDX_ARRAY_LEN(regs) || !kdx_xp_kernel_mode(x->s))
        return KDX_E_NOT_FOUND;
    kdx_thread_info ti;
    if (thread_info(x, &ti, name, len) != KDX_OK)
        return x->st;
    if (!ti.prcb)
        return kdx_xp_failf(x, KDX_E_NOT_FOUND, "Bad register error at '%.200s' (the dump does not say where "
                                                "processor %u's PRCB is)", x->tok, x->s->cur_context);
    char field[64];
    snprintf(field, sizeof field, "ProcessorState.SpecialRegisters.Cr%c", regs[i][2]);
    if (width)
        *width = 8;
    return read_field(x, "nt!_KPRCB", ti.prcb, field, v, name, len);
}

kdx_status kdx_xp_register(kdx_xp *x, const char *name, size_t len, uint64_t *v, int *width)
{
    kdx_target *t = x->s->target;
    kdx_reg_ref ref;
    kdx_arch arch = t ? t->arch : KDX_ARCH_X64;
    if (!kdx_reg_lookup(arch, name, len, &ref))
        return control_register(x, name, len, v, width);
    kdx_context ctx;
    if (need_context(x, &ctx, name, len) != KDX_OK)
        return x->st;
    if (ref.reg < 0 || ref.reg >= KDX_MAX_REGS || !(ctx.valid & (1ull << ref.reg)))
        return kdx_xp_failf(x, KDX_E_NOT_FOUND,
                            "Bad register error at '%.200s' (not known in this context)", x->tok);
    *v = (ctx.r[ref.reg] >> ref.shift) & ref.mask;
    int w = ref.mask == ~0ull ? 8 : ref.mask == 0xffffffffull ? 4 : ref.mask == 0xffffull ? 2 : 1;
    if (width)
        *width = w;
    /* A 32-bit register is sign extended (WinDbg's rule), on 32-bit targets. */
    if (w == 4 && arch == KDX_ARCH_X86)
        *v = kdx_xp_sign_extend32(*v);
    return KDX_OK;
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && kdx_strncasecmp(name, want, len) == 0;
}

static kdx_status thread_info(kdx_xp *x, kdx_thread_info *ti, const char *name, size_t len)
{
    kdx_target *t = x->s->target;
    memset(ti, 0, sizeof *ti);
    kdx_err e;
    (void)name;
    (void)len;
    if (!t)
        return kdx_xp_failf(x, KDX_E_UNSUPPORTED, "Bad register error at '%.200s' (no target is open)",
                            x->tok);
    if (!t->ops || !t->ops->get_thread_info)
        return kdx_xp_failf(x, KDX_E_UNSUPPORTED,
                            "Bad register error at '%.200s' (this target has no thread information)",
                            x->tok);
    if (t->ops->get_thread_info(t->impl, x->s->cur_context, ti, &e) != KDX_OK)
        return kdx_xp_failf(x, e.code, "Bad register error at '%.200s' (%s)", x->tok, e.msg);
    return KDX_OK;
}

static kdx_status unknown_value(kdx_xp *x, const char *name, size_t len, const char *why)
{
    (void)name;
    (void)len;
    return kdx_xp_failf(x, KDX_E_NOT_FOUND, "Bad register error at '%.200s' (%s)", x->tok, why);
}

/* A typed field read for kernel pseudo-registers ($teb, $peb). */
static kdx_status read_field(kdx_xp *x, const char *type, uint64_t addr, const char *field,
                             uint64_t *v, const char *name, size_t len)
{
    kdx_err e;
    if (kdx_read_field(x->s, type, addr, field, v, &e) != KDX_OK)
        return kdx_xp_failf(x, e.code, "Bad register error at '%.200s' (%.*s needs %s.%s: %s)",
                            x->tok, (int)len, name, type, field, e.msg);
    return KDX_OK;
}

static kdx_status user_pseudo(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    kdx_target *t = x->s->target;
    kdx_thread_info ti;
    bool kernel = kdx_xp_kernel_mode(x->s);
    int ps = kdx_session_ptr_size(x->s);
    if (name_is(name, len, "$teb") || (!kernel && name_is(name, len, "$thread"))) {
        if (thread_info(x, &ti, name, len) != KDX_OK)
            return x->st;
        if (kernel) {
            if (!ti.thread)
                return unknown_value(x, name, len, "no current thread");
            return read_field(x, "nt!_KTHREAD", ti.thread, "Teb", v, name, len);
        }
        if (!ti.teb)
            return unknown_value(x, name, len, "the dump does not record this thread's TEB");
        *v = ti.teb;
        return KDX_OK;
    }
    if (name_is(name, len, "$peb") || (!kernel && name_is(name, len, "$proc"))) {
        if (thread_info(x, &ti, name, len) != KDX_OK)
            return x->st;
        if (kernel) {
            if (!ti.process)
                return unknown_value(x, name, len, "no current process");
            return read_field(x, "nt!_EPROCESS", ti.process, "Peb", v, name, len);
        }
        if (!ti.teb)
            return unknown_value(x, name, len, "the dump does not record this thread's TEB");
        /* TEB.ProcessEnvironmentBlock: 0x60 (64-bit), 0x30 (32-bit). */
        uint64_t at = ti.teb + (ps == 8 ? 0x60 : 0x30);
        uint8_t b[8] = {0};
        kdx_err e;
        if (kdx_read_virt(t, at, b, (size_t)ps, NULL, &e) != KDX_OK)
            return kdx_xp_failf(x, e.code,
                                "Bad register error at '%.200s' (the TEB's PEB pointer at %llx: %s)",
                                x->tok, (unsigned long long)at, e.msg);
        *v = 0;
        for (int i = ps - 1; i >= 0; i--)
            *v = *v << 8 | b[i];
        return KDX_OK;
    }
    if (kernel && (name_is(name, len, "$thread") || name_is(name, len, "$proc"))) {
        /* .thread / .process choices come first, as in WinDbg. */
        bool want_thread = name_is(name, len, "$thread");
        uint64_t implicit = want_thread ? x->s->implicit_thread : x->s->implicit_process;
        if (implicit) {
            *v = implicit;
            return KDX_OK;
        }
        if (!want_thread && x->s->implicit_thread)
            return read_field(x, "nt!_KTHREAD", x->s->implicit_thread, "ApcState.Process", v, name, len);
        if (thread_info(x, &ti, name, len) != KDX_OK)
            return x->st;
        *v = want_thread ? ti.thread : ti.process;
        if (!*v)
            return unknown_value(x, name, len, "the dump does not record it for this processor");
        return KDX_OK;
    }
    if (kernel && (name_is(name, len, "$prcb") || name_is(name, len, "$pcr"))) {
        if (thread_info(x, &ti, name, len) != KDX_OK)
            return x->st;
        if (!ti.prcb)
            return unknown_value(x, name, len, "the dump does not say where this processor's PRCB is");
        *v = ti.prcb;
        if (name_is(name, len, "$prcb"))
            return KDX_OK;
        uint64_t off;
        kdx_err e;
        if (kdx_field_offset(x->s, "nt!_KPCR", "Prcb", &off, &e) != KDX_OK)
            return kdx_xp_failf(x, e.code, "Bad register error at '%.200s' ($pcr needs nt!_KPCR.Prcb: %s)",
                                x->tok, e.msg);
        *v -= off;
        return KDX_OK;
    }
    if (name_is(name, len, "$tid") || name_is(name, len, "$tpid")) {
        if (name_is(name, len, "$tpid")) {
            if (!t || !t->sys.process_id)
                return unknown_value(x, name, len, "the process id is not known");
            *v = t->sys.process_id;
            return KDX_OK;
        }
        if (thread_info(x, &ti, name, len) != KDX_OK)
            return x->st;
        *v = ti.id;
        return KDX_OK;
    }
    if (name_is(name, len, "$exentry")) {
        kdx_module *m = t ? t->main_module : NULL;
        if (!m && t)
            m = kdx_target_module_named(t, "nt");
        if (!m)
            return unknown_value(x, name, len, "no executable module is known");
        return kdx_xp_module_entry(x, m, v, name, len);
    }
    return KDX_E_NOT_FOUND;
}

/* $ra: the return address of the frame in scope, from the stack unwinder. */
static kdx_status return_address(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    kdx_context ctx;
    if (need_context(x, &ctx, name, len) != KDX_OK)
        return x->st;
    unsigned frame = x->s->cur_frame > 0 ? (unsigned)x->s->cur_frame : 0;
    if (x->s->has_frame_origin)
        ctx = x->s->frame_origin; /* .frame /c: numbers count from the original frame 00 */
    kdx_unwind_env env;
    kdx_unwind_env_for_session(x->s, &env);
    kdx_stack st = {0};
    kdx_err e;
    kdx_status rc = kdx_stack_walk(&env, &ctx, frame + 1, &st, &e);
    if (rc != KDX_OK || st.len <= frame || !st.frames[frame].has_ret) {
        const char *why = rc != KDX_OK ? e.msg : st.len > frame && st.frames[frame].note[0]
                                                     ? st.frames[frame].note
                                                     : "the unwinder found no return address";
        kdx_xp_failf(x, KDX_E_NOT_FOUND, "Bad register error at '%.200s' (%s)", x->tok, why);
        kdx_stack_free(&st);
        return x->st;
    }
    *v = st.frames[frame].ret_addr;
    kdx_stack_free(&st);
    return KDX_OK;
}

kdx_status kdx_xp_pseudo(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    kdx_session *s = x->s;
    kdx_target *t = s->target;
    if (len >= 3 && len <= 4 && tolower((unsigned char)name[1]) == 't' &&
        isdigit((unsigned char)name[2])) {
        unsigned idx = (unsigned)(name[2] - '0');
        if (len == 4) {
            if (!isdigit((unsigned char)name[3]) || name[2] == '0')
                return KDX_E_NOT_FOUND;
            idx = idx * 10 + (unsigned)(name[3] - '0');
        }
        if (idx >= KDX_ARRAY_LEN(s->t_regs))
            return KDX_E_NOT_FOUND;
        *v = s->t_regs[idx];
        return KDX_OK;
    }
    if (name_is(name, len, "$ptrsize")) {
        *v = (uint64_t)kdx_session_ptr_size(s);
        return KDX_OK;
    }
    if (name_is(name, len, "$pagesize")) {
        *v = 0x1000;
        return KDX_OK;
    }
    if (name_is(name, len, "$extret")) {
        *v = s->extret;
        return KDX_OK;
    }
    if (name_is(name, len, "$exp")) {
        *v = s->last_expression;
        return KDX_OK;
    }
    if (name_is(name, len, "$bug_code") || (len == 11 && kdx_strncasecmp(name, "$bug_param", 10) == 0 &&
                                             name[10] >= '1' && name[10] <= '4')) {
        if (!kdx_xp_kernel_mode(s))
            return unknown_value(x, name, len, "only kernel targets have a bug check");
        *v = len == 9 ? t->kernel.bugcheck_code : t->kernel.bugcheck_args[name[10] - '1'];
        return KDX_OK;
    }
    if (name_is(name, len, "$scopeip")) /* the context in scope: .frame/.cxr overrides apply */
        name = "$ip", len = 3;
    if (name_is(name, len, "$ip") || name_is(name, len, "$csp") || name_is(name, len, "$retreg") ||
        name_is(name, len, "$retreg64")) {
        kdx_context ctx;
        if (need_context(x, &ctx, name, len) != KDX_OK)
            return x->st;
        int reg = name_is(name, len, "$ip") ? kdx_reg_ip(ctx.arch)
                  : name_is(name, len, "$csp") ? kdx_reg_sp(ctx.arch)
                  : ctx.arch == KDX_ARCH_ARM64 ? KDX_ARM64_X0 : KDX_X64_RAX; /* eax is 0 on x86 too */
        if (reg < 0 || !(ctx.valid & (1ull << reg)))
            return unknown_value(x, name, len, "not known in this context");
        *v = ctx.r[reg];
        return KDX_OK;
    }
    if (name_is(name, len, "$ra"))
        return return_address(x, name, len, v);
    return user_pseudo(x, name, len, v);
}

kdx_status kdx_expr_set_pseudo(kdx_session *s, const char *name, uint64_t value, kdx_err *err)
{
    if (name[0] == '@')
        name++;
    size_t len = strlen(name);
    if (len >= 3 && len <= 4 && name[0] == '$' && tolower((unsigned char)name[1]) == 't' &&
        isdigit((unsigned char)name[2]) && (len == 3 || (isdigit((unsigned char)name[3]) && name[2] != '0'))) {
        unsigned idx = (unsigned)(name[2] - '0');
        if (len == 4)
            idx = idx * 10 + (unsigned)(name[3] - '0');
        if (idx < KDX_ARRAY_LEN(s->t_regs)) {
            s->t_regs[idx] = value;
            return KDX_OK;
        }
    }
    return kdx_err_set(err, KDX_E_ARG, "Bad register error at '%s'", name);
}

kdx_status kdx_xp_symbol(kdx_xp *x, const char *name, size_t len, uint64_t *v)
{
    char *sym = kdx_strndup(name, len);
    kdx_err e;
    kdx_status st = kdx_sym_to_addr(x->s, sym[0] == '!' ? sym + 1 : sym, v, &e);
    free(sym);
    return st;
}
