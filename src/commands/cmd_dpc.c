/* Command family: per-processor dispatcher queues: !dpcs [Processor] and
 * !timer. Layouts: Microsoft's !dpcs page (`CPU Type      KDPC      Function`,
 * ` 0: Normal  : 0xADDR 0xROUTINE nt!Function`) and !timer page (`Dump
 * system timers`, `Interrupt time:`, `List Timer ... Interrupt Low/High
 * Fire Time ... DPC/thread`, `Total Timers: N, Maximum List: M`), with the
 * per-processor tables of Windows 10; docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cancel.h"
#include "base/fmt.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/processor.h"
#include "nt/timer.h"
#include "sym/symbols.h"
#include "target/context.h"
#include "target/memory.h"

#define MAX_DPCS 100000

/* One queue (DpcData[kind]: 0 normal, 1 threaded), a singly linked list guarded against loops. */
static unsigned dpc_queue(kdx_session *s, unsigned cpu, uint64_t prcb, int kind)
{
    char path[64];
    uint64_t head, link_off, entry;
    kdx_err err = {0};
    snprintf(path, sizeof path, "DpcData[%d].DpcList.ListHead.Next", kind);
    const char *name = kind ? "Threaded" : "Normal  ";
    if (kdx_nt_offset(s, "nt!_KPRCB", path, &head, &err) != KDX_OK ||
        kdx_nt_offset(s, "nt!_KDPC", "DpcListEntry", &link_off, &err) != KDX_OK ||
        kdx_read_ptr(s->target, prcb + head, &entry, &err) != KDX_OK) {
        kdx_print(s, "%2u: %s: queue not read: %s\n", cpu, name, err.msg);
        return 0;
    }
    kdx_nt_addrset seen = {0};
    unsigned n = 0;
    int w = kdx_session_ptr_size(s) * 2;
    while (entry && n < MAX_DPCS && !kdx_interrupted()) {
        uint64_t dpc = entry - link_off, routine;
        char sym[256];
        if (!kdx_nt_addrset_add(&seen, entry, n, NULL)) {
            kdx_print(s, "%2u: %s: the queue loops at %0*" PRIx64 "; the walk stops there\n", cpu, name, w, dpc);
            break;
        }
        if (kdx_nt_read(s, "nt!_KDPC", dpc, "DeferredRoutine", &routine, &err) != KDX_OK) {
            kdx_print(s, "%2u: %s: 0x%0*" PRIx64 " not read: %s\n", cpu, name, w, dpc, err.msg);
            break;
        }
        kdx_sym_format(s, routine, sym, sizeof sym);
        kdx_print(s, "%2u: %s: 0x%0*" PRIx64 " 0x%0*" PRIx64 " %s\n", cpu, name, w, dpc, w, routine, sym);
        n++;
        if (kdx_read_ptr(s->target, entry, &entry, &err) != KDX_OK) {
            kdx_print(s, "%2u: %s: the queue leaves the dump after 0x%0*" PRIx64 ": %s\n", cpu, name, w, dpc, err.msg);
            break;
        }
    }
    kdx_nt_addrset_free(&seen);
    return n;
}

static int cmd_dpcs(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    unsigned n = kdx_nt_processor_count(s), first = 0, last = n;
    const char *p = kdx_skip_ws(args);
    if (*p) {
        uint64_t cpu;
        kdx_err err = {0};
        if (kdx_expr_eval(s, p, &cpu, NULL, &err))
            return kdx_cmd_fail(s, &err);
        if (cpu >= n) {
            kdx_print(s, "Processor %" PRIu64 " does not exist (the dump has %u)\n", cpu, n);
            return 1;
        }
        first = (unsigned)cpu, last = first + 1;
    }
    kdx_print(s, "CPU Type      KDPC      Function\n\n");
    unsigned total = 0;
    for (unsigned i = first; i < last && !kdx_interrupted(); i++) {
        uint64_t prcb;
        kdx_err err = {0};
        if (kdx_nt_prcb(s, i, &prcb, &err) != KDX_OK) {
            kdx_print(s, "%2u: not read: %s\n", i, err.msg);
            continue;
        }
        total += dpc_queue(s, i, prcb, 0);
        total += dpc_queue(s, i, prcb, 1);
    }
    if (!total)
        kdx_print(s, "No DPCs queued\n");
    return 0;
}

/* ---- !timer ---- */

typedef struct timer_run {
    kdx_session *s;
    bool have_now;
    uint64_t now;             /* interrupt time of the dump */
    uint64_t wall;            /* the dump's FILETIME */
    unsigned cpu, kind;
    uint64_t table;
    bool header;
    uint64_t total, list_len, max_list;
    unsigned last_list;
} timer_run;

