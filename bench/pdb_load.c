/* Loads a PDB the way a debugger session uses it: open, the address index
 * (first by_rva), every symbol enumerated, every record and enum type with
 * its fields, and a by-name lookup of every symbol. Prints what it read.
 * Built and run by bench/bench_pdb.sh; never part of `make test`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mspack.h>

#include "pdb/pdb_provider.h"

typedef struct counts {
    kdx_symprov *p;
    unsigned long syms, found, types, fields;
} counts;

static int on_sym(void *ud, const kdx_symbol *s)
{
    counts *c = ud;
    kdx_symbol again;
    c->syms++;
    if (c->p->ops->by_name(c->p->impl, s->name, &again) == KDX_OK)
        c->found++;
    return 0;
}

static int on_type(void *ud, const kdx_type *t)
{
    counts *c = ud;
    uint32_t n;
    c->types++;
    kdx_type_fields(t, &n);
    c->fields += n;
    kdx_type_enumerators(t, &n);
    c->fields += n;
    return 0;
}

/* "--expand IN.pd_ OUT.pdb": the bench's own CAB expansion (libmspack). */
static int expand(const char *in, const char *out)
{
    struct mscab_decompressor *d = mspack_create_cab_decompressor(NULL);
    struct mscabd_cabinet *cab = d ? d->open(d, (char *)in) : NULL;
    int rc = cab && cab->files && d->extract(d, cab->files, (char *)out) == MSPACK_ERR_OK ? 0 : 1;
    if (cab)
        d->close(d, cab);
    if (d)
        mspack_destroy_cab_decompressor(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--expand") == 0)
        return expand(argv[2], argv[3]);
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pdb | --expand IN.pd_ OUT.pdb\n", argv[0]);
        return 2;
    }
    kdx_symprov p;
    kdx_err err = {0};
    if (kdx_pdb_provider_open(argv[1], &p, NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    counts c = {.p = &p};
    kdx_symbol s;
    p.ops->by_rva(p.impl, 0x1000, &s);
    p.ops->enumerate(p.impl, "*", on_sym, &c);
    p.ops->enumerate_types(p.impl, "*", on_type, &c);
    printf("%lu symbols (%lu found again by name), %lu types with %lu fields/enumerators\n",
           c.syms, c.found, c.types, c.fields);
    p.ops->destroy(p.impl);
    return 0;
}
