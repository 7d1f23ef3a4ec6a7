/* The `dt` command (commands/dt.c), registered by the symbols family. */
#ifndef KDX_COMMANDS_DT_H
#define KDX_COMMANDS_DT_H

#include "commands/command.h"

int kdx_cmd_dt(kdx_session *s, const char *cmd, const char *args);

#endif
