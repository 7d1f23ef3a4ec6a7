/* The unwinder on real images and the real triage dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
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

#define CFI_STACK 0x100000ull
static uint8_t cfi_stack[0x10000];

static kdx_status cfi_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    (void)impl;
    *done = 0;
    if (va < CFI_STACK || va - CFI_STACK + len > sizeof cfi_stack)
        return KDX_E_MEM_MISSING;
    memcpy(buf, cfi_stack + (va - CFI_STACK), len);
    *done = len;
    return KDX_OK;
}

static const kdx_target_ops cfi_ops = {.format_name = "cfi stack", .read_virt = cfi_read_virt};

static kdx_status one_image_find(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    const kdx_unwind_image *img = ud;
    if (addr < img->base || addr - img->base >= img->size)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "not in the image");
    *out = *img;
    return KDX_OK;
}

/* Runs commands on an image opened as the target, with its own unwind data. */
static char *run_on_image(kdx_test_ctx *t, const char *exe, const char *cmds, uint64_t size)
{
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "image"))
        return NULL;
    if (size)
        img.size = size;
    kdx_unwind_set_resolver(one_image_find, &img);
    kdx_err err = {0};
    char *out = kdx_test_run(exe, NULL, cmds, &err);
    kdx_unwind_set_resolver(NULL, NULL);
    kdx_pe_close(pe);
    if (!out)
        kdx_test_fail(t, __FILE__, __LINE__, "%s: %s", exe, err.msg);
    return out;
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

/* dump_syms_regtest64.exe and its Breakpad .sym (open for reading). */
static bool open_regtest(kdx_test_ctx *t, kdx_pe **pe, kdx_unwind_image *img, FILE **sym)
{
    const char *sym_path = kdx_testdata_path("pdb/dump_syms_regtest64.sym");
    *sym = sym_path ? fopen(sym_path, "r") : NULL;
    const char *exe = kdx_testdata_path("pdb/dump_syms_regtest64.exe");
    if (!*sym || !exe) {
        if (*sym)
            fclose(*sym);
        kdx_test_skip(t, "needs ../shared/testdata/pdb/dump_syms_regtest64.{exe,sym}");
        return false;
    }
    if (!open_image(t, exe, pe, img, "dump_syms_regtest64")) {
        fclose(*sym);
        return false;
    }
    return true;
}

TEST(unwind_real_pdata_agrees_with_breakpad_cfi)
{
    kdx_pe *pe;
    kdx_unwind_image img;
    FILE *f;
    if (!open_regtest(t, &pe, &img, &f))
        return;
    REQUIRE(img.nentries > 100);
    check_all_entries(t, &img);
    /* dump_syms derived its STACK CFI INIT records from the same .pdata: each
     * record's RVA and size must be an entry of ours. */
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
    uint64_t looping = 0;
    for (uint32_t i = 0; i < img.nentries; i++) {
        kdx_runtime_function fn, primary;
        kdx_err err = {0};
        if (img.entry_at(img.ud, i, &fn, NULL) != KDX_OK)
            continue;
        kdx_status st = kdx_x64_primary_entry(&img, fn, &primary, &err);
        if (st == KDX_E_LIMIT) {
            loops++;
            looping = img.base + fn.begin_rva;
            CHECK_CONTAINS(err.msg, "chained unwind info loops");
        }
    }
    CHECK(loops > 0);
    kdx_pe_close(pe);
    /* Its only entry (0x1000-0x2000) lies past SizeOfImage 0x400 and chains to
     * itself; widen the image so the entry is reachable. .fnent ends with a message. */
    char cmd[160];
    snprintf(cmd, sizeof cmd, ".fnent %" PRIx64, looping);
    char *out = run_on_image(t, exe, cmd, 0x3000);
    REQUIRE(out);
    CHECK_CONTAINS(out, "BeginAddress      = 00000000`00001000\n");
    CHECK_CONTAINS(out, "Chained info loops back to UnwindInfoAddress = 00000000`00000300; stopping.\n");
    free(out);
    /* A stack walk from there stops at that frame with the reason. */
    if (!open_image(t, exe, &pe, &img, "cfi_chained_loop"))
        return;
    img.size = 0x3000;
    kdx_target *tgt = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "cfi");
    tgt->ops = &cfi_ops;
    kdx_unwind_env env = {.target = tgt, .find_image = one_image_find, .ud = &img};
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RSP, CFI_STACK + 0x100);
    kdx_ctx_set(&c, KDX_X64_RIP, looping + 0x10);
    kdx_stack st;
    CHECK_OK(kdx_stack_walk(&env, &c, 10, &st, NULL));
    REQUIRE(st.len == 1);
    CHECK_EQ(st.frames[0].end, KDX_FRAME_END_ERROR);
    CHECK_CONTAINS(st.frames[0].note, "cfi_chained_loop: chained unwind info loops");
    kdx_stack_free(&st);
    tgt->ops = NULL;
    kdx_target_close(tgt);
    kdx_pe_close(pe);
}

