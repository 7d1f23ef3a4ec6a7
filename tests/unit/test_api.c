/* The public C API (include/kdx.h) without shared test data: handles,
 * errors, captured commands, the command registry, and that libkdx.so
 * exports exactly the functions the header declares. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kdx.h"
#include "tests/test.h"

TEST(api_open_missing_file_names_it)
{
    kdx_dbg *d = (kdx_dbg *)1;
    kdx_status st = kdx_open(&d, "/nonexistent/kdx-api-test.dmp", NULL);
    CHECK(st != KDX_OK);
    CHECK(d == NULL);
    CHECK_CONTAINS(kdx_last_error(), "/nonexistent/kdx-api-test.dmp");
    CHECK_STR(kdx_status_str(KDX_E_MEM_MISSING), kdx_status_name(KDX_E_MEM_MISSING));
    kdx_close(NULL);
}

TEST(api_options_version_checked)
{
    kdx_open_options o;
    kdx_open_options_init(&o);
    CHECK_EQ(o.version, KDX_OPEN_OPTIONS_VERSION);
    o.version = 99;
    kdx_dbg *d = NULL;
    CHECK_EQ(kdx_create(&d, &o), KDX_E_ARG);
    CHECK_CONTAINS(kdx_last_error(), "version is 99");
}

TEST(api_capture_without_a_file)
{
    kdx_dbg *d = NULL;
    CHECK_OK(kdx_create(&d, NULL));
    char *text = NULL;
    CHECK_OK(kdx_run_capture(d, "? 1+2", 0, &text));
    CHECK_CONTAINS(text, "Evaluate expression: 3 = 00000000`00000003");
    kdx_free(text);
    uint64_t v = 0;
    CHECK_OK(kdx_evaluate(d, "0n10*2", &v));
    CHECK_EQ(v, 20);
    CHECK(kdx_evaluate(d, "1+", &v) != KDX_OK);
    CHECK(strlen(kdx_last_error()) > 0);
    /* Typed calls say there is no file rather than answering zeros. */
    kdx_sysinfo si;
    CHECK_EQ(kdx_get_sysinfo(d, &si), KDX_E_ARG);
    CHECK_CONTAINS(kdx_last_error(), "no file is open");
    CHECK_EQ(kdx_module_count(d), 0);
    CHECK_OK(kdx_run(d, "q"));
    CHECK(kdx_quit_requested(d));
    kdx_close(d);
}

TEST(api_cancel_stops_a_loop)
{
    kdx_dbg *d = NULL;
    CHECK_OK(kdx_create(&d, NULL));
    kdx_cancel_request();
    CHECK(kdx_cancel_pending());
    char *text = NULL;
    CHECK_EQ(kdx_run_capture(d, ".while (1) { r $t0 = @$t0 + 1 }", 0, &text), KDX_E_INTERRUPTED);
    CHECK_CONTAINS(text, "Interrupted");
    kdx_free(text);
    kdx_cancel_clear();
    CHECK(!kdx_cancel_pending());
    kdx_close(d);
}

TEST(api_command_registry)
{
    size_t n = 0;
    bool analyze = false;
    for (; kdx_command_name(n); n++) {
        CHECK(kdx_command_summary(n) != NULL);
        if (!strcmp(kdx_command_name(n), "!analyze"))
            analyze = true;
    }
    CHECK(n > 50);
    CHECK(analyze);
    CHECK(kdx_command_summary(n) == NULL);
}

/* nm's dynamic symbols of build/libkdx.so.1 against scripts/kdx-exports.sh's
 * list from the header, and the versioned soname. */
TEST(api_shared_library_exports_only_the_header)
{
    const char *build = getenv("KDX_BUILD");
    if (!build)
        SKIP("KDX_BUILD (the build directory, set by make test) is not set");
    char *nm = kdx_asprintf("nm -D --defined-only %s/libkdx.so.1 | awk '{print $3}' | sed 's/@.*//' "
                            "| grep -v '^KDX_1$' | sort", build);
    char *got = kdx_test_shell(nm);
    char *want = kdx_test_shell("scripts/kdx-exports.sh list include/kdx.h");
    REQUIRE(got && want);
    CHECK(strlen(want) > 200);
    CHECK_CONTAINS(want, "kdx_open\n");
    CHECK_STR(got, want);
    char *od = kdx_asprintf("objdump -p %s/libkdx.so.1", build);
    char *dyn = kdx_test_shell(od);
    CHECK(dyn && strstr(dyn, "SONAME") && strstr(dyn, "libkdx.so.1"));
    free(nm);
    free(got);
    free(want);
    free(od);
    free(dyn);
}

/* The CLI is a client of kdx.h: its sources include no other libkdx header.
 * One exception: cli/edit_lazy.c loads libedit with base/lazylib.h, the
 * dlopen helper (not debugger functionality, and not public API). */
TEST(api_cli_includes_only_the_public_header)
{
    char *bad = kdx_test_shell("grep -Hn '^#include \"' src/cli/*.c src/cli/*.h "
                               "| grep -v '\"kdx.h\"' | grep -v '\"cli/cli.h\"' "
                               "| grep -v 'src/cli/edit_lazy.c:[0-9]*:#include \"base/lazylib.h\"'");
    REQUIRE(bad);
    CHECK_STR(bad, "[exit 1]"); /* grep found nothing */
    free(bad);
}
