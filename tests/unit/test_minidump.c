/* Unit tests for the minidump reader on dumps from the project's writer:
 * every arch, memory lists and memory64, thread names, exceptions with and
 * without a context, and corruptions of each structure. */
#include <stdio.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "base/file.h"
#include "dump/minidump.h"
#include "dump/minidump_writer.h"
#include "target/memory.h"
#include "tests/test.h"

static uint8_t stack0[0x100], stack1[0x80], heap[0x2000], code[0x100];

static kdx_context make_ctx(kdx_arch a, uint64_t ip, uint64_t sp)
{
    kdx_context c = {0};
    c.arch = a;
    kdx_ctx_set(&c, kdx_reg_ip(a), ip);
    kdx_ctx_set(&c, kdx_reg_sp(a), sp);
    return c;
}

/* Two threads, two modules, one heap range, an access violation in thread 2. */
static void make_spec(kdx_mdw_spec *sp, kdx_mdw_thread th[2], kdx_mdw_module mod[2],
                      kdx_mdw_memory mem[2], kdx_arch a)
{
    memset(code, 0x90, sizeof code); /* x86/x64: nop; ret at 0x401000, int 3 at 0x401080 */
    code[0] = 0xc3;
    code[0x80] = 0xcc;
    for (size_t i = 0; i < sizeof stack0; i++)
        stack0[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof heap; i++)
        heap[i] = (uint8_t)(i * 7);
    memset(sp, 0, sizeof *sp);
    sp->arch = a;
    sp->os_major = 10;
    sp->build = 19041;
    sp->csd_version = "";
    sp->num_processors = 4;
    sp->timestamp = 1600000000;
    sp->has_misc = true;
    sp->process_id = 0x1234;
    sp->process_create_time = 1600000000 - 65;
    sp->user_time = 3;
    sp->kernel_time = 1;
    th[0] = (kdx_mdw_thread){.id = 0x10, .suspend_count = 1, .teb = 0x7ff000,
                             .context = make_ctx(a, 0x401000, 0x100000), .stack_va = 0x100000,
                             .stack = stack0, .stack_size = sizeof stack0, .name = "main"};
    th[1] = (kdx_mdw_thread){.id = 0x20, .teb = 0x7fe000,
                             .context = make_ctx(a, 0x401080, 0x200000), .stack_va = 0x200000,
                             .stack = stack1, .stack_size = sizeof stack1};
    sp->threads = th;
    sp->nthreads = 2;
    mod[0] = (kdx_mdw_module){.path = "C:\\app\\app.exe", .base = 0x400000, .size = 0x10000,
                              .timestamp = 0x5f000000, .checksum = 0x1234,
                              .pdb_name = "C:\\src\\app.pdb", .pdb_age = 3,
                              .pdb_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    mod[1] = (kdx_mdw_module){.path = "C:\\Windows\\System32\\ntdll.dll", .base = 0x7ff00000,
                              .size = 0x1f0000, .file_version_ms = 0xa0000,
                              .file_version_ls = 0x4a610001};
    sp->modules = mod;
    sp->nmodules = 2;
    mem[0] = (kdx_mdw_memory){.va = 0x500000, .data = heap, .size = sizeof heap};
    mem[1] = (kdx_mdw_memory){.va = 0x401000, .data = code, .size = sizeof code};
    sp->memory = mem;
    sp->nmemory = 2;
    sp->has_exception = true;
    sp->exception_thread = 0x20;
    sp->exception_code = 0xc0000005;
    sp->exception_address = 0x401080;
    sp->nparams = 2;
    sp->params[0] = 1;
    sp->params[1] = 0x45;
    sp->exception_has_context = true;
    sp->exception_context = make_ctx(a, 0x401080, 0x200010);
}

/* The spec of make_spec with the arrays it points to. */
typedef struct fixture {
    kdx_mdw_spec sp;
    kdx_mdw_thread th[2];
    kdx_mdw_module mod[2];
    kdx_mdw_memory mem[2];
} fixture;

static kdx_mdw_spec *fixture_init(fixture *f, kdx_arch a)
{
    make_spec(&f->sp, f->th, f->mod, f->mem, a);
    return &f->sp;
}

/* Writes the spec to NAME in the test's temporary directory. */
static bool write_tmp(const kdx_mdw_spec *spp, const char *name, char *file, size_t len,
                      kdx_err *err)
{
    const char *dir = kdx_test_tmpdir();
    if (!dir)
        return false;
    snprintf(file, len, "%s/%s", dir, name);
    return kdx_minidump_write_file(spp, file, err) == KDX_OK;
}

static kdx_target *open_buf(const uint8_t *buf, size_t len, kdx_err *err)
{
    kdx_file *f;
    if (kdx_file_from_memory(&f, "synthetic.dmp", buf, len, err) != KDX_OK)
        return NULL;
    kdx_target *tg = NULL;
    kdx_minidump_open_file(f, &tg, err);
    return tg;
}

/* Writes the spec to memory and opens it (NULL and err on failure). */
static kdx_target *open_spec(const kdx_mdw_spec *spp, kdx_err *err)
{
    uint8_t *buf;
    size_t len;
    if (kdx_minidump_write(spp, &buf, &len, err) != KDX_OK)
        return NULL;
    kdx_target *tg = open_buf(buf, len, err);
    free(buf);
    return tg;
}

static void check_synthetic(kdx_test_ctx *t, kdx_arch a, bool full, bool thread_ex)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, a);
    spp->full_memory = full;
    spp->thread_ex = thread_ex;
    kdx_err err = {0};
    kdx_target *tg = open_spec(spp, &err);
    if (!tg)
        kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);
    REQUIRE(tg);
    CHECK_EQ(tg->arch, a);
    CHECK_EQ(tg->ptr_size, kdx_arch_ptr_size(a));
    CHECK_EQ(tg->ncontexts, 2);
    CHECK_EQ(tg->default_context, 1);
    CHECK_EQ(tg->sys.os_major, 10);
    CHECK_EQ(tg->sys.build, 19041);
    CHECK_EQ(tg->sys.num_processors, 4);
    CHECK_EQ(tg->sys.process_id, 0x1234);
    CHECK_EQ(tg->sys.dump_time - tg->sys.process_create_time, 65ull * 10000000ull);
    CHECK_EQ(tg->nmodules, 2);
    CHECK_STR(tg->main_module->name, "app");
    CHECK(tg->main_module->has_pdb_id);
    CHECK_EQ(tg->main_module->pdb_age, 3);
    CHECK_STR(tg->main_module->pdb_name, "C:\\src\\app.pdb");
    char guid[33];
    kdx_guid_format(tg->main_module->pdb_guid, guid);
    CHECK_STR(guid, "0403020106050807090A0B0C0D0E0F10");
    kdx_module *nt = kdx_target_module_named(tg, "ntdll");
    REQUIRE(nt);
    CHECK_EQ(nt->file_version_ls, 0x4a610001);
    CHECK(!nt->has_pdb_id);
    CHECK(tg->exception.present);
    CHECK_EQ(tg->exception.code, 0xc0000005);
    CHECK_EQ(tg->exception.context_index, 1);
    CHECK(tg->exception.has_context);
    CHECK_EQ(kdx_ctx_sp(&tg->exception.context), 0x200010);
    kdx_context c;
    CHECK_OK(tg->ops->get_context(tg->impl, 0, &c, &err));
    CHECK_EQ(kdx_ctx_ip(&c), 0x401000);
    CHECK_EQ(c.arch, a);
    kdx_thread_info ti;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 0, &ti, &err));
    CHECK_EQ(ti.id, 0x10);
    CHECK_EQ(ti.suspend_count, 1);
    CHECK_STR(ti.name, "main");
    CHECK_EQ(ti.stack_limit, 0x100000);
    CHECK_EQ(ti.stack_base, 0x100100);
    /* Memory: the stack and the heap range, gaps are errors. */
    uint8_t b[16];
    size_t done;
    CHECK_OK(kdx_read_virt(tg, 0x100010, b, 4, &done, &err));
    CHECK_EQ(b[0], 0x10);
    CHECK_OK(kdx_read_virt(tg, 0x500000 + 0x1ff0, b, 16, &done, &err));
    CHECK_EQ(b[0], (uint8_t)(0x1ff0 * 7));
    CHECK_EQ(kdx_read_virt(tg, 0x500000 + 0x1ff8, b, 16, &done, &err), KDX_E_MEM_MISSING);
    CHECK_EQ(done, 8);
    CHECK_EQ(kdx_read_virt(tg, 0x600000, b, 1, &done, &err), KDX_E_MEM_MISSING);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK_EQ(md->has_memory64, full);
    CHECK_EQ(md->threads_ex, thread_ex);
    uint64_t kt, ut;
    REQUIRE(kdx_minidump_process_times(tg, &kt, &ut));
    CHECK_EQ(kt, 10000000ull);
    CHECK_EQ(ut, 30000000ull);
    kdx_target_close(tg);
}

