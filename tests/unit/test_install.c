/* make install into a temporary prefix, then a tiny C program built against
 * the installed tree with `pkg-config --cflags --libs kdx` opens the bundled
 * sample dump (written by the project's dump writer) through kdx.h. Also the
 * man page, the bash completion and the CLI's --help/--version. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"

static const char tiny_program[] =
    "#include <kdx.h>\n"
    "#include <stdio.h>\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    kdx_dbg *d;\n"
    "    if (argc < 2 || kdx_open(&d, argv[1], NULL) != KDX_OK) {\n"
    "        fprintf(stderr, \"open: %s\\n\", kdx_last_error());\n"
    "        return 1;\n"
    "    }\n"
    "    kdx_sysinfo si;\n"
    "    if (kdx_get_sysinfo(d, &si) != KDX_OK)\n"
    "        return 1;\n"
    "    printf(\"libkdx %s bugcheck %x modules %zu\\n\", kdx_version(), si.bugcheck_code, kdx_module_count(d));\n"
    "    char *text;\n"
    "    if (kdx_run_capture(d, \"!analyze -v\", 0, &text) == KDX_OK) {\n"
    "        fputs(text, stdout);\n"
    "        kdx_free(text);\n"
    "    }\n"
    "    kdx_close(d);\n"
    "    return 0;\n"
    "}\n";

static bool exists(const char *dir, const char *rel)
{
    char *p = kdx_asprintf("%s/%s", dir, rel);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Builds tiny.c against the prefix (static: with --static) and runs it on dump. */
static char *build_and_run(const char *prefix, const char *dir, const char *dump, bool static_link)
{
    char *cmd = kdx_asprintf(
        "cd %s && export PKG_CONFIG_PATH=%s/lib/pkgconfig && "
        "cc -std=c11 -Wall -Werror -o tiny%s tiny.c %s$(pkg-config %s --cflags --libs kdx) -Wl,-rpath,%s/lib "
        "2>&1 && ./tiny%s %s 2>&1",
        dir, prefix, static_link ? "-static-kdx" : "", static_link ? "-Wl,-Bstatic -lkdx -Wl,-Bdynamic " : "",
        static_link ? "--static" : "", prefix, static_link ? "-static-kdx" : "", dump);
    char *out = kdx_test_shell(cmd);
    free(cmd);
    return out;
}

TEST(install_prefix_and_pkg_config_program)
{
    if (kdx_test_sanitizer_skip_reason())
        SKIP("%s", kdx_test_sanitizer_skip_reason());
    const char *build = getenv("KDX_BUILD");
    if (!build)
        SKIP("KDX_BUILD (the build directory, set by make test) is not set");
    if (system("pkg-config --version >/dev/null 2>&1") != 0)
        SKIP("pkg-config is not installed (scripts/setup-deps.sh build installs it)");
    char *dir = kdx_strdup(kdx_test_tmpdir());
    char *prefix = kdx_asprintf("%s/prefix", dir);
    char *cmd = kdx_asprintf("scripts/install.sh %s %s >/dev/null", build, prefix);
    REQUIRE(system(cmd) == 0);
    free(cmd);
    static const char *const installed[] = {"bin/kdx", "lib/libkdx.so.1", "lib/libkdx.so", "lib/libkdx.a",
                                            "include/kdx.h", "lib/pkgconfig/kdx.pc", "share/man/man1/kdx.1",
                                            "share/bash-completion/completions/kdx"};
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++)
        if (!exists(prefix, installed[i]))
            kdx_test_fail(t, __FILE__, __LINE__, "%s/%s was not installed", prefix, installed[i]);

    char *dump = kdx_asprintf("%s/sample_apc_exit.dmp", dir);
    kdx_err err;
    REQUIRE(kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, dump, &err) == KDX_OK);
    char *src = kdx_asprintf("%s/tiny.c", dir);
    FILE *fp = fopen(src, "w");
    REQUIRE(fp);
    fputs(tiny_program, fp);
    fclose(fp);
    for (int st = 0; st < 2; st++) {
        char *out = build_and_run(prefix, dir, dump, st == 1);
        REQUIRE(out);
        CHECK_CONTAINS(out, "libkdx 0.16.0 bugcheck 20 modules ");
        CHECK_CONTAINS(out, "KERNEL_APC_PENDING_DURING_EXIT (20)");
        CHECK_CONTAINS(out, "[exit 0]");
        free(out);
    }
    /* The shared build really uses the installed libkdx.so.1. */
    char *ldd = kdx_asprintf("ldd %s/tiny", dir);
    char *out = kdx_test_shell(ldd);
    char *want = kdx_asprintf("%s/lib/libkdx.so.1", prefix);
    CHECK_CONTAINS(out, want);
    free(out);
    free(want);
    free(ldd);
    free(src);
    free(dump);
    free(prefix);
    free(dir);
}

