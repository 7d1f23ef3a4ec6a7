/* Status codes and error messages shared by every part of libkdx.
 * Functions return a kdx_status and, when given a kdx_err, fill it with a
 * human-readable message naming what failed (file, structure, offset). */
#ifndef KDX_BASE_ERR_H
#define KDX_BASE_ERR_H

#include <stdarg.h>

/* The status codes are ABI: they are defined once, in the public header. */
#include "kdx.h"

#define KDX_ERR_MSG_MAX 512

typedef struct kdx_err {
    kdx_status code;
    char msg[KDX_ERR_MSG_MAX];
} kdx_err;

/* Records code and message in err (which may be NULL); returns code so
 * callers can write `return kdx_err_set(err, KDX_E_FORMAT, "...")`. */
kdx_status kdx_err_set(kdx_err *err, kdx_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
kdx_status kdx_err_vset(kdx_err *err, kdx_status code, const char *fmt, va_list ap);
/* Prefixes an existing message: "context: old message". */
void kdx_err_prefix(kdx_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kdx_err_clear(kdx_err *err);
const char *kdx_status_name(kdx_status code);

#endif
