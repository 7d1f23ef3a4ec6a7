#include "base/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t kdx_hash64(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}
