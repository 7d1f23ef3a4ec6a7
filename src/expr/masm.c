/* The MASM evaluator: WinDbg's default expression syntax. Values are 64-bit.
 * Precedence, lowest first: | or, ^ xor, & and, comparisons (= == < > <= >=
 * !=), shifts (<< >> >>>), + -, * / % mod, unary (+ - ~ ! not hi low by wo
 * dwo qwo poi), then parentheses, numbers and names. */
#include <ctype.h>
#include <string.h>

#include "base/util.h"
#include "expr/expr_internal.h"

static kdx_status unary(kdx_xp *x, uint64_t *v);


/* A name at x->p: @register, $pseudo, $function(...), symbol, or number-like word. */
static kdx_status name_value(kdx_xp *x, uint64_t *v)
{
    const char *start = x->p;
    bool at = *x->p == '@';
    const char *name = at ? x->p + 1 : x->p;
    x->tok = start;
    size_t len = kdx_xp_ident_len(name);
    if (len == 0)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", start);
    x->p = name + len;
    if (name[0] == '$') {
        kdx_status st = kdx_xp_masm_function(x, name, len, v);
        if (st != KDX_E_NOT_FOUND)
            return x->st;
        st = kdx_xp_pseudo(x, name, len, v);
        if (st == KDX_E_NOT_FOUND && x->st == KDX_OK)
            return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Bad register", start);
        return x->st;
    }
    kdx_status st = kdx_xp_register(x, name, len, v, NULL);
    if (st != KDX_E_NOT_FOUND || x->st != KDX_OK)
        return x->st;
    if (at)
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Bad register", start);
    if (kdx_xp_symbol(x, name, len, v) != KDX_OK)
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", start);
    return KDX_OK;
}

static kdx_status number(kdx_xp *x, uint64_t *v, bool *is_number)
{
    const char *e;
    bool tick = false;
    kdx_num_result r = kdx_xp_scan_masm_number(x->p, x->s->radix, v, &e, &tick);
    *is_number = r != KDX_NUM_NONE;
    if (r == KDX_NUM_BAD)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", x->p);
    if (r == KDX_NUM_OVERFLOW)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Overflow", x->p);
    if (r == KDX_NUM_OK) {
        x->p = e;
        /* Kernel mode: 32-bit constants with the high bit set are sign
         * extended unless written with a backtick (0`80000000). */
        if (kdx_xp_kernel_mode(x->s) && !tick)
            *v = kdx_xp_sign_extend32(*v);
    }
    return x->st;
}

static kdx_status primary(kdx_xp *x, uint64_t *v)
{
    const char *p = kdx_xp_skip(x);
    if (*p == '(') {
        x->p++;
        if (kdx_xp_masm(x, v) != KDX_OK)
            return x->st;
        return kdx_xp_expect(x, ')') ? KDX_OK : x->st;
    }
    if (p[0] == '@' && p[1] == '@') {
        kdx_expr_value tv;
        kdx_status st = kdx_xp_syntax_switch(x, KDX_EXPR_MASM, &tv);
        if (st == KDX_E_NOT_FOUND && x->st == KDX_OK)
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
        if (x->st == KDX_OK)
            *v = tv.u;
        return x->st;
    }
    if (*p == '.' && !kdx_xp_ident_char(p[1]) && p[1] != '.') {
        /* "." is the current instruction pointer ($ip). */
        x->p = p + 1;
        x->tok = p;
        if (kdx_xp_pseudo(x, "$ip", 3, v) != KDX_OK && x->st == KDX_OK)
            kdx_xp_fail(x, KDX_E_NOT_FOUND, "Bad register", p);
        return x->st;
    }
    if (*p == '!' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
        /* !name forces a symbol where the name could be a number. */
        size_t len = kdx_xp_ident_len(p + 1);
        x->p = p + 1 + len;
        if (kdx_xp_symbol(x, p + 1, len, v) != KDX_OK)
            return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", p);
        return KDX_OK;
    }
    if (isalnum((unsigned char)*p)) {
        bool is_number;
        if (number(x, v, &is_number) != KDX_OK || is_number)
            return x->st;
    }
    if (*p == '@' || *p == '$' || *p == '_' || isalpha((unsigned char)*p) || *p == '?')
        return name_value(x, v);
    return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
}

