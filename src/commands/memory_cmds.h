/* Helpers shared by the memory command files (cmd_memory.c and
 * cmd_memory_search.c). */
#ifndef KDX_COMMANDS_MEMORY_CMDS_H
#define KDX_COMMANDS_MEMORY_CMDS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "target/session.h"

/* Prints one line of the d* format ("db", "dw", "dd", "dq") at addr, with
 * an ASCII column when ascii is set (or the format has one). */
void kdx_memory_print_line(kdx_session *s, const char *format, bool ascii, uint64_t addr);
/* Parses a double-quoted string ("\x" keeps x) into out; returns the text
 * after the closing quote, NULL when there is none. */
const char *kdx_memory_parse_quoted(const char *p, kdx_strbuf *out);
/* A character constant of search patterns and edits: 'VUTS' is the value
 * whose most significant byte is 'V', as WinDbg reads it. Returns the text
 * after the closing quote, NULL when p is not one. */
const char *kdx_memory_char_literal(const char *p, uint64_t *v);
/* s [-[Flags]Type] Range Pattern, s -[Flags]sa|su Range. */
int kdx_cmd_search(kdx_session *s, const char *cmd, const char *args);

#endif