/* ---- the triage dump, with the symbol store and the kernel's ISF ---- */

TEST(unwind_real_triage_cxr_walks_drivers_into_nt)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    char *store_dir = kdx_strdup(store);
    TESTDATA(isf, "isf");
    char *setup = kdx_asprintf(".sympath %s;%s", store_dir, isf);
    kdx_err err = {0};
    /* The exact walk only (stack scanning has its own tests in test_stackscan_real.c). */
    char *out = kdx_test_run(dump, setup,
                             ".stackscan off; k; .cxr ffff850429891720; kn; .fnent fffff8048b58334c; .exr -1; "
                             ".fnent amdppm!WriteIoMemRawEx",
                             &err);
    free(setup);
    free(store_dir);
    REQUIRE(out);
    /* Without .cxr the walk starts at KeBugCheckEx's rsp, at its first instruction:
     * the return address is at [rsp] although nt's .pdata is not in the dump; the
     * walk stops at the caller, whose unwind data is missing. */
    CHECK_CONTAINS(out, "Child-SP          RetAddr           Call Site\n");
    CHECK_CONTAINS(out, "ffff8504`29890ee8 fffff804`7be0f4e1 nt!KeBugCheckEx\n");
    CHECK_CONTAINS(out, "ffff8504`29890ef0 ????????`???????? nt+0x40f4e1\n");
    CHECK_CONTAINS(out, "WARNING: Stack unwind information not available for frame 01 (ntoskrnl.exe: .pdata entry ");
    /* .cxr shows the faulting instruction with its effective address, as WinDbg does. */
    CHECK_CONTAINS(out, "amdppm!WriteIoMemRawEx+0x70:\n"
                        "fffff804`8b58334c 43891401        mov     dword ptr [r9+r8],edx ds:002b:ffff9b00`0336004c=????????\n");
    /* With it: amdppm, then Wdf01000 frames, into nt, where unwinding stops with a reason. */
    const char *k = strstr(out, " # Child-SP");
    REQUIRE(k);
    CHECK_CONTAINS(k, "00 ffff8504`29892120 fffff804`8b58313f amdppm!WriteIoMemRawEx+0x70\n");
    CHECK_CONTAINS(k, "01 ffff8504`29892150 fffff804`8b583234 amdppm!WriteGenAddrEx+0x6b\n");
    CHECK_CONTAINS(k, "05 ffff8504`29892340 fffff804`799cc027 amdppm!EvtDevicePrepareHardware+0xd2\n");
    CHECK_CONTAINS(k, "06 ffff8504`29892380 fffff804`79966f81 Wdf01000+0x7c027\n");
    CHECK_CONTAINS(k, "0f ffff8504`298926d0 fffff804`7bc52f55 Wdf01000+0xa866\n");
    CHECK_CONTAINS(k, "10 ffff8504`29892730 ????????`???????? nt!IofCallDriver+0x55\n");
    CHECK_CONTAINS(k, "WARNING: Stack unwind information not available for frame 10 (ntoskrnl.exe: ");
    CHECK_CONTAINS(k, "The walk stops here instead of guessing.");
    /* The faulting function's entry in amdppm.sys (version 2 unwind info with epilog codes). */
    CHECK_CONTAINS(k, "(fffff804`8b5832dc)   amdppm!WriteIoMemRawEx+0x70   |  (fffff804`8b583370)   amdppm!WriteIoMemRawHidden\n\n"
                      "BeginAddress      = 00000000`000032dc\n"
                      "EndAddress        = 00000000`00003368\n"
                      "UnwindInfoAddress = 00000000`0001153c\n\n"
                      "Unwind info at fffff804`8b59153c, a bytes\n"
                      "  version 2, flags 0, prolog 4, codes 3\n"
                      "  00: offs 1, unwind op 6, op info 0\tUWOP_EPILOG.\n"
                      "  01: offs 2, unwind op 6, op info 0\tUWOP_EPILOG.\n"
                      "  02: offs 4, unwind op 2, op info 4\tUWOP_ALLOC_SMALL.\n");
    CHECK_CONTAINS(k, "ExceptionAddress: fffff8048b58334c (amdppm!WriteIoMemRawEx+0x0000000000000070)\n"
                      "   ExceptionCode: c0000005 (Access violation)\n");
    CHECK_CONTAINS(k, "(fffff804`8b5832dc)   amdppm!WriteIoMemRawEx   |  (fffff804`8b583370)   amdppm!WriteIoMemRawHidden\n"
                      "Exact matches:\n    amdppm!WriteIoMemRawEx (<no parameter info>)\n\nBeginAddress");
    free(out);
}

