/* The command layer: WinDbg command names mapped to handlers. Each command
 * family lives in its own file and exports a table; table.c lists them all. */
#ifndef KDX_COMMANDS_COMMAND_H
#define KDX_COMMANDS_COMMAND_H

#include <stdbool.h>

#include "target/session.h"

/* Handler: cmd is the command word as typed ("kn", "lmvm", "!pte"),
 * args the rest (leading spaces removed). Returns 0 on success, nonzero
 * after printing the error. */
typedef int (*kdx_cmd_fn)(kdx_session *s, const char *cmd, const char *args);

enum {
    KDX_CMD_PREFIX = 1 << 0, /* option letters may follow the name directly: k -> kbn, lm -> lmvm */
    KDX_CMD_RAW = 1 << 1,    /* takes the rest of the line, ';' included (.echo, $$) */
    KDX_CMD_LIVE = 1 << 2    /* needs a live target: refused on dumps with an explanation */
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

/* Executes one input line: several commands separated by ';' (outside
 * quotes). Prints errors WinDbg-style and goes on. Returns the number of
 * commands that failed. */
int kdx_execute(kdx_session *s, const char *line);

/* Argument helpers shared by command families. */
/* Prints WinDbg's "Syntax error" marker for a bad command or argument. */
int kdx_cmd_syntax_error(kdx_session *s, const char *cmd, const char *at);
/* WinDbg's "^ Memory access error in 'CMD ARGS'" line, the caret under the
 * command's last character; returns 1. */
int kdx_cmd_memory_access_error(kdx_session *s, const char *cmd, const char *args);
/* Prints err and returns 1 (for `return kdx_cmd_fail(s, &err);`). */
int kdx_cmd_fail(kdx_session *s, const kdx_err *err);
/* Requires an open target, printing an error when there is none. */
bool kdx_cmd_need_target(kdx_session *s);

#endif
