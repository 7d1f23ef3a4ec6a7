/* A small MSVC C++ name undecorator for display. It covers what PDB public
 * symbols commonly hold: nested and template names, constructors,
 * destructors, operators and the special `...' names, functions with
 * parameter lists of basic, pointer, reference, class, enum and function
 * pointer types, and data. The output follows undname with Breakpad's
 * options: no return types, calling conventions, access specifiers,
 * struct/class/union/enum keywords or __ptr64. Anything it does not
 * understand yields NULL and the caller keeps the decorated name. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pdb/pdb.h"

typedef struct dm {
    const char *p;
    bool fail;
    int depth;
    char *names[10];
    int nnames;
    char *types[10];
    int ntypes;
} dm;

static char *type(dm *d);
static char *qualified_name(dm *d, bool *is_ctor, bool *is_dtor, char **special);
static char *symbol(dm *d, bool with_args, bool must_consume);
static void free_tables(dm *d);
static char *tidy(char *s);

static char *fail(dm *d)
{
    d->fail = true;
    return NULL;
}

static void remember(char **table, int *n, const char *s)
{
    if (*n < 10)
        table[(*n)++] = kdx_strdup(s);
}

/* Encoded number: 0-9 are 1-10; else hex digits A-P ending with '@'. */
static bool number(dm *d, int64_t *v)
{
    bool neg = false;
    if (*d->p == '?') {
        neg = true;
        d->p++;
    }
    if (*d->p >= '0' && *d->p <= '9') {
        *v = *d->p++ - '0' + 1;
    } else {
        uint64_t x = 0;
        int n = 0;
        while (*d->p >= 'A' && *d->p <= 'P' && n++ < 16)
            x = x * 16 + (uint64_t)(*d->p++ - 'A');
        if (*d->p != '@')
            return false; /* never step past the terminating NUL */
        d->p++;
        *v = (int64_t)x;
    }
    if (neg)
        *v = -*v;
    return true;
}

static char *simple_name(dm *d)
{
    const char *at = strchr(d->p, '@');
    if (!at || at == d->p)
        return fail(d);
    char *s = kdx_strndup(d->p, (size_t)(at - d->p));
    d->p = at + 1;
    remember(d->names, &d->nnames, s);
    return s;
}

static char *template_name(dm *d)
{
    /* "?$" already consumed: name@ then arguments up to '@', in a fresh scope. */
    dm inner = {.p = d->p, .depth = d->depth + 1};
    char *base = simple_name(&inner);
    if (!base)
        return fail(d);
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_printf(&sb, "%s<", base);
    free(base);
    bool first = true;
    while (*inner.p && *inner.p != '@' && !inner.fail) {
        char *arg;
        if (inner.p[0] == '$' && inner.p[1] == '0') {
            inner.p += 2;
            int64_t v;
            if (!number(&inner, &v))
                inner.fail = true;
            arg = inner.fail ? NULL : kdx_asprintf("%lld", (long long)v);
        } else {
            const char *start = inner.p;
            arg = type(&inner);
            if (arg && inner.p - start > 1)
                remember(inner.types, &inner.ntypes, arg);
        }
        if (!arg)
            break;
        kdx_sb_printf(&sb, "%s%s", first ? "" : ",", arg);
        free(arg);
        first = false;
    }
    for (int i = 0; i < inner.nnames; i++)
        free(inner.names[i]);
    for (int i = 0; i < inner.ntypes; i++)
        free(inner.types[i]);
    if (inner.fail || *inner.p != '@') {
        kdx_sb_free(&sb);
        return fail(d);
    }
    d->p = inner.p + 1;
    if (sb.len && sb.s[sb.len - 1] == '>')
        kdx_sb_putc(&sb, ' ');
    kdx_sb_putc(&sb, '>');
    char *s = kdx_sb_take(&sb);
    remember(d->names, &d->nnames, s);
    return s;
}

