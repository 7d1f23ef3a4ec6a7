/* libcurl on first use (base/lazylib.h): the functions symsrv.c calls,
 * forwarded to libcurl.so.4 once a symbol path with a URL needs it. */
#include "sym/symsrv.h"

#ifndef KDX_NO_LAZY_LIBS
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <stdarg.h>

#include "base/lazylib.h"

static kdx_lazylib curl_lib = KDX_LAZYLIB_INIT("libcurl.so.4", "libcurl-gnutls.so.4");

enum {
    F_GLOBAL_INIT, F_EASY_INIT, F_EASY_SETOPT, F_EASY_GETINFO, F_EASY_STRERROR, F_EASY_CLEANUP,
    F_MULTI_INIT, F_MULTI_ADD, F_MULTI_PERFORM, F_MULTI_INFO_READ, F_MULTI_REMOVE, F_MULTI_POLL,
    F_MULTI_CLEANUP, F_EASY_ESCAPE, F_FREE, F_COUNT
};
static const char *const names[F_COUNT] = {
    "curl_global_init", "curl_easy_init", "curl_easy_setopt", "curl_easy_getinfo",
    "curl_easy_strerror", "curl_easy_cleanup", "curl_multi_init", "curl_multi_add_handle",
    "curl_multi_perform", "curl_multi_info_read", "curl_multi_remove_handle", "curl_multi_poll",
    "curl_multi_cleanup", "curl_easy_escape", "curl_free"};
static void (*fns[F_COUNT])(void);

static bool loaded(void)
{
    return kdx_lazylib_load(&curl_lib, names, fns, F_COUNT);
}

char *curl_easy_escape(CURL *h, const char *text, int len)
{
    return loaded() ? ((char *(*)(CURL *, const char *, int))fns[F_EASY_ESCAPE])(h, text, len) : NULL;
}

void curl_free(void *p)
{
    if (loaded())
        ((void (*)(void *))fns[F_FREE])(p);
}

const char *kdx_curl_unavailable(void)
{
    return loaded() ? NULL : kdx_lazylib_why(&curl_lib);
}

CURLcode curl_global_init(long flags)
{
    return loaded() ? ((CURLcode(*)(long))fns[F_GLOBAL_INIT])(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
    return loaded() ? ((CURL * (*)(void)) fns[F_EASY_INIT])() : NULL;
}

/* The option number says the type of the third argument (curl.h: CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
    if (!loaded())
        return CURLE_FAILED_INIT;
    CURLcode (*fn)(CURL *, CURLoption, ...) = (CURLcode(*)(CURL *, CURLoption, ...))fns[F_EASY_SETOPT];
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = fn(h, opt, va_arg(ap, long));
    else if (opt >= CURLOPTTYPE_FUNCTIONPOINT && opt < CURLOPTTYPE_OFF_T)
        rc = fn(h, opt, va_arg(ap, void (*)(void)));
    else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
        rc = fn(h, opt, va_arg(ap, curl_off_t));
    else
        rc = fn(h, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    if (!loaded())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *); /* always a pointer to the result */
    va_end(ap);
    return ((CURLcode(*)(CURL *, CURLINFO, ...))fns[F_EASY_GETINFO])(h, info, out);
}

const char *curl_easy_strerror(CURLcode c)
{
    return loaded() ? ((const char *(*)(CURLcode))fns[F_EASY_STRERROR])(c) : kdx_lazylib_why(&curl_lib);
}

void curl_easy_cleanup(CURL *h)
{
    if (loaded())
        ((void (*)(CURL *))fns[F_EASY_CLEANUP])(h);
}

CURLM *curl_multi_init(void)
{
    return loaded() ? ((CURLM * (*)(void)) fns[F_MULTI_INIT])() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
    return loaded() ? ((CURLMcode(*)(CURLM *, CURL *))fns[F_MULTI_ADD])(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
    if (!loaded()) {
        *running = 0;
        return CURLM_BAD_HANDLE;
    }
    return ((CURLMcode(*)(CURLM *, int *))fns[F_MULTI_PERFORM])(m, running);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
    if (!loaded()) {
        *left = 0;
        return NULL;
    }
    return ((CURLMsg * (*)(CURLM *, int *)) fns[F_MULTI_INFO_READ])(m, left);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
    return loaded() ? ((CURLMcode(*)(CURLM *, CURL *))fns[F_MULTI_REMOVE])(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned n, int ms, int *numfds)
{
    if (!loaded())
        return CURLM_BAD_HANDLE;
    return ((CURLMcode(*)(CURLM *, struct curl_waitfd *, unsigned, int, int *))fns[F_MULTI_POLL])(
        m, extra, n, ms, numfds);
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
    return loaded() ? ((CURLMcode(*)(CURLM *))fns[F_MULTI_CLEANUP])(m) : CURLM_BAD_HANDLE;
}

#else
const char *kdx_curl_unavailable(void)
{
    return NULL;
}
#endif
