/* Read-only memory-mapped files. Dumps, PDBs and images are mapped, never
 * read whole, and never opened for writing. */
#ifndef KDX_BASE_FILE_H
#define KDX_BASE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct kdx_file {
    char *path;
    const uint8_t *data; /* NULL for an empty file */
    uint64_t size;
    int owns_data;       /* 1: malloc'd copy (from kdx_file_from_memory) */
} kdx_file;

kdx_status kdx_file_open(kdx_file **out, const char *path, kdx_err *err);
/* Wraps a copy of buf as a file named name (for tests, fuzzers, decompressed data). */
kdx_status kdx_file_from_memory(kdx_file **out, const char *name, const void *buf, size_t len,
                                kdx_err *err);
/* Takes ownership of a malloc'd buffer. */
kdx_status kdx_file_adopt(kdx_file **out, const char *name, void *buf, size_t len, kdx_err *err);
void kdx_file_close(kdx_file *f);

/* Pointer to [off, off+len) or NULL when out of range. */
const uint8_t *kdx_file_at(const kdx_file *f, uint64_t off, uint64_t len);

/* Bounds-checked pointer that reports "FILE: WHAT at offset 0x.. (0x.. bytes) extends past
 * the end of the file (size 0x..)" as KDX_E_TRUNCATED. */
kdx_status kdx_file_need(const kdx_file *f, uint64_t off, uint64_t len, const char *what,
                         const uint8_t **out, kdx_err *err);

/* Reads a whole file into a malloc'd buffer (for small text files such as .sym). */
kdx_status kdx_read_all(const char *path, uint8_t **buf, size_t *len, kdx_err *err);

#endif
