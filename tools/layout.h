/* The scenario writers' layout source: a kernel symbol table, PDB or ISF,
 * chosen by the file's name. Shared by the tools in this folder. */
#ifndef KDX_TOOLS_LAYOUT_H
#define KDX_TOOLS_LAYOUT_H

#include <string.h>

#include "sym/sources.h"

static inline kdx_status tool_open_layout(const char *path, kdx_symprov *prov, kdx_symfile_id *id, kdx_err *err)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".pdb"))
        return kdx_pdb_provider_open(path, prov, id, err);
    return kdx_isf_provider_open(path, prov, id, err);
}

#endif
