/* A PDB or ISF file opened alone as the target. Placeholder. */
#include <string.h>

#include "base/util.h"
#include "dump/formats.h"

bool kdx_symfile_target_probe(const uint8_t *head, size_t n, const char *path)
{
    static const char msf[] = "Microsoft C/C++ MSF 7.00";
    if (n >= sizeof msf - 1 && memcmp(head, msf, sizeof msf - 1) == 0)
        return true;
    return kdx_ends_with_i(path, ".json") || kdx_ends_with_i(path, ".json.xz");
}

kdx_status kdx_symfile_target_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: opening symbol files is not supported yet", path);
}
