/* The session's symbol layer: the symbol path, per-module lazy loading
 * (image → CodeView identity → symbol file through the path → provider),
 * a sorted address index per module, and lookups by address, name and type. */
#include "sym/symbols.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/util.h"
#include "base/bytes.h"
#include "isf/isf.h"
#include "pdb/pdb.h"
#include "pdb/pdb_provider.h"
#include "pe/pe.h"
#include "sym/addrindex.h"
#include "sym/sources.h"
#include "sym/symcache.h"
#include "sym/symidx.h"
#include "sym/sympath.h"
#include "target/memory.h"

typedef struct modstate {
    kdx_module *m;
    bool tried;            /* symbol load attempted */
    bool image_tried;
    kdx_pe *image;
    bool image_from_memory;
    char *image_file;      /* path when the image came from disk */
    bool index_built;
    kdx_addrindex index;   /* address-sorted symbols (addrindex.h) */
} modstate;

struct kdx_symctx {
    char *path_text;       /* as set by the user (NULL: none) */
    kdx_sympath *path;
    char *default_cache;
    kdx_symfind_ctx find;
    bool noisy;
    bool quiet_scan;       /* searching all modules: no per-module failure lines */
    kdx_session *session;  /* for log output while loading */
    kdx_symcache *cache;   /* symbol index cache */
    modstate **mods;
    size_t nmods;
};

/* ---- context ----------------------------------------------------------- */

static char *env_symbol_path(void)
{
    const char *alt = getenv("_NT_ALT_SYMBOL_PATH"), *main = getenv("_NT_SYMBOL_PATH");
    bool a = alt && *alt, m = main && *main;
    if (a && m)
        return kdx_asprintf("%s;%s", alt, main);
    return a ? kdx_strdup(alt) : m ? kdx_strdup(main) : NULL;
}

static void log_line(void *ud, const char *line)
{
    struct kdx_symctx *c = ud;
    if (c->session)
        kdx_print_diag(c->session, "%s\n", line);
}

static void cache_log(void *ud, bool important, const char *line)
{
    struct kdx_symctx *c = ud;
    if (important || c->noisy)
        log_line(c, line);
}

struct kdx_symctx *kdx_symctx_new(void)
{
    struct kdx_symctx *c = kdx_xcalloc(1, sizeof *c);
    c->default_cache = kdx_sympath_default_cache();
    c->path_text = env_symbol_path();
    c->path = kdx_sympath_parse(c->path_text);
    c->find.default_cache = c->default_cache;
    c->find.log = log_line;
    c->find.log_ud = c;
    const char *off = getenv("KDX_SYMBOL_OFFLINE");
    c->find.offline = off && *off && strcmp(off, "0") != 0;
    c->cache = kdx_symcache_new();
    kdx_symcache_set_log(c->cache, cache_log, c);
    return c;
}

static void free_modstates(struct kdx_symctx *c)
{
    for (size_t i = 0; i < c->nmods; i++) {
        if (c->mods[i]->image)
            kdx_pe_close(c->mods[i]->image);
        free(c->mods[i]->image_file);
        kdx_addrindex_free(&c->mods[i]->index);
        free(c->mods[i]);
    }
    free(c->mods);
    c->mods = NULL;
    c->nmods = 0;
}

void kdx_symctx_free(struct kdx_symctx *c)
{
    if (!c)
        return;
    free_modstates(c);
    kdx_sympath_free(c->path);
    kdx_symfind_ctx_clear(&c->find);
    kdx_symcache_free(c->cache);
    free(c->path_text);
    free(c->default_cache);
    free(c);
}

void kdx_sym_target_changed(kdx_session *s)
{
    if (!s->sym)
        return;
    free_modstates(s->sym);
    s->sym->session = s;
}

/* The session's symbol state, made on first use: the session (target/)
 * sits below this layer and only frees and resets it through the hooks. */
static struct kdx_symctx *symctx(kdx_session *s)
{
    if (!s->sym) {
        s->sym = kdx_symctx_new();
        s->sym->session = s;
        s->sym_free = kdx_symctx_free;
        s->sym_target_changed = kdx_sym_target_changed;
    }
    return s->sym;
}

static modstate *state_of(kdx_session *s, kdx_module *m)
{
    struct kdx_symctx *c = symctx(s);
    c->session = s;
    for (size_t i = 0; i < c->nmods; i++)
        if (c->mods[i]->m == m)
            return c->mods[i];
    /* Each state is its own allocation: pointers stay valid as modules are added. */
    c->mods = kdx_xrealloc(c->mods, (c->nmods + 1) * sizeof *c->mods);
    modstate *st = kdx_xcalloc(1, sizeof *st);
    c->mods[c->nmods++] = st;
    st->m = m;
    return st;
}

const char *kdx_sym_path(kdx_session *s)
{
    return symctx(s)->path_text;
}

char *kdx_sym_path_expanded(kdx_session *s)
{
    return kdx_sympath_expand(symctx(s)->path, symctx(s)->default_cache);
}

void kdx_sym_set_path(kdx_session *s, const char *text, bool append)
{
    struct kdx_symctx *c = symctx(s);
    char *t;
    if (append && c->path_text && *c->path_text && text && *text)
        t = kdx_asprintf("%s;%s", c->path_text, text);
    else if (append && (!text || !*text))
        t = kdx_strdup(c->path_text);
    else
        t = kdx_strdup(text);
    free(c->path_text);
    c->path_text = t && *t ? t : (free(t), NULL);
    kdx_sympath_free(c->path);
    c->path = kdx_sympath_parse(c->path_text);
    /* A new path deserves new attempts at servers and files. */
    kdx_symfind_ctx_clear(&c->find);
}

