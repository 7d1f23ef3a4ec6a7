/* The local side of a symbol store: names from dumps and images that may
 * become path components, directories created under a store root and
 * nowhere else, and files written or copied atomically within a size limit.
 * File and key names come from dumps, images and servers nobody vetted: a
 * PDB path of "C:\sym\.." must not make kdx write outside its cache. */
#ifndef KDX_SYM_SYMSTORE_H
#define KDX_SYM_SYMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

/* True when name may be one path component of a store: not empty, not "."
 * or "..", no control character, no '/' or '\\', at most 255 bytes.
 * Otherwise why (may be NULL) says which rule it breaks. */
bool kdx_symstore_name_ok(const char *name, char *why, size_t why_len);

/* name with control characters and non-ASCII bytes written as \xNN, for
 * messages about names that were refused. Caller frees. */
char *kdx_symstore_printable(const char *name);

/* Creates STORE (and its parents) and STORE/name/key, checking the names
 * (kdx_symstore_name_ok) and that the result resolves inside STORE (a
 * symbolic link cannot lead out). *dir gets the malloc'd STORE/name/key. */
kdx_status kdx_symstore_make_dir(const char *store, const char *name, const char *key, char **dir,
                                 kdx_err *err);
/* Removes STORE/name/key, then STORE/name, each only when empty: a lookup
 * that failed leaves no empty directories behind. */
void kdx_symstore_prune(const char *store, const char *name, const char *key);

/* A new temporary file dir/.base.XXXXXX.tmp (created exclusively, never
 * through an existing link), open for writing; *path gets its malloc'd name. */
FILE *kdx_symstore_temp(const char *dir, const char *base, char **path, kdx_err *err);

/* Closes fp (from kdx_symstore_temp) and renames tmp to path when ok, else
 * (or when that fails) removes tmp; frees tmp. */
kdx_status kdx_symstore_commit_temp(FILE *fp, char *tmp, const char *path, bool ok, kdx_err *err);

/* Creates dir and its parents (mode 0755). */
kdx_status kdx_mkdirs(const char *dir, kdx_err *err);
/* Writes buf to path atomically (temporary name, then rename). */
kdx_status kdx_write_file_atomic(const char *path, const void *buf, size_t len, kdx_err *err);
/* Copies src to dst atomically as a stream. src must be a regular file (it
 * is opened without blocking and checked with fstat, so a FIFO or a device
 * is refused, never read) of at most max_bytes (0: no limit). */
kdx_status kdx_copy_file_limited(const char *src, const char *dst, uint64_t max_bytes,
                                 kdx_err *err);
/* The same without a size limit. */
kdx_status kdx_copy_file_atomic(const char *src, const char *dst, kdx_err *err);

#endif