TEST(minidump_synthetic_x64)
{
    check_synthetic(t, KDX_ARCH_X64, false, false);
}

TEST(minidump_synthetic_x86_memory64)
{
    check_synthetic(t, KDX_ARCH_X86, true, false);
}

TEST(minidump_synthetic_arm64_thread_ex)
{
    check_synthetic(t, KDX_ARCH_ARM64, false, true);
}

TEST(minidump_exception_without_context_uses_thread)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    spp->exception_has_context = false;
    spp->comment = "written by kdx's tests";
    spp->extra_stream_type = 0x12345678;
    kdx_err err;
    kdx_target *tg = open_spec(spp, &err);
    REQUIRE(tg);
    CHECK(tg->exception.has_context);
    CHECK_EQ(kdx_ctx_sp(&tg->exception.context), 0x200000);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md && md->ncomments == 1);
    CHECK_STR(md->comments[0], "written by kdx's tests");
    kdx_target_close(tg);
}

/* Every single-field corruption of the directory and the list counts gives
 * an error that names the file, or a dump that still opens: never a crash. */
TEST(minidump_corruptions_rejected_cleanly)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    uint8_t *buf;
    size_t len;
    kdx_err err;
    REQUIRE(kdx_minidump_write(spp, &buf, &len, &err) == KDX_OK);
    uint32_t nstreams = kdx_le32(buf + 8);
    for (uint32_t i = 0; i < nstreams; i++) {
        uint8_t *e = buf + 32 + 12 * i;
        uint32_t saved[3] = {kdx_le32(e), kdx_le32(e + 4), kdx_le32(e + 8)};
        uint32_t rva = saved[2];
        const uint32_t bad[] = {0xffffffff, 0x7fffffff, (uint32_t)len, 0};
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            /* A huge size, a huge offset, a huge count at the stream's start. */
            kdx_put_le32(e + 4, bad[k]);
            kdx_target *tg = open_buf(buf, len, &err);
            if (!tg)
                CHECK_CONTAINS(err.msg, "synthetic.dmp");
            kdx_target_close(tg);
            kdx_put_le32(e + 4, saved[1]);
            kdx_put_le32(e + 8, bad[k]);
            tg = open_buf(buf, len, &err);
            if (!tg)
                CHECK_CONTAINS(err.msg, "synthetic.dmp");
            kdx_target_close(tg);
            kdx_put_le32(e + 8, saved[2]);
            if (rva + 4 <= len) {
                uint32_t old = kdx_le32(buf + rva);
                kdx_put_le32(buf + rva, bad[k]);
                tg = open_buf(buf, len, &err);
                if (!tg)
                    CHECK_CONTAINS(err.msg, "synthetic.dmp");
                kdx_target_close(tg);
                kdx_put_le32(buf + rva, old);
            }
        }
    }
    /* Truncated anywhere: an error or a smaller dump, never a crash. */
    for (size_t cut = 0; cut < len; cut += 7) {
        kdx_target *tg = open_buf(buf, cut, &err);
        if (!tg)
            CHECK(err.msg[0] != 0);
        kdx_target_close(tg);
    }
    free(buf);
}

