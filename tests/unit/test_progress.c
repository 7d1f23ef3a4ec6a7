/* Progress of long work (base/progress.h, kdx_set_progress_callback):
 * reports from triage, `s` and `.reload /f`, the CLI's display line, and no
 * output at all when stderr is not a terminal. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"

typedef struct seen {
    char task[64];
    char unit[16];
    uint64_t first_done, last_done, last_total;
    int calls;
    bool monotonic;
} seen;

static void record(void *user, const char *task, uint64_t done, uint64_t total, const char *unit)
{
    seen *s = user;
    if (s->calls == 0) {
        snprintf(s->task, sizeof s->task, "%s", task);
        snprintf(s->unit, sizeof s->unit, "%s", unit);
        s->first_done = done;
        s->monotonic = true;
    } else if (done < s->last_done || strcmp(s->task, task)) {
        s->monotonic = false;
    }
    s->last_done = done;
    s->last_total = total;
    s->calls++;
}

TEST(progress_search_reports_bytes_and_ends_at_total)
{
    char *dump = kdx_asprintf("%s/sample.dmp", kdx_test_tmpdir());
    kdx_err err;
    REQUIRE(kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, dump, &err) == KDX_OK);
    kdx_dbg *d;
    REQUIRE(kdx_open(&d, dump, NULL) == KDX_OK);
    seen s = {0};
    kdx_set_progress_callback(record, &s);
    char *text = NULL;
    CHECK_OK(kdx_run_capture(d, "s -b fffff880`05070000 L40000 41 42 43 44", 0, &text));
    kdx_set_progress_callback(NULL, NULL);
    kdx_free(text);
    CHECK(s.calls >= 1);
    CHECK_STR(s.task, "s");
    CHECK_STR(s.unit, "bytes");
    CHECK(s.monotonic);
    CHECK_EQ(s.last_total, 0x40000);
    /* Without a handler nothing is called (and nothing printed by libkdx). */
    seen none = {0};
    CHECK_OK(kdx_run_capture(d, "s -b fffff880`05070000 L40000 41", 0, &text));
    kdx_free(text);
    CHECK_EQ(none.calls, 0);
    kdx_close(d);
    free(dump);
}

TEST(progress_triage_counts_dumps)
{
    TESTDATA(kernel, "kernel");
    seen s = {0};
    kdx_set_progress_callback(record, &s);
    const char *paths[] = {kernel};
    kdx_triage_settings ts = {.paths = paths, .npaths = 1, .jobs = 1, .json = 1};
    FILE *null = fopen("/dev/null", "w");
    REQUIRE(null);
    kdx_triage(&ts, null);
    fclose(null);
    kdx_set_progress_callback(NULL, NULL);
    CHECK_STR(s.task, "triage");
    CHECK_STR(s.unit, "dumps");
    CHECK_EQ(s.last_done, 2); /* kernel/: triage_x64.dmp and full_head_19045.dmp */
    CHECK_EQ(s.last_total, 2);
    CHECK(s.monotonic);
}

TEST(progress_reload_counts_modules)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *path = kdx_strdup(dump);
    TESTDATA(store, "symstore");
    kdx_open_options o;
    kdx_open_options_init(&o);
    o.sympath = store;
    kdx_dbg *d;
    REQUIRE(kdx_open(&d, path, &o) == KDX_OK);
    seen s = {0};
    kdx_set_progress_callback(record, &s);
    CHECK_OK(kdx_run(d, ".reload /f amdppm.sys"));
    kdx_set_progress_callback(NULL, NULL);
    CHECK_STR(s.task, ".reload /f");
    CHECK_STR(s.unit, "modules");
    CHECK_EQ(s.last_done, 1);
    CHECK_EQ(s.last_total, 1);
    kdx_close(d);
    free(path);
}

TEST(progress_cli_line_format)
{
    char line[256];
    kdx_cli_progress_format(line, sizeof line, "triage", 50, 200, "dumps", 10.0);
    CHECK_STR(line, "triage: 50/200 dumps (25%), 5.0 dumps/s, ETA 30 s");
    kdx_cli_progress_format(line, sizeof line, "https://s/x.pdb", 3 << 20, 6 << 20, "bytes", 2.0);
    CHECK_STR(line, "https://s/x.pdb: 3.0/6.0 MB (50%), 1.5 MB/s, ETA 2 s");
    kdx_cli_progress_format(line, sizeof line, "s", 1 << 20, 0, "bytes", 1.0);
    CHECK_STR(line, "s: 1.0 MB, 1.0 MB/s");
}

/* Not a terminal: kdx prints no progress (stderr stays empty). */
TEST(progress_cli_silent_when_not_a_terminal)
{
    const char *bin = getenv("KDX_BIN");
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    TESTDATA(kernel, "kernel");
    char *err = kdx_asprintf("%s/stderr.txt", kdx_test_tmpdir());
    char *cmd = kdx_asprintf("%s triage %s >/dev/null 2>%s", bin, kernel, err);
    CHECK_EQ(system(cmd), 0);
    FILE *fp = fopen(err, "r");
    REQUIRE(fp);
    fseek(fp, 0, SEEK_END);
    CHECK_EQ(ftell(fp), 0);
    fclose(fp);
    free(cmd);
    free(err);
}
