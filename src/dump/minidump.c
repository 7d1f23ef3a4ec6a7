/* User-mode minidump reader (MDMP). Placeholder. */
#include <string.h>

#include "dump/formats.h"

bool kdx_minidump_probe(const uint8_t *head, size_t n)
{
    return n >= 4 && memcmp(head, "MDMP", 4) == 0;
}

kdx_status kdx_minidump_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: user-mode minidumps are not supported yet", path);
}
