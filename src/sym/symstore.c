#include "sym/symstore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cancel.h"
#include "base/util.h"

#define NAME_MAX_BYTES 255

static bool set_why(char *why, size_t why_len, const char *text)
{
    if (why && why_len)
        snprintf(why, why_len, "%s", text);
    return false;
}

bool kdx_symstore_name_ok(const char *name, char *why, size_t why_len)
{
    if (!name || !*name)
        return set_why(why, why_len, "the name is empty");
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return set_why(why, why_len, "the name is a directory reference");
    if (strlen(name) > NAME_MAX_BYTES)
        return set_why(why, why_len, "the name is longer than 255 bytes");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return set_why(why, why_len, "the name holds a control character");
        if (*p == '/' || *p == '\\')
            return set_why(why, why_len, "the name holds a path separator");
    }
    return true;
}

char *kdx_symstore_printable(const char *name)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\')
            kdx_sb_printf(&sb, "\\x%02x", *p);
        else
            kdx_sb_putc(&sb, (char)*p);
    }
    return kdx_sb_take(&sb);
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

/* True when path resolves to root itself or to something below it. */
static bool resolves_under(const char *root_real, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return false;
    size_t n = strlen(root_real);
    bool ok = !strncmp(real, root_real, n) &&
              (real[n] == '/' || real[n] == '\0' || (n == 1 && root_real[0] == '/'));
    free(real);
    return ok;
}

/* Creates root/comp and checks that it is a directory inside root. */
static kdx_status make_component(const char *root_real, const char *parent, const char *comp,
                                 char **out, kdx_err *err)
{
    char *p = kdx_asprintf("%s/%s", parent, comp);
    struct stat st;
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        kdx_status s = kdx_err_set(err, KDX_E_IO, "cannot create directory %s: %s", p,
                                   strerror(errno));
        free(p);
        return s;
    }
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode) || !resolves_under(root_real, p)) {
        kdx_status s = kdx_err_set(err, KDX_E_IO,
                                   "%s is not a directory inside the store %s; not written",
                                   p, root_real);
        free(p);
        return s;
    }
    *out = p;
    return KDX_OK;
}

static kdx_status check_names(const char *name, const char *key, kdx_err *err)
{
    const char *what[2] = {"file name", "key"};
    const char *val[2] = {name, key};
    for (int i = 0; i < 2; i++) {
        char why[80];
        if (kdx_symstore_name_ok(val[i], why, sizeof why))
            continue;
        char *shown = kdx_symstore_printable(val[i]);
        kdx_status st = kdx_err_set(err, KDX_E_ARG, "refusing the %s '%s': %s", what[i], shown,
                                    why);
        free(shown);
        return st;
    }
    return KDX_OK;
}

kdx_status kdx_symstore_make_dir(const char *store, const char *name, const char *key, char **dir,
                                 kdx_err *err)
{
    *dir = NULL;
    kdx_status st = check_names(name, key, err);
    if (st == KDX_OK)
        st = kdx_mkdirs(store, err);
    if (st != KDX_OK)
        return st;
    char *root = realpath(store, NULL);
    if (!root)
        return kdx_err_set(err, KDX_E_IO, "cannot resolve the store %s: %s", store,
                           strerror(errno));
    char *namedir = NULL;
    st = make_component(root, store, name, &namedir, err);
    if (st == KDX_OK)
        st = make_component(root, namedir, key, dir, err);
    if (st != KDX_OK && namedir)
        rmdir(namedir);
    free(namedir);
    free(root);
    return st;
}

void kdx_symstore_prune(const char *store, const char *name, const char *key)
{
    if (!kdx_symstore_name_ok(name, NULL, 0) || !kdx_symstore_name_ok(key, NULL, 0))
        return;
    char *d = kdx_asprintf("%s/%s/%s", store, name, key);
    rmdir(d);
    *strrchr(d, '/') = '\0';
    rmdir(d);
    free(d);
}

FILE *kdx_symstore_temp(const char *dir, const char *base, char **path, kdx_err *err)
{
    char *tmpl = kdx_asprintf("%s/.%s.XXXXXX.tmp", dir, base);
    int fd = mkostemps(tmpl, 4, O_CLOEXEC);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        kdx_err_set(err, KDX_E_IO, "cannot create a temporary file in %s: %s", dir,
                    strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmpl);
        }
        free(tmpl);
        *path = NULL;
        return NULL;
    }
    fchmod(fd, 0644); /* a cache other users may read, like any symbol store */
    *path = tmpl;
    return fp;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? kdx_strndup(path, (size_t)(slash - path)) : kdx_strdup(".");
}

