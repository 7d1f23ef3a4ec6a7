/* Unit tests for debugger command programs: the splitter, alias replacement,
 * as/aS/ad/al, $u0..$u9, the control-flow tokens, .printf and
 * !for_each_module. Expected outputs of the documentation's own examples
 * ("Using Aliases", "as, aS (Set Alias)") are checked as printed there.
 * Targets: the project's sample kernel dump (modules, registers) and the
 * pool-leak fixture (strings in memory, a missing page). */
#include <stdlib.h>

#include "commands/command.h"
#include "commands/script.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"
#include "tests/unit/mm_fixture.h"

#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Runs each line as one typed line of a session on path or tg (either may
 * be absent); returns everything printed. */
static char *run_lines(const char *path, kdx_target *tg, const char *const *lines)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    kdx_err err;
    if (tg)
        s->target = tg;
    else if (path && kdx_session_open(s, path, &err) != KDX_OK)
        fprintf(mem, "open failed: %s\n", err.msg);
    for (; *lines; lines++)
        kdx_execute(s, *lines);
    kdx_session_free(s);
    fclose(mem);
    return out;
}

/* One typed line with no target. */
static char *run1(const char *line)
{
    return kdx_test_run(NULL, NULL, line, NULL);
}

/* A file of the test's temporary directory holding text (path in a
 * static buffer, NULL when it cannot be written). */
static const char *tmp_file(const char *name, const char *text)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", kdx_test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* The output of one typed line with no target is exactly want. */
#define EXPECT_RUN1(line, want)                                                     \
    do {                                                                            \
        char *got_ = run1(line);                                                    \
        CHECK_STR(got_, want);                                                      \
        free(got_);                                                                 \
    } while (0)

/* The writer's sample kernel dump: nt and five drivers, a register context. */
static const char *sample(void)
{
    static char path[512];
    if (!path[0]) {
        kdx_err err;
        snprintf(path, sizeof path, "%s/script_sample.dmp", kdx_test_tmpdir());
        if (kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, path, &err) != KDX_OK)
            path[0] = 0;
    }
    return path[0] ? path : NULL;
}

#define RUN_SAMPLE(out, ...)                                                        \
    const char *path_ = sample();                                                   \
    REQUIRE(path_);                                                                 \
    char *out = run_lines(path_, NULL, LINES(__VA_ARGS__));                         \
    REQUIRE(out)

/* ---- the splitter ---- */

static size_t end_of(const char *p)
{
    return kdx_script_command_end(p);
}

TEST(script_split_quotes_braces_and_flow_tokens)
{
    CHECK_EQ(end_of(".echo a; .echo b"), 7);
    CHECK_EQ(end_of(".echo \"a;b\"; x"), 11);
    CHECK_EQ(end_of(".echo \"a\\\";b\"; x"), 13); /* \" does not close the string */
    CHECK_EQ(end_of(".block { r; k }; x"), 15);
    CHECK_EQ(end_of(".if (1) { a; b } .else { c }"), 16); /* .else is a command of its own */
    CHECK_EQ(end_of(".for (r $t0=0; @$t0<3; r $t0=@$t0+1) { k }; x"), 42);
    CHECK_EQ(end_of(".foreach (t {lm; k}) { .echo t }; x"), 32);
    CHECK_EQ(end_of(".if (1);{ a }; x"), 13); /* script files: line ends became ';' */
    CHECK_EQ(end_of(".do { a; b } (@$t0 < 3); x"), 23);
    CHECK_EQ(end_of(".do { a } @$t0 < 3; x"), 18);
    CHECK_EQ(end_of("as x a; b"), 9);             /* as takes the rest of the line */
    CHECK_EQ(end_of("as /x x 1+2; b"), 11);       /* ... but not with /x */
    CHECK_EQ(end_of("aS x a; b"), 6);
    CHECK_EQ(end_of("r $.u0=a; b"), 11);
    CHECK_EQ(end_of("r rax; b"), 5);
    CHECK_EQ(end_of("* all; of it"), 12);
    CHECK_EQ(end_of("$$ comment; b"), 10);        /* $$ ends at ';' ($$ Comment Specifier) */
    CHECK_EQ(end_of(".echo { a; b"), 9);          /* an unclosed brace is just a character */
}

