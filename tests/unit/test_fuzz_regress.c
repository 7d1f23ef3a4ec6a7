/* Regression tests for inputs the fuzz targets found crashing, hanging or
 * reading out of bounds: each feeds the reduced input and checks for a clean
 * result (an error or ordinary output). Run under `make asan` they fail on
 * the original bug. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "dump/kdump_writer.h"
#include "target/session.h"
#include "tests/test.h"

/* Runs text on a session over the kernel sample dump; returns the output
 * (malloc'd) or NULL when no temporary directory is available. */
static char *run_on_kernel_sample(const char *text)
{
    const char *dir = kdx_test_tmpdir();
    if (!dir)
        return NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/fuzz_regress_kernel.dmp", dir);
    kdx_err err;
    if (kdx_kdw_sample_apc_exit(KDX_KDW_BITMAP, path, &err) != KDX_OK)
        return NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    if (kdx_session_open(s, path, &err) == KDX_OK)
        kdx_execute(s, text);
    kdx_session_free(s);
    fclose(mem);
    return out;
}

/* fuzz_commands: `x` with a pattern matching nothing passed a NULL array to
 * qsort (undefined behaviour, UBSan abort). */
TEST(fuzz_regress_x_no_match)
{
    char *out = run_on_kernel_sample("x nt!NoSuchSymbolAnywhere*; x zzz!*");
    if (!out)
        SKIP("no temporary directory");
    CHECK(!strstr(out, "NoSuchSymbolAnywhere"));
    free(out);
}

/* Inputs whose output must contain a given message; each was a crash or
 * hang in fuzz_commands:
 * - `uf` ending in a bare '/' took the terminator for an option letter
 *   (strchr matches '\0') and scanned past the arguments (heap overflow);
 * - `!pte START END` walked every page of any range (`!pte f.<<a` never
 *   ended); ranges above the 256 MB sanity limit are refused. */
TEST(fuzz_regress_command_messages)
{
    static const char *const cases[][2] = {
        {"uf /", "Syntax error"},
        {"!pte 0 ffffffff`ffffffff", "above the 256 MB limit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = run_on_kernel_sample(cases[i][0]);
        if (!out)
            SKIP("no temporary directory");
        CHECK_CONTAINS(out, cases[i][1]);
        free(out);
    }
}

/* s over a range with no present memory handed the scanner a NULL span list
 * and did arithmetic on it (UBSan, found by fuzz_commands); the search must
 * simply find nothing. */
TEST(fuzz_regress_search_nothing_present)
{
    char *out = run_on_kernel_sample("s -d 005000|0 L100 0x7; .echo done");
    if (!out)
        SKIP("no temporary directory");
    CHECK_CONTAINS(out, "done");
    free(out);
}
