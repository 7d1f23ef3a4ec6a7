/* Driver Verifier's IRP, fault-injection and forced-pending logs in a
 * scenario dump (scenario_vflog.h). No offset is typed here: fields by name,
 * the stack's length from the type's StackTrace array. */
#include "dump/scenario_vflog.h"

#include <stdio.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"
#include "types/type.h"

typedef struct ring_globals {
    const char *type, *array, *length, *index;   /* index NULL: the log has none */
    bool irp, apc;             /* the type has Irp; Irql and the APC disable counts */
} ring_globals;

static const ring_globals rings[] = {
    {"_IOV_IRP_TRACE", "IovIrpTraces", "IovIrpTracesLength", "IovIrpTracesIndex", true, true},
    {"_VI_FAULT_TRACE", "ViFaultTraces", "ViFaultTracesLength", "ViFaultTracesIndex", false, false},
    {"_IOV_FORCED_PENDING_TRACE", "VfForcedPendingLog", "VfForcedPendingLogLength", NULL, true, false},
};

static void put_u32(kdx_scn *s, const char *sym, uint32_t v)
{
    uint8_t b[4];
    kdx_put_le32(b, v);
    scn_write(s, kdx_scn_symbol(s, sym), b, 4);
}

/* StackTrace's element count in this layout (0 when the type has none). */
static unsigned stack_slots(kdx_scn *s, const char *type)
{
    uint64_t off;
    const kdx_type *ft = NULL;
    if (!scn_field_of(s, type, "StackTrace", &off, &ft) || !ft || ft->kind != KDX_TYPE_ARRAY)
        return 0;
    return (unsigned)ft->count;
}

static void write_event(kdx_scn *s, const ring_globals *g, uint64_t at, const kdx_scn_vf_event *e, unsigned slots)
{
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, g->type, at, &o);
    kdx_scn_set(&o, "Thread", e->thread);
    if (g->irp)
        kdx_scn_set(&o, "Irp", e->irp);
    if (g->apc) {
        kdx_scn_set(&o, "Irql", e->irql);
        kdx_scn_set(&o, "KernelApcDisable", (uint16_t)e->kernel_apc);
        kdx_scn_set(&o, "SpecialApcDisable", (uint16_t)e->special_apc);
    }
    /* A shorter stack than before must not leave an older event's frames. */
    for (unsigned k = 0; k < slots; k++) {
        char path[32];
        snprintf(path, sizeof path, "StackTrace[%u]", k);
        kdx_scn_set(&o, path, k < e->nstack ? e->stack[k] : 0);
    }
    kdx_scn_obj_end(&o);
}

uint64_t kdx_scn_vf_ring_log(kdx_scn *s, kdx_scn_vf_ring ring, const kdx_scn_vf_event *e, size_t n, uint32_t length)
{
    const ring_globals *g = &rings[ring];
    uint64_t esz = kdx_scn_sizeof(s, g->type);
    if (!esz || !length)
        return 0;
    unsigned slots = stack_slots(s, g->type);
    uint64_t arr = kdx_scn_alloc(s, esz * length, 16);
    for (size_t k = 0; k < n; k++)
        write_event(s, g, arr + (k % length) * esz, &e[k], slots);
    scn_write_ptr(s, kdx_scn_symbol(s, g->array), arr);
    put_u32(s, g->length, length);
    if (g->index)
        put_u32(s, g->index, (uint32_t)(n % length));
    return arr;
}