TEST(minidump_unloaded_modules_and_handles)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    const kdx_mdw_unloaded un[] = {{"C:\\plugins\\old.dll", 0x10000000, 0x5000, 0x1234, 0}};
    const kdx_mdw_handle hs[] = {
        {.handle = 4, .type_name = "Directory", .object_name = "\\KnownDlls", .attributes = 0x10,
         .granted_access = 3, .handle_count = 39, .pointer_count = 68},
        {.handle = 8, .type_name = "File"},
        {.handle = 0xc, .type_name = "File"}};
    spp->unloaded = un;
    spp->nunloaded = 1;
    spp->handles = hs;
    spp->nhandles = 3;
    char file[512];
    kdx_err err;
    REQUIRE(write_tmp(spp, "handles.dmp", file, sizeof file, &err));
    kdx_target *tg;
    REQUIRE(kdx_target_open(file, &tg, &err) == KDX_OK);
    CHECK_EQ(tg->nmodules, 3);
    kdx_module *old = tg->modules[2];
    CHECK(old->unloaded);
    CHECK_STR(old->image_name, "old.dll");
    CHECK_EQ(old->base, 0x10000000);
    CHECK(kdx_target_module_at(tg, 0x10000010) == NULL); /* unloaded: not a live mapping */
    CHECK(tg->main_module == tg->modules[0]);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md && md->nhandles == 3);
    CHECK_STR(md->handles[0].object_name, "\\KnownDlls");
    kdx_target_close(tg);
    char *out = kdx_test_run(file, NULL, "!handle; !handle 4 f; !handle 99", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Handle 4\n  Type         \tDirectory\nHandle 8\n  Type         \tFile\n");
    CHECK_CONTAINS(out, "3 Handles\nType           \tCount\nDirectory      \t1\nFile           \t2\n");
    CHECK_CONTAINS(out, "  HandleCount  \t39\n  PointerCount \t68\n  Name         \t\\KnownDlls\n");
    CHECK_CONTAINS(out, "Handle 99 is not in the dump's handle data\n");
    free(out);
}

