/* The Breakpad .sym provider on dump_syms output for real PDBs. */
#include <stdlib.h>

#include "base/file.h"
#include "base/util.h"
#include "sym/breakpad.h"
#include "target/module.h"
#include "tests/test.h"

/* Every FUNC and PUBLIC record is found again by name and by address. */
static void check_all_records(kdx_test_ctx *t, const char *path, kdx_symprov *p)
{
    uint8_t *text;
    size_t len;
    kdx_err err = {0};
    CHECK_OK(kdx_read_all(path, &text, &len, &err));
    if (!text)
        return;
    text = realloc(text, len + 1);
    text[len] = 0;
    unsigned nfunc = 0, npub = 0, bad = 0;
    for (char *line = (char *)text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (nl && nl > line && nl[-1] == '\r')
            nl[-1] = 0;
        unsigned rva, size, params;
        int pos = 0;
        kdx_symbol s;
        if (sscanf(line, "FUNC %x %x %x %n", &rva, &size, &params, &pos) == 3 && pos) {
            nfunc++;
            /* at its start (inside, a PUBLIC label such as _NLG_Return may be nearer) */
            if (p->ops->by_rva(p->impl, rva, &s) != KDX_OK || s.rva != rva || s.size != size ||
                s.kind != KDX_SYM_FUNCTION || strcmp(s.name, line + pos) != 0 ||
                p->ops->by_rva(p->impl, rva + size - 1, &s) != KDX_OK || s.rva < rva)
                bad++;
        } else if (sscanf(line, "PUBLIC %x %x %n", &rva, &params, &pos) == 2 && pos) {
            npub++;
            if (p->ops->by_name(p->impl, line + pos, &s) != KDX_OK || s.rva != rva)
                bad++;
        }
        line = nl ? nl + 1 : NULL;
    }
    kdx_breakpad_module m;
    CHECK(kdx_breakpad_module_info(p, &m));
    CHECK_EQ(m.nfuncs, nfunc);
    CHECK_EQ(m.npublics, npub);
    CHECK_EQ(bad, 0);
    free(text);
}

TEST(breakpad_real_regtest64)
{
    TESTDATA(path, "pdb/dump_syms_regtest64.sym");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(kdx_breakpad_provider_open(path, &p, &id, &err));
    REQUIRE(p.ops);
    CHECK_STR(p.ops->kind, "breakpad");
    char g[33];
    REQUIRE(id.has_guid);
    kdx_guid_format(id.guid, g);
    CHECK_STR(g, "72E103A85CB249078B76B2E7C06257B1");
    CHECK_EQ(id.age, 3);
    CHECK_EQ(id.arch, KDX_ARCH_X64);
    kdx_breakpad_module m;
    REQUIRE(kdx_breakpad_module_info(&p, &m));
    CHECK_STR(m.name, "dump_syms_regtest64.pdb");
    CHECK_STR(m.code_id, "589DFD111A000");
    CHECK_EQ(m.nfuncs, 246);
    CHECK_EQ(m.ncfi, 195);
    check_all_records(t, path, &p);

    /* STACK CFI INIT 1010 6a .cfa: $rsp .ra: .cfa 8 - ^ / STACK CFI 1010 .cfa: $rsp 80 + */
    kdx_breakpad_cfi cfi;
    CHECK_OK(kdx_breakpad_cfi_for(&p, 0x1079, &cfi));
    CHECK_EQ(cfi.rva, 0x1010);
    CHECK_EQ(cfi.size, 0x6a);
    CHECK_STR(cfi.init_rules, ".cfa: $rsp .ra: .cfa 8 - ^");
    REQUIRE(cfi.ndeltas >= 1);
    CHECK_EQ(cfi.deltas[0].rva, 0x1010);
    CHECK_STR(cfi.deltas[0].rules, ".cfa: $rsp 80 +");
    CHECK_EQ(kdx_breakpad_cfi_for(&p, 0x107a, &cfi), KDX_E_NOT_FOUND);
    const char *file;
    uint32_t line;
    kdx_symbol s;
    CHECK_OK(p.ops->by_rva(p.impl, 0x1010, &s));
    CHECK_OK(p.ops->line_for_rva(p.impl, 0x1010, &file, &line));
    CHECK_CONTAINS(file, "dump_syms_regtest.cc");
    p.ops->destroy(p.impl);
}

