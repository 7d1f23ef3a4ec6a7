/* Symbol-server client: HTTP(S) downloads with libcurl's multi interface so
 * that many modules are fetched at once, into a downstream store, written
 * under a temporary name and renamed into place only when complete.
 * Servers are not trusted: every body is bounded in size, time and rate,
 * checked by its first bytes, and never decides which local file is read. */
#include "sym/symsrv.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/file.h"
#include "base/util.h"

#define MAX_PARALLEL 8
#define FILE_PTR_MAX 65536u     /* a file.ptr is one line of text */
#define ERROR_BODY_MAX 1048576u /* the body of a 404 or 500 page is read and dropped */
#define HEAD_MAX 16

enum stage { STAGE_PLAIN, STAGE_COMPRESSED, STAGE_FILE_PTR, STAGE_DONE };
/* Why our write callback stopped a transfer. */
enum stop_reason { STOP_NONE, STOP_SIZE, STOP_SIGNATURE, STOP_WRITE };

typedef struct transfer {
    kdx_symsrv_req *req;
    kdx_symsrv_limits limits;
    CURL *easy;
    enum stage stage;
    FILE *fp;
    char *tmp;        /* temporary download file */
    char *dir;        /* STORE/name/key */
    char *url;
    uint64_t received, discarded, stage_max;
    uint8_t head[HEAD_MAX];
    size_t head_len;
    bool head_checked;
    enum stop_reason stop;
    int write_errno;  /* why the temporary file could not be written */
    char curl_err[CURL_ERROR_SIZE];
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

void kdx_symsrv_req_free(kdx_symsrv_req *r)
{
    free(r->path);
    free(r->redirect);
    r->path = r->redirect = NULL;
}

/* ---- limits -------------------------------------------------------------- */

/* "4096", "64K", "2G": false when text is not such a number. */
static bool parse_size(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || errno || text[0] == '-')
        return false;
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static void env_size(const char *name, uint64_t *val, uint64_t max, kdx_strbuf *note)
{
    const char *v = getenv(name);
    uint64_t x;
    if (!v || !*v)
        return;
    if (parse_size(v, &x) && x > 0 && x <= max)
        *val = x;
    else
        kdx_sb_printf(note, "%s%s='%s' is not understood; using %llu.", note->len ? " " : "",
                      name, v, (unsigned long long)*val);
}

void kdx_symsrv_limits_from_env(kdx_symsrv_limits *l, char *note, size_t note_len)
{
    l->max_bytes = KDX_SYMSRV_DEFAULT_MAX_SIZE;
    l->timeout_s = KDX_SYMSRV_DEFAULT_TIMEOUT;
    l->min_rate = KDX_SYMSRV_DEFAULT_MIN_RATE;
    l->rate_window_s = KDX_SYMSRV_DEFAULT_RATE_WINDOW;
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    uint64_t timeout = l->timeout_s, rate = l->min_rate, window = l->rate_window_s;
    env_size("KDX_SYMBOL_MAX_SIZE", &l->max_bytes, UINT64_MAX, &sb);
    env_size("KDX_SYMBOL_TIMEOUT", &timeout, 1000000, &sb);
    const char *r = getenv("KDX_SYMBOL_MIN_RATE");
    if (r && *r) {
        /* BYTES or BYTES/SECONDS */
        char *copy = kdx_strdup(r), *slash = strchr(copy, '/');
        if (slash)
            *slash++ = '\0';
        uint64_t b, s = window;
        if (parse_size(copy, &b) && b <= 0xffffffffu && (!slash || (parse_size(slash, &s) && s &&
                                                                    s <= 86400))) {
            rate = b;
            window = s;
        } else {
            kdx_sb_printf(&sb, "%sKDX_SYMBOL_MIN_RATE='%s' is not understood; using %llu/%llu.",
                          sb.len ? " " : "", r, (unsigned long long)rate,
                          (unsigned long long)window);
        }
        free(copy);
    }
    l->timeout_s = (unsigned)timeout;
    l->min_rate = (unsigned)rate;
    l->rate_window_s = (unsigned)window;
    if (note && note_len)
        snprintf(note, note_len, "%s", sb.s ? sb.s : "");
    kdx_sb_free(&sb);
}

/* ---- the first bytes of each kind of file -------------------------------- */

typedef struct signature {
    const char *what;      /* "a CAB archive" */
    const char *bytes;
    size_t len;
    bool ignore_case;
} signature;

static const signature sig_cab = {"a CAB archive (no MSCF signature)", "MSCF", 4, false};
static const signature sig_pdb = {"a PDB (no MSF signature)", "Microsoft C/C++ ", 16, false};
static const signature sig_pe = {"a PE image (no MZ signature)", "MZ", 2, false};

static bool is_image_name(const char *n)
{
    static const char *const ext[] = {".exe", ".dll", ".sys", ".drv", ".ocx", ".cpl", ".scr",
                                      ".efi", NULL};
    for (int i = 0; ext[i]; i++)
        if (kdx_ends_with_i(n, ext[i]))
            return true;
    return false;
}

/* The signature the stage's body must start with; NULL when kdx does not
 * know the kind of file (it is checked after download by the caller). */
static const signature *stage_signature(const transfer *x)
{
    if (x->stage == STAGE_COMPRESSED)
        return &sig_cab;
    if (x->stage != STAGE_PLAIN)
        return NULL;
    if (kdx_ends_with_i(x->req->name, ".pdb"))
        return &sig_pdb;
    return is_image_name(x->req->name) ? &sig_pe : NULL;
}

/* Collects the first bytes; false once they show the wrong kind of file. */
static bool head_ok(transfer *x, const char *data, size_t len)
{
    const signature *sig = stage_signature(x);
    if (!sig || x->head_checked)
        return true;
    size_t take = KDX_MIN(len, sig->len - x->head_len);
    memcpy(x->head + x->head_len, data, take);
    x->head_len += take;
    if (x->head_len < sig->len)
        return true;
    x->head_checked = true;
    return memcmp(x->head, sig->bytes, sig->len) == 0;
}

/* ---- one transfer -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer *x = ud;
    size_t len = size * nmemb;
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) {
        /* An error page: read and dropped, within reason. */
        x->discarded += len;
        return x->discarded > ERROR_BODY_MAX ? 0 : len;
    }
    if (x->received + len > x->stage_max) {
        x->stop = STOP_SIZE;
        return 0;
    }
    x->received += len;
    if (!head_ok(x, data, len)) {
        x->stop = STOP_SIGNATURE;
        return 0;
    }
    if (fwrite(data, 1, len, x->fp) != len) {
        x->stop = STOP_WRITE;
        x->write_errno = errno;
        return 0;
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const transfer *x = ud;
    (void)ultotal;
    (void)ulnow;
    /* Bytes so far of this file, for a progress display (base/progress.h). */
    if (x && x->url && dlnow > 0)
        kdx_progress_report(x->url, (uint64_t)dlnow, dltotal > 0 ? (uint64_t)dltotal : 0, "bytes");
    return kdx_interrupted() ? 1 : 0;
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

/* SERVER/name/key/file with the three names URL-escaped. */
static char *stage_url(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    char *owned;
    const char *file = stage_file(x, &owned);
    size_t sl = strlen(r->server);
    while (sl && r->server[sl - 1] == '/')
        sl--;
    char *n = curl_easy_escape(x->easy, r->name, 0), *k = curl_easy_escape(x->easy, r->key, 0),
         *f = curl_easy_escape(x->easy, file, 0);
    char *url = kdx_asprintf("%.*s/%s/%s/%s", (int)sl, r->server, n, k, f);
    curl_free(n);
    curl_free(k);
    curl_free(f);
    free(owned);
    return url;
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

/* Opens the temporary file and points the handle at the stage's URL. */
static bool start_stage(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    free(x->url);
    x->url = stage_url(x);
    kdx_err err = {0};
    x->fp = kdx_symstore_temp(x->dir, r->name, &x->tmp, &err);
    if (!x->fp) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  %s", err.msg);
        return false;
    }
    x->received = x->discarded = 0;
    x->head_len = 0;
    x->head_checked = false;
    x->stop = STOP_NONE;
    x->curl_err[0] = '\0';
    x->stage_max = x->stage == STAGE_FILE_PTR ? KDX_MIN(x->limits.max_bytes, FILE_PTR_MAX)
                                              : x->limits.max_bytes;
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
    curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->stage_max);
    return true;
}