/* A full-memory dump cut short: it still opens, the bytes that are there
 * read, the rest is reported missing, and the stream listing says why. */
TEST(minidump_truncated_memory_keeps_what_is_there)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    spp->full_memory = true;
    uint8_t *buf;
    size_t len;
    kdx_err err;
    REQUIRE(kdx_minidump_write(spp, &buf, &len, &err) == KDX_OK);
    /* Memory64 data is last: heap (0x2000) then code (0x100). Cut 0x180 bytes. */
    kdx_target *tg = open_buf(buf, len - 0x180, &err);
    free(buf);
    REQUIRE(tg);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK(md->truncated);
    CHECK_CONTAINS(md->notes, "memory64 list entry 0 (address 0x500000): only 0x1f80 of 0x2000 bytes");
    CHECK_CONTAINS(md->notes, "memory64 list entry 1 (address 0x401000): only 0x0 of 0x100 bytes");
    uint8_t b[0x100];
    size_t done;
    CHECK_OK(kdx_read_virt(tg, 0x500000, b, 0x100, &done, &err));
    CHECK_EQ(kdx_read_virt(tg, 0x501f00, b, 0x100, &done, &err), KDX_E_MEM_MISSING);
    CHECK_EQ(kdx_minidump_read(md, 0x501f00, b, 0x100, &done), KDX_E_MEM_MISSING);
    CHECK_EQ(done, 0x80);
    CHECK_EQ(kdx_read_virt(tg, 0x401000, b, 1, &done, &err), KDX_E_MEM_MISSING);
    kdx_target_close(tg);
}

TEST(minidump_thread_times_and_runaway)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    uint64_t dump_ft = (1600000000ull + 11644473600ull) * 10000000ull;
    fx.th[0].create_time = dump_ft - 650000000ull; /* 65 s before the dump */
    fx.th[0].user_time = 310000;                   /* 31 ms */
    fx.th[0].kernel_time = 460000;
    fx.th[1].create_time = dump_ft - 20000000ull;  /* 2 s */
    fx.th[1].user_time = 1250000;                  /* 125 ms */
    char file[512];
    kdx_err err;
    REQUIRE(write_tmp(spp, "times.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "!runaway; !runaway 6; ~0s; .ttime; ~1f", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, " User Mode Time\n  Thread       Time\n   1:20        0 days 0:00:00.125\n"
                        "   0:10        0 days 0:00:00.031\n");
    CHECK_CONTAINS(out, " Kernel Mode Time\n  Thread       Time\n   0:10        0 days 0:00:00.046\n");
    CHECK_CONTAINS(out, " Elapsed Time\n  Thread       Time\n   0:10        0 days 0:01:05.000\n"
                        "   1:20        0 days 0:00:02.000\n");
    CHECK_CONTAINS(out, "Created: Sun Sep 13 12:25:35.000 2020 (UTC)\n"
                        "Kernel:  0 days 0:00:00.046\nUser:    0 days 0:00:00.031\n");
    CHECK_CONTAINS(out, "~f needs a live target");
    free(out);
}

/* An exception whose thread is not in the thread list (some writers leave
 * the crashing thread out): no '#' marker, ~# explains, thread 0 is current. */
TEST(minidump_exception_thread_missing)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    spp->exception_thread = 0x999;
    char file[512];
    kdx_err err;
    REQUIRE(write_tmp(spp, "nothread.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "~; ~#", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, ".  0  Id: 1234.10");
    CHECK_CONTAINS(out, "   1  Id: 1234.20");
    CHECK_CONTAINS(out, "No event thread: the exception's thread is not in the thread list.\n");
    free(out);
}

/* A stream listed twice is read once (modules are not doubled, nothing leaks). */
TEST(minidump_duplicate_streams_read_once)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    spp->has_misc = true;
    uint8_t *buf;
    size_t len;
    kdx_err err;
    REQUIRE(kdx_minidump_write(spp, &buf, &len, &err) == KDX_OK);
    uint32_t n = kdx_le32(buf + 8);
    /* The writer leaves room after its entries: repeat every entry once. */
    REQUIRE(32 + 12 * (2 * n) <= 32 + 12 * 16);
    memcpy(buf + 32 + 12 * n, buf + 32, 12 * n);
    kdx_put_le32(buf + 8, 2 * n);
    kdx_target *tg = open_buf(buf, len, &err);
    free(buf);
    REQUIRE(tg);
    CHECK_EQ(tg->nmodules, 2);
    CHECK_EQ(tg->ncontexts, 2);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK_EQ(md->nstreams, 2 * n);
    kdx_target_close(tg);
}

