#include "types/type.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"

static void ensure_complete(const kdx_type *t)
{
    if (!t->complete && t->src && t->src->complete)
        t->src->complete(t->src, (kdx_type *)t);
}

const kdx_field *kdx_type_fields(const kdx_type *t, uint32_t *count)
{
    t = kdx_type_strip(t);
    if (!t || !kdx_type_is_record(t)) {
        *count = 0;
        return NULL;
    }
    ensure_complete(t);
    *count = t->nfields;
    return t->fields;
}

const kdx_enumerator *kdx_type_enumerators(const kdx_type *t, uint32_t *count)
{
    t = kdx_type_strip(t);
    if (!t || t->kind != KDX_TYPE_ENUM) {
        *count = 0;
        return NULL;
    }
    ensure_complete(t);
    *count = t->nenumerators;
    return t->enumerators;
}

const kdx_type *kdx_type_strip(const kdx_type *t)
{
    for (int guard = 0; t && t->kind == KDX_TYPE_TYPEDEF && guard < 64; guard++)
        t = t->target;
    return t;
}

bool kdx_type_is_record(const kdx_type *t)
{
    return t && (t->kind == KDX_TYPE_STRUCT || t->kind == KDX_TYPE_UNION || t->kind == KDX_TYPE_CLASS);
}

bool kdx_type_is_integer(const kdx_type *t)
{
    t = kdx_type_strip(t);
    if (!t)
        return false;
    if (t->kind == KDX_TYPE_ENUM || t->kind == KDX_TYPE_BITFIELD || t->kind == KDX_TYPE_POINTER)
        return true;
    return t->kind == KDX_TYPE_BASE && t->base != KDX_BASE_VOID && t->base != KDX_BASE_FLOAT &&
           t->base != KDX_BASE_DOUBLE && t->base != KDX_BASE_FLOAT80;
}

bool kdx_type_is_signed(const kdx_type *t)
{
    t = kdx_type_strip(t);
    if (!t)
        return false;
    if (t->kind == KDX_TYPE_ENUM || t->kind == KDX_TYPE_BITFIELD)
        return kdx_type_is_signed(t->target);
    if (t->kind != KDX_TYPE_BASE)
        return false;
    switch (t->base) {
    case KDX_BASE_CHAR: case KDX_BASE_INT2: case KDX_BASE_INT4: case KDX_BASE_INT8:
    case KDX_BASE_INT16: case KDX_BASE_HRESULT: case KDX_BASE_FLOAT: case KDX_BASE_DOUBLE:
    case KDX_BASE_FLOAT80:
        return true;
    default:
        return false;
    }
}

const char *kdx_base_name(kdx_base_kind b)
{
    static const char *const names[] = {
        [KDX_BASE_VOID] = "Void", [KDX_BASE_CHAR] = "Char", [KDX_BASE_UCHAR] = "UChar",
        [KDX_BASE_WCHAR] = "Wchar", [KDX_BASE_BOOL] = "Bool", [KDX_BASE_INT2] = "Int2B",
        [KDX_BASE_UINT2] = "Uint2B", [KDX_BASE_INT4] = "Int4B", [KDX_BASE_UINT4] = "Uint4B",
        [KDX_BASE_INT8] = "Int8B", [KDX_BASE_UINT8] = "Uint8B", [KDX_BASE_INT16] = "Int16B",
        [KDX_BASE_UINT16] = "Uint16B", [KDX_BASE_FLOAT] = "Float", [KDX_BASE_DOUBLE] = "Double",
        [KDX_BASE_FLOAT80] = "Float80", [KDX_BASE_HRESULT] = "HRESULT", [KDX_BASE_CHAR16] = "Char16",
        [KDX_BASE_CHAR32] = "Char32"};
    return (unsigned)b < sizeof names / sizeof names[0] && names[b] ? names[b] : "?";
}

