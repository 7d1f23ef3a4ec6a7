/* Who owns a pool tag (docs/pool.md):
 *  - a pooltag.txt in WinDbg's format ("Tag - binary - description" lines,
 *    // comments), when the user points kdx at one;
 *  - beyond WinDbg: a scan of every loaded module's image for the tag's four
 *    bytes (the dump's pages, and where the dump lacks them the image file
 *    found through the image path or the symbol store), each hit ranked by
 *    how it is used. This is inference, and every display says so. */
#ifndef KDX_NT_POOLTAG_H
#define KDX_NT_POOLTAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* ---- pooltag.txt ---- */
typedef struct kdx_pooltag_entry {
    uint32_t tag;
    char *binary, *description;
} kdx_pooltag_entry;
typedef struct kdx_pooltag_db {
    kdx_pooltag_entry *items;
    size_t n;
} kdx_pooltag_db;
/* Loads path; fails naming the file (and the line of a malformed entry is skipped). */
kdx_status kdx_pooltag_load(const char *path, kdx_pooltag_db *db, kdx_err *err);
const kdx_pooltag_entry *kdx_pooltag_lookup(const kdx_pooltag_db *db, uint32_t tag);
void kdx_pooltag_free(kdx_pooltag_db *db);

/* ---- the image scan ---- */
enum {
    KDX_OWNER_BYTES = 1,      /* the 4 bytes appear in the image */
    KDX_OWNER_IMMEDIATE = 2,  /* as the 32-bit immediate of a mov into a register */
    KDX_OWNER_ALLOC_CALL = 3  /* ... loaded as the Tag argument (r8d) of a call to an allocation routine */
};
typedef struct kdx_pool_owner {
    uint32_t tag;
    char module[64];          /* image name ("leaky.sys") */
    uint64_t where;           /* the address of the tag's bytes */
    char routine[96];         /* KDX_OWNER_ALLOC_CALL: the routine called ("nt!ExAllocatePoolWithTag") */
    int rank;
    unsigned hits;            /* hits of this tag in this module */
} kdx_pool_owner;
typedef struct kdx_pool_owners {
    kdx_pool_owner *items;    /* best first for each tag */
    size_t n;
    unsigned modules_scanned, modules_absent; /* absent: no byte of the image in the dump or a file */
    unsigned modules_from_file;               /* scanned with bytes from their image file */
} kdx_pool_owners;
/* Scans every loaded module once for all the tags; one candidate per
 * (tag, module), the best hit of that module. Polls kdx_interrupted(). */
kdx_status kdx_pool_owner_scan(kdx_session *s, const uint32_t *tags, size_t ntags, kdx_pool_owners *out,
                               kdx_err *err);
/* The best candidate for tag, NULL if none; *count: how many modules. */
const kdx_pool_owner *kdx_pool_owner_best(const kdx_pool_owners *o, uint32_t tag, size_t *count);
const char *kdx_pool_owner_how(int rank);
void kdx_pool_owners_free(kdx_pool_owners *o);

#endif
