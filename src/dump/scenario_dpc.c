/* The scenario's DPCs (_KDPC) queued on processors: the singly linked
 * KPRCB.DpcData[0] (normal) and DpcData[1] (threaded) lists, every field
 * set by name through the layout. */
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
