/* The kernel segment heap walker (src/nt/segheap.c) and the commands on it
 * (!poolfind, !pool), on leak scenarios whose segment heap the writer lays
 * out with the real 19041 symbol table: the expected counts come from the
 * scenario's spec, never from offsets typed here. A corrupt chunk header,
 * a looping segment list and an absent subsegment each give a message and
 * the walk goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"
#include "dump/scenario_pool.h"
#include "nt/field.h"
#include "nt/segheap.h"
#include "target/memory.h"
#include "tests/unit/nt_fixture.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static unsigned count(const char *text, const char *needle)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Small Leak allocations the spec leaves allocated. */
static unsigned live_leaks(const kdx_scn_small_leaks *sp)
{
    unsigned fv = sp->freed_leaks < sp->vs_leaks ? sp->freed_leaks : sp->vs_leaks;
    unsigned fl = sp->freed_leaks < sp->lfh_leaks ? sp->freed_leaks : sp->lfh_leaks;
    return sp->vs_leaks - fv + sp->lfh_leaks - fl;
}

static kdx_session *open_segheap(const char *name, unsigned big_leaks, const kdx_scn_small_leaks *small)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    char *path = kdx_asprintf("%s/%s.dmp", kdx_test_tmpdir(), name);
    kdx_err err = {0};
    kdx_session *s = NULL;
    kdx_scn_leak_spec spec = {big_leaks, false, false, false, false};
    if (kdx_scn_pool_leak_small(l, &id, &spec, small, path, &err) == KDX_OK)
        s = nt_fixture_open_path(path);
    else
        fprintf(stderr, "segment heap scenario: %s\n", err.msg);
    free(path);
    return s;
}

#define SEGHEAP_SCENARIO(var, name, big, ...)                                                \
    if (!nt_fixture_layout(NULL))                                                           \
        SKIP("needs ../shared/testdata/%s (the layout), which is not present", NT_FIXTURE_ISF); \
    kdx_scn_small_leaks spec_ = {__VA_ARGS__};                                              \
    kdx_session *var = open_segheap(name, big, &spec_);                                     \
    REQUIRE(var)

typedef struct tally {
    unsigned busy_leaks, vs, lfh, free_blocks;
} tally;

static int count_block(void *ud, const kdx_segheap_block *b)
{
    tally *n = ud;
    if (b->busy && b->tag_known && b->tag == TAG('L', 'e', 'a', 'k'))
        n->busy_leaks++;
    n->vs += b->kind == KDX_SEGHEAP_VS;
    n->lfh += b->kind == KDX_SEGHEAP_LFH;
    n->free_blocks += !b->busy;
    return 0;
}

TEST(segheap_walk_decodes_vs_chunks_and_lfh_blocks)
{
    SEGHEAP_SCENARIO(s, "segheap_walk", 3, .vs_leaks = 12, .lfh_leaks = 9, .freed_leaks = 2);
    tally n = {0};
    kdx_segheap_stats st;
    kdx_err err = {0};
    CHECK_OK(kdx_segheap_walk(s, count_block, &n, &st, &err));
    CHECK_EQ(n.busy_leaks, live_leaks(&spec_));
    CHECK_EQ(st.heaps, 1);
    CHECK_EQ(st.segments, 1);
    CHECK_EQ(st.vs_subsegments, 1);
    CHECK_EQ(st.lfh_subsegments, 1);
    CHECK_EQ(st.unreadable + st.broken, 0);
    /* Every LFH block is reported (busy or not); the VS walk ends with the trailing free chunk. */
    CHECK_EQ(n.lfh, 48); /* the writer's default block count */
    CHECK(n.vs >= 2 * spec_.vs_leaks + 1);
    CHECK(n.free_blocks >= 2 * spec_.freed_leaks + 1);
    nt_fixture_close(s);
}

/* Small subsegments fill up: the writer adds VS and LFH subsegments, then
 * segments; the walk follows the segment list through all of them. */
TEST(segheap_many_subsegments_and_segments)
{
    SEGHEAP_SCENARIO(s, "segheap_many", 1, .heap.lfh_blocks = 8, .heap.vs_pages = 1, .vs_leaks = 150,
                     .lfh_leaks = 1100, .freed_leaks = 5);
    tally n = {0};
    kdx_segheap_stats st;
    kdx_err err = {0};
    CHECK_OK(kdx_segheap_walk(s, count_block, &n, &st, &err));
    CHECK_EQ(n.busy_leaks, live_leaks(&spec_));
    /* Each Leak follows a block of another tag: 2 blocks per leak, 8 to an LFH subsegment. */
    CHECK_EQ(st.lfh_subsegments, (2 * spec_.lfh_leaks + 7) / 8);
    CHECK(st.vs_subsegments > 1);
    CHECK(st.segments >= 2);
    CHECK_EQ(st.unreadable + st.broken, 0);
    nt_fixture_close(s);
}

