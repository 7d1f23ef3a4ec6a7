#include "tests/unit/mm_fixture.h"

#include "tests/test.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "commands/command.h"
#include "dump/kdump_writer.h"

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
    mmfix_put64(tg, 0x5a00, 0xfffff8800496e700ull); /* pointers for dpa/dpu/dpp */
    mmfix_put64(tg, 0x5a08, 0xfffff8800496e800ull);
    mmfix_put64(tg, 0x5a10, 0xfffff8800496f000ull);
    mmfix_put64(tg, 0x5b00, 0x00080006); /* UNICODE_STRING "Win" */
    mmfix_put64(tg, 0x5b08, 0xfffff8800496e800ull);
    mmfix_put64(tg, 0x5b10, 0x00200005); /* ANSI_STRING "Hello" */
    mmfix_put64(tg, 0x5b18, 0xfffff8800496e700ull);
    mmfix_put64(tg, 0x5900, 0x3ff8000000000000ull); /* 1.5 */
    mmfix_put64(tg, 0x5908, 0x0000000140100000ull); /* floats 2.25, 1.4e-45 */
    mmfix_put64(tg, 0x5910, 0x7e967699bf800000ull); /* floats -1, 1e38 */
    mmfix_put_bytes(tg, 0x5ff8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    mmfix_map_x64(tg, 0xfffff8800496f000ull, 0x6000, 0x963, &next);
    mmfix_drop(tg, 0x6);
    mmfix_map_x64(tg, 0xfffff88004970000ull, 0x0000123400000000ull, 0x2080, &next);
    return tg;
}

kdx_status mmfix_save_dump(kdx_target *t, kdx_kdw_kind kind, uint32_t build, const char *path,
                           kdx_err *err)
{
    fixture *f = t->impl;
    kdx_kdw *w = kdx_kdw_new(t->arch, t->paging == KDX_PAGING_X86_PAE);
    kdx_kdw_set_system(w, build, 1, 0x01d0000000000000ull, 36000000000ull);
    for (size_t i = 0; i < f->pages.len; i++)
        kdx_kdw_write_phys(w, f->pages.items[i]->pfn << 12, f->pages.items[i]->data, 4096);
    kdx_kdw_set_dtb(w, t->dtb);
    kdx_status st = kdx_kdw_save(w, kind, path, err);
    kdx_kdw_free(w);
    return st;
}

/* Golden-transcript generators: the reference articles' systems as dumps. */
static kdx_status write_and_close(kdx_target *t, kdx_kdw_kind kind, uint32_t build,
                                  const char *path, kdx_err *err)
{
    kdx_status st = mmfix_save_dump(t, kind, build, path, err);
    kdx_target_close(t);
    return st;
}

static kdx_status gen_pae_article(const char *path, kdx_err *err)
{
    return write_and_close(mmfix_article_pae(), KDX_KDW_COMPLETE, 2600, path, err);
}
TEST_GENERATOR(mm_pae_article, gen_pae_article)

static kdx_status gen_pae_article_bitmap(const char *path, kdx_err *err)
{
    return write_and_close(mmfix_article_pae(), KDX_KDW_BITMAP, 2600, path, err);
}
TEST_GENERATOR(mm_pae_article_bitmap, gen_pae_article_bitmap)

static kdx_status gen_x64_leak(const char *path, kdx_err *err)
{
    return write_and_close(mmfix_x64_leak(), KDX_KDW_COMPLETE, 7601, path, err);
}
TEST_GENERATOR(mm_x64_leak, gen_x64_leak)
