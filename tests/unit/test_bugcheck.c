/* Bug-check knowledge: generated names, _M variants, sub-code tables. */
#include <string.h>

#include "analysis/bugcheck.h"
#include "tests/test.h"

TEST(bugcheck_names_from_header_and_extra_list)
{
    char buf[96];
    /* From mingw-w64's bugcodes.h. */
    CHECK_STR(kdx_bugcheck_name_of(0x20, buf, sizeof buf), "KERNEL_APC_PENDING_DURING_EXIT");
    CHECK_STR(kdx_bugcheck_name_of(0xd1, buf, sizeof buf), "DRIVER_IRQL_NOT_LESS_OR_EQUAL");
    /* Codes the header lacks come from bugcheck_extra.txt. */
    CHECK_STR(kdx_bugcheck_name_of(0xc4, buf, sizeof buf), "DRIVER_VERIFIER_DETECTED_VIOLATION");
    CHECK_STR(kdx_bugcheck_name_of(0x133, buf, sizeof buf), "DPC_WATCHDOG_VIOLATION");
    CHECK_STR(kdx_bugcheck_name_of(0x139, buf, sizeof buf), "KERNEL_SECURITY_CHECK_FAILURE");
    /* The 0x10000000 bit names the _M variant. */
    CHECK_STR(kdx_bugcheck_name_of(0x1000007e, buf, sizeof buf), "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M");
    CHECK(kdx_bugcheck_name_of(0xabcdef, buf, sizeof buf) == NULL);
}

TEST(bugcheck_table_sorted_and_unique)
{
    size_t n = 0;
    for (const kdx_bugcheck_name *b = kdx_bugcheck_names; b->name; b++, n++)
        if (n)
            CHECK(b[-1].code < b->code);
    CHECK(n > 300);
}

TEST(bugcheck_subcodes_change_meaning)
{
    uint64_t c5[4] = {0xc5, 0xfffff80012345678ull, 1, 0};
    kdx_bugcheck_expl e;
    kdx_bugcheck_explain(0xc4, c5, &e);
    CHECK(e.described);
    CHECK_CONTAINS(e.args[1], "dispatch routine");
    CHECK_CONTAINS(e.args[2], "APC disable count");
    uint64_t pool0[4] = {0, 2, 0, 0};
    kdx_bugcheck_explain(0xc4, pool0, &e);
    CHECK_CONTAINS(e.args[0], "zero bytes");
    uint64_t dpc[4] = {1, 0x1e00, 0xfffff8047c705330ull, 0};
    kdx_bugcheck_explain(0x133, dpc, &e);
    CHECK_CONTAINS(e.args[0], "cumulatively");
    uint64_t list[4] = {3, 0, 0, 0};
    kdx_bugcheck_explain(0x139, list, &e);
    CHECK_CONTAINS(e.args[0], "LIST_ENTRY");
    uint64_t exc[4] = {0xc0000005, 0x1000, 0x2000, 0x3000};
    kdx_bugcheck_explain(0x1000007e, exc, &e);
    CHECK_EQ(e.kind, KDX_BC_EXCEPTION_RECORD_CONTEXT);
    CHECK_STR(e.args[3], "Context Record Address");
    kdx_bugcheck_explain(0x12345, exc, &e);
    CHECK(!e.described);
}
