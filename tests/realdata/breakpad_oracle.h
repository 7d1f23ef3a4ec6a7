/* Breakpad dump_syms output (.sym) as an independent oracle for the PDB
 * provider: its FUNC/PUBLIC records, line records and STACK WIN records,
 * and checks of a provider against them. */
#ifndef KDX_TESTS_BREAKPAD_ORACLE_H
#define KDX_TESTS_BREAKPAD_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "symprov/provider.h"
#include "tests/test.h"

typedef struct bp_record {
    char kind;  /* 'F' (FUNC) or 'P' (PUBLIC) */
    uint32_t rva, size;
    char *name;
} bp_record;

/* FUNC and PUBLIC records of a .sym file in file order (0 when unreadable). */
size_t bp_read_symbols(const char *path, bp_record **out);
void bp_free_symbols(bp_record *recs, size_t n);

/* The name WinDbg shows for a Breakpad FUNC name: no parameter list, no
 * "static RET " prefix that DIA adds to file-static functions (malloc'd). */
char *bp_windbg_name(const char *bp);
/* True when kdx's name is the oracle's (DIA drops one leading underscore of a
 * C name that WinDbg keeps). */
bool bp_same_name(const char *kdx, const char *windbg);

/* Every line record with code ("rva size line file") must be the line and
 * file p finds at rva. Returns the number of records checked; failures are
 * reported on t (at most three in detail, then a count). */
int bp_check_lines(kdx_test_ctx *t, const kdx_symprov *p, const char *sympath);

/* Every STACK WIN record must be what p's frame data says at its RVA: the
 * same start, size and prolog, and the same sizes and program as one of the
 * records starting there (a PDB may hold several for one address). Returns
 * the number of records checked. */
int bp_check_stack_win(kdx_test_ctx *t, const kdx_symprov *p, const char *sympath);

#endif
