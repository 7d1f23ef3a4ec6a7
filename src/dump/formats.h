/* Entry points of the file-format readers that can open a target.
 * kdx_target_open() probes the first bytes and calls the matching one. */
#ifndef KDX_DUMP_FORMATS_H
#define KDX_DUMP_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

/* Kernel dumps: PAGEDU64 / PAGEDUMP (complete, kernel/bitmap, triage). */
bool kdx_kdump_probe(const uint8_t *head, size_t n);
kdx_status kdx_kdump_open(const char *path, kdx_target **out, kdx_err *err);

/* User-mode minidumps: MDMP. */
bool kdx_minidump_probe(const uint8_t *head, size_t n);
kdx_status kdx_minidump_open(const char *path, kdx_target **out, kdx_err *err);

/* A PE image (MZ) opened as the target, mapped at its preferred base. */
bool kdx_pe_target_probe(const uint8_t *head, size_t n);
kdx_status kdx_pe_target_open(const char *path, kdx_target **out, kdx_err *err);

/* A symbol file alone (PDB "Microsoft C/C++ MSF 7.00", ISF JSON or .json.xz). */
bool kdx_symfile_target_probe(const uint8_t *head, size_t n, const char *path);
kdx_status kdx_symfile_target_open(const char *path, kdx_target **out, kdx_err *err);

#endif
