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

/* Decoding once for two readers (the kernel-ISF check, then the parse):
 * after keep, every window handed out is also kept (up to 32 MB: past that
 * nothing is kept, and stash frees the stream instead); after rewind, the
 * next call hands out everything kept as one window, then decoding goes on. */
void kdx_xzstream_keep(kdx_xzstream *x);
void kdx_xzstream_rewind(kdx_xzstream *x);

/* The process keeps one stream set aside: stash rewinds x and keeps it
 * (or frees it when it kept too much to hand out from the start),
 * with the mapping its input lies in (file, closed with the stream),
 * replacing any other; unstash hands it over (the caller frees it) when it
 * decodes exactly data[0..len) with the output limit max_out, else NULL;
 * stash_clear frees it (nobody will read it: it holds the decoder's
 * memory and the text decoded so far). */
struct kdx_file;
void kdx_xzstream_stash(kdx_xzstream *x, struct kdx_file *file);
kdx_xzstream *kdx_xzstream_unstash(const uint8_t *data, size_t len, uint64_t max_out);
void kdx_xzstream_stash_clear(void);

/* True when data starts with the xz signature. */
bool kdx_is_xz(const uint8_t *data, size_t len);

#endif
