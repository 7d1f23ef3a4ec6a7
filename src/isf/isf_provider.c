/* Volatility 3 Intermediate Symbol Format (ISF) tables as a symbol source:
 * `.json` or `.json.xz`. The file is decoded to memory once (liblzma),
 * parsed once (jansson), converted into an address-sorted symbol index, a
 * name hash and kdx_type nodes, and the JSON tree is freed. ISF symbol
 * "address" values are RVAs relative to the module base.
 *
 * What an ISF cannot carry: declaration order of fields (they are stored
 * as a JSON object, so fields are ordered here by offset and bit position),
 * anonymous nested members (Volatility flattens them into the parent), and
 * symbol sizes and types. */
#include <ctype.h>
#include <jansson.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/file.h"
#include "base/util.h"
#include "isf/isf.h"
#include "sym/sources.h"
#include "sym/symindex.h"

#define ISF_MAX_DECODED (1ull << 30)  /* 1 GiB of JSON: far beyond any real table */
#define ISF_MAX_DEPTH 64              /* nesting of type descriptors */
#define ISF_MAX_TYPE_SIZE (1ull << 28) /* a record or array larger than this is corrupt */

/* ---- arena for nodes and strings, freed at once ---- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

typedef struct arena {
    arena_block *head;
} arena;

static void *arena_alloc(arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > (1u << 16) ? n : (1u << 16);
        arena_block *b = kdx_xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_strdup(arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

static void arena_free(arena *a)
{
    while (a->head) {
        arena_block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* ---- the provider ---- */

typedef struct isf_prov {
    char *path;
    arena mem;
    kdx_symindex syms;
    kdx_namemap types;      /* user types, enums, base types by ISF name -> kdx_type* */
    kdx_type **named;       /* user types and enums, sorted by name, for enumeration */
    size_t nnamed;
    const kdx_type *pointer_base; /* the "pointer" base type: pointer size */
    size_t nuser_types, nenums;
    kdx_symfile_id id;
} isf_prov;

/* ---- decoding ---- */

static bool is_xz(const uint8_t *b, size_t n)
{
    static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    return n >= 6 && memcmp(b, magic, 6) == 0;
}

static kdx_status xz_decode(const char *path, const uint8_t *in, size_t inlen, uint8_t **out,
                            size_t *outlen, kdx_err *err)
{
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
        return kdx_err_set(err, KDX_E_NOMEM, "%s: cannot start the xz decoder", path);
    size_t cap = inlen * 8 + 4096, len = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        lzma_end(&s);
        return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory decoding xz", path);
    }
    s.next_in = in;
    s.avail_in = inlen;
    lzma_ret r;
    for (;;) {
        if (len == cap) {
            if (cap >= ISF_MAX_DECODED) {
                free(buf);
                lzma_end(&s);
                return kdx_err_set(err, KDX_E_LIMIT, "%s: decompressed data exceeds %llu bytes",
                                   path, (unsigned long long)ISF_MAX_DECODED);
            }
            cap = cap * 2 > ISF_MAX_DECODED ? ISF_MAX_DECODED : cap * 2;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                lzma_end(&s);
                return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory decoding xz", path);
            }
            buf = nb;
        }
        s.next_out = buf + len;
        s.avail_out = cap - len;
        r = lzma_code(&s, LZMA_FINISH);
        len = cap - s.avail_out;
        if (r == LZMA_STREAM_END)
            break;
        if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
            uint64_t at = s.total_in;
            free(buf);
            lzma_end(&s);
            return kdx_err_set(err, KDX_E_FORMAT, "%s: xz data is corrupt near compressed offset 0x%llx (lzma error %d)",
                               path, (unsigned long long)at, (int)r);
        }
        if (r == LZMA_BUF_ERROR && s.avail_out != 0) {
            free(buf);
            lzma_end(&s);
            return kdx_err_set(err, KDX_E_TRUNCATED, "%s: xz stream ends early (after 0x%zx compressed bytes)",
                               path, inlen);
        }
    }
    lzma_end(&s);
    buf[len] = 0;
    *out = buf;
    *outlen = len;
    return KDX_OK;
}

