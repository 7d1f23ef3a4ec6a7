/* Little-endian loads from unaligned bytes. Every on-disk Windows format
 * is little-endian; callers bounds-check before calling these. */
#ifndef KDX_BASE_BYTES_H
#define KDX_BASE_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t kdx_le16(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t kdx_le32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline uint64_t kdx_le64(const void *p)
{
    return (uint64_t)kdx_le32(p) | ((uint64_t)kdx_le32((const uint8_t *)p + 4) << 32);
}

static inline void kdx_put_le16(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}

static inline void kdx_put_le32(void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline void kdx_put_le64(void *p, uint64_t v)
{
    kdx_put_le32(p, (uint32_t)v);
    kdx_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* True when [off, off+len) lies inside [0, size) without overflow. */
static inline int kdx_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

#endif