const char *kdx_base_c_name(kdx_base_kind b)
{
    static const char *const names[] = {
        [KDX_BASE_VOID] = "void", [KDX_BASE_CHAR] = "char", [KDX_BASE_UCHAR] = "unsigned char",
        [KDX_BASE_WCHAR] = "wchar_t", [KDX_BASE_BOOL] = "bool", [KDX_BASE_INT2] = "short",
        [KDX_BASE_UINT2] = "unsigned short", [KDX_BASE_INT4] = "long",
        [KDX_BASE_UINT4] = "unsigned long", [KDX_BASE_INT8] = "int64",
        [KDX_BASE_UINT8] = "unsigned int64", [KDX_BASE_INT16] = "int128",
        [KDX_BASE_UINT16] = "unsigned int128", [KDX_BASE_FLOAT] = "float",
        [KDX_BASE_DOUBLE] = "double", [KDX_BASE_FLOAT80] = "long double",
        [KDX_BASE_HRESULT] = "HRESULT", [KDX_BASE_CHAR16] = "char16_t",
        [KDX_BASE_CHAR32] = "char32_t"};
    return (unsigned)b < sizeof names / sizeof names[0] && names[b] ? names[b] : "?";
}

static const char *record_name(const kdx_type *t)
{
    return t->name && *t->name ? t->name : "<unnamed-tag>";
}

void kdx_type_dt_name(const kdx_type *t, char *buf, size_t len)
{
    if (!t) {
        snprintf(buf, len, "<unknown>");
        return;
    }
    char inner[256];
    switch (t->kind) {
    case KDX_TYPE_BASE:
        snprintf(buf, len, "%s", kdx_base_name(t->base));
        break;
    case KDX_TYPE_POINTER:
        kdx_type_dt_name(t->target, inner, sizeof inner);
        snprintf(buf, len, "Ptr%d %s", t->size == 4 ? 32 : 64, inner);
        break;
    case KDX_TYPE_ARRAY:
        kdx_type_dt_name(t->target, inner, sizeof inner);
        snprintf(buf, len, "[%llu] %s", (unsigned long long)t->count, inner);
        break;
    case KDX_TYPE_BITFIELD:
        snprintf(buf, len, "Pos %u, %u Bit%s", t->bit_pos, t->bit_len, t->bit_len == 1 ? "" : "s");
        break;
    case KDX_TYPE_FUNCTION:
        /* dt shows a function by its return type: "Ptr64     long". */
        if (t->target) {
            kdx_type_c_name(t->target, inner, sizeof inner);
            snprintf(buf, len, "    %s", inner);
        } else {
            snprintf(buf, len, "<function>");
        }
        break;
    case KDX_TYPE_TYPEDEF:
        kdx_type_dt_name(t->target, buf, len);
        break;
    default:
        snprintf(buf, len, "%s", record_name(t));
        break;
    }
}

void kdx_type_c_name(const kdx_type *t, char *buf, size_t len)
{
    if (!t) {
        snprintf(buf, len, "<unknown>");
        return;
    }
    char inner[256];
    switch (t->kind) {
    case KDX_TYPE_BASE:
        snprintf(buf, len, "%s", kdx_base_c_name(t->base));
        break;
    case KDX_TYPE_POINTER:
        kdx_type_c_name(t->target, inner, sizeof inner);
        snprintf(buf, len, "%s *", inner);
        break;
    case KDX_TYPE_ARRAY:
        kdx_type_c_name(t->target, inner, sizeof inner);
        snprintf(buf, len, "%s [%llu]", inner, (unsigned long long)t->count);
        break;
    case KDX_TYPE_STRUCT:
        snprintf(buf, len, "struct %s", record_name(t));
        break;
    case KDX_TYPE_UNION:
        snprintf(buf, len, "union %s", record_name(t));
        break;
    case KDX_TYPE_CLASS:
        snprintf(buf, len, "class %s", record_name(t));
        break;
    case KDX_TYPE_ENUM:
        snprintf(buf, len, "%s", record_name(t));
        break;
    case KDX_TYPE_BITFIELD:
        kdx_type_c_name(t->target, buf, len);
        break;
    case KDX_TYPE_FUNCTION:
        snprintf(buf, len, "<function>");
        break;
    case KDX_TYPE_TYPEDEF:
        snprintf(buf, len, "%s", t->name ? t->name : "?");
        break;
    }
}

