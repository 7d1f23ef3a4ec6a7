/* Building a symbol index from any provider: every symbol it enumerates,
 * its own answer to by_rva at each symbol address and to by_name for each
 * name, its types with their fields, and parameter lists, so that the index
 * answers exactly what the provider would (symidx.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"
#include "sym/symclass.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"
#include "symprov/symindex.h"

/* uint64 -> uint32, open addressing; keys are pointers or rva+1, never 0. */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, len;
} u64map;

static size_t u64_slot(const u64map *m, uint64_t k)
{
    uint64_t h = k * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 20) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != k)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void u64_put(u64map *m, uint64_t k, uint32_t v);

static void u64_grow(u64map *m)
{
    u64map n = {kdx_xcalloc(m->cap ? m->cap * 2 : 1024, 8), NULL, m->cap ? m->cap * 2 : 1024, 0};
    n.vals = kdx_xcalloc(n.cap, 4);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            u64_put(&n, m->keys[i], m->vals[i]);
    free(m->keys);
    free(m->vals);
    *m = n;
}

static void u64_put(u64map *m, uint64_t k, uint32_t v)
{
    if ((m->len + 1) * 2 > m->cap)
        u64_grow(m);
    size_t i = u64_slot(m, k);
    if (!m->keys[i])
        m->len++;
    m->keys[i] = k;
    m->vals[i] = v;
}

static bool u64_get(const u64map *m, uint64_t k, uint32_t *v)
{
    if (!m->cap)
        return false;
    size_t i = u64_slot(m, k);
    if (!m->keys[i])
        return false;
    *v = m->vals[i];
    return true;
}

static void u64_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
}

typedef struct writer {
    const kdx_symprov *prov;
    kdx_status st;
    KDX_VEC(char) strings;
    kdx_namemap strmap;            /* string -> blob offset + 1 */
    KDX_VEC(char *) owned;         /* strings made here: lower-cased keys, parameter lists */
    KDX_VEC(symidx_sym) syms;
    KDX_VEC(kdx_symbol) answers;   /* the provider's symbols, to match lookups to records */
    KDX_VEC(uint32_t) order;       /* enumerated symbols sorted by rva */
    u64map extra;                  /* rva+1 -> first symbol not enumerated at that rva */
    KDX_VEC(uint32_t) extra_next;  /* per symbol: the next extra one at its rva */
    KDX_VEC(symidx_rva) rvas;
    u64map typeids;                /* node pointer -> type id */
    KDX_VEC(symidx_type) types;
    KDX_VEC(const kdx_type *) nodes;
    KDX_VEC(symidx_field) fields;
    KDX_VEC(symidx_enum) enums;
    KDX_VEC(uint32_t) tlist;
    KDX_VEC(uint32_t) breaks;      /* addresses where line or frame answers change */
    KDX_VEC(symidx_line) lines;
    KDX_VEC(symidx_frame) frames;
} writer;

/* ---- strings and types ---- */

/* A string stored as is (symbol names are seldom repeated: no lookup). */
static uint32_t string_append(writer *w, const char *s)
{
    if (!s)
        return SYMIDX_NONE;
    size_t off = w->strings.len, n = strlen(s) + 1;
    if (off + n >= SYMIDX_NONE) {
        w->st = KDX_E_LIMIT;
        return SYMIDX_NONE;
    }
    if (off + n > w->strings.cap) {
        w->strings.cap = (off + n) * 2;
        w->strings.items = kdx_xrealloc(w->strings.items, w->strings.cap);
    }
    memcpy(w->strings.items + off, s, n);
    w->strings.len += n;
    return (uint32_t)off;
}

/* s must stay valid until the index is written (the provider's or owned). */
static uint32_t string_id(writer *w, const char *s)
{
    if (!s)
        return SYMIDX_NONE;
    /* Stored where string_append is about to put it (when it fails, the
     * build fails: the entry is never used). */
    void *v = kdx_namemap_get_or_put(&w->strmap, s, (void *)(uintptr_t)(w->strings.len + 1));
    if (v)
        return (uint32_t)((uintptr_t)v - 1);
    return string_append(w, s);
}

