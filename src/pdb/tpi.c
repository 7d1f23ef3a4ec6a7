/* TPI type records converted to kdx_type nodes on demand. The record offsets
 * are indexed on the first type query; records and enums get their fields
 * only when first asked (kdx_typesrc completion). Names are found through the
 * TPI hash stream (hashStringV1 of the name modulo the bucket count). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/cv.h"
#include "pdb/pdb.h"

#define PROP_FWDREF 0x80u
#define PROP_SCOPED 0x100u
#define PROP_UNIQUE 0x200u

struct kdx_pdb_types {
    kdx_typesrc src; /* first: the completion hook gets back to us from it */
    kdx_pdb *pdb;
    const uint8_t *data; /* records */
    uint32_t size;
    uint32_t begin, end; /* type index range */
    uint32_t *offsets;   /* per index: offset of the record's length field */
    kdx_type **nodes;
    kdx_type *simple[0x1000];
    uint32_t nbuckets;
    uint32_t *bucket_start; /* nbuckets + 1 */
    uint32_t *bucket_tis;
    KDX_VEC(void *) allocs;
};

static void *tp_alloc(kdx_pdb_types *tp, size_t n)
{
    void *p = kdx_xcalloc(1, n ? n : 1);
    KDX_VEC_PUSH(tp->allocs, p);
    return p;
}

void kdx_pdb_types_free(kdx_pdb_types *tp)
{
    if (!tp)
        return;
    for (size_t i = 0; i < tp->allocs.len; i++)
        free(tp->allocs.items[i]);
    KDX_VEC_FREE(tp->allocs);
    free(tp->offsets);
    free(tp->nodes);
    free(tp->bucket_start);
    free(tp->bucket_tis);
    free(tp);
}

/* Record of type index ti: kind, payload after the kind, payload length. */
static bool record(const kdx_pdb_types *tp, uint32_t ti, uint16_t *kind, const uint8_t **p,
                   uint32_t *len)
{
    if (ti < tp->begin || ti >= tp->end)
        return false;
    uint32_t off = tp->offsets[ti - tp->begin];
    uint32_t reclen = kdx_le16(tp->data + off);
    *kind = kdx_le16(tp->data + off + 2);
    *p = tp->data + off + 4;
    *len = reclen - 2;
    return true;
}

/* CodeView numeric leaf. */
static bool numeric(const uint8_t *p, uint32_t avail, uint64_t *v, uint32_t *used)
{
    if (avail < 2)
        return false;
    uint16_t leaf = kdx_le16(p);
    if (leaf < 0x8000) {
        *v = leaf;
        *used = 2;
        return true;
    }
    static const struct { uint16_t leaf; uint8_t size; bool sign; } kinds[] = {
        {0x8000, 1, true},  {0x8001, 2, true},  {0x8002, 2, false}, {0x8003, 4, true},
        {0x8004, 4, false}, {0x8009, 8, true},  {0x800a, 8, false}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(kinds); i++) {
        if (kinds[i].leaf != leaf)
            continue;
        if (avail < 2u + kinds[i].size)
            return false;
        uint64_t x = 0;
        for (int b = kinds[i].size - 1; b >= 0; b--)
            x = (x << 8) | p[2 + b];
        if (kinds[i].sign && kinds[i].size < 8 && (x >> (kinds[i].size * 8 - 1)) & 1)
            x |= ~0ull << (kinds[i].size * 8);
        *v = x;
        *used = 2u + kinds[i].size;
        return true;
    }
    return false;
}

static const char *str_at(const uint8_t *p, uint32_t len, uint32_t off)
{
    return kdx_pdb_cstr(p, len, off);
}

/* Name (and unique name) of a class/struct/union/interface/enum record. */
typedef struct udt_info {
    uint16_t props;
    uint32_t field, utype;
    uint64_t size;
    const char *name, *unique;
} udt_info;

static bool is_udt(uint16_t k)
{
    return k == LF_CLASS || k == LF_STRUCTURE || k == LF_INTERFACE || k == LF_UNION || k == LF_ENUM ||
           (k >= LF_CLASS2 && k <= LF_INTERFACE2);
}

static bool is_union(uint16_t k)
{
    return k == LF_UNION || k == LF_UNION2;
}

