/* Command family: expressions: ?, ??, .formats, n, .expr, r $tN. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_expr[] = {
    {0}};
