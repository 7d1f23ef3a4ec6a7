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

typedef struct kdx_symsrv_req {
    const char *server;    /* "http://127.0.0.1:8000/" or "https://msdl..." */
    const char *store;     /* downstream store directory */
    const char *name;      /* "amdppm.pdb" */
    const char *key;       /* "1C19FDDB27BB3399D9B45973EFEAFCF31" */
    /* Results. */
    kdx_status status;     /* KDX_OK, KDX_E_NOT_FOUND (404 everywhere), KDX_E_NET, KDX_E_IO */
    char *path;            /* malloc'd path of the stored file on success */
    char msg[KDX_ERR_MSG_MAX];
    bool server_unreachable; /* connection failed: do not ask this server again */
} kdx_symsrv_req;

/* Runs all requests in parallel (curl multi). Proxies come from the
 * environment (http_proxy, https_proxy, no_proxy) through libcurl. */
void kdx_symsrv_fetch(kdx_symsrv_req *reqs, size_t n);
void kdx_symsrv_req_free(kdx_symsrv_req *r);

/* The store-layout file name of the compressed form: "amdppm.pd_". Caller frees. */
char *kdx_symsrv_compressed_name(const char *name);

/* Expands the single file of a CAB archive (MSZIP/LZX/Quantum) into out_path,
 * through a temporary file renamed when complete. */
kdx_status kdx_cab_expand(const char *cab_path, const char *out_path, kdx_err *err);
/* Same, from a buffer; the expanded bytes go to *out (malloc'd). max_out
 * bounds the expanded size (0: the 2 GB default). */
kdx_status kdx_cab_expand_buffer(const void *data, size_t len, uint64_t max_out, void **out,
                                 size_t *out_len, kdx_err *err);

/* Creates dir and its parents (mode 0755). */
kdx_status kdx_mkdirs(const char *dir, kdx_err *err);
/* Writes buf to path atomically (temporary name, then rename). */
kdx_status kdx_write_file_atomic(const char *path, const void *buf, size_t len, kdx_err *err);
/* Copies src to dst atomically (temporary name, then rename). */
kdx_status kdx_copy_file_atomic(const char *src, const char *dst, kdx_err *err);

/* Why libcurl cannot be used (it is loaded on first use), NULL when it can. */
const char *kdx_curl_unavailable(void);

#endif
