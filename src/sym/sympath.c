#include "sym/sympath.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "sym/symsrv.h"

bool kdx_sympath_is_url(const char *s)
{
    return s && (kdx_istarts_with(s, "http://") || kdx_istarts_with(s, "https://"));
}

char *kdx_sympath_default_cache(void)
{
    const char *v = getenv("KDX_SYMBOL_CACHE");
    if (v && *v)
        return kdx_strdup(v);
    v = getenv("XDG_CACHE_HOME");
    if (v && *v)
        return kdx_asprintf("%s/kdx/sym", v);
    v = getenv("HOME");
    return kdx_asprintf("%s/.cache/kdx/sym", v && *v ? v : "/tmp");
}

/* ---- parsing ------------------------------------------------------------ */

static char *trim_dup(const char *s, size_t n)
{
    /* Blanks and surrounding quotes (allowed by WinDbg), until neither is left,
     * so that trimming an already trimmed text changes nothing. */
    for (bool changed = true; changed;) {
        changed = false;
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
            changed = true;
        }
        while (n && isspace((unsigned char)s[n - 1])) {
            n--;
            changed = true;
        }
        if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
            s++;
            n -= 2;
            changed = true;
        }
    }
    return kdx_strndup(s, n);
}

/* "~/x" -> "$HOME/x"; other tiers unchanged. Empty -> NULL (default cache). */
static char *tier_dup(const char *s, size_t n)
{
    char *t = trim_dup(s, n);
    if (!*t) {
        free(t);
        return NULL;
    }
    const char *home = getenv("HOME");
    if (t[0] == '~' && (t[1] == '/' || !t[1]) && home) {
        char *e = kdx_asprintf("%s%s", home, t + 1);
        free(t);
        return e;
    }
    return t;
}

static void add_tier(kdx_symel *el, char *tier)
{
    el->tiers = kdx_xrealloc(el->tiers, (el->ntiers + 1) * sizeof *el->tiers);
    el->tiers[el->ntiers++] = tier;
}

/* Splits "a*b*c" into tiers. */
static void split_tiers(kdx_symel *el, const char *rest)
{
    while (1) {
        const char *star = strchr(rest, '*');
        size_t n = star ? (size_t)(star - rest) : strlen(rest);
        add_tier(el, tier_dup(rest, n));
        if (!star)
            break;
        rest = star + 1;
    }
}

static void parse_server(kdx_symel *el, const char *rest)
{
    el->kind = KDX_SYMEL_SRV;
    if (!*kdx_skip_ws(rest)) {
        /* "srv*": Microsoft's server through the default cache. */
        add_tier(el, NULL);
        add_tier(el, kdx_strdup(KDX_MS_SYMBOL_SERVER));
        return;
    }
    split_tiers(el, rest);
    /* "srv*URL": the default cache in front of the server. */
    if (el->ntiers == 1 && kdx_sympath_is_url(el->tiers[0])) {
        add_tier(el, el->tiers[0]);
        el->tiers[0] = NULL;
    }
    /* A chain ending in an empty tier ("srv*c:\\x*") still means the default server. */
    if (el->ntiers >= 2 && !el->tiers[el->ntiers - 1])
        el->tiers[el->ntiers - 1] = kdx_strdup(KDX_MS_SYMBOL_SERVER);
}

static void parse_element(kdx_symel *el, const char *text)
{
    memset(el, 0, sizeof *el);
    el->text = kdx_strdup(text);
    if (kdx_istarts_with(text, "srv*")) {
        parse_server(el, text + 4);
    } else if (kdx_istarts_with(text, "symsrv*")) {
        const char *dll_end = strchr(text + 7, '*');
        parse_server(el, dll_end ? dll_end + 1 : "");
    } else if (kdx_istarts_with(text, "cache*")) {
        el->kind = KDX_SYMEL_CACHE;
        add_tier(el, tier_dup(text + 6, strlen(text + 6)));
    } else {
        el->kind = KDX_SYMEL_DIR;
        add_tier(el, tier_dup(text, strlen(text)));
    }
}