static char *own(writer *w, char *s)
{
    if (s)
        KDX_VEC_PUSH(w->owned, s);
    return s;
}

static uint32_t type_id(writer *w, const kdx_type *t)
{
    if (!t)
        return SYMIDX_NONE;
    uint32_t id;
    if (u64_get(&w->typeids, (uint64_t)(uintptr_t)t, &id))
        return id;
    id = (uint32_t)w->nodes.len;
    symidx_type blank = {0};
    KDX_VEC_PUSH(w->types, blank);
    KDX_VEC_PUSH(w->nodes, t);
    u64_put(&w->typeids, (uint64_t)(uintptr_t)t, id);
    return id;
}

static void describe_members(writer *w, const kdx_type *t, symidx_type *r)
{
    uint32_t n = 0;
    if (t->kind == KDX_TYPE_STRUCT || t->kind == KDX_TYPE_UNION || t->kind == KDX_TYPE_CLASS) {
        const kdx_field *f = kdx_type_fields(t, &n);
        r->first_field = (uint32_t)w->fields.len;
        r->nfields = n;
        for (uint32_t i = 0; i < n; i++) {
            symidx_field sf = {string_id(w, f[i].name), type_id(w, f[i].type), f[i].offset};
            KDX_VEC_PUSH(w->fields, sf);
        }
    } else if (t->kind == KDX_TYPE_ENUM) {
        const kdx_enumerator *e = kdx_type_enumerators(t, &n);
        r->first_enum = (uint32_t)w->enums.len;
        r->nenums = n;
        for (uint32_t i = 0; i < n; i++) {
            symidx_enum se = {string_id(w, e[i].name), 0, e[i].value};
            KDX_VEC_PUSH(w->enums, se);
        }
    }
}

/* Describes every type met so far, and those they lead to. */
static void describe_types(writer *w)
{
    for (size_t id = 0; id < w->nodes.len; id++) {
        const kdx_type *t = w->nodes.items[id];
        symidx_type r = {
            .kind = (uint32_t)t->kind, .name = string_id(w, t->name), .size = t->size,
            .count = t->count, .base = (uint32_t)t->base, .target = type_id(w, t->target),
            .bit_pos = t->bit_pos, .bit_len = t->bit_len,
            .flags = (uint8_t)((t->is_const ? SYMIDX_T_CONST : 0) |
                               (t->is_volatile ? SYMIDX_T_VOLATILE : 0) |
                               (t->is_forward ? SYMIDX_T_FORWARD : 0)),
        };
        describe_members(w, t, &r);
        w->types.items[id] = r;
    }
}

/* ---- symbols ---- */

static uint32_t add_symbol(writer *w, const kdx_symbol *s)
{
    symidx_sym r = {string_append(w, s->name), s->rva, s->size, (uint32_t)s->kind, s->flags,
                    type_id(w, s->type), kdx_symbol_class(s), {0, 0, 0}, 0};
    KDX_VEC_PUSH(w->syms, r);
    KDX_VEC_PUSH(w->answers, *s);
    uint32_t none = SYMIDX_NONE;
    KDX_VEC_PUSH(w->extra_next, none);
    return (uint32_t)w->syms.len - 1;
}

static int collect(void *ud, const kdx_symbol *s)
{
    add_symbol(ud, s);
    return 0;
}

typedef struct listing_size {
    size_t n, chars;
} listing_size;

static int measure(void *ud, const kdx_symbol *s)
{
    listing_size *m = ud;
    m->n++;
    m->chars += s->name ? strlen(s->name) + 1 : 0;
    return 0;
}

#define RESERVE(v, n)                                                   \
    do {                                                                \
        (v).items = kdx_xrealloc((v).items, ((n) ? (n) : 1) * sizeof *(v).items); \
        (v).cap = (n) ? (n) : 1;                                        \
    } while (0)

/* Room for the listing: its records and names are then stored without
 * growing (and copying) the arrays as they fill, which costs more than
 * listing twice a table held in memory (ISF, Breakpad; a PDB decodes its
 * records as it lists them, so it is listed once). */
