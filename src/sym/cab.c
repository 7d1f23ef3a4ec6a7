/* CAB expansion for compressed symbol-store files (name.pd_, name.sy_),
 * through libmspack with an I/O layer over stdio streams: the archive is
 * read from its file (or a buffer) and the expanded file streams to a
 * temporary file (or a memory stream), so memory stays small whatever the
 * sizes. The output is bounded by the size the CAB declares for its file
 * and by the caller's limit; a user interrupt stops it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mspack.h>

#include "base/cancel.h"
#include "base/util.h"
#include "sym/symsrv.h"
#include "sym/symstore.h"

/* A stream libmspack reads the archive from or writes the file to. */
typedef struct cabio {
    FILE *fp;
    bool writable;
    uint64_t written, limit;  /* output: refuse to write past limit */
    bool overflow, interrupted;
} cabio;

static struct mspack_file *io_open(struct mspack_system *self, const char *name, int mode)
{
    (void)self;
    cabio *f = (cabio *)(uintptr_t)name; /* names are cabio pointers here */
    if (!f || (mode == MSPACK_SYS_OPEN_WRITE) != f->writable)
        return NULL;
    if (!f->writable && fseeko(f->fp, 0, SEEK_SET) != 0)
        return NULL;
    return (struct mspack_file *)f;
}

static void io_close(struct mspack_file *file)
{
    (void)file; /* the streams belong to the caller */
}

static int io_read(struct mspack_file *file, void *buf, int bytes)
{
    cabio *f = (cabio *)file;
    if (bytes < 0 || f->writable)
        return -1;
    size_t n = fread(buf, 1, (size_t)bytes, f->fp);
    return ferror(f->fp) ? -1 : (int)n;
}

static int io_write(struct mspack_file *file, void *buf, int bytes)
{
    cabio *f = (cabio *)file;
    if (!f->writable || bytes < 0)
        return -1;
    if (kdx_interrupted()) {
        f->interrupted = true;
        return -1;
    }
    if (f->written + (uint64_t)bytes > f->limit) {
        f->overflow = true;
        return -1;
    }
    if (fwrite(buf, 1, (size_t)bytes, f->fp) != (size_t)bytes)
        return -1;
    f->written += (uint64_t)bytes;
    return bytes;
}

static int io_seek(struct mspack_file *file, off_t offset, int mode)
{
    cabio *f = (cabio *)file;
    int whence = mode == MSPACK_SYS_SEEK_START ? SEEK_SET
               : mode == MSPACK_SYS_SEEK_CUR   ? SEEK_CUR
                                               : SEEK_END;
    return fseeko(f->fp, offset, whence) == 0 ? 0 : -1;
}

static off_t io_tell(struct mspack_file *file)
{
    return ftello(((cabio *)file)->fp);
}

static void io_message(struct mspack_file *file, const char *format, ...)
{
    (void)file;
    (void)format;
}

static void *io_alloc(struct mspack_system *self, size_t bytes)
{
    (void)self;
    return malloc(bytes);
}

static void io_free(void *ptr)
{
    free(ptr);
}

static void io_copy(void *src, void *dest, size_t bytes)
{
    memmove(dest, src, bytes);
}

static struct mspack_system io_system = {io_open,    io_close, io_read,  io_write,
                                         io_seek,    io_tell,  io_message, io_alloc,
                                         io_free,    io_copy,  NULL};

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

/* "MSCF" at offset 0, checked before libmspack sees anything else. */
static kdx_status check_signature(FILE *in, kdx_err *err)
{
    char sig[4] = {0};
    size_t n = fread(sig, 1, 4, in);
    if (n < 4 || memcmp(sig, "MSCF", 4) != 0)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "CAB header at offset 0: not a CAB archive (no MSCF signature)");
    return KDX_OK;
}

