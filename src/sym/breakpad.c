/* Placeholder until the Breakpad .sym reader lands. */
#include "sym/sources.h"

kdx_status kdx_breakpad_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    (void)id;
    out->ops = NULL;
    out->impl = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: Breakpad .sym files are not supported yet", path);
}
