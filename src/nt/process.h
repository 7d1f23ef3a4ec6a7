/* Processes and their threads: the active process list (nt!PsActiveProcessHead
 * through EPROCESS.ActiveProcessLinks), each process's thread list
 * (EPROCESS.ThreadListHead through ETHREAD.ThreadListEntry), lookups by
 * client id (nt!PspCidTable, checked, else the lists), and the facts the
 * commands show about a process. */
#ifndef KDX_NT_PROCESS_H
#define KDX_NT_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "nt/list.h"
#include "target/session.h"

#define KDX_NT_EPROCESS "nt!_EPROCESS"
#define KDX_NT_ETHREAD "nt!_ETHREAD"

/* Called with each EPROCESS / ETHREAD address; nonzero stops. */
typedef int (*kdx_nt_object_cb)(void *ud, uint64_t object, size_t index);

/* Every process. When the list ends early (loop, memory the dump lacks)
 * the status says so, err names the entry, and res (optional) has the facts. */
kdx_status kdx_nt_process_walk(kdx_session *s, kdx_nt_object_cb cb, void *ud, kdx_nt_list_result *res,
                               kdx_err *err);
/* The threads of a process, the same way. */
kdx_status kdx_nt_process_threads(kdx_session *s, uint64_t process, kdx_nt_object_cb cb, void *ud,
                                  kdx_nt_list_result *res, kdx_err *err);

kdx_status kdx_nt_process_by_cid(kdx_session *s, uint64_t pid, uint64_t *process, kdx_err *err);
kdx_status kdx_nt_thread_by_cid(kdx_session *s, uint64_t tid, uint64_t *thread, kdx_err *err);

/* EPROCESS.ImageFileName (15 characters at most). */
kdx_status kdx_nt_process_image(kdx_session *s, uint64_t process, char name[16], kdx_err *err);
/* Pcb.DirectoryTableBase as stored (low bits may carry flags). */
kdx_status kdx_nt_process_dtb(kdx_session *s, uint64_t process, uint64_t *dtb, kdx_err *err);
/* The session through EPROCESS.Session (_MM_SESSION_SPACE.SessionId); *has false: none. */
kdx_status kdx_nt_process_session(kdx_session *s, uint64_t process, bool *has, uint32_t *id, kdx_err *err);
/* True when addr holds a dispatcher object of the given _KOBJECTS kind ("ProcessObject"). */
bool kdx_nt_is_dispatcher_kind(kdx_session *s, uint64_t addr, const char *kind);

/* Makes process the implicit process: user addresses translate through
 * its page tables from now on (0: back to the current processor's). */
kdx_status kdx_nt_set_implicit_process(kdx_session *s, uint64_t process, kdx_err *err);

/* After a processor switch (~Ns): user addresses translate through the page
 * tables of the process that processor runs (nothing is made implicit). */
void kdx_nt_follow_processor(kdx_session *s);

#endif
