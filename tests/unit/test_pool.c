/* The pool and Driver Verifier on scenario dumps laid out with the real
 * 19041 symbol table: tag tables, large allocations, header pages (good and
 * corrupt), the tag-owner image scan and pooltag.txt, !poolused's layout,
 * !poolfind, !pool, !verifier's summary, driver list, outstanding
 * allocations and pool log, and the leak scenario end to end. Expected
 * values come from what the test declares, never from offsets typed here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "analysis/verifier_hint.h"
#include "commands/command.h"
#include "dump/scenario_pool.h"
#include "nt/pool.h"
#include "nt/pooltag.h"
#include "nt/verifier.h"
#include "sym/symbols.h"
#include "base/cancel.h"
#include "nt/field.h"
#include "target/memory.h"
#include "tests/unit/nt_fixture.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define LEAK TAG('L', 'e', 'a', 'k')

static unsigned count_lines(const char *text, const char *needle)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The leak scenario written to a temporary dump and opened. */
static kdx_session *open_leak(const char *name, const kdx_scn_leak_spec *spec)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return NULL;
    char *path = kdx_asprintf("%s/%s.dmp", kdx_test_tmpdir(), name);
    kdx_err err = {0};
    kdx_session *s = NULL;
    if (kdx_scn_pool_leak(l, &id, spec, path, &err) == KDX_OK) {
        s = kdx_session_new(fopen("/dev/null", "w"));
        char *isf = kdx_strdup(kdx_testdata_path("isf"));
        kdx_sym_set_path(s, isf, false);
        free(isf);
        if (kdx_session_open(s, path, &err) != KDX_OK) {
            nt_fixture_close(s);
            s = NULL;
        }
    }
    if (!s)
        fprintf(stderr, "leak scenario: %s\n", err.msg);
    free(path);
    return s;
}

#define LEAK_SCENARIO(var, name, ...)                                                  \
    if (!nt_fixture_layout(NULL))                                                      \
        SKIP("needs ../shared/testdata/%s (the layout), which is not present", NT_FIXTURE_ISF); \
    kdx_scn_leak_spec spec_ = {__VA_ARGS__};                                           \
    kdx_session *var = open_leak(name, &spec_);                                        \
    REQUIRE(var)

TEST(pool_tag_text_match_and_parse)
{
    char tx[5];
    kdx_pool_tag_text(LEAK, tx);
    CHECK_STR(tx, "Leak");
    CHECK(kdx_pool_tag_match("Leak", LEAK));
    CHECK(kdx_pool_tag_match("Le?k", LEAK));
    CHECK(kdx_pool_tag_match("L*", LEAK));
    CHECK(!kdx_pool_tag_match("Lea", LEAK));
    CHECK(kdx_pool_tag_match("Se", TAG('S', 'e', ' ', ' ')));
    uint32_t v;
    CHECK(kdx_pool_tag_parse("0x6b61654c", &v) && v == LEAK);
    CHECK(kdx_pool_tag_parse("Leak", &v) && v == LEAK);
    CHECK(!kdx_pool_tag_parse("Leaky", &v));
}

