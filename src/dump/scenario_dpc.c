/* The scenario's DPCs (_KDPC) queued on processors (the singly linked
 * KPRCB.DpcData[0] normal and DpcData[1] threaded lists) and armed timers
 * (KPRCB.TimerTable lists, KTIMER.Dpc encoded as Windows 10 stores it),
 * every field set by name through the layout. */
#include <stdio.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

uint64_t kdx_scn_dpc(kdx_scn *s, unsigned cpu, const char *routine, bool threaded)
{
    if (cpu >= s->sys.processors)
        return scn_fail(s, KDX_E_ARG, "DPC on processor %u: the scenario has %u", cpu, s->sys.processors), 0;
    uint64_t dpc = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_KDPC"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KDPC", dpc, &o);
    kdx_scn_set(&o, "Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", threaded ? "ThreadedDpcObject" : "DpcObject"));
    kdx_scn_set(&o, "Importance", 1); /* MediumImportance */
    kdx_scn_set(&o, "DeferredRoutine", kdx_scn_code(s, routine, 0));
    kdx_scn_set(&o, "DeferredContext", dpc);
    char path[64];
    snprintf(path, sizeof path, "DpcData[%d]", threaded ? 1 : 0);
    uint64_t data = s->prcb[cpu] + kdx_scn_offset(s, "_KPRCB", path);
    kdx_scn_set(&o, "DpcData", data);
    kdx_scn_obj_end(&o);
    /* Appended at the tail: ListHead.Next is the first entry, LastEntry the last. */
    uint64_t entry = dpc + kdx_scn_offset(s, "_KDPC", "DpcListEntry");
    kdx_scn_obj d;
    kdx_scn_obj_begin(s, "_KDPC_DATA", data, &d);
    uint64_t last = kdx_le64(d.buf + kdx_scn_offset(s, "_KDPC_DATA", "DpcList.LastEntry"));
    uint64_t depth = kdx_le32(d.buf + kdx_scn_offset(s, "_KDPC_DATA", "DpcQueueDepth"));
    if (!last)
        kdx_scn_set(&d, "DpcList.ListHead.Next", entry);
    kdx_scn_set(&d, "DpcList.LastEntry", entry);
    kdx_scn_set(&d, "DpcQueueDepth", depth + 1);
    kdx_scn_obj_end(&d);
    if (last)
        kdx_scn_poke(s, "_SINGLE_LIST_ENTRY", last, "Next", entry);
    return dpc;
}

/* The keys Windows 8.1+ encodes KTIMER.Dpc with (nt!KiWaitNever, nt!KiWaitAlways),
 * and the encoding public analyses describe (the reader in src/nt/timer.c
 * decodes it and checks the result is a DPC object). */
#define WAIT_NEVER 0x1b7f3c2d5e6a9817ull
#define WAIT_ALWAYS 0x93c4e5f60718293aull

static uint64_t encode_dpc(uint64_t dpc, uint64_t timer)
{
    uint64_t x = __builtin_bswap64(dpc ^ WAIT_ALWAYS) ^ timer;
    unsigned n = (unsigned)(WAIT_NEVER & 0xff) & 63;
    return (n ? x >> n | x << (64 - n) : x) ^ WAIT_NEVER;
}

void kdx_scn_timer_arm(kdx_scn *s, uint64_t timer, unsigned cpu, uint64_t due, uint64_t dpc, uint32_t period_ms)
{
    if (cpu >= s->sys.processors) {
        scn_fail(s, KDX_E_ARG, "timer on processor %u: the scenario has %u", cpu, s->sys.processors);
        return;
    }
    scn_write_ptr(s, kdx_scn_symbol(s, "KiWaitNever"), WAIT_NEVER);
    scn_write_ptr(s, kdx_scn_symbol(s, "KiWaitAlways"), WAIT_ALWAYS);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KTIMER", timer, &o);
    kdx_scn_set(&o, "DueTime.QuadPart", due);
    kdx_scn_set(&o, "Period", period_ms);
    kdx_scn_set(&o, "Processor", cpu);
    kdx_scn_set(&o, "Dpc", dpc ? encode_dpc(dpc, timer) : 0);
    kdx_scn_set(&o, "Header.Inserted", 1);
    kdx_scn_obj_end(&o);
    /* The list of the due time's tick, as the kernel hashes it (tick number modulo 256). */
    uint64_t tick = due / 156250u, list = tick % 256;
    char path[80];
    snprintf(path, sizeof path, "TimerTable.TimerEntries[1][%llu].Entry", (unsigned long long)list);
    kdx_scn_list_append(s, s->prcb[cpu] + kdx_scn_offset(s, "_KPRCB", path),
                        timer + kdx_scn_offset(s, "_KTIMER", "TimerListEntry"));
}

uint64_t kdx_scn_dpc_object(kdx_scn *s, const char *routine)
{
    uint64_t dpc = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_KDPC"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KDPC", dpc, &o);
    kdx_scn_set(&o, "Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "DpcObject"));
    kdx_scn_set(&o, "DeferredRoutine", kdx_scn_code(s, routine, 0));
    kdx_scn_obj_end(&o);
    return dpc;
}
