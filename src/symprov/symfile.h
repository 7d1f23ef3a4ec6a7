/* What a symbol file says about itself when opened as a provider (PDB,
 * ISF, Breakpad): the loader (sym/) checks it against the module before
 * using the file. */
#ifndef KDX_SYMPROV_SYMFILE_H
#define KDX_SYMPROV_SYMFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "target/context.h"

typedef struct kdx_symfile_id {
    bool has_guid;
    uint8_t guid[16];
    uint32_t age;
    kdx_arch arch;             /* when the file says (PDB DBI machine, ISF metadata) */
    bool has_types;            /* private/type information present */
    bool private_symbols;      /* PDB: private symbols kept (WinDbg's "private pdb symbols") */
} kdx_symfile_id;

#endif
