#include "isf/xzstream.h"

#include <lzma.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/util.h"

#define NSLOTS 4
#define SLOT_SIZE (256u * 1024u)
/* xz presets up to -9 need at most 65 MiB to decode; a header asking for
 * more (up to 1.5 GiB) is refused rather than allocated. */
#define XZ_MEMLIMIT (128ull << 20)

struct kdx_xzstream {
    lzma_stream z;
    uint64_t max_out, total;
    uint8_t *buf[NSLOTS];
    size_t len[NSLOTS];
    bool full[NSLOTS];
    unsigned prod, cons;
    bool held;                 /* the consumer holds slot cons */
    bool done;                 /* the producer has finished (end or error) */
    kdx_status st;
    char msg[200];
    bool threaded, stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* The input, for kdx_xzstream_unstash, and a mapping kept for it. */
    const uint8_t *in;
    size_t in_len;
    kdx_file *file;
    /* kdx_xzstream_keep/rewind: windows handed out are copied here, then
     * handed out again as one window before decoding goes on. */
    uint8_t *kept;
    size_t kept_len, kept_cap;
    bool keeping, replay, kept_lost;
};

bool kdx_is_xz(const uint8_t *b, size_t n)
{
    static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    return n >= 6 && memcmp(b, magic, 6) == 0;
}

