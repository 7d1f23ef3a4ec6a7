/* Walks of doubly linked _LIST_ENTRY lists (Flink), with the guards a dump
 * needs: a list that loops back to an element other than its head, a link
 * into memory the dump does not hold, a NULL link, and a length limit each
 * end the walk with a message naming the entry where it happened. */
#ifndef KDX_NT_LIST_H
#define KDX_NT_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

typedef enum kdx_nt_list_end {
    KDX_NT_LIST_DONE,      /* back at the head (or the first element) */
    KDX_NT_LIST_NULL,      /* a NULL Flink */
    KDX_NT_LIST_LOOP,      /* an element came round again */
    KDX_NT_LIST_MISSING,   /* the next link is not readable */
    KDX_NT_LIST_LIMIT,     /* max elements visited */
    KDX_NT_LIST_STOPPED    /* the callback stopped the walk */
} kdx_nt_list_end;

typedef struct kdx_nt_list_result {
    kdx_nt_list_end end;
    size_t count;          /* elements visited */
    uint64_t last;         /* the last element visited, 0 if none */
    uint64_t bad;          /* LOOP: the repeating element; MISSING: the unreadable entry */
    size_t first_index;    /* LOOP: where the repeating element was first seen */
    kdx_err why;           /* MISSING: the read error */
} kdx_nt_list_result;

/* Called for each element (the _LIST_ENTRY address); nonzero stops. */
typedef int (*kdx_nt_list_cb)(void *ud, uint64_t entry, size_t index);

typedef struct kdx_nt_list_opts {
    size_t max;            /* 0: 1,000,000 */
    bool start_is_element; /* start is an element (visited first), not a list head */
} kdx_nt_list_opts;

/* Follows Flink from start. Returns KDX_OK when the walk ended at the
 * head; otherwise the status of the reason (KDX_E_LIMIT for loops and the
 * length limit, the read error for missing memory) with res->end set. */
kdx_status kdx_nt_list_walk(kdx_session *s, uint64_t start, const kdx_nt_list_opts *opts, kdx_nt_list_cb cb,
                            void *ud, kdx_nt_list_result *res);

/* One sentence on why the walk ended early, naming the entry ("" for DONE):
 * what names the list ("the process list"). */
void kdx_nt_list_describe(kdx_session *s, const kdx_nt_list_result *r, const char *what, char *buf,
                          size_t len);

/* A set of addresses (loop detection), exposed for other walkers. */
typedef struct kdx_nt_addrset {
    uint64_t *keys;
    size_t *vals;
    size_t cap, len;
} kdx_nt_addrset;
/* Adds a; false (and *prev = its value) when it was already there. */
bool kdx_nt_addrset_add(kdx_nt_addrset *set, uint64_t a, size_t val, size_t *prev);
/* The value stored for a, NULL when a is not in the set (the pointer lasts until the next add). */
size_t *kdx_nt_addrset_find(kdx_nt_addrset *set, uint64_t a);
void kdx_nt_addrset_free(kdx_nt_addrset *set);

#endif
