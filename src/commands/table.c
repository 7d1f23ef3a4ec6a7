/* The one table of command families. */
#include "commands/families.h"

const kdx_command *const kdx_command_families[] = {
    kdx_cmds_session,
    kdx_cmds_dump,
    kdx_cmds_memory,
    kdx_cmds_pte,
    kdx_cmds_expr,
    kdx_cmds_symbols,
    kdx_cmds_stack,
    kdx_cmds_user,
    kdx_cmds_analyze,
    kdx_cmds_process,
    kdx_cmds_processor,
    kdx_cmds_object,
    kdx_cmds_list,
    kdx_cmds_flow,
    kdx_cmds_alias,
    kdx_cmds_printf,
    kdx_cmds_for_each,
    kdx_cmds_pool,
    kdx_cmds_verifier,
    kdx_cmds_vm,
    0};
