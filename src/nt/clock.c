/* The kernel's clock (clock.h). */
#include "nt/clock.h"

#include <inttypes.h>
#include <stdio.h>

#include "nt/field.h"
#include "target/context.h"
#include "target/memory.h"

kdx_status kdx_nt_tick_count(kdx_session *s, uint64_t *ticks, kdx_err *err)
{
    uint64_t shared = kdx_session_ptr_size(s) == 8 ? KDX_X64_SHARED_DATA : KDX_X86_SHARED_DATA;
    return kdx_nt_read(s, "nt!_KUSER_SHARED_DATA", shared, "TickCountQuad|TickCount.LowPart", ticks, err);
}

kdx_status kdx_nt_tick_length(kdx_session *s, uint64_t *units_100ns, kdx_err *err)
{
    uint64_t addr;
    uint32_t inc;
    kdx_status st = kdx_nt_symbol(s, "nt!KeMaximumIncrement", &addr, err);
    if (st == KDX_OK)
        st = kdx_read_u32(s->target, addr, &inc, err);
    if (st == KDX_OK && !inc)
        st = kdx_err_set(err, KDX_E_FORMAT, "nt!KeMaximumIncrement is 0");
    if (st == KDX_OK)
        *units_100ns = inc;
    return st;
}

void kdx_nt_format_ticks(uint64_t ticks, uint64_t units_100ns, char *buf, size_t cap)
{
    uint64_t ms = ticks * units_100ns / 10000;
    snprintf(buf, cap, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 86400000,
             ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}