static void reserve_listing(writer *w)
{
    listing_size m = {0, 0};
    if (w->prov->ops->enumerate(w->prov->impl, "*", measure, &m) != KDX_OK)
        return;
    RESERVE(w->syms, m.n);
    RESERVE(w->answers, m.n);
    RESERVE(w->extra_next, m.n);
    RESERVE(w->order, m.n);
    RESERVE(w->strings, w->strings.len + m.chars + 1);
}

static bool same_symbol(const kdx_symbol *a, const kdx_symbol *b)
{
    return a->rva == b->rva && a->size == b->size && a->kind == b->kind && a->type == b->type &&
           a->flags == b->flags &&
           (a->name == b->name || (a->name && b->name && strcmp(a->name, b->name) == 0));
}

static int cmp_rva(const void *a, const void *b, void *ud)
{
    const writer *w = ud;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    uint32_t x = w->answers.items[i].rva, y = w->answers.items[j].rva;
    return x != y ? (x < y ? -1 : 1) : (i > j) - (i < j); /* then in enumeration order */
}

/* Whether the first n answers are already in cmp_rva order (enumeration order
 * breaks ties, so addresses that never decrease are enough). */
static bool in_rva_order(const writer *w, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        if (w->answers.items[i].rva < w->answers.items[i - 1].rva)
            return false;
    return true;
}

/* The record of a lookup's answer: an enumerated symbol equal to it, else
 * one added for lookups only. */
static uint32_t answer_id(writer *w, const kdx_symbol *s)
{
    size_t lo = 0, hi = w->order.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->answers.items[w->order.items[mid]].rva < s->rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < w->order.len && w->answers.items[w->order.items[i]].rva == s->rva; i++)
        if (same_symbol(&w->answers.items[w->order.items[i]], s))
            return w->order.items[i];
    uint32_t id;
    bool any = u64_get(&w->extra, (uint64_t)s->rva + 1, &id);
    for (uint32_t k = any ? id : SYMIDX_NONE; k != SYMIDX_NONE; k = w->extra_next.items[k])
        if (same_symbol(&w->answers.items[k], s))
            return k;
    uint32_t nid = add_symbol(w, s);
    w->extra_next.items[nid] = any ? id : SYMIDX_NONE;
    u64_put(&w->extra, (uint64_t)s->rva + 1, nid);
    return nid;
}

/* by_rva's answer (and the parameter list) at every address a symbol starts
 * at: asked of the provider, or (listed) the first symbol enumerated there. */
static void address_answers(writer *w, bool ask)
{
    const kdx_symprov_ops *ops = w->prov->ops;
    for (size_t i = 0; i < w->order.len; i++) {
        uint32_t rva = w->answers.items[w->order.items[i]].rva;
        if (i && rva == w->answers.items[w->order.items[i - 1]].rva)
            continue;
        kdx_symbol s;
        symidx_rva r = {rva, SYMIDX_NONE, SYMIDX_NONE, 0};
        if (!ask)
            r.sym = w->order.items[i];
        else if (ops->by_rva(w->prov->impl, rva, &s) == KDX_OK)
            r.sym = answer_id(w, &s);
        if (ops->params_at)
            r.params = string_id(w, own(w, ops->params_at(w->prov->impl, rva)));
        KDX_VEC_PUSH(w->rvas, r);
    }
}

/* ---- name tables: open addressing, filled as answers are found ---- */

/* A slot as built: the file's slot and its key's hash, kept here only
 * (probes compare strings only when hashes agree, growth hashes nothing
 * again) and side by side (one cache line per probe). */
typedef struct wslot {
    uint32_t key;      /* string, NONE for an empty slot */
    uint32_t value;
    uint64_t hash;
} wslot;

typedef struct htab {
    wslot *slots;
    size_t cap, len;
    bool lower;    /* keys hash lower-cased and compare ignoring case */
} htab;

static uint64_t key_hash(const char *key, bool lower)
{
    size_t n = strlen(key);
    if (!lower)
        return kdx_symidx_hash(key, n);
    char small[256];
    char *low = n < sizeof small ? small : kdx_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)key[i]);
    uint64_t h = kdx_symidx_hash(low, n);
    if (low != small)
        free(low);
    return h;
}

