/* Driver Verifier's state, read through the loaded types (docs/pool.md):
 * the counters in nt!MmVerifierData (_MM_DRIVER_VERIFIER_DATA), the
 * verified drivers (nt!VfSuspectDriversList of _VF_SUSPECT_DRIVER_ENTRY and
 * the tree nt!ViTargetDriversAvl whose _VF_TARGET_DRIVER elements point at
 * each driver's _VF_TARGET_VERIFIED_DRIVER_DATA), a driver's outstanding
 * allocations (the _VI_POOL_ENTRY pages of its PoolTrackers list), the pool
 * allocate/free log nt!VfPoolTraces (_VF_POOL_TRACE), the critical-region
 * log nt!VfKeCriticalRegionTraces (_VF_KE_CRITICAL_REGION_TRACE), the
 * IRQL log nt!ViTrackIrqlQueue (_VI_TRACK_IRQL), the IRP log
 * nt!IovIrpTraces (_IOV_IRP_TRACE), the fault-injection log
 * nt!ViFaultTraces (_VI_FAULT_TRACE) and the forced-pending IRP log
 * nt!VfForcedPendingLog (_IOV_FORCED_PENDING_TRACE). Walkers
 * are bounded, loop-safe and interruptible. */
#ifndef KDX_NT_VERIFIER_H
#define KDX_NT_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* _MM_DRIVER_VERIFIER_DATA field names, in the order !verifier prints them. */
typedef struct kdx_vf_counter {
    const char *field;
    uint64_t value;
    bool present;
} kdx_vf_counter;

typedef struct kdx_vf_summary {
    uint64_t address;         /* of nt!MmVerifierData */
    uint64_t level;
    kdx_vf_counter c[24];
    size_t n;
} kdx_vf_summary;
kdx_status kdx_vf_summary_read(kdx_session *s, kdx_vf_summary *sum, kdx_err *err);
/* A counter by field name ("RaiseIrqls"); false when not read. */
bool kdx_vf_counter_get(const kdx_vf_summary *sum, const char *field, uint64_t *v);

typedef struct kdx_vf_driver {
    uint64_t entry;           /* _VF_SUSPECT_DRIVER_ENTRY */
    char name[128];
    uint32_t loads, unloads;
    uint64_t verified;        /* _VF_TARGET_VERIFIED_DRIVER_DATA, 0 when the tree has none for it */
    uint64_t base, size;      /* from the tree, when found */
    uint64_t cur_np, cur_p, np_bytes, p_bytes, peak_np, peak_p, peak_np_bytes, peak_p_bytes;
} kdx_vf_driver;
typedef struct kdx_vf_drivers {
    kdx_vf_driver *items;
    size_t n;
    char note[600];           /* why verified data could not be attached (empty: none) */
} kdx_vf_drivers;
kdx_status kdx_vf_drivers_read(kdx_session *s, kdx_vf_drivers *out, kdx_err *err);
void kdx_vf_drivers_free(kdx_vf_drivers *d);

/* A driver's outstanding allocations; cb nonzero stops. */
typedef int (*kdx_vf_alloc_cb)(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller);
kdx_status kdx_vf_allocations(kdx_session *s, const kdx_vf_driver *d, kdx_vf_alloc_cb cb, void *ud, kdx_err *err);

/* _IOV_FORCED_PENDING_TRACE keeps 62 frames, the most of any log in 19041. */
#define KDX_VF_MAX_FRAMES 64
/* A log entry: pool trace (address, size, thread, stack), critical region
 * or fault injection (thread, stack), IRQL change, IRP event (irp, thread,
 * IRQL and APC disable counts, stack) or forced-pending IRP (irp, thread,
 * stack). Fields a log's type lacks stay 0. */
typedef struct kdx_vf_trace {
    uint64_t entry, address, size, thread;
    uint64_t old_irql, new_irql, processor, tick;   /* the IRQL log's */
    uint64_t irp, irql, kernel_apc, special_apc;    /* the IRP log's */
    uint64_t index;           /* the entry's slot in the log */
    uint64_t stack[KDX_VF_MAX_FRAMES];
    unsigned n;
} kdx_vf_trace;
typedef int (*kdx_vf_trace_cb)(void *ud, const kdx_vf_trace *t);
typedef enum kdx_vf_log {
    KDX_VF_POOL_LOG, KDX_VF_CRITICAL_REGION_LOG, KDX_VF_IRQL_LOG, KDX_VF_IRP_LOG, KDX_VF_FAULT_LOG,
    KDX_VF_PENDING_LOG
} kdx_vf_log;
/* The log's globals and entry type ("nt!IovIrpTraces", "nt!_IOV_IRP_TRACE");
 * option: the Driver Verifier option that fills it (NULL: not known). */
const char *kdx_vf_log_array_name(kdx_vf_log log);
const char *kdx_vf_log_type_name(kdx_vf_log log);
const char *kdx_vf_log_option(kdx_vf_log log);
/* False when the log has no index global: its entries cannot be put in age order. */
bool kdx_vf_log_has_index(kdx_vf_log log);
/* Where the log is and how many entries it has room for. */
kdx_status kdx_vf_log_locate(kdx_session *s, kdx_vf_log log, uint64_t *array, uint64_t *length, kdx_err *err);
/* What a walk by age found. */
typedef struct kdx_vf_log_info {
    uint64_t array, length, esz;
    bool has_index;           /* false: the log has no index global (entries in array order) */
    uint64_t index;           /* the index global as read (the next slot: index % length) */
    uint64_t used, visited;   /* entries in use; entries read */
    bool wrapped;             /* every slot is in use: older entries were overwritten */
} kdx_vf_log_info;
/* Walks the used entries newest first: from the slot before the index
 * global backwards round the ring (array order when the log has no index).
 * cb nonzero stops. info says how far it went and whether the log is full. */
kdx_status kdx_vf_log_walk_recent(kdx_session *s, kdx_vf_log log, kdx_vf_trace_cb cb, void *ud, kdx_vf_log_info *info,
                                  kdx_err *err);

#endif
