/* libFuzzer target for the Breakpad .sym provider. */
#include <stddef.h>
#include <stdint.h>

#include "sym/breakpad.h"

static int count(void *ud, const kdx_symbol *s)
{
    (void)s;
    return ++*(unsigned *)ud > 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err;
    if (kdx_breakpad_provider_open_buffer("fuzz.sym", (const char *)data, size, &p, &id, &err) != KDX_OK)
        return 0;
    for (uint32_t rva = 0; rva < 0x3000; rva += 0x101) {
        kdx_symbol s;
        const char *file;
        uint32_t line;
        kdx_frame_data fd;
        kdx_breakpad_cfi cfi;
        p.ops->by_rva(p.impl, rva, &s);
        p.ops->line_for_rva(p.impl, rva, &file, &line);
        p.ops->frame_data_for_rva(p.impl, rva, &fd);
        kdx_breakpad_cfi_for(&p, rva, &cfi);
    }
    unsigned n = 0;
    p.ops->enumerate(p.impl, "*a*", count, &n);
    p.ops->destroy(p.impl);
    return 0;
}
