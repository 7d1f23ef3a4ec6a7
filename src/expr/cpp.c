/* The C++ evaluator (`??`, @@c++(), `.expr /s c++`): C operators with C
 * precedence on typed values; casts to built-in and symbol types, `->`, `.`,
 * `[]`, `sizeof`, `#FIELD_OFFSET`, `#CONTAINING_RECORD`, `#RTL_FIELD_SIZE`.
 * Numbers are decimal unless prefixed (0x hex, 0 octal), as in C. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "expr/cpp_internal.h"
#include "sym/symbols.h"

static kdx_status cond_expr(kdx_xp *x, kdx_expr_value *v);
static kdx_status unary(kdx_xp *x, kdx_expr_value *v);


static void set_int(kdx_session *s, kdx_expr_value *v, kdx_expr_type t, uint64_t u)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    v->u = u;
    v->loaded = true;
    kdx_ct_normalize(s, v);
}

static kdx_expr_type size_type(kdx_session *s)
{
    return kdx_ct_builtin(kdx_session_ptr_size(s) == 8 ? KDX_EB_UINT64 : KDX_EB_UINT, 0);
}

/* Loads scalars; arrays decay to a pointer to their first element. */
static kdx_status rvalue(kdx_xp *x, kdx_expr_value *v)
{
    if (kdx_ct_is_array(&v->type) && v->lvalue) {
        kdx_expr_type el = kdx_ct_element(&v->type);
        el.ptr++;
        set_int(x->s, v, el, v->addr);
        return KDX_OK;
    }
    if (x->noeval && !v->loaded) {
        v->loaded = true;
        v->u = 0;
        v->d = 0;
        return KDX_OK;
    }
    return kdx_ct_load(x, v);
}

static bool is_scalar(const kdx_expr_type *t)
{
    return t->ptr > 0 || kdx_ct_is_integer(t) || kdx_ct_is_float(t);
}

static double as_double(const kdx_expr_value *v)
{
    if (kdx_ct_is_float(&v->type))
        return v->d;
    if (v->type.ptr == 0 && kdx_ct_is_signed_base(v->type.base))
        return (double)(int64_t)v->u;
    return (double)v->u;
}

/* Integer promotion: small integers and enums become int. */
static kdx_expr_base promote(const kdx_expr_type *t)
{
    if (kdx_ct_is_enum(t))
        return KDX_EB_INT;
    if (t->base >= KDX_EB_BOOL && t->base <= KDX_EB_USHORT)
        return KDX_EB_INT;
    return t->base;
}

static int rank(kdx_expr_base b)
{
    return b == KDX_EB_INT || b == KDX_EB_UINT ? 1 : b == KDX_EB_LONG || b == KDX_EB_ULONG ? 2 : 3;
}

static kdx_expr_base make_unsigned(kdx_expr_base b)
{
    return b == KDX_EB_INT ? KDX_EB_UINT : b == KDX_EB_LONG ? KDX_EB_ULONG
           : b == KDX_EB_INT64 ? KDX_EB_UINT64 : b;
}

/* The usual arithmetic conversions of two arithmetic operands. */
static kdx_expr_base common_base(const kdx_expr_type *a, const kdx_expr_type *b)
{
    if (kdx_ct_is_float(a) || kdx_ct_is_float(b))
        return (a->base == KDX_EB_DOUBLE && kdx_ct_is_float(a)) ||
                       (b->base == KDX_EB_DOUBLE && kdx_ct_is_float(b)) || !kdx_ct_is_float(a) ||
                       !kdx_ct_is_float(b)
                   ? KDX_EB_DOUBLE
                   : KDX_EB_FLOAT;
    kdx_expr_base pa = promote(a), pb = promote(b);
    if (rank(pa) < rank(pb)) {
        kdx_expr_base t = pa;
        pa = pb;
        pb = t;
    }
    bool ua = !kdx_ct_is_signed_base(pa), ub = !kdx_ct_is_signed_base(pb);
    if (ua || !ub)
        return pa; /* higher rank unsigned, or both signed */
    /* pa signed, pb unsigned of lower or equal rank. */
    return rank(pa) == rank(pb) || (pa == KDX_EB_LONG && pb == KDX_EB_UINT) ? make_unsigned(pa) : pa;
}

