#include "commands/command.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* `!ext.cmd` and `.cmd` names run to the first blank; plain names are
 * matched as the longest registered prefix. */
const kdx_command *kdx_command_find(const char *line, size_t *name_len)
{
    const kdx_command *best = NULL;
    size_t best_len = 0;
    bool bang_or_dot = line[0] == '!' || line[0] == '.';
    size_t word = 0;
    if (bang_or_dot) {
        word = 1;
        while (line[word] && !isspace((unsigned char)line[word]) && line[word] != ';')
            word++;
    }
    for (const kdx_command *const *fam = kdx_command_families; *fam; fam++) {
        for (const kdx_command *c = *fam; c->name; c++) {
            size_t n = strlen(c->name);
            if (kdx_strncasecmp(line, c->name, n) != 0)
                continue;
            if (bang_or_dot) {
                if (n != word)
                    continue;
            } else {
                bool symbol_name = !is_word_char(c->name[n - 1]);
                if (!symbol_name && is_word_char(line[n]) && !(c->flags & KDX_CMD_PREFIX))
                    continue;
            }
            if (n > best_len) {
                best = c;
                best_len = n;
            }
        }
    }
    if (name_len)
        *name_len = best ? best_len : word;
    return best;
}

int kdx_cmd_syntax_error(kdx_session *s, const char *cmd, const char *at)
{
    (void)at;
    char prompt[32];
    kdx_session_prompt(s, prompt, sizeof prompt);
    kdx_print(s, "%*s^ Syntax error in '%s'\n", (int)strlen(prompt), "", cmd);
    return 1;
}

int kdx_cmd_memory_access_error(kdx_session *s, const char *cmd, const char *args)
{
    char prompt[32];
    kdx_session_prompt(s, prompt, sizeof prompt);
    char *text = *args ? kdx_asprintf("%s %s", cmd, args) : kdx_strdup(cmd);
    kdx_print(s, "%*s^ Memory access error in '%s'\n", (int)(strlen(prompt) + strlen(text) - 1), "",
              text);
    free(text);
    return 1;
}

int kdx_cmd_fail(kdx_session *s, const kdx_err *err)
{
    kdx_print_err(s, err);
    return 1;
}

bool kdx_cmd_need_target(kdx_session *s)
{
    if (s->target)
        return true;
    kdx_print(s, "No target is open; start kdx with -z FILE.\n");
    return false;
}

/* Finds the end of one command: the first ';' outside double quotes. */
static size_t command_end(const char *p)
{
    bool quoted = false;
    size_t i = 0;
    for (; p[i]; i++) {
        if (p[i] == '"' && (i == 0 || p[i - 1] != '\\'))
            quoted = !quoted;
        else if (p[i] == ';' && !quoted)
            break;
    }
    return i;
}

static int run_one(kdx_session *s, const char *text)
{
    if (s->echo_commands) {
        char prompt[64];
        kdx_session_prompt(s, prompt, sizeof prompt);
        kdx_print(s, "%s%s\n", prompt, text);
    }
    size_t name_len = 0;
    const kdx_command *c = kdx_command_find(text, &name_len);
    if (!c) {
        char *cmd = kdx_strdup(text);
        kdx_rtrim(cmd);
        if (text[0] == '!') {
            char *name = kdx_strndup(text + 1, name_len ? name_len - 1 : 0);
            kdx_print(s, "No export %s found\n", name);
            free(name);
        } else {
            kdx_cmd_syntax_error(s, cmd, cmd);
        }
        free(cmd);
        return 1;
    }
    if (c->flags & KDX_CMD_LIVE) {
        char *cmd = kdx_strndup(text, name_len);
        kdx_print(s, "%s needs a live target; a dump cannot run, step or break.\n", cmd);
        free(cmd);
        return 1;
    }
    char *cmd = kdx_strndup(text, name_len);
    char *args = kdx_strdup(kdx_skip_ws(text + name_len));
    kdx_rtrim(args);
    int rc = c->fn(s, cmd, args);
    free(cmd);
    free(args);
    fflush(s->out);
    return rc ? 1 : 0;
}

int kdx_execute(kdx_session *s, const char *line)
{
    int failures = 0;
    const char *p = line;
    /* Ctrl-C stops the rest of the line too. */
    while (*p && !s->quit && !kdx_interrupted()) {
        p = kdx_skip_ws(p);
        if (!*p)
            break;
        size_t name_len;
        const kdx_command *c = kdx_command_find(p, &name_len);
        size_t len = (c && (c->flags & KDX_CMD_RAW)) ? strlen(p) : command_end(p);
        char *text = kdx_strndup(p, len);
        if (*kdx_skip_ws(text))
            failures += run_one(s, text);
        free(text);
        p += len;
        if (*p == ';')
            p++;
    }
    return failures;
}