TEST(script_comment_ends_at_semicolon)
{
    EXPECT_RUN1("$$ some text; .echo shown; * more text; .echo hidden",
                "shown\n");
}

/* ---- alias replacement ---- */

TEST(script_alias_expand_rules)
{
    kdx_script sc = {0};
    kdx_alias_set(&sc, "fred", "2");
    kdx_alias_set(&sc, "cmd", "dd esp 14; g");
    sc.fixed[1] = kdx_strdup("one");
    char *e = kdx_alias_expand(&sc, ".echo fred \"fred\" fredx xfred {fred} ${fred}x (fred)");
    CHECK_STR(e, ".echo 2 \"2\" fredx xfred {fred} 2x (fred)");
    free(e);
    e = kdx_alias_expand(&sc, "? $u1+$u2;cmd");
    CHECK_STR(e, "? one+;dd esp 14; g"); /* fixed-name aliases even inside text; undefined is empty */
    free(e);
    e = kdx_alias_expand(&sc, "as x fred $u1");
    CHECK_STR(e, "as x fred one"); /* a line beginning with as: no user-named replacement */
    free(e);
    e = kdx_alias_expand(&sc, " as x fred");
    CHECK_STR(e, " as x 2");
    free(e);
    e = kdx_alias_expand(&sc, "${/d:fred} ${/d:nope} ${/f:nope}| ${/n:fred} ${/n:nope} ${/v:fred} ${nope}");
    CHECK_STR(e, "1 0 | fred ${/n:nope} ${/v:fred} ${nope}");
    free(e);
    kdx_alias_set(&sc, "loop", "loop loop");
    e = kdx_alias_expand(&sc, "loop");
    CHECK_STR(e, "loop loop"); /* replaced once, never rescanned */
    free(e);
    kdx_script_push_var(&sc, "fred", "var");
    e = kdx_alias_expand(&sc, "fred");
    CHECK_STR(e, "var"); /* a .foreach variable hides an alias of its name */
    free(e);
    kdx_script_free_aliases(&sc);
}

TEST(script_as_needs_a_new_block)
{
    /* The two examples of the as/aS documentation, with their output. */
    EXPECT_RUN1("aS /x myAlias 5 + 1; .block{.echo myAlias}",
                "0x6\n");
    EXPECT_RUN1("aS /x myAlias 5 + 1; .echo myAlias",
                "myAlias\n");
}

TEST(script_as_forms_and_al)
{
    char *out = run_lines(NULL, NULL, LINES(
        "as Two .echo a; .echo b", "Two", "aS Phrase \"x; y\"", ".echo Phrase", "aS Word z",
        "as /e Home KDX_SCRIPT_TEST_ENV", "al", "ad Word", "ad Word", "ad /q Word", "al",
        "ad *", "al"));
    CHECK_CONTAINS(out, "a\nb\n");      /* an alias holding ';' runs two commands */
    CHECK_CONTAINS(out, "x; y\n");
    CHECK_CONTAINS(out, "Environment variable 'KDX_SCRIPT_TEST_ENV' is not set\n");
    CHECK_CONTAINS(out, "  Alias            Value  \n -------          ------- \n"
                        " Phrase           x; y\n"
                        " Two              .echo a; .echo b\n"
                        " Word             z\n");
    CHECK_CONTAINS(out, "No alias named 'Word'\n");
    CHECK_CONTAINS(out, " Two              .echo a; .echo b\nNo aliases\n");
    free(out);
}

TEST(script_as_from_environment_file_and_output)
{
    setenv("KDX_SCRIPT_TEST_ENV", "from the environment", 1);
    const char *file = tmp_file("alias.txt", "file text");
    REQUIRE(file);
    char *setf = kdx_asprintf("aS /f FromFile %s", file);
    char *out = run_lines(NULL, NULL, LINES(
        "as /e Env KDX_SCRIPT_TEST_ENV", setf, "as /c Out .echo one; .echo two",
        "aS /c Out2 \".echo three\"", "aS /f Missing /nonexistent/kdx/alias.txt", "al"));
    CHECK_CONTAINS(out, "Cannot read '/nonexistent/kdx/alias.txt': No such file or directory\n");
    CHECK_CONTAINS(out, " Env              from the environment\n");
    CHECK_CONTAINS(out, " FromFile         file text\n");
    CHECK_CONTAINS(out, " Out              one\ntwo\n\n"); /* command output keeps its line ends */
    CHECK_CONTAINS(out, " Out2             three\n");
    free(out);
    free(setf);
    unsetenv("KDX_SCRIPT_TEST_ENV");
}

