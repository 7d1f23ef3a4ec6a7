/* The scenario's pool and Driver Verifier state (scenario_pool.h). Tables
 * are built in memory entry by entry with the typed builder over a local
 * buffer (no offset typed here) and written once. */
#include "dump/scenario_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/scenario_internal.h"

#define TRACK "_POOL_TRACKER_TABLE"
#define BIG "_POOL_TRACKER_BIG_PAGES"
#define HEADER "_POOL_HEADER"
/* Addresses of large allocations whose pages are not in the dump: a
 * region of the kernel's address space the scenario maps nothing into. */
#define UNBACKED_BASE 0xffffa70000000000ull

typedef struct track_entry {
    uint32_t tag;
    uint64_t np_allocs, np_frees, np_bytes, p_allocs, p_frees, p_bytes;
} track_entry;

typedef struct big_entry {
    uint64_t va, bytes;
    uint32_t tag, pool_type;
} big_entry;

typedef KDX_VEC(track_entry) track_vec;

struct kdx_scn_pool {
    kdx_scn *s;
    track_vec tags, session_tags;
    KDX_VEC(big_entry) bigs;
    KDX_VEC(kdx_scn_vf_alloc) regions;
    KDX_VEC(kdx_scn_vf_alloc) irqls;
    uint64_t unbacked_next;
};

kdx_scn_pool *kdx_scn_pool_new(kdx_scn *s)
{
    kdx_scn_pool *p = kdx_xcalloc(1, sizeof *p);
    p->s = s;
    p->unbacked_next = UNBACKED_BASE;
    return p;
}

static track_entry *tag_entry(track_vec *v, uint32_t tag)
{
    for (size_t i = 0; i < v->len; i++)
        if (v->items[i].tag == tag)
            return &v->items[i];
    track_entry e = {tag, 0, 0, 0, 0, 0, 0};
    KDX_VEC_PUSH(*v, e);
    return &v->items[v->len - 1];
}

void kdx_scn_pool_track(kdx_scn_pool *p, uint32_t tag, bool paged, uint64_t allocs, uint64_t frees, uint64_t bytes)
{
    track_entry *e = tag_entry(&p->tags, tag);
    if (paged)
        e->p_allocs += allocs, e->p_frees += frees, e->p_bytes += bytes;
    else
        e->np_allocs += allocs, e->np_frees += frees, e->np_bytes += bytes;
}

void kdx_scn_pool_session_track(kdx_scn_pool *p, uint32_t tag, uint64_t allocs, uint64_t frees, uint64_t bytes)
{
    track_entry *e = tag_entry(&p->session_tags, tag);
    e->p_allocs += allocs, e->p_frees += frees, e->p_bytes += bytes;
}

uint64_t kdx_scn_pool_big(kdx_scn_pool *p, uint32_t tag, uint32_t pool_type, uint64_t bytes, bool backed)
{
    uint64_t span = (bytes + SCN_PAGE - 1) & ~(SCN_PAGE - 1);
    uint64_t va;
    if (backed) {
        va = kdx_scn_alloc(p->s, span, SCN_PAGE);
    } else {
        va = p->unbacked_next;
        p->unbacked_next += span;
    }
    big_entry b = {va, bytes, tag, pool_type};
    KDX_VEC_PUSH(p->bigs, b);
    kdx_scn_pool_track(p, tag, pool_type & 1, 1, 0, bytes);
    return va;
}

/* A builder over a caller's buffer: fields set by name, bytes written later. */
static void local_obj(kdx_scn *s, const char *type, uint8_t *buf, kdx_scn_obj *o)
{
    memset(o, 0, sizeof *o);
    o->s = s, o->type = type, o->buf = buf;
    o->size = kdx_scn_sizeof(s, type);
}

