#include "expr/range.h"

#include <ctype.h>

#include "base/util.h"
#include "expr/expr.h"

kdx_status kdx_parse_range(kdx_session *s, const char *text, unsigned unit_size,
                           uint64_t max_units, kdx_range *out, const char **end, kdx_err *err)
{
    out->start = out->count = 0;
    out->has_start = out->has_count = false;
    const char *p = kdx_skip_ws(text);
    kdx_status st;
    if (*p && !((*p == 'L' || *p == 'l') && !isalpha((unsigned char)p[1]))) {
        st = kdx_expr_eval(s, p, &out->start, &p, err);
        if (st != KDX_OK)
            return st;
        out->has_start = true;
        p = kdx_skip_ws(p);
    }
    if ((*p == 'L' || *p == 'l') && (p[1] == '?' || !isalpha((unsigned char)p[1]) || isxdigit((unsigned char)p[1]))) {
        bool unchecked = p[1] == '?';
        p += unchecked ? 2 : 1;
        st = kdx_expr_eval(s, p, &out->count, &p, err);
        if (st != KDX_OK)
            return st;
        if (!unchecked && max_units && out->count > max_units)
            return kdx_err_set(err, KDX_E_ARG, "Range error in '%s'", text);
        out->has_count = true;
    } else if (*p && *p != ';' && out->has_start) {
        uint64_t last;
        const char *q = p;
        if (kdx_expr_eval(s, q, &last, &q, NULL) == KDX_OK) {
            if (last < out->start)
                return kdx_err_set(err, KDX_E_ARG, "Range error in '%s'", text);
            out->count = (last - out->start + unit_size - 1) / unit_size;
            if (out->count == 0)
                out->count = 1;
            out->has_count = true;
            p = q;
        }
    }
    if (end)
        *end = p;
    return KDX_OK;
}