/* One name fragment (not the first): simple, back-reference, template, `n'. */
static char *fragment(dm *d)
{
    if (*d->p >= '0' && *d->p <= '9') {
        int i = *d->p++ - '0';
        return i < d->nnames ? kdx_strdup(d->names[i]) : fail(d);
    }
    if (d->p[0] == '?' && d->p[1] == '$') {
        d->p += 2;
        return template_name(d);
    }
    if (d->p[0] == '?' && d->p[1] == '?') {
        /* A symbol used as a scope (`foo'), as anonymous namespaces do not. */
        d->p += 2;
        dm inner = {.p = d->p, .depth = d->depth + 1};
        char *n = inner.depth < 8 ? symbol(&inner, true, true) : NULL;
        free_tables(&inner);
        if (!n || inner.fail)
            return fail(d);
        d->p = inner.p;
        char *r = kdx_asprintf("`%s'", n);
        free(n);
        return r;
    }
    if (d->p[0] == '?' && ((d->p[1] >= '0' && d->p[1] <= '9') || (d->p[1] >= 'A' && d->p[1] <= 'P'))) {
        /* Locally scoped name: ?N?SYMBOL -> `symbol'::`N' */
        const char *save = d->p;
        d->p++;
        int64_t v;
        if (number(d, &v) && d->p[0] == '?' && d->p[1] == '?') {
            d->p += 2; /* the number's terminator, then the inner symbol's '?' */
            dm inner = {.p = d->p, .depth = d->depth + 1};
            char *n = inner.depth < 8 ? symbol(&inner, true, true) : NULL;
            free_tables(&inner);
            if (!n || inner.fail) {
                free(n);
                return fail(d);
            }
            d->p = inner.p;
            char *r = kdx_asprintf("`%s'::`%lld'", n, (long long)v);
            free(n);
            return r;
        }
        d->p = save;
    }
    if (*d->p == '?') {
        d->p++;
        int64_t v;
        if (!number(d, &v))
            return fail(d);
        return kdx_asprintf("`%lld'", (long long)v);
    }
    return simple_name(d);
}

static const char *operator_name(dm *d)
{
    static const struct { const char *code, *name; } ops[] = {
        {"2", "operator new"}, {"3", "operator delete"}, {"4", "operator="}, {"5", "operator>>"},
        {"6", "operator<<"}, {"7", "operator!"}, {"8", "operator=="}, {"9", "operator!="},
        {"A", "operator[]"}, {"C", "operator->"}, {"D", "operator*"}, {"E", "operator++"},
        {"F", "operator--"}, {"G", "operator-"}, {"H", "operator+"}, {"I", "operator&"},
        {"J", "operator->*"}, {"K", "operator/"}, {"L", "operator%"}, {"M", "operator<"},
        {"N", "operator<="}, {"O", "operator>"}, {"P", "operator>="}, {"Q", "operator,"},
        {"R", "operator()"}, {"S", "operator~"}, {"T", "operator^"}, {"U", "operator|"},
        {"V", "operator&&"}, {"W", "operator||"}, {"X", "operator*="}, {"Y", "operator+="},
        {"Z", "operator-="}, {"_0", "operator/="}, {"_1", "operator%="}, {"_2", "operator>>="},
        {"_3", "operator<<="}, {"_4", "operator&="}, {"_5", "operator|="}, {"_6", "operator^="},
        {"_7", "`vftable'"}, {"_8", "`vbtable'"}, {"_9", "`vcall'"}, {"_A", "`typeof'"},
        {"_B", "`local static guard'"}, {"_C", "`string'"}, {"_D", "`vbase destructor'"},
        {"_E", "`vector deleting destructor'"}, {"_F", "`default constructor closure'"},
        {"_G", "`scalar deleting destructor'"}, {"_H", "`vector constructor iterator'"},
        {"_I", "`vector destructor iterator'"}, {"_J", "`vector vbase constructor iterator'"},
        {"_K", "`virtual displacement map'"}, {"_L", "`eh vector constructor iterator'"},
        {"_M", "`eh vector destructor iterator'"}, {"_N", "`eh vector vbase constructor iterator'"},
        {"_O", "`copy constructor closure'"}, {"_S", "`local vftable'"},
        {"_T", "`local vftable constructor closure'"}, {"_U", "operator new[]"},
        {"_V", "operator delete[]"}, {"_X", "`placement delete closure'"},
        {"_Y", "`placement delete[] closure'"}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(ops); i++) {
        size_t n = strlen(ops[i].code);
        if (strncmp(d->p, ops[i].code, n) == 0) {
            d->p += n;
            return ops[i].name;
        }
    }
    return NULL;
}