static bool udt(uint16_t kind, const uint8_t *p, uint32_t len, udt_info *u)
{
    memset(u, 0, sizeof *u);
    uint32_t off, used = 0;
    if (len < 4)
        return false;
    u->props = kdx_le16(p + 2);
    if (kind == LF_CLASS || kind == LF_STRUCTURE || kind == LF_INTERFACE) {
        if (len < 16)
            return false;
        u->field = kdx_le32(p + 4);
        if (!numeric(p + 16, len - 16, &u->size, &used))
            return false;
        off = 16 + used;
    } else if (kind == LF_UNION) {
        if (len < 8)
            return false;
        u->field = kdx_le32(p + 4);
        if (!numeric(p + 8, len - 8, &u->size, &used))
            return false;
        off = 8 + used;
    } else if (kind == LF_ENUM) {
        if (len < 12)
            return false;
        u->utype = kdx_le32(p + 4);
        u->field = kdx_le32(p + 8);
        off = 12;
    } else if (kind >= LF_CLASS2 && kind <= LF_INTERFACE2) {
        /* Newer MSVC: 32-bit properties first, then field list (and for
         * classes derivation list and vtable shape), member count, size. */
        uint32_t fixed = kind == LF_UNION2 ? 8 : 16, cused = 0;
        uint64_t count;
        if (len < fixed)
            return false;
        u->props = (uint16_t)kdx_le32(p);
        u->field = kdx_le32(p + 4);
        if (!numeric(p + fixed, len - fixed, &count, &cused) ||
            !numeric(p + fixed + cused, len - fixed - cused, &u->size, &used))
            return false;
        off = fixed + cused + used;
    } else {
        return false;
    }
    u->name = str_at(p, len, off);
    if (!u->name)
        return false;
    if (u->props & PROP_UNIQUE)
        u->unique = str_at(p, len, off + (uint32_t)strlen(u->name) + 1);
    return true;
}

static void build_hash(kdx_pdb_types *tp, const uint8_t *hdr)
{
    uint16_t hs = kdx_le16(hdr + 20);
    uint32_t keysize = kdx_le32(hdr + 24), nb = kdx_le32(hdr + 28);
    uint32_t hv_off = kdx_le32(hdr + 32), hv_len = kdx_le32(hdr + 36);
    const kdx_pdb_stream *s;
    uint32_t n = tp->end - tp->begin;
    if (keysize != 4 || nb == 0 || nb > (1u << 24) || kdx_msf_stream(tp->pdb, hs, &s, NULL) ||
        !kdx_range_ok(hv_off, hv_len, s->size) || hv_len < (uint64_t)n * 4)
        return; /* no usable hash: name lookups scan */
    const uint8_t *hv = s->data + hv_off;
    tp->nbuckets = nb;
    tp->bucket_start = kdx_xcalloc(nb + 1, sizeof(uint32_t));
    tp->bucket_tis = kdx_xcalloc(n ? n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = kdx_le32(hv + 4 * i);
        if (b < nb)
            tp->bucket_start[b + 1]++;
    }
    for (uint32_t b = 0; b < nb; b++)
        tp->bucket_start[b + 1] += tp->bucket_start[b];
    uint32_t *fillp = kdx_xcalloc(nb, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = kdx_le32(hv + 4 * i);
        if (b < nb)
            tp->bucket_tis[tp->bucket_start[b] + fillp[b]++] = tp->begin + i;
    }
    free(fillp);
}

static kdx_status complete_record(const kdx_typesrc *src, kdx_type *t);