/* Converts v to type t (casts and arithmetic conversions). */
static kdx_status convert(kdx_xp *x, kdx_expr_value *v, kdx_expr_type t, const char *at)
{
    if (rvalue(x, v) != KDX_OK)
        return x->st;
    if (!is_scalar(&v->type) || !(is_scalar(&t) || (t.ptr == 0 && t.base == KDX_EB_VOID)))
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    kdx_expr_value r;
    memset(&r, 0, sizeof r);
    r.type = t;
    r.loaded = true;
    if (kdx_ct_is_float(&t)) {
        r.d = as_double(v);
        if (t.base == KDX_EB_FLOAT)
            r.d = (float)r.d;
    } else if (kdx_ct_is_float(&v->type)) {
        r.u = kdx_expr_double_to_u64(v->d);
    } else {
        r.u = v->u;
    }
    kdx_ct_normalize(x->s, &r);
    *v = r;
    return KDX_OK;
}

static uint64_t pointee_size(kdx_xp *x, const kdx_expr_type *t)
{
    kdx_expr_type p = kdx_ct_pointee(t);
    uint64_t n = kdx_expr_type_size(x->s, &p);
    return n ? n : 1;
}

static kdx_status binary_op(kdx_xp *x, const char *op, kdx_expr_value *a, kdx_expr_value *b,
                            const char *at)
{
    if (rvalue(x, a) != KDX_OK || rvalue(x, b) != KDX_OK)
        return x->st;
    if (!is_scalar(&a->type) || !is_scalar(&b->type))
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    bool pa = a->type.ptr > 0, pb = b->type.ptr > 0;
    bool cmp = !strcmp(op, "<") || !strcmp(op, ">") || !strcmp(op, "<=") || !strcmp(op, ">=") ||
               !strcmp(op, "==") || !strcmp(op, "!=");
    if (!strcmp(op, "&&") || !strcmp(op, "||")) {
        bool ta = kdx_ct_is_float(&a->type) ? a->d != 0 : a->u != 0;
        bool tb = kdx_ct_is_float(&b->type) ? b->d != 0 : b->u != 0;
        set_int(x->s, a, kdx_ct_builtin(KDX_EB_BOOL, 0), op[0] == '&' ? ta && tb : ta || tb);
        return KDX_OK;
    }
    if ((pa || pb) && !cmp) {
        if (op[0] == '+' && pa != pb) {
            kdx_expr_value *p = pa ? a : b, *i = pa ? b : a;
            if (!kdx_ct_is_integer(&i->type))
                return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
            kdx_expr_type t = p->type;
            set_int(x->s, a, t, p->u + i->u * pointee_size(x, &t));
            return KDX_OK;
        }
        if (op[0] == '-' && pa && !pb && kdx_ct_is_integer(&b->type)) {
            set_int(x->s, a, a->type, a->u - b->u * pointee_size(x, &a->type));
            return KDX_OK;
        }
        if (op[0] == '-' && pa && pb) {
            int64_t d = (int64_t)(a->u - b->u) / (int64_t)pointee_size(x, &a->type);
            set_int(x->s, a, kdx_ct_builtin(kdx_session_ptr_size(x->s) == 8 ? KDX_EB_INT64 : KDX_EB_INT, 0),
                    (uint64_t)d);
            return KDX_OK;
        }
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    }
    bool shift = !strcmp(op, "<<") || !strcmp(op, ">>");
    kdx_expr_base cb = pa || pb ? KDX_EB_UINT64
                       : shift ? promote(&a->type)
                               : common_base(&a->type, &b->type);
    bool fl = cb == KDX_EB_FLOAT || cb == KDX_EB_DOUBLE;
    if (fl && (strchr("%&^|", op[0]) || shift))
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    kdx_expr_type ct = kdx_ct_builtin(cb, 0);
    if (!pa && !pb) {
        if (convert(x, a, ct, at) != KDX_OK ||
            (!shift && convert(x, b, ct, at) != KDX_OK))
            return x->st;
    }
    bool sg = !fl && kdx_ct_is_signed_base(cb);
    if (cmp) {
        bool r;
        if (fl) {
            double l = a->d, m = b->d;
            r = op[0] == '<' ? (op[1] ? l <= m : l < m) : op[0] == '>' ? (op[1] ? l >= m : l > m)
                : op[0] == '=' ? l == m : l != m;
        } else if (sg) {
            int64_t l = (int64_t)a->u, m = (int64_t)b->u;
            r = op[0] == '<' ? (op[1] ? l <= m : l < m) : op[0] == '>' ? (op[1] ? l >= m : l > m)
                : op[0] == '=' ? l == m : l != m;
        } else {
            uint64_t l = a->u, m = b->u;
            r = op[0] == '<' ? (op[1] ? l <= m : l < m) : op[0] == '>' ? (op[1] ? l >= m : l > m)
                : op[0] == '=' ? l == m : l != m;
        }
        set_int(x->s, a, kdx_ct_builtin(KDX_EB_BOOL, 0), r);
        return KDX_OK;
    }
    if (fl) {
        double l = a->d, m = b->d, r = op[0] == '*' ? l * m : op[0] == '/' ? l / m
                                       : op[0] == '+' ? l + m : l - m;
        memset(a, 0, sizeof *a);
        a->type = ct;
        a->d = cb == KDX_EB_FLOAT ? (float)r : r;
        a->loaded = true;
        return KDX_OK;
    }
    uint64_t l = a->u, m = b->u, r;
    unsigned bits = (unsigned)kdx_expr_type_size(x->s, &ct) * 8;
    switch (op[0]) {
    case '*': r = l * m; break;
    case '/':
    case '%':
        if (m == 0) {
            if (x->noeval) {
                r = 0;
                break;
            }
            return kdx_xp_fail(x, KDX_E_ARG, "Divide by zero", at);
        }
        if (sg && (int64_t)m == -1)
            r = op[0] == '/' ? (uint64_t)0 - l : 0;
        else if (sg)
            r = (uint64_t)(op[0] == '/' ? (int64_t)l / (int64_t)m : (int64_t)l % (int64_t)m);
        else
            r = op[0] == '/' ? l / m : l % m;
        break;
    case '+': r = l + m; break;
    case '-': r = l - m; break;
    case '&': r = l & m; break;
    case '^': r = l ^ m; break;
    case '|': r = l | m; break;
    case '<': r = m >= bits ? 0 : l << m; break;
    default: /* >> : arithmetic for signed types */
        if (m >= bits)
            r = sg ? (uint64_t)((int64_t)l >> 63) : 0;
        else
            r = sg ? (uint64_t)((int64_t)l >> m) : l >> m;
        break;
    }
    set_int(x->s, a, ct, r);
    return KDX_OK;
}

