/* x64 unwinding from .pdata/.xdata: UNWIND_INFO parsing and the virtual
 * unwind of one frame, following the rules of the Windows x64 ABI (prolog
 * offsets, frame registers, chained info, epilogue detection, leaves). */
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "target/memory.h"
#include "unwind/unwind.h"

#define MAX_CHAIN_DEPTH 32

const char *kdx_x64_uwop_name(uint8_t op, uint8_t version)
{
    static const char *const names[16] = {
        "UWOP_PUSH_NONVOL", "UWOP_ALLOC_LARGE", "UWOP_ALLOC_SMALL", "UWOP_SET_FPREG",
        "UWOP_SAVE_NONVOL", "UWOP_SAVE_NONVOL_FAR", "UWOP_EPILOG", "UWOP_SPARE_CODE",
        "UWOP_SAVE_XMM128", "UWOP_SAVE_XMM128_FAR", "UWOP_PUSH_MACHFRAME"};
    if (version < 2 && op == KDX_UWOP_EPILOG)
        return "UWOP_SAVE_XMM";
    if (version < 2 && op == KDX_UWOP_SPARE_CODE)
        return "UWOP_SAVE_XMM_FAR";
    return op < 16 && names[op] ? names[op] : "UWOP_UNKNOWN";
}

/* Slots used by each opcode (ALLOC_LARGE depends on its info). */
static unsigned op_slots(uint8_t op, uint8_t info, uint8_t version)
{
    /* Version 2 epilog descriptors are one slot each (the first gives the
     * epilog size and flags, the next ones offsets from the function end). */
    if (op == KDX_UWOP_EPILOG && version >= 2)
        return 1;
    switch (op) {
    case KDX_UWOP_PUSH_NONVOL:
    case KDX_UWOP_ALLOC_SMALL:
    case KDX_UWOP_SET_FPREG:
    case KDX_UWOP_PUSH_MACHFRAME: return 1;
    case KDX_UWOP_ALLOC_LARGE: return info == 0 ? 2 : info == 1 ? 3 : 0;
    case KDX_UWOP_SAVE_NONVOL:
    case KDX_UWOP_EPILOG:
    case KDX_UWOP_SAVE_XMM128: return 2;
    case KDX_UWOP_SAVE_NONVOL_FAR:
    case KDX_UWOP_SPARE_CODE:
    case KDX_UWOP_SAVE_XMM128_FAR: return 3;
    default: return 0;
    }
}

kdx_status kdx_x64_unwind_code_at(const kdx_x64_unwind_info *ui, unsigned i,
                                  kdx_x64_unwind_code *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (i >= ui->ncodes)
        return kdx_err_set(err, KDX_E_FORMAT, "unwind code %u is past CountOfCodes %u", i, ui->ncodes);
    uint16_t s = ui->slots[i];
    out->code_offset = (uint8_t)(s & 0xff);
    out->op = (uint8_t)((s >> 8) & 0xf);
    out->info = (uint8_t)(s >> 12);
    out->nslots = op_slots(out->op, out->info, ui->version);
    if (!out->nslots)
        return kdx_err_set(err, KDX_E_FORMAT, "unwind code %u: unknown opcode %u (info %u)", i,
                           out->op, out->info);
    if (i + out->nslots > ui->ncodes)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "unwind code %u (%s) needs %u slots but only %u remain", i,
                           kdx_x64_uwop_name(out->op, ui->version), out->nslots, ui->ncodes - i);
    uint32_t next = out->nslots > 1 ? ui->slots[i + 1] : 0;
    uint32_t far = out->nslots > 2 ? next | ((uint32_t)ui->slots[i + 2] << 16) : 0;
    switch (out->op) {
    case KDX_UWOP_ALLOC_LARGE: out->operand = out->info == 0 ? next * 8 : far; break;
    case KDX_UWOP_ALLOC_SMALL: out->operand = out->info * 8u + 8; break;
    case KDX_UWOP_SAVE_NONVOL: out->operand = next * 8; break;
    case KDX_UWOP_SAVE_NONVOL_FAR: out->operand = far; break;
    case KDX_UWOP_SAVE_XMM128: out->operand = next * 16; break;
    case KDX_UWOP_SAVE_XMM128_FAR: out->operand = far; break;
    case KDX_UWOP_EPILOG: out->operand = ui->version >= 2 ? (uint32_t)out->code_offset | (out->info << 8) : next * 8; break;
    case KDX_UWOP_SPARE_CODE: out->operand = far; break;
    default: break;
    }
    return KDX_OK;
}

