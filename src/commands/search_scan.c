/* The fast path of `s` (cmd_memory_search.c) on kernel dumps: memory is
 * searched where it lies in the mapped dump file (kdx_virt_next_span), with
 * vector compares of the pattern's first unit at aligned offsets (memchr
 * for bytes), on both cores when the range is large; hits come back sorted
 * by address. A pattern that straddles two runs is checked through ordinary
 * reads at each boundary. */
#include "commands/search_scan.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/util.h"
#include "target/memory.h"

#define SPAN_MAX (8u << 20)          /* runs are cut into pieces this large */
#define PARALLEL_MIN (32ull << 20)   /* a second thread pays off above this */
#define VEC 64

#ifdef __SSE2__
#include <emmintrin.h>

/* Four 16-byte compares folded into one test per 64 bytes. */
static inline __m128i eq_units(__m128i v, __m128i k, unsigned unit)
{
    if (unit == 2)
        return _mm_cmpeq_epi16(v, k);
    __m128i e = _mm_cmpeq_epi32(v, k);
    /* 8-byte units: both halves equal (SSE2 has no 64-bit compare). */
    return unit == 8 ? _mm_and_si128(e, _mm_shuffle_epi32(e, _MM_SHUFFLE(2, 3, 0, 1))) : e;
}

static size_t skip_blocks(const uint8_t *p, size_t n, size_t off, const uint8_t *key, unsigned unit)
{
    uint8_t lanes[16];
    for (unsigned i = 0; i < 16; i += unit)
        memcpy(lanes + i, key, unit);
    __m128i k = _mm_loadu_si128((const __m128i *)(const void *)lanes);
    for (; off + VEC <= n; off += VEC) {
        const __m128i *q = (const __m128i *)(const void *)(p + off);
        __m128i m = _mm_or_si128(_mm_or_si128(eq_units(_mm_loadu_si128(q), k, unit),
                                              eq_units(_mm_loadu_si128(q + 1), k, unit)),
                                 _mm_or_si128(eq_units(_mm_loadu_si128(q + 2), k, unit),
                                              eq_units(_mm_loadu_si128(q + 3), k, unit)));
        if (_mm_movemask_epi8(m))
            break;
    }
    return off;
}
#else
/* Without SSE2: whole 64-byte blocks compared eight bytes at a time. */
static size_t skip_blocks(const uint8_t *p, size_t n, size_t off, const uint8_t *key, unsigned unit)
{
    (void)p, (void)n, (void)key, (void)unit;
    return off;
}
#endif

/* The first offset >= off (stepping by the unit) where the unit equals the
 * pattern's first; SIZE_MAX when none. Vector blocks without one are
 * skipped; the block with one is finished a unit at a time. */
static size_t find_unit(const uint8_t *p, size_t n, size_t off, const uint8_t *key, unsigned unit)
{
    for (off = skip_blocks(p, n, off, key, unit); off + unit <= n; off += unit)
        if (memcmp(p + off, key, unit) == 0)
            return off;
    return SIZE_MAX;
}

static size_t find_first(const kdx_search_job *j, const uint8_t *p, size_t n, size_t off)
{
    if (j->unit > 1)
        return find_unit(p, n, off, j->pattern, j->unit);
    const uint8_t *h = off < n ? memchr(p + off, j->pattern[0], n - off) : NULL;
    return h ? (size_t)(h - p) : SIZE_MAX;
}

typedef struct scan_part {
    const kdx_search_job *job;
    const kdx_virt_span *spans;
    size_t n;
    kdx_search_hits hits;
} scan_part;

/* Hits that lie wholly inside one run. */
static void scan_span(scan_part *part, const kdx_virt_span *sp)
{
    const kdx_search_job *j = part->job;
    if (sp->n < j->plen)
        return;
    size_t last = sp->n - j->plen;
    size_t off = (size_t)((j->unit - sp->va % j->unit) % j->unit);
    while ((off = find_first(j, sp->p, sp->n, off)) <= last) {
        if (memcmp(sp->p + off, j->pattern, j->plen) == 0)
            KDX_VEC_PUSH(part->hits, sp->va + off);
        off += j->unit;
    }
}

static void *scan_part_run(void *ud)
{
    scan_part *part = ud;
    for (size_t i = 0; i < part->n; i++)
        scan_span(part, &part->spans[i]);
    return NULL;
}

/* Matches starting in the last plen-1 bytes of a run that goes on in the next. */
static void scan_boundary(kdx_target *t, const kdx_search_job *j, const kdx_virt_span *sp,
                          kdx_search_hits *hits)
{
    uint64_t end = sp->va + sp->n;
    uint8_t *buf = kdx_xmalloc(j->plen);
    for (uint64_t a = end - KDX_MIN((uint64_t)j->plen - 1, (uint64_t)sp->n); a < end; a++) {
        size_t done = 0;
        if (a % j->unit == 0 && kdx_read_virt(t, a, buf, j->plen, &done, NULL) == KDX_OK &&
            memcmp(buf, j->pattern, j->plen) == 0)
            KDX_VEC_PUSH(*hits, a);
    }
    free(buf);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void append(kdx_search_hits *to, const kdx_search_hits *from)
{
    for (size_t i = 0; i < from->len; i++)
        KDX_VEC_PUSH(*to, from->items[i]);
}

/* Splits the runs where half the bytes lie on each side and scans the
 * halves at once when that is worth a thread. */
static void scan_all(const kdx_search_job *j, const kdx_virt_span *spans, size_t n, uint64_t total,
                     kdx_search_hits *hits)
{
    size_t cut = n;
    if (total >= (j->parallel_min ? j->parallel_min : PARALLEL_MIN) && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        uint64_t acc = 0;
        for (cut = 0; cut < n && acc < total / 2; cut++)
            acc += spans[cut].n;
    }
    /* spans is NULL when nothing is present: no pointer arithmetic on it then. */
    scan_part a = {j, spans, cut, {0}}, b = {j, spans ? spans + cut : NULL, n - cut, {0}};
    pthread_t th;
    bool threaded = b.n && pthread_create(&th, NULL, scan_part_run, &b) == 0;
    scan_part_run(&a);
    if (threaded)
        pthread_join(th, NULL);
    else
        scan_part_run(&b);
    append(hits, &a.hits);
    append(hits, &b.hits);
    KDX_VEC_FREE(a.hits);
    KDX_VEC_FREE(b.hits);
}

bool kdx_search_scan(kdx_target *t, const kdx_search_job *j, uint64_t start, uint64_t end,
                     kdx_search_hits *hits)
{
    if (!kdx_virt_spans_supported(t) || !j->plen || !j->unit)
        return false;
    KDX_VEC(kdx_virt_span) spans = {0};
    uint64_t cursor = start, total = 0;
    kdx_virt_span sp;
    while (kdx_virt_next_span(t, &cursor, end, SPAN_MAX, &sp)) {
        KDX_VEC_PUSH(spans, sp);
        total += sp.n;
        kdx_progress_report("s", cursor - start, end - start, "bytes");
    }
    scan_all(j, spans.items, spans.len, total, hits);
    kdx_progress_report("s", end - start, end - start, "bytes");
    for (size_t i = 0; j->plen > 1 && i < spans.len; i++) {
        const kdx_virt_span *s = &spans.items[i];
        if (i + 1 < spans.len && s->va + s->n == spans.items[i + 1].va)
            scan_boundary(t, j, s, hits);
    }
    if (hits->len)
        kdx_sort(hits->items, hits->len, sizeof *hits->items, cmp_u64);
    KDX_VEC_FREE(spans);
    return true;
}
