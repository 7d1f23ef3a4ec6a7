/* The scenario writer's Driver Verifier ring logs that the pool scenario
 * does not write (docs/verifier.md): the IRP log nt!IovIrpTraces
 * (_IOV_IRP_TRACE), the fault-injection log nt!ViFaultTraces
 * (_VI_FAULT_TRACE) and the forced-pending IRP log nt!VfForcedPendingLog
 * (_IOV_FORCED_PENDING_TRACE). Entries are laid out by field name with the
 * layout's types; globals go to the layout's symbols. */
#ifndef KDX_DUMP_SCENARIO_VFLOG_H
#define KDX_DUMP_SCENARIO_VFLOG_H

#include <stddef.h>
#include <stdint.h>

#include "dump/scenario.h"

typedef struct kdx_scn_vf_event {
    uint64_t irp, thread;      /* irp: IRP and forced-pending logs only */
    uint8_t irql;              /* IRP log only, with the APC disable counts */
    int16_t kernel_apc, special_apc;
    uint64_t stack[16];        /* innermost first; cut to the type's StackTrace length */
    unsigned nstack;
} kdx_scn_vf_event;

typedef enum kdx_scn_vf_ring { KDX_SCN_VF_IRP_LOG, KDX_SCN_VF_FAULT_LOG, KDX_SCN_VF_PENDING_LOG } kdx_scn_vf_ring;

/* Writes a ring of `length` entries: event k (oldest first) goes to slot
 * k % length, so more events than slots wrap round and overwrite the oldest;
 * the array's address goes to the pointer global, length to the 32-bit
 * length global, and the next slot (n % length) to the index global where
 * the log has one. Returns the array's address. */
uint64_t kdx_scn_vf_ring_log(kdx_scn *s, kdx_scn_vf_ring ring, const kdx_scn_vf_event *e, size_t n, uint32_t length);

#endif
