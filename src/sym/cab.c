/* CAB expansion for compressed symbol-store files (name.pd_, name.sy_),
 * through libmspack with an in-memory I/O layer so that the archive is
 * bounds-checked by libmspack and never written anywhere but our output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mspack.h>

#include "base/file.h"
#include "base/util.h"
#include "sym/symsrv.h"

#define CAB_MAX_OUTPUT (2ull << 30) /* refuse to expand past 2 GB */

/* A memory "file": the archive (read-only) or the output (growing). */
typedef struct memfile {
    const uint8_t *rdata;
    uint8_t *wdata;
    size_t len, cap, pos;
    bool writable;
    bool overflow;
    uint64_t limit;     /* output: refuse to grow past this */
} memfile;

static struct mspack_file *mem_open(struct mspack_system *self, const char *name, int mode)
{
    (void)self;
    memfile *f = (memfile *)(uintptr_t)name; /* names are memfile pointers here */
    if (!f)
        return NULL;
    if ((mode == MSPACK_SYS_OPEN_WRITE) != f->writable && mode != MSPACK_SYS_OPEN_UPDATE)
        return NULL;
    f->pos = 0;
    return (struct mspack_file *)f;
}

static void mem_close(struct mspack_file *file)
{
    (void)file;
}

static int mem_read(struct mspack_file *file, void *buf, int bytes)
{
    memfile *f = (memfile *)file;
    if (bytes < 0)
        return -1;
    size_t avail = f->pos < f->len ? f->len - f->pos : 0;
    size_t n = KDX_MIN((size_t)bytes, avail);
    memcpy(buf, (f->writable ? f->wdata : f->rdata) + f->pos, n);
    f->pos += n;
    return (int)n;
}

static int mem_write(struct mspack_file *file, void *buf, int bytes)
{
    memfile *f = (memfile *)file;
    if (!f->writable || bytes < 0)
        return -1;
    size_t need = f->pos + (size_t)bytes;
    if (need > f->limit) {
        f->overflow = true;
        return -1;
    }
    if (need > f->cap) {
        size_t cap = f->cap ? f->cap : 65536;
        while (cap < need)
            cap *= 2;
        uint8_t *p = realloc(f->wdata, cap);
        if (!p)
            return -1;
        f->wdata = p;
        f->cap = cap;
    }
    memcpy(f->wdata + f->pos, buf, (size_t)bytes);
    f->pos = need;
    if (need > f->len)
        f->len = need;
    return bytes;
}

static int mem_seek(struct mspack_file *file, off_t offset, int mode)
{
    memfile *f = (memfile *)file;
    off_t base = mode == MSPACK_SYS_SEEK_START ? 0
               : mode == MSPACK_SYS_SEEK_CUR   ? (off_t)f->pos
                                               : (off_t)f->len;
    off_t np = base + offset;
    if (np < 0 || (size_t)np > f->len)
        return -1;
    f->pos = (size_t)np;
    return 0;
}

static off_t mem_tell(struct mspack_file *file)
{
    return (off_t)((memfile *)file)->pos;
}

static void mem_message(struct mspack_file *file, const char *format, ...)
{
    (void)file;
    (void)format;
}

static void *mem_alloc(struct mspack_system *self, size_t bytes)
{
    (void)self;
    return malloc(bytes);
}

static void mem_free(void *ptr)
{
    free(ptr);
}

static void mem_copy(void *src, void *dest, size_t bytes)
{
    memmove(dest, src, bytes);
}

static struct mspack_system mem_system = {mem_open,    mem_close, mem_read,  mem_write,
                                          mem_seek,    mem_tell,  mem_message, mem_alloc,
                                          mem_free,    mem_copy,  NULL};

static const char *mspack_error_name(int e)
{
    switch (e) {
    case MSPACK_ERR_SIGNATURE: return "not a CAB archive (bad signature)";
    case MSPACK_ERR_DATAFORMAT: return "corrupt CAB archive";
    case MSPACK_ERR_CHECKSUM: return "CAB checksum mismatch";
    case MSPACK_ERR_DECRUNCH: return "corrupt compressed data in the CAB archive";
    case MSPACK_ERR_READ: return "CAB archive is truncated";
    case MSPACK_ERR_NOMEMORY: return "out of memory expanding the CAB archive";
    case MSPACK_ERR_WRITE: return "expanded data too large";
    default: return "CAB expansion failed";
    }
}

kdx_status kdx_cab_expand_buffer(const void *data, size_t len, uint64_t max_out, void **out,
                                 size_t *out_len, kdx_err *err)
{
    if (!max_out || max_out > CAB_MAX_OUTPUT)
        max_out = CAB_MAX_OUTPUT;
    *out = NULL;
    *out_len = 0;
    struct mscab_decompressor *d = mspack_create_cab_decompressor(&mem_system);
    if (!d)
        return kdx_err_set(err, KDX_E_NOMEM, "cannot create a CAB decompressor");
    memfile in = {.rdata = data, .len = len};
    memfile outf = {.writable = true, .limit = max_out};
    kdx_status st = KDX_OK;
    struct mscabd_cabinet *cab = d->open(d, (const char *)(uintptr_t)&in);
    if (!cab) {
        st = kdx_err_set(err, KDX_E_FORMAT, "CAB header at offset 0: %s",
                         mspack_error_name(d->last_error(d)));
    } else if (!cab->files) {
        st = kdx_err_set(err, KDX_E_FORMAT, "CAB archive holds no file");
    } else if (cab->files->length > max_out) {
        st = kdx_err_set(err, KDX_E_LIMIT, "CAB file entry '%s' declares %u bytes (limit %llu)",
                         cab->files->filename ? cab->files->filename : "?", cab->files->length,
                         (unsigned long long)max_out);
    } else {
        int rc = d->extract(d, cab->files, (const char *)(uintptr_t)&outf);
        if (rc != MSPACK_ERR_OK)
            st = kdx_err_set(err, KDX_E_FORMAT, "CAB file entry '%s': %s",
                             cab->files->filename ? cab->files->filename : "?",
                             outf.overflow ? "expanded data exceeds the size limit" : mspack_error_name(rc));
    }
    if (cab)
        d->close(d, cab);
    mspack_destroy_cab_decompressor(d);
    if (st != KDX_OK) {
        free(outf.wdata);
        return st;
    }
    *out = outf.wdata ? outf.wdata : malloc(1);
    *out_len = outf.len;
    return KDX_OK;
}

kdx_status kdx_cab_expand(const char *cab_path, const char *out_path, kdx_err *err)
{
    uint8_t *data;
    size_t len;
    kdx_status st = kdx_read_all(cab_path, &data, &len, err);
    if (st != KDX_OK)
        return st;
    void *out;
    size_t out_len;
    st = kdx_cab_expand_buffer(data, len, 0, &out, &out_len, err);
    free(data);
    if (st != KDX_OK) {
        kdx_err_prefix(err, "%s", cab_path);
        return st;
    }
    st = kdx_write_file_atomic(out_path, out, out_len, err);
    free(out);
    return st;
}
