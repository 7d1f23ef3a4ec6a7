/* Typed reads of kernel structures by field name (see field.h). */
#include "nt/field.h"

#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "nt/ntctx.h"
#include "sym/symbols.h"
#include "target/memory.h"

#define PAGE 0x1000ull

/* ---- types and fields ---- */

static void cache_fail(kdx_nt_cached *e, const kdx_err *why)
{
    e->st = why->code ? why->code : KDX_E_NOT_FOUND;
    e->why = kdx_strdup(why->msg);
}

static kdx_status cached_error(const kdx_nt_cached *e, kdx_err *err)
{
    return kdx_err_set(err, e->st, "%s", e->why ? e->why : "lookup failed");
}

/* A cached lookup of a type or symbol. Failures are tried again: a symbol
 * path or .reload may bring what was missing. */
typedef bool (*lookup_fn)(kdx_session *s, const char *name, kdx_nt_cached *e, kdx_err *why);

static kdx_status cached_lookup(kdx_session *s, char kind, const char *name, lookup_fn fn, const char *what,
                                kdx_nt_cached **out, kdx_err *err)
{
    char key[256];
    snprintf(key, sizeof key, "%c%s", kind, name);
    bool fresh;
    kdx_nt_cached *e = kdx_nt_cache_entry(kdx_nt_ctx(s), key, &fresh);
    if (fresh || e->st != KDX_OK) {
        kdx_err e2 = {0};
        free(e->why);
        e->why = NULL;
        if (fn(s, name, e, &e2))
            e->st = KDX_OK;
        else {
            kdx_err why = {0};
            kdx_err_set(&why, KDX_E_NO_SYMBOLS, "%s %s (%s)", name, what, e2.msg[0] ? e2.msg : "no kernel symbols");
            cache_fail(e, &why);
        }
    }
    *out = e;
    return e->st == KDX_OK ? KDX_OK : cached_error(e, err);
}

static bool find_type(kdx_session *s, const char *name, kdx_nt_cached *e, kdx_err *why)
{
    return (e->type = kdx_sym_find_type(s, name, why)) != NULL;
}

static bool find_symbol(kdx_session *s, const char *name, kdx_nt_cached *e, kdx_err *why)
{
    return kdx_sym_to_addr(s, name, &e->field.offset, why) == KDX_OK;
}

kdx_status kdx_nt_type(kdx_session *s, const char *type_name, const kdx_type **out, kdx_err *err)
{
    kdx_nt_cached *e;
    kdx_status st = cached_lookup(s, '\x02', type_name, find_type, "is not among the loaded types", &e, err);
    if (st == KDX_OK)
        *out = e->type;
    return st;
}

kdx_status kdx_nt_sizeof(kdx_session *s, const char *type_name, uint64_t *size, kdx_err *err)
{
    const kdx_type *t;
    kdx_status st = kdx_nt_type(s, type_name, &t, err);
    if (st == KDX_OK)
        *size = kdx_type_strip(t)->size;
    return st;
}

static void describe(kdx_nt_field *f, const char *path, uint64_t off, const kdx_type *ft)
{
    const kdx_type *t = kdx_type_strip(ft);
    f->path = path;
    f->offset = off;
    f->type = t;
    f->is_integer = kdx_type_is_integer(t);
    if (t && t->kind == KDX_TYPE_BITFIELD) {
        f->size = kdx_type_strip(t->target)->size;
        f->bit_pos = t->bit_pos;
        f->bit_len = t->bit_len;
    } else {
        f->size = t ? t->size : 0;
        if (t && t->kind == KDX_TYPE_ENUM && t->target)
            f->size = kdx_type_strip(t->target)->size;
    }
}

