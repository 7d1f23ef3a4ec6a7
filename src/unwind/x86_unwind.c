/* x86 unwinding: FPO / FrameData records (PDB) and STACK WIN records
 * (Breakpad) through their postfix programs; without a record, the EBP
 * chain, flagged as a heuristic so `k` can warn. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "target/memory.h"
#include "unwind/unwind.h"

#define STACK_MAX 32

static kdx_status rd32(const kdx_unwind_env *env, uint64_t va, uint64_t *v, const char *what, kdx_err *err)
{
    uint32_t x;
    kdx_err e2 = {0};
    if (kdx_read_u32(env->target, va, &x, &e2) != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "cannot read %s at %s: %s", what,
                           kdx_fmt_ptr(a, va, 4), e2.msg);
    }
    *v = x;
    return KDX_OK;
}

/* Program variables: registers by index, $T0..$T9 and $L/$P after them. */
enum { VAR_T0 = KDX_X86_NREGS, VAR_L = VAR_T0 + 10, VAR_P, NVARS };

static int var_index(const char *tok)
{
    if (tok[0] != '$')
        return -1;
    if ((tok[1] == 'T' || tok[1] == 't') && isdigit((unsigned char)tok[2]) && !tok[3])
        return VAR_T0 + (tok[2] - '0');
    if (isdigit((unsigned char)tok[1])) {
        /* CodeView register numbers, as some PDB programs name registers ($20 = ebx). */
        static const struct { int cv, reg; } cv[] = {
            {17, KDX_X86_EAX}, {18, KDX_X86_ECX}, {19, KDX_X86_EDX}, {20, KDX_X86_EBX}, {21, KDX_X86_ESP},
            {22, KDX_X86_EBP}, {23, KDX_X86_ESI}, {24, KDX_X86_EDI}, {33, KDX_X86_EIP}, {34, KDX_X86_EFL}};
        int n = atoi(tok + 1);
        for (size_t i = 0; i < sizeof cv / sizeof cv[0]; i++)
            if (cv[i].cv == n)
                return cv[i].reg;
        return -1;
    }
    if (!strcmp(tok + 1, "L"))
        return VAR_L;
    if (!strcmp(tok + 1, "P"))
        return VAR_P;
    kdx_reg_ref ref;
    if (kdx_reg_lookup(KDX_ARCH_X86, tok + 1, strlen(tok + 1), &ref) && ref.mask == 0xffffffffull && !ref.shift)
        return ref.reg;
    return -1;
}

typedef struct operand {
    bool is_var;
    int var;
    uint64_t value;
} operand;

kdx_status kdx_x86_eval_program(const kdx_unwind_env *env, const char *program, const kdx_x86_program_vars *vars,
                                kdx_context *regs, uint32_t *assigned, kdx_err *err)
{
    uint64_t val[NVARS] = {0};
    bool known[NVARS] = {0};
    for (int i = 0; i < KDX_X86_NREGS; i++) {
        val[i] = regs->r[i];
        known[i] = (regs->valid >> i) & 1;
    }
    operand st[STACK_MAX];
    int sp = 0;
    *assigned = 0;
    char tok[64];
    for (const char *p = program; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        size_t n = 0;
        /* PDB programs sometimes glue an operator to the next name ("=$eip"). */
        if (strchr("=+-*/%@^", p[0]) && (p[1] == '$' || p[1] == '.')) {
            tok[n++] = p[0];
        } else {
            while (p[n] && !isspace((unsigned char)p[n]) && n + 1 < sizeof tok) {
                tok[n] = p[n];
                n++;
            }
        }
        tok[n] = 0;
        p += n;
        bool binary = n == 1 && strchr("+-*/%@", tok[0]);
        if (binary || (n == 1 && (tok[0] == '^' || tok[0] == '='))) {
            int need = tok[0] == '^' ? 1 : 2;
            if (sp < need)
                return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\": '%s' needs %d operands", program,
                                   tok, need);
            operand b = st[--sp];
            uint64_t bv = b.is_var ? val[b.var] : b.value;
            if (b.is_var && !known[b.var] && tok[0] != '=')
                return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" reads an unset variable", program);
            if (tok[0] == '^') {
                uint64_t v;
                if (rd32(env, bv, &v, "a value the frame program dereferences", err) != KDX_OK)
                    return KDX_E_MEM_MISSING;
                st[sp++] = (operand){.value = v};
                continue;
            }
            operand a = st[--sp];
            if (tok[0] == '=') {
                if (!a.is_var)
                    return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" assigns to a constant", program);
                if (b.is_var && !known[b.var])
                    return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" reads an unset variable", program);
                val[a.var] = bv & 0xffffffffu;
                known[a.var] = true;
                if (a.var < KDX_X86_NREGS)
                    *assigned |= 1u << a.var;
                continue;
            }
            if (a.is_var && !known[a.var])
                return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" reads an unset variable", program);
            uint64_t av = a.is_var ? val[a.var] : a.value, r = 0;
            switch (tok[0]) {
            case '+': r = av + bv; break;
            case '-': r = av - bv; break;
            case '*': r = av * bv; break;
            case '/':
            case '%':
                if (!bv)
                    return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" divides by zero", program);
                r = tok[0] == '/' ? av / bv : av % bv;
                break;
            case '@': r = bv ? av & ~(bv - 1) : av; break;
            }
            st[sp++] = (operand){.value = r & 0xffffffffu};
            continue;
        }
        if (sp == STACK_MAX)
            return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" is too deep", program);
        int v = var_index(tok);
        if (v >= 0) {
            st[sp++] = (operand){.is_var = true, .var = v};
        } else if (tok[0] == '.') {
            uint64_t x;
            if (!strcmp(tok, ".cbSavedRegs"))
                x = vars->cb_saved_regs;
            else if (!strcmp(tok, ".cbLocals"))
                x = vars->cb_locals;
            else if (!strcmp(tok, ".cbParams"))
                x = vars->cb_params;
            else if (!strcmp(tok, ".cbCalleeParams"))
                x = vars->cb_callee_params;
            else if (!strcmp(tok, ".raSearch") || !strcmp(tok, ".raSearchStart"))
                x = vars->ra_search_start;
            else
                return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\": unknown variable %s", program, tok);
            st[sp++] = (operand){.value = x};
        } else {
            char *end;
            bool hex = tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X');
            unsigned long long x = strtoull(hex ? tok + 2 : tok, &end, hex ? 16 : 10); /* decimal, as PDBs write them */
            if (*end || end == tok)
                return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\": bad token '%s'", program, tok);
            st[sp++] = (operand){.value = x};
        }
    }
    for (int i = 0; i < KDX_X86_NREGS; i++)
        if (*assigned & (1u << i))
            kdx_ctx_set(regs, i, val[i]);
    return KDX_OK;
}

