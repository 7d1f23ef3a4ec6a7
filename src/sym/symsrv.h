/* Symbol-server client (libcurl) and CAB expansion (libmspack).
 * A request asks one server for name/key/name, then the CAB-compressed
 * name/key/nam_ (last character replaced by '_'), then name/key/file.ptr,
 * and stores the result in the downstream store as STORE/name/key/name,
 * written under a temporary name and renamed when complete. */
#ifndef KDX_SYM_SYMSRV_H
#define KDX_SYM_SYMSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sym/symstore.h"

/* Download limits. A hostile or broken server must not hold kdx forever,
 * fill the disk or the memory: every file is bounded in size (counted as
 * the decoded bytes arrive, since headers can lie or be absent), in total
 * time, and in rate (slower than min_rate bytes/s over rate_window_s
 * seconds ends the transfer). The defaults suit multi-GB PDBs on slow
 * links: 4 GiB, two hours, 4 KiB/s over a minute. */
#define KDX_SYMSRV_DEFAULT_MAX_SIZE (4ull << 30)
#define KDX_SYMSRV_DEFAULT_TIMEOUT 7200u
#define KDX_SYMSRV_DEFAULT_MIN_RATE 4096u
#define KDX_SYMSRV_DEFAULT_RATE_WINDOW 60u

typedef struct kdx_symsrv_limits {
    uint64_t max_bytes;      /* largest file accepted */
    unsigned timeout_s;      /* one file's whole transfer, 0: none */
    unsigned min_rate;       /* bytes per second, averaged over... */
    unsigned rate_window_s;  /* ...this many seconds */
} kdx_symsrv_limits;

/* The defaults, overridden by the environment: KDX_SYMBOL_MAX_SIZE (bytes,
 * suffix K, M or G), KDX_SYMBOL_TIMEOUT (seconds), KDX_SYMBOL_MIN_RATE
 * (BYTES or BYTES/SECONDS). A value that is not understood is ignored and
 * described in note (empty when all is well). */
void kdx_symsrv_limits_from_env(kdx_symsrv_limits *l, char *note, size_t note_len);

typedef struct kdx_symsrv_req {
    const char *server;    /* "http://127.0.0.1:8000/" or "https://msdl..." */
    const char *store;     /* downstream store directory */
    const char *name;      /* "amdppm.pdb" */
    const char *key;       /* "1C19FDDB27BB3399D9B45973EFEAFCF31" */
    const kdx_symsrv_limits *limits; /* NULL: kdx_symsrv_limits_from_env */
    /* Results. */
    kdx_status status;     /* KDX_OK, KDX_E_NOT_FOUND (404 everywhere), KDX_E_NET, KDX_E_IO,
                              KDX_E_LIMIT, KDX_E_FORMAT, KDX_E_ARG (name refused),
                              KDX_E_INTERRUPTED */
    char *path;            /* malloc'd path of the stored file on success */
    char *redirect;        /* file.ptr "PATH:" target (malloc'd, '/' separators), not
                              followed here: the caller decides whether it may be read */
    char msg[KDX_ERR_MSG_MAX];
    bool server_unreachable; /* the server failed (connection, timeout, protocol):
                                do not ask it again */
} kdx_symsrv_req;

/* Runs all requests in parallel (curl multi), http and https only, within
 * each request's limits. Once a server fails, its other requests are
 * skipped at once. A user interrupt (kdx_interrupted) stops everything and
 * removes the temporary files. Proxies come from the environment
 * (http_proxy, https_proxy, no_proxy) through libcurl. */
void kdx_symsrv_fetch(kdx_symsrv_req *reqs, size_t n);
void kdx_symsrv_req_free(kdx_symsrv_req *r);

/* The store-layout file name of the compressed form: "amdppm.pd_". Caller frees. */
char *kdx_symsrv_compressed_name(const char *name);

/* Expands the single file of a CAB archive (MSZIP/LZX/Quantum) into
 * out_path as a stream, through a temporary file renamed when complete.
 * The archive must start with "MSCF"; the output is bounded by the size the
 * archive declares for the file and by max_out (0: the default maximum). */
kdx_status kdx_cab_expand(const char *cab_path, const char *out_path, uint64_t max_out,
                          kdx_err *err);
/* Same, from a buffer; the expanded bytes go to *out (malloc'd). */
kdx_status kdx_cab_expand_buffer(const void *data, size_t len, uint64_t max_out, void **out,
                                 size_t *out_len, kdx_err *err);

/* Why libcurl cannot be used (it is loaded on first use), NULL when it can. */
const char *kdx_curl_unavailable(void);

#endif
