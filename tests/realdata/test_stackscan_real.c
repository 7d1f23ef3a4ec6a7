/* Stacks where unwind data ends, on real dumps: the first frame at a
 * function's entry (triage dump), Breakpad-style stack scanning compared
 * with a published rust-minidump walk (symbolicator's snapshot of
 * symbolic/mini.dmp), and the x64 Crashpad/Breakpad dumps whose threads
 * stop at frame 00 without it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/test.h"

/* The triage dump's bug-check context is at nt!KeBugCheckEx's first
 * instruction: its return address is at [rsp] (fffff804`7be0f4e1, read from
 * ffff8504`29890ee8) although nt's .pdata is not in the dump. */
TEST(stackscan_real_triage_entry_frame)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    char *store_dir = kdx_strdup(store);
    TESTDATA(isf, "isf");
    char *setup = kdx_asprintf(".sympath %s;%s", store_dir, isf);
    free(store_dir);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, "dq ffff8504`29890ee8 l1; .stackscan off; k", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "ffff8504`29890ee8  fffff804`7be0f4e1\n");
    CHECK_CONTAINS(out, "ffff8504`29890ee8 fffff804`7be0f4e1 nt!KeBugCheckEx\n"
                        "ffff8504`29890ef0 ????????`???????? nt+0x40f4e1\n");
    CHECK_CONTAINS(out, "WARNING: Stack unwind information not available for frame 01 (ntoskrnl.exe: .pdata entry ");
    CHECK_CONTAINS(out, " is not present in the dump). The walk stops here instead of guessing.\n");
    free(out);

    /* With scanning (off by default on kernel dumps) frame 01 keeps its reason, then WinDbg's warning. */
    out = kdx_test_run(dump, setup, ".stackscan on; k", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "ffff8504`29890ee8 fffff804`7be0f4e1 nt!KeBugCheckEx\n"
                        "ffff8504`29890ef0 fffff804`7bdcc052 nt+0x40f4e1\n");
    CHECK_CONTAINS(out, "NOTE: frame 01 cannot be unwound (ntoskrnl.exe: .pdata entry ");
    CHECK_CONTAINS(out, "(.stackscan off stops the walk there).\n"
                        "WARNING: Stack unwind information not available. Following frames may be wrong.\n"
                        "ffff8504`29890f30 ");
    free(out);

    /* ffff8504`29890f00 holds fffff804`8b58334c, amdppm's faulting instruction:
     * amdppm.sys is in the store and the bytes before it are a jmp, not a call,
     * so it is no frame; the next value follows a call in nt's code (in the dump). */
    out = kdx_test_run(dump, setup, ".stackscan on; .json 1; k 3", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "{\"frame\":0,\"child_sp\":\"ffff8504`29890ee8\",\"ret_addr\":\"fffff804`7be0f4e1\","
                        "\"ip\":\"fffff804`7bdf5a80\",\"call_site\":\"nt!KeBugCheckEx\",\"trust\":\"context\"}");
    CHECK_CONTAINS(out, "{\"frame\":1,\"child_sp\":\"ffff8504`29890ef0\",\"ret_addr\":\"fffff804`7bdcc052\"");
    CHECK_CONTAINS(out, "\"trust\":\"cfi\"}");
    CHECK_CONTAINS(out, "{\"frame\":2,\"child_sp\":\"ffff8504`29890f30\"");
    CHECK_CONTAINS(out, "\"trust\":\"scan\",\"call_verified\":true}");
    CHECK(!strstr(out, "fffff804`8b58334c"));
    free(out);
    free(setup);
}

/* rust-minidump's walk of this dump without symbols, as getsentry/symbolicator
 * publishes it (crates/symbolicator/src/endpoints/snapshots/
 * symbolicator__endpoints__minidump__tests__basic.snap: instruction_addr and
 * trust per frame): kdx must find the same frames by the same means. */
