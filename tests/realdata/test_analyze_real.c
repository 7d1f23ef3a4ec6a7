/* !analyze and kdx triage on the real dumps of ../shared/testdata. */
#include <stdlib.h>
#include <string.h>

#include "analysis/triage.h"
#include "base/util.h"
#include "tests/test.h"

TEST(analyze_real_triage_without_symbols_names_amdppm)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)");
    CHECK_CONTAINS(out, "Arg2: fffff8048b58334c, The instruction that raised it");
    CHECK_CONTAINS(out, "EXCEPTION_CODE_STR:  c0000005");
    CHECK_CONTAINS(out, "IMAGE_NAME:  amdppm.sys");
    CHECK_CONTAINS(out, "MODULE_NAME:  amdppm");
    CHECK_CONTAINS(out, "STACK_COMMAND:  .cxr 0xffff850429891720 ; kb");
    CHECK_CONTAINS(out, "FAILURE_BUCKET_ID:  AV_amdppm!");
    free(out);
}

TEST(analyze_real_triage_with_symbols)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    char *store_dir = strdup(store);
    TESTDATA(isf, "isf");
    char *setup = kdx_asprintf(".sympath %s;%s", store_dir, isf);
    kdx_err err;
    char *out = kdx_test_run(path, setup, "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "FAULTING_IP:  amdppm!WriteIoMemRawEx+70\n");
    /* The stack is the exception context's, not the bug-check frames. */
    CHECK_CONTAINS(out, "STACK_TEXT:  \nffff8504`29892120 fffff804`8b58313f     : ffff8504`29892148 00000000`00000000 "
                        "00000000`00000000 fffff804`8b58f3a0 : amdppm!WriteIoMemRawEx+0x70\n");
    CHECK_CONTAINS(out, "amdppm!EvtDevicePrepareHardware+0xd2\n");
    CHECK_CONTAINS(out, "nt!IofCallDriver+0x55\n");
    CHECK_CONTAINS(out, "PROCESS_NAME:  System\n");
    CHECK_CONTAINS(out, "SYMBOL_NAME:  amdppm!WriteIoMemRawEx+70\n");
    CHECK_CONTAINS(out, "BUCKET_ID_FUNC_OFFSET:  70\n");
    CHECK_CONTAINS(out, "IMAGE_VERSION:  10.0.19041.1110\n"); /* amdppm.sys version resource, from the store */
    CHECK_CONTAINS(out, "FAILURE_BUCKET_ID:  AV_amdppm!WriteIoMemRawEx\n");
    CHECK(!strstr(out, "KeBugCheckEx"));
    free(out);
    out = kdx_test_run(path, setup, ".json 1; !analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "\"FAULTING_IP\":\"amdppm!WriteIoMemRawEx+70\"");
    CHECK_CONTAINS(out, "\"MODULE_NAME\":\"amdppm\"");
    CHECK_CONTAINS(out, "\"stack\":[{\"child_sp\":\"ffff8504`29892120\",\"ret_addr\":\"fffff804`8b58313f\",\"call_site\":\"amdppm!WriteIoMemRawEx+0x70\",\"args\":[");
    free(out);
    free(setup);
    free(store_dir);
}

TEST(analyze_real_triage_json)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, ".json 1", "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "\"schema\":\"kdx.analyze/1\"");
    CHECK_CONTAINS(out, "\"bugcheck_name\":\"SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M\"");
    CHECK_CONTAINS(out, "\"IMAGE_NAME\":\"amdppm.sys\"");
    CHECK_CONTAINS(out, "\"faulting_module\":\"amdppm\"");
    free(out);
}

TEST(triage_real_directory_one_line_per_dump)
{
    TESTDATA(dir, "user");
    TESTDATA(kdir, "kernel");
    char *kernel_dir = strdup(kdir);
    const char *paths[] = {dir, kernel_dir};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    REQUIRE(out != NULL);
    kdx_triage_options o = {.paths = paths, .npaths = 2, .jobs = 2, .json = true};
    int failed = kdx_triage_run(&o, out);
    fclose(out);
    /* 16 dumps: 14 user (3 deliberately broken) and 2 kernel (one cut off at 16 KB). */
    int lines = 0;
    for (char *p = buf; (p = strstr(p, "{\"schema\"")); p++)
        lines++;
    CHECK_EQ(lines, 16);
    CHECK_CONTAINS(buf, "triage_x64.dmp\"");
    CHECK_CONTAINS(buf, "AV_amdppm!");
    CHECK_CONTAINS(buf, "invalid-record-count.dmp\",\"error\"");
    CHECK_CONTAINS(buf, "{\"summary\":[");
    CHECK(failed >= 3);
    free(buf);
    free(kernel_dir);
}

