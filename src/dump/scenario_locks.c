/* The scenario's executive resources (_ERESOURCE): owners, waiters and the
 * system resource list, every field set by name through the layout. */
#include <string.h>

#include "dump/scenario_internal.h"

#define ER "_ERESOURCE"
#define OE "_OWNER_ENTRY"
/* ResourceOwnedExclusive in _ERESOURCE.Flag (see src/nt/resource.c). */
#define RESOURCE_OWNED_EXCLUSIVE 0x80u
#define OWNER_TABLE_ENTRIES 8u

static scn_resource *find_resource(kdx_scn *s, uint64_t va)
{
    for (size_t i = 0; i < s->resources.len; i++)
        if (s->resources.items[i].va == va)
            return &s->resources.items[i];
    scn_fail(s, KDX_E_ARG, "%016llx is not a resource of this scenario", (unsigned long long)va);
    return NULL;
}

uint64_t kdx_scn_resource(kdx_scn *s, const char *symbol)
{
    uint64_t va = symbol ? kdx_scn_symbol(s, symbol) : kdx_scn_alloc(s, kdx_scn_sizeof(s, ER), 16);
    if (!scn_ok(s) || !va)
        return 0;
    scn_resource r = {va, 0, 0, 0, 0, 0, 0, false};
    kdx_scn_list_append(s, kdx_scn_symbol(s, "ExpSystemResourcesList"), va + kdx_scn_offset(s, ER, "SystemResourcesList"));
    KDX_VEC_PUSH(s->resources, r);
    return va;
}

/* The second and later shared owners go to OwnerTable[1..]. */
static void table_owner(kdx_scn *s, scn_resource *r, uint64_t thread)
{
    uint64_t entry = kdx_scn_sizeof(s, OE);
    if (!r->table) {
        r->table = kdx_scn_alloc(s, entry * OWNER_TABLE_ENTRIES, 16);
        kdx_scn_poke(s, OE, r->table, "TableSize", OWNER_TABLE_ENTRIES);
        kdx_scn_poke(s, ER, r->va, "OwnerTable", r->table);
    }
    if (r->owners >= OWNER_TABLE_ENTRIES) {
        scn_fail(s, KDX_E_LIMIT, "resource %016llx: at most %u shared owners", (unsigned long long)r->va,
                 OWNER_TABLE_ENTRIES);
        return;
    }
    uint64_t at = r->table + entry * r->owners;
    kdx_scn_poke(s, OE, at, "OwnerThread", thread);
    kdx_scn_poke(s, OE, at, "OwnerCount", 1);
}

void kdx_scn_resource_acquire(kdx_scn *s, uint64_t resource, uint64_t thread, bool exclusive)
{
    scn_resource *r = find_resource(s, resource);
    if (!r)
        return;
    if (r->exclusive || (exclusive && r->owners)) {
        scn_fail(s, KDX_E_ARG, "resource %016llx is already owned", (unsigned long long)resource);
        return;
    }
    if (r->owners == 0) {
        kdx_scn_poke(s, ER, resource, "OwnerEntry.OwnerThread", thread);
        kdx_scn_poke(s, ER, resource, "OwnerEntry.OwnerCount", 1);
    } else {
        table_owner(s, r, thread);
    }
    r->owners++;
    r->exclusive = exclusive;
    kdx_scn_poke(s, ER, resource, "ActiveCount", r->owners);
    kdx_scn_poke(s, ER, resource, "ActiveEntries", r->owners);
    kdx_scn_poke(s, ER, resource, "Flag", exclusive ? RESOURCE_OWNED_EXCLUSIVE : 0);
}

void kdx_scn_resource_contention(kdx_scn *s, uint64_t resource, uint32_t count)
{
    if (find_resource(s, resource))
        kdx_scn_poke(s, ER, resource, "ContentionCount", count);
}

/* A waiter entry as Windows 10 chains them from ExclusiveWaiters and
 * SharedWaiters (a type the symbols lack; the layout read from a real
 * 19041 dump, see src/nt/resource.c): the chain's _LIST_ENTRY, the waiting
 * thread, and the event it waits on. Returns the event. */
static uint64_t waiter_entry(kdx_scn *s, uint64_t *entry)
{
    uint64_t link = kdx_scn_sizeof(s, "_LIST_ENTRY"), ev = kdx_scn_sizeof(s, "_KEVENT");
    *entry = kdx_scn_alloc(s, link + 8 + ev, 16);
    uint64_t event = *entry + link + 8;
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KEVENT", event, &o);
    kdx_scn_set(&o, "Header.Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "EventSynchronizationObject"));
    kdx_scn_set(&o, "Header.Size", ev / 4);
    kdx_scn_set_empty_list(&o, "Header.WaitListHead");
    kdx_scn_obj_end(&o);
    return event;
}

/* Links entry into the resource's chain (the first entry is the chain: no separate head). */
static void chain_waiter(kdx_scn *s, uint64_t resource, const char *field, uint64_t *first, uint64_t entry,
                         uint64_t thread)
{
    scn_write_ptr(s, entry + kdx_scn_sizeof(s, "_LIST_ENTRY"), thread);
    if (!*first) {
        *first = entry;
        kdx_scn_poke(s, "_LIST_ENTRY", entry, "Flink", entry);
        kdx_scn_poke(s, "_LIST_ENTRY", entry, "Blink", entry);
        kdx_scn_poke(s, ER, resource, field, entry);
    } else {
        kdx_scn_list_append(s, *first, entry);
    }
}

uint64_t kdx_scn_resource_waiter(kdx_scn *s, uint64_t resource, bool exclusive, uint64_t process,
                                 kdx_scn_thread_spec *spec)
{
    scn_resource *r = find_resource(s, resource);
    if (!r)
        return 0;
    spec->state = "Waiting";
    spec->wait_reason = "WrResource";
    spec->nwaits = 1;
    uint64_t entry;
    spec->waits[0] = waiter_entry(s, &entry);
    uint64_t thread = kdx_scn_thread(s, process, spec);
    r = find_resource(s, resource); /* kdx_scn_thread does not grow the vector, but stay safe */
    if (!thread || !r)
        return 0;
    if (exclusive)
        chain_waiter(s, resource, "ExclusiveWaiters", &r->exclusive_obj, entry, thread);
    else
        chain_waiter(s, resource, "SharedWaiters", &r->shared_obj, entry, thread);
    if (exclusive)
        kdx_scn_poke(s, ER, resource, "NumberOfExclusiveWaiters", ++r->exclusive_waiters);
    else
        kdx_scn_poke(s, ER, resource, "NumberOfSharedWaiters", ++r->shared_waiters);
    return thread;
}
