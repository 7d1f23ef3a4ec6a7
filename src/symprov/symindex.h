/* A module's symbols indexed for the provider ops: sorted by RVA for
 * nearest-symbol lookups, hashed by name for exact lookups. Shared by the
 * providers that build their tables in memory (PE exports, ISF, Breakpad).
 * Names are not copied: they must outlive the index. */
#ifndef KDX_SYMPROV_SYMINDEX_H
#define KDX_SYMPROV_SYMINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symprov/provider.h"

/* String -> pointer hash (first value stored under a name wins). */
typedef struct kdx_namemap {
    struct kdx_namemap_slot *slots;
    size_t cap, len;
} kdx_namemap;

void kdx_namemap_put(kdx_namemap *m, const char *name, void *value);
void *kdx_namemap_get(const kdx_namemap *m, const char *name);
/* The value stored under name; when there is none, stores value under it
 * and returns NULL (one hash of the name for both). */
void *kdx_namemap_get_or_put(kdx_namemap *m, const char *name, void *value);
void kdx_namemap_free(kdx_namemap *m);
/* Room for n names without growing. */
void kdx_namemap_reserve(kdx_namemap *m, size_t n);
/* Iteration: i from 0 to m->cap; NULL name for empty slots. */
const char *kdx_namemap_slot(const kdx_namemap *m, size_t i, void **value);

typedef struct kdx_symindex {
    kdx_symbol *syms;   /* sorted by rva, then functions first, then name */
    size_t n, cap;
    kdx_namemap by_name;
    kdx_namemap by_lower;  /* lower-cased names, for the case-insensitive fallback */
    char *lower;           /* storage of the lower-cased names */
    bool named;            /* the name hashes are built (on the first lookup by name) */
} kdx_symindex;

void kdx_symindex_add(kdx_symindex *ix, const char *name, uint32_t rva, uint32_t size,
                      kdx_symkind kind);
/* Sorts; call once after the last add (names are hashed on first use). */
void kdx_symindex_finish(kdx_symindex *ix);
void kdx_symindex_free(kdx_symindex *ix);

/* Nearest symbol at or below rva (KDX_E_NOT_FOUND below the first). */
kdx_status kdx_symindex_by_rva(const kdx_symindex *ix, uint32_t rva, kdx_symbol *out);
/* Exact name, then case-insensitive. */
kdx_status kdx_symindex_by_name(kdx_symindex *ix, const char *name, kdx_symbol *out);
/* Symbols matching a wildcard pattern (NULL: all), in RVA order. */
kdx_status kdx_symindex_enumerate(const kdx_symindex *ix, const char *pattern, kdx_symbol_cb cb,
                                  void *ud);

#endif
