/* The symbol index cache: the first time a symbol file (PDB, ISF, Breakpad
 * .sym) is loaded, what its provider answers is written to a compact index
 * (sym/symidx.h) in the cache directory; later runs map that index instead
 * of parsing the file. Indexes are keyed by the symbol file's path and
 * checked against its size, modification time and a fingerprint of its
 * first and last 64 KB, and against the kdx build that wrote them; a stale
 * index is rebuilt, a damaged one reported and rebuilt. Writes go to a
 * temporary name renamed into place, so concurrent runs never see half an
 * index. PE export tables are not indexed: they are read from the image
 * in the dump, which costs less than opening any file.
 *
 * Directory: $KDX_SYMBOL_INDEX ("off" disables), else
 * $XDG_CACHE_HOME/kdx/index, else ~/.cache/kdx/index; `.symindex` changes it. */
#ifndef KDX_SYM_SYMCACHE_H
#define KDX_SYM_SYMCACHE_H

#include <stdbool.h>

#include "base/err.h"
#include "sym/sources.h"

typedef struct kdx_symcache kdx_symcache;

/* Messages: `important` ones (a damaged index, an unwritable directory) are
 * shown always, the others only when symbol loading is noisy. */
typedef void (*kdx_symcache_log)(void *ud, bool important, const char *msg);

kdx_symcache *kdx_symcache_new(void);   /* directory from the environment */
void kdx_symcache_free(kdx_symcache *c);
void kdx_symcache_set_log(kdx_symcache *c, kdx_symcache_log log, void *ud);
/* NULL or "off" disables the cache. */
void kdx_symcache_set_dir(kdx_symcache *c, const char *dir);
const char *kdx_symcache_dir(const kdx_symcache *c);   /* NULL when disabled */
/* The default directory (caller frees); NULL when the environment disables it. */
char *kdx_symcache_default_dir(void);

/* Opens a symbol file as kdx_pdb/isf/breakpad_provider_open would, through
 * its index when a valid one exists, else parsing it and writing the index. */
kdx_status kdx_symcache_open(kdx_symcache *c, const char *path, kdx_symprov *out,
                             kdx_symfile_id *id, kdx_err *err);
/* True when path has a valid, current index (no parsing needed to open it). */
bool kdx_symcache_fresh(kdx_symcache *c, const char *path);
/* Where path's index lives (caller frees); NULL when the cache is off. */
char *kdx_symcache_index_path(const kdx_symcache *c, const char *path);

/* Index files checked once and shared with forked processes (kdx triage:
 * each worker is a child of one parent). mapped_paths lists, one a line,
 * the index files this process has mapped and checked, each with a tab and
 * the symbol file it was opened for (caller frees; empty when none).
 * preload maps and checks one such index file in this process, and
 * computes the identity of its symbol file source (NULL or "": none), so
 * that the processes it forks afterwards open the index with no check and
 * read nothing of the symbol file while its status (inode, size, times) is
 * unchanged; their sessions still compare the two and this kdx build.
 * False when the index is absent, damaged, from another build, or the
 * table is full. */
char *kdx_symcache_mapped_paths(void);
bool kdx_symcache_preload(const char *ipath, const char *source);

/* Opens a symbol file by its kind (extension) without any cache. */
kdx_status kdx_symfile_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err);

#endif
