/* Symbol-server client: HTTP(S) downloads with libcurl's multi interface so
 * that many modules are fetched at once, into a downstream store, written
 * under a temporary name and renamed into place only when complete. */
#include "sym/symsrv.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/file.h"
#include "base/util.h"

#define MAX_PARALLEL 8

enum stage { STAGE_PLAIN, STAGE_COMPRESSED, STAGE_FILE_PTR, STAGE_DONE };

typedef struct transfer {
    kdx_symsrv_req *req;
    CURL *easy;
    enum stage stage;
    FILE *fp;
    char *tmp;        /* temporary download file */
    char *dir;        /* STORE/name/key */
    char *url;
    char curl_err[CURL_ERROR_SIZE];
    bool active;
} transfer;

static void set_msg(kdx_symsrv_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(kdx_symsrv_req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

char *kdx_symsrv_compressed_name(const char *name)
{
    char *c = kdx_strdup(name);
    size_t n = strlen(c);
    if (n)
        c[n - 1] = '_';
    return c;
}

kdx_status kdx_mkdirs(const char *dir, kdx_err *err)
{
    char *p = kdx_strdup(dir);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            kdx_status st = kdx_err_set(err, KDX_E_IO, "cannot create directory %s: %s", p,
                                        strerror(errno));
            free(p);
            return st;
        }
        *q = '/';
    }
    kdx_status st = KDX_OK;
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        st = kdx_err_set(err, KDX_E_IO, "cannot create directory %s: %s", p, strerror(errno));
    free(p);
    return st;
}

kdx_status kdx_write_file_atomic(const char *path, const void *buf, size_t len, kdx_err *err)
{
    char *tmp = kdx_asprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        kdx_status st = kdx_err_set(err, KDX_E_IO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    bool ok = fwrite(buf, 1, len, fp) == len;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        kdx_status st = kdx_err_set(err, KDX_E_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return KDX_OK;
}

kdx_status kdx_copy_file_atomic(const char *src, const char *dst, kdx_err *err)
{
    uint8_t *buf;
    size_t len;
    kdx_status st = kdx_read_all(src, &buf, &len, err);
    if (st != KDX_OK)
        return st;
    st = kdx_write_file_atomic(dst, buf, len, err);
    free(buf);
    return st;
}

void kdx_symsrv_req_free(kdx_symsrv_req *r)
{
    free(r->path);
    r->path = NULL;
}

static const char *stage_file(const transfer *x, char **owned)
{
    *owned = NULL;
    switch (x->stage) {
    case STAGE_COMPRESSED:
        return *owned = kdx_symsrv_compressed_name(x->req->name);
    case STAGE_FILE_PTR:
        return "file.ptr";
    default:
        return x->req->name;
    }
}

/* Opens the temporary file and points the handle at the stage's URL. */
static bool start_stage(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    char *owned;
    const char *file = stage_file(x, &owned);
    size_t sl = strlen(r->server);
    while (sl && r->server[sl - 1] == '/')
        sl--;
    free(x->url);
    x->url = kdx_asprintf("%.*s/%s/%s/%s", (int)sl, r->server, r->name, r->key, file);
    free(owned);
    free(x->tmp);
    x->tmp = kdx_asprintf("%s/.%s.%ld.%p.tmp", x->dir, r->name, (long)getpid(), (void *)x);
    x->fp = fopen(x->tmp, "wb");
    if (!x->fp) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  cannot create %s: %s", x->tmp, strerror(errno));
        return false;
    }
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x->fp);
    return true;
}

static void set_common_options(transfer *x)
{
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fwrite);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate as the server offers */
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Microsoft-Symbol-Server/10.0.0.0");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->curl_err);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    /* Proxies: libcurl reads http_proxy, https_proxy, all_proxy and no_proxy itself. */
}

static void drop_tmp(transfer *x)
{
    if (x->fp) {
        fclose(x->fp);
        x->fp = NULL;
    }
    if (x->tmp) {
        unlink(x->tmp);
        free(x->tmp);
        x->tmp = NULL;
    }
}

/* file.ptr: "PATH:<path>" names the real file (followed when readable here),
 * "MSG:<text>" is the server's explanation. */
static void finish_file_ptr(transfer *x, const char *final)
{
    kdx_symsrv_req *r = x->req;
    uint8_t *buf;
    size_t len;
    if (kdx_read_all(x->tmp, &buf, &len, NULL) != KDX_OK) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  %s: cannot read the downloaded file.ptr", x->url);
        return;
    }
    char *text = kdx_strndup((const char *)buf, len);
    free(buf);
    kdx_rtrim(text);
    if (kdx_istarts_with(text, "PATH:")) {
        char *target = kdx_strdup(text + 5);
        for (char *q = target; *q; q++)
            if (*q == '\\')
                *q = '/';
        kdx_err err = {0};
        if (kdx_copy_file_atomic(target, final, &err) == KDX_OK) {
            r->status = KDX_OK;
            r->path = kdx_strdup(final);
        } else {
            r->status = KDX_E_NOT_FOUND;
            set_msg(r, "SYMSRV:  %s redirects to %s, which is not accessible",
                     x->url, target);
        }
        free(target);
    } else {
        r->status = KDX_E_NOT_FOUND;
        set_msg(r, "SYMSRV:  %s: %s", x->url,
                 kdx_istarts_with(text, "MSG:") ? text + 4 : text);
    }
    free(text);
}

