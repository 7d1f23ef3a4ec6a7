/* Kernel dump reader on real dumps from ../shared/testdata/kernel: the facts
 * established independently in testdata/README.md. */
#include <stdlib.h>

#include "dump/kdump.h"
#include "target/memory.h"
#include "tests/test.h"

/* Opens path, reporting the error as a test failure. */
static kdx_target *open_dump(kdx_test_ctx *t, const char *path)
{
    kdx_target *tg = NULL;
    kdx_err err;
    if (kdx_target_open(path, &tg, &err) != KDX_OK)
        kdx_test_fail(t, __FILE__, __LINE__, "open %s: %s", path, err.msg);
    return tg;
}

TEST(kdump_real_triage_header)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    const kdx_kdump *d = kdx_kdump_of(tg);
    REQUIRE(d != NULL);
    CHECK(d->hdr.is64);
    CHECK_EQ(d->hdr.dump_type, KDX_DUMP_TYPE_TRIAGE);
    CHECK(d->is_triage);
    CHECK_EQ(tg->arch, KDX_ARCH_X64);
    CHECK_EQ(tg->sys.build, 19041);
    CHECK_EQ(tg->sys.num_processors, 16);
    CHECK_EQ(tg->ncontexts, 16);
    CHECK_EQ(tg->kernel_dtb, 0x1ad000);
    CHECK_EQ(tg->kernel.bugcheck_code, 0x1000007e);
    CHECK_EQ(tg->kernel.bugcheck_args[0], 0xffffffffc0000005ull);
    CHECK_EQ(tg->kernel.bugcheck_args[1], 0xfffff8048b58334cull);
    CHECK_EQ(tg->kernel.bugcheck_args[2], 0xffff850429891ee8ull);
    CHECK_EQ(tg->kernel.bugcheck_args[3], 0xffff850429891720ull);
    /* 2021-02-21 01:38:22 UTC as a FILETIME, to the second; 3.7 s after boot. */
    CHECK_EQ(tg->sys.dump_time / 10000000ull, 13258345102ull);
    CHECK_EQ(tg->sys.system_uptime / 1000000ull, 37);
    CHECK_EQ(d->tri.driver_count, 151);
    CHECK_EQ(d->tri.debugger_data_offset, 0x104a8);
    CHECK_EQ(d->tri.debugger_data_size, 0x380);
    kdx_target_close(tg);
}

TEST(kdump_real_triage_kdbg)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    const kdx_kdump *d = kdx_kdump_of(tg);
    CHECK(d->kdbg.present);
    CHECK(!d->kdbg.was_encoded);
    CHECK(tg->kernel.kdbg_valid);
    CHECK_EQ(tg->kernel.kdbg_addr, 0xfffff8047c600b20ull);
    CHECK_EQ(tg->kernel.kernel_base, 0xfffff8047ba00000ull);
    CHECK_EQ(tg->kernel.ps_loaded_module_list, 0xfffff8047c62a390ull);
    CHECK_EQ(tg->kernel.ps_active_process_head, 0xfffff8047c61e200ull);
    /* The KDBG copy is readable at its virtual address. */
    uint64_t v = 0;
    CHECK_OK(kdx_read_u64(tg, 0xfffff8047c600b20ull + 0x18, &v, NULL));
    CHECK_EQ(v, 0xfffff8047ba00000ull);
    kdx_target_close(tg);
}

TEST(kdump_real_triage_modules)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    size_t loaded = 0;
    for (size_t i = 0; i < tg->nmodules; i++)
        loaded += !tg->modules[i]->unloaded;
    CHECK_EQ(loaded, 151);
    REQUIRE(tg->nmodules > 0);
    CHECK_STR(tg->modules[0]->name, "nt");
    CHECK_STR(tg->modules[0]->image_name, "ntoskrnl.exe");
    CHECK_EQ(tg->modules[0]->base, 0xfffff8047ba00000ull);
    CHECK_EQ(tg->modules[0]->size, 0x1046000);
    CHECK_EQ(tg->modules[0]->timestamp, 0x0d8333e6);
    kdx_module *m = kdx_target_module_named(tg, "amdppm");
    REQUIRE(m != NULL);
    CHECK_EQ(m->base, 0xfffff8048b580000ull);
    CHECK_EQ(m->size, 0x3b000);
    CHECK_STR(m->image_name, "amdppm.sys");
    CHECK(kdx_target_module_at(tg, 0xfffff8048b58334cull) == m);
    /* The unloaded-driver list: dam.sys first. */
    size_t unloaded = tg->nmodules - loaded;
    CHECK_EQ(unloaded, 4);
    kdx_module *dam = tg->modules[loaded];
    CHECK(dam->unloaded);
    CHECK_STR(dam->name, "dam");
    CHECK_EQ(dam->base, 0xfffff80487de0000ull);
    CHECK_EQ(dam->size, 0x1c000);
    kdx_target_close(tg);
}

