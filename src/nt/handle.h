/* Handle tables (_HANDLE_TABLE): the process handle tables, the kernel's
 * (nt!ObpKernelHandleTable) and the client-id table (nt!PspCidTable). The
 * low two bits of TableCode give the levels: 0 a page of
 * _HANDLE_TABLE_ENTRY, 1 a page of pointers to such pages, 2 a page of
 * pointers to level-1 pages. A handle value is its entry index times 4. */
#ifndef KDX_NT_HANDLE_H
#define KDX_NT_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef struct kdx_nt_handle {
    uint64_t value;         /* the handle (index * 4) */
    uint64_t entry;         /* the _HANDLE_TABLE_ENTRY */
    uint64_t object;        /* object header (process tables) or object body (PspCidTable) */
    uint32_t access;        /* granted access */
} kdx_nt_handle;

typedef struct kdx_nt_handle_table {
    uint64_t addr;
    uint64_t table_code;
    unsigned levels;        /* TableCode & 3 */
    uint64_t next_handle;   /* NextHandleNeedingPool: handles below it have entries */
    uint64_t entry_size;
} kdx_nt_handle_table;

kdx_status kdx_nt_handle_table_read(kdx_session *s, uint64_t addr, kdx_nt_handle_table *ht, kdx_err *err);

/* Every entry in use; nonzero from cb stops. Pages the dump lacks are
 * reported through skipped (count of entries that could not be read) and
 * the first reason in *why; the walk goes on past them. */
typedef int (*kdx_nt_handle_cb)(void *ud, const kdx_nt_handle *h);
kdx_status kdx_nt_handle_walk(kdx_session *s, const kdx_nt_handle_table *ht, kdx_nt_handle_cb cb, void *ud,
                              uint64_t *skipped, kdx_err *why);
/* One handle; KDX_E_NOT_FOUND when the entry is free. */
kdx_status kdx_nt_handle_lookup(kdx_session *s, const kdx_nt_handle_table *ht, uint64_t handle,
                                kdx_nt_handle *out, kdx_err *err);

#endif
