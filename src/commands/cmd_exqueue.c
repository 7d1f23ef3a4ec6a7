/* Command family: executive worker queues: !exqueue [Flags]. Windows 10
 * keeps them per partition and NUMA node: nt!PspSystemPartition ->
 * _EPARTITION.ExPartition (an _EX_PARTITION, typed void * in the symbols)
 * -> WorkQueues[node][_EXQUEUEINDEX] -> _EX_WORK_QUEUE. Layout: Microsoft's
 * !exqueue page (`**** ... WorkQueue( current = N maximum = M )`, the pending
 * items, then each worker's !thread display); the per-node, per-queue
 * headings are kdx's (docs/nt.md). Flags go to the worker threads' display
 * as !thread's (0: one line each; 6: details and stack). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/nt_show.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/list.h"
#include "sym/symbols.h"
#include "target/memory.h"

#define WQ "nt!_EX_WORK_QUEUE"
#define MAX_NODES 64

typedef struct exq_run {
    kdx_session *s;
    kdx_show show;
    unsigned flags;
    uint64_t item_off, thread_off;
    unsigned priority;
    uint64_t items, threads;
} exq_run;

static int one_item(void *ud, uint64_t entry, size_t index)
{
    exq_run *r = ud;
    kdx_session *s = r->s;
    int w = kdx_session_ptr_size(s) * 2;
    uint64_t item = entry - r->item_off, routine = 0, param = 0;
    char sym[256] = "?";
    (void)index;
    kdx_err err = {0};
    r->items++;
    if (kdx_nt_read(s, "nt!_WORK_QUEUE_ITEM", item, "WorkerRoutine", &routine, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_WORK_QUEUE_ITEM", item, "Parameter", &param, &err) != KDX_OK) {
        kdx_print(s, "PENDING: WORK_QUEUE_ITEM %0*" PRIx64 " (not read: %s)\n", w, item, err.msg);
        return kdx_interrupted();
    }
    kdx_sym_format(s, routine, sym, sizeof sym);
    kdx_print(s, "PENDING: WORK_QUEUE_ITEM %0*" PRIx64 " Priority %u WorkerRoutine %s (%0*" PRIx64 ") Parameter %0*" PRIx64
                 "\n",
              w, item, r->priority, sym, w, routine, w, param);
    return kdx_interrupted();
}

static int one_worker(void *ud, uint64_t entry, size_t index)
{
    exq_run *r = ud;
    (void)index;
    r->threads++;
    kdx_show_thread(&r->show, entry - r->thread_off, r->flags, 0);
    return kdx_interrupted();
}

/* A list of the queue (at field path), walked with cb; an early end is said. */
static void walk_field(exq_run *r, uint64_t queue, const char *path, kdx_nt_list_cb cb, const char *what)
{
    uint64_t off;
    kdx_err err = {0};
    if (kdx_nt_offset(r->s, WQ, path, &off, &err) != KDX_OK) {
        kdx_print(r->s, "(%s not read: %s)\n", what, err.msg);
        return;
    }
    kdx_nt_list_opts opts = {.max = 100000};
    kdx_nt_list_result res;
    if (kdx_nt_list_walk(r->s, queue + off, &opts, cb, r, &res) != KDX_OK && res.end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(r->s, &res, what, msg, sizeof msg);
        kdx_print(r->s, "(%s)\n", msg);
    }
}

