/* `!analyze -hang` (hang.h). */
#include "analysis/hang.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"
#include "nt/clock.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "nt/resource.h"
#include "nt/thread.h"
#include "nt/wait.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"

#define KT "nt!_KTHREAD"
#define MAX_WAIT_BLOCKS 8
#define MAX_CYCLE 64
#define STACK_FRAMES 64

typedef struct hang_run {
    kdx_session *s;
    kdx_hang *h;
    kdx_nt_addrset seen;      /* threads whose waits were read */
    uint64_t process;
} hang_run;

static void note(kdx_hang *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(kdx_hang *h, const char *fmt, ...)
{
    if (h->notes_total++ >= KDX_HANG_MAX_NOTES)
        return; /* counted; the report says how many more */
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kdx_sb_printf(&h->notes, "%s\n", buf);
}

static void add_edge(kdx_hang *h, uint64_t waiter, uint64_t owner, uint64_t object, bool resource, bool exclusive)
{
    kdx_hang_edge e = {waiter, owner & ~(uint64_t)3, object, resource, exclusive};
    KDX_VEC_PUSH(h->edges, e);
}

/* ---- waits and their ages ---- */

/* Keeps the KDX_HANG_LONGEST waits that started first. */
static void consider_wait(kdx_hang *h, uint64_t thread, uint64_t wait_time, uint64_t reason)
{
    size_t i = h->nlongest;
    if (i == KDX_HANG_LONGEST && wait_time >= h->longest[i - 1].wait_time)
        return;
    if (i == KDX_HANG_LONGEST)
        i--;
    else
        h->nlongest++;
    while (i > 0 && h->longest[i - 1].wait_time > wait_time) {
        h->longest[i] = h->longest[i - 1];
        i--;
    }
    h->longest[i] = (kdx_hang_wait){thread, wait_time, reason};
}

/* One thread's state and, when it waits, its age and the mutants it waits for. */
static void read_thread_waits(hang_run *r, uint64_t thread)
{
    size_t prev;
    if (!kdx_nt_addrset_add(&r->seen, thread, 0, &prev))
        return;
    kdx_session *s = r->s;
    uint64_t state, wait_time, reason;
    kdx_err err = {0};
    const char *name;
    if (kdx_nt_read(s, KT, thread, "State", &state, &err) != KDX_OK) {
        note(r->h, "thread %016" PRIx64 ": state not read: %s", thread, err.msg);
        return;
    }
    r->h->threads++;
    if (!(name = kdx_nt_thread_state_name(s, state)) || strcmp(name, "Waiting"))
        return;
    if (kdx_nt_read(s, KT, thread, "WaitTime", &wait_time, &err) == KDX_OK &&
        kdx_nt_read(s, KT, thread, "WaitReason", &reason, &err) == KDX_OK)
        consider_wait(r->h, thread, wait_time, reason);
    else
        note(r->h, "thread %016" PRIx64 ": wait start not read: %s", thread, err.msg);
    kdx_nt_wait_block wb[MAX_WAIT_BLOCKS];
    size_t n = 0;
    if (kdx_nt_thread_waits(s, thread, wb, MAX_WAIT_BLOCKS, &n, &err) != KDX_OK) {
        note(r->h, "thread %016" PRIx64 ": wait blocks not read: %s", thread, err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (wb[i].object_kind && !strcmp(wb[i].object_kind, "MutantObject") && wb[i].owner && wb[i].owner != thread)
            add_edge(r->h, thread, wb[i].owner, wb[i].object, false, true);
}

/* ---- resources ---- */

static void resource_waiters(hang_run *r, const kdx_nt_resource *res, uint64_t chain, bool exclusive)
{
    uint64_t w[KDX_NT_RESOURCE_MAX_WAITERS];
    size_t n = 0;
    kdx_err err = {0};
    if (!chain)
        return;
    if (kdx_nt_resource_waiters(r->s, chain, w, KDX_NT_RESOURCE_MAX_WAITERS, &n, &err) != KDX_OK)
        note(r->h, "resource %016" PRIx64 ": %s waiters not listed: %s", res->addr, exclusive ? "exclusive" : "shared",
             err.msg);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < res->nowners; k++)
            add_edge(r->h, w[i], res->owners[k].thread, res->addr, true, exclusive);
        read_thread_waits(r, w[i]);
    }
}

static int one_resource(void *ud, uint64_t addr, size_t index)
{
    hang_run *r = ud;
    (void)index;
    kdx_nt_resource res;
    kdx_err err = {0};
    r->h->resources++;
    if (kdx_nt_resource_read(r->s, addr, &res, &err) != KDX_OK) {
        note(r->h, "resource %016" PRIx64 ": %s", addr, err.msg);
        return 0;
    }
    if (!kdx_nt_resource_held(&res))
        return kdx_interrupted();
    r->h->held++;
    if (res.shared_waiters || res.exclusive_waiters)
        r->h->contended++;
    resource_waiters(r, &res, res.exclusive_object, true);
    resource_waiters(r, &res, res.shared_object, false);
    for (size_t k = 0; k < res.nowners; k++)
        read_thread_waits(r, res.owners[k].thread & ~(uint64_t)3);
    return kdx_interrupted();
}

/* ---- every thread of the process lists ---- */

static int one_thread(void *ud, uint64_t thread, size_t index)
{
    (void)index;
    read_thread_waits(ud, thread);
    return kdx_interrupted();
}

static int one_process(void *ud, uint64_t process, size_t index)
{
    hang_run *r = ud;
    kdx_err err = {0};
    (void)index;
    if (kdx_nt_process_threads(r->s, process, one_thread, r, NULL, &err) != KDX_OK && err.code != KDX_E_INTERRUPTED)
        note(r->h, "process %016" PRIx64 ": %s", process, err.msg);
    return kdx_interrupted();
}

/* ---- cycles ---- */

static int edge_cmp(const void *a, const void *b)
{
    const kdx_hang_edge *x = a, *y = b;
    return x->waiter < y->waiter ? -1 : x->waiter > y->waiter;
}

/* The first edge whose waiter is thread (edges sorted), or len. */
static size_t first_edge(const kdx_hang *h, uint64_t thread)
{
    size_t lo = 0, hi = h->edges.len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->edges.items[mid].waiter < thread)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct dfs {
    kdx_hang *h;
    kdx_nt_addrset state;     /* 1 on the path, 2 done */
    size_t path[MAX_CYCLE];   /* edge indexes */
    size_t depth;
} dfs;

static bool already_reported(const kdx_hang *h, size_t edge)
{
    for (size_t i = 0; i < h->cycle_edges.len; i++)
        if (h->cycle_edges.items[i] == edge)
            return true;
    return false;
}

/* A cycle closes at thread: record the path's edges from where thread's first edge sits. */
static void record_cycle(dfs *d, uint64_t thread)
{
    size_t from = 0;
    while (from < d->depth && d->h->edges.items[d->path[from]].waiter != thread)
        from++;
    if (from == d->depth || already_reported(d->h, d->path[from]))
        return;
    kdx_hang_cycle c = {d->h->cycle_edges.len, d->depth - from};
    for (size_t i = from; i < d->depth; i++)
        KDX_VEC_PUSH(d->h->cycle_edges, d->path[i]);
    KDX_VEC_PUSH(d->h->cycles, c);
}

/* Depth-first over "waits for" edges: an owner already on the path closes a cycle. */
static void visit(dfs *d, uint64_t thread)
{
    enum { ON_PATH = 1, DONE = 2 };
    kdx_nt_addrset_add(&d->state, thread, ON_PATH, NULL);
    for (size_t e = first_edge(d->h, thread); e < d->h->edges.len && d->h->edges.items[e].waiter == thread; e++) {
        if (d->depth == MAX_CYCLE || kdx_interrupted())
            break;
        uint64_t owner = d->h->edges.items[e].owner;
        size_t *st = kdx_nt_addrset_find(&d->state, owner);
        d->path[d->depth++] = e;
        if (!st)
            visit(d, owner);
        else if (*st == ON_PATH)
            record_cycle(d, owner);
        d->depth--;
    }
    *kdx_nt_addrset_find(&d->state, thread) = DONE;
}

static void find_cycles(kdx_hang *h)
{
    kdx_sort(h->edges.items, h->edges.len, sizeof *h->edges.items, edge_cmp);
    dfs d = {h, {0}, {0}, 0};
    for (size_t e = 0; e < h->edges.len; e++)
        if (!kdx_nt_addrset_find(&d.state, h->edges.items[e].waiter))
            visit(&d, h->edges.items[e].waiter);
    kdx_nt_addrset_free(&d.state);
}

/* ---- stacks and the bucket ---- */

static kdx_status thread_stack(kdx_session *s, uint64_t thread, kdx_stack *st, kdx_err *err)
{
    return kdx_nt_thread_stack(s, thread, STACK_FRAMES, st, NULL, err);
}

/* "kdxscen!LockPairAB": the innermost frame outside nt, where a driver asked to wait. */
static bool blocker(kdx_session *s, uint64_t thread, char *buf, size_t cap)
{
    kdx_stack st = {0};
    bool found = false;
    if (thread_stack(s, thread, &st, NULL) == KDX_OK) {
        for (size_t i = 0; i < st.len && !found; i++) {
            kdx_symhit hit;
            if (kdx_sym_from_addr(s, kdx_ctx_ip(&st.frames[i].ctx), &hit) != KDX_OK || !hit.module || !hit.name)
                continue;
            if (kdx_strcasecmp(hit.module->name, "nt") != 0) {
                snprintf(buf, cap, "%s!%s", hit.module->name, hit.name);
                found = true;
            }
        }
    }
    kdx_stack_free(&st);
    return found;
}

static void make_bucket(kdx_session *s, kdx_hang *h)
{
    char who[128] = ""; /* leaves room in the bucket for the longest prefix */
    if (h->cycles.len) {
        const kdx_hang_edge *e = &h->edges.items[h->cycle_edges.items[h->cycles.items[0].first]];
        bool found = blocker(s, e->waiter, who, sizeof who);
        snprintf(h->bucket, sizeof h->bucket, "ANALYSIS_HANG_%s_DEADLOCK%s%s", e->resource ? "ERESOURCE" : "MUTANT",
                 found ? "_" : "", who);
    } else if (h->edges.len) {
        const kdx_hang_edge *e = &h->edges.items[0];
        bool found = blocker(s, e->owner, who, sizeof who);
        snprintf(h->bucket, sizeof h->bucket, "ANALYSIS_HANG_%s_CONTENTION%s%s", e->resource ? "ERESOURCE" : "MUTANT",
                 found ? "_" : "", who);
    } else if (h->nlongest) {
        const char *reason = kdx_nt_wait_reason_name(s, h->longest[0].reason);
        bool found = blocker(s, h->longest[0].thread, who, sizeof who);
        snprintf(h->bucket, sizeof h->bucket, "ANALYSIS_HANG_LONGEST_WAIT_%s%s%s", reason ? reason : "UNKNOWN",
                 found ? "_" : "", who);
    } else if (!h->threads && h->notes.len) {
        snprintf(h->bucket, sizeof h->bucket, "ANALYSIS_HANG_NO_THREAD_READABLE");
    } else {
        snprintf(h->bucket, sizeof h->bucket, "ANALYSIS_HANG_NO_WAITING_THREAD_FOUND");
    }
}

kdx_status kdx_hang_analyze(kdx_session *s, kdx_hang *h, kdx_err *err)
{
    memset(h, 0, sizeof *h);
    kdx_sb_init(&h->notes);
    kdx_sb_puts(&h->notes, "");
    if (!s->target || s->target->kind != KDX_TARGET_KERNEL_DUMP)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "hang analysis needs a kernel dump");
    hang_run r = {s, h, {0}, 0};
    kdx_err why = {0};
    if (kdx_nt_resource_walk(s, one_resource, &r, NULL, &why) != KDX_OK)
        note(h, "%s", why.msg);
    memset(&why, 0, sizeof why);
    if (kdx_nt_process_walk(s, one_process, &r, NULL, &why) != KDX_OK)
        note(h, "%s", why.msg);
    /* The processors' threads, which a dump keeps even when the process lists leave it. */
    for (unsigned cpu = 0; cpu < kdx_nt_processor_count(s) && !kdx_interrupted(); cpu++) {
        uint64_t thread;
        if (kdx_nt_processor_thread(s, cpu, &thread, NULL) == KDX_OK && thread)
            read_thread_waits(&r, thread);
    }
    kdx_nt_addrset_free(&r.seen);
    memset(&why, 0, sizeof why);
    h->have_ticks = kdx_nt_tick_count(s, &h->tick_count, &why) == KDX_OK;
    if (!h->have_ticks)
        note(h, "wait ages unknown (KUSER_SHARED_DATA.TickCount: %s); threads are ordered by the tick their wait "
                "started", why.msg);
    h->have_tick_length = kdx_nt_tick_length(s, &h->tick_length, NULL) == KDX_OK;
    find_cycles(h);
    make_bucket(s, h);
    return kdx_interrupted() ? kdx_err_set(err, KDX_E_INTERRUPTED, "interrupted") : KDX_OK;
}

