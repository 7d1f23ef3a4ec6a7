/* The fast path of `s` on dumps whose memory lies in the mapped file
 * (search_scan.c). */
#ifndef KDX_COMMANDS_SEARCH_SCAN_H
#define KDX_COMMANDS_SEARCH_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

typedef struct kdx_search_job {
    const uint8_t *pattern;
    size_t plen;
    unsigned unit;        /* hits are aligned to it (1, 2, 4, 8); the pattern's first unit is scanned for */
    uint64_t parallel_min;/* bytes from which a second thread scans half (0: the default, 32 MB) */
} kdx_search_job;

typedef struct kdx_search_hits {
    uint64_t *items;
    size_t len, cap;
} kdx_search_hits;

/* Every address in [start, end) where the pattern lies wholly, in address
 * order. False when the target's memory cannot be scanned in place (then
 * nothing was searched). */
bool kdx_search_scan(kdx_target *t, const kdx_search_job *j, uint64_t start, uint64_t end,
                     kdx_search_hits *hits);

#endif