TEST(analyze_real_user_dump_with_pdb)
{
    TESTDATA(path, "user/symbolic/mini.dmp");
    char *dump = strdup(path);
    TESTDATA(dir, "user/symbolic");
    char *setup = kdx_asprintf(".sympath %s", dir);
    kdx_err err;
    char *out = kdx_test_run(dump, setup, "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "Exception Analysis");
    CHECK_CONTAINS(out, "PROCESS_NAME:  crash.exe\n");
    CHECK_CONTAINS(out, "WRITE_ADDRESS:  00000045\n");
    CHECK_CONTAINS(out, "EXCEPTION_CODE_STR:  c0000005\n");
    CHECK_CONTAINS(out, "FAULTING_IP:  crash!main+12d\n");
    /* x86 STACK_TEXT: ChildEBP, RetAddr, three arguments, call site, the
     * same line as kb (test_unwind_real.c has kb's). */
    CHECK_CONTAINS(out, "STACK_TEXT:  \n010ff670 002a2d97 00000000 00000000 0000002e crash!main+0x12d\n");
    CHECK_CONTAINS(out, "MODULE_NAME:  crash\n");
    CHECK_CONTAINS(out, "STACK_COMMAND:  .ecxr ; kb\n");
    /* User buckets name the image, as WinDbg's do (msctf.dll!CThreadInputMgr::_SetFocus). */
    CHECK_CONTAINS(out, "FAILURE_BUCKET_ID:  NULL_POINTER_WRITE_c0000005_crash.exe!main\n");
    free(out);
    free(setup);
    free(dump);
}

TEST(analyze_real_user_breakpoint)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "EXCEPTION_CODE_STR:  80000003\n");
    CHECK_CONTAINS(out, "PROCESS_NAME:  calc.exe\n");
    CHECK_CONTAINS(out, "FAILURE_BUCKET_ID:  BREAKPOINT_80000003_");
    free(out);
}

/* Breakpad's access-violation minidumps (x86, no symbols), named for the
 * crash each one holds: the class of the bucket must agree with the name
 * (null or not, read, write or execute) and name the image, as WinDbg's
 * user-mode buckets do (INVALID_POINTER_WRITE_c0000005_BandiView.exe!Unknown). */
TEST(analyze_real_breakpad_access_violation_classes)
{
    static const struct {
        const char *file, *address, *bucket;
    } cases[] = {
        {"user/breakpad/null_read_av.dmp", "READ_ADDRESS:  00000000\n",
         "NULL_POINTER_READ_c0000005_crashme.exe!Unknown\n"},
        {"user/breakpad/ascii_read_av.dmp", "READ_ADDRESS:  41414141\n",
         "INVALID_POINTER_READ_c0000005_crashme.exe!Unknown\n"},
        {"user/breakpad/read_av_non_null.dmp", "READ_ADDRESS:  0004e3c9\n",
         "INVALID_POINTER_READ_c0000005_crashme.exe!Unknown\n"},
        {"user/breakpad/write_av_non_null.dmp", "WRITE_ADDRESS:  0004e3c9\n",
         "INVALID_POINTER_WRITE_c0000005_crashme.exe!Unknown\n"},
        {"user/breakpad/exec_av_on_stack.dmp", "EXECUTE_ADDRESS:  003df944\n",
         "SOFTWARE_NX_FAULT_c0000005_crashme1.exe!Unknown\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TESTDATA(path, cases[i].file);
        kdx_err err;
        char *out = kdx_test_run(path, NULL, "!analyze -v", &err);
        REQUIRE(out != NULL);
        CHECK_CONTAINS(out, "EXCEPTION_CODE_STR:  c0000005\n");
        CHECK_CONTAINS(out, cases[i].address);
        CHECK_CONTAINS(out, cases[i].bucket);
        free(out);
    }
}

/* Code run from the stack: the pc is in no module, so k and STACK_TEXT warn
 * as WinDbg does, print frame 00 as 0x3df944, and take the caller from the
 * return address the call left at [esp] (crashme1+0x10ae, read with dps);
 * !analyze blames that caller and says the frame is inferred. */
TEST(analyze_real_breakpad_exec_on_stack_blames_the_caller)
{
    TESTDATA(path, "user/breakpad/exec_av_on_stack.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, ".ecxr; dps @esp l1; kb 2; !analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "003df844  00d510ae crashme1+0x10ae\n");
    CHECK_CONTAINS(out, "ChildEBP RetAddr  Args to Child              \n"
                        "WARNING: Frame IP not in any known module. Following frames may be wrong.\n"
                        "003df840 00d510ae 00d553f4 003df944 6a10f8c3 0x3df944\n"
                        "003df9d8 75f03677 7efde000 003dfa24 772e9d42 crashme1+0x10ae\n");
    CHECK_CONTAINS(out, "STACK_TEXT:  \nWARNING: Frame IP not in any known module. Following frames may be wrong.\n"
                        "003df840 00d510ae 00d553f4 003df944 6a10f8c3 0x3df944\n");
    CHECK_CONTAINS(out, "N1: the faulting instruction is in no module; the first frame in a module, its caller "
                        "(found by the return address at [sp]: inferred)");
    CHECK_CONTAINS(out, "SYMBOL_NAME:  crashme1+10ae\n");
    CHECK_CONTAINS(out, "MODULE_NAME:  crashme1\n");
    free(out);
}
