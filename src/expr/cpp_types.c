/* Types of the C++ evaluator: built-in types, types from symbols with
 * pointer levels on top, their names, sizes, and value loads from memory. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "expr/cpp_internal.h"
#include "sym/symbols.h"
#include "target/memory.h"

static const char *const base_names[] = {
    [KDX_EB_VOID] = "void",          [KDX_EB_BOOL] = "bool",
    [KDX_EB_CHAR] = "char",          [KDX_EB_UCHAR] = "unsigned char",
    [KDX_EB_WCHAR] = "wchar_t",      [KDX_EB_SHORT] = "short",
    [KDX_EB_USHORT] = "unsigned short", [KDX_EB_INT] = "int",
    [KDX_EB_UINT] = "unsigned int",  [KDX_EB_LONG] = "long",
    [KDX_EB_ULONG] = "unsigned long", [KDX_EB_INT64] = "int64",
    [KDX_EB_UINT64] = "unsigned int64", [KDX_EB_FLOAT] = "float",
    [KDX_EB_DOUBLE] = "double",      [KDX_EB_SYM] = "?"};

static const uint8_t base_sizes[] = {
    [KDX_EB_VOID] = 0, [KDX_EB_BOOL] = 1, [KDX_EB_CHAR] = 1, [KDX_EB_UCHAR] = 1,
    [KDX_EB_WCHAR] = 2, [KDX_EB_SHORT] = 2, [KDX_EB_USHORT] = 2, [KDX_EB_INT] = 4,
    [KDX_EB_UINT] = 4, [KDX_EB_LONG] = 4, [KDX_EB_ULONG] = 4, [KDX_EB_INT64] = 8,
    [KDX_EB_UINT64] = 8, [KDX_EB_FLOAT] = 4, [KDX_EB_DOUBLE] = 8, [KDX_EB_SYM] = 0};

void kdx_expr_type_name(kdx_session *s, const kdx_expr_type *t, char *buf, size_t len)
{
    (void)s;
    char inner[256];
    if (t->base == KDX_EB_SYM)
        kdx_type_c_name(t->sym, inner, sizeof inner);
    else
        snprintf(inner, sizeof inner, "%s", base_names[t->base]);
    size_t n = (size_t)snprintf(buf, len, "%s", inner);
    for (unsigned i = 0; i < t->ptr && n + 2 < len; i++)
        n += (size_t)snprintf(buf + n, len - n, " *");
}

uint64_t kdx_expr_type_size(kdx_session *s, const kdx_expr_type *t)
{
    if (t->ptr)
        return (uint64_t)kdx_session_ptr_size(s);
    if (t->base == KDX_EB_SYM)
        return t->sym ? t->sym->size : 0;
    return base_sizes[t->base];
}

bool kdx_ct_is_signed_base(kdx_expr_base b)
{
    return b == KDX_EB_CHAR || b == KDX_EB_SHORT || b == KDX_EB_INT || b == KDX_EB_LONG ||
           b == KDX_EB_INT64;
}

bool kdx_ct_is_enum(const kdx_expr_type *t)
{
    return t->ptr == 0 && t->base == KDX_EB_SYM && t->sym && t->sym->kind == KDX_TYPE_ENUM;
}

bool kdx_ct_is_integer(const kdx_expr_type *t)
{
    return (t->ptr == 0 && t->base >= KDX_EB_BOOL && t->base <= KDX_EB_UINT64) || kdx_ct_is_enum(t);
}

bool kdx_ct_is_float(const kdx_expr_type *t)
{
    return t->ptr == 0 && (t->base == KDX_EB_FLOAT || t->base == KDX_EB_DOUBLE);
}

bool kdx_ct_is_record(const kdx_expr_type *t)
{
    return t->ptr == 0 && t->base == KDX_EB_SYM && kdx_type_is_record(t->sym);
}

bool kdx_ct_is_array(const kdx_expr_type *t)
{
    return t->ptr == 0 && t->base == KDX_EB_SYM && t->sym && t->sym->kind == KDX_TYPE_ARRAY;
}

kdx_expr_type kdx_ct_builtin(kdx_expr_base b, unsigned ptr)
{
    kdx_expr_type t = {b, NULL, ptr};
    return t;
}

/* Symbol base kinds as built-in types (LONG/ULONG for 4-byte integers, as
 * Windows declares them); others stay symbol types. */
