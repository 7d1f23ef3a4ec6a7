/* Unit tests for address translation (src/mm): every paging mode, large
 * pages, missing tables, software PTEs, flag letters and self-map addresses.
 * Expected values come from ../shared/reference/README.md and WinDbg
 * transcripts of real systems. */
#include <stdlib.h>

#include "mm/translate.h"
#include "target/memory.h"
#include "tests/test.h"
#include "tests/unit/mm_fixture.h"

TEST(mm_pae_article_large_page)
{
    kdx_target *tg = mmfix_article_pae();
    kdx_xlat x;
    kdx_err err;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x8054099e, &x, &err));
    CHECK_EQ(x.pa, 0x54099e);
    CHECK(x.large);
    CHECK_EQ(x.page_size, 0x200000);
    CHECK_EQ(x.nlevels, 2);
    CHECK_EQ(x.level[0].entry_pa, 0x23406f0); /* PDPTE index 2 */
    CHECK_EQ(x.level[0].value, 0x6c46801);
    CHECK_EQ(x.level[1].entry_pa, 0x6c46010); /* PDE index 2 */
    CHECK_EQ(x.level[1].value, 0x4009e3);
    uint8_t b[4];
    CHECK_OK(kdx_read_virt(tg, 0x8054099e, b, 4, NULL, &err));
    CHECK(b[0] == 0x33 && b[1] == 0xdb && b[3] == 0x75);
    kdx_target_close(tg);
}

TEST(mm_pae_article_4k_and_software_pte)
{
    kdx_target *tg = mmfix_article_pae();
    kdx_xlat x;
    kdx_err err;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0xf9a10054, &x, &err));
    CHECK_EQ(x.pa, 0x2010054);
    CHECK_EQ(x.page_size, 0x1000);
    CHECK(!x.large);
    CHECK_EQ(kdx_mm_translate(tg, tg->dtb, 0xb8ae900c, &x, &err), KDX_E_MEM_INVALID);
    CHECK_EQ(x.fail_level, 2);
    CHECK_EQ(x.level[2].value, 0x000b8af500000000ull);
    CHECK_CONTAINS(err.msg, "paged out (page file 0, offset b8af5)");
    kdx_soft_pte sp = kdx_mm_decode_soft(tg, x.level[2].value);
    CHECK_EQ(sp.kind, KDX_SOFT_PAGEFILE);
    CHECK_EQ(sp.pagefile, 0);
    CHECK_EQ(sp.offset, 0xb8af5);
    CHECK_EQ(sp.protect, 0);
    uint32_t v;
    CHECK_EQ(kdx_read_u32(tg, 0xb8ae900c, &v, &err), KDX_E_MEM_INVALID);
    kdx_target_close(tg);
}

TEST(mm_pae_self_map_addresses)
{
    kdx_paging p = KDX_PAGING_X86_PAE;
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0xf9a10054, 1), 0xc0603e68);
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0xf9a10054, 2), 0xc07cd080);
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0x8054099e, 1), 0xc0602010);
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0x8054099e, 2), 0xc0402a00);
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0xb8ae900c, 1), 0xc0602e28);
    CHECK_EQ(kdx_mm_entry_va(p, 0xc0000000, 0xb8ae900c, 2), 0xc05c5748);
    kdx_target *tg = mmfix_article_pae();
    uint64_t base = 0;
    CHECK_OK(kdx_mm_find_pte_base(tg, tg->dtb, &base, NULL));
    CHECK_EQ(base, 0xc0000000);
    kdx_target_close(tg);
}

TEST(mm_flag_letters)
{
    char f[12];
    kdx_mm_pte_flags(KDX_PAGING_X86_PAE, 3, 1, 0x102d963, f);
    CHECK_STR(f, "-G-DA--KWEV");
    kdx_mm_pte_flags(KDX_PAGING_X86_PAE, 3, 2, 0x2010121, f);
    CHECK_STR(f, "-G--A--KREV");
    kdx_mm_pte_flags(KDX_PAGING_X86_PAE, 3, 1, 0x4009e3, f);
    CHECK_STR(f, "-GLDA--KWEV");
    kdx_mm_pte_flags(KDX_PAGING_X86_PAE, 3, 1, 0xb880863, f);
    CHECK_STR(f, "---DA--KWEV");
    /* x64, from WinDbg transcripts: NX shows '-', bit 9 copy-on-write 'C'. */
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 3, 0xe6500000716fd963ull, f);
    CHECK_STR(f, "-G-DA--KW-V");
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 3, 0x8a0000004a847b63ull, f);
    CHECK_STR(f, "CG-DA--KW-V");
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 2, 0x00000000028009e3ull, f);
    CHECK_STR(f, "-GLDA--KWEV");
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 3, 0x82a0000061330025ull, f);
    CHECK_STR(f, "----A--UR-V");
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 0, 0x4f3000006bd06867ull, f);
    CHECK_STR(f, "---DA--UWEV");
    /* Bit 7 of a last-level PTE is PAT, not a large page. */
    kdx_mm_pte_flags(KDX_PAGING_X64_4, 4, 3, 0x80, f);
    CHECK_STR(f, "-------KRE-");
}

