/* Lexical pieces of WinDbg expressions: blanks, names, MASM numbers, and
 * the "<kind> error at '<rest>'" messages. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "expr/expr_internal.h"

const char *kdx_xp_skip(kdx_xp *x)
{
    while (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n')
        x->p++;
    return x->p;
}

bool kdx_xp_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '!' || c == '$' || c == '?' ||
           c == '`' || c == '@';
}

size_t kdx_xp_ident_len(const char *p)
{
    size_t n = 0;
    for (;;) {
        if (kdx_xp_ident_char(p[n]) && !(p[n] == '@' && n == 0)) {
            /* '@' only inside C++ decorated names, never "x@@c++". */
            if (p[n] == '@' && p[n + 1] == '@')
                break;
            n++;
        } else if (p[n] == ':' && p[n + 1] == ':' && n > 0 && kdx_xp_ident_char(p[n + 2])) {
            n += 2; /* Class::Member */
        } else {
            break;
        }
    }
    return n;
}

bool kdx_xp_word(kdx_xp *x, const char *word)
{
    size_t n = strlen(word);
    if (kdx_strncasecmp(x->p, word, n) != 0 || kdx_xp_ident_char(x->p[n]))
        return false;
    x->p += n;
    return true;
}

bool kdx_xp_enter(kdx_xp *x)
{
    if (++x->depth > KDX_EXPR_MAX_DEPTH) {
        kdx_xp_failf(x, KDX_E_LIMIT, "Expression too complex at '%.200s'", x->p);
        return false;
    }
    return true;
}

bool kdx_xp_expect(kdx_xp *x, char c)
{
    kdx_xp_skip(x);
    if (*x->p != c) {
        kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", x->p);
        return false;
    }
    x->p++;
    return true;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Accumulates digits [p, e) (backticks skipped) in radix. */
static kdx_num_result accumulate(const char *p, const char *e, unsigned radix, uint64_t *v)
{
    uint64_t acc = 0;
    bool any = false;
    for (; p < e; p++) {
        if (*p == '`')
            continue;
        int d = digit_value(*p);
        if (d >= (int)radix)
            return KDX_NUM_BAD;
        if (acc > (UINT64_MAX - (uint64_t)d) / radix)
            return KDX_NUM_OVERFLOW;
        acc = acc * radix + (uint64_t)d;
        any = true;
    }
    if (!any)
        return KDX_NUM_BAD;
    *v = acc;
    return KDX_NUM_OK;
}

kdx_num_result kdx_xp_scan_masm_number(const char *p, unsigned radix, uint64_t *v,
                                       const char **end, bool *had_backtick)
{
    /* The token: letters, digits and backticks. */
    const char *e = p;
    while (isalnum((unsigned char)*e) || (*e == '`' && e > p))
        e++;
    if (e == p)
        return KDX_NUM_NONE;
    bool starts_digit = isdigit((unsigned char)*p);
    /* A name continues with '!', '_', '$', "::": not a number. */
    if ((*e == '!' && e[1] != '=') || *e == '_' || *e == '$' || (*e == ':' && e[1] == ':'))
        return KDX_NUM_NONE;
    *had_backtick = memchr(p, '`', (size_t)(e - p)) != NULL;
    const char *d = p;
    unsigned r = radix;
    if (p[0] == '0' && e - p > 1) {
        switch (tolower((unsigned char)p[1])) {
        case 'x': r = 16; d = p + 2; break;
        case 'n': r = 10; d = p + 2; break;
        case 't': r = 8; d = p + 2; break;
        case 'y': r = 2; d = p + 2; break;
        default: break;
        }
    }
    kdx_num_result res;
    if (d == p && tolower((unsigned char)e[-1]) == 'h' && e - p > 1) {
        /* 10h, 0ffh: hex whatever the radix. */
        res = accumulate(p, e - 1, 16, v);
        if (res == KDX_NUM_BAD)
            res = accumulate(p, e, r, v); /* "ah" in radix 16... no 'h' digit: stays bad */
    } else {
        res = accumulate(d, e, r, v);
    }
    if (res == KDX_NUM_BAD && !starts_digit)
        return KDX_NUM_NONE;
    *end = e;
    return res;
}

kdx_status kdx_xp_fail(kdx_xp *x, kdx_status code, const char *what, const char *at)
{
    if (x->st == KDX_OK) {
        x->st = code;
        kdx_err_set(x->err, code, "%s error at '%.200s'", what, at ? at : "");
    }
    return x->st;
}

kdx_status kdx_xp_failf(kdx_xp *x, kdx_status code, const char *fmt, ...)
{
    if (x->st == KDX_OK) {
        x->st = code;
        va_list ap;
        va_start(ap, fmt);
        kdx_err_vset(x->err, code, fmt, ap);
        va_end(ap);
    }
    return x->st;
}