/* ---- JSON helpers ---- */

static kdx_status bad(isf_prov *p, kdx_err *err, const char *fmt, const char *a, const char *b)
{
    char what[400];
    snprintf(what, sizeof what, fmt, a, b);
    return kdx_err_set(err, KDX_E_FORMAT, "%s: %s", p->path, what);
}

static bool get_u64(json_t *o, const char *key, uint64_t *v)
{
    json_t *j = json_object_get(o, key);
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return false;
    *v = (uint64_t)json_integer_value(j);
    return true;
}

/* ---- base types ---- */

static kdx_base_kind base_kind_of(const char *name, const char *kind, uint64_t size, bool is_signed)
{
    static const struct {
        const char *name;
        kdx_base_kind kind;
    } known[] = {
        {"void", KDX_BASE_VOID},          {"char", KDX_BASE_CHAR},
        {"unsigned char", KDX_BASE_UCHAR}, {"wchar", KDX_BASE_WCHAR},
        {"wchar_t", KDX_BASE_WCHAR},       {"bool", KDX_BASE_BOOL},
        {"_Bool", KDX_BASE_BOOL},          {"HRESULT", KDX_BASE_HRESULT},
        {"double", KDX_BASE_DOUBLE},       {"float", KDX_BASE_FLOAT},
        {"f32", KDX_BASE_FLOAT},           {"f64", KDX_BASE_DOUBLE},
        {"long double", KDX_BASE_FLOAT80}, {"char16_t", KDX_BASE_CHAR16},
        {"char32_t", KDX_BASE_CHAR32},
    };
    for (size_t i = 0; i < KDX_ARRAY_LEN(known); i++)
        if (strcmp(name, known[i].name) == 0)
            return known[i].kind;
    if (strcmp(kind, "void") == 0)
        return KDX_BASE_VOID;
    if (strcmp(kind, "bool") == 0)
        return KDX_BASE_BOOL;
    if (strcmp(kind, "float") == 0)
        return size == 4 ? KDX_BASE_FLOAT : size == 8 ? KDX_BASE_DOUBLE : KDX_BASE_FLOAT80;
    switch (size) {
    case 1: return is_signed ? KDX_BASE_CHAR : KDX_BASE_UCHAR;
    case 2: return is_signed ? KDX_BASE_INT2 : KDX_BASE_UINT2;
    case 4: return is_signed ? KDX_BASE_INT4 : KDX_BASE_UINT4;
    case 8: return is_signed ? KDX_BASE_INT8 : KDX_BASE_UINT8;
    case 16: return is_signed ? KDX_BASE_INT16 : KDX_BASE_UINT16;
    default: return KDX_BASE_VOID;
    }
}

static kdx_status load_base_types(isf_prov *p, json_t *base_types, kdx_err *err)
{
    const char *name;
    json_t *bt;
    json_object_foreach(base_types, name, bt) {
        uint64_t size;
        json_t *kind = json_object_get(bt, "kind");
        if (!json_is_object(bt) || !get_u64(bt, "size", &size) || !json_is_string(kind))
            return bad(p, err, "base_types.%s: needs \"kind\" and \"size\"%s", name, "");
        if (size > 64)
            return bad(p, err, "base_types.%s: size is implausible%s", name, "");
        kdx_type *t = arena_alloc(&p->mem, sizeof *t);
        t->kind = KDX_TYPE_BASE;
        t->name = arena_strdup(&p->mem, name);
        t->size = size;
        t->base = base_kind_of(name, json_string_value(kind), size,
                               json_is_true(json_object_get(bt, "signed")));
        t->complete = true;
        kdx_namemap_put(&p->types, t->name, t);
        if (strcmp(name, "pointer") == 0)
            p->pointer_base = t;
    }
    return KDX_OK;
}

