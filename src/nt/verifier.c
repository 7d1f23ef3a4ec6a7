/* Driver Verifier's state (verifier.h). */
#include "nt/verifier.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/util.h"
#include "nt/field.h"
#include "nt/list.h"
#include "target/memory.h"

#define VD "nt!_MM_DRIVER_VERIFIER_DATA"
#define SUSPECT "nt!_VF_SUSPECT_DRIVER_ENTRY"
#define VERIFIED "nt!_VF_TARGET_VERIFIED_DRIVER_DATA"
#define TARGET "nt!_VF_TARGET_DRIVER"
#define MAX_TREE_NODES 100000u
#define MAX_TRACKER_PAGES (1u << 20)
#define MAX_LOG_ENTRIES (1u << 24)
#define VF_PAGE 0x1000ull

static const char *const counter_fields[] = {
    "RaiseIrqls", "AcquireSpinLocks", "SynchronizeExecutions", "AllocationsAttempted", "AllocationsSucceeded",
    "AllocationsSucceededSpecialPool", "AllocationsWithNoTag", "TrimRequests", "Trims", "AllocationsFailed",
    "AllocationsFailedDeliberately", "Loads", "Unloads", "UnTrackedPool", "UserTrims",
    "CurrentPagedPoolAllocations", "CurrentNonPagedPoolAllocations", "PeakPagedPoolAllocations",
    "PeakNonPagedPoolAllocations", "PagedBytes", "NonPagedBytes", "PeakPagedBytes", "PeakNonPagedBytes"};

