/* Minimal evaluator: numbers, registers and symbols, until the full MASM
 * and C++ evaluators land. */
#include "expr/expr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sym/symbols.h"

static bool parse_number(const char *p, unsigned radix, uint64_t *v, const char **end)
{
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        radix = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'n' || p[1] == 'N')) {
        radix = 10;
        p += 2;
    }
    uint64_t acc = 0;
    const char *start = p;
    for (;; p++) {
        if (*p == '`')
            continue;
        int d = isdigit((unsigned char)*p) ? *p - '0'
                : isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : -1;
        if (d < 0 || d >= (int)radix)
            break;
        acc = acc * radix + (uint64_t)d;
    }
    if (p == start || isalnum((unsigned char)*p) || *p == '_' || *p == '!')
        return false;
    *v = acc;
    *end = p;
    return true;
}

kdx_status kdx_expr_eval(kdx_session *s, const char *text, uint64_t *value, const char **end,
                         kdx_err *err)
{
    const char *p = kdx_skip_ws(text);
    const char *e;
    if (parse_number(p, s->radix, value, &e)) {
        if (end)
            *end = e;
        return KDX_OK;
    }
    size_t n = 0;
    bool reg = *p == '@';
    const char *name = reg ? p + 1 : p;
    while (name[n] && (isalnum((unsigned char)name[n]) || strchr("_!$.?@", name[n])))
        n++;
    if (n == 0)
        return kdx_err_set(err, KDX_E_SYNTAX, "Syntax error at '%s'", p);
    kdx_context ctx;
    kdx_reg_ref ref;
    if (s->target && kdx_reg_lookup(s->target->arch, name, n, &ref) &&
        kdx_session_context(s, &ctx, NULL) == KDX_OK) {
        *value = (ctx.r[ref.reg] >> ref.shift) & ref.mask;
    } else {
        char *sym = kdx_strndup(name, n);
        kdx_status st = kdx_sym_to_addr(s, sym, value, NULL);
        free(sym);
        if (st != KDX_OK)
            return kdx_err_set(err, KDX_E_NOT_FOUND, "Couldn't resolve error at '%s'", p);
    }
    if (end)
        *end = name + n;
    return KDX_OK;
}

kdx_status kdx_expr_eval_all(kdx_session *s, const char *text, uint64_t *value, kdx_err *err)
{
    const char *end;
    kdx_status st = kdx_expr_eval(s, text, value, &end, err);
    if (st != KDX_OK)
        return st;
    end = kdx_skip_ws(end);
    if (*end)
        return kdx_err_set(err, KDX_E_SYNTAX, "Syntax error at '%s'", end);
    return KDX_OK;
}
