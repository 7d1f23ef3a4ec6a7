/* Export symbols: when no symbol file matches, WinDbg names code by the
 * image's export table ("export symbols"). The table is read once from the
 * image in target memory and indexed by RVA and by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pdb/pdb.h"
#include "pe/pe.h"
#include "pe/pe_exports_provider.h"
#include "symprov/symindex.h"

/* A C++ export as its decorated name, for lookups by that name. */
typedef struct decorated_export {
    char *decorated;
    const char *display;
    uint32_t rva;
    uint8_t flags;
} decorated_export;

typedef struct exports_prov {
    kdx_pe *pe;             /* while collecting: tells code exports from data */
    KDX_VEC(char *) names;  /* owned display names; the index points into them */
    KDX_VEC(decorated_export *) decorated;
    kdx_namemap by_decorated;
    kdx_symindex ix;
} exports_prov;

static int collect_export(void *ud, const char *name, uint32_t ordinal, uint32_t rva,
                          const char *forwarder)
{
    exports_prov *p = ud;
    if (forwarder)
        return 0; /* no code in this image */
    /* Names display undecorated, as dbghelp does with SYMOPT_UNDNAME ("A::meth1"). */
    char *u = name ? kdx_undname(name, false) : NULL;
    char *n = u ? u : name ? kdx_strdup(name) : kdx_asprintf("Ordinal%u", ordinal);
    KDX_VEC_PUSH(p->names, n);
    kdx_symindex_add(&p->ix, n, rva, 0, KDX_SYM_EXPORT);
    /* An export names code when it lies in an executable section
     * (KeBugCheckEx), data otherwise (KeNumberProcessors in .data). */
    kdx_pe_rva_kind where = kdx_pe_rva_kind_of(p->pe, rva);
    p->ix.syms[p->ix.n - 1].flags = where == KDX_PE_RVA_CODE   ? KDX_SYMF_CODE
                                  : where == KDX_PE_RVA_DATA ? KDX_SYMF_DATA
                                                             : 0;
    if (u) {
        decorated_export *d = kdx_xmalloc(sizeof *d);
        *d = (decorated_export){kdx_strdup(name), n, rva, p->ix.syms[p->ix.n - 1].flags};
        KDX_VEC_PUSH(p->decorated, d);
        kdx_namemap_put(&p->by_decorated, d->decorated, d);
    }
    return 0;
}

static void exports_destroy(void *impl)
{
    exports_prov *p = impl;
    for (size_t i = 0; i < p->names.len; i++)
        free(p->names.items[i]);
    KDX_VEC_FREE(p->names);
    for (size_t i = 0; i < p->decorated.len; i++) {
        free(p->decorated.items[i]->decorated);
        free(p->decorated.items[i]);
    }
    KDX_VEC_FREE(p->decorated);
    kdx_namemap_free(&p->by_decorated);
    kdx_symindex_free(&p->ix);
    free(p);
}

static kdx_status exports_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    return kdx_symindex_by_rva(&((exports_prov *)impl)->ix, rva, out);
}

static kdx_status exports_by_name(void *impl, const char *name, kdx_symbol *out)
{
    exports_prov *p = impl;
    const decorated_export *d = kdx_namemap_get(&p->by_decorated, name);
    if (d) {
        *out = (kdx_symbol){.name = d->display, .rva = d->rva, .kind = KDX_SYM_EXPORT, .flags = d->flags};
        return KDX_OK;
    }
    return kdx_symindex_by_name(&p->ix, name, out);
}

static kdx_status exports_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    return kdx_symindex_enumerate(&((exports_prov *)impl)->ix, pattern, cb, ud);
}

static const kdx_symprov_ops exports_ops = {
    .kind = "export",
    .destroy = exports_destroy,
    .by_rva = exports_by_rva,
    .by_name = exports_by_name,
    .enumerate = exports_enumerate,
};

kdx_status kdx_pe_exports_provider_from_pe(kdx_pe *pe, kdx_symprov *out, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    exports_prov *p = kdx_xcalloc(1, sizeof *p);
    p->pe = pe;
    kdx_status st = kdx_pe_exports(pe, collect_export, p, err);
    p->pe = NULL;
    if (st != KDX_OK) {
        exports_destroy(p);
        return st;
    }
    kdx_symindex_finish(&p->ix);
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