void kdx_hang_free(kdx_hang *h)
{
    KDX_VEC_FREE(h->edges);
    KDX_VEC_FREE(h->cycle_edges);
    KDX_VEC_FREE(h->cycles);
    kdx_sb_free(&h->notes);
}

/* ---- text ---- */

static const char *cid(kdx_session *s, uint64_t thread, char *buf, size_t cap)
{
    uint64_t p, t;
    if (kdx_nt_read(s, "nt!_ETHREAD", thread, "Cid.UniqueProcess", &p, NULL) == KDX_OK &&
        kdx_nt_read(s, "nt!_ETHREAD", thread, "Cid.UniqueThread", &t, NULL) == KDX_OK)
        snprintf(buf, cap, "%04" PRIx64 ".%04" PRIx64, p, t);
    else
        snprintf(buf, cap, "?.?");
    return buf;
}

static void print_edge(kdx_session *s, const kdx_hang_edge *e)
{
    int w = kdx_session_ptr_size(s) * 2;
    char c[40];
    if (e->resource)
        kdx_print(s, "    THREAD %0*" PRIx64 " (Cid %s) waits for %s access to Resource @ 0x%0*" PRIx64
                     ", owned by THREAD %0*" PRIx64 "\n",
                  w, e->waiter, cid(s, e->waiter, c, sizeof c), e->exclusive ? "exclusive" : "shared", w, e->object, w,
                  e->owner);
    else
        kdx_print(s, "    THREAD %0*" PRIx64 " (Cid %s) waits for Mutant %0*" PRIx64 ", owned by THREAD %0*" PRIx64 "\n", w,
                  e->waiter, cid(s, e->waiter, c, sizeof c), w, e->object, w, e->owner);
}