/* Indexes the records of a TPI-format stream (TPI 2 or IPI 4). */
static kdx_status open_records(kdx_pdb *pdb, uint32_t stream, const char *what,
                               kdx_pdb_types **out, kdx_err *err)
{
    const kdx_pdb_stream *s;
    kdx_status st = kdx_msf_stream(pdb, stream, &s, err);
    if (st)
        return st;
    if (s->size < 56)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: %s stream is 0x%x bytes, shorter than its header",
                           pdb->path, what, s->size);
    const uint8_t *h = s->data;
    uint32_t hdr = kdx_le32(h + 4), begin = kdx_le32(h + 8), end = kdx_le32(h + 12),
             bytes = kdx_le32(h + 16);
    if (hdr < 56 || !kdx_range_ok(hdr, bytes, s->size) || begin < 0x1000 || end < begin ||
        end - begin > bytes / 4 + 1)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: %s stream header is inconsistent (offset 0)",
                           pdb->path, what);
    kdx_pdb_types *tp = kdx_xcalloc(1, sizeof *tp);
    tp->src.complete = complete_record;
    tp->pdb = pdb;
    tp->data = h + hdr;
    tp->size = bytes;
    tp->begin = begin;
    tp->end = begin;
    tp->offsets = kdx_xcalloc(end - begin + 1, sizeof(uint32_t));
    tp->nodes = kdx_xcalloc(end - begin + 1, sizeof(kdx_type *));
    uint32_t off = 0;
    for (uint32_t ti = begin; ti < end; ti++) {
        if (!kdx_range_ok(off, 4, bytes) || kdx_le16(tp->data + off) < 2 ||
            !kdx_range_ok(off, kdx_le16(tp->data + off) + 2u, bytes)) {
            kdx_err_set(err, KDX_E_FORMAT, "%s: %s record 0x%x at stream offset 0x%x is truncated",
                        pdb->path, what, ti, hdr + off);
            break; /* keep the records read so far */
        }
        tp->offsets[ti - begin] = off;
        tp->end = ti + 1;
        off += kdx_le16(tp->data + off) + 2u;
    }
    if (stream == 2)
        build_hash(tp, h);
    *out = tp;
    return KDX_OK;
}

kdx_status kdx_pdb_types_open(kdx_pdb *pdb, kdx_err *err)
{
    return pdb->types ? KDX_OK : open_records(pdb, 2, "TPI", &pdb->types, err);
}

uint32_t kdx_pdb_id_to_type(kdx_pdb *pdb, uint32_t id)
{
    if (!pdb->ids && !pdb->ids_tried) {
        pdb->ids_tried = true;
        if (kdx_msf_stream_exists(pdb, 4))
            open_records(pdb, 4, "IPI", &pdb->ids, NULL);
    }
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    /* LF_FUNC_ID {scope, type, name}, LF_MFUNC_ID {parent, type, name} */
    if (!pdb->ids || !record(pdb->ids, id, &kind, &p, &len) || len < 8 ||
        (kind != 0x1601 && kind != 0x1602))
        return 0;
    return kdx_le32(p + 4);
}

static kdx_pdb_types *types(kdx_pdb *pdb)
{
    if (!pdb->types && kdx_pdb_types_open(pdb, NULL))
        return NULL;
    return pdb->types;
}

/* ---- conversion ---- */

