/* A fast 64-bit hash of bytes (XXH3), the one the symbol index file and the
 * in-memory name tables both use. */
#ifndef KDX_BASE_HASH_H
#define KDX_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t kdx_hash64(const void *data, size_t len);

/* The same hash of bytes given in pieces: new, add each piece in order, then
 * end (which frees the state) gives kdx_hash64 of their concatenation. */
typedef struct kdx_hash_stream kdx_hash_stream;
kdx_hash_stream *kdx_hash_stream_new(void);
void kdx_hash_stream_add(kdx_hash_stream *s, const void *data, size_t len);
uint64_t kdx_hash_stream_end(kdx_hash_stream *s);

#endif
