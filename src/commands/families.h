/* Every command family's table. Add a family: define its array in its own
 * file under commands/, declare it here, list it in table.c. */
#ifndef KDX_COMMANDS_FAMILIES_H
#define KDX_COMMANDS_FAMILIES_H

#include "commands/command.h"

extern const kdx_command kdx_cmds_session[];
extern const kdx_command kdx_cmds_dump[];
extern const kdx_command kdx_cmds_memory[];
extern const kdx_command kdx_cmds_pte[];
extern const kdx_command kdx_cmds_expr[];
extern const kdx_command kdx_cmds_symbols[];
extern const kdx_command kdx_cmds_stack[];
extern const kdx_command kdx_cmds_user[];
extern const kdx_command kdx_cmds_analyze[];
extern const kdx_command kdx_cmds_process[];
extern const kdx_command kdx_cmds_processor[];
extern const kdx_command kdx_cmds_object[];
extern const kdx_command kdx_cmds_list[];
extern const kdx_command kdx_cmds_flow[];
extern const kdx_command kdx_cmds_alias[];
extern const kdx_command kdx_cmds_printf[];
extern const kdx_command kdx_cmds_for_each[];
/* issue 13: pool and Driver Verifier */
extern const kdx_command kdx_cmds_pool[];
extern const kdx_command kdx_cmds_verifier[];
extern const kdx_command kdx_cmds_vm[];

#endif