/* The address of the nth line holding needle (its first word). */
static bool nth_address(const char *out, const char *needle, unsigned nth, char *addr, size_t cap)
{
    const char *p = out;
    for (unsigned i = 0; i <= nth; i++, p++)
        if (!(p = strstr(p, needle)))
            return false;
    const char *start = p - 1;
    while (start > out && start[-1] != '\n')
        start--;
    snprintf(addr, cap, "%.*s", (int)strcspn(start, " "), start);
    return true;
}

TEST(segheap_poolfind_and_pool_find_the_small_leaks)
{
    SEGHEAP_SCENARIO(s, "segheap_find", 5, .vs_leaks = 10, .lfh_leaks = 7, .freed_leaks = 3);
    char *out = nt_fixture_run(s, "!poolfind Leak");
    unsigned live = live_leaks(&spec_);
    CHECK_EQ(count(out, "  (Allocated) Leak\n"), live);
    char *want = kdx_asprintf("\n%u small allocations with tag Leak in 1 heap (1 segment, 1 VS and 1 LFH subsegments",
                              live);
    CHECK_CONTAINS(out, want);
    free(want);
    CHECK_CONTAINS(out, "\n5 large allocations with tag Leak.\n");
    /* !pool on the last small Leak (an LFH block): the subsegment, starred. */
    char addr[32];
    REQUIRE(nth_address(out, "  (Allocated) Leak\n", live - 1, addr, sizeof addr));
    free(out);
    char *cmd = kdx_asprintf("!pool %s+0x18", addr);
    out = nt_fixture_run(s, cmd);
    char *star = kdx_asprintf("*%s size:", addr);
    CHECK_CONTAINS(out, star);
    CHECK_CONTAINS(out, "(LFH subsegment ");
    CHECK_CONTAINS(out, "(Allocated) *Leak\n\t\tPooltag Leak : ");
    CHECK_EQ(count(out, "\n*"), 1);
    free(star);
    free(cmd);
    free(out);
    /* ... and on the first live VS one. */
    out = nt_fixture_run(s, "!poolfind Leak");
    REQUIRE(nth_address(out, "  (Allocated) Leak\n", 0, addr, sizeof addr));
    free(out);
    cmd = kdx_asprintf("!pool %s", addr);
    out = nt_fixture_run(s, cmd);
    CHECK_CONTAINS(out, "(VS subsegment ");
    CHECK_CONTAINS(out, "region is Nonpaged pool\n");
    CHECK(strstr(out, "(Free)") != NULL);
    CHECK(strstr(out, "__inVALID") == NULL);
    free(cmd);
    free(out);
    s->json = true;
    out = nt_fixture_run(s, "!poolfind Leak");
    s->json = false;
    CHECK_EQ(count(out, "\"walk\": \"VS\"") + count(out, "\"walk\": \"LFH\""), live);
    CHECK_EQ(count(out, "\"walk\": \"PoolBigPageTable\""), 5);
    CHECK_CONTAINS(out, "\"walk\": \"segment heap: nt!ExPoolState\"");
    free(out);
    out = nt_fixture_run(s, "!poolfind Leak 1");
    CHECK_CONTAINS(out, "\n0 small allocations with tag Leak");
    free(out);
    /* !pool under .json: the first live VS Leak's subsegment, one block holding the address. */
    s->json = true;
    cmd = kdx_asprintf("!pool %s+0x18", addr);
    out = nt_fixture_run(s, cmd);
    s->json = false;
    CHECK_CONTAINS(out, "\"walk\": \"VS\"");
    CHECK_EQ(count(out, "\"holds_address\": true"), 1);
    CHECK_CONTAINS(out, "\"pool_inferred\": true");
    free(cmd);
    free(out);
    /* An address whose would-be segment header is not in the dump: said, then the page is tried. */
    out = nt_fixture_run(s, "!pool ffffc08bfff00010");
    CHECK_CONTAINS(out, "(segment heap not searched for this address: ");
    CHECK_CONTAINS(out, "the page segment header that would describe ffffc08bfff00010 (at ffffc08bfff00000, "
                        "SegContexts[0]'s alignment) is not in the dump");
    CHECK_CONTAINS(out, "pool page ffffc08bfff00000 cannot be read");
    free(out);
    nt_fixture_close(s);
}

TEST(segheap_corrupt_chunk_header_is_named_and_the_walk_goes_on)
{
    SEGHEAP_SCENARIO(s, "segheap_corrupt", 1, .heap.corrupt_vs_chunk = true, .vs_leaks = 6, .lfh_leaks = 4,
                     .freed_leaks = 1);
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "is corrupt (decoded size");
    CHECK_CONTAINS(out, "0 structures of the segment heap are not in the dump and 1 is corrupt");
    /* The corrupt chunk is the last one: every allocation before it, and the LFH subsegment after it, are found. */
    CHECK_EQ(count(out, "  (Allocated) Leak\n"), live_leaks(&spec_));
    free(out);
    nt_fixture_close(s);
}