/* ---- primaries ---- */

static kdx_status number(kdx_xp *x, kdx_expr_value *v)
{
    const char *p = x->p;
    const char *e = p;
    bool is_float = false;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        e = p + 2;
        while (isxdigit((unsigned char)*e) || *e == '`')
            e++;
    } else {
        while (isdigit((unsigned char)*e))
            e++;
        if (*e == '.' && isdigit((unsigned char)e[1])) {
            is_float = true;
            e++;
            while (isdigit((unsigned char)*e))
                e++;
        }
        if ((*e == 'e' || *e == 'E') && (isdigit((unsigned char)e[1]) ||
                                         ((e[1] == '-' || e[1] == '+') && isdigit((unsigned char)e[2])))) {
            is_float = true;
            e += 2;
            while (isdigit((unsigned char)*e))
                e++;
        }
    }
    if (is_float) {
        char *end;
        double d = strtod(p, &end);
        memset(v, 0, sizeof *v);
        v->loaded = true;
        v->type = kdx_ct_builtin(KDX_EB_DOUBLE, 0);
        if (*e == 'f' || *e == 'F') {
            v->type.base = KDX_EB_FLOAT;
            d = (float)d;
            e++;
        }
        v->d = d;
        x->p = e;
        return KDX_OK;
    }
    unsigned radix = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : p[0] == '0' ? 8 : 10;
    const char *d = radix == 16 ? p + 2 : p;
    uint64_t acc = 0;
    bool any = false;
    for (const char *q = d; q < e; q++) {
        if (*q == '`')
            continue;
        unsigned dig = isdigit((unsigned char)*q) ? (unsigned)(*q - '0')
                                                  : (unsigned)(tolower((unsigned char)*q) - 'a' + 10);
        if (dig >= radix)
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
        if (acc > (UINT64_MAX - dig) / radix)
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Overflow", p);
        acc = acc * radix + dig;
        any = true;
    }
    if (!any && radix != 8)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
    /* Suffixes: u, l, ll, i64 in any combination. */
    bool is_u = false, is_64 = false;
    for (;;) {
        if (*e == 'u' || *e == 'U')
            is_u = true, e++;
        else if (*e == 'l' || *e == 'L')
            is_64 = is_64 || (e[1] == 'l' || e[1] == 'L'), e += (e[1] == 'l' || e[1] == 'L') ? 2 : 1;
        else if ((*e == 'i' || *e == 'I') && e[1] == '6' && e[2] == '4')
            is_64 = true, e += 3;
        else
            break;
    }
    if (isalnum((unsigned char)*e) || *e == '_')
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
    kdx_expr_base b;
    if (!is_64 && acc <= 0x7fffffffu && !is_u)
        b = KDX_EB_INT;
    else if (!is_64 && acc <= 0xffffffffu && (is_u || radix != 10))
        b = KDX_EB_UINT;
    else if (acc <= (uint64_t)INT64_MAX && !is_u)
        b = KDX_EB_INT64;
    else
        b = KDX_EB_UINT64;
    set_int(x->s, v, kdx_ct_builtin(b, 0), acc);
    x->p = e;
    return KDX_OK;
}

