/* Command family: per-processor dispatcher queues: !dpcs [Processor].
 * Layout: Microsoft's !dpcs page (`CPU Type      KDPC      Function`, ` 0:
 * Normal  : 0xADDR 0xROUTINE nt!Function`); docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/processor.h"
#include "sym/symbols.h"
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

const kdx_command kdx_cmds_dpc[] = {
    {"!dpcs", cmd_dpcs, "the DPCs queued on each processor: !dpcs [Processor]", 0},
    {0}};
