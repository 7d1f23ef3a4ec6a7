#include "mm/translate.h"

#include <string.h>

/* Placeholder until the paging walkers land: reports that translation is unavailable. */
kdx_status kdx_mm_translate(kdx_target *t, uint64_t dtb, uint64_t va, kdx_xlat *out,
                            kdx_err *err)
{
    (void)t;
    (void)dtb;
    memset(out, 0, sizeof *out);
    out->va = va;
    out->status = KDX_E_UNSUPPORTED;
    return kdx_err_set(err, KDX_E_UNSUPPORTED, "address translation is not implemented yet");
}
