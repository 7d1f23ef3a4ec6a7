/* A symbol index as a provider (symidx.h): lookups read the mapped records
 * directly; kdx_type nodes are made only for the types a command touches,
 * and records get their fields on first use (the type layer's lazy
 * completion). What the index leaves to the source file (a PDB's lines,
 * frame data and names beyond its symbol list) opens that file once. */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/util.h"
#include "pdb/pdb.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"

uint64_t kdx_symidx_hash(const void *data, size_t len)
{
    return kdx_hash64(data, len);
}

typedef struct symidx {
    kdx_typesrc typesrc;          /* first: the type layer hands it back to complete records */
    kdx_symprov_ops ops;          /* the source's optional operations only */
    const uint8_t *data;
    size_t len;
    kdx_symidx_memory memory;
    const symidx_header *h;
    const char *strings;
    uint64_t nstrings;
    const symidx_sym *syms;
    uint32_t nsyms, nenum;
    const symidx_rva *rvas;
    uint32_t nrvas;
    const symidx_slot *names, *lnames, *tnames;
    uint32_t names_cap, lnames_cap, tnames_cap;
    const symidx_type *types;
    uint32_t ntypes;
    const symidx_field *fields;
    uint32_t nfields;
    const symidx_enum *enums;
    uint32_t nenums;
    const uint32_t *tlist;
    uint32_t ntlist;
    const symidx_line *lines;
    uint32_t nlines;
    const symidx_frame *frames;
    uint32_t nframes;
    kdx_type **nodes;             /* per type id, made on first use */
    kdx_arena mem;
    char *source_path;
    kdx_symprov source;           /* opened on first use */
    bool source_tried;
    bool order_known, in_order;   /* kdx_symidx_listed_in_order's answer, once asked */
    unsigned unchecked, damaged;  /* TAB_* still to check (KDX_SYMIDX_CHECK_ON_USE), found bad */
} symidx;

/* The tables KDX_SYMIDX_CHECK_ON_USE checks on first use. */
enum { TAB_RVAS = 1u, TAB_TYPES = 2u, TAB_LINES = 4u, TAB_FRAMES = 8u, TAB_ALL = 15u };

/* ---- validation ---- */

static kdx_status bad(kdx_err *err, const char *name, const char *what)
{
    return kdx_err_set(err, KDX_E_FORMAT, "%s: damaged symbol index: %s", name, what);
}

static bool str_ok(const symidx *x, uint32_t s, bool none_ok)
{
    return s == SYMIDX_NONE ? none_ok : s < x->nstrings;
}

static bool type_ok(const symidx *x, uint32_t t, bool none_ok)
{
    return t == SYMIDX_NONE ? none_ok : t < x->ntypes;
}

/* The section with this id and element size; absent sections are empty. */
static kdx_status section(symidx *x, uint32_t id, uint32_t elem, const void **p, uint64_t *count,
                          const char *name, kdx_err *err)
{
    const symidx_section *tab = (const symidx_section *)(x->data + SYMIDX_HEADER_SIZE);
    *p = NULL;
    *count = 0;
    for (uint32_t i = 0; i < x->h->nsections; i++) {
        if (tab[i].id != id)
            continue;
        if (tab[i].elem_size != elem || tab[i].offset % 8 || tab[i].offset > x->len ||
            tab[i].count > (x->len - tab[i].offset) / elem)
            return bad(err, name, "a section lies outside the file");
        *p = x->data + tab[i].offset;
        *count = tab[i].count;
        return KDX_OK;
    }
    return KDX_OK;
}

