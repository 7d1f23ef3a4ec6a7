/* Bug check 0x20 (KERNEL_APC_PENDING_DURING_EXIT): the exiting thread's
 * APC-disable counts and queued kernel APCs, read the way the reference
 * article reads them (Arg2 0xffff = KernelApcDisable -1: one critical
 * region entered and never left). */
#ifndef KDX_ANALYSIS_APC_EXIT_H
#define KDX_ANALYSIS_APC_EXIT_H

#include <stdint.h>

#include "target/session.h"

/* Two values for !analyze (caller frees): the disable counts of thread
 * compared with arg2, and its queued kernel APCs (NULL when none). */
void kdx_apc_exit_fields(kdx_session *s, uint64_t thread, uint64_t arg2, char **disable, char **pending);

#endif