/* dump_syms wrote, per function, ".cfa: $rsp N +" for the body: the caller's
 * stack pointer is N bytes above rsp once the prolog has run. Our unwind of
 * a pc just after the prolog must agree, for every function. */
TEST(unwind_real_every_function_matches_breakpad_cfa)
{
    kdx_pe *pe;
    kdx_unwind_image img;
    FILE *f;
    if (!open_regtest(t, &pe, &img, &f))
        return;
    kdx_target *tgt = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "cfi");
    tgt->ops = &cfi_ops;
    kdx_unwind_env env = {.target = tgt, .find_image = one_image_find, .ud = &img};
    char line[1024];
    unsigned checked = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned rva, cfa;
        if (sscanf(line, "STACK CFI %x .cfa: $rsp %u +", &rva, &cfa) != 2)
            continue;
        kdx_runtime_function fn;
        kdx_x64_unwind_info ui;
        if (img.lookup(img.ud, rva, &fn, NULL) != KDX_OK ||
            kdx_x64_unwind_info_read(&img, fn.unwind_rva, &ui, NULL) != KDX_OK)
            continue;
        kdx_context c = {.arch = KDX_ARCH_X64};
        uint64_t sp = CFI_STACK + 0x8000;
        kdx_ctx_set(&c, KDX_X64_RSP, sp);
        kdx_ctx_set(&c, KDX_X64_RIP, img.base + fn.begin_rva + ui.prolog_size);
        if (ui.frame_reg)
            kdx_ctx_set(&c, ui.frame_reg, sp + 16ull * ui.frame_offset);
        kdx_unwind_step st;
        kdx_err err = {0};
        if (kdx_x64_unwind(&env, &c, &st, &err) != KDX_OK) {
            kdx_test_fail(t, __FILE__, __LINE__, "function at 0x%x: %s", rva, err.msg);
            continue;
        }
        if (kdx_ctx_sp(&st.caller) != sp + cfa)
            kdx_test_fail(t, __FILE__, __LINE__, "function at 0x%x: caller rsp +0x%" PRIx64 ", CFI says +0x%x", rva,
                          kdx_ctx_sp(&st.caller) - sp, cfa);
        checked++;
    }
    fclose(f);
    CHECK(checked >= 190);
    tgt->ops = NULL;
    kdx_target_close(tgt);
    kdx_pe_close(pe);
}

TEST(unwind_real_fnent_and_uf_agree_with_pdata)
{
    TESTDATA(exe, "pdb/dump_syms_regtest64.exe");
    /* main: FUNC 1010 6a and STACK CFI INIT 1010 6a in the .sym; sub rsp,48h. */
    char *out = run_on_image(t, exe, ".fnent 140001030; uf 140001030", 0);
    REQUIRE(out);
    CHECK_CONTAINS(out, "BeginAddress      = 00000000`00001010\nEndAddress        = 00000000`0000107a\n");
    CHECK_CONTAINS(out, "UWOP_ALLOC_SMALL.\n");
    const char *uf = strstr(out, "> uf");
    uf = uf ? uf : strstr(out, "00000001`40001010 ");
    REQUIRE(uf);
    CHECK_CONTAINS(uf, "00000001`40001010 4889542410      mov     qword ptr [rsp+10h],rdx\n");
    CHECK_CONTAINS(uf, "00000001`40001019 4883ec48        sub     rsp,48h\n");
    /* Every instruction uf printed lies inside the .pdata range. */
    unsigned lines = 0;
    for (const char *p = uf; p; p = strchr(p, '\n')) {
        p += *p == '\n';
        if (strncmp(p, "00000001`4000", 13))
            continue;
        unsigned a = (unsigned)strtoul(p + 13, NULL, 16);
        CHECK(a >= 0x1010 && a < 0x107a);
        lines++;
    }
    CHECK_EQ(lines, 23); /* 0x1010 .. the ret at 0x1079 */
    free(out);
}

