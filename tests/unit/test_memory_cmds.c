/* Unit tests for the memory commands (db dw dd dq dc da du dyb dps, !db/!dq,
 * e*, s, .ignore_missing_pages) on hand-built page tables: the reference
 * article's PAE system and an x64 system with the article's pool tags. */
#include <stdlib.h>

#include "tests/test.h"
#include "tests/unit/mm_fixture.h"
#include "target/memory.h"

TEST(memcmd_db_article_layout)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "db 8054099e l30");
    CHECK_STR(out, "8054099e  33 db 8b 75 18 8b 7d 1c-0f 23 fb 0f 23 c6 8b 5d  3..u..}..#..#..]\n"
                   "805409ae  20 0f 23 cf 0f 23 d3 8b-75 24 8b 7d 28 8b 5d 2c   .#..#..u$.}(.],\n"
                   "805409be  0f 23 de 0f 23 f7 0f 23-fb e9 43 ff ff ff 8b 44  .#..#..#..C....D\n");
    free(out);
}

TEST(memcmd_physical_missing)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!db 7000 l20; !dd 23406fc l4");
    CHECK_STR(out, "Physical memory read at 7000 failed\n"
                   "# 23406fc 00000000 00000000 00000000 00000000\n");
    free(out);
}

TEST(memcmd_physical_db_and_dq)
{
    char *out = mmfix_run(mmfix_article_pae(), NULL, "!db 54099e l10; !dq 23406f0 L1; !dd 6c46010 l2");
    CHECK_STR(out, "#  54099e 33 db 8b 75 18 8b 7d 1c-0f 23 fb 0f 23 c6 8b 5d 3..u..}..#..#..]\n"
                   "# 23406f0 00000000`06c46801\n"
                   "# 6c46010 004009e3 00000000\n");
    free(out);
}

TEST(memcmd_dc_one_dword_after_eb)
{
    char *out = mmfix_run(mmfix_x64_leak(), "eb fffff880`0496e3ad 31; eb fffff880`0496e624 32",
                          "dc fffff880`0496e3aa l1; dc fffff880`0496e621 l1");
    CHECK_STR(out, "fffff880`0496e3aa  3161654c                             Lea1\n"
                   "fffff880`0496e621  3261654c                             Lea2\n");
    free(out);
}

TEST(memcmd_ed_and_eb_read_back)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "ed fffff880`0496e3aa 3261654c; dd fffff880`0496e3aa l1");
    CHECK_STR(out, "fffff880`0496e3aa  3261654c\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "eb fffff880`0496e3aa 'M'; db fffff880`0496e3aa l4");
    CHECK_STR(out, "fffff880`0496e3aa  4d 65 61 6b                                      Meak\n");
    free(out);
}

TEST(memcmd_missing_memory_question_marks)
{
    /* Last 8 bytes of a saved page, then a page whose frame is not in the dump. */
    char *out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1", "db fffff880`0496eff8 l10");
    CHECK_STR(out, "fffff880`0496eff8  01 02 03 04 05 06 07 08-?? ?? ?? ?? ?? ?? ?? ??  "
                   "........????????\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                    "dd fffff880`0496eff8 l4; dq fffff880`0496eff8 l2; dw fffff880`04970000 l2");
    CHECK_STR(out, "fffff880`0496eff8  04030201 08070605 ???????? ????????\n"
                   "fffff880`0496eff8  08070605`04030201 ????????`????????\n"
                   "fffff880`04970000  ???? ????\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1", "dc fffff880`0496eff8 l3");
    CHECK_STR(out, "fffff880`0496eff8  04030201 08070605 ????????           ........????\n");
    free(out);
}

TEST(memcmd_missing_page_message_and_ignore)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "dd fffff880`0496f000 l1");
    CHECK_STR(out, "Page 6 not present in the dump file. Type \".hh dbgerr004\" for details\n"
                   "fffff880`0496f000  ????????\n");
    free(out);
    /* Paged out (not valid) is not "missing from the dump": no message. */
    out = mmfix_run(mmfix_x64_leak(), NULL, "dd fffff880`04970000 l1");
    CHECK_STR(out, "fffff880`04970000  ????????\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, ".ignore_missing_pages; .ignore_missing_pages 1");
    CHECK_STR(out, "Display kernel summary dump missing page error message\n"
                   "Suppress kernel summary dump missing page error message\n");
    free(out);
}

TEST(memcmd_default_counts_and_continuation)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "db fffff880`0496e000; d; dq fffff880`0496e000");
    REQUIRE(out);
    size_t lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, 8 + 8 + 8);
    CHECK_CONTAINS(out, "fffff880`0496e070  00 00");
    CHECK_CONTAINS(out, "\nfffff880`0496e080  00 00"); /* `d` goes on after db */
    CHECK_CONTAINS(out, "\nfffff880`0496e070  00000000`00000000 00000000`00000000\n");
    free(out);
}

