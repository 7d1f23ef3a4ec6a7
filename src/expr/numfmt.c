/* Number formats shared by `?`, `??` and `.formats`. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr/expr.h"

/* A float/double as the Microsoft C runtime's %g prints it: six significant
 * digits, three-digit exponents, 1.#INF / 1.#QNAN / -1.#IND. */
uint64_t kdx_expr_double_to_u64(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 18446744073709551616.0)
        return UINT64_MAX;
    if (d >= 9223372036854775808.0)
        return (uint64_t)d;
    if (d <= -9223372036854775808.0)
        return (uint64_t)INT64_MIN;
    return (uint64_t)(int64_t)d;
}

void kdx_expr_format_double(double d, bool indefinite, char *buf, size_t len)
{
    if (isinf(d)) {
        snprintf(buf, len, "%s1.#INF", d < 0 ? "-" : "");
        return;
    }
    if (isnan(d)) {
        snprintf(buf, len, "%s", indefinite ? "-1.#IND" : signbit(d) ? "-1.#QNAN" : "1.#QNAN");
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%g", d);
    char *e = strchr(tmp, 'e');
    if (e && (e[1] == '+' || e[1] == '-') && strlen(e + 2) == 2) {
        /* e-22 -> e-022 */
        snprintf(buf, len, "%.*s%c0%s", (int)(e + 1 - tmp), tmp, e[1], e + 2);
        return;
    }
    snprintf(buf, len, "%s", tmp);
}

