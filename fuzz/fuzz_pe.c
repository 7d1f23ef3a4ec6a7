/* libFuzzer target for the PE reader: every query on an image in file and
 * mapped layout, and the export-symbols provider built from it. */
#include <stddef.h>
#include <stdint.h>

#include "pe/pe.h"
#include "symprov/provider.h"

static int on_export(void *ud, const char *name, uint32_t ord, uint32_t rva, const char *fwd)
{
    (void)name, (void)ord, (void)rva, (void)fwd;
    return ++*(unsigned *)ud > 100000;
}

static void exercise(kdx_pe *pe)
{
    kdx_err err;
    const kdx_pe_info *i = kdx_pe_get_info(pe);
    for (unsigned s = 0; s < i->nsections; s++) {
        kdx_pe_section sec;
        kdx_pe_section_at(pe, s, &sec);
        uint8_t b[64];
        size_t done;
        kdx_pe_read_partial(pe, sec.rva, b, sizeof b, &done, &err);
    }
    kdx_pe_codeview cv;
    kdx_pe_codeview_info(pe, &cv, &err);
    unsigned n = 0;
    kdx_pe_exports(pe, on_export, &n, &err);
    kdx_symprov prov;
    if (kdx_pe_exports_provider_from_pe(pe, &prov, &err) == KDX_OK) {
        kdx_symbol sym;
        prov.ops->by_rva(prov.impl, 0x1000, &sym);
        prov.ops->by_name(prov.impl, "main", &sym);
        prov.ops->destroy(prov.impl);
    }
    uint32_t count = kdx_pe_runtime_function_count(pe);
    for (uint32_t k = 0; k < count && k < 64; k++) {
        kdx_runtime_function f;
        if (kdx_pe_runtime_function_at(pe, k, &f, &err) == KDX_OK) {
            uint8_t ui[256];
            size_t got;
            kdx_pe_read_unwind(pe, f.unwind_rva, ui, sizeof ui, &got, &err);
            kdx_pe_runtime_function_for(pe, f.begin_rva, &f, &err);
        }
    }
    kdx_runtime_function f;
    kdx_pe_runtime_function_for(pe, i->entry_rva, &f, &err);
    char str[64];
    kdx_pe_read_string(pe, i->entry_rva, str, sizeof str, &err);
    kdx_pe_version v;
    kdx_pe_version_info(pe, &v, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mapped = 0; mapped < 2; mapped++) {
        kdx_pe *pe;
        kdx_err err;
        if (kdx_pe_open_buffer("fuzz.exe", data, size, mapped, &pe, &err) == KDX_OK) {
            exercise(pe);
            kdx_pe_close(pe);
        }
    }
    return 0;
}