static kdx_status char_literal(kdx_xp *x, kdx_expr_value *v)
{
    const char *p = x->p + 1;
    unsigned c = (unsigned char)*p;
    if (c == '\\') {
        p++;
        switch (*p) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case '0': c = 0; break;
        default: c = (unsigned char)*p; break;
        }
    }
    if (!*p || p[1] != '\'')
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", x->p);
    x->p = p + 2;
    set_int(x->s, v, kdx_ct_builtin(KDX_EB_CHAR, 0), c);
    return KDX_OK;
}

/* Pseudo-registers that have a type in WinDbg's C++ evaluator. */
static void typed_pseudo(kdx_xp *x, const char *name, size_t len, kdx_expr_value *v)
{
    /* "All addresses are cast to PUCHAR." */
    static const char *const addresses[] = {"$ip", "$ra", "$csp", "$exentry", "$scopeip"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(addresses); i++)
        if (strlen(addresses[i]) == len && kdx_strncasecmp(name, addresses[i], len) == 0)
            v->type = kdx_ct_builtin(KDX_EB_UCHAR, 1);
    static const struct { const char *reg, *kernel, *user; } typed[] = {
        {"$thread", "nt!_ETHREAD", "_TEB"}, {"$proc", "nt!_EPROCESS", "_PEB"},
        {"$teb", "_TEB", "_TEB"}, {"$peb", "_PEB", "_PEB"}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(typed); i++) {
        if (strlen(typed[i].reg) != len || kdx_strncasecmp(name, typed[i].reg, len) != 0)
            continue;
        const kdx_type *t = kdx_sym_find_type(
            x->s, kdx_xp_kernel_mode(x->s) ? typed[i].kernel : typed[i].user, NULL);
        if (t)
            v->type = kdx_ct_from_symbol(t, 1);
    }
}

static kdx_status register_value(kdx_xp *x, kdx_expr_value *v)
{
    const char *start = x->p;
    x->tok = start;
    if (start[1] == '@') {
        kdx_status st = kdx_xp_syntax_switch(x, KDX_EXPR_CPP, v);
        if (st == KDX_E_NOT_FOUND && x->st == KDX_OK)
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", start);
        return x->st;
    }
    const char *name = start + 1;
    size_t len = 0;
    while (isalnum((unsigned char)name[len]) || name[len] == '_' || name[len] == '$')
        len++;
    x->p = name + len;
    uint64_t u;
    int width = 8;
    kdx_status st;
    if (name[0] == '$') {
        st = kdx_xp_pseudo(x, name, len, &u);
        if (st == KDX_OK) {
            /* Pseudo-registers are 64-bit values. */
            set_int(x->s, v, kdx_ct_builtin(KDX_EB_UINT64, 0), u);
            typed_pseudo(x, name, len, v);
            return KDX_OK;
        }
    } else {
        st = kdx_xp_register(x, name, len, &u, &width);
        if (st == KDX_OK) {
            kdx_expr_base b = width == 8 ? KDX_EB_UINT64 : width == 4 ? KDX_EB_UINT
                              : width == 2 ? KDX_EB_USHORT : KDX_EB_UCHAR;
            set_int(x->s, v, kdx_ct_builtin(b, 0), u);
            return KDX_OK;
        }
    }
    if (x->st == KDX_OK)
        kdx_xp_fail(x, KDX_E_NOT_FOUND, "Bad register", start);
    return x->st;
}

