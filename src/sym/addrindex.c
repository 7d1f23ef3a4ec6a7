/* Building a module's address index (see addrindex.h). */
#include "sym/addrindex.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pe/pe.h"
#include "sym/symclass.h"
#include "sym/symidx.h"

typedef KDX_VEC(kdx_addrentry) entry_vec;

typedef struct builder {
    entry_vec v;
    kdx_pe *image;
    /* The kind of the last section-aligned block looked up: listings come in
     * address order, and a block lies in one section (tens of thousands of
     * symbols, a few dozen sections). */
    uint32_t block, align;
    uint8_t block_cls;
    bool have_block;
} builder;

/* The class of rva by its section: a symbol in an executable section may
 * name code; anywhere else (a data section, the headers, outside the image)
 * it names data. */
static uint8_t section_class(builder *b, uint32_t rva)
{
    uint32_t block = b->align ? rva / b->align : rva;
    if (!b->align || !b->have_block || block != b->block) {
        b->block_cls = kdx_pe_rva_kind_of(b->image, rva) == KDX_PE_RVA_CODE ? KDX_SYMF_CODE
                                                                            : KDX_SYMF_DATA;
        b->block = block;
        b->have_block = true;
    }
    return b->block_cls;
}

/* What the provider and the name leave open, the section decides. */
static uint8_t classify(builder *b, const kdx_symbol *sym)
{
    uint8_t cls = kdx_symbol_class(sym);
    return cls || !b->image ? cls : section_class(b, sym->rva);
}

static int add_entry(void *ud, const kdx_symbol *sym)
{
    builder *b = ud;
    if (!sym->name)
        return 0;
    kdx_addrentry e = {sym->rva, sym->size, sym->kind, classify(b, sym), sym->name};
    KDX_VEC_PUSH(b->v, e);
    return 0;
}

/* An index lists its symbols with their class stored and their number
 * known: the same entries as add_entry makes, without testing names or
 * making type nodes (a kernel lists 40,000 symbols on every open). */
static void index_listing(builder *b, const kdx_symprov *prov, size_t n)
{
    b->v.items = kdx_xmalloc(n * sizeof *b->v.items);
    b->v.cap = n;
    for (size_t i = 0; i < n; i++) {
        kdx_symidx_listed r;
        kdx_symidx_listed_at(prov, i, &r);
        if (!r.name)
            continue;
        uint8_t cls = r.cls || !b->image ? r.cls : section_class(b, r.rva);
        b->v.items[b->v.len++] = (kdx_addrentry){r.rva, r.size, r.kind, cls, r.name};
    }
}

/* Between names at one address: a function, then data, then publics, exports. */
static int kind_rank(kdx_symkind k)
{
    switch (k) {
    case KDX_SYM_FUNCTION: return 0;
    case KDX_SYM_DATA: return 1;
    case KDX_SYM_PUBLIC: return 2;
    case KDX_SYM_EXPORT: return 3;
    default: return 4;
    }
}

static int entry_cmp(const void *a, const void *b)
{
    const kdx_addrentry *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    int r = kind_rank(x->kind) - kind_rank(y->kind);
    return r ? r : strcmp(x->name, y->name);
}

/* Puts v in entry_cmp order. Listings mostly come in address order already
 * (an index's always): then only the names that share an address are put
 * in order, a few at a time, instead of sorting tens of thousands. */
static void sort_entries(entry_vec *v)
{
    kdx_addrentry *e = v->items;
    size_t n = v->len;
    for (size_t i = 1; i < n; i++) {
        if (e[i].rva < e[i - 1].rva) {
            kdx_sort(e, n, sizeof *e, entry_cmp);
            return;
        }
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].rva == e[i].rva; j++)
            ;
        if (j - i > 1)
            kdx_sort(e + i, j - i, sizeof *e, entry_cmp);
    }
}

/* The first (best-ranked) entry at each address of sorted v[0..n), only
 * among those that may name code when code_only, written to out (which may
 * be v itself: it is written no faster than read). */
static size_t one_per_address(kdx_addrentry *out, const kdx_addrentry *v, size_t n, bool code_only)
{
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        if (code_only && v[r].cls == KDX_SYMF_DATA)
            continue;
        if (w == 0 || out[w - 1].rva != v[r].rva)
            out[w++] = v[r];
    }
    return w;
}

