/* Dispatcher objects and waits: what a waiting thread waits on
 * (KTHREAD.WaitBlockList / WaitBlockCount, or the NextWaitBlock ring of
 * older kernels), each object's kind (_DISPATCHER_HEADER.Type in _KOBJECTS)
 * and the mutant owner, in the words WinDbg uses ("SynchronizationEvent",
 * "Mutant - owning thread ..."). Thread states and wait reasons come from
 * the _KTHREAD_STATE and _KWAIT_REASON enums of the symbols. */
#ifndef KDX_NT_WAIT_H
#define KDX_NT_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef struct kdx_nt_wait_block {
    uint64_t addr;            /* the _KWAIT_BLOCK */
    uint64_t object;          /* the dispatcher object waited on */
    uint8_t wait_type;        /* WaitAll 0, WaitAny 1, WaitNotify 2, ... */
    bool has_object_type;
    uint8_t object_type;      /* _DISPATCHER_HEADER.Type */
    const char *object_kind;  /* _KOBJECTS name ("EventSynchronizationObject"), NULL if unknown */
    uint64_t owner;           /* mutants: OwnerThread */
    int64_t limit;            /* semaphores: Limit */
    kdx_err why;              /* why the object's header could not be read (has_object_type false) */
} kdx_nt_wait_block;

/* The wait blocks of thread (at most max). */
kdx_status kdx_nt_thread_waits(kdx_session *s, uint64_t thread, kdx_nt_wait_block *out, size_t max, size_t *n,
                               kdx_err *err);
/* Reads the dispatcher header of one object into b (object set). */
void kdx_nt_dispatcher_describe(kdx_session *s, kdx_nt_wait_block *b);
/* WinDbg's word for the object ("NotificationEvent", "Mutant - owning thread X", "Semaphore Limit 0x1"). */
void kdx_nt_wait_object_text(kdx_session *s, const kdx_nt_wait_block *b, char *buf, size_t cap);

/* Enumerator names: "Waiting", "Executive"; NULL when the symbols have none. */
const char *kdx_nt_thread_state_name(kdx_session *s, uint64_t state);
const char *kdx_nt_wait_reason_name(kdx_session *s, uint64_t reason);

#endif