/* Tries each '|'-separated alternative; fills e on success. */
static void find_field(kdx_session *s, const char *type_name, const char *paths, kdx_nt_cached *e)
{
    const kdx_type *ty;
    kdx_err err = {0};
    if (kdx_nt_type(s, type_name, &ty, &err) != KDX_OK) {
        cache_fail(e, &err);
        return;
    }
    for (const char *p = paths; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char *alt = kdx_strndup(p, n);
        uint64_t off;
        const kdx_type *ft;
        if (kdx_type_field_path(ty, alt, &off, &ft, NULL) == KDX_OK) {
            e->alt = alt;
            describe(&e->field, alt, off, ft);
            e->st = KDX_OK;
            return;
        }
        free(alt);
        p += n + (bar != NULL);
    }
    kdx_err_set(&err, KDX_E_NOT_FOUND, strchr(paths, '|') ? "%s has none of the fields %s" : "%s has no field %s",
                type_name, paths);
    cache_fail(e, &err);
}

kdx_status kdx_nt_field_of(kdx_session *s, const char *type_name, const char *paths,
                           const kdx_nt_field **out, kdx_err *err)
{
    char key[512];
    snprintf(key, sizeof key, "%s\x01%s", type_name, paths);
    bool fresh;
    kdx_nt_cached *e = kdx_nt_cache_entry(kdx_nt_ctx(s), key, &fresh);
    if (fresh)
        find_field(s, type_name, paths, e);
    if (e->st != KDX_OK)
        return cached_error(e, err);
    *out = &e->field;
    return KDX_OK;
}

bool kdx_nt_has_field(kdx_session *s, const char *type_name, const char *paths)
{
    const kdx_nt_field *f;
    return kdx_nt_field_of(s, type_name, paths, &f, NULL) == KDX_OK;
}

kdx_status kdx_nt_offset(kdx_session *s, const char *type_name, const char *paths, uint64_t *offset,
                         kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = kdx_nt_field_of(s, type_name, paths, &f, err);
    if (st == KDX_OK)
        *offset = f->offset;
    return st;
}

uint64_t kdx_nt_field_value(const kdx_nt_field *f, const uint8_t *p)
{
    return kdx_type_extract(f->type, p + f->offset);
}

static kdx_status need_integer(const kdx_nt_field *f, const char *type_name, kdx_err *err)
{
    if (!f->is_integer || f->size == 0 || f->size > 8)
        return kdx_err_set(err, KDX_E_ARG, "%s.%s is not an integer or pointer field", type_name, f->path);
    return KDX_OK;
}

static kdx_status field_missing(kdx_session *s, const char *type_name, uint64_t addr, const kdx_nt_field *f,
                                const kdx_err *why, kdx_err *err)
{
    char a[24], fa[24];
    return kdx_err_set(err, why->code ? why->code : KDX_E_MEM_MISSING, "%s.%s of %s (at %s): %s", type_name,
                       f->path, kdx_session_fmt_ptr(s, a, addr), kdx_session_fmt_ptr(s, fa, addr + f->offset),
                       why->msg);
}

kdx_status kdx_nt_read(kdx_session *s, const char *type_name, uint64_t addr, const char *paths,
                       uint64_t *value, kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = kdx_nt_field_of(s, type_name, paths, &f, err);
    if (st == KDX_OK)
        st = need_integer(f, type_name, err);
    if (st != KDX_OK)
        return st;
    if (!s->target)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "no target is open");
    uint8_t buf[8];
    kdx_err why = {0};
    if (kdx_read_virt(s->target, addr + f->offset, buf, (size_t)f->size, NULL, &why) != KDX_OK)
        return field_missing(s, type_name, addr, f, &why, err);
    *value = kdx_type_extract(f->type, buf);
    return KDX_OK;
}

/* ---- enums ---- */

const char *kdx_nt_enum_name(kdx_session *s, const char *enum_type, int64_t value)
{
    const kdx_type *t;
    if (kdx_nt_type(s, enum_type, &t, NULL) != KDX_OK)
        return NULL;
    uint32_t n;
    const kdx_enumerator *en = kdx_type_enumerators(kdx_type_strip(t), &n);
    for (uint32_t i = 0; en && i < n; i++)
        if (en[i].value == value)
            return en[i].name;
    return NULL;
}

