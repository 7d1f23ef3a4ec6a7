/* Per-session state of the kernel-object layer: lookups of types and
 * fields by name are slow next to the walks that repeat them for every
 * thread, so their results (failures too) are kept here until the target
 * changes. Internal to src/nt/. */
#ifndef KDX_NT_NTCTX_H
#define KDX_NT_NTCTX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "nt/field.h"
#include "target/session.h"

typedef struct kdx_nt_cached {
    char *key;               /* "type\x01paths" */
    kdx_status st;
    kdx_nt_field field;      /* field.path is alt */
    char *alt;               /* the alternative of the paths that exists */
    const kdx_type *type;    /* for type-only entries */
    char *why;               /* the error message of a failed lookup */
} kdx_nt_cached;

struct kdx_ntctx {
    kdx_nt_cached **slots;   /* open addressing; entries never move */
    size_t nslots, used;
    /* Object-manager globals, read once. */
    bool cookie_tried;
    kdx_status cookie_st;
    uint8_t cookie;
    char *cookie_why;
};

/* The session's layer state, created on first use. */
struct kdx_ntctx *kdx_nt_ctx(kdx_session *s);
/* The cache entry for key: found, or created empty (key set, st KDX_E_NOT_FOUND,
 * *fresh true) for the caller to fill. */
kdx_nt_cached *kdx_nt_cache_entry(struct kdx_ntctx *c, const char *key, bool *fresh);

#endif