TEST(minidump_address_from_memory_info)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    const kdx_mdw_region regions[] = {
        {.base = 0, .size = 0x100000, .state = 0x10000, .protect = 1},
        {.base = 0x100000, .allocation_base = 0xf0000, .size = 0x1000, .state = 0x1000,
         .protect = 0x104, .allocation_protect = 4, .type = 0x20000},
        {.base = 0x400000, .allocation_base = 0x400000, .size = 0x10000, .state = 0x1000,
         .protect = 0x20, .allocation_protect = 0x80, .type = 0x1000000},
        {.base = 0x7fe000, .allocation_base = 0x7fe000, .size = 0x2000, .state = 0x1000,
         .protect = 4, .allocation_protect = 4, .type = 0x20000}};
    spp->regions = regions;
    spp->nregions = 4;
    char file[512];
    kdx_err err;
    REQUIRE(write_tmp(spp, "regions.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "!address 100010; !address 401000; !address 50; !address 900000; !address; !address 7ff010", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Usage:                  Stack [~0; 1234.10]\n"
                        "Base Address:           00000000`00100000\n"
                        "End Address:            00000000`00101000\n"
                        "Region Size:            00000000`00001000 (  4.000 kB)\n"
                        "State:                  00001000          MEM_COMMIT\n"
                        "Protect:                00000104          PAGE_READWRITE | PAGE_GUARD\n"
                        "Type:                   00020000          MEM_PRIVATE\n"
                        "Allocation Base:        00000000`000f0000\n");
    CHECK_CONTAINS(out, "Usage:                  Image [app; \"C:\\app\\app.exe\"]\n");
    CHECK_CONTAINS(out, "Protect:                00000020          PAGE_EXECUTE_READ\n");
    CHECK_CONTAINS(out, "Allocation Protect:     00000080          PAGE_EXECUTE_WRITECOPY\n");
    CHECK_CONTAINS(out, "Usage:                  Free\n");
    CHECK_CONTAINS(out, "Usage:                  TEB [~0; 1234.10]\n");
    CHECK_CONTAINS(out, "00000000`00900000 is not in any region of the dump's memory region list\n");
    char *sum = kdx_test_run(file, NULL, "!address -summary", &err);
    REQUIRE(sum);
    /* 4 regions: free 1 MB, stack 4 KB, image 64 KB, TEBs 8 KB: busy 76 KB of 1100 KB. */
    CHECK_CONTAINS(sum, "Free                                     1 00000000`00100000 (  1.000 MB)           93.09%\n");
    CHECK_CONTAINS(sum, "Image                                    1 00000000`00010000 ( 64.000 kB)  84.21%    5.82%\n");
    CHECK_CONTAINS(sum, "MEM_PRIVATE                              2 00000000`00003000 ( 12.000 kB)  15.79%    1.09%\n");
    CHECK_CONTAINS(sum, "MEM_COMMIT                               3 00000000`00013000 ( 76.000 kB) 100.00%    6.91%\n");
    free(sum);
    CHECK_CONTAINS(out, "00000000`00400000 00000000`00410000 00000000`00010000 MEM_IMAGE    MEM_COMMIT   PAGE_EXECUTE_READ        Image [app;");
    free(out);
    TESTDATA(calc, "user/calc.dmp");
    out = kdx_test_run(calc, NULL, "!address 0", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "The dump holds no memory region list");
    free(out);
}

/* x86 TEB/PEB layouts: a synthetic 32-bit process whose TEB, PEB and
 * process parameters are in the dump. */
static void put_ustr32(uint8_t *page, uint32_t page_va, uint32_t at, uint32_t buf_va,
                       const char *text)
{
    size_t n = strlen(text);
    kdx_put_le16(page + at, (uint16_t)(2 * n));
    kdx_put_le16(page + at + 2, (uint16_t)(2 * n + 2));
    kdx_put_le32(page + at + 4, buf_va);
    for (size_t i = 0; i < n; i++)
        kdx_put_le16(page + (buf_va - page_va) + 2 * i, (uint8_t)text[i]);
}

