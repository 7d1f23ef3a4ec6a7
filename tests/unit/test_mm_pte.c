/* !pte and !vtop: the reference article's PAE transcripts (exact lines from
 * ../shared/reference/README.md) and x64 layouts from WinDbg transcripts. */
#include <stdlib.h>

#include "tests/test.h"
#include "tests/unit/mm_fixture.h"

TEST(pte_pae_article_4k)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!pte f9a10054");
    CHECK_STR(out, "               VA f9a10054\n"
                   "PDE at 00000000C0603E68    PTE at 00000000C07CD080\n"
                   "contains 000000000102D963  contains 0000000002010121\n"
                   "pfn 102d       -G-DA--KWEV    pfn 2010       -G--A--KREV\n");
    free(out);
}

TEST(pte_pae_article_large_page)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!pte 8054099e");
    CHECK_STR(out, "               VA 8054099e\n"
                   "PDE at 00000000C0602010    PTE at 00000000C0402A00\n"
                   "contains 00000000004009E3  contains 0000000000000000\n"
                   "pfn 400        -GLDA--KWEV    LARGE PAGE pfn 540\n");
    free(out);
}

TEST(pte_pae_article_pagefile)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!pte b8ae900c");
    CHECK_STR(out, "               VA b8ae900c\n"
                   "PDE at 00000000C0602E28    PTE at 00000000C05C5748\n"
                   "contains 000000000B880863  contains 000B8AF500000000\n"
                   "pfn b880       ---DA--KWEV    not valid\n"
                   "                       PageFile:  0\n"
                   "                       Offset: b8af5\n"
                   "                       Protect: 0\n");
    free(out);
}

TEST(pte_pae_given_a_pte_address)
{
    /* The PTE's own address names the VA it maps. */
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!pte C07CD080");
    CHECK_CONTAINS(out, "VA f9a10000\nPDE at 00000000C0603E68");
    free(out);
}

/* x64 with the self-map at PML4 index 0x1ed (PTE base FFFFF680`00000000). */
static kdx_target *x64_selfmap(void)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    mmfix_put64(tg, 0x1000 + 0x1ed * 8, 0x1063);
    uint64_t next = 0x10000;
    mmfix_map_x64(tg, 0xfffff8a001cc2060ull, 0x716fd000, 0xe650000000000963ull, &next);
    mmfix_map_x64(tg, 0x1a42ea30240ull, 0x166b7000, 0x880, &next);
    mmfix_map_x64(tg, 0x227d1a60000ull, 0x001bbeda00000000ull, 0x2084, &next);
    return tg;
}

TEST(pte_x64_layout)
{
    char *out = mmfix_run(x64_selfmap(), NULL, "!pte fffff8a0`01cc2060");
    CHECK_STR(out,
              "                                           VA fffff8a001cc2060\n"
              "PXE at FFFFF6FB7DBEDF88    PPE at FFFFF6FB7DBF1400    PDE at FFFFF6FB7E280070    "
              "PTE at FFFFF6FC5000E610\n"
              "contains 0000000000010063  contains 0000000000011063  contains 0000000000012063  "
              "contains E6500000716FD963\n"
              "pfn 10        ---DA--KWEV  pfn 11        ---DA--KWEV  pfn 12        ---DA--KWEV  "
              "pfn 716fd     -G-DA--KW-V\n");
    free(out);
}

TEST(pte_x64_software_ptes)
{
    char *out = mmfix_run(x64_selfmap(), NULL, "!pte 1a4`2ea30240");
    CHECK_CONTAINS(out, "contains 00000000166B7880\n");
    CHECK_CONTAINS(out, "---DA--KWEV  not valid\n"
                        "                                                                                  "
                        "Transition: 166b7\n");
    CHECK_CONTAINS(out, "Protect: 4 - ReadWrite\n");
    free(out);
    out = mmfix_run(x64_selfmap(), NULL, "!pte 227`d1a60000");
    CHECK_CONTAINS(out, "PageFile:  2\n");
    CHECK_CONTAINS(out, "Offset: 1bbeda\n");
    free(out);
    /* Nothing mapped: the walk stops at the empty PXE. */
    out = mmfix_run(x64_selfmap(), NULL, "!pte 0");
    CHECK_CONTAINS(out, "VA 0000000000000000\nPXE at FFFFF6FB7DBED000");
    CHECK_CONTAINS(out, "contains 0000000000000000\nnot valid\n");
    free(out);
}

