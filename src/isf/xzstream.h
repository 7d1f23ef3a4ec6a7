/* xz decoding a window at a time, optionally ahead in a second thread so
 * that decoding and parsing overlap (isf/jstream.c, the kernel-ISF check in
 * sym/symbols.c). Output is bounded; a damaged, truncated or oversized
 * stream ends with an error after the data decoded before it. */
#ifndef KDX_ISF_XZSTREAM_H
#define KDX_ISF_XZSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct kdx_xzstream kdx_xzstream;

/* data must outlive the stream. threaded: decode ahead in a thread. */
kdx_xzstream *kdx_xzstream_new(const uint8_t *data, size_t len, uint64_t max_out, bool threaded);
/* The next window of decoded bytes, valid until the next call; false at the
 * end of the data or at an error. */
bool kdx_xzstream_next(kdx_xzstream *x, const uint8_t **p, size_t *n);
/* After next returned false: KDX_OK at the end, else the error and a
 * message ("xz data is corrupt near compressed offset 0x..."). KDX_E_LIMIT
 * when the output would pass max_out. */
kdx_status kdx_xzstream_status(const kdx_xzstream *x, const char **msg);
void kdx_xzstream_free(kdx_xzstream *x);

/* True when data starts with the xz signature. */
bool kdx_is_xz(const uint8_t *data, size_t len);

#endif