static kdx_type *simple(kdx_pdb_types *tp, uint32_t ti)
{
    if (tp->simple[ti])
        return tp->simple[ti];
    static const struct { uint8_t kind; kdx_base_kind base; uint8_t size; } bases[] = {
        {0x03, KDX_BASE_VOID, 0},    {0x08, KDX_BASE_HRESULT, 4}, {0x10, KDX_BASE_CHAR, 1},
        {0x20, KDX_BASE_UCHAR, 1},   {0x68, KDX_BASE_CHAR, 1},    {0x69, KDX_BASE_UCHAR, 1},
        {0x70, KDX_BASE_CHAR, 1},    {0x71, KDX_BASE_WCHAR, 2},   {0x7a, KDX_BASE_CHAR16, 2},
        {0x7b, KDX_BASE_CHAR32, 4},  {0x7c, KDX_BASE_UCHAR, 1},   {0x11, KDX_BASE_INT2, 2},
        {0x21, KDX_BASE_UINT2, 2},   {0x72, KDX_BASE_INT2, 2},    {0x73, KDX_BASE_UINT2, 2},
        {0x12, KDX_BASE_INT4, 4},    {0x22, KDX_BASE_UINT4, 4},   {0x74, KDX_BASE_INT4, 4},
        {0x75, KDX_BASE_UINT4, 4},   {0x13, KDX_BASE_INT8, 8},    {0x23, KDX_BASE_UINT8, 8},
        {0x76, KDX_BASE_INT8, 8},    {0x77, KDX_BASE_UINT8, 8},   {0x14, KDX_BASE_INT16, 16},
        {0x24, KDX_BASE_UINT16, 16}, {0x78, KDX_BASE_INT16, 16},  {0x79, KDX_BASE_UINT16, 16},
        {0x40, KDX_BASE_FLOAT, 4},   {0x41, KDX_BASE_DOUBLE, 8},  {0x42, KDX_BASE_FLOAT80, 10},
        {0x30, KDX_BASE_BOOL, 1},    {0x31, KDX_BASE_BOOL, 2},    {0x32, KDX_BASE_BOOL, 4},
        {0x33, KDX_BASE_BOOL, 8}};
    uint32_t kind = ti & 0xff, mode = (ti >> 8) & 0xf;
    kdx_type *t = NULL;
    if (mode) {
        static const uint8_t psize[8] = {0, 2, 4, 4, 4, 6, 8, 16};
        kdx_type *target = simple(tp, kind);
        if (!target || mode > 7)
            return NULL;
        t = tp_alloc(tp, sizeof *t);
        t->kind = KDX_TYPE_POINTER;
        t->size = psize[mode];
        t->target = target;
    } else {
        for (size_t i = 0; i < KDX_ARRAY_LEN(bases); i++) {
            if (bases[i].kind != kind)
                continue;
            t = tp_alloc(tp, sizeof *t);
            t->kind = KDX_TYPE_BASE;
            t->base = bases[i].base;
            t->size = bases[i].size;
            break;
        }
        if (!t && kind == 0) { /* T_NOTYPE */
            t = tp_alloc(tp, sizeof *t);
            t->kind = KDX_TYPE_BASE;
            t->base = KDX_BASE_VOID;
        }
    }
    tp->simple[ti] = t;
    return t;
}

static kdx_type *convert(kdx_pdb_types *tp, uint32_t ti, int depth);

/* The definition of a forward-referenced record, by unique name or name. */
static uint32_t find_definition(kdx_pdb_types *tp, uint16_t kind, const udt_info *fwd);

static kdx_type *new_node(kdx_pdb_types *tp, uint32_t ti, kdx_type_kind kind)
{
    kdx_type *t = tp_alloc(tp, sizeof *t);
    t->kind = kind;
    tp->nodes[ti - tp->begin] = t;
    return t;
}

static kdx_type *convert_udt(kdx_pdb_types *tp, uint32_t ti, uint16_t kind, const uint8_t *p,
                             uint32_t len, int depth)
{
    udt_info u;
    if (!udt(kind, p, len, &u))
        return NULL;
    if (u.props & PROP_FWDREF) {
        uint32_t def = find_definition(tp, kind, &u);
        if (def && def != ti) {
            kdx_type *d = convert(tp, def, depth + 1);
            if (d) {
                tp->nodes[ti - tp->begin] = d;
                return d;
            }
        }
    }
    kdx_type_kind k = is_union(kind) ? KDX_TYPE_UNION : kind == LF_ENUM ? KDX_TYPE_ENUM
                      : kind == LF_CLASS || kind == LF_CLASS2 ? KDX_TYPE_CLASS : KDX_TYPE_STRUCT;
    kdx_type *t = new_node(tp, ti, k);
    t->name = u.name;
    t->size = u.size;
    t->is_forward = (u.props & PROP_FWDREF) != 0;
    t->complete = t->is_forward;
    t->src = &tp->src;
    t->src_id = ti;
    if (kind == LF_ENUM) {
        t->target = convert(tp, u.utype, depth + 1);
        t->size = t->target ? t->target->size : 4;
    }
    return t;
}