const kdx_sympath *kdx_sym_parsed_path(kdx_session *s)
{
    return symctx(s)->path;
}

const char *kdx_sym_default_cache(kdx_session *s)
{
    return symctx(s)->default_cache;
}

void kdx_sym_set_noisy(kdx_session *s, bool noisy)
{
    symctx(s)->noisy = noisy;
    symctx(s)->find.noisy = noisy;
}

bool kdx_sym_noisy(kdx_session *s)
{
    return symctx(s)->noisy;
}

const char *kdx_sym_index_dir(kdx_session *s)
{
    return kdx_symcache_dir(symctx(s)->cache);
}

void kdx_sym_set_index_dir(kdx_session *s, const char *dir)
{
    char *def = dir && strcmp(dir, "default") == 0 ? kdx_symcache_default_dir() : NULL;
    kdx_symcache_set_dir(symctx(s)->cache, def ? def : dir && strcmp(dir, "default") == 0 ? NULL : dir);
    free(def);
}

void kdx_sym_set_offline(kdx_session *s, bool offline)
{
    symctx(s)->find.offline = offline;
}

/* ---- images ------------------------------------------------------------ */

static void image_key(const kdx_module *m, char key[32], bool lower)
{
    snprintf(key, 32, lower ? "%08x%llx" : "%08X%llx", m->timestamp, (unsigned long long)m->size);
}

typedef struct image_check {
    const kdx_module *m;
    kdx_pe *pe;
} image_check;

static bool accept_image(void *ud, const char *path, char *why, size_t why_len)
{
    image_check *ic = ud;
    kdx_pe *pe;
    kdx_err err = {0};
    if (kdx_pe_open_file(path, &pe, &err) != KDX_OK) {
        snprintf(why, why_len, "%s", err.msg);
        return false;
    }
    const kdx_pe_info *in = kdx_pe_get_info(pe);
    if (ic->m->timestamp && in->timestamp != ic->m->timestamp) {
        snprintf(why, why_len, "timestamp %08X does not match the module's %08X", in->timestamp,
                 ic->m->timestamp);
        kdx_pe_close(pe);
        return false;
    }
    ic->pe = pe;
    return true;
}

/* Looks for the image through one path (the image path, then the symbol
 * path): flat and store layouts, servers; the TIMESTAMPSIZE key in the
 * symbol server's spelling, then in lower case. */
static char *find_image_on(kdx_session *s, const kdx_sympath *sp, const kdx_module *m,
                           const char *name, image_check *ic)
{
    char key[32], lkey[32];
    image_key(m, key, false);
    image_key(m, lkey, true);
    kdx_symfind f = {.name = name, .key = m->timestamp && m->size ? key : NULL,
                     .accept = accept_image, .accept_ud = ic};
    char *path = NULL;
    if (kdx_sympath_find(&symctx(s)->find, sp, &f, &path, NULL) != KDX_OK && f.key &&
        strcmp(key, lkey) != 0) {
        f.key = lkey;
        kdx_sympath_find(&symctx(s)->find, sp, &f, &path, NULL);
    }
    return path;
}

static kdx_status image_from_files(kdx_session *s, modstate *st, kdx_err *err)
{
    kdx_module *m = st->m;
    const char *name = m->image_name ? kdx_basename(m->image_name) : NULL;
    if (!name)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: image name unknown", m->name);
    image_check ic = {.m = m};
    char *path = NULL;
    if (s->image_path && *s->image_path) {
        kdx_sympath *ip = kdx_sympath_parse(s->image_path);
        path = find_image_on(s, ip, m, name, &ic);
        kdx_sympath_free(ip);
    }
    if (!path)
        path = find_image_on(s, symctx(s)->path, m, name, &ic);
    if (!path || !ic.pe) {
        free(path);
        return kdx_err_set(err, KDX_E_NOT_FOUND, "image %s not in the dump nor on the image/symbol path",
                           name);
    }
    st->image = ic.pe;
    st->image_file = path;
    return KDX_OK;
}

/* True when a data directory's first bytes can be read (or it is empty). */
static bool directory_readable(kdx_pe *pe, unsigned dir)
{
    uint32_t rva, size;
    uint8_t buf[28];
    if (kdx_pe_data_directory(pe, dir, &rva, &size) != KDX_OK || !rva || !size)
        return true;
    return kdx_pe_read(pe, rva, buf, KDX_MIN(size, sizeof buf), NULL) == KDX_OK;
}

/* An image read from the dump that has what the symbol layer and the
 * unwinder need: its debug directory and its .pdata. */
static bool memory_image_complete(kdx_pe *pe)
{
    return directory_readable(pe, KDX_PE_DIR_DEBUG) && directory_readable(pe, KDX_PE_DIR_EXCEPTION);
}

static kdx_status load_image(kdx_session *s, modstate *st, kdx_err *err)
{
    if (st->image)
        return KDX_OK;
    if (st->image_tried)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "image of %s is not available", st->m->name);
    st->image_tried = true;
    kdx_module *m = st->m;

    kdx_pe *pe;
    if (s->target && s->target->kind != KDX_TARGET_SYMFILE &&
        kdx_pe_open_target(s->target, m->base, m->image_name ? m->image_name : m->name, &pe,
                           NULL) == KDX_OK) {
        /* Headers in the dump but not its unwind or debug data (a triage dump
         * keeps the first page): the image file, when the path has it, is better. */
        if (!memory_image_complete(pe) && image_from_files(s, st, NULL) == KDX_OK) {
            kdx_pe_close(pe);
            return KDX_OK;
        }
        st->image = pe;
        st->image_from_memory = true;
        return KDX_OK;
    }
    return image_from_files(s, st, err);
}