static bool base_from_symbol(kdx_base_kind b, kdx_expr_base *out)
{
    switch (b) {
    case KDX_BASE_VOID: *out = KDX_EB_VOID; return true;
    case KDX_BASE_CHAR: *out = KDX_EB_CHAR; return true;
    case KDX_BASE_UCHAR: *out = KDX_EB_UCHAR; return true;
    case KDX_BASE_WCHAR: case KDX_BASE_CHAR16: *out = KDX_EB_WCHAR; return true;
    case KDX_BASE_BOOL: *out = KDX_EB_BOOL; return true;
    case KDX_BASE_INT2: *out = KDX_EB_SHORT; return true;
    case KDX_BASE_UINT2: *out = KDX_EB_USHORT; return true;
    case KDX_BASE_INT4: case KDX_BASE_HRESULT: *out = KDX_EB_LONG; return true;
    case KDX_BASE_UINT4: case KDX_BASE_CHAR32: *out = KDX_EB_ULONG; return true;
    case KDX_BASE_INT8: *out = KDX_EB_INT64; return true;
    case KDX_BASE_UINT8: *out = KDX_EB_UINT64; return true;
    case KDX_BASE_FLOAT: *out = KDX_EB_FLOAT; return true;
    case KDX_BASE_DOUBLE: *out = KDX_EB_DOUBLE; return true;
    default: return false;
    }
}

kdx_expr_type kdx_ct_from_symbol(const kdx_type *t, unsigned extra_ptr)
{
    kdx_expr_type r = {KDX_EB_SYM, NULL, 0};
    unsigned ptr = 0;
    for (int guard = 0; guard < 64; guard++) {
        t = kdx_type_strip(t);
        if (t && t->kind == KDX_TYPE_POINTER) {
            ptr++;
            t = t->target;
            continue;
        }
        if (t && t->kind == KDX_TYPE_BITFIELD) {
            t = t->target;
            continue;
        }
        break;
    }
    /* Pointer levels collected outermost first: T** is T with ptr 2. */
    r.ptr = ptr + extra_ptr;
    if (!t) {
        r.base = KDX_EB_VOID;
    } else if (t->kind == KDX_TYPE_BASE && base_from_symbol(t->base, &r.base)) {
        r.sym = NULL;
    } else {
        r.sym = t;
    }
    return r;
}

kdx_expr_type kdx_ct_pointee(const kdx_expr_type *t)
{
    kdx_expr_type r = *t;
    if (r.ptr)
        r.ptr--;
    return r;
}

kdx_expr_type kdx_ct_element(const kdx_expr_type *t)
{
    if (kdx_ct_is_array(t))
        return kdx_ct_from_symbol(t->sym->target, 0);
    return kdx_ct_pointee(t);
}

/* Fits the 64-bit bits in u to the value's type: truncated, then sign or
 * zero extended. */
void kdx_ct_normalize(kdx_session *s, kdx_expr_value *v)
{
    if (kdx_ct_is_float(&v->type))
        return;
    uint64_t size = kdx_expr_type_size(s, &v->type);
    if (v->type.ptr == 0 && v->type.base == KDX_EB_BOOL) {
        v->u = v->u != 0;
        return;
    }
    if (size == 0 || size >= 8)
        return;
    uint64_t mask = (1ull << (size * 8)) - 1;
    v->u &= mask;
    bool is_signed = v->type.ptr == 0 &&
                     (kdx_ct_is_signed_base(v->type.base) ||
                      (kdx_ct_is_enum(&v->type) && kdx_type_is_signed(v->type.sym)));
    if (is_signed && (v->u >> (size * 8 - 1)) & 1)
        v->u |= ~mask;
}

