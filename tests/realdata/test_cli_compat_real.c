/* Script and paste compatibility on the real dumps and the reference article:
 * pasted option dashes, `| 0 s`, `!analyze -hang`, 32-bit sign extension. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/test.h"

/* The command exactly as the NTDebugging article prints it ("kd> !analyze –v",
 * with an en dash), read from the reference file rather than retyped. */
static char *reference_analyze_command(kdx_test_ctx *t)
{
    const char *ref = "../shared/reference/000_617b2d0e2144ee67.txt";
    FILE *f = fopen(ref, "r");
    if (!f)
        return NULL;
    char line[512], *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *at = strstr(line, "kd> !analyze ");
        if (at && strstr(at, "\xe2\x80\x93")) {
            kdx_rtrim(at);
            found = kdx_strdup(at + 4);
        }
    }
    fclose(f);
    CHECK(found != NULL);
    return found;
}

TEST(cli_real_reference_analyze_with_en_dash_is_verbose)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *cmd = reference_analyze_command(t);
    if (!cmd)
        SKIP("needs ../shared/reference/000_617b2d0e2144ee67.txt");
    kdx_err err;
    char *pasted = kdx_test_run(dump, NULL, cmd, &err);
    char *typed = kdx_test_run(dump, NULL, "!analyze -v", &err);
    char *brief = kdx_test_run(dump, NULL, "!analyze", &err);
    REQUIRE(pasted && typed && brief);
    CHECK_STR(pasted, typed);
    CHECK(strcmp(pasted, brief) != 0);
    CHECK_CONTAINS(pasted, "STACK_TEXT:");
    free(pasted);
    free(typed);
    free(brief);
    free(cmd);
}

TEST(cli_real_process_command_with_blanks)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, "| 0 s; |0s; | 1 s", &err);
    REQUIRE(out);
    const char *line = ".  0\tid: 788\texamine\tname: C:\\projects\\breakpad-tools\\windows\\Release\\crash.exe\n";
    const char *first = strstr(out, line);
    CHECK(first && strstr(first + 1, line));
    CHECK_CONTAINS(out, "Illegal process error in '|1 s'");
    free(out);
}

TEST(cli_real_analyze_hang_says_what_is_missing)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, "!analyze -hang -v", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "!analyze -hang: kdx has no hang analysis yet");
    CHECK_CONTAINS(out, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)");
    CHECK(!strstr(out, "Syntax error"));
    free(out);
}

/* Sign extension (debugger docs, "Sign Extension"): numeric constants are
 * never sign extended in user mode, always in kernel mode. mini.dmp is a
 * 32-bit user-mode dump. */
TEST(cli_real_user32_constants_are_not_sign_extended)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, "? 8054099e; ? 8054099e*2; ? 8054099e+1", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Evaluate expression: -2141976162 = 8054099e\n");
    CHECK_CONTAINS(out, "= 00000001`00a8133c\n"); /* sign extended it would be ffffffff`00a8133c */
    CHECK_CONTAINS(out, "= 8054099f\n");
    CHECK(!strstr(out, "ffffffff`"));
    free(out);
}

TEST(cli_real_kernel32_constants_stay_sign_extended)
{
    kdx_test_generator gen = kdx_test_find_generator("mm_pae_article");
    REQUIRE(gen);
    char *path = kdx_asprintf("%s/pae_sign.dmp", kdx_test_tmpdir());
    kdx_err err = {0};
    REQUIRE(gen(path, &err) == KDX_OK);
    char *out = kdx_test_run(path, NULL, "? 8054099e*2; ? 0`8054099e*2", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "= ffffffff`00a8133c\n");
    CHECK_CONTAINS(out, "= 00000001`00a8133c\n");
    free(out);
    free(path);
}
