#include "base/hash.h"

#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t kdx_hash64(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

struct kdx_hash_stream {
    XXH3_state_t *st;
};

kdx_hash_stream *kdx_hash_stream_new(void)
{
    kdx_hash_stream *s = malloc(sizeof *s);
    if (!s)
        abort();
    s->st = XXH3_createState();
    if (!s->st)
        abort();
    XXH3_64bits_reset(s->st);
    return s;
}

void kdx_hash_stream_add(kdx_hash_stream *s, const void *data, size_t len)
{
    if (len)
        XXH3_64bits_update(s->st, data, len);
}

uint64_t kdx_hash_stream_end(kdx_hash_stream *s)
{
    uint64_t h = XXH3_64bits_digest(s->st);
    XXH3_freeState(s->st);
    free(s);
    return h;
}