static kdx_status extract_first(struct mscab_decompressor *d, struct mscabd_cabinet *cab,
                                uint64_t in_size, cabio *out, kdx_err *err)
{
    struct mscabd_file *f = cab->files;
    const char *fname = f && f->filename ? f->filename : "?";
    if (!f)
        return kdx_err_set(err, KDX_E_FORMAT, "CAB archive holds no file");
    if (cab->length > in_size)
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "CAB header at offset 8: the cabinet declares %u bytes, the file holds %llu",
                           cab->length, (unsigned long long)in_size);
    if (f->length > out->limit)
        return kdx_err_set(err, KDX_E_LIMIT, "CAB file entry '%s' declares %u bytes (limit %llu)",
                           fname, f->length, (unsigned long long)out->limit);
    /* Never more than the entry declares, whatever its blocks expand to. */
    out->limit = f->length;
    int rc = d->extract(d, f, (const char *)(uintptr_t)out);
    if (rc == MSPACK_ERR_OK)
        return KDX_OK;
    if (out->interrupted)
        return kdx_err_set(err, KDX_E_INTERRUPTED, "CAB file entry '%s': interrupted", fname);
    return kdx_err_set(err, KDX_E_FORMAT, "CAB file entry '%s': %s", fname,
                       out->overflow ? "expanded data exceeds the size limit"
                                     : mspack_error_name(rc));
}

/* Expands the first file of the archive read from in into out. */
static kdx_status expand_stream(FILE *in, uint64_t in_size, FILE *out, uint64_t max_out,
                                kdx_err *err)
{
    if (!max_out)
        max_out = KDX_SYMSRV_DEFAULT_MAX_SIZE;
    kdx_status st = check_signature(in, err);
    if (st != KDX_OK)
        return st;
    struct mscab_decompressor *d = mspack_create_cab_decompressor(&io_system);
    if (!d)
        return kdx_err_set(err, KDX_E_NOMEM, "cannot create a CAB decompressor");
    cabio inf = {.fp = in};
    cabio outf = {.fp = out, .writable = true, .limit = max_out};
    struct mscabd_cabinet *cab = d->open(d, (const char *)(uintptr_t)&inf);
    if (!cab)
        st = kdx_err_set(err, KDX_E_FORMAT, "CAB header at offset 0: %s",
                         mspack_error_name(d->last_error(d)));
    else
        st = extract_first(d, cab, in_size, &outf, err);
    if (cab)
        d->close(d, cab);
    mspack_destroy_cab_decompressor(d);
    return st;
}

kdx_status kdx_cab_expand_buffer(const void *data, size_t len, uint64_t max_out, void **out,
                                 size_t *out_len, kdx_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (len < 4)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "CAB header at offset 0: not a CAB archive (no MSCF signature)");
    FILE *in = fmemopen((void *)(uintptr_t)data, len, "rb");
    char *buf = NULL;
    size_t blen = 0;
    FILE *mem = open_memstream(&buf, &blen);
    kdx_status st = in && mem ? expand_stream(in, len, mem, max_out, err)
                              : kdx_err_set(err, KDX_E_NOMEM, "cannot open memory streams");
    if (in)
        fclose(in);
    if (mem)
        fclose(mem);
    if (st != KDX_OK) {
        free(buf);
        return st;
    }
    *out = buf ? buf : malloc(1);
    *out_len = blen;
    return KDX_OK;
}

kdx_status kdx_cab_expand(const char *cab_path, const char *out_path, uint64_t max_out,
                          kdx_err *err)
{
    FILE *in = fopen(cab_path, "rb");
    struct stat sb;
    if (!in || fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (in)
            fclose(in);
        return kdx_err_set(err, KDX_E_IO, "cannot read the CAB archive %s", cab_path);
    }
    char *slash = strrchr(out_path, '/');
    char *dir = slash ? kdx_strndup(out_path, (size_t)(slash - out_path)) : kdx_strdup(".");
    char *tmp;
    FILE *out = kdx_symstore_temp(dir, kdx_basename(out_path), &tmp, err);
    free(dir);
    if (!out) {
        fclose(in);
        return KDX_E_IO;
    }
    kdx_status st = expand_stream(in, (uint64_t)sb.st_size, out, max_out, err);
    fclose(in);
    if (fclose(out) != 0 && st == KDX_OK)
        st = kdx_err_set(err, KDX_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (st == KDX_OK && rename(tmp, out_path) != 0)
        st = kdx_err_set(err, KDX_E_IO, "cannot store %s: %s", out_path, strerror(errno));
    if (st != KDX_OK) {
        unlink(tmp);
        kdx_err_prefix(err, "%s", cab_path);
    }
    free(tmp);
    return st;
}
