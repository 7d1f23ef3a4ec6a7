/* Unit tests for WinDbg-syntax disassembly, checked against lines from the
 * reference article's transcripts. */
#include "disasm/disasm.h"
#include "tests/test.h"

static void check_line(kdx_test_ctx *t, kdx_arch arch, uint64_t addr, const uint8_t *b, size_t n,
                       const char *want)
{
    kdx_insn in;
    char line[512];
    if (kdx_disasm_one(arch, addr, b, n, &in) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "cannot decode for %s", want);
        return;
    }
    kdx_disasm_format(NULL, arch, &in, line, sizeof line);
    if (strcmp(line, want))
        kdx_test_fail(t, __FILE__, __LINE__, "\n  got:  \"%s\"\n  want: \"%s\"", line, want);
}

TEST(disasm_x64_windbg_syntax)
{
    check_line(t, KDX_ARCH_X64, 0xfffff80001b66810ull, (const uint8_t *)"\x48\x89\x5c\x24\x10", 5,
               "fffff800`01b66810 48895c2410      mov     qword ptr [rsp+10h],rbx");
    check_line(t, KDX_ARCH_X64, 0xfffff80001b6681full, (const uint8_t *)"\x57", 1,
               "fffff800`01b6681f 57              push    rdi");
    check_line(t, KDX_ARCH_X64, 0xfffff80001b66820ull, (const uint8_t *)"\x41\x54", 2,
               "fffff800`01b66820 4154            push    r12");
    check_line(t, KDX_ARCH_X64, 0xfffff80001b66824ull, (const uint8_t *)"\x48\x83\xec\x30", 4,
               "fffff800`01b66824 4883ec30        sub     rsp,30h");
    check_line(t, KDX_ARCH_X64, 0xfffff800014798f6ull, (const uint8_t *)"\xcc", 1,
               "fffff800`014798f6 cc              int     3");
    check_line(t, KDX_ARCH_X64, 0xfffff800014798f7ull, (const uint8_t *)"\xe9\xee\x8e\x08\x00", 5,
               "fffff800`014798f7 e9ee8e0800      jmp     fffff800`015027ea");
    check_line(t, KDX_ARCH_X64, 0xfffff8047bdf5a80ull, (const uint8_t *)"\x48\x89\x4c\x24\x08", 5,
               "fffff804`7bdf5a80 48894c2408      mov     qword ptr [rsp+8],rcx");
    check_line(t, KDX_ARCH_X64, 0x1000, (const uint8_t *)"\xb8\x28\x04\x00\xc0", 5,
               "00000000`00001000 b8280400c0      mov     eax,0C0000428h");
    /* RIP-relative data shows the absolute address. */
    check_line(t, KDX_ARCH_X64, 0x1000, (const uint8_t *)"\x48\x8b\x05\x10\x00\x00\x00", 7,
               "00000000`00001000 488b0510000000  mov     rax,qword ptr [00000000`00001017]");
    check_line(t, KDX_ARCH_X64, 0x1000, (const uint8_t *)"\x48\x8d\x6c\x24\xe0", 5,
               "00000000`00001000 488d6c24e0      lea     rbp,[rsp-20h]");
}

TEST(disasm_x86_windbg_syntax)
{
    check_line(t, KDX_ARCH_X86, 0x75b88e7a, (const uint8_t *)"\xc2\x0c\x00", 3,
               "75b88e7a c20c00          ret     0Ch");
    check_line(t, KDX_ARCH_X86, 0x75b88e0d, (const uint8_t *)"\x8b\xff", 2,
               "75b88e0d 8bff            mov     edi,edi");
    check_line(t, KDX_ARCH_X86, 0x6cba388b, (const uint8_t *)"\x8b\x48\x04", 3,
               "6cba388b 8b4804          mov     ecx,dword ptr [eax+4]");
    check_line(t, KDX_ARCH_X86, 0x72bb883b, (const uint8_t *)"\xf0\x0f\xc1\x88\x90\x02\x00\x00", 8,
               "72bb883b f00fc18890020000 lock xadd dword ptr [eax+290h],ecx");
    check_line(t, KDX_ARCH_X86, 0x75b88e79, (const uint8_t *)"\xc9", 1, "75b88e79 c9              leave");
}

TEST(disasm_flow_classification)
{
    kdx_insn in;
    CHECK_OK(kdx_disasm_one(KDX_ARCH_X64, 0x1000, (const uint8_t *)"\xe8\x00\x01\x00\x00", 5, &in));
    CHECK(in.flow == KDX_FLOW_CALL && in.has_target && in.target == 0x1105);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_X64, 0x1000, (const uint8_t *)"\x74\x10", 2, &in));
    CHECK(in.flow == KDX_FLOW_COND && in.target == 0x1012);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_X64, 0x1000, (const uint8_t *)"\xc3", 1, &in));
    CHECK(in.flow == KDX_FLOW_RET);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x1000, (const uint8_t *)"\xfd\x7b\xbf\xa9", 4, &in));
    char line[256];
    kdx_disasm_format(NULL, KDX_ARCH_ARM64, &in, line, sizeof line);
    CHECK_STR(line, "00000000`00001000 a9bf7bfd stp         fp,lr,[sp,#-0x10]!");
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x1000, (const uint8_t *)"\xc0\x03\x5f\xd6", 4, &in));
    CHECK(in.flow == KDX_FLOW_RET);
    /* bl 0x1000-0x14ac (xcpt4!main's call), b.eq, cbz, b */
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x140002534ull, (const uint8_t *)"\xcb\xfa\xff\x97", 4, &in));
    CHECK(in.flow == KDX_FLOW_CALL && in.has_target && in.target == 0x140001060ull);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x140003d1cull, (const uint8_t *)"\xa0\x00\x00\x54", 4, &in));
    CHECK(in.flow == KDX_FLOW_COND && in.target == 0x140003d30ull);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x140003d50ull, (const uint8_t *)"\x68\x01\x00\x34", 4, &in));
    CHECK(in.flow == KDX_FLOW_COND && in.target == 0x140003d7cull);
    CHECK_OK(kdx_disasm_one(KDX_ARCH_ARM64, 0x140003d2cull, (const uint8_t *)"\x04\x00\x00\x14", 4, &in));
    CHECK(in.flow == KDX_FLOW_JUMP && in.target == 0x140003d3cull);
}

TEST(disasm_x86_absolute_operand)
{
    check_line(t, KDX_ARCH_X86, 0x002a2a3d, (const uint8_t *)"\xc7\x05\x45\x00\x00\x00\x05\x00\x00\x00", 10,
               "002a2a3d c7054500000005000000 mov     dword ptr ds:[00000045h],5");
}
