/* A module's symbols sorted by address, for the symbol layer's lookups
 * (internal to src/sym/). Each entry is classified code, data or unknown
 * (symclass.h, then the image's sections for what providers leave open);
 * entries that may name code are also kept in an array of their own so that
 * a code address finds its function without walking past data.
 *
 * Three kinds of lookup (the rule is documented in docs/symbols.md):
 *   data  - the nearest symbol at or below the address, whatever it names
 *           (WinDbg's ln/dps on data);
 *   code  - the function containing the address: a sized symbol covering it,
 *           else the function .pdata says contains it (a chunk of a split
 *           function keeps the function's name), else the nearest code symbol
 *           when nothing proves it ends before the address; none otherwise;
 *   by section - code when the address lies in an executable section, data
 *           when in another, and when the sections are unknown, data if the
 *           nearest symbol is data, code otherwise. */
#ifndef KDX_SYM_ADDRINDEX_H
#define KDX_SYM_ADDRINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symprov/provider.h"

struct kdx_pe;

typedef struct kdx_addrentry {
    uint32_t rva, size;     /* size 0 when unknown */
    kdx_symkind kind;
    uint8_t cls;            /* KDX_SYMF_CODE, KDX_SYMF_DATA, or 0: unknown, may be code */
    const char *name;
} kdx_addrentry;

/* One table: entries sorted by address, one per address. Built from an
 * index provider's listing it holds listing positions and classes only
 * (ids, cls: 5 bytes an entry instead of 24, so that opening a kernel's
 * symbols touches a fifth of the memory), else the entries themselves. */
typedef struct kdx_addrtable {
    kdx_addrentry *v;       /* NULL with ids */
    uint32_t *ids;          /* positions in the provider's listing (symidx.h) */
    uint8_t *cls;           /* with ids: each entry's class */
    size_t n;
} kdx_addrtable;

typedef struct kdx_addrindex {
    kdx_addrtable all;      /* one entry per address: the best-ranked name */
    kdx_addrtable code;     /* the same for entries that may name code */
    kdx_symprov prov;       /* the index provider the ids are positions in */
} kdx_addrindex;

typedef enum kdx_addrlookup {
    KDX_LOOKUP_DATA,
    KDX_LOOKUP_CODE,
    KDX_LOOKUP_BY_SECTION
} kdx_addrlookup;

/* Builds ix from the provider's symbols. image (may be NULL) classifies the
 * symbols the provider left unknown by the section they lie in. */
void kdx_addrindex_build(kdx_addrindex *ix, const kdx_symprov *prov, struct kdx_pe *image);
void kdx_addrindex_free(kdx_addrindex *ix);

/* Entry i (< t->n) of one of ix's tables. */
kdx_addrentry kdx_addrindex_at(const kdx_addrindex *ix, const kdx_addrtable *t, size_t i);

/* Index of the last entry of t at or below rva, -1 if none. */
long kdx_addrindex_floor(const kdx_addrindex *ix, const kdx_addrtable *t, uint32_t rva);

/* The symbol for rva by the given kind of lookup, and the symbol after it
 * (next->name NULL when none). image (may be NULL) gives the sections and
 * .pdata. False when no symbol names the address (print module+offset). */
bool kdx_addrindex_lookup(const kdx_addrindex *ix, struct kdx_pe *image, kdx_addrlookup how,
                          uint32_t rva, kdx_symbol *out, kdx_symbol *next);

#endif