TEST(pte_missing_table_and_no_paging)
{
    kdx_target *tg = x64_selfmap();
    mmfix_drop(tg, 0x12); /* the PT page of fffff8a0`01cc2060 */
    char *out = mmfix_run(tg, NULL, "!pte fffff8a0`01cc2060");
    CHECK_CONTAINS(out, "PTE page at physical 12000 is not present in the dump");
    free(out);
    out = mmfix_run(mmfix_new(KDX_ARCH_X64, KDX_PAGING_NONE, 0), NULL, "!pte 0");
    CHECK_CONTAINS(out, "no page tables");
    free(out);
}

TEST(vtop_x64_and_pae)
{
    char *out = mmfix_run(x64_selfmap(), NULL, "!vtop 0 fffff8a0`01cc2060");
    CHECK_STR(out, "Amd64VtoP: Virt fffff8a001cc2060, pagedir 0000000000001000\n"
                   "Amd64VtoP: PML4E 0000000000001f88\n"
                   "Amd64VtoP: PDPE 0000000000010400\n"
                   "Amd64VtoP: PDE 0000000000011070\n"
                   "Amd64VtoP: PTE 0000000000012610\n"
                   "Amd64VtoP: Mapped phys 00000000716fd060\n"
                   "Virtual address fffff8a001cc2060 translates to physical address 716fd060.\n");
    free(out);
    out = mmfix_run(mmfix_article_pae(), NULL, "!vtop 0 8054099e");
    CHECK_STR(out, "X86VtoP: Virt 8054099e, pagedir 023406e0\n"
                   "X86VtoP: PAE PDPE 023406f0 - 0000000006c46801\n"
                   "X86VtoP: PAE PDE 06c46010 - 00000000004009e3\n"
                   "X86VtoP: Large page Mapped phys 0054099e\n"
                   "Virtual address 8054099e translates to physical address 54099e.\n");
    free(out);
    out = mmfix_run(mmfix_article_pae(), NULL, "!vtop 0 b8ae900c");
    CHECK_CONTAINS(out, "translation fails");
    free(out);
}

TEST(pte_x86_nonpae_layout)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X86, KDX_PAGING_X86, 0x39000);
    mmfix_put32(tg, 0x39000 + (0x801544f4u >> 22) * 4, 0x0003b163);
    mmfix_put32(tg, 0x3b000 + ((0x801544f4u >> 12) & 1023) * 4, 0x00154121);
    mmfix_put32(tg, 0x39000 + (0x80400000u >> 22) * 4, 0x004001e3);
    char *out = mmfix_run(tg, NULL, "!pte 801544f4; !pte 80512345");
    CHECK_STR(out, "                    VA 801544f4\n"
                   "PDE at C0300800            PTE at C0200550\n"
                   "contains 0003B163          contains 00154121\n"
                   "pfn 3b        -G-DA--KWEV  pfn 154       -G--A--KREV\n"
                   "                    VA 80512345\n"
                   "PDE at C0300804            PTE at C0201448\n"
                   "contains 004001E3          contains 00000000\n"
                   "pfn 400       -GLDA--KWEV  LARGE PAGE pfn 512\n");
    free(out);
}

