/* Shared by the C++ evaluator's parts (cpp.c, cpp_types.c, cpp_print.c). */
#ifndef KDX_EXPR_CPP_INTERNAL_H
#define KDX_EXPR_CPP_INTERNAL_H

#include "expr/expr_internal.h"

bool kdx_ct_is_signed_base(kdx_expr_base b);
bool kdx_ct_is_enum(const kdx_expr_type *t);
bool kdx_ct_is_integer(const kdx_expr_type *t);
bool kdx_ct_is_float(const kdx_expr_type *t);
bool kdx_ct_is_record(const kdx_expr_type *t);
bool kdx_ct_is_array(const kdx_expr_type *t);
kdx_expr_type kdx_ct_builtin(kdx_expr_base b, unsigned ptr);
/* A symbol type with pointers unwrapped into ptr and base types mapped to built-ins. */
kdx_expr_type kdx_ct_from_symbol(const kdx_type *t, unsigned extra_ptr);
kdx_expr_type kdx_ct_pointee(const kdx_expr_type *t);
/* Element type of an array or pointer. */
kdx_expr_type kdx_ct_element(const kdx_expr_type *t);
/* Truncates and sign/zero extends v->u to v's type. */
void kdx_ct_normalize(kdx_session *s, kdx_expr_value *v);
/* Reads a scalar lvalue's value from target memory (records/arrays stay unloaded). */
kdx_status kdx_ct_load(kdx_xp *x, kdx_expr_value *v);
/* Parses a type name at x->p ("unsigned int", "nt!_KTHREAD *", "PVOID"); false
 * (nothing consumed) when the text is no type. */
bool kdx_ct_parse_type(kdx_xp *x, kdx_expr_type *out);

#endif
