/* WinDbg's number formatting: 64-bit values as `fffff804`8b580000`. */
#ifndef KDX_BASE_FMT_H
#define KDX_BASE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KDX_ADDR_BUF 24

/* Pointer-sized hex, zero padded: 8 digits for 4-byte, 8`8 with a backtick for 8-byte. */
const char *kdx_fmt_ptr(char buf[KDX_ADDR_BUF], uint64_t v, int ptr_size);
/* Always the 64-bit form with backtick. */
const char *kdx_fmt_u64(char buf[KDX_ADDR_BUF], uint64_t v);
/* Eight lower-case hex digits at out, no NUL; returns out + 8. */
char *kdx_fmt_hex8(char *out, uint32_t v);

/* Seconds between 1601-01-01 (FILETIME epoch) and 1970-01-01 (Unix epoch). */
#define KDX_FILETIME_UNIX_OFFSET 11644473600ll

/* FILETIME (100 ns units since 1601) as Unix seconds (negative before 1970). */
int64_t kdx_filetime_to_unix(uint64_t ft);
/* FILETIME shifted by bias_min minutes as WinDbg prints times: "Sun Feb 21
 * 01:38:22.987 2021" (callers add any zone suffix). False when the date
 * cannot be represented. */
bool kdx_fmt_filetime(char *buf, size_t len, uint64_t ft, long bias_min);

#endif
