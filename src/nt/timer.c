/* Kernel timers (timer.h). */
#include "nt/timer.h"

#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "target/memory.h"

#define KTM "nt!_KTIMER"
#define TIMER_LISTS 256u
#define TIMER_KINDS 2u

static uint64_t rol64(uint64_t v, unsigned n)
{
    n &= 63;
    return n ? v << n | v >> (64 - n) : v;
}

static uint64_t ror64(uint64_t v, unsigned n)
{
    n &= 63;
    return n ? v >> n | v << (64 - n) : v;
}

/* Public analyses of Windows 8.1+ (and the Volatility timers plugin) describe
 * the stored value as ror(bswap(Dpc ^ KiWaitAlways) ^ Timer, KiWaitNever &
 * 0xff) ^ KiWaitNever; decoding undoes the steps in reverse order. */
uint64_t kdx_nt_timer_dpc_encode(uint64_t dpc, uint64_t timer, uint64_t wait_never, uint64_t wait_always)
{
    return ror64(__builtin_bswap64(dpc ^ wait_always) ^ timer, (unsigned)(wait_never & 0xff)) ^ wait_never;
}

uint64_t kdx_nt_timer_dpc_decode(uint64_t stored, uint64_t timer, uint64_t wait_never, uint64_t wait_always)
{
    return __builtin_bswap64(rol64(stored ^ wait_never, (unsigned)(wait_never & 0xff)) ^ timer) ^ wait_always;
}

static bool is_dpc(kdx_session *s, uint64_t dpc)
{
    uint64_t type;
    const char *kind;
    return kdx_nt_read(s, "nt!_KDPC", dpc, "Type", &type, NULL) == KDX_OK &&
           (kind = kdx_nt_enum_name(s, "nt!_KOBJECTS", (int64_t)type)) != NULL &&
           (!strcmp(kind, "DpcObject") || !strcmp(kind, "ThreadedDpcObject"));
}

/* The stored value itself when it is a DPC (older kernels), else decoded with the two keys. */
static void find_dpc(kdx_session *s, kdx_nt_timer *t)
{
    if (!t->dpc_raw)
        return;
    if (is_dpc(s, t->dpc_raw)) {
        t->dpc = t->dpc_raw;
    } else {
        uint64_t never_addr, always_addr, never, always;
        kdx_err *e = &t->dpc_why;
        kdx_err why = {0};
        if (kdx_nt_symbol(s, "nt!KiWaitNever", &never_addr, &why) != KDX_OK ||
            kdx_nt_symbol(s, "nt!KiWaitAlways", &always_addr, &why) != KDX_OK ||
            kdx_read_ptr(s->target, never_addr, &never, &why) != KDX_OK ||
            kdx_read_ptr(s->target, always_addr, &always, &why) != KDX_OK) {
            kdx_err_set(e, why.code, "the keys nt!KiWaitNever/KiWaitAlways: %s", why.msg);
            return;
        }
        uint64_t d = kdx_nt_timer_dpc_decode(t->dpc_raw, t->addr, never, always);
        if (!is_dpc(s, d)) {
            kdx_err_set(e, KDX_E_FORMAT, "KTIMER.Dpc %016llx decodes to %016llx, which is not a DPC object",
                        (unsigned long long)t->dpc_raw, (unsigned long long)d);
            return;
        }
        t->dpc = d;
    }
    kdx_nt_read(s, "nt!_KDPC", t->dpc, "DeferredRoutine", &t->dpc_routine, NULL);
}

kdx_status kdx_nt_timer_read(kdx_session *s, uint64_t addr, kdx_nt_timer *t, kdx_err *err)
{
    memset(t, 0, sizeof *t);
    t->addr = addr;
    uint64_t period = 0, timer_off;
    kdx_status st = kdx_nt_read(s, KTM, addr, "DueTime.QuadPart", &t->due, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, KTM, addr, "Period", &period, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, KTM, addr, "Dpc", &t->dpc_raw, err);
    if (st != KDX_OK)
        return st;
    t->period = (uint32_t)period;
    /* A thread's own timer (waits with a timeout, KeDelayExecutionThread). */
    if (kdx_nt_offset(s, "nt!_KTHREAD", "Timer", &timer_off, NULL) == KDX_OK &&
        kdx_nt_is_dispatcher_kind(s, addr - timer_off, "ThreadObject"))
        t->thread = addr - timer_off;
    find_dpc(s, t);
    return KDX_OK;
}

typedef struct timer_walk {
    kdx_session *s;
    uint64_t link_off;
    unsigned kind, list;
    kdx_nt_timer_cb cb;
    void *ud;
} timer_walk;

static int one_timer(void *ud, uint64_t entry, size_t index)
{
    timer_walk *w = ud;
    kdx_nt_timer t;
    kdx_err err = {0};
    (void)index;
    if (kdx_nt_timer_read(w->s, entry - w->link_off, &t, &err) != KDX_OK) {
        memset(&t, 0, sizeof t);
        t.addr = entry - w->link_off;
        t.dpc_why = err;
        t.due = UINT64_MAX; /* unreadable: the callback says so */
    }
    return w->cb(w->ud, w->kind, w->list, &t) || kdx_interrupted();
}

kdx_status kdx_nt_timer_walk(kdx_session *s, unsigned cpu, kdx_nt_timer_cb cb, void *ud, uint64_t *table,
                             kdx_err *err)
{
    uint64_t prcb, table_off;
    timer_walk w = {s, 0, 0, 0, cb, ud};
    kdx_status st = kdx_nt_prcb(s, cpu, &prcb, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, "nt!_KPRCB", "TimerTable", &table_off, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, KTM, "TimerListEntry", &w.link_off, err);
    if (st != KDX_OK)
        return st;
    *table = prcb + table_off;
    kdx_status first = KDX_OK;
    for (w.kind = 0; w.kind < TIMER_KINDS; w.kind++) {
        for (w.list = 0; w.list < TIMER_LISTS && !kdx_interrupted(); w.list++) {
            char path[64];
            uint64_t head;
            snprintf(path, sizeof path, "TimerEntries[%u][%u].Entry", w.kind, w.list);
            if ((st = kdx_nt_offset(s, "nt!_KTIMER_TABLE", path, &head, err)) != KDX_OK)
                return st;
            kdx_nt_list_opts opts = {.max = 100000};
            kdx_nt_list_result r;
            kdx_status ls = kdx_nt_list_walk(s, *table + head, &opts, one_timer, &w, &r);
            if (ls != KDX_OK && r.end != KDX_NT_LIST_STOPPED && first == KDX_OK) {
                /* the first broken list is reported; the other lists are still walked */
                char msg[KDX_ERR_MSG_MAX], what[96];
                snprintf(what, sizeof what, "timer list %u of kind %u on processor %u", w.list, w.kind, cpu);
                kdx_nt_list_describe(s, &r, what, msg, sizeof msg);
                first = kdx_err_set(err, ls, "%s", msg);
            }
        }
    }
    return kdx_interrupted() ? KDX_E_INTERRUPTED : first;
}
