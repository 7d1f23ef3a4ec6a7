/* Libraries most runs never use, loaded on first use with dlopen: libcurl
 * (only a symbol path with a URL), capstone (only disassembly), libedit
 * (only an interactive prompt). Each has a shim file defining the functions
 * kdx calls, which forward to the library once loaded; kdx itself is then
 * linked without them and starts with none of their dependencies (curl's
 * TLS, Kerberos and LDAP stacks among them). `make LAZY_LIBS=0` links them
 * directly instead (a static single-file build). */
#ifndef KDX_BASE_LAZYLIB_H
#define KDX_BASE_LAZYLIB_H

#include <stdbool.h>

#define KDX_STR_(x) #x
#define KDX_STR(x) KDX_STR_(x)

typedef struct kdx_lazylib {
    const char *const *sonames;  /* tried in order, NULL-terminated */
    bool tried;
    void *handle;
    char why[400];               /* why it could not be loaded */
} kdx_lazylib;

#define KDX_LAZYLIB_INIT(...) {(const char *const[]){__VA_ARGS__, NULL}, false, NULL, ""}

/* Loads the library on first call (thread-safe) and resolves each name into
 * the matching slot of fns; false (reason in kdx_lazylib_why) when the
 * library or any of the names is missing. */
bool kdx_lazylib_load(kdx_lazylib *l, const char *const *names, void (**fns)(void), unsigned n);
const char *kdx_lazylib_why(const kdx_lazylib *l);

#endif
