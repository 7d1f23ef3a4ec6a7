/* Executive resources (resource.h). */
#include "nt/resource.h"

#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "nt/field.h"
#include "nt/process.h"
#include "nt/wait.h"
#include "target/memory.h"

#define ER KDX_NT_ERESOURCE
#define OE "nt!_OWNER_ENTRY"
/* ResourceOwnedExclusive in the low byte of _ERESOURCE.Flag, as the Windows
 * Research Kernel's ex.h defines it (0x10 never exclusive, 0x20 released by
 * another thread, 0x80 owned exclusive); the bit is not in the symbols, so
 * this value is written here (docs/nt.md: inferred). */
#define RESOURCE_OWNED_EXCLUSIVE 0x80u
/* OwnerTable sizes beyond this are not believed (a corrupt table). */
#define OWNER_TABLE_MAX 4096u

bool kdx_nt_resource_held(const kdx_nt_resource *r)
{
    return r->active_count != 0;
}

static void add_owner(kdx_nt_resource *r, uint64_t thread, uint64_t count)
{
    r->nowners_total++;
    if (r->nowners < KDX_NT_RESOURCE_MAX_OWNERS)
        r->owners[r->nowners++] = (kdx_nt_resource_owner){thread, count};
}

/* Shared owners beyond OwnerEntry: OwnerTable[1 .. TableSize-1]. */
static void read_owner_table(kdx_session *s, kdx_nt_resource *r, uint64_t table)
{
    uint64_t size, entry_size;
    kdx_err *e = &r->owners_why;
    if (kdx_nt_sizeof(s, OE, &entry_size, e) != KDX_OK ||
        kdx_nt_read(s, OE, table, "TableSize|OwnerCount", &size, e) != KDX_OK) {
        r->owner_table_unread = true;
        return;
    }
    if (size > OWNER_TABLE_MAX) {
        kdx_err_set(e, KDX_E_FORMAT, "the owner table at %016llx claims %llu entries (more than %u)",
                    (unsigned long long)table, (unsigned long long)size, OWNER_TABLE_MAX);
        r->owner_table_unread = true;
        return;
    }
    for (uint64_t i = 1; i < size && !kdx_interrupted(); i++) {
        uint64_t at = table + i * entry_size, thread, count;
        if (kdx_nt_read(s, OE, at, "OwnerThread", &thread, e) != KDX_OK ||
            kdx_nt_read(s, OE, at, "OwnerCount", &count, e) != KDX_OK) {
            r->owner_table_unread = true;
            return;
        }
        if (thread)
            add_owner(r, thread, count);
    }
}

kdx_status kdx_nt_resource_read(kdx_session *s, uint64_t addr, kdx_nt_resource *r, kdx_err *err)
{
    memset(r, 0, sizeof *r);
    r->addr = addr;
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, ER, addr, &o, err);
    if (st != KDX_OK)
        return st;
    uint64_t active = 0, table = 0, owner = 0, count = 0;
    const char *paths[] = {"Flag", "ActiveCount", "ContentionCount", "NumberOfSharedWaiters",
                           "NumberOfExclusiveWaiters", "SharedWaiters", "ExclusiveWaiters", "OwnerTable",
                           "OwnerEntry.OwnerThread", "OwnerEntry.OwnerCount"};
    uint64_t *dst[] = {&r->flag, &active, &r->contention, &r->shared_waiters, &r->exclusive_waiters,
                       &r->shared_object, &r->exclusive_object, &table, &owner, &count};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0] && st == KDX_OK; i++)
        st = kdx_nt_obj_get(&o, paths[i], dst[i], err);
    kdx_nt_obj_free(&o);
    if (st != KDX_OK)
        return st;
    r->active_count = (int64_t)active;
    r->exclusive = (r->flag & RESOURCE_OWNED_EXCLUSIVE) != 0;
    if (owner)
        add_owner(r, owner, r->exclusive && !count ? (uint64_t)(r->active_count > 0 ? r->active_count : 1) : count);
    if (table && !r->exclusive)
        read_owner_table(s, r, table);
    return KDX_OK;
}

typedef struct res_walk {
    uint64_t link_off;
    kdx_nt_resource_cb cb;
    void *ud;
} res_walk;

static int one_resource(void *ud, uint64_t entry, size_t index)
{
    res_walk *w = ud;
    return w->cb ? w->cb(w->ud, entry - w->link_off, index) : 0;
}

