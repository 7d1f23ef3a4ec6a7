/* Symbol indexes: everything a symbol provider answers, serialised once
 * (symidx_write.c) and served from a mapped file on later runs with no
 * parsing and no allocation per symbol (symidx_read.c). The layout is in
 * symidx_format.h; sym/symcache.h decides where indexes live and when they
 * are written. */
#ifndef KDX_SYM_SYMIDX_H
#define KDX_SYM_SYMIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "sym/sources.h"

/* The symbol file an index was made from, as it was then (stored as is in
 * the index header: fixed layout). */
typedef struct kdx_symidx_source {
    uint32_t kind;          /* SYMIDX_SRC_* */
    uint32_t mtime_nsec;
    uint64_t size;
    int64_t mtime_sec;
    uint64_t fingerprint;   /* XXH3 of the first and last 64 KB */
    uint8_t producer[16];   /* the kdx build that wrote the index */
} kdx_symidx_source;

/* Serialises what prov answers into a malloc'd index image. */
kdx_status kdx_symidx_build(const kdx_symprov *prov, const kdx_symfile_id *id,
                            const kdx_symidx_source *src, uint8_t **out, size_t *len, kdx_err *err);
/* The same image written to fp (a new, empty file open for writing) as it
 * is laid out, never held whole in memory, and flushed; *len its size. */
kdx_status kdx_symidx_write(const kdx_symprov *prov, const kdx_symfile_id *id,
                            const kdx_symidx_source *src, FILE *fp, size_t *len, kdx_err *err);

typedef enum kdx_symidx_memory {
    KDX_SYMIDX_MAPPED,   /* munmap'd when the provider is destroyed */
    KDX_SYMIDX_MALLOCED, /* freed when the provider is destroyed */
    KDX_SYMIDX_BORROWED, /* the caller keeps it alive (a mapping shared by sessions, fuzzing) */
    KDX_SYMIDX_WRITTEN   /* a mapping of the index file this process just wrote: munmap'd */
} kdx_symidx_memory;

/* Reads the header only (no checksum): which source and build made the index. */
kdx_status kdx_symidx_peek(const uint8_t *data, size_t len, const char *name, kdx_symidx_source *src,
                           kdx_err *err);

/* How much of an index to check on open. */
typedef enum kdx_symidx_check {
    KDX_SYMIDX_CHECK_ALL,      /* checksum and every reference: a file from disk */
    KDX_SYMIDX_CHECK_RECORDS,  /* every reference, not the checksum (fuzzing) */
    KDX_SYMIDX_TRUSTED,        /* nothing: built or checked before by this process */
    /* The header and the symbol records on open; the other tables (address
     * answers, types with their fields, lines, frame data) on their first
     * use, which then finds nothing in a damaged one: an index whose
     * checksum and records a kdx process checked before (its note beside
     * it), which most runs use a small part of (`x nt!*`: no type). */
    KDX_SYMIDX_CHECK_ON_USE
} kdx_symidx_check;

/* Opens an index image as a provider after the checks `check` asks for. name is
 * used in messages. Lookups the index leaves to the source file (a PDB's
 * lines, frame data and names beyond its symbol list) open source_path on
 * first use; NULL: such lookups find nothing. data is taken over as memory
 * says, also on failure. */
kdx_status kdx_symidx_open(const uint8_t *data, size_t len, kdx_symidx_memory memory,
                           kdx_symidx_check check, const char *name, const char *source_path,
                           kdx_symprov *out, kdx_symfile_id *id, kdx_err *err);

/* True when p is served from an index; from_file: one mapped from an index
 * file found in place (not one just built, in memory or written). */
bool kdx_symidx_is_provider(const kdx_symprov *p);
bool kdx_symidx_from_file(const kdx_symprov *p);

/* The symbols an index enumerates, in enumeration order, for the symbol
 * layer's address index: with the class the writer computed
 * (kdx_symbol_class) and without making type nodes, so that building that
 * index tests no names and allocates nothing per symbol. nlisted is 0 when
 * p is not an index; listed_at takes i < nlisted. */
typedef struct kdx_symidx_listed {
    const char *name;       /* NULL when none */
    uint32_t rva, size;
    kdx_symkind kind;
    uint8_t cls;            /* KDX_SYMF_CODE, KDX_SYMF_DATA or 0 */
} kdx_symidx_listed;
size_t kdx_symidx_nlisted(const kdx_symprov *p);
void kdx_symidx_listed_at(const kdx_symprov *p, size_t i, kdx_symidx_listed *out);
/* Whether p is an index whose listing (what enumerate reports, in that
 * order) is in ascending address order, names in strcmp order at one
 * address: x's order. Found once, on the first question, from the records. */
bool kdx_symidx_listed_in_order(const kdx_symprov *p);

/* The hash of names in index tables and of checksums (XXH3-64). */
uint64_t kdx_symidx_hash(const void *data, size_t len);

#endif