kdx_sympath *kdx_sympath_parse(const char *text)
{
    kdx_sympath *sp = kdx_xcalloc(1, sizeof *sp);
    const char *p = text ? text : "";
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        char *el = trim_dup(p, n);
        if (*el) {
            kdx_symel e;
            parse_element(&e, el);
            if (e.kind != KDX_SYMEL_DIR || e.tiers[0]) {
                sp->els = kdx_xrealloc(sp->els, (sp->n + 1) * sizeof *sp->els);
                sp->els[sp->n++] = e;
            } else {
                free(e.text);
                free(e.tiers);
            }
        }
        free(el);
        p += n;
        if (*p == ';')
            p++;
    }
    return sp;
}

void kdx_sympath_free(kdx_sympath *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->n; i++) {
        for (size_t j = 0; j < sp->els[i].ntiers; j++)
            free(sp->els[i].tiers[j]);
        free(sp->els[i].tiers);
        free(sp->els[i].text);
    }
    free(sp->els);
    free(sp);
}

char *kdx_sympath_expand(const kdx_sympath *sp, const char *default_cache)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    for (size_t i = 0; i < sp->n; i++) {
        const kdx_symel *el = &sp->els[i];
        if (i)
            kdx_sb_putc(&sb, ';');
        switch (el->kind) {
        case KDX_SYMEL_DIR:
            kdx_sb_puts(&sb, el->tiers[0]);
            break;
        case KDX_SYMEL_CACHE:
            kdx_sb_printf(&sb, "cache*%s", el->tiers[0] ? el->tiers[0] : default_cache);
            break;
        case KDX_SYMEL_SRV:
            kdx_sb_puts(&sb, "SRV");
            for (size_t j = 0; j < el->ntiers; j++)
                kdx_sb_printf(&sb, "*%s", el->tiers[j] ? el->tiers[j] : default_cache);
            break;
        }
    }
    char *s = kdx_sb_take(&sb);
    return s ? s : kdx_strdup("");
}

/* ---- local lookups ------------------------------------------------------ */

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Directory listings kept for the process while the directory's status
 * (inode, modification and change times) is unchanged: a search lists the
 * same store and ISF folders for every module and kernel name (a dozen
 * times a dump). Directories changed in the last seconds are not kept
 * (coarse file times); a few dozen at most. */
#define LISTINGS_MAX 32

typedef struct dir_listing {
    char *path;
    struct stat sb;
    char **names;
    size_t n;
} dir_listing;

static pthread_mutex_t listings_lock = PTHREAD_MUTEX_INITIALIZER;
static dir_listing listings[LISTINGS_MAX];
static size_t nlistings;