/* A stage ended with HTTP 200: put the file in place. */
static void finish_success(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    char *final = kdx_asprintf("%s/%s", x->dir, r->name);
    fclose(x->fp);
    x->fp = NULL;
    kdx_err err = {0};
    if (x->stage == STAGE_PLAIN) {
        if (rename(x->tmp, final) == 0) {
            r->status = KDX_OK;
            r->path = final;
            final = NULL;
        } else {
            r->status = KDX_E_IO;
            set_msg(r, "SYMSRV:  cannot store %s: %s", final, strerror(errno));
        }
    } else if (x->stage == STAGE_COMPRESSED) {
        if (kdx_cab_expand(x->tmp, final, &err) == KDX_OK) {
            r->status = KDX_OK;
            r->path = final;
            final = NULL;
        } else {
            r->status = err.code;
            set_msg(r, "SYMSRV:  %s: %s", x->url, err.msg);
        }
    } else {
        finish_file_ptr(x, final);
    }
    free(final);
    drop_tmp(x);
    x->stage = STAGE_DONE;
}

/* Handles a finished transfer; returns true when it goes on with the next stage. */
static bool on_done(transfer *x, CURLcode rc)
{
    kdx_symsrv_req *r = x->req;
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        drop_tmp(x);
        r->status = KDX_E_NET;
        r->server_unreachable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                                rc == CURLE_COULDNT_RESOLVE_PROXY ||
                                rc == CURLE_OPERATION_TIMEDOUT;
        set_msg(r, "SYMSRV:  %s: %s", x->url,
                 x->curl_err[0] ? x->curl_err : curl_easy_strerror(rc));
        x->stage = STAGE_DONE;
        return false;
    }
    if (code == 200) {
        finish_success(x);
        return false;
    }
    drop_tmp(x);
    if (code == 404 && x->stage < STAGE_FILE_PTR) {
        x->stage++;
        return start_stage(x);
    }
    r->status = code == 404 ? KDX_E_NOT_FOUND : KDX_E_NET;
    if (code == 404)
        set_msg(r, "SYMSRV:  %s/%s/%s/%s not found (HTTP 404)", r->server,
                 r->name, r->key, r->name);
    else
        set_msg(r, "SYMSRV:  %s: HTTP status %ld", x->url, code);
    x->stage = STAGE_DONE;
    return false;
}

static bool prepare(transfer *x, kdx_symsrv_req *r)
{
    memset(x, 0, sizeof *x);
    x->req = r;
    r->status = KDX_E_NOT_FOUND;
    r->msg[0] = '\0';
    r->path = NULL;
    x->dir = kdx_asprintf("%s/%s/%s", r->store, r->name, r->key);
    kdx_err err = {0};
    if (kdx_mkdirs(x->dir, &err) != KDX_OK) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  %s", err.msg);
        return false;
    }
    x->easy = curl_easy_init();
    if (!x->easy) {
        r->status = KDX_E_NOMEM;
        const char *why = kdx_curl_unavailable();
        set_msg(r, "SYMSRV:  cannot create a transfer%s%s", why ? ": " : "", why ? why : "");
        return false;
    }
    set_common_options(x);
    return start_stage(x);
}

void kdx_symsrv_fetch(kdx_symsrv_req *reqs, size_t n)
{
    if (n == 0)
        return;
    pthread_once(&curl_once, curl_init_once);
    CURLM *multi = curl_multi_init();
    transfer *xs = kdx_xcalloc(n, sizeof *xs);
    size_t next = 0, running = 0;
    while (next < n || running) {
        /* Keep up to MAX_PARALLEL transfers in flight. */
        while (next < n && running < MAX_PARALLEL) {
            transfer *x = &xs[next];
            if (prepare(x, &reqs[next])) {
                curl_multi_add_handle(multi, x->easy);
                x->active = true;
                running++;
            }
            next++;
        }
        int still;
        curl_multi_perform(multi, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            transfer *x;
            CURL *e = msg->easy_handle;
            CURLcode rc = msg->data.result;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
            curl_multi_remove_handle(multi, e);
            if (on_done(x, rc)) {
                curl_multi_add_handle(multi, e);
            } else {
                x->active = false;
                running--;
            }
        }
        if (running)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        drop_tmp(&xs[i]);
        if (xs[i].easy)
            curl_easy_cleanup(xs[i].easy);
        free(xs[i].url);
        if (xs[i].dir && reqs[i].status != KDX_OK) {
            /* Leave no empty name/key directories behind for files not found. */
            rmdir(xs[i].dir);
            char *slash = strrchr(xs[i].dir, '/');
            if (slash) {
                *slash = '\0';
                rmdir(xs[i].dir);
            }
        }
        free(xs[i].dir);
    }
    free(xs);
    curl_multi_cleanup(multi);
}
