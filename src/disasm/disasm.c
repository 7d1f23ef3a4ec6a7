/* Capstone wrapper printing WinDbg's disassembly syntax. */
#include "disasm/disasm.h"

#include <capstone/capstone.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "target/session.h"
#include "unwind/unwind.h"

/* One capstone handle per architecture, opened on first use. */
static csh handles[4];
static bool opened[4];

static csh handle_for(kdx_arch arch, bool *ok)
{
    unsigned i = (unsigned)arch & 3;
    if (!opened[i]) {
        cs_arch ca = arch == KDX_ARCH_ARM64 ? CS_ARCH_ARM64 : CS_ARCH_X86;
        cs_mode cm = arch == KDX_ARCH_X64 ? CS_MODE_64 : arch == KDX_ARCH_X86 ? CS_MODE_32 : CS_MODE_ARM;
        if (cs_open(ca, cm, &handles[i]) != CS_ERR_OK) {
            *ok = false;
            return 0;
        }
        cs_option(handles[i], CS_OPT_DETAIL, CS_OPT_ON);
        opened[i] = true;
    }
    *ok = true;
    return handles[i];
}

static void copy_out(const char *tmp, char *out, size_t cap)
{
    size_t n = strlen(tmp) < cap ? strlen(tmp) : cap - 1;
    memmove(out, tmp, n);
    out[n] = 0;
}

void kdx_disasm_windbg_operands(const char *in, char *out, size_t cap)
{
    char tmp[512];
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 24 < sizeof tmp;) {
        if ((in[i] == ' ' && (in[i + 1] == '+' || in[i + 1] == '-') && in[i + 2] == ' ')) {
            tmp[o++] = in[i + 1];
            i += 3;
        } else if (in[i] == ',' && in[i + 1] == ' ') {
            tmp[o++] = ',';
            i += 2;
        } else if (in[i] == '0' && in[i + 1] == 'x' && isxdigit((unsigned char)in[i + 2]) &&
                   (i == 0 || !isalnum((unsigned char)in[i - 1]))) {
            size_t j = i + 2;
            if (isalpha((unsigned char)in[j]))
                tmp[o++] = '0';
            while (isxdigit((unsigned char)in[j]) && o + 2 < sizeof tmp)
                tmp[o++] = (char)toupper((unsigned char)in[j++]);
            tmp[o++] = 'h';
            i = j;
        } else {
            tmp[o++] = in[i++];
        }
    }
    tmp[o] = 0;
    copy_out(tmp, out, cap);
}

/* ARM64: WinDbg names x29/x30 fp/lr and separates operands with bare commas. */
static void arm64_operands(const char *in, char *out, size_t cap)
{
    char tmp[512];
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 4 < sizeof tmp;) {
        bool word_start = i == 0 || !isalnum((unsigned char)in[i - 1]);
        if (in[i] == ',' && in[i + 1] == ' ') {
            tmp[o++] = ',';
            i += 2;
        } else if (word_start && !strncmp(in + i, "x29", 3) && !isalnum((unsigned char)in[i + 3])) {
            memcpy(tmp + o, "fp", 2), o += 2, i += 3;
        } else if (word_start && !strncmp(in + i, "x30", 3) && !isalnum((unsigned char)in[i + 3])) {
            memcpy(tmp + o, "lr", 2), o += 2, i += 3;
        } else {
            tmp[o++] = in[i++];
        }
    }
    tmp[o] = 0;
    copy_out(tmp, out, cap);
}

/* Our register index for a capstone register (sub-registers through their mask). */
static int map_reg(csh h, unsigned reg, kdx_arch arch, uint64_t *mask)
{
    *mask = ~0ull;
    if (reg == X86_REG_INVALID)
        return -1;
    const char *name = cs_reg_name(h, reg);
    kdx_reg_ref ref;
    if (!name || !kdx_reg_lookup(arch, name, strlen(name), &ref) || ref.shift)
        return -1;
    *mask = ref.mask;
    return ref.reg;
}

