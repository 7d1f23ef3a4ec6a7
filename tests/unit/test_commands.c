/* Unit tests for command dispatch: name matching, ';' splitting, errors. */
#include <stdio.h>
#include <stdlib.h>

#include "commands/command.h"
#include "tests/test.h"

TEST(commands_find_exact_and_prefix)
{
    size_t n;
    const kdx_command *c = kdx_command_find("q", &n);
    CHECK(c && !strcmp(c->name, "q"));
    c = kdx_command_find(".help foo", &n);
    CHECK(c && !strcmp(c->name, ".help") && n == 5);
    CHECK(kdx_command_find("qqq", &n) == NULL);
    CHECK(kdx_command_find(".nosuchcommand", &n) == NULL);
}

TEST(commands_unknown_reports_and_continues)
{
    char *out = kdx_test_run(NULL, NULL, "nosuch; .echo after; !nothere", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "^ Syntax error in 'nosuch'");
    CHECK_CONTAINS(out, "after\n");
    CHECK_CONTAINS(out, "No export nothere found");
    free(out);
}

TEST(commands_quit_stops_the_line)
{
    char *out = kdx_test_run(NULL, NULL, ".echo one; q; .echo two", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "one");
    CHECK(!strstr(out, "two"));
    free(out);
}

TEST(commands_quotes_keep_semicolons)
{
    char *out = kdx_test_run(NULL, NULL, "* comment; .echo x", NULL);
    REQUIRE(out);
    CHECK(out[0] == '\0'); /* * takes the whole rest of the line ($$ ends at ';') */
    free(out);
    out = kdx_test_run(NULL, NULL, ".echo \"a;b\"; .echo c", NULL);
    CHECK_STR(out, "a;b\nc\n");
    free(out);
    out = kdx_test_run(NULL, NULL, "g", NULL);
    CHECK_CONTAINS(out, "needs a live target");
    free(out);
}

TEST(commands_newline_separates_like_semicolon)
{
    char *out = kdx_test_run(NULL, NULL, ".echo one\n.echo two; .echo \"a\nb\"", NULL);
    CHECK_STR(out, "one\ntwo\na\nb\n");
    free(out);
    out = kdx_test_run(NULL, NULL, ".if (1) {\n.echo in\n}\n.echo out", NULL);
    CHECK_STR(out, "in\nout\n");
    free(out);
}

TEST(commands_version_names_the_library_version)
{
    char *out = kdx_test_run(NULL, NULL, "version", NULL);
    REQUIRE(out);
    char want[64];
    snprintf(want, sizeof want, "kdx %s: Windows crash-dump debugger", kdx_version());
    CHECK_CONTAINS(out, want);
    free(out);
}
