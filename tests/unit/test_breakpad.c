/* Unit tests for the Breakpad .sym provider: small texts, good and bad. */
#include "sym/breakpad.h"
#include "tests/test.h"

static const char small_sym[] =
    "MODULE windows x86_64 00112233445566778899AABBCCDDEEFF1a small.pdb\r\n"
    "INFO CODE_ID 5AB380779000 small.exe\r\n"
    "FILE 1 c:\\src\\a.c\r\n"
    "FUNC m 1000 20 0 alpha\r\n"
    "1000 10 7 1\r\n"
    "1010 10 9 1\r\n"
    "INLINE_ORIGIN 0 something\r\n"
    "PUBLIC 1000 0 alpha_public\r\n"
    "PUBLIC m 2000 4 beta\r\n"
    "STACK CFI INIT 1000 20 .cfa: $rsp .ra: .cfa 8 - ^\r\n"
    "STACK CFI 1008 .cfa: $rsp 48 +\r\n"
    "STACK CFI 1004 .cfa: $rsp 16 +\r\n"
    "STACK WIN 4 2000 30 3 0 8 4 10 0 1 $T0 $ebp = $eip $T0 4 + ^ =\r\n";

static kdx_status open_text(const char *text, kdx_symprov *p, kdx_symfile_id *id, kdx_err *err)
{
    return kdx_breakpad_provider_open_buffer("small.sym", text, strlen(text), p, id, err);
}

TEST(breakpad_small_file)
{
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    CHECK_OK(open_text(small_sym, &p, &id, &err));
    REQUIRE(p.ops);
    CHECK(id.has_guid);
    CHECK_EQ(id.age, 0x1a);
    CHECK_EQ(id.guid[0], 0x33);
    kdx_symbol s;
    CHECK_OK(p.ops->by_rva(p.impl, 0x1004, &s));
    CHECK_STR(s.name, "alpha");       /* the FUNC before the PUBLIC at one address */
    CHECK_EQ(s.size, 0x20);
    CHECK_OK(p.ops->by_name(p.impl, "beta", &s));
    CHECK_EQ(s.rva, 0x2000);
    CHECK_EQ(s.kind, KDX_SYM_PUBLIC);
    const char *file;
    uint32_t line;
    CHECK_OK(p.ops->line_for_rva(p.impl, 0x1012, &file, &line));
    CHECK_STR(file, "c:\\src\\a.c");
    CHECK_EQ(line, 9);
    kdx_breakpad_cfi cfi;
    CHECK_OK(kdx_breakpad_cfi_for(&p, 0x101f, &cfi));
    REQUIRE(cfi.ndeltas == 2);
    CHECK_EQ(cfi.deltas[0].rva, 0x1004); /* sorted */
    CHECK_STR(cfi.deltas[1].rules, ".cfa: $rsp 48 +");
    CHECK_EQ(kdx_breakpad_cfi_for(&p, 0x1020, &cfi), KDX_E_NOT_FOUND);
    kdx_frame_data fd;
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x202f, &fd));
    CHECK_EQ(fd.saved_regs_size, 4);
    CHECK_EQ(fd.locals_size, 0x10);
    CHECK_STR(fd.program, "$T0 $ebp = $eip $T0 4 + ^ =");
    CHECK_EQ(p.ops->frame_data_for_rva(p.impl, 0x2030, &fd), KDX_E_NOT_FOUND);
    kdx_breakpad_module m;
    CHECK(kdx_breakpad_module_info(&p, &m));
    CHECK_STR(m.code_id, "5AB380779000");
    CHECK_EQ(m.npublics, 2);
    p.ops->destroy(p.impl);
}

TEST(breakpad_bad_input_named)
{
    kdx_symprov p;
    kdx_err err = {0};
    CHECK_EQ(open_text("hello\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_STR(err.msg, "small.sym:1: unknown record \"hello\"");
    CHECK_EQ(open_text("", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "no MODULE record");
    CHECK_EQ(open_text("MODULE windows x86 00 a.pdb\nFUNC 10 zz 0 f\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_STR(err.msg, "small.sym:2: malformed FUNC record");
    CHECK_EQ(open_text("MODULE windows x86 00 a.pdb\nPUBLIC 100000000 0 f\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_STR(err.msg, "small.sym:2: malformed PUBLIC record");
    CHECK_EQ(open_text("MODULE windows x86 00 a.pdb\n1000 10 7 1\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "line record outside a FUNC");
    CHECK_EQ(open_text("MODULE windows x86 00 a.pdb\nSTACK CFI 1000 .cfa: $esp\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "before any STACK CFI INIT");
    CHECK_EQ(open_text("MODULE windows x86 00 a.pdb\nSTACK WIN 4 1 2 3 4 5 6 7 8 2 x\n", &p, NULL, &err), KDX_E_FORMAT);
    CHECK_STR(err.msg, "small.sym:2: malformed STACK WIN record");
    CHECK(p.ops == NULL);
    /* MODULE without a parseable debug id: opens, no identity */
    kdx_symfile_id id;
    CHECK_OK(open_text("MODULE windows x86 00 a.pdb\n", &p, &id, &err));
    CHECK(!id.has_guid);
    p.ops->destroy(p.impl);
}

/* A FrameData record wins over an FPO one, and the innermost of nested ranges wins. */
TEST(breakpad_stack_win_choice)
{
    static const char text[] =
        "MODULE windows x86 00112233445566778899AABBCCDDEEFF1 n.pdb\n"
        "STACK WIN 0 1000 100 0 0 4 0 0 0 0 1\n"
        "STACK WIN 4 1000 10 0 0 8 0 0 0 1 $T0 outer-short =\n"
        "STACK WIN 4 1000 80 0 0 c 0 0 0 1 $T0 outer =\n"
        "STACK WIN 4 1040 20 0 0 10 0 0 0 1 $T0 inner =\n";
    kdx_symprov p;
    kdx_err err = {0};
    CHECK_OK(kdx_breakpad_provider_open_buffer("n.sym", text, strlen(text), &p, NULL, &err));
    REQUIRE(p.ops);
    kdx_frame_data fd;
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1048, &fd));
    CHECK_STR(fd.program, "$T0 inner =");
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1070, &fd));
    CHECK_STR(fd.program, "$T0 outer =");
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1005, &fd));
    CHECK(fd.has_program); /* one of the two FrameData records at 0x1000, not the FPO one */
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1090, &fd));
    CHECK(fd.is_fpo);
    CHECK(fd.uses_base_pointer);
    CHECK_EQ(p.ops->frame_data_for_rva(p.impl, 0x1100, &fd), KDX_E_NOT_FOUND);
    p.ops->destroy(p.impl);
}