kdx_status kdx_x64_unwind_info_parse(const uint8_t *buf, size_t len, const char *where,
                                     kdx_x64_unwind_info *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (!where)
        where = "UNWIND_INFO";
    if (len < 4)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: header needs 4 bytes, %zu available", where, len);
    out->version = buf[0] & 7;
    out->flags = buf[0] >> 3;
    out->prolog_size = buf[1];
    out->ncodes = buf[2];
    out->frame_reg = buf[3] & 0xf;
    out->frame_offset = buf[3] >> 4;
    if (out->version != 1 && out->version != 2)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: unsupported version %u (flags 0x%x)", where,
                           out->version, out->flags);
    bool chain = out->flags & KDX_UNW_FLAG_CHAININFO;
    bool handler = out->flags & (KDX_UNW_FLAG_EHANDLER | KDX_UNW_FLAG_UHANDLER);
    if (chain && handler)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: flags 0x%x set both a handler and chained info", where, out->flags);
    if (out->frame_reg == 4)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: rsp cannot be the frame register", where);
    size_t codes_end = 4 + 2 * (size_t)out->ncodes;
    if (len < codes_end)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: %u unwind codes need 0x%zx bytes, 0x%zx available",
                           where, out->ncodes, codes_end, len);
    for (unsigned i = 0; i < out->ncodes; i++)
        out->slots[i] = kdx_le16(buf + 4 + 2 * i);
    out->size = (uint32_t)codes_end;
    size_t tail = 4 + 2 * (size_t)((out->ncodes + 1) & ~1u);
    if (chain) {
        if (len < tail + 12)
            return kdx_err_set(err, KDX_E_TRUNCATED, "%s: chained RUNTIME_FUNCTION at +0x%zx is cut off",
                               where, tail);
        out->has_chain = true;
        out->chain.begin_rva = kdx_le32(buf + tail);
        out->chain.end_rva = kdx_le32(buf + tail + 4);
        out->chain.unwind_rva = kdx_le32(buf + tail + 8);
        out->size = (uint32_t)(tail + 12);
    } else if (handler) {
        if (len < tail + 4)
            return kdx_err_set(err, KDX_E_TRUNCATED, "%s: exception handler RVA at +0x%zx is cut off",
                               where, tail);
        out->has_handler = true;
        out->handler_rva = kdx_le32(buf + tail);
        if (len >= tail + 8)
            out->handler_data = kdx_le32(buf + tail + 4);
        out->size = (uint32_t)(tail + 8);
    }
    /* Every code must decode with its operand slots present. */
    for (unsigned i = 0; i < out->ncodes;) {
        kdx_x64_unwind_code c;
        if (kdx_x64_unwind_code_at(out, i, &c, err) != KDX_OK) {
            kdx_err_prefix(err, "%s", where);
            return KDX_E_FORMAT;
        }
        i += c.nslots;
    }
    return KDX_OK;
}

kdx_status kdx_x64_unwind_info_read(const kdx_unwind_image *img, uint32_t rva,
                                    kdx_x64_unwind_info *out, kdx_err *err)
{
    char where[160];
    snprintf(where, sizeof where, "%s UNWIND_INFO at RVA 0x%x", img->name ? img->name : "image", rva);
    uint8_t buf[KDX_X64_UNWIND_INFO_MAX];
    kdx_err e2 = {0};
    if (img->read(img->ud, rva, buf, 4, &e2) != KDX_OK)
        return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "%s: %s", where, e2.msg);
    unsigned n = buf[2];
    size_t need = 4 + 2 * (size_t)((n + 1) & ~1u);
    uint8_t flags = buf[0] >> 3;
    if (flags & KDX_UNW_FLAG_CHAININFO)
        need += 12;
    else if (flags & (KDX_UNW_FLAG_EHANDLER | KDX_UNW_FLAG_UHANDLER))
        need += 8;
    size_t have = need;
    if (img->read(img->ud, rva, buf, need, &e2) != KDX_OK) {
        /* The handler data dword is optional for us: retry without it. */
        have = (flags & (KDX_UNW_FLAG_EHANDLER | KDX_UNW_FLAG_UHANDLER)) ? need - 4 : 4 + 2 * (size_t)n;
        if (img->read(img->ud, rva, buf, have, &e2) != KDX_OK)
            return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "%s: %s", where, e2.msg);
    }
    return kdx_x64_unwind_info_parse(buf, have, where, out, err);
}