/* Finds a named member in t, descending into anonymous members. */
static bool find_member(const kdx_type *t, const char *name, size_t nlen, uint64_t *off,
                        const kdx_type **ft, int depth)
{
    uint32_t n;
    const kdx_field *f = kdx_type_fields(t, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (f[i].name && strlen(f[i].name) == nlen && memcmp(f[i].name, name, nlen) == 0) {
            *off = f[i].offset;
            *ft = f[i].type;
            return true;
        }
    }
    if (depth > 8)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bool anon = !f[i].name || !*f[i].name || f[i].name[0] == '<' ||
                    strncmp(f[i].name, "__unnamed", 9) == 0;
        const kdx_type *ft2 = kdx_type_strip(f[i].type);
        if (anon && kdx_type_is_record(ft2)) {
            uint64_t sub;
            if (find_member(ft2, name, nlen, &sub, ft, depth + 1)) {
                *off = f[i].offset + sub;
                return true;
            }
        }
    }
    return false;
}

kdx_status kdx_type_field_path(const kdx_type *t, const char *path, uint64_t *offset,
                               const kdx_type **field_type, kdx_err *err)
{
    uint64_t total = 0;
    const kdx_type *cur = t;
    const char *p = path;
    while (*p) {
        const kdx_type *rec = kdx_type_strip(cur);
        if (*p == '[') {
            char *end;
            unsigned long long idx = strtoull(p + 1, &end, 0);
            if (*end != ']' || !rec || rec->kind != KDX_TYPE_ARRAY)
                return kdx_err_set(err, KDX_E_SYNTAX, "bad array index in field path '%s'", path);
            const kdx_type *elem = rec->target;
            total += idx * (kdx_type_strip(elem) ? kdx_type_strip(elem)->size : 0);
            cur = elem;
            p = end + 1;
            if (*p == '.')
                p++;
            continue;
        }
        size_t n = 0;
        while (p[n] && p[n] != '.' && p[n] != '[')
            n++;
        if (!rec || !kdx_type_is_record(rec))
            return kdx_err_set(err, KDX_E_NOT_FOUND, "'%.*s' is not a member of a structure in '%s'",
                               (int)n, p, path);
        uint64_t off;
        const kdx_type *ft;
        if (!find_member(rec, p, n, &off, &ft, 0))
            return kdx_err_set(err, KDX_E_NOT_FOUND, "%s has no field '%.*s'", record_name(rec),
                               (int)n, p);
        total += off;
        cur = ft;
        p += n;
        if (*p == '.')
            p++;
    }
    *offset = total;
    *field_type = cur;
    return KDX_OK;
}

uint64_t kdx_type_extract(const kdx_type *t, const uint8_t *p)
{
    t = kdx_type_strip(t);
    if (!t)
        return 0;
    if (t->kind == KDX_TYPE_BITFIELD) {
        const kdx_type *u = kdx_type_strip(t->target);
        uint64_t raw = kdx_type_extract(u, p);
        raw >>= t->bit_pos;
        if (t->bit_len < 64)
            raw &= (1ull << t->bit_len) - 1;
        return raw;
    }
    uint64_t size = t->size;
    const kdx_type *under = t->kind == KDX_TYPE_ENUM ? kdx_type_strip(t->target) : NULL;
    if (under) /* a typedef chain may end nowhere in a damaged source */
        size = under->size;
    uint64_t v;
    switch (size) {
    case 1: v = p[0]; break;
    case 2: v = kdx_le16(p); break;
    case 4: v = kdx_le32(p); break;
    case 8: v = kdx_le64(p); break;
    default: return 0;
    }
    if (kdx_type_is_signed(t) && size < 8 && (v >> (size * 8 - 1)) & 1)
        v |= ~0ull << (size * 8);
    return v;
}
