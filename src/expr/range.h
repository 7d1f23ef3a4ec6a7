/* WinDbg address ranges ("Address and Address Range Syntax"):
 *   ADDR              start only; the command applies its default count
 *   ADDR L COUNT      COUNT objects of the command's unit size
 *   ADDR L?COUNT      same, without the 256 MB sanity limit
 *   ADDR L-COUNT      COUNT objects ending just before ADDR
 *   ADDR ENDADDR      from ADDR through ENDADDR, both included */
#ifndef KDX_EXPR_RANGE_H
#define KDX_EXPR_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* WinDbg refuses plain ranges above 256 MB as probable typing errors. */
#define KDX_RANGE_LIMIT_BYTES 0x10000000ull

typedef struct kdx_range {
    uint64_t start;
    uint64_t count;      /* in units of unit_size */
    bool has_start;      /* an address was given */
    bool has_count;      /* an L count or end address was given */
} kdx_range;

/* Parses a range at text. unit_size converts an end address to a count.
 * Counts above max_units (0: 256 MB worth of units) are refused
 * ("Range error") unless written L?N. *end receives the first character
 * after the range. */
kdx_status kdx_parse_range(kdx_session *s, const char *text, unsigned unit_size,
                           uint64_t max_units, kdx_range *out, const char **end, kdx_err *err);

#endif
