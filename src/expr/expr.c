/* Public entry points of the expression evaluators, the @@ syntax switches,
 * and the "Evaluate expression:" value format. */
#include "expr/expr.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "expr/expr_internal.h"

static void xp_init(kdx_xp *x, kdx_session *s, const char *text, kdx_err *err)
{
    memset(x, 0, sizeof *x);
    x->s = s;
    x->p = text;
    x->tok = text;
    x->err = err;
    kdx_err_clear(err);
}

/* The parsers look ahead over blanks for an operator; the caller's next
 * operand starts after the last token actually consumed. */
static const char *unskip(const char *text, const char *p)
{
    while (p > text && isspace((unsigned char)p[-1]))
        p--;
    return p;
}

/* Integer value of a C++ result (records have none). */
static kdx_status cpp_to_int(kdx_xp *x, const kdx_expr_value *tv, const char *at, uint64_t *v)
{
    if (tv->type.ptr == 0 && tv->type.base == KDX_EB_SYM && !tv->loaded) {
        const kdx_type *t = tv->type.sym;
        if (t && t->kind == KDX_TYPE_ARRAY) {
            *v = tv->addr; /* arrays decay to their address */
            return KDX_OK;
        }
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    }
    if (tv->type.ptr == 0 && (tv->type.base == KDX_EB_FLOAT || tv->type.base == KDX_EB_DOUBLE))
        *v = kdx_expr_double_to_u64(tv->d);
    else
        *v = tv->u;
    return KDX_OK;
}

kdx_status kdx_xp_eval_syntax(kdx_xp *x, kdx_expr_syntax syn, uint64_t *v)
{
    if (syn == KDX_EXPR_MASM)
        return kdx_xp_masm(x, v);
    const char *at = x->p;
    kdx_expr_value tv;
    if (kdx_xp_cpp(x, &tv) != KDX_OK)
        return x->st;
    return cpp_to_int(x, &tv, at, v);
}

kdx_status kdx_xp_syntax_switch(kdx_xp *x, kdx_expr_syntax current, kdx_expr_value *v)
{
    const char *p = x->p;
    if (p[0] != '@' || p[1] != '@')
        return KDX_E_NOT_FOUND;
    p += 2;
    kdx_expr_syntax syn;
    if (*p == '(') {
        syn = current == KDX_EXPR_MASM ? KDX_EXPR_CPP : KDX_EXPR_MASM;
    } else if (kdx_strncasecmp(p, "c++(", 4) == 0) {
        syn = KDX_EXPR_CPP;
        p += 3;
    } else if (kdx_strncasecmp(p, "masm(", 5) == 0) {
        syn = KDX_EXPR_MASM;
        p += 4;
    } else {
        return KDX_E_NOT_FOUND;
    }
    x->p = p + 1;
    if (++x->depth > KDX_EXPR_MAX_DEPTH)
        return kdx_xp_failf(x, KDX_E_LIMIT, "Expression too complex at '%.200s'", x->p);
    memset(v, 0, sizeof *v);
    if (syn == KDX_EXPR_CPP) {
        const char *at = x->p;
        kdx_expr_value tv;
        if (kdx_xp_cpp(x, &tv) == KDX_OK) {
            *v = tv;
            if (current == KDX_EXPR_MASM)
                cpp_to_int(x, &tv, at, &v->u);
        }
    } else {
        v->type.base = kdx_session_ptr_size(x->s) == 8 ? KDX_EB_UINT64 : KDX_EB_UINT;
        v->loaded = true;
        kdx_xp_masm(x, &v->u);
    }
    x->depth--;
    if (x->st != KDX_OK)
        return x->st;
    return kdx_xp_expect(x, ')') ? KDX_OK : x->st;
}

kdx_status kdx_expr_eval_syntax(kdx_session *s, kdx_expr_syntax syntax, const char *text,
                                uint64_t *value, const char **end, kdx_err *err)
{
    kdx_xp x;
    xp_init(&x, s, text, err);
    uint64_t v = 0;
    kdx_xp_skip(&x);
    if (!*x.p)
        return kdx_err_set(err, KDX_E_SYNTAX, "Numeric expression missing from '<EOL>'");
    if (kdx_xp_eval_syntax(&x, syntax, &v) != KDX_OK)
        return x.st;
    *value = v;
    if (end)
        *end = unskip(text, x.p);
    return KDX_OK;
}

kdx_status kdx_expr_eval(kdx_session *s, const char *text, uint64_t *value, const char **end,
                         kdx_err *err)
{
    return kdx_expr_eval_syntax(s, s->expr_syntax, text, value, end, err);
}

kdx_status kdx_expr_eval_all(kdx_session *s, const char *text, uint64_t *value, kdx_err *err)
{
    const char *end;
    kdx_status st = kdx_expr_eval(s, text, value, &end, err);
    if (st != KDX_OK)
        return st;
    end = kdx_skip_ws(end);
    if (*end)
        return kdx_err_set(err, KDX_E_SYNTAX, "Syntax error at '%.200s'", end);
    return KDX_OK;
}

kdx_status kdx_expr_eval_cpp(kdx_session *s, const char *text, kdx_expr_value *v, const char **end,
                             kdx_err *err)
{
    kdx_xp x;
    xp_init(&x, s, text, err);
    kdx_xp_skip(&x);
    if (!*x.p)
        return kdx_err_set(err, KDX_E_SYNTAX, "Numeric expression missing from '<EOL>'");
    if (kdx_xp_cpp(&x, v) != KDX_OK)
        return x.st;
    if (end)
        *end = unskip(text, x.p);
    return KDX_OK;
}

void kdx_expr_format_evaluate(kdx_session *s, uint64_t v, char *buf, size_t len)
{
    char hex[KDX_ADDR_BUF];
    bool fits32 = (v >> 32) == 0 || ((v >> 32) == 0xffffffffu && (v & 0x80000000u));
    if (kdx_session_ptr_size(s) == 4 && fits32)
        snprintf(buf, len, "%" PRId32 " = %08" PRIx32, (int32_t)(uint32_t)v, (uint32_t)v);
    else
        snprintf(buf, len, "%" PRId64 " = %s", (int64_t)v, kdx_fmt_u64(hex, v));
}