static void memory_operand(csh h, const cs_insn *ci, kdx_insn *out, bool is64)
{
    const cs_detail *d = ci->detail;
    if (ci->id == X86_INS_LEA || ci->id == X86_INS_NOP)
        return;
    kdx_arch arch = is64 ? KDX_ARCH_X64 : KDX_ARCH_X86;
    for (unsigned k = 0; k < d->x86.op_count; k++) {
        const cs_x86_op *op = &d->x86.operands[k];
        if (op->type != X86_OP_MEM)
            continue;
        uint64_t seg_mask;
        out->has_mem_operand = true;
        out->mem_base = op->mem.base == X86_REG_RIP ? -2 : map_reg(h, op->mem.base, arch, &out->base_mask);
        out->mem_index = map_reg(h, op->mem.index, arch, &out->index_mask);
        out->mem_scale = op->mem.scale;
        out->mem_disp = op->mem.disp;
        out->mem_size = op->size;
        out->mem_seg = map_reg(h, op->mem.segment, arch, &seg_mask);
        return;
    }
}

bool kdx_disasm_effective_address(const kdx_insn *in, const kdx_context *ctx, uint64_t *ea, int *seg)
{
    if (!in->has_mem_operand || (ctx->arch != KDX_ARCH_X64 && ctx->arch != KDX_ARCH_X86))
        return false;
    bool is64 = ctx->arch == KDX_ARCH_X64;
    uint64_t a = (uint64_t)in->mem_disp;
    if (in->mem_base == -2)
        a += in->addr + in->len;
    else if (in->mem_base >= 0)
        a += ctx->r[in->mem_base] & in->base_mask;
    if (in->mem_index >= 0)
        a += (ctx->r[in->mem_index] & in->index_mask) * (uint64_t)(in->mem_scale ? in->mem_scale : 1);
    *ea = is64 ? a : a & 0xffffffffu;
    int sp = is64 ? KDX_X64_RSP : KDX_X86_ESP, bp = is64 ? KDX_X64_RBP : KDX_X86_EBP;
    if (in->mem_seg >= 0)
        *seg = in->mem_seg;
    else if (in->mem_base == sp || in->mem_base == bp)
        *seg = is64 ? KDX_X64_SS : KDX_X86_SS;
    else
        *seg = is64 ? KDX_X64_DS : KDX_X86_DS;
    return true;
}

static void classify_x86(const cs_insn *ci, kdx_insn *out, bool is64)
{
    const cs_detail *d = ci->detail;
    for (unsigned g = 0; d && g < d->groups_count; g++) {
        switch (d->groups[g]) {
        case CS_GRP_CALL: out->flow = KDX_FLOW_CALL; break;
        case CS_GRP_RET:
        case CS_GRP_IRET: out->flow = KDX_FLOW_RET; break;
        case CS_GRP_JUMP:
            if (out->flow == KDX_FLOW_NONE)
                out->flow = (ci->id == X86_INS_JMP || ci->id == X86_INS_LJMP) ? KDX_FLOW_JUMP : KDX_FLOW_COND;
            break;
        default: break;
        }
    }
    if (ci->id == X86_INS_INT3 || ci->id == X86_INS_UD2 || ci->id == X86_INS_HLT)
        out->flow = KDX_FLOW_TRAP;
    if (!d)
        return;
    for (unsigned k = 0; k < d->x86.op_count; k++) {
        const cs_x86_op *op = &d->x86.operands[k];
        if (op->type == X86_OP_IMM && out->flow != KDX_FLOW_NONE && out->flow != KDX_FLOW_RET) {
            out->has_target = true;
            out->target = (uint64_t)op->imm & (is64 ? ~0ull : 0xffffffffull);
        } else if (op->type == X86_OP_MEM && is64 && op->mem.base == X86_REG_RIP) {
            out->has_mem_ref = true;
            out->mem_ref = ci->address + ci->size + (uint64_t)op->mem.disp;
        } else if (op->type == X86_OP_MEM && !is64 && op->mem.base == X86_REG_INVALID &&
                   op->mem.index == X86_REG_INVALID && op->mem.segment == X86_REG_INVALID) {
            out->has_mem_ref = true;
            out->mem_ref = (uint64_t)op->mem.disp & 0xffffffffull;
        }
    }
}

