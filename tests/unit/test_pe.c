/* Unit tests for src/pe: a small PE32+ image built here, read in file and
 * mapped layout, plus corrupt variants that must fail with clear errors. */
#include <stdlib.h>

#include "base/bytes.h"
#include "pe/pe.h"
#include "target/module.h"
#include "tests/test.h"

enum { IMG_FILE_SIZE = 0x1000, IMG_SIZE = 0x5000 };

/* Layout: headers 0..0x400; .text rva 0x1000 raw 0x400+0x200 (vsize 0x300: 0x100 zero-filled);
 * .rdata rva 0x2000 raw 0x600+0x600 (export dir, debug dir, RSDS); .pdata rva 0x3000 raw 0xc00+0x200.
 * Mapped layout of the same image is built by copying sections to their RVAs. */
static void put_section(uint8_t *sec, const char *name, uint32_t vsize, uint32_t rva,
                        uint32_t raw_size, uint32_t raw_off, uint32_t ch)
{
    memcpy(sec, name, strlen(name));
    kdx_put_le32(sec + 8, vsize);
    kdx_put_le32(sec + 12, rva);
    kdx_put_le32(sec + 16, raw_size);
    kdx_put_le32(sec + 20, raw_off);
    kdx_put_le32(sec + 36, ch);
}

