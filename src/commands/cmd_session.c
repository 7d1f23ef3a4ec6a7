/* Session commands: quitting, help, echo, comments, and the live-target
 * commands a dump cannot honour. */
#include <string.h>

#include "commands/command.h"
#include "commands/families.h"

static int cmd_quit(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    s->quit = true;
    return 0;
}

static int cmd_help(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    for (const kdx_command *const *fam = kdx_command_families; *fam; fam++)
        for (const kdx_command *c = *fam; c->name; c++)
            if (!*args || strstr(c->name, args))
                kdx_print(s, "%-20s %s\n", c->name, c->summary);
    return 0;
}

static int cmd_echo(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    size_t n = strlen(args);
    if (n >= 2 && args[0] == '"' && args[n - 1] == '"')
        kdx_print(s, "%.*s\n", (int)(n - 2), args + 1);
    else
        kdx_print(s, "%s\n", args);
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

const kdx_command kdx_cmds_session[] = {
    {"q", cmd_quit, "quit", 0},
    {"qq", cmd_quit, "quit", 0},
    {"qd", cmd_quit, "quit (detach)", 0},
    {".help", cmd_help, "list commands (.help PATTERN filters)", 0},
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
    {"bp", cmd_live, "breakpoint (live targets only)", KDX_CMD_LIVE | KDX_CMD_RAW},
    {"bu", cmd_live, "unresolved breakpoint (live targets only)", KDX_CMD_LIVE | KDX_CMD_RAW},
    {"bm", cmd_live, "breakpoints by pattern (live targets only)", KDX_CMD_LIVE | KDX_CMD_RAW},
    {"ba", cmd_live, "hardware breakpoint (live targets only)", KDX_CMD_LIVE | KDX_CMD_RAW},
    {"sxe", cmd_live, "exception filter (live targets only)", KDX_CMD_LIVE},
    {0}};