/* A Windows x64 PML4 with the self-map at index 0x1ed (PTE base FFFFF680`00000000). */
TEST(mm_x64_self_map_from_root)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1aa000);
    mmfix_put64(tg, 0x1aa000 + 0x1ed * 8, 0x8000000001aa063ull);
    uint64_t base = 0;
    CHECK_OK(kdx_mm_find_pte_base(tg, tg->dtb, &base, NULL));
    CHECK_EQ(base, 0xfffff68000000000ull);
    uint64_t va = 0xfffff8a001cc2060ull;
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 0), 0xfffff6fb7dbedf88ull);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 1), 0xfffff6fb7dbf1400ull);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 2), 0xfffff6fb7e280070ull);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 3), 0xfffff6fc5000e610ull);
    /* A randomized base (Windows 10): FFFFECF6`00000000... from index 0x1d9. */
    va = 0x1a42ea30240ull;
    base = 0xffffec8000000000ull;
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 0), 0xffffecf67b3d9018ull);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, base, va, 3), 0xffffec80d2175180ull);
    /* No entry points back at the root: a clear error. */
    mmfix_put64(tg, 0x1aa000 + 0x1ed * 8, 0);
    kdx_err err;
    CHECK_EQ(kdx_mm_find_pte_base(tg, tg->dtb, &base, &err), KDX_E_NOT_FOUND);
    mmfix_drop(tg, 0x1aa);
    CHECK_EQ(kdx_mm_find_pte_base(tg, tg->dtb, &base, &err), KDX_E_MEM_MISSING);
    kdx_target_close(tg);
}

TEST(mm_x64_4level_walk_large_pages_and_missing_tables)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    uint64_t next = 0x10000;
    mmfix_map_x64(tg, 0xfffff8047bdf5000ull, 0x200f000, 0x121, &next);
    mmfix_put32(tg, 0x200fa80, 0xdeadbeef);
    kdx_xlat x;
    kdx_err err;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb | 0x2 /* PCID bits ignored */, 0xfffff8047bdf5a80ull, &x,
                              &err));
    CHECK_EQ(x.pa, 0x200fa80);
    CHECK_EQ(x.nlevels, 4);
    CHECK_EQ(x.level[0].entry_pa, 0x1000 + 0x1f0 * 8);
    uint32_t v = 0;
    CHECK_OK(kdx_read_u32(tg, 0xfffff8047bdf5a80ull, &v, &err));
    CHECK_EQ(v, 0xdeadbeef);
    /* 2 MB page: PDE with bit 7 set. */
    mmfix_map_x64(tg, 0xfffff80002810000ull, 0, 1, &next);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0xfffff80002810cb0ull, &x, &err));
    uint64_t pde_pa = x.level[2].entry_pa;
    mmfix_put64(tg, pde_pa, 0x28009e3);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0xfffff80002810cb0ull, &x, &err));
    CHECK(x.large);
    CHECK_EQ(x.nlevels, 3);
    CHECK_EQ(x.pa, 0x2810cb0);
    /* 1 GB page: PDPTE with bit 7 set. */
    uint64_t ppe_pa = x.level[1].entry_pa;
    mmfix_put64(tg, ppe_pa, 0x40000000ull | 0x1e3);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0xfffff80002810cb0ull, &x, &err));
    CHECK_EQ(x.page_size, 0x40000000ull);
    CHECK_EQ(x.pa, 0x42810cb0ull);
    /* The page-table page holding the PTE is not in the dump. */
    uint64_t pt_pfn = next - 0x1000;
    mmfix_map_x64(tg, 0x10000ull, 0x3000, 0x867, &next);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x10010, &x, &err));
    pt_pfn = x.level[3].entry_pa >> 12;
    mmfix_drop(tg, pt_pfn);
    CHECK_EQ(kdx_mm_translate(tg, tg->dtb, 0x10010, &x, &err), KDX_E_MEM_MISSING);
    CHECK_EQ(x.fail_level, 3);
    CHECK(!x.level[3].read);
    CHECK_CONTAINS(err.msg, "not present in the dump");
    CHECK_CONTAINS(err.msg, "PTE page");
    kdx_target_close(tg);
}