TEST(unwind_real_fnent_shows_seh_handler)
{
    TESTDATA(exe, "pdb/seh_x64/xcpt4.exe");
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "xcpt4"))
        return;
    uint64_t addr = 0;
    for (uint32_t i = 0; i < img.nentries && !addr; i++) {
        kdx_runtime_function fn;
        kdx_x64_unwind_info ui;
        if (img.entry_at(img.ud, i, &fn, NULL) == KDX_OK && !(fn.unwind_rva & 1) &&
            kdx_x64_unwind_info_read(&img, fn.unwind_rva, &ui, NULL) == KDX_OK && ui.has_handler)
            addr = img.base + fn.begin_rva;
    }
    kdx_pe_close(pe);
    REQUIRE(addr);
    char cmd[64];
    snprintf(cmd, sizeof cmd, ".fnent %" PRIx64, addr);
    char *out = run_on_image(t, exe, cmd, 0);
    REQUIRE(out);
    CHECK_CONTAINS(out, "  handler routine: ");
    CHECK_CONTAINS(out, "Unwind info at ");
    free(out);
}

/* ---- x86: Breakpad's own walk of minidump2 is the oracle ---- */

TEST(unwind_real_x86_stack_win_matches_breakpad_stackwalk)
{
    TESTDATA(dump, "user/breakpad/minidump2.dmp");
    TESTDATA(syms, "user/breakpad/symbols");
    char *setup = kdx_asprintf(".sympath %s", syms);
    TESTDATA(oracle, "user/breakpad/minidump2.stackwalk.out");
    char oracle_path[4096];
    snprintf(oracle_path, sizeof oracle_path, "%s", oracle);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, ".ecxr; kv", &err);
    free(setup);
    REQUIRE(out);
    /* Frames 1.. of the crashed thread: "eip = 0x00404200   esp = ...   ebp = 0x0012ff70",
     * and for every frame "Found by: ...", which kv's trust column must say too. */
    FILE *f = fopen(oracle_path, "r");
    REQUIRE(f);
    char line[512];
    unsigned frame = 0, checked = 0, trusts = 0;
    uint32_t prev_ebp = 0;
    bool in_thread0 = false;
    const char *rows = out;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Thread 0", 8))
            in_thread0 = true;
        else if (!strncmp(line, "Loaded modules", 14))
            break;
        unsigned eip, esp, ebp;
        const char *by = strstr(line, "Found by: ");
        if (in_thread0 && by) {
            const char *want = strstr(by, "given as instruction pointer in context") ? " (trust: context)"
                               : strstr(by, "call frame info")                     ? " (trust: cfi)"
                               : strstr(by, "frame pointer")                       ? " (trust: frame_pointer)"
                                                                                   : " (trust: scan)";
            rows = strstr(rows, want);
            CHECK(rows != NULL);
            if (!rows)
                break;
            rows++;
            trusts++;
        }
        if (!in_thread0 || sscanf(line, " eip = %x esp = %x ebp = %x", &eip, &esp, &ebp) != 3)
            continue;
        if (frame > 0) {
            /* Our row for the previous frame: ChildEBP prev_ebp, RetAddr eip. */
            char want[64];
            snprintf(want, sizeof want, "%08x %08x ", prev_ebp, eip);
            CHECK_CONTAINS(out, want);
            checked++;
        }
        prev_ebp = ebp;
        frame++;
    }
    fclose(f);
    CHECK_EQ(checked, 3);
    CHECK_EQ(trusts, 4);
    CHECK_CONTAINS(out, "test_app!`anonymous namespace'::CrashFunction+0xe (FPO: [Non-Fpo]) (trust: context) [c:\\test_app.cc @ 58]\n");
    /* Source lines of the callers are those of their call instructions, as Breakpad found them. */
    CHECK_CONTAINS(out, "test_app!main+0x50 (FPO: [Non-Fpo]) (trust: cfi) [c:\\test_app.cc @ 65]\n");
    CHECK_CONTAINS(out, "test_app!__tmainCRTStartup+0x15f (FPO: [Non-Fpo]) (trust: cfi) [f:\\sp\\vctools\\crt_bld\\self_x86\\crt\\src\\crt0.c @ 327]\n");
    CHECK(!strstr(out, "Following frames may be wrong"));
    free(out);
}

/* ARM64: every .pdata entry of xcpt4 (packed and .xdata) decodes and unwinds
 * from the middle of its function without error. */
