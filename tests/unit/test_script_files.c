/* Unit tests for script files ($<, $><, $$<, $$><, $$>a<) and the log file
 * (.logopen, .logappend, .logclose, .logfile), against the behaviour
 * Microsoft's "Run Script File" page describes: line-by-line runs echo each
 * command, the >< forms run one block, $$>a< replaces ${$argN} and does not
 * echo, and $< takes the rest of the line as the name. */
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "tests/test.h"

static char *write_text(const char *name, const char *text)
{
    const char *dir = kdx_test_tmpdir();
    if (!dir)
        return NULL;
    char *path = kdx_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        free(path);
        return NULL;
    }
    fputs(text, f);
    fclose(f);
    return path;
}

TEST(script_file_lines_are_echoed_and_run)
{
    char *path = write_text("lines.txt", ".echo one\r\n\n? 1+1\n");
    REQUIRE(path);
    char *cmd = kdx_asprintf("$$<%s; .echo after", path);
    char *out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_CONTAINS(out, "0: kd> .echo one\none\n0: kd> ? 1+1\nEvaluate expression: 2 = 00000000`00000002\nafter\n");
    free(out);
    free(cmd);
    /* $< takes the rest of the line: ";.echo after" is part of the name. */
    cmd = kdx_asprintf("$<%s;.echo after", path);
    out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_CONTAINS(out, "Cannot run the script file: ");
    CHECK_CONTAINS(out, "lines.txt;.echo after");
    CHECK(!strstr(out, "\nafter\n"));
    free(out);
    free(cmd);
    free(path);
}

TEST(script_file_block_spans_lines_and_takes_arguments)
{
    char *path = write_text("block.txt", ".if (1) {\n  .echo in block\n}\n.echo ${$arg1}+${$arg2} of ${$n}; .echo ${$arg3}\n");
    REQUIRE(path);
    char *cmd = kdx_asprintf("$$><%s", path);
    char *out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_CONTAINS(out, "in block\n");
    CHECK_CONTAINS(out, "${$arg1}+${$arg2} of ${$n}\n");
    free(out);
    free(cmd);
    cmd = kdx_asprintf("$$>a<%s first \"sec ond\"; .echo done", path);
    out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_STR(out, "in block\nfirst+sec ond of 2\n${$arg3}\ndone\n");
    free(out);
    free(cmd);
    free(path);
}

TEST(script_file_recursion_is_bounded)
{
    char *path = write_text("self.txt", "");
    REQUIRE(path);
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fprintf(f, "$$>a<%s\n", path); /* the script runs itself */
    fclose(f);
    char *cmd = kdx_asprintf("$$>a<%s", path);
    char *out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_CONTAINS(out, "Script files are nested more than 32 deep");
    free(out);
    free(cmd);
    free(path);
}

TEST(log_file_copies_output_and_commands)
{
    const char *dir = kdx_test_tmpdir();
    REQUIRE(dir);
    char *log = kdx_asprintf("%s/session.log", dir);
    char *cmd = kdx_asprintf(".logfile; .logopen %s; .echo kept; .logfile; .logclose; .echo dropped; .logclose", log);
    char *out = kdx_test_run(NULL, NULL, cmd, NULL);
    CHECK_CONTAINS(out, "No log file open\n");
    CHECK_CONTAINS(out, "Opened log file '");
    CHECK_CONTAINS(out, "Closing open log file ");
    char *text = kdx_test_read_file(log);
    REQUIRE(text);
    CHECK_CONTAINS(text, "kept\n");
    CHECK_CONTAINS(text, "session.log' open\n");
    CHECK(!strstr(text, "dropped"));
    free(text);
    free(out);
    free(cmd);
    /* .logappend keeps what is there. */
    cmd = kdx_asprintf(".logappend %s; .echo more; .logclose", log);
    out = kdx_test_run(NULL, NULL, cmd, NULL);
    text = kdx_test_read_file(log);
    REQUIRE(text);
    CHECK_CONTAINS(text, "kept\n");
    CHECK_CONTAINS(text, "more\n");
    free(text);
    free(out);
    free(cmd);
    free(log);
}
