/* Command family: control-flow tokens of debugger command programs, as
 * Microsoft's debugger documentation defines them ("Control Flow Tokens"):
 * .if/.elsif/.else, .for, .while, .do, .foreach, .break, .continue, .block,
 * .catch, .leave. Bodies are blocks in braces; each time one is entered its
 * aliases are replaced again (script.h). A command that fails inside a
 * loop stops the loop, which says which iteration and which command. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"
#include "expr/expr.h"

/* A token file larger than this is refused rather than read. */
#define MAX_FOREACH_FILE (64u << 20)

static bool only_blanks(const char *p)
{
    return *kdx_script_skip_separators(p) == '\0';
}

/* Condition evaluation: any non-zero value is true. Prints the error. */
static bool eval_condition(kdx_session *s, const char *cond, bool *value)
{
    uint64_t v = 0;
    kdx_err err;
    const char *c = kdx_skip_ws(cond);
    if (*c && kdx_expr_eval_all(s, c, &v, &err) != KDX_OK) {
        kdx_print_err(s, &err);
        return false;
    }
    *value = !*c || v != 0; /* an omitted .for condition is true, as in C */
    return true;
}

/* "(Condition) { Commands }" or "Condition { Commands }": the condition is
 * everything before the body's brace (outside parentheses and quotes). */
static bool split_condition_body(const char *args, char **cond, char **body)
{
    int parens = 0;
    const char *p = args;
    for (; *p; p++) {
        if (*p == '"') {
            p = kdx_script_quote_end(p);
            if (!p)
                return false;
        } else if (*p == '(') {
            parens++;
        } else if (*p == ')') {
            parens -= parens > 0;
        } else if (*p == '{' && parens == 0) {
            break;
        }
    }
    if (*p != '{')
        return false;
    char *c = kdx_strndup(args, (size_t)(p - args));
    for (size_t n = strlen(c); n && (c[n - 1] == ';' || isspace((unsigned char)c[n - 1]));)
        c[--n] = 0; /* ';' between the condition and the brace (script files) */
    const char *after = kdx_script_take_block(p, body);
    if (!after || !only_blanks(after) || !*kdx_skip_ws(c)) {
        if (after)
            free(*body);
        free(c);
        return false;
    }
    *cond = c;
    return true;
}

/* ---- .if / .elsif / .else ---- */

static int run_if_branch(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    char *cond, *body;
    if (!split_condition_body(args, &cond, &body))
        return kdx_script_syntax_error(s, cmd, args);
    bool yes = false;
    int rc = 1;
    if (eval_condition(s, cond, &yes))
        rc = yes ? kdx_script_run_block(s, body) : 0;
    free(cond);
    free(body);
    sc->if_state = yes ? KDX_IF_TAKEN : KDX_IF_NOT_TAKEN;
    sc->if_state_set = true;
    return rc;
}

static int cmd_if(kdx_session *s, const char *cmd, const char *args)
{
    return run_if_branch(s, cmd, args);
}

/* .elsif and .else continue the chain of the .if just before them. */
static bool chain_open(kdx_session *s, const char *cmd, const char *args)
{
    if (kdx_script_get(s)->if_state != KDX_IF_NONE)
        return true;
    kdx_script_syntax_error(s, cmd, args);
    kdx_print(s, "%s must follow an .if or .elsif block.\n", cmd);
    return false;
}

static int cmd_elsif(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    if (!chain_open(s, cmd, args))
        return 1;
    if (sc->if_state == KDX_IF_NOT_TAKEN)
        return run_if_branch(s, cmd, args);
    sc->if_state_set = true; /* an earlier branch ran: skip, and keep the chain open */
    return 0;
}

static int cmd_else(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    if (!chain_open(s, cmd, args))
        return 1;
    char *body;
    const char *after = kdx_script_take_block(args, &body);
    if (!after)
        return kdx_script_syntax_error(s, cmd, args);
    int rc = only_blanks(after)
                 ? (sc->if_state == KDX_IF_NOT_TAKEN ? kdx_script_run_block(s, body) : 0)
                 : kdx_script_syntax_error(s, cmd, args);
    free(body);
    return rc;
}

/* ---- loops ---- */

typedef enum { BODY_NEXT, BODY_END, BODY_FAILED } body_result;

/* One iteration: .continue goes on, .break ends the loop, .leave ends it
 * and stays pending for the .catch around it. */