kdx_status kdx_sym_module_image(kdx_session *s, kdx_module *m, struct kdx_pe **out, kdx_err *err)
{
    modstate *st = state_of(s, m);
    kdx_status rc = load_image(s, st, err);
    *out = st->image;
    return rc;
}

bool kdx_sym_module_image_missing(kdx_session *s, kdx_module *m)
{
    modstate *st = state_of(s, m);
    return st->image_tried && !st->image;
}

struct kdx_pe *kdx_sym_module_image_loaded(kdx_session *s, kdx_module *m)
{
    return state_of(s, m)->image;
}

const char *kdx_sym_module_image_file(kdx_session *s, kdx_module *m)
{
    modstate *st = state_of(s, m);
    return st->image_file;
}

/* Completes the module's identity (timestamp, checksum, CodeView record) from its image. */
static void identity_from_image(kdx_session *s, modstate *st)
{
    kdx_module *m = st->m;
    if (m->has_pdb_id && m->timestamp)
        return;
    if (load_image(s, st, NULL) != KDX_OK)
        return;
    const kdx_pe_info *in = kdx_pe_get_info(st->image);
    if (!m->timestamp)
        m->timestamp = in->timestamp;
    if (!m->checksum)
        m->checksum = in->checksum;
    kdx_pe_codeview cv;
    if (!m->has_pdb_id && kdx_pe_codeview_info(st->image, &cv, NULL) == KDX_OK && cv.pdb_name[0]) {
        m->has_pdb_id = true;
        memcpy(m->pdb_guid, cv.guid, 16);
        m->pdb_age = cv.age;
        free(m->pdb_name);
        m->pdb_name = kdx_strdup(cv.pdb_name);
    }
}

/* ---- symbol files ------------------------------------------------------- */

/* Through the symbol index cache (symcache.h): mapped when indexed before. */
static kdx_status open_symfile(kdx_session *s, const char *path, kdx_symprov *out, kdx_symfile_id *id,
                               kdx_err *err)
{
    symctx(s)->session = s;
    return kdx_symcache_open(symctx(s)->cache, path, out, id, err);
}

static void close_prov(kdx_symprov *p)
{
    if (p->ops && p->ops->destroy)
        p->ops->destroy(p->impl);
    p->ops = NULL;
    p->impl = NULL;
}

typedef struct pdb_check {
    kdx_session *s;
    const kdx_module *m;
    kdx_symprov prov;
    kdx_symfile_id id;
} pdb_check;

static bool accept_pdb(void *ud, const char *path, char *why, size_t why_len)
{
    pdb_check *pc = ud;
    kdx_err err = {0};
    kdx_symprov prov = {0};
    kdx_symfile_id id;
    if (open_symfile(pc->s, path, &prov, &id, &err) != KDX_OK) {
        snprintf(why, why_len, "%s", err.msg);
        return false;
    }
    if (id.has_guid && memcmp(id.guid, pc->m->pdb_guid, 16) != 0) {
        char g[33];
        kdx_guid_format(id.guid, g);
        snprintf(why, why_len, "mismatched symbol file (GUID %s)", g);
        close_prov(&prov);
        return false;
    }
    pc->prov = prov;
    pc->id = id;
    return true;
}

