#include "tests/unit/mm_fixture.h"

#include "tests/test.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "commands/command.h"

typedef struct fix_page {
    uint64_t pfn;
    uint8_t data[4096];
} fix_page;

typedef struct fixture {
    KDX_VEC(fix_page *) pages;
} fixture;

static fix_page *find(fixture *f, uint64_t pfn)
{
    for (size_t i = 0; i < f->pages.len; i++)
        if (f->pages.items[i]->pfn == pfn)
            return f->pages.items[i];
    return NULL;
}

static kdx_status fix_read_phys(void *impl, uint64_t pa, void *buf, size_t len, size_t *done)
{
    fixture *f = impl;
    size_t got = 0;
    while (got < len) {
        uint64_t a = pa + got;
        fix_page *p = find(f, a >> 12);
        if (!p)
            break;
        size_t n = KDX_MIN(len - got, 4096 - (size_t)(a & 0xfff));
        memcpy((uint8_t *)buf + got, p->data + (a & 0xfff), n);
        got += n;
    }
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static const uint8_t *fix_phys_page(void *impl, uint64_t pfn)
{
    fix_page *p = find(impl, pfn);
    return p ? p->data : NULL;
}

static void fix_close(void *impl)
{
    fixture *f = impl;
    for (size_t i = 0; i < f->pages.len; i++)
        free(f->pages.items[i]);
    KDX_VEC_FREE(f->pages);
    free(f);
}

static const kdx_target_ops fix_ops = {
    .format_name = "Test page-table fixture",
    .close = fix_close,
    .read_phys = fix_read_phys,
    .phys_page = fix_phys_page,
};

kdx_target *mmfix_new(kdx_arch arch, kdx_paging paging, uint64_t dtb)
{
    kdx_target *t = kdx_target_new(KDX_TARGET_KERNEL_DUMP, arch, "fixture.dmp");
    t->ops = &fix_ops;
    t->impl = kdx_xcalloc(1, sizeof(fixture));
    t->paging = paging;
    t->dtb = t->kernel_dtb = dtb;
    t->ncontexts = 1;
    return t;
}

uint8_t *mmfix_at(kdx_target *t, uint64_t pa)
{
    fixture *f = t->impl;
    fix_page *p = find(f, pa >> 12);
    if (!p) {
        p = kdx_xcalloc(1, sizeof *p);
        p->pfn = pa >> 12;
        KDX_VEC_PUSH(f->pages, p);
    }
    return p->data + (pa & 0xfff);
}

void mmfix_put32(kdx_target *t, uint64_t pa, uint32_t v)
{
    uint8_t *p = mmfix_at(t, pa);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void mmfix_put64(kdx_target *t, uint64_t pa, uint64_t v)
{
    uint8_t *p = mmfix_at(t, pa);
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void mmfix_put_bytes(kdx_target *t, uint64_t pa, const void *b, size_t n)
{
    const uint8_t *src = b;
    for (size_t i = 0; i < n; i++)
        *mmfix_at(t, pa + i) = src[i];
}

void mmfix_drop(kdx_target *t, uint64_t pfn)
{
    fixture *f = t->impl;
    for (size_t i = 0; i < f->pages.len; i++)
        if (f->pages.items[i]->pfn == pfn) {
            free(f->pages.items[i]);
            f->pages.items[i] = f->pages.items[--f->pages.len];
            return;
        }
}

void mmfix_map_x64(kdx_target *t, uint64_t va, uint64_t pa, uint64_t flags,
                   uint64_t *next_table)
{
    uint64_t table = t->dtb & 0x000ffffffffff000ull;
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t ea = table + ((va >> shift) & 511) * 8;
        uint64_t e = kdx_le64(mmfix_at(t, ea));
        if (!(e & 1)) {
            e = *next_table | 0x63;
            *next_table += 0x1000;
            mmfix_at(t, e & ~0xfffull); /* the new table page exists, zeroed */
            mmfix_put64(t, ea, e);
        }
        table = e & 0x000ffffffffff000ull;
    }
    mmfix_put64(t, table + ((va >> 12) & 511) * 8, (pa & ~0xfffull) | flags);
}

kdx_target *mmfix_article_pae(void)
{
    kdx_target *t = mmfix_new(KDX_ARCH_X86, KDX_PAGING_X86_PAE, 0x23406e0);
    /* PDPT at 23406e0: entries for 2 GB-3 GB and 3 GB-4 GB. */
    mmfix_put64(t, 0x23406e0 + 2 * 8, 0x6c46801);
    mmfix_put64(t, 0x23406e0 + 3 * 8, 0x6c47801);
    /* 8054099e: PDE index 2 is a 2 MB page at 400000. */
    mmfix_put64(t, 0x6c46000 + 2 * 8, 0x4009e3);
    static const uint8_t bytes[48] = {
        0x33, 0xdb, 0x8b, 0x75, 0x18, 0x8b, 0x7d, 0x1c, 0x0f, 0x23, 0xfb, 0x0f, 0x23, 0xc6, 0x8b, 0x5d,
        0x20, 0x0f, 0x23, 0xcf, 0x0f, 0x23, 0xd3, 0x8b, 0x75, 0x24, 0x8b, 0x7d, 0x28, 0x8b, 0x5d, 0x2c,
        0x0f, 0x23, 0xde, 0x0f, 0x23, 0xf7, 0x0f, 0x23, 0xfb, 0xe9, 0x43, 0xff, 0xff, 0xff, 0x8b, 0x44};
    mmfix_put_bytes(t, 0x54099e, bytes, sizeof bytes);
    /* f9a10054: PDE 0102d963 -> PT 102d000, PTE index 0x10 = 02010121. */
    mmfix_put64(t, 0x6c47000 + 0x1cd * 8, 0x102d963);
    mmfix_put64(t, 0x102d000 + 0x10 * 8, 0x2010121);
    mmfix_put32(t, 0x2010054, 0x12345678);
    /* b8ae900c: PDE 0b880863 -> PT b880000, PTE index 0xe9 paged out. */
    mmfix_put64(t, 0x6c46000 + 0x1c5 * 8, 0xb880863);
    mmfix_put64(t, 0xb880000 + 0xe9 * 8, 0x000b8af500000000ull);
    return t;
}

char *mmfix_run(kdx_target *t, const char *setup, const char *commands)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    s->target = t;
    /* The setup's output is cut off afterwards rather than sent elsewhere. */
    size_t skip = 0;
    if (setup) {
        kdx_execute(s, setup);
        fflush(mem);
        skip = len;
    }
    kdx_execute(s, commands);
    kdx_session_free(s);
    fclose(mem);
    memmove(out, out + skip, len - skip + 1);
    return out;
}

kdx_target *mmfix_x64_leak(void)
{
    kdx_target *tg = mmfix_new(KDX_ARCH_X64, KDX_PAGING_X64_4, 0x1000);
    mmfix_put64(tg, 0x1000 + 0x1ed * 8, 0x1063); /* self-map: PTE base FFFFF680`00000000 */
    uint64_t next = 0x10000;
    static const char leak[] = "Leak;\xc1\x0f\x42\xc1\x33\xc9\x8b\xd0\xff\x15\xcc";
    mmfix_map_x64(tg, 0xfffff8800496e000ull, 0x5000, 0x963, &next);
    mmfix_put_bytes(tg, 0x53aa, leak, 16);
    mmfix_put_bytes(tg, 0x5621, leak, 16);
    mmfix_put_bytes(tg, 0x5700, "Hello, world", 13);
    mmfix_put_bytes(tg, 0x5800, "W\0i\0n\0\0\0", 8);
    mmfix_put_bytes(tg, 0x5ff8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    mmfix_map_x64(tg, 0xfffff8800496f000ull, 0x6000, 0x963, &next);
    mmfix_drop(tg, 0x6);
    mmfix_map_x64(tg, 0xfffff88004970000ull, 0x0000123400000000ull, 0x2080, &next);
    return tg;
}

static int page_cmp(const void *a, const void *b)
{
    uint64_t x = (*(fix_page *const *)a)->pfn, y = (*(fix_page *const *)b)->pfn;
    return x < y ? -1 : x > y;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

kdx_status mmfix_write_complete_dump(kdx_target *t, const char *path, uint32_t build,
                                     kdx_err *err)
{
    fixture *f = t->impl;
    bool is64 = t->arch == KDX_ARCH_X64;
    size_t hsize = is64 ? 0x2000 : 0x1000;
    size_t max_runs = is64 ? 42 : 86;
    if (f->pages.len > max_runs)
        return kdx_err_set(err, KDX_E_LIMIT, "fixture has %zu pages, a header holds %zu runs",
                           f->pages.len, max_runs);
    qsort(f->pages.items, f->pages.len, sizeof *f->pages.items, page_cmp);
    uint8_t *h = kdx_xcalloc(1, hsize);
    memcpy(h, is64 ? "PAGEDU64" : "PAGEDUMP", 8);
    put_le(h + 0x8, 0xf, 4);
    put_le(h + 0xc, build, 4);
    size_t desc = is64 ? 0x88 : 0x64, esize = is64 ? 16 : 8;
    if (is64) {
        put_le(h + 0x10, t->dtb, 8);
        put_le(h + 0x30, 0x8664, 4);
        put_le(h + 0x34, 1, 4);
        put_le(h + 0x38, 0x20, 4);
        put_le(h + 0x88, f->pages.len, 4);
        put_le(h + 0x90, f->pages.len, 8);
        put_le(h + 0xf98, 1, 4);
    } else {
        put_le(h + 0x10, t->dtb, 4);
        put_le(h + 0x20, 0x14c, 4);
        put_le(h + 0x24, 1, 4);
        put_le(h + 0x28, 0x20, 4);
        h[0x5c] = t->paging == KDX_PAGING_X86_PAE;
        put_le(h + 0x64, f->pages.len, 4);
        put_le(h + 0x68, f->pages.len, 4);
        put_le(h + 0xf88, 1, 4);
    }
    for (size_t i = 0; i < f->pages.len; i++) {
        uint8_t *r = h + desc + esize + i * esize;
        put_le(r, f->pages.items[i]->pfn, (int)esize / 2);
        put_le(r + esize / 2, 1, (int)esize / 2);
    }
    FILE *out = fopen(path, "wb");
    if (!out) {
        free(h);
        return kdx_err_set(err, KDX_E_IO, "%s: cannot create", path);
    }
    bool ok = fwrite(h, 1, hsize, out) == hsize;
    for (size_t i = 0; ok && i < f->pages.len; i++)
        ok = fwrite(f->pages.items[i]->data, 1, 4096, out) == 4096;
    ok = (fclose(out) == 0) && ok;
    free(h);
    return ok ? KDX_OK : kdx_err_set(err, KDX_E_IO, "%s: write failed", path);
}

/* Golden-transcript generators: the reference articles' systems as dumps. */
static kdx_status write_and_close(kdx_target *t, uint32_t build, const char *path, kdx_err *err)
{
    kdx_status st = mmfix_write_complete_dump(t, path, build, err);
    kdx_target_close(t);
    return st;
}

static kdx_status gen_pae_article(const char *path, kdx_err *err)
{
    return write_and_close(mmfix_article_pae(), 2600, path, err);
}
TEST_GENERATOR(mm_pae_article, gen_pae_article)

static kdx_status gen_x64_leak(const char *path, kdx_err *err)
{
    return write_and_close(mmfix_x64_leak(), 7601, path, err);
}
TEST_GENERATOR(mm_x64_leak, gen_x64_leak)
