/* kdx triage --html on ../shared/testdata: the page's bucket table holds
 * the JSON summary's buckets with their counts, each links to its example's
 * embedded `!analyze -v` text, and nothing is fetched from a network. The
 * browser-rendered check is scripts/test-browser.sh (make test-browser). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/triage.h"
#include "base/util.h"
#include "tests/test.h"

static char *triage_to_string(const char *dir, const char *sympath, const char *html)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    const char *paths[] = {dir};
    /* One job: lines in a fixed order, so the two runs compare line for line. */
    kdx_triage_options o = {.paths = paths, .npaths = 1, .jobs = 1, .json = true, .sympath = sympath,
                            .html_path = html};
    kdx_triage_run(&o, out);
    fclose(out);
    return buf;
}

TEST(triage_html_report_matches_json_summary)
{
    TESTDATA(root, "kernel");
    char *dir = kdx_asprintf("%s/..", root);
    TESTDATA(store, "symstore");
    char *store_dir = kdx_strdup(store);
    TESTDATA(isf, "isf");
    char *sympath = kdx_asprintf("%s;%s", store_dir, isf);
    char *html = kdx_asprintf("%s/report.html", kdx_test_tmpdir());
    char *with = triage_to_string(dir, sympath, html);
    char *without = triage_to_string(dir, sympath, NULL);
    REQUIRE(with && without);
    /* The JSON lines do not change with --html (the text stays in the page). */
    CHECK_STR(with, without);
    CHECK(!strstr(with, "analyze_text"));
    char *page = kdx_test_read_file(html);
    REQUIRE(page);
    const char *last = strrchr(with, '{');
    while (last > with && strncmp(last, "{\"summary\"", 10))
        last--;
    json_t *sum = json_loads(last, 0, NULL);
    REQUIRE(sum);
    json_t *buckets = json_object_get(sum, "summary");
    CHECK(json_array_size(buckets) >= 5);
    size_t i;
    json_t *b;
    json_array_foreach(buckets, i, b) {
        char *row = kdx_asprintf("<tr><td>%s</td><td class=\"num\">%lld</td>",
                                 json_string_value(json_object_get(b, "bucket")),
                                 (long long)json_integer_value(json_object_get(b, "count")));
        CHECK_CONTAINS(page, row);
        char *anchor = kdx_asprintf("<section class=\"analysis\" id=\"dump-%zu\">", i);
        CHECK_CONTAINS(page, anchor);
        free(row);
        free(anchor);
    }
    char *count = kdx_asprintf("<b id=\"n-failed\">%zu</b>", json_array_size(json_object_get(sum, "failures")));
    CHECK_CONTAINS(page, count);
    free(count);
    /* The amdppm example's embedded analysis is the real `!analyze -v` text. */
    CHECK_CONTAINS(page, "FAILURE_BUCKET_ID:  AV_amdppm!WriteIoMemRawEx\n");
    CHECK_CONTAINS(page, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)</td><td>amdppm</td>");
    CHECK_CONTAINS(page, "<svg id=\"bars\"");
    CHECK_CONTAINS(page, "<svg id=\"timeline\"");
    CHECK_CONTAINS(page, "data-day=\"2021-02-21\"");
    /* Self-contained: no URL is fetched. */
    CHECK(!strstr(page, "src="));
    CHECK(!strstr(page, "http:"));
    CHECK(!strstr(page, "https:"));
    CHECK(!strstr(page, "<link"));
    json_decref(sum);
    free(page);
    free(with);
    free(without);
    free(html);
    free(sympath);
    free(store_dir);
    free(dir);
}

TEST(triage_html_unwritable_path_fails)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    REQUIRE(out);
    const char *paths[] = {dump};
    kdx_triage_options o = {.paths = paths, .npaths = 1, .jobs = 1, .html_path = "/nonexistent-dir/r.html"};
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = kdx_triage_run(&o, out);
    fclose(stderr);
    stderr = saved;
    fclose(out);
    CHECK_EQ(rc, -1);
    free(buf);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Workers list the symbol index files they mapped after their JSON line
 * and the parent preloads them for the workers forked after
 * (analysis/triage.c): the printed lines carry nothing of that, every dump
 * gets the symbolized bucket, and a second run (every index then preloaded
 * from the first worker on) prints the same. */
TEST(triage_real_symbols_preloaded_for_later_workers)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *target = realpath(dump, NULL); /* the links live elsewhere */
    REQUIRE(target != NULL);
    TESTDATA(store, "symstore");
    char *store_dir = kdx_strdup(store);
    TESTDATA(isf, "isf");
    char *sympath = kdx_asprintf("%s;%s", store_dir, isf);
    char *dir = kdx_asprintf("%s/links", kdx_test_tmpdir());
    REQUIRE(mkdir(dir, 0755) == 0);
    for (int i = 0; i < 6; i++) {
        char *link = kdx_asprintf("%s/d%d.dmp", dir, i);
        CHECK(symlink(target, link) == 0);
        free(link);
    }
    for (int run = 0; run < 2; run++) {
        char *out = triage_to_string(dir, sympath, NULL);
        REQUIRE(out != NULL);
        CHECK_EQ(count(out, "{\"schema\""), 6);
        CHECK_EQ(count(out, "AV_amdppm!WriteIoMemRawEx"), 7); /* six dumps and the summary */
        CHECK(strstr(out, ".kdxidx") == NULL);
        CHECK(strstr(out, "\"error\"") == NULL);
        free(out);
    }
    free(dir);
    free(sympath);
    free(store_dir);
    free(target);
}
