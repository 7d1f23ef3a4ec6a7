/* The command splitter and the block runner of debugger command programs
 * (script.h). WinDbg replaces aliases when a block is entered, not when a
 * command inside it runs ("Elements of a Debugger Command Program"), so the
 * runner replaces them in the whole block text first and splits after: an
 * alias whose value holds ';' runs several commands, and an alias set inside
 * a block is seen by the blocks entered after that. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/script.h"

/* Deep enough for any program a person writes; an alias that expands to a
 * block using itself must end with a message, not a stack overflow. */
#define MAX_BLOCK_DEPTH 200

static void script_free(kdx_script *sc)
{
    if (!sc)
        return;
    kdx_script_free_aliases(sc);
    free(sc->failed_command);
    free(sc);
}

kdx_script *kdx_script_get(kdx_session *s)
{
    if (!s->script) {
        s->script = kdx_xcalloc(1, sizeof *s->script);
        s->script_free = script_free;
    }
    return s->script;
}

void kdx_script_set_limit(kdx_session *s, uint64_t max_blocks)
{
    kdx_script_get(s)->limit = max_blocks;
}

/* ---- splitting ---- */

const char *kdx_script_quote_end(const char *p)
{
    for (const char *q = p + 1; *q; q++) {
        if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
            q++; /* only \" and \\ escape (docs/cli.md); "Local\NINJA" keeps its backslash */
        else if (*q == '"')
            return q;
    }
    return NULL;
}

const char *kdx_script_skip_separators(const char *p)
{
    while (*p == ';' || isspace((unsigned char)*p))
        p++;
    return p;
}

/* The matching close of the open bracket at p (quotes respected), or NULL. */
static const char *matching_close(const char *p, char open, char close)
{
    int depth = 0;
    for (const char *q = p; *q; q++) {
        if (*q == '"') {
            q = kdx_script_quote_end(q);
            if (!q)
                return NULL;
        } else if (*q == open) {
            depth++;
        } else if (*q == close && --depth == 0) {
            return q;
        }
    }
    return NULL;
}

static const char *take_bracketed(const char *p, char open, char close, char **inner)
{
    const char *end = *p == open ? matching_close(p, open, close) : NULL;
    if (!end)
        return NULL;
    *inner = kdx_strndup(p + 1, (size_t)(end - p - 1));
    return end + 1;
}

const char *kdx_script_take_block(const char *p, char **body)
{
    return take_bracketed(kdx_script_skip_separators(p), '{', '}', body);
}

const char *kdx_script_take_parens(const char *p, char **inner)
{
    return take_bracketed(kdx_skip_ws(p), '(', ')', inner);
}

/* Length of a ".name" or plain command word, as the dispatcher reads it. */
static size_t word_length(const char *p)
{
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]) && !strchr(";{(\"", p[n]))
        n++;
    return n;
}

static bool word_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && kdx_strncasecmp(p, name, n) == 0;
}

/* Control-flow tokens: the command runs to the brace closing its body. */
static bool is_flow_token(const char *p, size_t n)
{
    static const char *const tokens[] = {".if", ".elsif", ".else", ".for", ".while", ".do",
                                         ".foreach", ".block", ".catch"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(tokens); i++)
        if (word_is(p, n, tokens[i]))
            return true;
    return false;
}

/* `as Name Text` takes the rest of the line, ';' included; with /x, /e or
 * a memory switch it ends at ';' like other commands (as, aS docs).
 * `r $.u0=Text` also takes the rest of the line ("Using Aliases"). */
static bool takes_rest_of_line(const char *p, size_t n)
{
    if (n == 2 && !strncmp(p, "as", 2)) {
        const char *a = kdx_skip_ws(p + 2);
        static const char *const ending[] = {"/x", "/e", "/ma", "/mu", "/msa", "/msu"};
        for (size_t i = 0; i < KDX_ARRAY_LEN(ending); i++)
            if (!strncmp(a, ending[i], strlen(ending[i])) && isspace((unsigned char)a[strlen(ending[i])]))
                return false;
        return true;
    }
    if (word_is(p, n, "r"))
        return kdx_script_is_fixed_alias_assignment(kdx_skip_ws(p + 1));
    const kdx_command *c = kdx_command_find(p, NULL);
    return c && (c->flags & KDX_CMD_RAW);
}

/* After .do's body: the condition, in parentheses or up to the next ';'. */
static size_t do_condition_end(const char *p, size_t i)
{
    const char *q = kdx_skip_ws(p + i);
    if (*q == '(') {
        const char *close = matching_close(q, '(', ')');
        return close ? (size_t)(close + 1 - p) : strlen(p);
    }
    const char *semi = strchr(q, ';');
    return semi ? (size_t)(semi - p) : strlen(p);
}

static size_t flow_command_end(const char *p, size_t name_len, bool is_do)
{
    int parens = 0, braces = 0;
    for (size_t i = name_len; p[i]; i++) {
        char c = p[i];
        if (c == '"') {
            const char *q = kdx_script_quote_end(p + i);
            if (!q)
                return strlen(p);
            i = (size_t)(q - p);
        } else if (c == '(') {
            parens++;
        } else if (c == ')') {
            parens -= parens > 0;
        } else if (c == '{') {
            braces++;
        } else if (c == '}' && braces > 0 && --braces == 0 && parens == 0) {
            return is_do ? do_condition_end(p, i + 1) : i + 1;
        } else if (c == ';' && braces == 0 && parens == 0) {
            const char *next = kdx_script_skip_separators(p + i);
            if (*next != '{' && *next != '(')
                return i;
            i = (size_t)(next - p) - 1;
        }
    }
    return strlen(p);
}