static uint8_t *build_image(void)
{
    uint8_t *f = calloc(1, IMG_FILE_SIZE);
    f[0] = 'M';
    f[1] = 'Z';
    kdx_put_le32(f + 0x3c, 0x80);
    uint8_t *nt = f + 0x80;
    memcpy(nt, "PE\0\0", 4);
    kdx_put_le16(nt + 4, 0x8664);
    kdx_put_le16(nt + 6, 3);
    kdx_put_le32(nt + 8, 0x12345678);
    kdx_put_le16(nt + 20, 240);
    kdx_put_le16(nt + 22, 0x22);
    uint8_t *opt = nt + 24;
    kdx_put_le16(opt, 0x20b);
    kdx_put_le32(opt + 16, 0x1010);
    kdx_put_le64(opt + 24, 0x180000000ull);
    kdx_put_le32(opt + 32, 0x1000);
    kdx_put_le32(opt + 36, 0x200);
    kdx_put_le32(opt + 56, IMG_SIZE);
    kdx_put_le32(opt + 60, 0x400);
    kdx_put_le32(opt + 64, 0xabcd);
    kdx_put_le16(opt + 68, 3);
    kdx_put_le32(opt + 108, 16);
    uint8_t *dirs = opt + 112;
    kdx_put_le32(dirs + 0, 0x2000);      /* export */
    kdx_put_le32(dirs + 4, 0x100);
    kdx_put_le32(dirs + 3 * 8, 0x3000);  /* exception */
    kdx_put_le32(dirs + 3 * 8 + 4, 36);
    kdx_put_le32(dirs + 6 * 8, 0x2200);  /* debug */
    kdx_put_le32(dirs + 6 * 8 + 4, 28);
    uint8_t *sec = opt + 240;
    put_section(sec, ".text", 0x300, 0x1000, 0x200, 0x400, 0x60000020);
    put_section(sec + 40, ".rdata", 0x600, 0x2000, 0x600, 0x600, 0x40000040);
    put_section(sec + 80, ".pdata", 0x24, 0x3000, 0x200, 0xc00, 0x40000040);
    memset(f + 0x400, 0xcc, 0x200);
    /* export directory at rva 0x2000 (file 0x600): 3 functions, 2 names, one forwarder */
    uint8_t *ed = f + 0x600;
    kdx_put_le32(ed + 16, 5);            /* ordinal base */
    kdx_put_le32(ed + 20, 3);
    kdx_put_le32(ed + 24, 2);
    kdx_put_le32(ed + 28, 0x2040);
    kdx_put_le32(ed + 32, 0x2050);
    kdx_put_le32(ed + 36, 0x2060);
    kdx_put_le32(f + 0x640, 0x1010);
    kdx_put_le32(f + 0x644, 0x1020);     /* ordinal-only */
    kdx_put_le32(f + 0x648, 0x2080);     /* forwarder string inside the directory */
    kdx_put_le32(f + 0x650, 0x2070);
    kdx_put_le32(f + 0x654, 0x2078);
    kdx_put_le16(f + 0x660, 0);
    kdx_put_le16(f + 0x662, 2);
    strcpy((char *)f + 0x670, "First");
    strcpy((char *)f + 0x678, "Fwd");
    strcpy((char *)f + 0x680, "NTDLL.RtlFoo");
    /* debug directory at rva 0x2200 (file 0x800) -> RSDS at rva 0x2300 */
    uint8_t *dd = f + 0x800;
    kdx_put_le32(dd + 12, 2);
    kdx_put_le32(dd + 16, 24 + 9);
    kdx_put_le32(dd + 20, 0x2300);
    kdx_put_le32(dd + 24, 0x900);
    uint8_t *cv = f + 0x900;
    memcpy(cv, "RSDS", 4);
    for (int i = 0; i < 16; i++)
        cv[4 + i] = (uint8_t)(i + 1);
    kdx_put_le32(cv + 20, 7);
    strcpy((char *)cv + 24, "test.pdb");
    /* .pdata: 3 x64 entries */
    uint32_t rf[3][3] = {{0x1000, 0x1010, 0x2400}, {0x1010, 0x1020, 0x2408}, {0x1030, 0x1100, 0x2410}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            kdx_put_le32(f + 0xc00 + 12 * i + 4 * j, rf[i][j]);
    f[0xa00] = 0x01;  /* UNWIND_INFO version 1 at rva 0x2400 */
    return f;
}

static uint8_t *map_image(const uint8_t *f)
{
    uint8_t *m = calloc(1, IMG_SIZE);
    memcpy(m, f, 0x400);
    memcpy(m + 0x1000, f + 0x400, 0x200);
    memcpy(m + 0x2000, f + 0x600, 0x600);
    memcpy(m + 0x3000, f + 0xc00, 0x200);
    return m;
}

struct exp_seen {
    int n;
    char text[256];
};

static int on_export(void *ud, const char *name, uint32_t ord, uint32_t rva, const char *fwd)
{
    struct exp_seen *e = ud;
    size_t l = strlen(e->text);
    snprintf(e->text + l, sizeof e->text - l, "%s#%u@%x%s%s;", name ? name : "-", ord, rva,
             fwd ? "->" : "", fwd ? fwd : "");
    e->n++;
    return 0;
}

static void check_image(kdx_test_ctx *t, kdx_pe *pe)
{
    kdx_err err = {0};
    const kdx_pe_info *i = kdx_pe_get_info(pe);
    CHECK_EQ(i->arch, KDX_ARCH_X64);
    CHECK_EQ(i->image_base, 0x180000000ull);
    CHECK_EQ(i->timestamp, 0x12345678);
    CHECK_EQ(i->checksum, 0xabcd);
    CHECK_EQ(i->entry_rva, 0x1010);
    CHECK_EQ(i->nsections, 3);
    uint8_t b[0x20];
    CHECK_OK(kdx_pe_read(pe, 0x11f0, b, 0x20, &err));
    CHECK_EQ(b[0], 0xcc);
    CHECK_EQ(b[0x0f], 0xcc);
    CHECK_EQ(b[0x10], 0);  /* virtual size beyond raw data */
    kdx_pe_codeview cv;
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    char g[33];
    kdx_guid_format(cv.guid, g);
    CHECK_STR(g, "0403020106050807090A0B0C0D0E0F10");
    CHECK_EQ(cv.age, 7);
    CHECK_STR(cv.pdb_name, "test.pdb");
    struct exp_seen e = {0};
    CHECK_OK(kdx_pe_exports(pe, on_export, &e, &err));
    CHECK_STR(e.text, "First#5@1010;-#6@1020;Fwd#7@2080->NTDLL.RtlFoo;");
    CHECK_EQ(kdx_pe_runtime_function_count(pe), 3);
    kdx_runtime_function f;
    CHECK_OK(kdx_pe_runtime_function_for(pe, 0x1015, &f, &err));
    CHECK_EQ(f.index, 1);
    CHECK_EQ(f.unwind_rva, 0x2408);
    CHECK_EQ(kdx_pe_runtime_function_for(pe, 0x1025, &f, &err), KDX_E_NOT_FOUND);
    CHECK_OK(kdx_pe_runtime_function_for(pe, 0x10ff, &f, &err));
    CHECK_EQ(f.index, 2);
    CHECK_EQ(kdx_pe_runtime_function_for(pe, 0x1100, &f, &err), KDX_E_NOT_FOUND);
    CHECK_EQ(kdx_pe_runtime_function_at(pe, 3, &f, &err), KDX_E_NOT_FOUND);
    size_t got;
    CHECK_OK(kdx_pe_read_unwind(pe, 0x2400, b, 8, &got, &err));
    CHECK_EQ(got, 8);
    CHECK_EQ(b[0], 1);
    int s = kdx_pe_section_for_rva(pe, 0x2fff);
    CHECK_EQ(s, 1);
    CHECK_EQ(kdx_pe_section_for_rva(pe, 0x5000), -1);
}

TEST(pe_file_layout)
{
    uint8_t *f = build_image();
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_buffer("synthetic.dll", f, IMG_FILE_SIZE, false, &pe, &err));
    REQUIRE(pe);
    check_image(t, pe);
    uint8_t b[4];
    /* past SizeOfImage / outside any section */
    CHECK_EQ(kdx_pe_read(pe, 0x4000, b, 4, &err), KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "synthetic.dll: RVA 0x4000 lies outside");
    kdx_pe_close(pe);
    free(f);
}

