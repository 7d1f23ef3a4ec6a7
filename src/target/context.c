#include "target/context.h"

#include <ctype.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"

const char *kdx_arch_name(kdx_arch a)
{
    switch (a) {
    case KDX_ARCH_X86: return "x86";
    case KDX_ARCH_X64: return "x64";
    case KDX_ARCH_ARM64: return "ARM64";
    default: return "unknown";
    }
}

int kdx_arch_ptr_size(kdx_arch a)
{
    switch (a) {
    case KDX_ARCH_X86: return 4;
    case KDX_ARCH_X64:
    case KDX_ARCH_ARM64: return 8;
    default: return 0;
    }
}

static const char *const x64_names[KDX_X64_NREGS] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
    "r11", "r12", "r13", "r14", "r15", "rip", "efl", "cs", "ds", "es", "fs",
    "gs", "ss", "dr0", "dr1", "dr2", "dr3", "dr6", "dr7", "mxcsr"};

static const char *const x86_names[KDX_X86_NREGS] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "efl", "cs",
    "ds", "es", "fs", "gs", "ss", "dr0", "dr1", "dr2", "dr3", "dr6", "dr7"};

static const char *const arm64_names[KDX_ARM64_NREGS] = {
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
    "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
    "x24", "x25", "x26", "x27", "x28", "fp", "lr", "sp", "pc", "cpsr", "fpcr", "fpsr"};

int kdx_reg_count(kdx_arch a)
{
    switch (a) {
    case KDX_ARCH_X64: return KDX_X64_NREGS;
    case KDX_ARCH_X86: return KDX_X86_NREGS;
    case KDX_ARCH_ARM64: return KDX_ARM64_NREGS;
    default: return 0;
    }
}

const char *kdx_reg_name(kdx_arch a, int reg)
{
    if (reg < 0 || reg >= kdx_reg_count(a))
        return "?";
    switch (a) {
    case KDX_ARCH_X64: return x64_names[reg];
    case KDX_ARCH_X86: return x86_names[reg];
    default: return arm64_names[reg];
    }
}

int kdx_reg_width(kdx_arch a, int reg)
{
    if (a == KDX_ARCH_X64) {
        if (reg >= KDX_X64_CS && reg <= KDX_X64_SS)
            return 2;
        if (reg == KDX_X64_EFL || reg == KDX_X64_MXCSR)
            return 4;
        return 8;
    }
    if (a == KDX_ARCH_X86)
        return (reg >= KDX_X86_CS && reg <= KDX_X86_SS) ? 2 : 4;
    if (a == KDX_ARCH_ARM64)
        return reg >= KDX_ARM64_CPSR ? 4 : 8;
    return 8;
}

int kdx_reg_ip(kdx_arch a)
{
    return a == KDX_ARCH_X64 ? KDX_X64_RIP : a == KDX_ARCH_X86 ? KDX_X86_EIP : KDX_ARM64_PC;
}

int kdx_reg_sp(kdx_arch a)
{
    return a == KDX_ARCH_X64 ? KDX_X64_RSP : a == KDX_ARCH_X86 ? KDX_X86_ESP : KDX_ARM64_SP;
}

int kdx_reg_fp(kdx_arch a)
{
    return a == KDX_ARCH_X64 ? KDX_X64_RBP : a == KDX_ARCH_X86 ? KDX_X86_EBP : KDX_ARM64_FP;
}

uint64_t kdx_ctx_ip(const kdx_context *c)
{
    return c->r[kdx_reg_ip(c->arch)];
}

uint64_t kdx_ctx_sp(const kdx_context *c)
{
    return c->r[kdx_reg_sp(c->arch)];
}

void kdx_ctx_set(kdx_context *c, int reg, uint64_t v)
{
    if (reg < 0 || reg >= KDX_MAX_REGS)
        return;
    c->r[reg] = v;
    c->valid |= 1ull << reg;
}

static bool name_eq(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && kdx_strncasecmp(name, want, len) == 0;
}

