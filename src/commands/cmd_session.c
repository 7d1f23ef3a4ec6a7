/* Session commands: quitting, help, echo, comments, and the live-target
 * commands a dump cannot honour. */
#include <ctype.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"

static int cmd_quit(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    s->quit = true;
    return 0;
}

/* PATTERN with * or ? matches command names as `x` patterns do; a plain word
 * matches names or summaries that contain it (case-insensitive). */
static bool help_matches(const kdx_command *c, const char *pattern)
{
    if (!*pattern)
        return true;
    if (strpbrk(pattern, "*?"))
        return kdx_wildcard_match(pattern, c->name);
    return strcasestr(c->name, pattern) || strcasestr(c->summary, pattern);
}

/* `.help [PATTERN]` and `help [PATTERN]`: the commands kdx has, one per line. */
static int cmd_help(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    int shown = 0;
    for (const kdx_command *const *fam = kdx_command_families; *fam; fam++)
        for (const kdx_command *c = *fam; c->name; c++)
            if (help_matches(c, args)) {
                kdx_print(s, "%-20s %s\n", c->name, c->summary);
                shown++;
            }
    if (shown)
        return 0;
    if (kdx_command_known_windbg(args) == strlen(args))
        kdx_print(s, "%s: not implemented in kdx yet\n", args);
    else
        kdx_print(s, "No kdx command matches '%s' (.help alone lists them all)\n", args);
    return 1;
}

/* WinDbg's numbered error topics (Debugger Error and Warning Messages in the
 * debugger documentation) that kdx's own messages can lead to: the
 * missing-page line keeps WinDbg's wording `Type ".hh dbgerr004" for details`,
 * so that topic must answer here. */
static const struct {
    const char *topic, *title, *text;
} dbgerr_topics[] = {
    {"dbgerr004", "Page Not Present in Dump File",
     "The page holding that address was not written into this dump: kernel, triage and\n"
     "minidumps hold only part of memory. kdx shows such bytes as ?? and never guesses them;\n"
     ".ignore_missing_pages 1 hides the message."},
    {"dbgerr005", "Private Symbols Required",
     "The command needs type information that only full (private) PDB symbols carry; public\n"
     "symbols from a symbol server hold names and addresses only."},
};

#define DEBUGGER_DOCS "https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/"

static bool print_dbgerr_topic(kdx_session *s, const char *topic)
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(dbgerr_topics); i++)
        if (!kdx_strcasecmp(topic, dbgerr_topics[i].topic)) {
            kdx_print(s, "%s: %s\n%s\n", dbgerr_topics[i].topic, dbgerr_topics[i].title,
                      dbgerr_topics[i].text);
            kdx_print(s, "WinDbg's documentation: \"Debugger Error and Warning Messages\", "
                         DEBUGGER_DOCS "\n");
            return true;
        }
    return false;
}

/* `.hh [TOPIC]`: WinDbg opens its help file; kdx prints its own help for the
 * command named, or its explanation of a dbgerrNNN topic, and says where
 * WinDbg's documentation covers the rest. */
static int cmd_hh(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!*args) {
        kdx_print(s, "kdx has no help viewer: .help lists its commands, .hh COMMAND shows one.\n"
                     "WinDbg's documentation: " DEBUGGER_DOCS "\n");
        return 0;
    }
    if (print_dbgerr_topic(s, args))
        return 0;
    size_t name_len;
    const kdx_command *c = kdx_command_find(args, &name_len);
    if (c && !args[name_len]) {
        kdx_print(s, "%s - %s\n", c->name, c->summary);
        kdx_print(s, "WinDbg's documentation of %s: Debugger Reference, " DEBUGGER_DOCS "\n", c->name);
        return 0;
    }
    if (kdx_command_known_windbg(args) == strlen(args)) {
        kdx_print(s, "%s: not implemented in kdx yet. WinDbg's documentation of it: Debugger "
                     "Reference, " DEBUGGER_DOCS "\n", args);
        return 0;
    }
    kdx_print(s, "No help topic '%s' in kdx (.help PATTERN searches the commands)\n", args);
    return 1;
}

/* `.echo "text"` prints the quoted text (\" and \\ unescaped); unquoted
 * text is printed as typed. */
static int cmd_echo(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    kdx_strbuf text;
    kdx_sb_init(&text);
    kdx_sb_puts(&text, "");
    const char *end = args[0] == '"' ? kdx_cmd_parse_quoted(args, &text) : NULL;
    if (end && !*kdx_skip_ws(end))
        kdx_print(s, "%s\n", text.s);
    else
        kdx_print(s, "%s\n", args);
    kdx_sb_free(&text);
    return 0;
}

/* `.json [1|0]`: kdx's switch for structured output (what --json sets). */
static int cmd_json(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (*args)
        s->json = strcmp(args, "0") && strcmp(args, "off");
    kdx_print(s, "JSON output is %s\n", s->json ? "on" : "off");
    return 0;
}

static int cmd_comment(kdx_session *s, const char *cmd, const char *args)
{
    (void)s;
    (void)cmd;
    (void)args;
    return 0;
}

