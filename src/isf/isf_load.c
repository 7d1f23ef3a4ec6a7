/* Reading an ISF table straight into kdx structures: the JSON is streamed
 * (isf/jstream.c) section by section, in whatever order the file has them.
 * A type may be referenced before its definition, so named types are
 * created at first mention and filled in when defined; sizes that depend on
 * other types (pointers, arrays, bit fields) are settled once the whole
 * table has been read.
 *
 * What an ISF cannot carry: declaration order of fields (they are stored
 * as a JSON object, so fields are ordered here by offset and bit position),
 * anonymous nested members (Volatility flattens them into the parent), and
 * symbol sizes and types. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "isf/isf_internal.h"
#include "isf/jstream.h"

#define ISF_MAX_TYPE_SIZE (1ull << 28) /* a record or array larger than this is corrupt */

/* Bounds in proportion to the largest real table: ntkrnlmp.pdb's (Windows 10
 * x64, 39,832 symbols and 1,646 types) decodes to 6.2 MB holding 180,223
 * values nested 12 deep, its longest string 395 bytes. A file that needs
 * more is not an ISF, whatever it says. */
static const kdx_jlimits isf_limits = {
    .max_text = ISF_MAX_TEXT,
    .max_values = 4u << 20,
    .max_depth = 64,
    .max_string = 64u << 10,
    .max_blanks = 64u << 10,
};

typedef struct field_order {
    kdx_field f;
    uint32_t index; /* position in the JSON object: keeps the sort stable */
} field_order;

typedef struct enum_base {
    kdx_type *t;
    const char *base;
} enum_base;

enum { SEC_METADATA, SEC_BASE_TYPES, SEC_USER_TYPES, SEC_ENUMS, SEC_SYMBOLS, SEC_COUNT };
static const char *const section_names[SEC_COUNT] = {"metadata", "base_types", "user_types",
                                                     "enums", "symbols"};

typedef struct loader {
    isf_prov *p;
    kdx_jstream *j;
    KDX_VEC(kdx_type *) derived;  /* pointers, arrays, bit fields, functions, in creation order */
    KDX_VEC(enum_base) enum_bases;
    KDX_VEC(field_order) fields;  /* one record's fields while they are read */
    KDX_VEC(kdx_enumerator) consts;
    bool seen[SEC_COUNT];
    /* Where the reader is, for messages: "user_types._KTHREAD.fields.ApcState". */
    const char *ctx_section, *ctx_name, *ctx_field;
    char where[300];
    bool has_machine;             /* the metadata named the machine */
} loader;

static bool failed(const loader *L)
{
    return kdx_jstream_status(L->j) != KDX_OK;
}

/* Formatted only when a message needs it: most tables have none. */
static const char *where(loader *L)
{
    if (L->ctx_field)
        snprintf(L->where, sizeof L->where, "%s.%.120s.fields.%.120s", L->ctx_section, L->ctx_name,
                 L->ctx_field);
    else
        snprintf(L->where, sizeof L->where, "%s.%.150s", L->ctx_section ? L->ctx_section : "",
                 L->ctx_name ? L->ctx_name : "");
    return L->where;
}