static void print_wait(kdx_session *s, const kdx_hang *h, const kdx_hang_wait *wt)
{
    int w = kdx_session_ptr_size(s) * 2;
    char c[40], age[64] = "?", len[40];
    const char *reason = kdx_nt_wait_reason_name(s, wt->reason);
    if (h->have_ticks) {
        uint64_t ticks = h->tick_count >= wt->wait_time ? h->tick_count - wt->wait_time : 0;
        if (h->have_tick_length) {
            kdx_nt_format_ticks(ticks, h->tick_length, len, sizeof len);
            snprintf(age, sizeof age, "%" PRIu64 " (%s)", ticks, len);
        } else {
            snprintf(age, sizeof age, "%" PRIu64, ticks);
        }
    }
    kdx_print(s, "THREAD %0*" PRIx64 "  Cid %s  Wait Start TickCount %" PRIu64 "  Ticks: %s  WAIT: (%s)\n", w, wt->thread,
              cid(s, wt->thread, c, sizeof c), wt->wait_time, age, reason ? reason : "?");
    kdx_stack st = {0};
    kdx_err err = {0};
    if (thread_stack(s, wt->thread, &st, &err) == KDX_OK)
        kdx_stack_print(s, &st, 0);
    else
        kdx_print(s, "    (no stack: %s)\n", err.msg);
    kdx_stack_free(&st);
    kdx_print(s, "\n");
}