/* Room for n keys, the table at most 3/4 full. */
static void htab_init(htab *t, size_t n, bool lower)
{
    t->cap = 8;
    while (t->cap < n + n / 3 + 1)
        t->cap *= 2;
    t->slots = kdx_xmalloc(t->cap * sizeof *t->slots);
    for (size_t i = 0; i < t->cap; i++)
        t->slots[i] = (wslot){SYMIDX_NONE, SYMIDX_NONE, 0};
    t->lower = lower;
    t->len = 0;
}

static void htab_free(htab *t)
{
    free(t->slots);
}

/* The index of key's slot (key has hash h), or of the free slot where it belongs. */
static size_t htab_find_h(const writer *w, const htab *t, const char *key, uint64_t h)
{
    size_t i = h & (t->cap - 1);
    for (; t->slots[i].key != SYMIDX_NONE; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i].hash != h)
            continue;
        const char *k = w->strings.items + t->slots[i].key;
        if ((t->lower ? kdx_strcasecmp(k, key) : strcmp(k, key)) == 0)
            break;
    }
    return i;
}

/* The slot of key (a string of the blob, or any text) or the free slot where it belongs. */
static wslot *htab_find(const writer *w, const htab *t, const char *key)
{
    return &t->slots[htab_find_h(w, t, key, key_hash(key, t->lower))];
}

static void htab_put_h(writer *w, htab *t, uint32_t key, uint32_t value, uint64_t h);

static void htab_grow(writer *w, htab *t)
{
    htab old = *t;
    htab_init(t, old.cap, old.lower);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key != SYMIDX_NONE)
            htab_put_h(w, t, old.slots[i].key, old.slots[i].value, old.slots[i].hash);
    htab_free(&old);
}

/* The first answer stored under a key stays. */
static void htab_put_h(writer *w, htab *t, uint32_t key, uint32_t value, uint64_t h)
{
    if ((t->len + 1) * 4 > t->cap * 3)
        htab_grow(w, t);
    size_t i = htab_find_h(w, t, w->strings.items + key, h);
    if (t->slots[i].key == SYMIDX_NONE) {
        t->slots[i] = (wslot){key, value, h};
        t->len++;
    }
}

static void htab_put(writer *w, htab *t, uint32_t key, uint32_t value)
{
    htab_put_h(w, t, key, value, key_hash(w->strings.items + key, t->lower));
}

/* Providers built on kdx_symindex (ISF, Breakpad) answer from their
 * enumeration order: by_name the first symbol with the name, else the first
 * whose name matches ignoring case; by_rva the first symbol at the address
 * found. The index records exactly that without asking them. */
#define PREFETCH_AHEAD 16

static void listed_answers(writer *w, htab *names, htab *lnames)
{
    /* Every key hashed first, so that each slot can be fetched from memory
     * a few keys ahead of its use: the tables (1 MB for a kernel) are
     * written at random, and waiting for each slot cost more than the rest. */
    size_t n = w->order.len;
    uint64_t *h = kdx_xmalloc((2 * n + 1) * sizeof *h);
    for (size_t id = 0; id < n; id++) {
        uint32_t key = w->syms.items[id].name;
        h[2 * id] = key == SYMIDX_NONE ? 0 : key_hash(w->strings.items + key, false);
        h[2 * id + 1] = key == SYMIDX_NONE ? 0 : key_hash(w->strings.items + key, true);
    }
    for (size_t id = 0; id < n; id++) {
        if (id + PREFETCH_AHEAD < n) {
            __builtin_prefetch(&names->slots[h[2 * (id + PREFETCH_AHEAD)] & (names->cap - 1)], 1);
            __builtin_prefetch(&lnames->slots[h[2 * (id + PREFETCH_AHEAD) + 1] & (lnames->cap - 1)], 1);
        }
        uint32_t key = w->syms.items[id].name;
        if (key != SYMIDX_NONE) {
            htab_put_h(w, names, key, (uint32_t)id, h[2 * id]);
            htab_put_h(w, lnames, key, (uint32_t)id, h[2 * id + 1]);
        }
    }
    free(h);
}

