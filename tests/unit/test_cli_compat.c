/* Commands as scripts and pasted articles write them: typographic dashes and
 * quotes, breakpoint commands with quoted command strings, WinDbg commands
 * kdx does not have, help topics. */
#include <ctype.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "commands/command.h"
#include "tests/test.h"

TEST(cli_pasted_dashes_quotes_and_spaces_become_ascii)
{
    char *n = kdx_command_normalize_pasted("!analyze \xe2\x80\x93v");
    CHECK_STR(n, "!analyze -v");
    free(n);
    n = kdx_command_normalize_pasted("!analyze \xe2\x80\x94v\xc2\xa0; .echo \xe2\x80\x9c" "a \xe2\x80\x93 b\xe2\x80\x9d");
    CHECK_STR(n, "!analyze -v ; .echo \"a \xe2\x80\x93 b\""); /* the dash inside quotes stays */
    free(n);
    n = kdx_command_normalize_pasted("? \xe2\x80\x98" "ab\xe2\x80\x99");
    CHECK_STR(n, "? 'ab'");
    free(n);
    char *out = kdx_test_run(NULL, NULL, ".echo \xe2\x80\x9c" "a;b\xe2\x80\x9d; .echo c", NULL);
    CHECK_STR(out, "a;b\nc\n");
    free(out);
}

TEST(cli_breakpoints_parse_their_whole_argument)
{
    char *out = kdx_test_run(NULL, NULL,
                             "bp 1; .echo one; bp fffff800`014798f6 \"k;g\"; .echo two; "
                             "bu nt!KeBugCheckEx; bm nt!Ke*; ba w 4 005d5f10; ba r8 1; "
                             "bp /t ffffa000 /p ffffb000 2 3 \"kn; .echo \\\"x;y\\\"\"; .echo three",
                             NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "bp needs a live target; a dump cannot run, step or break.\none\n");
    CHECK_CONTAINS(out, "bp needs a live target; a dump cannot run, step or break.\ntwo\n");
    CHECK_CONTAINS(out, "bu needs a live target");
    CHECK_CONTAINS(out, "bm needs a live target");
    CHECK_CONTAINS(out, "ba needs a live target");
    CHECK_CONTAINS(out, "three\n");
    CHECK(!strstr(out, "Syntax error"));
    free(out);
    out = kdx_test_run(NULL, NULL, "ba x 4 1; bp 1 \"k\" 2; bp /p; .echo end", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Syntax error in 'ba'");
    CHECK_CONTAINS(out, "Syntax error in 'bp'");
    CHECK(!strstr(out, "needs a live target"));
    CHECK_CONTAINS(out, "end\n");
    free(out);
}

TEST(cli_breakpoint_list_and_go_commands_need_a_live_target)
{
    const char *cmds[] = {"bl", "bc *", "bd 1", "be 1", "gc", "gh", "gn"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char *out = kdx_test_run(NULL, NULL, cmds[i], NULL);
        REQUIRE(out);
        char want[64];
        snprintf(want, sizeof want, "%.2s needs a live target", cmds[i]);
        CHECK_CONTAINS(out, want);
        free(out);
    }
}

static bool prompt_ran;
static void note_prompt(kdx_dbg *d)
{
    (void)d;
    prompt_ran = true;
}

/* `kdx -c "bp 1; q"` used to hand "1; q" to bp and never quit. */
TEST(cli_batch_bp_then_q_quits)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    kdx_cli_options o = {.commands = "bp 1 \"k;g\"; q"};
    prompt_ran = false;
    /* bp fails on a dump, so the batch's exit status is 1 (docs/cli.md). */
    CHECK_EQ(kdx_cli_run(&o, mem, note_prompt), 1);
    fclose(mem);
    CHECK(!prompt_ran);
    CHECK_CONTAINS(text, "bp needs a live target");
    free(text);
}