static kdx_status map_sections(symidx *x, const char *name, kdx_err *err)
{
    const void *p[SYMIDX_SEC_COUNT];
    uint64_t n[SYMIDX_SEC_COUNT];
    static const uint32_t elem[SYMIDX_SEC_COUNT] = {
        [SYMIDX_SEC_STRINGS] = 1, [SYMIDX_SEC_SYMS] = sizeof(symidx_sym),
        [SYMIDX_SEC_RVAS] = sizeof(symidx_rva), [SYMIDX_SEC_NAMES] = sizeof(symidx_slot),
        [SYMIDX_SEC_LNAMES] = sizeof(symidx_slot), [SYMIDX_SEC_TYPES] = sizeof(symidx_type),
        [SYMIDX_SEC_FIELDS] = sizeof(symidx_field), [SYMIDX_SEC_ENUMS] = sizeof(symidx_enum),
        [SYMIDX_SEC_TNAMES] = sizeof(symidx_slot), [SYMIDX_SEC_TLIST] = sizeof(uint32_t),
        [SYMIDX_SEC_LINES] = sizeof(symidx_line), [SYMIDX_SEC_FRAMES] = sizeof(symidx_frame)};
    for (uint32_t id = 1; id < SYMIDX_SEC_COUNT; id++) {
        kdx_status st = section(x, id, elem[id], &p[id], &n[id], name, err);
        if (st != KDX_OK)
            return st;
        if (n[id] >= SYMIDX_NONE && id != SYMIDX_SEC_STRINGS)
            return bad(err, name, "a section has too many entries");
    }
    x->strings = p[SYMIDX_SEC_STRINGS], x->nstrings = n[SYMIDX_SEC_STRINGS];
    x->syms = p[SYMIDX_SEC_SYMS], x->nsyms = (uint32_t)n[SYMIDX_SEC_SYMS];
    x->rvas = p[SYMIDX_SEC_RVAS], x->nrvas = (uint32_t)n[SYMIDX_SEC_RVAS];
    x->names = p[SYMIDX_SEC_NAMES], x->names_cap = (uint32_t)n[SYMIDX_SEC_NAMES];
    x->lnames = p[SYMIDX_SEC_LNAMES], x->lnames_cap = (uint32_t)n[SYMIDX_SEC_LNAMES];
    x->types = p[SYMIDX_SEC_TYPES], x->ntypes = (uint32_t)n[SYMIDX_SEC_TYPES];
    x->fields = p[SYMIDX_SEC_FIELDS], x->nfields = (uint32_t)n[SYMIDX_SEC_FIELDS];
    x->enums = p[SYMIDX_SEC_ENUMS], x->nenums = (uint32_t)n[SYMIDX_SEC_ENUMS];
    x->tnames = p[SYMIDX_SEC_TNAMES], x->tnames_cap = (uint32_t)n[SYMIDX_SEC_TNAMES];
    x->tlist = p[SYMIDX_SEC_TLIST], x->ntlist = (uint32_t)n[SYMIDX_SEC_TLIST];
    x->lines = p[SYMIDX_SEC_LINES], x->nlines = (uint32_t)n[SYMIDX_SEC_LINES];
    x->frames = p[SYMIDX_SEC_FRAMES], x->nframes = (uint32_t)n[SYMIDX_SEC_FRAMES];
    return KDX_OK;
}

/* Bit fields inside 64 bits, over a non-bit-field type; and no chain of
 * targets loops (pointers reach records, whose own target is none), since
 * the type layer follows targets without a guard. */
static bool type_graph_ok(const symidx *x)
{
    uint8_t *state = kdx_xcalloc(x->ntypes ? x->ntypes : 1, 1); /* 1: on the walk, 2: ends */
    bool ok = true;
    for (uint32_t i = 0; i < x->ntypes && ok; i++) {
        const symidx_type *t = &x->types[i];
        if (t->bit_pos >= 64 || t->bit_len > 64 - t->bit_pos ||
            ((t->kind == KDX_TYPE_BITFIELD || t->kind == KDX_TYPE_TYPEDEF) && t->target == SYMIDX_NONE) ||
            (t->kind == KDX_TYPE_BITFIELD && x->types[t->target].kind == KDX_TYPE_BITFIELD))
            ok = false;
        uint32_t c = i;
        while (ok && c != SYMIDX_NONE && state[c] != 2) {
            if (state[c] == 1)
                ok = false;
            state[c] = 1;
            c = x->types[c].target;
        }
        for (c = i; c != SYMIDX_NONE && state[c] == 1; c = x->types[c].target)
            state[c] = 2;
    }
    free(state);
    return ok;
}