static bool fail(kdx_xzstream *x, kdx_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(kdx_xzstream *x, kdx_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
    x->st = st;
    return true;
}

/* Decodes into a slot until it is full; true when the stream has finished. */
static bool fill(kdx_xzstream *x, unsigned slot)
{
    size_t len = 0;
    bool finished = false;
    while (len < SLOT_SIZE && !finished) {
        x->z.next_out = x->buf[slot] + len;
        x->z.avail_out = SLOT_SIZE - len;
        lzma_ret r = lzma_code(&x->z, LZMA_FINISH);
        size_t got = SLOT_SIZE - len - x->z.avail_out;
        len += got;
        if (r == LZMA_STREAM_END)
            finished = true;
        else if (r == LZMA_MEMLIMIT_ERROR)
            finished = fail(x, KDX_E_LIMIT, "xz data needs more than %llu MiB to decode", XZ_MEMLIMIT >> 20);
        else if (r == LZMA_BUF_ERROR && !got)
            finished = fail(x, KDX_E_TRUNCATED, "xz stream ends early (after 0x%llx compressed bytes)",
                            (unsigned long long)x->z.total_in);
        else if (r != LZMA_OK && r != LZMA_BUF_ERROR)
            finished = fail(x, KDX_E_FORMAT, "xz data is corrupt near compressed offset 0x%llx (lzma error %d)",
                            (unsigned long long)x->z.total_in, (int)r);
    }
    if (x->total + len > x->max_out) {
        len = (size_t)(x->max_out - x->total);
        finished = fail(x, KDX_E_LIMIT, "more than %llu bytes of decoded text",
                        (unsigned long long)x->max_out);
    }
    x->total += len;
    x->len[slot] = len;
    return finished;
}

static void *producer(void *ud)
{
    kdx_xzstream *x = ud;
    pthread_mutex_lock(&x->mu);
    while (!x->stop && !x->done) {
        while (x->full[x->prod] && !x->stop)
            pthread_cond_wait(&x->cv, &x->mu);
        if (x->stop)
            break;
        unsigned slot = x->prod;
        pthread_mutex_unlock(&x->mu); /* the slot is the producer's until marked full */
        bool finished = fill(x, slot);
        pthread_mutex_lock(&x->mu);
        x->full[slot] = true;
        x->prod = (slot + 1) % NSLOTS;
        x->done = finished;
        pthread_cond_broadcast(&x->cv);
    }
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

kdx_xzstream *kdx_xzstream_new(const uint8_t *data, size_t len, uint64_t max_out, bool threaded)
{
    kdx_xzstream *x = kdx_xcalloc(1, sizeof *x);
    lzma_stream init = LZMA_STREAM_INIT;
    x->z = init;
    x->max_out = max_out;
    if (lzma_stream_decoder(&x->z, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
        x->done = true;
        x->st = KDX_E_NOMEM;
        snprintf(x->msg, sizeof x->msg, "cannot start the xz decoder");
        return x;
    }
    x->z.next_in = data;
    x->z.avail_in = len;
    x->in = data;
    x->in_len = len;
    for (int i = 0; i < (threaded ? NSLOTS : 1); i++)
        x->buf[i] = kdx_xmalloc(SLOT_SIZE);
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    x->threaded = threaded && pthread_create(&x->thread, NULL, producer, x) == 0;
    return x;
}

/* Without a thread: one slot, filled on demand. */
static bool next_inline(kdx_xzstream *x, const uint8_t **p, size_t *n)
{
    while (!x->done) {
        x->done = fill(x, 0);
        if (x->len[0]) {
            *p = x->buf[0];
            *n = x->len[0];
            return true;
        }
    }
    return false;
}

static bool next_threaded(kdx_xzstream *x, const uint8_t **p, size_t *n)
{
    pthread_mutex_lock(&x->mu);
    for (;;) {
        if (x->held) {
            x->full[x->cons] = false;
            x->cons = (x->cons + 1) % NSLOTS;
            x->held = false;
            pthread_cond_broadcast(&x->cv);
        }
        while (!x->full[x->cons] && !x->done)
            pthread_cond_wait(&x->cv, &x->mu);
        if (!x->full[x->cons])
            break;
        x->held = true;
        if (x->len[x->cons]) {
            *p = x->buf[x->cons];
            *n = x->len[x->cons];
            pthread_mutex_unlock(&x->mu);
            return true;
        }
    }
    pthread_mutex_unlock(&x->mu);
    return false;
}

/* Text kept for a second reader, at most: five times the largest real
 * table's (6.2 MB). A check that reads further (a large table without the
 * names it looks for) keeps nothing and the stream is not set aside. */
#define KEEP_MAX (32u << 20)

static void keep_window(kdx_xzstream *x, const uint8_t *p, size_t n)
{
    if (x->kept_len + n > KEEP_MAX) {
        free(x->kept);
        x->kept = NULL;
        x->kept_len = x->kept_cap = 0;
        x->keeping = false;
        x->kept_lost = true;
        return;
    }
    if (x->kept_len + n > x->kept_cap) {
        x->kept_cap = KDX_MAX(x->kept_len + n, 2 * x->kept_cap);
        x->kept = kdx_xrealloc(x->kept, x->kept_cap);
    }
    memcpy(x->kept + x->kept_len, p, n);
    x->kept_len += n;
}

bool kdx_xzstream_next(kdx_xzstream *x, const uint8_t **p, size_t *n)
{
    if (x->replay) {
        x->replay = false;
        if (x->kept_len) {
            *p = x->kept;
            *n = x->kept_len;
            return true;
        }
    }
    if (!x->keeping && x->kept) { /* the replayed window is no longer in use */
        free(x->kept);
        x->kept = NULL;
        x->kept_len = x->kept_cap = 0;
    }
    bool got = x->threaded ? next_threaded(x, p, n) : next_inline(x, p, n);
    if (got && x->keeping)
        keep_window(x, *p, *n);
    return got;
}

void kdx_xzstream_keep(kdx_xzstream *x)
{
    x->keeping = true;
}

void kdx_xzstream_rewind(kdx_xzstream *x)
{
    x->keeping = false;
    x->replay = true;
}

/* ---- one stream set aside for the next reader of the same input ---- */

static pthread_mutex_t stash_lock = PTHREAD_MUTEX_INITIALIZER;
static kdx_xzstream *stashed;
static uint64_t stashed_max_out;

void kdx_xzstream_stash(kdx_xzstream *x, kdx_file *file)
{
    kdx_xzstream_rewind(x);
    x->file = file;
    if (x->kept_lost) { /* it cannot hand out its text from the start */
        kdx_xzstream_free(x);
        return;
    }
    pthread_mutex_lock(&stash_lock);
    kdx_xzstream *old = stashed;
    stashed = x;
    stashed_max_out = x->max_out;
    pthread_mutex_unlock(&stash_lock);
    kdx_xzstream_free(old);
}

kdx_xzstream *kdx_xzstream_unstash(const uint8_t *data, size_t len, uint64_t max_out)
{
    pthread_mutex_lock(&stash_lock);
    kdx_xzstream *x = stashed;
    /* The same compressed bytes (wherever they are mapped) decode to the
     * same text; the limit must be the reader's own. */
    bool same = x && x->in_len == len && stashed_max_out == max_out && memcmp(x->in, data, len) == 0;
    if (same)
        stashed = NULL;
    pthread_mutex_unlock(&stash_lock);
    return same ? x : NULL;
}

void kdx_xzstream_stash_clear(void)
{
    pthread_mutex_lock(&stash_lock);
    kdx_xzstream *x = stashed;
    stashed = NULL;
    pthread_mutex_unlock(&stash_lock);
    kdx_xzstream_free(x);
}

kdx_status kdx_xzstream_status(const kdx_xzstream *x, const char **msg)
{
    *msg = x->msg;
    return x->st;
}

void kdx_xzstream_free(kdx_xzstream *x)
{
    if (!x)
        return;
    if (x->threaded) {
        pthread_mutex_lock(&x->mu);
        x->stop = true;
        pthread_cond_broadcast(&x->cv);
        pthread_mutex_unlock(&x->mu);
        pthread_join(x->thread, NULL);
    }
    if (x->buf[0]) {
        pthread_mutex_destroy(&x->mu);
        pthread_cond_destroy(&x->cv);
    }
    lzma_end(&x->z);
    for (int i = 0; i < NSLOTS; i++)
        free(x->buf[i]);
    free(x->kept);
    kdx_file_close(x->file); /* after the thread: it reads the mapping */
    free(x);
}