TEST(unwind_real_arm64_xcpt4_entries_unwind)
{
    TESTDATA(exe, "pdb/seh_ARM64/xcpt4.exe");
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "xcpt4"))
        return;
    REQUIRE(img.nentries > 10);
    kdx_target *tgt = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_ARM64, "cfi");
    tgt->ops = &cfi_ops;
    kdx_unwind_env env = {.target = tgt, .find_image = one_image_find, .ud = &img};
    unsigned packed = 0, unpacked = 0;
    for (uint32_t i = 0; i < img.nentries; i++) {
        kdx_runtime_function fn;
        if (img.entry_at(img.ud, i, &fn, NULL) != KDX_OK || fn.end_rva <= fn.begin_rva)
            continue;
        uint64_t sp = CFI_STACK + 0x8000;
        kdx_context c = {.arch = KDX_ARCH_ARM64};
        kdx_ctx_set(&c, KDX_ARM64_SP, sp);
        kdx_ctx_set(&c, KDX_ARM64_FP, sp);
        kdx_ctx_set(&c, KDX_ARM64_LR, 0x1234);
        kdx_ctx_set(&c, KDX_ARM64_PC, img.base + fn.begin_rva + ((fn.end_rva - fn.begin_rva) / 2 & ~3u));
        kdx_unwind_step st;
        kdx_err err = {0};
        if (kdx_arm64_unwind(&env, &c, &st, &err) != KDX_OK) {
            kdx_test_fail(t, __FILE__, __LINE__, "entry %u (RVA 0x%x): %s", i, fn.begin_rva, err.msg);
            continue;
        }
        if (fn.packed)
            packed++;
        else
            unpacked++;
    }
    CHECK(packed > 0);
    CHECK(unpacked > 0);
    tgt->ops = NULL;
    kdx_target_close(tgt);
    kdx_pe_close(pe);
}

TEST(unwind_real_arm64_fnent)
{
    TESTDATA(exe, "pdb/seh_ARM64/xcpt4.exe");
    char *out = run_on_image(t, exe, ".fnent 1400010b0", 0);
    REQUIRE(out);
    CHECK_CONTAINS(out, "BeginAddress      = 00000000`000010b0\n"
                        "EndAddress        = 00000000`000010c4\n"
                        "UnwindInfoAddress = 00000000`0000a238\n");
    CHECK_CONTAINS(out, "  FunctionLength 14, X 0, E 0, epilogs 1, code bytes 8\n"
                        "  epilog 0: offset c, first code 4\n"
                        "  00: e2 02        add_fp\n"
                        "  02: 42           save_fplr\n"
                        "  03: e4           end\n"
                        "  04: 42           save_fplr\n"
                        "  05: e4           end\n");
    CHECK(!strstr(out, "alloc_s"));
    free(out);
    /* A packed entry shows its fields. */
    kdx_pe *pe;
    kdx_unwind_image img;
    if (!open_image(t, exe, &pe, &img, "xcpt4"))
        return;
    uint64_t packed = 0;
    for (uint32_t i = 0; i < img.nentries && !packed; i++) {
        kdx_runtime_function fn;
        if (img.entry_at(img.ud, i, &fn, NULL) == KDX_OK && fn.packed)
            packed = img.base + fn.begin_rva;
    }
    kdx_pe_close(pe);
    REQUIRE(packed);
    char cmd[64];
    snprintf(cmd, sizeof cmd, ".fnent %" PRIx64, packed);
    out = run_on_image(t, exe, cmd, 0);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Packed unwind data ");
    CHECK_CONTAINS(out, ": Flag 1, FunctionLength ");
    free(out);
}

/* x86 with a real PDB: FrameData programs (glued operators, CodeView register
 * numbers) carry the walk from main through the CRT into kernel32. */
TEST(unwind_real_x86_pdb_framedata)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    TESTDATA(dir, "user/symbolic");
    char *setup = kdx_asprintf(".sympath %s", dir);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, ".ecxr; kv; kp 1", &err);
    free(setup);
    REQUIRE(out);
    /* kp: the parameter types the PDB gives (values are not recovered). */
    CHECK_CONTAINS(out, "010ff670 002a2d97 crash!main(int, char **)+0x12d [c:\\projects");
    CHECK_CONTAINS(out, "010ff670 002a2d97 ");
    CHECK_CONTAINS(out, " crash!main+0x12d (FPO: [Non-Fpo]) (trust: context) [c:\\projects\\breakpad-tools\\windows\\crash\\main.cpp @ 35]\n");
    CHECK_CONTAINS(out, "010ff784 750662c4 ");
    CHECK_CONTAINS(out, " crash!__scrt_common_main_seh+0xf9 (FPO: [Non-Fpo]) ");
    CHECK_CONTAINS(out, " kernel32+0x162c4 (trust: cfi)\nWARNING: Stack unwind information not available. Following frames may be wrong.\n");
    free(out);
}
