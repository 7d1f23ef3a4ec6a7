/* Address lookups by kind: which symbol names an address when it is code,
 * data, or decided by its section (see addrindex.h and docs/symbols.md). */
#include <string.h>

#include "pe/pe.h"
#include "sym/addrindex.h"

static void to_symbol(const kdx_addrentry *e, kdx_symbol *out)
{
    *out = (kdx_symbol){.name = e->name, .rva = e->rva, .size = e->size, .kind = e->kind, .flags = e->cls};
}

/* The entry after index i of t as the "next" symbol (ln's right column). */
static void next_of(const kdx_addrindex *ix, const kdx_addrtable *t, long i, kdx_symbol *next)
{
    if (next && i + 1 < (long)t->n) {
        kdx_addrentry e = kdx_addrindex_at(ix, t, (size_t)(i + 1));
        to_symbol(&e, next);
    }
}

static bool covers(const kdx_addrentry *e, uint32_t rva)
{
    return e->size && rva - e->rva < e->size;
}

static bool data_at(const kdx_addrindex *ix, uint32_t rva, kdx_symbol *out, kdx_symbol *next)
{
    long i = kdx_addrindex_floor(ix, &ix->all, rva);
    next_of(ix, &ix->all, i, next);
    if (i < 0)
        return false;
    kdx_addrentry e = kdx_addrindex_at(ix, &ix->all, (size_t)i);
    to_symbol(&e, out);
    return true;
}

/* What the image's .pdata says about rva. */
typedef enum pdata_answer {
    PDATA_UNKNOWN,   /* no image, no table, or the table cannot be read there */
    PDATA_NO_ENTRY,  /* readable, and no entry covers rva (a leaf function, padding) */
    PDATA_ENTRY      /* entry covers rva; primary is the function it belongs to */
} pdata_answer;

static pdata_answer pdata_at(kdx_pe *pe, uint32_t rva, kdx_runtime_function *entry,
                             kdx_runtime_function *primary, bool *chain_known)
{
    if (!pe || !kdx_pe_runtime_function_size(pe))
        return PDATA_UNKNOWN;
    kdx_status st = kdx_pe_runtime_function_for(pe, rva, entry, NULL);
    if (st == KDX_E_NOT_FOUND)
        return PDATA_NO_ENTRY;
    if (st != KDX_OK)
        return PDATA_UNKNOWN;
    *chain_known = kdx_pe_primary_function(pe, entry, primary, NULL) == KDX_OK;
    if (!*chain_known)
        *primary = *entry;
    return PDATA_ENTRY;
}

/* The code entry starting exactly at rva, -1 if none. */
static long code_entry_at(const kdx_addrindex *ix, uint32_t rva)
{
    long i = kdx_addrindex_floor(ix, &ix->code, rva);
    return i >= 0 && kdx_addrindex_at(ix, &ix->code, (size_t)i).rva == rva ? i : -1;
}

/* rva lies in the function .pdata names: its symbol, or none. A chunk that
 * follows its function with no other symbol between (shrink-wrapped code)
 * is simply part of it; a chunk placed elsewhere (split off by the
 * optimizer) is named after the function, displaced from the chunk's start. */
static bool pdata_function(const kdx_addrindex *ix, uint32_t rva, const kdx_runtime_function *entry,
                           const kdx_runtime_function *primary, kdx_symbol *out, kdx_symbol *next)
{
    long f = code_entry_at(ix, primary->begin_rva);
    if (f < 0)
        return false;
    kdx_addrentry fe = kdx_addrindex_at(ix, &ix->code, (size_t)f);
    to_symbol(&fe, out);
    long nearest = kdx_addrindex_floor(ix, &ix->code, rva);
    bool separated = entry->begin_rva < primary->begin_rva || nearest != f;
    if (entry->begin_rva != primary->begin_rva && separated) {
        out->rva = entry->begin_rva;
        out->size = entry->end_rva - entry->begin_rva;
    } else if (!out->size && entry->begin_rva == primary->begin_rva) {
        out->size = entry->end_rva - entry->begin_rva;
    }
    next_of(ix, &ix->code, nearest, next);
    return true;
}

/* A non-leaf function ends where its .pdata entry does. */
static bool pdata_ends_before(kdx_pe *pe, const kdx_addrentry *e, uint32_t rva)
{
    kdx_runtime_function fn;
    return kdx_pe_runtime_function_for(pe, e->rva, &fn, NULL) == KDX_OK && fn.begin_rva == e->rva &&
           fn.end_rva <= rva;
}

static bool code_at(const kdx_addrindex *ix, kdx_pe *image, uint32_t rva, kdx_symbol *out,
                    kdx_symbol *next)
{
    long c = kdx_addrindex_floor(ix, &ix->code, rva);
    kdx_addrentry ce = c >= 0 ? kdx_addrindex_at(ix, &ix->code, (size_t)c) : (kdx_addrentry){0};
    const kdx_addrentry *cand = c >= 0 ? &ce : NULL;
    if (cand && covers(cand, rva)) {
        to_symbol(cand, out);
        next_of(ix, &ix->code, c, next);
        return true;
    }
    kdx_runtime_function entry, primary;
    bool chain_known = false;
    pdata_answer pd = pdata_at(image, rva, &entry, &primary, &chain_known);
    if (pd == PDATA_ENTRY && (chain_known || code_entry_at(ix, entry.begin_rva) >= 0))
        return pdata_function(ix, rva, &entry, &primary, out, next);
    if (!cand || cand->size)
        return false; /* a sized symbol that ends before rva is not its function */
    if (pd == PDATA_NO_ENTRY && pdata_ends_before(image, cand, rva))
        return false;
    /* Data placed after the candidate (a string literal between functions)
     * proves the candidate ended before it. */
    long a = kdx_addrindex_floor(ix, &ix->all, rva);
    if (a >= 0 && kdx_addrindex_at(ix, &ix->all, (size_t)a).rva > cand->rva)
        return false;
    to_symbol(cand, out);
    next_of(ix, &ix->code, c, next);
    return true;
}

static bool by_section(const kdx_addrindex *ix, kdx_pe *image, uint32_t rva, kdx_symbol *out,
                       kdx_symbol *next)
{
    kdx_pe_rva_kind where = image ? kdx_pe_rva_kind_of(image, rva) : KDX_PE_RVA_UNKNOWN;
    if (where == KDX_PE_RVA_DATA)
        return data_at(ix, rva, out, next);
    long a = kdx_addrindex_floor(ix, &ix->all, rva);
    kdx_addrentry ae = a >= 0 ? kdx_addrindex_at(ix, &ix->all, (size_t)a) : (kdx_addrentry){0};
    const kdx_addrentry *e = a >= 0 ? &ae : NULL;
    /* A data symbol named exactly (or covering the address) is the answer
     * even in a code section; with unknown sections a data neighbour says
     * the address is data. */
    if (e && e->cls == KDX_SYMF_DATA &&
        (e->rva == rva || covers(e, rva) || where == KDX_PE_RVA_UNKNOWN))
        return data_at(ix, rva, out, next);
    return code_at(ix, image, rva, out, next);
}

bool kdx_addrindex_lookup(const kdx_addrindex *ix, struct kdx_pe *image, kdx_addrlookup how,
                          uint32_t rva, kdx_symbol *out, kdx_symbol *next)
{
    if (next)
        memset(next, 0, sizeof *next);
    switch (how) {
    case KDX_LOOKUP_DATA: return data_at(ix, rva, out, next);
    case KDX_LOOKUP_CODE: return code_at(ix, image, rva, out, next);
    default: return by_section(ix, image, rva, out, next);
    }
}
