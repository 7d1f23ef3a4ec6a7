#include "target/overlay.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Edited bytes grouped by 4 KB page; a bitmap marks which bytes were written.
 * Edits are few (typed by hand), so a sorted array is enough. */
typedef struct overlay_page {
    uint64_t page;
    uint8_t data[4096];
    uint8_t set[4096 / 8];
} overlay_page;

struct kdx_overlay {
    overlay_page **pages;
    size_t n;
};

kdx_overlay *kdx_overlay_new(void)
{
    return kdx_xcalloc(1, sizeof(kdx_overlay));
}

void kdx_overlay_free(kdx_overlay *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        free(o->pages[i]);
    free(o->pages);
    free(o);
}

static overlay_page *find_page(const kdx_overlay *o, uint64_t page, size_t *pos)
{
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (o->pages[mid]->page < page)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return lo < o->n && o->pages[lo]->page == page ? o->pages[lo] : NULL;
}

void kdx_overlay_write(kdx_overlay *o, uint64_t va, const void *buf, size_t len)
{
    const uint8_t *src = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = va + i, page = a & ~0xfffull;
        size_t pos;
        overlay_page *p = find_page(o, page, &pos);
        if (!p) {
            p = kdx_xcalloc(1, sizeof *p);
            p->page = page;
            o->pages = kdx_xrealloc(o->pages, (o->n + 1) * sizeof *o->pages);
            memmove(o->pages + pos + 1, o->pages + pos, (o->n - pos) * sizeof *o->pages);
            o->pages[pos] = p;
            o->n++;
        }
        unsigned off = (unsigned)(a & 0xfff);
        p->data[off] = src[i];
        p->set[off / 8] |= (uint8_t)(1u << (off % 8));
    }
}

bool kdx_overlay_empty(const kdx_overlay *o)
{
    return !o || !o->n;
}

void kdx_overlay_apply(const kdx_overlay *o, uint64_t va, void *buf, size_t len)
{
    if (!o || !o->n)
        return;
    uint8_t *dst = buf;
    for (size_t i = 0; i < len;) {
        uint64_t a = va + i;
        overlay_page *p = find_page(o, a & ~0xfffull, NULL);
        size_t in_page = 4096 - (size_t)(a & 0xfff);
        size_t n = KDX_MIN(in_page, len - i);
        if (p) {
            for (size_t k = 0; k < n; k++) {
                unsigned off = (unsigned)((a + k) & 0xfff);
                if (p->set[off / 8] & (1u << (off % 8)))
                    dst[i + k] = p->data[off];
            }
        }
        i += n;
    }
}