TEST(memcmd_strings)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL,
                          "da fffff880`0496e700; du fffff880`0496e800; da fffff880`0496e3aa l4");
    CHECK_STR(out, "fffff880`0496e700  \"Hello, world\"\n"
                   "fffff880`0496e800  \"Win\"\n"
                   "fffff880`0496e3aa  \"Leak\"\n");
    free(out);
    /* An unreadable string: four quoted lines of '?', as WinDbg shows it. */
    out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1", "da fffff880`04970000");
    CHECK_STR(out, "fffff880`04970000  \"????????????????????????????????\"\n"
                   "fffff880`04970020  \"????????????????????????????????\"\n"
                   "fffff880`04970040  \"????????????????????????????????\"\n"
                   "fffff880`04970060  \"????????????????????????????????\"\n");
    free(out);
}

TEST(memcmd_dyb_and_dps)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "dyb fffff880`0496eff8 l4; dps fffff880`0496eff8 l1");
    CHECK_STR(out, "                   76543210 76543210 76543210 76543210\n"
                   "                   -------- -------- -------- --------\n"
                   "fffff880`0496eff8  00000001 00000010 00000011 00000100  01 02 03 04\n"
                   "fffff880`0496eff8  08070605`04030201\n");
    free(out);
}

TEST(memcmd_ranges)
{
    /* End address included; L- counts back from the address. */
    char *out = mmfix_run(mmfix_x64_leak(), NULL,
                          "db fffff880`0496e3aa fffff880`0496e3ad; dd fffff880`0496e3ae L-1");
    CHECK_STR(out, "fffff880`0496e3aa  4c 65 61 6b                                      Leak\n"
                   "fffff880`0496e3aa  6b61654c\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "db fffff880`0496e3aa L20000000");
    CHECK_CONTAINS(out, "Range error");
    free(out);
}

TEST(memcmd_search)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL,
                          "s -a fffff880`0496e000 L2000 \"Leak\"");
    CHECK_STR(out, "fffff880`0496e3aa  4c 65 61 6b 3b c1 0f 42-c1 33 c9 8b d0 ff 15 cc  "
                   "Leak;..B.3......\n"
                   "fffff880`0496e621  4c 65 61 6b 3b c1 0f 42-c1 33 c9 8b d0 ff 15 cc  "
                   "Leak;..B.3......\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                    "s -d fffff880`0496e000 L?ffffffff 08070605");
    CHECK_STR(out, "fffff880`0496effc  08070605 ???????? ???????? ????????  ....????????????\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "s -u fffff880`0496e000 L1000 \"Win\"; s -b fffff880`0496e000 L1000 33 c9 8b");
    CHECK_CONTAINS(out, "fffff880`0496e800  57 00 69 00 6e 00");
    CHECK_CONTAINS(out, "fffff880`0496e3b3  33 c9 8b");
    CHECK_CONTAINS(out, "fffff880`0496e62a  33 c9 8b");
    free(out);
    /* A search across the whole upper half skips unmapped tables quickly. */
    out = mmfix_run(mmfix_x64_leak(), NULL, "s -a ffff8000`00000000 L?7fffffffffff \"Hello\"");
    CHECK_CONTAINS(out, "fffff880`0496e700  48 65 6c 6c 6f");
    free(out);
}

TEST(memcmd_errors)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "eb fffff880`04970000 1");
    CHECK_CONTAINS(out, "not valid");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "eb fffff880`0496e000 100");
    CHECK_CONTAINS(out, "Overflow");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "s -z 0 L10 1");
    CHECK_CONTAINS(out, "Syntax error");
    free(out);
}

TEST(memcmd_search_flags_and_strings)
{
    char *out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                          "s -[1]a fffff880`0496e000 L1000 \"Leak\"; s -[1]b fffff880`0496e000 L1000 'L' 'e';"
                          "s -d fffff880`0496e000 L1000 04030201; s -d fffff880`0496e000 L1000 'kaeL'");
    /* DWORD hits are aligned: the unaligned "Leak" tags are not DWORD hits. */
    CHECK_STR(out, "fffff880`0496e3aa\n"
                   "fffff880`0496e621\n"
                   "fffff880`0496e3aa\n"
                   "fffff880`0496e621\n"
                   "fffff880`0496eff8  04030201 08070605 ???????? ????????  ........????????\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "s -[l5]sa fffff880`0496e600 L200; s -su fffff880`0496e800 L10");
    CHECK_STR(out, "fffff880`0496e621  \"Leak;\"\n"
                   "fffff880`0496e700  \"Hello, world\"\n"
                   "fffff880`0496e800  \"Win\"\n");
    free(out);
    /* [w]: the fixture's pages are writable (PTE 963); a read-only page is skipped. */
    kdx_target *tg = mmfix_x64_leak();
    uint64_t next = 0x40000;
    mmfix_map_x64(tg, 0xfffff88004971000ull, 0x7000, 0x161, &next);
    mmfix_put_bytes(tg, 0x7010, "Leak", 4);
    out = mmfix_run(tg, NULL, "s -[1w]a fffff880`0496e000 L4000 \"Leak\"");
    CHECK_STR(out, "fffff880`0496e3aa\nfffff880`0496e621\n");
    free(out);
}

