/* PDB-specific extras beyond the kdx_symprov interface (symprov/provider.h). */
#ifndef KDX_PDB_PDB_PROVIDER_H
#define KDX_PDB_PDB_PROVIDER_H

#include <stdint.h>

#include "base/file.h"
#include "symprov/provider.h"
#include "symprov/symfile.h"

/* PDB (MSF 7.0). */
kdx_status kdx_pdb_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                 kdx_err *err);

/* Like kdx_pdb_provider_open on an already opened (or in-memory) file, which
 * the provider owns from then on, even on failure. */
kdx_status kdx_pdb_provider_open_file(kdx_file *file, kdx_symprov *out, kdx_symfile_id *id,
                                      kdx_err *err);
/* True when prov was opened by kdx_pdb_provider_open. */
bool kdx_pdb_is_provider(const kdx_symprov *prov);
/* The function at rva with its parameter list, as DIA and Breakpad's
 * dump_syms spell it: "google_breakpad::C::h(google_breakpad::C const &)",
 * "static int __tmainCRTStartup()". Malloc'd; NULL when no symbol starts at rva. */
char *kdx_pdb_signature_at(const kdx_symprov *prov, uint32_t rva);
/* True when the PDB keeps private symbols (its DBI does not say they were
 * stripped): WinDbg's "(private pdb symbols)". */
bool kdx_pdb_has_private_symbols(const kdx_symprov *prov);
/* The parameter list of the function starting at rva from its type record,
 * as WinDbg's `x` prints it: "(int, char **)", "(void)". Malloc'd; NULL when
 * no function with type information starts there ("<no parameter info>"). */
char *kdx_pdb_params_at(const kdx_symprov *prov, uint32_t rva);
/* How many of the PDB's streams have been read so far (laziness checks). */
uint32_t kdx_pdb_streams_read(const kdx_symprov *prov, uint32_t *total);

#endif
