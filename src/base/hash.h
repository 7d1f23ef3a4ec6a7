/* A fast 64-bit hash of bytes (XXH3), the one the symbol index file and the
 * in-memory name tables both use. */
#ifndef KDX_BASE_HASH_H
#define KDX_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t kdx_hash64(const void *data, size_t len);

#endif