static void set_str(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

/* The PDB's DBI flags say whether private symbols were stripped, which is
 * what WinDbg's "(private pdb symbols)" reflects (kdx_symfile_id). */
static kdx_symstatus status_for(const char *path, const kdx_symfile_id *id)
{
    if (kdx_ends_with_i(path, ".json") || kdx_ends_with_i(path, ".json.xz"))
        return KDX_SYMSTATUS_ISF;
    if (kdx_ends_with_i(path, ".sym"))
        return KDX_SYMSTATUS_BREAKPAD;
    return id->private_symbols ? KDX_SYMSTATUS_PRIVATE_PDB : KDX_SYMSTATUS_PDB;
}

static void attach(kdx_module *m, kdx_symprov prov, const kdx_symfile_id *id, const char *path)
{
    m->symbols = prov;
    m->symstatus = status_for(path, id);
    set_str(&m->symbol_file, kdx_strdup(path));
}

/* Breakpad's store layout: DIR/name.pdb/GUIDAGE/name.sym. */
static bool try_breakpad(kdx_session *s, kdx_module *m, const char *pdb, const char *key)
{
    const kdx_sympath *sp = symctx(s)->path;
    char *base = kdx_strdup(pdb);
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
    bool ok = false;
    for (size_t i = 0; i < sp->n && !ok; i++) {
        if (sp->els[i].kind != KDX_SYMEL_DIR)
            continue;
        char *p = kdx_asprintf("%s/%s/%s/%s.sym", sp->els[i].tiers[0], pdb, key, base);
        struct stat sb;
        kdx_symprov prov = {0};
        kdx_symfile_id id;
        if (stat(p, &sb) == 0 && open_symfile(s, p, &prov, &id, NULL) == KDX_OK) {
            attach(m, prov, &id, p);
            ok = true;
        }
        free(p);
    }
    free(base);
    return ok;
}

static kdx_status load_pdb(kdx_session *s, kdx_module *m, kdx_err *err)
{
    char guid[33], key[48], isf[48];
    kdx_guid_format(m->pdb_guid, guid);
    snprintf(key, sizeof key, "%s%X", guid, m->pdb_age);
    snprintf(isf, sizeof isf, "%s-%u", guid, m->pdb_age);
    const char *pdb = kdx_basename(m->pdb_name);
    pdb_check pc = {.s = s, .m = m};
    kdx_symfind f = {.name = pdb, .key = key, .isf_key = isf, .accept = accept_pdb,
                     .accept_ud = &pc};
    char *path;
    kdx_status st = kdx_sympath_find(&symctx(s)->find, symctx(s)->path, &f, &path, err);
    if (st == KDX_OK) {
        attach(m, pc.prov, &pc.id, path);
        free(path);
        return KDX_OK;
    }
    if (try_breakpad(s, m, pdb, key))
        return KDX_OK;
    return st;
}

/* ---- the kernel without identity (triage dumps) ------------------------- */

typedef struct kernel_match {
    kdx_session *s;
    kdx_module *m;
    uint64_t base;
    kdx_strbuf log;       /* why each candidate was taken or refused */
    bool done;
} kernel_match;

static const char *const kernel_anchor_names[] = {"PsLoadedModuleList", "PsActiveProcessHead",
                                                  "KdDebuggerDataBlock"};

/* A quick look at an ISF candidate before parsing it whole: false when two of
 * the dump's kernel addresses disagree with the table's text. */
static bool isf_candidate_plausible(const char *path, const uint64_t addrs[3], uint64_t base)
{
    if (!kdx_ends_with_i(path, ".json") && !kdx_ends_with_i(path, ".json.xz"))
        return true;
    int64_t v[3];
    if (!kdx_isf_quick_addresses(path, kernel_anchor_names, 3, v))
        return true; /* let the real reader say what is wrong */
    int disagree = 0;
    for (size_t i = 0; i < 3; i++)
        if (v[i] >= 0 && addrs[i] >= base && (uint64_t)v[i] != addrs[i] - base)
            disagree++;
    return disagree < 2;
}

static int try_kernel_candidate(void *ud, const char *path)
{
    kernel_match *km = ud;
    const kdx_kernel_info *k = &km->s->target->kernel;
    uint64_t addrs[3] = {k->ps_loaded_module_list, k->ps_active_process_head, k->kdbg_addr};
    /* With a current index the candidate opens at once; else a text search first. */
    if (!kdx_symcache_fresh(symctx(km->s)->cache, path) && !isf_candidate_plausible(path, addrs, km->base)) {
        kdx_isf_quick_forget();
        kdx_sb_printf(&km->log, "  %s refused: its kernel addresses disagree with the dump's\n",
                      path);
        return 0;
    }
    kdx_symprov prov = {0};
    kdx_symfile_id id;
    kdx_err err = {0};
    kdx_status st = open_symfile(km->s, path, &prov, &id, &err);
    kdx_isf_quick_forget(); /* the check's text: the parse took it, or it is not needed */
    if (st != KDX_OK) {
        kdx_sb_printf(&km->log, "  %s: %s\n", path, err.msg);
        return 0;
    }
    kdx_strbuf why;
    kdx_sb_init(&why);
    int agree = 0, disagree = 0;
    for (size_t i = 0; i < 3; i++) {
        kdx_symbol sym;
        if (!addrs[i] || addrs[i] < km->base)
            continue;
        uint64_t rva = addrs[i] - km->base;
        if (prov.ops->by_name(prov.impl, kernel_anchor_names[i], &sym) != KDX_OK)
            continue;
        bool same = sym.rva == rva;
        agree += same;
        disagree += !same;
        kdx_sb_printf(&why, "%s%s at nt+%llx %s the file's %x", why.len ? ", " : "",
                      kernel_anchor_names[i], (unsigned long long)rva, same ? "=" : "!=", sym.rva);
    }
    char *reason = kdx_sb_take(&why);
    if (agree >= 2 && !disagree) {
        char ident[64] = "";
        if (id.has_guid) {
            char g[33];
            kdx_guid_format(id.guid, g);
            snprintf(ident, sizeof ident, " (GUID %s, age %u)", g, id.age);
        }
        attach(km->m, prov, &id, path);
        set_str(&km->m->symbol_note,
                kdx_asprintf("%s%s matches this dump: %s", path, ident, reason ? reason : ""));
        km->done = true;
        free(reason);
        return 1;
    }
    kdx_sb_printf(&km->log, "  %s refused: %s\n", path,
                  reason && *reason ? reason : "none of the dump's kernel addresses are in it");
    free(reason);
    close_prov(&prov);
    return 0;
}

static kdx_status match_kernel(kdx_session *s, kdx_module *m, kdx_err *err)
{
    kdx_target *t = s->target;
    if (t->kind != KDX_TARGET_KERNEL_DUMP)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no identity for %s", m->name);
    kernel_match km = {.s = s, .m = m};
    km.base = t->kernel.kernel_base ? t->kernel.kernel_base : m->base;
    kdx_sb_init(&km.log);
    static const char *const names[] = {"ntkrnlmp.pdb", "ntoskrnl.pdb", "ntkrnlpa.pdb",
                                        "ntkrpamp.pdb"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(names) && !km.done; i++)
        kdx_sympath_candidates(symctx(s)->path, symctx(s)->default_cache, names[i], try_kernel_candidate,
                               &km);
    char *log = kdx_sb_take(&km.log);
    if (symctx(s)->noisy && log && *log)
        kdx_print_diag(s, "DBGHELP: kernel symbol candidates:\n%s", log);
    kdx_status st = KDX_OK;
    if (km.done) {
        if (symctx(s)->noisy)
            kdx_print_diag(s, "DBGHELP: nt - %s\n", m->symbol_note);
    } else {
        set_str(&m->symbol_note,
                log && *log ? kdx_asprintf("no kernel symbol file agrees with this dump:\n%s", log)
                            : kdx_strdup("the dump does not record the kernel's PDB identity and no "
                                         "ntkrnlmp symbol file is on the symbol path"));
        st = kdx_err_set(err, KDX_E_NOT_FOUND, "%s", m->symbol_note);
    }
    free(log);
    return st;
}

/* ---- loading ------------------------------------------------------------ */

/* WinDbg's per-module load failure lines; silent while searching every
 * module for an unqualified name (the user did not ask about those). */
static void warn(kdx_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(kdx_session *s, const char *fmt, ...)
{
    if (symctx(s)->quiet_scan && !symctx(s)->noisy)
        return;
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    kdx_print_diag(s, "%s", line);
}

static bool is_kernel_module(const kdx_session *s, const kdx_module *m)
{
    return s->target && s->target->kind == KDX_TARGET_KERNEL_DUMP && m->name &&
           strcmp(m->name, "nt") == 0;
}

static const char *display_image(const kdx_module *m)
{
    return m->image_name ? kdx_basename(m->image_name) : m->name;
}

static int count_symbol(void *ud, const kdx_symbol *sym)
{
    (void)sym;
    ++*(size_t *)ud;
    return 1; /* one is enough */
}

/* The image's export table as m's symbols, when it has at least one export
 * (from the dump's memory or the image file found on the path). */
static bool exports_of(kdx_pe *image, kdx_symprov *out)
{
    kdx_symprov p = {0};
    if (kdx_pe_exports_provider_from_pe(image, &p, NULL) != KDX_OK)
        return false;
    size_t n = 0;
    p.ops->enumerate(p.impl, "*", count_symbol, &n);
    if (!n) {
        close_prov(&p);
        return false;
    }
    *out = p;
    return true;
}

static void load_module_symbols(kdx_session *s, modstate *st)
{
    kdx_module *m = st->m;
    identity_from_image(s, st);
    kdx_err err = {0};
    kdx_status rc;
    if (m->has_pdb_id && m->pdb_name)
        rc = load_pdb(s, m, &err);
    else if (is_kernel_module(s, m))
        rc = match_kernel(s, m, &err);
    else if (!st->image) {
        char key[32];
        image_key(m, key, false);
        rc = kdx_err_set(&err, KDX_E_NOT_FOUND,
                         "its PDB is unknown: the image is neither in the dump nor on the image "
                         "or symbol path (as %s/%s/%s)",
                         display_image(m), key, display_image(m));
    } else {
        rc = kdx_err_set(&err, KDX_E_NOT_FOUND, "the image of %s has no readable CodeView record",
                         display_image(m));
    }
    if (rc == KDX_OK) {
        if (symctx(s)->noisy)
            kdx_print_diag(s, "DBGHELP: %s - %s\n        %s\n", m->name,
                      m->symstatus == KDX_SYMSTATUS_PRIVATE_PDB ? "private symbols & lines"
                                                                : "public symbols",
                      m->symbol_file);
        return;
    }
    if (!st->image && !m->has_pdb_id && !is_kernel_module(s, m))
        warn(s, "*** WARNING: Unable to verify timestamp for %s\n", display_image(m));
    load_image(s, st, NULL); /* identity known from the module list: the image is not read yet */
    if (st->image && exports_of(st->image, &m->symbols)) {
        m->symstatus = KDX_SYMSTATUS_EXPORT;
        set_str(&m->symbol_file, kdx_strdup(st->image_file ? st->image_file : display_image(m)));
        warn(s, "*** ERROR: Symbol file could not be found.  Defaulted to export symbols for "
                     "%s - \n", display_image(m));
        return;
    }
    m->symstatus = KDX_SYMSTATUS_NONE;
    if (!m->symbol_note)
        m->symbol_note = kdx_strdup(err.msg);
    warn(s, "*** ERROR: Module load completed but symbols could not be loaded for %s\n",
              display_image(m));
}

kdx_status kdx_sym_load_module(kdx_session *s, kdx_module *m, kdx_err *err)
{
    if (m->symbols.ops)
        return KDX_OK;
    modstate *st = state_of(s, m);
    /* A status other than deferred was decided by whoever created the module
     * (a reader that knows there are none, or .reload resetting it): no search. */
    if (!st->tried && s->target && !m->unloaded && m->symstatus == KDX_SYMSTATUS_DEFERRED) {
        st->tried = true;
        load_module_symbols(s, st);
        if (m->symbols.ops)
            return KDX_OK;
    }
    if (m->symstatus == KDX_SYMSTATUS_DEFERRED)
        m->symstatus = KDX_SYMSTATUS_NONE;
    return kdx_err_set(err, KDX_E_NO_SYMBOLS, "no symbols loaded for %s%s%s", m->name,
                       m->symbol_note ? ": " : "", m->symbol_note ? m->symbol_note : "");
}

/* Forgets m's symbols so that the next use loads them again (.reload). */
static void unload_module(kdx_session *s, kdx_module *m)
{
    modstate *st = state_of(s, m);
    /* Layers above keep the types and fields of the symbols dropped here. */
    if (s->nt_free && s->nt)
        s->nt_free(s->nt);
    s->nt = NULL;
    close_prov(&m->symbols);
    m->symstatus = KDX_SYMSTATUS_DEFERRED;
    set_str(&m->symbol_file, NULL);
    set_str(&m->symbol_note, NULL);
    st->tried = false;
    st->index_built = false;
    kdx_addrindex_free(&st->index);
}

/* Parallel download of the images and then the PDBs of the given modules. */
static void prefetch(kdx_session *s, kdx_module **mods, size_t n)
{
    struct kdx_symctx *c = symctx(s);
    kdx_symfind *f = kdx_xcalloc(n * 2 + 1, sizeof *f);
    char (*keys)[48] = kdx_xcalloc(n * 2 + 1, sizeof *keys);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        kdx_module *m = mods[i];
        if (m->has_pdb_id || !m->timestamp || !m->size || !m->image_name)
            continue;
        image_key(m, keys[k], false);
        f[k].name = kdx_basename(m->image_name);
        f[k].key = keys[k];
        k++;
    }
    kdx_sympath_prefetch(&c->find, c->path, f, k);
    /* Stores written on Linux may spell the timestamp in lower case: a second
     * round for the images the first did not bring. */
    size_t k2 = 0;
    bool offline = c->find.offline;
    c->find.offline = true;
    for (size_t i = 0; i < k; i++) {
        char lower[48], *path = NULL;
        snprintf(lower, sizeof lower, "%s", keys[i]);
        for (char *q = lower; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        if (!strcmp(lower, keys[i]) ||
            kdx_sympath_find(&c->find, c->path, &f[i], &path, NULL) == KDX_OK) {
            free(path);
            continue;
        }
        f[k2].name = f[i].name;
        snprintf(keys[k2], sizeof keys[k2], "%s", lower);
        f[k2].key = keys[k2];
        k2++;
    }
    c->find.offline = offline;
    kdx_sympath_prefetch(&c->find, c->path, f, k2);
    k = 0;
    for (size_t i = 0; i < n; i++) {
        kdx_module *m = mods[i];
        identity_from_image(s, state_of(s, m));
        if (!m->has_pdb_id || !m->pdb_name)
            continue;
        char guid[33];
        kdx_guid_format(m->pdb_guid, guid);
        snprintf(keys[k], sizeof keys[k], "%s%X", guid, m->pdb_age);
        f[k].name = kdx_basename(m->pdb_name);
        f[k].key = keys[k];
        k++;
    }
    kdx_sympath_prefetch(&c->find, c->path, f, k);
    free(f);
    free(keys);
}

kdx_status kdx_sym_reload(kdx_session *s, const char *module, bool force, kdx_err *err)
{
    return kdx_sym_reload_ex(s, module, force, false, err);
}

kdx_status kdx_sym_reload_ex(kdx_session *s, const char *module, bool force, bool overwrite,
                             kdx_err *err)
{
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_ARG, "no target is open");
    KDX_VEC(kdx_module *) sel = {0};
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded)
            continue;
        if (module && *module && !kdx_wildcard_match(module, m->name) &&
            !(m->image_name && kdx_wildcard_match(module, kdx_basename(m->image_name))))
            continue;
        KDX_VEC_PUSH(sel, m);
    }
    if (module && *module && sel.len == 0) {
        KDX_VEC_FREE(sel);
        return kdx_err_set(err, KDX_E_NOT_FOUND, "\"%s\" was not found in the image list.",
                           module);
    }
    kdx_symfind_ctx_clear(&symctx(s)->find);
    for (size_t i = 0; i < sel.len; i++)
        unload_module(s, sel.items[i]);
    if (force) {
        symctx(s)->find.overwrite = overwrite;
        prefetch(s, sel.items, sel.len);
        for (size_t i = 0; i < sel.len && !kdx_interrupted(); i++) {
            kdx_module *m = sel.items[i];
            kdx_progress_report(".reload /f", i, sel.len, "modules");
            kdx_sym_load_module(s, m, NULL);
            /* The kernel matched (or not) by addresses: say which file and why. */
            if (is_kernel_module(s, m) && !m->has_pdb_id && m->symbol_note)
                kdx_print(s, "Kernel symbols: %s\n", m->symbol_note);
        }
        symctx(s)->find.overwrite = false;
        kdx_progress_report(".reload /f", sel.len, sel.len, "modules");
    }
    KDX_VEC_FREE(sel);
    return KDX_OK;
}

