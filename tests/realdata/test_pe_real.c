/* The PE reader on real images: section tables, CodeView identity, .pdata
 * against Breakpad's own STACK CFI INIT records, and odd tiny images. */
#include <stdlib.h>

#include "base/file.h"
#include "base/util.h"
#include "pe/pe.h"
#include "sym/sources.h"
#include "target/memory.h"
#include "target/module.h"
#include "tests/test.h"

static void guid_str(const kdx_pe_codeview *cv, char out[33])
{
    kdx_guid_format(cv->guid, out);
}

TEST(pe_real_regtest64_headers_and_identity)
{
    TESTDATA(path, "pdb/dump_syms_regtest64.exe");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    const kdx_pe_info *i = kdx_pe_get_info(pe);
    CHECK_EQ(i->machine, 0x8664);
    CHECK_EQ(i->arch, KDX_ARCH_X64);
    CHECK(i->is64);
    CHECK_EQ(i->image_base, 0x140000000ull);
    CHECK_EQ(i->size_of_image, 0x1a000);
    CHECK_EQ(i->timestamp, 0x589dfd11); /* INFO CODE_ID 589DFD111A000 in the .sym */
    CHECK_EQ(i->nsections, 5);
    kdx_pe_section s;
    CHECK_OK(kdx_pe_section_at(pe, 3, &s));
    CHECK_STR(s.name, ".pdata");
    CHECK_EQ(s.rva, 0x18000);
    CHECK_EQ(kdx_pe_section_at(pe, 5, &s), KDX_E_NOT_FOUND);
    kdx_pe_codeview cv;
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    char g[33];
    guid_str(&cv, g);
    /* MODULE windows x86_64 72E103A85CB249078B76B2E7C06257B13 dump_syms_regtest64.pdb */
    CHECK_STR(g, "72E103A85CB249078B76B2E7C06257B1");
    CHECK_EQ(cv.age, 3);
    CHECK_STR(kdx_basename(cv.pdb_name), "dump_syms_regtest64.pdb");
    kdx_pe_close(pe);
}