static void classify_arm64(const cs_insn *ci, kdx_insn *out)
{
    const cs_detail *d = ci->detail;
    /* By instruction: capstone 4 does not put BL in the call group. */
    switch (ci->id) {
    case ARM64_INS_BL:
    case ARM64_INS_BLR: out->flow = KDX_FLOW_CALL; break;
    case ARM64_INS_B: out->flow = d && d->arm64.cc != ARM64_CC_INVALID && d->arm64.cc != ARM64_CC_AL ? KDX_FLOW_COND : KDX_FLOW_JUMP; break;
    case ARM64_INS_BR: out->flow = KDX_FLOW_JUMP; break;
    case ARM64_INS_CBZ:
    case ARM64_INS_CBNZ:
    case ARM64_INS_TBZ:
    case ARM64_INS_TBNZ: out->flow = KDX_FLOW_COND; break;
    case ARM64_INS_RET: out->flow = KDX_FLOW_RET; break;
    case ARM64_INS_BRK: out->flow = KDX_FLOW_TRAP; break;
    default:
        for (unsigned g = 0; d && g < d->groups_count; g++)
            if (d->groups[g] == CS_GRP_RET)
                out->flow = KDX_FLOW_RET;
        break;
    }
    for (unsigned k = 0; d && k < d->arm64.op_count; k++)
        if (d->arm64.operands[k].type == ARM64_OP_IMM && out->flow != KDX_FLOW_NONE && out->flow != KDX_FLOW_RET) {
            out->has_target = true;
            out->target = (uint64_t)d->arm64.operands[k].imm;
        }
}

kdx_status kdx_disasm_one(kdx_arch arch, uint64_t addr, const uint8_t *buf, size_t len, kdx_insn *out)
{
    memset(out, 0, sizeof *out);
    out->addr = addr;
    bool ok;
    csh h = handle_for(arch, &ok);
    if (!ok || len == 0)
        return KDX_E_UNSUPPORTED;
    cs_insn *ci = NULL;
    size_t n = cs_disasm(h, buf, len < 16 ? len : 16, addr, 1, &ci);
    if (n < 1)
        return KDX_E_FORMAT;
    out->len = ci->size;
    memcpy(out->bytes, ci->bytes, ci->size < 16 ? ci->size : 16);
    const char *mn = ci->mnemonic;
    if (!strcmp(mn, "movabs"))
        mn = "mov";
    snprintf(out->mnemonic, sizeof out->mnemonic, "%s", mn);
    if (arch == KDX_ARCH_ARM64) {
        arm64_operands(ci->op_str, out->operands, sizeof out->operands);
        classify_arm64(ci, out);
    } else {
        if (!strcmp(mn, "int3")) {
            snprintf(out->mnemonic, sizeof out->mnemonic, "int");
            snprintf(out->operands, sizeof out->operands, "3");
        } else {
            kdx_disasm_windbg_operands(ci->op_str, out->operands, sizeof out->operands);
        }
        classify_x86(ci, out, arch == KDX_ARCH_X64);
        if (ci->detail)
            memory_operand(h, ci, out, arch == KDX_ARCH_X64);
    }
    cs_free(ci, n);
    return KDX_OK;
}

/* "nt!Foo+0x10 (fffff800`01234567)", or just the address without a symbol. */
static void symbolic(struct kdx_session *s, uint64_t addr, int ptr_size, char *out, size_t cap)
{
    char a[KDX_ADDR_BUF], sym[256];
    kdx_fmt_ptr(a, addr, ptr_size);
    if (!s) {
        snprintf(out, cap, "%s", a);
        return;
    }
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, addr, &hit) != KDX_OK) {
        snprintf(out, cap, "%s", a);
        return;
    }
    kdx_sym_format_code(s, addr, sym, sizeof sym);
    snprintf(out, cap, "%s (%s)", sym, a);
}

