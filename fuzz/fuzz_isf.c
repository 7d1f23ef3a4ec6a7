/* libFuzzer target for the ISF provider (plain JSON or xz): open, then look
 * symbols and types up and walk every field of every type. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_walk.h"
#include "isf/isf.h"

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
    p.ops->enumerate_types(p.impl, "*", fuzz_walk_type, NULL);
    p.ops->find_type(p.impl, "_KTHREAD");
    p.ops->destroy(p.impl);
    return 0;
}