static kdx_type *convert(kdx_pdb_types *tp, uint32_t ti, int depth)
{
    if (ti < 0x1000)
        return simple(tp, ti);
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    if (depth > 64 || !record(tp, ti, &kind, &p, &len))
        return NULL;
    if (tp->nodes[ti - tp->begin])
        return tp->nodes[ti - tp->begin];
    kdx_type *t;
    uint64_t v;
    uint32_t used;
    switch (kind) {
    case LF_MODIFIER:
        /* const/volatile do not change layout; dt shows the underlying type. */
        if (len < 6)
            return NULL;
        t = convert(tp, kdx_le32(p), depth + 1);
        tp->nodes[ti - tp->begin] = t;
        return t;
    case LF_POINTER: {
        if (len < 8)
            return NULL;
        uint32_t attr = kdx_le32(p + 4);
        t = new_node(tp, ti, KDX_TYPE_POINTER);
        t->size = (attr >> 13) & 0x3f;
        if (!t->size)
            t->size = (attr & 0x1f) == 0x0c ? 8 : 4;
        t->is_const = (attr >> 10) & 1;
        t->is_volatile = (attr >> 9) & 1;
        t->target = convert(tp, kdx_le32(p), depth + 1);
        return t;
    }
    case LF_ARRAY: {
        if (len < 8 || !numeric(p + 8, len - 8, &v, &used))
            return NULL;
        t = new_node(tp, ti, KDX_TYPE_ARRAY);
        t->size = v;
        t->target = convert(tp, kdx_le32(p), depth + 1);
        const kdx_type *e = kdx_type_strip(t->target);
        t->count = e && e->size ? v / e->size : 0;
        return t;
    }
    case LF_BITFIELD:
        if (len < 6)
            return NULL;
        t = new_node(tp, ti, KDX_TYPE_BITFIELD);
        t->target = convert(tp, kdx_le32(p), depth + 1);
        t->size = t->target ? t->target->size : 0;
        t->bit_len = p[4];
        t->bit_pos = p[5];
        return t;
    case LF_PROCEDURE:
    case LF_MFUNCTION:
        if (len < 4)
            return NULL;
        t = new_node(tp, ti, KDX_TYPE_FUNCTION);
        t->target = convert(tp, kdx_le32(p), depth + 1);
        t->src_id = ti;
        return t;
    default:
        if (is_udt(kind))
            return convert_udt(tp, ti, kind, p, len, depth);
        return NULL;
    }
}

const kdx_type *kdx_pdb_type_by_index(kdx_pdb *pdb, uint32_t ti)
{
    kdx_pdb_types *tp = types(pdb);
    return tp ? convert(tp, ti, 0) : NULL;
}

/* ---- completion ---- */

typedef KDX_VEC(kdx_field) field_vec;
typedef KDX_VEC(kdx_enumerator) enum_vec;

/* Walks a field list (following LF_INDEX continuations). */
static void walk_fields(kdx_pdb_types *tp, uint32_t fl, field_vec *fields, enum_vec *enums,
                        int depth)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    if (depth > 32 || !record(tp, fl, &kind, &p, &len) || kind != LF_FIELDLIST)
        return;
    uint32_t off = 0;
    while (off + 2 <= len) {
        if (p[off] >= 0xf0) { /* LF_PAD */
            off += p[off] & 0x0f ? p[off] & 0x0f : 1;
            continue;
        }
        uint16_t k = kdx_le16(p + off);
        const uint8_t *q = p + off + 2;
        uint32_t avail = len - off - 2, used = 0, n;
        uint64_t v;
        const char *name;
        switch (k) {
        case LF_MEMBER:
            if (avail < 6 || !numeric(q + 6, avail - 6, &v, &used) ||
                !(name = str_at(q, avail, 6 + used)))
                return;
            KDX_VEC_PUSH(*fields, ((kdx_field){name, v, convert(tp, kdx_le32(q + 2), 1)}));
            n = 6 + used + (uint32_t)strlen(name) + 1;
            break;
        case LF_ENUMERATE:
            if (avail < 2 || !numeric(q + 2, avail - 2, &v, &used) ||
                !(name = str_at(q, avail, 2 + used)))
                return;
            KDX_VEC_PUSH(*enums, ((kdx_enumerator){name, (int64_t)v}));
            n = 2 + used + (uint32_t)strlen(name) + 1;
            break;
        case LF_STMEMBER:
            if (avail < 6 || !(name = str_at(q, avail, 6)))
                return;
            n = 6 + (uint32_t)strlen(name) + 1;
            break;
        case LF_BCLASS:
            if (avail < 6 || !numeric(q + 6, avail - 6, &v, &used))
                return;
            n = 6 + used;
            break;
        case LF_VBCLASS:
        case LF_IVBCLASS: {
            uint32_t u2 = 0;
            if (avail < 10 || !numeric(q + 10, avail - 10, &v, &used) ||
                !numeric(q + 10 + used, avail - 10 - used, &v, &u2))
                return;
            n = 10 + used + u2;
            break;
        }
        case LF_METHOD:
            if (avail < 6 || !(name = str_at(q, avail, 6)))
                return;
            n = 6 + (uint32_t)strlen(name) + 1;
            break;
        case LF_ONEMETHOD: {
            if (avail < 6)
                return;
            uint32_t mprop = (kdx_le16(q) >> 2) & 7, base = mprop == 4 || mprop == 6 ? 10 : 6;
            if (!(name = str_at(q, avail, base)))
                return;
            n = base + (uint32_t)strlen(name) + 1;
            break;
        }
        case LF_NESTTYPE:
            if (avail < 6 || !(name = str_at(q, avail, 6)))
                return;
            n = 6 + (uint32_t)strlen(name) + 1;
            break;
        case LF_VFUNCTAB:
            n = 6;
            break;
        case LF_INDEX:
            if (avail < 6)
                return;
            walk_fields(tp, kdx_le32(q + 2), fields, enums, depth + 1);
            n = 6;
            break;
        default:
            return; /* unknown member kind: its length is unknown, stop here */
        }
        off += 2 + n;
    }
}

