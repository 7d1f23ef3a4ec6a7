/* Shared by the ISF loader (isf_load.c) and the provider (isf_provider.c). */
#ifndef KDX_ISF_ISF_INTERNAL_H
#define KDX_ISF_ISF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "isf/isf.h"
#include "symprov/symindex.h"

/* A name of the table's type namespace (base types, records, enums). A
 * reference may come before the definition: the node exists from the first
 * mention and is filled in when its definition is read. */
typedef struct isf_name {
    kdx_type *t;
    const char *first_use;  /* where an undefined base type was first referenced */
    bool defined;
} isf_name;

typedef struct isf_prov {
    char *path;
    kdx_arena mem;
    kdx_symindex syms;
    kdx_namemap types;      /* ISF name -> isf_name */
    kdx_type **named;       /* user types and enums, sorted by name, for enumeration */
    size_t nnamed;
    const kdx_type *pointer_base; /* the "pointer" base type: pointer size */
    size_t nuser_types, nenums;
    kdx_symfile_id id;
} isf_prov;

/* The most decoded text a table may have (isf_load.c says why); the quick
 * check decodes under the same limit so that the parse can go on from it. */
#define ISF_MAX_TEXT (256ull << 20)

/* Reads the table (JSON or xz) into p, streaming: no document tree. */
kdx_status isf_load(isf_prov *p, const uint8_t *data, size_t len, kdx_err *err);

#endif
