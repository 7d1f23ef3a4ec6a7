/* The Python package (python/kdx) from `make test`: its unittest suite over
 * build/libkdx.so.1 (with the sample dump and ../shared/testdata), and an
 * offline `pip install ./python` into a fresh venv. PYTHON is the make
 * variable (Debian's /usr/bin/python3 by default, not a pyenv shim). */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/util.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"

/* Output of cmd, stderr included, with "[exit N]" appended. */
static char *run_shell(const char *cmd)
{
    char *full = kdx_asprintf("%s 2>&1", cmd);
    char *out = kdx_test_shell(full);
    free(full);
    return out;
}

static const char *python_or_skip(kdx_test_ctx *t)
{
    if (kdx_test_sanitizer_skip_reason()) {
        kdx_test_skip(t, "%s", kdx_test_sanitizer_skip_reason());
        return NULL;
    }
    const char *py = getenv("PYTHON");
    const char *build = getenv("KDX_BUILD");
    if (!py || !build) {
        kdx_test_skip(t, "PYTHON and KDX_BUILD (set by make test) are not set");
        return NULL;
    }
    char *probe = kdx_asprintf("%s -c 'import ctypes' >/dev/null 2>&1", py);
    int rc = system(probe);
    free(probe);
    if (rc != 0) {
        kdx_test_skip(t, "%s cannot run (scripts/setup-deps.sh test installs python3)", py);
        return NULL;
    }
    return py;
}

/* The sample dump from kdx's writer, in this test's temporary directory. */
static char *sample_dump(kdx_test_ctx *t)
{
    char *path = kdx_asprintf("%s/sample_apc_exit.dmp", kdx_test_tmpdir());
    kdx_err err;
    if (kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, path, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "sample dump: %s", err.msg);
        free(path);
        return NULL;
    }
    return path;
}

TEST(python_package_unittests)
{
    const char *py = python_or_skip(t);
    if (!py)
        return;
    char *sample = sample_dump(t);
    REQUIRE(sample);
    const char *td = kdx_testdata_path("kernel");
    char *td_env = td ? kdx_asprintf("KDX_TESTDATA=%s/.. ", td) : kdx_strdup("");
    char *cmd = kdx_asprintf("%sKDX_LIBRARY=%s/libkdx.so.1 KDX_SAMPLE_DUMP=%s PYTHONPATH=python "
                             "%s -m unittest discover -s python/tests -v",
                             td_env, getenv("KDX_BUILD"), sample, py);
    char *out = run_shell(cmd);
    REQUIRE(out);
    if (!strstr(out, "[exit 0]"))
        fprintf(stderr, "%s\n", out);
    CHECK_CONTAINS(out, "\nOK");
    CHECK_CONTAINS(out, "[exit 0]");
    CHECK_CONTAINS(out, "SampleDump.test_sample) ... ok");
    if (td) {
        CHECK_CONTAINS(out, "test_open_close_10000_times_flat_memory) ... ok");
        /* The Dask tests ran (OK above says they passed; Dask's own log
         * lines may come between a test's name and its "ok"). */
        CHECK_CONTAINS(out, "DaskTriage.test_summary_equals_kdx_triage) ... ");
        CHECK_CONTAINS(out, "DaskTriage.test_dead_worker_is_a_failure_line) ... ");
        CHECK(!strstr(out, "skipped 'needs python3-distributed"));
    }
    free(out);
    free(cmd);
    free(td_env);
    free(sample);
}

TEST(python_pip_install_offline)
{
    const char *py = python_or_skip(t);
    if (!py)
        return;
    char *probe = kdx_asprintf("%s -m venv --help >/dev/null 2>&1", py);
    int rc = system(probe);
    free(probe);
    if (rc != 0)
        SKIP("%s has no venv module (scripts/setup-deps.sh test installs python3-venv)", py);
    char *sample = sample_dump(t);
    REQUIRE(sample);
    const char *dir = kdx_test_tmpdir();
    /* --no-index: nothing may come from the network. The venv's Python
     * imports the installed package from outside the source tree. */
    char *cmd = kdx_asprintf("%s -m venv %s/venv && KDX_LIBRARY=%s/libkdx.so.1 %s/venv/bin/pip install -q "
                             "--no-index ./python && cd / && env -u KDX_LIBRARY %s/venv/bin/python -c "
                             "'import kdx; d = kdx.open(\"%s\"); print(\"bugcheck\", hex(d.info[\"bugcheck_code\"]), "
                             "kdx.__file__); d.close()'",
                             py, dir, getenv("KDX_BUILD"), dir, dir, sample);
    char *out = run_shell(cmd);
    REQUIRE(out);
    CHECK_CONTAINS(out, "bugcheck 0x20 ");
    CHECK_CONTAINS(out, "/venv/lib/");
    CHECK_CONTAINS(out, "[exit 0]");
    free(out);
    free(cmd);
    free(sample);
}
