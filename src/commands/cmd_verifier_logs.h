/* !verifier's logs shown newest first (cmd_verifier_logs.c): 4 (fault
 * injection), 8 (IRQL changes), 0x40 (forced-pending IRPs) and 0x100 (the
 * IRP log). Private to the !verifier family (cmd_verifier.c). */
#ifndef KDX_COMMANDS_CMD_VERIFIER_LOGS_H
#define KDX_COMMANDS_CMD_VERIFIER_LOGS_H

#include <stdbool.h>
#include <stdint.h>

#include "nt/verifier.h"
#include "target/session.h"

/* True when flags is one of the logs this file shows. */
bool kdx_vf_recent_flags(uint64_t flags);
/* Shows the log of flags; arg is the Quantity, or for 0x100 an IRP address
 * (kdx_vf_arg_is_address). Returns 0, or 1 after printing why the log cannot be read. */
int kdx_vf_show_recent(kdx_session *s, uint64_t flags, uint64_t arg);
/* Prints the line saying Driver Verifier is off when MmVerifierData.Level
 * reads 0 (the reason a log is absent); nothing otherwise. */
void kdx_vf_note_when_off(kdx_session *s);
/* Whether a log argument is an address rather than a Quantity: above 32
 * bits on 64-bit targets, in the upper half (kernel space) on 32-bit ones. */
bool kdx_vf_arg_is_address(kdx_session *s, uint64_t arg);
/* One symbolized frame a line, as the articles' !verifier 80 transcript shows them. */
void kdx_vf_print_stack(kdx_session *s, const kdx_vf_trace *t);

#endif