void kdx_disasm_format(struct kdx_session *s, kdx_arch arch, const kdx_insn *in, char *line, size_t cap)
{
    int ps = kdx_arch_ptr_size(arch);
    char a[KDX_ADDR_BUF], bytes[40], ops[512];
    kdx_fmt_ptr(a, in->addr, ps);
    if (arch == KDX_ARCH_ARM64 && in->len == 4) {
        snprintf(bytes, sizeof bytes, "%08x", kdx_le32(in->bytes));
    } else {
        size_t o = 0;
        for (size_t i = 0; i < in->len && o + 3 < sizeof bytes; i++)
            o += (size_t)snprintf(bytes + o, sizeof bytes - o, "%02x", in->bytes[i]);
        bytes[o] = 0;
    }
    snprintf(ops, sizeof ops, "%s", in->operands);
    if (in->has_target && in->flow != KDX_FLOW_NONE) {
        symbolic(s, in->target, ps, ops, sizeof ops);
    } else if (in->has_mem_ref) {
        /* Replace "[rip+...]" (x64) or "[disp]" (x86) with the symbolic address. */
        char *lb = strchr(ops, '[');
        char *rb = lb ? strchr(lb, ']') : NULL;
        if (lb && rb) {
            char sym[300], rebuilt[512];
            kdx_symhit hit;
            const char *seg = "";
            if (arch == KDX_ARCH_X86 && (!s || kdx_sym_from_addr(s, in->mem_ref, &hit) != KDX_OK)) {
                /* x86 absolute operand without a symbol: WinDbg writes ds:[00000045h]. */
                seg = "ds:";
                snprintf(sym, sizeof sym, "%s%08" PRIx64 "h", ((in->mem_ref >> 28) & 0xf) >= 0xa ? "0" : "",
                         in->mem_ref);
            } else {
                symbolic(s, in->mem_ref, ps, sym, sizeof sym);
            }
            snprintf(rebuilt, sizeof rebuilt, "%.*s%s[%s]%s", (int)(lb - ops), ops, seg, sym, rb + 1);
            snprintf(ops, sizeof ops, "%s", rebuilt);
        }
    }
    int n = arch == KDX_ARCH_ARM64 ? snprintf(line, cap, "%s %s %-11s %s", a, bytes, in->mnemonic, ops)
                                   : snprintf(line, cap, "%s %-15s %-7s %s", a, bytes, in->mnemonic, ops);
    if (n > 0)
        kdx_rtrim(line);
}

/* Code bytes at addr: from the dump, else from the module's image (triage
 * dumps rarely hold code pages; the image on the symbol path does). */
static size_t read_code(struct kdx_session *s, uint64_t addr, uint8_t *buf, size_t len, kdx_err *err)
{
    size_t done = 0;
    kdx_read_virt(s->target, addr, buf, len, &done, err);
    if (done == len)
        return done;
    kdx_unwind_image img;
    if (kdx_unwind_session_image(s, addr, &img, NULL) != KDX_OK)
        return done;
    for (size_t n = len; n > done; n--)
        if (addr - img.base + n <= img.size &&
            img.read(img.ud, (uint32_t)(addr - img.base), buf, n, NULL) == KDX_OK)
            return n;
    return done;
}

kdx_status kdx_disasm_read(struct kdx_session *s, uint64_t addr, kdx_insn *out, kdx_err *err)
{
    uint8_t buf[16];
    kdx_err e2 = {0};
    size_t done = read_code(s, addr, buf, sizeof buf, &e2);
    if (done == 0)
        return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "%s", e2.msg);
    kdx_status st = kdx_disasm_one(s->target->arch, addr, buf, done, out);
    if (st != KDX_OK && done < sizeof buf) {
        /* The bytes stop short of a whole instruction: it runs into memory
         * the dump does not hold, which is not an invalid opcode. */
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, KDX_E_MEM_MISSING, "memory at %s is not present in the dump",
                           kdx_fmt_ptr(a, addr + done, s->target->ptr_size));
    }
    if (st != KDX_OK) {
        memset(out, 0, sizeof *out);
        out->addr = addr;
        out->len = 1;
        out->bytes[0] = buf[0];
        snprintf(out->mnemonic, sizeof out->mnemonic, "???");
        out->flow = KDX_FLOW_TRAP;
    }
    return KDX_OK;
}
