/* The pool-leak scenario (kdx_scn_pool_leak, scenario_pool.h): the
 * situation of the NTDebugging "Troubleshooting Pool Leaks" articles, laid
 * out with the layout's types. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dump/scenario_pool.h"
#include "dump/scenario_vflog.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define LEAK TAG('L', 'e', 'a', 'k')
#define LEAKY_BASE 0xfffff8048b600000ull
#define LEAKY_SIZE 0x10000u
#define OTHER_BASE 0xfffff8048b580000ull
#define LEAK_BYTES 0x1000u
#define LINEAR_BLOCK 0x100u

/* A busy system's other tags (allocs, frees, bytes): below the leak. */
static void other_tags(kdx_scn_pool *p)
{
    static const struct {
        char tag[5];
        bool paged;
        uint64_t allocs, frees, bytes;
    } t[] = {
        {"EtwB", false, 120, 26, 945136}, {"EtwB", true, 9, 5, 163840},  {"File", false, 9000, 7800, 614400},
        {"Irp ", false, 700, 520, 207360}, {"MmSt", true, 5200, 1100, 9830400}, {"Ntfx", false, 2400, 1700, 1172224},
        {"ObNm", true, 3000, 2900, 24576},  {"Se  ", true, 1500, 1200, 65536},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        kdx_scn_pool_track(p, TAG(t[i].tag[0], t[i].tag[1], t[i].tag[2], t[i].tag[3]), t[i].paged, t[i].allocs,
                           t[i].frees, t[i].bytes);
    /* Session pool (win32k's kind of tags). */
    kdx_scn_pool_session_track(p, TAG('G', 'h', '0', '5'), 400, 100, 1228800);
    kdx_scn_pool_session_track(p, TAG('U', 's', 'q', 'u'), 60, 10, 51200);
}

static uint64_t system_thread(kdx_scn *s, uint64_t process, uint32_t tid, int cpu, bool unloading)
{
    kdx_scn_thread_spec t = {0};
    t.tid = tid;
    t.state = "Running";
    t.cpu = cpu;
    if (unloading) {
        const char *f[] = {"nt!KeBugCheckEx", "nt!VerifierBugCheckIfAppropriate", "nt!VfPoolCheckForLeaks",
                           "nt!MmUnloadSystemImage", "nt!IopDeleteDriver", "nt!ObpRemoveObjectRoutine",
                           "nt!IopUnloadDriver", "nt!ExpWorkerThread",
                           "nt!PspSystemThreadStartup", "nt!KiStartSystemThread"};
        memcpy(t.frames, f, sizeof f);
    } else {
        t.frames[0] = cpu ? "nt!KiIdleLoop" : "nt!KeBugCheckEx";
        t.frames[1] = cpu ? NULL : "nt!KiStartSystemThread";
    }
    return kdx_scn_thread(s, process, &t);
}

/* A small-block page: !pool on its Leak block shows the header chain. */
static void small_page(kdx_scn_pool *p)
{
    const kdx_scn_pool_block b[] = {
        {TAG('N', 't', 'f', 'x'), 0x60, false}, {LEAK, 0x80, false}, {0, 0x40, false}, {TAG('F', 'i', 'l', 'e'), 0x100, false},
    };
    kdx_scn_pool_page(p, b, sizeof b / sizeof b[0], NULL);
}

/* The linear pool's leak: pages of fifteen 0x100-byte Leak blocks and one
 * other block each; an allocation's address follows its header. */
static void linear_leaks(kdx_scn *s, kdx_scn_pool *p, kdx_scn_vf_alloc *a, unsigned leaks)
{
    uint64_t unit = kdx_scn_sizeof(s, "_POOL_HEADER");
    kdx_scn_pool_block b[16];
    uint64_t at[16];
    for (unsigned done = 0; done < leaks;) {
        unsigned n = leaks - done < 15 ? leaks - done : 15;
        for (unsigned k = 0; k < n; k++)
            b[k] = (kdx_scn_pool_block){LEAK, LINEAR_BLOCK, false};
        b[n] = (kdx_scn_pool_block){TAG('F', 'i', 'l', 'e'), LINEAR_BLOCK, false};
        kdx_scn_pool_page(p, b, n + 1, at);
        for (unsigned k = 0; k < n; k++)
            a[done + k].va = at[k] + unit, a[done + k].bytes = LINEAR_BLOCK - unit;
        done += n;
    }
}

/* The stack Verifier logged for one allocation (innermost first). The nt
 * frames are declared functions so they lie in the image's code; offsets
 * stay inside the smallest function the writer lays out (0x40 bytes). */
static unsigned leak_stack(kdx_scn *s, uint64_t callers, uint64_t dispatch_ret, uint64_t *st)
{
    unsigned n = 0;
    st[n++] = kdx_scn_code(s, "nt!VeAllocatePoolWithTagPriority", 0x36);
    st[n++] = kdx_scn_code(s, "nt!VerifierExAllocatePoolEx", 0x1d);
    st[n++] = callers;
    st[n++] = dispatch_ret;
    st[n++] = kdx_scn_code(s, "nt!IovCallDriver", 0x20);
    st[n++] = kdx_scn_code(s, "nt!IopXxxControlFile", 0x37);
    st[n++] = kdx_scn_code(s, "nt!NtDeviceIoControlFile", 0x16);
    st[n++] = kdx_scn_code(s, "nt!KiSystemServiceCopyEnd", 0x13);
    return n;
}

/* DispatchIoctl calls LeakAlloc: a call instruction whose return address
 * is the second frame of every logged stack. */
static uint64_t dispatch_call(kdx_scn *s)
{
    uint64_t at = kdx_scn_code(s, "leaky!DispatchIoctl", 0x40), target = kdx_scn_code(s, "leaky!LeakAlloc", 0);
    uint8_t c[5] = {0xe8, 0, 0, 0, 0};
    uint32_t rel = (uint32_t)(target - (at + 5));
    memcpy(c + 1, &rel, 4);
    kdx_scn_code_patch(s, at, c, sizeof c);
    return at + 5;
}

/* Small Leak allocations in a segment heap, each after a block of another
 * tag; the first freed_leaks of each subsegment are freed again. */
static void segheap_leaks(kdx_scn *s, const kdx_scn_small_leaks *spec)
{
    kdx_scn_segheap *h = kdx_scn_segheap_new(s, &spec->heap);
    for (int lfh = 0; lfh < 2; lfh++) {
        unsigned n = lfh ? spec->lfh_leaks : spec->vs_leaks;
        for (unsigned i = 0; i < n; i++) {
            kdx_scn_segheap_alloc(h, lfh, lfh ? TAG('N', 't', 'f', 'x') : TAG('F', 'i', 'l', 'e'), KDX_SCN_NONPAGED,
                                  lfh ? 0x40 : 0x90);
            uint64_t va = kdx_scn_segheap_alloc(h, lfh, LEAK, KDX_SCN_NONPAGED, lfh ? 0x60 : 0x70 + 0x10 * (i % 4));
            if (i < spec->freed_leaks)
                kdx_scn_segheap_free(h, va);
        }
    }
    kdx_scn_segheap_finish(h);
}

static kdx_status build(kdx_scn *s, const kdx_scn_leak_spec *spec, bool logs, const kdx_scn_small_leaks *small,
                        const char *path, kdx_err *err)
{
    unsigned leaks = spec->leaks ? spec->leaks : 2000;
    kdx_scn_module(s, "kdxscen.sys", OTHER_BASE, 0x10000);
    kdx_scn_module(s, "leaky.sys", LEAKY_BASE, LEAKY_SIZE);
    kdx_scn_function(s, "leaky!DriverEntry", 0);
    kdx_scn_function(s, "leaky!DispatchIoctl", 0);
    kdx_scn_function(s, "leaky!LeakAlloc", 0);
    kdx_scn_function(s, "leaky!DriverUnload", 0);
    /* Another module holding the tag's bytes as plain data: a weaker candidate. */
    kdx_scn_function(s, "kdxscen!Strings", 0);
    kdx_scn_code_patch(s, kdx_scn_code(s, "kdxscen!Strings", 0x60), "Leak", 4);
    uint64_t callers = kdx_scn_pool_alloc_site(s, "leaky!LeakAlloc", KDX_SCN_NONPAGED_NX, LEAK_BYTES, LEAK);
    uint64_t dispatch_ret = dispatch_call(s);

    kdx_scn_process_spec sp = {"System", 4, 0, -1, 0, false, 0};
    uint64_t sys = kdx_scn_process(s, &sp);
    uint64_t worker = system_thread(s, sys, 0x100, 0, spec->unload_bugcheck);
    for (int cpu = 1; cpu < 4; cpu++)
        system_thread(s, sys, 0x100 + 4 * (uint32_t)cpu, cpu, false);

    kdx_scn_pool *p = kdx_scn_pool_new(s);
    other_tags(p);
    small_page(p);
    /* Without Verifier the allocations need no record here: a million of
     * them (the benchmark) are only table entries. */
    if (!spec->verifier && !spec->linear) {
        for (unsigned i = 0; i < leaks; i++)
            kdx_scn_pool_big(p, LEAK, KDX_SCN_NONPAGED_NX, LEAK_BYTES, !spec->unbacked);
    }
    kdx_scn_vf_alloc *a = spec->verifier || spec->linear ? kdx_xcalloc(leaks, sizeof *a) : NULL;
    if (spec->linear)
        linear_leaks(s, p, a, leaks);
    for (unsigned i = 0; a && i < leaks; i++) {
        if (!spec->linear)
            a[i].va = kdx_scn_pool_big(p, LEAK, KDX_SCN_NONPAGED_NX, LEAK_BYTES, !spec->unbacked);
        a[i].bytes = spec->linear ? a[i].bytes : LEAK_BYTES;
        a[i].tag = LEAK, a[i].caller = callers, a[i].thread = worker;
        a[i].nstack = leak_stack(s, callers, dispatch_ret, a[i].stack);
    }
    uint64_t entry = 0;
    if (spec->verifier)
        entry = kdx_scn_pool_verifier(p, logs ? KDX_SCN_LEAK_LOG_LEVEL : 8, "leaky.sys", LEAKY_BASE, LEAKY_SIZE,
                                      a, leaks);
    if (spec->verifier && logs)
        kdx_scn_leak_vf_logs(s, p, worker, callers, dispatch_ret);
    free(a);
    kdx_scn_pool_finish(p);
    if (small)
        segheap_leaks(s, small);
    if (spec->unload_bugcheck) {
        uint64_t args[4] = {0x62, entry + kdx_scn_offset(s, "_VF_SUSPECT_DRIVER_ENTRY", "BaseName"), entry, leaks};
        kdx_scn_bugcheck(s, 0xc4, args);
    }
    return kdx_scn_save(s, path, err);
}

kdx_status kdx_scn_pool_leak_with(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                  bool logs, const kdx_scn_small_leaks *small, const char *path, kdx_err *err)
{
    kdx_scn *s = NULL;
    kdx_status st = kdx_scn_new(layout, id, NULL, &s, err);
    if (st != KDX_OK)
        return st;
    st = build(s, spec, logs, small, path, err);
    kdx_scn_free(s);
    return st;
}

kdx_status kdx_scn_pool_leak(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                             const char *path, kdx_err *err)
{
    return kdx_scn_pool_leak_with(layout, id, spec, false, NULL, path, err);
}

kdx_status kdx_scn_pool_leak_logs(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                  const char *path, kdx_err *err)
{
    kdx_scn_leak_spec with = *spec;
    with.verifier = true;
    return kdx_scn_pool_leak_with(layout, id, &with, true, NULL, path, err);
}

kdx_status kdx_scn_pool_leak_small(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                   const kdx_scn_small_leaks *small, const char *path, kdx_err *err)
{
    return kdx_scn_pool_leak_with(layout, id, spec, false, small, path, err);
}
