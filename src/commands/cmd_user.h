/* Shared by the user-mode command family's files (cmd_user.c registers
 * every command; cmd_user_dump.c holds the views of minidump streams). */
#ifndef KDX_COMMANDS_CMD_USER_H
#define KDX_COMMANDS_CMD_USER_H

#include <stdbool.h>

#include "target/session.h"

/* True for a user-mode target; otherwise prints why cmd cannot run. */
bool kdx_user_need_target(kdx_session *s, const char *cmd);

/* The thread's line as ~ prints it ('.' current, '#' the event's thread). */
void kdx_user_print_thread_line(kdx_session *s, unsigned index);
/* Runs line with thread index current, then restores the session's thread and frame. */
int kdx_user_run_in_thread(kdx_session *s, unsigned index, const char *line);
/* cmd_user_stacks.c */
int kdx_cmd_uniqstack(kdx_session *s, const char *cmd, const char *args);
int kdx_cmd_findstack(kdx_session *s, const char *cmd, const char *args);

int kdx_cmd_mdstreams(kdx_session *s, const char *cmd, const char *args);
int kdx_cmd_handle(kdx_session *s, const char *cmd, const char *args);
int kdx_cmd_runaway(kdx_session *s, const char *cmd, const char *args);
int kdx_cmd_ttime(kdx_session *s, const char *cmd, const char *args);
int kdx_cmd_address(kdx_session *s, const char *cmd, const char *args);

#endif
