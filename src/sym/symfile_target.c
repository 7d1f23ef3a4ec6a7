/* A PDB or ISF file opened alone as the target (`kdx -z FILE.pdb`), the way
 * WinDbg opens a symbol file: one module at address 0 whose symbols are the
 * file, so `x`, `ln`, `dt` work on RVAs without a dump. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dump/formats.h"
#include "sym/sources.h"
#include "sym/symcache.h"

bool kdx_symfile_target_probe(const uint8_t *head, size_t n, const char *path)
{
    static const char msf[] = "Microsoft C/C++ MSF 7.00";
    if (n >= sizeof msf - 1 && memcmp(head, msf, sizeof msf - 1) == 0)
        return true;
    return kdx_ends_with_i(path, ".json") || kdx_ends_with_i(path, ".json.xz");
}

/* "x/ntkrnlmp.pdb/GUID-AGE.json.xz" names ntkrnlmp.pdb (the ISF store layout);
 * "x/amdppm.pdb" names amdppm.pdb. Returns the PDB file name (malloc'd). */
static char *pdb_name_from_path(const char *path)
{
    const char *base = kdx_basename(path);
    bool isf = kdx_ends_with_i(base, ".json") || kdx_ends_with_i(base, ".json.xz");
    if (isf && base > path) {
        /* The directory above: ".../ntkrnlmp.pdb/". */
        const char *end = base - 1;
        const char *start = end;
        while (start > path && start[-1] != '/' && start[-1] != '\\')
            start--;
        char *d = kdx_strndup(start, (size_t)(end - start));
        if (kdx_ends_with_i(d, ".pdb"))
            return d;
        free(d);
    }
    if (isf) {
        /* "ntkrnlmp.json.xz" -> "ntkrnlmp.pdb" */
        size_t n = strcspn(base, ".");
        char *stem = kdx_strndup(base, n);
        char *r = kdx_asprintf("%s.pdb", stem);
        free(stem);
        return r;
    }
    return kdx_strdup(base);
}

static int note_extent(void *ud, const kdx_symbol *sym)
{
    uint64_t *end = ud;
    uint64_t e = (uint64_t)sym->rva + (sym->size ? sym->size : 1);
    if (e > *end)
        *end = e;
    return 0;
}

/* The module spans its symbols: up to the end of the last one, page-rounded. */
static uint64_t symbol_extent(const kdx_symprov *prov)
{
    uint64_t end = 0;
    if (prov->ops->enumerate)
        prov->ops->enumerate(prov->impl, "*", note_extent, &end);
    end = (end + 0xfff) & ~0xfffull;
    return end ? end : 0x1000;
}

kdx_status kdx_symfile_target_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_symprov prov = {0};
    kdx_symfile_id id;
    memset(&id, 0, sizeof id);
    bool isf = kdx_ends_with_i(path, ".json") || kdx_ends_with_i(path, ".json.xz");
    /* Through the symbol index cache like any symbol file a session loads
     * (its directory from the environment: the target opens before any
     * session setting applies), so `x nt!*` on an ISF is served mapped. */
    kdx_symcache *cache = kdx_symcache_new();
    kdx_status st = kdx_symcache_open(cache, path, &prov, &id, err);
    kdx_symcache_free(cache);
    if (st != KDX_OK)
        return st;
    kdx_arch arch = id.arch != KDX_ARCH_UNKNOWN ? id.arch : KDX_ARCH_X64;
    kdx_target *t = kdx_target_new(KDX_TARGET_SYMFILE, arch, path);
    char *pdb = pdb_name_from_path(path);
    char *name = kdx_module_name_from_image(pdb, false);
    kdx_module *m = kdx_module_new(name, 0, symbol_extent(&prov));
    free(name);
    m->image_name = kdx_strdup(pdb);
    m->pdb_name = pdb;
    m->has_pdb_id = id.has_guid;
    if (id.has_guid) {
        memcpy(m->pdb_guid, id.guid, 16);
        m->pdb_age = id.age;
    }
    m->symbols = prov;
    m->symstatus = isf ? KDX_SYMSTATUS_ISF
                       : id.has_types ? KDX_SYMSTATUS_PRIVATE_PDB : KDX_SYMSTATUS_PDB;
    m->symbol_file = kdx_strdup(path);
    kdx_target_add_module(t, m);
    t->main_module = m;
    *out = t;
    return KDX_OK;
}