/* ---- user types and enums ---- */

/* "__anonymous_1d46" records are the unnamed nested types of the PDB. */
static const char *display_name(isf_prov *p, const char *isf_name)
{
    if (kdx_starts_with(isf_name, "__anonymous_") || kdx_starts_with(isf_name, "<unnamed"))
        return "<unnamed-tag>";
    return arena_strdup(&p->mem, isf_name);
}

static kdx_type *new_record(isf_prov *p, const char *name, kdx_type_kind kind)
{
    kdx_type *t = arena_alloc(&p->mem, sizeof *t);
    t->kind = kind;
    t->name = display_name(p, name);
    t->complete = true;
    kdx_namemap_put(&p->types, arena_strdup(&p->mem, name), t);
    return t;
}

static kdx_status convert_type(isf_prov *p, json_t *d, int depth, const kdx_type **out,
                               const char *where, kdx_err *err);

/* A record or enum referenced by name; declared but undefined ones become forward nodes. */
static const kdx_type *named_type(isf_prov *p, const char *name, kdx_type_kind kind)
{
    kdx_type *t = kdx_namemap_get(&p->types, name);
    if (t)
        return t;
    t = new_record(p, name, kind);
    t->is_forward = true;
    return t;
}

static kdx_status convert_type(isf_prov *p, json_t *d, int depth, const kdx_type **out,
                               const char *where, kdx_err *err)
{
    if (depth > ISF_MAX_DEPTH)
        return bad(p, err, "%s: type descriptors nested too deeply%s", where, "");
    json_t *jk = json_object_get(d, "kind");
    if (!json_is_object(d) || !json_is_string(jk))
        return bad(p, err, "%s: type descriptor without \"kind\"%s", where, "");
    const char *kind = json_string_value(jk);
    const char *name = json_string_value(json_object_get(d, "name"));
    if (strcmp(kind, "base") == 0) {
        const kdx_type *t = name ? kdx_namemap_get(&p->types, name) : NULL;
        if (!t || t->kind != KDX_TYPE_BASE)
            return bad(p, err, "%s: unknown base type \"%s\"", where, name ? name : "(none)");
        *out = t;
        return KDX_OK;
    }
    if (strcmp(kind, "struct") == 0 || strcmp(kind, "union") == 0 || strcmp(kind, "class") == 0 ||
        strcmp(kind, "enum") == 0) {
        if (!name)
            return bad(p, err, "%s: %s reference without a name", where, kind);
        kdx_type_kind k = kind[0] == 'u' ? KDX_TYPE_UNION : kind[0] == 'c' ? KDX_TYPE_CLASS
                        : kind[0] == 'e' ? KDX_TYPE_ENUM : KDX_TYPE_STRUCT;
        *out = named_type(p, name, k);
        return KDX_OK;
    }
    kdx_type *t = arena_alloc(&p->mem, sizeof *t);
    t->complete = true;
    if (strcmp(kind, "pointer") == 0) {
        t->kind = KDX_TYPE_POINTER;
        t->size = p->pointer_base ? p->pointer_base->size : 8;
        json_t *sub = json_object_get(d, "subtype");
        if (sub) {
            kdx_status st = convert_type(p, sub, depth + 1, &t->target, where, err);
            if (st != KDX_OK)
                return st;
        }
    } else if (strcmp(kind, "array") == 0) {
        t->kind = KDX_TYPE_ARRAY;
        if (!get_u64(d, "count", &t->count) || t->count > 0xffffffffu)
            return bad(p, err, "%s: array without a valid \"count\"%s", where, "");
        kdx_status st = convert_type(p, json_object_get(d, "subtype"), depth + 1, &t->target, where, err);
        if (st != KDX_OK)
            return st;
        if (t->target->size && t->count > ISF_MAX_TYPE_SIZE / t->target->size)
            return bad(p, err, "%s: array of %s elements is implausibly large", where, "that many");
        t->size = t->count * t->target->size;
    } else if (strcmp(kind, "bitfield") == 0) {
        uint64_t pos, len;
        t->kind = KDX_TYPE_BITFIELD;
        if (!get_u64(d, "bit_position", &pos) || !get_u64(d, "bit_length", &len) || len == 0 ||
            pos + len > 64)
            return bad(p, err, "%s: bitfield with invalid bit_position/bit_length%s", where, "");
        t->bit_pos = (uint8_t)pos;
        t->bit_len = (uint8_t)len;
        kdx_status st = convert_type(p, json_object_get(d, "type"), depth + 1, &t->target, where, err);
        if (st != KDX_OK)
            return st;
        t->size = t->target->size;
    } else if (strcmp(kind, "function") == 0) {
        t->kind = KDX_TYPE_FUNCTION;
        t->target = kdx_namemap_get(&p->types, "void");
    } else {
        return bad(p, err, "%s: unknown type kind \"%s\"", where, kind);
    }
    *out = t;
    return KDX_OK;
}

