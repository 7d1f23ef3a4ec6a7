/* A PE image opened as the target. Placeholder. */
#include <string.h>

#include "dump/formats.h"

bool kdx_pe_target_probe(const uint8_t *head, size_t n)
{
    return n >= 2 && head[0] == 'M' && head[1] == 'Z';
}

kdx_status kdx_pe_target_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: opening PE images is not supported yet", path);
}