kdx_status kdx_vf_summary_read(kdx_session *s, kdx_vf_summary *sum, kdx_err *err)
{
    memset(sum, 0, sizeof *sum);
    kdx_status st = kdx_nt_symbol(s, "nt!MmVerifierData", &sum->address, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_obj o;
    st = kdx_nt_obj_read(s, VD, sum->address, &o, err);
    if (st != KDX_OK)
        return st;
    kdx_err e = {0};
    if (kdx_nt_obj_get(&o, "Level", &sum->level, &e) != KDX_OK) {
        kdx_nt_obj_free(&o);
        return kdx_err_set(err, e.code, "nt!MmVerifierData.Level: %s", e.msg);
    }
    for (size_t i = 0; i < sizeof counter_fields / sizeof counter_fields[0]; i++) {
        kdx_vf_counter *c = &sum->c[sum->n++];
        c->field = counter_fields[i];
        c->present = kdx_nt_obj_get(&o, c->field, &c->value, NULL) == KDX_OK;
    }
    kdx_nt_obj_free(&o);
    return KDX_OK;
}

bool kdx_vf_counter_get(const kdx_vf_summary *sum, const char *field, uint64_t *v)
{
    for (size_t i = 0; i < sum->n; i++)
        if (!strcmp(sum->c[i].field, field)) {
            *v = sum->c[i].value;
            return sum->c[i].present;
        }
    return false;
}

/* ---- verified drivers ---- */

typedef struct list_ctx {
    kdx_session *s;
    kdx_vf_drivers *out;
    uint64_t links;
} list_ctx;

static int add_suspect(void *ud, uint64_t link, size_t index)
{
    list_ctx *c = ud;
    (void)index;
    kdx_vf_driver d = {0};
    d.entry = link - c->links;
    uint64_t v = 0, off;
    if (kdx_nt_read(c->s, SUSPECT, d.entry, "Loads", &v, NULL) == KDX_OK)
        d.loads = (uint32_t)v;
    if (kdx_nt_read(c->s, SUSPECT, d.entry, "Unloads", &v, NULL) == KDX_OK)
        d.unloads = (uint32_t)v;
    kdx_err e = {0};
    if (kdx_nt_offset(c->s, SUSPECT, "BaseName", &off, NULL) != KDX_OK ||
        kdx_nt_unicode_string(c->s, d.entry + off, d.name, sizeof d.name, &e) != KDX_OK)
        snprintf(d.name, sizeof d.name, "?");
    c->out->items = kdx_xrealloc(c->out->items, (c->out->n + 1) * sizeof *c->out->items);
    c->out->items[c->out->n++] = d;
    return 0;
}

static void attach_verified(kdx_session *s, kdx_vf_drivers *out, uint64_t node, uint64_t links_size)
{
    uint64_t data = node + links_size, verified = 0, entry = 0;
    if (kdx_nt_read(s, TARGET, data, "VerifiedData", &verified, NULL) != KDX_OK || !verified ||
        kdx_nt_read(s, VERIFIED, verified, "SuspectDriverEntry", &entry, NULL) != KDX_OK)
        return;
    for (size_t i = 0; i < out->n; i++) {
        kdx_vf_driver *d = &out->items[i];
        if (d->entry != entry)
            continue;
        kdx_nt_obj o;
        if (kdx_nt_obj_read(s, VERIFIED, verified, &o, NULL) != KDX_OK)
            return;
        d->verified = verified;
        kdx_nt_obj_get(&o, "CurrentNonPagedPoolAllocations", &d->cur_np, NULL);
        kdx_nt_obj_get(&o, "CurrentPagedPoolAllocations", &d->cur_p, NULL);
        kdx_nt_obj_get(&o, "NonPagedBytes", &d->np_bytes, NULL);
        kdx_nt_obj_get(&o, "PagedBytes", &d->p_bytes, NULL);
        kdx_nt_obj_get(&o, "PeakNonPagedPoolAllocations", &d->peak_np, NULL);
        kdx_nt_obj_get(&o, "PeakPagedPoolAllocations", &d->peak_p, NULL);
        kdx_nt_obj_get(&o, "PeakNonPagedBytes", &d->peak_np_bytes, NULL);
        kdx_nt_obj_get(&o, "PeakPagedBytes", &d->peak_p_bytes, NULL);
        kdx_nt_obj_free(&o);
        kdx_nt_read(s, TARGET, data, "TreeNode.Base.p", &d->base, NULL);
        kdx_nt_read(s, TARGET, data, "TreeNode.Base.RangeSize", &d->size, NULL);
    }
}

/* In-order walk of one _RTL_AVL_TABLE, with an explicit stack and a visited set. */
static kdx_status walk_avl(kdx_session *s, uint64_t table, kdx_vf_drivers *out, uint64_t links_size, kdx_err *err)
{
    uint64_t root = 0;
    kdx_status st = kdx_nt_read(s, "nt!_RTL_AVL_TABLE", table, "BalancedRoot.RightChild", &root, err);
    uint64_t stack[64];
    size_t depth = 0, visited = 0;
    kdx_nt_addrset seen = {0};
    uint64_t node = root;
    while (st == KDX_OK && (node || depth)) {
        if (kdx_interrupted()) {
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "walking nt!ViTargetDriversAvl interrupted");
            break;
        }
        if (node) {
            size_t prev;
            if (!kdx_nt_addrset_add(&seen, node, visited, &prev) || ++visited > MAX_TREE_NODES || depth == 64) {
                st = kdx_err_set(err, KDX_E_LIMIT, "nt!ViTargetDriversAvl: node %016" PRIx64 " loops or the tree is too deep", node);
                break;
            }
            stack[depth++] = node;
            st = kdx_nt_read(s, "nt!_RTL_BALANCED_LINKS", node, "LeftChild", &node, err);
            continue;
        }
        node = stack[--depth];
        attach_verified(s, out, node, links_size);
        st = kdx_nt_read(s, "nt!_RTL_BALANCED_LINKS", node, "RightChild", &node, err);
    }
    kdx_nt_addrset_free(&seen);
    return st;
}

static kdx_status read_tree(kdx_session *s, kdx_vf_drivers *out, kdx_err *err)
{
    uint64_t tree, tables = 0, count = 0, table_size, links_size, root_off;
    kdx_status st = kdx_nt_symbol(s, "nt!ViTargetDriversAvl", &tree, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_VF_AVL_TREE", tree, "Tables", &tables, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_VF_AVL_TREE", tree, "TablesNo", &count, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, "nt!_VF_AVL_TABLE", &table_size, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, "nt!_RTL_BALANCED_LINKS", &links_size, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, "nt!_VF_AVL_TABLE", "RtlTable", &root_off, err);
    if (st == KDX_OK && count > 256)
        st = kdx_err_set(err, KDX_E_LIMIT, "nt!ViTargetDriversAvl.TablesNo is %" PRIu64, count);
    for (uint64_t i = 0; st == KDX_OK && tables && i < count; i++)
        st = walk_avl(s, tables + i * table_size + root_off, out, links_size, err);
    return st;
}

