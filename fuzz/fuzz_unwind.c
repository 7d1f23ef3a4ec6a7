/* libFuzzer target: the x64 UNWIND_INFO parser and code decoder. */
#include <stddef.h>
#include <stdint.h>

#include "unwind/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kdx_x64_unwind_info ui;
    kdx_err err;
    if (kdx_x64_unwind_info_parse(data, size, "fuzz UNWIND_INFO", &ui, &err) != KDX_OK)
        return 0;
    for (unsigned i = 0; i < ui.ncodes;) {
        kdx_x64_unwind_code c;
        if (kdx_x64_unwind_code_at(&ui, i, &c, &err) != KDX_OK)
            break;
        (void)kdx_x64_uwop_name(c.op, ui.version);
        i += c.nslots;
    }
    return 0;
}
