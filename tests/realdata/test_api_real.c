/* The public C API (include/kdx.h) on the real Windows 10 triage dump of
 * ../shared/testdata, with the shared symbol store and ISF tables: what a
 * program embedding libkdx gets without parsing command text. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kdx.h"
#include "tests/test.h"

/* Opens kernel/triage_x64.dmp with "-y symstore;isf"; NULL (test skipped
 * or failed) when it cannot. */
static kdx_dbg *open_triage(kdx_test_ctx *t, bool with_symbols)
{
    const char *dump = kdx_testdata_path("kernel/triage_x64.dmp");
    const char *store = kdx_testdata_path("symstore");
    const char *isf = kdx_testdata_path("isf");
    if (!dump || !store || !isf) {
        kdx_test_skip(t, "needs ../shared/testdata/kernel/triage_x64.dmp, symstore/ and isf/");
        return NULL;
    }
    char *dump_path = kdx_strdup(dump);
    char *sympath = kdx_asprintf("%s;%s", store, isf);
    kdx_open_options o;
    kdx_open_options_init(&o);
    o.sympath = with_symbols ? sympath : NULL;
    kdx_dbg *d = NULL;
    kdx_status st = kdx_open(&d, dump_path, &o);
    if (st != KDX_OK)
        kdx_test_fail(t, __FILE__, __LINE__, "kdx_open: %s", kdx_last_error());
    free(sympath);
    free(dump_path);
    return d;
}

TEST(api_real_sysinfo_modules_threads)
{
    kdx_dbg *d = open_triage(t, false);
    if (!d)
        return;
    kdx_sysinfo si;
    CHECK_OK(kdx_get_sysinfo(d, &si));
    CHECK(si.kernel);
    CHECK_STR(si.arch, "x64");
    CHECK_EQ(si.pointer_size, 8);
    CHECK_EQ(si.bugcheck_code, 0x1000007e);
    CHECK_EQ(si.bugcheck_args[1], 0xfffff8048b58334cull);
    CHECK_EQ(si.build, 19041);
    size_t n = kdx_module_count(d);
    CHECK(n > 10);
    bool amdppm = false;
    for (size_t i = 0; i < n; i++) {
        kdx_module_entry m;
        CHECK_OK(kdx_module_get(d, i, &m));
        if (!strcmp(m.name, "amdppm")) {
            amdppm = true;
            CHECK_STR(m.image_name, "amdppm.sys");
            CHECK(m.base <= si.bugcheck_args[1] && si.bugcheck_args[1] < m.base + m.size);
        }
    }
    CHECK(amdppm);
    kdx_module_entry m;
    CHECK_EQ(kdx_module_get(d, n, &m), KDX_E_NOT_FOUND);
    CHECK_CONTAINS(kdx_last_error(), "modules");
    CHECK_EQ(kdx_thread_count(d), si.contexts);
    kdx_thread_entry th;
    CHECK_OK(kdx_thread_get(d, si.current_context, &th));
    CHECK(th.thread != 0 && th.ip != 0 && th.sp != 0);
    kdx_close(d);
}

