/* The stack scanner's call decoder (unwind/callsite.h): the call forms it
 * knows, and agreement with capstone on bytes made to look like calls
 * (prefix mixes, every ModRM/SIB form, far calls) that compiled code seldom
 * holds; tests/realdata/test_callsite_real.c compares on real images. */
#include <stdio.h>
#include <string.h>

#include "disasm/disasm.h"
#include "tests/test.h"
#include "unwind/callsite.h"

static bool is_call(kdx_arch arch, const char *hex)
{
    uint8_t b[16];
    size_t n = 0;
    for (const char *p = hex; p[0] && p[1] && n < sizeof b; p += 2) {
        while (*p == ' ')
            p++;
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            break;
        b[n++] = (uint8_t)v;
    }
    return kdx_callsite_is_call(arch, b, n);
}

TEST(callsite_known_forms)
{
    CHECK(is_call(KDX_ARCH_X64, "e8 10 20 30 40"));            /* call rel32 */
    CHECK(!is_call(KDX_ARCH_X64, "e8 10 20 30"));              /* one byte short */
    CHECK(is_call(KDX_ARCH_X64, "ff 15 00 10 00 00"));         /* call [rip+1000h] */
    CHECK(is_call(KDX_ARCH_X64, "48 ff 15 00 10 00 00"));      /* REX.W call [rip+...] */
    CHECK(is_call(KDX_ARCH_X64, "ff d0"));                     /* call rax */
    CHECK(is_call(KDX_ARCH_X64, "41 ff d3"));                  /* call r11 */
    CHECK(is_call(KDX_ARCH_X64, "ff 54 24 08"));               /* call [rsp+8] (SIB, disp8) */
    CHECK(is_call(KDX_ARCH_X64, "ff 14 25 00 10 00 00"));      /* call [1000h] (SIB, no base) */
    CHECK(is_call(KDX_ARCH_X64, "ff 94 c8 00 01 00 00"));      /* call [rax+rcx*8+100h] */
    CHECK(is_call(KDX_ARCH_X64, "ff 1d 00 10 00 00"));         /* call far [rip+...] */
    CHECK(!is_call(KDX_ARCH_X64, "ff d8"));                    /* FF /3 needs memory */
    CHECK(!is_call(KDX_ARCH_X64, "ff e0"));                    /* jmp rax */
    CHECK(!is_call(KDX_ARCH_X64, "f0 e8 10 20 30 40"));        /* a locked call does not exist */
    CHECK(!is_call(KDX_ARCH_X64, "9a 00 10 00 00 08 00"));     /* no far absolute call in 64-bit code */
    CHECK(is_call(KDX_ARCH_X86, "9a 00 10 00 00 08 00"));      /* call 0008:00001000 */
    CHECK(is_call(KDX_ARCH_X86, "66 9a 00 10 08 00"));         /* call 0008:1000 */
    CHECK(is_call(KDX_ARCH_X86, "66 e8 10 20"));               /* call rel16 */
    CHECK(is_call(KDX_ARCH_X86, "67 ff 16 00 10"));            /* call [1000h], 16-bit addressing */
    CHECK(is_call(KDX_ARCH_X86, "ff 15 00 10 40 00"));         /* call [401000h] */
    CHECK(is_call(KDX_ARCH_ARM64, "00 00 00 94"));             /* bl */
    CHECK(is_call(KDX_ARCH_ARM64, "00 02 3f d6"));             /* blr x16 */
    CHECK(!is_call(KDX_ARCH_ARM64, "00 02 1f d6"));            /* br x16 */
    CHECK(!is_call(KDX_ARCH_UNKNOWN, "e8 10 20 30 40"));
}

/* xorshift64: a fixed sequence, so a failure repeats. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Up to three prefixes (REX among them), then mostly a call opcode. */
static void call_like(uint64_t *seed, uint8_t *b, size_t n)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x26, 0x64, 0x65, 0xf0,
                                       0x40, 0x41, 0x48, 0x4c, 0x4f};
    static const uint8_t opcodes[] = {0xe8, 0xff, 0xff, 0xff, 0x9a, 0xe9, 0xfe};
    size_t i = 0, np = next(seed) % 4;
    while (i < np)
        b[i++] = prefixes[next(seed) % sizeof prefixes];
    b[i++] = opcodes[next(seed) % sizeof opcodes];
    while (i < n)
        b[i++] = (uint8_t)next(seed);
}

TEST(callsite_agrees_with_capstone_on_call_like_bytes)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t calls = 0, mismatches = 0;
    const kdx_arch arches[] = {KDX_ARCH_X64, KDX_ARCH_X86};
    for (int n = 0; n < 20000; n++) {
        uint8_t b[9];
        call_like(&seed, b, sizeof b);
        for (size_t a = 0; a < 2; a++) {
            for (size_t k = 2; k <= sizeof b; k++) {
                kdx_insn in;
                bool cs = kdx_disasm_one(arches[a], 0x10000, b, k, &in) == KDX_OK && in.len == k &&
                          in.flow == KDX_FLOW_CALL;
                bool ours = kdx_callsite_is_call(arches[a], b, k);
                calls += cs;
                if (cs != ours && mismatches++ < 8)
                    kdx_test_fail(t, __FILE__, __LINE__,
                                  "%s, %zu bytes %02x %02x %02x %02x %02x %02x %02x %02x %02x: capstone %d, callsite %d",
                                  a ? "x86" : "x64", k, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], cs,
                                  ours);
            }
        }
    }
    CHECK(calls > 1000);
    CHECK_EQ(mismatches, 0);
}

/* ARM64: words near BL and BLR and the branches beside them. */
TEST(callsite_agrees_with_capstone_on_arm64_branches)
{
    uint64_t seed = 0x2545f4914f6cdd1dull;
    static const uint32_t bases[] = {0x94000000u, 0x97ffffffu, 0xd63f0000u, 0xd61f0000u, 0xd65f0000u, 0x14000000u};
    size_t calls = 0, mismatches = 0;
    for (int n = 0; n < 20000; n++) {
        uint32_t w = bases[next(&seed) % 6] ^ (uint32_t)(next(&seed) & ((1u << (n % 27)) - 1));
        uint8_t b[4] = {(uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24)};
        kdx_insn in;
        bool cs = kdx_disasm_one(KDX_ARCH_ARM64, 0x10000, b, 4, &in) == KDX_OK && in.flow == KDX_FLOW_CALL;
        bool ours = kdx_callsite_is_call(KDX_ARCH_ARM64, b, 4);
        calls += cs;
        if (cs != ours && mismatches++ < 8)
            kdx_test_fail(t, __FILE__, __LINE__, "word %08x: capstone %d, callsite %d", w, cs, ours);
    }
    CHECK(calls > 1000);
    CHECK_EQ(mismatches, 0);
}