TEST(minidump_x86_teb_peb_gle)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X86);
    static uint8_t teb[0x1000], peb[0x1000];
    const uint32_t teb_va = 0x7ffde000, peb_va = 0x7ffdf000;
    memset(teb, 0, sizeof teb);
    memset(peb, 0, sizeof peb);
    kdx_put_le32(teb + 0x04, 0x130000);   /* StackBase */
    kdx_put_le32(teb + 0x08, 0x12c000);   /* StackLimit */
    kdx_put_le32(teb + 0x18, teb_va);     /* Self */
    kdx_put_le32(teb + 0x20, 0x1234);     /* ClientId */
    kdx_put_le32(teb + 0x24, 0x10);
    kdx_put_le32(teb + 0x30, peb_va);     /* ProcessEnvironmentBlock */
    kdx_put_le32(teb + 0x34, 5);          /* LastErrorValue */
    kdx_put_le32(teb + 0xbf4, 0xc0000022); /* LastStatusValue */
    peb[2] = 1;                           /* BeingDebugged */
    kdx_put_le32(peb + 0x08, 0x400000);   /* ImageBaseAddress */
    kdx_put_le32(peb + 0x10, peb_va + 0x100); /* ProcessParameters, in the same page */
    kdx_put_le32(peb + 0x68, 0x70);       /* NtGlobalFlag */
    put_ustr32(peb, peb_va, 0x100 + 0x24, peb_va + 0x400, "C:\\work\\");
    put_ustr32(peb, peb_va, 0x100 + 0x38, peb_va + 0x500, "C:\\app\\app.exe");
    put_ustr32(peb, peb_va, 0x100 + 0x40, peb_va + 0x600, "app.exe -x");
    kdx_mdw_memory mem[4] = {fx.mem[0], fx.mem[1], {teb_va, teb, sizeof teb},
                             {peb_va, peb, sizeof peb}};
    spp->memory = mem;
    spp->nmemory = 4;
    fx.th[0].teb = teb_va;
    char file[512];
    kdx_err err;
    REQUIRE(write_tmp(spp, "teb32.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "~0s; !teb; !gle; !peb; ~", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "TEB at 7ffde000\n    ExceptionList:        00000000\n"
                        "    StackBase:            00130000\n    StackLimit:           0012c000\n");
    CHECK_CONTAINS(out, "    ClientId:             00001234 . 00000010\n");
    CHECK_CONTAINS(out, "    PEB Address:          7ffdf000\n    LastErrorValue:       5\n"
                        "    LastStatusValue:      c0000022\n");
    CHECK_CONTAINS(out, "LastErrorValue: (Win32) 0x5 (5) - Access is denied.\n");
    CHECK_CONTAINS(out, "LastStatusValue: (NTSTATUS) 0xc0000022 - {Access Denied} A process has requested access to an "
                        "object but has not been granted those access rights.\n");
    CHECK_CONTAINS(out, "    BeingDebugged:            Yes\n    ImageBaseAddress:         00400000\n"
                        "    NtGlobalFlag:             70\n");
    CHECK_CONTAINS(out, "    CurrentDirectory:  'C:\\work\\'\n");
    CHECK_CONTAINS(out, "    ImageFile:    'C:\\app\\app.exe'\n    CommandLine:  'app.exe -x'\n");
    CHECK_CONTAINS(out, ".  0  Id: 1234.10 Suspend: 1 Teb: 7ffde000 Unfrozen \"main\"\n");
    free(out);
    /* The TEB's StackBase/StackLimit win over the saved stack range. */
    kdx_target *tg;
    REQUIRE(kdx_target_open(file, &tg, &err) == KDX_OK);
    kdx_thread_info ti;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 0, &ti, &err));
    CHECK_EQ(ti.stack_base, 0x130000);
    CHECK_EQ(ti.stack_limit, 0x12c000);
    kdx_target_close(tg);
}

/* Written on request (no exception): the requesting thread is current. */
TEST(minidump_breakpad_requesting_thread_is_default)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    spp->has_exception = false;
    spp->breakpad_info = true;
    spp->breakpad_dump_tid = 0x10;
    spp->breakpad_requesting_tid = 0x20;
    kdx_err err;
    kdx_target *tg = open_spec(spp, &err);
    REQUIRE(tg);
    CHECK(!tg->exception.present);
    CHECK_EQ(tg->default_context, 1);
    kdx_target_close(tg);
}

/* Overlapping saved ranges (a stack also in the memory list, ranges that
 * overlap partly or fully) read as one address space: the range starting first
 * wins, the rest of a later range stays readable. */