static bool same_dir_status(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The entry of dir (status sb) matching comp ignoring case, from a kept
 * listing; *known false when dir's listing is not kept. */
static char *listed_ci(const char *dir, const struct stat *sb, const char *comp, bool *known)
{
    char *found = NULL;
    *known = false;
    pthread_mutex_lock(&listings_lock);
    for (size_t i = 0; i < nlistings && !*known; i++) {
        if (strcmp(listings[i].path, dir) != 0 || !same_dir_status(&listings[i].sb, sb))
            continue;
        *known = true;
        for (size_t k = 0; k < listings[i].n && !found; k++)
            if (kdx_strcasecmp(listings[i].names[k], comp) == 0)
                found = kdx_asprintf("%s/%s", dir, listings[i].names[k]);
    }
    pthread_mutex_unlock(&listings_lock);
    return found;
}

static void keep_listing(const char *dir, const struct stat *sb, char **names, size_t n)
{
    time_t newest = sb->st_mtim.tv_sec > sb->st_ctim.tv_sec ? sb->st_mtim.tv_sec : sb->st_ctim.tv_sec;
    pthread_mutex_lock(&listings_lock);
    bool kept = nlistings < LISTINGS_MAX && time(NULL) - newest >= 3;
    if (kept)
        listings[nlistings++] = (dir_listing){kdx_strdup(dir), *sb, names, n};
    pthread_mutex_unlock(&listings_lock);
    if (!kept) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
}

/* dir/comp, or the entry of dir that matches comp ignoring case (symbol
 * stores written on Windows mix cases freely). NULL when neither exists. */
static char *join_ci(const char *dir, const char *comp)
{
    char *p = kdx_asprintf("%s/%s", dir, comp);
    struct stat st;
    if (stat(p, &st) == 0)
        return p;
    free(p);
    struct stat dsb;
    bool known = false;
    if (stat(dir, &dsb) != 0 || !S_ISDIR(dsb.st_mode))
        return NULL;
    char *found = listed_ci(dir, &dsb, comp, &known);
    if (known)
        return found;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    KDX_VEC(char *) names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        KDX_VEC_PUSH(names, kdx_strdup(e->d_name));
        if (!found && kdx_strcasecmp(e->d_name, comp) == 0)
            found = kdx_asprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    keep_listing(dir, &dsb, names.items, names.len);
    return found;
}

static char *join3_ci(const char *dir, const char *a, const char *b, const char *c)
{
    char *p1 = join_ci(dir, a);
    if (!p1)
        return NULL;
    char *p2 = b ? join_ci(p1, b) : NULL;
    free(p1);
    if (!p2 || !c)
        return p2;
    char *p3 = join_ci(p2, c);
    free(p2);
    return p3;
}

static void logf_(kdx_symfind_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(kdx_symfind_ctx *c, const char *fmt, ...)
{
    if (!c->noisy || !c->log)
        return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->log(c->log_ud, line);
}

/* Reads a file.ptr ("PATH:..." or "MSG:...") next to where the file would be. */
static char *follow_file_ptr(kdx_symfind_ctx *c, const char *ptr_path)
{
    uint8_t *buf;
    size_t len;
    if (kdx_read_all(ptr_path, &buf, &len, NULL) != KDX_OK)
        return NULL;
    char *text = kdx_strndup((const char *)buf, len);
    free(buf);
    kdx_rtrim(text);
    char *target = NULL;
    if (kdx_istarts_with(text, "PATH:")) {
        target = kdx_strdup(text + 5);
        for (char *q = target; *q; q++)
            if (*q == '\\')
                *q = '/';
        if (!is_file(target)) {
            logf_(c, "SYMSRV:  %s points to %s, which is not accessible", ptr_path, target);
            free(target);
            target = NULL;
        }
    } else {
        logf_(c, "SYMSRV:  %s: %s", ptr_path, text);
    }
    free(text);
    return target;
}

static bool accept_path(kdx_symfind_ctx *c, const kdx_symfind *f, const char *path)
{
    if (!f->accept)
        return true;
    char why[256] = "";
    if (f->accept(f->accept_ud, path, why, sizeof why))
        return true;
    logf_(c, "DBGHELP: %s - %s", path, why[0] ? why : "mismatched symbol file");
    return false;
}

/* A plain directory: flat, store (name/key/name), ISF (name/GUID-AGE.json.xz)
 * and the symbols/ext layouts. */
static char *find_in_dir(kdx_symfind_ctx *c, const char *dir, const kdx_symfind *f)
{
    if (!dir || !is_dir(dir))
        return NULL;
    char *cands[10];
    size_t n = 0;
    cands[n++] = join_ci(dir, f->name);
    cands[n++] = f->key ? join3_ci(dir, f->name, f->key, f->name) : NULL;
    if (f->isf_key) {
        /* Volatility's layout, also under the "windows" folder of its symbols directory. */
        char *a = kdx_asprintf("%s.json.xz", f->isf_key), *b = kdx_asprintf("%s.json", f->isf_key);
        cands[n++] = join3_ci(dir, f->name, a, NULL);
        cands[n++] = join3_ci(dir, f->name, b, NULL);
        char *win = join_ci(dir, "windows");
        cands[n++] = win ? join3_ci(win, f->name, a, NULL) : NULL;
        free(win);
        free(a);
        free(b);
    }
    const char *dot = strrchr(f->name, '.');
    if (dot && dot[1]) {
        cands[n++] = join3_ci(dir, dot + 1, f->name, NULL);
        cands[n++] = join3_ci(dir, "symbols", dot + 1, f->name);
    }
    char *found = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!found && cands[i] && is_file(cands[i]) && accept_path(c, f, cands[i]))
            found = kdx_strdup(cands[i]);
        free(cands[i]);
    }
    if (found)
        logf_(c, "DBGHELP: %s - found", found);
    else
        logf_(c, "DBGHELP: %s: %s not found", dir, f->name);
    return found;
}

