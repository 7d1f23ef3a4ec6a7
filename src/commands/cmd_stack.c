/* Command family: stacks and code: k*, .frame, .cxr, .trap, .exr, .ecxr, r, .fnent, u, ub, uf. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"
#include "disasm/disasm.h"
#include "expr/expr.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "unwind/unwind.h"

#define DEFAULT_FRAMES 256

static int fail_msg(kdx_session *s, kdx_status code, const char *msg)
{
    kdx_err err;
    kdx_err_set(&err, code, "%s", msg);
    return kdx_cmd_fail(s, &err);
}

/* The scope context: .cxr/.trap/.frame /c override, else the thread's. */
static bool scope_context(kdx_session *s, kdx_context *ctx)
{
    kdx_err err = {0};
    if (!kdx_cmd_need_target(s))
        return false;
    if (kdx_session_context(s, ctx, &err) != KDX_OK) {
        kdx_cmd_fail(s, &err);
        return false;
    }
    return true;
}

static kdx_status walk(kdx_session *s, const kdx_context *ctx, size_t max, kdx_stack *st, kdx_err *err)
{
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    return kdx_stack_walk(&env, ctx, max, st, err);
}

/* ---- k ---- */

static bool k_letter(char c)
{
    return c && strchr("bvcnpPLfMdt", c) != NULL;
}

/* Applies "= a b c d" start values to ctx; *count receives a trailing count. */
static void k_apply_start(kdx_context *c, const uint64_t *v, int n, uint64_t *count)
{
    int sp = kdx_reg_sp(c->arch), ip = kdx_reg_ip(c->arch), fp = kdx_reg_fp(c->arch);
    if (c->arch == KDX_ARCH_X86) {
        if (n >= 1)
            kdx_ctx_set(c, fp, v[0]);
        if (n >= 3) {
            kdx_ctx_set(c, sp, v[1]);
            kdx_ctx_set(c, ip, v[2]);
        }
        if (n == 2)
            *count = v[1];
        if (n >= 4)
            *count = v[3];
        return;
    }
    /* x64/ARM64: "k = rbp rip N": the first value is where the frame's stack starts. */
    if (n >= 1) {
        kdx_ctx_set(c, fp, v[0]);
        kdx_ctx_set(c, sp, v[0]);
    }
    if (n == 2 || n == 3)
        kdx_ctx_set(c, ip, v[1]);
    if (n == 3)
        *count = v[2];
    if (n >= 4) {
        kdx_ctx_set(c, sp, v[1]);
        kdx_ctx_set(c, ip, v[2]);
        *count = v[3];
    }
}

/* kd [WordCount]: the raw stack with symbols (dps from the stack pointer); by
 * default the span of the frames the unwinder finds. */