static bool syms_ok(const symidx *x)
{
    for (uint32_t i = 0; i < x->nsyms; i++)
        if (!str_ok(x, x->syms[i].name, true) || !type_ok(x, x->syms[i].type, true) ||
            x->syms[i].kind > KDX_SYM_EXPORT || x->syms[i].cls > (KDX_SYMF_CODE | KDX_SYMF_DATA) ||
            x->syms[i].cls == (KDX_SYMF_CODE | KDX_SYMF_DATA))
            return false;
    return true;
}

static bool rvas_ok(const symidx *x)
{
    for (uint32_t i = 0; i < x->nrvas; i++)
        if ((x->rvas[i].sym != SYMIDX_NONE && x->rvas[i].sym >= x->nsyms) ||
            !str_ok(x, x->rvas[i].params, true) || (i && x->rvas[i].rva <= x->rvas[i - 1].rva))
            return false;
    return true;
}

/* Types with their fields, enumerators and listing. */
static bool types_ok(const symidx *x)
{
    for (uint32_t i = 0; i < x->ntypes; i++) {
        const symidx_type *t = &x->types[i];
        if (t->kind > KDX_TYPE_TYPEDEF || t->base > KDX_BASE_CHAR32 || !str_ok(x, t->name, true) ||
            !type_ok(x, t->target, true) || t->first_field > x->nfields ||
            t->nfields > x->nfields - t->first_field || t->first_enum > x->nenums ||
            t->nenums > x->nenums - t->first_enum)
            return false;
    }
    if (!type_graph_ok(x))
        return false;
    for (uint32_t i = 0; i < x->nfields; i++)
        if (!str_ok(x, x->fields[i].name, true) || !type_ok(x, x->fields[i].type, false))
            return false;
    for (uint32_t i = 0; i < x->nenums; i++)
        if (!str_ok(x, x->enums[i].name, false))
            return false;
    for (uint32_t i = 0; i < x->ntlist; i++)
        if (!type_ok(x, x->tlist[i], false))
            return false;
    return true;
}

static bool lines_ok(const symidx *x)
{
    for (uint32_t i = 0; i < x->nlines; i++)
        if (!str_ok(x, x->lines[i].file, true) || (i && x->lines[i].rva <= x->lines[i - 1].rva))
            return false;
    return true;
}

static bool frames_ok(const symidx *x)
{
    for (uint32_t i = 0; i < x->nframes; i++)
        if (!str_ok(x, x->frames[i].program, true) || (i && x->frames[i].rva <= x->frames[i - 1].rva))
            return false;
    return true;
}

/* The tables of tabs (TAB_*) that are sound. */
static bool tables_ok(const symidx *x, unsigned tabs)
{
    return (!(tabs & TAB_RVAS) || rvas_ok(x)) && (!(tabs & TAB_TYPES) || types_ok(x)) &&
           (!(tabs & TAB_LINES) || lines_ok(x)) && (!(tabs & TAB_FRAMES) || frames_ok(x));
}

/* Whether table tab may be read: checked now if it was left for its first use.
 * A table found damaged is not read again: each lookup that needs it asks the
 * symbol file the index was made from instead, so answers stay right (only
 * slower) even when the index and its verified note were both altered. */
static bool table_ok(symidx *x, unsigned tab)
{
    if (x->unchecked & tab) {
        x->unchecked &= ~tab;
        if (!tables_ok(x, tab))
            x->damaged |= tab;
    }
    return !(x->damaged & tab);
}