TEST(kdump_real_triage_contexts)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    kdx_err err;
    kdx_context c;
    kdx_status st = tg->ops->get_context(tg->impl, tg->default_context, &c, &err);
    if (st != KDX_OK)
        kdx_test_fail(t, __FILE__, __LINE__, "context: %s", err.msg);
    REQUIRE(st == KDX_OK);
    CHECK_EQ(kdx_ctx_ip(&c), 0xfffff8047bdf5a80ull); /* nt!KeBugCheckEx */
    CHECK_EQ(kdx_ctx_sp(&c), 0xffff850429890ee8ull);
    /* The exception: the record bug-check Arg3 points to, the header's context. */
    CHECK(tg->exception.present);
    CHECK_EQ(tg->exception.code, 0xc0000005);
    CHECK_EQ(tg->exception.address, 0xfffff8048b58334cull);
    CHECK_EQ(tg->exception.record_addr, 0xffff850429891ee8ull);
    CHECK(tg->exception.has_context);
    CHECK_EQ(kdx_ctx_ip(&tg->exception.context), 0xfffff8048b58334cull);
    CHECK_EQ(kdx_ctx_sp(&tg->exception.context), 0xffff850429892120ull);
    CHECK_EQ(tg->default_context, 0);
    /* This dump's data blocks also hold the other processors' PRCB context
     * pointers and CONTEXTs (processor 1 was idle in the kernel). */
    CHECK_OK(tg->ops->get_context(tg->impl, 1, &c, NULL));
    CHECK_EQ(kdx_ctx_ip(&c), 0xfffff8047bd8d14dull);
    kdx_thread_info ti;
    CHECK_OK(tg->ops->get_thread_info(tg->impl, tg->default_context, &ti, NULL));
    CHECK(ti.thread != 0);
    CHECK(ti.process != 0);
    kdx_target_close(tg);
}

TEST(kdump_real_triage_stack_bytes)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    kdx_err err;
    const kdx_kdump *d = kdx_kdump_of(tg);
    uint8_t buf[64];
    CHECK_OK(kdx_read_virt(tg, 0xffff850429890ee8ull, buf, sizeof buf, NULL, NULL));
    CHECK(memcmp(buf, d->file->data + d->tri.call_stack_offset, sizeof buf) == 0);
    /* Memory the triage dump did not save is missing, never zeros. */
    size_t done = 99;
    CHECK(kdx_read_virt(tg, 0x10000, buf, 8, &done, &err) == KDX_E_MEM_MISSING);
    CHECK_EQ(done, 0);
    kdx_target_close(tg);
}

TEST(kdump_real_full_head_truncated)
{
    TESTDATA(path, "kernel/full_head_19045.dmp");
    kdx_target *tg = open_dump(t, path);
    REQUIRE(tg != NULL);
    kdx_err err;
    kdx_status st;
    const kdx_kdump *d = kdx_kdump_of(tg);
    REQUIRE(d != NULL);
    CHECK_EQ(d->hdr.dump_type, KDX_DUMP_TYPE_FULL);
    CHECK_EQ(tg->sys.build, 19045);
    CHECK_EQ(tg->sys.num_processors, 4);
    CHECK_EQ(d->nruns, 5);
    CHECK_EQ(d->hdr.number_of_pages, 0x7fe86);
    uint64_t total = 0;
    for (size_t i = 0; i < d->nruns; i++)
        total += d->runs[i].page_count;
    CHECK_EQ(total, 0x7fe86);
    CHECK(d->truncated);
    CHECK_EQ(tg->paging, KDX_PAGING_X64_4);
    /* The first run starts at pfn 2 at file offset 0x2000: its first 8 KB are there. */
    uint8_t b[16];
    CHECK_OK(kdx_read_phys(tg, 0x2000, b, sizeof b, NULL, NULL));
    CHECK(memcmp(b, d->file->data + 0x2000, sizeof b) == 0);
    /* Every page past the 16 KB cut is missing, with a clear error. */
    size_t done = 99;
    st = kdx_read_phys(tg, 0x4000, b, sizeof b, &done, &err);
    CHECK(st != KDX_OK);
    CHECK_EQ(done, 0);
    CHECK_CONTAINS(err.msg, "not present");
    CHECK_CONTAINS(err.msg, "truncated");
    kdx_target_close(tg);
}