/* A symbol as a typed lvalue: the symbol layer finds its address (with its
 * search order); the provider of the module holding it gives its type.
 * Without type information only its address can be taken (&sym). */
static kdx_status symbol_value(kdx_xp *x, const char *name, size_t len, kdx_expr_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = kdx_ct_builtin(KDX_EB_VOID, 0);
    v->lvalue = true;
    if (kdx_xp_symbol(x, name, len, &v->addr) != KDX_OK)
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", name);
    kdx_module *m = x->s->target ? kdx_target_module_at(x->s->target, v->addr) : NULL;
    if (!m || !m->symbols.ops || !m->symbols.ops->by_name)
        return KDX_OK;
    char *full = kdx_strndup(name, len);
    const char *bang = strchr(full, '!');
    kdx_symbol sym;
    if (m->symbols.ops->by_name(m->symbols.impl, bang ? bang + 1 : full, &sym) == KDX_OK &&
        m->base + sym.rva == v->addr && sym.type)
        v->type = kdx_ct_from_symbol(sym.type, 0);
    free(full);
    return KDX_OK;
}

/* "type, field" of the # macros: offset and field type. */
static kdx_status type_and_field(kdx_xp *x, kdx_expr_type *type, uint64_t *off,
                                 const kdx_type **ftype)
{
    const char *at = kdx_xp_skip(x);
    if (!kdx_ct_parse_type(x, type))
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", at);
    if (!kdx_ct_is_record(type))
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    if (!kdx_xp_expect(x, ','))
        return x->st;
    const char *f = kdx_xp_skip(x);
    size_t n = 0;
    while (isalnum((unsigned char)f[n]) || f[n] == '_' || f[n] == '.')
        n++;
    char *path = kdx_strndup(f, n);
    kdx_err e;
    kdx_status st = kdx_type_field_path(type->sym, path, off, ftype, &e);
    free(path);
    if (st != KDX_OK)
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", f);
    x->p = f + n;
    return KDX_OK;
}

static kdx_status macro(kdx_xp *x, kdx_expr_value *v)
{
    const char *start = x->p;
    x->p++;
    size_t n = kdx_xp_ident_len(x->p);
    char name[32] = {0};
    if (n == 0 || n >= sizeof name)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", start);
    memcpy(name, x->p, n);
    x->p += n;
    if (!kdx_xp_expect(x, '('))
        return x->st;
    kdx_expr_type type;
    uint64_t off;
    const kdx_type *ft;
    if (!strcmp(name, "FIELD_OFFSET") || !strcmp(name, "RTL_FIELD_SIZE")) {
        if (type_and_field(x, &type, &off, &ft) != KDX_OK)
            return x->st;
        if (name[0] == 'F') {
            set_int(x->s, v, kdx_ct_builtin(KDX_EB_LONG, 0), off);
        } else {
            kdx_expr_type fty = kdx_ct_from_symbol(ft, 0);
            set_int(x->s, v, size_type(x->s), kdx_expr_type_size(x->s, &fty));
        }
    } else if (!strcmp(name, "CONTAINING_RECORD")) {
        kdx_expr_value addr;
        const char *at = kdx_xp_skip(x);
        if (cond_expr(x, &addr) != KDX_OK || convert(x, &addr, kdx_ct_builtin(KDX_EB_UINT64, 0), at) ||
            !kdx_xp_expect(x, ',') || type_and_field(x, &type, &off, &ft) != KDX_OK)
            return x->st;
        type.ptr++;
        set_int(x->s, v, type, addr.u - off);
    } else {
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", start);
    }
    return kdx_xp_expect(x, ')') ? KDX_OK : x->st;
}