/* Frame with EBP as its base: [ebp] = caller's ebp, [ebp+4] = return address. */
static kdx_status ebp_frame(const kdx_unwind_env *env, kdx_context *c, kdx_err *err)
{
    uint64_t ebp = c->r[KDX_X86_EBP], saved, ret;
    if (rd32(env, ebp, &saved, "the saved ebp", err) != KDX_OK ||
        rd32(env, ebp + 4, &ret, "the return address", err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    kdx_ctx_set(c, KDX_X86_EBP, saved);
    kdx_ctx_set(c, KDX_X86_EIP, ret);
    kdx_ctx_set(c, KDX_X86_ESP, (ebp + 8) & 0xffffffffu);
    return KDX_OK;
}

/* A word that looks like a return address: it points into a loaded module. */
static bool in_module(const kdx_unwind_env *env, uint64_t v)
{
    return v && kdx_target_module_at(env->target, v) != NULL;
}

/* Where the return address is for frames that do not keep EBP: after the
 * locals and saved registers, scanning a few words further when the value
 * there does not point into a module. */
static uint64_t ra_search(const kdx_unwind_env *env, uint64_t start)
{
    for (unsigned i = 0; i < 16; i++) {
        uint64_t v;
        if (rd32(env, start + 4 * i, &v, "", NULL) != KDX_OK)
            break;
        if (in_module(env, v))
            return start + 4 * i;
    }
    return start;
}

kdx_status kdx_x86_unwind(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *out,
                          kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->caller = *ctx;
    kdx_context *c = &out->caller;
    uint64_t pc = ctx->r[KDX_X86_EIP];
    out->establisher = ctx->r[KDX_X86_EBP];
    kdx_frame_data fd;
    if (!env->frame_data || env->frame_data(env->ud, pc, &fd) != KDX_OK) {
        if (ebp_frame(env, c, err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        out->method = "ebp-chain";
        out->heuristic = true;
        return KDX_OK;
    }
    out->has_frame_data = true;
    out->frame_data = fd;
    const char *program = fd.program;
    if (!fd.has_program)
        program = fd.uses_base_pointer ? "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + ="
                                       : "$eip .raSearchStart ^ = $esp .raSearchStart 4 + =";
    kdx_x86_program_vars vars = {
        .cb_saved_regs = fd.saved_regs_size,
        .cb_locals = fd.locals_size,
        .cb_params = fd.params_size,
    };
    vars.ra_search_start = ra_search(env, ctx->r[KDX_X86_ESP] + fd.locals_size + fd.saved_regs_size);
    uint32_t assigned;
    kdx_context regs = *ctx;
    if (kdx_x86_eval_program(env, program, &vars, &regs, &assigned, err) != KDX_OK)
        return err ? err->code : KDX_E_FORMAT;
    if (!(assigned & (1u << KDX_X86_EIP)) || !(assigned & (1u << KDX_X86_ESP)))
        return kdx_err_set(err, KDX_E_FORMAT, "frame program \"%s\" does not set $eip and $esp", program);
    *c = regs;
    /* ChildEBP: the frame's ebp, or for FPO frames without one, where it would be. */
    out->establisher = !fd.has_program && !fd.uses_base_pointer ? regs.r[KDX_X86_ESP] - 8 : ctx->r[KDX_X86_EBP];
    out->method = fd.has_program ? "framedata" : fd.uses_base_pointer ? "fpo-ebp" : "fpo";
    return KDX_OK;
}