/* poi by wo dwo qwo: size in bytes (0: pointer size); -1 when not one. */
static int memory_operator(kdx_xp *x)
{
    static const struct { const char *w; int size; } ops[] = {
        {"poi", 0}, {"by", 1}, {"wo", 2}, {"dwo", 4}, {"qwo", 8}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(ops); i++)
        if (kdx_xp_word(x, ops[i].w))
            return ops[i].size;
    return -1;
}

static kdx_status memory_read(kdx_xp *x, int size, uint64_t *v)
{
    kdx_xp_skip(x);
    uint64_t addr;
    if (*x->p == '(') {
        /* WinDbg reports a failed read at the closing parenthesis. */
        x->p++;
        if (kdx_xp_masm(x, &addr) != KDX_OK)
            return x->st;
        kdx_xp_skip(x);
        if (*x->p != ')')
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", x->p);
        if (kdx_xp_read_mem(x, addr, size, v) != KDX_OK)
            return x->st;
        x->p++;
        return KDX_OK;
    }
    if (unary(x, &addr) != KDX_OK)
        return x->st;
    return kdx_xp_read_mem(x, addr, size, v);
}

static kdx_status unary(kdx_xp *x, uint64_t *v)
{
    if (!kdx_xp_enter(x))
        return x->st;
    const char *p = kdx_xp_skip(x);
    kdx_status st;
    int size;
    if (*p == '-' || *p == '+' || *p == '~' || (*p == '!' && p[1] != '=' && !isalpha((unsigned char)p[1]) && p[1] != '_')) {
        x->p++;
        st = unary(x, v);
        if (st == KDX_OK)
            *v = *p == '-' ? (uint64_t)0 - *v : *p == '~' ? ~*v : *p == '!' ? (uint64_t)(*v == 0) : *v;
    } else if (kdx_xp_word(x, "not")) {
        st = unary(x, v);
        if (st == KDX_OK)
            *v = *v == 0;
    } else if (kdx_xp_word(x, "hi")) {
        st = unary(x, v);
        if (st == KDX_OK)
            *v = (*v >> 16) & 0xffff;
    } else if (kdx_xp_word(x, "low")) {
        st = unary(x, v);
        if (st == KDX_OK)
            *v &= 0xffff;
    } else if ((size = memory_operator(x)) >= 0) {
        st = memory_read(x, size, v);
    } else {
        st = primary(x, v);
    }
    x->depth--;
    return st;
}

static kdx_status multiplicative(kdx_xp *x, uint64_t *v)
{
    if (unary(x, v) != KDX_OK)
        return x->st;
    for (;;) {
        const char *p = kdx_xp_skip(x);
        char op;
        if (*p == '*' || *p == '/' || *p == '%') {
            op = *p;
            x->p++;
        } else if (kdx_xp_word(x, "mod")) {
            op = '%';
        } else {
            return KDX_OK;
        }
        uint64_t r;
        if (unary(x, &r) != KDX_OK)
            return x->st;
        if (op == '*') {
            *v *= r;
        } else if (r == 0) {
            return kdx_xp_fail(x, KDX_E_ARG, "Divide by zero", kdx_xp_skip(x));
        } else if ((int64_t)r == -1) {
            *v = op == '/' ? (uint64_t)0 - *v : 0; /* INT64_MIN / -1 wraps */
        } else {
            int64_t a = (int64_t)*v, b = (int64_t)r;
            *v = (uint64_t)(op == '/' ? a / b : a % b);
        }
    }
}

