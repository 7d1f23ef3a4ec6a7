/* The I/O manager's part of `!analyze` (docs/io.md): for the driver-side
 * bug checks (0x9F DRIVER_POWER_STATE_FAILURE, 0xCE, 0xD1, 0x44,
 * 0xC9/0xCC/0xCD) it names the IRP, its device and the driver that holds
 * it, and the follow-up commands (!irp, !devstack, !drvobj) with their
 * arguments. */
#ifndef KDX_ANALYSIS_ANALYZE_IO_H
#define KDX_ANALYSIS_ANALYZE_IO_H

#include <stdint.h>

#include "analysis/analyze.h"

/* Adds IRP_ADDRESS, DEVICE_OBJECT, DRIVER_OBJECT, IO_FOLLOWUP & co. to a.
 * *blame_ip: the dispatch routine of the driver holding the IRP when the
 * bug check blames that driver (0: let the usual rules choose), with *rule
 * the rule that says so. */
void kdx_analyze_io(kdx_session *s, kdx_analysis *a, uint64_t *blame_ip, const char **rule);

/* Defined in analyze.c for the per-area analyses. */
void kdx_analysis_add(kdx_analysis *a, const char *key, char *value);
void kdx_analysis_add_unknown(kdx_analysis *a, char *why);

#endif