/* STORE/name/key/name as the store-layout path (may not exist). */
static char *store_path(const char *store, const char *name, const char *key)
{
    return kdx_asprintf("%s/%s/%s/%s", store, name, key, name);
}

/* Limits for downloads and copies: the context's, else the defaults. */
static const kdx_symsrv_limits *limits_of(kdx_symfind_ctx *c)
{
    if (!c->limits.max_bytes)
        kdx_symsrv_limits_from_env(&c->limits, c->limits_note, sizeof c->limits_note);
    return &c->limits;
}

/* Expands the CAB file cab into dest's store layout (streamed, bounded by
 * the archive's declared size and the size limit). */
static char *expand_into(kdx_symfind_ctx *c, const char *cab, const char *dest,
                         const kdx_symfind *f)
{
    char *outdir = NULL, *out = NULL;
    kdx_err err = {0};
    kdx_status st = kdx_symstore_make_dir(dest, f->name, f->key, &outdir, &err);
    if (st == KDX_OK) {
        out = store_path(dest, f->name, f->key);
        st = kdx_cab_expand(cab, out, limits_of(c)->max_bytes, &err);
    }
    free(outdir);
    logf_(c, "SYMSRV:  %s - %s", cab, st == KDX_OK ? "expanded" : err.msg);
    if (st == KDX_OK && accept_path(c, f, out))
        return out;
    if (out && st == KDX_OK)
        unlink(out);
    free(out);
    kdx_symstore_prune(dest, f->name, f->key);
    return NULL;
}

/* A local store tier of a srv* chain: plain, compressed and file.ptr forms.
 * Compressed files are expanded into dest (the chain's first store). */
static char *find_in_store(kdx_symfind_ctx *c, const char *store, const char *dest,
                           const kdx_symfind *f)
{
    if (!store || !f->key || !is_dir(store))
        return NULL;
    char *p = join3_ci(store, f->name, f->key, f->name);
    if (p && is_file(p) && accept_path(c, f, p)) {
        logf_(c, "SYMSRV:  %s - found", p);
        return p;
    }
    free(p);
    char *cname = kdx_symsrv_compressed_name(f->name);
    p = join3_ci(store, f->name, f->key, cname);
    free(cname);
    if (p && is_file(p)) {
        char *out = expand_into(c, p, dest, f);
        free(p);
        return out;
    }
    free(p);
    p = join3_ci(store, f->name, f->key, "file.ptr");
    if (p && is_file(p)) {
        char *target = follow_file_ptr(c, p);
        free(p);
        if (target && accept_path(c, f, target))
            return target;
        free(target);
        return NULL;
    }
    free(p);
    if (f->isf_key) {
        char *a = kdx_asprintf("%s.json.xz", f->isf_key);
        p = join3_ci(store, f->name, a, NULL);
        free(a);
        if (p && is_file(p) && accept_path(c, f, p))
            return p;
        free(p);
    }
    logf_(c, "SYMSRV:  %s/%s/%s/%s - file not found", store, f->name, f->key, f->name);
    return NULL;
}

