#include "target/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"

void kdx_guid_format(const uint8_t g[16], char out[33])
{
    snprintf(out, 33, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X", kdx_le32(g),
             kdx_le16(g + 4), kdx_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
             g[15]);
}

kdx_module *kdx_module_new(const char *name, uint64_t base, uint64_t size)
{
    kdx_module *m = kdx_xcalloc(1, sizeof *m);
    m->name = kdx_strdup(name);
    m->base = base;
    m->size = size;
    return m;
}

void kdx_module_free(kdx_module *m)
{
    if (!m)
        return;
    if (m->symbols.ops && m->symbols.ops->destroy)
        m->symbols.ops->destroy(m->symbols.impl);
    free(m->name);
    free(m->image_name);
    free(m->image_path);
    free(m->pdb_name);
    free(m->symbol_file);
    free(m->symbol_note);
    free(m);
}

static const char *const kernel_images[] = {"ntoskrnl.exe", "ntkrnlmp.exe", "ntkrnlpa.exe",
                                            "ntkrpamp.exe", "ntoskrnl", "ntkrnlmp",
                                            /* kernel PDB names, for a symbol file opened alone */
                                            "ntkrnlmp.pdb", "ntoskrnl.pdb", "ntkrnlpa.pdb",
                                            "ntkrpamp.pdb"};

char *kdx_module_name_from_image(const char *image_name, bool is_kernel)
{
    const char *base = kdx_basename(image_name);
    if (is_kernel)
        return kdx_strdup("nt");
    for (size_t i = 0; i < KDX_ARRAY_LEN(kernel_images); i++)
        if (kdx_strcasecmp(base, kernel_images[i]) == 0)
            return kdx_strdup("nt");
    const char *dot = strrchr(base, '.');
    char *name = kdx_strndup(base, dot ? (size_t)(dot - base) : strlen(base));
    /* WinDbg replaces characters that cannot appear in a symbol prefix. */
    for (char *p = name; *p; p++)
        if (*p == ' ' || *p == '.' || *p == '-')
            *p = '_';
    return name;
}