static body_result run_body(kdx_session *s, const char *body)
{
    kdx_script *sc = kdx_script_get(s);
    if (kdx_script_run_block(s, body) != 0)
        return BODY_FAILED;
    if (kdx_interrupted()) /* Ctrl-C ends every loop */
        return BODY_END;
    switch (sc->jump) {
    case KDX_JUMP_BREAK:
        sc->jump = KDX_JUMP_NONE;
        return BODY_END;
    case KDX_JUMP_CONTINUE:
        sc->jump = KDX_JUMP_NONE;
        return BODY_NEXT;
    case KDX_JUMP_LEAVE:
        return BODY_END;
    default:
        return s->quit ? BODY_END : BODY_NEXT;
    }
}

static int stopped(kdx_session *s, const char *loop, unsigned iteration)
{
    char what[32];
    snprintf(what, sizeof what, "iteration %u", iteration);
    kdx_script_loop_stopped(s, loop, what);
    return 1;
}

/* A loop with a condition before each iteration (.for, .while) or after it
 * (.do); step runs between iterations (.for's increment commands). */
typedef struct loop_spec {
    const char *name;
    const char *cond;
    const char *body;
    const char *step;   /* NULL when none */
    bool test_first;
} loop_spec;

static int run_loop(kdx_session *s, const loop_spec *l)
{
    kdx_script *sc = kdx_script_get(s);
    int rc = 0;
    sc->loops++;
    for (unsigned n = 1;; n++) {
        bool go = true;
        if ((l->test_first || n > 1) && !eval_condition(s, l->cond, &go)) {
            rc = stopped(s, l->name, n);
            break;
        }
        if (!go)
            break;
        body_result r = run_body(s, l->body);
        if (r == BODY_FAILED) {
            rc = stopped(s, l->name, n);
            break;
        }
        if (r == BODY_END)
            break;
        if (l->step && kdx_script_run_commands(s, l->step) != 0) {
            rc = stopped(s, l->name, n);
            break;
        }
    }
    sc->loops--;
    return rc;
}

/* Splits .for's "Init ; Condition ; Increments" at the first two ';'
 * outside quotes and brackets; the increments keep their own ';'. */
static bool split_for_header(char *h, char **parts)
{
    int depth = 0, found = 0;
    parts[0] = h;
    for (char *p = h; *p && found < 2; p++) {
        if (*p == '"') {
            p = (char *)kdx_script_quote_end(p);
            if (!p)
                return false;
        } else if (*p == '(' || *p == '{') {
            depth++;
        } else if ((*p == ')' || *p == '}') && depth > 0) {
            depth--;
        } else if (*p == ';' && depth == 0) {
            *p = 0;
            parts[++found] = p + 1;
        }
    }
    return found == 2;
}

static int cmd_for(kdx_session *s, const char *cmd, const char *args)
{
    char *header, *body;
    const char *after = kdx_script_take_parens(args, &header);
    if (!after)
        return kdx_script_syntax_error(s, cmd, args);
    const char *end = kdx_script_take_block(after, &body);
    char *parts[3];
    if (!end || !only_blanks(end) || !split_for_header(header, parts)) {
        if (end)
            free(body);
        free(header);
        return kdx_script_syntax_error(s, cmd, args);
    }
    int rc = kdx_script_run_commands(s, parts[0]);
    if (rc == 0) {
        loop_spec l = {".for", parts[1], body, parts[2], true};
        rc = run_loop(s, &l);
    }
    free(header);
    free(body);
    return rc;
}

static int cmd_while(kdx_session *s, const char *cmd, const char *args)
{
    char *cond, *body;
    if (!split_condition_body(args, &cond, &body))
        return kdx_script_syntax_error(s, cmd, args);
    loop_spec l = {".while", cond, body, NULL, true};
    int rc = run_loop(s, &l);
    free(cond);
    free(body);
    return rc;
}

static int cmd_do(kdx_session *s, const char *cmd, const char *args)
{
    char *body;
    const char *after = kdx_script_take_block(args, &body);
    if (!after)
        return kdx_script_syntax_error(s, cmd, args);
    char *cond = kdx_strdup(kdx_script_skip_separators(after));
    kdx_rtrim(cond);
    int rc;
    if (!*cond) {
        rc = kdx_script_syntax_error(s, cmd, args);
    } else {
        loop_spec l = {".do", cond, body, NULL, false};
        rc = run_loop(s, &l);
    }
    free(cond);
    free(body);
    return rc;
}

