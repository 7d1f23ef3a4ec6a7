/* The scenario writer's pool and Driver Verifier (docs/pool.md): the tag
 * table nt!PoolTrackTable, large allocations in nt!PoolBigPageTable, pool
 * pages of _POOL_HEADER chains, a driver's allocation call site (its tag as
 * the immediate operand of a call to nt!ExAllocatePoolWithTag), and
 * Verifier's state: nt!MmVerifierData, the verified-driver list and tree
 * with their pool trackers, the pool trace log nt!VfPoolTraces and the
 * critical-region log. Every structure is laid out by field name with the
 * layout's types; globals go to the layout's symbols.
 *
 * Use: kdx_scn_pool_new, declare, kdx_scn_pool_finish (writes the tables
 * and frees the state) before kdx_scn_save. */
#ifndef KDX_DUMP_SCENARIO_POOL_H
#define KDX_DUMP_SCENARIO_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump/scenario.h"

typedef struct kdx_scn_pool kdx_scn_pool;

/* POOL_TYPE values the writer uses (the WDK's enum, not a structure offset). */
#define KDX_SCN_NONPAGED 0u
#define KDX_SCN_PAGED 1u
#define KDX_SCN_NONPAGED_NX 0x200u

kdx_scn_pool *kdx_scn_pool_new(kdx_scn *s);

/* Counters added to tag's PoolTrackTable entry (other tags of a busy system). */
void kdx_scn_pool_track(kdx_scn_pool *p, uint32_t tag, bool paged, uint64_t allocs, uint64_t frees, uint64_t bytes);

/* Counters added to tag's entry in the session pool's tag table
 * (nt!ExpSessionPoolTrackTable; session pool is paged). */
void kdx_scn_pool_session_track(kdx_scn_pool *p, uint32_t tag, uint64_t allocs, uint64_t frees, uint64_t bytes);

/* A large allocation: an entry in PoolBigPageTable, counted in the tag
 * table. backed: the pages are in the dump (zero-filled); else only the
 * table entry is (the benchmark's million allocations). Returns its address. */
uint64_t kdx_scn_pool_big(kdx_scn_pool *p, uint32_t tag, uint32_t pool_type, uint64_t bytes, bool backed);

/* A page of _POOL_HEADER blocks (the linear pool's layout): sizes in bytes,
 * multiples of the header size; tag 0 marks a free block. The rest of the
 * page becomes one free block. addrs[i] receives block i's header address. */
typedef struct kdx_scn_pool_block {
    uint32_t tag, size;
    bool paged;
} kdx_scn_pool_block;
uint64_t kdx_scn_pool_page(kdx_scn_pool *p, const kdx_scn_pool_block *blocks, size_t n, uint64_t *addrs);

/* Writes, in the declared driver function fn ("leaky!LeakAlloc"), the
 * instructions of ExAllocatePoolWithTag(pool_type, bytes, tag) and returns
 * the call's return address (what Verifier records as CallersAddress). */
uint64_t kdx_scn_pool_alloc_site(kdx_scn *s, const char *fn, uint32_t pool_type, uint32_t bytes, uint32_t tag);

/* ---- Driver Verifier ---- */
typedef struct kdx_scn_vf_alloc {
    uint64_t va, bytes, caller, thread;
    uint32_t tag;
    bool paged;
    uint8_t old_irql, new_irql;   /* IRQL log entries only */
    uint16_t processor;
    uint32_t tick;
    uint64_t stack[13];       /* the trace Verifier logged (innermost first) */
    unsigned nstack;
} kdx_scn_vf_alloc;
/* Verifier at level (MmVerifierData.Level) for the driver image file name
 * at base/size, with its outstanding allocations (trackers and pool trace
 * log; allocations already made with kdx_scn_pool_big). */
/* Returns the driver's _VF_SUSPECT_DRIVER_ENTRY. */
uint64_t kdx_scn_pool_verifier(kdx_scn_pool *p, uint32_t level, const char *driver, uint64_t base, uint32_t size,
                               const kdx_scn_vf_alloc *allocs, size_t n);
/* A critical-region log entry (thread, stack). */
void kdx_scn_pool_critical_region(kdx_scn_pool *p, uint64_t thread, const uint64_t *stack, unsigned n);

/* An IRQL log entry (thread, old/new IRQL, processor, tick, stack). */
void kdx_scn_pool_irql_change(kdx_scn_pool *p, const kdx_scn_vf_alloc *e);

/* Lays out the tables and globals; frees p. */
void kdx_scn_pool_finish(kdx_scn_pool *p);

/* The leak scenario of the tests, the demo and the benchmark: leaky.sys
 * (its code loads the tag "Leak" as the Tag argument of a call to
 * nt!ExAllocatePoolWithTag) has leaked `leaks` large nonpaged allocations;
 * other tags fill the tag table; a pool page of small blocks holds one
 * small Leak allocation; with verifier, Driver Verifier tracks leaky.sys's
 * pool (level 8) with allocation stacks, and with unload_bugcheck the dump
 * is the 0xC4/0x62 bug check of its unload. backed: the leaked pages are in
 * the dump (else only their table entries: the benchmark's million). */
typedef struct kdx_scn_leak_spec {
    unsigned leaks;           /* 0: 2000 */
    bool verifier, unload_bugcheck, unbacked;
    /* Windows 7-style linear pool: the leaked blocks are small (0x100 bytes
     * with their header), fifteen to a page of _POOL_HEADER chains, and the
     * large-allocation table is empty. */
    bool linear;
} kdx_scn_leak_spec;
kdx_status kdx_scn_pool_leak(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                             const char *path, kdx_err *err);
/* The same with Verifier's other logs (spec->verifier is implied): IRP,
 * fault-injection, forced-pending and IRQL events of leaky.sys
 * (kdx_scn_leak_vf_logs, scenario_vflog.h) at KDX_SCN_LEAK_LOG_LEVEL. */
kdx_status kdx_scn_pool_leak_logs(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                  const char *path, kdx_err *err);

/* The leak scenario plus a kernel segment heap (scenario_segheap.c, laid
 * out as heap says) holding small Leak allocations: vs_leaks in its VS
 * subsegment and lfh_leaks in its LFH one, each after a block of another
 * tag; the first freed_leaks of each are freed again. */
typedef struct kdx_scn_small_leaks {
    kdx_scn_segheap_spec heap;
    unsigned vs_leaks, lfh_leaks, freed_leaks;
} kdx_scn_small_leaks;
kdx_status kdx_scn_pool_leak_small(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                   const kdx_scn_small_leaks *small, const char *path, kdx_err *err);
/* Both: Verifier's logs (logs, as kdx_scn_pool_leak_logs; spec->verifier
 * must be set) and the segment heap (small, may be NULL). */
kdx_status kdx_scn_pool_leak_with(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_leak_spec *spec,
                                  bool logs, const kdx_scn_small_leaks *small, const char *path, kdx_err *err);

#endif