void kdx_hang_print(kdx_session *s, const kdx_hang *h)
{
    kdx_print(s, "HANG_ANALYSIS:  %" PRIu64 " executive resources (%" PRIu64 " held, %" PRIu64 " with waiters), %" PRIu64
                 " threads' waits read\n\n",
              h->resources, h->held, h->contended, h->threads);
    for (size_t i = 0; i < h->cycles.len; i++) {
        const kdx_hang_cycle *c = &h->cycles.items[i];
        kdx_print(s, "DEADLOCK_%zu:  %zu threads wait for each other\n", i + 1, c->len);
        for (size_t k = 0; k < c->len; k++)
            print_edge(s, &h->edges.items[h->cycle_edges.items[c->first + k]]);
        kdx_print(s, "\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < h->edges.len; i++) {
        bool in_cycle = false;
        for (size_t k = 0; k < h->cycle_edges.len && !in_cycle; k++)
            in_cycle = h->cycle_edges.items[k] == i;
        if (in_cycle)
            continue;
        if (!shown++)
            kdx_print(s, "BLOCKED_THREADS:\n");
        print_edge(s, &h->edges.items[i]);
    }
    if (shown)
        kdx_print(s, "\n");
    if (h->nlongest)
        kdx_print(s, "LONGEST_WAITING_THREADS:\n\n");
    for (size_t i = 0; i < h->nlongest; i++)
        print_wait(s, h, &h->longest[i]);
    if (h->notes.len) {
        kdx_print(s, "HANG_ANALYSIS_INCOMPLETE:  what could not be read:\n");
        for (const char *p = h->notes.s; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            kdx_print(s, "    %.*s\n", (int)n, p);
            p += n + (nl != NULL);
        }
        if (h->notes_total > KDX_HANG_MAX_NOTES)
            kdx_print(s, "    (and %" PRIu64 " more)\n", h->notes_total - KDX_HANG_MAX_NOTES);
        kdx_print(s, "\n");
    }
    kdx_print(s, "HANG_BUCKET_ID:  %s\n\n", h->bucket);
}

/* ---- JSON ---- */

static json_t *hex_json(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%016" PRIx64, v);
    return json_string(b);
}

static json_t *edge_json(const kdx_hang_edge *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "waiter", hex_json(e->waiter));
    json_object_set_new(o, "owner", hex_json(e->owner));
    json_object_set_new(o, "object", hex_json(e->object));
    json_object_set_new(o, "kind", json_string(e->resource ? "resource" : "mutant"));
    if (e->resource)
        json_object_set_new(o, "exclusive", json_boolean(e->exclusive));
    return o;
}