static bool bad(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(loader *L, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return kdx_jfail(L->j, KDX_E_FORMAT, "%s", what);
}

/* ---- lenient scalars: a value of another kind counts as absent ---- */

static bool number_next(loader *L)
{
    int c = kdx_jpeek(L->j);
    return c >= '0' && c <= '9';
}

static bool opt_uint(loader *L, uint64_t *v, bool *has)
{
    *has = number_next(L);
    return *has ? kdx_juint(L->j, v) : kdx_jskip(L->j);
}

/* A short string (kinds, "struct", "pointer") into buf; longer ones are cut. */
static bool opt_word(loader *L, char *buf, size_t cap, bool *has)
{
    *has = kdx_jpeek(L->j) == '"';
    if (!*has)
        return kdx_jskip(L->j);
    const char *s;
    if (!kdx_jstring(L->j, &s, NULL))
        return false;
    snprintf(buf, cap, "%s", s);
    return true;
}

/* A string copied to the table's arena; NULL when the value is not a string. */
static bool opt_name(loader *L, const char **out)
{
    *out = NULL;
    if (kdx_jpeek(L->j) != '"')
        return kdx_jskip(L->j);
    const char *s;
    if (!kdx_jstring(L->j, &s, NULL))
        return false;
    *out = kdx_arena_strdup(&L->p->mem, s);
    return true;
}

/* ---- names ---- */

static isf_name *lookup(loader *L, const char *name)
{
    return kdx_namemap_get(&L->p->types, name);
}

/* "__anonymous_1d46" records are the unnamed nested types of the PDB. */
static const char *display_name(const char *table_name)
{
    if (kdx_starts_with(table_name, "__anonymous_") || kdx_starts_with(table_name, "<unnamed"))
        return "<unnamed-tag>";
    return table_name;
}

/* name must live in the arena. */
static isf_name *add_name(loader *L, const char *name, kdx_type_kind kind)
{
    isf_name *n = kdx_arena_alloc(&L->p->mem, sizeof *n);
    kdx_type *t = kdx_arena_alloc(&L->p->mem, sizeof *t);
    t->kind = kind;
    t->name = kind == KDX_TYPE_BASE ? name : display_name(name);
    t->complete = true;
    n->t = t;
    kdx_namemap_put(&L->p->types, name, n);
    return n;
}

static isf_name *name_for(loader *L, const char *name, kdx_type_kind kind)
{
    isf_name *n = lookup(L, name);
    return n ? n : add_name(L, kdx_arena_strdup(&L->p->mem, name), kind);
}

/* ---- type descriptors ---- */

typedef struct desc {
    char kind[16];
    const char *name;
    bool has_kind, has_count, has_pos, has_len;
    uint64_t count, pos, len;
    const kdx_type *sub, *type;
} desc;

static bool parse_desc(loader *L, const kdx_type **out);

static bool desc_member(loader *L, desc *d, const char *key)
{
    if (strcmp(key, "kind") == 0)
        return opt_word(L, d->kind, sizeof d->kind, &d->has_kind);
    if (strcmp(key, "name") == 0)
        return opt_name(L, &d->name);
    if (strcmp(key, "count") == 0)
        return opt_uint(L, &d->count, &d->has_count);
    if (strcmp(key, "bit_position") == 0)
        return opt_uint(L, &d->pos, &d->has_pos);
    if (strcmp(key, "bit_length") == 0)
        return opt_uint(L, &d->len, &d->has_len);
    if (strcmp(key, "subtype") == 0)
        return parse_desc(L, &d->sub);
    if (strcmp(key, "type") == 0)
        return parse_desc(L, &d->type);
    return kdx_jskip(L->j);
}

static bool ref_base(loader *L, const char *name, const kdx_type **out)
{
    isf_name *n = name ? lookup(L, name) : NULL;
    if (!name || (n && n->t->kind != KDX_TYPE_BASE))
        return bad(L, "%s: unknown base type \"%s\"", where(L), name ? name : "(none)");
    if (!n) {
        n = add_name(L, name, KDX_TYPE_BASE);
        n->first_use = kdx_arena_strdup(&L->p->mem, where(L));
    }
    *out = n->t;
    return true;
}

static kdx_type *new_derived(loader *L, kdx_type_kind kind, const kdx_type *target)
{
    kdx_type *t = kdx_arena_alloc(&L->p->mem, sizeof *t);
    t->kind = kind;
    t->target = target;
    t->complete = true;
    KDX_VEC_PUSH(L->derived, t);
    return t;
}

static bool build_desc(loader *L, const desc *d, const kdx_type **out)
{
    const char *k = d->kind;
    if (!d->has_kind)
        return bad(L, "%s: type descriptor without \"kind\"", where(L));
    if (strcmp(k, "base") == 0)
        return ref_base(L, d->name, out);
    if (strcmp(k, "struct") == 0 || strcmp(k, "union") == 0 || strcmp(k, "class") == 0 ||
        strcmp(k, "enum") == 0) {
        if (!d->name)
            return bad(L, "%s: %s reference without a name", where(L), k);
        *out = name_for(L, d->name, k[0] == 'u' ? KDX_TYPE_UNION : k[0] == 'c' ? KDX_TYPE_CLASS
                                    : k[0] == 'e' ? KDX_TYPE_ENUM : KDX_TYPE_STRUCT)->t;
        return true;
    }
    if (strcmp(k, "pointer") == 0) {
        *out = new_derived(L, KDX_TYPE_POINTER, d->sub);
    } else if (strcmp(k, "array") == 0) {
        if (!d->has_count || d->count > 0xffffffffu)
            return bad(L, "%s: array without a valid \"count\"", where(L));
        if (!d->sub)
            return bad(L, "%s: array without a \"subtype\"", where(L));
        kdx_type *t = new_derived(L, KDX_TYPE_ARRAY, d->sub);
        t->count = d->count;
        *out = t;
    } else if (strcmp(k, "bitfield") == 0) {
        if (!d->has_pos || !d->has_len || d->len == 0 || d->pos + d->len > 64)
            return bad(L, "%s: bitfield with invalid bit_position/bit_length", where(L));
        if (!d->type)
            return bad(L, "%s: bitfield without a \"type\"", where(L));
        kdx_type *t = new_derived(L, KDX_TYPE_BITFIELD, d->type);
        t->bit_pos = (uint8_t)d->pos;
        t->bit_len = (uint8_t)d->len;
        *out = t;
    } else if (strcmp(k, "function") == 0) {
        *out = new_derived(L, KDX_TYPE_FUNCTION, NULL);
    } else {
        return bad(L, "%s: unknown type kind \"%s\"", where(L), k);
    }
    return true;
}

static bool parse_desc(loader *L, const kdx_type **out)
{
    if (kdx_jpeek(L->j) != '{')
        return failed(L) ? false
             : bad(L, "%s: type descriptor is not an object", where(L));
    desc d = {0};
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL))
        if (!desc_member(L, &d, key))
            return false;
    return !failed(L) && build_desc(L, &d, out);
}