/* Other providers (PDB) are asked for each name they enumerate. */
static void asked_answers(writer *w, htab *names)
{
    size_t n = w->syms.len; /* answer_id may add records: those are not keys */
    for (size_t i = 0; i < n; i++) {
        const char *name = w->answers.items[i].name;
        wslot *slot = name ? htab_find(w, names, name) : NULL;
        if (!slot || slot->key != SYMIDX_NONE)
            continue;
        uint32_t key = w->syms.items[i].name;
        kdx_symbol s;
        uint32_t value = w->prov->ops->by_name(w->prov->impl, name, &s) == KDX_OK ? answer_id(w, &s)
                                                                                 : SYMIDX_NONE;
        htab_put(w, names, key, value); /* the slot may have moved: answer_id adds strings */
    }
}

/* ---- types ---- */

static int list_type(void *ud, const kdx_type *t)
{
    writer *w = ud;
    uint32_t id = type_id(w, t);
    KDX_VEC_PUSH(w->tlist, id);
    return 0;
}

typedef struct type_keys {
    writer *w;
    htab *tab;
} type_keys;

static int type_key(void *ud, const char *key)
{
    type_keys *k = ud;
    if (!key || htab_find(k->w, k->tab, key)->key != SYMIDX_NONE)
        return 0;
    const kdx_type *t = k->w->prov->ops->find_type(k->w->prov->impl, key);
    uint32_t id = type_id(k->w, t);
    htab_put(k->w, k->tab, string_id(k->w, key), id);
    return 0;
}

/* The types the provider enumerates, and its answer for every type name. */
static void type_answers(writer *w, htab *tnames)
{
    const kdx_symprov_ops *ops = w->prov->ops;
    if (ops->enumerate_types)
        ops->enumerate_types(w->prov->impl, "*", list_type, w);
    if (!ops->find_type)
        return;
    type_keys k = {w, tnames};
    if (ops->type_names) {
        ops->type_names(w->prov->impl, type_key, &k);
    } else {
        size_t n = w->tlist.len;
        for (size_t i = 0; i < n; i++)
            type_key(&k, w->nodes.items[w->tlist.items[i]]->name);
    }
}

/* ---- lines and frame data: the answer at every address where it may change ---- */

