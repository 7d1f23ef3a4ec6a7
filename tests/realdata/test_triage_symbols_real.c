/* kdx triage with symbols over several links to the triage dump: workers
 * list the index files they mapped after their JSON line and the parent
 * preloads them for the workers forked after (analysis/triage.c); the
 * printed lines carry nothing of that, every dump gets the symbolized
 * bucket, and a second run (every index then preloaded) prints the same. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/triage.h"
#include "base/util.h"
#include "tests/test.h"

static char *triage_json(const char *dir, const char *sympath)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    const char *paths[] = {dir};
    kdx_triage_options o = {.paths = paths, .npaths = 1, .jobs = 2, .json = true, .sympath = sympath};
    kdx_triage_run(&o, out);
    fclose(out);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

TEST(triage_real_symbols_preloaded_for_later_workers)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *target = realpath(dump, NULL); /* the links live elsewhere */
    REQUIRE(target != NULL);
    TESTDATA(store, "symstore");
    char *store_dir = strdup(store);
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
        char *out = triage_json(dir, sympath);
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