static kdx_status primary(kdx_xp *x, kdx_expr_value *v)
{
    const char *p = kdx_xp_skip(x);
    memset(v, 0, sizeof *v);
    if (*p == '(') {
        x->p++;
        if (cond_expr(x, v) != KDX_OK)
            return x->st;
        return kdx_xp_expect(x, ')') ? KDX_OK : x->st;
    }
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
        return number(x, v);
    if (*p == '\'')
        return char_literal(x, v);
    if (*p == '@')
        return register_value(x, v);
    if (*p == '#')
        return macro(x, v);
    if (*p == '$') {
        /* Pseudo-registers also without '@'. */
        x->tok = p;
        size_t len = 1;
        while (isalnum((unsigned char)p[len]) || p[len] == '_')
            len++;
        uint64_t u;
        x->p = p + len;
        kdx_status st = kdx_xp_pseudo(x, p, len, &u);
        if (st == KDX_OK) {
            set_int(x->s, v, kdx_ct_builtin(KDX_EB_UINT64, 0), u);
            typed_pseudo(x, p, len, v);
            return KDX_OK;
        }
        if (x->st == KDX_OK)
            kdx_xp_fail(x, KDX_E_NOT_FOUND, "Bad register", p);
        return x->st;
    }
    size_t len = kdx_xp_ident_len(p);
    if (len == 0 || !(isalpha((unsigned char)*p) || *p == '_' || *p == '?'))
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
    if ((len == 4 && !strncmp(p, "true", 4)) || (len == 5 && !strncmp(p, "false", 5))) {
        x->p = p + len;
        set_int(x->s, v, kdx_ct_builtin(KDX_EB_BOOL, 0), len == 4);
        return KDX_OK;
    }
    x->p = p + len;
    x->tok = p;
    return symbol_value(x, p, len, v);
}

static kdx_status member(kdx_xp *x, kdx_expr_value *v, bool arrow, const char *at)
{
    if (arrow) {
        if (rvalue(x, v) != KDX_OK)
            return x->st;
        if (v->type.ptr != 1 || v->type.base != KDX_EB_SYM)
            return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
        uint64_t addr = v->u;
        v->type = kdx_ct_pointee(&v->type);
        v->lvalue = true;
        v->loaded = false;
        v->addr = addr;
    }
    if (!kdx_ct_is_record(&v->type) || !v->lvalue)
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", at);
    const char *f = kdx_xp_skip(x);
    size_t n = 0;
    while (isalnum((unsigned char)f[n]) || f[n] == '_')
        n++;
    if (n == 0)
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", f);
    char *name = kdx_strndup(f, n);
    uint64_t off;
    const kdx_type *ft;
    kdx_err e;
    kdx_status st = kdx_type_field_path(v->type.sym, name, &off, &ft, &e);
    free(name);
    if (st != KDX_OK)
        return kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", f);
    x->p = f + n;
    uint64_t addr = v->addr + off;
    const kdx_type *sf = kdx_type_strip(ft);
    memset(v, 0, sizeof *v);
    v->type = kdx_ct_from_symbol(ft, 0);
    v->lvalue = true;
    v->addr = addr;
    if (sf && sf->kind == KDX_TYPE_BITFIELD) {
        /* Bit fields are read at once: they have no address of their own. */
        const kdx_type *u = kdx_type_strip(sf->target);
        uint8_t b[8] = {0};
        uint64_t size = u ? u->size : 0;
        if (size == 0 || size > 8)
            return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", f);
        if (!x->noeval) {
            x->tok = f;
            kdx_expr_value raw = *v;
            if (kdx_ct_load(x, &raw) != KDX_OK)
                return x->st;
            for (uint64_t i = 0; i < size; i++)
                b[i] = (uint8_t)(raw.u >> (8 * i));
            v->u = kdx_type_extract(sf, b);
        }
        v->lvalue = false;
        v->loaded = true;
    }
    return KDX_OK;
}