TEST(pool_tables_read_back_what_the_scenario_declared)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_scn_pool *p = kdx_scn_pool_new(scn);
    kdx_scn_pool_track(p, TAG('A', 'b', 'c', 'd'), false, 10, 4, 1000);
    kdx_scn_pool_track(p, TAG('A', 'b', 'c', 'd'), true, 7, 7, 0);
    uint64_t big = kdx_scn_pool_big(p, LEAK, KDX_SCN_PAGED, 0x3000, true);
    kdx_scn_pool_finish(p);
    kdx_session *s = nt_fixture_open(scn, "pool_tables");
    REQUIRE(s);
    kdx_pool_usage u;
    kdx_err err = {0};
    CHECK_OK(kdx_pool_usage_read(s, false, &u, &err));
    CHECK_EQ(u.n, 2);
    for (size_t i = 0; i < u.n; i++) {
        if (u.tags[i].tag == LEAK) {
            CHECK_EQ(kdx_pool_p_outstanding(&u.tags[i]), 1);
            CHECK_EQ(u.tags[i].p_bytes, 0x3000);
        } else {
            CHECK_EQ(kdx_pool_np_outstanding(&u.tags[i]), 6);
            CHECK_EQ(u.tags[i].np_bytes, 1000);
            CHECK_EQ(kdx_pool_p_outstanding(&u.tags[i]), 0);
        }
    }
    kdx_pool_usage_free(&u);
    kdx_pool_big b;
    bool found = false;
    CHECK_OK(kdx_pool_big_find(s, big + 0x2fff, &b, &found, &err));
    CHECK(found);
    CHECK_EQ(b.va, big);
    CHECK_EQ(b.bytes, 0x3000);
    CHECK_EQ(b.pool_type, KDX_SCN_PAGED);
    CHECK_OK(kdx_pool_big_find(s, big + 0x3000, &b, &found, &err));
    CHECK(!found);
    /* No session table in this scenario: the error names it. */
    CHECK(kdx_pool_usage_read(s, true, &u, &err) == KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "nt!ExpSessionPoolTrackTable is 0");
    kdx_pool_usage_free(&u);
    nt_fixture_close(s);
}