TEST(cli_known_windbg_commands_say_not_implemented)
{
    char *out = kdx_test_run(NULL, NULL, "!whea; !kdexts.whea -v; !fltkd.volume; dx @$curprocess; "
                                         ".outmask 1; !nothere; nosuch",
                             NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "!whea: not implemented in kdx yet\n");
    CHECK_CONTAINS(out, "!kdexts.whea: not implemented in kdx yet\n");
    CHECK_CONTAINS(out, "!fltkd.volume: not implemented in kdx yet\n");
    CHECK_CONTAINS(out, "dx: not implemented in kdx yet\n");
    CHECK_CONTAINS(out, ".outmask: not implemented in kdx yet\n");
    CHECK_CONTAINS(out, "No export nothere found");
    CHECK_CONTAINS(out, "Syntax error in 'nosuch'");
    free(out);
    /* A registered handler always wins over the list. */
    CHECK(kdx_command_known_windbg("!whea") == 5);
    CHECK(kdx_command_known_windbg("gN") == 2);
    CHECK(kdx_command_known_windbg("nosuch") == 0);
}

TEST(cli_help_lists_what_exists_and_hh_answers)
{
    char *out = kdx_test_run(NULL, NULL, ".help pte; help !d*; .help !whea; .help zzzz", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "!pte ");
    CHECK_CONTAINS(out, "!db ");
    CHECK_CONTAINS(out, "!whea: not implemented in kdx yet");
    CHECK_CONTAINS(out, "No kdx command matches 'zzzz'");
    CHECK(!strstr(out, "\nlm "));
    free(out);
    out = kdx_test_run(NULL, NULL, ".hh dbgerr004; .hh !pte; .hh; .hh !whea; .hh nosuch", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "dbgerr004: Page Not Present in Dump File\n");
    CHECK_CONTAINS(out, "!pte - page-table entries");
    CHECK_CONTAINS(out, ".help lists its commands");
    CHECK_CONTAINS(out, "!whea: not implemented in kdx yet");
    CHECK_CONTAINS(out, "No help topic 'nosuch'");
    free(out);
}

TEST(cli_empty_line_repeat_form)
{
    const char *cases[][2] = {
        {"db fffff804`8b580000 l10", "db"}, {"  dq @rsp", "dq"}, {"u nt!KeBugCheckEx l4", "u"},
        {"d 1000", "d"}, {"k", "k"}, {"dd 1; dd 2", "dd 1; dd 2"}, {"dt _KTHREAD", "dt _KTHREAD"},
        {".echo a", ".echo a"}, {"ub 1000", "ub 1000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *form = kdx_command_repeat_form(cases[i][0]);
        CHECK_STR(form, cases[i][1]);
        free(form);
    }
}

/* kdx's own texts never send the user to a command kdx does not know: every
 * "!name" the bug-check descriptions mention is a command kdx has or one it
 * reports as not implemented yet. */
TEST(cli_commands_named_in_bugcheck_texts_are_known)
{
    FILE *f = fopen("src/analysis/bugcheck_text.c", "r");
    if (!f)
        SKIP("run from the project root (src/analysis/bugcheck_text.c not found)");
    char line[4096];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        for (char *p = strstr(line, "(see !"); p; p = strstr(p + 1, "(see !")) {
            char name[64];
            size_t n = 0;
            for (const char *q = p + 5; n + 1 < sizeof name && (isalnum((unsigned char)*q) || *q == '!' ||
                                                                *q == '.' || *q == '_');
                 q++)
                name[n++] = *q;
            name[n] = '\0';
            size_t len;
            if (!kdx_command_find(name, &len) && kdx_command_known_windbg(name) != n)
                kdx_test_fail(t, __FILE__, __LINE__, "%s is named in a bug-check text but unknown", name);
            checked++;
        }
    }
    fclose(f);
    CHECK(checked > 5);
}

/* The "not implemented yet" lists name only commands kdx lacks: a registered
 * command listed there would be a stale entry (the dispatcher never asks). */
TEST(cli_known_list_holds_no_registered_command)
{
    for (const kdx_command *const *fam = kdx_command_families; *fam; fam++)
        for (const kdx_command *c = *fam; c->name; c++)
            if ((c->name[0] == '!' || c->name[0] == '.') && kdx_command_known_windbg_listed(c->name))
                kdx_test_fail(t, __FILE__, __LINE__, "%s is registered but still in known.c's list", c->name);
}