static json_t *hang_json(kdx_session *s, const kdx_hang *h)
{
    json_t *o = json_object(), *cycles = json_array(), *blocked = json_array(), *waits = json_array(),
           *notes = json_array();
    json_object_set_new(o, "resources", json_integer((json_int_t)h->resources));
    json_object_set_new(o, "held", json_integer((json_int_t)h->held));
    json_object_set_new(o, "with_waiters", json_integer((json_int_t)h->contended));
    json_object_set_new(o, "threads_read", json_integer((json_int_t)h->threads));
    for (size_t i = 0; i < h->cycles.len; i++) {
        json_t *c = json_array();
        for (size_t k = 0; k < h->cycles.items[i].len; k++)
            json_array_append_new(c, edge_json(&h->edges.items[h->cycle_edges.items[h->cycles.items[i].first + k]]));
        json_array_append_new(cycles, c);
    }
    for (size_t i = 0; i < h->edges.len; i++) {
        bool in_cycle = false;
        for (size_t k = 0; k < h->cycle_edges.len && !in_cycle; k++)
            in_cycle = h->cycle_edges.items[k] == i;
        if (!in_cycle)
            json_array_append_new(blocked, edge_json(&h->edges.items[i]));
    }
    for (size_t i = 0; i < h->nlongest; i++) {
        const kdx_hang_wait *w = &h->longest[i];
        const char *reason = kdx_nt_wait_reason_name(s, w->reason);
        json_t *x = json_object();
        json_object_set_new(x, "thread", hex_json(w->thread));
        json_object_set_new(x, "wait_start_tick", json_integer((json_int_t)w->wait_time));
        json_object_set_new(x, "ticks", h->have_ticks && h->tick_count >= w->wait_time
                                            ? json_integer((json_int_t)(h->tick_count - w->wait_time))
                                            : json_null());
        json_object_set_new(x, "reason", reason ? json_string(reason) : json_null());
        json_array_append_new(waits, x);
    }
    for (const char *p = h->notes.s; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_array_append_new(notes, json_stringn(p, n));
        p += n + (nl != NULL);
    }
    json_object_set_new(o, "deadlocks", cycles);
    json_object_set_new(o, "blocked", blocked);
    json_object_set_new(o, "longest_waits", waits);
    json_object_set_new(o, "not_read", notes);
    json_object_set_new(o, "not_read_total", json_integer((json_int_t)h->notes_total));
    json_object_set_new(o, "bucket", json_string(h->bucket));
    return o;
}

char *kdx_hang_json_into(kdx_session *s, const kdx_hang *h, const char *analysis_json)
{
    json_t *doc = json_loads(analysis_json, 0, NULL);
    if (!doc)
        doc = json_object();
    json_object_set_new(doc, "hang", hang_json(s, h));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return text;
}