kdx_status kdx_vf_drivers_read(kdx_session *s, kdx_vf_drivers *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    uint64_t head;
    list_ctx c = {s, out, 0};
    kdx_status st = kdx_nt_symbol(s, "nt!VfSuspectDriversList", &head, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, SUSPECT, "Links", &c.links, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_list_opts opts = {10000, false};
    kdx_nt_list_result res;
    st = kdx_nt_list_walk(s, head, &opts, add_suspect, &c, &res);
    if (st != KDX_OK) {
        char why[200];
        kdx_nt_list_describe(s, &res, "nt!VfSuspectDriversList", why, sizeof why);
        return kdx_err_set(err, st, "%s", why);
    }
    kdx_err e = {0};
    if (out->n && read_tree(s, out, &e) != KDX_OK)
        snprintf(out->note, sizeof out->note, "per-driver pool statistics not read: %s", e.msg);
    return KDX_OK;
}

void kdx_vf_drivers_free(kdx_vf_drivers *d)
{
    free(d->items);
    memset(d, 0, sizeof *d);
}

/* ---- outstanding allocations ---- */

enum { E_VA, E_CALLER, E_BYTES, E_TAG, E_NEXT, E_COUNT };

static kdx_status entry_fields(kdx_session *s, const kdx_nt_field **f, kdx_err *err)
{
    static const char *const names[E_COUNT] = {"InUse.VirtualAddress", "InUse.CallingAddress", "InUse.NumberOfBytes",
                                               "InUse.Tag", "PageHeader.NextPage"};
    kdx_status st = KDX_OK;
    for (int i = 0; i < E_COUNT && st == KDX_OK; i++)
        st = kdx_nt_field_of(s, "nt!_VI_POOL_ENTRY", names[i], &f[i], err);
    return st;
}

/* One tracker page: entry 0 is the page header, the others allocations or
 * free-list links (0, odd, or pointing inside the tracker page). */
static int page_entries(const kdx_nt_field **f, const uint8_t *buf, uint64_t page, uint64_t esz, kdx_vf_alloc_cb cb,
                        void *ud)
{
    int stop = 0;
    for (uint64_t k = 1; k < VF_PAGE / esz && !stop; k++) {
        const uint8_t *p = buf + k * esz;
        uint64_t va = kdx_nt_field_value(f[E_VA], p);
        if (!va || (va & 1) || (va >= page && va < page + VF_PAGE))
            continue;
        stop = cb(ud, va, kdx_nt_field_value(f[E_BYTES], p), (uint32_t)kdx_nt_field_value(f[E_TAG], p),
                  kdx_nt_field_value(f[E_CALLER], p));
    }
    return stop;
}

kdx_status kdx_vf_allocations(kdx_session *s, const kdx_vf_driver *d, kdx_vf_alloc_cb cb, void *ud, kdx_err *err)
{
    if (!d->verified)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s has no _VF_TARGET_VERIFIED_DRIVER_DATA in nt!ViTargetDriversAvl",
                           d->name);
    uint64_t next = 0, esz;
    const kdx_nt_field *f[E_COUNT];
    kdx_status st = kdx_nt_read(s, VERIFIED, d->verified, "PoolTrackers.HeaderX64.NextEntry", &next, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, "nt!_VI_POOL_ENTRY", &esz, err);
    if (st == KDX_OK)
        st = entry_fields(s, f, err);
    if (st == KDX_OK && (esz == 0 || esz > VF_PAGE / 2))
        st = kdx_err_set(err, KDX_E_FORMAT, "nt!_VI_POOL_ENTRY has an unusable size");
    if (st != KDX_OK)
        return st;
    uint64_t page = next << 4;   /* an x64 SLIST header keeps the address >> 4 */
    kdx_nt_addrset seen = {0};
    uint8_t *buf = kdx_xmalloc(VF_PAGE);
    int stop = 0;
    for (size_t pages = 0; st == KDX_OK && page && !stop; pages++) {
        size_t prev, done = 0;
        kdx_err e = {0};
        if (kdx_interrupted())
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "walking %s's pool trackers interrupted", d->name);
        else if (!kdx_nt_addrset_add(&seen, page, pages, &prev) || pages >= MAX_TRACKER_PAGES)
            st = kdx_err_set(err, KDX_E_LIMIT, "%s's pool tracker page %016" PRIx64 " comes round again", d->name, page);
        else if (kdx_read_virt(s->target, page, buf, (size_t)VF_PAGE, &done, &e) != KDX_OK)
            st = kdx_err_set(err, e.code, "%s's pool tracker page %016" PRIx64 " cannot be read: %s", d->name, page,
                             e.msg);
        if (st != KDX_OK)
            break;
        stop = page_entries(f, buf, page, esz, cb, ud);
        page = kdx_nt_field_value(f[E_NEXT], buf);
    }
    free(buf);
    kdx_nt_addrset_free(&seen);
    return st;
}