static bool in_list(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static void add_list(char ***list, size_t *n, const char *s)
{
    *list = kdx_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = kdx_strdup(s);
}

void kdx_symfind_ctx_clear(kdx_symfind_ctx *c)
{
    for (size_t i = 0; i < c->nfailed; i++)
        free(c->failed[i]);
    for (size_t i = 0; i < c->ndead; i++)
        free(c->dead_servers[i]);
    free(c->failed);
    free(c->dead_servers);
    c->failed = c->dead_servers = NULL;
    c->nfailed = c->ndead = 0;
}

/* "C:\\symbols" or "\\\\server\\share": a store only Windows can reach. */
static bool is_windows_path(const char *t)
{
    return (isalpha((unsigned char)t[0]) && t[1] == ':' && (t[2] == '\\' || t[2] == '/')) ||
           (t[0] == '\\' && t[1] == '\\');
}

/* The directory or URL a tier stands for. A Windows path (a _NT_SYMBOL_PATH
 * shared with Windows machines) stands for the default cache here rather than
 * a directory named "C:\\symbols" created in the current directory. */
static const char *resolve_tier(const char *tier, const char *cache, const kdx_symfind_ctx *c)
{
    if (tier && !is_windows_path(tier))
        return tier;
    return cache ? cache : c->default_cache;
}

static void note_result(kdx_symfind_ctx *c, kdx_symsrv_req *r, const char *fail_key)
{
    if (r->status == KDX_OK)
        return;
    add_list(&c->failed, &c->nfailed, fail_key);
    if (r->server_unreachable) {
        /* One line per unreachable server, not one per file. */
        if (in_list(c->dead_servers, c->ndead, r->server))
            return;
        add_list(&c->dead_servers, &c->ndead, r->server);
    }
    if (c->log && (c->noisy || r->status != KDX_E_NOT_FOUND))
        c->log(c->log_ud, r->msg);
}

/* True when real (a resolved path) lies inside one of the local
 * directories of the symbol path (stores, plain directories, caches). */
static bool inside_local_store(const kdx_symfind_ctx *c, const kdx_sympath *sp,
                               const char *cache, const char *real)
{
    for (size_t i = 0; i < sp->n; i++) {
        for (size_t j = 0; j < sp->els[i].ntiers; j++) {
            const char *t = resolve_tier(sp->els[i].tiers[j], cache, c);
            char *d = kdx_sympath_is_url(t) ? NULL : realpath(t, NULL);
            size_t n = d ? strlen(d) : 0;
            bool in = d && !strncmp(real, d, n) && (real[n] == '/' || n == 1);
            free(d);
            if (in)
                return true;
        }
    }
    return false;
}

static void req_msg(kdx_symsrv_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void req_msg(kdx_symsrv_req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
}

/* A server's file.ptr ("PATH:\\\\share\\x.pdb") names a file on the
 * server's own network. kdx copies it into the store only when it is a
 * regular file inside a local directory of its own symbol path: a server
 * must not choose which local file kdx reads (/dev/zero, a FIFO, a secret). */
static void follow_redirect(kdx_symfind_ctx *c, const kdx_sympath *sp, const char *cache,
                            kdx_symsrv_req *r)
{
    char said[KDX_ERR_MSG_MAX];
    snprintf(said, sizeof said, "%s", r->msg);
    char *real = realpath(r->redirect, NULL), *dir = NULL, *dst = NULL;
    kdx_err err = {0};
    r->status = KDX_E_ARG;
    if (!real) {
        r->status = KDX_E_NOT_FOUND;
        req_msg(r, "%s, which is not accessible", said);
    } else if (!inside_local_store(c, sp, cache, real)) {
        req_msg(r, "%s, which is not inside a local directory of the symbol path; not followed",
                said);
    } else if (kdx_symstore_make_dir(r->store, r->name, r->key, &dir, &err) != KDX_OK ||
               kdx_copy_file_limited(real, dst = store_path(r->store, r->name, r->key),
                                     limits_of(c)->max_bytes, &err) != KDX_OK) {
        r->status = err.code;
        req_msg(r, "%s: %s", said, err.msg);
    } else {
        r->status = KDX_OK;
        r->path = dst;
        dst = NULL;
    }
    free(dst);
    free(dir);
    free(real);
}

/* Once per context: a limit setting that was not understood. */
static void log_limits_note(kdx_symfind_ctx *c)
{
    limits_of(c);
    if (c->limits_note[0] && c->log)
        c->log(c->log_ud, c->limits_note);
    c->limits_note[0] = '\0';
}

/* The outcome of one download: the path when it is the file asked for;
 * otherwise nothing of it stays in the store, not even empty directories. */
static char *settle(kdx_symfind_ctx *c, kdx_symsrv_req *r, const kdx_symfind *f,
                    const char *fail_key)
{
    logf_(c, "SYMSRV:  %s/%s/%s/%s - %s", r->server, f->name, f->key, f->name,
          r->status == KDX_OK ? "downloaded" : r->msg);
    if (r->status == KDX_OK && accept_path(c, f, r->path))
        return kdx_strdup(r->path);
    /* A download that is not the file asked for (an error page, another
     * build) must not stay in the cache to be found again. */
    if (r->status == KDX_OK) {
        unlink(r->path);
        r->status = KDX_E_NOT_FOUND;
        req_msg(r, "SYMSRV:  %s/%s/%s/%s is not the file asked for", r->server, f->name, f->key,
                f->name);
    }
    kdx_symstore_prune(r->store, f->name, f->key);
    note_result(c, r, fail_key);
    return NULL;
}

/* Asks one server for f, downloading into store. */
static char *fetch_one(kdx_symfind_ctx *c, const kdx_sympath *sp, const char *cache,
                       const char *server, const char *store, const kdx_symfind *f)
{
    if (c->offline || !f->key || in_list(c->dead_servers, c->ndead, server))
        return NULL;
    char *fail_key = kdx_asprintf("%s|%s|%s", server, f->name, f->key);
    if (in_list(c->failed, c->nfailed, fail_key)) {
        free(fail_key);
        return NULL;
    }
    log_limits_note(c);
    kdx_symsrv_req r = {.server = server, .store = store, .name = f->name, .key = f->key,
                        .limits = limits_of(c)};
    kdx_symsrv_fetch(&r, 1);
    if (r.redirect)
        follow_redirect(c, sp, cache, &r);
    char *path = settle(c, &r, f, fail_key);
    kdx_symsrv_req_free(&r);
    free(fail_key);
    return path;
}

/* Copies a file found in a remote or shared place into store (its store
 * layout) and returns the copy's path; the original path when that fails. */
static char *keep_copy(kdx_symfind_ctx *c, const char *store, char *p, const kdx_symfind *f)
{
    if (!f->key || kdx_starts_with(p, store))
        return p;
    char *dst = store_path(store, f->name, f->key), *dir = NULL;
    if (kdx_symstore_make_dir(store, f->name, f->key, &dir, NULL) == KDX_OK &&
        kdx_copy_file_limited(p, dst, limits_of(c)->max_bytes, NULL) == KDX_OK) {
        free(p);
        p = dst;
        dst = NULL;
    } else {
        kdx_symstore_prune(store, f->name, f->key);
    }
    free(dst);
    free(dir);
    return p;
}

static char *find_in_server(kdx_symfind_ctx *c, const kdx_sympath *sp, const kdx_symel *el,
                            const char *cache, const kdx_symfind *f)
{
    const char *first = resolve_tier(el->tiers[0], cache, c);
    const char *last = resolve_tier(el->tiers[el->ntiers - 1], cache, c);
    bool refetch = c->overwrite && !c->offline && el->ntiers > 1 && kdx_sympath_is_url(last);
    for (size_t i = 0; i < el->ntiers; i++) {
        const char *tier = resolve_tier(el->tiers[i], cache, c);
        char *p;
        /* .reload /o: skip the downstream stores and ask the server again. */
        if (refetch && i + 1 < el->ntiers)
            continue;
        if (kdx_sympath_is_url(tier))
            p = i ? fetch_one(c, sp, cache, tier, resolve_tier(el->tiers[i - 1], cache, c), f)
                  : NULL;
        else
            p = find_in_store(c, tier, first, f);
        if (!p)
            continue;
        /* Found further up the chain: keep a copy in the first store too. */
        return i > 0 ? keep_copy(c, first, p, f) : p;
    }
    return NULL;
}

/* Names from dumps and images become path components and URL parts: they
 * must be plain file names. */
static kdx_status check_names(kdx_symfind_ctx *c, const kdx_symfind *f, kdx_err *err)
{
    char why[80];
    const char *bad = !kdx_symstore_name_ok(f->name, why, sizeof why)            ? f->name
                    : f->key && !kdx_symstore_name_ok(f->key, why, sizeof why) ? f->key
                                                                                : NULL;
    if (!bad)
        return KDX_OK;
    char *shown = kdx_symstore_printable(bad);
    logf_(c, "DBGHELP: refusing to look up '%s': %s", shown, why);
    kdx_status st = kdx_err_set(err, KDX_E_NOT_FOUND, "refusing to look up '%s': %s", shown, why);
    free(shown);
    return st;
}

kdx_status kdx_sympath_find(kdx_symfind_ctx *c, const kdx_sympath *sp, const kdx_symfind *f,
                            char **path, kdx_err *err)
{
    *path = NULL;
    kdx_status bad = check_names(c, f, err);
    if (bad != KDX_OK)
        return bad;
    const char *cache = NULL;
    for (size_t i = 0; i < sp->n && !*path; i++) {
        const kdx_symel *el = &sp->els[i];
        switch (el->kind) {
        case KDX_SYMEL_CACHE:
            cache = resolve_tier(el->tiers[0], NULL, c);
            break;
        case KDX_SYMEL_DIR:
            if (cache)
                *path = find_in_store(c, cache, cache, f);
            if (!*path) {
                *path = find_in_dir(c, el->tiers[0], f);
                /* cache*DIR: what the elements after it find is copied there. */
                if (*path && cache)
                    *path = keep_copy(c, cache, *path, f);
            }
            break;
        case KDX_SYMEL_SRV:
            *path = find_in_server(c, sp, el, cache, f);
            break;
        }
    }
    if (*path)
        return KDX_OK;
    return kdx_err_set(err, KDX_E_NOT_FOUND, "%s%s%s not found on the symbol path", f->name,
                       f->key ? "/" : "", f->key ? f->key : "");
}

void kdx_sympath_prefetch(kdx_symfind_ctx *c, const kdx_sympath *sp, const kdx_symfind *f,
                          size_t n)
{
    if (c->offline || n == 0)
        return;
    KDX_VEC(kdx_symsrv_req) reqs = {0};
    KDX_VEC(char *) keys = {0};
    KDX_VEC(const char *) caches = {0}; /* the cache in effect for each request */
    const char *cache = NULL;
    for (size_t i = 0; i < sp->n; i++) {
        const kdx_symel *el = &sp->els[i];
        if (el->kind == KDX_SYMEL_CACHE)
            cache = resolve_tier(el->tiers[0], NULL, c);
        if (el->kind != KDX_SYMEL_SRV || el->ntiers < 2)
            continue;
        const char *server = resolve_tier(el->tiers[el->ntiers - 1], cache, c);
        const char *store = resolve_tier(el->tiers[el->ntiers - 2], cache, c);
        if (!kdx_sympath_is_url(server) || in_list(c->dead_servers, c->ndead, server))
            continue;
        for (size_t j = 0; j < n; j++) {
            if (!f[j].key || check_names(c, &f[j], NULL) != KDX_OK)
                continue;
            char *sp_path = store_path(store, f[j].name, f[j].key);
            bool have = !c->overwrite && is_file(sp_path);
            free(sp_path);
            char *fail_key = kdx_asprintf("%s|%s|%s", server, f[j].name, f[j].key);
            if (have || in_list(c->failed, c->nfailed, fail_key)) {
                free(fail_key);
                continue;
            }
            kdx_symsrv_req r = {.server = server, .store = store, .name = f[j].name,
                                .key = f[j].key, .limits = limits_of(c)};
            KDX_VEC_PUSH(reqs, r);
            KDX_VEC_PUSH(keys, fail_key);
            KDX_VEC_PUSH(caches, cache);
        }
    }
    if (reqs.len)
        log_limits_note(c);
    kdx_symsrv_fetch(reqs.items, reqs.len);
    for (size_t i = 0; i < reqs.len; i++) {
        kdx_symsrv_req *r = &reqs.items[i];
        if (r->redirect)
            follow_redirect(c, sp, caches.items[i], r);
        if (r->status != KDX_OK)
            kdx_symstore_prune(r->store, r->name, r->key);
        note_result(c, r, keys.items[i]);
        kdx_symsrv_req_free(r);
        free(keys.items[i]);
    }
    KDX_VEC_FREE(reqs);
    KDX_VEC_FREE(keys);
    KDX_VEC_FREE(caches);
}

/* ---- candidates for a file of unknown identity --------------------------- */

static bool is_symbol_file_name(const char *n)
{
    return kdx_ends_with_i(n, ".pdb") || kdx_ends_with_i(n, ".json") ||
           kdx_ends_with_i(n, ".json.xz");
}

static int scan_name_dir(const char *namedir, kdx_symcand_cb cb, void *ud)
{
    DIR *d = opendir(namedir);
    if (!d)
        return 0;
    int stop = 0;
    struct dirent *e;
    while (!stop && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = kdx_asprintf("%s/%s", namedir, e->d_name);
        if (is_file(p) && is_symbol_file_name(e->d_name)) {
            stop = cb(ud, p);
        } else if (is_dir(p)) {
            DIR *d2 = opendir(p);
            struct dirent *e2;
            while (!stop && d2 && (e2 = readdir(d2)) != NULL) {
                if (e2->d_name[0] == '.' || !is_symbol_file_name(e2->d_name))
                    continue;
                char *q = kdx_asprintf("%s/%s", p, e2->d_name);
                if (is_file(q))
                    stop = cb(ud, q);
                free(q);
            }
            if (d2)
                closedir(d2);
        }
        free(p);
    }
    closedir(d);
    return stop;
}

void kdx_sympath_candidates(const kdx_sympath *sp, const char *default_cache, const char *name,
                            kdx_symcand_cb cb, void *ud)
{
    for (size_t i = 0; i < sp->n; i++) {
        const kdx_symel *el = &sp->els[i];
        for (size_t j = 0; j < el->ntiers; j++) {
            const char *dir = el->tiers[j] ? el->tiers[j] : default_cache;
            if (kdx_sympath_is_url(dir) || !is_dir(dir))
                continue;
            char *win = join_ci(dir, "windows");
            const char *roots[2] = {dir, win};
            int stop = 0;
            for (size_t r = 0; r < 2 && !stop; r++) {
                char *flat = roots[r] ? join_ci(roots[r], name) : NULL;
                if (flat && is_file(flat))
                    stop = cb(ud, flat);
                else if (flat && is_dir(flat))
                    stop = scan_name_dir(flat, cb, ud);
                free(flat);
            }
            free(win);
            if (stop)
                return;
        }
    }
}