TEST(minidump_overlapping_ranges)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    static uint8_t other[0x2000], inner[0x10];
    memset(other, 0xab, sizeof other);
    memset(inner, 0xcd, sizeof inner);
    kdx_mdw_memory mem[5] = {
        fx.mem[0],                                   /* heap: 0x500000-0x502000 */
        {0x501000, other, sizeof other},             /* overlaps its second half */
        {0x500100, inner, sizeof inner},             /* fully inside the heap */
        {0x100080, other, 0x100},                    /* overlaps thread 0's stack */
        fx.mem[1]};
    spp->memory = mem;
    spp->nmemory = 5;
    kdx_err err;
    kdx_target *tg = open_spec(spp, &err);
    REQUIRE(tg);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    for (size_t i = 1; i < md->nranges; i++)
        CHECK(md->ranges[i - 1].va + md->ranges[i - 1].size <= md->ranges[i].va);
    uint8_t b[0x20];
    size_t done;
    CHECK_OK(kdx_minidump_read(md, 0x500100, b, 1, &done));
    CHECK_EQ(b[0], (uint8_t)(0x100 * 7)); /* the heap's byte, not the inner range's */
    CHECK_OK(kdx_minidump_read(md, 0x501ff0, b, 0x20, &done));
    CHECK_EQ(b[0], (uint8_t)(0x1ff0 * 7));
    CHECK_EQ(b[0x10], 0xab);              /* continues into the later range */
    CHECK_OK(kdx_minidump_read(md, 0x502fff, b, 1, &done));
    CHECK_EQ(b[0], 0xab);
    CHECK_OK(kdx_minidump_read(md, 0x1000f0, b, 0x20, &done));
    CHECK_EQ(b[0], 0xf0);                 /* thread 0's stack bytes (0, 1, 2, ...) */
    CHECK_EQ(b[0x10], 0xab);              /* past the stack's end: the memory-list range */
    kdx_target_close(tg);
}

/* WOW64: an x64 dump with wow64cpu.dll; thread 0's TEB points (TLS slot 1)
 * to CPU data holding the 32-bit context at offset 4. */
TEST(minidump_wow64_context)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    static uint8_t teb[0x2000], cpu[0x300];
    const uint64_t teb_va = 0x7efdb000, cpu_va = 0x2a0000;
    memset(teb, 0, sizeof teb);
    kdx_put_le64(teb + 0x1488, cpu_va);
    kdx_context x86 = {0};
    x86.arch = KDX_ARCH_X86;
    kdx_ctx_set(&x86, KDX_X86_EIP, 0x77001234);
    kdx_ctx_set(&x86, KDX_X86_ESP, 0x0018fe00);
    memset(cpu, 0, sizeof cpu);
    REQUIRE(kdx_context_write(&x86, cpu + 4, sizeof cpu - 4) == KDX_CONTEXT_X86_SIZE);
    kdx_mdw_module mods[3] = {fx.mod[0], fx.mod[1],
                              {.path = "C:\\Windows\\System32\\wow64cpu.dll",
                               .base = 0x74e00000, .size = 0x8000}};
    kdx_mdw_memory mem[4] = {fx.mem[0], fx.mem[1], {teb_va, teb, sizeof teb},
                             {cpu_va, cpu, sizeof cpu}};
    spp->modules = mods;
    spp->nmodules = 3;
    spp->memory = mem;
    spp->nmemory = 4;
    fx.th[0].teb = teb_va;
    kdx_err err;
    kdx_target *tg = open_spec(spp, &err);
    REQUIRE(tg);
    CHECK(kdx_minidump_is_wow64(tg));
    kdx_context c;
    CHECK_OK(kdx_minidump_wow64_context(tg, 0, &c, &err));
    CHECK_EQ(c.arch, KDX_ARCH_X86);
    CHECK_EQ(kdx_ctx_ip(&c), 0x77001234);
    CHECK_EQ(kdx_ctx_sp(&c), 0x18fe00);
    /* Thread 1's TEB (0x7fe000) is not saved: the error names the slot. */
    CHECK_EQ(kdx_minidump_wow64_context(tg, 1, &c, &err), KDX_E_MEM_MISSING);
    CHECK_CONTAINS(err.msg, "TLS slot 1 at 0x7ff488");
    kdx_target_close(tg);
    /* Without wow64cpu.dll it is a plain x64 process. */
    spp->nmodules = 2;
    tg = open_spec(spp, &err);
    REQUIRE(tg);
    CHECK(!kdx_minidump_is_wow64(tg));
    CHECK_EQ(kdx_minidump_wow64_context(tg, 0, &c, &err), KDX_E_UNSUPPORTED);
    kdx_target_close(tg);
}

static kdx_status gen_minidump_x64(const char *out_path, kdx_err *err)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    return kdx_minidump_write_file(spp, out_path, err);
}
TEST_GENERATOR(minidump_x64, gen_minidump_x64)

/* fuzz_commands found it: $proc/$teb freed the thread name the minidump owns,
 * and the next '~' printed freed memory. The name must survive any number of
 * pseudo-register reads. */
