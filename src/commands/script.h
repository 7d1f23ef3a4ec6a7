/* Debugger command programs, as WinDbg defines them ("Using Debugger Command
 * Programs", "Using Aliases"): the splitter that cuts a line into commands
 * (quotes, braces and ';'), alias replacement each time a block is entered,
 * and the state the scripting commands share (aliases, .foreach variables,
 * pending .break/.continue, the .if chain, the command that failed).
 * kdx_execute runs every typed line through kdx_script_run_line. Internal to
 * the command layer. */
#ifndef KDX_COMMANDS_SCRIPT_H
#define KDX_COMMANDS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/util.h"
#include "target/session.h"

typedef enum kdx_jump {
    KDX_JUMP_NONE,
    KDX_JUMP_BREAK,    /* .break: leave the innermost loop */
    KDX_JUMP_CONTINUE, /* .continue: next iteration of the innermost loop */
    KDX_JUMP_LEAVE     /* .leave: leave the innermost .catch */
} kdx_jump;

typedef enum kdx_if_state { KDX_IF_NONE, KDX_IF_TAKEN, KDX_IF_NOT_TAKEN } kdx_if_state;

typedef struct kdx_alias {
    char *name;
    char *value;
} kdx_alias;

typedef struct kdx_script {
    KDX_VEC(kdx_alias) aliases; /* user-named aliases, sorted by name */
    char *fixed[10];            /* $u0..$u9; NULL is the empty string */
    KDX_VEC(kdx_alias) vars;    /* .foreach variables in scope, innermost last */
    unsigned depth;             /* blocks being run: 1 = the typed line */
    unsigned loops;             /* loops being run (.break/.continue need one) */
    unsigned catches;           /* .catch blocks being run (.leave needs one) */
    kdx_jump jump;              /* pending .break/.continue/.leave */
    kdx_if_state if_state;      /* outcome of the .if/.elsif just run in this block */
    bool if_state_set;          /* the command just run was part of an .if chain */
    char *failed_command;       /* innermost command that failed in this program */
    uint64_t limit;             /* most blocks one typed line may enter; 0 = no limit */
    uint64_t entered;           /* blocks entered by the current typed line */
    unsigned script_files;      /* script files ($<, $$>a<, ...) being run, nested */
} kdx_script;

/* The session's scripting state, created on first use. */
kdx_script *kdx_script_get(kdx_session *s);
/* Caps the blocks (loop bodies included) one typed line may enter; WinDbg
 * has no such cap and kdx sets none by default. The fuzzer sets one so
 * `.while (1) {}` ends. */
void kdx_script_set_limit(kdx_session *s, uint64_t max_blocks);

/* ---- splitting ---- */

/* Length of the command that starts at p (which is not blank): up to the
 * first ';' outside quotes and braces; a control-flow command (.if, .for,
 * .foreach, ...) runs to the brace that closes its body; commands that take
 * the rest of the line (`*`, `as`, `r $.u0=`) take it. */
size_t kdx_script_command_end(const char *p);
/* Skips blanks and the ';' WinDbg allows between a token's parts (script
 * files turn line ends into ';'). */
const char *kdx_script_skip_separators(const char *p);
/* The "{...}" at p (blanks and ';' skipped first): *body receives the text
 * between the braces (malloc'd); returns the text after '}', NULL when there
 * is no balanced block. */
const char *kdx_script_take_block(const char *p, char **body);
/* The "(...)" at p (blanks skipped first), likewise. */
const char *kdx_script_take_parens(const char *p, char **inner);
/* The end of a double-quoted string starting at p (on the opening quote):
 * the closing quote, or NULL. A backslash keeps the next character. */
const char *kdx_script_quote_end(const char *p);

/* ---- running ---- */

/* One typed line (kdx_execute): aliases replaced, commands run in turn;
 * a failing command is reported and the next one runs, as before. Returns
 * the number of commands that failed. */
int kdx_script_run_line(kdx_session *s, const char *line);
/* A block being entered: aliases replaced, commands run until one fails
 * (the program stops there, as in WinDbg) or a .break/.continue/.leave is
 * pending. Returns 0, or 1 when a command failed. */
int kdx_script_run_block(kdx_session *s, const char *text);
/* The same without alias replacement (a .for's initial and increment
 * commands, which were replaced with the line that holds them). */
int kdx_script_run_commands(kdx_session *s, const char *text);
/* Runs commands with their output captured instead of shown; returns the
 * output (malloc'd) and sets *rc as kdx_script_run_block does. */
char *kdx_script_capture(kdx_session *s, const char *commands, int *rc);
/* Prints why a loop stopped after a failing command: the loop, the
 * iteration (described by the caller) and the command that failed. */
void kdx_script_loop_stopped(kdx_session *s, const char *loop, const char *iteration);

/* "^ Syntax error in 'CMD ARGS'" naming the whole command; returns 1. */
int kdx_script_syntax_error(kdx_session *s, const char *cmd, const char *args);

/* ---- aliases (script_alias.c) ---- */

/* A user-named alias or .foreach variable: its value, NULL if undefined. */
const char *kdx_alias_lookup(const kdx_script *sc, const char *name, size_t len);
void kdx_alias_set(kdx_script *sc, const char *name, const char *value);
bool kdx_alias_remove(kdx_script *sc, const char *name);
void kdx_alias_remove_all(kdx_script *sc);
/* The text with $u0..$u9 replaced everywhere and, unless the text begins
 * with as/aS/ad/al, user-named aliases, .foreach variables and ${...}
 * tokens replaced where they stand alone (malloc'd). */
char *kdx_alias_expand(const kdx_script *sc, const char *text);
void kdx_script_push_var(kdx_script *sc, const char *name, const char *value);
void kdx_script_pop_var(kdx_script *sc);
void kdx_script_free_aliases(kdx_script *sc);

/* `r $.u0=Text` sets a fixed-name alias (cmd_alias.c; the r command
 * hands such arguments over). */
bool kdx_script_is_fixed_alias_assignment(const char *args);
int kdx_script_set_fixed_alias(kdx_session *s, const char *args);

/* ---- strings in target memory (script_strings.c), for .printf and as ---- */

typedef enum kdx_tstring {
    KDX_TSTR_ASCII,   /* %ma, as /ma: NUL-terminated bytes */
    KDX_TSTR_UTF16,   /* %mu, as /mu: NUL-terminated UTF-16 */
    KDX_TSTR_ANSI,    /* %msa, as /msa: ANSI_STRING structure */
    KDX_TSTR_UNICODE  /* %msu, as /msu: UNICODE_STRING structure */
} kdx_tstring;

/* A text file of the host (as /f, .foreach /f), at most max bytes; NULL
 * with err naming the file and the reason otherwise. */
char *kdx_script_read_file(const char *path, size_t max, kdx_err *err);

/* Reads a string of the target as UTF-8 (malloc'd into *out). Fails with
 * the address of the first missing byte rather than returning part of it. */
kdx_status kdx_script_read_string(kdx_session *s, uint64_t addr, kdx_tstring kind, char **out,
                                  kdx_err *err);

#endif