TEST(pool_page_chain_marks_the_block_and_reports_corruption)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_scn_pool *p = kdx_scn_pool_new(scn);
    const kdx_scn_pool_block good[] = {{TAG('N', 't', 'f', 'x'), 0x60, false}, {LEAK, 0x80, false}, {0, 0x40, false}};
    uint64_t at[3], bad_at[2];
    kdx_scn_pool_page(p, good, 3, at);
    const kdx_scn_pool_block bad[] = {{TAG('F', 'i', 'l', 'e'), 0x100, true}, {LEAK, 0x40, true}};
    kdx_scn_pool_page(p, bad, 2, bad_at);
    kdx_scn_pool_finish(p);
    uint64_t unit = kdx_scn_sizeof(scn, "_POOL_HEADER");
    /* Corrupt the second header's PreviousSize on the second page. */
    kdx_scn_poke(scn, "_POOL_HEADER", bad_at[1], "PreviousSize", 0x20 / unit);
    kdx_session *s = nt_fixture_open(scn, "pool_pages");
    REQUIRE(s);
    kdx_pool_page pg;
    kdx_err err = {0};
    CHECK_OK(kdx_pool_page_read(s, at[1] + 0x10, &pg, &err));
    CHECK_EQ(pg.n, 4); /* three blocks and the free rest of the page */
    CHECK(!pg.broken);
    CHECK_EQ(pg.blocks[1].header, at[1]);
    CHECK_EQ(pg.blocks[1].tag, LEAK);
    CHECK_EQ(pg.blocks[1].prev_size, 0x60);
    CHECK_EQ(pg.blocks[2].pool_type, 0);
    kdx_pool_page_free(&pg);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "!pool %llx", (unsigned long long)(at[1] + 0x10));
    char *out = nt_fixture_run(s, cmd);
    CHECK_CONTAINS(out, "region is Nonpaged pool");
    CHECK_CONTAINS(out, "  (Allocated) *Leak\n");
    CHECK_CONTAINS(out, "\t\tPooltag Leak : UNKNOWN pooltag 'Leak', please update pooltag.txt");
    CHECK_EQ(count_lines(out, "\n*"), 1);
    CHECK_CONTAINS(out, "  (Free)       ");
    free(out);
    snprintf(cmd, sizeof cmd, "!pool %llx 2", (unsigned long long)(at[1] + 0x10));
    out = nt_fixture_run(s, cmd);
    CHECK_EQ(count_lines(out, " previous size:"), 1);
    free(out);
    CHECK_OK(kdx_pool_page_read(s, bad_at[0], &pg, &err));
    CHECK(pg.broken);
    CHECK_EQ(pg.n, 1);
    CHECK_CONTAINS(pg.why, "PreviousSize 20 but the block before is 100");
    CHECK(pg.blocks[0].paged);
    kdx_pool_page_free(&pg);
    snprintf(cmd, sizeof cmd, "!pool %llx", (unsigned long long)bad_at[0]);
    out = nt_fixture_run(s, cmd);
    CHECK_CONTAINS(out, "region is Paged pool");
    CHECK_CONTAINS(out, "is __inVALID: pool header");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_leak_poolused_puts_leak_first_in_the_articles_layout)
{
    LEAK_SCENARIO(s, "pool_leak_used", 3000, false, false, false, false);
    char *out = nt_fixture_run(s, "!poolused /t5 2");
    CHECK_CONTAINS(out, "\nSorting by NonPaged Pool Consumed\n\n"
                        "               NonPaged                  Paged\n"
                        "Tag     Allocs         Used     Allocs         Used\n\n"
                        "Leak      3001     12288128          0            0  UNKNOWN pooltag 'Leak', please update "
                        "pooltag.txt, Binary: leaky.sys (inferred: tag argument of a call to "
                        "nt!ExAllocatePoolWithTag; 1 other candidate)\n");
    CHECK_EQ(count_lines(out, "UNKNOWN pooltag"), 5);
    CHECK_CONTAINS(out, "\nTOTAL      5177     15227600       4504     10084352\n");
    free(out);
    /* Sorted by paged use: MmSt first; a pattern keeps only matching tags. */
    out = nt_fixture_run(s, "!poolused 4 M*");
    CHECK_CONTAINS(out, "Sorting by Paged Pool Consumed");
    CHECK_CONTAINS(out, "\nMmSt         0            0       4100      9830400  ");
    CHECK_EQ(count_lines(out, "UNKNOWN pooltag"), 1);
    free(out);
    out = nt_fixture_run(s, "!poolused 8");
    CHECK_CONTAINS(out, "Session pool\n");
    CHECK_CONTAINS(out, "\nGh05         0            0        300      1228800  UNKNOWN pooltag 'Gh05'");
    CHECK_CONTAINS(out, "\nTOTAL         0            0        350      1280000\n");
    free(out);
    out = nt_fixture_run(s, "!poolused 6");
    CHECK_CONTAINS(out, "cannot be used together");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_leak_owner_scan_ranks_the_allocation_call_first)
{
    LEAK_SCENARIO(s, "pool_leak_owner", 10, false, false, false, false);
    uint32_t tags[] = {LEAK, TAG('N', 'o', 'n', 'e')};
    kdx_pool_owners o;
    kdx_err err = {0};
    CHECK_OK(kdx_pool_owner_scan(s, tags, 2, &o, &err));
    size_t count = 0;
    const kdx_pool_owner *best = kdx_pool_owner_best(&o, LEAK, &count);
    REQUIRE(best);
    CHECK_EQ(count, 2);
    CHECK_STR(best->module, "leaky.sys");
    CHECK_EQ(best->rank, KDX_OWNER_ALLOC_CALL);
    CHECK_STR(best->routine, "nt!ExAllocatePoolWithTag");
    CHECK_STR(best[1].module, "kdxscen.sys");
    CHECK_EQ(best[1].rank, KDX_OWNER_BYTES);
    CHECK(!kdx_pool_owner_best(&o, TAG('N', 'o', 'n', 'e'), NULL));
    kdx_pool_owners_free(&o);
    char *text = nt_fixture_run(s, "!poolowner Leak None");
    CHECK_CONTAINS(text, "Pool tag Leak (0x6b61654c): 2 candidates, inferred from the loaded images\n"
                         "  leaky.sys            ");
    CHECK_CONTAINS(text, "  tag argument of a call to nt!ExAllocatePoolWithTag (2 hits)\n  kdxscen.sys ");
    CHECK_CONTAINS(text, "  kdxscen.sys          ");
    CHECK_CONTAINS(text, "Pool tag None (0x656e6f4e): 0 candidates");
    free(text);
    /* JSON: every candidate, marked as inferred. */
    s->json = true;
    char *out = nt_fixture_run(s, "!poolused 2 Leak");
    s->json = false;
    CHECK_CONTAINS(out, "\"binary\": \"leaky.sys\"");
    CHECK_CONTAINS(out, "\"inferred\": true");
    CHECK_CONTAINS(out, "\"binary\": \"kdxscen.sys\"");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_pooltag_file_describes_known_tags)
{
    LEAK_SCENARIO(s, "pool_leak_pooltag", 10, false, false, false, false);
    char *path = kdx_asprintf("%s/pooltag.txt", kdx_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("// test tags\nLeak - leaky.sys     - Leak test allocations\nSe   - nt!se       - Security\n", f);
    fclose(f);
    char *cmd = kdx_asprintf(".pooltag %s; !poolused 4 Se; !poolused 2 Leak; .pooltag off", path);
    char *out = nt_fixture_run(s, cmd);
    CHECK_CONTAINS(out, ": 2 tags");
    CHECK_CONTAINS(out, "  Security, Binary: nt!se\n");
    CHECK_CONTAINS(out, "  Leak test allocations, Binary: leaky.sys\n");
    free(out);
    free(cmd);
    out = nt_fixture_run(s, ".pooltag /no/such/pooltag.txt");
    CHECK_CONTAINS(out, "cannot open pooltag file /no/such/pooltag.txt");
    free(out);
    free(path);
    nt_fixture_close(s);
}

TEST(pool_leak_poolfind_and_pool_on_a_large_allocation)
{
    LEAK_SCENARIO(s, "pool_leak_find", 1500, false, false, false, false);
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_EQ(count_lines(out, ": tag Leak, size     0x1000, Nonpaged pool\n"), 1500);
    CHECK_CONTAINS(out, "\n1500 large allocations with tag Leak.\n");
    /* This scenario has no segment heap (nt!ExPoolState holds no heap): the walk says so. */
    CHECK_CONTAINS(out, "\n0 small allocations with tag Leak in 0 heaps (0 segments, 0 VS and 0 LFH subsegments");
    /* The 700th allocation, as !pool sees it. */
    const char *line = out;
    for (int i = 0; i < 700 && line; i++)
        line = strstr(line + 1, ": tag Leak");
    REQUIRE(line);
    const char *start = line;
    while (start > out && start[-1] != '\n')
        start--;
    char addr[32];
    snprintf(addr, sizeof addr, "%.*s", (int)(line - start - 1), start);
    free(out);
    char *cmd = kdx_asprintf("!pool %s+0x80", addr);
    out = nt_fixture_run(s, cmd);
    char *want = kdx_asprintf("*%s : large page allocation, tag is Leak, size is 0x1000 bytes\n", addr);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "\t\tPooltag Leak : UNKNOWN pooltag 'Leak', please update pooltag.txt, Binary : leaky.sys (inferred");
    free(want);
    free(out);
    free(cmd);
    s->json = true;
    out = nt_fixture_run(s, "!poolfind Leak");
    s->json = false;
    CHECK_EQ(count_lines(out, "\"tag\": \"Leak\""), 1501);
    CHECK_CONTAINS(out, "\"pool\": \"Nonpaged\"");
    CHECK_CONTAINS(out, "\"walk\": \"segment heap: nt!ExPoolState\"");
    CHECK_CONTAINS(out, "\"heaps\": 0");
    free(out);
    out = nt_fixture_run(s, "!poolfind Leak 1");
    CHECK_CONTAINS(out, "\n0 large allocations with tag Leak.\n");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_leak_verifier_tracks_the_driver_and_its_stacks)
{
    LEAK_SCENARIO(s, "pool_leak_vf", 40, true, false, false, false);
    char *out = nt_fixture_run(s, "!verifier 3 leaky.sys");
    CHECK_CONTAINS(out, "\nVerify Level 8 ... enabled options are:\n\n      All pool allocations checked on unload\n");
    CHECK_CONTAINS(out, "Pool Allocations Attempted             0x28\n");
    CHECK_CONTAINS(out, "Current nonpaged pool allocations      0x28 for 00028000 bytes\n");
    CHECK_CONTAINS(out, " Loaded           00028000       00000000    leaky.sys\n");
    CHECK_CONTAINS(out, "Current Pool Allocations  00000028    00000000\n");
    CHECK_CONTAINS(out, "PoolAddress  SizeInBytes    Tag       CallersAddress\n");
    CHECK_EQ(count_lines(out, "     0x00001000     Leak      "), 40);
    free(out);
    s->json = true;
    out = nt_fixture_run(s, "!verifier 3 leaky.sys");
    s->json = false;
    CHECK_CONTAINS(out, "\"level\": 8");
    CHECK_CONTAINS(out, "\"AllocationsAttempted\": 40");
    CHECK_CONTAINS(out, "\"module\": \"leaky.sys\"");
    CHECK_EQ(count_lines(out, "\"tag\": \"Leak\""), 40);
    free(out);
    out = nt_fixture_run(s, "!verifier 3 other.sys");
    CHECK_CONTAINS(out, "other.sys is not in the Driver Verification List.");
    free(out);
    /* The pool log: the allocation's stack resolves into the driver. */
    kdx_vf_drivers ds;
    kdx_err err = {0};
    CHECK_OK(kdx_vf_drivers_read(s, &ds, &err));
    REQUIRE(ds.n == 1);
    CHECK_STR(ds.items[0].name, "leaky.sys");
    CHECK(ds.items[0].verified != 0);
    kdx_vf_drivers_free(&ds);
    out = nt_fixture_run(s, "!poolfind Leak");
    const char *first = strstr(out, "\n\nffff");
    REQUIRE(first);
    char addr[32];
    snprintf(addr, sizeof addr, "%.17s", first + 2);
    free(out);
    char *cmd = kdx_asprintf("!verifier 80 %s", addr);
    out = nt_fixture_run(s, cmd);
    CHECK_CONTAINS(out, "There are up to 0x1000 entries in the log.");
    CHECK_EQ(count_lines(out, "Pool block "), 1);
    CHECK_CONTAINS(out, " nt!VerifierExAllocatePoolEx+0x1d\n");
    CHECK_CONTAINS(out, " leaky!LeakAlloc+0x55\n");
    CHECK_CONTAINS(out, " leaky!DispatchIoctl+0x45\n");
    CHECK_CONTAINS(out, "Finished parsing all pool tracking information.");
    free(out);
    free(cmd);
    out = nt_fixture_run(s, "!verifier 80 ffffc08bffff0000");
    CHECK_CONTAINS(out, "No log entry holds address");
    free(out);
    out = nt_fixture_run(s, "!verifier 200");
    CHECK_CONTAINS(out, "nt!VfKeCriticalRegionTraces is NULL");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_verifier_critical_region_log)
{
    NT_SCENARIO(scn);
    uint64_t sys = nt_fixture_system(scn);
    (void)sys;
    kdx_scn_module(scn, "suspect.sys", 0xfffff8048b700000ull, 0x10000);
    kdx_scn_function(scn, "suspect!Worker", 0);
    kdx_scn_pool *p = kdx_scn_pool_new(scn);
    uint64_t st[3] = {kdx_scn_code(scn, "nt!VerifierKeLeaveCriticalRegion", 0x10),
                      kdx_scn_code(scn, "suspect!Worker", 0x2a), kdx_scn_code(scn, "nt!ExpWorkerThread", 0x111)};
    kdx_scn_pool_critical_region(p, 0xffffc08bd0031040ull, st, 3);
    kdx_scn_pool_critical_region(p, 0xffffc08bd0032040ull, st, 2);
    kdx_scn_pool_finish(p);
    kdx_session *s = nt_fixture_open(scn, "pool_critical");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!verifier 200");
    CHECK_CONTAINS(out, "There are up to 0x80 entries in the log.");
    CHECK_CONTAINS(out, "\nThread ffffc08bd0031040\n");
    CHECK_CONTAINS(out, " nt!VerifierKeLeaveCriticalRegion+0x10\n");
    CHECK_CONTAINS(out, " suspect!Worker+0x2a\n");
    free(out);
    out = nt_fixture_run(s, "!verifier 200 ffffc08bd0032040");
    CHECK_EQ(count_lines(out, "\nThread "), 1);
    free(out);
    nt_fixture_close(s);
}