TEST(breakpad_real_test_app_x86)
{
    TESTDATA(path, "user/breakpad/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(kdx_breakpad_provider_open(path, &p, &id, &err));
    REQUIRE(p.ops);
    CHECK_EQ(id.arch, KDX_ARCH_X86);
    CHECK_EQ(id.age, 1);
    check_all_records(t, path, &p);
    /* FUNC 1000 13 4 vswprintf; lines "1000 12 51 71", "1012 1 52 71"; FILE 71 ...swprintf.inl */
    const char *file;
    uint32_t line;
    CHECK_OK(p.ops->line_for_rva(p.impl, 0x1005, &file, &line));
    CHECK_EQ(line, 51);
    CHECK_CONTAINS(file, "swprintf.inl");
    CHECK_OK(p.ops->line_for_rva(p.impl, 0x1012, &file, &line));
    CHECK_EQ(line, 52);
    CHECK_EQ(p.ops->line_for_rva(p.impl, 0x1013, &file, &line), KDX_E_NOT_FOUND);
    /* stackwalk: CrashFunction [test_app.cc : 58 + 0x3] at eip 0x40429e (base 0x400000) */
    CHECK_OK(p.ops->line_for_rva(p.impl, 0x429e, &file, &line));
    CHECK_EQ(line, 58);
    CHECK(kdx_ends_with_i(file, "test_app.cc"));
    /* STACK WIN 0 1000 13 0 0 4 0 0 0 0 0 (FPO: 4 bytes of parameters, no base pointer) */
    kdx_frame_data fd;
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1010, &fd));
    CHECK_EQ(fd.rva_start, 0x1000);
    CHECK_EQ(fd.code_size, 0x13);
    CHECK_EQ(fd.params_size, 4);
    CHECK(fd.is_fpo);
    CHECK(!fd.has_program);
    p.ops->destroy(p.impl);
}

TEST(breakpad_real_kernel32_stack_win_programs)
{
    TESTDATA(path, "user/breakpad/symbols/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(kdx_breakpad_provider_open(path, &p, &id, &err));
    REQUIRE(p.ops);
    check_all_records(t, path, &p);
    kdx_symbol s;
    CHECK_OK(p.ops->by_rva(p.impl, 0x9b47 + 5, &s));
    CHECK_STR(s.name, "CloseHandle");
    /* STACK WIN 4 9b47 66 5 0 4 0 0 0 1 $T0 $ebp = ... */
    kdx_frame_data fd;
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x9b47 + 0x10, &fd));
    CHECK_EQ(fd.rva_start, 0x9b47);
    CHECK_EQ(fd.code_size, 0x66);
    CHECK_EQ(fd.prolog_size, 5);
    CHECK_EQ(fd.params_size, 4);
    CHECK(fd.has_program);
    CHECK(!fd.is_fpo);
    CHECK(kdx_starts_with(fd.program, "$T0 $ebp = $eip $T0 4 + ^ ="));
    /* STACK WIN 0 17826 and STACK WIN 4 17826 both exist: FrameData wins */
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x17826, &fd));
    CHECK(fd.has_program);
    p.ops->destroy(p.impl);
}

/* Breakpad's own stackwalk of minidump2.dmp (minidump2.stackwalk.out) names these frames
 * of the crashing thread from the same .sym files; kdx must name them the same way. */
TEST(breakpad_real_minidump2_stack_matches_stackwalk)
{
    TESTDATA(dump, "user/breakpad/minidump2.dmp");
    TESTDATA(syms, "user/breakpad/symbols");
    char *setup = kdx_asprintf(".sympath %s", syms);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, ".ecxr; kn", &err);
    free(setup);
    REQUIRE(out);
    CHECK_CONTAINS(out, "00 0012fe88 00404200 test_app!`anonymous namespace'::CrashFunction+0xe");
    CHECK_CONTAINS(out, "01 0012ff70 004053ec test_app!main+0x50");
    CHECK_CONTAINS(out, "02 0012ffc0 7c816fd7 test_app!__tmainCRTStartup+0x15f");
    CHECK_CONTAINS(out, "03 0012fff0 00000000 kernel32!BaseProcessStart+0x23");
    free(out);
}
