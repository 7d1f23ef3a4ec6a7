/* WinDbg expressions (MASM and C++ evaluators). Every command that takes an
 * address, count or value evaluates it here. */
#ifndef KDX_EXPR_EXPR_H
#define KDX_EXPR_EXPR_H

#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* Evaluates one expression at the start of text in the session's syntax.
 * *end (if given) receives the first character not consumed, so commands can
 * continue parsing ("ADDR L10"). Errors are WinDbg's ("Syntax error at '...'",
 * "Couldn't resolve error at '...'"). */
kdx_status kdx_expr_eval(kdx_session *s, const char *text, uint64_t *value, const char **end,
                         kdx_err *err);
/* As kdx_expr_eval but the whole text (trailing spaces allowed) must be one expression. */
kdx_status kdx_expr_eval_all(kdx_session *s, const char *text, uint64_t *value, kdx_err *err);

#endif