TEST(script_as_from_target_memory)
{
    char *out = mmfix_run(mmfix_x64_leak(),
                          "as /ma A fffff880`0496e700; as /mu U fffff880`0496e800; "
                          "as /msa SA fffff880`0496eb10; as /msu SU fffff880`0496eb00",
                          "al; as /ma Gone fffff880`0496eff8");
    CHECK_STR(out, "  Alias            Value  \n -------          ------- \n"
                   " A                Hello, world\n"
                   " SA               Hello\n"
                   " SU               Win\n"
                   " U                Win\n"
                   "Memory read error at fffff880`0496f000\n");
    free(out);
}

TEST(script_as_rejects_bad_names)
{
    char *out = run1("as adx 1");
    CHECK_CONTAINS(out, "Syntax error");
    free(out);
    out = run1("as x");
    CHECK_CONTAINS(out, "Syntax error");
    free(out);
}

TEST(script_fixed_name_aliases)
{
    /* The recursive-alias examples of "Using Aliases": 3, 3 and 9. */
    char *out = run_lines(NULL, NULL, LINES(
        "r $.u2=2", "r $.u1=1+$u2", "r $.u2=6", "? $u1",
        "as fred 2", "r $.u1= 1 + fred ", "as fred 6", "? $u1",
        "r $.u0=2", "r $.u0=7+$u0", "? $u0", "r $.u5=  .echo x; .echo y  ", "$u5", "r $.u3"));
    CHECK_STR(out, "Evaluate expression: 3 = 00000000`00000003\n"
                   "Evaluate expression: 3 = 00000000`00000003\n"
                   "Evaluate expression: 9 = 00000000`00000009\n"
                   "x\ny\n"
                   "$u3 is a fixed-name alias: set it with r $.u3=TEXT; it cannot be displayed.\n");
    free(out);
}

/* ---- .foreach ---- */

TEST(script_foreach_documentation_script)
{
    /* "Using Aliases": the alias set in the loop is seen one iteration late
     * unless the echo is in a new block. The script file's line ends are ';'. */
    const char *data = "/s (value \"00610000  00905a4d 00000003 00000004 0000ffff\")";
    char *late = kdx_asprintf(".foreach %s {;as /x ${/v:myAlias} value + 1;.echo value myAlias}", data);
    char *fixed = kdx_asprintf(".foreach %s {;as /x ${/v:myAlias} value + 1;.block{.echo value myAlias}}", data);
    char *out = run_lines(NULL, NULL, LINES(late, "ad myAlias", fixed, "ad myAlias"));
    CHECK_STR(out, "00610000 myAlias\n00905a4d 0x610001\n00000003 0x905a4e\n00000004 0x4\n0000ffff 0x5\n"
                   "00610000 0x610001\n00905a4d 0x905a4e\n00000003 0x4\n00000004 0x5\n0000ffff 0x10000\n");
    free(out);
    free(late);
    free(fixed);
}

TEST(script_foreach_token_in_alias_definition)
{
    /* "Using a .foreach Token in an Alias": `as` at the start of the body
     * sees no replacement, `;as` does. */
    RUN_SAMPLE(out, "r $t0 = 5", "ad /q myAlias",
               ".foreach /pS 2 /ps 2 (Token {?@$t0}) {as myAlias Token}", "al", "ad myAlias",
               ".foreach /pS 2 /ps 2 (Token {?@$t0}) {;as myAlias Token}", "al");
    CHECK_STR(out, "  Alias            Value  \n -------          ------- \n myAlias          Token\n"
                   "  Alias            Value  \n -------          ------- \n myAlias          5\n");
    free(out);
}

