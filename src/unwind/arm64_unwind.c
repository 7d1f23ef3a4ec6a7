/* ARM64 unwinding from .pdata: packed entries (the canonical prolog the
 * packed fields describe) and unpacked .xdata (unwind codes, epilog scopes,
 * prolog/epilog offsets). Without an entry, a leaf returns through lr on the
 * first frame; further frames follow the frame-pointer chain, labelled as a
 * heuristic. */
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "target/memory.h"
#include "target/session.h"
#include "unwind/unwind.h"

#define MAX_CODE_BYTES (255 * 4)

typedef struct a64 {
    const kdx_unwind_env *env;
    kdx_context *c;
    bool machine_frame;
    kdx_err *err;
} a64;

static kdx_status rd64(a64 *u, uint64_t va, uint64_t *v, const char *what)
{
    kdx_err e2 = {0};
    if (kdx_read_u64(u->env->target, va, v, &e2) != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(u->err, e2.code ? e2.code : KDX_E_MEM_MISSING, "cannot read %s at %s: %s", what,
                           kdx_fmt_u64(a, va), e2.msg);
    }
    return KDX_OK;
}

static kdx_status restore(a64 *u, int reg, uint64_t va)
{
    uint64_t v;
    if (rd64(u, va, &v, "a saved register") != KDX_OK)
        return KDX_E_MEM_MISSING;
    if (reg >= 0)
        kdx_ctx_set(u->c, reg, v);
    return KDX_OK;
}

#define SP (u->c->r[KDX_ARM64_SP])

/* Return addresses signed with pacibsp: keep the canonical address bits. */
static uint64_t strip_pac(uint64_t v)
{
    return (v >> 55) & 1 ? v | 0xffff000000000000ull : v & 0x0000ffffffffffffull;
}

/* ---- packed entries ---- */

static kdx_status unwind_packed(a64 *u, uint32_t word)
{
    unsigned regf = (word >> 13) & 7, regi = (word >> 16) & 0xf, h = (word >> 20) & 1, cr = (word >> 21) & 3;
    unsigned frame = ((word >> 23) & 0x1ff) * 16;
    unsigned intsz = 8 * (regi + (cr == 1 ? 1 : 0));
    unsigned fpsz = regf ? 8 * (regf + 1) : 0;
    unsigned savsz = (intsz + fpsz + 64 * h + 15) & ~15u;
    if (savsz > frame)
        return kdx_err_set(u->err, KDX_E_FORMAT, "packed unwind data 0x%08x: saved registers (0x%x) exceed the frame (0x%x)",
                           word, savsz, frame);
    unsigned locsz = frame - savsz;
    uint64_t sp = SP;
    if (cr == 2 || cr == 3) {
        /* stp fp,lr at the bottom of the locals; fp = sp. */
        uint64_t base = u->c->r[KDX_ARM64_FP];
        if (restore(u, KDX_ARM64_LR, base + 8) != KDX_OK || restore(u, KDX_ARM64_FP, base) != KDX_OK)
            return KDX_E_MEM_MISSING;
        sp = base;
    }
    uint64_t save = sp + locsz;
    for (unsigned i = 0; i < regi; i++)
        if (restore(u, 19 + (int)i, save + 8 * i) != KDX_OK)
            return KDX_E_MEM_MISSING;
    if (cr == 1 && restore(u, KDX_ARM64_LR, save + 8 * regi) != KDX_OK)
        return KDX_E_MEM_MISSING;
    SP = sp + frame;
    if (cr == 2)
        u->c->r[KDX_ARM64_LR] = strip_pac(u->c->r[KDX_ARM64_LR]);
    return KDX_OK;
}

/* ---- unpacked .xdata ---- */

typedef struct xdata {
    uint32_t func_len;      /* bytes */
    bool x, e;
    unsigned nepilogs, code_bytes;
    uint32_t epilogs[64][2]; /* start offset (bytes), start index */
    uint8_t codes[MAX_CODE_BYTES];
} xdata;

