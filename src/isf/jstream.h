/* A streaming JSON reader for symbol tables: plain or xz-compressed text
 * is decoded a window at a time and read token by token, so that a caller
 * builds its own structures as it goes and no document tree is ever held.
 *
 * Every input is bounded: decoded size, number of values, nesting depth,
 * string length and runs of blanks. Hitting a limit, like any syntax error,
 * stops the reader with a message naming the file, the limit and the
 * decoded offset, line and column; later calls then fail at once (the
 * error is sticky), so callers may check j->st once at the end of a loop. */
#ifndef KDX_ISF_JSTREAM_H
#define KDX_ISF_JSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct kdx_jlimits {
    uint64_t max_text;      /* decoded bytes */
    uint64_t max_values;    /* values of any kind, keys not counted */
    uint32_t max_depth;     /* open objects and arrays */
    uint32_t max_string;    /* bytes of one string or key, after unescaping */
    uint32_t max_blanks;    /* consecutive whitespace bytes */
} kdx_jlimits;

typedef struct kdx_jstream kdx_jstream;

/* Reads data (JSON text, optionally xz-compressed, optionally after a UTF-8
 * byte-order mark). data must outlive the reader. name is used in messages. */
kdx_status kdx_jstream_open(kdx_jstream **out, const char *name, const uint8_t *data,
                            size_t len, const kdx_jlimits *limits, kdx_err *err);
void kdx_jstream_close(kdx_jstream *j);

/* The first error (KDX_OK while none); its message went to the err given to open. */
kdx_status kdx_jstream_status(const kdx_jstream *j);
/* Stops the reader with a caller's error, the position appended to the message. */
bool kdx_jfail(kdx_jstream *j, kdx_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next value's first byte without consuming it: '{', '[', '"', 't', 'f',
 * 'n', '-' or a digit; -1 at the end of the input or after an error. */
int kdx_jpeek(kdx_jstream *j);
/* True when the input holds nothing but blanks from here on. */
bool kdx_jat_end(kdx_jstream *j);

/* Objects: begin, then next until it returns false (end of object or error).
 * The key is valid until the next key is read. */
typedef struct kdx_jiter {
    bool started;
} kdx_jiter;
bool kdx_jobject_begin(kdx_jstream *j, kdx_jiter *it);
bool kdx_jobject_next(kdx_jstream *j, kdx_jiter *it, const char **key, size_t *key_len);

/* Scalars. The string is valid until the next string value is read. */
bool kdx_jstring(kdx_jstream *j, const char **s, size_t *len);
bool kdx_juint(kdx_jstream *j, uint64_t *v);   /* a non-negative integer */
bool kdx_jint(kdx_jstream *j, int64_t *v);     /* an integer that fits in 64 signed bits */
bool kdx_jbool(kdx_jstream *j, bool *v);
/* Skips one value of any kind (containers whole, within the limits). */
bool kdx_jskip(kdx_jstream *j);

/* Decoded offset of the next unread byte. */
uint64_t kdx_joffset(const kdx_jstream *j);

#endif
