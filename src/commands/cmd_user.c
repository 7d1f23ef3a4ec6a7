/* Command family: user-mode dumps: ~, |, !teb, !peb, !gle, !error, .ecxr. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_user[] = {
    {0}};
