/* Real-data tests for the minidump reader: values checked against the
 * facts in ../shared/testdata/README.md and Breakpad's own dump of
 * minidump2.dmp (minidump2.dump.out). */
#include <stdlib.h>

#include "base/util.h"
#include "dump/minidump.h"
#include "target/module.h"
#include "target/memory.h"
#include "target/target.h"
#include "tests/test.h"

static kdx_target *open_dump(kdx_test_ctx *t, const char *path)
{
    kdx_target *tg = NULL;
    kdx_err err = {0};
    kdx_status st = kdx_target_open(path, &tg, &err);
    if (st != KDX_OK)
        kdx_test_fail(t, __FILE__, __LINE__, "open %s: %s", path, err.msg);
    return tg;
}

TEST(minidump_real_calc_x64)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    CHECK_EQ(tg->kind, KDX_TARGET_USER_DUMP);
    CHECK_EQ(tg->arch, KDX_ARCH_X64);
    CHECK_EQ(tg->ptr_size, 8);
    CHECK_EQ(tg->nmodules, 28);
    CHECK_EQ(tg->sys.os_major, 6);
    CHECK_EQ(tg->sys.os_minor, 1);
    CHECK_EQ(tg->sys.build, 7601);
    CHECK_STR(tg->sys.csd_version, "Service Pack 1");
    REQUIRE(tg->exception.present);
    CHECK_EQ(tg->exception.code, 0x80000003);
    CHECK_EQ(tg->exception.address, 0x7776ae10);
    CHECK_EQ(tg->exception.thread_id, 1628);
    /* The crashing thread is the default context and its CONTEXT is the exception's. */
    kdx_thread_info ti;
    kdx_err err;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, tg->default_context, &ti, &err));
    CHECK_EQ(ti.id, 1628);
    REQUIRE(tg->exception.has_context);
    CHECK_EQ(kdx_ctx_ip(&tg->exception.context), 0x7776ae10);
    REQUIRE(tg->main_module);
    CHECK_STR(tg->main_module->image_name, "calc.exe");
    CHECK_STR(tg->main_module->name, "calc");
    CHECK(kdx_target_module_at(tg, 0x7776ae10) != NULL);
    kdx_target_close(tg);
}