/* ---- logs ---- */

typedef struct log_desc {
    const char *array, *length, *type, *index;
    const char *option;       /* the Verifier option that fills it (docs/verifier.md: where from) */
} log_desc;

/* In kdx_vf_log order. The forced-pending log has no index global in the
 * 19041 symbols. */
static const log_desc logs[] = {
    {"nt!VfPoolTraces", "nt!VfPoolTracesLength", "nt!_VF_POOL_TRACE", "nt!VfPoolTracesIndex", "Pool Tracking (0x8)"},
    {"nt!VfKeCriticalRegionTraces", "nt!VfKeCriticalRegionTracesLength", "nt!_VF_KE_CRITICAL_REGION_TRACE",
     "nt!VfKeCriticalRegionTracesIndex", "Miscellaneous checks (0x800)"},
    {"nt!ViTrackIrqlQueue", "nt!ViTrackIrqlQueueLength", "nt!_VI_TRACK_IRQL", "nt!ViTrackIrqlIndex",
     "Force IRQL checking (0x2)"},
    {"nt!IovIrpTraces", "nt!IovIrpTracesLength", "nt!_IOV_IRP_TRACE", "nt!IovIrpTracesIndex", "I/O verification (0x10)"},
    {"nt!ViFaultTraces", "nt!ViFaultTracesLength", "nt!_VI_FAULT_TRACE", "nt!ViFaultTracesIndex",
     "Low resources simulation (0x4)"},
    {"nt!VfForcedPendingLog", "nt!VfForcedPendingLogLength", "nt!_IOV_FORCED_PENDING_TRACE", NULL,
     "Force pending I/O requests (0x200)"},
};

const char *kdx_vf_log_array_name(kdx_vf_log log)
{
    return logs[log].array;
}

const char *kdx_vf_log_type_name(kdx_vf_log log)
{
    return logs[log].type;
}

const char *kdx_vf_log_option(kdx_vf_log log)
{
    return logs[log].option;
}

bool kdx_vf_log_has_index(kdx_vf_log log)
{
    return logs[log].index != NULL;
}

static kdx_status read_u32_global(kdx_session *s, const char *name, uint64_t *v, kdx_err *err)
{
    uint64_t addr;
    uint32_t x;
    kdx_err e = {0};
    kdx_status st = kdx_nt_symbol(s, name, &addr, err);
    if (st == KDX_OK && (st = kdx_read_u32(s->target, addr, &x, &e)) != KDX_OK)
        return kdx_err_set(err, st, "%s (at %016" PRIx64 ") %s: %s", name, addr,
                           st == KDX_E_MEM_MISSING ? "is not in the dump" : "cannot be read", e.msg);
    if (st == KDX_OK)
        *v = x;
    return st;
}

static uint64_t field_or_zero(kdx_session *s, const char *type, const char *name, const uint8_t *p)
{
    const kdx_nt_field *f;
    return kdx_nt_field_of(s, type, name, &f, NULL) == KDX_OK ? kdx_nt_field_value(f, p) : 0;
}

/* Every field any log's type has, by name; the ones this type lacks stay 0. */
static void decode_trace(kdx_session *s, const log_desc *l, const uint8_t *p, uint64_t at, kdx_vf_trace *t)
{
    memset(t, 0, sizeof *t);
    t->entry = at;
    static const char *const names[] = {"Address", "Size", "Thread", "OldIrql", "NewIrql", "Processor", "TickCount",
                                        "Irp", "Irql", "KernelApcDisable", "SpecialApcDisable"};
    uint64_t *dst[] = {&t->address, &t->size, &t->thread, &t->old_irql, &t->new_irql, &t->processor, &t->tick,
                       &t->irp, &t->irql, &t->kernel_apc, &t->special_apc};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        *dst[i] = field_or_zero(s, l->type, names[i], p);
    const kdx_nt_field *f;
    if (kdx_nt_field_of(s, l->type, "StackTrace", &f, NULL) == KDX_OK) {
        unsigned ps = (unsigned)kdx_session_ptr_size(s);
        for (uint64_t k = 0; k < f->size / ps && t->n < KDX_VF_MAX_FRAMES; k++) {
            const uint8_t *q = p + f->offset + k * ps;
            uint64_t a = ps == 8 ? kdx_le64(q) : kdx_le32(q);
            if (!a)
                break;
            t->stack[t->n++] = a;
        }
    }
}

