/* Shared by the expression evaluator's parts (lexer, MASM, C++, names).
 * Not for use outside src/expr/. */
#ifndef KDX_EXPR_INTERNAL_H
#define KDX_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "expr/expr.h"
#include "target/session.h"

/* Nesting limit for parentheses, unary chains and @@ switches: deeper input
 * is refused instead of exhausting the C stack. */
#define KDX_EXPR_MAX_DEPTH 200

/* One evaluation in progress. */
typedef struct kdx_xp {
    kdx_session *s;
    const char *p;       /* current position */
    kdx_err *err;
    kdx_status st;       /* first error, sticky */
    int depth;
    int noeval;          /* > 0: parse only (sizeof, the untaken side of && || ?:) */
    const char *tok;     /* start of the name being resolved (error positions) */
} kdx_xp;

/* ---- lexer (lex.c) ---- */

/* Skips blanks; returns the new position. */
const char *kdx_xp_skip(kdx_xp *x);
/* True when c may continue an identifier / symbol name. */
bool kdx_xp_ident_char(char c);
/* Length of the identifier/symbol token at p ("nt!KiFoo", "nt", "_KTHREAD", "A::B"). */
size_t kdx_xp_ident_len(const char *p);
/* One more nesting level; false (error recorded) past KDX_EXPR_MAX_DEPTH. */
bool kdx_xp_enter(kdx_xp *x);
/* Skips blanks and consumes c, or records "Syntax error at" and returns false. */
bool kdx_xp_expect(kdx_xp *x, char c);
/* If the text at p starting with `word` is that whole word, consumes it. */
bool kdx_xp_word(kdx_xp *x, const char *word);

typedef enum kdx_num_result { KDX_NUM_NONE, KDX_NUM_OK, KDX_NUM_BAD, KDX_NUM_OVERFLOW } kdx_num_result;
/* Scans a MASM number at p in `radix` (0x 0n 0t 0y prefixes, h suffix, `
 * separators). Only digits/letters of the token are looked at; a token that
 * starts with a letter and is not a valid number is KDX_NUM_NONE (a name).
 * *had_backtick tells whether a ` separator appeared (sign-extension rule). */
kdx_num_result kdx_xp_scan_masm_number(const char *p, unsigned radix, uint64_t *v,
                                       const char **end, bool *had_backtick);

/* Records an error "<what> error at '<rest>'" (WinDbg's form) unless one is
 * already recorded; returns the status. */
kdx_status kdx_xp_fail(kdx_xp *x, kdx_status code, const char *what, const char *at);
/* Records an error with a free-form message. */
kdx_status kdx_xp_failf(kdx_xp *x, kdx_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- names (names.c): registers, pseudo-registers, symbols ---- */

/* True for a kernel target (numeric constants are sign extended). */
bool kdx_xp_kernel_mode(const kdx_session *s);
/* 32-bit values 0x80000000..0xffffffff sign extended to 64 bits. */
uint64_t kdx_xp_sign_extend32(uint64_t v);
/* Register by name (no '@'). KDX_E_NOT_FOUND if the name is no register of the
 * target's arch; other errors when the context cannot be read. */
kdx_status kdx_xp_register(kdx_xp *x, const char *name, size_t len, uint64_t *v, int *width);
/* Pseudo-register by name including '$' ("$ip", "$t0"). KDX_E_NOT_FOUND if unknown. */
kdx_status kdx_xp_pseudo(kdx_xp *x, const char *name, size_t len, uint64_t *v);
/* Symbol or module name ("nt!Foo", "nt", "Foo"). */
kdx_status kdx_xp_symbol(kdx_xp *x, const char *name, size_t len, uint64_t *v);

/* ---- MASM functions (masm_funcs.c) ---- */

/* The $-functions: $iment, $scmp, $sicmp, $spat, $vvalid. x->p is just after
 * the name; parses "(args)". KDX_E_NOT_FOUND (nothing recorded) if `name` is
 * no function. */
kdx_status kdx_xp_masm_function(kdx_xp *x, const char *name, size_t len, uint64_t *v);
/* Entry point of module m from the PE headers mapped at its base. */
kdx_status kdx_xp_module_entry(kdx_xp *x, kdx_module *m, uint64_t *v, const char *what,
                              size_t len);
/* Memory read of size 1/2/4/8 (0: pointer size) for poi/by/wo/dwo/qwo. */
kdx_status kdx_xp_read_mem(kdx_xp *x, uint64_t addr, int size, uint64_t *v);

/* ---- evaluators ---- */

/* MASM expression at x->p (masm.c). */
kdx_status kdx_xp_masm(kdx_xp *x, uint64_t *v);
/* C++ expression at x->p (cpp.c). */
kdx_status kdx_xp_cpp(kdx_xp *x, kdx_expr_value *v);
/* Either syntax, integer result (cpp values converted). */
kdx_status kdx_xp_eval_syntax(kdx_xp *x, kdx_expr_syntax syn, uint64_t *v);
/* "@@c++(", "@@masm(", "@@(" at x->p: evaluates the nested expression in the
 * named (or other) syntax. Returns KDX_E_NOT_FOUND (nothing consumed) when
 * x->p is not such a switch. `current` is the syntax being parsed. */
kdx_status kdx_xp_syntax_switch(kdx_xp *x, kdx_expr_syntax current, kdx_expr_value *v);

#endif