static kdx_status read_xdata(const kdx_unwind_image *img, uint32_t rva, xdata *x, kdx_err *err)
{
    memset(x, 0, sizeof *x);
    uint8_t b[8];
    if (img->read(img->ud, rva, b, 4, err) != KDX_OK)
        return KDX_E_NO_SYMBOLS;
    uint32_t h = kdx_le32(b);
    x->func_len = (h & 0x3ffff) * 4;
    if (((h >> 18) & 3) != 0)
        return kdx_err_set(err, KDX_E_FORMAT, "%s .xdata at RVA 0x%x: unsupported version %u", img->name, rva,
                           (h >> 18) & 3);
    x->x = (h >> 20) & 1;
    x->e = (h >> 21) & 1;
    x->nepilogs = (h >> 22) & 0x1f;
    unsigned words = (h >> 27) & 0x1f;
    uint32_t off = rva + 4;
    if (x->nepilogs == 0 && words == 0) {
        if (img->read(img->ud, off, b, 4, err) != KDX_OK)
            return KDX_E_NO_SYMBOLS;
        uint32_t ext = kdx_le32(b);
        x->nepilogs = ext & 0xffff;
        words = (ext >> 16) & 0xff;
        off += 4;
    }
    x->code_bytes = words * 4;
    if (!x->e) {
        for (unsigned i = 0; i < x->nepilogs; i++) {
            if (img->read(img->ud, off + 4 * i, b, 4, err) != KDX_OK)
                return KDX_E_NO_SYMBOLS;
            uint32_t s = kdx_le32(b);
            if (i < 64) {
                x->epilogs[i][0] = (s & 0x3ffff) * 4;
                x->epilogs[i][1] = s >> 22;
            }
        }
        off += 4 * x->nepilogs;
        if (x->nepilogs > 64)
            x->nepilogs = 64;
    }
    if (x->code_bytes && img->read(img->ud, off, x->codes, x->code_bytes, err) != KDX_OK)
        return KDX_E_NO_SYMBOLS;
    return KDX_OK;
}

/* Size in bytes of the unwind code starting with byte b. */
static unsigned code_len(uint8_t b)
{
    if (b < 0xc0)
        return 1;
    if (b < 0xe0)
        return 2;
    if (b == 0xe0)
        return 4;
    if (b == 0xe2)
        return 2;
    if (b == 0xe7)
        return 3;
    return 1;
}

static bool is_end(uint8_t b)
{
    return b == 0xe4 || b == 0xe5;
}

/* Number of instructions the codes from index i up to `end` describe. */
static unsigned count_insns(const xdata *x, unsigned i)
{
    unsigned n = 0;
    while (i < x->code_bytes && !is_end(x->codes[i])) {
        n++;
        i += code_len(x->codes[i]);
    }
    return n;
}

static kdx_status pair(a64 *u, int reg1, int reg2, uint64_t at)
{
    if (restore(u, reg1, at) != KDX_OK || restore(u, reg2, at + 8) != KDX_OK)
        return KDX_E_MEM_MISSING;
    return KDX_OK;
}

/* The register pair a run of save_next codes starting at i refers to: the
 * code after the run saves the base pair; each save_next saves the next. */