TEST(api_real_memory_registers_symbols)
{
    kdx_dbg *d = open_triage(t, true);
    if (!d)
        return;
    uint64_t rsp = 0, v = 0;
    CHECK_OK(kdx_register_value(d, "rsp", &rsp));
    CHECK_OK(kdx_evaluate(d, "@rsp", &v));
    CHECK_EQ(v, rsp);
    uint64_t q[4];
    CHECK_OK(kdx_read_virtual(d, rsp, q, sizeof q, NULL));
    CHECK_OK(kdx_evaluate(d, "poi(@rsp+8)", &v));
    CHECK_EQ(v, q[1]);
    /* A triage dump holds a few pages: far from them nothing is read, never zeros. */
    size_t done = 99;
    uint8_t b[16];
    kdx_status st = kdx_read_virtual(d, 0xfffff80000000000ull, b, sizeof b, &done);
    CHECK(st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID);
    CHECK_EQ(done, 0);
    CHECK(strlen(kdx_last_error()) > 0);
    CHECK_EQ(kdx_register_value(d, "nosuchreg", &v), KDX_E_NOT_FOUND);
    char *name = NULL;
    uint64_t disp = 0;
    CHECK_OK(kdx_symbol_from_address(d, 0xfffff8048b58334cull, &name, &disp));
    CHECK_STR(name, "amdppm!WriteIoMemRawEx+0x70");
    CHECK_EQ(disp, 0x70);
    kdx_free(name);
    CHECK_OK(kdx_evaluate(d, "amdppm!WriteIoMemRawEx", &v));
    CHECK_EQ(v, 0xfffff8048b58334cull - 0x70);
    CHECK_EQ(kdx_symbol_from_address(d, 0x10, &name, &disp), KDX_E_NOT_FOUND);
    CHECK(name == NULL);
    kdx_close(d);
}

TEST(api_real_fields_stack_analyze)
{
    kdx_dbg *d = open_triage(t, true);
    if (!d)
        return;
    kdx_sysinfo si;
    CHECK_OK(kdx_get_sysinfo(d, &si));
    kdx_thread_entry th;
    CHECK_OK(kdx_thread_get(d, si.current_context, &th));
    uint64_t proc = 0, off = 0, size = 0;
    CHECK_OK(kdx_field_read(d, "nt!_KTHREAD", th.thread, "ApcState.Process", &proc));
    CHECK_EQ(proc, th.process);
    CHECK_OK(kdx_field_info(d, "nt!_EPROCESS", "ImageFileName", &off, &size));
    CHECK_EQ(size, 15);
    char image[16] = {0};
    CHECK_OK(kdx_read_virtual(d, proc + off, image, (size_t)size, NULL));
    CHECK_STR(image, "System");
    CHECK_EQ(kdx_field_info(d, "nt!_EPROCESS", "NoSuchField", &off, &size), KDX_E_NOT_FOUND);
    CHECK_CONTAINS(kdx_last_error(), "NoSuchField");
    kdx_frame_entry fr[32];
    size_t n = 0;
    CHECK_OK(kdx_run(d, ".cxr ffff850429891720"));
    CHECK_OK(kdx_stack_frames(d, fr, 32, &n));
    REQUIRE(n >= 3);
    CHECK_STR(fr[0].symbol, "amdppm!WriteIoMemRawEx+0x70");
    CHECK_STR(fr[0].trust, "context");
    /* The same frames `k` prints (Child-SP, RetAddr, Call Site). */
    CHECK_STR(fr[1].symbol, "amdppm!WriteGenAddrEx+0x6b");
    CHECK_EQ(fr[1].sp, 0xffff850429892150ull);
    CHECK_EQ(fr[0].return_address, 0xfffff8048b58313full);
    CHECK_EQ(fr[0].return_address, fr[1].ip);
    char *json = NULL;
    CHECK_OK(kdx_analyze_json(d, &json));
    CHECK_CONTAINS(json, "\"MODULE_NAME\":\"amdppm\"");
    CHECK_CONTAINS(json, "\"FAILURE_BUCKET_ID\":\"AV_amdppm!WriteIoMemRawEx\"");
    kdx_free(json);
    char *text = NULL;
    CHECK_OK(kdx_run_capture(d, "lm m amdppm", 0, &text));
    CHECK_CONTAINS(text, "amdppm");
    kdx_free(text);
    CHECK_OK(kdx_run_capture(d, "lm m amdppm; ? 1+2", KDX_RUN_JSON, &text));
    CHECK(text[0] == '[');
    CHECK_CONTAINS(text, "\"command\": \"? 1+2\"");
    kdx_free(text);
    CHECK_EQ(kdx_run_capture(d, "nosuchcommand", 0, &text), KDX_E_ARG);
    kdx_free(text);
    kdx_close(d);
}