/* The rest of an object holding a number under `numkey` and a type descriptor
 * under "type" (fields and symbols); other members skipped. */
static bool number_and_type(loader *L, kdx_jiter *it, const char *numkey, uint64_t *v, bool *has,
                            const kdx_type **type)
{
    const char *key;
    while (kdx_jobject_next(L->j, it, &key, NULL)) {
        bool ok = strcmp(key, numkey) == 0 ? opt_uint(L, v, has)
                : strcmp(key, "type") == 0 ? parse_desc(L, type)
                                           : kdx_jskip(L->j);
        if (!ok)
            return false;
    }
    return !failed(L);
}

/* ---- sections ---- */

/* The value of entry NAME of a section must be an object. */
static bool entry_begin(loader *L, kdx_jiter *it, const char *section, const char *name)
{
    if (kdx_jpeek(L->j) != '{')
        return failed(L) ? false : bad(L, "%s.%s: not an object", section, name);
    return kdx_jobject_begin(L->j, it);
}

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


/* "kind" and "size", which base types and records both have. */
typedef struct kind_size {
    char kind[16];
    uint64_t size;
    bool has_kind, has_size;
} kind_size;

/* Reads "kind" or "size" into ks; skips any other member. */
static bool kind_size_member(loader *L, const char *key, kind_size *ks)
{
    if (strcmp(key, "kind") == 0)
        return opt_word(L, ks->kind, sizeof ks->kind, &ks->has_kind);
    if (strcmp(key, "size") == 0)
        return opt_uint(L, &ks->size, &ks->has_size);
    return kdx_jskip(L->j);
}

static bool kind_size_done(loader *L, const kind_size *ks, const char *section, const char *name)
{
    if (failed(L))
        return false;
    if (!ks->has_kind || !ks->has_size)
        return bad(L, "%s.%s: needs \"kind\" and \"size\"", section, name);
    return true;
}

