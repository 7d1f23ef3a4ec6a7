/* The symbol path, as WinDbg reads it from -y, _NT_SYMBOL_PATH,
 * _NT_ALT_SYMBOL_PATH, .sympath and .symfix: ';'-separated elements
 *   DIR                         a plain directory (flat, store or ISF layout)
 *   srv*[CACHE*]...*URL         a symbol server chain: downstream stores first
 *   symsrv*symsrv.dll*CACHE*URL the same with an explicit server DLL (ignored)
 *   cache*[DIR]                 cache what the following elements find in DIR
 * and the lookup of one symbol or image file through it. */
#ifndef KDX_SYM_SYMPATH_H
#define KDX_SYM_SYMPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "sym/symsrv.h"

#define KDX_MS_SYMBOL_SERVER "https://msdl.microsoft.com/download/symbols"

typedef enum kdx_symel_kind {
    KDX_SYMEL_DIR,   /* tiers[0] is the directory */
    KDX_SYMEL_SRV,   /* tiers: downstream stores first, the upstream server last */
    KDX_SYMEL_CACHE  /* tiers[0] is the cache directory, NULL for the default one */
} kdx_symel_kind;

typedef struct kdx_symel {
    kdx_symel_kind kind;
    char **tiers;        /* NULL entries mean "the default cache" */
    size_t ntiers;
    char *text;          /* the element as written */
} kdx_symel;

typedef struct kdx_sympath {
    kdx_symel *els;
    size_t n;
} kdx_sympath;

/* Parses a symbol path. Never fails: unknown forms are kept as directories,
 * empty elements are dropped. */
kdx_sympath *kdx_sympath_parse(const char *text);
void kdx_sympath_free(kdx_sympath *sp);
/* The expanded form WinDbg prints: "cache*;SRV*https://..." with the
 * default cache spelled out. Caller frees. */
char *kdx_sympath_expand(const kdx_sympath *sp, const char *default_cache);
/* True when s names a URL tier ("http://", "https://"). */
bool kdx_sympath_is_url(const char *s);

/* Default downstream store: $KDX_SYMBOL_CACHE, else $XDG_CACHE_HOME/kdx/sym,
 * else ~/.cache/kdx/sym. Caller frees. */
char *kdx_sympath_default_cache(void);

/* One file to look for: "amdppm.pdb" with key "1C19FDDB27BB3399D9B45973EFEAFCF31"
 * (GUID + age) or "amdppm.sys" with key "C9C030003b000" (timestamp + size).
 * isf_key ("GUID-AGE") also accepts Volatility ISF tables for a PDB. */
typedef struct kdx_symfind {
    const char *name;
    const char *key;
    const char *isf_key;   /* NULL when not a PDB */
    /* Optional check of a candidate (GUID/age match); false skips it and
     * the search goes on. why receives the reason. */
    bool (*accept)(void *ud, const char *path, char *why, size_t why_len);
    void *accept_ud;
} kdx_symfind;

/* Lookup state shared across lookups: noisy logging and servers known dead. */
typedef struct kdx_symfind_ctx {
    const char *default_cache;
    bool noisy;
    void (*log)(void *ud, const char *line);  /* noisy lines and failure notes */
    void *log_ud;
    /* Remembered failures ("URL|name|key") and unreachable servers. */
    char **failed;
    size_t nfailed;
    char **dead_servers;
    size_t ndead;
    bool offline;          /* never contact servers (tests, KDX_SYMBOL_OFFLINE) */
    bool overwrite;        /* .reload /o: download again over what the downstream store has */
    kdx_symsrv_limits limits; /* download limits (max_bytes 0: the defaults and environment) */
    char limits_note[256];    /* a limit setting that was not understood, logged once */
} kdx_symfind_ctx;

void kdx_symfind_ctx_clear(kdx_symfind_ctx *c);

/* Finds the file through the path: local directories and stores first in
 * path order, servers downloading into their downstream store. *path gets
 * a malloc'd path. KDX_E_NOT_FOUND with err naming what was tried. */
kdx_status kdx_sympath_find(kdx_symfind_ctx *c, const kdx_sympath *sp, const kdx_symfind *f,
                            char **path, kdx_err *err);

/* Fetches many files at once from every server in the path (parallel
 * transfers) into their downstream stores, so that later kdx_sympath_find
 * calls hit the cache. Files already present are skipped. */
void kdx_sympath_prefetch(kdx_symfind_ctx *c, const kdx_sympath *sp, const kdx_symfind *f,
                          size_t n);

/* Calls cb for every file under a directory element that may be a symbol
 * file for name ("ntkrnlmp.pdb"): the flat file, or any .pdb/.json/.json.xz
 * one or two levels below a directory of that name.
 * Used to match the kernel when its PDB identity is unknown. */
typedef int (*kdx_symcand_cb)(void *ud, const char *path);
void kdx_sympath_candidates(const kdx_sympath *sp, const char *default_cache, const char *name,
                            kdx_symcand_cb cb, void *ud);

#endif