/* Closes fp and renames tmp to path; removes tmp on any failure. */
static kdx_status finish_temp(FILE *fp, char *tmp, const char *path, bool ok, kdx_err *err)
{
    int saved = errno;
    ok = (fclose(fp) == 0) && ok;
    kdx_status st = KDX_OK;
    if (!ok || rename(tmp, path) != 0) {
        st = kdx_err_set(err, KDX_E_IO, "cannot write %s: %s", path,
                         strerror(ok ? errno : saved ? saved : EIO));
        unlink(tmp);
    }
    free(tmp);
    return st;
}

kdx_status kdx_symstore_commit_temp(FILE *fp, char *tmp, const char *path, bool ok, kdx_err *err)
{
    return finish_temp(fp, tmp, path, ok, err);
}

kdx_status kdx_write_file_atomic(const char *path, const void *buf, size_t len, kdx_err *err)
{
    char *dir = dir_of(path), *tmp;
    FILE *fp = kdx_symstore_temp(dir, kdx_basename(path), &tmp, err);
    free(dir);
    if (!fp)
        return KDX_E_IO;
    errno = 0;
    bool ok = fwrite(buf, 1, len, fp) == len;
    return finish_temp(fp, tmp, path, ok, err);
}

/* Opens src for reading only when it is a regular file: O_NONBLOCK so that
 * opening a FIFO does not wait for a writer, then fstat on what was opened. */
static kdx_status open_regular(const char *src, struct stat *st, int *fd, kdx_err *err)
{
    *fd = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (*fd < 0)
        return kdx_err_set(err, KDX_E_IO, "cannot open %s: %s", src, strerror(errno));
    if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(*fd);
        *fd = -1;
        return kdx_err_set(err, KDX_E_IO, "%s is not a regular file; not read", src);
    }
    /* Back to blocking reads for the copy itself. */
    fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
    return KDX_OK;
}

/* Copies fd to fp; false with err set on a read error, a file growing past
 * max_bytes or a user interrupt. */
static bool copy_stream(int fd, FILE *fp, const char *src, uint64_t max_bytes, kdx_err *err)
{
    char buf[65536];
    uint64_t total = 0;
    for (;;) {
        if (kdx_interrupted()) {
            kdx_err_set(err, KDX_E_INTERRUPTED, "copying %s: interrupted", src);
            return false;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return true;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            kdx_err_set(err, KDX_E_IO, "cannot read %s: %s", src, strerror(errno));
            return false;
        }
        total += (uint64_t)n;
        if (max_bytes && total > max_bytes) {
            kdx_err_set(err, KDX_E_LIMIT, "%s is larger than the %llu-byte limit", src,
                        (unsigned long long)max_bytes);
            return false;
        }
        if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n) {
            kdx_err_set(err, KDX_E_IO, "cannot write the copy of %s: %s", src, strerror(errno));
            return false;
        }
    }
}

kdx_status kdx_copy_file_limited(const char *src, const char *dst, uint64_t max_bytes,
                                 kdx_err *err)
{
    struct stat st;
    int fd;
    kdx_status rc = open_regular(src, &st, &fd, err);
    if (rc != KDX_OK)
        return rc;
    if (max_bytes && (uint64_t)st.st_size > max_bytes) {
        close(fd);
        return kdx_err_set(err, KDX_E_LIMIT, "%s holds %llu bytes, more than the %llu-byte limit",
                           src, (unsigned long long)st.st_size, (unsigned long long)max_bytes);
    }
    char *dir = dir_of(dst), *tmp;
    FILE *fp = kdx_symstore_temp(dir, kdx_basename(dst), &tmp, err);
    free(dir);
    if (!fp) {
        close(fd);
        return KDX_E_IO;
    }
    kdx_err copy_err = {0};
    bool ok = copy_stream(fd, fp, src, max_bytes, &copy_err);
    close(fd);
    if (!ok) {
        fclose(fp);
        unlink(tmp);
        free(tmp);
        if (err)
            *err = copy_err;
        return copy_err.code;
    }
    return finish_temp(fp, tmp, dst, true, err);
}

kdx_status kdx_copy_file_atomic(const char *src, const char *dst, kdx_err *err)
{
    return kdx_copy_file_limited(src, dst, 0, err);
}
