#include "base/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

static void open_library(kdx_lazylib *l, const char *const *names, void (**fns)(void), unsigned n)
{
    const char *err = "no soname to try";
    for (const char *const *s = l->sonames; *s && !l->handle; s++) {
        l->handle = dlopen(*s, RTLD_NOW | RTLD_LOCAL);
        if (!l->handle)
            err = dlerror();
    }
    if (!l->handle) {
        snprintf(l->why, sizeof l->why, "%s could not be loaded (%s)", l->sonames[0], err);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        void *p = dlsym(l->handle, names[i]);
        if (!p) {
            snprintf(l->why, sizeof l->why, "%s has no %s", l->sonames[0], names[i]);
            l->handle = NULL; /* a library we cannot use whole is not used at all */
            return;
        }
        /* POSIX: object and function pointers convert (dlsym relies on it). */
        memcpy(&fns[i], &p, sizeof p);
    }
}

bool kdx_lazylib_load(kdx_lazylib *l, const char *const *names, void (**fns)(void), unsigned n)
{
    pthread_mutex_lock(&lazy_lock);
    if (!l->tried) {
        l->tried = true;
        open_library(l, names, fns, n);
    }
    bool ok = l->handle != NULL;
    pthread_mutex_unlock(&lazy_lock);
    return ok;
}

const char *kdx_lazylib_why(const kdx_lazylib *l)
{
    return l->why[0] ? l->why : "not loaded yet";
}