TEST(script_foreach_skips_and_sources)
{
    char *out = run_lines(NULL, NULL, LINES(
        ".foreach /pS 2 /ps 4 /s (t \"1 2 3 4 5 6 7 8 9 10 11 12 13 14\") { .echo t }",
        ".foreach /s (t \"a\tb\r\n\n c\") { .echo [${t}] }"));
    CHECK_STR(out, "3\n8\n13\n[a]\n[b]\n[c]\n");
    free(out);
    const char *file = tmp_file("tokens.txt", "fffff804`7ba00000\nnext  last\n");
    REQUIRE(file);
    char *cmd = kdx_asprintf(".foreach /f (place \"%s\") { .echo place }", file);
    EXPECT_RUN1(cmd,
                "fffff804`7ba00000\nnext\nlast\n");
    free(cmd);
    EXPECT_RUN1(".foreach /f (p \"/nonexistent/kdx\") { .echo p }",
                ".foreach: Cannot read '/nonexistent/kdx': No such file or directory\n");
}

TEST(script_foreach_nested_with_aliases)
{
    /* Nested loops; the inner variable and an alias replaced in the inner
     * body; the outer variable is seen inside too. */
    char *out = run_lines(NULL, NULL, LINES(
        "as sep ->",
        ".foreach /s (a \"x y\") { .foreach /s (b \"1 2\") { .echo a sep b } }",
        ".foreach /s (a \"p q\") { .foreach (b {.echo a; .echo a2}) { .echo ${a}:${b} } }"));
    CHECK_STR(out, "x -> 1\nx -> 2\ny -> 1\ny -> 2\np:p\np:a2\nq:q\nq:a2\n");
    free(out);
}

TEST(script_foreach_input_command_error)
{
    char *out = run1(".foreach (t {nosuchcommand}) { .echo t }; .echo after");
    CHECK_CONTAINS(out, "Syntax error in 'nosuchcommand'");
    CHECK_CONTAINS(out, "after\n");
    CHECK(!strstr(out, "nosuchcommand\n"));
    free(out);
}

/* ---- .if / loops ---- */

TEST(script_if_chains)
{
    char *out = run_lines(NULL, NULL, LINES(
        ".if (1) { .echo a } .else { .echo b }",
        ".if (0) { .echo a } .elsif (0) { .echo b } .elsif (1) { .echo c } .else { .echo d }",
        ".if (1) { .echo e } .elsif (1) { .echo f } .else { .echo g }",
        ".if 0 {.echo h};.else{.echo i}",
        ".block { .if (1) { .if (0) { .echo j } } .else { .echo k } }",
        ".else { .echo l }",
        ".if (nosuchsym) { .echo m }"));
    CHECK_CONTAINS(out, "a\nc\ne\ni\n");
    CHECK(!strstr(out, "b\n") && !strstr(out, "d\n") && !strstr(out, "f\n"));
    CHECK(!strstr(out, "j\n") && !strstr(out, "k\n") && !strstr(out, "l\n") && !strstr(out, "m\n"));
    CHECK_CONTAINS(out, ".else must follow an .if or .elsif block.\n");
    CHECK_CONTAINS(out, "Couldn't resolve error at 'nosuchsym");
    free(out);
}

TEST(script_loops_for_while_do)
{
    RUN_SAMPLE(out,
               ".for (r $t0 = 0; @$t0 < 3; r $t0 = @$t0 + 1; r $t1 = @$t0 * 0n10) { .printf \"%d \", @$t0 }",
               ".printf \"| %d\\n\", @$t1",
               "r $t0 = 5; .while (@$t0) { r $t0 = @$t0 - 1; .if (@$t0 == 3) { .continue }; "
               ".if (@$t0 == 1) { .break }; .printf \"w%d \", @$t0 }",
               "r $t0 = 9; .do { .printf \"do%d\\n\", @$t0 } (@$t0 < 5)",
               "r $t0 = 0; .do { r $t0 = @$t0 + 1 } @$t0 < 4; ? @$t0");
    CHECK_STR(out, "0 1 2 | 30\nw4 w2 do9\nEvaluate expression: 4 = 00000000`00000004\n");
    free(out);
}

TEST(script_nested_loops)
{
    RUN_SAMPLE(out,
               "r $t0 = 0; .for (r $t1 = 0; @$t1 < 4; r $t1 = @$t1 + 1) { "
               ".for (r $t2 = 0; @$t2 < 5; r $t2 = @$t2 + 1) { .if (@$t2 == 3) { .break }; "
               "r $t0 = @$t0 + 1 } }; ? @$t0",
               ".foreach /s (a \"1 2 3\") { r $t3 = 0; .while (@$t3 < ${a}) { .printf \"%d\", a; "
               "r $t3 = @$t3 + 1 }; .echo }");
    CHECK_STR(out, "Evaluate expression: 12 = 00000000`0000000c\n1\n22\n333\n");
    free(out);
}

