/* Opening each kind of symbol file as a provider. The loader (sym/symbols.c,
 * sym/sympath.c) picks the file; these read it. Each reports the identity it
 * found so the loader can check it against the module (GUID/age). */
#ifndef KDX_SYM_SOURCES_H
#define KDX_SYM_SOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sym/provider.h"
#include "target/target.h"

typedef struct kdx_symfile_id {
    bool has_guid;
    uint8_t guid[16];
    uint32_t age;
    kdx_arch arch;             /* when the file says (PDB DBI machine, ISF metadata) */
    bool has_types;            /* private/type information present */
    bool private_symbols;      /* PDB: private symbols kept (WinDbg's "private pdb symbols") */
} kdx_symfile_id;

/* PDB (MSF 7.0). pdb/ */
kdx_status kdx_pdb_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                 kdx_err *err);
/* Volatility 3 ISF, .json or .json.xz. isf/ */
kdx_status kdx_isf_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                 kdx_err *err);
/* Breakpad text symbols (.sym). sym/breakpad.c */
kdx_status kdx_breakpad_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                      kdx_err *err);
/* The export table of the image loaded at base in the target. pe/ */
kdx_status kdx_pe_exports_provider_open(kdx_target *t, uint64_t base, const char *name,
                                        kdx_symprov *out, kdx_err *err);

#endif
