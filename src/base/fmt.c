#include "base/fmt.h"

#include <stdio.h>
#include <time.h>

/* Eight lower-case hex digits (no format parsing: listings print many). */
static char *hex8(char *out, uint32_t v)
{
    static const char pairs[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                                "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    for (int i = 6; i >= 0; i -= 2, v >>= 8) { /* two digits a byte */
        out[i] = pairs[2 * (v & 0xff)];
        out[i + 1] = pairs[2 * (v & 0xff) + 1];
    }
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
