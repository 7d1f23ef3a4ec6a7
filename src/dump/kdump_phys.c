/* Physical memory of kernel dumps: the run table of complete dumps and the
 * page bitmap of bitmap dumps. Pages are found by binary search (runs) or a
 * rank table (bitmap), so opening reads nothing but these tables. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdump.h"

#define PAGE 4096u

static int run_cmp(const void *a, const void *b)
{
    const kdx_kdump_run *x = a, *y = b;
    return x->base_page < y->base_page ? -1 : x->base_page > y->base_page;
}

kdx_status kdx_kdump_load_runs(kdx_kdump *d, kdx_err *err)
{
    const kdx_kdump_header *h = &d->hdr;
    const kdx_file *f = d->file;
    uint64_t desc = h->is64 ? KDX_DH64_PHYS_BLOCK : KDX_DH32_PHYS_BLOCK;
    uint64_t first = desc + (h->is64 ? 16 : 8), esize = h->is64 ? 16 : 8;
    uint64_t max_runs = (700 - (first - desc)) / esize;
    if (h->number_of_runs > max_runs)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: PHYSICAL_MEMORY_DESCRIPTOR at offset 0x%llx: NumberOfRuns %u "
                           "exceeds the %llu that fit in the header",
                           f->path, (unsigned long long)desc, h->number_of_runs,
                           (unsigned long long)max_runs);
    d->nruns = h->number_of_runs;
    d->runs = kdx_xcalloc(d->nruns ? d->nruns : 1, sizeof *d->runs);
    uint64_t off = h->header_size, total = 0;
    for (size_t i = 0; i < d->nruns; i++) {
        const uint8_t *r = f->data + first + i * esize;
        uint64_t base = h->is64 ? kdx_le64(r) : kdx_le32(r);
        uint64_t count = h->is64 ? kdx_le64(r + 8) : kdx_le32(r + 4);
        if (count > (1ull << 40) || base > (1ull << 40) || total + count > (1ull << 40))
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: PHYSICAL_MEMORY_RUN %zu at offset 0x%llx: BasePage 0x%llx "
                               "PageCount 0x%llx is out of range",
                               f->path, i, (unsigned long long)(first + i * esize),
                               (unsigned long long)base, (unsigned long long)count);
        d->runs[i] = (kdx_kdump_run){base, count, off};
        off += count * PAGE;
        total += count;
    }
    kdx_sort(d->runs, d->nruns, sizeof *d->runs, run_cmp);
    for (size_t i = 1; i < d->nruns; i++)
        if (d->runs[i - 1].base_page + d->runs[i - 1].page_count > d->runs[i].base_page)
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: PHYSICAL_MEMORY_DESCRIPTOR at offset 0x%llx: runs at pfn "
                               "0x%llx and 0x%llx overlap",
                               f->path, (unsigned long long)desc,
                               (unsigned long long)d->runs[i - 1].base_page,
                               (unsigned long long)d->runs[i].base_page);
    d->expected_size = off;
    d->truncated = f->size < off;
    return KDX_OK;
}

/* Builds the rank table for a bitmap of `pages` bits at m->bitmap_off, when it
 * fits in the file; returns the number of bits set, or UINT64_MAX. */
static uint64_t rank_bitmap(kdx_kdump *d, uint64_t pages)
{
    const kdx_kdump_bitmap *m = &d->bmp;
    uint64_t bytes = (pages + 7) / 8;
    if (pages > (1ull << 40) || !kdx_range_ok(m->bitmap_off, bytes, d->file->size))
        return UINT64_MAX;
    const uint8_t *bits = d->file->data + m->bitmap_off;
    uint64_t words = (pages + 63) / 64, count = 0;
    free(d->bitmap_rank);
    d->bitmap_rank = kdx_xmalloc((words ? words : 1) * sizeof *d->bitmap_rank);
    for (uint64_t w = 0; w < words; w++) {
        d->bitmap_rank[w] = count;
        uint64_t v = 0;
        for (unsigned k = 0; k < 8 && w * 8 + k < bytes; k++)
            v |= (uint64_t)bits[w * 8 + k] << (8 * k);
        if (w == words - 1 && pages % 64)
            v &= (1ull << (pages % 64)) - 1;
        count += (uint64_t)__builtin_popcountll(v);
    }
    d->bitmap = bits;
    return count;
}