TEST(minidump_thread_name_survives_pseudo_registers)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    char file[512];
    kdx_err err = {0};
    REQUIRE(write_tmp(spp, "names.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "~0s; ? @$proc; ? @$teb; ? @$thread; ~", &err);
    if (!out)
        kdx_test_fail(t, __FILE__, __LINE__, "run: %s", err.msg);
    REQUIRE(out);
    CHECK(strstr(out, "Id: 1234.10 Suspend: 1 Teb: 00000000`007ff000 Unfrozen \"main\"") != NULL);
    free(out);
}

/* !uniqstack shows the stack of threads 0 and 2 and names thread 1, whose
 * stack is thread 0's at another address, as the duplicate; !findstack
 * lists the threads with a frame in app. */
TEST(minidump_uniqstack_and_findstack)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    kdx_mdw_thread th[3] = {fx.th[0], fx.th[0], fx.th[1]};
    th[1].id = 0x30;
    th[1].teb = 0x7fd000;
    th[1].name = NULL;
    th[1].stack_va = 0x300000;
    th[1].context = make_ctx(KDX_ARCH_X64, kdx_ctx_ip(&fx.th[0].context), 0x300000);
    spp->threads = th;
    spp->nthreads = 3;
    char file[512];
    kdx_err err = {0};
    REQUIRE(write_tmp(spp, "uniq.dmp", file, sizeof file, &err));
    char *out = kdx_test_run(file, NULL, "!uniqstack; !findstack app 1; !findstack app 0; !findstack nosuch; !locks", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Processing 3 threads, please wait\n");
    CHECK_CONTAINS(out, "\n   0  Id: 1234.10 Suspend: 1 Teb: 00000000`007ff000 Unfrozen \"main\"\n"
                        "      Priority: 0  Priority class: 0\nChild-SP          RetAddr           Call Site\n");
    CHECK_CONTAINS(out, "\n.  2  Id: 1234.20 ");
    CHECK(!strstr(out, "   1  Id: 1234.30"));
    CHECK_CONTAINS(out, "Total threads: 3\nDuplicate callstacks: 1 (windbg thread #s follow):\n1\n");
    CHECK_CONTAINS(out, "Thread 001, 1 frame(s) match\n        * 00 00000000`00300000 ????????`???????? app+0x1000\n\n"
                        "Thread 002, 1 frame(s) match\n        * 00 00000000`00200000 ????????`???????? app+0x1080\n");
    CHECK_CONTAINS(out, "\nThread 000, 1 frame(s) match\nThread 001, 1 frame(s) match\nThread 002, 1 frame(s) match\n"
                        "No thread's stack has a frame matching 'nosuch'.\n");
    /* The kernel's !locks is not run on a process dump. */
    CHECK_CONTAINS(out, "!locks on a user-mode dump lists critical sections (ntdll!RtlCriticalSectionList): not implemented");
    free(out);
}

/* fuzz_minidump found an input that took 11 s: every directory entry past
 * the end of the file re-copied the whole problem list (quadratic). The list
 * now keeps KDX_MD_MAX_NOTES lines and counts the rest. */
TEST(minidump_many_bad_streams_bounded_notes)
{
    fixture fx;
    kdx_mdw_spec *spp = fixture_init(&fx, KDX_ARCH_X64);
    uint8_t *buf;
    size_t len;
    kdx_err err = {0};
    REQUIRE(kdx_minidump_write(spp, &buf, &len, &err) == KDX_OK);
    uint32_t n = kdx_le32(buf + 8), dir = kdx_le32(buf + 12), extra = 5000;
    size_t grown = len + (size_t)(n + extra) * 12;
    uint8_t *big = calloc(1, grown);
    REQUIRE(big);
    memcpy(big, buf, len);
    memcpy(big + len, buf + dir, (size_t)n * 12);
    for (uint32_t i = 0; i < extra; i++) {
        uint8_t *e = big + len + (size_t)(n + i) * 12;
        kdx_put_le32(e, 0x7000 + i);      /* unknown stream types */
        kdx_put_le32(e + 4, 0x100);       /* size */
        kdx_put_le32(e + 8, 0x7fffff00); /* far past the end */
    }
    kdx_put_le32(big + 8, n + extra);
    kdx_put_le32(big + 12, (uint32_t)len);
    kdx_target *tg = open_buf(big, grown, &err);
    if (!tg)
        kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);
    REQUIRE(tg);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK_EQ(md->nnotes, KDX_MD_MAX_NOTES);
    CHECK_EQ(md->nnotes + md->notes_dropped, extra);
    CHECK(strlen(md->notes) < (size_t)KDX_MD_MAX_NOTES * 512);
    kdx_target_close(tg);
    free(big);
    free(buf);
}