/* Every STACK CFI INIT record of Breakpad's .sym is one .pdata entry. */
TEST(pe_real_regtest64_pdata_matches_breakpad_cfi)
{
    TESTDATA(path, "pdb/dump_syms_regtest64.exe");
    TESTDATA(sym, "pdb/dump_syms_regtest64.sym");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    uint8_t *text;
    size_t len;
    CHECK_OK(kdx_read_all(sym, &text, &len, &err));
    REQUIRE(text);
    text = realloc(text, len + 1);
    text[len] = 0;
    unsigned n = 0, bad = 0;
    for (char *line = (char *)text; line && *line;) {
        char *nl = strchr(line, '\n');
        unsigned addr, size;
        if (sscanf(line, "STACK CFI INIT %x %x", &addr, &size) == 2) {
            kdx_runtime_function f;
            if (kdx_pe_runtime_function_at(pe, n, &f, &err) != KDX_OK || f.begin_rva != addr ||
                f.end_rva - f.begin_rva != size)
                bad++;
            /* and the binary search finds it from its last byte */
            kdx_runtime_function g;
            if (kdx_pe_runtime_function_for(pe, addr + size - 1, &g, &err) != KDX_OK ||
                g.index != n)
                bad++;
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    CHECK_EQ(n, 195);
    CHECK_EQ(kdx_pe_runtime_function_count(pe), n);
    CHECK_EQ(bad, 0);
    kdx_runtime_function f;
    /* before the first function, and the gap between 0x107a and 0x10d0 */
    CHECK_EQ(kdx_pe_runtime_function_for(pe, 0x1000, &f, &err), KDX_E_NOT_FOUND);
    CHECK_EQ(kdx_pe_runtime_function_for(pe, 0x1080, &f, &err), KDX_E_NOT_FOUND);
    /* UNWIND_INFO of the first function: version 1, 4-byte header */
    uint8_t ui[64];
    size_t got;
    CHECK_OK(kdx_pe_runtime_function_at(pe, 0, &f, &err));
    CHECK_OK(kdx_pe_read_unwind(pe, f.unwind_rva, ui, sizeof ui, &got, &err));
    CHECK_EQ(got, sizeof ui);
    CHECK_EQ(ui[0] & 7, 1);
    free(text);
    kdx_pe_close(pe);
}

TEST(pe_real_amdppm_rsds_matches_pdb)
{
    TESTDATA(path, "symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    kdx_pe_codeview cv;
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    char g[33];
    guid_str(&cv, g);
    CHECK_STR(g, "1C19FDDB27BB3399D9B45973EFEAFCF3");
    CHECK_EQ(cv.age, 1);
    CHECK_STR(cv.pdb_name, "amdppm.pdb");
    /* symbol-store directory name is TIMESTAMP + SizeOfImage */
    CHECK_EQ(kdx_pe_get_info(pe)->timestamp, 0xc9c03000);
    CHECK_EQ(kdx_pe_get_info(pe)->size_of_image, 0x3b000);
    CHECK_EQ(kdx_pe_runtime_function_count(pe), 0x1854 / 12);
    kdx_pe_close(pe);
}

TEST(pe_real_wdf01000_identity_and_pdata)
{
    TESTDATA(path, "symstore/Wdf01000.sys/a9a9d36ed1000/Wdf01000.sys");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    kdx_pe_codeview cv;
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    CHECK_STR(cv.pdb_name, "Wdf01000.pdb");
    uint32_t n = kdx_pe_runtime_function_count(pe);
    CHECK(n > 3000);
    /* sorted, non-overlapping, every entry found by the binary search */
    uint32_t prev_end = 0, bad = 0;
    for (uint32_t k = 0; k < n; k++) {
        kdx_runtime_function f, g;
        if (kdx_pe_runtime_function_at(pe, k, &f, &err) != KDX_OK || f.begin_rva < prev_end ||
            f.end_rva <= f.begin_rva)
            bad++;
        else if (kdx_pe_runtime_function_for(pe, f.begin_rva, &g, &err) != KDX_OK || g.index != k)
            bad++;
        prev_end = f.end_rva;
    }
    CHECK_EQ(bad, 0);
    kdx_pe_close(pe);
}

TEST(pe_real_seh_three_architectures)
{
    TESTDATA(x64, "pdb/seh_x64/xcpt4.exe");
    TESTDATA(x86, "pdb/seh_x86/xcpt4.exe");
    TESTDATA(arm64, "pdb/seh_ARM64/xcpt4.exe");
    kdx_pe *pe;
    kdx_err err = {0};
    kdx_pe_codeview cv;
    char g[33];

    CHECK_OK(kdx_pe_open_file(x86, &pe, &err));
    REQUIRE(pe);
    CHECK_EQ(kdx_pe_get_info(pe)->arch, KDX_ARCH_X86);
    CHECK(!kdx_pe_get_info(pe)->is64);
    CHECK_EQ(kdx_pe_runtime_function_count(pe), 0);
    CHECK_OK(kdx_pe_codeview_info(pe, &cv, &err));
    guid_str(&cv, g);
    CHECK_STR(g, "45F3D6F7BD6A4EE2B56A5C6BFE3AE378");
    kdx_pe_close(pe);

    CHECK_OK(kdx_pe_open_file(x64, &pe, &err));
    REQUIRE(pe);
    CHECK_EQ(kdx_pe_get_info(pe)->arch, KDX_ARCH_X64);
    CHECK_EQ(kdx_pe_runtime_function_count(pe), 0xb4c / 12);
    kdx_pe_close(pe);

    CHECK_OK(kdx_pe_open_file(arm64, &pe, &err));
    REQUIRE(pe);
    CHECK_EQ(kdx_pe_get_info(pe)->arch, KDX_ARCH_ARM64);
    CHECK_EQ(kdx_pe_runtime_function_size(pe), 8);
    uint32_t n = kdx_pe_runtime_function_count(pe);
    CHECK_EQ(n, 0x750 / 8);
    unsigned packed = 0, unpacked = 0, bad = 0;
    uint32_t prev_end = 0;
    for (uint32_t k = 0; k < n; k++) {
        kdx_runtime_function f, h;
        if (kdx_pe_runtime_function_at(pe, k, &f, &err) != KDX_OK) {
            bad++;
            continue;
        }
        if (f.packed)
            packed++;
        else
            unpacked++;
        if (f.end_rva <= f.begin_rva || f.begin_rva < prev_end)
            bad++;
        if (kdx_pe_runtime_function_for(pe, f.end_rva - 1, &h, &err) != KDX_OK || h.index != k)
            bad++;
        prev_end = f.end_rva;
    }
    CHECK_EQ(bad, 0);
    CHECK(packed > 0);
    CHECK(unpacked > 0);
    kdx_pe_close(pe);
}

struct export_count {
    unsigned n;
    bool found;
};

static int count_export(void *ud, const char *name, uint32_t ord, uint32_t rva, const char *fwd)
{
    struct export_count *st = ud;
    st->n++;
    if (name && strcmp(name, "??0A@@QAE@XZ") == 0 && ord == 2 && rva == 0x21fd && !fwd)
        st->found = true;
    return 0;
}

TEST(pe_real_exports_basic32)
{
    TESTDATA(path, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    struct export_count st = {0, false};
    CHECK_OK(kdx_pe_exports(pe, count_export, &st, &err));
    CHECK_EQ(st.n, 10);
    CHECK(st.found);
    kdx_pe_close(pe);
}

/* Tiny and odd images: open or fail cleanly, never crash. */
TEST(pe_real_odd_images)
{
    static const char *const files[] = {"pe/driver.sys", "pe/multiss_drv.sys",
                                        "pe/cfi_chained_loop.exe"};
    for (size_t k = 0; k < KDX_ARRAY_LEN(files); k++) {
        TESTDATA(path, files[k]);
        kdx_pe *pe;
        kdx_err err = {0};
        CHECK_OK(kdx_pe_open_file(path, &pe, &err));
        if (!pe)
            continue;
        kdx_pe_codeview cv;
        CHECK_EQ(kdx_pe_codeview_info(pe, &cv, &err), KDX_E_NOT_FOUND);
        uint8_t b[0x400];
        size_t done;
        kdx_pe_read_partial(pe, 0, b, sizeof b, &done, &err);
        CHECK(done >= 0x200);
        for (uint32_t i = 0; i < kdx_pe_runtime_function_count(pe); i++) {
            kdx_runtime_function f;
            kdx_pe_runtime_function_at(pe, i, &f, &err);
            kdx_pe_runtime_function_for(pe, f.begin_rva, &f, &err);
        }
        kdx_pe_close(pe);
    }
}

static int count_sym(void *ud, const kdx_symbol *s)
{
    (void)s;
    (*(int *)ud)++;
    return 0;
}

/* `kdx -z basic32.dll`: the image mapped at its preferred base, one module, exports. */
TEST(pe_real_image_as_target)
{
    TESTDATA(path, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll");
    kdx_target *tg;
    kdx_err err = {0};
    CHECK_OK(kdx_target_open(path, &tg, &err));
    REQUIRE(tg);
    CHECK_EQ(tg->kind, KDX_TARGET_IMAGE);
    CHECK_EQ(tg->arch, KDX_ARCH_X86);
    CHECK_EQ(tg->ptr_size, 4);
    REQUIRE(tg->nmodules == 1 && tg->main_module == tg->modules[0]);
    kdx_module *m = tg->modules[0];
    CHECK_STR(m->name, "basic32");
    CHECK_STR(m->image_name, "basic32.dll");
    CHECK_EQ(m->base, 0x10000000);
    CHECK_EQ(m->size, 0x6c000);
    CHECK_EQ(m->timestamp, 0x5ddc1e9a);
    CHECK(m->has_pdb_id);
    CHECK_EQ(m->pdb_age, 2);
    char g[33];
    kdx_guid_format(m->pdb_guid, g);
    CHECK_STR(g, "34060D222DBB44E5AA72243CE8326C2F");

    /* .text starts at file offset 0x400 */
    kdx_file *f;
    CHECK_OK(kdx_file_open(&f, path, &err));
    REQUIRE(f);
    uint8_t b[0x40];
    CHECK_OK(kdx_read_virt(tg, 0x10001000, b, sizeof b, NULL, &err));
    CHECK(memcmp(b, f->data + 0x400, sizeof b) == 0);
    /* MZ header at the base */
    CHECK_OK(kdx_read_virt(tg, 0x10000000, b, 2, NULL, &err));
    CHECK(b[0] == 'M' && b[1] == 'Z');
    /* .data: vsize 0x2464 > raw 0xe00: the tail reads as zeros */
    memset(b, 0xff, sizeof b);
    CHECK_OK(kdx_read_virt(tg, 0x10064000 + 0x2000, b, 0x10, NULL, &err));
    CHECK_EQ(b[0] | b[5] | b[15], 0);
    /* past SizeOfImage: not present, with the bytes before counted */
    size_t done;
    CHECK_EQ(kdx_read_virt(tg, 0x1006bff8, b, 0x10, &done, &err), KDX_E_MEM_MISSING);
    CHECK_EQ(done, 8);
    CHECK_CONTAINS(err.msg, "1006c000");
    kdx_file_close(f);

    kdx_symprov prov;
    CHECK_OK(kdx_pe_exports_provider_open(tg, m->base, m->name, &prov, &err));
    REQUIRE(prov.ops);
    kdx_symbol s;
    /* C++ exports display undecorated; the decorated name still finds them */
    CHECK_OK(prov.ops->by_rva(prov.impl, 0x21fd + 3, &s));
    CHECK_STR(s.name, "A::A");
    CHECK_EQ(s.rva, 0x21fd);
    CHECK_OK(prov.ops->by_name(prov.impl, "??0A@@QAE@$$QAV0@@Z", &s));
    CHECK_EQ(s.rva, 0x235b);
    CHECK_STR(s.name, "A::A");
    CHECK_OK(prov.ops->by_name(prov.impl, "A::meth2", &s));
    CHECK(s.rva == 0x21e9 || s.rva == 0x27fc || s.rva == 0x1c35);
    int n = 0;
    CHECK_OK(prov.ops->enumerate(prov.impl, "A::meth1", count_sym, &n));
    CHECK_EQ(n, 3);
    n = 0;
    CHECK_OK(prov.ops->enumerate(prov.impl, "*", count_sym, &n));
    CHECK_EQ(n, 10);
    prov.ops->destroy(prov.impl);
    kdx_target_close(tg);
}

TEST(pe_real_odd_images_as_targets)
{
    static const char *const files[] = {"pe/driver.sys", "pe/multiss_drv.sys",
                                        "pe/cfi_chained_loop.exe"};
    for (size_t k = 0; k < KDX_ARRAY_LEN(files); k++) {
        TESTDATA(path, files[k]);
        kdx_target *tg;
        kdx_err err = {0};
        CHECK_OK(kdx_target_open(path, &tg, &err));
        if (!tg)
            continue;
        uint8_t b[0x800];
        size_t size = (size_t)tg->modules[0]->size;
        REQUIRE(size < sizeof b);
        CHECK_OK(kdx_read_virt(tg, tg->modules[0]->base, b, size, NULL, &err));
        CHECK_EQ(kdx_read_virt(tg, tg->modules[0]->base, b, size + 1, NULL, &err),
                 KDX_E_MEM_MISSING);
        kdx_symprov prov;
        CHECK_EQ(kdx_pe_exports_provider_open(tg, tg->modules[0]->base, "odd", &prov, &err),
                 KDX_E_NOT_FOUND);
        kdx_target_close(tg);
    }
}

/* The kernel image inside the triage dump: its headers are saved, most of the rest is
 * not. Everything present answers; everything missing fails naming the address. */
TEST(pe_real_triage_kernel_image_from_memory)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg;
    kdx_err err = {0};
    CHECK_OK(kdx_target_open(path, &tg, &err));
    REQUIRE(tg);
    kdx_pe *pe;
    CHECK_OK(kdx_pe_open_target(tg, 0xfffff8047ba00000ull, "nt", &pe, &err));
    if (pe) {
        const kdx_pe_info *i = kdx_pe_get_info(pe);
        CHECK_EQ(i->size_of_image, 0x1046000);
        CHECK_EQ(i->timestamp, 0x0d8333e6);
        CHECK_EQ(i->arch, KDX_ARCH_X64);
        CHECK(kdx_pe_runtime_function_count(pe) > 10000);
        kdx_pe_codeview cv;
        CHECK_EQ(kdx_pe_codeview_info(pe, &cv, &err), KDX_E_MEM_MISSING);
        CHECK_CONTAINS(err.msg, "IMAGE_DEBUG_DIRECTORY");
        CHECK_CONTAINS(err.msg, "not present in the dump");
        /* KeBugCheckEx (RVA 0x3f5a80): when its .pdata entry is saved it must cover it */
        kdx_runtime_function f;
        kdx_status st = kdx_pe_runtime_function_for(pe, 0x3f5a80, &f, &err);
        CHECK(st == KDX_OK || st == KDX_E_MEM_MISSING);
        if (st == KDX_OK)
            CHECK(f.begin_rva <= 0x3f5a80 && 0x3f5a80 < f.end_rva);
        kdx_pe_close(pe);
    }
    /* hal's headers are not in the dump */
    CHECK_EQ(kdx_pe_open_target(tg, 0xfffff80479440000ull, "hal", &pe, &err), KDX_E_MEM_MISSING);
    CHECK_CONTAINS(err.msg, "hal: IMAGE_DOS_HEADER at offset 0x0");
    CHECK(pe == NULL);
    kdx_target_close(tg);
}

static const char *version_string(const kdx_pe_version *v, const char *key)
{
    for (uint32_t i = 0; i < v->nstrings; i++)
        if (strcmp(v->strings[i].key, key) == 0)
            return v->strings[i].value;
    return NULL;
}

TEST(pe_real_version_resource_amdppm)
{
    TESTDATA(path, "symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    kdx_pe *pe;
    kdx_err err = {0};
    CHECK_OK(kdx_pe_open_file(path, &pe, &err));
    REQUIRE(pe);
    kdx_pe_version v;
    CHECK_OK(kdx_pe_version_info(pe, &v, &err));
    CHECK(v.has_fixed);
    /* 10.0.19041.1110, the same in the fixed block and in the strings */
    CHECK_EQ(v.file_version_ms, 0x000a0000);
    CHECK_EQ(v.file_version_ls, (19041u << 16) | 1110);
    CHECK_EQ(v.file_os, 0x40004);   /* VOS_NT_WINDOWS32 */
    CHECK_EQ(v.file_type, 3);       /* VFT_DRV */
    CHECK_EQ(v.ntranslations, 1);
    CHECK_EQ(v.translations[0], 0x040904b0);
    CHECK_STR(version_string(&v, "CompanyName"), "Microsoft Corporation");
    CHECK_STR(version_string(&v, "FileVersion"), "10.0.19041.1110 (WinBuild.160101.0800)");
    CHECK_STR(version_string(&v, "FileDescription"), "Processor Device Driver");
    CHECK_STR(version_string(&v, "LegalCopyright"), "\xc2\xa9 Microsoft Corporation. All rights reserved.");
    CHECK_STR(version_string(&v, "ProductName"), "Microsoft\xc2\xae Windows\xc2\xae Operating System");
    kdx_pe_close(pe);

    TESTDATA(dll, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll");
    CHECK_OK(kdx_pe_open_file(dll, &pe, &err));
    REQUIRE(pe);
    CHECK_EQ(kdx_pe_version_info(pe, &v, &err), KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "no resources");
    kdx_pe_close(pe);
}