static kdx_status complete_record(const kdx_typesrc *src, kdx_type *t)
{
    kdx_pdb_types *tp = (kdx_pdb_types *)(void *)src;
    t->complete = true;
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    udt_info u;
    if (!record(tp, t->src_id, &kind, &p, &len) || !udt(kind, p, len, &u))
        return KDX_E_FORMAT;
    field_vec fields = {0};
    enum_vec enums = {0};
    walk_fields(tp, u.field, &fields, &enums, 0);
    if (fields.len) {
        t->fields = tp_alloc(tp, fields.len * sizeof(kdx_field));
        memcpy(t->fields, fields.items, fields.len * sizeof(kdx_field));
        t->nfields = (uint32_t)fields.len;
    }
    if (enums.len) {
        t->enumerators = tp_alloc(tp, enums.len * sizeof(kdx_enumerator));
        memcpy(t->enumerators, enums.items, enums.len * sizeof(kdx_enumerator));
        t->nenumerators = (uint32_t)enums.len;
    }
    KDX_VEC_FREE(fields);
    KDX_VEC_FREE(enums);
    return KDX_OK;
}

/* ---- names ---- */

/* A defined (not forward) record named key (its unique name when by_unique):
 * the candidates of key's hash bucket, or every record when there is no hash. */
static uint32_t search_name_case(kdx_pdb_types *tp, const char *key, bool by_unique, bool icase)
{
    uint32_t lo = tp->begin, hi = tp->end;
    const uint32_t *list = NULL;
    if (tp->nbuckets) {
        uint32_t b = kdx_pdb_hash_v1(key, strlen(key)) % tp->nbuckets;
        list = tp->bucket_tis + tp->bucket_start[b];
        lo = 0;
        hi = tp->bucket_start[b + 1] - tp->bucket_start[b];
    }
    for (uint32_t i = lo; i < hi; i++) {
        uint32_t ti = list ? list[i] : i;
        uint16_t kind;
        const uint8_t *p;
        uint32_t len;
        udt_info u;
        if (!record(tp, ti, &kind, &p, &len) || !is_udt(kind) || !udt(kind, p, len, &u) ||
            (u.props & PROP_FWDREF))
            continue;
        const char *n = by_unique ? u.unique : u.name;
        if (n && (icase ? kdx_strcasecmp(n, key) : strcmp(n, key)) == 0)
            return ti;
    }
    return 0;
}

/* Exact match first; then ignoring case, as WinDbg does (the hash folds case,
 * so the candidates are in the same bucket). */
static uint32_t search_name(kdx_pdb_types *tp, const char *key, bool by_unique)
{
    uint32_t ti = search_name_case(tp, key, by_unique, false);
    return ti ? ti : search_name_case(tp, key, by_unique, true);
}

static uint32_t find_definition(kdx_pdb_types *tp, uint16_t kind, const udt_info *fwd)
{
    (void)kind;
    uint32_t ti = fwd->unique ? search_name_case(tp, fwd->unique, true, false) : 0;
    return ti ? ti : search_name_case(tp, fwd->name, false, false);
}