static bool base_type(loader *L, const char *name)
{
    kind_size ks = {0};
    bool is_signed = false;
    kdx_jiter it;
    const char *key;
    if (!entry_begin(L, &it, "base_types", name))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL)) {
        bool signed_key = strcmp(key, "signed") == 0 && (kdx_jpeek(L->j) == 't' || kdx_jpeek(L->j) == 'f');
        if (!(signed_key ? kdx_jbool(L->j, &is_signed) : kind_size_member(L, key, &ks)))
            return false;
    }
    if (!kind_size_done(L, &ks, "base_types", name))
        return false;
    uint64_t size = ks.size;
    const char *kind = ks.kind;
    if (size > 64)
        return bad(L, "base_types.%s: size is implausible", name);
    isf_name *n = lookup(L, name);
    if (n && (n->defined || n->t->kind != KDX_TYPE_BASE))
        return bad(L, "base_types.%s: defined twice", name);
    if (!n)
        n = add_name(L, name, KDX_TYPE_BASE);
    n->defined = true;
    n->t->size = size;
    n->t->base = base_kind_of(name, kind, size, is_signed);
    return true;
}

static int cmp_field(const void *a, const void *b)
{
    /* By offset; at one offset whole members (union alternatives) before bit fields, bit
     * fields by position: the order `dt` shows for a PDB. */
    const field_order *x = a, *y = b;
    if (x->f.offset != y->f.offset)
        return x->f.offset < y->f.offset ? -1 : 1;
    int bx = x->f.type->kind == KDX_TYPE_BITFIELD ? x->f.type->bit_pos : -1;
    int by = y->f.type->kind == KDX_TYPE_BITFIELD ? y->f.type->bit_pos : -1;
    if (bx != by)
        return bx < by ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static bool field(loader *L, const char *tname, const char *fname)
{
    L->ctx_section = "user_types";
    L->ctx_name = tname;
    L->ctx_field = fname;
    uint64_t off = 0;
    bool has_off = false;
    const kdx_type *type = NULL;
    kdx_jiter it;
    if (kdx_jpeek(L->j) != '{')
        return failed(L) ? false : bad(L, "%s: field without an \"offset\"", where(L));
    if (!kdx_jobject_begin(L->j, &it) || !number_and_type(L, &it, "offset", &off, &has_off, &type))
        return false;
    if (!has_off)
        return bad(L, "%s: field without an \"offset\"", where(L));
    if (!type)
        return bad(L, "%s: field without a \"type\"", where(L));
    field_order fo = {{fname, off, type}, (uint32_t)L->fields.len};
    KDX_VEC_PUSH(L->fields, fo);
    return true;
}

static bool fields(loader *L, kdx_type *t, const char *tname)
{
    if (kdx_jpeek(L->j) != '{')
        return failed(L) ? false
             : bad(L, "user_types.%s: \"fields\" is not an object", tname);
    L->fields.len = 0;
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL))
        if (!field(L, tname, kdx_arena_strdup(&L->p->mem, key)))
            return false;
    if (failed(L))
        return false;
    size_t n = L->fields.len;
    if (n)
        kdx_sort(L->fields.items, n, sizeof *L->fields.items, cmp_field);
    t->fields = kdx_arena_alloc(&L->p->mem, (n ? n : 1) * sizeof *t->fields);
    for (size_t k = 0; k < n; k++)
        t->fields[k] = L->fields.items[k].f;
    t->nfields = (uint32_t)n;
    return true;
}