TEST(pe_mapped_layout)
{
    uint8_t *f = build_image();
    uint8_t *m = map_image(f);
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_buffer("mapped.dll", m, IMG_SIZE, true, &pe, &err));
    REQUIRE(pe);
    check_image(t, pe);
    kdx_pe_close(pe);
    free(m);
    free(f);
}

TEST(pe_truncated_section_data_named)
{
    uint8_t *f = build_image();
    kdx_pe *pe;
    kdx_err err = {0};
    /* cut in the middle of .rdata: headers fine, export directory ok, debug data missing */
    CHECK_OK(kdx_pe_open_buffer("cut.dll", f, 0x700, false, &pe, &err));
    REQUIRE(pe);
    kdx_pe_codeview cv;
    CHECK_EQ(kdx_pe_codeview_info(pe, &cv, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "cut.dll");
    CHECK_CONTAINS(err.msg, "section .rdata");
    kdx_pe_close(pe);
    free(f);
}

TEST(pe_bad_headers_rejected)
{
    uint8_t *f = build_image();
    kdx_pe *pe;
    kdx_err err = {0};
    f[0x81] = 'X';
    CHECK_EQ(kdx_pe_open_buffer("bad.dll", f, IMG_FILE_SIZE, false, &pe, &err), KDX_E_FORMAT);
    CHECK(pe == NULL);
    CHECK_STR(err.msg, "bad.dll: no PE signature at offset 0x80");
    f[0x81] = 'E';
    kdx_put_le16(f + 0x80 + 24, 0x333);
    CHECK_EQ(kdx_pe_open_buffer("bad.dll", f, IMG_FILE_SIZE, false, &pe, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "unknown optional header magic 0x333");
    kdx_put_le16(f + 0x80 + 24, 0x20b);
    CHECK_EQ(kdx_pe_open_buffer("bad.dll", f, 0x100, false, &pe, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "IMAGE_OPTIONAL_HEADER");
    kdx_put_le32(f + 0x3c, 0xfffffff0);
    CHECK_EQ(kdx_pe_open_buffer("bad.dll", f, IMG_FILE_SIZE, false, &pe, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "e_lfanew");
    free(f);
}

TEST(pe_export_counts_validated)
{
    uint8_t *f = build_image();
    kdx_put_le32(f + 0x600 + 20, 0x7fffffff);
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_buffer("exp.dll", f, IMG_FILE_SIZE, false, &pe, &err));
    REQUIRE(pe);
    struct exp_seen e = {0};
    CHECK_EQ(kdx_pe_exports(pe, on_export, &e, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "claims 2147483647 functions");
    kdx_pe_close(pe);
    free(f);
}

/* A target whose memory is the mapped image at 0x180000000 with one page left out,
 * as a dump with a paged-out page would be. */
typedef struct holey {
    uint8_t *img;
    uint64_t hole; /* rva of the missing page */
} holey;

static kdx_status holey_read(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    holey *h = impl;
    *done = 0;
    uint64_t rva = va - 0x180000000ull;
    if (va < 0x180000000ull || rva + len > IMG_SIZE)
        return KDX_E_MEM_MISSING;
    for (size_t i = 0; i < len; i++) {
        if (((rva + i) & ~0xfffull) == h->hole)
            return KDX_E_MEM_MISSING;
        ((uint8_t *)buf)[i] = h->img[rva + i];
        (*done)++;
    }
    return KDX_OK;
}

static const kdx_target_ops holey_ops = {.format_name = "test", .read_virt = holey_read};

#include "sym/sources.h"

TEST(pe_open_target_tolerates_missing_pages)
{
    uint8_t *f = build_image();
    holey h = {map_image(f), 0x3000}; /* .pdata paged out */
    kdx_target *tg = kdx_target_new(KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64, "test.dmp");
    tg->ops = &holey_ops;
    tg->impl = &h;
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_target(tg, 0x180000000ull, "synthetic", &pe, &err));
    REQUIRE(pe);
    kdx_pe_codeview cv;
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    CHECK_STR(cv.pdb_name, "test.pdb");
    CHECK_EQ(kdx_pe_runtime_function_count(pe), 3);
    kdx_runtime_function rf;
    CHECK_EQ(kdx_pe_runtime_function_for(pe, 0x1015, &rf, &err), KDX_E_MEM_MISSING);
    CHECK_CONTAINS(err.msg, ".pdata entry");
    CHECK_CONTAINS(err.msg, "not present");
    kdx_pe_close(pe);

    /* exports provider through the target */
    kdx_symprov prov;
    CHECK_OK(kdx_pe_exports_provider_open(tg, 0x180000000ull, "synthetic", &prov, &err));
    REQUIRE(prov.ops);
    CHECK_STR(prov.ops->kind, "export");
    kdx_symbol s;
    CHECK_OK(prov.ops->by_rva(prov.impl, 0x1018, &s));
    CHECK_STR(s.name, "First");
    CHECK_EQ(s.kind, KDX_SYM_EXPORT);
    CHECK_OK(prov.ops->by_rva(prov.impl, 0x1020, &s));
    CHECK_STR(s.name, "Ordinal6");
    CHECK_EQ(prov.ops->by_rva(prov.impl, 0x100f, &s), KDX_E_NOT_FOUND);
    CHECK_OK(prov.ops->by_name(prov.impl, "first", &s));
    CHECK_EQ(s.rva, 0x1010);
    CHECK_EQ(prov.ops->by_name(prov.impl, "Fwd", &s), KDX_E_NOT_FOUND); /* forwarder: no code here */
    prov.ops->destroy(prov.impl);

    /* headers paged out: a clear error */
    h.hole = 0;
    CHECK_EQ(kdx_pe_open_target(tg, 0x180000000ull, "synthetic", &pe, &err), KDX_E_MEM_MISSING);
    CHECK_CONTAINS(err.msg, "synthetic: IMAGE_DOS_HEADER at offset 0x0");
    tg->ops = NULL;
    kdx_target_close(tg);
    free(h.img);
    free(f);
}