static kdx_status gen_leak(const char *out, kdx_err *err)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_leak_spec spec = {3000, true, true, false, false};
    return kdx_scn_pool_leak(l, &id, &spec, out, err);
}

TEST_GENERATOR(pool_leak, gen_leak)

TEST(pool_leak_unload_bugcheck_analysis_points_at_verifier_3)
{
    LEAK_SCENARIO(s, "pool_leak_c4", 50, true, true, false, false);
    char *out = nt_fixture_run(s, "!analyze -v");
    CHECK_CONTAINS(out, "DRIVER_VERIFIER_DETECTED_VIOLATION (c4)");
    CHECK_CONTAINS(out, "Arg1: 0000000000000062, A driver is unloading without freeing its pool allocations");
    CHECK_CONTAINS(out, "Arg4: 0000000000000032, Total number of allocations not freed");
    CHECK_CONTAINS(out, "\nVERIFIER_COMMAND:  !verifier 3 leaky.sys\n");
    /* The leaking driver is blamed, not the kernel code that raised the bug check. */
    CHECK_CONTAINS(out, "\nMODULE_NAME:  leaky\n");
    CHECK_CONTAINS(out, "\nIMAGE_NAME:  leaky.sys\n");
    CHECK_CONTAINS(out, "\nFAILURE_BUCKET_ID:  0xc4_62_LEAKED_POOL_IMAGE_leaky.sys\n");
    free(out);
    out = nt_fixture_run(s, "!analyze");
    CHECK_CONTAINS(out, "\nProbably caused by : leaky.sys\n");
    free(out);
    /* The suggested command lists the 50 allocations the bug check counts. */
    out = nt_fixture_run(s, "!verifier 3 leaky.sys");
    CHECK_EQ(count_lines(out, "     0x00001000     Leak      "), 50);
    free(out);
    nt_fixture_close(s);
}

