/* Command family: symbols: ln, x, lm, dt, .sympath, .symfix, .reload, !sym. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_symbols[] = {
    {0}};