typedef struct field_order {
    kdx_field f;
    uint32_t index; /* position in the JSON object: keeps the sort stable */
} field_order;

/* By offset; at one offset whole members (union alternatives) before bit fields, bit
 * fields by position: the order `dt` shows for a PDB. */
static int cmp_field(const void *a, const void *b)
{
    const field_order *x = a, *y = b;
    if (x->f.offset != y->f.offset)
        return x->f.offset < y->f.offset ? -1 : 1;
    int bx = x->f.type->kind == KDX_TYPE_BITFIELD ? x->f.type->bit_pos : -1;
    int by = y->f.type->kind == KDX_TYPE_BITFIELD ? y->f.type->bit_pos : -1;
    if (bx != by)
        return bx < by ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static kdx_status load_fields(isf_prov *p, kdx_type *t, const char *tname, json_t *fields, kdx_err *err)
{
    size_t n = json_object_size(fields);
    t->fields = arena_alloc(&p->mem, (n ? n : 1) * sizeof *t->fields);
    const char *fname;
    json_t *f;
    uint32_t i = 0;
    json_object_foreach(fields, fname, f) {
        char where[300];
        snprintf(where, sizeof where, "user_types.%.120s.fields.%.120s", tname, fname);
        uint64_t off;
        if (!json_is_object(f) || !get_u64(f, "offset", &off))
            return bad(p, err, "%s: field without an \"offset\"%s", where, "");
        kdx_field *fd = &t->fields[i];
        fd->name = arena_strdup(&p->mem, fname);
        fd->offset = off;
        kdx_status st = convert_type(p, json_object_get(f, "type"), 0, &fd->type, where, err);
        if (st != KDX_OK)
            return st;
        i++;
    }
    t->nfields = i;
    field_order *ord = kdx_xcalloc(i ? i : 1, sizeof *ord);
    for (uint32_t k = 0; k < i; k++)
        ord[k] = (field_order){t->fields[k], k};
    qsort(ord, i, sizeof *ord, cmp_field);
    for (uint32_t k = 0; k < i; k++)
        t->fields[k] = ord[k].f;
    free(ord);
    return KDX_OK;
}

static int cmp_enumerator(const void *a, const void *b)
{
    const kdx_enumerator *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

static kdx_status load_enum(isf_prov *p, const char *name, json_t *e, kdx_err *err)
{
    json_t *consts = json_object_get(e, "constants");
    const char *base = json_string_value(json_object_get(e, "base"));
    uint64_t size;
    if (!json_is_object(e) || !json_is_object(consts) || !get_u64(e, "size", &size) || size > 16)
        return bad(p, err, "enums.%s: needs \"size\" (at most 16) and \"constants\"%s", name, "");
    kdx_type *t = (kdx_type *)named_type(p, name, KDX_TYPE_ENUM);
    if (t->kind != KDX_TYPE_ENUM)
        return bad(p, err, "enums.%s: name already used by a %s", name, "record");
    t->is_forward = false;
    t->size = size;
    t->target = base ? kdx_namemap_get(&p->types, base) : NULL;
    size_t n = json_object_size(consts);
    t->enumerators = arena_alloc(&p->mem, (n ? n : 1) * sizeof *t->enumerators);
    const char *cname;
    json_t *cv;
    uint32_t i = 0;
    json_object_foreach(consts, cname, cv) {
        if (!json_is_integer(cv))
            return bad(p, err, "enums.%s.constants.%s: not an integer", name, cname);
        t->enumerators[i].name = arena_strdup(&p->mem, cname);
        t->enumerators[i].value = (int64_t)json_integer_value(cv);
        i++;
    }
    t->nenumerators = i;
    qsort(t->enumerators, i, sizeof *t->enumerators, cmp_enumerator);
    return KDX_OK;
}

static kdx_status load_user_types(isf_prov *p, json_t *user_types, json_t *enums, kdx_err *err)
{
    const char *name;
    json_t *u;
    /* Pass 1: a node per record, so references resolve whatever their order. */
    json_object_foreach(user_types, name, u) {
        json_t *jk = json_object_get(u, "kind");
        const char *kind = json_string_value(jk);
        uint64_t size;
        if (!json_is_object(u) || !kind || !get_u64(u, "size", &size))
            return bad(p, err, "user_types.%s: needs \"kind\" and \"size\"%s", name, "");
        if (size > ISF_MAX_TYPE_SIZE)
            return bad(p, err, "user_types.%s: size is implausibly large%s", name, "");
        kdx_type_kind k = strcmp(kind, "union") == 0 ? KDX_TYPE_UNION
                        : strcmp(kind, "class") == 0 ? KDX_TYPE_CLASS : KDX_TYPE_STRUCT;
        if (kdx_namemap_get(&p->types, name))
            return bad(p, err, "user_types.%s: defined twice%s", name, "");
        kdx_type *t = new_record(p, name, k);
        t->size = size;
        p->nuser_types++;
    }
    json_object_foreach(enums, name, u) {
        kdx_status st = load_enum(p, name, u, err);
        if (st != KDX_OK)
            return st;
        p->nenums++;
    }
    /* Pass 2: fields. */
    json_object_foreach(user_types, name, u) {
        kdx_type *t = kdx_namemap_get(&p->types, name);
        json_t *fields = json_object_get(u, "fields");
        if (!fields)
            continue;
        if (!json_is_object(fields))
            return bad(p, err, "user_types.%s: \"fields\" is not an object%s", name, "");
        kdx_status st = load_fields(p, t, name, fields, err);
        if (st != KDX_OK)
            return st;
    }
    return KDX_OK;
}

static int cmp_type_name(const void *a, const void *b)
{
    const kdx_type *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Records and enums by name for enumerate_types (anonymous ones left out). */
static void index_named_types(isf_prov *p)
{
    p->named = kdx_xcalloc(p->types.len ? p->types.len : 1, sizeof *p->named);
    for (size_t i = 0; i < p->types.cap; i++) {
        void *v;
        if (!kdx_namemap_slot(&p->types, i, &v))
            continue;
        kdx_type *t = v;
        if (t->kind == KDX_TYPE_BASE || t->name[0] == '<')
            continue;
        p->named[p->nnamed++] = t;
    }
    qsort(p->named, p->nnamed, sizeof *p->named, cmp_type_name);
}

/* ---- symbols ---- */

static kdx_status load_symbols(isf_prov *p, json_t *symbols, kdx_err *err)
{
    const char *name;
    json_t *s;
    json_object_foreach(symbols, name, s) {
        uint64_t addr;
        if (!json_is_object(s))
            return bad(p, err, "symbols.%s: not an object%s", name, "");
        if (!get_u64(s, "address", &addr))
            continue; /* a symbol without an address (type-only): nothing to place */
        if (addr > UINT32_MAX)
            return bad(p, err, "symbols.%s: address is not an RVA (above 4 GB)%s", name, "");
        /* Tables that carry a symbol's type (not the ones converted from Windows PDBs,
         * which have addresses only) make it a typed data symbol or a function. */
        const kdx_type *type = NULL;
        json_t *jt = json_object_get(s, "type");
        if (jt) {
            char where[200];
            snprintf(where, sizeof where, "symbols.%.150s", name);
            kdx_status st = convert_type(p, jt, 0, &type, where, err);
            if (st != KDX_OK)
                return st;
        }
        kdx_symkind kind = !type ? KDX_SYM_PUBLIC
                         : type->kind == KDX_TYPE_FUNCTION ? KDX_SYM_FUNCTION : KDX_SYM_DATA;
        kdx_symindex_add(&p->syms, arena_strdup(&p->mem, name), (uint32_t)addr, 0, kind);
        if (kind == KDX_SYM_DATA)
            p->syms.syms[p->syms.n - 1].type = type;
    }
    kdx_symindex_finish(&p->syms);
    return KDX_OK;
}

/* ---- identity ---- */

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* "5278AFF86C341677D7D7835C85B7B844" -> GUID structure bytes (Data1..3 little-endian). */
bool kdx_isf_parse_guid(const char *s, uint8_t guid[16])
{
    uint8_t raw[16];
    size_t n = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '-' || *c == '{' || *c == '}')
            continue;
        int hi = hexval(c[0]), lo = c[1] ? hexval(c[1]) : -1;
        if (hi < 0 || lo < 0 || n == 16)
            return false;
        raw[n++] = (uint8_t)(hi << 4 | lo);
        c++;
    }
    if (n != 16)
        return false;
    /* Data1 (4), Data2 (2), Data3 (2) are printed big-endian, stored little-endian. */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        guid[i] = raw[order[i]];
    return true;
}

static void load_identity(isf_prov *p, json_t *meta)
{
    json_t *pdb = json_object_get(json_object_get(meta, "windows"), "pdb");
    const char *g = json_string_value(json_object_get(pdb, "GUID"));
    uint64_t age = 0, machine = 0;
    if (g && kdx_isf_parse_guid(g, p->id.guid) && get_u64(pdb, "age", &age)) {
        p->id.has_guid = true;
        p->id.age = (uint32_t)age;
    }
    if (get_u64(pdb, "machine_type", &machine))
        p->id.arch = machine == 0x8664 ? KDX_ARCH_X64 : machine == 0x14c ? KDX_ARCH_X86
                   : machine == 0xaa64 ? KDX_ARCH_ARM64 : KDX_ARCH_UNKNOWN;
    else if (p->pointer_base)
        p->id.arch = p->pointer_base->size == 4 ? KDX_ARCH_X86 : KDX_ARCH_UNKNOWN;
    p->id.has_types = p->nnamed > 0;
}

/* ---- provider ops ---- */

static void isf_destroy(void *impl)
{
    isf_prov *p = impl;
    if (!p)
        return;
    kdx_symindex_free(&p->syms);
    kdx_namemap_free(&p->types);
    free(p->named);
    free(p->path);
    arena_free(&p->mem);
    free(p);
}

static kdx_status isf_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    return kdx_symindex_by_rva(&((isf_prov *)impl)->syms, rva, out);
}

