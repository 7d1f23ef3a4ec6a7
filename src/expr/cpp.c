/* The C++ evaluator (`??`, @@c++()): being written; see cpp_types.c. */
#include <stdio.h>

#include "expr/expr_internal.h"

kdx_status kdx_xp_cpp(kdx_xp *x, kdx_expr_value *v)
{
    (void)v;
    return kdx_xp_failf(x, KDX_E_UNSUPPORTED, "C++ expressions are not available yet at '%.200s'", x->p);
}

void kdx_expr_type_name(kdx_session *s, const kdx_expr_type *t, char *buf, size_t len)
{
    (void)s;
    (void)t;
    snprintf(buf, len, "?");
}

uint64_t kdx_expr_type_size(kdx_session *s, const kdx_expr_type *t)
{
    (void)s;
    (void)t;
    return 0;
}

void kdx_expr_print_value(kdx_session *s, const kdx_expr_value *v)
{
    kdx_print(s, "%llx\n", (unsigned long long)v->u);
}