static kdx_status check_header(const uint8_t *data, size_t len, const char *name, kdx_err *err)
{
    const symidx_header *h = (const symidx_header *)data;
    if (len < SYMIDX_HEADER_SIZE || memcmp(h->magic, SYMIDX_MAGIC, 8) != 0)
        return bad(err, name, len < SYMIDX_HEADER_SIZE ? "shorter than its header" : "no KDXSYMIX signature");
    if (h->version != SYMIDX_VERSION || h->header_size != SYMIDX_HEADER_SIZE)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: symbol index version %u (this kdx writes %u)",
                           name, h->version, SYMIDX_VERSION);
    if (h->file_size != len)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: damaged symbol index: %zu bytes, the header says %llu",
                           name, len, (unsigned long long)h->file_size);
    if (h->nsections > (len - SYMIDX_HEADER_SIZE) / sizeof(symidx_section))
        return bad(err, name, "its section table lies outside the file");
    return KDX_OK;
}

kdx_status kdx_symidx_peek(const uint8_t *data, size_t len, const char *name, kdx_symidx_source *src,
                           kdx_err *err)
{
    if (len < SYMIDX_HEADER_SIZE || memcmp(data, SYMIDX_MAGIC, 8) != 0)
        return bad(err, name, len < SYMIDX_HEADER_SIZE ? "shorter than its header" : "no KDXSYMIX signature");
    const symidx_header *h = (const symidx_header *)data;
    if (h->version != SYMIDX_VERSION)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: symbol index version %u (this kdx writes %u)",
                           name, h->version, SYMIDX_VERSION);
    *src = h->src;
    return KDX_OK;
}

/* ---- types ---- */

static void fill_node(const symidx *x, uint32_t id, kdx_type *t)
{
    const symidx_type *r = &x->types[id];
    t->kind = (kdx_type_kind)r->kind;
    t->name = r->name == SYMIDX_NONE ? NULL : x->strings + r->name;
    t->size = r->size;
    t->count = r->count;
    t->base = (kdx_base_kind)r->base;
    t->bit_pos = r->bit_pos;
    t->bit_len = r->bit_len;
    t->is_const = r->flags & SYMIDX_T_CONST;
    t->is_volatile = r->flags & SYMIDX_T_VOLATILE;
    t->is_forward = r->flags & SYMIDX_T_FORWARD;
    t->complete = !r->nfields && !r->nenums;
    t->src = &x->typesrc;
    t->src_id = id;
}

/* The node of a type, made with those its target chain needs. Iterative:
 * a chain may be long, and a cycle (a damaged index) ends at a made node. */
static const kdx_type *node(symidx *x, uint32_t id)
{
    if (id == SYMIDX_NONE || !table_ok(x, TAB_TYPES))
        return NULL;
    if (x->nodes[id])
        return x->nodes[id];
    uint32_t first = id;
    for (uint32_t c = id; c != SYMIDX_NONE && !x->nodes[c]; c = x->types[c].target) {
        x->nodes[c] = kdx_arena_alloc(&x->mem, sizeof(kdx_type));
        fill_node(x, c, x->nodes[c]);
    }
    for (uint32_t c = first;; c = x->types[c].target) {
        uint32_t t = x->types[c].target;
        kdx_type *n = x->nodes[c];
        if (n->target || t == SYMIDX_NONE)
            break;
        n->target = x->nodes[t];
        if (!n->target)
            break;
    }
    return x->nodes[id];
}

static kdx_status complete(const kdx_typesrc *src, kdx_type *t)
{
    symidx *x = (symidx *)(void *)src;
    const symidx_type *r = &x->types[t->src_id];
    t->complete = true;
    if (r->nfields) {
        kdx_field *f = kdx_arena_alloc(&x->mem, r->nfields * sizeof *f);
        for (uint32_t i = 0; i < r->nfields; i++) {
            const symidx_field *sf = &x->fields[r->first_field + i];
            f[i].name = sf->name == SYMIDX_NONE ? NULL : x->strings + sf->name;
            f[i].offset = sf->offset;
            f[i].type = node(x, sf->type);
        }
        t->fields = f;
        t->nfields = r->nfields;
    }
    if (r->nenums) {
        kdx_enumerator *e = kdx_arena_alloc(&x->mem, r->nenums * sizeof *e);
        for (uint32_t i = 0; i < r->nenums; i++) {
            e[i].name = x->strings + x->enums[r->first_enum + i].name;
            e[i].value = x->enums[r->first_enum + i].value;
        }
        t->enumerators = e;
        t->nenumerators = r->nenums;
    }
    return KDX_OK;
}