static void set_common_options(transfer *x)
{
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    /* A server (or its redirect) must not make kdx read file://, ftp:// ... */
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the string forms */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* decoded bytes are what on_body counts */
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Microsoft-Symbol-Server/10.0.0.0");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)x->limits.timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long)x->limits.min_rate);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)x->limits.rate_window_s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->curl_err);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    /* Proxies: libcurl reads http_proxy, https_proxy, all_proxy and no_proxy itself. */
}

/* file.ptr: "PATH:<path>" names the real file, "MSG:<text>" is the
 * server's explanation. The path is handed to the caller, which follows it
 * only into a store of its own symbol path. */
static void finish_file_ptr(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    uint8_t *buf;
    size_t len;
    r->status = KDX_E_NOT_FOUND;
    if (kdx_read_all(x->tmp, &buf, &len, NULL) != KDX_OK) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  %s: cannot read the downloaded file.ptr", x->url);
        return;
    }
    char *text = kdx_strndup((const char *)buf, len);
    free(buf);
    kdx_rtrim(text);
    if (kdx_istarts_with(text, "PATH:")) {
        r->redirect = kdx_strdup(text + 5);
        for (char *q = r->redirect; *q; q++)
            if (*q == '\\')
                *q = '/';
        char *shown = kdx_symstore_printable(r->redirect);
        set_msg(r, "SYMSRV:  %s redirects to %s", x->url, shown);
        free(shown);
    } else {
        char *shown = kdx_symstore_printable(kdx_istarts_with(text, "MSG:") ? text + 4 : text);
        set_msg(r, "SYMSRV:  %s: %s", x->url, shown);
        free(shown);
    }
    free(text);
}

