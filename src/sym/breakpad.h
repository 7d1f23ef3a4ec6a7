/* Breakpad text symbol files (.sym) beyond the provider interface: the
 * module record and the STACK CFI rules the unwinder evaluates.
 * kdx_breakpad_provider_open is declared in sym/sources.h. */
#ifndef KDX_SYM_BREAKPAD_H
#define KDX_SYM_BREAKPAD_H

#include <stddef.h>
#include <stdint.h>

#include "sym/sources.h"

/* The same as kdx_breakpad_provider_open on text in memory (copied). */
kdx_status kdx_breakpad_provider_open_buffer(const char *name, const char *text, size_t len,
                                             kdx_symprov *out, kdx_symfile_id *id, kdx_err *err);

/* MODULE os arch debug-id name. Strings live as long as the provider. */
typedef struct kdx_breakpad_module {
    const char *os;        /* "windows" */
    const char *arch;      /* "x86", "x86_64", "arm64" */
    const char *debug_id;  /* GUID + age in hex, "72E103A85CB249078B76B2E7C06257B13" */
    const char *name;      /* "dump_syms_regtest64.pdb" */
    const char *code_id;   /* INFO CODE_ID: TIMESTAMP + SizeOfImage, or NULL */
    size_t nfuncs, npublics, nlines, nstack_win, ncfi;
} kdx_breakpad_module;

/* false when prov is not a Breakpad provider. */
bool kdx_breakpad_module_info(const kdx_symprov *prov, kdx_breakpad_module *out);

/* One `STACK CFI addr rules` delta record. */
typedef struct kdx_breakpad_cfi_delta {
    uint32_t rva;
    const char *rules;     /* ".cfa: $rsp 80 +" */
} kdx_breakpad_cfi_delta;

/* The STACK CFI INIT record covering an RVA and its delta records (sorted by
 * address, all inside the range). To get the rules at pc: apply init_rules,
 * then each delta with rva <= pc in order; later rules for a register win. */
typedef struct kdx_breakpad_cfi {
    uint32_t rva, size;
    const char *init_rules; /* ".cfa: $rsp .ra: .cfa 8 - ^" */
    const kdx_breakpad_cfi_delta *deltas;
    uint32_t ndeltas;
} kdx_breakpad_cfi;

/* KDX_E_NOT_FOUND when no CFI record covers rva (or prov is not Breakpad). */
kdx_status kdx_breakpad_cfi_for(const kdx_symprov *prov, uint32_t rva, kdx_breakpad_cfi *out);

#endif