/* A typedef from an S_UDT record of the global symbols. */
typedef struct udt_query {
    const char *name;
    uint32_t ti;
} udt_query;

static int on_udt(void *ud, const uint8_t *r, uint32_t len, uint16_t kind)
{
    udt_query *q = ud;
    const char *n = len >= 9 ? kdx_pdb_cstr(r, len, 8) : NULL;
    if (kind == S_UDT && n && strcmp(n, q->name) == 0) {
        q->ti = kdx_le32(r + 4);
        return 1;
    }
    return 0;
}

const kdx_type *kdx_pdb_type_by_name(kdx_pdb *pdb, const char *name)
{
    kdx_pdb_types *tp = types(pdb);
    if (!tp)
        return NULL;
    uint32_t ti = search_name(tp, name, false);
    if (ti)
        return convert(tp, ti, 0);
    if (kdx_pdb_load_gsi(pdb, NULL))
        return NULL;
    udt_query q = {name, 0};
    kdx_pdb_gsi_bucket(pdb, &pdb->globals, name, on_udt, &q);
    if (!q.ti)
        return NULL;
    const kdx_type *target = convert(tp, q.ti, 0);
    if (!target)
        return NULL;
    if (target->name && strcmp(target->name, name) == 0)
        return target;
    kdx_type *td = tp_alloc(tp, sizeof *td);
    td->kind = KDX_TYPE_TYPEDEF;
    td->name = kdx_pdb_keep_string(pdb, kdx_strdup(name));
    td->target = target;
    td->size = target->size;
    return td;
}

kdx_status kdx_pdb_each_type(kdx_pdb *pdb, const char *pattern, kdx_type_cb cb, void *ud)
{
    kdx_pdb_types *tp = types(pdb);
    if (!tp)
        return KDX_E_NOT_FOUND;
    for (uint32_t ti = tp->begin; ti < tp->end; ti++) {
        uint16_t kind;
        const uint8_t *p;
        uint32_t len;
        udt_info u;
        if (!record(tp, ti, &kind, &p, &len) || !is_udt(kind) || !udt(kind, p, len, &u) ||
            (u.props & PROP_FWDREF) || !kdx_wildcard_match(pattern, u.name))
            continue;
        const kdx_type *t = convert(tp, ti, 0);
        if (t && cb(ud, t))
            break;
    }
    return KDX_OK;
}

/* ---- DIA-style C signatures ---- */

/* Type names in C syntax, the way DIA spells them ("unsigned __int64",
 * "char * *", function types as nothing) or, with windbg set, the way
 * WinDbg's `x` lists parameters ("unsigned int64", "char **", no const). */