static kdx_status additive(kdx_xp *x, uint64_t *v)
{
    if (multiplicative(x, v) != KDX_OK)
        return x->st;
    for (;;) {
        const char *p = kdx_xp_skip(x);
        if (*p != '+' && *p != '-')
            return KDX_OK;
        x->p++;
        uint64_t r;
        if (multiplicative(x, &r) != KDX_OK)
            return x->st;
        *v = *p == '+' ? *v + r : *v - r;
    }
}

static kdx_status shift(kdx_xp *x, uint64_t *v)
{
    if (additive(x, v) != KDX_OK)
        return x->st;
    for (;;) {
        const char *p = kdx_xp_skip(x);
        int kind; /* 0 <<, 1 >>, 2 >>> */
        if (p[0] == '<' && p[1] == '<')
            kind = 0, x->p += 2;
        else if (p[0] == '>' && p[1] == '>' && p[2] == '>')
            kind = 2, x->p += 3;
        else if (p[0] == '>' && p[1] == '>')
            kind = 1, x->p += 2;
        else
            return KDX_OK;
        uint64_t r;
        if (additive(x, &r) != KDX_OK)
            return x->st;
        if (kind == 0)
            *v = r >= 64 ? 0 : *v << r;
        else if (kind == 1)
            *v = r >= 64 ? 0 : *v >> r;
        else
            *v = (uint64_t)((int64_t)*v >> (r >= 64 ? 63 : r));
    }
}

static kdx_status comparison(kdx_xp *x, uint64_t *v)
{
    if (shift(x, v) != KDX_OK)
        return x->st;
    for (;;) {
        const char *p = kdx_xp_skip(x);
        int op; /* 0 ==, 1 !=, 2 <, 3 >, 4 <=, 5 >= */
        if (p[0] == '=' && p[1] == '=')
            op = 0, x->p += 2;
        else if (p[0] == '=')
            op = 0, x->p += 1;
        else if (p[0] == '!' && p[1] == '=')
            op = 1, x->p += 2;
        else if (p[0] == '<' && p[1] == '=')
            op = 4, x->p += 2;
        else if (p[0] == '>' && p[1] == '=')
            op = 5, x->p += 2;
        else if (p[0] == '<' && p[1] != '<')
            op = 2, x->p += 1;
        else if (p[0] == '>' && p[1] != '>')
            op = 3, x->p += 1;
        else
            return KDX_OK;
        uint64_t r;
        if (shift(x, &r) != KDX_OK)
            return x->st;
        bool res = op == 0 ? *v == r : op == 1 ? *v != r : op == 2 ? *v < r
                   : op == 3 ? *v > r : op == 4 ? *v <= r : *v >= r;
        *v = res;
    }
}

/* One level of the bitwise operators: symbol c (not doubled) or the word. */
static bool bit_op(kdx_xp *x, char c, const char *word)
{
    const char *p = kdx_xp_skip(x);
    if (*p == c && p[1] != c) {
        x->p++;
        return true;
    }
    return kdx_xp_word(x, word);
}

static kdx_status bit_and(kdx_xp *x, uint64_t *v)
{
    if (comparison(x, v) != KDX_OK)
        return x->st;
    while (bit_op(x, '&', "and")) {
        uint64_t r;
        if (comparison(x, &r) != KDX_OK)
            return x->st;
        *v &= r;
    }
    return KDX_OK;
}

static kdx_status bit_xor(kdx_xp *x, uint64_t *v)
{
    if (bit_and(x, v) != KDX_OK)
        return x->st;
    while (bit_op(x, '^', "xor")) {
        uint64_t r;
        if (bit_and(x, &r) != KDX_OK)
            return x->st;
        *v ^= r;
    }
    return KDX_OK;
}

kdx_status kdx_xp_masm(kdx_xp *x, uint64_t *v)
{
    if (!kdx_xp_enter(x))
        return x->st;
    if (bit_xor(x, v) == KDX_OK) {
        while (bit_op(x, '|', "or")) {
            uint64_t r;
            if (bit_xor(x, &r) != KDX_OK)
                break;
            *v |= r;
        }
    }
    x->depth--;
    return x->st;
}