static kdx_status save_next(a64 *u, const xdata *x, unsigned i)
{
    unsigned k = 0, j = i;
    while (j < x->code_bytes && x->codes[j] == 0xe6) {
        k++;
        j++;
    }
    if (j + 1 >= x->code_bytes)
        return kdx_err_set(u->err, KDX_E_FORMAT, "save_next at code byte %u has no base save", i);
    uint8_t b0 = x->codes[j], b1 = x->codes[j + 1];
    int base;
    uint64_t off;
    bool fp = false;
    if ((b0 & 0xe0) == 0x20) {             /* save_r19r20_x */
        base = 19;
        off = 0;
    } else if ((b0 & 0xfc) == 0xc8) {      /* save_regp */
        base = 19 + (((b0 & 3) << 2) | (b1 >> 6));
        off = (b1 & 0x3f) * 8u;
    } else if ((b0 & 0xfc) == 0xcc) {      /* save_regp_x */
        base = 19 + (((b0 & 3) << 2) | (b1 >> 6));
        off = 0;
    } else if ((b0 & 0xfe) == 0xd8 || (b0 & 0xfe) == 0xda) { /* save_fregp(_x) */
        fp = true;
        base = 8 + (((b0 & 1) << 2) | (b1 >> 6));
        off = (b0 & 0xfe) == 0xd8 ? (b1 & 0x3f) * 8u : 0;
    } else {
        return kdx_err_set(u->err, KDX_E_FORMAT, "save_next at code byte %u follows no pair save", i);
    }
    unsigned step = k; /* the first save_next of a run (last executed) saves the highest pair */
    if (fp)
        return KDX_OK;                     /* d-registers are not tracked */
    int reg = base + 2 * (int)step;
    if (reg + 1 > 30)
        return KDX_OK;
    return pair(u, reg, reg + 1, SP + off + 16 * step);
}

static kdx_status apply_code(a64 *u, const xdata *x, unsigned i, bool *done)
{
    const uint8_t *p = x->codes + i;
    uint8_t b = p[0];
    unsigned len = code_len(b);
    if (i + len > x->code_bytes)
        return kdx_err_set(u->err, KDX_E_FORMAT, "unwind code at byte %u runs past the %u code bytes", i,
                           x->code_bytes);
    uint8_t b1 = len > 1 ? p[1] : 0;
    unsigned z6 = b1 & 0x3f, reg4 = ((b & 3) << 2) | (b1 >> 6);
    if (b < 0x20) {                                   /* alloc_s */
        SP += (b & 0x1f) * 16u;
    } else if (b < 0x40) {                            /* save_r19r20_x */
        if (pair(u, 19, 20, SP) != KDX_OK)
            return KDX_E_MEM_MISSING;
        SP += (b & 0x1f) * 8u;
    } else if (b < 0x80) {                            /* save_fplr */
        return pair(u, KDX_ARM64_FP, KDX_ARM64_LR, SP + (b & 0x3f) * 8u);
    } else if (b < 0xc0) {                            /* save_fplr_x */
        if (pair(u, KDX_ARM64_FP, KDX_ARM64_LR, SP) != KDX_OK)
            return KDX_E_MEM_MISSING;
        SP += ((b & 0x3f) + 1u) * 8;
    } else if (b < 0xc8) {                            /* alloc_m */
        SP += (((b & 7u) << 8) | b1) * 16;
    } else if (b < 0xcc) {                            /* save_regp */
        return pair(u, 19 + (int)reg4, 20 + (int)reg4, SP + z6 * 8u);
    } else if (b < 0xd0) {                            /* save_regp_x */
        if (pair(u, 19 + (int)reg4, 20 + (int)reg4, SP) != KDX_OK)
            return KDX_E_MEM_MISSING;
        SP += (z6 + 1u) * 8;
    } else if (b < 0xd4) {                            /* save_reg */
        return restore(u, 19 + (int)reg4, SP + z6 * 8u);
    } else if (b < 0xd6) {                            /* save_reg_x */
        int r = 19 + (int)(((b & 1) << 3) | (b1 >> 5));
        if (restore(u, r, SP) != KDX_OK)
            return KDX_E_MEM_MISSING;
        SP += ((b1 & 0x1fu) + 1) * 8;
    } else if (b < 0xd8) {                            /* save_lrpair */
        int r = 19 + 2 * (int)(((b & 1) << 2) | (b1 >> 6));
        return pair(u, r, KDX_ARM64_LR, SP + z6 * 8u);
    } else if (b < 0xda) {                            /* save_fregp */
    } else if (b < 0xdc) {                            /* save_fregp_x */
        SP += (z6 + 1u) * 8;
    } else if (b < 0xde) {                            /* save_freg */
    } else if (b == 0xde) {                           /* save_freg_x */
        SP += ((b1 & 0x1fu) + 1) * 8;
    } else if (b == 0xdf) {
        return kdx_err_set(u->err, KDX_E_UNSUPPORTED, "alloc_z (SVE) unwind code is not supported");
    } else if (b == 0xe0) {                           /* alloc_l */
        SP += (((uint64_t)p[1] << 16) | ((uint64_t)p[2] << 8) | p[3]) * 16;
    } else if (b == 0xe1) {                           /* set_fp */
        SP = u->c->r[KDX_ARM64_FP];
    } else if (b == 0xe2) {                           /* add_fp */
        SP = u->c->r[KDX_ARM64_FP] - b1 * 8u;
    } else if (b == 0xe3 || b == 0xfc) {              /* nop, pac_sign_lr */
        if (b == 0xfc)
            u->c->r[KDX_ARM64_LR] = strip_pac(u->c->r[KDX_ARM64_LR]);
    } else if (is_end(b)) {
        *done = true;
    } else if (b == 0xe6) {
        return save_next(u, x, i);
    } else if (b == 0xe9) {                           /* MSFT_OP_MACHINE_FRAME: sp, pc */
        uint64_t sp, pc;
        if (rd64(u, SP, &sp, "the machine frame") != KDX_OK || rd64(u, SP + 8, &pc, "the machine frame") != KDX_OK)
            return KDX_E_MEM_MISSING;
        kdx_ctx_set(u->c, KDX_ARM64_SP, sp);
        kdx_ctx_set(u->c, KDX_ARM64_PC, pc);
        u->machine_frame = true;
        *done = true;
    } else if (b == 0xea) {                           /* MSFT_OP_CONTEXT: a CONTEXT at sp */
        uint8_t buf[KDX_CONTEXT_ARM64_SIZE];
        kdx_err e2 = {0};
        if (kdx_read_virt(u->env->target, SP, buf, sizeof buf, NULL, &e2) != KDX_OK)
            return kdx_err_set(u->err, KDX_E_MEM_MISSING, "cannot read the CONTEXT the unwind codes point at: %s",
                               e2.msg);
        if (kdx_context_parse(KDX_ARCH_ARM64, buf, sizeof buf, u->c, u->err) != KDX_OK)
            return KDX_E_FORMAT;
        u->machine_frame = true;
        *done = true;
    } else {
        return kdx_err_set(u->err, KDX_E_UNSUPPORTED, "ARM64 unwind code 0x%02x is not supported", b);
    }
    return KDX_OK;
}