/* The symbol's qualified name: first fragment, then scopes up to '@'. */
static char *qualified_name(dm *d, bool *is_ctor, bool *is_dtor, char **special)
{
    *is_ctor = *is_dtor = false;
    *special = NULL;
    char *first = NULL;
    if (d->p[0] == '?' && d->p[1] == '$') {
        d->p += 2;
        first = template_name(d);
    } else if (*d->p == '?') {
        d->p++;
        if (*d->p == '0') {
            *is_ctor = true;
            d->p++;
        } else if (*d->p == '1') {
            *is_dtor = true;
            d->p++;
        } else if (*d->p == 'B') {
            d->p++;
            *special = kdx_strdup("operator cast");
        } else {
            const char *op = operator_name(d);
            if (!op)
                return fail(d);
            *special = kdx_strdup(op);
        }
    } else {
        first = fragment(d); /* simple name or back-reference */
    }
    if (d->fail)
        return NULL;
    char *scopes[32];
    int n = 0;
    while (*d->p && *d->p != '@' && n < 32 && !d->fail) {
        char *f = fragment(d);
        if (!f)
            break;
        scopes[n++] = f;
    }
    if (d->fail || *d->p != '@') {
        for (int i = 0; i < n; i++)
            free(scopes[i]);
        free(first);
        free(*special);
        *special = NULL;
        return fail(d);
    }
    d->p++;
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    for (int i = n - 1; i >= 0; i--)
        kdx_sb_printf(&sb, "%s::", scopes[i]);
    if (*is_ctor || *is_dtor) {
        const char *cls = n ? scopes[0] : "";
        /* A template class's constructor is named without its arguments. */
        size_t len = strcspn(cls, "<");
        kdx_sb_printf(&sb, "%s%.*s", *is_dtor ? "~" : "", (int)len, cls);
    } else if (*special) {
        kdx_sb_puts(&sb, *special);
    } else {
        kdx_sb_puts(&sb, first);
    }
    for (int i = 0; i < n; i++)
        free(scopes[i]);
    free(first);
    return kdx_sb_take(&sb);
}

static char *cv_suffix(char *s, char cv)
{
    const char *q = cv == 'B' ? " const" : cv == 'C' ? " volatile" : cv == 'D' ? " const volatile" : "";
    char *r = kdx_asprintf("%s%s", s, q);
    free(s);
    return r;
}

static char *function_type(dm *d, const char *inner);

static char *pointer(dm *d, const char *sym)
{
    while (*d->p == 'E' || *d->p == 'I' || *d->p == 'F')
        d->p++; /* __ptr64, __restrict, __unaligned */
    char cv = *d->p;
    if (!cv)
        return fail(d);
    d->p++;
    if (cv == '6') { /* pointer to function */
        char *in = kdx_asprintf("(%s)", sym);
        char *r = function_type(d, in);
        free(in);
        return r;
    }
    if (cv < 'A' || cv > 'D')
        return fail(d);
    char *t = type(d);
    if (!t)
        return NULL;
    t = cv_suffix(t, cv);
    char *r = kdx_asprintf("%s %s", t, sym);
    free(t);
    return r;
}

static char *arg_list(dm *d)
{
    if (*d->p == 'X') {
        d->p++;
        return kdx_strdup("void");
    }
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    bool first = true;
    while (*d->p && *d->p != '@' && *d->p != 'Z' && !d->fail) {
        const char *start = d->p;
        char *t;
        if (*d->p >= '0' && *d->p <= '9') {
            int i = *d->p++ - '0';
            t = i < d->ntypes ? kdx_strdup(d->types[i]) : fail(d);
        } else {
            t = type(d);
            if (t && d->p - start > 1)
                remember(d->types, &d->ntypes, t);
        }
        if (!t)
            break;
        kdx_sb_printf(&sb, "%s%s", first ? "" : ",", t);
        free(t);
        first = false;
    }
    if (d->fail) {
        kdx_sb_free(&sb);
        return NULL;
    }
    if (*d->p == 'Z') {
        d->p++;
        kdx_sb_puts(&sb, first ? "..." : ",...");
    } else if (*d->p == '@') {
        d->p++;
    } else {
        kdx_sb_free(&sb);
        return fail(d);
    }
    return kdx_sb_take(&sb);
}

/* Calling convention, return type, arguments, throw spec; inner is the declarator. */
static char *function_type(dm *d, const char *inner)
{
    if (!*d->p)
        return fail(d);
    d->p++; /* calling convention */
    char *ret;
    if (*d->p == '@') {
        d->p++;
        ret = kdx_strdup("");
    } else {
        if (d->p[0] == '?' && d->p[1])
            d->p += 2; /* return storage class */
        ret = type(d);
    }
    if (!ret)
        return NULL;
    char *args = arg_list(d);
    if (!args) {
        free(ret);
        return NULL;
    }
    if (*d->p == 'Z')
        d->p++;
    else if (d->p[0] == '_' && d->p[1] == 'E')
        d->p += 2;
    char *r = kdx_asprintf("%s %s(%s)", ret, inner, args);
    free(ret);
    free(args);
    return r;
}

