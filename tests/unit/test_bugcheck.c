/* Bug-check knowledge: generated names, _M variants, sub-code tables. */
#include <string.h>

#include "analysis/bugcheck.h"
#include "analysis/bugcheck_text.h"
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
    /* The header names 0xFA after 0xDF; the list corrects it. */
    CHECK_STR(kdx_bugcheck_name_of(0xfa, buf, sizeof buf), "HTTP_DRIVER_CORRUPTED");
    CHECK_STR(kdx_bugcheck_name_of(0xdf, buf, sizeof buf), "IMPERSONATING_WORKER_THREAD");
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
    CHECK_STR(e.args[3], "Address of the CONTEXT record");
    kdx_bugcheck_explain(0x12345, exc, &e);
    CHECK(!e.described);
}

/* The descriptions table: sorted, unique, every code named, four texts. */
TEST(bugcheck_texts_sorted_complete)
{
    REQUIRE(kdx_bc_text_count > 0);
    char buf[96];
    for (size_t i = 0; i < kdx_bc_text_count; i++) {
        const kdx_bc_text *bt = &kdx_bc_texts[i];
        if (i)
            CHECK(kdx_bc_texts[i - 1].code < bt->code);
        CHECK(kdx_bugcheck_name_of(bt->code, buf, sizeof buf) != NULL);
        CHECK(bt->summary && bt->summary[0]);
        for (int a = 0; a < 4; a++)
            CHECK(bt->args[a] && bt->args[a][0]);
        CHECK(bt->selector >= 0 && bt->selector < 4);
        if (bt->subs) {
            for (const kdx_bc_sub *s = bt->subs; !kdx_bc_sub_end(s); s++) {
                /* The selecting argument always gets a text. */
                CHECK(s->args[bt->selector] && s->args[bt->selector][0]);
                for (int a = 0; a < 4; a++)
                    CHECK(!s->args[a] || s->args[a][0]);
                CHECK(kdx_bc_find_sub(bt, s->sub) == s);
            }
        }
        if (!bt->subs)
            CHECK(bt->unknown == NULL);
    }
}

/* Grows as descriptions are added; fails if some are lost. */
TEST(bugcheck_texts_count)
{
    CHECK(kdx_bc_text_count >= 370);
    size_t described = 0;
    for (const kdx_bugcheck_name *n = kdx_bugcheck_names; n->name; n++)
        if (kdx_bc_find_text(n->code))
            described++;
    CHECK_EQ(described, kdx_bc_text_count);
}

TEST(bugcheck_common_subcodes)
{
    kdx_bugcheck_expl e;
    uint64_t c2[4] = {0x9, 2, 0, 0xffffc00012340000ull};
    kdx_bugcheck_explain(0xc2, c2, &e);
    CHECK_CONTAINS(e.args[0], "IRQL");
    CHECK_STR(e.args[1], "Current IRQL");
    CHECK_STR(e.args[3], "Address of the pool");
    uint64_t c2x[4] = {0x12345, 0, 0, 0};
    kdx_bugcheck_explain(0xc2, c2x, &e);
    CHECK_CONTAINS(e.args[0], "not in kdx's table");
    CHECK_STR(e.args[1], "Depends on Arg1");

    uint64_t trap[4] = {8, 0, 0, 0};
    kdx_bugcheck_explain(0x7f, trap, &e);
    CHECK_CONTAINS(e.args[0], "double fault");
    CHECK_STR(e.args[1], "Reserved");
    trap[0] = 0xd;
    kdx_bugcheck_explain(0x1000007f, trap, &e);
    CHECK_CONTAINS(e.args[0], "general protection");

    uint64_t pwr[4] = {0xb, 0x10000, 3, 0};
    kdx_bugcheck_explain(0xa0, pwr, &e);
    CHECK_CONTAINS(e.args[0], "hibernation file is too small");
    CHECK_CONTAINS(e.args[1], "Size of the hibernation file");

    uint64_t wdf[4] = {0xe, 0, 2, 0};
    kdx_bugcheck_explain(0x10d, wdf, &e);
    CHECK_CONTAINS(e.args[0], "different IRQL");
    CHECK_CONTAINS(e.args[2], "returned");
    CHECK_STR(e.args[3], "Reserved");

    /* 0xC1 selects its meaning by Arg4. */
    uint64_t sp[4] = {0x1000, 0x1010, 0, 0x24};
    kdx_bugcheck_explain(0xc1, sp, &e);
    CHECK_CONTAINS(e.args[3], "after the end");
    CHECK_CONTAINS(e.args[1], "corrupted");

    /* 0x14F selects by Arg2 and keeps Arg1's general meaning. */
    uint64_t pdc[4] = {5, 2, 0, 0};
    kdx_bugcheck_explain(0x14f, pdc, &e);
    CHECK_CONTAINS(e.args[0], "Client ID");
    CHECK_CONTAINS(e.args[1], "resiliency");
    CHECK_CONTAINS(e.args[2], "PDC_RESILIENCY_CLIENT");
}