static kdx_status run_codes(a64 *u, const xdata *x, unsigned start)
{
    bool done = false;
    for (unsigned i = start; i < x->code_bytes && !done; i += code_len(x->codes[i]))
        if (apply_code(u, x, i, &done) != KDX_OK)
            return u->err ? u->err->code : KDX_E_FORMAT;
    if (!done)
        return kdx_err_set(u->err, KDX_E_FORMAT, "ARM64 unwind codes run past their %u bytes without an end code",
                           x->code_bytes);
    return KDX_OK;
}

/* Index of the n-th code at or after start (skipping n codes). */
static unsigned skip_codes(const xdata *x, unsigned start, unsigned n)
{
    while (n-- && start < x->code_bytes && !is_end(x->codes[start]))
        start += code_len(x->codes[start]);
    return start;
}

static kdx_status unwind_xdata(a64 *u, const kdx_unwind_image *img, const kdx_runtime_function *fn, uint32_t off)
{
    xdata xd;
    xdata *x = &xd;
    kdx_status st = read_xdata(img, fn->unwind_rva, x, u->err);
    if (st != KDX_OK)
        return st;
    unsigned start = 0;
    unsigned prolog = count_insns(x, 0);
    /* Inside an epilog (its codes' instructions, then ret): run the codes of
     * the instructions not yet executed. */
    bool in_epilog = false;
    if (x->e) {
        uint32_t idx = x->nepilogs; /* E: the field is the epilog's code index */
        unsigned n = count_insns(x, idx);
        uint32_t eoff = x->func_len - 4 * (n + 1); /* the codes, then ret */
        if (off >= eoff && off < x->func_len) {
            start = skip_codes(x, idx, (off - eoff) / 4);
            in_epilog = true;
        }
    } else {
        for (unsigned i = 0; i < x->nepilogs; i++) {
            uint32_t eoff = x->epilogs[i][0], idx = x->epilogs[i][1];
            unsigned n = count_insns(x, idx);
            if (off >= eoff && off < eoff + 4 * (n + 1)) {
                start = skip_codes(x, idx, (off - eoff) / 4);
                in_epilog = true;
                break;
            }
        }
    }
    if (!in_epilog && off / 4 < prolog)
        start = skip_codes(x, 0, prolog - off / 4); /* inside the prolog: undo what ran */
    return run_codes(u, x, start);
}