static kdx_status postfix(kdx_xp *x, kdx_expr_value *v)
{
    if (primary(x, v) != KDX_OK)
        return x->st;
    for (;;) {
        const char *p = kdx_xp_skip(x);
        if (*p == '[') {
            x->p++;
            kdx_expr_value idx;
            if (cond_expr(x, &idx) != KDX_OK || !kdx_xp_expect(x, ']'))
                return x->st;
            if (rvalue(x, v) != KDX_OK || rvalue(x, &idx) != KDX_OK)
                return x->st;
            if (v->type.ptr == 0 || !kdx_ct_is_integer(&idx.type))
                return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
            uint64_t addr = v->u + idx.u * pointee_size(x, &v->type);
            v->type = kdx_ct_pointee(&v->type);
            v->lvalue = true;
            v->loaded = false;
            v->addr = addr;
        } else if (*p == '.' || (p[0] == '-' && p[1] == '>')) {
            x->p += *p == '.' ? 1 : 2;
            if (member(x, v, *p == '-', p) != KDX_OK)
                return x->st;
        } else if (*p == '(' || (p[0] == '+' && p[1] == '+') || (p[0] == '-' && p[1] == '-')) {
            return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
        } else {
            return KDX_OK;
        }
    }
}

static kdx_status sizeof_op(kdx_xp *x, kdx_expr_value *v)
{
    const char *p = kdx_xp_skip(x);
    kdx_expr_type t;
    if (*p == '(') {
        const char *save = x->p;
        x->p++;
        if (kdx_ct_parse_type(x, &t) && kdx_xp_skip(x)[0] == ')') {
            x->p++;
            if (t.ptr == 0 && t.base == KDX_EB_VOID)
                return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
            set_int(x->s, v, size_type(x->s), kdx_expr_type_size(x->s, &t));
            return KDX_OK;
        }
        if (x->st != KDX_OK)
            return x->st;
        x->p = save;
    }
    /* sizeof expr: the operand's type, not evaluated. */
    x->noeval++;
    kdx_expr_value e;
    kdx_status st = unary(x, &e);
    x->noeval--;
    if (st != KDX_OK)
        return x->st;
    if (e.type.ptr == 0 && e.type.base == KDX_EB_VOID)
        return kdx_xp_fail(x, KDX_E_ARG, "Type information missing", p);
    set_int(x->s, v, size_type(x->s), kdx_expr_type_size(x->s, &e.type));
    return KDX_OK;
}

static kdx_status unary_inner(kdx_xp *x, kdx_expr_value *v)
{
    const char *p = kdx_xp_skip(x);
    if ((p[0] == '+' && p[1] == '+') || (p[0] == '-' && p[1] == '-'))
        return kdx_xp_fail(x, KDX_E_SYNTAX, "Syntax", p);
    if (*p == '-' || *p == '+' || *p == '~' || *p == '!') {
        x->p++;
        if (unary(x, v) != KDX_OK || rvalue(x, v) != KDX_OK)
            return x->st;
        if (*p == '!') {
            if (!is_scalar(&v->type))
                return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
            bool z = kdx_ct_is_float(&v->type) ? v->d == 0 : v->u == 0;
            set_int(x->s, v, kdx_ct_builtin(KDX_EB_BOOL, 0), z);
            return KDX_OK;
        }
        if (!kdx_ct_is_integer(&v->type) && !(kdx_ct_is_float(&v->type) && *p != '~'))
            return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
        if (kdx_ct_is_float(&v->type)) {
            if (*p == '-')
                v->d = -v->d;
            return KDX_OK;
        }
        if (convert(x, v, kdx_ct_builtin(promote(&v->type), 0), p) != KDX_OK)
            return x->st;
        v->u = *p == '-' ? (uint64_t)0 - v->u : *p == '~' ? ~v->u : v->u;
        kdx_ct_normalize(x->s, v);
        return KDX_OK;
    }
    if (*p == '*') {
        x->p++;
        if (unary(x, v) != KDX_OK || rvalue(x, v) != KDX_OK)
            return x->st;
        if (v->type.ptr == 0)
            return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
        uint64_t addr = v->u;
        v->type = kdx_ct_pointee(&v->type);
        v->lvalue = true;
        v->loaded = false;
        v->addr = addr;
        return KDX_OK;
    }
    if (*p == '&' && p[1] != '&') {
        x->p++;
        if (unary(x, v) != KDX_OK)
            return x->st;
        if (!v->lvalue)
            return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", p);
        kdx_expr_type t = v->type;
        t.ptr++;
        set_int(x->s, v, t, v->addr);
        return KDX_OK;
    }
    if (!strncmp(p, "sizeof", 6) && !kdx_xp_ident_char(p[6])) {
        x->p += 6;
        return sizeof_op(x, v);
    }
    if (*p == '(') {
        /* A cast when a type name and ')' follow. */
        const char *save = x->p;
        x->p++;
        kdx_expr_type t;
        if (kdx_ct_parse_type(x, &t) && kdx_xp_skip(x)[0] == ')') {
            x->p++;
            const char *at = kdx_xp_skip(x);
            if (unary(x, v) != KDX_OK)
                return x->st;
            return convert(x, v, t, at);
        }
        if (x->st != KDX_OK)
            return x->st;
        x->p = save;
    }
    return postfix(x, v);
}

