/* Command family: dump headers and system facts: .dumpdebug, vertarget, ||, .time, version. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_dump[] = {
    {0}};