TEST(minidump_real_breakpad_minidump2)
{
    TESTDATA(path, "user/breakpad/minidump2.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    CHECK_EQ(tg->arch, KDX_ARCH_X86);
    CHECK_EQ(tg->ptr_size, 4);
    CHECK_EQ(tg->ncontexts, 2);
    CHECK_EQ(tg->nmodules, 13);
    CHECK_EQ(tg->sys.os_major, 5);
    CHECK_EQ(tg->sys.build, 2600);
    CHECK_EQ(tg->sys.num_processors, 1);
    CHECK_STR(tg->sys.csd_version, "Service Pack 2");
    CHECK_EQ(tg->sys.process_id, 3932);
    /* 2007-02-14 19:13:55 UTC as FILETIME. */
    CHECK_EQ(tg->sys.process_create_time, (0x45d35f73ull + 11644473600ull) * 10000000ull);
    /* Exception: access violation writing 0x45 in thread bf4. */
    CHECK_EQ(tg->exception.code, 0xc0000005);
    CHECK_EQ(tg->exception.address, 0x40429e);
    CHECK_EQ(tg->exception.nparams, 2);
    CHECK_EQ(tg->exception.params[0], 1);
    CHECK_EQ(tg->exception.params[1], 0x45);
    CHECK_EQ(tg->exception.thread_id, 0xbf4);
    CHECK_EQ(tg->default_context, 0);
    REQUIRE(tg->exception.has_context);
    CHECK_EQ(tg->exception.context.r[KDX_X86_EIP], 0x40429e);
    CHECK_EQ(tg->exception.context.r[KDX_X86_ESP], 0x12fe84);
    CHECK_EQ(tg->exception.context.r[KDX_X86_EBP], 0x12fe88);
    CHECK_EQ(tg->exception.context.r[KDX_X86_EBX], 0x7c80abc1);
    /* Thread 0's own context (in the handler) differs from the exception's. */
    kdx_context c;
    kdx_err err;
    CHECK_OK(tg->ops->get_context(tg->impl, 0, &c, &err));
    CHECK_EQ(c.r[KDX_X86_EIP], 0x7c90eb94);
    CHECK_EQ(c.r[KDX_X86_ESP], 0x12f320);
    kdx_thread_info ti;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 1, &ti, &err));
    CHECK_EQ(ti.id, 0x11c0);
    CHECK_EQ(ti.teb, 0x7ffde000);
    /* Modules: test_app.exe with its RSDS identity, ntdll with version info. */
    kdx_module *m = tg->main_module;
    REQUIRE(m);
    CHECK_STR(m->image_path, "c:\\test_app.exe");
    CHECK_EQ(m->base, 0x400000);
    CHECK_EQ(m->size, 0x2d000);
    CHECK_EQ(m->timestamp, 0x45d35f6c);
    REQUIRE(m->has_pdb_id);
    char guid[33];
    kdx_guid_format(m->pdb_guid, guid);
    CHECK_STR(guid, "5A9832E5287241C1838ED98914E9B7FF");
    CHECK_EQ(m->pdb_age, 1);
    CHECK_STR(m->pdb_name, "c:\\test_app.pdb");
    kdx_module *nt = kdx_target_module_named(tg, "ntdll");
    REQUIRE(nt);
    CHECK_EQ(nt->base, 0x7c900000);
    CHECK_EQ(nt->checksum, 0xaf2f7);
    CHECK_EQ(nt->file_version_ms, 0x50001);
    CHECK_EQ(nt->file_version_ls, 0xa280884);
    kdx_guid_format(nt->pdb_guid, guid);
    CHECK_STR(guid, "36515FB5D04345E491F672FA2E2878C0");
    CHECK_EQ(nt->pdb_age, 2);
    /* Memory: the stack of thread 0 starts 00000000 c0e9907c. */
    uint32_t v = 1;
    CHECK_OK(kdx_read_u32(tg, 0x12f31c, &v, &err));
    CHECK_EQ(v, 0);
    CHECK_OK(kdx_read_u32(tg, 0x12f320, &v, &err));
    CHECK_EQ(v, 0x7c90e9c0);
    /* Outside every range: an error, never zeros. */
    uint8_t buf[16];
    size_t done = 99;
    CHECK_EQ(kdx_read_virt(tg, 0x12f31c + 0xce4 - 8, buf, sizeof buf, &done, &err),
             KDX_E_MEM_MISSING);
    CHECK_EQ(done, 8);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK_EQ(md->nstreams, 9);
    CHECK(md->has_breakpad_info);
    CHECK_EQ(md->breakpad_dump_tid, 0x11c0);
    CHECK_EQ(md->breakpad_requesting_tid, 0xbf4);
    CHECK_STR(md->cpu_vendor, "GenuineIntel");
    kdx_target_close(tg);
}

TEST(minidump_real_symbolic_x86)
{
    TESTDATA(path, "user/symbolic/mini.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    CHECK_EQ(tg->arch, KDX_ARCH_X86);
    CHECK_EQ(tg->sys.build, 14393);
    CHECK_EQ(tg->exception.code, 0xc0000005);
    CHECK_EQ(tg->exception.params[0], 1); /* write */
    CHECK_EQ(tg->exception.params[1], 0x45);
    CHECK_EQ(tg->exception.thread_id, 1636);
    kdx_thread_info ti;
    kdx_err err;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, tg->default_context, &ti, &err));
    CHECK_EQ(ti.id, 1636);
    kdx_module *m = kdx_target_module_named(tg, "crash.exe");
    REQUIRE(m);
    CHECK(m == tg->main_module);
    REQUIRE(m->has_pdb_id);
    char guid[33];
    kdx_guid_format(m->pdb_guid, guid);
    CHECK_STR(guid, "3249D99D0C4049318610F4E4FB0B6936");
    CHECK_EQ(m->pdb_age, 1);
    CHECK(kdx_ends_with_i(m->pdb_name, "crash.pdb"));
    kdx_target_close(tg);
}