/* ---- the source file, for what the index leaves to it ---- */

static const kdx_symprov *source(symidx *x)
{
    if (!x->source_tried && x->source_path) {
        x->source_tried = true;
        kdx_symfile_id id;
        kdx_status st = x->h->src.kind == SYMIDX_SRC_ISF ? kdx_isf_provider_open(x->source_path, &x->source, &id, NULL)
                      : x->h->src.kind == SYMIDX_SRC_BREAKPAD ? kdx_breakpad_provider_open(x->source_path, &x->source, &id, NULL)
                      : kdx_pdb_provider_open(x->source_path, &x->source, &id, NULL);
        if (st != KDX_OK)
            x->source.ops = NULL;
    }
    return x->source.ops ? &x->source : NULL;
}

/* ---- lookups ---- */

static void fill_symbol(symidx *x, uint32_t i, kdx_symbol *out)
{
    const symidx_sym *r = &x->syms[i];
    *out = (kdx_symbol){
        .name = r->name == SYMIDX_NONE ? NULL : x->strings + r->name,
        .rva = r->rva,
        .size = r->size,
        .kind = (kdx_symkind)r->kind,
        .type = r->type == SYMIDX_NONE ? NULL : node(x, r->type), /* most have none: no call */
        .flags = (uint8_t)r->flags,
    };
}

/* The slot holding key in a hash table, or NULL. The case-insensitive table
 * hashes its keys lower-cased (key is then lower-cased) but stores them as spelled. */
static const symidx_slot *probe(const symidx *x, const symidx_slot *t, uint32_t cap, uint32_t nvalues,
                                const char *key, bool icase)
{
    if (!cap)
        return NULL;
    size_t i = kdx_symidx_hash(key, strlen(key)) & (cap - 1);
    /* Slots are checked as they are met (not all on open); a damaged table
     * without a free slot ends after one round. */
    for (uint32_t n = 0; n < cap && t[i].key != SYMIDX_NONE; n++, i = (i + 1) & (cap - 1)) {
        if (!str_ok(x, t[i].key, false) || (t[i].value != SYMIDX_NONE && t[i].value >= nvalues))
            return NULL;
        if ((icase ? kdx_strcasecmp : strcmp)(x->strings + t[i].key, key) == 0)
            return &t[i];
    }
    return NULL;
}

/* The address answer at or below rva, -1 when none. */
static long rva_floor(const symidx *x, uint32_t rva)
{
    return kdx_pdb_floor(x->rvas, x->nrvas, sizeof *x->rvas, offsetof(symidx_rva, rva), rva);
}

static kdx_status idx_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    symidx *x = impl;
    if (!table_ok(x, TAB_RVAS)) {
        const kdx_symprov *src = source(x);
        return src ? src->ops->by_rva(src->impl, rva, out) : KDX_E_NOT_FOUND;
    }
    long i = rva_floor(x, rva);
    if (i < 0 || x->rvas[i].sym == SYMIDX_NONE)
        return KDX_E_NOT_FOUND;
    fill_symbol(x, x->rvas[i].sym, out);
    return KDX_OK;
}

static kdx_status answer(symidx *x, const symidx_slot *s, kdx_symbol *out)
{
    if (s->value == SYMIDX_NONE)
        return KDX_E_NOT_FOUND;
    fill_symbol(x, s->value, out);
    return KDX_OK;
}

static kdx_status idx_by_name(void *impl, const char *name, kdx_symbol *out)
{
    symidx *x = impl;
    const symidx_slot *s = probe(x, x->names, x->names_cap, x->nsyms, name, false);
    if (s)
        return answer(x, s, out);
    if (!(x->h->prov_flags & SYMIDX_COMPLETE_NAMES)) {
        const kdx_symprov *src = source(x);
        return src ? src->ops->by_name(src->impl, name, out) : KDX_E_NOT_FOUND;
    }
    char small[256];
    size_t n = strlen(name);
    char *low = n < sizeof small ? small : kdx_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    s = probe(x, x->lnames, x->lnames_cap, x->nsyms, low, true);
    if (low != small)
        free(low);
    return s ? answer(x, s, out) : KDX_E_NOT_FOUND;
}

