/* Command family: stacks and code: k*, .frame, .cxr, .trap, .exr, r, .fnent, u, ub, uf. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_stack[] = {
    {0}};