TEST(pool_verifier_hints_for_each_verifier_bugcheck)
{
    LEAK_SCENARIO(s, "pool_leak_hints", 5, false, false, false, false);
    uint64_t c5[4] = {0xffffc08bd0035010ull, 2, 0, 0xfffff8048b604255ull};
    char *h = kdx_verifier_hint(s, 0xc5, c5);
    CHECK_STR(h, "!pool ffffc08bd0035010; !verifier 80 ffffc08bd0035010");
    free(h);
    h = kdx_verifier_hint(s, 0xd6, c5);
    CHECK_STR(h, "!pool ffffc08bd0035010; !verifier 80 ffffc08bd0035010");
    free(h);
    uint64_t apc[4] = {0xc5, 0xfffff88001345610ull, 0xffff, 0};
    h = kdx_verifier_hint(s, 0xc4, apc);
    CHECK_STR(h, "ln fffff88001345610; !verifier 200");
    free(h);
    uint64_t unreadable[4] = {0x62, 0xffffc08bffff0000ull, 0, 3};
    h = kdx_verifier_hint(s, 0xc4, unreadable);
    CHECK_CONTAINS(h, "is not readable");
    free(h);
    h = kdx_verifier_hint(s, 0xc9, c5);
    CHECK_STR(h, "!verifier 100");
    free(h);
    CHECK(kdx_verifier_hint(s, 0x7e, c5) == NULL);
    nt_fixture_close(s);
}

