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

/* The leak scenario's Verifier logs (kdx_scn_pool_leak_logs; the counts
 * tests compute their expectations from): leaky.sys's driver object and
 * device, KDX_SCN_LEAK_IRPS device-control IRPs each allocated and
 * completed in the IRP log, the last one also cancelled; faults injected
 * into leaky!LeakAlloc's allocations; the first KDX_SCN_LEAK_PENDING IRPs
 * forced pending; IRQL raises in leaky!DispatchIoctl (the IRQL log is the
 * pool scenario's, p). The rings' lengths are the KDX_SCN_LEAK_*_LENGTH. */
#define KDX_SCN_LEAK_IRPS 3u
#define KDX_SCN_LEAK_IRP_EVENTS (2u * KDX_SCN_LEAK_IRPS + 1u)
#define KDX_SCN_LEAK_FAULTS 5u
#define KDX_SCN_LEAK_PENDING 2u
#define KDX_SCN_LEAK_IRQLS 6u
#define KDX_SCN_LEAK_IRP_LENGTH 0x100u
#define KDX_SCN_LEAK_FAULT_LENGTH 0x80u
#define KDX_SCN_LEAK_PENDING_LENGTH 0x40u
/* MmVerifierData.Level with the logs: special IRQL (0x2), low resources
 * (0x4), pool tracking (0x8), I/O verification (0x10), forced pending
 * (0x200). */
#define KDX_SCN_LEAK_LOG_LEVEL 0x21eu
struct kdx_scn_pool;
/* thread: the worker the events ran on; alloc_ret: the return address of
 * LeakAlloc's call to the allocator; dispatch_ret: DispatchIoctl's return
 * address into LeakAlloc's caller. */
void kdx_scn_leak_vf_logs(kdx_scn *s, struct kdx_scn_pool *p, uint64_t thread, uint64_t alloc_ret,
                          uint64_t dispatch_ret);

#endif
