/* Bump allocation of many small objects freed at once (type nodes, names). */
#ifndef KDX_BASE_ARENA_H
#define KDX_BASE_ARENA_H

#include <stddef.h>

typedef struct kdx_arena_block {
    struct kdx_arena_block *next;
    size_t used, cap;
    max_align_t data[];
} kdx_arena_block;

typedef struct kdx_arena {
    kdx_arena_block *head;
} kdx_arena;

void *kdx_arena_alloc(kdx_arena *a, size_t n);   /* zeroed; aborts on OOM */
char *kdx_arena_strdup(kdx_arena *a, const char *s);
void kdx_arena_free(kdx_arena *a);

#endif
