/* .shell, !! and .noshell on the kernel sample dump: the shell command gets
 * the rest of the line, -ci feeds it debugger output, -i/-o redirect, and
 * .noshell turns the family off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"

/* The output of commands on the kernel sample (caller frees); NULL without a tmpdir. */
static char *run_on_sample(const char *commands)
{
    const char *dir = kdx_test_tmpdir();
    if (!dir)
        return NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/shell_sample.dmp", dir);
    kdx_err err = {0};
    if (kdx_kdw_sample_apc_exit(KDX_KDW_BITMAP, path, &err) != KDX_OK)
        return NULL;
    return kdx_test_run(path, NULL, commands, &err);
}

TEST(shell_runs_the_rest_of_the_line)
{
    char *out = run_on_sample("!! echo one; echo two");
    REQUIRE(out);
    CHECK_CONTAINS(out, "one\ntwo\n.shell: Process exited\n");
    free(out);
}

TEST(shell_ci_feeds_debugger_output)
{
    char *out = run_on_sample(".shell -ci \".echo abc; .echo def\" tr a-z A-Z");
    REQUIRE(out);
    CHECK_CONTAINS(out, "ABC\nDEF\n.shell: Process exited\n");
    free(out);
}

TEST(shell_redirects_and_reports_open_failures)
{
    const char *dir = kdx_test_tmpdir();
    REQUIRE(dir);
    char *in = kdx_asprintf("%s/shell_in.txt", dir), *outfile = kdx_asprintf("%s/shell_out.txt", dir);
    FILE *f = fopen(in, "w");
    REQUIRE(f);
    fputs("from a file\n", f);
    fclose(f);
    char *cmds = kdx_asprintf(".shell -i %s -o %s cat", in, outfile);
    char *out = run_on_sample(cmds);
    REQUIRE(out);
    CHECK_CONTAINS(out, ".shell: Process exited\n");
    CHECK(!strstr(out, "from a file"));
    size_t len = 0;
    char *text = NULL;
    f = fopen(outfile, "r");
    REQUIRE(f);
    text = calloc(1, 64);
    len = fread(text, 1, 63, f);
    fclose(f);
    CHECK_EQ(len, strlen("from a file\n"));
    CHECK_STR(text, "from a file\n");
    free(text);
    free(out);
    free(cmds);
    out = run_on_sample(".shell -o /nonexistent-dir/x echo; .shell; .shell -q x");
    REQUIRE(out);
    CHECK_CONTAINS(out, ".shell: cannot open /nonexistent-dir/x for output: No such file or directory\n");
    free(out);
    out = run_on_sample(".shell");
    REQUIRE(out);
    CHECK_CONTAINS(out, ".shell: give a command; kdx does not open an interactive shell\n");
    free(out);
    free(in);
    free(outfile);
}

TEST(shell_noshell_disables_it)
{
    char *out = run_on_sample(".noshell; !! echo ran");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Shell commands are disabled (.noshell)\n");
    CHECK(!strstr(out, "\nran\n"));
    free(out);
}

TEST(extension_dll_commands_say_what_they_mean_here)
{
    char *out = run_on_sample(".load kdexts; .loadby C:\\dbg\\ndiskd.dll nt; .load nosuch; .unload; .chain");
    REQUIRE(out);
    CHECK_CONTAINS(out, "kdexts: nothing loaded; kdx runs no extension DLLs");
    CHECK_CONTAINS(out, "ndiskd: nothing loaded;");
    CHECK_CONTAINS(out, "Cannot load extension DLL 'nosuch': kdx runs no extension DLLs");
    CHECK_CONTAINS(out, "Nothing to unload: kdx loads no extension DLLs\n");
    CHECK_CONTAINS(out, "Extension DLL chain:\n    kdx: ");
    CHECK(!strstr(out, "not implemented"));
    free(out);
}