TEST(script_error_stops_loop_naming_iteration_and_command)
{
    RUN_SAMPLE(out,
               ".for (r $t0 = 0; @$t0 < 5; r $t0 = @$t0 + 1) { .if (@$t0 == 2) { dd nosuchsym } "
               ".else { .printf \"ok%d \", @$t0 } }; .echo next",
               ".foreach /s (m \"zz yy\") { .foreach /s (n \"1 2\") { .if (${n} == 2) { ? m } } }");
    CHECK_CONTAINS(out, "ok0 ok1 ");
    CHECK_CONTAINS(out, "Couldn't resolve error at 'nosuchsym'\n"
                        ".for: the loop stopped in iteration 3: 'dd nosuchsym' failed\nnext\n");
    CHECK_CONTAINS(out, ".foreach: the loop stopped in iteration 2 (n = 2): '? zz' failed\n"
                        ".foreach: the loop stopped in iteration 1 (m = zz): '? zz' failed\n");
    free(out);
}

TEST(script_break_continue_need_a_loop)
{
    EXPECT_RUN1(".break; .continue; .leave; .echo after",
                ".break is only valid inside a .for, .while, .do or .foreach loop.\n"
                   ".continue is only valid inside a .for, .while, .do or .foreach loop.\n"
                   ".leave is only valid inside a .catch block.\n"
                   "after\n");
}

TEST(script_catch_and_leave)
{
    char *out = run1(".catch { .echo a; nosuch; .echo b }; .echo c; "
                                         ".catch { .echo d; .leave; .echo e }; .echo f");
    CHECK_CONTAINS(out, "a\n");
    CHECK_CONTAINS(out, "Syntax error in 'nosuch'");
    CHECK_CONTAINS(out, "c\nd\nf\n");
    CHECK(!strstr(out, "b\n") && !strstr(out, "e\n"));
    free(out);
}

TEST(script_syntax_errors)
{
    char *out = run_lines(NULL, NULL, LINES(".if (1) .echo x", ".for (a; b) { }", ".while { }",
                                            ".foreach (t) { }", ".foreach /q (t {k}) {}",
                                            ".block .echo x", "{ .echo bare }"));
    const char *p = out;
    int n = 0;
    while ((p = strstr(p, "Syntax error")))
        n++, p++;
    CHECK_EQ(n, 7);
    CHECK(!strstr(out, "\nx\n") && !strstr(out, "bare\n"));
    free(out);
}

TEST(script_runaway_programs_end)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    kdx_script_set_limit(s, 50);
    kdx_execute(s, ".while (1) { }; .echo after");
    kdx_execute(s, "as x .block { x }");
    kdx_script_set_limit(s, 0);
    kdx_execute(s, "x");
    kdx_session_free(s);
    fclose(mem);
    CHECK_CONTAINS(out, "The command program entered more than 50 blocks, this session's limit; it stops here.\n"
                        ".while: the loop stopped in iteration 50\nafter\n");
    CHECK_CONTAINS(out, "Command blocks are nested more than 200 deep; the program stops here.\n");
    free(out);
}

/* ---- .printf ---- */

TEST(script_printf_numbers)
{
    EXPECT_RUN1(".printf \"%x %X %I64x %I64X %d %i %u %o %c%c %5d|%-5x|%08X %%\\n\", "
                             "fffff8047bdf5a80, abc, fffff8047bdf5a80, fffff8047bdf5a80, -1, "
                             "ffffffff`fffffffe, -1, 8, 41, 0n66, 0n42, 1f, 0x1f",
                "7bdf5a80 ABC fffff8047bdf5a80 FFFFF8047BDF5A80 -1 -2 4294967295 10 AB "
                   "   42|1f   |0000001F %\n");
    EXPECT_RUN1(".printf \"%p %N %s|%s\\t\\\"q\\\"\\n\", fffff8047bdf5a80, 10, "
                                   "\"lit, eral\", \"two\"",
                "fffff804`7bdf5a80 0000000000000010 lit, eral|two\t\"q\"\n");
    EXPECT_RUN1(".printf /D \"<b>bold</b> &lt;x&gt;\\n\"; .printf /ow \"w\\n\"",
                "bold <x>\nw\n");
}

