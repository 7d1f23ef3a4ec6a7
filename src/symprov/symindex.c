#include "symprov/symindex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"

struct kdx_namemap_slot {
    const char *name;
    void *value;
    uint64_t hash;      /* kept so that probes and growth compare no strings */
};

static uint64_t hash_name(const char *s)
{
    return kdx_hash64(s, strlen(s));
}

static void namemap_resize(kdx_namemap *m, size_t cap)
{
    struct kdx_namemap_slot *slots = kdx_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].name)
            continue;
        size_t k = m->slots[i].hash & (cap - 1);
        while (slots[k].name)
            k = (k + 1) & (cap - 1);
        slots[k] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void kdx_namemap_reserve(kdx_namemap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while (cap < n * 2)
        cap *= 2;
    if (cap > m->cap)
        namemap_resize(m, cap);
}

void *kdx_namemap_get_or_put(kdx_namemap *m, const char *name, void *value)
{
    if ((m->len + 1) * 2 > m->cap)
        namemap_resize(m, m->cap ? m->cap * 2 : 64);
    uint64_t h = hash_name(name);
    size_t i = h & (m->cap - 1);
    while (m->slots[i].name) {
        if (m->slots[i].hash == h && strcmp(m->slots[i].name, name) == 0)
            return m->slots[i].value;
        i = (i + 1) & (m->cap - 1);
    }
    m->slots[i] = (struct kdx_namemap_slot){name, value, h};
    m->len++;
    return NULL;
}

void kdx_namemap_put(kdx_namemap *m, const char *name, void *value)
{
    kdx_namemap_get_or_put(m, name, value); /* an earlier value stays */
}

void *kdx_namemap_get(const kdx_namemap *m, const char *name)
{
    if (!m->cap)
        return NULL;
    uint64_t h = hash_name(name);
    size_t i = h & (m->cap - 1);
    while (m->slots[i].name) {
        if (m->slots[i].hash == h && strcmp(m->slots[i].name, name) == 0)
            return m->slots[i].value;
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

const char *kdx_namemap_slot(const kdx_namemap *m, size_t i, void **value)
{
    if (i >= m->cap || !m->slots[i].name)
        return NULL;
    *value = m->slots[i].value;
    return m->slots[i].name;
}

void kdx_namemap_free(kdx_namemap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

void kdx_symindex_add(kdx_symindex *ix, const char *name, uint32_t rva, uint32_t size,
                      kdx_symkind kind)
{
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 64;
        ix->syms = kdx_xrealloc(ix->syms, ix->cap * sizeof *ix->syms);
    }
    ix->syms[ix->n++] = (kdx_symbol){.name = name, .rva = rva, .size = size, .kind = kind};
}

static int cmp_sym(const void *a, const void *b)
{
    const kdx_symbol *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    bool fx = x->kind == KDX_SYM_FUNCTION, fy = y->kind == KDX_SYM_FUNCTION;
    if (fx != fy)
        return fx ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Sorts keys[0..n) by their upper 32 bits, stably (so keys whose lower
 * bits count up stay in that order): four byte-wide counting passes, where
 * qsort's compare calls cost a kernel table's load 2-3 ms. */
static void radix_sort_high32(uint64_t *keys, size_t n)
{
    uint64_t *tmp = kdx_xmalloc(n * sizeof *tmp), *from = keys, *to = tmp;
    for (unsigned shift = 32; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i] >> shift) & 0xff) + 1]++;
        for (int d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i] >> shift) & 0xff]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    /* Four passes: the result is back in keys. */
    free(tmp);
}

/* Sorted by address on 8-byte keys (rva, position) rather than moving whole
 * symbols; runs at one address, few, then take the full order. */
void kdx_symindex_finish(kdx_symindex *ix)
{
    if (ix->n < 2)
        return;
    uint64_t *keys = kdx_xmalloc(ix->n * sizeof *keys);
    for (size_t i = 0; i < ix->n; i++)
        keys[i] = (uint64_t)ix->syms[i].rva << 32 | i;
    radix_sort_high32(keys, ix->n);
    kdx_symbol *sorted = kdx_xmalloc(ix->n * sizeof *sorted);
    for (size_t i = 0; i < ix->n; i++)
        sorted[i] = ix->syms[keys[i] & 0xffffffffu];
    for (size_t i = 0, j; i < ix->n; i = j) {
        for (j = i + 1; j < ix->n && sorted[j].rva == sorted[i].rva; j++)
            ;
        if (j - i > 1)
            kdx_sort(sorted + i, j - i, sizeof *sorted, cmp_sym);
    }
    free(keys);
    free(ix->syms);
    ix->syms = sorted;
    ix->cap = ix->n;
}

/* The name hashes, on the first lookup by name: a table served from the
 * symbol index cache (sym/symcache.h) never needs them. */
static void build_name_maps(kdx_symindex *ix)
{
    if (ix->named || !ix->n)
        return;
    ix->named = true;
    size_t total = 0;
    kdx_namemap_reserve(&ix->by_name, ix->n);
    kdx_namemap_reserve(&ix->by_lower, ix->n);
    for (size_t i = 0; i < ix->n; i++) {
        kdx_namemap_put(&ix->by_name, ix->syms[i].name, &ix->syms[i]);
        total += strlen(ix->syms[i].name) + 1;
    }
    ix->lower = kdx_xmalloc(total ? total : 1);
    char *q = ix->lower;
    for (size_t i = 0; i < ix->n; i++) {
        const char *name = q;
        for (const char *c = ix->syms[i].name; *c; c++)
            *q++ = (char)tolower((unsigned char)*c);
        *q++ = 0;
        kdx_namemap_put(&ix->by_lower, name, &ix->syms[i]);
    }
}

void kdx_symindex_free(kdx_symindex *ix)
{
    free(ix->syms);
    free(ix->lower);
    kdx_namemap_free(&ix->by_name);
    kdx_namemap_free(&ix->by_lower);
    memset(ix, 0, sizeof *ix);
}

kdx_status kdx_symindex_by_rva(const kdx_symindex *ix, uint32_t rva, kdx_symbol *out)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->syms[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return KDX_E_NOT_FOUND;
    size_t i = lo - 1;
    while (i > 0 && ix->syms[i - 1].rva == ix->syms[i].rva)
        i--;
    *out = ix->syms[i];
    return KDX_OK;
}

kdx_status kdx_symindex_by_name(kdx_symindex *ix, const char *name, kdx_symbol *out)
{
    build_name_maps(ix);
    const kdx_symbol *s = kdx_namemap_get(&ix->by_name, name);
    if (!s) {
        char small[256];
        size_t n = strlen(name);
        char *low = n < sizeof small ? small : kdx_xmalloc(n + 1);
        for (size_t i = 0; i <= n; i++)
            low[i] = (char)tolower((unsigned char)name[i]);
        s = kdx_namemap_get(&ix->by_lower, low);
        if (low != small)
            free(low);
    }
    if (!s)
        return KDX_E_NOT_FOUND;
    *out = *s;
    return KDX_OK;
}

kdx_status kdx_symindex_enumerate(const kdx_symindex *ix, const char *pattern, kdx_symbol_cb cb,
                                  void *ud)
{
    for (size_t i = 0; i < ix->n; i++) {
        if (pattern && !kdx_wildcard_match(pattern, ix->syms[i].name))
            continue;
        if (cb(ud, &ix->syms[i]))
            break;
    }
    return KDX_OK;
}