/* Frame record chain: fp -> {caller fp, lr}. */
static kdx_status fp_chain(a64 *u)
{
    uint64_t fp = u->c->r[KDX_ARM64_FP];
    if (!fp)
        return kdx_err_set(u->err, KDX_E_NO_SYMBOLS, "no unwind data and no frame pointer");
    if (pair(u, KDX_ARM64_FP, KDX_ARM64_LR, fp) != KDX_OK)
        return KDX_E_MEM_MISSING;
    SP = fp + 16;
    return KDX_OK;
}

kdx_status kdx_arm64_unwind(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *out,
                            kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->caller = *ctx;
    a64 u = {.env = env, .c = &out->caller, .err = err};
    uint64_t pc = ctx->r[KDX_ARM64_PC];
    char a[KDX_ADDR_BUF];
    kdx_unwind_image img;
    kdx_err e2 = {0};
    kdx_status st = env->find_image(env->ud, pc, &img, &e2);
    if (st == KDX_E_NOT_FOUND)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s is not in any loaded module; no unwind data",
                           kdx_fmt_u64(a, pc));
    kdx_runtime_function fn;
    if (st == KDX_OK)
        st = img.lookup(img.ud, (uint32_t)(pc - img.base), &fn, &e2);
    else
        st = KDX_E_NO_SYMBOLS;
    if (st == KDX_E_NOT_FOUND) {
        /* A leaf without .pdata: nothing saved, the return address is in lr. */
        out->leaf = true;
        out->method = "leaf";
        kdx_ctx_set(u.c, KDX_ARM64_PC, ctx->r[KDX_ARM64_LR]);
        return KDX_OK;
    }
    if (st != KDX_OK) {
        /* Unwind data unavailable: follow the frame records, and say so. */
        if (fp_chain(&u) != KDX_OK)
            return err ? err->code : KDX_E_NO_SYMBOLS;
        kdx_ctx_set(u.c, KDX_ARM64_PC, strip_pac(u.c->r[KDX_ARM64_LR]));
        out->method = "fp-chain";
        out->heuristic = true;
        return KDX_OK;
    }
    out->fn = fn;
    out->establisher = ctx->r[KDX_ARM64_SP];
    uint32_t off = (uint32_t)(pc - img.base) - fn.begin_rva;
    if ((fn.packed || (fn.unwind_rva & 3)) && off == 0 && (fn.unwind_rva & 3) == 1)
        st = KDX_OK; /* at the first instruction nothing is saved yet: return through lr */
    else if (fn.packed || (fn.unwind_rva & 3))
        st = unwind_packed(&u, fn.unwind_rva);
    else
        st = unwind_xdata(&u, &img, &fn, off);
    if (st != KDX_OK)
        return err ? err->code : st;
    out->machine_frame = u.machine_frame;
    out->method = "pdata";
    if (!u.machine_frame)
        kdx_ctx_set(u.c, KDX_ARM64_PC, strip_pac(u.c->r[KDX_ARM64_LR]));
    return KDX_OK;
}

/* ---- .fnent for ARM64 ---- */