kdx_status kdx_ct_load(kdx_xp *x, kdx_expr_value *v)
{
    if (v->loaded || !v->lvalue)
        return KDX_OK;
    if (kdx_ct_is_record(&v->type) || kdx_ct_is_array(&v->type))
        return KDX_OK;
    uint64_t size = kdx_expr_type_size(x->s, &v->type);
    if (v->type.ptr == 0 && v->type.base == KDX_EB_VOID)
        return kdx_xp_fail(x, KDX_E_ARG, "Type information missing", x->tok);
    if (size == 0 || size > 8)
        return kdx_xp_fail(x, KDX_E_ARG, "Type conflict", x->tok);
    uint8_t b[8] = {0};
    kdx_err e;
    if (!x->s->target || kdx_read_virt(x->s->target, v->addr, b, (size_t)size, NULL, &e) != KDX_OK)
        return kdx_xp_failf(x, KDX_E_MEM_MISSING, "Memory access error at '%.200s'", x->tok);
    uint64_t raw = 0;
    for (int i = (int)size - 1; i >= 0; i--)
        raw = raw << 8 | b[i];
    if (v->type.ptr == 0 && v->type.base == KDX_EB_FLOAT) {
        float f;
        uint32_t r32 = (uint32_t)raw;
        memcpy(&f, &r32, sizeof f);
        v->d = f;
    } else if (v->type.ptr == 0 && v->type.base == KDX_EB_DOUBLE) {
        memcpy(&v->d, &raw, sizeof v->d);
    }
    v->u = raw;
    kdx_ct_normalize(x->s, v);
    v->loaded = true;
    return KDX_OK;
}

/* ---- type names in casts and sizeof ---- */

typedef struct builtin_name {
    const char *name;
    kdx_expr_base base;
    unsigned ptr;
} builtin_name;

/* Windows typedefs commonly written in casts. ULONG_PTR/SIZE_T follow the
 * target's pointer size (resolved by the caller). */
static const builtin_name windows_names[] = {
    {"BYTE", KDX_EB_UCHAR, 0},    {"UCHAR", KDX_EB_UCHAR, 0},   {"CHAR", KDX_EB_CHAR, 0},
    {"BOOLEAN", KDX_EB_UCHAR, 0}, {"WORD", KDX_EB_USHORT, 0},   {"USHORT", KDX_EB_USHORT, 0},
    {"SHORT", KDX_EB_SHORT, 0},   {"WCHAR", KDX_EB_WCHAR, 0},   {"DWORD", KDX_EB_ULONG, 0},
    {"ULONG", KDX_EB_ULONG, 0},   {"LONG", KDX_EB_LONG, 0},     {"UINT", KDX_EB_UINT, 0},
    {"INT", KDX_EB_INT, 0},       {"BOOL", KDX_EB_INT, 0},      {"NTSTATUS", KDX_EB_LONG, 0},
    {"ULONG64", KDX_EB_UINT64, 0}, {"ULONGLONG", KDX_EB_UINT64, 0}, {"DWORD64", KDX_EB_UINT64, 0},
    {"UINT64", KDX_EB_UINT64, 0}, {"LONG64", KDX_EB_INT64, 0},  {"LONGLONG", KDX_EB_INT64, 0},
    {"INT64", KDX_EB_INT64, 0},   {"PVOID", KDX_EB_VOID, 1},    {"HANDLE", KDX_EB_VOID, 1},
    {"PUCHAR", KDX_EB_UCHAR, 1},  {"PCHAR", KDX_EB_CHAR, 1},    {"PULONG", KDX_EB_ULONG, 1},
    {"PWCHAR", KDX_EB_WCHAR, 1},  {"PULONG64", KDX_EB_UINT64, 1},
};

static bool word_at(const char *p, const char *w, size_t *n)
{
    size_t len = strlen(w);
    if (strncmp(p, w, len) != 0 || isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '!')
        return false;
    *n = len;
    return true;
}

/* C keywords: [signed|unsigned] char/short/int/long/__int64/int64, bool,
 * float, double, void, wchar_t, __int8/16/32. */