/* An entry is in use when the pointer the log records is set. */
static bool trace_used(kdx_vf_log log, const kdx_vf_trace *t)
{
    switch (log) {
    case KDX_VF_POOL_LOG:
        return t->address != 0;
    case KDX_VF_IRP_LOG:
    case KDX_VF_PENDING_LOG:
        return t->irp != 0;
    default:
        return t->thread != 0;
    }
}

kdx_status kdx_vf_log_locate(kdx_session *s, kdx_vf_log log, uint64_t *array, uint64_t *length, kdx_err *err)
{
    const log_desc *l = &logs[log];
    uint64_t sym, esz;
    kdx_err e = {0};
    *array = 0, *length = 0;
    kdx_status st = kdx_nt_symbol(s, l->array, &sym, err);
    if (st == KDX_OK && (st = kdx_read_ptr(s->target, sym, array, &e)) != KDX_OK)
        return kdx_err_set(err, st, "%s (at %016" PRIx64 ") %s: %s", l->array, sym,
                           st == KDX_E_MEM_MISSING ? "is not in the dump" : "cannot be read", e.msg);
    if (st == KDX_OK)
        st = read_u32_global(s, l->length, length, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, l->type, &esz, err);
    if (st != KDX_OK)
        return st;
    if (!*array)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s is NULL: the log was never allocated (the option that fills it, %s, is off)",
                           l->array, l->option ? l->option : "not known to kdx");
    if (*length > MAX_LOG_ENTRIES || esz == 0 || esz > 4096)
        return kdx_err_set(err, KDX_E_LIMIT, "%s is %" PRIu64 ", beyond what kdx accepts", l->length, *length);
    return KDX_OK;
}

static kdx_status read_entry(kdx_session *s, const log_desc *l, uint64_t i, uint64_t at, uint8_t *buf, size_t esz,
                             kdx_err *err)
{
    size_t done = 0;
    kdx_err e = {0};
    if (kdx_read_virt(s->target, at, buf, esz, &done, &e) == KDX_OK)
        return KDX_OK;
    return kdx_err_set(err, e.code, "%s entry %" PRIu64 " (%016" PRIx64 ") cannot be read: %s", l->array, i, at, e.msg);
}

static kdx_status recent_start(kdx_session *s, kdx_vf_log log, kdx_vf_log_info *info, kdx_err *err)
{
    const log_desc *l = &logs[log];
    kdx_status st = kdx_vf_log_locate(s, log, &info->array, &info->length, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, l->type, &info->esz, err);
    if (st == KDX_OK && l->index) {
        st = read_u32_global(s, l->index, &info->index, err);
        info->has_index = st == KDX_OK;
    }
    return st;
}

kdx_status kdx_vf_log_walk_recent(kdx_session *s, kdx_vf_log log, kdx_vf_trace_cb cb, void *ud, kdx_vf_log_info *info,
                                  kdx_err *err)
{
    const log_desc *l = &logs[log];
    memset(info, 0, sizeof *info);
    kdx_status st = recent_start(s, log, info, err);
    if (st != KDX_OK)
        return st;
    uint64_t n = info->length, next = n ? info->index % n : 0;
    uint8_t *buf = kdx_xmalloc((size_t)info->esz);
    int stop = 0;
    /* Every entry is read, also after cb stopped, so that used and wrapped
     * describe the whole log. */
    for (uint64_t age = 0; age < n && st == KDX_OK; age++) {
        if ((age & 0xfff) == 0 && kdx_interrupted()) {
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "parsing %s interrupted after %" PRIu64 " entries", l->array, age);
            break;
        }
        uint64_t i = info->has_index ? (next + n - 1 - age) % n : age;
        st = read_entry(s, l, i, info->array + i * info->esz, buf, (size_t)info->esz, err);
        if (st != KDX_OK)
            break;
        kdx_vf_trace t;
        decode_trace(s, l, buf, info->array + i * info->esz, &t);
        t.index = i;
        info->visited++;
        if (!trace_used(log, &t))
            continue;
        info->used++;
        if (!stop)
            stop = cb(ud, &t);
    }
    free(buf);
    info->wrapped = n && info->used == n;
    return st;
}
