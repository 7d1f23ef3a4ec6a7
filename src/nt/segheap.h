/* The kernel segment heap of Windows 10 19H1 and later (docs/pool.md):
 * the small pool allocations live in the heaps of nt!ExPoolState
 * (_EX_POOL_HEAP_MANAGER_STATE.PoolNode[].Heaps[] -> _SEGMENT_HEAP), whose
 * segments (_HEAP_PAGE_SEGMENT, on SegContexts[].SegmentListHead) describe
 * their pages with _HEAP_PAGE_RANGE_DESCRIPTORs; a range is a VS subsegment
 * (chunks with encoded _HEAP_VS_CHUNK_HEADERs) or an LFH subsegment (blocks
 * of one size, encoded offsets, a busy bitmap). Every allocation starts with
 * a _POOL_HEADER carrying its tag.
 *
 * Everything is read by field name through the loaded types; the keys come
 * from nt!RtlpHpHeapGlobals read as nt!_RTLP_HP_HEAP_GLOBALS. Walks are
 * bounded (segment, subsegment and block counts), detect loops, poll
 * kdx_interrupted(), and on a missing page or a corrupt header record which
 * structure and page it was in the stats and go on with the next
 * subsegment: never zeros, never guesses. */
#ifndef KDX_NT_SEGHEAP_H
#define KDX_NT_SEGHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef enum kdx_segheap_kind { KDX_SEGHEAP_VS, KDX_SEGHEAP_LFH } kdx_segheap_kind;

typedef struct kdx_segheap_block {
    uint64_t header;          /* the block's _POOL_HEADER */
    uint64_t start;           /* the VS chunk (its _HEAP_VS_CHUNK_HEADER) or the LFH block */
    uint64_t subsegment;
    uint64_t sub_bytes;       /* the subsegment's page range */
    uint32_t size;            /* bytes from the _POOL_HEADER to the end of the block */
    uint32_t prev_size;       /* the same for the block before it in the subsegment (0: first) */
    uint32_t tag;             /* protected bit cleared; valid when tag_known */
    uint32_t pool_type;       /* _POOL_HEADER.PoolType; valid when tag_known */
    bool busy;                /* VS: the chunk header's Allocated; LFH: the bitmap's busy bit */
    bool tag_known;           /* the _POOL_HEADER was read (free VS chunks reuse it for the free tree) */
    kdx_segheap_kind kind;
    unsigned node, heap;      /* ExPoolState.PoolNode[node].Heaps[heap] */
    uint64_t heap_va;         /* that _SEGMENT_HEAP */
} kdx_segheap_block;

#define KDX_SEGHEAP_NOTES 6
typedef struct kdx_segheap_stats {
    unsigned nodes;           /* ExPoolState.NumberOfPools (0 when it is not in the dump) */
    unsigned heaps, segments, vs_subsegments, lfh_subsegments;
    uint64_t blocks;
    unsigned unreadable;      /* structures or pages not in the dump */
    unsigned broken;          /* bad signatures, corrupt headers, loops */
    size_t nnotes, dropped;   /* dropped: notes beyond the ones kept */
    char notes[KDX_SEGHEAP_NOTES][KDX_ERR_MSG_MAX];
} kdx_segheap_stats;

/* Called for every block (busy and free); nonzero stops the walk. */
typedef int (*kdx_segheap_cb)(void *ud, const kdx_segheap_block *b);

/* Walks every heap of every pool node. Fails, naming the symbol, type or
 * field, only when the walk cannot start (the keys, ExPoolState); what is
 * missing or corrupt past that is counted and noted in st. */
kdx_status kdx_segheap_walk(kdx_session *s, kdx_segheap_cb cb, void *ud, kdx_segheap_stats *st, kdx_err *err);

/* Only the subsegment holding addr (found: a heap's segment and a VS or
 * LFH range hold it; its blocks went to cb). */
kdx_status kdx_segheap_walk_at(kdx_session *s, uint64_t addr, kdx_segheap_cb cb, void *ud, kdx_segheap_stats *st,
                               bool *found, kdx_err *err);

/* One line on what the walk could not read or trust ("" when nothing):
 * counts, then the first note. */
void kdx_segheap_summary(const kdx_segheap_stats *st, char *buf, size_t cap);

/* "VS" or "LFH". */
const char *kdx_segheap_kind_name(kdx_segheap_kind k);

#endif