TEST(minidump_real_invalid_parameter_and_electron)
{
    TESTDATA(path, "user/rust-minidump/invalid-parameter.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    CHECK_EQ(tg->arch, KDX_ARCH_X64);
    CHECK_EQ(tg->exception.code, 0xc000000d);
    CHECK_EQ(tg->sys.build, 17134);
    kdx_target_close(tg);
    TESTDATA(epath, "user/electron/windows.dmp");
    tg = open_dump(t, epath);
    REQUIRE(tg);
    CHECK_EQ(tg->ncontexts, 14);
    CHECK_STR(tg->main_module->image_name, "electron.exe");
    kdx_target_close(tg);
}

TEST(minidump_real_thread_names)
{
    TESTDATA(path, "user/breakpad/thread_name_list.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    kdx_thread_info ti;
    kdx_err err;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 0, &ti, &err));
    CHECK_STR(ti.name, "main thread");
    CHECK_OK(tg->ops->get_thread_info(tg->impl, 1, &ti, &err));
    CHECK(ti.name == NULL);
    kdx_target_close(tg);
    char *out = kdx_test_run(path, NULL, "~", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "   0  Id: 1798.19a4 Suspend: 0 Teb: 002fa000 Unfrozen \"main thread\"\n");
    CHECK_CONTAINS(out, ".  5  Id: 1798.2ae0 Suspend: 0 Teb: 00309000 Unfrozen \"overflow thread\"\n");
    free(out);
}

/* Deliberately broken files: a clear error naming the file, no crash. */
static void check_rejected(kdx_test_ctx *t, const char *path, const char *what)
{
    kdx_target *tg = NULL;
    kdx_err err = {0};
    kdx_status st = kdx_target_open(path, &tg, &err);
    CHECK(st != KDX_OK);
    CHECK(tg == NULL);
    CHECK_CONTAINS(err.msg, path);
    CHECK_CONTAINS(err.msg, what);
}

TEST(minidump_real_broken_files_rejected)
{
    TESTDATA(trunc, "user/trunc_memory64.dmp");
    check_rejected(t, trunc, "memory64 list stream at offset 0x2c");
    TESTDATA(range, "user/rust-minidump/invalid-range.dmp");
    check_rejected(t, range, "past the end of the file");
    TESTDATA(count, "user/rust-minidump/invalid-record-count.dmp");
    check_rejected(t, count, "past the end of the file");
}

TEST(minidump_real_thread_commands_calc)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "~; ~0s; ~; ~~[65c]s; ~.; |", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "   0  Id: d28.d64 Suspend: 1 Teb: 000007ff`fffde000 Unfrozen\n");
    CHECK_CONTAINS(out, ".  4  Id: d28.65c Suspend: 1 Teb: 000007ff`fffd5000 Unfrozen\n");
    /* After ~0s the event thread is marked '#'. */
    CHECK_CONTAINS(out, ".  0  Id: d28.d64");
    CHECK_CONTAINS(out, "#  4  Id: d28.65c");
    CHECK_CONTAINS(out, ".  0\tid: d28\texamine\tname: C:\\Windows\\System32\\calc.exe\n");
    free(out);
}

/* .lastevent: "Last event: PID.TID: NAME - code CODE (...)" then the debugger's
 * clock, the layout of public WinDbg transcripts; a dump cannot tell the
 * chance ("first/second chance not available"). */
