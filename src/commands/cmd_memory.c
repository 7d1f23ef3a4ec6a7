/* Command family: memory display/edit/search: db dw dd dq dp dc da du dps, !db, e*, s, .ignore_missing_pages. */
#include "commands/command.h"
#include "commands/families.h"

const kdx_command kdx_cmds_memory[] = {
    {0}};
