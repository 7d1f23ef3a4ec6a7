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
} builder;

/* What the provider and the name leave open, the section decides: a symbol
 * in an executable section may name code; anywhere else (a data section,
 * the headers, outside the image) it names data. */
static uint8_t classify(const kdx_symbol *sym, kdx_pe *image)
{
    uint8_t cls = kdx_symbol_class(sym);
    if (cls || !image)
        return cls;
    return kdx_pe_rva_kind_of(image, sym->rva) == KDX_PE_RVA_CODE ? KDX_SYMF_CODE : KDX_SYMF_DATA;
}

static int add_entry(void *ud, const kdx_symbol *sym)
{
    builder *b = ud;
    if (!sym->name)
        return 0;
    kdx_addrentry e = {sym->rva, sym->size, sym->kind, classify(sym, b->image), sym->name};
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

/* The first (best-ranked) entry at each address of sorted v, only among
 * those that may name code when code_only. */
static kdx_addrentry *one_per_address(const entry_vec *v, bool code_only, size_t *n)
{
    kdx_addrentry *out = kdx_xcalloc(v->len ? v->len : 1, sizeof *out);
    size_t w = 0;
    for (size_t r = 0; r < v->len; r++) {
        const kdx_addrentry *e = &v->items[r];
        if (code_only && e->cls == KDX_SYMF_DATA)
            continue;
        if (w == 0 || out[w - 1].rva != e->rva)
            out[w++] = *e;
    }
    *n = w;
    return out;
}

void kdx_addrindex_build(kdx_addrindex *ix, const kdx_symprov *prov, kdx_pe *image)
{
    memset(ix, 0, sizeof *ix);
    if (!prov->ops || !prov->ops->enumerate)
        return;
    builder b = {.image = image};
    if (prov->ops->enumerate(prov->impl, "*", add_entry, &b) != KDX_OK || !b.v.len) {
        KDX_VEC_FREE(b.v);
        return;
    }
    qsort(b.v.items, b.v.len, sizeof *b.v.items, entry_cmp);
    ix->all = one_per_address(&b.v, false, &ix->nall);
    ix->code = one_per_address(&b.v, true, &ix->ncode);
    KDX_VEC_FREE(b.v);
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
