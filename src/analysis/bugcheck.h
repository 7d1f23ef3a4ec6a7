/* Bug-check knowledge: names (generated from mingw-w64's bugcodes.h plus
 * bugcheck_extra.txt) and the project's own descriptions of each argument,
 * including the sub-code tables that change their meaning. */
#ifndef KDX_ANALYSIS_BUGCHECK_H
#define KDX_ANALYSIS_BUGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kdx_bugcheck_name {
    uint32_t code;
    const char *name;
} kdx_bugcheck_name;

/* Generated table, sorted by code, ends with {0, 0}. */
extern const kdx_bugcheck_name kdx_bugcheck_names[];

/* Symbolic name of a code. Codes with the 0x10000000 bit are the "_M"
 * variants Windows raises from KeBugCheck2 for the same condition
 * (0x1000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M). NULL when unknown. */
const char *kdx_bugcheck_name_of(uint32_t code, char *buf, size_t len);

/* What kind of bug check it is, for analysis. */
typedef enum kdx_bugcheck_kind {
    KDX_BC_OTHER,
    KDX_BC_EXCEPTION_RECORD_CONTEXT, /* args: code, address, exception record, context (0x7E, 0x8E-like) */
    KDX_BC_EXCEPTION_TRAPFRAME,      /* args: code, address, trap frame / context (0x1E, 0x3B) */
    KDX_BC_PAGE_FAULT,               /* 0x50: address referenced, access, faulting IP */
    KDX_BC_IRQL,                     /* 0x0A/0xD1: address referenced, IRQL, access, IP */
    /* Exception and context record pointers in other slots, 0 when no
     * exception caused the bug check (file systems, transaction managers). */
    KDX_BC_RECORDS_IN_ARG2_3,        /* 0x23, 0x24, 0x26, 0x27, 0x108, ... */
    KDX_BC_RECORDS_IN_ARG1_2,        /* 0x10F */
    KDX_BC_RECORDS_IN_ARG3_4,        /* 0x18D */
} kdx_bugcheck_kind;

/* Indexes (0-3) of the arguments holding the exception record and context
 * record for kinds that carry them; false for the other kinds. */
bool kdx_bugcheck_record_args(kdx_bugcheck_kind k, int *exr, int *cxr);

typedef struct kdx_bugcheck_expl {
    const char *name;          /* NULL if the code is unknown */
    char name_buf[96];
    const char *summary;       /* the project's paragraph about the code, or NULL */
    const char *args[4];       /* meaning of each argument for these values */
    char arg_buf[4][160];
    kdx_bugcheck_kind kind;
    bool described;            /* kdx has its own description of this code */
} kdx_bugcheck_expl;

/* Explains code and args (sub-codes in Arg1 change the others' meaning). */
void kdx_bugcheck_explain(uint32_t code, const uint64_t args[4], kdx_bugcheck_expl *out);

/* Prints WinDbg's bug-check block: "NAME (code)", summary, "Arguments:",
 * "Arg1: value, meaning"... into buf via the callback. */
typedef void (*kdx_line_fn)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kdx_bugcheck_print(uint32_t code, const uint64_t args[4], int ptr_size, kdx_line_fn out, void *ctx);

#endif