/* "[ 2/21/2021 01:38:27.000]" in UTC (WinDbg prints the debugger's local time). */
static void fire_time(timer_run *r, uint64_t due, char *buf, size_t cap)
{
    if (!r->have_now || !r->wall) {
        snprintf(buf, cap, "[?]");
        return;
    }
    uint64_t ft = r->wall + due - r->now; /* unsigned: due before now still lands right */
    time_t secs = (time_t)kdx_filetime_to_unix(ft);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, cap, "[?]");
        return;
    }
    snprintf(buf, cap, "[%2d/%2d/%4d %02d:%02d:%02d.%03u]", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (unsigned)(ft / 10000 % 1000));
}

static void timer_header(timer_run *r)
{
    if (r->header)
        return;
    r->header = true;
    kdx_print(r->s, "PROCESSOR %u (nt!_KTIMER_TABLE %0*" PRIx64 " - Type %u)\n", r->cpu,
              kdx_session_ptr_size(r->s) * 2, r->table, r->kind);
    kdx_print(r->s, "List Timer             Interrupt Low/High     Fire Time              DPC/thread\n");
}

static int one_timer(void *ud, unsigned kind, unsigned list, const kdx_nt_timer *t)
{
    timer_run *r = ud;
    kdx_session *s = r->s;
    int w = kdx_session_ptr_size(s) * 2;
    if (kind != r->kind) {
        r->kind = kind;
        r->header = false;
    }
    timer_header(r);
    r->list_len = list == r->last_list ? r->list_len + 1 : 1;
    r->last_list = list;
    if (r->list_len > r->max_list)
        r->max_list = r->list_len;
    r->total++;
    if (t->due == UINT64_MAX) {
        kdx_print(s, "%3u %0*" PRIx64 "    (not read: %s)\n", list, w, t->addr, t->dpc_why.msg);
        return 0;
    }
    char when[48], what[KDX_ERR_MSG_MAX + 64], sym[256];
    fire_time(r, t->due, when, sizeof when);
    if (t->thread)
        snprintf(what, sizeof what, "thread %0*" PRIx64, w, t->thread);
    else if (t->dpc) {
        kdx_sym_format(s, t->dpc_routine, sym, sizeof sym);
        snprintf(what, sizeof what, "%s (DPC @ %0*" PRIx64 ")", sym, w, t->dpc);
    } else if (t->dpc_raw)
        snprintf(what, sizeof what, "DPC not decoded: %s", t->dpc_why.msg);
    else
        snprintf(what, sizeof what, "(no DPC)");
    kdx_print(s, "%3u %0*" PRIx64 "    %08" PRIx64 " %08" PRIx64 " %s  %s%s\n", list, w, t->addr, t->due & 0xffffffffu,
              t->due >> 32, when, what, t->period ? " (periodic)" : "");
    return 0;
}

static int cmd_timer(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (*kdx_skip_ws(args))
        return kdx_cmd_syntax_error(s, "!timer", args);
    if (!kdx_cmd_need_target(s))
        return 1;
    timer_run r = {.s = s, .wall = s->target->sys.dump_time};
    uint64_t shared = kdx_session_ptr_size(s) == 8 ? KDX_X64_SHARED_DATA : KDX_X86_SHARED_DATA, lo, hi;
    kdx_err err = {0};
    kdx_print(s, "Dump system timers\n\n");
    if (kdx_nt_read(s, "nt!_KUSER_SHARED_DATA", shared, "InterruptTime.LowPart", &lo, &err) == KDX_OK &&
        kdx_nt_read(s, "nt!_KUSER_SHARED_DATA", shared, "InterruptTime.High1Time", &hi, &err) == KDX_OK) {
        r.now = (hi & 0xffffffffu) << 32 | (lo & 0xffffffffu);
        r.have_now = true;
        char when[48];
        fire_time(&r, r.now, when, sizeof when);
        kdx_print(s, "Interrupt time: %08" PRIx64 " %08" PRIx64 " %s\n\n", lo & 0xffffffffu, hi & 0xffffffffu, when);
    } else {
        kdx_print(s, "Interrupt time: ? (fire times unknown: %s)\n\n", err.msg);
    }
    unsigned n = kdx_nt_processor_count(s);
    for (unsigned i = 0; i < n && !kdx_interrupted(); i++) {
        r.cpu = i;
        r.kind = 0;
        r.header = false;
        r.last_list = UINT32_MAX;
        memset(&err, 0, sizeof err);
        kdx_status st = kdx_nt_timer_walk(s, i, one_timer, &r, &r.table, &err);
        if (st != KDX_OK && st != KDX_E_INTERRUPTED)
            kdx_print(s, "PROCESSOR %u: %s\n", i, err.msg);
    }
    kdx_print(s, "\nTotal Timers: %" PRIu64 ", Maximum List: %" PRIu64 "\n", r.total, r.max_list);
    return 0;
}

const kdx_command kdx_cmds_dpc[] = {
    {"!dpcs", cmd_dpcs, "the DPCs queued on each processor: !dpcs [Processor]", 0},
    {"!timer", cmd_timer, "the timers of every processor's timer table, with what they fire", 0},
    {0}};