uint64_t kdx_scn_pool_page(kdx_scn_pool *p, const kdx_scn_pool_block *blocks, size_t n, uint64_t *addrs)
{
    kdx_scn *s = p->s;
    uint64_t unit = kdx_scn_sizeof(s, HEADER);
    if (!unit)
        return 0;
    uint64_t page = kdx_scn_alloc(s, SCN_PAGE, SCN_PAGE);
    uint8_t *buf = kdx_xcalloc(1, SCN_PAGE);
    uint64_t off = 0, prev = 0;
    for (size_t i = 0; i <= n && off < SCN_PAGE; i++) {
        bool filler = i == n;
        uint32_t size = filler ? (uint32_t)(SCN_PAGE - off) : blocks[i].size;
        if (size == 0 || size % unit || off + size > SCN_PAGE) {
            scn_fail(s, KDX_E_ARG, "pool block %zu: size 0x%x does not fit the page in %llu-byte units", i, size,
                     (unsigned long long)unit);
            break;
        }
        kdx_scn_obj o;
        local_obj(s, HEADER, buf + off, &o);
        kdx_scn_set(&o, "PreviousSize", prev / unit);
        kdx_scn_set(&o, "BlockSize", size / unit);
        bool used = !filler && blocks[i].tag;
        /* The linear pool stores POOL_TYPE + 1 in an allocated header; 0 is free. */
        kdx_scn_set(&o, "PoolType", used ? (blocks[i].paged ? 2 : 1) : 0);
        kdx_scn_set(&o, "PoolTag", filler ? 0x65657246u /* "Free" */ : blocks[i].tag);
        if (!filler && addrs)
            addrs[i] = page + off;
        if (used)
            kdx_scn_pool_track(p, blocks[i].tag, blocks[i].paged, 1, 0, size);
        prev = size;
        off += size;
    }
    scn_write(s, page, buf, SCN_PAGE);
    free(buf);
    return page;
}

uint64_t kdx_scn_pool_alloc_site(kdx_scn *s, const char *fn, uint32_t pool_type, uint32_t bytes, uint32_t tag)
{
    /* mov ecx, PoolType; mov edx, NumberOfBytes; mov r8d, Tag; call nt!ExAllocatePoolWithTag
     * placed past the call sites the stack builder uses (they start at +8). */
    uint64_t at = kdx_scn_code(s, fn, 0x40);
    uint64_t target = kdx_scn_symbol(s, "ExAllocatePoolWithTag");
    if (!at || !target)
        return 0;
    uint8_t c[21] = {0xb9, 0, 0, 0, 0, 0xba, 0, 0, 0, 0, 0x41, 0xb8, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0};
    kdx_put_le32(c + 1, pool_type);
    kdx_put_le32(c + 6, bytes);
    kdx_put_le32(c + 12, tag);
    kdx_put_le32(c + 17, (uint32_t)(target - (at + sizeof c)));
    kdx_scn_code_patch(s, at, c, sizeof c);
    return at + sizeof c;
}

/* ---- Driver Verifier ---- */

static void put_u32(kdx_scn *s, const char *sym, uint32_t v)
{
    uint8_t b[4];
    kdx_put_le32(b, v);
    scn_write(s, kdx_scn_symbol(s, sym), b, 4);
}

static void put_ptr(kdx_scn *s, const char *sym, uint64_t v)
{
    scn_write_ptr(s, kdx_scn_symbol(s, sym), v);
}

/* The current/peak counters _MM_DRIVER_VERIFIER_DATA and
 * _VF_TARGET_VERIFIED_DRIVER_DATA share (same field names in both). */
static void set_pool_counters(kdx_scn_obj *o, const kdx_scn_vf_alloc *a, size_t n)
{
    uint64_t np = 0, pb = 0, npn = 0, pn = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].paged)
            pb += a[i].bytes, pn++;
        else
            np += a[i].bytes, npn++;
    }
    kdx_scn_set(o, "CurrentNonPagedPoolAllocations", npn);
    kdx_scn_set(o, "PeakNonPagedPoolAllocations", npn);
    kdx_scn_set(o, "CurrentPagedPoolAllocations", pn);
    kdx_scn_set(o, "PeakPagedPoolAllocations", pn);
    kdx_scn_set(o, "NonPagedBytes", np);
    kdx_scn_set(o, "PeakNonPagedBytes", np);
    kdx_scn_set(o, "PagedBytes", pb);
    kdx_scn_set(o, "PeakPagedBytes", pb);
}

static void write_verifier_data(kdx_scn *s, uint32_t level, const kdx_scn_vf_alloc *a, size_t n)
{
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_MM_DRIVER_VERIFIER_DATA", kdx_scn_symbol(s, "MmVerifierData"), &o);
    kdx_scn_set(&o, "Level", level);
    kdx_scn_set(&o, "AllocationsAttempted", n);
    kdx_scn_set(&o, "AllocationsSucceeded", n);
    kdx_scn_set(&o, "Loads", 1);
    set_pool_counters(&o, a, n);
    kdx_scn_obj_end(&o);
}

