/* The kernel-object layer's per-session cache (see ntctx.h). */
#include "nt/ntctx.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static void ctx_free(struct kdx_ntctx *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nslots; i++) {
        kdx_nt_cached *e = c->slots[i];
        if (e) {
            free(e->key);
            free(e->why);
            free(e->alt);
            free(e);
        }
    }
    free(c->slots);
    free(c->cookie_why);
    free(c);
}

struct kdx_ntctx *kdx_nt_ctx(kdx_session *s)
{
    if (!s->nt) {
        s->nt = kdx_xcalloc(1, sizeof *s->nt);
        s->nt_free = ctx_free;
    }
    return s->nt;
}

static size_t hash_key(const char *k)
{
    size_t h = 1469598103934665603ull;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

static void grow(struct kdx_ntctx *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 256;
    kdx_nt_cached **slots = kdx_xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < c->nslots; i++) {
        kdx_nt_cached *e = c->slots[i];
        if (!e)
            continue;
        size_t j = hash_key(e->key) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = e;
    }
    free(c->slots);
    c->slots = slots;
    c->nslots = n;
}

kdx_nt_cached *kdx_nt_cache_entry(struct kdx_ntctx *c, const char *key, bool *fresh)
{
    if (2 * (c->used + 1) > c->nslots)
        grow(c);
    size_t j = hash_key(key) & (c->nslots - 1);
    for (; c->slots[j]; j = (j + 1) & (c->nslots - 1))
        if (!strcmp(c->slots[j]->key, key)) {
            *fresh = false;
            return c->slots[j];
        }
    kdx_nt_cached *e = kdx_xcalloc(1, sizeof *e);
    e->key = kdx_strdup(key);
    e->st = KDX_E_NOT_FOUND;
    c->slots[j] = e;
    c->used++;
    *fresh = true;
    return e;
}
