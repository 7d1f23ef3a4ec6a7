#include "commands/command.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/script.h"

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* `!ext.cmd` and `.cmd` names run to the first blank; plain names are
 * matched as the longest registered prefix. */
static const kdx_command *find_registered(const char *line, size_t *name_len);

/* "!kdexts.locks", "!ext.analyze": the command of a known extension DLL runs
 * the registered "!locks" when kdx has it (the whole word counts as its name). */
static const kdx_command *find_extension_prefixed(const char *line, size_t word)
{
    const char *dot = memchr(line + 1, '.', word - 1);
    if (line[0] != '!' || !dot || !kdx_command_extension_dll(line + 1, (size_t)(dot - line - 1)))
        return NULL;
    char *plain = kdx_asprintf("!%.*s", (int)(word - (size_t)(dot + 1 - line)), dot + 1);
    size_t len = 0;
    const kdx_command *c = find_registered(plain, &len);
    free(plain);
    return c;
}

const kdx_command *kdx_command_find(const char *line, size_t *name_len)
{
    size_t len = 0;
    const kdx_command *c = find_registered(line, &len);
    if (!c && (line[0] == '!'))
        c = find_extension_prefixed(line, len);
    if (name_len)
        *name_len = len;
    return c;
}

static const kdx_command *find_registered(const char *line, size_t *name_len)
{
    const kdx_command *best = NULL;
    size_t best_len = 0;
    bool bang_or_dot = line[0] == '!' || line[0] == '.';
    size_t word = 0;
    if (bang_or_dot) {
        word = 1;
        while (line[word] && !isspace((unsigned char)line[word]) && !strchr(";{(\"", line[word]))
            word++; /* ".if(x){...}", ".block{...}": the token ends at the bracket */
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

const char *kdx_cmd_parse_quoted(const char *p, kdx_strbuf *out)
{
    p = kdx_skip_ws(p);
    if (*p != '"')
        return NULL;
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++; /* \" and \\ only; "Local\NINJA" keeps its backslash */
        kdx_sb_putc(out, *p);
    }
    return *p == '"' ? p + 1 : NULL;
}

/* Web pages and blog posts show WinDbg commands with typographic characters
 * in place of ASCII: curly quotes, en and em dashes as option dashes (the
 * NTDebugging article's `!analyze –v`) and no-break spaces. A pasted command
 * means the ASCII one; dashes inside a quoted string are left as typed. */
char *kdx_command_normalize_pasted(const char *line)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    bool quoted = false;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x9c || p[2] == 0x9d)) {
            kdx_sb_putc(&sb, '"'); /* “ ” */
            quoted = !quoted;
            p += 2;
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99)) {
            kdx_sb_putc(&sb, '\''); /* ‘ ’ */
            p += 2;
        } else if (!quoted && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) {
            kdx_sb_putc(&sb, '-'); /* – — */
            p += 2;
        } else if (p[0] == 0xc2 && p[1] == 0xa0) {
            kdx_sb_putc(&sb, ' '); /* no-break space */
            p++;
        } else {
            if (*p == '"' && !(p > (const unsigned char *)line && p[-1] == '\\'))
                quoted = !quoted;
            kdx_sb_putc(&sb, (char)*p);
        }
    }
    return kdx_sb_take(&sb);
}

int kdx_command_run(kdx_session *s, const char *text, bool echo)
{
    if (echo) {
        char prompt[64];
        kdx_session_prompt(s, prompt, sizeof prompt);
        kdx_print(s, "%s%s\n", prompt, text);
    }
    size_t name_len = 0;
    const kdx_command *c = kdx_command_find(text, &name_len);
    if (!c) {
        size_t known = kdx_command_known_windbg(text);
        if (known) {
            kdx_print(s, "%.*s: not implemented in kdx yet\n", (int)known, text);
            return 1;
        }
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
    char *cmd = kdx_strndup(text, name_len);
    char *args = kdx_strdup(kdx_skip_ws(text + name_len));
    kdx_rtrim(args);
    int rc = c->fn(s, cmd, args);
    free(cmd);
    free(args);
    fflush(s->out);
    return rc ? 1 : 0;
}

int kdx_execute(kdx_session *s, const char *typed)
{
    /* Typographic dashes and quotes of pasted commands become ASCII first. */
    char *line = kdx_command_normalize_pasted(typed);
    int failures = kdx_script_run_line(s, line);
    free(line);
    return failures;
}

/* WinDbg repeats the last command on an empty line, and `d*` and `u` go on
 * where their output ended. A line that was one memory display or `u` is
 * repeated as the bare command word, which continues from the session's
 * display/disassembly position; any other line is repeated as typed. */
char *kdx_command_repeat_form(const char *last_line)
{
    char *line = kdx_command_normalize_pasted(last_line);
    const char *p = kdx_skip_ws(line);
    size_t name_len = 0, d_len;
    const kdx_command *c = kdx_command_find(p, &name_len);
    const kdx_command *d = kdx_command_find("d", &d_len);
    bool one_command = c && !(c->flags & KDX_CMD_RAW) && !p[kdx_script_command_end(p)];
    bool continues = one_command && ((d && c->fn == d->fn) || !strcmp(c->name, "u"));
    char *form = continues ? kdx_strndup(p, name_len) : kdx_strdup(last_line);
    free(line);
    return form;
}
