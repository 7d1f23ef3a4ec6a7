/* Building a module's address index (see addrindex.h). */
#include "sym/addrindex.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pe/pe.h"
#include "sym/symclass.h"

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

/* What the provider and the name leave open, the section decides: a symbol
 * in an executable section may name code; anywhere else (a data section,
 * the headers, outside the image) it names data. */
static uint8_t classify(builder *b, const kdx_symbol *sym)
{
    uint8_t cls = kdx_symbol_class(sym);
    if (cls || !b->image)
        return cls;
    uint32_t block = b->align ? sym->rva / b->align : sym->rva;
    if (!b->align || !b->have_block || block != b->block) {
        b->block_cls = kdx_pe_rva_kind_of(b->image, sym->rva) == KDX_PE_RVA_CODE ? KDX_SYMF_CODE
                                                                                 : KDX_SYMF_DATA;
        b->block = block;
        b->have_block = true;
    }
    return b->block_cls;
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

void kdx_addrindex_build(kdx_addrindex *ix, const kdx_symprov *prov, kdx_pe *image)
{
    memset(ix, 0, sizeof *ix);
    if (!prov->ops || !prov->ops->enumerate)
        return;
    builder b = {.image = image, .align = image ? kdx_pe_section_alignment(image) : 0};
    if (prov->ops->enumerate(prov->impl, "*", add_entry, &b) != KDX_OK || !b.v.len) {
        KDX_VEC_FREE(b.v);
        return;
    }
    sort_entries(&b.v);
    ix->code = kdx_xmalloc(b.v.len * sizeof *ix->code);
    ix->ncode = one_per_address(ix->code, b.v.items, b.v.len, true);
    /* The listing's own storage becomes the table of all addresses. */
    ix->nall = one_per_address(b.v.items, b.v.items, b.v.len, false);
    ix->all = b.v.items;
}

void kdx_addrindex_free(kdx_addrindex *ix)
{
    free(ix->all);
    free(ix->code);
    memset(ix, 0, sizeof *ix);
}

long kdx_addrindex_floor(const kdx_addrentry *v, size_t n, uint32_t rva)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}