static bool user_type(loader *L, const char *name)
{
    isf_name *n = lookup(L, name);
    if (n && (n->defined || n->t->kind == KDX_TYPE_BASE))
        return bad(L, "user_types.%s: defined twice", name);
    if (!n)
        n = add_name(L, name, KDX_TYPE_STRUCT);
    n->defined = true;
    kdx_type *t = n->t;
    kind_size ks = {0};
    kdx_jiter it;
    const char *key;
    if (!entry_begin(L, &it, "user_types", name))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL))
        if (!(strcmp(key, "fields") == 0 ? fields(L, t, name) : kind_size_member(L, key, &ks)))
            return false;
    if (!kind_size_done(L, &ks, "user_types", name))
        return false;
    uint64_t size = ks.size;
    const char *kind = ks.kind;
    if (size > ISF_MAX_TYPE_SIZE)
        return bad(L, "user_types.%s: size is implausibly large", name);
    t->kind = strcmp(kind, "union") == 0 ? KDX_TYPE_UNION
            : strcmp(kind, "class") == 0 ? KDX_TYPE_CLASS : KDX_TYPE_STRUCT;
    t->size = size;
    L->p->nuser_types++;
    return true;
}

static int cmp_enumerator(const void *a, const void *b)
{
    const kdx_enumerator *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool constants(loader *L, const char *ename, bool *has)
{
    *has = kdx_jpeek(L->j) == '{';
    if (!*has)
        return kdx_jskip(L->j);
    L->consts.len = 0;
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL)) {
        const char *cname = kdx_arena_strdup(&L->p->mem, key);
        int c = kdx_jpeek(L->j);
        kdx_enumerator e = {cname, 0};
        if (c != '-' && (c < '0' || c > '9'))
            return failed(L) ? false
                 : bad(L, "enums.%s.constants.%s: not an integer", ename, cname);
        if (!kdx_jint(L->j, &e.value))
            return false;
        KDX_VEC_PUSH(L->consts, e);
    }
    return !failed(L);
}

static bool enum_type(loader *L, const char *name)
{
    isf_name *n = lookup(L, name);
    if (n && (n->defined || n->t->kind == KDX_TYPE_BASE))
        return bad(L, "enums.%s: name already used by a %s", name,
                   n->t->kind == KDX_TYPE_BASE ? "base type" : "record");
    const char *base = NULL;
    uint64_t size = 0;
    bool has_size = false, has_consts = false;
    kdx_jiter it;
    const char *key;
    if (!entry_begin(L, &it, "enums", name))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL)) {
        bool ok = strcmp(key, "base") == 0      ? opt_name(L, &base)
                : strcmp(key, "size") == 0      ? opt_uint(L, &size, &has_size)
                : strcmp(key, "constants") == 0 ? constants(L, name, &has_consts)
                                                : kdx_jskip(L->j);
        if (!ok)
            return false;
    }
    if (failed(L))
        return false;
    if (!has_size || !has_consts || size > 16)
        return bad(L, "enums.%s: needs \"size\" (at most 16) and \"constants\"", name);
    if (!n)
        n = add_name(L, name, KDX_TYPE_ENUM);
    n->defined = true;
    kdx_type *t = n->t;
    t->kind = KDX_TYPE_ENUM;
    t->size = size;
    size_t nc = L->consts.len;
    t->enumerators = kdx_arena_alloc(&L->p->mem, (nc ? nc : 1) * sizeof *t->enumerators);
    if (nc) {
        kdx_sort(L->consts.items, nc, sizeof *L->consts.items, cmp_enumerator);
        memcpy(t->enumerators, L->consts.items, nc * sizeof *t->enumerators);
    }
    t->nenumerators = (uint32_t)nc;
    enum_base eb = {t, base};
    KDX_VEC_PUSH(L->enum_bases, eb);
    L->p->nenums++;
    return true;
}

static bool symbol(loader *L, const char *name)
{
    uint64_t addr = 0;
    bool has_addr = false;
    const kdx_type *type = NULL;
    kdx_jiter it;
    if (!entry_begin(L, &it, "symbols", name))
        return false;
    L->ctx_section = "symbols";
    L->ctx_name = name;
    L->ctx_field = NULL;
    if (!number_and_type(L, &it, "address", &addr, &has_addr, &type))
        return false;
    if (!has_addr)
        return true; /* a symbol without an address (type-only): nothing to place */
    if (addr > UINT32_MAX)
        return bad(L, "symbols.%s: address is not an RVA (above 4 GB)", name);
    /* Tables that carry a symbol's type (not the ones converted from Windows PDBs,
     * which have addresses only) make it a typed data symbol or a function. */
    kdx_symkind kind = !type ? KDX_SYM_PUBLIC
                     : type->kind == KDX_TYPE_FUNCTION ? KDX_SYM_FUNCTION : KDX_SYM_DATA;
    kdx_symindex_add(&L->p->syms, name, (uint32_t)addr, 0, kind);
    if (kind == KDX_SYM_DATA)
        L->p->syms.syms[L->p->syms.n - 1].type = type;
    return true;
}