kdx_status kdx_nt_resource_walk(kdx_session *s, kdx_nt_resource_cb cb, void *ud, kdx_nt_list_result *res,
                                kdx_err *err)
{
    res_walk w = {0, cb, ud};
    uint64_t head;
    kdx_status st = kdx_nt_offset(s, ER, "SystemResourcesList", &w.link_off, err);
    if (st == KDX_OK)
        st = kdx_nt_symbol(s, "nt!ExpSystemResourcesList", &head, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_list_opts opts = {.max = 4000000};
    kdx_nt_list_result local;
    kdx_nt_list_result *r = res ? res : &local;
    st = kdx_nt_list_walk(s, head, &opts, one_resource, &w, r);
    if (st != KDX_OK && r->end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(s, r, "the resource list (nt!ExpSystemResourcesList)", msg, sizeof msg);
        return kdx_err_set(err, st, "%s", msg);
    }
    return st;
}

/* The thread a wait-list entry stands for: the _KWAIT_BLOCK's Thread. */
static kdx_status wait_block_thread(kdx_session *s, uint64_t entry, uint64_t *thread, kdx_err *err)
{
    uint64_t link_off;
    kdx_status st = kdx_nt_offset(s, "nt!_KWAIT_BLOCK", "WaitListEntry", &link_off, err);
    return st == KDX_OK ? kdx_nt_read(s, "nt!_KWAIT_BLOCK", entry - link_off, "Thread", thread, err) : st;
}

/* Windows 10 (19041 at least) no longer points ExclusiveWaiters and
 * SharedWaiters at an event and a semaphore: they point at a chain of wait
 * entries on the waiters' stacks, a type the public symbols do not
 * describe. Read from the triage dump: a _LIST_ENTRY linking the entries (no
 * separate head), the waiting KTHREAD right after it, and the event that
 * thread waits on right after the pointer. kdx uses that layout only after
 * checking it on each entry: the pointer must be a thread object whose wait
 * block waits on the event at that place. docs/nt.md marks it inferred. */
static kdx_status chain_entry_thread(kdx_session *s, uint64_t entry, uint64_t *thread, kdx_err *err)
{
    uint64_t link_size;
    kdx_status st = kdx_nt_sizeof(s, "nt!_LIST_ENTRY", &link_size, err);
    if (st != KDX_OK)
        return st;
    unsigned ps = (unsigned)kdx_session_ptr_size(s);
    uint64_t event = entry + link_size + ps;
    st = kdx_read_ptr(s->target, entry + link_size, thread, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_wait_block wb[4];
    size_t n = 0;
    if (!kdx_nt_is_dispatcher_kind(s, *thread, "ThreadObject") ||
        kdx_nt_thread_waits(s, *thread, wb, 4, &n, NULL) != KDX_OK)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "the waiter entry at %016llx does not hold a waiting thread after its links (the "
                           "Windows 10 layout kdx infers)", (unsigned long long)entry);
    for (size_t i = 0; i < n; i++)
        if (wb[i].object == event)
            return KDX_OK;
    return kdx_err_set(err, KDX_E_FORMAT,
                       "thread %016llx of the waiter entry at %016llx does not wait on the entry's event at %016llx",
                       (unsigned long long)*thread, (unsigned long long)entry, (unsigned long long)event);
}

/* A list whose every entry names one waiting thread (resolve says which). */
typedef kdx_status (*entry_thread_fn)(kdx_session *s, uint64_t entry, uint64_t *thread, kdx_err *err);

typedef struct thread_walk {
    kdx_session *s;
    entry_thread_fn resolve;
    uint64_t *threads;
    size_t max, *n;
    kdx_status st;
    kdx_err *err;
} thread_walk;

static int one_entry(void *ud, uint64_t entry, size_t index)
{
    thread_walk *w = ud;
    (void)index;
    uint64_t thread;
    w->st = w->resolve(w->s, entry, &thread, w->err);
    if (w->st != KDX_OK)
        return 1;
    if (*w->n < w->max)
        w->threads[(*w->n)++] = thread;
    return *w->n >= w->max;
}

static kdx_status collect_threads(kdx_session *s, uint64_t start, bool start_is_element, entry_thread_fn resolve,
                                  const char *what, uint64_t *threads, size_t max, size_t *n, kdx_err *err)
{
    *n = 0;
    thread_walk w = {s, resolve, threads, max, n, KDX_OK, err};
    kdx_nt_list_opts opts = {.max = 100000, .start_is_element = start_is_element};
    kdx_nt_list_result r;
    kdx_status st = kdx_nt_list_walk(s, start, &opts, one_entry, &w, &r);
    if (w.st != KDX_OK)
        return w.st;
    if (st != KDX_OK && r.end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX], name[96];
        snprintf(name, sizeof name, "%s %016llx", what, (unsigned long long)start);
        kdx_nt_list_describe(s, &r, name, msg, sizeof msg);
        return kdx_err_set(err, st, "%s", msg);
    }
    return st;
}

kdx_status kdx_nt_resource_waiters(kdx_session *s, uint64_t waiters, uint64_t *threads, size_t max, size_t *n,
                                   kdx_err *err)
{
    if (kdx_nt_is_dispatcher_kind(s, waiters, "EventSynchronizationObject") ||
        kdx_nt_is_dispatcher_kind(s, waiters, "EventNotificationObject") ||
        kdx_nt_is_dispatcher_kind(s, waiters, "SemaphoreObject"))
        return kdx_nt_object_waiters(s, waiters, threads, max, n, err);
    return collect_threads(s, waiters, true, chain_entry_thread, "the waiter chain at", threads, max, n, err);
}

kdx_status kdx_nt_object_waiters(kdx_session *s, uint64_t object, uint64_t *threads, size_t max, size_t *n,
                                 kdx_err *err)
{
    uint64_t head_off;
    *n = 0;
    kdx_status st = kdx_nt_offset(s, "nt!_DISPATCHER_HEADER", "WaitListHead", &head_off, err);
    if (st != KDX_OK)
        return st;
    return collect_threads(s, object + head_off, false, wait_block_thread, "the wait list of", threads, max, n, err);
}