/* A stage ended with HTTP 200: put the file in place. */
static void finish_success(transfer *x)
{
    kdx_symsrv_req *r = x->req;
    const signature *sig = stage_signature(x);
    char *final = kdx_asprintf("%s/%s", x->dir, r->name);
    fclose(x->fp);
    x->fp = NULL;
    kdx_err err = {0};
    if (sig && !x->head_checked) {
        r->status = KDX_E_FORMAT;
        set_msg(r, "SYMSRV:  %s: %llu bytes, too short to be %s", x->url,
                (unsigned long long)x->received, sig->what);
    } else if (x->stage == STAGE_PLAIN) {
        if (rename(x->tmp, final) == 0) {
            r->status = KDX_OK;
            r->path = final;
            final = NULL;
        } else {
            r->status = KDX_E_IO;
            set_msg(r, "SYMSRV:  cannot store %s: %s", final, strerror(errno));
        }
    } else if (x->stage == STAGE_COMPRESSED) {
        if (kdx_cab_expand(x->tmp, final, x->limits.max_bytes, &err) == KDX_OK) {
            r->status = KDX_OK;
            r->path = final;
            final = NULL;
        } else {
            r->status = err.code;
            set_msg(r, "SYMSRV:  %s: %s", x->url, err.msg);
        }
    } else {
        finish_file_ptr(x);
    }
    free(final);
    drop_tmp(x);
    x->stage = STAGE_DONE;
}

/* Failures that say the server, not one file, is the problem. */
static bool server_failure(CURLcode rc)
{
    switch (rc) {
    case CURLE_WRITE_ERROR:          /* our own stop: size, signature, disk */
    case CURLE_FILESIZE_EXCEEDED:    /* one file too large */
    case CURLE_ABORTED_BY_CALLBACK:  /* the user interrupted */
        return false;
    default:
        return true;
    }
}

static void describe_failure(transfer *x, CURLcode rc)
{
    kdx_symsrv_req *r = x->req;
    const signature *sig = stage_signature(x);
    unsigned long long max = (unsigned long long)x->stage_max;
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        r->status = KDX_E_INTERRUPTED;
        set_msg(r, "SYMSRV:  %s: interrupted", x->url);
    } else if (x->stop == STOP_SIZE || rc == CURLE_FILESIZE_EXCEEDED) {
        r->status = KDX_E_LIMIT;
        set_msg(r, "SYMSRV:  %s: larger than the %llu-byte limit (KDX_SYMBOL_MAX_SIZE); "
                   "transfer stopped", x->url, max);
    } else if (x->stop == STOP_WRITE) {
        r->status = KDX_E_IO;
        set_msg(r, "SYMSRV:  %s: cannot write %s: %s", x->url, x->tmp, strerror(x->write_errno));
    } else if (x->stop == STOP_SIGNATURE && sig) {
        r->status = KDX_E_FORMAT;
        set_msg(r, "SYMSRV:  %s: not %s; transfer stopped", x->url, sig->what);
    } else {
        r->status = KDX_E_NET;
        set_msg(r, "SYMSRV:  %s: %s%s", x->url,
                x->curl_err[0] ? x->curl_err : curl_easy_strerror(rc),
                rc == CURLE_OPERATION_TIMEDOUT
                    ? " (limits: KDX_SYMBOL_TIMEOUT, KDX_SYMBOL_MIN_RATE)" : "");
    }
}