TEST(mm_x64_transition_and_missing_data_page)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    uint64_t next = 0x10000;
    /* Transition PTE from a WinDbg transcript: 00000000`166b7880. */
    mmfix_map_x64(tg, 0x1a42ea30000ull, 0x166b7000, 0x880, &next);
    mmfix_put64(tg, 0x166b7240, 0x000001a42ea307e0ull);
    kdx_xlat x;
    kdx_err err;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x1a42ea30240ull, &x, &err));
    CHECK(x.transition);
    CHECK_EQ(x.pa, 0x166b7240);
    uint64_t q = 0;
    CHECK_OK(kdx_read_u64(tg, 0x1a42ea30240ull, &q, &err));
    CHECK_EQ(q, 0x000001a42ea307e0ull);
    /* Valid PTE whose data page is not saved: a read stops at the gap. */
    mmfix_map_x64(tg, 0x1a42ea31000ull, 0x5000000, 0x867, &next);
    uint8_t buf[32];
    size_t done = 99;
    CHECK_EQ(kdx_read_virt(tg, 0x1a42ea30ff0ull, buf, sizeof buf, &done, &err),
             KDX_E_MEM_MISSING);
    CHECK_EQ(done, 16);
    kdx_target_close(tg);
}

TEST(mm_x64_software_ptes)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    tg->sys.build = 19041;
    kdx_soft_pte sp = kdx_mm_decode_soft(tg, 0x001bbeda00002084ull);
    CHECK_EQ(sp.kind, KDX_SOFT_PAGEFILE);
    CHECK_EQ(sp.pagefile, 2);
    CHECK_EQ(sp.offset, 0x1bbeda);
    CHECK_EQ(sp.protect, 4);
    CHECK_STR(kdx_mm_protect_name(sp.protect), "ReadWrite");
    sp = kdx_mm_decode_soft(tg, 0x00000000166b7880ull);
    CHECK_EQ(sp.kind, KDX_SOFT_TRANSITION);
    CHECK_EQ(sp.pfn, 0x166b7);
    sp = kdx_mm_decode_soft(tg, 0x80);
    CHECK_EQ(sp.kind, KDX_SOFT_DEMAND_ZERO);
    CHECK_EQ(sp.protect, 4);
    sp = kdx_mm_decode_soft(tg, 0);
    CHECK_EQ(sp.kind, KDX_SOFT_ZERO);
    sp = kdx_mm_decode_soft(tg, 0xffffc00123450480ull);
    CHECK_EQ(sp.kind, KDX_SOFT_PROTOTYPE);
    CHECK_EQ(sp.proto, 0xffffffffc0012345ull);
    sp = kdx_mm_decode_soft(tg, 0xffffffff00000420ull);
    CHECK(sp.proto_vad);
    /* Windows 7 x64 keeps PageFileLow in bits 1-4. */
    tg->sys.build = 7601;
    sp = kdx_mm_decode_soft(tg, 0x0000123400000082ull);
    CHECK_EQ(sp.kind, KDX_SOFT_PAGEFILE);
    CHECK_EQ(sp.pagefile, 1);
    CHECK_EQ(sp.offset, 0x1234);
    kdx_target_close(tg);
}

TEST(mm_x64_5level)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_5, 0x1000);
    uint64_t va = 0xff12345678abc123ull;
    uint64_t tables[5] = {0x1000, 0x2000, 0x3000, 0x4000, 0x5000};
    unsigned shifts[5] = {48, 39, 30, 21, 12};
    for (int i = 0; i < 5; i++) {
        uint64_t target = i < 4 ? tables[i + 1] : 0x77000;
        mmfix_put64(tg, tables[i] + ((va >> shifts[i]) & 511) * 8, target | 0x63);
    }
    mmfix_put32(tg, 0x77123, 0x5a5a5a5a);
    kdx_xlat x;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, va, &x, NULL));
    CHECK_EQ(x.nlevels, 5);
    CHECK_EQ(x.pa, 0x77123);
    CHECK_EQ(kdx_mm_levels(tg->paging), 5);
    /* The self-map index in the PML5 gives a base in the top 9 bits. */
    mmfix_put64(tg, 0x1000 + 0x1ff * 8, 0x1063);
    uint64_t base = 0;
    CHECK_OK(kdx_mm_find_pte_base(tg, tg->dtb, &base, NULL));
    CHECK_EQ(base, 0xffff000000000000ull);
    kdx_target_close(tg);
}

