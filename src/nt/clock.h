/* The kernel's clock as a dump keeps it: the tick count
 * (KUSER_SHARED_DATA.TickCount, at its fixed address) and the length of a
 * tick (nt!KeMaximumIncrement, 100 ns units), for wait ages. */
#ifndef KDX_NT_CLOCK_H
#define KDX_NT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

kdx_status kdx_nt_tick_count(kdx_session *s, uint64_t *ticks, kdx_err *err);
kdx_status kdx_nt_tick_length(kdx_session *s, uint64_t *units_100ns, kdx_err *err);
/* "0:00:03:07.500" (d:hh:mm:ss.mmm) for ticks of length units_100ns, as !thread shows wait ages. */
void kdx_nt_format_ticks(uint64_t ticks, uint64_t units_100ns, char *buf, size_t cap);

#endif
