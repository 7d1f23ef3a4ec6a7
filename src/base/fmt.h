/* WinDbg's number formatting: 64-bit values as `fffff804`8b580000`. */
#ifndef KDX_BASE_FMT_H
#define KDX_BASE_FMT_H

#include <stdint.h>

#define KDX_ADDR_BUF 24

/* Pointer-sized hex, zero padded: 8 digits for 4-byte, 8`8 with a backtick for 8-byte. */
const char *kdx_fmt_ptr(char buf[KDX_ADDR_BUF], uint64_t v, int ptr_size);
/* Always the 64-bit form with backtick. */
const char *kdx_fmt_u64(char buf[KDX_ADDR_BUF], uint64_t v);

#endif