/* ---- address lookups ---------------------------------------------------- */

/* The module's image when one is (or can be) had, for sections and .pdata. */
static kdx_pe *lookup_image(kdx_session *s, modstate *st)
{
    return load_image(s, st, NULL) == KDX_OK ? st->image : NULL;
}

static void build_index(kdx_session *s, modstate *st)
{
    if (st->index_built)
        return;
    st->index_built = true;
    kdx_addrindex_build(&st->index, &st->m->symbols, lookup_image(s, st));
}

static bool module_symbol_at(kdx_session *s, kdx_module *m, uint32_t rva, kdx_addrlookup how,
                             kdx_symbol *out, kdx_symbol *next)
{
    modstate *st = state_of(s, m);
    build_index(s, st);
    if (st->index.all.n)
        return kdx_addrindex_lookup(&st->index, lookup_image(s, st), how, rva, out, next);
    if (next)
        memset(next, 0, sizeof *next);
    return m->symbols.ops->by_rva(m->symbols.impl, rva, out) == KDX_OK;
}

static kdx_status from_addr(kdx_session *s, uint64_t addr, kdx_addrlookup how, kdx_symhit *hit,
                            kdx_symhit *next)
{
    memset(hit, 0, sizeof *hit);
    if (next)
        memset(next, 0, sizeof *next);
    if (!s->target)
        return KDX_E_NOT_FOUND;
    kdx_module *m = kdx_target_module_at(s->target, addr);
    if (!m)
        return KDX_E_NOT_FOUND;
    hit->module = m;
    hit->address = m->base;
    hit->displacement = addr - m->base;
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK)
        return KDX_OK;
    kdx_symbol sym, nsym;
    uint64_t rva = addr - m->base;
    if (rva > UINT32_MAX)
        return KDX_OK;
    if (module_symbol_at(s, m, (uint32_t)rva, how, &sym, next ? &nsym : NULL)) {
        hit->name = sym.name;
        hit->address = m->base + sym.rva;
        hit->displacement = addr - hit->address;
        hit->size = sym.size;
        hit->flags = sym.flags;
    }
    if (next && nsym.name) {
        next->module = m;
        next->name = nsym.name;
        next->address = m->base + nsym.rva;
        next->size = nsym.size;
        next->flags = nsym.flags;
    }
    return KDX_OK;
}