/* Handles a finished transfer; returns true when it goes on with the next stage. */
static bool on_done(transfer *x, CURLcode rc)
{
    kdx_symsrv_req *r = x->req;
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        describe_failure(x, rc);
        drop_tmp(x);
        r->server_unreachable = server_failure(rc);
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

static bool prepare(transfer *x, kdx_symsrv_req *r, const kdx_symsrv_limits *env_limits)
{
    memset(x, 0, sizeof *x);
    x->req = r;
    x->limits = r->limits ? *r->limits : *env_limits;
    r->status = KDX_E_NOT_FOUND;
    r->msg[0] = '\0';
    r->path = r->redirect = NULL;
    kdx_err err = {0};
    if (kdx_symstore_make_dir(r->store, r->name, r->key, &x->dir, &err) != KDX_OK) {
        r->status = err.code;
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

/* ---- many transfers ------------------------------------------------------ */

typedef struct fetch_run {
    kdx_symsrv_req *reqs;
    transfer *xs;
    size_t n, next, running;
    bool *active;
    CURLM *multi;
    kdx_symsrv_limits env_limits;
    KDX_VEC(const char *) dead;   /* servers that failed in this run */
} fetch_run;

static bool is_dead(const fetch_run *f, const char *server)
{
    for (size_t i = 0; i < f->dead.len; i++)
        if (!strcmp(f->dead.items[i], server))
            return true;
    return false;
}

/* A request that is not sent: the server already failed, or the user interrupted. */
static void mark_skipped(kdx_symsrv_req *r, bool interrupted)
{
    r->status = interrupted ? KDX_E_INTERRUPTED : KDX_E_NET;
    r->server_unreachable = !interrupted;
    if (interrupted)
        set_msg(r, "SYMSRV:  %s/%s/%s/%s: interrupted", r->server, r->name, r->key, r->name);
    else
        set_msg(r, "SYMSRV:  %s/%s/%s/%s skipped: the server failed", r->server, r->name, r->key,
                r->name);
}

static void stop_transfer(fetch_run *f, size_t i, bool interrupted)
{
    curl_multi_remove_handle(f->multi, f->xs[i].easy);
    drop_tmp(&f->xs[i]);
    mark_skipped(&f->reqs[i], interrupted);
    f->active[i] = false;
    f->running--;
}

/* Once a server fails, its transfers in flight stop too. */
static void stop_server(fetch_run *f, const char *server)
{
    KDX_VEC_PUSH(f->dead, server);
    for (size_t i = 0; i < f->next; i++)
        if (f->active[i] && !strcmp(f->reqs[i].server, server))
            stop_transfer(f, i, false);
}

static void start_more(fetch_run *f)
{
    while (f->next < f->n && f->running < MAX_PARALLEL) {
        size_t i = f->next++;
        if (is_dead(f, f->reqs[i].server)) {
            memset(&f->xs[i], 0, sizeof f->xs[i]);
            mark_skipped(&f->reqs[i], false);
        } else if (prepare(&f->xs[i], &f->reqs[i], &f->env_limits)) {
            curl_multi_add_handle(f->multi, f->xs[i].easy);
            f->active[i] = true;
            f->running++;
        }
    }
}

static void collect_done(fetch_run *f)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        transfer *x;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
        if (!f->active[x - f->xs])
            continue; /* stopped with its server */
        curl_multi_remove_handle(f->multi, e);
        if (on_done(x, rc)) {
            curl_multi_add_handle(f->multi, e);
            continue;
        }
        f->active[x - f->xs] = false;
        f->running--;
        if (x->req->server_unreachable && !is_dead(f, x->req->server))
            stop_server(f, x->req->server);
    }
}

static void interrupt_all(fetch_run *f)
{
    for (size_t i = 0; i < f->next; i++)
        if (f->active[i])
            stop_transfer(f, i, true);
    for (; f->next < f->n; f->next++) {
        memset(&f->xs[f->next], 0, sizeof f->xs[f->next]);
        mark_skipped(&f->reqs[f->next], true);
    }
}

static void finish_run(fetch_run *f)
{
    for (size_t i = 0; i < f->n; i++) {
        transfer *x = &f->xs[i];
        drop_tmp(x);
        if (x->easy)
            curl_easy_cleanup(x->easy);
        free(x->url);
        /* Leave no empty name/key directories behind for files not stored. */
        if (x->dir && f->reqs[i].status != KDX_OK)
            kdx_symstore_prune(f->reqs[i].store, f->reqs[i].name, f->reqs[i].key);
        free(x->dir);
    }
}

void kdx_symsrv_fetch(kdx_symsrv_req *reqs, size_t n)
{
    if (n == 0)
        return;
    pthread_once(&curl_once, curl_init_once);
    fetch_run f = {.reqs = reqs, .n = n, .multi = curl_multi_init()};
    f.xs = kdx_xcalloc(n, sizeof *f.xs);
    f.active = kdx_xcalloc(n, sizeof *f.active);
    kdx_symsrv_limits_from_env(&f.env_limits, NULL, 0);
    while (f.next < n || f.running) {
        if (kdx_interrupted()) {
            interrupt_all(&f);
            break;
        }
        start_more(&f);
        int still;
        curl_multi_perform(f.multi, &still);
        collect_done(&f);
        /* Short waits, so that an interrupt is seen within a tenth of a second. */
        if (f.running)
            curl_multi_poll(f.multi, NULL, 0, 100, NULL);
    }
    finish_run(&f);
    KDX_VEC_FREE(f.dead);
    free(f.active);
    free(f.xs);
    curl_multi_cleanup(f.multi);
}