TEST(minidump_real_lastevent)
{
    TESTDATA(path, "user/symbolic/mini.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, ".lastevent", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Last event: 788.664: Access violation - code c0000005 "
                        "(first/second chance not available)\n  debugger time: ");
    CHECK_CONTAINS(out, " (UTC + 0:00)\n");
    free(out);
    TESTDATA(calc, "user/calc.dmp");
    out = kdx_test_run(calc, NULL, ".lastevent", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Last event: d28.65c: Break instruction exception - code 80000003 ");
    free(out);
}

/* vertarget on a 32-bit Server 2016 dump: WinDbg names the release by its
 * client name ("Windows 10 Version 17763 ... Product: Server" in public
 * transcripts) and calls x86 "x86 compatible". */
TEST(minidump_real_vertarget_x86_server)
{
    TESTDATA(path, "user/symbolic/mini.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "vertarget", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Windows 10 Version 14393 MP (2 procs) Free x86 compatible\n"
                        "Product: Server, suite: TerminalServer DataCenter SingleUserTS\n");
    free(out);
}

TEST(minidump_real_stream_listing)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "!mdstreams", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "     0  0x00000003  ThreadListStream                000006f0  000000f4  5 threads\n");
    CHECK_CONTAINS(out, "     1  0x00000004  ModuleListStream                000007f0  00000bd4  28 modules\n");
    CHECK_CONTAINS(out, "0x00000006  ExceptionStream                 00000648  000000a8  code 80000003, thread 65c\n");
    CHECK_CONTAINS(out, "SystemMemoryInfoStream");
    CHECK_CONTAINS(out, "x64, Windows 6.1.7601");
    free(out);
    TESTDATA(bp, "user/breakpad/minidump2.dmp");
    out = kdx_test_run(bp, NULL, "!mdstreams", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "0x47670001  BreakpadInfoStream              000014f9  0000000c  dump thread 11c0, requesting thread bf4\n");
    CHECK_CONTAINS(out, "0x00000005  MemoryListStream                00001505  00000034  3 ranges\n");
    free(out);
    /* -v: the oracle's thread records and the three saved ranges, stacks merged. */
    out = kdx_test_run(bp, NULL, "!mdstreams -v", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "  0  bf4       7ffdf000  0012f31c  00001639 00000ce4  00000d94 000002cc\n");
    CHECK_CONTAINS(out, "Saved memory (3 ranges, 0x16fc bytes;");
    CHECK_CONTAINS(out, "  7c90eb14  7c90ec14  00001539\n");
    free(out);
}

