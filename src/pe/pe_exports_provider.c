/* Export symbols: when no symbol file matches, WinDbg names code by the
 * image's export table ("export symbols"). The table is read once from the
 * image in target memory and indexed by RVA and by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pe/pe.h"
#include "sym/sources.h"

typedef struct export_sym {
    char *name;
    uint32_t rva;
} export_sym;

typedef struct exports_prov {
    export_sym *by_rva;     /* sorted by rva, then name */
    export_sym **by_name;   /* sorted by strcmp */
    size_t n;
} exports_prov;

static int collect_export(void *ud, const char *name, uint32_t ordinal, uint32_t rva,
                          const char *forwarder)
{
    KDX_VEC(export_sym) *v = ud;
    if (forwarder)
        return 0; /* no code in this image */
    export_sym e = {name ? kdx_strdup(name) : kdx_asprintf("Ordinal%u", ordinal), rva};
    KDX_VEC_PUSH(*v, e);
    return 0;
}

static int cmp_rva(const void *a, const void *b)
{
    const export_sym *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
    const export_sym *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void fill(const export_sym *e, kdx_symbol *out)
{
    memset(out, 0, sizeof *out);
    out->name = e->name;
    out->rva = e->rva;
    out->kind = KDX_SYM_EXPORT;
}

static void exports_destroy(void *impl)
{
    exports_prov *p = impl;
    for (size_t i = 0; i < p->n; i++)
        free(p->by_rva[i].name);
    free(p->by_rva);
    free(p->by_name);
    free(p);
}

static kdx_status exports_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    exports_prov *p = impl;
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->by_rva[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return KDX_E_NOT_FOUND;
    /* Several names at one RVA: the first by name, as sorted. */
    size_t i = lo - 1;
    while (i > 0 && p->by_rva[i - 1].rva == p->by_rva[i].rva)
        i--;
    fill(&p->by_rva[i], out);
    return KDX_OK;
}

static kdx_status exports_by_name(void *impl, const char *name, kdx_symbol *out)
{
    exports_prov *p = impl;
    export_sym key = {(char *)name, 0}, *kp = &key;
    export_sym **hit = bsearch(&kp, p->by_name, p->n, sizeof *p->by_name, cmp_name);
    if (hit) {
        fill(*hit, out);
        return KDX_OK;
    }
    for (size_t i = 0; i < p->n; i++)
        if (kdx_strcasecmp(p->by_rva[i].name, name) == 0) {
            fill(&p->by_rva[i], out);
            return KDX_OK;
        }
    return KDX_E_NOT_FOUND;
}

static kdx_status exports_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    exports_prov *p = impl;
    for (size_t i = 0; i < p->n; i++) {
        if (pattern && !kdx_wildcard_match(pattern, p->by_rva[i].name))
            continue;
        kdx_symbol s;
        fill(&p->by_rva[i], &s);
        if (cb(ud, &s))
            break;
    }
    return KDX_OK;
}

static const kdx_symprov_ops exports_ops = {
    .kind = "export",
    .destroy = exports_destroy,
    .by_rva = exports_by_rva,
    .by_name = exports_by_name,
    .enumerate = exports_enumerate,
};

/* Builds the provider from an opened image (also used for images read from files). */
kdx_status kdx_pe_exports_provider_from_pe(kdx_pe *pe, kdx_symprov *out, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    KDX_VEC(export_sym) v = {0};
    kdx_status st = kdx_pe_exports(pe, collect_export, &v, err);
    if (st != KDX_OK) {
        for (size_t i = 0; i < v.len; i++)
            free(v.items[i].name);
        KDX_VEC_FREE(v);
        return st;
    }
    exports_prov *p = kdx_xcalloc(1, sizeof *p);
    p->by_rva = v.items;
    p->n = v.len;
    if (p->n)
        qsort(p->by_rva, p->n, sizeof *p->by_rva, cmp_rva);
    p->by_name = kdx_xcalloc(p->n ? p->n : 1, sizeof *p->by_name);
    for (size_t i = 0; i < p->n; i++)
        p->by_name[i] = &p->by_rva[i];
    if (p->n)
        qsort(p->by_name, p->n, sizeof *p->by_name, cmp_name);
    out->ops = &exports_ops;
    out->impl = p;
    return KDX_OK;
}

kdx_status kdx_pe_exports_provider_open(kdx_target *t, uint64_t base, const char *name,
                                        kdx_symprov *out, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    kdx_pe *pe;
    kdx_status st = kdx_pe_open_target(t, base, name, &pe, err);
    if (st != KDX_OK)
        return st;
    st = kdx_pe_exports_provider_from_pe(pe, out, err);
    kdx_pe_close(pe);
    return st;
}
