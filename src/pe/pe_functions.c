/* What an image says about its code: which RVAs lie in executable sections,
 * and the primary .pdata entry of a function split into chunks (x64 chained
 * unwind info), used to bound functions and name code addresses. */
#include <string.h>

#include "base/bytes.h"
#include "pe/pe.h"

/* IMAGE_SCN_CNT_CODE and IMAGE_SCN_MEM_EXECUTE. */
enum { SCN_CNT_CODE = 0x20, SCN_MEM_EXECUTE = 0x20000000 };

kdx_pe_rva_kind kdx_pe_rva_kind_of(const kdx_pe *pe, uint32_t rva)
{
    kdx_pe_section sec;
    int i = kdx_pe_section_for_rva(pe, rva);
    if (i < 0 || kdx_pe_section_at(pe, (unsigned)i, &sec) != KDX_OK)
        return KDX_PE_RVA_UNKNOWN;
    return sec.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE) ? KDX_PE_RVA_CODE : KDX_PE_RVA_DATA;
}

/* x64 UNWIND_INFO: version/flags byte, prolog size, code count, frame byte,
 * then the codes (2 bytes each, padded to an even count); with
 * UNW_FLAG_CHAININFO a RUNTIME_FUNCTION of the parent follows them. */
enum { UNW_FLAG_CHAININFO = 4, MAX_CHAIN = 32 };

static kdx_status chained_parent(kdx_pe *pe, const kdx_runtime_function *fn, bool *chained,
                                 kdx_runtime_function *parent, kdx_err *err)
{
    uint8_t hdr[4];
    kdx_status st = kdx_pe_read(pe, fn->unwind_rva, hdr, sizeof hdr, err);
    if (st != KDX_OK)
        return st;
    *chained = (hdr[0] >> 3) & UNW_FLAG_CHAININFO;
    if (!*chained)
        return KDX_OK;
    uint8_t e[12];
    uint32_t at = fn->unwind_rva + 4 + 2u * ((hdr[2] + 1u) & ~1u);
    st = kdx_pe_read(pe, at, e, sizeof e, err);
    if (st != KDX_OK)
        return st;
    *parent = (kdx_runtime_function){.begin_rva = kdx_le32(e), .end_rva = kdx_le32(e + 4),
                                     .unwind_rva = kdx_le32(e + 8)};
    return KDX_OK;
}

/* An entry whose unwind RVA has bit 0 set points at another RUNTIME_FUNCTION,
 * which stands for it. */
static kdx_status resolve_indirect(kdx_pe *pe, kdx_runtime_function *fn, kdx_err *err)
{
    for (int hops = 0; fn->unwind_rva & 1; hops++) {
        uint8_t e[12];
        if (hops == 4)
            return kdx_err_set(err, KDX_E_LIMIT, "%s: indirect .pdata entries nest too deep",
                               kdx_pe_name(pe));
        kdx_status st = kdx_pe_read(pe, fn->unwind_rva & ~1u, e, sizeof e, err);
        if (st != KDX_OK)
            return st;
        *fn = (kdx_runtime_function){.begin_rva = kdx_le32(e), .end_rva = kdx_le32(e + 4),
                                     .unwind_rva = kdx_le32(e + 8), .index = fn->index};
    }
    return KDX_OK;
}

kdx_status kdx_pe_primary_function(kdx_pe *pe, const kdx_runtime_function *fn,
                                   kdx_runtime_function *primary, kdx_err *err)
{
    *primary = *fn;
    if (kdx_pe_runtime_function_size(pe) != 12)
        return KDX_OK; /* ARM64 fragments carry no parent link */
    for (int depth = 0; depth < MAX_CHAIN; depth++) {
        kdx_status st = resolve_indirect(pe, primary, err);
        if (st != KDX_OK)
            return st;
        bool chained;
        kdx_runtime_function parent;
        st = chained_parent(pe, primary, &chained, &parent, err);
        if (st != KDX_OK || !chained)
            return st;
        *primary = parent;
    }
    return kdx_err_set(err, KDX_E_LIMIT, "%s: chained unwind info deeper than %d entries (a loop?)",
                       kdx_pe_name(pe), MAX_CHAIN);
}