static int cmd_break_continue(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    if (*args)
        return kdx_script_syntax_error(s, cmd, args);
    if (!sc->loops) {
        kdx_print(s, "%s is only valid inside a .for, .while, .do or .foreach loop.\n", cmd);
        return 1;
    }
    sc->jump = kdx_strcasecmp(cmd, ".break") == 0 ? KDX_JUMP_BREAK : KDX_JUMP_CONTINUE;
    return 0;
}

/* ---- .block, .catch, .leave ---- */

/* The body of a token that takes only "{ Commands }". NULL after an error. */
static char *single_block(kdx_session *s, const char *cmd, const char *args)
{
    char *body;
    const char *after = kdx_script_take_block(args, &body);
    if (after && only_blanks(after))
        return body;
    if (after)
        free(body);
    kdx_script_syntax_error(s, cmd, args);
    return NULL;
}

static int cmd_block(kdx_session *s, const char *cmd, const char *args)
{
    char *body = single_block(s, cmd, args);
    if (!body)
        return 1;
    int rc = kdx_script_run_block(s, body);
    free(body);
    return rc;
}

/* .catch: an error inside ends the block, not the program; the error
 * message has been shown already. */
static int cmd_catch(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    char *body = single_block(s, cmd, args);
    if (!body)
        return 1;
    sc->catches++;
    kdx_script_run_block(s, body);
    sc->catches--;
    if (sc->jump == KDX_JUMP_LEAVE)
        sc->jump = KDX_JUMP_NONE;
    free(sc->failed_command);
    sc->failed_command = NULL;
    free(body);
    return 0;
}

static int cmd_leave(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    if (*args)
        return kdx_script_syntax_error(s, cmd, args);
    if (!sc->catches) {
        kdx_print(s, ".leave is only valid inside a .catch block.\n");
        return 1;
    }
    sc->jump = KDX_JUMP_LEAVE;
    return 0;
}

/* ---- .foreach ---- */

typedef struct foreach_spec {
    uint64_t initial_skip; /* /pS */
    uint64_t skip;         /* /ps */
    char source;           /* 'c' commands, 's' /s string, 'f' /f file */
    char *var;
    char *input;           /* the commands, the string or the file name */
    char *body;
} foreach_spec;

static void foreach_free(foreach_spec *f)
{
    free(f->var);
    free(f->input);
    free(f->body);
}

/* "/pS N", "/ps N", "/s", "/f" in any order; NULL after a bad option. */
static const char *foreach_options(kdx_session *s, const char *p, foreach_spec *f)
{
    for (p = kdx_skip_ws(p); *p == '/'; p = kdx_skip_ws(p)) {
        if (p[1] == 'p' && (p[2] == 'S' || p[2] == 's') && isspace((unsigned char)p[3])) {
            uint64_t *slot = p[2] == 'S' ? &f->initial_skip : &f->skip;
            const char *num = kdx_skip_ws(p + 3); /* one word: "/pS 2 /ps 4" is no division */
            size_t n = 0;
            while (num[n] && !isspace((unsigned char)num[n]) && num[n] != '(')
                n++;
            char *word = kdx_strndup(num, n);
            kdx_err err;
            kdx_status st = kdx_expr_eval_all(s, word, slot, &err);
            free(word);
            if (st != KDX_OK) {
                kdx_print_err(s, &err);
                return NULL;
            }
            p = num + n;
        } else if ((p[1] == 's' || p[1] == 'f') && (isspace((unsigned char)p[2]) || p[2] == '(')) {
            f->source = p[1];
            p += 2;
        } else {
            return NULL;
        }
    }
    return p;
}

/* "( Variable { InCommands } )" or "( Variable "InString" )". */
static bool foreach_source(const char *inner, foreach_spec *f)
{
    const char *p = kdx_skip_ws(inner);
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != '{' && p[n] != '"')
        n++;
    if (!n)
        return false;
    f->var = kdx_strndup(p, n);
    p = kdx_skip_ws(p + n);
    const char *after;
    if (f->source == 'c') {
        after = kdx_script_take_block(p, &f->input);
    } else {
        const char *close = *p == '"' ? kdx_script_quote_end(p) : NULL;
        after = close ? close + 1 : NULL;
        if (after)
            f->input = kdx_strndup(p + 1, (size_t)(close - p - 1));
    }
    return after && !*kdx_skip_ws(after);
}