static void c_type_name(kdx_pdb_types *tp, uint32_t ti, kdx_strbuf *sb, int depth, bool windbg)
{
    if (depth > 16)
        return;
    if (ti < 0x1000) {
        static const struct { uint8_t k; const char *n; } names[] = {
            {0x03, "void"}, {0x08, "HRESULT"}, {0x10, "char"}, {0x20, "unsigned char"},
            {0x68, "char"}, {0x69, "unsigned char"}, {0x70, "char"}, {0x71, "wchar_t"},
            {0x7a, "char16_t"}, {0x7b, "char32_t"}, {0x11, "short"}, {0x21, "unsigned short"},
            {0x72, "short"}, {0x73, "unsigned short"}, {0x12, "long"}, {0x22, "unsigned long"},
            {0x74, "int"}, {0x75, "unsigned int"}, {0x13, "__int64"}, {0x23, "unsigned __int64"},
            {0x76, "__int64"}, {0x77, "unsigned __int64"}, {0x40, "float"}, {0x41, "double"},
            {0x42, "long double"}, {0x30, "bool"}};
        for (size_t i = 0; i < KDX_ARRAY_LEN(names); i++) {
            const char *n = names[i].n;
            if (windbg && strstr(n, "__int64"))
                n = n[0] == 'u' ? "unsigned int64" : "int64";
            if (names[i].k == (ti & 0xff))
                kdx_sb_puts(sb, n);
        }
        if ((ti >> 8) & 0xf)
            kdx_sb_puts(sb, " *");
        return;
    }
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    udt_info u;
    if (!record(tp, ti, &kind, &p, &len))
        return;
    switch (kind) {
    case LF_MODIFIER:
        if (len >= 6) {
            uint16_t mods = kdx_le16(p + 4);
            if ((mods & 1) && !windbg)
                kdx_sb_puts(sb, "const ");
            if ((mods & 2) && !windbg)
                kdx_sb_puts(sb, "volatile ");
            c_type_name(tp, kdx_le32(p), sb, depth + 1, windbg);
        }
        return;
    case LF_POINTER:
        if (len >= 8) {
            uint32_t mode = (kdx_le32(p + 4) >> 5) & 7;
            c_type_name(tp, kdx_le32(p), sb, depth + 1, windbg);
            const char *star = mode == 1 || mode == 4 ? "&" : "*";
            bool stack = windbg && sb->len && (sb->s[sb->len - 1] == '*' || sb->s[sb->len - 1] == '&');
            kdx_sb_printf(sb, "%s%s", stack ? "" : " ", star);
        }
        return;
    default:
        if (is_udt(kind) && udt(kind, p, len, &u)) {
            kdx_sb_puts(sb, is_union(kind) ? "union " : kind == LF_ENUM ? "enum "
                            : kind == LF_CLASS || kind == LF_CLASS2 ? "class " : "struct ");
            kdx_sb_puts(sb, u.name);
        }
        else if (windbg && (kind == LF_PROCEDURE || kind == LF_MFUNCTION))
            kdx_sb_puts(sb, "<function>");
        return; /* DIA prints procedures and the rest as nothing */
    }
}

/* The procedure type ti's return type index and argument list, or false. */
static bool proc_type(kdx_pdb_types *tp, uint32_t ti, uint32_t *ret, uint32_t *args)
{
    uint16_t kind;
    const uint8_t *p;
    uint32_t len;
    if (!tp || !record(tp, ti, &kind, &p, &len) ||
        !((kind == LF_PROCEDURE && len >= 12) || (kind == LF_MFUNCTION && len >= 20)))
        return false;
    *ret = kdx_le32(p);
    *args = kdx_le32(p + (kind == LF_PROCEDURE ? 8 : 16));
    return true;
}

/* "(a, b)" from an LF_ARGLIST; empty when it is not one. Member functions'
 * lists do not hold `this`. */
static void append_args(kdx_pdb_types *tp, uint32_t args, kdx_strbuf *sb, bool windbg)
{
    uint16_t ak;
    const uint8_t *ap;
    uint32_t alen;
    kdx_sb_putc(sb, '(');
    if (tp && record(tp, args, &ak, &ap, &alen) && ak == LF_ARGLIST && alen >= 4) {
        uint32_t n = kdx_le32(ap);
        for (uint32_t i = 0; i < n && 4 + 4 * (i + 1) <= alen; i++) {
            if (i)
                kdx_sb_puts(sb, ", ");
            uint32_t arg = kdx_le32(ap + 4 + 4 * i);
            if (arg == 0) /* T_NOTYPE ends a variadic list */
                kdx_sb_puts(sb, "...");
            else
                c_type_name(tp, arg, sb, 0, windbg);
        }
        if (n == 0 && windbg)
            kdx_sb_puts(sb, "void");
    }
    kdx_sb_putc(sb, ')');
}

char *kdx_pdb_proc_signature(kdx_pdb *pdb, uint32_t ti, const char *name, bool is_static)
{
    kdx_pdb_types *tp = types(pdb);
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    if (is_static)
        kdx_sb_puts(&sb, "static ");
    uint32_t ret = 0, args = 0;
    bool have = proc_type(tp, ti, &ret, &args);
    if (have)
        c_type_name(tp, ret, &sb, 0, false);
    kdx_sb_printf(&sb, " %s", name);
    append_args(have ? tp : NULL, args, &sb, false);
    return kdx_sb_take(&sb);
}

char *kdx_pdb_proc_params(kdx_pdb *pdb, uint32_t ti)
{
    kdx_pdb_types *tp = types(pdb);
    uint32_t ret, args;
    if (!proc_type(tp, ti, &ret, &args))
        return NULL;
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    append_args(tp, args, &sb, true);
    return kdx_sb_take(&sb);
}