static bool set_ref(kdx_reg_ref *out, int reg, unsigned shift, uint64_t mask)
{
    out->reg = reg;
    out->shift = shift;
    out->mask = mask;
    return true;
}

/* x86 legacy sub-register names for the first 8 GPRs (shared by x86 and x64). */
static const char *const gpr32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const gpr16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const gpr8l[8] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
static const char *const gpr8h[4] = {"ah", "ch", "dh", "bh"};

static bool lookup_x86_family(const char *name, size_t len, bool is64, kdx_reg_ref *out)
{
    for (int i = 0; i < 8; i++) {
        if (name_eq(name, len, gpr32[i]))
            return set_ref(out, i, 0, 0xffffffffull);
        if (name_eq(name, len, gpr16[i]))
            return set_ref(out, i, 0, 0xffff);
        if ((is64 || i < 4) && name_eq(name, len, gpr8l[i]))
            return set_ref(out, i, 0, 0xff);
        if (i < 4 && name_eq(name, len, gpr8h[i]))
            return set_ref(out, i, 8, 0xff);
    }
    if (is64 && len >= 3 && tolower((unsigned char)name[0]) == 'r' && isdigit((unsigned char)name[1])) {
        /* r8d / r8w / r8b sub-registers */
        char buf[8];
        if (len < sizeof buf) {
            memcpy(buf, name, len);
            buf[len] = 0;
            char last = (char)tolower((unsigned char)buf[len - 1]);
            uint64_t mask = last == 'd' ? 0xffffffffull : last == 'w' ? 0xffff : last == 'b' ? 0xff : 0;
            if (mask) {
                buf[len - 1] = 0;
                for (int i = KDX_X64_R8; i <= KDX_X64_R15; i++)
                    if (kdx_strcasecmp(buf, x64_names[i]) == 0)
                        return set_ref(out, i, 0, mask);
            }
        }
    }
    if (name_eq(name, len, "ip") || name_eq(name, len, is64 ? "eip" : "ip"))
        return set_ref(out, is64 ? KDX_X64_RIP : KDX_X86_EIP, 0, is64 ? 0xffffffffull : 0xffff);
    if (name_eq(name, len, "eflags") || name_eq(name, len, "rflags") || name_eq(name, len, "fl"))
        return set_ref(out, is64 ? KDX_X64_EFL : KDX_X86_EFL, 0, 0xffffffffull);
    return false;
}

bool kdx_reg_lookup(kdx_arch a, const char *name, size_t len, kdx_reg_ref *out)
{
    int n = kdx_reg_count(a);
    for (int i = 0; i < n; i++)
        if (name_eq(name, len, kdx_reg_name(a, i)))
            return set_ref(out, i, 0, kdx_reg_width(a, i) == 8 ? ~0ull : (1ull << (8 * kdx_reg_width(a, i))) - 1);
    if (a == KDX_ARCH_X64 || a == KDX_ARCH_X86)
        return lookup_x86_family(name, len, a == KDX_ARCH_X64, out);
    if (a == KDX_ARCH_ARM64) {
        if (name_eq(name, len, "x29"))
            return set_ref(out, KDX_ARM64_FP, 0, ~0ull);
        if (name_eq(name, len, "x30"))
            return set_ref(out, KDX_ARM64_LR, 0, ~0ull);
        if (len >= 2 && len <= 3 && tolower((unsigned char)name[0]) == 'w') {
            int idx = 0;
            for (size_t i = 1; i < len; i++) {
                if (!isdigit((unsigned char)name[i]))
                    return false;
                idx = idx * 10 + (name[i] - '0');
            }
            if (idx <= 30)
                return set_ref(out, idx, 0, 0xffffffffull);
        }
    }
    return false;
}

/* ---- Windows CONTEXT layouts ---- */

/* x64: integer registers Rax..R15 are contiguous at 0x78 in CONTEXT order. */
#define X64_OFF_MXCSR 0x34
#define X64_OFF_SEGCS 0x38
#define X64_OFF_EFLAGS 0x44
#define X64_OFF_DR0 0x48
#define X64_OFF_RAX 0x78
#define X64_OFF_RIP 0xf8
#define X64_OFF_XMM0 0x1a0

