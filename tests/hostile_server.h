/* A hostile symbol server on 127.0.0.1 for the tests of issue 17: each mode
 * is one way a server can try to exhaust or mislead the client. Bodies that
 * decode to gigabytes are precomputed small (3 MB of gzip for 3 GiB of
 * zeros) and sent only as long as the client reads; every handler returns
 * soon after the server is stopped. Every request path is recorded. */
#ifndef KDX_TESTS_HOSTILE_SERVER_H
#define KDX_TESTS_HOSTILE_SERVER_H

#include <stdint.h>

typedef enum kdx_hostile_mode {
    KDX_HOSTILE_GZIP_ZEROS, /* every file: 200, Content-Encoding: gzip, 3 GiB once decoded:
                               the kind's signature (name.pdb: MSF, name.sys: MZ) then zeros */
    KDX_HOSTILE_CAB_BOMB,   /* name.pd_: a CAB of cab_blocks MSZIP blocks of 32 KiB of
                               zeros, its file declaring cab_declared bytes; else 404 */
    KDX_HOSTILE_DRIP,       /* Content-Length: 100000000, then one byte per second */
    KDX_HOSTILE_SILENT,     /* the headers of a large file, then silence */
    KDX_HOSTILE_ENDLESS,    /* 200 without a length: the signature, then zeros forever */
    KDX_HOSTILE_STEADY,     /* a large file at 8 KiB/s, never finishing */
    KDX_HOSTILE_LYING_LENGTH, /* Content-Length: 10000000000 */
    KDX_HOSTILE_FILE_PTR,   /* file.ptr answers text; everything else 404 */
    KDX_HOSTILE_REDIRECT,   /* every file: 302 to text */
    KDX_HOSTILE_NOT_FOUND   /* 404 for everything */
} kdx_hostile_mode;

typedef struct kdx_hostile_opts {
    kdx_hostile_mode mode;
    const char *text;        /* FILE_PTR body, REDIRECT location */
    const char *only;        /* GZIP_ZEROS, ENDLESS: paths not ending so get 404 */
    unsigned cab_blocks;     /* CAB_BOMB */
    uint32_t cab_declared;   /* CAB_BOMB */
} kdx_hostile_opts;

typedef struct kdx_hostile_server kdx_hostile_server;

kdx_hostile_server *kdx_hostile_start(const kdx_hostile_opts *o);
/* "http://127.0.0.1:PORT" (owned by the server). */
const char *kdx_hostile_url(const kdx_hostile_server *h);
/* The paths requested so far, one per line (malloc'd). */
char *kdx_hostile_requests(kdx_hostile_server *h);
int kdx_hostile_request_count(kdx_hostile_server *h);
void kdx_hostile_stop(kdx_hostile_server *h);

#endif