TEST(install_cli_help_version_and_completion)
{
    const char *bin = getenv("KDX_BIN");
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    /* Arguments, and what the output must contain (ending with the exit status). */
    static const char *const cases[][3] = {
        {"--version", "kdx 0.16.0\n[exit 0]", ""},
        {"triage --help", "usage: kdx triage", "[exit 0]"},
        {"--help", "Exit status: 0 ok", "[exit 0]"},
        {"--bogus 2>/dev/null", "[exit 2]", ""},
        {"triage 2>/dev/null", "[exit 2]", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *c = kdx_asprintf("%s %s", bin, cases[i][0]);
        char *o = kdx_test_shell(c);
        CHECK_CONTAINS(o, cases[i][1]);
        CHECK_CONTAINS(o, cases[i][2]);
        free(o);
        free(c);
    }
    char *cmd, *out;
    /* Completion after -c offers the registry's commands; options otherwise. */
    cmd = kdx_asprintf("bash -c 'source dist/kdx.bash-completion; COMP_WORDS=(%s -c !ana); COMP_CWORD=2; _kdx; "
                       "printf \"%%s\\n\" \"${COMPREPLY[@]}\"; COMP_WORDS=(%s --ve); COMP_CWORD=1; _kdx; "
                       "printf \"%%s\\n\" \"${COMPREPLY[@]}\"'",
                       bin, bin);
    out = kdx_test_shell(cmd);
    CHECK_CONTAINS(out, "!analyze\n");
    CHECK_CONTAINS(out, "--version\n");
    free(out);
    free(cmd);
}

/* cdb's -cf SCRIPT and -logo/-loga LOGFILE: the script runs before -c with
 * its lines echoed, the log holds the session's output; a script that cannot
 * be read makes the exit status 1. */
TEST(install_cli_script_file_and_log_options)
{
    const char *bin = getenv("KDX_BIN");
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    const char *dir = kdx_test_tmpdir();
    REQUIRE(dir);
    char *script = kdx_asprintf("%s/start.txt", dir), *log = kdx_asprintf("%s/out.log", dir);
    FILE *f = fopen(script, "w");
    REQUIRE(f);
    fputs(".echo from the script\n? 2+3\n", f);
    fclose(f);
    char *cmd = kdx_asprintf("%s -cf %s -logo %s -c '.echo from -c; q'", bin, script, log);
    char *out = kdx_test_shell(cmd);
    CHECK_CONTAINS(out, "Opened log file '");
    CHECK_CONTAINS(out, "0: kd> .echo from the script\nfrom the script\n0: kd> ? 2+3\n");
    CHECK_CONTAINS(out, "0: kd> .echo from -c\nfrom -c\n");
    CHECK(!strstr(out, "$$<"));
    CHECK_CONTAINS(out, "[exit 0]");
    char *text = kdx_test_read_file(log);
    REQUIRE(text);
    CHECK_CONTAINS(text, "Evaluate expression: 5 = 00000000`00000005\n");
    CHECK_CONTAINS(text, "from -c\n");
    free(text);
    free(out);
    free(cmd);
    cmd = kdx_asprintf("%s -cf %s/missing.txt -loga %s -c q", bin, dir, log);
    out = kdx_test_shell(cmd);
    CHECK_CONTAINS(out, "Cannot run the script file: ");
    CHECK_CONTAINS(out, "[exit 1]");
    text = kdx_test_read_file(log);
    REQUIRE(text);
    CHECK_CONTAINS(text, "from -c\n"); /* -loga kept the first run */
    CHECK_CONTAINS(text, "missing.txt");
    free(text);
    free(out);
    free(cmd);
    free(script);
    free(log);
}