static bool parse_keywords(kdx_xp *x, kdx_expr_base *out)
{
    const char *p = x->p;
    bool is_unsigned = false, is_signed = false, any = false;
    int longs = 0;
    kdx_expr_base b = KDX_EB_INT;
    bool have_base = false;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n;
        if (word_at(p, "unsigned", &n)) {
            is_unsigned = true;
        } else if (word_at(p, "signed", &n)) {
            is_signed = true;
        } else if (word_at(p, "long", &n)) {
            longs++;
        } else if (!have_base && (word_at(p, "char", &n) || word_at(p, "__int8", &n))) {
            b = KDX_EB_CHAR, have_base = true;
        } else if (!have_base && (word_at(p, "short", &n) || word_at(p, "__int16", &n))) {
            b = KDX_EB_SHORT, have_base = true;
        } else if (!have_base && (word_at(p, "int", &n) || word_at(p, "__int32", &n))) {
            have_base = true;
        } else if (!have_base && (word_at(p, "__int64", &n) || word_at(p, "int64", &n))) {
            b = KDX_EB_INT64, have_base = true;
        } else if (!have_base && word_at(p, "bool", &n)) {
            b = KDX_EB_BOOL, have_base = true;
        } else if (!have_base && word_at(p, "float", &n)) {
            b = KDX_EB_FLOAT, have_base = true;
        } else if (!have_base && word_at(p, "double", &n)) {
            b = KDX_EB_DOUBLE, have_base = true;
        } else if (!have_base && word_at(p, "void", &n)) {
            b = KDX_EB_VOID, have_base = true;
        } else if (!have_base && word_at(p, "wchar_t", &n)) {
            b = KDX_EB_WCHAR, have_base = true;
        } else {
            break;
        }
        p += n;
        any = true;
    }
    if (!any)
        return false;
    if (longs >= 2)
        b = KDX_EB_INT64;
    else if (longs == 1 && b == KDX_EB_INT)
        b = KDX_EB_LONG;
    if (is_unsigned) {
        switch (b) {
        case KDX_EB_CHAR: b = KDX_EB_UCHAR; break;
        case KDX_EB_SHORT: b = KDX_EB_USHORT; break;
        case KDX_EB_INT: b = KDX_EB_UINT; break;
        case KDX_EB_LONG: b = KDX_EB_ULONG; break;
        case KDX_EB_INT64: b = KDX_EB_UINT64; break;
        default: break;
        }
    }
    (void)is_signed;
    *out = b;
    x->p = p;
    return true;
}

bool kdx_ct_parse_type(kdx_xp *x, kdx_expr_type *out)
{
    const char *save = x->p;
    kdx_xp_skip(x);
    size_t n;
    bool tagged = false;
    for (;;) {
        if (word_at(x->p, "struct", &n) || word_at(x->p, "class", &n) ||
            word_at(x->p, "union", &n) || word_at(x->p, "enum", &n))
            tagged = true;
        else if (!word_at(x->p, "const", &n) && !word_at(x->p, "volatile", &n))
            break;
        x->p += n;
        kdx_xp_skip(x);
    }
    kdx_expr_base b;
    if (parse_keywords(x, &b)) {
        *out = kdx_ct_builtin(b, 0);
    } else {
        size_t len = kdx_xp_ident_len(x->p);
        if (len == 0 || isdigit((unsigned char)x->p[0]) || x->p[0] == '$') {
            x->p = save;
            return false;
        }
        bool found = false;
        for (size_t i = 0; i < KDX_ARRAY_LEN(windows_names) && !found; i++) {
            if (strlen(windows_names[i].name) == len && !strncmp(windows_names[i].name, x->p, len)) {
                *out = kdx_ct_builtin(windows_names[i].base, windows_names[i].ptr);
                found = true;
            }
        }
        if (!found && ((len == 9 && !strncmp(x->p, "ULONG_PTR", 9)) ||
                       (len == 6 && !strncmp(x->p, "SIZE_T", 6)))) {
            *out = kdx_ct_builtin(kdx_session_ptr_size(x->s) == 8 ? KDX_EB_UINT64 : KDX_EB_ULONG, 0);
            found = true;
        }
        if (!found && x->s->target) {
            char *name = kdx_strndup(x->p, len);
            const kdx_type *t = kdx_sym_find_type(x->s, name, NULL);
            free(name);
            if (t) {
                *out = kdx_ct_from_symbol(t, 0);
                found = true;
            }
        }
        if (!found) {
            if (tagged) {
                kdx_xp_fail(x, KDX_E_NOT_FOUND, "Couldn't resolve", x->p);
                return false;
            }
            x->p = save;
            return false;
        }
        x->p += len;
    }
    for (;;) {
        kdx_xp_skip(x);
        if (*x->p == '*') {
            out->ptr++;
            x->p++;
        } else if (word_at(x->p, "const", &n) || word_at(x->p, "volatile", &n)) {
            x->p += n;
        } else {
            break;
        }
    }
    return true;
}
