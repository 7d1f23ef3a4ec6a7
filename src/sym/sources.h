/* Opening each kind of symbol file as a provider. The loader (sym/symbols.c,
 * sym/sympath.c) picks the file; the readers below open it, each declared
 * in its own folder (pdb/, isf/, pe/ sit below sym/ and know nothing of the
 * loader). Each reports the identity it found (symprov/symfile.h) so the
 * loader can check it against the module (GUID/age). */
#ifndef KDX_SYM_SOURCES_H
#define KDX_SYM_SOURCES_H

#include "isf/isf.h"
#include "pdb/pdb_provider.h"
#include "pe/pe_exports_provider.h"
#include "symprov/provider.h"
#include "symprov/symfile.h"

/* Breakpad text symbols (.sym). sym/breakpad.c */
kdx_status kdx_breakpad_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                      kdx_err *err);

#endif
