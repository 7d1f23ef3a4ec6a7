/* Command family: analysis: !analyze, .bugcheck. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_analyze[] = {
    {0}};