TEST(mm_x86_nonpae_4m_and_4k)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X86, KDX_PAGING_X86, 0x39000);
    mmfix_put32(tg, 0x39000 + (0x80400000u >> 22) * 4, 0x004001e3); /* 4 MB at 400000 */
    mmfix_put32(tg, 0x39000 + (0x801544f4u >> 22) * 4, 0x0003b163);
    mmfix_put32(tg, 0x3b000 + ((0x801544f4u >> 12) & 1023) * 4, 0x00154121);
    kdx_xlat x;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x80512345, &x, NULL));
    CHECK_EQ(x.page_size, 0x400000);
    CHECK_EQ(x.pa, 0x512345);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x801544f4, &x, NULL));
    CHECK_EQ(x.pa, 0x1544f4);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, 0xc0000000, 0x801544f4, 0), 0xc0300800);
    CHECK_EQ(kdx_mm_entry_va(tg->paging, 0xc0000000, 0x801544f4, 1), 0xc0200550);
    char f[12];
    kdx_mm_pte_flags(tg->paging, 2, 1, 0x00154121, f);
    CHECK_STR(f, "-G--A--KREV");
    /* Non-PAE page-file PTE: offset in bits 12-31. */
    kdx_soft_pte sp = kdx_mm_decode_soft(tg, 0x00abc084);
    CHECK_EQ(sp.kind, KDX_SOFT_PAGEFILE);
    CHECK_EQ(sp.pagefile, 2);
    CHECK_EQ(sp.offset, 0xabc);
    kdx_target_close(tg);
}

TEST(mm_arm64_tables_and_blocks)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_ARM64, KDX_PAGING_ARM64, 0x40000);
    uint64_t va = 0xfffff80012345678ull;
    mmfix_put64(tg, 0x40000 + ((va >> 39) & 511) * 8, 0x41000 | 3);
    mmfix_put64(tg, 0x41000 + ((va >> 30) & 511) * 8, 0x42000 | 3);
    mmfix_put64(tg, 0x42000 + ((va >> 21) & 511) * 8, 0x43000 | 3);
    mmfix_put64(tg, 0x43000 + ((va >> 12) & 511) * 8, 0x90000 | 0x403);
    kdx_xlat x;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, va, &x, NULL));
    CHECK_EQ(x.pa, 0x90678);
    /* A level-2 block descriptor (0b01) maps 2 MB. */
    mmfix_put64(tg, 0x42000 + ((va >> 21) & 511) * 8, 0x80200000ull | 0x401);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, va, &x, NULL));
    CHECK(x.large);
    CHECK_EQ(x.pa, 0x80200000ull | (va & 0x1fffff));
    /* 0b01 at the last level is reserved: not valid. */
    mmfix_put64(tg, 0x42000 + ((va >> 21) & 511) * 8, 0x43000 | 3);
    mmfix_put64(tg, 0x43000 + ((va >> 12) & 511) * 8, 0x90000 | 0x401);
    CHECK_EQ(kdx_mm_translate(tg, tg->dtb, va, &x, NULL), KDX_E_MEM_INVALID);
    kdx_target_close(tg);
}

TEST(mm_no_paging_is_unsupported)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_NONE, 0);
    kdx_xlat x;
    kdx_err err;
    CHECK_EQ(kdx_mm_translate(tg, 0, 0x1000, &x, &err), KDX_E_UNSUPPORTED);
    CHECK_CONTAINS(err.msg, "no page tables");
    kdx_target_close(tg);
}

TEST(mm_transition_page_table)
{
    /* A PDE in transition (page table on the standby list, protection 4 puts
     * bit 7 set) still leads to its page table, not to a 2 MB page. */
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    uint64_t next = 0x10000;
    mmfix_map_x64(tg, 0x7ff600001000ull, 0x9000, 0x867, &next);
    kdx_xlat x;
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x7ff600001234ull, &x, NULL));
    uint64_t pde_pa = x.level[2].entry_pa, pt = x.level[2].value & ~0xfffull;
    mmfix_put64(tg, pde_pa, pt | 0x880);
    CHECK_OK(kdx_mm_translate(tg, tg->dtb, 0x7ff600001234ull, &x, NULL));
    CHECK(!x.large);
    CHECK_EQ(x.pa, 0x9234);
    kdx_target_close(tg);
}
