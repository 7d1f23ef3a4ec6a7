#include "base/err.h"

#include <stdio.h>
#include <string.h>

kdx_status kdx_err_vset(kdx_err *err, kdx_status code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

kdx_status kdx_err_set(kdx_err *err, kdx_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kdx_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void kdx_err_prefix(kdx_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[KDX_ERR_MSG_MAX], old[KDX_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
}

void kdx_err_clear(kdx_err *err)
{
    if (err) {
        err->code = KDX_OK;
        err->msg[0] = '\0';
    }
}

const char *kdx_status_name(kdx_status code)
{
    switch (code) {
    case KDX_OK: return "ok";
    case KDX_E_NOMEM: return "out of memory";
    case KDX_E_IO: return "I/O error";
    case KDX_E_FORMAT: return "bad format";
    case KDX_E_TRUNCATED: return "truncated";
    case KDX_E_NOT_FOUND: return "not found";
    case KDX_E_UNSUPPORTED: return "unsupported";
    case KDX_E_ARG: return "bad argument";
    case KDX_E_SYNTAX: return "syntax error";
    case KDX_E_MEM_MISSING: return "memory not in dump";
    case KDX_E_MEM_INVALID: return "page not valid";
    case KDX_E_NO_SYMBOLS: return "no symbols";
    case KDX_E_NET: return "network error";
    case KDX_E_LIMIT: return "limit reached";
    case KDX_E_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