TEST(script_printf_strings_and_errors)
{
    char *out = mmfix_run(mmfix_x64_leak(), NULL,
                          ".printf \"[%ma] [%mu] [%msa] [%msu] [%s]\\n\", fffff880`0496e700, "
                          "fffff880`0496e800, fffff880`0496eb10, fffff880`0496eb00, fffff880`0496e700");
    CHECK_STR(out, "[Hello, world] [Win] [Hello] [Win] [Hello, world]\n");
    free(out);
    out = mmfix_run(mmfix_x64_leak(), NULL,
                    ".printf \"before %ma after\\n\", fffff880`0496eff8; .printf \"%d %d\\n\", 1; "
                    ".printf \"%q\", 1; .printf \"%y\\n\", fffff880`0496e700; .printf \"%\"; .printf x");
    CHECK_STR(out, "Memory read error at fffff880`0496f000\n"
                   ".printf: the format needs more than the 1 argument given\n"
                   ".printf: '%q' is not a conversion kdx knows\n"
                   "fffff880`0496e700\n"
                   ".printf: the format ends inside a conversion\n"
                   "       ^ Syntax error in '.printf x'\n");
    free(out);
}

TEST(script_printf_symbols_on_sample)
{
    /* The sample's modules come without symbols: %y names the module. */
    RUN_SAMPLE(out, ".printf \"%y\\n%y\\n\", fffff880`01000000, fffff880`01000010");
    CHECK_CONTAINS(out, "\nfltmgr (fffff880`01000000)\nfltmgr+0x10 (fffff880`01000010)\n");
    free(out);
}

/* ---- !for_each_module ---- */

TEST(script_for_each_module_aliases)
{
    RUN_SAMPLE(out, "!for_each_module .echo @#ModuleIndex @#ModuleName @#ImageName @#Base @#End "
                    "@#Size @#TimeDateStamp @#ModuleNameSize ${@#ModuleName}!x",
               "!for_each_module \".echo [@#ModuleName]; .echo @#SymbolFileName\"");
    CHECK_CONTAINS(out, "0x1 hal hal.dll fffff800`01bfd000 fffff800`01c46000 0x49000 0x4ce7c669 0x4 hal!x\n"
                        "0x2 fltmgr fltmgr.sys fffff880`01000000 fffff880`0104c000 0x4c000 0x4ce7929c 0x7 fltmgr!x\n");
    CHECK_CONTAINS(out, "0x5 srv srv.sys fffff880`03cd4000 fffff880`03d6c000 0x98000 0x4dd5e9a7 0x4 srv!x\n");
    CHECK_CONTAINS(out, "[hal]\nhal.dll\n[fltmgr]\nfltmgr.sys\n");
    free(out);
}

TEST(script_for_each_module_refusals_and_errors)
{
    RUN_SAMPLE(out, "!for_each_module .echo @#FileVersion", "!for_each_module .echo @#Flags",
               "!for_each_module \".echo @#ModuleName; .if (@#ModuleIndex == 2) { nosuch }\"",
               "!for_each_module -?");
    CHECK_CONTAINS(out, "!for_each_module: @#FileVersion is not available: kdx does not read the "
                        "version resource's text.\n");
    CHECK_CONTAINS(out, "!for_each_module: @#Flags is not available");
    CHECK_CONTAINS(out, "hal\nfltmgr\n");
    CHECK_CONTAINS(out, "!for_each_module: the loop stopped in module 2 (fltmgr): 'nosuch' failed\n");
    CHECK(!strstr(out, "Ntfs\n"));
    CHECK_CONTAINS(out, "    @#ModuleName\n");
    free(out);
}

TEST(script_for_each_module_needs_a_target)
{
    EXPECT_RUN1("!for_each_module .echo @#ModuleName",
                "No target is open; start kdx with -z FILE.\n");
}

/* ---- batch echo ---- */

TEST(script_only_typed_commands_are_echoed)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    s->echo_commands = true;
    kdx_execute(s, ".block { .echo in }; .echo out");
    kdx_session_free(s);
    fclose(mem);
    CHECK_STR(out, "0: kd> .block { .echo in }\nin\n0: kd> .echo out\nout\n");
    free(out);
}
