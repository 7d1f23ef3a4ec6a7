/* Virtual-to-physical translation through the target's page tables:
 * x86 (2-level), x86 PAE, x64 4- and 5-level, ARM64 4 KB granule.
 * The walk records every level so `!pte` can show it, and tells apart
 * "table page not in the dump" from "entry not valid" (software PTE). */
#ifndef KDX_MM_TRANSLATE_H
#define KDX_MM_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "target/target.h"

#define KDX_XLAT_MAX_LEVELS 5

typedef struct kdx_xlat_level {
    uint64_t entry_pa;   /* physical address of the entry */
    uint64_t value;      /* the entry, when read */
    bool read;           /* false: the table page is not in the dump */
} kdx_xlat_level;

typedef struct kdx_xlat {
    uint64_t va;
    uint64_t pa;                 /* valid when status == KDX_OK */
    uint64_t page_size;          /* 4K, 2M, 4M, 1G */
    int nlevels;                 /* levels walked (top first in level[]) */
    kdx_xlat_level level[KDX_XLAT_MAX_LEVELS];
    kdx_status status;           /* OK, MEM_MISSING (table not in dump), MEM_INVALID */
    int fail_level;              /* index in level[] where the walk stopped */
} kdx_xlat;

/* Walks the page tables rooted at dtb for va. Returns out->status. */
kdx_status kdx_mm_translate(kdx_target *t, uint64_t dtb, uint64_t va, kdx_xlat *out,
                            kdx_err *err);

#endif
