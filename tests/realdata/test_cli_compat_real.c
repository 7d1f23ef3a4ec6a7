/* Script and paste compatibility on the real dumps and the reference article:
 * pasted option dashes, `| 0 s`, `!analyze -hang`, 32-bit sign extension. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "commands/command.h"
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
    /* Without symbols nothing of the hang can be read: said, with a bucket that says so. */
    CHECK_CONTAINS(out, "HANG_ANALYSIS_INCOMPLETE:  what could not be read:\n"
                        "    nt!_ERESOURCE is not among the loaded types");
    CHECK_CONTAINS(out, "HANG_BUCKET_ID:  ANALYSIS_HANG_NO_THREAD_READABLE\n");
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

/* Issue 11's acceptance test, as written: for every dump of the test data,
 * `kdx -z DUMP --json -c "lm; !analyze -v; k; q" | python3 -m json.tool`
 * succeeds (stdout is one JSON document, even for the broken dumps kdx
 * refuses to open). */
TEST(cli_real_json_tool_accepts_every_dump)
{
    const char *bin = getenv("KDX_BIN");
    if (!bin || !*bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    TESTDATA(root, "user");
    char *find = kdx_asprintf("find '%s/..' -name '*.dmp' | sort", root);
    FILE *list = popen(find, "r");
    REQUIRE(list);
    char path[1024];
    int dumps = 0;
    while (fgets(path, sizeof path, list)) {
        kdx_rtrim(path);
        char *cmd = kdx_asprintf("'%s' -z '%s' --json -c \"lm; !analyze -v; k; q\" 2>/dev/null"
                                 " | python3 -m json.tool > /dev/null 2>&1",
                                 bin, path);
        int rc = system(cmd);
        if (rc != 0)
            kdx_test_fail(t, __FILE__, __LINE__, "json.tool rejected the --json output for %s", path);
        free(cmd);
        dumps++;
    }
    pclose(list);
    CHECK(dumps >= 16);
    free(find);
}

static json_t *run_json_cli(const char *dump, const char *commands, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    kdx_cli_options o = {.dump = dump, .commands = commands, .json = true};
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    *rc = kdx_cli_run(&o, mem, NULL);
    fclose(stderr);
    stderr = saved;
    fclose(mem);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    return doc;
}

/* Symbol-load errors go to "messages", never into the answer. */
TEST(cli_real_json_document_keeps_symbol_errors_apart)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    int rc;
    json_t *doc = run_json_cli(dump, "k; lm; .echo plain; q", &rc);
    REQUIRE(doc && json_is_array(doc));
    CHECK_EQ(rc, 0);
    CHECK_EQ(json_array_size(doc), 4);
    json_t *k = json_array_get(doc, 0);
    CHECK_STR(json_string_value(json_object_get(k, "command")), "k");
    CHECK_STR(json_string_value(json_object_get(k, "status")), "ok");
    /* k has its own JSON (frames with their trust): it is the result, not text. */
    json_t *frames = json_object_get(json_object_get(k, "result"), "frames");
    CHECK(json_is_array(frames) && json_array_size(frames) > 1);
    CHECK(json_object_get(k, "text") == NULL);
    json_t *msgs = json_object_get(k, "messages");
    CHECK(json_array_size(msgs) >= 1);
    CHECK_CONTAINS(json_string_value(json_array_get(msgs, 0)),
                   "*** ERROR: Module load completed but symbols could not be loaded for");
    json_t *lm = json_array_get(doc, 1);
    CHECK(json_is_array(json_object_get(json_object_get(lm, "result"), "modules")));
    CHECK(json_object_get(lm, "text") == NULL);
    CHECK_STR(json_string_value(json_object_get(json_array_get(doc, 2), "text")), "plain\n");
    json_decref(doc);
}

TEST(cli_real_json_document_for_a_dump_that_cannot_be_opened)
{
    TESTDATA(dump, "user/rust-minidump/invalid-range.dmp");
    int rc;
    json_t *doc = run_json_cli(dump, "lm; q", &rc);
    REQUIRE(doc && json_is_array(doc));
    CHECK_EQ(rc, 1);
    CHECK_EQ(json_array_size(doc), 1);
    json_t *el = json_array_get(doc, 0);
    CHECK_STR(json_string_value(json_object_get(el, "status")), "error");
    CHECK_CONTAINS(json_string_value(json_object_get(el, "error")), "minidump has no usable stream");
    CHECK_CONTAINS(json_string_value(json_object_get(el, "open")), "invalid-range.dmp");
    json_decref(doc);
}

/* An empty line after `db`/`u` continues where the output ended (WinDbg's
 * repeat); the REPL runs kdx_command_repeat_form of the last line. */