static int keep_break(void *ud, uint32_t rva)
{
    writer *w = ud;
    KDX_VEC_PUSH(w->breaks, rva);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The provider's break addresses, sorted and unique; false when it has none to give. */
static bool collect_breaks(writer *w, kdx_status (*breaks)(void *, kdx_rva_cb, void *))
{
    w->breaks.len = 0;
    if (!breaks || breaks(w->prov->impl, keep_break, w) != KDX_OK)
        return false;
    if (w->breaks.len)
        kdx_sort(w->breaks.items, w->breaks.len, sizeof *w->breaks.items, cmp_u32);
    size_t n = 0;
    for (size_t i = 0; i < w->breaks.len; i++)
        if (!n || w->breaks.items[i] != w->breaks.items[n - 1])
            w->breaks.items[n++] = w->breaks.items[i];
    w->breaks.len = n;
    return true;
}

static bool line_answers(writer *w)
{
    const kdx_symprov_ops *ops = w->prov->ops;
    if (!ops->line_for_rva || !collect_breaks(w, ops->line_breaks))
        return false;
    for (size_t i = 0; i < w->breaks.len; i++) {
        const char *file = NULL;
        uint32_t line = 0;
        symidx_line l = {w->breaks.items[i], SYMIDX_NONE, 0, 0};
        if (ops->line_for_rva(w->prov->impl, l.rva, &file, &line) == KDX_OK && file) {
            l.file = string_id(w, file);
            l.line = line;
        }
        KDX_VEC_PUSH(w->lines, l);
    }
    return true;
}

static bool frame_answers(writer *w)
{
    const kdx_symprov_ops *ops = w->prov->ops;
    if (!ops->frame_data_for_rva || !collect_breaks(w, ops->frame_breaks))
        return false;
    for (size_t i = 0; i < w->breaks.len; i++) {
        kdx_frame_data fd;
        symidx_frame f = {.rva = w->breaks.items[i], .program = SYMIDX_NONE};
        if (ops->frame_data_for_rva(w->prov->impl, f.rva, &fd) == KDX_OK) {
            f.flags = SYMIDX_F_FOUND | (fd.has_program ? SYMIDX_F_PROGRAM : 0) |
                      (fd.uses_base_pointer ? SYMIDX_F_BP : 0) | (fd.has_seh ? SYMIDX_F_SEH : 0) |
                      (fd.is_fpo ? SYMIDX_F_FPO : 0);
            f.rva_start = fd.rva_start, f.code_size = fd.code_size, f.prolog_size = fd.prolog_size;
            f.saved_regs_size = fd.saved_regs_size, f.params_size = fd.params_size;
            f.locals_size = fd.locals_size, f.max_stack_size = fd.max_stack_size;
            f.program = string_id(w, fd.program);
        }
        KDX_VEC_PUSH(w->frames, f);
    }
    return true;
}

/* ---- layout ---- */

typedef struct sec_src {
    uint32_t id, elem;
    const void *data;
    size_t count;
    bool slots;        /* data is a name table as built (wslot), stored as symidx_slot */
} sec_src;

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Where the image goes as it is laid out: memory, or a file (hashed as it
 * is written, so that it is never held whole in memory). */
typedef struct emitter {
    uint8_t *buf;          /* the image, or NULL */
    FILE *fp;              /* else the file */
    kdx_hash_stream *hs;   /* the file's checksum so far */
    size_t off;
    bool ok;
} emitter;

static void emit(emitter *e, const void *p, size_t n)
{
    if (!n)
        return;
    if (e->buf) {
        memcpy(e->buf + e->off, p, n);
    } else {
        e->ok = e->ok && fwrite(p, 1, n, e->fp) == n;
        size_t skip = e->off < SYMIDX_CHECKSUM_FROM ? KDX_MIN(n, SYMIDX_CHECKSUM_FROM - e->off) : 0;
        kdx_hash_stream_add(e->hs, (const uint8_t *)p + skip, n - skip);
    }
    e->off += n;
}

static void emit_pad(emitter *e)
{
    static const uint8_t zero[8];
    emit(e, zero, align8(e->off) - e->off);
}

/* A name table's slots without their hashes, a few hundred at a time. */
static void emit_slots(emitter *e, const wslot *s, size_t n)
{
    symidx_slot chunk[512];
    for (size_t i = 0; i < n;) {
        size_t m = KDX_MIN(n - i, KDX_ARRAY_LEN(chunk));
        for (size_t k = 0; k < m; k++)
            chunk[k] = (symidx_slot){s[i + k].key, s[i + k].value};
        emit(e, chunk, m * sizeof *chunk);
        i += m;
    }
}

static size_t image_size(const sec_src *secs, uint32_t nsec)
{
    size_t total = align8(SYMIDX_HEADER_SIZE + nsec * sizeof(symidx_section));
    for (uint32_t i = 0; i < nsec; i++)
        total = align8(total + secs[i].elem * secs[i].count);
    return total;
}

/* Header (checksum zero), section table and sections, each 8-byte aligned. */
static void emit_image(emitter *e, const symidx_header *h0, const sec_src *secs, uint32_t nsec, size_t total)
{
    symidx_header h = *h0;
    h.file_size = total;
    h.nsections = nsec;
    h.checksum = 0;
    emit(e, &h, sizeof h);
    size_t off = align8(SYMIDX_HEADER_SIZE + nsec * sizeof(symidx_section));
    for (uint32_t i = 0; i < nsec; i++) {
        symidx_section t = {secs[i].id, secs[i].elem, off, secs[i].count};
        emit(e, &t, sizeof t);
        off = align8(off + secs[i].elem * secs[i].count);
    }
    emit_pad(e);
    for (uint32_t i = 0; i < nsec; i++) {
        if (secs[i].slots)
            emit_slots(e, secs[i].data, secs[i].count);
        else
            emit(e, secs[i].data, secs[i].elem * secs[i].count);
        emit_pad(e);
    }
}

static uint8_t *lay_out(const symidx_header *h0, const sec_src *secs, uint32_t nsec, size_t *len)
{
    size_t total = image_size(secs, nsec);
    emitter e = {.buf = kdx_xmalloc(total), .ok = true};
    emit_image(&e, h0, secs, nsec, total);
    symidx_header *h = (symidx_header *)e.buf;
    h->checksum = kdx_symidx_hash(e.buf + SYMIDX_CHECKSUM_FROM, total - SYMIDX_CHECKSUM_FROM);
    *len = total;
    return e.buf;
}

/* The image written to fp as it is laid out, then its checksum in place. */
static bool write_out(FILE *fp, const symidx_header *h0, const sec_src *secs, uint32_t nsec, size_t *len)
{
    size_t total = image_size(secs, nsec);
    emitter e = {.fp = fp, .hs = kdx_hash_stream_new(), .ok = true};
    emit_image(&e, h0, secs, nsec, total);
    uint64_t sum = kdx_hash_stream_end(e.hs);
    *len = total;
    return e.ok && fseek(fp, offsetof(symidx_header, checksum), SEEK_SET) == 0 &&
           fwrite(&sum, sizeof sum, 1, fp) == 1 && fflush(fp) == 0;
}

static uint32_t prov_flags(const kdx_symprov_ops *ops, bool complete_names, bool lines, bool frames)
{
    uint32_t stored = (lines ? SYMIDX_LINES_STORED : 0) | (frames ? SYMIDX_FRAMES_STORED : 0);
    return (complete_names ? SYMIDX_COMPLETE_NAMES : 0) |
           (ops->type_names ? SYMIDX_COMPLETE_TYPES : 0) |
           (ops->find_type || ops->enumerate_types ? SYMIDX_HAS_TYPES : 0) |
           (ops->line_for_rva ? SYMIDX_HAS_LINES : 0) |
           (ops->frame_data_for_rva ? SYMIDX_HAS_FRAMES : 0) |
           (ops->params_at ? SYMIDX_HAS_PARAMS : 0) | stored;
}

static void fill_header(symidx_header *h, const writer *w, const kdx_symfile_id *id,
                        const kdx_symidx_source *src, bool complete_names, bool lines, bool frames)
{
    memcpy(h->magic, SYMIDX_MAGIC, 8);
    h->version = SYMIDX_VERSION;
    h->header_size = SYMIDX_HEADER_SIZE;
    h->src = *src;
    memcpy(h->guid, id->guid, 16);
    h->age = id->age;
    h->arch = (uint32_t)id->arch;
    h->id_flags = (id->has_guid ? SYMIDX_ID_GUID : 0) | (id->has_types ? SYMIDX_ID_TYPES : 0) |
                  (id->private_symbols ? SYMIDX_ID_PRIVATE : 0);
    h->prov_flags = prov_flags(w->prov->ops, complete_names, lines, frames);
}

static void writer_free(writer *w)
{
    for (size_t i = 0; i < w->owned.len; i++)
        free(w->owned.items[i]);
    KDX_VEC_FREE(w->owned);
    KDX_VEC_FREE(w->strings);
    kdx_namemap_free(&w->strmap);
    KDX_VEC_FREE(w->syms);
    KDX_VEC_FREE(w->answers);
    KDX_VEC_FREE(w->order);
    u64_free(&w->extra);
    KDX_VEC_FREE(w->extra_next);
    KDX_VEC_FREE(w->rvas);
    u64_free(&w->typeids);
    KDX_VEC_FREE(w->types);
    KDX_VEC_FREE(w->nodes);
    KDX_VEC_FREE(w->fields);
    KDX_VEC_FREE(w->enums);
    KDX_VEC_FREE(w->tlist);
    KDX_VEC_FREE(w->breaks);
    KDX_VEC_FREE(w->lines);
    KDX_VEC_FREE(w->frames);
}

/* Builds prov's index and lays it out into *out (fp NULL) or fp. */
static kdx_status build(const kdx_symprov *prov, const kdx_symfile_id *id, const kdx_symidx_source *src,
                        uint8_t **out, FILE *fp, size_t *len, kdx_err *err)
{
    writer w = {.prov = prov};
    /* Names answered from the symbol list alone (exact, then case-insensitive):
     * the providers built on kdx_symindex. A PDB also knows decorated names. */
    bool complete = src->kind != SYMIDX_SRC_PDB;
    string_id(&w, ""); /* offset 0: an empty blob never happens */
    if (complete)
        reserve_listing(&w);
    prov->ops->enumerate(prov->impl, "*", collect, &w);
    uint32_t nenum = (uint32_t)w.syms.len;
    for (uint32_t i = 0; i < nenum; i++)
        KDX_VEC_PUSH(w.order, i);
    if (!in_rva_order(&w, nenum)) /* kdx_symindex-based providers list in order */
        qsort_r(w.order.items, nenum, sizeof *w.order.items, cmp_rva, &w);
    htab names, lnames, tnames;
    htab_init(&names, nenum, false);
    htab_init(&lnames, complete ? nenum : 0, true);
    htab_init(&tnames, 0, false);
    address_answers(&w, !complete);
    if (complete)
        listed_answers(&w, &names, &lnames);
    else
        asked_answers(&w, &names);
    type_answers(&w, &tnames);
    describe_types(&w);
    bool lines = line_answers(&w), frames = frame_answers(&w);
    if (w.st != KDX_OK) {
        writer_free(&w);
        htab_free(&names);
        htab_free(&lnames);
        htab_free(&tnames);
        return kdx_err_set(err, w.st, "the symbol index would exceed its 4 GB string limit");
    }
    sec_src secs[] = {
        {SYMIDX_SEC_STRINGS, 1, w.strings.items, w.strings.len, false},
        {SYMIDX_SEC_SYMS, sizeof(symidx_sym), w.syms.items, w.syms.len, false},
        {SYMIDX_SEC_RVAS, sizeof(symidx_rva), w.rvas.items, w.rvas.len, false},
        {SYMIDX_SEC_NAMES, sizeof(symidx_slot), names.slots, names.cap, true},
        {SYMIDX_SEC_LNAMES, sizeof(symidx_slot), lnames.slots, complete ? lnames.cap : 0, true},
        {SYMIDX_SEC_TYPES, sizeof(symidx_type), w.types.items, w.types.len, false},
        {SYMIDX_SEC_FIELDS, sizeof(symidx_field), w.fields.items, w.fields.len, false},
        {SYMIDX_SEC_ENUMS, sizeof(symidx_enum), w.enums.items, w.enums.len, false},
        {SYMIDX_SEC_TNAMES, sizeof(symidx_slot), tnames.slots, tnames.cap, true},
        {SYMIDX_SEC_TLIST, sizeof(uint32_t), w.tlist.items, w.tlist.len, false},
        {SYMIDX_SEC_LINES, sizeof(symidx_line), w.lines.items, w.lines.len, false},
        {SYMIDX_SEC_FRAMES, sizeof(symidx_frame), w.frames.items, w.frames.len, false},
    };
    symidx_header h = {0};
    fill_header(&h, &w, id, src, complete, lines, frames);
    h.nenum_syms = nenum;
    kdx_status st = KDX_OK;
    if (!fp)
        *out = lay_out(&h, secs, KDX_ARRAY_LEN(secs), len);
    else if (!write_out(fp, &h, secs, KDX_ARRAY_LEN(secs), len))
        st = kdx_err_set(err, KDX_E_IO, "writing the symbol index failed: %s", strerror(errno ? errno : EIO));
    htab_free(&names);
    htab_free(&lnames);
    htab_free(&tnames);
    writer_free(&w);
    return st;
}

kdx_status kdx_symidx_build(const kdx_symprov *prov, const kdx_symfile_id *id,
                            const kdx_symidx_source *src, uint8_t **out, size_t *len, kdx_err *err)
{
    return build(prov, id, src, out, NULL, len, err);
}

kdx_status kdx_symidx_write(const kdx_symprov *prov, const kdx_symfile_id *id,
                            const kdx_symidx_source *src, FILE *fp, size_t *len, kdx_err *err)
{
    errno = 0;
    return build(prov, id, src, NULL, fp, len, err);
}