TEST(pool_linear_scenario_small_leaks_in_header_pages)
{
    LEAK_SCENARIO(s, "pool_leak_linear", 1000, true, false, false, true);
    char *out = nt_fixture_run(s, "!poolused 2 Leak");
    /* 1000 leaked blocks of 0x100 bytes and the scenario's one small page's block. */
    CHECK_CONTAINS(out, "\nLeak      1001       256128          0            0  UNKNOWN pooltag 'Leak'");
    free(out);
    kdx_vf_drivers ds;
    kdx_err err = {0};
    CHECK_OK(kdx_vf_drivers_read(s, &ds, &err));
    REQUIRE(ds.n == 1);
    CHECK_EQ(ds.items[0].cur_np, 1000);
    kdx_vf_drivers_free(&ds);
    out = nt_fixture_run(s, "!verifier 3 leaky.sys");
    CHECK_EQ(count_lines(out, "     0x000000f0     Leak      "), 1000);
    /* The 500th allocation's page: sixteen blocks, the star on the one holding it. */
    const char *line = out;
    for (int i = 0; i < 500 && line; i++)
        line = strstr(line + 1, "     0x000000f0     Leak");
    REQUIRE(line);
    const char *start = line;
    while (start > out && start[-1] != '\n')
        start--;
    char *cmd = kdx_asprintf("!pool %.*s", (int)(line - start), start);
    free(out);
    out = nt_fixture_run(s, cmd);
    CHECK_EQ(count_lines(out, " previous size: "), 16);
    CHECK_EQ(count_lines(out, "(Allocated) *Leak\n"), 1);
    CHECK_EQ(count_lines(out, "\n*"), 1);
    CHECK(!strstr(out, "__inVALID"));
    free(out);
    free(cmd);
    out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "\n0 large allocations with tag Leak.\n");
    CHECK_CONTAINS(out, "No segment heap was found in nt!ExPoolState; kdx does not scan a linear pool's pages");
    free(out);
    nt_fixture_close(s);
}