static bool foreach_parse(kdx_session *s, const char *args, foreach_spec *f)
{
    f->source = 'c';
    const char *p = foreach_options(s, args, f);
    char *inner = NULL;
    p = p ? kdx_script_take_parens(p, &inner) : NULL;
    if (!p)
        return false;
    bool ok = foreach_source(inner, f);
    free(inner);
    const char *end = ok ? kdx_script_take_block(p, &f->body) : NULL;
    return end && only_blanks(end);
}

/* The text whose tokens the loop visits; NULL after printing why not. */
static char *foreach_text(kdx_session *s, const foreach_spec *f)
{
    if (f->source == 's')
        return kdx_strdup(f->input);
    if (f->source == 'c') {
        int rc;
        char *out = kdx_script_capture(s, f->input, &rc);
        if (rc == 0)
            return out;
        kdx_print(s, "%s", out); /* the error the input commands printed */
        free(out);
        return NULL;
    }
    kdx_err err;
    char *text = kdx_script_read_file(f->input, MAX_FOREACH_FILE, &err);
    if (!text)
        kdx_print(s, ".foreach: %s\n", err.msg);
    return text;
}

/* Tokens are separated by any run of spaces, tabs and line ends. */
static char *next_token(char **cursor)
{
    char *p = *cursor;
    while (*p && strchr(" \t\r\n", *p))
        p++;
    if (!*p)
        return NULL;
    char *tok = p;
    while (*p && !strchr(" \t\r\n", *p))
        p++;
    if (*p)
        *p++ = 0;
    *cursor = p;
    return tok;
}

static int foreach_run(kdx_session *s, const foreach_spec *f, char *text)
{
    kdx_script *sc = kdx_script_get(s);
    int rc = 0;
    uint64_t skip = f->initial_skip;
    unsigned n = 0;
    sc->loops++;
    for (char *cur = text, *tok; (tok = next_token(&cur));) {
        if (skip) {
            skip--;
            continue;
        }
        skip = f->skip;
        n++;
        kdx_script_push_var(sc, f->var, tok);
        body_result r = run_body(s, f->body);
        kdx_script_pop_var(sc);
        if (r == BODY_FAILED) {
            char *what = kdx_asprintf("iteration %u (%s = %s)", n, f->var, tok);
            kdx_script_loop_stopped(s, ".foreach", what);
            free(what);
            rc = 1;
        }
        if (r != BODY_NEXT)
            break;
    }
    sc->loops--;
    return rc;
}

static int cmd_foreach(kdx_session *s, const char *cmd, const char *args)
{
    foreach_spec f = {0};
    int rc = 1;
    if (!foreach_parse(s, args, &f)) {
        kdx_script_syntax_error(s, cmd, args);
    } else {
        char *text = foreach_text(s, &f);
        if (text)
            rc = foreach_run(s, &f, text);
        free(text);
    }
    foreach_free(&f);
    return rc;
}

const kdx_command kdx_cmds_flow[] = {
    {".if", cmd_if, "run a block when a condition is true: .if (COND) { CMDS }", 0},
    {".elsif", cmd_elsif, "continue an .if chain: .elsif (COND) { CMDS }", 0},
    {".else", cmd_else, "end an .if chain: .else { CMDS }", 0},
    {".for", cmd_for, "loop: .for (INIT; COND; INCR) { CMDS }", 0},
    {".while", cmd_while, "loop: .while (COND) { CMDS }", 0},
    {".do", cmd_do, "loop, body first: .do { CMDS } (COND)", 0},
    {".foreach", cmd_foreach,
     "run commands for each token of output, a string or a file: "
     ".foreach [/pS N] [/ps N] [/s|/f] (VAR {CMDS}|\"TEXT\") { CMDS }", 0},
    {".break", cmd_break_continue, "leave the innermost .for/.while/.do/.foreach loop", 0},
    {".continue", cmd_break_continue, "next iteration of the innermost loop", 0},
    {".block", cmd_block, "a block, entered to replace aliases again: .block { CMDS }", 0},
    {".catch", cmd_catch, "a block whose errors do not end the program: .catch { CMDS }", 0},
    {".leave", cmd_leave, "leave the innermost .catch block", 0},
    {0}};