/* A target with direct virtual ranges only (like a triage or minidump). */
static kdx_status ranges_read(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    (void)impl;
    static const uint64_t base = 0x7ff612340000ull;
    size_t got = 0;
    while (got < len && va + got >= base && va + got < base + 0x2000) {
        ((uint8_t *)buf)[got] = (va + got == base + 0x1234) ? 'Z' : 0;
        got++;
    }
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static kdx_status ranges_next(void *impl, uint64_t va, uint64_t *next)
{
    (void)impl;
    if (va > 0x7ff612341fffull)
        return KDX_E_NOT_FOUND;
    *next = va < 0x7ff612340000ull ? 0x7ff612340000ull : va;
    return KDX_OK;
}

static void ranges_close(void *impl)
{
    (void)impl;
}

static const kdx_target_ops ranges_ops = {.format_name = "Test ranges", .close = ranges_close,
                                          .read_virt = ranges_read};

TEST(memcmd_search_targets_without_page_tables)
{
    kdx_target *tg = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "ranges.dmp");
    tg->ops = &ranges_ops;
    char *out = mmfix_run(tg, NULL, "s -[1]b 0 L?7fffffffffff 5a");
    CHECK_CONTAINS(out, "too large to probe");
    free(out);
    tg = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "ranges.dmp");
    tg->ops = &ranges_ops;
    tg->next_virt = ranges_next;
    out = mmfix_run(tg, NULL, "s -[1]b 0 L?7fffffffffff 5a");
    CHECK_STR(out, "00007ff6`12341234\n");
    free(out);
}

TEST(memcmd_floats_and_dW)
{
    char *out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                          "dD fffff880`0496e900 l2; df fffff880`0496e908 l4; dW fffff880`0496e3aa l4;"
                          "dD fffff880`0496eff8 l2; DB fffff880`0496e3aa l2");
    CHECK_STR(out, "fffff880`0496e900  1.5 2.65301280409e-314\n"
                   "fffff880`0496e908  2.25 1.4012985e-045 -1 9.9999997e+037\n"
                   "fffff880`0496e3aa  654c 6b61 c13b 420f                      Leak;..B\n"
                   "fffff880`0496eff8  5.44760372201e-270 ????????\n"
                   "fffff880`0496e3aa  4c 65                                            Le\n");
    free(out);
}

TEST(memcmd_real_dumps)
{
    TESTDATA(triage, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(triage, NULL, "dq ffff8504`29890ee8 l2; !db 0; db /p 0", &err);
    REQUIRE(out);
    CHECK_STR(out, "ffff8504`29890ee8  fffff804`7be0f4e1 00000000`0000007e\n"
                   "Physical memory is not available in this dump (Kernel triage dump).\n"
                   "Physical memory is not available in this dump (Kernel triage dump).\n");
    free(out);
    TESTDATA(full, "kernel/full_head_19045.dmp");
    out = kdx_test_run(full, NULL, "!dq 3ff0 l4; !db 2000 l10", &err);
    REQUIRE(out);
    CHECK_STR(out, "#    3ff0 8a000000`00c02863 8a000000`00c02863\n"
                   "Physical memory read at 4000 failed (the page lies past the end of the truncated "
                   "dump file)\n"
                   "#    2000 03 00 00 00 00 00 00 00-00 00 86 80 d3 10 02 00 ................\n");
    free(out);
}

TEST(memcmd_pointer_targets)
{
    char *out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                          "dpa fffff880`0496ea00 l4; dpu fffff880`0496ea08 l1; dpp fffff880`0496ea00 l1");
    CHECK_STR(out, "fffff880`0496ea00  fffff880`0496e700 \"Hello, world\"\n"
                   "fffff880`0496ea08  fffff880`0496e800 \"W\"\n"
                   "fffff880`0496ea10  fffff880`0496f000\n"
                   "fffff880`0496ea18  00000000`00000000\n"
                   "fffff880`0496ea08  fffff880`0496e800 \"Win\"\n"
                   "fffff880`0496ea00  fffff880`0496e700 77202c6f`6c6c6548\n");
    free(out);
}