TEST(pool_verifier_irql_log_newest_first_and_absent_irp_log)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_scn_function(scn, "kdxscen!RaiseIt", 0);
    kdx_scn_pool *p = kdx_scn_pool_new(scn);
    for (unsigned i = 0; i < 6; i++) {
        kdx_scn_vf_alloc e = {0};
        e.thread = 0xffffc08bd0031040ull + 0x1000 * i;
        e.old_irql = 0, e.new_irql = 2, e.processor = (uint16_t)(i % 4), e.tick = 0x100 + i;
        e.stack[0] = kdx_scn_code(scn, "nt!KeBugCheckEx", 0x10);
        e.stack[1] = kdx_scn_code(scn, "kdxscen!RaiseIt", 0x20 + i);
        e.nstack = 2;
        kdx_scn_pool_irql_change(p, &e);
    }
    kdx_scn_pool_finish(p);
    kdx_session *s = nt_fixture_open(scn, "pool_irql");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!verifier 8");
    CHECK_CONTAINS(out, "There are up to 0x100 entries in the log; the 4 most recent:");
    CHECK_EQ(count_lines(out, "\nThread:     "), 4);
    /* Newest (the sixth, tick 0x105) first; the two oldest are not shown. */
    const char *newest = strstr(out, "Time stamp: 00000105");
    const char *older = strstr(out, "Time stamp: 00000104");
    CHECK(newest && older && newest < older);
    CHECK(!strstr(out, "Time stamp: 00000101"));
    CHECK_CONTAINS(out, "Old irql:   00\nNew irql:   02\nProcessor:  0001\n");
    CHECK_CONTAINS(out, " kdxscen!RaiseIt+0x25\n");
    free(out);
    out = nt_fixture_run(s, "!verifier 8 6");
    CHECK_EQ(count_lines(out, "\nThread:     "), 6);
    free(out);
    /* This scenario wrote no IRP log: the command names the global it could not read. */
    out = nt_fixture_run(s, "!verifier 100");
    CHECK_CONTAINS(out, "\nIRP log (IoAllocateIrp, IoCompleteRequest and IoCancelIrp calls):\n\n");
    CHECK_CONTAINS(out, "nt!IovIrpTraces (at ");
    CHECK_CONTAINS(out, ") cannot be read: memory at ");
    free(out);
    nt_fixture_close(s);
}

