/* Kernel dump reader (PAGEDU64 / PAGEDUMP). Placeholder: recognises the
 * signature and reports that the reader is not built yet. */
#include <string.h>

#include "dump/formats.h"

bool kdx_kdump_probe(const uint8_t *head, size_t n)
{
    return n >= 8 && (memcmp(head, "PAGEDU64", 8) == 0 || memcmp(head, "PAGEDUMP", 8) == 0);
}

kdx_status kdx_kdump_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: kernel dumps are not supported yet", path);
}
