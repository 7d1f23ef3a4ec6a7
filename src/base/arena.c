#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void *kdx_arena_alloc(kdx_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > (1u << 16) ? n : (1u << 16);
        kdx_arena_block *b = kdx_xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

char *kdx_arena_strdup(kdx_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = kdx_arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

void kdx_arena_free(kdx_arena *a)
{
    while (a->head) {
        kdx_arena_block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}