kdx_status kdx_sym_from_addr_ex(kdx_session *s, uint64_t addr, kdx_symhit *hit, kdx_symhit *next)
{
    return from_addr(s, addr, KDX_LOOKUP_BY_SECTION, hit, next);
}

kdx_status kdx_sym_from_code_addr_ex(kdx_session *s, uint64_t addr, kdx_symhit *hit, kdx_symhit *next)
{
    return from_addr(s, addr, KDX_LOOKUP_CODE, hit, next);
}

kdx_status kdx_sym_from_code_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit)
{
    return from_addr(s, addr, KDX_LOOKUP_CODE, hit, NULL);
}

kdx_status kdx_sym_from_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit)
{
    return kdx_sym_from_addr_ex(s, addr, hit, NULL);
}

static void format_hit(kdx_session *s, kdx_status st, const kdx_symhit *hit, uint64_t addr, char *buf,
                       size_t len)
{
    if (st != KDX_OK) {
        char a[24];
        snprintf(buf, len, "%s", kdx_session_fmt_ptr(s, a, addr));
        return;
    }
    int n = hit->name ? snprintf(buf, len, "%s!%s", hit->module->name, hit->name)
                      : snprintf(buf, len, "%s", hit->module->name);
    if (hit->displacement && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "+0x%llx", (unsigned long long)hit->displacement);
}