static uint64_t suspect_entry(kdx_scn *s, const char *driver)
{
    uint64_t head = kdx_scn_symbol(s, "VfSuspectDriversList");
    /* One verified driver per scenario: the list starts empty here. */
    kdx_scn_poke(s, "_LIST_ENTRY", head, "Flink", head);
    kdx_scn_poke(s, "_LIST_ENTRY", head, "Blink", head);
    kdx_scn_obj o;
    uint64_t e = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_VF_SUSPECT_DRIVER_ENTRY"), 16);
    kdx_scn_obj_begin(s, "_VF_SUSPECT_DRIVER_ENTRY", e, &o);
    kdx_scn_set(&o, "Loads", 1);
    kdx_scn_set(&o, "Unloads", 0);
    kdx_scn_obj_end(&o);
    kdx_scn_unicode(s, e + kdx_scn_offset(s, "_VF_SUSPECT_DRIVER_ENTRY", "BaseName"), driver);
    kdx_scn_list_append(s, head, e + kdx_scn_offset(s, "_VF_SUSPECT_DRIVER_ENTRY", "Links"));
    return e;
}

/* Tracker pages: an SLIST of pages of _VI_POOL_ENTRY, the first entry of
 * each the page header, the others one outstanding allocation each. */
static uint64_t tracker_pages(kdx_scn *s, uint64_t verified, const kdx_scn_vf_alloc *a, size_t n)
{
    uint64_t esz = kdx_scn_sizeof(s, "_VI_POOL_ENTRY");
    if (!esz)
        return 0;
    size_t per_page = (size_t)(SCN_PAGE / esz) - 1, first = 0;
    uint64_t next = 0;
    /* Built last page first so each header can point at the page after it. */
    size_t pages = (n + per_page - 1) / per_page;
    for (size_t pi = pages; pi-- > 0;) {
        uint64_t page = kdx_scn_alloc(s, SCN_PAGE, SCN_PAGE);
        kdx_scn_obj o;
        kdx_scn_obj_begin(s, "_VI_POOL_ENTRY", page, &o);
        kdx_scn_set(&o, "PageHeader.NextPage", next);
        kdx_scn_set(&o, "PageHeader.VerifierEntry", verified);
        kdx_scn_obj_end(&o);
        first = pi * per_page;
        for (size_t k = 0; k < per_page && first + k < n; k++) {
            const kdx_scn_vf_alloc *x = &a[first + k];
            kdx_scn_obj_begin(s, "_VI_POOL_ENTRY", page + (k + 1) * esz, &o);
            kdx_scn_set(&o, "InUse.VirtualAddress", x->va);
            kdx_scn_set(&o, "InUse.CallingAddress", x->caller);
            kdx_scn_set(&o, "InUse.NumberOfBytes", x->bytes);
            kdx_scn_set(&o, "InUse.Tag", x->tag);
            kdx_scn_obj_end(&o);
        }
        next = page;
    }
    return next;
}

static void target_tree(kdx_scn *s, uint64_t base, uint32_t size, uint64_t verified)
{
    uint64_t links = kdx_scn_sizeof(s, "_RTL_BALANCED_LINKS");
    uint64_t tables = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_VF_AVL_TABLE"), 16);
    uint64_t node = kdx_scn_alloc(s, links + kdx_scn_sizeof(s, "_VF_TARGET_DRIVER"), 16);
    uint64_t root = tables + kdx_scn_offset(s, "_VF_AVL_TABLE", "RtlTable.BalancedRoot");
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_VF_AVL_TREE", kdx_scn_symbol(s, "ViTargetDriversAvl"), &o);
    kdx_scn_set(&o, "Tables", tables);
    kdx_scn_set(&o, "TablesNo", 1);
    kdx_scn_set(&o, "NodeCount", 1);
    kdx_scn_obj_end(&o);
    kdx_scn_obj_begin(s, "_VF_AVL_TABLE", tables, &o);
    kdx_scn_set(&o, "RtlTable.BalancedRoot.Parent", root);
    kdx_scn_set(&o, "RtlTable.BalancedRoot.RightChild", node);
    kdx_scn_set(&o, "RtlTable.NumberGenericTableElements", 1);
    kdx_scn_set(&o, "RtlTable.DepthOfTree", 1);
    kdx_scn_obj_end(&o);
    kdx_scn_poke(s, "_RTL_BALANCED_LINKS", node, "Parent", root);
    /* The element's data follows its _RTL_BALANCED_LINKS, as generic tables store it. */
    kdx_scn_obj_begin(s, "_VF_TARGET_DRIVER", node + links, &o);
    kdx_scn_set(&o, "TreeNode.Base.p", base);
    kdx_scn_set(&o, "TreeNode.Base.RangeSize", size);
    kdx_scn_set(&o, "VerifiedData", verified);
    kdx_scn_obj_end(&o);
}