static void parse_x64(const uint8_t *b, kdx_context *c)
{
    for (int i = 0; i < 16; i++)
        kdx_ctx_set(c, KDX_X64_RAX + i, kdx_le64(b + X64_OFF_RAX + 8 * i));
    kdx_ctx_set(c, KDX_X64_RIP, kdx_le64(b + X64_OFF_RIP));
    kdx_ctx_set(c, KDX_X64_EFL, kdx_le32(b + X64_OFF_EFLAGS));
    kdx_ctx_set(c, KDX_X64_MXCSR, kdx_le32(b + X64_OFF_MXCSR));
    /* SegCs, SegDs, SegEs, SegFs, SegGs, SegSs are consecutive WORDs. */
    static const int seg_order[6] = {KDX_X64_CS, KDX_X64_DS, KDX_X64_ES, KDX_X64_FS, KDX_X64_GS, KDX_X64_SS};
    for (int i = 0; i < 6; i++)
        kdx_ctx_set(c, seg_order[i], kdx_le16(b + X64_OFF_SEGCS + 2 * i));
    static const int dr_order[6] = {KDX_X64_DR0, KDX_X64_DR1, KDX_X64_DR2, KDX_X64_DR3, KDX_X64_DR6, KDX_X64_DR7};
    for (int i = 0; i < 6; i++)
        kdx_ctx_set(c, dr_order[i], kdx_le64(b + X64_OFF_DR0 + 8 * i));
    for (int i = 0; i < 16; i++)
        memcpy(c->xmm[i], b + X64_OFF_XMM0 + 16 * i, 16);
    c->has_vector = true;
}

static void write_x64(const kdx_context *c, uint8_t *b)
{
    kdx_put_le32(b + 0x30, 0x10001f); /* CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG */
    for (int i = 0; i < 16; i++)
        kdx_put_le64(b + X64_OFF_RAX + 8 * i, c->r[KDX_X64_RAX + i]);
    kdx_put_le64(b + X64_OFF_RIP, c->r[KDX_X64_RIP]);
    kdx_put_le32(b + X64_OFF_EFLAGS, (uint32_t)c->r[KDX_X64_EFL]);
    kdx_put_le32(b + X64_OFF_MXCSR, (uint32_t)c->r[KDX_X64_MXCSR]);
    static const int seg_order[6] = {KDX_X64_CS, KDX_X64_DS, KDX_X64_ES, KDX_X64_FS, KDX_X64_GS, KDX_X64_SS};
    for (int i = 0; i < 6; i++)
        kdx_put_le16(b + X64_OFF_SEGCS + 2 * i, (uint16_t)c->r[seg_order[i]]);
}

/* x86: offsets of the CONTEXT fields, in our register order. */
static const uint16_t x86_offsets[KDX_X86_NREGS] = {
    [KDX_X86_EAX] = 0xb0, [KDX_X86_ECX] = 0xac, [KDX_X86_EDX] = 0xa8, [KDX_X86_EBX] = 0xa4,
    [KDX_X86_ESP] = 0xc4, [KDX_X86_EBP] = 0xb4, [KDX_X86_ESI] = 0xa0, [KDX_X86_EDI] = 0x9c,
    [KDX_X86_EIP] = 0xb8, [KDX_X86_EFL] = 0xc0, [KDX_X86_CS] = 0xbc, [KDX_X86_DS] = 0x98,
    [KDX_X86_ES] = 0x94, [KDX_X86_FS] = 0x90, [KDX_X86_GS] = 0x8c, [KDX_X86_SS] = 0xc8,
    [KDX_X86_DR0] = 0x04, [KDX_X86_DR1] = 0x08, [KDX_X86_DR2] = 0x0c, [KDX_X86_DR3] = 0x10,
    [KDX_X86_DR6] = 0x14, [KDX_X86_DR7] = 0x18};