static void print_queue(exq_run *r, unsigned node, unsigned index, uint64_t queue)
{
    kdx_session *s = r->s;
    uint64_t count = 0, min = 0, max = 0, processed = 0;
    kdx_err err = {0};
    const char *name = kdx_nt_enum_name(s, "nt!_EXQUEUEINDEX", index);
    if (kdx_nt_read(s, WQ, queue, "ThreadCount", &count, &err) != KDX_OK ||
        kdx_nt_read(s, WQ, queue, "MinThreads", &min, &err) != KDX_OK ||
        kdx_nt_read(s, WQ, queue, "MaxThreads", &max, &err) != KDX_OK ||
        kdx_nt_read(s, WQ, queue, "WorkItemsProcessed", &processed, &err) != KDX_OK) {
        kdx_print(s, "**** Node %u queue %u (%0*" PRIx64 "): not read: %s\n\n", node, index, kdx_session_ptr_size(s) * 2,
                  queue, err.msg);
        return;
    }
    kdx_print(s, "**** Node %u %s WorkQueue %0*" PRIx64 " ( current = %" PRId64 " minimum = %" PRId64 " maximum = %" PRId64
                 " processed = %" PRIu64 " )\n",
              node, name ? name : "?", kdx_session_ptr_size(s) * 2, queue, (int64_t)(int32_t)count,
              (int64_t)(int32_t)min, (int64_t)(int32_t)max, processed);
    for (int p = 31; p >= 0 && !kdx_interrupted(); p--) {
        char path[64], what[64];
        r->priority = (unsigned)p;
        snprintf(path, sizeof path, "WorkPriQueue.EntryListHead[%d]", p);
        snprintf(what, sizeof what, "the pending items of priority %d", p);
        walk_field(r, queue, path, one_item, what);
    }
    walk_field(r, queue, "WorkPriQueue.ThreadListHead", one_worker, "the worker threads");
    kdx_print(s, "\n");
}

static int cmd_exqueue(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    exq_run r = {.s = s};
    uint64_t flags = 0;
    kdx_err err = {0};
    if (*kdx_skip_ws(args) && kdx_expr_eval(s, args, &flags, NULL, &err))
        return kdx_cmd_fail(s, &err);
    r.flags = (unsigned)flags & (KDX_SHOW_WAITS | KDX_SHOW_STACKS | KDX_SHOW_NO_ARGS);
    uint64_t slot, part, ex, tables, nodes_addr, maxq;
    uint16_t nodes = 0;
    int64_t qmax = 0;
    if (kdx_nt_symbol(s, "nt!PspSystemPartition", &slot, &err) != KDX_OK ||
        kdx_read_ptr(s->target, slot, &part, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_EPARTITION", part, "ExPartition", &ex, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_EX_PARTITION", ex, "WorkQueues", &tables, &err) != KDX_OK ||
        kdx_nt_symbol(s, "nt!KeNumberNodes", &nodes_addr, &err) != KDX_OK ||
        kdx_read_u16(s->target, nodes_addr, &nodes, &err) != KDX_OK ||
        kdx_nt_enum_value(s, "nt!_EXQUEUEINDEX", "ExPoolMax", &qmax, &err) != KDX_OK || qmax <= 0 || qmax > 64) {
        kdx_print(s, "The work queues cannot be found (nt!PspSystemPartition -> ExPartition -> WorkQueues, "
                     "nt!KeNumberNodes): %s\n", err.code ? err.msg : "_EXQUEUEINDEX.ExPoolMax is out of range");
        return 1;
    }
    if (kdx_nt_offset(s, "nt!_WORK_QUEUE_ITEM", "List", &r.item_off, &err) != KDX_OK ||
        kdx_nt_offset(s, "nt!_KTHREAD", "QueueListEntry", &r.thread_off, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_show_init(&r.show, s);
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "Dumping the work queues of the system partition (nt!PspSystemPartition %0*" PRIx64 ")\n\n", w, part);
    maxq = (uint64_t)qmax;
    for (unsigned node = 0; node < nodes && node < MAX_NODES && !kdx_interrupted(); node++) {
        uint64_t table;
        if (kdx_read_ptr(s->target, tables + 8ull * node, &table, &err) != KDX_OK) {
            kdx_print(s, "**** Node %u: queue table not read: %s\n\n", node, err.msg);
            continue;
        }
        for (unsigned i = 0; i < maxq && table && !kdx_interrupted(); i++) {
            uint64_t queue;
            if (kdx_read_ptr(s->target, table + 8ull * i, &queue, &err) != KDX_OK)
                kdx_print(s, "**** Node %u queue %u: not read: %s\n\n", node, i, err.msg);
            else if (queue)
                print_queue(&r, node, i, queue);
        }
    }
    kdx_show_finish(&r.show);
    return 0;
}

const kdx_command kdx_cmds_exqueue[] = {
    {"!exqueue", cmd_exqueue, "executive worker queues: pending items and worker threads: !exqueue [Flags]", 0},
    {0}};
