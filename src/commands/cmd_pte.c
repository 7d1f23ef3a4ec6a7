/* Command family: address translation: !pte, !vtop. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_pte[] = {
    {0}};
