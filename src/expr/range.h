/* WinDbg address ranges: "ADDR", "ADDR L COUNT", "ADDR L?COUNT", "ADDR ENDADDR". */
#ifndef KDX_EXPR_RANGE_H
#define KDX_EXPR_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef struct kdx_range {
    uint64_t start;
    uint64_t count;      /* in units of unit_size */
    bool has_start;      /* an address was given */
    bool has_count;      /* an L count or end address was given */
} kdx_range;

/* Parses a range at text. unit_size converts an end address to a count.
 * Counts above max_units are refused ("Range error") unless written L?N.
 * *end receives the first character after the range. */
kdx_status kdx_parse_range(kdx_session *s, const char *text, unsigned unit_size,
                           uint64_t max_units, kdx_range *out, const char **end, kdx_err *err);

#endif
