/* Status codes and error messages shared by every part of libkdx.
 * Functions return a kdx_status and, when given a kdx_err, fill it with a
 * human-readable message naming what failed (file, structure, offset). */
#ifndef KDX_BASE_ERR_H
#define KDX_BASE_ERR_H

#include <stdarg.h>

/* The same enum is in the public include/kdx.h (its values are ABI):
 * whichever header comes first defines it. */
#ifndef KDX_STATUS_DEFINED
#define KDX_STATUS_DEFINED
typedef enum kdx_status {
    KDX_OK = 0,
    KDX_E_NOMEM,        /* allocation failed */
    KDX_E_IO,           /* open/read/mmap failed */
    KDX_E_FORMAT,       /* a structure in a file is corrupt or unsupported */
    KDX_E_TRUNCATED,    /* a structure extends past the end of its file */
    KDX_E_NOT_FOUND,    /* symbol, type, module, stream... not found */
    KDX_E_UNSUPPORTED,  /* valid request this target or build cannot do */
    KDX_E_ARG,          /* bad argument to a command or function */
    KDX_E_SYNTAX,       /* expression or command syntax error */
    KDX_E_MEM_MISSING,  /* memory is not present in the dump */
    KDX_E_MEM_INVALID,  /* translation hit a not-valid (software) PTE */
    KDX_E_NO_SYMBOLS,   /* the operation needs symbols that are not loaded */
    KDX_E_NET,          /* network / symbol-server failure */
    KDX_E_LIMIT,        /* loop, recursion or size limit hit */
    KDX_E_INTERRUPTED   /* stopped by the user (Ctrl-C) */
} kdx_status;
#endif

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