TEST(pte_arm64_and_5level)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_ARM64, KDX_PAGING_ARM64, 0x40000);
    uint64_t va = 0xfffff80012345678ull;
    mmfix_put64(tg, 0x40000 + 0x1ed * 8, 0x40000 | 0x403);
    mmfix_put64(tg, 0x40000 + ((va >> 39) & 511) * 8, 0x41000 | 3);
    mmfix_put64(tg, 0x41000 + ((va >> 30) & 511) * 8, 0x42000 | 3);
    mmfix_put64(tg, 0x42000 + ((va >> 21) & 511) * 8, 0x43000 | 3);
    mmfix_put64(tg, 0x43000 + ((va >> 12) & 511) * 8, 0x0040000000090000ull | 0x4c3);
    char *out = mmfix_run(tg, NULL, "!pte fffff800`12345678");
    CHECK_CONTAINS(out, "VA fffff80012345678\nPXE at FFFFF6FB7DBEDF80    PPE at FFFFF6FB7DBF0000");
    CHECK_CONTAINS(out, "contains 00400000000904C3\n");
    /* Tables: no attributes but APTable/XNTable; the page: AF, AP[1] user, AP[2] read-only. */
    CHECK_CONTAINS(out, "pfn 43        -------UWEV  pfn 90        -G--A--UR-V\n");
    free(out);

    tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_5, 0x1000);
    mmfix_put64(tg, 0x1000 + 0x1ff * 8, 0x1063);
    out = mmfix_run(tg, NULL, "!pte 0; !vtop 0 0");
    CHECK_CONTAINS(out, "VA 0000000000000000\nPXE5 at FFFFFFFFFFFFF000   PXE at FFFFFFFFFFE00000");
    CHECK_CONTAINS(out, "contains 0000000000000000\nnot valid\n");
    CHECK_CONTAINS(out, "Amd64VtoP: PML5E 0000000000001000\nAmd64VtoP: zero PML5E");
    free(out);
}

TEST(pte_x64_fixed_self_map_before_1607)
{
    /* No recursive entry in the root: Windows 7 still has its self-map at 0x1ed. */
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    uint64_t next = 0x10000;
    mmfix_map_x64(tg, 0xfffff8a001cc2060ull, 0x716fd000, 0x963, &next);
    tg->sys.build = 7601;
    char *out = mmfix_run(tg, NULL, "!pte fffff8a0`01cc2060");
    CHECK_CONTAINS(out, "PXE at FFFFF6FB7DBEDF88    PPE at FFFFF6FB7DBF1400");
    free(out);
    tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    mmfix_map_x64(tg, 0xfffff8a001cc2060ull, 0x716fd000, 0x963, &next);
    tg->sys.build = 19041;
    out = mmfix_run(tg, NULL, "!pte fffff8a0`01cc2060");
    CHECK_CONTAINS(out, "cannot locate the page-table self-map");
    free(out);
}

TEST(pte_range_form)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!pte f9a10054 f9a11000; !pte c0000000 1");
    REQUIRE(out);
    CHECK_CONTAINS(out, "VA f9a10000\n");
    CHECK_CONTAINS(out, "VA f9a11000\n");
    CHECK(!strstr(out, "VA f9a12000"));
    CHECK_CONTAINS(out, "LiteralAddress 1 is not supported");
    free(out);
    out = mmfix_run(mmfix_article_pae(), NULL, "!db [c] 54099e l4");
    CHECK_STR(out, "#  54099e 33 db 8b 75                                     3..u\n");
    free(out);
}

TEST(vtop_pfn_or_directory_base)
{
    /* PFN of the PAE PDPT page, then the directory base itself (low bits kept). */
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!vtop 2340 f9a10054; !vtop 23406e0 f9a10054");
    REQUIRE(out);
    CHECK_CONTAINS(out, "X86VtoP: Virt f9a10054, pagedir 02340000\n");
    CHECK_CONTAINS(out, "X86VtoP: Virt f9a10054, pagedir 023406e0\n");
    CHECK_CONTAINS(out, "translates to physical address 2010054.\n");
    free(out);
}
