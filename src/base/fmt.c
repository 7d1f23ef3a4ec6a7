#include "base/fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Eight lower-case hex digits, all at once (listings such as `x nt!*` print
 * tens of thousands): each nibble is spread into a byte of its own, turned
 * into '0'..'9' or 'a'..'f' without a branch, and stored most significant
 * digit first. */
char *kdx_fmt_hex8(char *out, uint32_t v)
{
    uint64_t x = v;
    x = ((x & 0xffff0000ull) << 16) | (x & 0xffffull);
    x = ((x & 0x0000ff000000ff00ull) << 8) | (x & 0x000000ff000000ffull);
    x = ((x & 0x00f000f000f000f0ull) << 4) | (x & 0x000f000f000f000full); /* byte k: nibble k */
    uint64_t letters = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull; /* 1 where >= 10 */
    x += 0x3030303030303030ull + letters * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = __builtin_bswap64(x); /* the first digit at the lowest address */
#endif
    memcpy(out, &x, 8);
    return out + 8;
}

const char *kdx_fmt_u64(char buf[KDX_ADDR_BUF], uint64_t v)
{
    char *p = kdx_fmt_hex8(buf, (uint32_t)(v >> 32));
    *p++ = '`';
    *kdx_fmt_hex8(p, (uint32_t)v) = '\0';
    return buf;
}

const char *kdx_fmt_ptr(char buf[KDX_ADDR_BUF], uint64_t v, int ptr_size)
{
    if (ptr_size == 4) {
        *kdx_fmt_hex8(buf, (uint32_t)v) = '\0';
        return buf;
    }
    return kdx_fmt_u64(buf, v);
}

int64_t kdx_filetime_to_unix(uint64_t ft)
{
    return (int64_t)(ft / 10000000ull) - KDX_FILETIME_UNIX_OFFSET;
}

bool kdx_fmt_filetime(char *buf, size_t len, uint64_t ft, long bias_min)
{
    time_t tt = (time_t)(kdx_filetime_to_unix(ft) + (int64_t)bias_min * 60);
    struct tm tm;
    char date[64];
    if (!gmtime_r(&tt, &tm) || !strftime(date, sizeof date, "%a %b %e %H:%M:%S", &tm))
        return false;
    snprintf(buf, len, "%s.%03u %d", date, (unsigned)(ft / 10000ull % 1000), tm.tm_year + 1900);
    return true;
}