static kdx_status idx_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    symidx *x = impl;
    if (pattern && pattern[0] == '*' && !pattern[1])
        pattern = NULL; /* `x nt!*`: every name matches, so none is tested */
    for (uint32_t i = 0; i < x->nenum; i++) {
        const symidx_sym *r = &x->syms[i];
        if (pattern && !kdx_wildcard_match(pattern, r->name == SYMIDX_NONE ? "" : x->strings + r->name))
            continue;
        kdx_symbol s;
        fill_symbol(x, i, &s);
        if (cb(ud, &s))
            break;
    }
    return KDX_OK;
}

size_t kdx_symidx_nlisted(const kdx_symprov *p)
{
    return kdx_symidx_is_provider(p) ? ((const symidx *)p->impl)->nenum : 0;
}

void kdx_symidx_listed_at(const kdx_symprov *p, size_t i, kdx_symidx_listed *out)
{
    const symidx *x = p->impl;
    const symidx_sym *r = &x->syms[i];
    *out = (kdx_symidx_listed){r->name == SYMIDX_NONE ? NULL : x->strings + r->name, r->rva, r->size,
                               (kdx_symkind)r->kind, r->cls};
}

static const char *listed_name(const symidx *x, const symidx_sym *r)
{
    return r->name == SYMIDX_NONE ? "" : x->strings + r->name;
}

bool kdx_symidx_listed_in_order(const kdx_symprov *p)
{
    if (!kdx_symidx_is_provider(p))
        return false;
    symidx *x = p->impl;
    if (!x->order_known) {
        x->in_order = true;
        for (uint32_t i = 1; i < x->nenum && x->in_order; i++) {
            const symidx_sym *a = &x->syms[i - 1], *b = &x->syms[i];
            x->in_order = a->rva < b->rva || (a->rva == b->rva && strcmp(listed_name(x, a), listed_name(x, b)) <= 0);
        }
        x->order_known = true;
    }
    return x->in_order;
}

static const kdx_type *idx_find_type(void *impl, const char *name)
{
    symidx *x = impl;
    if (!table_ok(x, TAB_TYPES)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->find_type ? src->ops->find_type(src->impl, name) : NULL;
    }
    const symidx_slot *s = probe(x, x->tnames, x->tnames_cap, x->ntypes, name, false);
    if (s)
        return node(x, s->value);
    if (!(x->h->prov_flags & SYMIDX_COMPLETE_TYPES)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->find_type ? src->ops->find_type(src->impl, name) : NULL;
    }
    for (uint32_t i = 0; i < x->ntlist; i++) { /* case-insensitive, in enumeration order */
        const symidx_type *t = &x->types[x->tlist[i]];
        if (t->name != SYMIDX_NONE && kdx_strcasecmp(x->strings + t->name, name) == 0)
            return node(x, x->tlist[i]);
    }
    return NULL;
}

static kdx_status idx_enumerate_types(void *impl, const char *pattern, kdx_type_cb cb, void *ud)
{
    symidx *x = impl;
    if (!table_ok(x, TAB_TYPES)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->enumerate_types ? src->ops->enumerate_types(src->impl, pattern, cb, ud) : KDX_OK;
    }
    for (uint32_t i = 0; i < x->ntlist; i++) {
        const symidx_type *t = &x->types[x->tlist[i]];
        if (pattern && !kdx_wildcard_match(pattern, t->name == SYMIDX_NONE ? "" : x->strings + t->name))
            continue;
        if (cb(ud, node(x, x->tlist[i])))
            break;
    }
    return KDX_OK;
}