TEST(bugcheck_kinds_of_common_codes)
{
    kdx_bugcheck_expl e;
    uint64_t a[4] = {0, 0, 0, 0};
    kdx_bugcheck_explain(0xc5, a, &e);
    CHECK_EQ(e.kind, KDX_BC_IRQL);
    kdx_bugcheck_explain(0xd6, a, &e);
    CHECK_EQ(e.kind, KDX_BC_PAGE_FAULT);
    kdx_bugcheck_explain(0x1000008e, a, &e);
    CHECK_EQ(e.kind, KDX_BC_EXCEPTION_TRAPFRAME);
    /* Arg3 of 0xFC is not an instruction address. */
    kdx_bugcheck_explain(0xfc, a, &e);
    CHECK_EQ(e.kind, KDX_BC_OTHER);
    kdx_bugcheck_explain(0x1, a, &e);
    CHECK(e.described);
}

/* The codes engineers meet most often all have the project's own texts. */
TEST(bugcheck_common_codes_described)
{
    static const uint32_t common[] = {
        0x1, 0x3, 0xa, 0x19, 0x1a, 0x1e, 0x24, 0x27, 0x2e, 0x34, 0x35, 0x3b, 0x3f, 0x44, 0x4e, 0x50, 0x51, 0x5c,
        0x63, 0x67, 0x69, 0x6b, 0x74, 0x76, 0x77, 0x79, 0x7a, 0x7b, 0x7c, 0x7e, 0x7f, 0x80, 0x81, 0x8e, 0x9c, 0x9f,
        0xa0, 0xa5, 0xac, 0xb8, 0xbe, 0xc1, 0xc2, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce,
        0xd0, 0xd1, 0xd3, 0xd5, 0xd6, 0xd7, 0xd8, 0xda, 0xe1, 0xe3, 0xe4, 0xe6, 0xe7, 0xea, 0xed, 0xef, 0xf2, 0xf4,
        0xf5, 0xf7, 0xfc, 0x100, 0x101, 0x102, 0x104, 0x109, 0x10d, 0x10e, 0x10f, 0x113, 0x116, 0x117, 0x119,
        0x11a, 0x11b, 0x11d, 0x120, 0x121, 0x122, 0x124, 0x12b, 0x12e, 0x133, 0x139, 0x13a, 0x144, 0x14f, 0x154,
        0x157, 0x15f, 0x162, 0x164, 0x18b, 0x18c, 0x192, 0x193, 0x196, 0x1a0, 0x1c6, 0x1c7, 0x1ca, 0x1d5, 0x1db,
        0x1e4,
    };
    uint64_t zero[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        kdx_bugcheck_expl e;
        kdx_bugcheck_explain(common[i], zero, &e);
        if (!e.described)
            kdx_test_fail(t, __FILE__, __LINE__, "bug check 0x%x has no description", (unsigned)common[i]);
    }
}
