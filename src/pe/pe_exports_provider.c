/* Placeholder until the PE reader lands. */
#include "sym/sources.h"

kdx_status kdx_pe_exports_provider_open(kdx_target *t, uint64_t base, const char *name,
                                        kdx_symprov *out, kdx_err *err)
{
    (void)t;
    (void)base;
    out->ops = NULL;
    out->impl = NULL;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: export symbols are not supported yet", name);
}
