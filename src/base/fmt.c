#include "base/fmt.h"

#include <stdio.h>

const char *kdx_fmt_u64(char buf[KDX_ADDR_BUF], uint64_t v)
{
    snprintf(buf, KDX_ADDR_BUF, "%08x`%08x", (unsigned)(v >> 32), (unsigned)v);
    return buf;
}

const char *kdx_fmt_ptr(char buf[KDX_ADDR_BUF], uint64_t v, int ptr_size)
{
    if (ptr_size == 4) {
        snprintf(buf, KDX_ADDR_BUF, "%08x", (unsigned)v);
        return buf;
    }
    return kdx_fmt_u64(buf, v);
}
