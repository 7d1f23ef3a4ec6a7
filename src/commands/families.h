/* Every command family's table. Add a family: define its array in its own
 * file under commands/, declare it here, list it in table.c. */
#ifndef KDX_COMMANDS_FAMILIES_H
#define KDX_COMMANDS_FAMILIES_H

#include "commands/command.h"

extern const kdx_command kdx_cmds_session[];

#endif
