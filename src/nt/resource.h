/* Executive resources (_ERESOURCE): the reader/writer locks of the kernel,
 * linked from nt!ExpSystemResourcesList through SystemResourcesList. A
 * resource is held exclusively (Flag has the owned-exclusive bit; the owner
 * is OwnerEntry) or shared (OwnerEntry plus the owners in OwnerTable, whose
 * entry 0 holds the table size). Threads that wait wait on the dispatcher
 * objects ExclusiveWaiters (an event) and SharedWaiters (a semaphore)
 * point to on older kernels, on a chain of waiter entries on Windows 10. */
#ifndef KDX_NT_RESOURCE_H
#define KDX_NT_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "nt/list.h"
#include "target/session.h"

#define KDX_NT_ERESOURCE "nt!_ERESOURCE"
/* Owners kept per resource; more are counted in nowners_total. */
#define KDX_NT_RESOURCE_MAX_OWNERS 32
#define KDX_NT_RESOURCE_MAX_WAITERS 64

typedef struct kdx_nt_resource_owner {
    uint64_t thread;          /* OwnerThread as stored (low bits set: an owner pointer, not a thread) */
    uint64_t count;           /* OwnerCount */
} kdx_nt_resource_owner;

typedef struct kdx_nt_resource {
    uint64_t addr;
    uint64_t flag;
    bool exclusive;           /* Flag has the owned-exclusive bit */
    int64_t active_count;
    uint64_t contention, shared_waiters, exclusive_waiters; /* the counts the resource keeps */
    uint64_t shared_object, exclusive_object;  /* SharedWaiters, ExclusiveWaiters */
    kdx_nt_resource_owner owners[KDX_NT_RESOURCE_MAX_OWNERS];
    size_t nowners, nowners_total;
    bool owner_table_unread;  /* OwnerTable could not be read: owners_why says why */
    kdx_err owners_why;
} kdx_nt_resource;

/* Reads one resource. Fails when the structure cannot be read at all. */
kdx_status kdx_nt_resource_read(kdx_session *s, uint64_t addr, kdx_nt_resource *r, kdx_err *err);
/* True when the resource is held (ActiveCount nonzero). */
bool kdx_nt_resource_held(const kdx_nt_resource *r);

/* Every resource of nt!ExpSystemResourcesList (the _ERESOURCE addresses);
 * nonzero from cb stops. An early end is reported like kdx_nt_process_walk. */
typedef int (*kdx_nt_resource_cb)(void *ud, uint64_t resource, size_t index);
kdx_status kdx_nt_resource_walk(kdx_session *s, kdx_nt_resource_cb cb, void *ud, kdx_nt_list_result *res,
                                kdx_err *err);

/* The threads waiting for a resource, from its ExclusiveWaiters or
 * SharedWaiters pointer: an event or semaphore (older kernels) or the
 * chain of waiter entries of Windows 10 (an inferred layout, checked on
 * every entry: see resource.c), at most max. */
kdx_status kdx_nt_resource_waiters(kdx_session *s, uint64_t waiters, uint64_t *threads, size_t max, size_t *n,
                                   kdx_err *err);

/* The threads waiting on a dispatcher object (Header.WaitListHead through
 * _KWAIT_BLOCK.WaitListEntry), at most max. */
kdx_status kdx_nt_object_waiters(kdx_session *s, uint64_t object, uint64_t *threads, size_t max, size_t *n,
                                 kdx_err *err);

#endif