TEST(memcmd_string_structures)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "dS fffff880`0496eb00; ds fffff880`0496eb10");
    CHECK_STR(out, "fffff880`0496e800  \"Win\"\n"
                   "fffff880`0496e700  \"Hello\"\n");
    free(out);
}

TEST(memcmd_dyd)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "dyd fffff880`0496eff8 l1");
    CHECK_STR(out, "                   3 2          1          0\n"
                   "                   10987654 32109876 54321098 76543210\n"
                   "                   -------- -------- -------- --------\n"
                   "fffff880`0496eff8  00000100 00000011 00000010 00000001  04030201\n");
    free(out);
}

/* In kernel mode c0000005 evaluates to ffffffff`c0000005 (sign extension of
 * kernel addresses); `s -d` still searches for the dword the user typed. */
TEST(memcmd_search_dword_sign_extended_value)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "s -d ffff850429890ee8 L100 c0000005; s -d ffff850429890ee8 L4 1ffffffff", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "ffff8504`29890ef8  c0000005 ffffffff 8b58334c fffff804");
    CHECK_CONTAINS(out, "Overflow in '1ffffffff'");
    free(out);
}

TEST(memcmd_strings_wrap_at_32_characters)
{
    /* As WinDbg prints them (the reference's `da 0a84e5c0`): 32 characters a
     * line, the address advancing by 0x20 (da) or 0x40 (du). */
    char *out = mmfix_run(mmfix_x64_leak(),
                          "eza fffff880`0496e700 \"abcdefghijklmnopqrstuvwxyz0123456789ABCD\"; "
                          "ezu fffff880`0496e800 \"abcdefghijklmnopqrstuvwxyz0123456789ABCD\"",
                          "da fffff880`0496e700; du fffff880`0496e800");
    CHECK_STR(out, "fffff880`0496e700  \"abcdefghijklmnopqrstuvwxyz012345\"\n"
                   "fffff880`0496e720  \"6789ABCD\"\n"
                   "fffff880`0496e800  \"abcdefghijklmnopqrstuvwxyz012345\"\n"
                   "fffff880`0496e840  \"6789ABCD\"\n");
    free(out);
}

/* Two saved runs inside one page, [10100,10108) and [10180,10200), each byte
 * holding the low byte of its address; like triage blocks or minidump ranges. */
static bool in_runs(uint64_t a)
{
    return (a >= 0x10100 && a < 0x10108) || (a >= 0x10180 && a < 0x10200);
}

static kdx_status runs_read(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    (void)impl;
    size_t got = 0;
    for (; got < len && in_runs(va + got); got++)
        ((uint8_t *)buf)[got] = (uint8_t)(va + got);
    *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static kdx_status runs_next(void *impl, uint64_t va, uint64_t *next)
{
    (void)impl;
    if (va >= 0x10200)
        return KDX_E_NOT_FOUND;
    *next = in_runs(va) ? va : va < 0x10100 ? 0x10100 : 0x10180;
    return KDX_OK;
}

static const kdx_target_ops runs_ops = {.format_name = "Test runs", .close = ranges_close,
                                        .read_virt = runs_read};

TEST(memcmd_presence_mask_runs_inside_a_page)
{
    kdx_target *tg = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "runs.dmp");
    tg->ops = &runs_ops;
    tg->next_virt = runs_next;
    uint8_t buf[0x200], present[0x200];
    CHECK_EQ(kdx_read_virt_present(tg, 0x10000, buf, sizeof buf, present), 8 + 0x80);
    for (size_t i = 0; i < sizeof buf; i++) {
        CHECK_EQ(present[i], in_runs(0x10000 + i));
        CHECK_EQ(buf[i], in_runs(0x10000 + i) ? (uint8_t)i : 0);
    }
    /* Without next_virt the rest of a page after a gap counts as missing. */
    tg->next_virt = NULL;
    CHECK_EQ(kdx_read_virt_present(tg, 0x10100, buf, 0x100, present), 8);
    tg->next_virt = runs_next;
    char *out = mmfix_run(tg, NULL, "dd 10104 l2; dq 10178 l2; s -b 10000 L1000 81 82");
    CHECK_STR(out, "00000000`00010104  07060504 ????????\n"
                   "00000000`00010178  ????????`???????? 87868584`83828180\n"
                   "00000000`00010181  81 82 83 84 85 86 87 88-89 8a 8b 8c 8d 8e 8f 90  ................\n");
    free(out);
}
