/* libFuzzer target: the pool and Driver Verifier walkers (src/nt/pool.c,
 * src/nt/segheap.c, src/nt/verifier.c). Once, the leak scenario (Windows
 * 7-style linear pool, Verifier on leaky.sys, and a kernel segment heap with
 * small allocations whose VS and LFH subsegment pages are fuzzed too) is written with the 19041 ISF from
 * ../shared/testdata (or $KDX_TESTDATA) and opened. Each input is written,
 * through the session's edit overlay, over the structures the walkers read:
 * the tag table's pointer and size, the tag table, a _POOL_HEADER page, the
 * large-allocation table, the first pool tracker page, the pool trace log
 * with its length, and the IRP, fault-injection and forced-pending logs
 * (kdx_scn_pool_leak_logs) with their globals; then every walker runs and the original bytes are put
 * back, so inputs never see each other's edits. Without the ISF the target
 * does nothing (and says so once). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump/scenario_pool.h"
#include "nt/field.h"
#include "nt/pool.h"
#include "nt/segheap.h"
#include "nt/verifier.h"
#include "sym/sources.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "target/session.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ISF_REL "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"
#define REGION 0x1000u

static kdx_session *ses;
static char dump_path[64];

typedef struct region {
    uint64_t va;
    uint8_t saved[REGION];
    size_t len;
} region;
static region regions[14];
static size_t nregions;

static void cleanup(void)
{
    if (ses)
        kdx_session_free(ses);
    if (dump_path[0])
        unlink(dump_path);
}

static const char *testdata(void)
{
    const char *env = getenv("KDX_TESTDATA");
    return env && *env ? env : "../shared/testdata";
}

static void add_region(uint64_t va, size_t len)
{
    if (!va || nregions == sizeof regions / sizeof regions[0])
        return;
    region *r = &regions[nregions];
    r->va = va, r->len = len > REGION ? REGION : len;
    size_t done = 0;
    if (kdx_read_virt(ses->target, va, r->saved, r->len, &done, NULL) == KDX_OK)
        nregions++;
}

static uint64_t global_ptr(const char *name)
{
    uint64_t a = 0, v = 0;
    if (kdx_nt_symbol(ses, name, &a, NULL) != KDX_OK || kdx_read_ptr(ses->target, a, &v, NULL) != KDX_OK)
        return 0;
    return v;
}

static int first_alloc(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller)
{
    (void)bytes, (void)tag, (void)caller;
    *(uint64_t *)ud = va;
    return 1;
}

/* The first VS and LFH subsegments' first pages. */
static int subsegment(void *ud, const kdx_segheap_block *b)
{
    uint64_t *sub = ud;
    if (!sub[b->kind])
        sub[b->kind] = b->subsegment;
    return sub[0] && sub[1];
}