/* ---- virtual unwind ---- */

typedef struct uw_state {
    const kdx_unwind_env *env;
    kdx_context *c;
} uw_state;

static kdx_status read_stack_u64(const kdx_unwind_env *env, uint64_t va, uint64_t *v, const char *what,
                                 kdx_err *err)
{
    kdx_err e2 = {0};
    if (kdx_read_u64(env->target, va, v, &e2) != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "cannot read %s at %s: %s", what,
                           kdx_fmt_u64(a, va), e2.msg);
    }
    return KDX_OK;
}

/* .pdata entries whose UnwindData has bit 0 set point at another RUNTIME_FUNCTION. */
static kdx_status resolve_indirect(const kdx_unwind_image *img, kdx_runtime_function *fn, kdx_err *err)
{
    for (int hops = 0; (fn->unwind_rva & 1) && hops < 4; hops++) {
        uint8_t b[12];
        uint32_t rva = fn->unwind_rva & ~1u;
        if (img->read(img->ud, rva, b, sizeof b, err) != KDX_OK)
            return KDX_E_FORMAT;
        fn->begin_rva = kdx_le32(b);
        fn->end_rva = kdx_le32(b + 4);
        fn->unwind_rva = kdx_le32(b + 8);
    }
    if (fn->unwind_rva & 1)
        return kdx_err_set(err, KDX_E_LIMIT, "%s: indirect RUNTIME_FUNCTION entries nest too deep",
                           img->name ? img->name : "image");
    return KDX_OK;
}

kdx_status kdx_x64_primary_entry(const kdx_unwind_image *img, kdx_runtime_function fn,
                                 kdx_runtime_function *primary, kdx_err *err)
{
    uint32_t seen[MAX_CHAIN_DEPTH];
    for (unsigned depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
        if (resolve_indirect(img, &fn, err) != KDX_OK)
            return KDX_E_FORMAT;
        for (unsigned i = 0; i < depth; i++)
            if (seen[i] == fn.unwind_rva)
                return kdx_err_set(err, KDX_E_LIMIT,
                                   "%s: chained unwind info loops (UNWIND_INFO at RVA 0x%x chains back to "
                                   "RVA 0x%x); unwinding stops",
                                   img->name ? img->name : "image", seen[depth - 1], fn.unwind_rva);
        seen[depth] = fn.unwind_rva;
        kdx_x64_unwind_info ui;
        if (kdx_x64_unwind_info_read(img, fn.unwind_rva, &ui, err) != KDX_OK)
            return err ? err->code : KDX_E_FORMAT;
        if (!ui.has_chain) {
            *primary = fn;
            return KDX_OK;
        }
        fn = ui.chain;
    }
    return kdx_err_set(err, KDX_E_LIMIT, "%s: chained unwind info is deeper than %d entries",
                       img->name ? img->name : "image", MAX_CHAIN_DEPTH);
}

/* Tells a tail jump out of the function from a jump into another chunk of it. */
static bool chain_root(const kdx_unwind_image *img, kdx_runtime_function fn, uint32_t *root_begin)
{
    kdx_runtime_function p;
    if (kdx_x64_primary_entry(img, fn, &p, NULL) != KDX_OK)
        return false;
    *root_begin = p.begin_rva;
    return true;
}

static bool jump_leaves_function(const kdx_unwind_image *img, const kdx_runtime_function *fn,
                                 uint64_t target)
{
    if (target >= img->base + fn->begin_rva && target < img->base + fn->end_rva)
        return false;
    if (target < img->base || target - img->base >= img->size)
        return true;
    kdx_runtime_function other;
    if (img->lookup(img->ud, (uint32_t)(target - img->base), &other, NULL) != KDX_OK)
        return true;
    uint32_t r1, r2;
    if (chain_root(img, *fn, &r1) && chain_root(img, other, &r2))
        return r1 != r2;
    return true;
}

/* Reads code bytes at va: from the image first (it is never paged out), else target memory. */
static size_t read_code(const kdx_unwind_env *env, const kdx_unwind_image *img, uint64_t va,
                        uint8_t *buf, size_t len)
{
    for (size_t n = len; n >= 1; n /= 2) {
        if (va >= img->base && va - img->base + n <= img->size &&
            img->read(img->ud, (uint32_t)(va - img->base), buf, n, NULL) == KDX_OK)
            return n;
        size_t done = 0;
        kdx_read_virt(env->target, va, buf, n, &done, NULL);
        if (done >= n)
            return n;
        if (n == 1)
            break;
    }
    return 0;
}