static int cmd_kd(kdx_session *s, const char *args)
{
    kdx_context ctx;
    if (!scope_context(s, &ctx))
        return 1;
    kdx_err err = {0};
    int ps = kdx_arch_ptr_size(ctx.arch);
    uint64_t sp = kdx_ctx_sp(&ctx), words = 0;
    if (*args && kdx_expr_eval_all(s, args, &words, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (!words) {
        kdx_stack st;
        if (walk(s, &ctx, DEFAULT_FRAMES, &st, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        uint64_t top = st.len ? st.frames[st.len - 1].child_sp : sp;
        kdx_stack_free(&st);
        words = top > sp ? (top - sp) / (uint64_t)ps + 1 : 0x20;
        if (words > 0x200)
            words = 0x200;
    }
    char cmdline[96];
    snprintf(cmdline, sizeof cmdline, "dps %" PRIx64 " L%" PRIx64, sp, words);
    bool echo = s->echo_commands;
    s->echo_commands = false; /* the nested dps is not a command the user typed */
    int failed = kdx_execute(s, cmdline);
    s->echo_commands = echo;
    return failed ? 1 : 0;
}

static int cmd_k(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    unsigned opts = 0;
    const char *p = args;
    if (*p == 'd' && (!p[1] || isspace((unsigned char)p[1])))
        return cmd_kd(s, kdx_skip_ws(p + 1));
    while (k_letter(*p) && (!p[1] || isspace((unsigned char)p[1]) || k_letter(p[1]) || p[1] == '=')) {
        switch (*p) {
        case 'b': opts |= KDX_K_ARGS; break;
        case 'v': opts |= KDX_K_VERBOSE; break;
        case 'c': opts |= KDX_K_CALLSITE; break;
        case 'n': opts |= KDX_K_NUMBERS; break;
        case 'p':
        case 'P': opts |= KDX_K_PARAMS; break;
        case 'L': opts |= KDX_K_NO_LINES; break;
        case 'f': opts |= KDX_K_MEMORY | KDX_K_NUMBERS; break;
        case 'M': break; /* DML links: plain text here */
        default:
            kdx_print(s, "k%c is not supported (timing t is not shown)\n", *p);
            return 1;
        }
        p++;
    }
    kdx_context ctx;
    if (!scope_context(s, &ctx))
        return 1;
    kdx_err err = {0};
    uint64_t count = DEFAULT_FRAMES;
    p = kdx_skip_ws(p);
    bool explicit_start = false;
    if (*p == '=') {
        uint64_t v[4];
        int n = 0;
        p = kdx_skip_ws(p + 1);
        while (*p && n < 4) {
            const char *end;
            if (kdx_expr_eval(s, p, &v[n], &end, &err) != KDX_OK)
                return kdx_cmd_fail(s, &err);
            n++;
            p = kdx_skip_ws(end);
        }
        if (*p)
            return kdx_cmd_syntax_error(s, "k", p);
        k_apply_start(&ctx, v, n, &count);
        explicit_start = true;
    } else if (*p) {
        if (kdx_expr_eval_all(s, p, &count, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    }
    if (count == 0 || count > 0xffff)
        return fail_msg(s, KDX_E_ARG, "Frame count must be between 1 and 0xffff");
    if (s->has_scope_context && !explicit_start && !s->json)
        kdx_print(s, "  *** Stack trace for last set context - .thread/.cxr resets it\n");
    kdx_stack st;
    if (walk(s, &ctx, (size_t)count, &st, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (s->json) {
        char *j = kdx_stack_json(s, &st);
        kdx_print_json(s, j ? j : "{}");
        free(j);
    } else {
        kdx_stack_print(s, &st, opts);
    }
    kdx_stack_free(&st);
    return 0;
}

/* ---- .frame ---- */

/* .frame [/c] [/r] [N]: the frame line as kn shows it, then with /r or /c
 * the frame's registers as `r` shows them (the reference article's
 * ".frame /r 2"). /c also makes them the scope context; frame numbers keep
 * counting from the same frame 00, so a later `.frame` still says 02. */
static int cmd_frame(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    bool set_ctx = false, show_regs = false;
    const char *p = kdx_skip_ws(args);
    while (*p == '/') {
        for (p++; *p && !isspace((unsigned char)*p); p++) {
            if (*p == 'c')
                set_ctx = true;
            else if (*p == 'r')
                show_regs = true;
            else
                return kdx_cmd_syntax_error(s, ".frame", p);
        }
        p = kdx_skip_ws(p);
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_context origin;
    kdx_err err = {0};
    if (kdx_session_frame_origin(s, &origin, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    uint64_t n = s->cur_frame >= 0 ? (uint64_t)s->cur_frame : 0;
    if (*p && kdx_expr_eval_all(s, p, &n, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_stack st;
    if (walk(s, &origin, (size_t)KDX_MIN(n + 1, 0x10000), &st, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (n >= st.len) {
        kdx_stack_free(&st);
        kdx_print(s, "Cannot find frame 0x%" PRIx64 ", previous scope unchanged\n", n);
        return 1;
    }
    kdx_frame f = st.frames[n];
    kdx_stack_free(&st);
    kdx_stack_print_frame(s, &f, KDX_K_NUMBERS);
    if (set_ctx) {
        kdx_session_set_scope(s, &f.ctx);
        s->frame_origin = origin;
        s->has_frame_origin = true;
    }
    s->cur_frame = (int)n;
    if (show_regs || set_ctx)
        kdx_regs_print(s, &f.ctx);
    return 0;
}

/* .stackscan [on|off|default]: kdx's own switch for Breakpad-style stack
 * scanning below the point where the exact walk stops (by default on for
 * user-mode targets, off for kernel dumps). */
static int cmd_stackscan(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    const char *p = kdx_skip_ws(args);
    if (!strcmp(p, "on") || !strcmp(p, "1"))
        s->stack_scan = KDX_SCAN_ON;
    else if (!strcmp(p, "off") || !strcmp(p, "0"))
        s->stack_scan = KDX_SCAN_OFF;
    else if (!strcmp(p, "default"))
        s->stack_scan = KDX_SCAN_DEFAULT;
    else if (*p)
        return kdx_cmd_syntax_error(s, ".stackscan", p);
    kdx_print(s, "Stack scanning is %s%s\n", kdx_session_stack_scan(s) ? "on" : "off",
              s->stack_scan == KDX_SCAN_DEFAULT ? " (the default for this target)" : "");
    return 0;
}

/* ---- contexts: .cxr, .ecxr, .trap ---- */

static kdx_status read_context_record(kdx_session *s, uint64_t addr, kdx_context *out, kdx_err *err)
{
    kdx_arch arch = s->target->arch;
    uint8_t buf[KDX_CONTEXT_X64_SIZE];
    size_t want = arch == KDX_ARCH_X64 ? KDX_CONTEXT_X64_SIZE
                  : arch == KDX_ARCH_ARM64 ? KDX_CONTEXT_ARM64_SIZE
                                           : KDX_CONTEXT_X86_SIZE_NO_EXT;
    size_t done = 0;
    kdx_err e2 = {0};
    kdx_read_virt(s->target, addr, buf, want, &done, &e2);
    kdx_status st = kdx_context_parse(arch, buf, done, out, err);
    if (st != KDX_OK && done < want && e2.msg[0])
        kdx_err_prefix(err, "CONTEXT at %016" PRIx64 " is incomplete (%s)", addr, e2.msg);
    return st;
}

typedef kdx_status (*context_loader)(kdx_session *s, uint64_t addr, kdx_context *out, kdx_err *err);

/* .cxr/.trap: "ADDR" switches the scope to the registers loaded from ADDR, nothing resets it. */
static int switch_context(kdx_session *s, const char *args, context_loader load, const char *note)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    if (!*args) {
        kdx_session_reset_scope(s);
        return 0;
    }
    kdx_err err = {0};
    uint64_t addr;
    if (kdx_expr_eval_all(s, args, &addr, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_context ctx;
    if (load(s, addr, &ctx, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_session_set_scope(s, &ctx);
    if (note)
        kdx_print(s, "%s", note);
    kdx_regs_print(s, &ctx);
    return 0;
}

static int cmd_cxr(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    /* ".cxr" alone goes back to the default scope and says so, as WinDbg
     * does ("0:000> .cxr" / "Resetting default scope" in public transcripts). */
    if (!*args && s->target) {
        kdx_session_reset_scope(s);
        kdx_print(s, "Resetting default scope\n");
        return 0;
    }
    return switch_context(s, args, read_context_record, NULL);
}

static int cmd_ecxr(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    if (!s->target->exception.present || !s->target->exception.has_context) {
        kdx_print(s, "Unable to get exception context, HRESULT 0x8000FFFF\n");
        return 1;
    }
    kdx_session_set_scope(s, &s->target->exception.context);
    kdx_regs_print(s, &s->target->exception.context);
    return 0;
}

/* KTRAP_FRAME field offsets: from the kernel's types when loaded, else the
 * Windows 10 layout. */
static uint64_t trap_off(kdx_session *s, const char *field, uint64_t fallback)
{
    uint64_t off;
    if (kdx_field_offset(s, "nt!_KTRAP_FRAME", field, &off, NULL) == KDX_OK)
        return off;
    return fallback;
}

static kdx_status trap_context_x64(kdx_session *s, uint64_t addr, kdx_context *c, kdx_err *err)
{
    static const struct { const char *name; int reg; uint64_t off; unsigned size; } f[] = {
        {"Rax", KDX_X64_RAX, 0x30, 8}, {"Rcx", KDX_X64_RCX, 0x38, 8}, {"Rdx", KDX_X64_RDX, 0x40, 8},
        {"R8", KDX_X64_R8, 0x48, 8},   {"R9", KDX_X64_R9, 0x50, 8},   {"R10", KDX_X64_R10, 0x58, 8},
        {"R11", KDX_X64_R11, 0x60, 8}, {"Rbx", KDX_X64_RBX, 0x140, 8}, {"Rdi", KDX_X64_RDI, 0x148, 8},
        {"Rsi", KDX_X64_RSI, 0x150, 8}, {"Rbp", KDX_X64_RBP, 0x158, 8}, {"Rip", KDX_X64_RIP, 0x168, 8},
        {"SegCs", KDX_X64_CS, 0x170, 2}, {"EFlags", KDX_X64_EFL, 0x178, 4}, {"Rsp", KDX_X64_RSP, 0x180, 8},
        {"SegSs", KDX_X64_SS, 0x188, 2}, {"SegDs", KDX_X64_DS, 0x130, 2}, {"SegEs", KDX_X64_ES, 0x132, 2},
        {"SegFs", KDX_X64_FS, 0x134, 2}, {"SegGs", KDX_X64_GS, 0x136, 2}};
    memset(c, 0, sizeof *c);
    c->arch = KDX_ARCH_X64;
    for (size_t i = 0; i < KDX_ARRAY_LEN(f); i++) {
        uint8_t b[8] = {0};
        if (kdx_read_virt(s->target, addr + trap_off(s, f[i].name, f[i].off), b, f[i].size, NULL, err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        kdx_ctx_set(c, f[i].reg, f[i].size == 8 ? kdx_le64(b) : f[i].size == 4 ? kdx_le32(b) : kdx_le16(b));
    }
    return KDX_OK;
}

static kdx_status trap_context_x86(kdx_session *s, uint64_t addr, kdx_context *c, kdx_err *err)
{
    static const struct { int reg; unsigned off; } f[] = {
        {KDX_X86_GS, 0x30}, {KDX_X86_ES, 0x34}, {KDX_X86_DS, 0x38}, {KDX_X86_EDX, 0x3c}, {KDX_X86_ECX, 0x40},
        {KDX_X86_EAX, 0x44}, {KDX_X86_FS, 0x50}, {KDX_X86_EDI, 0x54}, {KDX_X86_ESI, 0x58}, {KDX_X86_EBX, 0x5c},
        {KDX_X86_EBP, 0x60}, {KDX_X86_EIP, 0x68}, {KDX_X86_CS, 0x6c}, {KDX_X86_EFL, 0x70}};
    uint8_t b[0x7c];
    if (kdx_read_virt(s->target, addr, b, sizeof b, NULL, err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    memset(c, 0, sizeof *c);
    c->arch = KDX_ARCH_X86;
    for (size_t i = 0; i < KDX_ARRAY_LEN(f); i++)
        kdx_ctx_set(c, f[i].reg, kdx_le32(b + f[i].off) & (f[i].reg >= KDX_X86_CS ? 0xffff : 0xffffffffu));
    kdx_ctx_set(c, KDX_X86_EFL, kdx_le32(b + 0x70));
    /* A kernel-mode trap pushes no esp/ss: the stack continues right after the frame. */
    bool user = c->r[KDX_X86_CS] & 1;
    kdx_ctx_set(c, KDX_X86_ESP, user ? kdx_le32(b + 0x74) : (addr + 0x74) & 0xffffffffu);
    kdx_ctx_set(c, KDX_X86_SS, user ? kdx_le32(b + 0x78) & 0xffff : 0x10);
    return KDX_OK;
}

static kdx_status trap_context(kdx_session *s, uint64_t addr, kdx_context *out, kdx_err *err)
{
    if (s->target->arch == KDX_ARCH_X64)
        return trap_context_x64(s, addr, out, err);
    if (s->target->arch == KDX_ARCH_X86)
        return trap_context_x86(s, addr, out, err);
    return kdx_err_set(err, KDX_E_UNSUPPORTED, ".trap is supported on x86 and x64 targets");
}

static int cmd_trap(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    return switch_context(s, args, trap_context,
                          "NOTE: The trap frame does not contain all registers.\n"
                          "Some register values may be zeroed or incorrect.\n");
}

/* ---- .exr ---- */

static const char *exception_name(uint32_t code)
{
    switch (code) {
    case 0xc0000005: return "Access violation";
    case 0x80000003: return "Break instruction exception";
    case 0x80000004: return "Single step exception";
    case 0x80000002: return "Data misaligned";
    case 0xc0000006: return "In-page I/O error";
    case 0xc000001d: return "Illegal instruction";
    case 0xc0000094: return "Integer divide-by-zero";
    case 0xc0000095: return "Integer overflow";
    case 0xc0000096: return "Privileged instruction";
    case 0xc00000fd: return "Stack overflow";
    case 0xc0000409: return "Security check failure or stack buffer overrun";
    case 0xc0000008: return "Invalid handle";
    case 0xe06d7363: return "C++ EH exception";
    default: return NULL;
    }
}

static void print_exception(kdx_session *s, const kdx_exception *x)
{
    int ps = kdx_session_ptr_size(s);
    int w = ps * 2;
    char sym[320] = "";
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, x->address, &hit) == KDX_OK) {
        int n = hit.name ? snprintf(sym, sizeof sym, " (%s!%s", hit.module->name, hit.name)
                         : snprintf(sym, sizeof sym, " (%s", hit.module->name);
        if (n > 0 && (size_t)n < sizeof sym)
            snprintf(sym + n, sizeof sym - (size_t)n, hit.displacement ? "+0x%0*" PRIx64 ")" : ")", w,
                     hit.displacement);
    }
    kdx_print(s, "ExceptionAddress: %0*" PRIx64 "%s\n", w, x->address, sym);
    const char *name = exception_name(x->code);
    if (name)
        kdx_print(s, "   ExceptionCode: %08x (%s)\n", x->code, name);
    else
        kdx_print(s, "   ExceptionCode: %08x\n", x->code);
    kdx_print(s, "  ExceptionFlags: %08x\n", x->flags);
    kdx_print(s, "NumberParameters: %u\n", x->nparams);
    for (unsigned i = 0; i < x->nparams && i < 15; i++)
        kdx_print(s, "   Parameter[%u]: %0*" PRIx64 "\n", i, w, x->params[i]);
    if ((x->code == 0xc0000005 || x->code == 0xc0000006) && x->nparams >= 2) {
        uint64_t kind = x->params[0];
        if (kind == 0)
            kdx_print(s, "Attempt to read from address %0*" PRIx64 "\n", w, x->params[1]);
        else if (kind == 1)
            kdx_print(s, "Attempt to write to address %0*" PRIx64 "\n", w, x->params[1]);
        else if (kind == 8)
            kdx_print(s, "Attempt to execute non-executable address %0*" PRIx64 "\n", w, x->params[1]);
    }
}

static kdx_status read_exception_record(kdx_session *s, uint64_t addr, kdx_exception *x, kdx_err *err)
{
    bool is64 = kdx_session_ptr_size(s) == 8;
    uint8_t b[0x98];
    size_t size = is64 ? 0x98 : 0x50;
    if (kdx_read_virt(s->target, addr, b, size, NULL, err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    memset(x, 0, sizeof *x);
    x->present = true;
    x->record_addr = addr;
    x->code = kdx_le32(b);
    x->flags = kdx_le32(b + 4);
    x->address = is64 ? kdx_le64(b + 0x10) : kdx_le32(b + 0xc);
    x->nparams = kdx_le32(b + (is64 ? 0x18 : 0x10));
    if (x->nparams > 15)
        return kdx_err_set(err, KDX_E_FORMAT, "EXCEPTION_RECORD at %016" PRIx64 ": NumberParameters %u is over 15",
                           addr, x->nparams);
    for (unsigned i = 0; i < x->nparams; i++)
        x->params[i] = is64 ? kdx_le64(b + 0x20 + 8 * i) : kdx_le32(b + 0x14 + 4 * i);
    return KDX_OK;
}

static int cmd_exr(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    if (!*args)
        return kdx_cmd_syntax_error(s, ".exr", args);
    kdx_err err = {0};
    kdx_exception x;
    if (!strcmp(args, "-1")) {
        if (!s->target->exception.present)
            return fail_msg(s, KDX_E_NOT_FOUND, "no exception record: the dump does not hold an exception");
        x = s->target->exception;
    } else {
        uint64_t addr;
        if (kdx_expr_eval_all(s, args, &addr, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        if (read_exception_record(s, addr, &x, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    }
    print_exception(s, &x);
    return 0;
}

/* ---- .lastevent ---- */

/* "Last event: 153c.5d0: Break instruction exception - code 80000003 (first
 * chance)" and "  debugger time: ..." (the debugger's clock), as public
 * transcripts show; a dump cannot tell the chance, which WinDbg words as
 * "(first/second chance not available)". */
static int cmd_lastevent(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    const kdx_exception *x = &s->target->exception;
    if (!x->present) {
        kdx_print(s, "Last event: none: this dump records no exception\n");
        return 0;
    }
    const char *name = exception_name(x->code);
    char who[40] = "";
    if (s->target->kind == KDX_TARGET_USER_DUMP)
        snprintf(who, sizeof who, "%x.%x: ", s->target->sys.process_id, x->thread_id);
    kdx_print(s, "Last event: %s%s - code %08x (first/second chance not available)\n", who,
              name ? name : "Unknown exception", x->code);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char when[64];
    strftime(when, sizeof when, "%a %b %e %H:%M:%S", &tm);
    kdx_print(s, "  debugger time: %s.%03ld %d (UTC + 0:00)\n", when, now.tv_nsec / 1000000, tm.tm_year + 1900);
    return 0;
}

/* ---- r ---- */

/* Prints "name=value" with no line end: several registers asked for at once
 * ("r rcx,rdx,r8") share one line, separated by a space, as WinDbg shows them. */
static int print_reg(kdx_session *s, const kdx_context *c, const char *name, size_t len, bool *shown)
{
    const char *sep = *shown ? " " : "";
    if (len >= 3 && name[0] == '$' && tolower((unsigned char)name[1]) == 't' && isdigit((unsigned char)name[2])) {
        int i = atoi(name + 2);
        if (i >= 0 && i < 20) {
            int w = kdx_session_ptr_size(s) * 2;
            kdx_print(s, "%s%.*s=%0*" PRIx64, sep, (int)len, name, w, s->t_regs[i]);
            *shown = true;
            return 0;
        }
    }
    kdx_reg_ref ref;
    if (name[0] == '$') {
        /* Other pseudo-registers ($ip, $ra, $csp, $retreg, $peb, ...) come from the evaluator. */
        char *text = kdx_strndup(name, len);
        uint64_t v;
        kdx_status st = kdx_expr_eval_all(s, text, &v, NULL);
        free(text);
        if (st == KDX_OK) {
            kdx_print(s, "%s%.*s=%0*" PRIx64, sep, (int)len, name, kdx_session_ptr_size(s) * 2, v);
            *shown = true;
            return 0;
        }
    }
    if (!kdx_reg_lookup(c->arch, name, len, &ref)) {
        /* Control registers of a kernel dump come from the processor's saved state. */
        char *text = kdx_asprintf("@%.*s", (int)len, name);
        uint64_t v;
        kdx_err err = {0};
        kdx_status st = kdx_expr_eval_all(s, text, &v, &err);
        free(text);
        if (st == KDX_OK) {
            kdx_print(s, "%s%.*s=%016" PRIx64, sep, (int)len, name, v);
            *shown = true;
            return 0;
        }
        if (*shown)
            kdx_print(s, "\n");
        *shown = false;
        if (err.code != KDX_E_NOT_FOUND || strstr(err.msg, "("))
            kdx_print(s, "%s\n", err.msg);
        else
            kdx_print(s, "Bad register error in 'r %.*s'\n", (int)len, name);
        return 1;
    }
    int digits = 0;
    for (uint64_t m = ref.mask; m; m >>= 4)
        digits++;
    kdx_print(s, "%s%.*s=%0*" PRIx64, sep, (int)len, name, digits, (c->r[ref.reg] >> ref.shift) & ref.mask);
    *shown = true;
    return 0;
}

static int set_reg(kdx_session *s, kdx_context *c, const char *name, size_t len, const char *expr)
{
    kdx_err err = {0};
    uint64_t v;
    if (kdx_expr_eval_all(s, expr, &v, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (len >= 3 && name[0] == '$' && tolower((unsigned char)name[1]) == 't' && isdigit((unsigned char)name[2])) {
        int i = atoi(name + 2);
        if (i >= 0 && i < 20) {
            s->t_regs[i] = v;
            return 0;
        }
    }
    kdx_reg_ref ref;
    if (!kdx_reg_lookup(c->arch, name, len, &ref)) {
        kdx_print(s, "Bad register error in 'r %.*s'\n", (int)len, name);
        return 1;
    }
    uint64_t old = c->r[ref.reg];
    kdx_ctx_set(c, ref.reg, (old & ~(ref.mask << ref.shift)) | ((v & ref.mask) << ref.shift));
    kdx_session_set_scope(s, c);
    return 0;
}

static int cmd_r(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (kdx_script_is_fixed_alias_assignment(args)) /* r $.u0=Text: an alias, not a register */
        return kdx_script_set_fixed_alias(s, args);
    kdx_context ctx;
    if (!scope_context(s, &ctx))
        return 1;
    if (!*args) {
        kdx_regs_print(s, &ctx);
        return 0;
    }
    char *copy = kdx_strdup(args);
    int rc = 0;
    bool shown = false;
    for (char *item = strtok(copy, ","); item && !rc; item = strtok(NULL, ",")) {
        const char *p = kdx_skip_ws(item);
        if (*p == '@')
            p++;
        size_t n = 0;
        while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '$' || p[n] == '_'))
            n++;
        const char *rest = kdx_skip_ws(p + n);
        if (n == 0)
            rc = kdx_cmd_syntax_error(s, "r", p);
        else if (*rest == '=')
            rc = set_reg(s, &ctx, p, n, rest + 1);
        else if (*rest)
            rc = kdx_cmd_syntax_error(s, "r", rest);
        else
            rc = print_reg(s, &ctx, p, n, &shown);
    }
    if (shown)
        kdx_print(s, "\n");
    free(copy);
    return rc;
}

/* ---- .fnent, u, ub, uf ---- */

static int cmd_fnent(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_err err = {0};
    uint64_t addr;
    if (kdx_expr_eval_all(s, args, &addr, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return kdx_fnent_print(s, addr);
}

/* Parses "[ADDR] [L COUNT | ENDADDR]" for u/ub. */
static int parse_u_args(kdx_session *s, const char *args, const char *name, uint64_t *addr, bool *has_addr,
                        uint64_t *count, uint64_t *end_addr)
{
    kdx_err err = {0};
    const char *p = kdx_skip_ws(args);
    *has_addr = false;
    *end_addr = 0;
    if (*p && !((*p == 'l' || *p == 'L') && (isdigit((unsigned char)p[1]) || p[1] == '?' || p[1] == ' '))) {
        const char *end;
        if (kdx_expr_eval(s, p, addr, &end, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        *has_addr = true;
        p = kdx_skip_ws(end);
    }
    if (*p == 'l' || *p == 'L') {
        p = kdx_skip_ws(p + 1);
        if (*p == '?')
            p++;
        if (kdx_expr_eval_all(s, p, count, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    } else if (*p) {
        if (kdx_expr_eval_all(s, p, end_addr, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    }
    if (*count == 0 || *count > 0x100000)
        return kdx_cmd_syntax_error(s, name, args);
    return 0;
}

static int cmd_u(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    bool backwards = !strcmp(cmd, "ub");
    uint64_t addr = 0, count = 8, end_addr = 0;
    bool has_addr;
    if (parse_u_args(s, args, cmd, &addr, &has_addr, &count, &end_addr))
        return 1;
    if (!has_addr) {
        kdx_context ctx;
        if (!backwards && kdx_disasm_has_next(s))
            addr = kdx_disasm_next(s);
        else if (scope_context(s, &ctx))
            addr = kdx_ctx_ip(&ctx);
        else
            return 1;
    }
    kdx_err err = {0};
    if (backwards && count > 0x400)
        return fail_msg(s, KDX_E_ARG, "ub disassembles at most 0x400 instructions backwards");
    kdx_status st = backwards ? kdx_disasm_ub(s, addr, count, &err)
                              : kdx_disasm_u(s, addr, count, end_addr, &err);
    if (st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID)
        return kdx_cmd_memory_access_error(s, cmd, args);
    return st == KDX_OK ? 0 : kdx_cmd_fail(s, &err);
}

static int cmd_uf(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    bool calls_only = false;
    const char *p = kdx_skip_ws(args);
    while (*p == '/') {
        if (p[1] == 'c')
            calls_only = true;
        else if (!p[1] || !strchr("oiO", p[1])) /* strchr finds the terminator too */
            return kdx_cmd_syntax_error(s, "uf", p);
        p = kdx_skip_ws(p + 2);
    }
    kdx_err err = {0};
    uint64_t addr;
    if (kdx_expr_eval_all(s, p, &addr, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return kdx_disasm_uf(s, addr, calls_only, &err) == KDX_OK ? 0 : kdx_cmd_fail(s, &err);
}

const kdx_command kdx_cmds_stack[] = {
    {"k", cmd_k, "stack backtrace: k[b|v|c|n|p|f|L] [= base ip | = base sp ip] [count]; kd [words]", KDX_CMD_PREFIX},
    {".frame", cmd_frame, "show or select a frame: .frame [/c] [/r] [N]", 0},
    {".stackscan", cmd_stackscan, "kdx: scan the stack where unwind data ends: .stackscan on|off|default (default: user-mode targets only)", 0},
    {".cxr", cmd_cxr, "use the CONTEXT record at ADDR (.cxr alone resets)", 0},
    {".ecxr", cmd_ecxr, "use the exception's context record", 0},
    {".trap", cmd_trap, "use the trap frame at ADDR (.trap alone resets)", 0},
    {".lastevent", cmd_lastevent, "the event the dump was taken for (its exception)", 0},
    {".exr", cmd_exr, "show the EXCEPTION_RECORD at ADDR, or the dump's with -1", 0},
    {"r", cmd_r, "registers: r, r REG, r REG=VALUE, r $tN=VALUE", 0},
    {".fnent", cmd_fnent, "function table entry and unwind codes for ADDR", 0},
    {"u", cmd_u, "disassemble: u [ADDR] [L COUNT]", 0},
    {"ub", cmd_u, "disassemble backwards: ub [ADDR] [L COUNT]", 0},
    {"uf", cmd_uf, "disassemble a whole function: uf [/c] ADDR", 0},
    {0}};