void kdx_sym_format(kdx_session *s, uint64_t addr, char *buf, size_t len)
{
    kdx_symhit hit;
    format_hit(s, kdx_sym_from_addr(s, addr, &hit), &hit, addr, buf, len);
}

void kdx_sym_format_code(kdx_session *s, uint64_t addr, char *buf, size_t len)
{
    kdx_symhit hit;
    format_hit(s, kdx_sym_from_code_addr(s, addr, &hit), &hit, addr, buf, len);
}

/* ---- names -------------------------------------------------------------- */

static kdx_status lookup_in(kdx_session *s, kdx_module *m, const char *name, uint64_t *addr)
{
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK)
        return KDX_E_NOT_FOUND;
    kdx_symbol sym;
    if (m->symbols.ops->by_name(m->symbols.impl, name, &sym) != KDX_OK)
        return KDX_E_NOT_FOUND;
    *addr = m->base + sym.rva;
    return KDX_OK;
}

/* "nt+1f0" / "nt+0x1f0": a module plus an offset, as WinDbg accepts in names. */
static bool module_plus_offset(kdx_session *s, const char *name, uint64_t *addr)
{
    const char *plus = strchr(name, '+');
    if (!plus || plus == name || !plus[1])
        return false;
    char *modname = kdx_strndup(name, (size_t)(plus - name));
    kdx_module *m = kdx_target_module_named(s->target, modname);
    free(modname);
    if (!m)
        return false;
    char *end;
    unsigned long long off = strtoull(plus + 1, &end, 16);
    if (*end)
        return false;
    *addr = m->base + off;
    return true;
}

/* Before trying every module for a name: fetch what the modules not yet
 * tried need, in parallel, and keep their failure lines quiet. */
static void begin_scan(kdx_session *s)
{
    kdx_target *t = s->target;
    KDX_VEC(kdx_module *) todo = {0};
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (!m->unloaded && !m->symbols.ops && !state_of(s, m)->tried)
            KDX_VEC_PUSH(todo, m);
    }
    if (todo.len > 1)
        prefetch(s, todo.items, todo.len);
    KDX_VEC_FREE(todo);
    symctx(s)->quiet_scan = true;
}

kdx_status kdx_sym_to_addr(kdx_session *s, const char *name, uint64_t *addr, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no target is open");
    const char *bang = strchr(name, '!');
    if (bang) {
        char *modname = kdx_strndup(name, (size_t)(bang - name));
        kdx_module *m = kdx_target_module_named(t, modname);
        free(modname);
        if (m && lookup_in(s, m, bang + 1, addr) == KDX_OK)
            return KDX_OK;
        return kdx_err_set(err, KDX_E_NOT_FOUND, "Couldn't resolve error at '%s'", name);
    }
    kdx_module *m = kdx_target_module_named(t, name);
    if (m) {
        *addr = m->base;
        return KDX_OK;
    }
    if (module_plus_offset(s, name, addr))
        return KDX_OK;
    /* Modules already loaded first, then the kernel / main module, then the rest. */
    for (size_t i = 0; i < t->nmodules; i++)
        if (t->modules[i]->symbols.ops && lookup_in(s, t->modules[i], name, addr) == KDX_OK)
            return KDX_OK;
    kdx_module *first = kdx_target_module_named(t, "nt");
    if (!first)
        first = t->main_module;
    if (first && lookup_in(s, first, name, addr) == KDX_OK)
        return KDX_OK;
    begin_scan(s);
    kdx_status st = KDX_E_NOT_FOUND;
    for (size_t i = 0; i < t->nmodules && st != KDX_OK; i++)
        if (t->modules[i] != first && !t->modules[i]->unloaded)
            st = lookup_in(s, t->modules[i], name, addr);
    symctx(s)->quiet_scan = false;
    if (st == KDX_OK)
        return KDX_OK;
    return kdx_err_set(err, KDX_E_NOT_FOUND, "Couldn't resolve error at '%s'", name);
}

