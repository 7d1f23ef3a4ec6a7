#include "expr/range.h"

#include <ctype.h>

#include "base/util.h"
#include "expr/expr.h"

/* "L" starts a count when followed by a digit, '?', '-' or a blank, not
 * when it begins a symbol name such as "lsass!x". */
static bool is_count_prefix(const char *p)
{
    if (*p != 'L' && *p != 'l')
        return false;
    char c = p[1];
    return c == '?' || c == '-' || c == '\0' || isspace((unsigned char)c) ||
           isxdigit((unsigned char)c) || c == '(' || c == '@' || c == '0';
}

static kdx_status range_error(kdx_err *err, const char *text)
{
    return kdx_err_set(err, KDX_E_ARG, "Range error in '%s'", text);
}

kdx_status kdx_parse_range(kdx_session *s, const char *text, unsigned unit_size,
                           uint64_t max_units, kdx_range *out, const char **end, kdx_err *err)
{
    out->start = out->count = 0;
    out->has_start = out->has_count = false;
    if (unit_size == 0)
        unit_size = 1;
    if (max_units == 0)
        max_units = KDX_RANGE_LIMIT_BYTES / unit_size;
    const char *p = kdx_skip_ws(text);
    kdx_status st;
    if (*p && *p != ';' && !is_count_prefix(p)) {
        st = kdx_expr_eval(s, p, &out->start, &p, err);
        if (st != KDX_OK)
            return st;
        out->has_start = true;
        p = kdx_skip_ws(p);
    }
    if (is_count_prefix(p)) {
        bool unchecked = p[1] == '?';
        bool backwards = p[1] == '-';
        p += (unchecked || backwards) ? 2 : 1;
        st = kdx_expr_eval(s, p, &out->count, &p, err);
        if (st != KDX_OK)
            return st;
        if (!unchecked && out->count > max_units)
            return range_error(err, text);
        if (backwards) {
            if (out->count > UINT64_MAX / unit_size)
                return range_error(err, text);
            out->start -= out->count * unit_size;
        }
        out->has_count = true;
    } else if (*p && *p != ';' && out->has_start) {
        uint64_t last;
        const char *q = p;
        if (kdx_expr_eval(s, q, &last, &q, NULL) == KDX_OK) {
            if (last < out->start)
                return range_error(err, text);
            /* The end address is included: "1000 1007" is 8 bytes. */
            out->count = (last - out->start) / unit_size + 1;
            if (out->count > max_units)
                return range_error(err, text);
            out->has_count = true;
            p = q;
        }
    }
    if (end)
        *end = kdx_skip_ws(p);
    return KDX_OK;
}