static int cmd_live(kdx_session *s, const char *cmd, const char *args)
{
    (void)args;
    kdx_print(s, "%s needs a live target; a dump cannot run, step or break.\n", cmd);
    return 1;
}

/* The end of the quoted string starting at p (after its closing quote),
 * NULL when it is not closed. \" inside does not close it. */
static const char *after_quoted(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

static bool is_option_with_value(char letter)
{
    return strchr("ptcCfw", letter) != NULL; /* /p EPROCESS, /t ETHREAD, /c, /C, /f N, /w "expr" */
}

/* ba's Access and Size: "w4" or "w 4"; access r, w, e or i, size 1, 2, 4 or 8. */
static const char *parse_ba_access(const char *p)
{
    if (!*p || !strchr("rweiRWEI", *p))
        return NULL;
    p = kdx_skip_ws(p + 1);
    if (!*p || !strchr("1248", *p) || (p[1] && !isspace((unsigned char)p[1])))
        return NULL;
    return kdx_skip_ws(p + 1);
}

/* bp, bu, bm, ba: [ID] [options] [ADDRESS [PASSES]] ["COMMANDS"], parsed whole
 * (the dispatcher already ended the command at the first ';' outside quotes)
 * so that a bad one is a syntax error and a good one the live-target refusal. */
static int cmd_breakpoint(kdx_session *s, const char *cmd, const char *args)
{
    const char *p = kdx_skip_ws(args);
    if (!kdx_strcasecmp(cmd, "ba") && !(p = parse_ba_access(p)))
        return kdx_cmd_syntax_error(s, cmd, args);
    bool value_next = false;
    while (*p) {
        const char *end;
        if (*p == '"') {
            if (!(end = after_quoted(p)))
                return kdx_cmd_syntax_error(s, cmd, p);
            if (!value_next && *kdx_skip_ws(end)) /* the command string comes last */
                return kdx_cmd_syntax_error(s, cmd, end);
        } else {
            end = p + strcspn(p, " \t\"");
            if (!value_next && p[0] == '/' && p[1] && is_option_with_value(p[1]) && end == p + 2) {
                value_next = true;
                p = kdx_skip_ws(end);
                continue;
            }
        }
        value_next = false;
        p = kdx_skip_ws(end);
    }
    if (value_next)
        return kdx_cmd_syntax_error(s, cmd, args);
    return cmd_live(s, cmd, args);
}

const kdx_command kdx_cmds_session[] = {
    {"q", cmd_quit, "quit", 0},
    {"qq", cmd_quit, "quit", 0},
    {"qd", cmd_quit, "quit (detach)", 0},
    {".help", cmd_help, "list commands (.help PATTERN filters)", 0},
    {"help", cmd_help, "list commands (help PATTERN filters)", 0},
    {".hh", cmd_hh, "help on one command or dbgerrNNN topic: .hh TOPIC", 0},
    {".json", cmd_json, "kdx: structured JSON output on (1) or off (0) for commands that support it", 0},
    {".echo", cmd_echo, "print text (ends at ';' unless quoted)", 0},
    {"$$", cmd_comment, "comment (ends at ';')", 0},
    {"*", cmd_comment, "comment", KDX_CMD_RAW},
    {"g", cmd_live, "go (live targets only)", KDX_CMD_LIVE},
    {"gu", cmd_live, "go up (live targets only)", KDX_CMD_LIVE},
    {"p", cmd_live, "step (live targets only)", KDX_CMD_LIVE},
    {"pc", cmd_live, "step to call (live targets only)", KDX_CMD_LIVE},
    {"pt", cmd_live, "step to return (live targets only)", KDX_CMD_LIVE},
    {"t", cmd_live, "trace (live targets only)", KDX_CMD_LIVE},
    {"wt", cmd_live, "watch and trace (live targets only)", KDX_CMD_LIVE},
    {"bp", cmd_breakpoint, "breakpoint (live targets only)", KDX_CMD_LIVE},
    {"bu", cmd_breakpoint, "unresolved breakpoint (live targets only)", KDX_CMD_LIVE},
    {"bm", cmd_breakpoint, "breakpoints by pattern (live targets only)", KDX_CMD_LIVE},
    {"ba", cmd_breakpoint, "hardware breakpoint (live targets only)", KDX_CMD_LIVE},
    {"sxe", cmd_live, "exception filter (live targets only)", KDX_CMD_LIVE},
    {"bl", cmd_live, "list breakpoints (live targets only)", KDX_CMD_LIVE},
    {"bc", cmd_live, "clear breakpoints (live targets only)", KDX_CMD_LIVE},
    {"bd", cmd_live, "disable breakpoints (live targets only)", KDX_CMD_LIVE},
    {"be", cmd_live, "enable breakpoints (live targets only)", KDX_CMD_LIVE},
    {"gc", cmd_live, "go from conditional breakpoint (live targets only)", KDX_CMD_LIVE},
    {"gh", cmd_live, "go with exception handled (live targets only)", KDX_CMD_LIVE},
    {"gn", cmd_live, "go with exception not handled (live targets only)", KDX_CMD_LIVE},
    {0}};