/* The bitmap checks out: pages follow FirstPage in bitmap order. */
static kdx_status bitmap_ready(kdx_kdump *d)
{
    d->has_bitmap = true;
    d->expected_size = d->bmp.first_page + d->bmp.total_present_pages * PAGE;
    d->truncated = d->file->size < d->expected_size;
    return KDX_OK;
}

kdx_status kdx_kdump_load_bitmap(kdx_kdump *d, kdx_err *err)
{
    const kdx_file *f = d->file;
    uint64_t at = d->hdr.header_size;
    const uint8_t *b;
    kdx_status st = kdx_file_need(f, at, 0x38, "bitmap dump header (SDMP/FDMP)", &b, err);
    if (st != KDX_OK)
        return st;
    kdx_kdump_bitmap *m = &d->bmp;
    m->signature = kdx_le32(b);
    m->valid_dump = kdx_le32(b + 4);
    m->first_page = kdx_le64(b + 0x20);
    m->total_present_pages = kdx_le64(b + 0x28);
    m->pages = kdx_le64(b + 0x30);
    m->bitmap_off = at + 0x38;
    if ((memcmp(b, "SDMP", 4) != 0 && memcmp(b, "FDMP", 4) != 0) || memcmp(b + 4, "DUMP", 4) != 0)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: bitmap dump header at offset 0x%llx: signature is not "
                           "SDMP/FDMP followed by DUMP",
                           f->path, (unsigned long long)at);
    if (m->first_page % PAGE)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: bitmap dump header at offset 0x%llx: FirstPage 0x%llx is not "
                           "page aligned",
                           f->path, (unsigned long long)at, (unsigned long long)m->first_page);
    /* Public descriptions disagree on the order of TotalPresentPages and Pages
     * (bit count); the bitmap itself tells which one is its population. */
    uint64_t count = rank_bitmap(d, m->pages);
    if (count != m->total_present_pages) {
        uint64_t swapped = rank_bitmap(d, m->total_present_pages);
        if (swapped != m->pages)
            return kdx_err_set(err, count == UINT64_MAX ? KDX_E_TRUNCATED : KDX_E_FORMAT,
                               "%s: bitmap dump header at offset 0x%llx: a bitmap of 0x%llx pages "
                               "with 0x%llx present does not fit the file or its set bits",
                               f->path, (unsigned long long)at, (unsigned long long)m->pages,
                               (unsigned long long)m->total_present_pages);
        m->pages = m->total_present_pages;
        m->total_present_pages = count = swapped;
    }
    if (m->first_page < m->bitmap_off + (m->pages + 7) / 8)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: bitmap dump header at offset 0x%llx: FirstPage 0x%llx lies "
                           "inside the bitmap",
                           f->path, (unsigned long long)at, (unsigned long long)m->first_page);
    return bitmap_ready(d);
}

/* SUMMARY_DUMP (DumpType 2): Signature "SDMP", ValidDump "DUMP", DumpOptions,
 * HeaderSize (file offset of the first page), BitmapSize (bits), Pages
 * (present), then an RTL_BITMAP whose bits follow in the file. Where the bits
 * start is told by the population matching Pages. */
