/* The scenario's executive worker queues, laid out as Windows 10 keeps
 * them: nt!PspSystemPartition -> _EPARTITION.ExPartition (an _EX_PARTITION)
 * -> WorkQueues[node][index] -> _EX_WORK_QUEUE, whose WorkPriQueue
 * (_KPRIQUEUE) holds the pending _WORK_QUEUE_ITEMs by priority and the
 * worker threads (KTHREAD.QueueListEntry). Fields are set by name. */
#include <stdio.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

#define QUEUES_PER_NODE 8 /* _EXQUEUEINDEX: ExPoolMax */

/* The partition and its node-0 table of queue pointers, made on first use. */
static uint64_t node_table(kdx_scn *s)
{
    uint64_t slot = kdx_scn_symbol(s, "PspSystemPartition");
    uint64_t part = scn_read_ptr(s, slot); /* 0 until a queue is declared */
    if (part) {
        uint64_t ex = scn_read_ptr(s, part + kdx_scn_offset(s, "_EPARTITION", "ExPartition"));
        uint64_t tables = scn_read_ptr(s, ex + kdx_scn_offset(s, "_EX_PARTITION", "WorkQueues"));
        return scn_read_ptr(s, tables);
    }
    part = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_EPARTITION"), 16);
    uint64_t ex = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_EX_PARTITION"), 16);
    uint64_t tables = kdx_scn_alloc(s, 8, 8), table = kdx_scn_alloc(s, 8 * QUEUES_PER_NODE, 8);
    kdx_scn_poke(s, "_EPARTITION", part, "ExPartition", ex);
    kdx_scn_poke(s, "_EX_PARTITION", ex, "PartitionObject", part);
    kdx_scn_poke(s, "_EX_PARTITION", ex, "WorkQueues", tables);
    scn_write_ptr(s, tables, table);
    scn_write_ptr(s, slot, part);
    uint8_t one[2] = {1, 0};
    scn_write(s, kdx_scn_symbol(s, "KeNumberNodes"), one, 2);
    return table;
}

uint64_t kdx_scn_work_queue(kdx_scn *s, unsigned index, int min_threads, int max_threads)
{
    if (index >= QUEUES_PER_NODE)
        return scn_fail(s, KDX_E_ARG, "work queue %u: at most %d per node", index, QUEUES_PER_NODE), 0;
    uint64_t table = node_table(s);
    uint64_t q = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_EX_WORK_QUEUE"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_EX_WORK_QUEUE", q, &o);
    kdx_scn_set(&o, "WorkPriQueue.Header.Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "PriQueueObject"));
    kdx_scn_set(&o, "WorkPriQueue.Header.Size", kdx_scn_sizeof(s, "_KPRIQUEUE") / 4);
    kdx_scn_set_empty_list(&o, "WorkPriQueue.Header.WaitListHead");
    for (unsigned p = 0; p < 32; p++) {
        char path[64];
        snprintf(path, sizeof path, "WorkPriQueue.EntryListHead[%u]", p);
        kdx_scn_set_empty_list(&o, path);
    }
    kdx_scn_set_empty_list(&o, "WorkPriQueue.ThreadListHead");
    kdx_scn_set(&o, "WorkPriQueue.MaximumCount", (uint64_t)s->sys.processors);
    kdx_scn_set(&o, "MinThreads", (uint64_t)(uint32_t)min_threads);
    kdx_scn_set(&o, "MaxThreads", (uint64_t)(uint32_t)max_threads);
    kdx_scn_set(&o, "QueueIndex", index);
    kdx_scn_set(&o, "WorkItemsProcessed", 100 + 7 * index);
    kdx_scn_obj_end(&o);
    scn_write_ptr(s, table + 8ull * index, q);
    return q;
}

void kdx_scn_work_queue_thread(kdx_scn *s, uint64_t queue, uint64_t thread)
{
    kdx_scn_poke(s, "_KTHREAD", thread, "Queue", queue);
    kdx_scn_list_append(s, queue + kdx_scn_offset(s, "_EX_WORK_QUEUE", "WorkPriQueue.ThreadListHead"),
                        thread + kdx_scn_offset(s, "_KTHREAD", "QueueListEntry"));
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_EX_WORK_QUEUE", queue, &o);
    kdx_scn_set(&o, "ThreadCount", kdx_le32(o.buf + kdx_scn_offset(s, "_EX_WORK_QUEUE", "ThreadCount")) + 1);
    kdx_scn_obj_end(&o);
}

uint64_t kdx_scn_work_item(kdx_scn *s, uint64_t queue, unsigned priority, const char *routine, uint64_t parameter)
{
    uint64_t item = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_WORK_QUEUE_ITEM"), 16);
    kdx_scn_poke(s, "_WORK_QUEUE_ITEM", item, "WorkerRoutine", kdx_scn_code(s, routine, 0));
    kdx_scn_poke(s, "_WORK_QUEUE_ITEM", item, "Parameter", parameter);
    char path[64];
    snprintf(path, sizeof path, "WorkPriQueue.EntryListHead[%u]", priority & 31);
    kdx_scn_list_append(s, queue + kdx_scn_offset(s, "_EX_WORK_QUEUE", path),
                        item + kdx_scn_offset(s, "_WORK_QUEUE_ITEM", "List"));
    return item;
}