kdx_status kdx_nt_enum_value(kdx_session *s, const char *enum_type, const char *name, int64_t *value,
                             kdx_err *err)
{
    const kdx_type *t;
    kdx_status st = kdx_nt_type(s, enum_type, &t, err);
    if (st != KDX_OK)
        return st;
    uint32_t n;
    const kdx_enumerator *en = kdx_type_enumerators(kdx_type_strip(t), &n);
    for (uint32_t i = 0; en && i < n; i++)
        if (!strcmp(en[i].name, name)) {
            *value = en[i].value;
            return KDX_OK;
        }
    return kdx_err_set(err, KDX_E_NOT_FOUND, "%s has no enumerator %s", enum_type, name);
}

/* ---- snapshots ---- */

/* Bytes of one page-bounded piece: whole when possible, else 8-byte units
 * (triage dumps keep small blocks, not whole pages). */
static bool read_piece(kdx_nt_obj *o, uint64_t pos, uint64_t n)
{
    kdx_target *t = o->s->target;
    kdx_err why = {0};
    if (kdx_read_virt(t, o->addr + pos, o->bytes + pos, (size_t)n, NULL, &why) == KDX_OK) {
        memset(o->present + pos, 1, (size_t)n);
        return true;
    }
    if (!o->missing.code) {
        o->missing = why;
        if (!o->missing.code)
            o->missing.code = KDX_E_MEM_MISSING;
    }
    bool any = false;
    for (uint64_t p = pos; p < pos + n;) {
        uint64_t u = KDX_MIN(8 - ((o->addr + p) & 7), pos + n - p);
        if (kdx_read_virt(t, o->addr + p, o->bytes + p, (size_t)u, NULL, NULL) == KDX_OK) {
            memset(o->present + p, 1, (size_t)u);
            any = true;
        }
        p += u;
    }
    return any;
}

kdx_status kdx_nt_obj_read(kdx_session *s, const char *type_name, uint64_t addr, kdx_nt_obj *o,
                           kdx_err *err)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->type = type_name;
    o->addr = addr;
    kdx_status st = kdx_nt_sizeof(s, type_name, &o->size, err);
    if (st != KDX_OK)
        return st;
    if (!s->target)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "no target is open");
    if (o->size == 0 || o->size > (64u << 20))
        return kdx_err_set(err, KDX_E_FORMAT, "%s has an unusable size (%llu bytes)", type_name,
                           (unsigned long long)o->size);
    o->bytes = kdx_xmalloc((size_t)o->size);
    o->present = kdx_xcalloc((size_t)o->size, 1);
    bool any = false;
    for (uint64_t pos = 0; pos < o->size;) {
        uint64_t n = KDX_MIN(o->size - pos, PAGE - ((addr + pos) & (PAGE - 1)));
        any |= read_piece(o, pos, n);
        pos += n;
    }
    if (any)
        return KDX_OK;
    char a[24];
    st = kdx_err_set(err, o->missing.code, "%s at %s: %s", type_name, kdx_session_fmt_ptr(s, a, addr),
                     o->missing.msg);
    kdx_nt_obj_free(o);
    return st;
}

void kdx_nt_obj_free(kdx_nt_obj *o)
{
    free(o->bytes);
    free(o->present);
    o->bytes = o->present = NULL;
}

bool kdx_nt_obj_complete(const kdx_nt_obj *o)
{
    if (!o->present)
        return false;
    for (uint64_t i = 0; i < o->size; i++)
        if (!o->present[i])
            return false;
    return true;
}

/* True when bytes [off, off+len) of the structure were read. */
static bool range_read(const kdx_nt_obj *o, uint64_t off, uint64_t len)
{
    if (off + len > o->size || !o->present)
        return false;
    for (uint64_t i = off; i < off + len; i++)
        if (!o->present[i])
            return false;
    return true;
}

static kdx_status obj_field(const kdx_nt_obj *o, const char *paths, const kdx_nt_field **f, kdx_err *err)
{
    kdx_status st = kdx_nt_field_of(o->s, o->type, paths, f, err);
    if (st != KDX_OK)
        return st;
    if (!range_read(o, (*f)->offset, (*f)->size)) {
        if ((*f)->offset + (*f)->size > o->size)
            return kdx_err_set(err, KDX_E_FORMAT, "%s.%s lies outside the structure", o->type, (*f)->path);
        return field_missing(o->s, o->type, o->addr, *f, &o->missing, err);
    }
    return KDX_OK;
}

