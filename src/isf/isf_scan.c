/* A quick look at an ISF table's text (isf.h: kdx_isf_quick_addresses): the
 * text is decoded a window at a time and searched for each name's first
 * mention, stopping as soon as every name is found, so that refusing a
 * table that does not match a dump costs a fraction of parsing it. The text
 * decoded is set aside (isf/xzstream.h) for a parse of the same file that
 * follows: accepting a table does not decode its first part twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/util.h"
#include "isf/isf.h"
#include "isf/isf_internal.h"
#include "isf/xzstream.h"

#define ADDRESS_REACH 300 /* "address" follows a symbol's name within this */
#define CARRY 512         /* bytes kept from one window for matches across two */

typedef struct quick {
    const char *const *names;
    size_t n, left;
    int64_t *out;
    bool *found;
    KDX_VEC(char) text;   /* the previous window's tail, then the current window */
} quick;

/* "address": 12345 after p, within the text; -1 when not there. */
static int64_t address_after(const char *p, const char *end)
{
    const char *lim = end - p > ADDRESS_REACH ? p + ADDRESS_REACH : end;
    const char *a = memmem(p, (size_t)(lim - p), "\"address\"", 9);
    if (!a)
        return -1;
    for (a += 9; a < end && (*a == ' ' || *a == ':' || *a == '\n' || *a == '\t' || *a == '\r'); a++)
        ;
    int64_t v = -1;
    for (; a < end && *a >= '0' && *a <= '9' && v < INT64_MAX / 10 - 10; a++)
        v = (v < 0 ? 0 : v * 10) + (*a - '0');
    return v;
}

/* Looks for every name not found yet; a mention too close to the end of the
 * text waits for the next window unless this is the last. */
static void search(quick *q, bool last)
{
    const char *t = q->text.items, *end = t + q->text.len;
    for (size_t i = 0; i < q->n; i++) {
        if (q->found[i])
            continue;
        char key[256];
        int kl = snprintf(key, sizeof key, "\"%s\"", q->names[i]);
        const char *p = memmem(t, q->text.len, key, (size_t)kl);
        if (!p || (!last && end - p < kl + ADDRESS_REACH + 24))
            continue;
        q->out[i] = address_after(p + kl, end);
        q->found[i] = true;
        q->left--;
    }
}

static void add_window(quick *q, const uint8_t *p, size_t n)
{
    if (q->text.len > CARRY) {
        memmove(q->text.items, q->text.items + q->text.len - CARRY, CARRY);
        q->text.len = CARRY;
    }
    if (q->text.len + n > q->text.cap) {
        q->text.cap = q->text.len + n;
        q->text.items = kdx_xrealloc(q->text.items, q->text.cap);
    }
    memcpy(q->text.items + q->text.len, p, n);
    q->text.len += n;
}

bool kdx_isf_quick_addresses(const char *path, const char *const *names, size_t n, int64_t *out)
{
    kdx_file *f;
    if (kdx_file_open(&f, path, NULL) != KDX_OK || !f->data)
        return false;
    quick q = {names, n, n, out, kdx_xcalloc(n ? n : 1, sizeof(bool)), {0}};
    for (size_t i = 0; i < n; i++)
        out[i] = -1;
    bool ok = true;
    if (kdx_is_xz(f->data, f->size)) {
        kdx_xzstream *x = kdx_xzstream_new(f->data, f->size, ISF_MAX_TEXT, true);
        kdx_xzstream_keep(x);
        const uint8_t *p;
        size_t len;
        while (q.left && kdx_xzstream_next(x, &p, &len)) {
            add_window(&q, p, len);
            search(&q, false);
        }
        const char *msg;
        ok = !q.left || kdx_xzstream_status(x, &msg) == KDX_OK;
        /* A parse of this file that follows goes on from here. */
        kdx_xzstream_stash(x, f);
        f = NULL;
    } else {
        add_window(&q, f->data, f->size);
    }
    if (q.left)
        search(&q, true);
    KDX_VEC_FREE(q.text);
    free(q.found);
    kdx_file_close(f);
    return ok;
}

void kdx_isf_quick_forget(void)
{
    kdx_xzstream_stash_clear();
}