/* Up to the first ';' or newline outside quotes (and braces, when
 * braces_count): a newline ends a command as in WinDbg's script files, so
 * `-c` text and API calls may hold one command per line.
 * SIZE_MAX when a brace is left open. */
static size_t plain_command_end(const char *p, bool braces_count)
{
    int braces = 0;
    size_t i = 0;
    for (; p[i]; i++) {
        if (p[i] == '"') {
            const char *q = kdx_script_quote_end(p + i);
            if (!q)
                return strlen(p);
            i = (size_t)(q - p);
        } else if (braces_count && p[i] == '{') {
            braces++;
        } else if (braces_count && p[i] == '}' && braces > 0) {
            braces--;
        } else if ((p[i] == ';' || p[i] == '\n') && braces == 0) {
            return i;
        }
    }
    return braces ? SIZE_MAX : i;
}

size_t kdx_script_command_end(const char *p)
{
    size_t n = word_length(p);
    if (is_flow_token(p, n))
        return flow_command_end(p, n, word_is(p, n, ".do"));
    if (takes_rest_of_line(p, n))
        return strcspn(p, "\n"); /* the rest of the line: a newline still ends it */
    size_t end = plain_command_end(p, true);
    /* A lone '{' in an ordinary command's text is just a character. */
    return end != SIZE_MAX ? end : plain_command_end(p, false);
}

/* ---- running ---- */

static bool may_enter_block(kdx_session *s, kdx_script *sc)
{
    if (sc->depth >= MAX_BLOCK_DEPTH) {
        kdx_print(s, "Command blocks are nested more than %d deep; the program stops here.\n",
                  MAX_BLOCK_DEPTH);
        return false;
    }
    if (sc->limit && ++sc->entered > sc->limit) {
        kdx_print(s, "The command program entered more than %llu blocks, this session's limit; "
                     "it stops here.\n", (unsigned long long)sc->limit);
        return false;
    }
    return true;
}

static void note_failure(kdx_script *sc, char **cmd)
{
    if (!sc->failed_command) {
        sc->failed_command = *cmd;
        *cmd = NULL;
    }
}

static int run_typed(kdx_session *s, const char *cmd)
{
    return kdx_command_run(s, cmd, s->echo_commands);
}

/* Runs the commands of one block; top is the typed line itself, where a
 * failing command is reported and the next one still runs. */
static int run_text(kdx_session *s, const char *text, bool expand, bool top)
{
    kdx_script *sc = kdx_script_get(s);
    if (!may_enter_block(s, sc))
        return 1;
    char *expanded = expand ? kdx_alias_expand(sc, text) : NULL;
    const char *p = expanded ? expanded : text;
    kdx_if_state saved_if = sc->if_state;
    sc->if_state = KDX_IF_NONE;
    sc->depth++;
    int failures = 0;
    /* Ctrl-C stops the rest of the line and of every block around it. */
    while (!s->quit && sc->jump == KDX_JUMP_NONE && !kdx_interrupted()) {
        p = kdx_script_skip_separators(p);
        if (!*p)
            break;
        size_t len = kdx_script_command_end(p);
        char *cmd = kdx_rtrim(kdx_strndup(p, len));
        p += len;
        sc->if_state_set = false;
        if (top && !s->echo_commands)
            kdx_session_log_command(s, cmd); /* typed at the prompt: the log still shows it */
        /* Under --json each typed command is one element of the document. */
        bool failed = (top && s->json_document ? kdx_json_document_run(s, cmd, run_typed)
                                               : kdx_command_run(s, cmd, top && s->echo_commands)) != 0;
        if (!sc->if_state_set)
            sc->if_state = KDX_IF_NONE;
        if (failed) {
            failures++;
            note_failure(sc, &cmd);
        }
        free(cmd);
        if (top) {
            free(sc->failed_command);
            sc->failed_command = NULL;
        } else if (failed) {
            break;
        }
    }
    sc->depth--;
    sc->if_state = saved_if;
    free(expanded);
    return top ? failures : failures != 0;
}

int kdx_script_run_line(kdx_session *s, const char *line)
{
    kdx_script *sc = kdx_script_get(s);
    if (sc->depth) /* a command running a line of its own (~* k): a block of ours */
        return run_text(s, line, true, false);
    sc->entered = 0;
    int failures = run_text(s, line, true, true);
    sc->jump = KDX_JUMP_NONE;
    return failures;
}

int kdx_script_run_block(kdx_session *s, const char *text)
{
    return run_text(s, text, true, false);
}

int kdx_script_run_commands(kdx_session *s, const char *text)
{
    return run_text(s, text, false, false);
}

char *kdx_script_capture(kdx_session *s, const char *commands, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        kdx_print(s, "Cannot capture command output: out of memory\n");
        *rc = 1;
        return kdx_strdup("");
    }
    FILE *saved_out = s->out;
    bool saved_json = s->json; /* the text layout is what scripts parse */
    s->out = mem;
    s->json = false;
    *rc = kdx_script_run_block(s, commands);
    s->out = saved_out;
    s->json = saved_json;
    fclose(mem);
    return buf;
}

int kdx_script_syntax_error(kdx_session *s, const char *cmd, const char *args)
{
    char *text = kdx_asprintf("%s %s", cmd, args);
    kdx_cmd_syntax_error(s, text, text);
    free(text);
    return 1;
}

void kdx_script_loop_stopped(kdx_session *s, const char *loop, const char *iteration)
{
    kdx_script *sc = kdx_script_get(s);
    if (sc->failed_command)
        kdx_print(s, "%s: the loop stopped in %s: '%s' failed\n", loop, iteration,
                  sc->failed_command);
    else
        kdx_print(s, "%s: the loop stopped in %s\n", loop, iteration);
}
