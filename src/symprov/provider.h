/* The interface every symbol source implements: PDB, ISF, PE exports,
 * Breakpad .sym. The symbol layer keeps one provider per module and looks
 * addresses, names and types up through it. Names and types returned are
 * owned by the provider and live as long as it does. */
#ifndef KDX_SYMPROV_PROVIDER_H
#define KDX_SYMPROV_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "types/type.h"

typedef enum kdx_symkind {
    KDX_SYM_FUNCTION,  /* procedure (a chunk of one in a reordered image) with a known size */
    KDX_SYM_PUBLIC,    /* public symbol (no size) */
    KDX_SYM_DATA,      /* global/static data */
    KDX_SYM_LABEL,
    KDX_SYM_EXPORT     /* PE export */
} kdx_symkind;

/* What a symbol names, when its source says so (kdx_symbol.flags). Code
 * addresses (k, u, ln on code, !analyze) resolve only to symbols that can
 * name code; see sym/symclass.h for how the symbol layer decides when a
 * provider leaves both bits clear (ISF tables carry no kind at all). */
enum {
    KDX_SYMF_CODE = 1, /* names code: a procedure, a code public, an export in an executable section */
    KDX_SYMF_DATA = 2  /* names data: a global, a data public, a string literal, a vftable */
};

/* Fill with designated initializers: fields get added (flags was). */
typedef struct kdx_symbol {
    const char *name;    /* display name (undecorated where possible) */
    uint32_t rva;
    uint32_t size;       /* 0 when unknown */
    kdx_symkind kind;
    const kdx_type *type; /* data symbol's type, NULL if unknown */
    uint8_t flags;       /* KDX_SYMF_*; 0 when the source does not tell */
} kdx_symbol;

/* x86 frame description for unwinding (PDB FPO/FrameData records, Breakpad
 * STACK WIN records). */
typedef struct kdx_frame_data {
    uint32_t rva_start;
    uint32_t code_size;
    uint32_t prolog_size;
    uint32_t saved_regs_size;
    uint32_t params_size;
    uint32_t locals_size;
    uint32_t max_stack_size;
    bool has_program;        /* FrameData / STACK WIN type 4: a postfix program */
    const char *program;     /* e.g. "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = " */
    bool uses_base_pointer;  /* FPO: EBP is allocated (frame has a base pointer) */
    bool has_seh;
    bool is_fpo;             /* old FPO_DATA record (type 0) */
} kdx_frame_data;

typedef int (*kdx_symbol_cb)(void *ud, const kdx_symbol *sym); /* nonzero stops */
typedef int (*kdx_type_cb)(void *ud, const kdx_type *type);
typedef int (*kdx_name_cb)(void *ud, const char *name);
typedef int (*kdx_rva_cb)(void *ud, uint32_t rva);

typedef struct kdx_symprov_ops {
    const char *kind;                   /* "pdb", "isf", "export", "breakpad" */
    void (*destroy)(void *impl);
    /* Nearest symbol at or before rva (KDX_E_NOT_FOUND if none). */
    kdx_status (*by_rva)(void *impl, uint32_t rva, kdx_symbol *out);
    /* Exact name lookup (case-sensitive first, then case-insensitive). */
    kdx_status (*by_name)(void *impl, const char *name, kdx_symbol *out);
    /* Every symbol matching a wildcard pattern. */
    kdx_status (*enumerate)(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud);
    /* Optional (NULL allowed) below. */
    const kdx_type *(*find_type)(void *impl, const char *name);
    kdx_status (*enumerate_types)(void *impl, const char *pattern, kdx_type_cb cb, void *ud);
    kdx_status (*line_for_rva)(void *impl, uint32_t rva, const char **file, uint32_t *line);
    /* x86 frame data covering rva. */
    kdx_status (*frame_data_for_rva)(void *impl, uint32_t rva, kdx_frame_data *out);
    /* The parameter list of the function starting at rva, as `x`, `ln` and
     * `kp` print it: "(int, char **)", "(void)". Malloc'd; NULL when unknown. */
    char *(*params_at)(void *impl, uint32_t rva);
    /* Every name find_type answers exactly, when that is more than the names
     * enumerate_types reports (base types, a table's own spellings). Lets
     * the symbol index cache (sym/symcache.h) answer every lookup itself. */
    kdx_status (*type_names)(void *impl, kdx_name_cb cb, void *ud);
    /* Every address where line_for_rva's / frame_data_for_rva's answer may
     * change (the starts and ends of the records behind it), in any order:
     * the answer is the same from one such address to the next, so the
     * symbol index cache can store it. Optional. */
    kdx_status (*line_breaks)(void *impl, kdx_rva_cb cb, void *ud);
    kdx_status (*frame_breaks)(void *impl, kdx_rva_cb cb, void *ud);
} kdx_symprov_ops;

typedef struct kdx_symprov {
    const kdx_symprov_ops *ops;
    void *impl;
} kdx_symprov;

/* ops->params_at when the provider has it, else NULL. */
static inline char *kdx_symprov_params_at(const kdx_symprov *p, uint32_t rva)
{
    return p && p->ops && p->ops->params_at ? p->ops->params_at(p->impl, rva) : NULL;
}

#endif