/* A Verifier log: an array of `type` (length entries) whose address goes
 * to the pointer global `array`, its length and next index to the 32-bit
 * globals; entries from e (Address and Size only for the pool log). */
typedef enum log_kind { LOG_POOL, LOG_REGION, LOG_IRQL } log_kind;
typedef struct log_globals {
    const char *type, *array, *length, *index;
    uint32_t entries;
    log_kind kind;
    unsigned frames;          /* StackTrace's element count in the 19041 types */
} log_globals;

static void write_log(kdx_scn *s, const log_globals *g, const kdx_scn_vf_alloc *e, size_t n)
{
    uint64_t esz = kdx_scn_sizeof(s, g->type);
    if (!esz)
        return;
    uint64_t arr = kdx_scn_alloc(s, esz * g->entries, 16);
    for (size_t i = 0; i < n && i < g->entries; i++) {
        kdx_scn_obj o;
        kdx_scn_obj_begin(s, g->type, arr + i * esz, &o);
        if (g->kind == LOG_POOL) {
            kdx_scn_set(&o, "Address", e[i].va);
            kdx_scn_set(&o, "Size", e[i].bytes);
        } else if (g->kind == LOG_IRQL) {
            kdx_scn_set(&o, "OldIrql", e[i].old_irql);
            kdx_scn_set(&o, "NewIrql", e[i].new_irql);
            kdx_scn_set(&o, "Processor", e[i].processor);
            kdx_scn_set(&o, "TickCount", e[i].tick);
        }
        kdx_scn_set(&o, "Thread", e[i].thread);
        for (unsigned k = 0; k < e[i].nstack && k < g->frames; k++) {
            char path[32];
            snprintf(path, sizeof path, "StackTrace[%u]", k);
            kdx_scn_set(&o, path, e[i].stack[k]);
        }
        kdx_scn_obj_end(&o);
    }
    put_ptr(s, g->array, arr);
    put_u32(s, g->length, g->entries);
    put_u32(s, g->index, (uint32_t)(n < g->entries ? n : g->entries));
}

static const log_globals pool_log = {"_VF_POOL_TRACE", "VfPoolTraces", "VfPoolTracesLength", "VfPoolTracesIndex",
                                     0x1000, LOG_POOL, 13};
static const log_globals region_log = {"_VF_KE_CRITICAL_REGION_TRACE", "VfKeCriticalRegionTraces",
                                       "VfKeCriticalRegionTracesLength", "VfKeCriticalRegionTracesIndex", 128,
                                       LOG_REGION, 7};
static const log_globals irql_log = {"_VI_TRACK_IRQL", "ViTrackIrqlQueue", "ViTrackIrqlQueueLength",
                                     "ViTrackIrqlIndex", 0x100, LOG_IRQL, 5};

uint64_t kdx_scn_pool_verifier(kdx_scn_pool *p, uint32_t level, const char *driver, uint64_t base, uint32_t size,
                               const kdx_scn_vf_alloc *a, size_t n)
{
    kdx_scn *s = p->s;
    write_verifier_data(s, level, a, n);
    uint64_t entry = suspect_entry(s, driver);
    uint64_t verified = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_VF_TARGET_VERIFIED_DRIVER_DATA"), 16);
    uint64_t trackers = tracker_pages(s, verified, a, n);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_VF_TARGET_VERIFIED_DRIVER_DATA", verified, &o);
    kdx_scn_set(&o, "SuspectDriverEntry", entry);
    set_pool_counters(&o, a, n);
    /* An x64 SLIST header keeps the first entry's address >> 4. */
    kdx_scn_set(&o, "PoolTrackers.HeaderX64.NextEntry", trackers >> 4);
    kdx_scn_set(&o, "PoolTrackers.HeaderX64.Depth", n);
    kdx_scn_obj_end(&o);
    target_tree(s, base, size, verified);
    write_log(s, &pool_log, a, n);
    return entry;
}

void kdx_scn_pool_critical_region(kdx_scn_pool *p, uint64_t thread, const uint64_t *stack, unsigned n)
{
    kdx_scn_vf_alloc e = {0};
    e.thread = thread;
    e.nstack = n > 7 ? 7 : n; /* _VF_KE_CRITICAL_REGION_TRACE keeps 7 frames in 19041 */
    memcpy(e.stack, stack, e.nstack * sizeof *stack);
    KDX_VEC_PUSH(p->regions, e);
}

