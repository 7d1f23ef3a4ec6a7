/* WinDbg expressions (MASM and C++ evaluators). Every command that takes an
 * address, count or value evaluates it here. */
#ifndef KDX_EXPR_EXPR_H
#define KDX_EXPR_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"
#include "types/type.h"

/* Evaluates one expression at the start of text in the session's syntax.
 * *end (if given) receives the first character not consumed, so commands can
 * continue parsing ("ADDR L10"). Errors are WinDbg's ("Syntax error at '...'",
 * "Couldn't resolve error at '...'"). */
kdx_status kdx_expr_eval(kdx_session *s, const char *text, uint64_t *value, const char **end,
                         kdx_err *err);
/* As kdx_expr_eval but the whole text (trailing spaces allowed) must be one expression. */
kdx_status kdx_expr_eval_all(kdx_session *s, const char *text, uint64_t *value, kdx_err *err);
/* As kdx_expr_eval in a given syntax, whatever the session's default. */
kdx_status kdx_expr_eval_syntax(kdx_session *s, kdx_expr_syntax syntax, const char *text,
                                uint64_t *value, const char **end, kdx_err *err);

/* ---- Typed values (the C++ evaluator, `??`) ---- */

/* Built-in C++ types; KDX_EB_SYM means "a type from symbols" (kdx_type). */
typedef enum kdx_expr_base {
    KDX_EB_VOID,
    KDX_EB_BOOL,
    KDX_EB_CHAR,
    KDX_EB_UCHAR,
    KDX_EB_WCHAR,
    KDX_EB_SHORT,
    KDX_EB_USHORT,
    KDX_EB_INT,
    KDX_EB_UINT,
    KDX_EB_LONG,   /* 4 bytes, as on Windows */
    KDX_EB_ULONG,
    KDX_EB_INT64,
    KDX_EB_UINT64,
    KDX_EB_FLOAT,
    KDX_EB_DOUBLE,
    KDX_EB_SYM
} kdx_expr_base;

/* A C++ type: a base (built-in or symbol type) with `ptr` pointer levels on
 * top, so casts like (nt!_KTHREAD**) need no new type nodes. */
typedef struct kdx_expr_type {
    kdx_expr_base base;
    const kdx_type *sym;   /* KDX_EB_SYM: record, enum, array, function (typedefs stripped) */
    unsigned ptr;
} kdx_expr_type;

typedef struct kdx_expr_value {
    kdx_expr_type type;
    uint64_t u;            /* integers, pointers, bools (bits of the value) */
    double d;              /* float and double */
    bool lvalue;           /* lives in target memory at addr */
    uint64_t addr;
    bool loaded;           /* u/d hold the value (false for records and arrays) */
} kdx_expr_value;

/* Evaluates a C++ expression ("(nt!_KTHREAD*)@$thread", "sizeof(nt!_EPROCESS)"). */
kdx_status kdx_expr_eval_cpp(kdx_session *s, const char *text, kdx_expr_value *v, const char **end,
                             kdx_err *err);
/* The type as `??` names it: "unsigned int64", "struct _KTHREAD *". */
void kdx_expr_type_name(kdx_session *s, const kdx_expr_type *t, char *buf, size_t len);
/* Size in bytes of a value of type t. */
uint64_t kdx_expr_type_size(kdx_session *s, const kdx_expr_type *t);
/* Prints a value the way `??` does (first line "TYPE VALUE", records' fields after). */
void kdx_expr_print_value(kdx_session *s, const kdx_expr_value *v);

/* ---- Pseudo-registers ---- */

/* Assigns a user pseudo-register ("$t0".."$t19", with or without '@').
 * KDX_E_ARG for other names (read-only pseudo-registers included). */
kdx_status kdx_expr_set_pseudo(kdx_session *s, const char *name, uint64_t value, kdx_err *err);

/* ---- Output helpers shared by `?`, `.formats`, `r` ---- */

/* The value as `?` prints it after "Evaluate expression: ": "5507486 = 0054099e",
 * "-6046048151504 = fffffa80`4b729830" (signed decimal; 32-bit form on 32-bit
 * targets when the value fits). */
void kdx_expr_format_evaluate(kdx_session *s, uint64_t v, char *buf, size_t len);

/* A double converted to an integer the way a C cast would, with values out
 * of range saturated instead of undefined. */
uint64_t kdx_expr_double_to_u64(double d);
/* A float/double as the Microsoft C runtime's %g prints it (WinDbg's `??`,
 * `.formats`): "6.36908e-022", "1.#INF", "-1.#IND" (indefinite: the default NaN). */
void kdx_expr_format_double(double d, bool indefinite, char *buf, size_t len);

#endif