TEST(cli_real_repeat_continues_display_and_disassembly)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *db_again = kdx_command_repeat_form("db fffff804`8b580000 l10");
    char *u_again = kdx_command_repeat_form("u fffff804`8b58334c l2");
    char *cmds = kdx_asprintf("db fffff804`8b580000 l10; %s; u fffff804`8b58334c l2; %s", db_again, u_again);
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, cmds, &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "fffff804`8b580000  4d 5a 90 00");
    CHECK_CONTAINS(out, "\nfffff804`8b580010  "); /* the repeat starts where db ended */
    char *first_u = strstr(out, "fffff804`8b58334c ");
    REQUIRE(first_u);
    /* the repeated u goes on after the two instructions, not from the start again */
    CHECK(strstr(first_u + 1, "fffff804`8b58334c ") == NULL);
    free(out);
    free(cmds);
    free(db_again);
    free(u_again);
}

/* Quoted strings (docs/cli.md): \" and \\ are escapes, every other backslash
 * is kept, so the IPC article's object name "Local\NINJA..." is written and
 * found as typed, and "a\\" ends at its last quote. */
TEST(cli_real_backslashes_in_quoted_strings)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL,
                             "eza @esp \"Local\\NINJAPERF\"; da @esp; s -a @esp L100 \"Local\\NINJAPERF\"; "
                             "s -a @esp L100 \"Local\\\\NINJAPERF\"; .echo \"a\\\\\"; .echo b; "
                             "eza @esp \"q\\\"x\"; da @esp",
                             &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "010feec4  \"Local\\NINJAPERF\"\n");
    const char *hit = "010feec4  4c 6f 63 61 6c 5c 4e 49-4e 4a 41 50 45 52 46 00  Local\\NINJAPERF.\n";
    const char *first = strstr(out, hit);
    CHECK(first && strstr(first + 1, hit)); /* \\ in the pattern is one backslash too */
    CHECK_CONTAINS(out, "a\\\nb\n");
    CHECK_CONTAINS(out, "010feec4  \"q\"x\"\n");
    free(out);
}

/* amdppm.sys and Wdf01000.sys are /Brepro builds (debug directory entry of
 * type 16 in their images under symstore/): their TimeDateStamps C9C03000 and
 * A9A9D36E are hashes. Without the image, lmvm must not print a 2077 date. */
TEST(cli_real_lmvm_reproducible_build_hash)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, "lmvm amdppm; lmvm Wdf01000; !lmi amdppm", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "    Timestamp:        C9C03000 (inferred: a reproducible build file hash, not a timestamp;");
    CHECK_CONTAINS(out, "     Time Stamp: c9c03000 (inferred: a reproducible build file hash, not a timestamp;");
    CHECK_CONTAINS(out, "    Timestamp:        A9A9D36E (inferred: a reproducible build file hash");
    CHECK(!strstr(out, "2077 (C9C03000)"));
    free(out);
    TESTDATA(store, "symstore");
    char *setup = kdx_asprintf(".sympath %s", store);
    out = kdx_test_run(dump, setup, "ln fffff8048b58334c; lmvm amdppm; !lmi amdppm", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "     Time Stamp: c9c03000 (This is a reproducible build file hash, not a timestamp)\n");
    CHECK_CONTAINS(out, "    Image was built with /Brepro flag.\n"
                        "    Timestamp:        C9C03000 (This is a reproducible build file hash, not a timestamp)\n");
    free(out);
    free(setup);
}

/* The IPC article's !gle prints Windows' text for Win32 error 2; kdx's text
 * comes from [MS-ERREF] (src/errors/data) and must be the same words. */
TEST(cli_real_reference_gle_win32_text)
{
    FILE *f = fopen("../shared/reference/000_617b2d0e2144ee67.txt", "r");
    if (!f)
        SKIP("needs ../shared/reference/000_617b2d0e2144ee67.txt");
    char line[512], *want = NULL;
    while (!want && fgets(line, sizeof line, f)) {
        char *at = strstr(line, "LastErrorValue: (Win32) 0x2 (2) - ");
        if (at) {
            kdx_rtrim(at);
            want = kdx_strdup(at);
        }
    }
    fclose(f);
    REQUIRE(want);
    char *out = kdx_test_run(NULL, NULL, "!error 2", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, strstr(want, " - "));
    free(out);
    free(want);
}

/* lm t n (the triage scripts' module list): image name and TimeDateStamp in
 * place of the symbol status; a reproducible-build hash is not shown as a
 * date (amdppm's C9C03000 would be 2077, after the dump was written). */
TEST(cli_real_lm_t_n_names_and_stamps)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(dump, NULL, "lm t n m amd*; lm n m nt; lm t m amdpsp", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "fffff804`7a860000 fffff804`7a881000   amdpsp   amdpsp.sys   Fri Mar  6 21:04:04 2020 (5E62BAC4)\n");
    CHECK_CONTAINS(out, "fffff804`8b580000 fffff804`8b5bb000   amdppm   amdppm.sys   C9C03000 (inferred: a reproducible "
                        "build file hash, not a timestamp)\n");
    CHECK_CONTAINS(out, "fffff804`7ba00000 fffff804`7ca46000   nt       ntoskrnl.exe\n");
    CHECK_CONTAINS(out, "fffff804`7a860000 fffff804`7a881000   amdpsp   Fri Mar  6 21:04:04 2020 (5E62BAC4)\n");
    CHECK(!strstr(out, "(deferred)"));
    free(out);
}