void kdx_scn_pool_irql_change(kdx_scn_pool *p, const kdx_scn_vf_alloc *e)
{
    KDX_VEC_PUSH(p->irqls, *e);
}

/* ---- tables ---- */

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t v = 64;
    while (v < n)
        v <<= 1;
    return v;
}

/* Writes a table built in buf to new pool memory; its address. */
static uint64_t place_table(kdx_scn *s, uint8_t *buf, uint64_t count, uint64_t esz)
{
    uint64_t table = kdx_scn_alloc(s, count * esz, SCN_PAGE);
    scn_write(s, table, buf, (size_t)(count * esz));
    free(buf);
    return table;
}

/* A tag table from v; its address and entry count. */
static uint64_t build_track_table(kdx_scn *s, const track_vec *v, uint64_t *count)
{
    uint64_t esz = kdx_scn_sizeof(s, TRACK);
    *count = pow2_at_least(2 * v->len);
    if (!esz)
        return 0;
    uint8_t *buf = kdx_xcalloc((size_t)*count, (size_t)esz);
    for (size_t i = 0; i < v->len; i++) {
        const track_entry *e = &v->items[i];
        kdx_scn_obj o;
        local_obj(s, TRACK, buf + i * esz, &o);
        kdx_scn_set(&o, "Key", e->tag);
        kdx_scn_set(&o, "NonPagedAllocs", e->np_allocs);
        kdx_scn_set(&o, "NonPagedFrees", e->np_frees);
        kdx_scn_set(&o, "NonPagedBytes", e->np_bytes);
        kdx_scn_set(&o, "PagedAllocs", e->p_allocs);
        kdx_scn_set(&o, "PagedFrees", e->p_frees);
        kdx_scn_set(&o, "PagedBytes", e->p_bytes);
    }
    return place_table(s, buf, *count, esz);
}

static void write_track_table(kdx_scn_pool *p)
{
    kdx_scn *s = p->s;
    uint64_t count;
    put_ptr(s, "PoolTrackTable", build_track_table(s, &p->tags, &count));
    put_ptr(s, "PoolTrackTableSize", count);
    put_ptr(s, "PoolTrackTableMask", count - 1);
    put_ptr(s, "PoolTrackTableExpansion", 0);
    put_ptr(s, "PoolTrackTableExpansionSize", 0);
    uint64_t session = p->session_tags.len ? build_track_table(s, &p->session_tags, &count) : 0;
    put_ptr(s, "ExpSessionPoolTrackTable", session);
    put_ptr(s, "ExpSessionPoolTrackTableSize", session ? count : 0);
}

static void write_big_table(kdx_scn_pool *p)
{
    kdx_scn *s = p->s;
    uint64_t esz = kdx_scn_sizeof(s, BIG), count = pow2_at_least(p->bigs.len + p->bigs.len / 4 + 1);
    if (!esz)
        return;
    uint8_t *buf = kdx_xcalloc((size_t)count, (size_t)esz);
    for (size_t i = 0; i < p->bigs.len; i++) {
        const big_entry *b = &p->bigs.items[i];
        kdx_scn_obj o;
        local_obj(s, BIG, buf + i * esz, &o);
        kdx_scn_set(&o, "Va", b->va);
        kdx_scn_set(&o, "Key", b->tag);
        kdx_scn_set(&o, "PoolType", b->pool_type);
        kdx_scn_set(&o, "NumberOfBytes", b->bytes);
    }
    /* Unused entries carry the free bit (POOL_BIG_TABLE_ENTRY_FREE). */
    for (uint64_t i = p->bigs.len; i < count; i++) {
        kdx_scn_obj o;
        local_obj(s, BIG, buf + i * esz, &o);
        kdx_scn_set(&o, "Va", 1);
    }
    put_ptr(s, "PoolBigPageTable", place_table(s, buf, count, esz));
    put_ptr(s, "PoolBigPageTableSize", count);
    put_ptr(s, "ExpPoolBigEntriesInUse", p->bigs.len);
}

void kdx_scn_pool_finish(kdx_scn_pool *p)
{
    if (!p)
        return;
    write_track_table(p);
    write_big_table(p);
    if (p->regions.len)
        write_log(p->s, &region_log, p->regions.items, p->regions.len);
    if (p->irqls.len)
        write_log(p->s, &irql_log, p->irqls.items, p->irqls.len);
    KDX_VEC_FREE(p->tags);
    KDX_VEC_FREE(p->session_tags);
    KDX_VEC_FREE(p->bigs);
    KDX_VEC_FREE(p->regions);
    KDX_VEC_FREE(p->irqls);
    free(p);
}