/* Recognises an epilogue at the pc (add rsp / lea rsp, pops, ret or a jump
 * out of the function) and, when found, emulates it into *c. */
static kdx_status try_epilog(const kdx_unwind_env *env, const kdx_unwind_image *img,
                             const kdx_runtime_function *fn, const kdx_x64_unwind_info *ui,
                             kdx_context *c, bool *found, kdx_err *err)
{
    *found = false;
    uint8_t b[64];
    uint64_t pc = c->r[KDX_X64_RIP];
    size_t n = read_code(env, img, pc, b, sizeof b);
    if (n < 1)
        return KDX_OK;
    size_t p = 0;
    int64_t sp_adjust = 0;
    bool set_from_frame = false;
    if (n >= 4 && b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xc4) {
        sp_adjust = (int8_t)b[3];
        p = 4;
    } else if (n >= 7 && b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xc4) {
        sp_adjust = (int32_t)kdx_le32(b + 3);
        p = 7;
    } else if (n >= 3 && (b[0] & 0xfe) == 0x48 && b[1] == 0x8d && ui->frame_reg) {
        uint8_t modrm = b[2], mod = modrm >> 6;
        unsigned reg = (modrm >> 3) & 7, rm = (modrm & 7) | ((b[0] & 1) << 3);
        if (reg == 4 && rm == ui->frame_reg && (modrm & 7) != 4 && mod != 3 && !(mod == 0 && (modrm & 7) == 5)) {
            size_t disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (n >= 3 + disp_len) {
                sp_adjust = mod == 1 ? (int8_t)b[3] : mod == 2 ? (int32_t)kdx_le32(b + 3) : 0;
                set_from_frame = true;
                p = 3 + disp_len;
            }
        }
        if (!set_from_frame)
            return KDX_OK;
    }
    int pops[16];
    int npops = 0;
    for (;;) {
        if (p < n && (b[p] & 0xf8) == 0x58 && npops < 16) {
            pops[npops++] = b[p] & 7;
            p += 1;
        } else if (p + 1 < n && b[p] == 0x41 && (b[p + 1] & 0xf8) == 0x58 && npops < 16) {
            pops[npops++] = 8 + (b[p + 1] & 7);
            p += 2;
        } else {
            break;
        }
    }
    bool is_end = false;
    if (p < n && (b[p] == 0xc3 || b[p] == 0xc2))
        is_end = true;
    else if (p + 1 < n && b[p] == 0xf3 && b[p + 1] == 0xc3)
        is_end = true;
    else if (p + 1 < n && b[p] == 0xeb)
        is_end = jump_leaves_function(img, fn, pc + p + 2 + (int8_t)b[p + 1]);
    else if (p + 4 < n && b[p] == 0xe9)
        is_end = jump_leaves_function(img, fn, pc + p + 5 + (int32_t)kdx_le32(b + p + 1));
    else if (p + 1 < n && b[p] == 0xff && b[p + 1] == 0x25)
        is_end = true;
    else if (p + 2 < n && (b[p] & 0xf0) == 0x40 && b[p + 1] == 0xff && b[p + 2] == 0x25)
        is_end = true;
    if (!is_end)
        return KDX_OK;
    kdx_context x = *c;
    if (set_from_frame)
        x.r[KDX_X64_RSP] = x.r[ui->frame_reg] + (uint64_t)sp_adjust;
    else
        x.r[KDX_X64_RSP] += (uint64_t)sp_adjust;
    for (int i = 0; i < npops; i++) {
        uint64_t v;
        if (read_stack_u64(env, x.r[KDX_X64_RSP], &v, "a register popped by the epilogue", err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        kdx_ctx_set(&x, pops[i], v);
        x.r[KDX_X64_RSP] += 8;
    }
    uint64_t ret;
    if (read_stack_u64(env, x.r[KDX_X64_RSP], &ret, "the return address", err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    x.r[KDX_X64_RIP] = ret;
    x.r[KDX_X64_RSP] += 8;
    *c = x;
    *found = true;
    return KDX_OK;
}

/* Applies one UNWIND_INFO's codes. prolog_off < 0 applies every code. */
static kdx_status apply_codes(const kdx_unwind_env *env, const kdx_x64_unwind_info *ui, long prolog_off,
                              uint64_t frame_base, kdx_context *c, bool *machframe, uint64_t *mf_addr,
                              kdx_err *err)
{
    for (unsigned i = 0; i < ui->ncodes;) {
        kdx_x64_unwind_code uc;
        if (kdx_x64_unwind_code_at(ui, i, &uc, err) != KDX_OK)
            return KDX_E_FORMAT;
        i += uc.nslots;
        if (prolog_off >= 0 && uc.code_offset > prolog_off)
            continue; /* not executed yet */
        uint64_t v;
        switch (uc.op) {
        case KDX_UWOP_PUSH_NONVOL:
            if (read_stack_u64(env, c->r[KDX_X64_RSP], &v, "a pushed register", err) != KDX_OK)
                return KDX_E_MEM_MISSING;
            kdx_ctx_set(c, uc.info, v);
            c->r[KDX_X64_RSP] += 8;
            break;
        case KDX_UWOP_ALLOC_LARGE:
        case KDX_UWOP_ALLOC_SMALL:
            c->r[KDX_X64_RSP] += uc.operand;
            break;
        case KDX_UWOP_SET_FPREG:
            c->r[KDX_X64_RSP] = c->r[ui->frame_reg] - 16ull * ui->frame_offset;
            break;
        case KDX_UWOP_SAVE_NONVOL:
        case KDX_UWOP_SAVE_NONVOL_FAR:
            if (read_stack_u64(env, frame_base + uc.operand, &v, "a saved register", err) != KDX_OK)
                return KDX_E_MEM_MISSING;
            kdx_ctx_set(c, uc.info, v);
            break;
        case KDX_UWOP_SAVE_XMM128:
        case KDX_UWOP_SAVE_XMM128_FAR:
            if (kdx_read_virt(env->target, frame_base + uc.operand, c->xmm[uc.info], 16, NULL, NULL) != KDX_OK)
                c->has_vector = false; /* never keep a value we could not restore */
            break;
        case KDX_UWOP_PUSH_MACHFRAME: {
            uint64_t sp = c->r[KDX_X64_RSP] + (uc.info ? 8 : 0);
            *mf_addr = sp;
            uint64_t rip, cs, efl, rsp, ss;
            if (read_stack_u64(env, sp, &rip, "the machine frame", err) != KDX_OK ||
                read_stack_u64(env, sp + 8, &cs, "the machine frame", err) != KDX_OK ||
                read_stack_u64(env, sp + 16, &efl, "the machine frame", err) != KDX_OK ||
                read_stack_u64(env, sp + 24, &rsp, "the machine frame", err) != KDX_OK ||
                read_stack_u64(env, sp + 32, &ss, "the machine frame", err) != KDX_OK)
                return KDX_E_MEM_MISSING;
            kdx_ctx_set(c, KDX_X64_RIP, rip);
            kdx_ctx_set(c, KDX_X64_CS, cs & 0xffff);
            kdx_ctx_set(c, KDX_X64_EFL, efl & 0xffffffff);
            kdx_ctx_set(c, KDX_X64_RSP, rsp);
            kdx_ctx_set(c, KDX_X64_SS, ss & 0xffff);
            *machframe = true;
            break;
        }
        default: /* UWOP_EPILOG and old XMM saves do not move the frame */
            break;
        }
    }
    return KDX_OK;
}

/* Offset of the SET_FPREG code, or -1. */
static int set_fpreg_offset(const kdx_x64_unwind_info *ui)
{
    for (unsigned i = 0; i < ui->ncodes;) {
        kdx_x64_unwind_code uc;
        if (kdx_x64_unwind_code_at(ui, i, &uc, NULL) != KDX_OK)
            return -1;
        if (uc.op == KDX_UWOP_SET_FPREG)
            return uc.code_offset;
        i += uc.nslots;
    }
    return -1;
}

/* Unwind data (.pdata/.xdata) that is not in the dump means "unwind information
 * not available" (KDX_E_NO_SYMBOLS), unlike stack memory that is missing. */
static kdx_status unwind_data_status(kdx_status st)
{
    return st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID ? KDX_E_NO_SYMBOLS : st;
}

static kdx_status unwind_data_error(kdx_err *err)
{
    if (!err)
        return KDX_E_FORMAT;
    err->code = unwind_data_status(err->code);
    return err->code;
}

kdx_status kdx_x64_unwind(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *out,
                          kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->caller = *ctx;
    kdx_context *c = &out->caller;
    uint64_t pc = ctx->r[KDX_X64_RIP];
    char a[KDX_ADDR_BUF];
    kdx_unwind_image img;
    kdx_err e2 = {0};
    kdx_status st = env->find_image(env->ud, pc, &img, &e2);
    if (st == KDX_E_NOT_FOUND)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s is not in any loaded module; no unwind data",
                           kdx_fmt_u64(a, pc));
    if (st != KDX_OK)
        return kdx_err_set(err, st, "%s", e2.msg);
    uint32_t rva = (uint32_t)(pc - img.base);
    kdx_runtime_function fn;
    st = img.lookup(img.ud, rva, &fn, &e2);
    if (st == KDX_E_NOT_FOUND && img.entry_at && img.nentries == 0)
        /* Every x64 image with code has a function table; an empty one means the
         * image we have is not the real one (or is damaged), not that pc is a leaf. */
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s has no function table (.pdata); unwind data unavailable",
                           img.name ? img.name : kdx_fmt_u64(a, img.base));
    if (st == KDX_E_NOT_FOUND) {
        /* Leaf function: nothing pushed, the return address is at [rsp]. */
        uint64_t ret;
        if (read_stack_u64(env, c->r[KDX_X64_RSP], &ret, "the return address", err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        c->r[KDX_X64_RIP] = ret;
        c->r[KDX_X64_RSP] += 8;
        out->establisher = c->r[KDX_X64_RSP] - 8;
        out->leaf = true;
        out->method = "leaf";
        return KDX_OK;
    }
    if (st != KDX_OK)
        return kdx_err_set(err, unwind_data_status(st), "%s", e2.msg);
    if (resolve_indirect(&img, &fn, err) != KDX_OK)
        return KDX_E_FORMAT;
    out->fn = fn;
    out->method = "pdata";
    kdx_x64_unwind_info ui;
    if (kdx_x64_unwind_info_read(&img, fn.unwind_rva, &ui, err) != KDX_OK)
        return unwind_data_error(err);

    bool found = false;
    if (try_epilog(env, &img, &fn, &ui, c, &found, err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    if (found) {
        out->in_epilog = true;
        out->establisher = ctx->r[KDX_X64_RSP];
        return KDX_OK;
    }

    long prolog_off = (long)(rva - fn.begin_rva);
    bool in_prolog = rva >= fn.begin_rva && prolog_off < ui.prolog_size;
    uint64_t frame_base = c->r[KDX_X64_RSP];
    if (ui.frame_reg) {
        int fp_off = set_fpreg_offset(&ui);
        if (!(in_prolog && (fp_off < 0 || fp_off > prolog_off)))
            frame_base = c->r[ui.frame_reg] - 16ull * ui.frame_offset;
    }
    out->establisher = frame_base;

    uint32_t seen[MAX_CHAIN_DEPTH + 1];
    unsigned nseen = 0;
    seen[nseen++] = fn.unwind_rva;
    bool machframe = false;
    const kdx_x64_unwind_info *cur = &ui;
    kdx_x64_unwind_info next;
    for (;;) {
        if (apply_codes(env, cur, cur == &ui && in_prolog ? prolog_off : -1, frame_base, c, &machframe,
                        &out->machframe_addr, err) != KDX_OK)
            return err ? err->code : KDX_E_FORMAT;
        if (!cur->has_chain || machframe)
            break;
        kdx_runtime_function ch = cur->chain;
        if (resolve_indirect(&img, &ch, err) != KDX_OK)
            return KDX_E_FORMAT;
        for (unsigned i = 0; i < nseen; i++)
            if (seen[i] == ch.unwind_rva)
                return kdx_err_set(err, KDX_E_LIMIT,
                                   "%s: chained unwind info loops (UNWIND_INFO at RVA 0x%x chains back to "
                                   "RVA 0x%x); unwinding stops",
                                   img.name ? img.name : "image", nseen ? seen[nseen - 1] : 0, ch.unwind_rva);
        if (nseen > MAX_CHAIN_DEPTH)
            return kdx_err_set(err, KDX_E_LIMIT, "%s: chained unwind info is deeper than %d entries",
                               img.name ? img.name : "image", MAX_CHAIN_DEPTH);
        seen[nseen++] = ch.unwind_rva;
        if (kdx_x64_unwind_info_read(&img, ch.unwind_rva, &next, err) != KDX_OK)
            return unwind_data_error(err);
        cur = &next;
    }
    if (!machframe) {
        uint64_t ret;
        if (read_stack_u64(env, c->r[KDX_X64_RSP], &ret, "the return address", err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        c->r[KDX_X64_RIP] = ret;
        c->r[KDX_X64_RSP] += 8;
    }
    out->machine_frame = machframe;
    return KDX_OK;
}