/* metadata.windows.pdb: GUID, age and machine of the PDB the table was made from. */
static bool pdb_identity(loader *L)
{
    kdx_jiter it;
    const char *key;
    char guid[64] = "";
    bool has_guid = false, has_age = false, has_machine = false;
    uint64_t age = 0, machine = 0;
    if (kdx_jpeek(L->j) != '{')
        return kdx_jskip(L->j);
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL)) {
        bool ok = strcmp(key, "GUID") == 0         ? opt_word(L, guid, sizeof guid, &has_guid)
                : strcmp(key, "age") == 0          ? opt_uint(L, &age, &has_age)
                : strcmp(key, "machine_type") == 0 ? opt_uint(L, &machine, &has_machine)
                                                   : kdx_jskip(L->j);
        if (!ok)
            return false;
    }
    kdx_symfile_id *id = &L->p->id;
    if (has_guid && has_age && kdx_isf_parse_guid(guid, id->guid)) {
        id->has_guid = true;
        id->age = (uint32_t)age;
    }
    if (has_machine)
        id->arch = machine == 0x8664 ? KDX_ARCH_X64 : machine == 0x14c ? KDX_ARCH_X86
                 : machine == 0xaa64 ? KDX_ARCH_ARM64 : KDX_ARCH_UNKNOWN;
    L->has_machine = has_machine;
    return !failed(L);
}

/* The member named `name` of the object that comes next, through fn; others skipped. */
static bool member(loader *L, const char *name, bool (*fn)(loader *))
{
    if (kdx_jpeek(L->j) != '{')
        return kdx_jskip(L->j);
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL))
        if (!(strcmp(key, name) == 0 ? fn(L) : kdx_jskip(L->j)))
            return false;
    return !failed(L);
}

static bool windows_metadata(loader *L)
{
    return member(L, "pdb", pdb_identity);
}

static bool metadata(loader *L)
{
    return member(L, "windows", windows_metadata);
}

static bool each_entry(loader *L, bool (*fn)(loader *, const char *))
{
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL))
        if (!fn(L, kdx_arena_strdup(&L->p->mem, key)))
            return false;
    return !failed(L);
}

static bool section(loader *L, int sec)
{
    if (kdx_jpeek(L->j) != '{')
        return failed(L) ? false
             : bad(L, "no \"%s\" object (not an ISF symbol table)", section_names[sec]);
    L->seen[sec] = true;
    switch (sec) {
    case SEC_METADATA: return metadata(L);
    case SEC_BASE_TYPES: return each_entry(L, base_type);
    case SEC_USER_TYPES: return each_entry(L, user_type);
    case SEC_ENUMS: return each_entry(L, enum_type);
    default: return each_entry(L, symbol);
    }
}

static bool top_level(loader *L)
{
    int c = kdx_jpeek(L->j);
    if (c != '{')
        return failed(L) ? false
             : c < 0 ? bad(L, "no JSON text (not an ISF file)")
                     : bad(L, "the top level is not a JSON object (not an ISF file)");
    kdx_jiter it;
    const char *key;
    if (!kdx_jobject_begin(L->j, &it))
        return false;
    while (kdx_jobject_next(L->j, &it, &key, NULL)) {
        int sec = 0;
        while (sec < SEC_COUNT && strcmp(key, section_names[sec]) != 0)
            sec++;
        if (!(sec < SEC_COUNT ? section(L, sec) : kdx_jskip(L->j)))
            return false;
    }
    if (failed(L))
        return false;
    if (!kdx_jat_end(L->j))
        return failed(L) ? false : bad(L, "text after the end of the top-level JSON object");
    return true;
}