TEST(minidump_real_assertion_and_vm_counters)
{
    TESTDATA(path, "user/rust-minidump/invalid-parameter.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg);
    kdx_minidump *md = kdx_minidump_of(tg);
    REQUIRE(md);
    CHECK_EQ(md->assert_type, 1);
    CHECK_STR(md->assert_expression, "format != nullptr");
    CHECK_STR(md->assert_function, "common_vfprintf");
    CHECK_STR(md->assert_file, "minkernel\\crts\\ucrt\\src\\appcrt\\stdio\\output.cpp");
    CHECK_EQ(md->assert_line, 32);
    CHECK(md->has_vm);
    kdx_target_close(tg);
    TESTDATA(calc, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(calc, NULL, "!mdstreams", &err);
    REQUIRE(out);
    /* Revision 2 counters: working set 0x1a02000, peak 0x1ef6000, private 0x5f6000. */
    CHECK_CONTAINS(out, "working set 26632 KB (peak 31704 KB), private 6104 KB, 8177 page faults");
    /* 1048446 pages of 4 KB; the x64 user space of Windows 7 ends at 7ff`fffeffff. */
    CHECK_CONTAINS(out, "4095 MB physical memory, 4096-byte pages, user space to 000007ff`fffeffff");
    free(out);
}

/* Breakpad's minidump_dump of minidump2.dmp (minidump2.dump.out) as an
 * oracle: every module, thread, context and memory region it lists must be
 * what kdx parsed. */
typedef struct oracle_state {
    kdx_test_ctx *t;
    kdx_target *tg;
    kdx_minidump *md;
    int module, thread, region;
    enum { O_NONE, O_MODULE, O_THREAD, O_THREAD_CTX, O_REGION, O_EXCEPTION, O_EXC_CTX } sec;
    kdx_context ctx;
    unsigned checked;
} oracle_state;

static uint64_t oracle_num(const char *v)
{
    return strtoull(v, NULL, 0);
}

static void oracle_module(oracle_state *o, const char *key, const char *val)
{
    kdx_test_ctx *t = o->t;
    REQUIRE(o->module >= 0 && (size_t)o->module < o->tg->nmodules);
    kdx_module *m = o->tg->modules[o->module];
    if (!strcmp(key, "base_of_image"))
        CHECK_EQ(m->base, oracle_num(val));
    else if (!strcmp(key, "size_of_image"))
        CHECK_EQ(m->size, oracle_num(val));
    else if (!strcmp(key, "checksum"))
        CHECK_EQ(m->checksum, oracle_num(val));
    else if (!strcmp(key, "time_date_stamp"))
        CHECK_EQ(m->timestamp, oracle_num(val));
    else if (!strcmp(key, "version_info.file_version")) {
        const char *colon = strchr(val, ':');
        REQUIRE(colon);
        CHECK_EQ(m->file_version_ms, oracle_num(val));
        CHECK_EQ(m->file_version_ls, oracle_num(colon + 1));
    } else if (!strcmp(key, "(code_file)")) {
        char want[512];
        snprintf(want, sizeof want, "\"%s\"", m->image_path);
        CHECK_STR(val, want);
    } else if (!strcmp(key, "(debug_identifier)")) {
        char guid[33], want[64];
        kdx_guid_format(m->pdb_guid, guid);
        snprintf(want, sizeof want, "\"%s%X\"", guid, m->pdb_age);
        CHECK_STR(val, want);
    } else {
        return;
    }
    o->checked++;
}

static void oracle_thread(oracle_state *o, const char *key, const char *val)
{
    kdx_test_ctx *t = o->t;
    REQUIRE(o->thread >= 0 && (size_t)o->thread < o->md->nthreads);
    const kdx_md_thread *th = &o->md->threads[o->thread];
    if (!strcmp(key, "thread_id"))
        CHECK_EQ(th->id, oracle_num(val));
    else if (!strcmp(key, "suspend_count"))
        CHECK_EQ(th->suspend_count, oracle_num(val));
    else if (!strcmp(key, "teb"))
        CHECK_EQ(th->teb, oracle_num(val));
    else if (!strcmp(key, "stack.start_of_memory_range"))
        CHECK_EQ(th->stack_start, oracle_num(val));
    else if (!strcmp(key, "stack.memory.data_size"))
        CHECK_EQ(th->stack_size, oracle_num(val));
    else if (!strcmp(key, "thread_context.rva"))
        CHECK_EQ(th->context_rva, oracle_num(val));
    else
        return;
    o->checked++;
}

static void oracle_context(oracle_state *o, const kdx_context *c, const char *key, const char *val)
{
    static const struct { const char *name; int reg; } regs[] = {
        {"eip", KDX_X86_EIP}, {"esp", KDX_X86_ESP}, {"ebp", KDX_X86_EBP}, {"eax", KDX_X86_EAX},
        {"ebx", KDX_X86_EBX}, {"ecx", KDX_X86_ECX}, {"edx", KDX_X86_EDX}, {"esi", KDX_X86_ESI},
        {"edi", KDX_X86_EDI}, {"eflags", KDX_X86_EFL}, {"cs", KDX_X86_CS}, {"ss", KDX_X86_SS}};
    kdx_test_ctx *t = o->t;
    for (size_t i = 0; i < KDX_ARRAY_LEN(regs); i++)
        if (!strcmp(key, regs[i].name)) {
            CHECK_EQ(c->r[regs[i].reg], oracle_num(val));
            o->checked++;
        }
}

static void oracle_line(oracle_state *o, char *line)
{
    kdx_test_ctx *t = o->t;
    if (!strcmp(line, "MDRawModule")) {
        o->sec = O_MODULE;
        o->module++;
        return;
    }
    if (!strcmp(line, "MDRawThread")) {
        o->sec = O_THREAD;
        o->thread++;
        return;
    }
    if (!strcmp(line, "MDRawContextX86")) {
        kdx_err err;
        if (o->sec == O_THREAD) {
            o->sec = O_THREAD_CTX;
            CHECK_OK(o->tg->ops->get_context(o->tg->impl, (unsigned)o->thread, &o->ctx, &err));
        } else if (o->sec == O_EXCEPTION) {
            o->sec = O_EXC_CTX;
            o->ctx = o->tg->exception.context;
        }
        return;
    }
    if (!strcmp(line, "MDMemoryDescriptor")) {
        o->sec = O_REGION;
        o->region++;
        return;
    }
    if (!strcmp(line, "MDException")) {
        o->sec = O_EXCEPTION;
        return;
    }
    if (line[0] != ' ') {
        if (line[0])
            o->sec = O_NONE;
        return;
    }
    char *eq = strstr(line, " = ");
    if (!eq)
        return;
    *eq = 0;
    char *key = line + 2, *val = eq + 3;
    kdx_rtrim(key);
    switch (o->sec) {
    case O_MODULE: oracle_module(o, key, val); break;
    case O_THREAD: oracle_thread(o, key, val); break;
    case O_THREAD_CTX:
    case O_EXC_CTX: oracle_context(o, &o->ctx, key, val); break;
    case O_REGION:
        if (!strcmp(key, "start_of_memory_range")) {
            /* Every listed region's first byte reads. */
            uint8_t b;
            kdx_err err;
            CHECK_OK(kdx_read_u8(o->tg, oracle_num(val), &b, &err));
            o->checked++;
        }
        break;
    case O_EXCEPTION:
        if (!strcmp(key, "thread_id")) {
            CHECK_EQ(o->tg->exception.thread_id, oracle_num(val));
            o->checked++;
        } else if (!strcmp(key, "exception_record.exception_code")) {
            CHECK_EQ(o->tg->exception.code, oracle_num(val));
            o->checked++;
        }
        break;
    default: break;
    }
}

TEST(minidump_real_breakpad_oracle)
{
    TESTDATA(path, "user/breakpad/minidump2.dmp");
    TESTDATA(oracle, "user/breakpad/minidump2.dump.out");
    uint8_t *text;
    size_t len;
    kdx_err err;
    REQUIRE(kdx_read_all(oracle, &text, &len, &err) == KDX_OK);
    oracle_state o = {.t = t, .module = -1, .thread = -1, .region = -1};
    o.tg = open_dump(t, path);
    if (!o.tg) {
        free(text);
        return;
    }
    o.md = kdx_minidump_of(o.tg);
    char *save = NULL;
    char *copy = kdx_strndup((const char *)text, len);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        oracle_line(&o, line);
    CHECK_EQ(o.module + 1, 13);
    CHECK_EQ(o.thread + 1, 2);
    CHECK_EQ(o.region + 1, 3);
    /* 13 modules x 7 fields, 2 threads x 6, 3 contexts x 12 registers, 3 regions,
     * the exception's thread and code: every one of them was compared. */
    CHECK_EQ(o.checked, 13 * 7 + 2 * 6 + 3 * 12 + 3 + 2);
    free(copy);
    free(text);
    kdx_target_close(o.tg);
}

/* The acceptance check for calc.dmp: every thread listed with a
 * stack (`~* k`), the crashing one on the int 3 in ntdll. */
TEST(minidump_real_calc_every_thread_with_stack)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "~* k", &err);
    REQUIRE(out);
    static const char *const lines[] = {
        "\n   0  Id: d28.d64 Suspend: 1 Teb: 000007ff`fffde000 Unfrozen\n",
        "\n   1  Id: d28.a24 Suspend: 1 Teb: 000007ff`fffdc000 Unfrozen\n",
        "\n   2  Id: d28.a58 Suspend: 1 Teb: 000007ff`fffda000 Unfrozen\n",
        "\n   3  Id: d28.39c Suspend: 1 Teb: 000007ff`fffd7000 Unfrozen\n",
        "\n.  4  Id: d28.65c Suspend: 1 Teb: 000007ff`fffd5000 Unfrozen\n"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK_CONTAINS(out, lines[i]);
    /* Each thread's first frame: its saved stack pointer and instruction. */
    CHECK_CONTAINS(out, "00000000`000bd0d8");
    CHECK_CONTAINS(out, "user32+0x19e6a");
    CHECK_CONTAINS(out, "00000000`03a7ff08");
    CHECK_CONTAINS(out, "ntdll+0x4ae10");
    free(out);
}

/* .time on a user dump adds the process's uptime and CPU times; .dumpdebug
 * on a minidump lists its streams. */
TEST(dump_cmds_real_user_time_and_dumpdebug)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, ".time; .dumpdebug", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "Debug session time: Sat Oct 29 12:43:47.000 2016 (UTC + 0:00)\n");
    CHECK_CONTAINS(out, "Process Uptime: 0 days 0:01:59.000\n");
    CHECK_CONTAINS(out, "  Kernel time: ");
    CHECK_CONTAINS(out, "  User time: ");
    CHECK_CONTAINS(out, "ModuleListStream");
    CHECK(!strstr(out, "!mdstreams")); /* forwarded without echoing a second command */
    free(out);
}
