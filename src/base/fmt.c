#include "base/fmt.h"

#include <stdio.h>
#include <time.h>

/* Eight lower-case hex digits (no format parsing: listings print many). */
static char *hex8(char *out, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 7; i >= 0; i--, v >>= 4)
        out[i] = digits[v & 0xf];
    return out + 8;
}

const char *kdx_fmt_u64(char buf[KDX_ADDR_BUF], uint64_t v)
{
    char *p = hex8(buf, (uint32_t)(v >> 32));
    *p++ = '`';
    *hex8(p, (uint32_t)v) = '\0';
    return buf;
}

const char *kdx_fmt_ptr(char buf[KDX_ADDR_BUF], uint64_t v, int ptr_size)
{
    if (ptr_size == 4) {
        *hex8(buf, (uint32_t)v) = '\0';
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