static void find_regions(void)
{
    uint64_t sub[2] = {0, 0};
    kdx_segheap_stats hs;
    kdx_segheap_walk(ses, subsegment, sub, &hs, NULL);
    add_region(sub[KDX_SEGHEAP_VS], REGION);
    add_region(sub[KDX_SEGHEAP_LFH], REGION);
    uint64_t a = 0;
    if (kdx_nt_symbol(ses, "nt!PoolTrackTable", &a, NULL) == KDX_OK)
        add_region(a & ~0xfull, 0x100); /* the pointer and its neighbours, sizes included */
    add_region(global_ptr("nt!PoolTrackTable"), REGION);
    add_region(global_ptr("nt!PoolBigPageTable"), REGION);
    add_region(global_ptr("nt!VfPoolTraces"), REGION);
    /* The other logs' arrays, and their pointer, length and index globals. */
    static const char *const rings[] = {"nt!IovIrpTraces", "nt!ViFaultTraces", "nt!VfForcedPendingLog"};
    for (size_t i = 0; i < sizeof rings / sizeof rings[0]; i++)
        add_region(global_ptr(rings[i]), REGION);
    if (kdx_nt_symbol(ses, "nt!IovIrpTracesLength", &a, NULL) == KDX_OK)
        add_region(a & ~0xfull, 0x10);
    kdx_vf_drivers ds;
    if (kdx_vf_drivers_read(ses, &ds, NULL) == KDX_OK && ds.n) {
        uint64_t va = 0;
        kdx_vf_allocations(ses, &ds.items[0], first_alloc, &va, NULL);
        add_region(va & ~0xfffull, REGION);      /* a _POOL_HEADER page */
        add_region(ds.items[0].verified, 0x100); /* PoolTrackers' SLIST header */
    }
    kdx_vf_drivers_free(&ds);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char *isf = malloc(strlen(testdata()) + sizeof ISF_REL + 2);
    sprintf(isf, "%s/%s", testdata(), ISF_REL);
    kdx_symprov prov = {0};
    kdx_symfile_id id = {0};
    kdx_err err = {0};
    if (kdx_isf_provider_open(isf, &prov, &id, &err) != KDX_OK) {
        fprintf(stderr, "fuzz_pool: %s: the layout is needed; nothing is fuzzed\n", err.msg);
        free(isf);
        return 0;
    }
    snprintf(dump_path, sizeof dump_path, "/tmp/kdx-fuzz-pool-%d.dmp", (int)getpid());
    kdx_scn_leak_spec spec = {40, true, false, false, true};
    kdx_scn_small_leaks small = {.vs_leaks = 6, .lfh_leaks = 4, .freed_leaks = 1};
    kdx_status st = kdx_scn_pool_leak_with(&prov, &id, &spec, true, &small, dump_path, &err);
    prov.ops->destroy(prov.impl);
    atexit(cleanup);
    if (st == KDX_OK) {
        ses = kdx_session_new(fopen("/dev/null", "w"));
        char *dir = malloc(strlen(testdata()) + 8);
        sprintf(dir, "%s/isf", testdata());
        kdx_sym_set_path(ses, dir, false);
        free(dir);
        if (kdx_session_open(ses, dump_path, &err) == KDX_OK)
            find_regions();
    }
    if (!nregions)
        fprintf(stderr, "fuzz_pool: scenario not usable: %s\n", err.msg);
    free(isf);
    return 0;
}

static int count_big(void *ud, const kdx_pool_big *b)
{
    (void)b;
    return ++*(unsigned *)ud > 100000;
}

static int count_trace(void *ud, const kdx_vf_trace *t)
{
    (void)t;
    return ++*(unsigned *)ud > 100000;
}

static int count_alloc(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller)
{
    (void)va, (void)bytes, (void)tag, (void)caller;
    return ++*(unsigned *)ud > 100000;
}

static int count_block(void *ud, const kdx_segheap_block *b)
{
    (void)b;
    return ++*(unsigned *)ud > 100000;
}

static void run_walkers(void)
{
    kdx_segheap_stats hs;
    unsigned blocks = 0;
    kdx_segheap_walk(ses, count_block, &blocks, &hs, NULL);
    kdx_pool_usage u;
    kdx_pool_usage_read(ses, false, &u, NULL);
    kdx_pool_usage_free(&u);
    unsigned n = 0;
    kdx_pool_big_walk(ses, count_big, &n, NULL);
    for (size_t i = 0; i < nregions; i++) {
        kdx_pool_page pg;
        if (kdx_pool_page_read(ses, regions[i].va, &pg, NULL) == KDX_OK)
            kdx_pool_page_free(&pg);
    }
    for (kdx_vf_log log = KDX_VF_POOL_LOG; log <= KDX_VF_PENDING_LOG; log++) {
        kdx_vf_log_info info;
        kdx_vf_log_walk_recent(ses, log, count_trace, &n, &info, NULL);
    }
    kdx_vf_drivers ds;
    if (kdx_vf_drivers_read(ses, &ds, NULL) == KDX_OK)
        for (size_t i = 0; i < ds.n; i++)
            kdx_vf_allocations(ses, &ds.items[i], count_alloc, &n, NULL);
    kdx_vf_drivers_free(&ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nregions || size == 0)
        return 0;
    /* The input is spread over the regions in turn, each getting its share. */
    size_t share = size / nregions + 1, at = 0;
    for (size_t i = 0; i < nregions && at < size; i++) {
        size_t n = size - at < share ? size - at : share;
        if (n > regions[i].len)
            n = regions[i].len;
        kdx_write_virt(ses->target, regions[i].va, data + at, n, NULL);
        at += n;
    }
    run_walkers();
    for (size_t i = 0; i < nregions; i++)
        kdx_write_virt(ses->target, regions[i].va, regions[i].saved, regions[i].len, NULL);
    return 0;
}