/* ---- after the whole table ---- */

static kdx_status finish_names(loader *L, kdx_err *err)
{
    isf_prov *p = L->p;
    for (size_t i = 0; i < p->types.cap; i++) {
        void *v;
        if (!kdx_namemap_slot(&p->types, i, &v))
            continue;
        isf_name *n = v;
        if (n->defined)
            continue;
        if (n->t->kind == KDX_TYPE_BASE)
            return kdx_err_set(err, KDX_E_FORMAT, "%s: %s: unknown base type \"%s\"", p->path,
                               n->first_use, n->t->name);
        n->t->is_forward = true; /* a record or enum referenced but never defined */
    }
    isf_name *ptr = lookup(L, "pointer");
    p->pointer_base = ptr ? ptr->t : NULL;
    return KDX_OK;
}

/* Pointer, array and bit-field sizes, now that every type they use is known.
 * Inner descriptors were created before the ones containing them. */
static kdx_status finish_sizes(loader *L, kdx_err *err)
{
    isf_prov *p = L->p;
    isf_name *vd = lookup(L, "void");
    for (size_t i = 0; i < L->derived.len; i++) {
        kdx_type *t = L->derived.items[i];
        uint64_t el = t->target ? t->target->size : 0;
        switch (t->kind) {
        case KDX_TYPE_POINTER: t->size = p->pointer_base ? p->pointer_base->size : 8; break;
        case KDX_TYPE_BITFIELD: t->size = el; break;
        case KDX_TYPE_FUNCTION: t->target = vd ? vd->t : NULL; break;
        default:
            if (el && t->count > ISF_MAX_TYPE_SIZE / el)
                return kdx_err_set(err, KDX_E_FORMAT, "%s: an array of %llu elements of %llu bytes "
                                   "is implausibly large", p->path, (unsigned long long)t->count,
                                   (unsigned long long)el);
            t->size = t->count * el;
        }
    }
    for (size_t i = 0; i < L->enum_bases.len; i++) {
        isf_name *b = L->enum_bases.items[i].base ? lookup(L, L->enum_bases.items[i].base) : NULL;
        L->enum_bases.items[i].t->target = b ? b->t : NULL;
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
        kdx_type *t = ((isf_name *)v)->t;
        if (t->kind == KDX_TYPE_BASE || t->name[0] == '<')
            continue;
        p->named[p->nnamed++] = t;
    }
    kdx_sort(p->named, p->nnamed, sizeof *p->named, cmp_type_name);
}

static kdx_status finish(loader *L, kdx_err *err)
{
    isf_prov *p = L->p;
    for (int sec = 0; sec < SEC_COUNT; sec++)
        if (!L->seen[sec])
            return kdx_err_set(err, KDX_E_FORMAT, "%s: no \"%s\" object (not an ISF symbol table)",
                               p->path, section_names[sec]);
    kdx_status st = finish_names(L, err);
    if (st == KDX_OK)
        st = finish_sizes(L, err);
    if (st != KDX_OK)
        return st;
    kdx_symindex_finish(&p->syms);
    index_named_types(p);
    if (!L->has_machine && p->pointer_base)
        p->id.arch = p->pointer_base->size == 4 ? KDX_ARCH_X86 : KDX_ARCH_UNKNOWN;
    p->id.has_types = p->nnamed > 0;
    return KDX_OK;
}

kdx_status isf_load(isf_prov *p, const uint8_t *data, size_t len, kdx_err *err)
{
    loader L = {.p = p};
    kdx_status st = kdx_jstream_open(&L.j, p->path, data, len, &isf_limits, err);
    if (st == KDX_OK && !top_level(&L))
        st = kdx_jstream_status(L.j);
    if (st == KDX_OK)
        st = finish(&L, err);
    kdx_jstream_close(L.j);
    KDX_VEC_FREE(L.derived);
    KDX_VEC_FREE(L.enum_bases);
    KDX_VEC_FREE(L.fields);
    KDX_VEC_FREE(L.consts);
    return st;
}