static char *type(dm *d)
{
    if (++d->depth > 40) {
        d->depth--;
        return fail(d);
    }
    static const struct { char c; const char *n; } basic[] = {
        {'C', "signed char"}, {'D', "char"}, {'E', "unsigned char"}, {'F', "short"},
        {'G', "unsigned short"}, {'H', "int"}, {'I', "unsigned int"}, {'J', "long"},
        {'K', "unsigned long"}, {'M', "float"}, {'N', "double"}, {'O', "long double"},
        {'X', "void"}};
    static const struct { char c; const char *n; } ext[] = {
        {'J', "__int64"}, {'K', "unsigned __int64"}, {'N', "bool"}, {'W', "wchar_t"},
        {'S', "char16_t"}, {'U', "char32_t"}, {'Q', "char8_t"}, {'D', "__int8"},
        {'E', "unsigned __int8"}, {'F', "__int16"}, {'G', "unsigned __int16"}, {'H', "__int32"},
        {'I', "unsigned __int32"}};
    char c = *d->p;
    char *r = NULL;
    if (!c) {
        r = fail(d);
    } else if (c == '_') {
        for (size_t i = 0; i < KDX_ARRAY_LEN(ext) && !r; i++)
            if (ext[i].c == d->p[1])
                r = kdx_strdup(ext[i].n);
        if (r)
            d->p += 2;
        else
            r = fail(d);
    } else if (c == 'P' || c == 'Q' || c == 'R' || c == 'S') {
        d->p++;
        r = pointer(d, "*");
    } else if (c == 'A' || c == 'B') {
        d->p++;
        r = pointer(d, "&");
    } else if (c == '$' && d->p[1] == '$' && d->p[2] == 'Q') {
        d->p += 3;
        r = pointer(d, "&&");
    } else if (c == '$' && d->p[1] == '$' && (d->p[2] == 'C' || d->p[2] == 'A')) {
        d->p += 3;
        char cv = *d->p ? *d->p++ : 'A';
        r = type(d);
        if (r)
            r = cv_suffix(r, cv);
    } else if (c == 'T' || c == 'U' || c == 'V' || (c == 'W' && d->p[1])) {
        d->p += c == 'W' ? 2 : 1; /* W is followed by the enum's size code */
        bool ct, dt;
        char *sp;
        r = qualified_name(d, &ct, &dt, &sp);
        free(sp);
    } else if (c == 'Y') {
        d->p++;
        int64_t dims;
        if (!number(d, &dims) || dims < 1 || dims > 8)
            r = fail(d);
        kdx_strbuf sb;
        kdx_sb_init(&sb);
        for (int64_t i = 0; i < dims && !d->fail; i++) {
            int64_t n;
            if (!number(d, &n))
                d->fail = true;
            else
                kdx_sb_printf(&sb, "[%lld]", (long long)n);
        }
        char *elem = d->fail ? NULL : type(d);
        r = elem ? kdx_asprintf("%s %s", elem, sb.s ? sb.s : "") : NULL;
        free(elem);
        kdx_sb_free(&sb);
    } else if (c == '?') {
        d->p++;
        char cv = *d->p ? *d->p++ : 'A';
        r = type(d);
        if (r)
            r = cv_suffix(r, cv);
    } else {
        for (size_t i = 0; i < KDX_ARRAY_LEN(basic) && !r; i++)
            if (basic[i].c == c)
                r = kdx_strdup(basic[i].n);
        if (r)
            d->p++;
        else
            r = fail(d);
    }
    d->depth--;
    return r;
}

static void free_tables(dm *d)
{
    for (int i = 0; i < d->nnames; i++)
        free(d->names[i]);
    for (int i = 0; i < d->ntypes; i++)
        free(d->types[i]);
}

/* Tidies spacing the way undname prints: "char *", "C const &", "()". */
static char *tidy(char *s)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    for (const char *p = s; *p; p++) {
        if (*p == ' ' && (sb.len == 0 || sb.s[sb.len - 1] == ' ' || sb.s[sb.len - 1] == '(' ||
                          p[1] == ')' || p[1] == ',' || p[1] == 0))
            continue;
        if (*p == ',' && sb.len && sb.s[sb.len - 1] == ' ')
            sb.s[--sb.len] = 0;
        kdx_sb_putc(&sb, *p);
    }
    free(s);
    char *r = kdx_sb_take(&sb);
    return r ? r : kdx_strdup("");
}