static void parse_x86(const uint8_t *b, kdx_context *c)
{
    for (int i = 0; i < KDX_X86_NREGS; i++) {
        uint32_t v = kdx_le32(b + x86_offsets[i]);
        if (i >= KDX_X86_CS && i <= KDX_X86_SS)
            v &= 0xffff;
        kdx_ctx_set(c, i, v);
    }
}

static void write_x86(const kdx_context *c, uint8_t *b)
{
    kdx_put_le32(b, 0x1001f); /* CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG */
    for (int i = 0; i < KDX_X86_NREGS; i++)
        kdx_put_le32(b + x86_offsets[i], (uint32_t)c->r[i]);
}

/* ARM64: Cpsr at 4, X0..X28 at 8, Fp 0xf0, Lr 0xf8, Sp 0x100, Pc 0x108, V[32] 0x110. */
static void parse_arm64(const uint8_t *b, kdx_context *c)
{
    kdx_ctx_set(c, KDX_ARM64_CPSR, kdx_le32(b + 4));
    for (int i = 0; i <= 30; i++)
        kdx_ctx_set(c, i, kdx_le64(b + 8 + 8 * i));
    kdx_ctx_set(c, KDX_ARM64_SP, kdx_le64(b + 0x100));
    kdx_ctx_set(c, KDX_ARM64_PC, kdx_le64(b + 0x108));
    kdx_ctx_set(c, KDX_ARM64_FPCR, kdx_le32(b + 0x310));
    kdx_ctx_set(c, KDX_ARM64_FPSR, kdx_le32(b + 0x314));
    for (int i = 0; i < 32; i++)
        memcpy(c->xmm[i], b + 0x110 + 16 * i, 16);
    c->has_vector = true;
}

static void write_arm64(const kdx_context *c, uint8_t *b)
{
    kdx_put_le32(b, 0x400007); /* CONTEXT_ARM64 | CONTROL | INTEGER | FLOATING_POINT */
    kdx_put_le32(b + 4, (uint32_t)c->r[KDX_ARM64_CPSR]);
    for (int i = 0; i <= 30; i++)
        kdx_put_le64(b + 8 + 8 * i, c->r[i]);
    kdx_put_le64(b + 0x100, c->r[KDX_ARM64_SP]);
    kdx_put_le64(b + 0x108, c->r[KDX_ARM64_PC]);
}

static size_t context_size(kdx_arch a)
{
    switch (a) {
    case KDX_ARCH_X64: return KDX_CONTEXT_X64_SIZE;
    case KDX_ARCH_X86: return KDX_CONTEXT_X86_SIZE_NO_EXT;
    case KDX_ARCH_ARM64: return KDX_CONTEXT_ARM64_SIZE;
    default: return 0;
    }
}

kdx_status kdx_context_parse(kdx_arch a, const void *buf, size_t len, kdx_context *out,
                             kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->arch = a;
    size_t need = context_size(a);
    if (!need)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "CONTEXT: unknown architecture");
    /* x64 and ARM64 parsers only touch the part before the vector/debug tail. */
    size_t min = a == KDX_ARCH_X64 ? 0x2a0 : a == KDX_ARCH_ARM64 ? 0x318 : need;
    if (len < min)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s CONTEXT record needs 0x%zx bytes, has 0x%zx",
                           kdx_arch_name(a), min, len);
    if (a == KDX_ARCH_X64)
        parse_x64(buf, out);
    else if (a == KDX_ARCH_X86)
        parse_x86(buf, out);
    else
        parse_arm64(buf, out);
    return KDX_OK;
}

size_t kdx_context_write(const kdx_context *c, void *buf, size_t len)
{
    size_t need = c->arch == KDX_ARCH_X86 ? KDX_CONTEXT_X86_SIZE : context_size(c->arch);
    if (!need || len < need)
        return 0;
    memset(buf, 0, need);
    if (c->arch == KDX_ARCH_X64)
        write_x64(c, buf);
    else if (c->arch == KDX_ARCH_X86)
        write_x86(c, buf);
    else
        write_arm64(c, buf);
    return need;
}
