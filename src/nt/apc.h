/* APC state of a thread (_KAPC_STATE: ApcState, SavedApcState): the process
 * the thread is attached to, the pending flags, the queued kernel and user
 * APCs (ApcListHead[KernelMode/UserMode] of _KAPC through ApcListEntry), and
 * the APC-disable counts of the KTHREAD (KernelApcDisable, SpecialApcDisable:
 * negative inside critical and guarded regions). */
#ifndef KDX_NT_APC_H
#define KDX_NT_APC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "nt/list.h"
#include "target/session.h"

typedef struct kdx_nt_apc_state {
    uint64_t addr;
    uint64_t process;
    bool kernel_pending, user_pending, kernel_in_progress;
    uint64_t list_head[2];    /* ApcListHead[0] (kernel) and [1] (user) */
} kdx_nt_apc_state;

kdx_status kdx_nt_apc_state_read(kdx_session *s, uint64_t addr, kdx_nt_apc_state *out, kdx_err *err);

typedef struct kdx_nt_apc {
    uint64_t addr;            /* the _KAPC */
    uint64_t kernel_routine, normal_routine;
    uint8_t mode;             /* ApcMode */
} kdx_nt_apc;
/* The APCs queued in one mode (0 kernel, 1 user); nonzero from cb stops. */
typedef int (*kdx_nt_apc_cb)(void *ud, const kdx_nt_apc *apc);
kdx_status kdx_nt_apc_walk(kdx_session *s, const kdx_nt_apc_state *st, unsigned mode, kdx_nt_apc_cb cb, void *ud,
                           kdx_nt_list_result *res, kdx_err *err);

/* KernelApcDisable and SpecialApcDisable of a thread (signed counts). */
kdx_status kdx_nt_thread_apc_disable(kdx_session *s, uint64_t thread, int64_t *kernel, int64_t *special,
                                     kdx_err *err);

#endif