static kdx_status poke64(kdx_session *s, uint64_t va, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return kdx_write_virt(s->target, va, b, 8, NULL);
}

static int count_alloc_cb(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller)
{
    (void)va, (void)bytes, (void)tag, (void)caller;
    ++*(unsigned *)ud;
    return 0;
}

static int count_big_cb(void *ud, const kdx_pool_big *b)
{
    (void)b;
    ++*(unsigned *)ud;
    return 0;
}

/* Corrupt tables (written through the edit overlay): each walker stops with
 * a message naming the global, entry or page, never loops or runs away. */
TEST(pool_walkers_stop_on_corrupt_tables_and_interrupts)
{
    LEAK_SCENARIO(s, "pool_leak_corrupt", 300, true, false, false, false);
    kdx_err err = {0};
    uint64_t sym, off, head = 0;
    /* The tracker pages' list comes back to its first page. */
    kdx_vf_drivers ds;
    CHECK_OK(kdx_vf_drivers_read(s, &ds, &err));
    REQUIRE(ds.n == 1);
    unsigned n = 0;
    CHECK_OK(kdx_vf_allocations(s, &ds.items[0], count_alloc_cb, &n, &err));
    CHECK_EQ(n, 300);
    CHECK_OK(kdx_nt_read(s, "nt!_VF_TARGET_VERIFIED_DRIVER_DATA", ds.items[0].verified,
                         "PoolTrackers.HeaderX64.NextEntry", &head, &err));
    CHECK_OK(kdx_nt_offset(s, "nt!_VI_POOL_ENTRY", "PageHeader.NextPage", &off, &err));
    CHECK_OK(poke64(s, (head << 4) + off, head << 4));
    n = 0;
    CHECK(kdx_vf_allocations(s, &ds.items[0], count_alloc_cb, &n, &err) == KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "pool tracker page");
    CHECK_CONTAINS(err.msg, "comes round again");
    kdx_vf_drivers_free(&ds);
    /* A tag table size no system has. */
    CHECK_OK(kdx_nt_symbol(s, "nt!PoolTrackTableSize", &sym, &err));
    CHECK_OK(poke64(s, sym, 1ull << 40));
    kdx_pool_usage u;
    CHECK(kdx_pool_usage_read(s, false, &u, &err) == KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "nt!PoolTrackTableSize is 1099511627776, more than the 4194304 entries kdx accepts");
    kdx_pool_usage_free(&u);
    /* Interrupted, the large-allocation walk stops and says so. */
    kdx_interrupt_request();
    n = 0;
    CHECK(kdx_pool_big_walk(s, count_big_cb, &n, &err) == KDX_E_INTERRUPTED);
    kdx_interrupt_clear();
    CHECK_CONTAINS(err.msg, "walking nt!PoolBigPageTable interrupted");
    CHECK_EQ(n, 0);
    /* The large-allocation table moved to memory the dump does not hold. */
    CHECK_OK(kdx_nt_symbol(s, "nt!PoolBigPageTable", &sym, &err));
    CHECK_OK(poke64(s, sym, 0xffffc08bfff00000ull));
    kdx_status st = kdx_pool_big_walk(s, count_big_cb, &n, &err);
    CHECK(st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID);
    CHECK_CONTAINS(err.msg, "nt!PoolBigPageTable entry 0 of ");
    CHECK_CONTAINS(err.msg, "(ffffc08bfff00000) cannot be read: memory at ffffc08b`fff00000 is not");
    nt_fixture_close(s);
}
