/* The unwinder on real images and the real triage dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "pe/pe.h"
#include "target/session.h"
#include "tests/test.h"
#include "unwind/unwind.h"

static bool open_image(kdx_test_ctx *t, const char *path, kdx_pe **pe, kdx_unwind_image *img, const char *name)
{
    kdx_err err = {0};
    if (kdx_pe_open_file(path, pe, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "%s: %s", path, err.msg);
        return false;
    }
    kdx_unwind_image_from_pe(*pe, kdx_pe_get_info(*pe)->image_base, 0, name, img);
    return true;
}

/* Every .pdata entry's UNWIND_INFO parses and its chain reaches a primary entry. */
static unsigned check_all_entries(kdx_test_ctx *t, const kdx_unwind_image *img)
{
    unsigned chained = 0;
    for (uint32_t i = 0; i < img->nentries; i++) {
        kdx_runtime_function fn, primary;
        kdx_err err = {0};
        if (img->entry_at(img->ud, i, &fn, &err) != KDX_OK) {
            kdx_test_fail(t, __FILE__, __LINE__, "entry %u: %s", i, err.msg);
            continue;
        }
        if (kdx_x64_primary_entry(img, fn, &primary, &err) != KDX_OK)
            kdx_test_fail(t, __FILE__, __LINE__, "entry %u (RVA 0x%x): %s", i, fn.begin_rva, err.msg);
        else if (primary.begin_rva != fn.begin_rva)
            chained++;
    }
    return chained;
}

TEST(unwind_real_pdata_agrees_with_breakpad_cfi)
{
    TESTDATA(exe, "pdb/dump_syms_regtest64.exe");
    TESTDATA(sym, "pdb/dump_syms_regtest64.sym");
    char sym_path[4096];
    snprintf(sym_path, sizeof sym_path, "%s", sym);
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "dump_syms_regtest64"))
        return;
    REQUIRE(img.nentries > 100);
    check_all_entries(t, &img);
    /* dump_syms derived its STACK CFI INIT records from the same .pdata: each
     * record's RVA and size must be an entry of ours. */
    FILE *f = fopen(sym_path, "r");
    REQUIRE(f);
    char line[1024];
    unsigned n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned rva, size;
        if (sscanf(line, "STACK CFI INIT %x %x", &rva, &size) != 2)
            continue;
        n++;
        kdx_runtime_function fn;
        kdx_err err = {0};
        if (img.lookup(img.ud, rva, &fn, &err) != KDX_OK) {
            kdx_test_fail(t, __FILE__, __LINE__, "CFI INIT %x: %s", rva, err.msg);
            continue;
        }
        if (fn.begin_rva != rva || fn.end_rva - fn.begin_rva != size)
            kdx_test_fail(t, __FILE__, __LINE__, "CFI INIT %x %x but .pdata has %x-%x", rva, size, fn.begin_rva,
                          fn.end_rva);
    }
    fclose(f);
    CHECK_EQ(n, 195);
    kdx_pe_close(pe);
}

TEST(unwind_real_xcpt4_x64_entries)
{
    TESTDATA(exe, "pdb/seh_x64/xcpt4.exe");
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "xcpt4"))
        return;
    REQUIRE(img.nentries > 10);
    check_all_entries(t, &img);
    /* Functions with SEH handlers carry UNW_FLAG_EHANDLER/UHANDLER and a handler RVA inside the image. */
    unsigned handlers = 0;
    for (uint32_t i = 0; i < img.nentries; i++) {
        kdx_runtime_function fn;
        kdx_x64_unwind_info ui;
        if (img.entry_at(img.ud, i, &fn, NULL) == KDX_OK && !(fn.unwind_rva & 1) &&
            kdx_x64_unwind_info_read(&img, fn.unwind_rva, &ui, NULL) == KDX_OK && ui.has_handler) {
            handlers++;
            CHECK(ui.handler_rva < img.size);
        }
    }
    CHECK(handlers > 0);
    kdx_pe_close(pe);
}