static kdx_status isf_by_name(void *impl, const char *name, kdx_symbol *out)
{
    return kdx_symindex_by_name(&((isf_prov *)impl)->syms, name, out);
}

static kdx_status isf_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    return kdx_symindex_enumerate(&((isf_prov *)impl)->syms, pattern, cb, ud);
}

static const kdx_type *isf_find_type(void *impl, const char *name)
{
    isf_prov *p = impl;
    const kdx_type *t = kdx_namemap_get(&p->types, name);
    if (t)
        return t;
    for (size_t i = 0; i < p->nnamed; i++)
        if (kdx_strcasecmp(p->named[i]->name, name) == 0)
            return p->named[i];
    return NULL;
}

static kdx_status isf_enumerate_types(void *impl, const char *pattern, kdx_type_cb cb, void *ud)
{
    isf_prov *p = impl;
    for (size_t i = 0; i < p->nnamed; i++) {
        if (pattern && !kdx_wildcard_match(pattern, p->named[i]->name))
            continue;
        if (cb(ud, p->named[i]))
            break;
    }
    return KDX_OK;
}

static const kdx_symprov_ops isf_ops = {
    .kind = "isf",
    .destroy = isf_destroy,
    .by_rva = isf_by_rva,
    .by_name = isf_by_name,
    .enumerate = isf_enumerate,
    .find_type = isf_find_type,
    .enumerate_types = isf_enumerate_types,
};

