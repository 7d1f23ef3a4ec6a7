/* `!analyze -hang`: who blocks whom. Edges come from the executive
 * resources (each waiter of a held resource waits for its owners, as !locks
 * shows them) and from the wait blocks of every thread the process lists
 * hold (a waiter on a mutant waits for the mutant's owner). Cycles in that
 * graph are deadlocks; the threads that have waited longest are listed with
 * their stacks; a bucket names what blocks (docs/nt.md: the bucket names are
 * kdx's own). Whatever the dump lacks is listed in notes, never guessed. */
#ifndef KDX_ANALYSIS_HANG_H
#define KDX_ANALYSIS_HANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "target/session.h"

#define KDX_HANG_LONGEST 3
#define KDX_HANG_MAX_NOTES 50     /* lines of what could not be read; the rest are counted */

typedef struct kdx_hang_edge {
    uint64_t waiter, owner;  /* threads */
    uint64_t object;         /* the resource or mutant */
    bool resource;           /* object is an _ERESOURCE (else a mutant) */
    bool exclusive;          /* resources: the waiter wants exclusive access */
} kdx_hang_edge;

typedef struct kdx_hang_cycle {
    size_t first, len;       /* edge indexes in kdx_hang.cycle_edges */
} kdx_hang_cycle;

typedef struct kdx_hang_wait {
    uint64_t thread;
    uint64_t wait_time;      /* KTHREAD.WaitTime (tick of the wait's start) */
    uint64_t reason;
} kdx_hang_wait;

typedef struct kdx_hang {
    uint64_t resources, held, contended;
    uint64_t threads;        /* threads whose waits were read */
    KDX_VEC(kdx_hang_edge) edges;
    KDX_VEC(size_t) cycle_edges;
    KDX_VEC(kdx_hang_cycle) cycles;
    kdx_hang_wait longest[KDX_HANG_LONGEST];
    size_t nlongest;
    bool have_ticks, have_tick_length;
    uint64_t tick_count, tick_length;
    char bucket[192];
    kdx_strbuf notes;        /* one line per thing the dump lacked (the first KDX_HANG_MAX_NOTES) */
    uint64_t notes_total;
} kdx_hang;

kdx_status kdx_hang_analyze(kdx_session *s, kdx_hang *h, kdx_err *err);
void kdx_hang_print(kdx_session *s, const kdx_hang *h);
void kdx_hang_free(kdx_hang *h);
/* The !analyze JSON document (kdx_analysis_json) with a "hang" object added
 * (docs/analyze.md); caller frees. */
char *kdx_hang_json_into(kdx_session *s, const kdx_hang *h, const char *analysis_json);

#endif