/* RTTI data: ??_R0 type descriptor, ??_R1 base class descriptor, ??_R2 base
 * class array, ??_R3 class hierarchy descriptor, ??_R4 complete object locator. */
static char *rtti_name(const char *p)
{
    dm d = {.p = p + 1};
    char *r = NULL;
    if (*p == '0') {
        char *t = type(&d);
        if (t && strcmp(d.p, "@8") == 0)
            r = kdx_asprintf("%s `RTTI Type Descriptor'", t);
        free(t);
    } else if (*p == '1') {
        int64_t n[4];
        bool ok = true;
        for (int i = 0; i < 4 && ok; i++)
            ok = number(&d, &n[i]);
        bool c, t;
        char *sp = NULL;
        char *qn = ok ? qualified_name(&d, &c, &t, &sp) : NULL;
        if (qn && strcmp(d.p, "8") == 0)
            r = kdx_asprintf("%s::`RTTI Base Class Descriptor at (%lld,%lld,%lld,%lld)'", qn,
                             (long long)n[0], (long long)n[1], (long long)n[2], (long long)n[3]);
        free(qn);
        free(sp);
    } else if (*p == '2' || *p == '3' || *p == '4') {
        static const char *const what[] = {"`RTTI Base Class Array'",
                                           "`RTTI Class Hierarchy Descriptor'",
                                           "`RTTI Complete Object Locator'"};
        bool c, t;
        char *sp = NULL;
        char *qn = qualified_name(&d, &c, &t, &sp);
        if (qn && (strcmp(d.p, "8") == 0 || strncmp(d.p, "6B", 2) == 0))
            r = kdx_asprintf("%s::%s", qn, what[*p - '2']);
        free(qn);
        free(sp);
    }
    free_tables(&d);
    return r;
}

/* A function's encoding after its name (access/kind letter on); the
 * parameter list as "(...)", or NULL. Consumes the encoding. */
static char *function_params(dm *d)
{
    char kind = *d->p;
    if (!(kind >= 'A' && kind <= 'Z' && kind != 'X'))
        return fail(d);
    d->p++;
    /* Non-static members carry a this-pointer qualifier (after __ptr64); it is
     * not printed, as with undname's "no this-type" option. */
    bool is_static = kind == 'C' || kind == 'D' || kind == 'K' || kind == 'L' || kind == 'S' ||
                     kind == 'T' || kind == 'Y' || kind == 'Z';
    if (!is_static) {
        while (*d->p == 'E' || *d->p == 'I' || *d->p == 'F')
            d->p++;
        if (*d->p)
            d->p++;
    }
    char *ft = function_type(d, "\x01");
    if (!ft)
        return NULL;
    /* drop the return type: keep from the declarator marker on */
    char *r = kdx_strdup(strchr(ft, '\x01') + 1);
    free(ft);
    return r;
}

/* "?" already consumed: qualified name, then the encoding. name_only stops
 * after the name unless must_consume (a nested symbol, whose end matters). */
static char *symbol(dm *d, bool with_args, bool must_consume)
{
    bool is_ctor, is_dtor;
    char *special;
    char *qn = qualified_name(d, &is_ctor, &is_dtor, &special);
    free(special);
    if (!qn)
        return NULL;
    char kind = *d->p;
    if (kind == '9') { /* extern "C" function: no signature */
        d->p++;
        return qn;
    }
    bool is_function = kind >= 'A' && kind <= 'Z' && kind != 'X';
    if (!is_function || (!with_args && !must_consume)) {
        if (must_consume) {
            free(qn);
            return fail(d); /* nested data symbols: unsupported */
        }
        return qn; /* data, vftables: the name */
    }
    char *params = function_params(d);
    if (!params) {
        if (with_args || must_consume) {
            free(qn);
            return NULL;
        }
        return qn;
    }
    char *r = with_args ? kdx_asprintf("%s%s", qn, params) : kdx_strdup(qn);
    free(qn);
    free(params);
    return r;
}

char *kdx_undname(const char *name, bool with_args)
{
    if (!name || name[0] != '?')
        return NULL;
    if (strncmp(name, "??_C@", 5) == 0)
        return kdx_strdup("`string'");
    if (strncmp(name, "??_R", 4) == 0)
        return rtti_name(name + 4);
    dm d = {.p = name + 1};
    char *result = symbol(&d, with_args, false);
    free_tables(&d);
    return result ? tidy(result) : NULL;
}