static kdx_status unary(kdx_xp *x, kdx_expr_value *v)
{
    if (!kdx_xp_enter(x))
        return x->st;
    kdx_status st = unary_inner(x, v);
    x->depth--;
    return st;
}

/* Binary levels, lowest precedence last; each entry lists its operators. */
static const char *const levels[][7] = {
    {"*", "/", "%", NULL},
    {"+", "-", NULL},
    {"<<", ">>", NULL},
    {"<=", ">=", "<", ">", NULL},
    {"==", "!=", NULL},
    {"&", NULL},
    {"^", NULL},
    {"|", NULL},
    {"&&", NULL},
    {"||", NULL},
};

static const char *match_op(kdx_xp *x, int level)
{
    const char *p = kdx_xp_skip(x);
    for (int i = 0; levels[level][i]; i++) {
        const char *op = levels[level][i];
        size_t n = strlen(op);
        if (strncmp(p, op, n) != 0)
            continue;
        /* '&' is not '&&', '|' is not '||', '<' is not '<<', '-' is not '->'. */
        if (n == 1 && (p[1] == op[0] || (op[0] == '-' && p[1] == '>') || p[1] == '='))
            continue;
        if (n == 2 && (op[0] == '<' || op[0] == '>') && op[1] == op[0] && p[2] == '=')
            continue;
        return op;
    }
    return NULL;
}

static kdx_status binary_level(kdx_xp *x, int level, kdx_expr_value *v)
{
    if (level < 0)
        return unary(x, v);
    if (binary_level(x, level - 1, v) != KDX_OK)
        return x->st;
    const char *op;
    while ((op = match_op(x, level)) != NULL) {
        x->p += strlen(op);
        const char *at = kdx_xp_skip(x);
        kdx_expr_value r;
        bool lazy = !strcmp(op, "&&") || !strcmp(op, "||");
        bool skip = false;
        if (lazy) {
            if (rvalue(x, v) != KDX_OK)
                return x->st;
            bool t = kdx_ct_is_float(&v->type) ? v->d != 0 : v->u != 0;
            skip = op[0] == '&' ? !t : t;
        }
        x->noeval += skip;
        kdx_status st = binary_level(x, level - 1, &r);
        x->noeval -= skip;
        if (st != KDX_OK || binary_op(x, op, v, &r, at) != KDX_OK)
            return x->st;
    }
    return KDX_OK;
}

static kdx_status cond_expr(kdx_xp *x, kdx_expr_value *v)
{
    if (!kdx_xp_enter(x))
        return x->st;
    if (binary_level(x, (int)KDX_ARRAY_LEN(levels) - 1, v) == KDX_OK && kdx_xp_skip(x)[0] == '?') {
        x->p++;
        if (rvalue(x, v) == KDX_OK) {
            bool t = kdx_ct_is_float(&v->type) ? v->d != 0 : v->u != 0;
            kdx_expr_value a, b;
            x->noeval += !t;
            kdx_status st = cond_expr(x, &a);
            x->noeval -= !t;
            if (st == KDX_OK && kdx_xp_expect(x, ':')) {
                x->noeval += t;
                st = cond_expr(x, &b);
                x->noeval -= t;
                if (st == KDX_OK)
                    *v = t ? a : b;
            }
        }
    }
    x->depth--;
    return x->st;
}

kdx_status kdx_xp_cpp(kdx_xp *x, kdx_expr_value *v)
{
    memset(v, 0, sizeof *v);
    if (cond_expr(x, v) != KDX_OK)
        return x->st;
    /* Arrays stay arrays here: `??` shows them as such. */
    return kdx_ct_is_array(&v->type) ? KDX_OK : rvalue(x, v);
}