static const char *code_name(uint8_t b)
{
    if (b < 0x20) return "alloc_s";
    if (b < 0x40) return "save_r19r20_x";
    if (b < 0x80) return "save_fplr";
    if (b < 0xc0) return "save_fplr_x";
    if (b < 0xc8) return "alloc_m";
    if (b < 0xcc) return "save_regp";
    if (b < 0xd0) return "save_regp_x";
    if (b < 0xd4) return "save_reg";
    if (b < 0xd6) return "save_reg_x";
    if (b < 0xd8) return "save_lrpair";
    if (b < 0xda) return "save_fregp";
    if (b < 0xdc) return "save_fregp_x";
    if (b < 0xde) return "save_freg";
    switch (b) {
    case 0xde: return "save_freg_x";
    case 0xdf: return "alloc_z";
    case 0xe0: return "alloc_l";
    case 0xe1: return "set_fp";
    case 0xe2: return "add_fp";
    case 0xe3: return "nop";
    case 0xe4: return "end";
    case 0xe5: return "end_c";
    case 0xe6: return "save_next";
    case 0xe8: return "MSFT_OP_TRAP_FRAME";
    case 0xe9: return "MSFT_OP_MACHINE_FRAME";
    case 0xea: return "MSFT_OP_CONTEXT";
    case 0xeb: return "MSFT_OP_EC_CONTEXT";
    case 0xec: return "MSFT_OP_CLEAR_UNWOUND_TO_CALL";
    case 0xfc: return "pac_sign_lr";
    default: return "reserved";
    }
}

void kdx_arm64_fnent_print(struct kdx_session *s, const kdx_unwind_image *img, const kdx_runtime_function *fn)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    kdx_print(s, "BeginAddress      = %s\n", kdx_fmt_u64(a, fn->begin_rva));
    kdx_print(s, "EndAddress        = %s\n", kdx_fmt_u64(b, fn->end_rva));
    uint32_t w = fn->unwind_rva;
    if (fn->packed || (w & 3)) {
        kdx_print(s, "Packed unwind data %08x: Flag %u, FunctionLength %x, RegF %u, RegI %u, H %u, CR %u, "
                     "FrameSize %x\n",
                  w, w & 3, ((w >> 2) & 0x7ff) * 4, (w >> 13) & 7, (w >> 16) & 0xf, (w >> 20) & 1, (w >> 21) & 3,
                  ((w >> 23) & 0x1ff) * 16);
        return;
    }
    kdx_print(s, "UnwindInfoAddress = %s\n\n", kdx_fmt_u64(a, w));
    xdata x;
    kdx_err err = {0};
    if (read_xdata(img, w, &x, &err) != KDX_OK) {
        kdx_print(s, "Unwind info at %s cannot be read: %s\n", kdx_fmt_u64(a, img->base + w), err.msg);
        return;
    }
    kdx_print(s, "Unwind info at %s\n", kdx_fmt_u64(a, img->base + w));
    kdx_print(s, "  FunctionLength %x, X %u, E %u, epilogs %u, code bytes %x\n", x.func_len, x.x, x.e, x.nepilogs,
              x.code_bytes);
    for (unsigned i = 0; !x.e && i < x.nepilogs; i++)
        kdx_print(s, "  epilog %u: offset %x, first code %u\n", i, x.epilogs[i][0], x.epilogs[i][1]);
    /* The code words are padded after the last end code. */
    unsigned shown = x.code_bytes;
    for (unsigned i = 0; i < x.code_bytes; i += code_len(x.codes[i]))
        if (is_end(x.codes[i]))
            shown = i + 1;
    for (unsigned i = 0; i < shown;) {
        unsigned n = code_len(x.codes[i]);
        kdx_print(s, "  %02x:", i);
        for (unsigned k = 0; k < n && i + k < x.code_bytes; k++)
            kdx_print(s, " %02x", x.codes[i + k]);
        kdx_print(s, "%*s%s\n", (int)(3 * (4 - n)) + 2, "", code_name(x.codes[i]));
        i += n;
    }
}
