/* Internal side of the public API (include/kdx.h): what a kdx_dbg handle
 * holds and how API functions record the calling thread's last error. */
#ifndef KDX_API_API_H
#define KDX_API_API_H

#include "base/err.h"
#include "kdx.h"
#include "target/session.h"

struct kdx_dbg {
    kdx_session *s;
    FILE *null_out;     /* opened when the caller wanted output discarded */
};

/* Records err's message as the thread's last error; returns its code. */
kdx_status kdx_api_fail(const kdx_err *err);
kdx_status kdx_api_failf(kdx_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