static kdx_status idx_line_for_rva(void *impl, uint32_t rva, const char **file, uint32_t *line)
{
    symidx *x = impl;
    if (!(x->h->prov_flags & SYMIDX_LINES_STORED)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->line_for_rva ? src->ops->line_for_rva(src->impl, rva, file, line)
                                             : KDX_E_NOT_FOUND;
    }
    if (!table_ok(x, TAB_LINES)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->line_for_rva ? src->ops->line_for_rva(src->impl, rva, file, line) : KDX_E_NOT_FOUND;
    }
    long i = kdx_pdb_floor(x->lines, x->nlines, sizeof *x->lines, offsetof(symidx_line, rva), rva);
    if (i < 0 || x->lines[i].file == SYMIDX_NONE)
        return KDX_E_NOT_FOUND;
    *file = x->strings + x->lines[i].file;
    *line = x->lines[i].line;
    return KDX_OK;
}

static kdx_status idx_frame_data_for_rva(void *impl, uint32_t rva, kdx_frame_data *out)
{
    symidx *x = impl;
    if (!(x->h->prov_flags & SYMIDX_FRAMES_STORED)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->frame_data_for_rva ? src->ops->frame_data_for_rva(src->impl, rva, out)
                                                   : KDX_E_NOT_FOUND;
    }
    if (!table_ok(x, TAB_FRAMES)) {
        const kdx_symprov *src = source(x);
        return src && src->ops->frame_data_for_rva ? src->ops->frame_data_for_rva(src->impl, rva, out)
                                                   : KDX_E_NOT_FOUND;
    }
    long i = kdx_pdb_floor(x->frames, x->nframes, sizeof *x->frames, offsetof(symidx_frame, rva), rva);
    if (i < 0 || !(x->frames[i].flags & SYMIDX_F_FOUND))
        return KDX_E_NOT_FOUND;
    const symidx_frame *f = &x->frames[i];
    *out = (kdx_frame_data){
        .rva_start = f->rva_start, .code_size = f->code_size, .prolog_size = f->prolog_size,
        .saved_regs_size = f->saved_regs_size, .params_size = f->params_size,
        .locals_size = f->locals_size, .max_stack_size = f->max_stack_size,
        .has_program = f->flags & SYMIDX_F_PROGRAM,
        .program = f->program == SYMIDX_NONE ? NULL : x->strings + f->program,
        .uses_base_pointer = f->flags & SYMIDX_F_BP, .has_seh = f->flags & SYMIDX_F_SEH,
        .is_fpo = f->flags & SYMIDX_F_FPO,
    };
    return KDX_OK;
}

static char *idx_params_at(void *impl, uint32_t rva)
{
    symidx *x = impl;
    if (!table_ok(x, TAB_RVAS))
        return kdx_symprov_params_at(source(x), rva);
    long i = rva_floor(x, rva);
    if (i < 0 || x->rvas[i].rva != rva || x->rvas[i].params == SYMIDX_NONE)
        return NULL;
    return kdx_strdup(x->strings + x->rvas[i].params);
}

static void idx_destroy(void *impl)
{
    symidx *x = impl;
    if (!x)
        return;
    if (x->source.ops)
        x->source.ops->destroy(x->source.impl);
    if (x->memory == KDX_SYMIDX_MAPPED || x->memory == KDX_SYMIDX_WRITTEN)
        munmap((void *)x->data, x->len);
    else if (x->memory == KDX_SYMIDX_MALLOCED)
        free((void *)x->data);
    free(x->nodes);
    free(x->source_path);
    kdx_arena_free(&x->mem);
    free(x);
}

static const char *kind_name(uint32_t kind)
{
    return kind == SYMIDX_SRC_ISF ? "isf" : kind == SYMIDX_SRC_BREAKPAD ? "breakpad" : "pdb";
}

static void set_ops(symidx *x)
{
    uint32_t f = x->h->prov_flags;
    x->ops = (kdx_symprov_ops){
        .kind = kind_name(x->h->src.kind),
        .destroy = idx_destroy,
        .by_rva = idx_by_rva,
        .by_name = idx_by_name,
        .enumerate = idx_enumerate,
        .find_type = f & SYMIDX_HAS_TYPES ? idx_find_type : NULL,
        .enumerate_types = f & SYMIDX_HAS_TYPES ? idx_enumerate_types : NULL,
        .line_for_rva = f & SYMIDX_HAS_LINES ? idx_line_for_rva : NULL,
        .frame_data_for_rva = f & SYMIDX_HAS_FRAMES ? idx_frame_data_for_rva : NULL,
        .params_at = f & SYMIDX_HAS_PARAMS ? idx_params_at : NULL,
    };
}

