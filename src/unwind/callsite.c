/* Call encodings (Intel SDM vol. 2A, "CALL—Call Procedure"; Arm ARM, "BL",
 * "BLR"), decoded only as far as their length: that is all the stack
 * scanner needs to know whether a call ends exactly at a return address. */
#include "unwind/callsite.h"

#include <stdint.h>

static bool legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0xf0: case 0xf2: case 0xf3:                         /* lock, repne/bnd, rep */
    case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65: /* segments */
    case 0x66: case 0x67:                                    /* operand, address size */
        return true;
    default:
        return false;
    }
}

/* Bytes taken by a ModRM byte and what follows it (SIB, displacement);
 * 0 when they do not fit in avail. */
static size_t modrm_size(const uint8_t *p, size_t avail, bool addr16)
{
    if (avail < 1)
        return 0;
    unsigned mod = p[0] >> 6, rm = p[0] & 7;
    size_t n = 1;
    if (mod == 3)
        return n;
    if (addr16) {
        /* 16-bit forms: [bx+si] ... no SIB; mod 00 rm 110 is disp16 alone. */
        n += mod == 1 ? 1 : mod == 2 || rm == 6 ? 2 : 0;
        return n <= avail ? n : 0;
    }
    if (rm == 4) {
        if (avail < 2)
            return 0;
        n++;
        if (mod == 0 && (p[1] & 7) == 5)
            n += 4; /* SIB with no base: disp32 */
    } else if (mod == 0 && rm == 5) {
        n += 4;     /* disp32 (RIP-relative in 64-bit code) */
    }
    n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    return n <= avail ? n : 0;
}

/* The prefixes before an opcode, as capstone 4 weighs them (its answers on
 * stacks of prefixes that no compiler emits were read off by comparison,
 * tests/unit/test_callsite.c, and are followed so that scanning finds the
 * same calls it found with the disassembler). */
typedef struct prefixes {
    size_t len;        /* bytes before the opcode */
    bool lock;         /* the last of F0/F2/F3 is F0 */
    bool opsize;       /* 66 present (32-bit code: 9A's ptr16:16) */
    bool addrsize;     /* 67 present */
    bool rel16;        /* E8 takes a 16-bit displacement */
    uint8_t rex;       /* the REX right before the opcode (64-bit code), else 0 */
} prefixes;

static prefixes read_prefixes(bool x64, const uint8_t *p, size_t len)
{
    prefixes r = {0};
    uint8_t last = 0;    /* the last legacy prefix */
    size_t nrex = 0;     /* REX bytes after it */
    bool any66 = false;
    for (; r.len < len; r.len++) {
        uint8_t b = p[r.len];
        if (legacy_prefix(b)) {
            if (b == 0xf0 || b == 0xf2 || b == 0xf3)
                r.lock = b == 0xf0;
            any66 |= b == 0x66;
            r.addrsize |= b == 0x67;
            last = b, r.rex = 0, nrex = 0;
        } else if (x64 && (b & 0xf0) == 0x40) {
            r.rex = b, nrex++;
        } else {
            break;
        }
    }
    bool rexw = (r.rex & 8) != 0;
    if (x64) {
        /* The last prefix decides, when at most one REX follows it: 66
         * (AMD's reading of 66 E8) unless REX.W, and 67 with REX.W. */
        r.rel16 = nrex <= 1 && ((last == 0x66 && !rexw) || (last == 0x67 && rexw));
    } else {
        /* F2/F3 right before E8 make 66 a mandatory prefix of no call form;
         * 9A keeps its 16-bit form under 66 whatever follows. */
        r.opsize = any66;
        r.rel16 = any66 && last != 0xf2 && last != 0xf3;
    }
    return r;
}

static bool x86_is_call(bool x64, const uint8_t *p, size_t len)
{
    prefixes pf = read_prefixes(x64, p, len);
    /* A call cannot be locked: the processor raises #UD, capstone decodes none. */
    if (pf.len >= len || pf.lock)
        return false;
    size_t i = pf.len;
    bool opsize = pf.opsize, addrsize = pf.addrsize;
    uint8_t op = p[i++];
    size_t rest = len - i;
    switch (op) {
    case 0xe8: /* call rel32, or rel16 */
        return rest == (pf.rel16 ? 2u : 4u);
    case 0x9a: /* call ptr16:32 / ptr16:16, not encodable in 64-bit code */
        return !x64 && rest == (opsize ? 4u : 6u);
    case 0xff: {
        if (rest < 1)
            return false;
        unsigned reg = (p[i] >> 3) & 7, mod = p[i] >> 6;
        if (reg != 2 && !(reg == 3 && mod != 3)) /* FF /3 (far) takes memory only */
            return false;
        size_t n = modrm_size(p + i, rest, !x64 && addrsize);
        return n && n == rest;
    }
    default:
        return false;
    }
}

static bool arm64_is_call(const uint8_t *p, size_t len)
{
    if (len != 4)
        return false;
    uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (w & 0xfc000000u) == 0x94000000u   /* BL imm26 */
        || (w & 0xfffffc1fu) == 0xd63f0000u;  /* BLR Xn */
}

bool kdx_callsite_is_call(kdx_arch arch, const uint8_t *insn, size_t len)
{
    switch (arch) {
    case KDX_ARCH_X64: return x86_is_call(true, insn, len);
    case KDX_ARCH_X86: return x86_is_call(false, insn, len);
    case KDX_ARCH_ARM64: return arm64_is_call(insn, len);
    default: return false;
    }
}
