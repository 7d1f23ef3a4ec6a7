#include <stdio.h>
#include <string.h>

#include "base/file.h"
#include "dump/formats.h"

kdx_status kdx_target_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_open(&f, path, err);
    if (st != KDX_OK)
        return st;
    uint8_t head[64] = {0};
    size_t n = f->size < sizeof head ? (size_t)f->size : sizeof head;
    if (n)
        memcpy(head, f->data, n);
    kdx_file_close(f);

    if (kdx_kdump_probe(head, n))
        return kdx_kdump_open(path, out, err);
    if (kdx_minidump_probe(head, n))
        return kdx_minidump_open(path, out, err);
    if (kdx_pe_target_probe(head, n))
        return kdx_pe_target_open(path, out, err);
    if (kdx_symfile_target_probe(head, n, path))
        return kdx_symfile_target_open(path, out, err);
    if (n < 8)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: file is too small (%zu bytes) to be a dump", path, n);
    return kdx_err_set(err, KDX_E_FORMAT,
                       "%s: not a Windows dump, PE image or symbol file (signature at offset 0: "
                       "%02x %02x %02x %02x %02x %02x %02x %02x)",
                       path, head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7]);
}