typedef struct enum_ctx {
    kdx_session *s;
    kdx_module *m;
    kdx_sym_enum_cb cb;
    void *ud;
    int stop;
} enum_ctx;

static int enum_one(void *ud, const kdx_symbol *sym)
{
    enum_ctx *e = ud;
    e->stop = e->cb(e->ud, e->m, sym);
    return e->stop;
}

kdx_status kdx_sym_enumerate(kdx_session *s, const char *module_pattern, const char *pattern,
                             kdx_sym_enum_cb cb, void *ud, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_ARG, "no target is open");
    enum_ctx e = {.s = s, .cb = cb, .ud = ud};
    bool any_module = false;
    /* A module wildcard: fetch in parallel and keep per-module failures quiet. */
    if (strpbrk(module_pattern, "*?"))
        begin_scan(s);
    for (size_t i = 0; i < t->nmodules && !e.stop; i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded || !kdx_wildcard_match(module_pattern, m->name))
            continue;
        any_module = true;
        if (kdx_sym_load_module(s, m, NULL) != KDX_OK || !m->symbols.ops->enumerate)
            continue;
        e.m = m;
        m->symbols.ops->enumerate(m->symbols.impl, pattern, enum_one, &e);
    }
    symctx(s)->quiet_scan = false;
    if (!any_module)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "Couldn't resolve error at '%s!%s'",
                           module_pattern, pattern);
    return KDX_OK;
}

bool kdx_sym_enumerates_in_order(kdx_session *s, const char *module_pattern)
{
    kdx_target *t = s->target;
    kdx_module *one = NULL;
    for (size_t i = 0; t && i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded || !kdx_wildcard_match(module_pattern, m->name))
            continue;
        if (one)
            return false; /* the order across modules is not the index's to tell */
        one = m;
    }
    /* base + rva never wraps, so address order is rva order */
    if (!one || one->base > UINT64_MAX - UINT32_MAX || kdx_sym_load_module(s, one, NULL) != KDX_OK)
        return false;
    return kdx_symidx_listed_in_order(&one->symbols);
}

/* ---- types -------------------------------------------------------------- */

static const kdx_type *type_in(kdx_session *s, kdx_module *m, const char *name)
{
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK || !m->symbols.ops->find_type)
        return NULL;
    return m->symbols.ops->find_type(m->symbols.impl, name);
}

const kdx_type *kdx_sym_find_type_ex(kdx_session *s, const char *name, kdx_module **where,
                                     kdx_err *err)
{
    kdx_target *t = s->target;
    if (where)
        *where = NULL;
    if (!t) {
        kdx_err_set(err, KDX_E_NOT_FOUND, "no target is open");
        return NULL;
    }
    const char *bang = strchr(name, '!');
    const kdx_type *ty = NULL;
    kdx_module *found = NULL;
    if (bang) {
        char *modname = kdx_strndup(name, (size_t)(bang - name));
        kdx_module *m = kdx_target_module_named(t, modname);
        free(modname);
        if (m && (ty = type_in(s, m, bang + 1)) != NULL)
            found = m;
    } else {
        /* Loaded modules with types first, then the kernel / main module, then the rest. */
        for (size_t i = 0; i < t->nmodules && !ty; i++)
            if (t->modules[i]->symbols.ops && (ty = type_in(s, t->modules[i], name)) != NULL)
                found = t->modules[i];
        kdx_module *first = kdx_target_module_named(t, "nt");
        if (!first)
            first = t->main_module;
        if (!ty && first && (ty = type_in(s, first, name)) != NULL)
            found = first;
        if (!ty)
            begin_scan(s);
        for (size_t i = 0; i < t->nmodules && !ty; i++)
            if (!t->modules[i]->unloaded && (ty = type_in(s, t->modules[i], name)) != NULL)
                found = t->modules[i];
        symctx(s)->quiet_scan = false;
    }
    if (!ty)
        kdx_err_set(err, KDX_E_NOT_FOUND, "Symbol %s not found.", name);
    if (where)
        *where = found;
    return ty;
}

const kdx_type *kdx_sym_find_type(kdx_session *s, const char *name, kdx_err *err)
{
    return kdx_sym_find_type_ex(s, name, NULL, err);
}

kdx_status kdx_field_offset(kdx_session *s, const char *type_name, const char *field_path,
                            uint64_t *offset, kdx_err *err)
{
    const kdx_type *ty = kdx_sym_find_type(s, type_name, err);
    if (!ty)
        return KDX_E_NOT_FOUND;
    const kdx_type *ft;
    return kdx_type_field_path(ty, field_path, offset, &ft, err);
}

kdx_status kdx_read_field(kdx_session *s, const char *type_name, uint64_t addr,
                          const char *field_path, uint64_t *value, kdx_err *err)
{
    const kdx_type *ty = kdx_sym_find_type(s, type_name, err);
    if (!ty)
        return KDX_E_NOT_FOUND;
    uint64_t off;
    const kdx_type *ft;
    kdx_status st = kdx_type_field_path(ty, field_path, &off, &ft, err);
    if (st != KDX_OK)
        return st;
    const kdx_type *base = kdx_type_strip(ft);
    uint64_t size = base->kind == KDX_TYPE_BITFIELD ? kdx_type_strip(base->target)->size : base->size;
    if (!kdx_type_is_integer(base) || size == 0 || size > 8)
        return kdx_err_set(err, KDX_E_ARG, "%s.%s is not an integer or pointer field", type_name,
                           field_path);
    uint8_t buf[8];
    st = kdx_read_virt(s->target, addr + off, buf, (size_t)size, NULL, err);
    if (st != KDX_OK)
        return st;
    *value = kdx_type_extract(ft, buf);
    return KDX_OK;
}
