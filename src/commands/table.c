/* The one table of command families. */
#include "commands/families.h"

const kdx_command *const kdx_command_families[] = {
    kdx_cmds_session,
    0};
