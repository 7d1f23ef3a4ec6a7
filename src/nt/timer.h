/* Kernel timers (_KTIMER) in the per-processor timer tables of Windows 10
 * (KPRCB.TimerTable.TimerEntries[2][256], lists of KTIMER.TimerListEntry):
 * due time, period, and what fires: the thread whose KTHREAD.Timer it is,
 * or its DPC. Windows 8.1 and later store KTIMER.Dpc encoded with
 * nt!KiWaitNever / nt!KiWaitAlways; kdx decodes it with the scheme public
 * analyses describe (timer.c) and keeps the result only when it is a DPC
 * object (docs/nt.md: inferred). */
#ifndef KDX_NT_TIMER_H
#define KDX_NT_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef struct kdx_nt_timer {
    uint64_t addr;
    uint64_t due;             /* DueTime: interrupt time, 100 ns units */
    uint32_t period;          /* ms, 0: one-shot */
    uint64_t thread;          /* the KTHREAD whose Timer this is, else 0 */
    uint64_t dpc_raw;         /* KTIMER.Dpc as stored */
    uint64_t dpc;             /* the DPC when known (decoded and checked), else 0 */
    uint64_t dpc_routine;
    kdx_err dpc_why;          /* why a nonzero dpc_raw gave no DPC */
} kdx_nt_timer;

kdx_status kdx_nt_timer_read(kdx_session *s, uint64_t addr, kdx_nt_timer *t, kdx_err *err);

/* Every timer of processor cpu's table: kind (the first index of TimerEntries), list (the second). */
typedef int (*kdx_nt_timer_cb)(void *ud, unsigned kind, unsigned list, const kdx_nt_timer *t);
kdx_status kdx_nt_timer_walk(kdx_session *s, unsigned cpu, kdx_nt_timer_cb cb, void *ud, uint64_t *table,
                             kdx_err *err);

/* The encoding of KTIMER.Dpc, for the scenario writer's tests of the decoder. */
uint64_t kdx_nt_timer_dpc_encode(uint64_t dpc, uint64_t timer, uint64_t wait_never, uint64_t wait_always);
uint64_t kdx_nt_timer_dpc_decode(uint64_t stored, uint64_t timer, uint64_t wait_never, uint64_t wait_always);

#endif
