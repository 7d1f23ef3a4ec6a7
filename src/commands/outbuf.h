/* Output gathered in a buffer and written to the session in large pieces,
 * for listings of tens of thousands of lines (`x nt!*`): one write per
 * 64 KB instead of a formatted print per line. Whoever mixes it with
 * kdx_print flushes first, so the order on the stream is kept. */
#ifndef KDX_COMMANDS_OUTBUF_H
#define KDX_COMMANDS_OUTBUF_H

#include <string.h>

#include "target/session.h"

typedef struct kdx_outbuf {
    kdx_session *s;
    size_t len;
    char buf[1 << 16];
} kdx_outbuf;

static inline void kdx_outbuf_flush(kdx_outbuf *o)
{
    if (o->len)
        kdx_write(o->s, o->buf, o->len);
    o->len = 0;
}

static inline void kdx_outbuf_put(kdx_outbuf *o, const char *p, size_t n)
{
    if (o->len + n > sizeof o->buf) {
        kdx_outbuf_flush(o);
        if (n > sizeof o->buf) {
            kdx_write(o->s, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

/* Room for n bytes at the end of the buffer (flushing it first when they do
 * not fit), or NULL when n is more than the whole buffer. The caller writes
 * there and hands the end of what it wrote to kdx_outbuf_commit. */
static inline char *kdx_outbuf_room(kdx_outbuf *o, size_t n)
{
    if (n > sizeof o->buf)
        return NULL;
    if (o->len + n > sizeof o->buf)
        kdx_outbuf_flush(o);
    return o->buf + o->len;
}

static inline void kdx_outbuf_commit(kdx_outbuf *o, const char *end)
{
    o->len = (size_t)(end - o->buf);
}

static inline void kdx_outbuf_puts(kdx_outbuf *o, const char *text)
{
    kdx_outbuf_put(o, text, strlen(text));
}

#endif