TEST(unwind_real_chained_loop_ends_with_message)
{
    TESTDATA(exe, "pe/cfi_chained_loop.exe");
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "cfi_chained_loop"))
        return;
    unsigned loops = 0;
    for (uint32_t i = 0; i < img.nentries; i++) {
        kdx_runtime_function fn, primary;
        kdx_err err = {0};
        if (img.entry_at(img.ud, i, &fn, NULL) != KDX_OK)
            continue;
        kdx_status st = kdx_x64_primary_entry(&img, fn, &primary, &err);
        if (st == KDX_E_LIMIT) {
            loops++;
            CHECK_CONTAINS(err.msg, "chained unwind info loops");
        }
    }
    CHECK(loops > 0);
    kdx_pe_close(pe);
}

/* ---- the triage dump, with the driver images of the symbol store ---- */

typedef struct store_images {
    kdx_session *s;
    kdx_pe *pe[2];
    const char *name[2];
} store_images;

static kdx_status store_find(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    store_images *si = ud;
    kdx_module *m = kdx_target_module_at(si->s->target, addr);
    if (!m)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "not in a module");
    for (int i = 0; i < 2; i++)
        if (si->pe[i] && !strcmp(m->name, si->name[i])) {
            kdx_unwind_image_from_pe(si->pe[i], m->base, m->size, m->name, out);
            return KDX_OK;
        }
    return kdx_err_set(err, KDX_E_NO_SYMBOLS, "the image of %s is not available", m->name);
}

TEST(unwind_real_triage_cxr_walks_drivers_into_nt)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(amdppm, "symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    char amdppm_path[4096];
    snprintf(amdppm_path, sizeof amdppm_path, "%s", amdppm);
    TESTDATA(wdf, "symstore/Wdf01000.sys/a9a9d36ed1000/Wdf01000.sys");
    store_images si = {.name = {"amdppm", "Wdf01000"}};
    REQUIRE(kdx_pe_open_file(amdppm_path, &si.pe[0], NULL) == KDX_OK);
    REQUIRE(kdx_pe_open_file(wdf, &si.pe[1], NULL) == KDX_OK);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    si.s = kdx_session_new(mem);
    kdx_err err = {0};
    REQUIRE(kdx_session_open(si.s, dump, &err) == KDX_OK);
    kdx_unwind_set_resolver(store_find, &si);
    kdx_execute(si.s, "k");
    kdx_execute(si.s, ".cxr ffff850429891720; kn");
    kdx_unwind_set_resolver(NULL, NULL);
    kdx_session_free(si.s);
    fclose(mem);
    /* Without .cxr the walk starts at KeBugCheckEx's rsp; nt's image is not available. */
    CHECK_CONTAINS(out, "Child-SP          RetAddr               Call Site\nffff8504`29890ee8 ????????`????????     nt");
    /* With it: amdppm, then Wdf01000 frames, into nt, where unwinding stops with a reason. */
    const char *k = strstr(out, " # Child-SP");
    REQUIRE(k);
    CHECK_CONTAINS(k, "00 ffff8504`29892120 fffff804`8b58313f     amdppm");
    CHECK_CONTAINS(k, "05 ffff8504`29892340 fffff804`799cc027     amdppm");
    CHECK_CONTAINS(k, "06 ffff8504`29892380 fffff804`79966f81     Wdf01000");
    CHECK_CONTAINS(k, "0f ffff8504`298926d0 fffff804`7bc52f55     Wdf01000");
    /* nt!IofCallDriver+0x55 (RVA 0x252f55): nt's image is not in the store. */
    CHECK_CONTAINS(k, "10 ffff8504`29892730 ????????`????????     nt");
    CHECK_CONTAINS(k, "WARNING: Stack unwind information not available for frame 10");
    CHECK_CONTAINS(k, "The walk stops here instead of guessing.");
    free(out);
    kdx_pe_close(si.pe[0]);
    kdx_pe_close(si.pe[1]);
}