TEST(segheap_looping_segment_list_and_absent_subsegment)
{
    SEGHEAP_SCENARIO(s, "segheap_loop", 1, .heap.looping_segment_list = true, .heap.absent_subsegment = true,
                     .vs_leaks = 3, .lfh_leaks = 3);
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "loops at segment");
    CHECK_CONTAINS(out, "its header (nt!_HEAP_VS_SUBSEGMENT) is not in the dump");
    CHECK_CONTAINS(out, "1 structure of the segment heap is not in the dump and 1 is corrupt");
    CHECK_EQ(count(out, "  (Allocated) Leak\n"), live_leaks(&spec_));
    CHECK_CONTAINS(out, "in 1 heap (2 segments, 2 VS and 1 LFH subsegments");
    free(out);
    nt_fixture_close(s);
}

/* A wrong HeapKey (written through the edit overlay) makes every segment's
 * Signature foreign; an interrupt stops the walk before any block. */
TEST(segheap_wrong_key_and_interrupt)
{
    SEGHEAP_SCENARIO(s, "segheap_key", 1, .vs_leaks = 2, .lfh_leaks = 2);
    kdx_err err = {0};
    kdx_segheap_stats st;
    tally n = {0};
    kdx_interrupt_request();
    CHECK(kdx_segheap_walk(s, count_block, &n, &st, &err) == KDX_E_INTERRUPTED);
    kdx_interrupt_clear();
    CHECK_CONTAINS(err.msg, "walking the segment heaps interrupted");
    CHECK_EQ(st.blocks, 0);
    uint64_t globals, off;
    CHECK_OK(kdx_nt_symbol(s, "nt!RtlpHpHeapGlobals", &globals, &err));
    CHECK_OK(kdx_nt_offset(s, "nt!_RTLP_HP_HEAP_GLOBALS", "HeapKey", &off, &err));
    const uint8_t wrong[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_OK(kdx_write_virt(s->target, globals + off, wrong, 8, NULL));
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "its Signature does not match SegContexts[0]");
    CHECK_CONTAINS(out, "\n0 small allocations with tag Leak in 1 heap (0 segments");
    free(out);
    nt_fixture_close(s);
}

static int first_vs_busy(void *ud, const kdx_segheap_block *b)
{
    if (b->kind != KDX_SEGHEAP_VS || !b->busy)
        return 0;
    *(uint64_t *)ud = b->start;
    return 1;
}

/* An allocated chunk whose encoded page offset does not name its own page. */
TEST(segheap_chunk_naming_another_page_is_corrupt)
{
    SEGHEAP_SCENARIO(s, "segheap_page", 1, .vs_leaks = 3, .lfh_leaks = 2);
    kdx_err err = {0};
    kdx_segheap_stats st;
    uint64_t chunk = 0, off;
    CHECK_OK(kdx_segheap_walk(s, first_vs_busy, &chunk, &st, &err));
    REQUIRE(chunk);
    CHECK_OK(kdx_nt_offset(s, "nt!_HEAP_VS_CHUNK_HEADER", "EncodedSegmentPageOffset", &off, &err));
    uint8_t b;
    CHECK_OK(kdx_read_virt(s->target, chunk + off, &b, 1, NULL, &err));
    b ^= 0x5a;
    CHECK_OK(kdx_write_virt(s->target, chunk + off, &b, 1, NULL));
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "(EncodedSegmentPageOffset corrupt)");
    /* The LFH subsegment after it is still searched. */
    CHECK_EQ(count(out, "  (Allocated) Leak\n"), spec_.lfh_leaks);
    free(out);
    nt_fixture_close(s);
}

TEST(segheap_absent_without_a_segment_heap)
{
    if (!nt_fixture_layout(NULL))
        SKIP("needs ../shared/testdata/%s (the layout), which is not present", NT_FIXTURE_ISF);
    kdx_session *s = open_segheap("segheap_none", 2, NULL);
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!poolfind Leak");
    CHECK_CONTAINS(out, "\n0 small allocations with tag Leak in 0 heaps");
    free(out);
    nt_fixture_close(s);
}

/* The golden transcript tests/golden/pool_segheap.txt: 4 large Leak
 * allocations, and small ones in a segment heap (6 VS, 4 LFH, the first of
 * each freed). */
static kdx_status gen_segheap(const char *out, kdx_err *err)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_leak_spec spec = {4, false, false, false, false};
    kdx_scn_small_leaks small = {.vs_leaks = 6, .lfh_leaks = 4, .freed_leaks = 1};
    return kdx_scn_pool_leak_small(l, &id, &spec, &small, out, err);
}

TEST_GENERATOR(pool_segheap, gen_segheap)
