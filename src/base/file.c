#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bytes.h"
#include "base/util.h"

kdx_status kdx_file_open(kdx_file **out, const char *path, kdx_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kdx_err_set(err, KDX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        return kdx_err_set(err, KDX_E_IO, "%s: not a regular file%s%s", path,
                           e ? ": " : "", e ? strerror(e) : "");
    }
    kdx_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory", path);
    }
    f->path = kdx_strdup(path);
    f->size = (uint64_t)st.st_size;
    if (f->size > 0) {
        void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            kdx_file_close(f);
            return kdx_err_set(err, KDX_E_IO, "%s: cannot map: %s", path, strerror(e));
        }
        f->data = m;
    }
    close(fd);
    *out = f;
    return KDX_OK;
}

kdx_status kdx_file_adopt(kdx_file **out, const char *name, void *buf, size_t len, kdx_err *err)
{
    kdx_file *f = calloc(1, sizeof *f);
    if (!f) {
        free(buf);
        return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory", name);
    }
    f->path = kdx_strdup(name);
    f->data = buf;
    f->size = len;
    f->owns_data = 1;
    *out = f;
    return KDX_OK;
}

kdx_status kdx_file_from_memory(kdx_file **out, const char *name, const void *buf, size_t len,
                                kdx_err *err)
{
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory", name);
    if (len)
        memcpy(copy, buf, len);
    return kdx_file_adopt(out, name, copy, len, err);
}

void kdx_file_close(kdx_file *f)
{
    if (!f)
        return;
    if (f->owns_data)
        free((void *)f->data);
    else if (f->data)
        munmap((void *)f->data, (size_t)f->size);
    free(f->path);
    free(f);
}

const uint8_t *kdx_file_at(const kdx_file *f, uint64_t off, uint64_t len)
{
    if (!f || !f->data || !kdx_range_ok(off, len, f->size))
        return NULL;
    return f->data + off;
}

kdx_status kdx_file_need(const kdx_file *f, uint64_t off, uint64_t len, const char *what,
                         const uint8_t **out, kdx_err *err)
{
    const uint8_t *p = kdx_file_at(f, off, len);
    if (!p && len == 0 && off <= f->size)
        p = f->data; /* empty range at a valid offset */
    if (!p && !(len == 0 && off <= f->size)) {
        if (out)
            *out = NULL;
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: %s at offset 0x%llx (0x%llx bytes) extends past the end of the "
                           "file (size 0x%llx)",
                           f->path, what, (unsigned long long)off, (unsigned long long)len,
                           (unsigned long long)f->size);
    }
    if (out)
        *out = p;
    return KDX_OK;
}

kdx_status kdx_read_all(const char *path, uint8_t **buf, size_t *len, kdx_err *err)
{
    *buf = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return kdx_err_set(err, KDX_E_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    uint8_t *b = malloc(cap + 1);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, fp);
        n += r;
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *nb = realloc(b, cap + 1);
        if (!nb) {
            free(b);
            b = NULL;
        }
        b = nb;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!b)
        return kdx_err_set(err, KDX_E_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(b);
        return kdx_err_set(err, KDX_E_IO, "%s: read error", path);
    }
    b[n] = 0; /* convenient for text parsers */
    *buf = b;
    *len = n;
    return KDX_OK;
}