kdx_status kdx_nt_obj_get(const kdx_nt_obj *o, const char *paths, uint64_t *value, kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = obj_field(o, paths, &f, err);
    if (st == KDX_OK)
        st = need_integer(f, o->type, err);
    if (st == KDX_OK)
        *value = kdx_nt_field_value(f, o->bytes);
    return st;
}

kdx_status kdx_nt_obj_bytes(const kdx_nt_obj *o, const char *paths, void *buf, size_t cap, size_t *len,
                            kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = obj_field(o, paths, &f, err);
    if (st != KDX_OK)
        return st;
    size_t n = (size_t)KDX_MIN(f->size, (uint64_t)cap);
    memcpy(buf, o->bytes + f->offset, n);
    if (len)
        *len = n;
    return KDX_OK;
}

kdx_status kdx_nt_obj_addr(const kdx_nt_obj *o, const char *paths, uint64_t *addr, kdx_err *err)
{
    uint64_t off;
    kdx_status st = kdx_nt_offset(o->s, o->type, paths, &off, err);
    if (st == KDX_OK)
        *addr = o->addr + off;
    return st;
}

/* ---- gaps ---- */

void kdx_nt_gaps_init(kdx_nt_gaps *g)
{
    memset(g, 0, sizeof *g);
    kdx_sb_init(&g->names);
}

void kdx_nt_gaps_free(kdx_nt_gaps *g)
{
    kdx_sb_free(&g->names);
}

void kdx_nt_gaps_add(kdx_nt_gaps *g, const char *what, const kdx_err *why)
{
    if (!g)
        return;
    if (!g->count++ && why)
        g->first = *why;
    kdx_sb_printf(&g->names, "%s%s", g->names.len ? ", " : "", what);
}

uint64_t kdx_nt_obj_val(const kdx_nt_obj *o, const char *paths, kdx_nt_gaps *g, bool *ok)
{
    uint64_t v = 0;
    kdx_err err = {0};
    bool good = kdx_nt_obj_get(o, paths, &v, &err) == KDX_OK;
    if (!good) {
        const char *bar = strchr(paths, '|');
        char *first = bar ? kdx_strndup(paths, (size_t)(bar - paths)) : NULL;
        kdx_nt_gaps_add(g, first ? first : paths, &err);
        free(first);
    }
    if (ok)
        *ok = good;
    return v;
}

/* ---- strings and symbols ---- */

kdx_status kdx_nt_unicode_string(kdx_session *s, uint64_t addr, char *buf, size_t cap, kdx_err *err)
{
    uint64_t len, max, ptr;
    kdx_status st = kdx_nt_read(s, "nt!_UNICODE_STRING", addr, "Length", &len, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_UNICODE_STRING", addr, "MaximumLength", &max, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_UNICODE_STRING", addr, "Buffer", &ptr, err);
    if (st != KDX_OK)
        return st;
    if (len & 1 || len > max)
        return kdx_err_set(err, KDX_E_FORMAT, "_UNICODE_STRING at %llx: Length %llu does not fit MaximumLength %llu",
                           (unsigned long long)addr, (unsigned long long)len, (unsigned long long)max);
    uint8_t *raw = kdx_xmalloc(len ? (size_t)len : 1);
    kdx_err why = {0};
    st = len ? kdx_read_virt(s->target, ptr, raw, (size_t)len, NULL, &why) : KDX_OK;
    if (st == KDX_OK)
        kdx_utf16le_to_utf8_buf(raw, (size_t)len / 2, buf, cap);
    else {
        char a[24];
        kdx_err_set(err, st, "the characters of the _UNICODE_STRING at %s: %s", kdx_session_fmt_ptr(s, a, addr),
                    why.msg);
    }
    free(raw);
    return st;
}

kdx_status kdx_nt_symbol(kdx_session *s, const char *name, uint64_t *addr, kdx_err *err)
{
    kdx_nt_cached *e;
    kdx_status st = cached_lookup(s, '\x03', name, find_symbol, "is not known", &e, err);
    if (st == KDX_OK)
        *addr = e->field.offset;
    return st;
}