/* An index's listing already in entry_cmp order (an ISF's or Breakpad's:
 * kdx_symindex lists by address, functions first, then by name) goes
 * straight into both tables as listing positions, with no copy of the
 * listing, no sort and no second pass; false (the tables freed) at the
 * first entry out of order. */
static bool ordered_listing(builder *b, kdx_addrindex *ix, const kdx_symprov *prov, size_t n)
{
    kdx_addrtable *all = &ix->all, *code = &ix->code;
    all->ids = kdx_xmalloc(n * sizeof *all->ids);
    all->cls = kdx_xmalloc(n);
    code->ids = kdx_xmalloc(n * sizeof *code->ids);
    code->cls = kdx_xmalloc(n);
    ix->prov = *prov;
    kdx_addrentry prev = {0};
    uint32_t all_rva = 0, code_rva = 0;
    for (size_t i = 0; i < n; i++) {
        kdx_symidx_listed r;
        kdx_symidx_listed_at(prov, i, &r);
        if (!r.name)
            continue;
        kdx_addrentry e = {r.rva, r.size, r.kind, r.cls || !b->image ? r.cls : section_class(b, r.rva), r.name};
        if (prev.name && entry_cmp(&prev, &e) > 0) {
            kdx_addrindex_free(ix);
            return false;
        }
        prev = e;
        if (!all->n || all_rva != e.rva) {
            all->ids[all->n] = (uint32_t)i;
            all->cls[all->n++] = e.cls;
            all_rva = e.rva;
        }
        if (e.cls != KDX_SYMF_DATA && (!code->n || code_rva != e.rva)) {
            code->ids[code->n] = (uint32_t)i;
            code->cls[code->n++] = e.cls;
            code_rva = e.rva;
        }
    }
    return true;
}

void kdx_addrindex_build(kdx_addrindex *ix, const kdx_symprov *prov, kdx_pe *image)
{
    memset(ix, 0, sizeof *ix);
    if (!prov->ops || !prov->ops->enumerate)
        return;
    builder b = {.image = image, .align = image ? kdx_pe_section_alignment(image) : 0};
    size_t listed = kdx_symidx_nlisted(prov);
    if (listed && ordered_listing(&b, ix, prov, listed)) {
        if (!ix->all.n)
            kdx_addrindex_free(ix);
        return;
    }
    if (listed)
        index_listing(&b, prov, listed);
    else if (prov->ops->enumerate(prov->impl, "*", add_entry, &b) != KDX_OK)
        b.v.len = 0;
    if (!b.v.len) {
        KDX_VEC_FREE(b.v);
        return;
    }
    sort_entries(&b.v);
    ix->code.v = kdx_xmalloc(b.v.len * sizeof *ix->code.v);
    ix->code.n = one_per_address(ix->code.v, b.v.items, b.v.len, true);
    /* The listing's own storage becomes the table of all addresses. */
    ix->all.n = one_per_address(b.v.items, b.v.items, b.v.len, false);
    ix->all.v = b.v.items;
}

static void table_free(kdx_addrtable *t)
{
    free(t->v);
    free(t->ids);
    free(t->cls);
}

void kdx_addrindex_free(kdx_addrindex *ix)
{
    table_free(&ix->all);
    table_free(&ix->code);
    memset(ix, 0, sizeof *ix);
}

kdx_addrentry kdx_addrindex_at(const kdx_addrindex *ix, const kdx_addrtable *t, size_t i)
{
    if (t->v)
        return t->v[i];
    kdx_symidx_listed r;
    kdx_symidx_listed_at(&ix->prov, t->ids[i], &r);
    return (kdx_addrentry){r.rva, r.size, r.kind, t->cls[i], r.name};
}

static uint32_t rva_at(const kdx_addrindex *ix, const kdx_addrtable *t, size_t i)
{
    if (t->v)
        return t->v[i].rva;
    kdx_symidx_listed r;
    kdx_symidx_listed_at(&ix->prov, t->ids[i], &r);
    return r.rva;
}

long kdx_addrindex_floor(const kdx_addrindex *ix, const kdx_addrtable *t, uint32_t rva)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rva_at(ix, t, mid) <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}
