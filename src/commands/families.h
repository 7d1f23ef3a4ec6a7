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
extern const kdx_command kdx_cmds_io[];
extern const kdx_command kdx_cmds_locks[];
extern const kdx_command kdx_cmds_stacks[];
extern const kdx_command kdx_cmds_apc[];
extern const kdx_command kdx_cmds_ntsession[];
extern const kdx_command kdx_cmds_dpc[];
extern const kdx_command kdx_cmds_exqueue[];
/* !handle on a kernel dump (cmd_nthandle.c; the user-mode !handle hands kernel dumps to it). */
int kdx_cmd_kernel_handle(kdx_session *s, const char *cmd, const char *args);
extern const kdx_command kdx_cmds_pool[];
extern const kdx_command kdx_cmds_verifier[];
extern const kdx_command kdx_cmds_vm[];
extern const kdx_command kdx_cmds_shell[];
extern const kdx_command kdx_cmds_script_files[];
extern const kdx_command kdx_cmds_extensions[];

#endif
