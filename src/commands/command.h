/* The command layer: WinDbg command names mapped to handlers. Each command
 * family lives in its own file and exports a table; table.c lists them all. */
#ifndef KDX_COMMANDS_COMMAND_H
#define KDX_COMMANDS_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "target/session.h"

/* Handler: cmd is the command word as typed ("kn", "lmvm", "!pte"),
 * args the rest (leading spaces removed). Returns 0 on success, nonzero
 * after printing the error. */
typedef int (*kdx_cmd_fn)(kdx_session *s, const char *cmd, const char *args);

enum {
    KDX_CMD_PREFIX = 1 << 0, /* option letters may follow the name directly: k -> kbn, lm -> lmvm */
    KDX_CMD_RAW = 1 << 1,    /* takes the rest of the line, ';' included (.echo, $$) */
    KDX_CMD_LIVE = 1 << 2    /* needs a live target: its handler refuses on dumps with an explanation */
};

typedef struct kdx_command {
    const char *name;     /* "db", "!pte", ".formats", "k" */
    kdx_cmd_fn fn;
    const char *summary;  /* one line for .help and the README */
    unsigned flags;
} kdx_command;

/* All families, from table.c. Each family array ends with a {0} entry. */
extern const kdx_command *const kdx_command_families[];

/* Finds the command for the start of line; *name_len receives the length of
 * the command word. NULL when nothing matches. */
const kdx_command *kdx_command_find(const char *line, size_t *name_len);

/* When text starts with the name of a WinDbg command that kdx has no handler
 * for, the length of that name (as typed), else 0. Consulted only after
 * kdx_command_find failed. */
size_t kdx_command_known_windbg(const char *text);
/* True when name ("!locks", ".time") is in that list (tests keep it free of registered commands). */
bool kdx_command_known_windbg_listed(const char *name);

/* True when name (len characters, no '!') is a debugger extension DLL whose
 * commands are written !dll.command (kdexts, ext, ...): !kdexts.locks runs !locks. */
bool kdx_command_extension_dll(const char *name, size_t len);

/* The line with typographic characters of pasted text (curly quotes, en and
 * em dashes outside quotes, no-break spaces) turned into ASCII; malloc'd. */
char *kdx_command_normalize_pasted(const char *line);

/* --json documents (json_document.c): begin turns JSON on and makes every
 * command that follows one element of an array printed on the session's
 * output; end closes the array. open_failed adds the element that says the
 * file could not be opened. run executes one command through run inside
 * the capture. */
void kdx_json_document_begin(kdx_session *s);
void kdx_json_document_end(kdx_session *s);
void kdx_json_document_open_failed(kdx_session *s, const char *path, const char *message);
int kdx_json_document_run(kdx_session *s, const char *command, int (*run)(kdx_session *, const char *));

/* What an empty line at the prompt runs after last_line (malloc'd): the
 * bare command word when last_line was one d* display or `u`, so the
 * output continues where it ended, else last_line itself. */
char *kdx_command_repeat_form(const char *last_line);

/* Executes one input line: several commands separated by ';' (outside
 * quotes and braces), aliases replaced first (commands/script.h). Prints
 * errors WinDbg-style and goes on. Returns the number of commands that
 * failed. */
int kdx_execute(kdx_session *s, const char *line);
/* Runs one command (no ';' splitting, no alias replacement), echoing it
 * after the prompt first when echo is set. Returns 0 or 1 (failed). */
int kdx_command_run(kdx_session *s, const char *text, bool echo);

/* Argument helpers shared by command families. */
/* Prints WinDbg's "Syntax error" marker for a bad command or argument. */
int kdx_cmd_syntax_error(kdx_session *s, const char *cmd, const char *at);
/* WinDbg's "^ Memory access error in 'CMD ARGS'" line, the caret under the
 * command's last character; returns 1. */
int kdx_cmd_memory_access_error(kdx_session *s, const char *cmd, const char *args);
/* A double-quoted argument at p (after blanks): its text with \" and \\
 * unescaped and every other backslash kept, appended to out. Returns the
 * position after the closing quote, NULL when p is not a closed string. */
const char *kdx_cmd_parse_quoted(const char *p, kdx_strbuf *out);
/* Prints err and returns 1 (for `return kdx_cmd_fail(s, &err);`). */
int kdx_cmd_fail(kdx_session *s, const kdx_err *err);
/* Requires an open target, printing an error when there is none. */
bool kdx_cmd_need_target(kdx_session *s);

#endif