bool kdx_symidx_is_provider(const kdx_symprov *p)
{
    return p && p->ops && p->ops->destroy == idx_destroy;
}

bool kdx_symidx_from_file(const kdx_symprov *p)
{
    if (!kdx_symidx_is_provider(p))
        return false;
    kdx_symidx_memory m = ((const symidx *)p->impl)->memory;
    return m != KDX_SYMIDX_MALLOCED && m != KDX_SYMIDX_WRITTEN;
}

static void fill_id(const symidx_header *h, kdx_symfile_id *id)
{
    memset(id, 0, sizeof *id);
    memcpy(id->guid, h->guid, 16);
    id->age = h->age;
    id->arch = (kdx_arch)h->arch;
    id->has_guid = h->id_flags & SYMIDX_ID_GUID;
    id->has_types = h->id_flags & SYMIDX_ID_TYPES;
    id->private_symbols = h->id_flags & SYMIDX_ID_PRIVATE;
}

static kdx_status validate(symidx *x, kdx_symidx_check check, const char *name, kdx_err *err)
{
    kdx_status st = check_header(x->data, x->len, name, err);
    if (st != KDX_OK)
        return st;
    x->h = (const symidx_header *)x->data;
    if (check == KDX_SYMIDX_CHECK_ALL &&
        kdx_symidx_hash(x->data + SYMIDX_CHECKSUM_FROM, x->len - SYMIDX_CHECKSUM_FROM) != x->h->checksum)
        return bad(err, name, "checksum mismatch");
    if ((st = map_sections(x, name, err)) != KDX_OK)
        return st;
    if (!x->nstrings || x->strings[x->nstrings - 1] != '\0')
        return bad(err, name, "its string table does not end with a NUL");
    if (x->h->nenum_syms > x->nsyms || x->h->arch > KDX_ARCH_ARM64 ||
        x->h->src.kind < SYMIDX_SRC_PDB || x->h->src.kind > SYMIDX_SRC_BREAKPAD)
        return bad(err, name, "its header is inconsistent");
    if ((x->names_cap & (x->names_cap - 1)) || (x->lnames_cap & (x->lnames_cap - 1)) ||
        (x->tnames_cap & (x->tnames_cap - 1)))
        return bad(err, name, "a name table is not a power of two long");
    if (check != KDX_SYMIDX_TRUSTED &&
        (!syms_ok(x) || (check != KDX_SYMIDX_CHECK_ON_USE && !tables_ok(x, TAB_ALL))))
        return bad(err, name, "a record is inconsistent or refers outside its table");
    x->unchecked = check == KDX_SYMIDX_CHECK_ON_USE ? TAB_ALL : 0;
    x->nenum = x->h->nenum_syms;
    return KDX_OK;
}

kdx_status kdx_symidx_open(const uint8_t *data, size_t len, kdx_symidx_memory memory,
                           kdx_symidx_check check, const char *name, const char *source_path,
                           kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    symidx *x = kdx_xcalloc(1, sizeof *x);
    x->data = data;
    x->len = len;
    x->memory = memory;
    kdx_status st = ((uintptr_t)data % 8) ? bad(err, name, "not 8-byte aligned in memory")
                                          : validate(x, check, name, err);
    if (st != KDX_OK) {
        idx_destroy(x);
        return st;
    }
    x->typesrc.complete = complete;
    x->nodes = kdx_xcalloc(x->ntypes ? x->ntypes : 1, sizeof *x->nodes);
    x->source_path = kdx_strdup(source_path);
    set_ops(x);
    if (id)
        fill_id(x->h, id);
    out->ops = &x->ops;
    out->impl = x;
    return KDX_OK;
}