/* ---- open ---- */

static kdx_status load_json(isf_prov *p, json_t *root, kdx_err *err)
{
    if (!json_is_object(root))
        return kdx_err_set(err, KDX_E_FORMAT, "%s: the top level is not a JSON object (not an ISF file)", p->path);
    static const char *const parts[] = {"metadata", "base_types", "user_types", "enums", "symbols"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(parts); i++)
        if (!json_is_object(json_object_get(root, parts[i])))
            return kdx_err_set(err, KDX_E_FORMAT, "%s: no \"%s\" object (not an ISF symbol table)",
                               p->path, parts[i]);
    kdx_status st = load_base_types(p, json_object_get(root, "base_types"), err);
    if (st == KDX_OK)
        st = load_user_types(p, json_object_get(root, "user_types"), json_object_get(root, "enums"), err);
    if (st == KDX_OK)
        st = load_symbols(p, json_object_get(root, "symbols"), err);
    if (st != KDX_OK)
        return st;
    index_named_types(p);
    load_identity(p, json_object_get(root, "metadata"));
    return KDX_OK;
}

kdx_status kdx_isf_provider_open_buffer(const char *name, const uint8_t *data, size_t len,
                                        kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    uint8_t *decoded = NULL;
    if (is_xz(data, len)) {
        size_t dlen = 0;
        kdx_status st = xz_decode(name, data, len, &decoded, &dlen, err);
        if (st != KDX_OK)
            return st;
        data = decoded;
        len = dlen;
    }
    if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) {
        data += 3; /* UTF-8 byte-order mark, as some Windows tools write it */
        len -= 3;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, 0, &jerr);
    free(decoded);
    if (!root)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: JSON error at line %d, column %d (offset %d): %s",
                           name, jerr.line, jerr.column, jerr.position, jerr.text);
    isf_prov *p = kdx_xcalloc(1, sizeof *p);
    p->path = kdx_strdup(name);
    kdx_status st = load_json(p, root, err);
    json_decref(root);
    if (st != KDX_OK) {
        isf_destroy(p);
        return st;
    }
    if (id)
        *id = p->id;
    out->ops = &isf_ops;
    out->impl = p;
    return KDX_OK;
}

kdx_status kdx_isf_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    uint8_t *buf;
    size_t len;
    kdx_status st = kdx_read_all(path, &buf, &len, err);
    if (st != KDX_OK)
        return st;
    st = kdx_isf_provider_open_buffer(path, buf, len, out, id, err);
    free(buf);
    return st;
}

bool kdx_isf_get_counts(const kdx_symprov *prov, kdx_isf_counts *out)
{
    memset(out, 0, sizeof *out);
    if (prov->ops != &isf_ops)
        return false;
    const isf_prov *p = prov->impl;
    out->symbols = p->syms.n;
    out->user_types = p->nuser_types;
    out->enums = p->nenums;
    return true;
}
