/* The kernel pool read through the loaded types (docs/pool.md):
 *  - the tag tables (nt!PoolTrackTable, nt!PoolTrackTableExpansion and the
 *    session table nt!ExpSessionPoolTrackTable): per-tag allocation counts
 *    and bytes, merged by tag;
 *  - the large-allocation table nt!PoolBigPageTable (_POOL_TRACKER_BIG_PAGES);
 *  - pool pages laid out as _POOL_HEADER chains (the linear pool of Windows
 *    7/8, and the blocks of a page whose allocations start with a header).
 * Every walker is bounded, stops on a loop or an inconsistent header, polls
 * kdx_interrupted(), and names the global, table entry or page it could not
 * read. Structures the 19041 ISF does not describe are named in the errors. */
#ifndef KDX_NT_POOL_H
#define KDX_NT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* ---- the tag tables ---- */
typedef struct kdx_pool_tag_use {
    uint32_t tag;
    uint64_t np_allocs, np_frees, np_bytes;
    uint64_t p_allocs, p_frees, p_bytes;
} kdx_pool_tag_use;

typedef struct kdx_pool_usage {
    kdx_pool_tag_use *tags;
    size_t n, cap;
    unsigned tables;          /* tables read */
    char notes[512];          /* a table that was skipped and why (empty: none) */
} kdx_pool_usage;

/* Reads the tag tables: the session table when session is set, else
 * PoolTrackTable and PoolTrackTableExpansion. Entries of one tag are merged.
 * Fails naming the table (symbol, pointer or entry) that is not readable. */
kdx_status kdx_pool_usage_read(kdx_session *s, bool session, kdx_pool_usage *u, kdx_err *err);
void kdx_pool_usage_free(kdx_pool_usage *u);
/* Outstanding allocations of an entry (allocs - frees, never negative). */
uint64_t kdx_pool_np_outstanding(const kdx_pool_tag_use *t);
uint64_t kdx_pool_p_outstanding(const kdx_pool_tag_use *t);

/* ---- tags ---- */
/* The 4 characters of a tag ("Leak"); non-printable bytes as '.'. */
void kdx_pool_tag_text(uint32_t tag, char out[5]);
/* WinDbg's tag patterns: 4 characters, '?' one, '*' any number. */
bool kdx_pool_tag_match(const char *pattern, uint32_t tag);
/* A tag given as "Leak" or "0x6b61654c"; false when neither. */
bool kdx_pool_tag_parse(const char *text, uint32_t *tag);

/* ---- large allocations ---- */
typedef struct kdx_pool_big {
    uint64_t va;              /* allocation (free bit cleared) */
    uint64_t entry;           /* address of the table entry */
    uint32_t tag;
    uint32_t pool_type;
    uint64_t bytes;
    bool free;
} kdx_pool_big;
typedef int (*kdx_pool_big_cb)(void *ud, const kdx_pool_big *b);
typedef struct kdx_pool_big_table {
    uint64_t base, entries, entry_size;
} kdx_pool_big_table;
/* Where the table is (nt!PoolBigPageTable, nt!PoolBigPageTableSize). */
kdx_status kdx_pool_big_locate(kdx_session *s, kdx_pool_big_table *t, kdx_err *err);
/* Calls cb for every used entry (free ones included, flagged); nonzero stops. */
kdx_status kdx_pool_big_walk(kdx_session *s, kdx_pool_big_cb cb, void *ud, kdx_err *err);
/* The large allocation holding addr (va <= addr < va + bytes), if any. */
kdx_status kdx_pool_big_find(kdx_session *s, uint64_t addr, kdx_pool_big *out, bool *found, kdx_err *err);

/* ---- _POOL_HEADER pages ---- */
typedef struct kdx_pool_block {
    uint64_t header;          /* address of the _POOL_HEADER */
    uint32_t size, prev_size; /* bytes (BlockSize/PreviousSize times the header size) */
    uint32_t tag;             /* protected bit cleared */
    uint32_t pool_type;       /* the header's PoolType field; 0: free */
    bool paged;               /* (PoolType - 1) & 1, the linear pool's encoding */
} kdx_pool_block;
typedef struct kdx_pool_page {
    uint64_t page;
    kdx_pool_block *blocks;
    size_t n;
    bool broken;              /* the chain ended before the page did */
    char why[200];            /* what ended it */
} kdx_pool_page;
/* Walks the header chain of the page holding addr. Fails when the page is
 * not readable; a chain that breaks is reported in page->why. */
kdx_status kdx_pool_page_read(kdx_session *s, uint64_t addr, kdx_pool_page *page, kdx_err *err);
void kdx_pool_page_free(kdx_pool_page *page);

#endif
