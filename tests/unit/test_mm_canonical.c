/* Unit tests for non-canonical x64 addresses (they translate to nothing, and
 * a search over the whole 64-bit space jumps over the hole) and for the
 * aligned w/d/q search loop the benchmark (bench/bench_kdump.sh) measures. */
#include <stdlib.h>

#include "mm/translate.h"
#include "tests/test.h"
#include "tests/unit/mm_fixture.h"

TEST(mm_canonical_next)
{
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X64_4, 0x00007fffffffffffull), 0x00007fffffffffffull);
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X64_4, 0x0000800000000000ull), 0xffff800000000000ull);
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X64_4, 0xfffff8800496e000ull), 0xfffff8800496e000ull);
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X64_5, 0x0000800000000000ull), 0x0000800000000000ull);
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X64_5, 0x0100000000000000ull), 0xff00000000000000ull);
    CHECK_EQ(kdx_mm_next_canonical(KDX_PAGING_X86_PAE, 0x0000800000000000ull), 0x0000800000000000ull);
}

TEST(mm_canonical_no_alias)
{
    /* fffff880`0496e000 maps "Leak" at 3aa; the same low 48 bits without the
     * sign extension are not an address. */
    char *out = mmfix_run(mmfix_x64_leak(), NULL, "db 0000f880`0496e3aa L4; db 1234f880`0496e3aa L4");
    CHECK_CONTAINS(out, "0000f880`0496e3aa  ?? ?? ?? ??");
    CHECK_CONTAINS(out, "1234f880`0496e3aa  ?? ?? ?? ??");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL, "s -a 0 L?ffffffffffffffff \"Hello\"");
    CHECK_STR(out, "fffff880`0496e700  48 65 6c 6c 6f 2c 20 77-6f 72 6c 64 00 00 00 00  "
                   "Hello, world....\n");
    free(out);
}

TEST(mm_search_aligned_units)
{
    /* Bytes 01..08 at fffff880`0496eff8, the last bytes of the page. */
    char *out = mmfix_run(mmfix_x64_leak(), ".ignore_missing_pages 1",
                          "s -[1]w fffff880`0496e000 L1000 0403; s -[1]w fffff880`0496e000 L1000 0302;"
                          "s -[1]d fffff880`0496e000 L1000 08070605; s -[1]d fffff880`0496e000 L1000 06050403;"
                          "s -[1]q fffff880`0496e000 L1000 0807060504030201;"
                          "s -[1]d fffff880`0496e000 L1000 04030201 08070605;"
                          "s -[1]d fffff880`0496e000 L1000 04030201 08070606");
    CHECK_STR(out, "fffff880`0496effa\n"
                   "fffff880`0496effc\n"
                   "fffff880`0496eff8\n"
                   "fffff880`0496eff8\n");
    free(out);
}