kdx_status kdx_kdump_load_summary(kdx_kdump *d, kdx_err *err)
{
    const kdx_file *f = d->file;
    uint64_t at = d->hdr.header_size;
    const uint8_t *b;
    kdx_status st = kdx_file_need(f, at, 0x20, "SUMMARY_DUMP header", &b, err);
    if (st != KDX_OK)
        return st;
    kdx_kdump_bitmap *m = &d->bmp;
    m->summary = true;
    m->signature = kdx_le32(b);
    m->valid_dump = kdx_le32(b + 4);
    m->dump_options = kdx_le32(b + 8);
    m->header_size = kdx_le32(b + 0xc);
    m->bitmap_size = kdx_le32(b + 0x10);
    m->total_present_pages = kdx_le32(b + 0x14);
    m->pages = m->bitmap_size;
    m->first_page = m->header_size;
    if (memcmp(b, "SDMP", 4) != 0 || memcmp(b + 4, "DUMP", 4) != 0)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: SUMMARY_DUMP at offset 0x%llx: signature is not SDMP followed by DUMP",
                           f->path, (unsigned long long)at);
    const uint64_t cand64[] = {0x28, 0x38}, cand32[] = {0x20, 0x1c, 0x24};
    const uint64_t *cand = d->hdr.is64 ? cand64 : cand32;
    size_t ncand = d->hdr.is64 ? 2 : 3;
    for (size_t i = 0; i < ncand; i++) {
        m->bitmap_off = at + cand[i];
        if (rank_bitmap(d, m->pages) != m->total_present_pages)
            continue;
        if (m->first_page % PAGE || m->first_page < m->bitmap_off + (m->pages + 7) / 8)
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: SUMMARY_DUMP at offset 0x%llx: HeaderSize 0x%x is not a page "
                               "boundary after the bitmap",
                               f->path, (unsigned long long)at, m->header_size);
        return bitmap_ready(d);
    }
    return kdx_err_set(err, KDX_E_FORMAT,
                       "%s: SUMMARY_DUMP at offset 0x%llx: no bitmap of 0x%x bits with 0x%llx pages "
                       "set follows the header",
                       f->path, (unsigned long long)at, m->bitmap_size,
                       (unsigned long long)m->total_present_pages);
}

static uint64_t bitmap_offset(const kdx_kdump *d, uint64_t pfn)
{
    if (pfn >= d->bmp.pages || !(d->bitmap[pfn / 8] & (1u << (pfn % 8))))
        return 0;
    /* Present pages before pfn: the word's rank plus the bits below pfn in its word. */
    uint64_t w = pfn / 64, v = 0;
    for (unsigned k = 0; k < 8 && w * 8 + k <= pfn / 8; k++)
        v |= (uint64_t)d->bitmap[w * 8 + k] << (8 * k);
    v &= (1ull << (pfn % 64)) - 1;
    uint64_t rank = d->bitmap_rank[w] + (uint64_t)__builtin_popcountll(v);
    return d->bmp.first_page + rank * PAGE;
}

static uint64_t runs_offset(const kdx_kdump *d, uint64_t pfn)
{
    size_t lo = 0, hi = d->nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kdx_kdump_run *r = &d->runs[mid];
        if (pfn < r->base_page)
            hi = mid;
        else if (pfn - r->base_page >= r->page_count)
            lo = mid + 1;
        else
            return r->file_off + (pfn - r->base_page) * PAGE;
    }
    return 0;
}

uint64_t kdx_kdump_page_offset(const kdx_kdump *d, uint64_t pfn, bool *cut)
{
    *cut = false;
    uint64_t off = d->has_bitmap ? bitmap_offset(d, pfn) : d->nruns ? runs_offset(d, pfn) : 0;
    if (off && !kdx_range_ok(off, PAGE, d->file->size)) {
        *cut = true;
        return 0;
    }
    return off;
}

const uint8_t *kdx_kdump_phys_page(void *impl, uint64_t pfn)
{
    kdx_kdump *d = impl;
    bool cut;
    uint64_t off = kdx_kdump_page_offset(d, pfn, &cut);
    return off ? d->file->data + off : NULL;
}

kdx_status kdx_kdump_read_phys(void *impl, uint64_t pa, void *buf, size_t len, size_t *done)
{
    kdx_kdump *d = impl;
    uint8_t *dst = buf;
    size_t got = 0;
    kdx_status st = KDX_OK;
    while (got < len) {
        uint64_t a = pa + got;
        size_t n = KDX_MIN(len - got, PAGE - (size_t)(a & (PAGE - 1)));
        bool cut;
        uint64_t off = kdx_kdump_page_offset(d, a / PAGE, &cut);
        if (!off) {
            st = cut ? KDX_E_TRUNCATED : KDX_E_MEM_MISSING;
            break;
        }
        memcpy(dst + got, d->file->data + off + (a & (PAGE - 1)), n);
        got += n;
    }
    if (done)
        *done = got;
    return st;
}
