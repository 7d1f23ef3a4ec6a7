/* The stack scanner's call decoder (unwind/callsite.h) against capstone's
 * decoding on real images: at every offset of every executable section,
 * for every length a call can have, both must agree on "these bytes are
 * exactly one call". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm/disasm.h"
#include "pe/pe.h"
#include "tests/test.h"
#include "unwind/callsite.h"

enum { SCN_EXECUTE = 0x20000000, X86_MAX = 9 };

static bool capstone_says_call(kdx_arch arch, const uint8_t *p, size_t k)
{
    kdx_insn in;
    return kdx_disasm_one(arch, 0x10000, p, k, &in) == KDX_OK && in.len == k && in.flow == KDX_FLOW_CALL;
}

typedef struct agreement {
    size_t compared, calls, mismatches;
} agreement;

static void compare_section(kdx_test_ctx *t, kdx_arch arch, const uint8_t *code, size_t size, agreement *a)
{
    size_t kmin = arch == KDX_ARCH_ARM64 ? 4 : 2, kmax = arch == KDX_ARCH_ARM64 ? 4 : X86_MAX;
    size_t step = arch == KDX_ARCH_ARM64 ? 4 : 1;
    for (size_t end = kmax; end <= size; end += step) {
        for (size_t k = kmin; k <= kmax; k++) {
            const uint8_t *p = code + end - k;
            bool cs = capstone_says_call(arch, p, k), ours = kdx_callsite_is_call(arch, p, k);
            a->compared++;
            a->calls += cs;
            if (cs != ours && a->mismatches++ < 5) {
                char hex[3 * X86_MAX + 1] = "";
                for (size_t i = 0; i < k; i++)
                    snprintf(hex + 3 * i, 4, "%02x ", p[i]);
                kdx_test_fail(t, __FILE__, __LINE__, "bytes %s: capstone says %s, callsite says %s", hex,
                              cs ? "call" : "no call", ours ? "call" : "no call");
            }
        }
    }
}

static void compare_image(kdx_test_ctx *t, const char *path, kdx_arch want_arch)
{
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    if (!pe)
        return;
    const kdx_pe_info *info = kdx_pe_get_info(pe);
    CHECK_EQ(info->arch, want_arch);
    agreement a = {0};
    kdx_pe_section s;
    for (unsigned i = 0; kdx_pe_section_at(pe, i, &s) == KDX_OK; i++) {
        if (!(s.characteristics & SCN_EXECUTE) || !s.vsize)
            continue;
        uint8_t *code = malloc(s.vsize);
        size_t done = 0;
        kdx_pe_read_partial(pe, s.rva, code, s.vsize, &done, NULL);
        compare_section(t, info->arch, code, done, &a);
        free(code);
    }
    kdx_pe_close(pe);
    /* Every image has code and calls in it: a comparison of nothing proves nothing. */
    CHECK(a.compared > 1000);
    CHECK(a.calls > 10);
    CHECK_EQ(a.mismatches, 0);
}

#define IMAGE_TEST(name, rel, arch)      \
    TEST(name)                           \
    {                                    \
        TESTDATA(path, rel);             \
        compare_image(t, path, arch);    \
    }

IMAGE_TEST(callsite_real_wdf01000_x64, "symstore/Wdf01000.sys/a9a9d36ed1000/Wdf01000.sys", KDX_ARCH_X64)
IMAGE_TEST(callsite_real_amdppm_x64, "symstore/amdppm.sys/c9c030003b000/amdppm.sys", KDX_ARCH_X64)
IMAGE_TEST(callsite_real_basic32_x86, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll", KDX_ARCH_X86)
IMAGE_TEST(callsite_real_regtest64_x64, "pdb/dump_syms_regtest64.exe", KDX_ARCH_X64)
IMAGE_TEST(callsite_real_crashwithexception, "pdb/CrashWithException.exe", KDX_ARCH_X64)
IMAGE_TEST(callsite_real_xcpt4_x86, "pdb/seh_x86/xcpt4.exe", KDX_ARCH_X86)
IMAGE_TEST(callsite_real_xcpt4_x64, "pdb/seh_x64/xcpt4.exe", KDX_ARCH_X64)
IMAGE_TEST(callsite_real_xcpt4_arm64, "pdb/seh_ARM64/xcpt4.exe", KDX_ARCH_ARM64)
