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
    int total_levels;            /* levels of the paging mode (4 for x64 4-level) */
    bool large;                  /* the walk ended on a large page/block entry */
    bool transition;             /* the leaf was a transition PTE (page still in RAM) */
} kdx_xlat;

/* Walks the page tables rooted at dtb for va. Returns out->status. */
kdx_status kdx_mm_translate(kdx_target *t, uint64_t dtb, uint64_t va, kdx_xlat *out,
                            kdx_err *err);

/* Number of table levels of a paging mode (0 for KDX_PAGING_NONE). */
int kdx_mm_levels(kdx_paging paging);
/* WinDbg's name of level i (0 = top): "PXE", "PPE", "PDE", "PTE"... */
const char *kdx_mm_level_name(kdx_paging paging, int total_levels, int i);
/* Size in bytes of one table entry. */
unsigned kdx_mm_entry_size(kdx_paging paging);
/* Bytes of address space one entry at level i covers (4 KB at the last level). */
uint64_t kdx_mm_level_span(kdx_paging paging, int i);
/* Page frame number an entry points to (hardware layout). */
uint64_t kdx_mm_entry_pfn(kdx_paging paging, uint64_t entry);
/* Hardware valid bit of an entry at level i (ARM64: a table/page/block descriptor). */
bool kdx_mm_entry_valid(kdx_paging paging, int total_levels, int i, uint64_t entry);
/* Entry at level i maps a large page/block (not the last level). */
bool kdx_mm_entry_large(kdx_paging paging, int total_levels, int i, uint64_t entry);

/* WinDbg's flag letters of a valid entry, 11 characters plus NUL:
 * Copy-on-write, Global, Large, Dirty, Accessed, cache-disable (N),
 * write-through (T), K/U, W/R, E or -, V: "-G-DA--KWEV". */
void kdx_mm_pte_flags(kdx_paging paging, int total_levels, int i, uint64_t entry,
                      char out[12]);

/* A not-valid PTE decoded the Windows way (MMPTE_SOFTWARE and friends). */
typedef enum kdx_soft_kind {
    KDX_SOFT_ZERO,        /* the entry is 0: no page */
    KDX_SOFT_DEMAND_ZERO, /* committed, no page yet */
    KDX_SOFT_PAGEFILE,    /* paged out: pagefile + offset */
    KDX_SOFT_TRANSITION,  /* on a standby/modified list: pfn still holds the data */
    KDX_SOFT_PROTOTYPE    /* refers to a prototype PTE (shared section) */
} kdx_soft_kind;

typedef struct kdx_soft_pte {
    kdx_soft_kind kind;
    unsigned protect;     /* 5-bit MM protection */
    unsigned pagefile;
    uint64_t offset;      /* page offset in the page file */
    uint64_t pfn;         /* transition */
    uint64_t proto;       /* prototype PTE address; all ones when it refers to the VAD */
    bool proto_vad;
} kdx_soft_pte;

/* Decodes a not-valid PTE with the layout of the target's Windows version
 * (x64 Windows 10 moved PageFileLow to bits 12-15). */
kdx_soft_pte kdx_mm_decode_soft(const kdx_target *t, uint64_t entry);
/* "ReadWrite", "ExecuteRead"..., or NULL for 0 and unknown values. */
const char *kdx_mm_protect_name(unsigned protect);

/* Self-map (recursive) page-table base: the virtual address of the PTE for
 * VA 0. From the root table, finds the entry that points back at the root
 * itself; x86 uses the fixed C0000000 self-map. */
kdx_status kdx_mm_find_pte_base(kdx_target *t, uint64_t dtb, uint64_t *pte_base, kdx_err *err);
/* Virtual address of the level-i entry (0 = top) for va under the self-map at pte_base. */
uint64_t kdx_mm_entry_va(kdx_paging paging, uint64_t pte_base, uint64_t va, int i);

/* va itself when it is canonical for the paging mode (x64 4- and 5-level;
 * any address for other modes), else the first canonical address above it. */
uint64_t kdx_mm_next_canonical(kdx_paging paging, uint64_t va);

#endif
