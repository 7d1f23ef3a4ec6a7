/* Which !verifier (or !pool) command answers a Driver Verifier bug check,
 * with its arguments filled in from the bug check's parameters
 * (docs/pool.md): 0xC4 (DRIVER_VERIFIER_DETECTED_VIOLATION), 0xC5
 * (DRIVER_CORRUPTED_EXPOOL), 0xC9 (DRIVER_VERIFIER_IOMANAGER_VIOLATION),
 * 0xD6 (DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION). */
#ifndef KDX_ANALYSIS_VERIFIER_HINT_H
#define KDX_ANALYSIS_VERIFIER_HINT_H

#include <stdint.h>

#include "target/session.h"

/* The command line (malloc'd), or NULL for other bug checks. */
char *kdx_verifier_hint(kdx_session *s, uint32_t code, const uint64_t args[4]);

#endif