TEST(stackscan_real_matches_rust_minidump_walk)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    kdx_err err = {0};
    char *out = kdx_test_run(dump, NULL, ".ecxr; kv", &err);
    REQUIRE(out);
    /* Thread 1636, the exception context: return addresses and how each frame was found. */
    static const struct { unsigned ret; const char *site; const char *trust; } want[] = {
        {0x2a28d0, "crash+0x2a3d", "context"},      {0x7584e9c0, "crash+0x28d0", "frame_pointer"},
        {0x70b7ae40, "rpcrt4+0x3e9c0", "scan"},     {0x7584e9c0, "dbgcore+0xae40", "scan"},
        {0x2a3435, "rpcrt4+0x3e9c0", "scan"},       {0x2a2d97, "crash+0x3435", "scan"},
        {0x750662c4, "crash+0x2d97", "scan"},       {0x771d0f79, "kernel32+0x162c4", "frame_pointer"},
        {0x771d0f44, "ntdll+0x60f79", "frame_pointer"}, {0, "ntdll+0x60f44", "frame_pointer"},
    };
    const char *row = strstr(out, "ChildEBP RetAddr");
    REQUIRE(row);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char ret[16], tail[96];
        snprintf(ret, sizeof ret, " %08x ", want[i].ret);
        snprintf(tail, sizeof tail, " %s (trust: %s)\n", want[i].site, want[i].trust);
        row = strstr(row, tail);
        CHECK(row != NULL);
        if (!row)
            break;
        const char *bol = row;
        while (bol > out && bol[-1] != '\n')
            bol--;
        CHECK(strncmp(bol + 8, ret, strlen(ret)) == 0);
        row++;
    }
    CHECK_CONTAINS(out, "NOTE: frame 01 cannot be unwound (");
    free(out);
    /* Threads 3580 and 2600: frame pointers from ntdll through kernel32 back into ntdll. */
    out = kdx_test_run(dump, NULL, "~1 kv; ~2 kv", &err);
    REQUIRE(out);
    for (int th = 0; th < 2; th++) {
        const char *k = th ? strstr(strstr(out, "ChildEBP") + 1, "ChildEBP") : strstr(out, "ChildEBP");
        REQUIRE(k);
        CHECK(strstr(k, " 750662c4 ") && strstr(k, "ntdll+0x7016c (trust: context)\n"));
        CHECK(strstr(k, " 771d0f79 ") && strstr(k, "kernel32+0x162c4 (trust: frame_pointer)\n"));
        CHECK(strstr(k, " 771d0f44 ") && strstr(k, "ntdll+0x60f79 (trust: frame_pointer)\n"));
        CHECK(strstr(k, " 00000000 ") && strstr(k, "ntdll+0x60f44 (trust: frame_pointer)\n"));
    }
    free(out);
    /* Thread 2920 stops at frame 00 in the snapshot. Its pc is at "ret 8" (c2 08 00),
     * so [esp] is its return address; kdx's scan takes it, one frame more. */
    out = kdx_test_run(dump, NULL, "~3s; u eip l1; kv", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "771df3dc c20800          ret     8\n");
    CHECK_CONTAINS(out, " 76e75dc0 ");
    CHECK_CONTAINS(out, "ntdll+0x6f3dc (trust: context)\n");
    CHECK_CONTAINS(out, "KERNELBASE+0xc5dc0 (trust: scan)\n");
    free(out);
}

/* One JSON k result per thread of the dump: frame counts and whether every
 * frame after 00 lies in a module and was found by scanning. */
static void walk_all_threads(kdx_test_ctx *t, const char *dump, unsigned nthreads)
{
    char cmds[1024] = ".stackscan off;";
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < nthreads; i++) {
            size_t n = strlen(cmds);
            snprintf(cmds + n, sizeof cmds - n, " ~%u k;%s", i, pass == 0 && i + 1 == nthreads ? " .stackscan on;" : "");
        }
    kdx_err err = {0};
    char *out = kdx_test_run(dump, ".json 1", cmds, &err);
    REQUIRE(out);
    unsigned seen = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "{\"command\":\"k\"", 14) != 0)
            continue;
        json_t *o = json_loads(line, 0, NULL);
        REQUIRE(o);
        json_t *frames = json_object_get(o, "frames");
        json_t *stop = json_object_get(o, "exact_walk_stopped");
        size_t nf = json_array_size(frames);
        bool scanning = seen >= nthreads;
        /* The exact walk stops at frame 00 on every thread (no images, no .pdata). */
        CHECK_EQ(json_integer_value(json_object_get(stop, "frame")), 0);
        if (!scanning) {
            CHECK_EQ(nf, 1);
        } else {
            CHECK(nf >= 2);
            for (size_t i = 1; i < nf; i++) {
                json_t *f = json_array_get(frames, i);
                const char *site = json_string_value(json_object_get(f, "call_site"));
                CHECK_STR(json_string_value(json_object_get(f, "trust")), "scan");
                CHECK(site && strchr(site, '+') != NULL); /* module+offset: in a module */
            }
        }
        json_decref(o);
        seen++;
    }
    CHECK_EQ(seen, 2 * nthreads);
    free(out);
}

TEST(stackscan_real_crashpad_dumps_walk_past_frame_00)
{
    TESTDATA(invalid, "user/rust-minidump/invalid-parameter.dmp");
    walk_all_threads(t, invalid, 6);
    TESTDATA(electron, "user/electron/windows.dmp");
    walk_all_threads(t, electron, 14);
    /* The Electron crash: node-minidump's test expects the crashing frame in
     * electron.exe (atom::`anonymous namespace'::Crash with Electron's symbols). */
    kdx_err err = {0};
    char *out = kdx_test_run(electron, NULL, ".ecxr; kn 2", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "00 00000063`99daca18 00007ff7`215d5ad9 electron+0xe8da4\n");
    CHECK_CONTAINS(out, "01 00000063`99daca20 ");
    free(out);
}
