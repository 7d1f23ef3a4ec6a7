/* libFuzzer target for the ISF provider (plain JSON or xz): open, then look
 * symbols and types up and walk every field of every type. */
#include <stddef.h>
#include <stdint.h>

#include "isf/isf.h"

static int walk_type(void *ud, const kdx_type *t)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err;
    if (kdx_isf_provider_open_buffer("fuzz.json", data, size, &p, &id, &err) != KDX_OK)
        return 0;
    kdx_symbol s;
    p.ops->by_rva(p.impl, 0x1000, &s);
    p.ops->by_name(p.impl, "KeBugCheckEx", &s);
    p.ops->enumerate_types(p.impl, "*", walk_type, NULL);
    p.ops->find_type(p.impl, "_KTHREAD");
    p.ops->destroy(p.impl);
    return 0;
}
