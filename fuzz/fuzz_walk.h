/* Shared by the fuzz targets that produce types: every field's dt name,
 * integer extraction and enumerators, as `dt` would touch them. */
#ifndef KDX_FUZZ_WALK_H
#define KDX_FUZZ_WALK_H

#include "types/type.h"

static int fuzz_walk_type(void *ud, const kdx_type *t)
{
    (void)ud;
    uint32_t n;
    const kdx_field *f = kdx_type_fields(t, &n);
    for (uint32_t i = 0; i < n; i++) {
        char buf[128];
        kdx_type_dt_name(f[i].type, buf, sizeof buf);
        uint8_t zero[16] = {0};
        if (kdx_type_is_integer(f[i].type) && f[i].type->size <= 8)
            kdx_type_extract(f[i].type, zero);
    }
    kdx_type_enumerators(t, &n);
    return 0;
}

#endif
