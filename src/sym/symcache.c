/* The symbol index cache (symcache.h): where indexes live, whether one is
 * current for a symbol file, and writing it after a parse. */
#include "sym/symcache.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"
#include "sym/symsrv.h"
#include "sym/symstore.h"

#define FINGERPRINT_SPAN (64u * 1024u)

struct kdx_symcache {
    char *dir;                 /* NULL: disabled */
    kdx_symcache_log log;
    void *log_ud;
    bool warned_unwritable;    /* said once per cache */
    uint8_t producer[16];
};

/* ---- the kdx build: an index answers as the providers of its writer did ---- */

static int first_object_build_id(struct dl_phdr_info *info, size_t size, void *ud)
{
    (void)size;
    uint8_t *out = ud;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
            const uint8_t *name = p + sizeof *n, *desc = name + ((n->n_namesz + 3) & ~3u);
            if (desc + n->n_descsz > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                memcpy(out, desc, n->n_descsz < 16 ? n->n_descsz : 16);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* only the executable itself, which libkdx is linked into */
}

/* ---- settings ---- */

char *kdx_symcache_default_dir(void)
{
    const char *v = getenv("KDX_SYMBOL_INDEX");
    if (v && *v)
        return strcmp(v, "off") == 0 || strcmp(v, "0") == 0 ? NULL : kdx_strdup(v);
    v = getenv("XDG_CACHE_HOME");
    if (v && *v)
        return kdx_asprintf("%s/kdx/index", v);
    v = getenv("HOME");
    return kdx_asprintf("%s/.cache/kdx/index", v && *v ? v : "/tmp");
}

kdx_symcache *kdx_symcache_new(void)
{
    kdx_symcache *c = kdx_xcalloc(1, sizeof *c);
    c->dir = kdx_symcache_default_dir();
    dl_iterate_phdr(first_object_build_id, c->producer);
    return c;
}

void kdx_symcache_free(kdx_symcache *c)
{
    if (!c)
        return;
    free(c->dir);
    free(c);
}

void kdx_symcache_set_log(kdx_symcache *c, kdx_symcache_log log, void *ud)
{
    c->log = log;
    c->log_ud = ud;
}

void kdx_symcache_set_dir(kdx_symcache *c, const char *dir)
{
    free(c->dir);
    c->dir = dir && *dir && strcmp(dir, "off") != 0 ? kdx_strdup(dir) : NULL;
    c->warned_unwritable = false;
}

const char *kdx_symcache_dir(const kdx_symcache *c)
{
    return c ? c->dir : NULL;
}

static void say(kdx_symcache *c, bool important, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(kdx_symcache *c, bool important, const char *fmt, ...)
{
    if (!c->log)
        return;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->log(c->log_ud, important, msg);
}

/* ---- symbol files ---- */

static uint32_t kind_of(const char *path)
{
    if (kdx_ends_with_i(path, ".json") || kdx_ends_with_i(path, ".json.xz"))
        return SYMIDX_SRC_ISF;
    return kdx_ends_with_i(path, ".sym") ? SYMIDX_SRC_BREAKPAD : SYMIDX_SRC_PDB;
}

kdx_status kdx_symfile_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    memset(id, 0, sizeof *id);
    switch (kind_of(path)) {
    case SYMIDX_SRC_ISF: return kdx_isf_provider_open(path, out, id, err);
    case SYMIDX_SRC_BREAKPAD: return kdx_breakpad_provider_open(path, out, id, err);
    default: return kdx_pdb_provider_open(path, out, id, err);
    }
}

/* Index files mapped and checked once per process, for every later session
 * (kdx triage opens the same symbols for each dump): kept until exit, a few
 * dozen at most. */
#define SHARED_MAX 64

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_status(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Not for a file changed in the last seconds: with coarse file times a
 * change within the same tick would keep its status. */
static bool settled(const struct stat *sb)
{
    return time(NULL) - (sb->st_mtim.tv_sec > sb->st_ctim.tv_sec ? sb->st_mtim.tv_sec : sb->st_ctim.tv_sec) >= 3;
}

/* Symbol files' identities computed in this process: a file whose status
 * (inode, size, modification and change times) has not changed is not read
 * again; kdx triage's workers inherit those their parent computed. */
typedef struct known_source {
    char *path;
    struct stat sb;
    kdx_symidx_source src;
} known_source;

static known_source known[SHARED_MAX];
static size_t nknown;

static bool known_identity(const char *path, kdx_symidx_source *src)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    bool found = false;
    pthread_mutex_lock(&shared_lock);
    for (size_t i = 0; i < nknown && !found; i++)
        if (strcmp(known[i].path, path) == 0 && same_status(&known[i].sb, &sb)) {
            *src = known[i].src;
            found = true;
        }
    pthread_mutex_unlock(&shared_lock);
    return found;
}

static void remember_identity(const char *path, const struct stat *sb, const kdx_symidx_source *src)
{
    if (!settled(sb))
        return;
    pthread_mutex_lock(&shared_lock);
    if (nknown < SHARED_MAX)
        known[nknown++] = (known_source){kdx_strdup(path), *sb, *src};
    pthread_mutex_unlock(&shared_lock);
}

/* Size, modification time and a hash of the first and last 64 KB: enough to
 * notice a replaced file without reading all of a large one. */
static bool source_identity(const kdx_symcache *c, const char *path, kdx_symidx_source *src)
{
    if (known_identity(path, src)) {
        memcpy(src->producer, c->producer, sizeof src->producer);
        return true;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return false;
    }
    uint8_t *buf = kdx_xmalloc(2 * FINGERPRINT_SPAN + 8);
    ssize_t a = pread(fd, buf, FINGERPRINT_SPAN, 0);
    off_t tail = sb.st_size > FINGERPRINT_SPAN ? sb.st_size - FINGERPRINT_SPAN : 0;
    ssize_t b = pread(fd, buf + (a > 0 ? a : 0), FINGERPRINT_SPAN, tail);
    close(fd);
    size_t n = (size_t)(a > 0 ? a : 0) + (size_t)(b > 0 ? b : 0);
    memcpy(buf + n, &sb.st_size, 8);
    *src = (kdx_symidx_source){.kind = kind_of(path), .size = (uint64_t)sb.st_size,
                               .mtime_sec = sb.st_mtim.tv_sec, .mtime_nsec = (uint32_t)sb.st_mtim.tv_nsec,
                               .fingerprint = kdx_symidx_hash(buf, n + 8)};
    memcpy(src->producer, c->producer, sizeof src->producer);
    free(buf);
    if (a >= 0 && b >= 0)
        remember_identity(path, &sb, src);
    return a >= 0 && b >= 0;
}

char *kdx_symcache_index_path(const kdx_symcache *c, const char *path)
{
    if (!c || !c->dir)
        return NULL;
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;
    unsigned long long h = (unsigned long long)kdx_symidx_hash(key, strlen(key));
    char *ip = kdx_asprintf("%s/%s-%016llx.kdxidx", c->dir, kdx_basename(path), h);
    free(real);
    return ip;
}

/* ---- reading ---- */

typedef enum { IDX_OK, IDX_MISSING, IDX_STALE, IDX_OTHER_BUILD, IDX_DAMAGED } idx_state;

static bool same_source(const kdx_symidx_source *a, const kdx_symidx_source *b)
{
    return a->kind == b->kind && a->size == b->size && a->mtime_sec == b->mtime_sec &&
           a->mtime_nsec == b->mtime_nsec && a->fingerprint == b->fingerprint;
}

typedef struct shared_index {
    char *ipath;
    char *source;              /* the symbol file it was opened for (NULL: preloaded) */
    struct stat file;          /* the index file as mapped: a rewrite in place is noticed */
    kdx_symidx_source src;
    const uint8_t *data;
    size_t len;
    kdx_symidx_check reopen;   /* TRUSTED once fully checked, else CHECK_ON_USE */
} shared_index;

static shared_index shared[SHARED_MAX];
static size_t nshared;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static const shared_index *shared_find(const char *ipath, const kdx_symidx_source *now)
{
    struct stat sb;
    if (stat(ipath, &sb) != 0)
        return NULL;
    for (size_t i = 0; i < nshared; i++)
        if (strcmp(shared[i].ipath, ipath) == 0 && same_file(&shared[i].file, &sb) &&
            memcmp(&shared[i].src, now, sizeof *now) == 0)
            return &shared[i];
    return NULL;
}

/* Keeps a checked mapping for the process; false when the table is full. */
static bool shared_add(const char *ipath, const char *source, const struct stat *file,
                       const kdx_symidx_source *now, const uint8_t *data, size_t len)
{
    if (nshared == SHARED_MAX)
        return false;
    shared[nshared++] = (shared_index){kdx_strdup(ipath), source ? kdx_strdup(source) : NULL, *file, *now,
                                       data, len, KDX_SYMIDX_TRUSTED};
    return true;
}

static const uint8_t *map_file(const char *ipath, size_t *len, struct stat *sb)
{
    int fd = open(ipath, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *m = MAP_FAILED;
    if (fstat(fd, sb) == 0 && sb->st_size > 0)
        m = mmap(NULL, (size_t)sb->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    *len = m == MAP_FAILED ? 0 : (size_t)sb->st_size;
    return m == MAP_FAILED ? NULL : m;
}

/* An index file whose checksum was verified (by any kdx process) is noted
 * in a small file beside it with its identity; while the index file keeps
 * that identity (inode, size, modification and change times) the checksum
 * is not computed again: a rewrite, even in place, changes them (files
 * changed in the last seconds are not noted). Its symbol records are
 * checked on every open all the same, its other tables on their first use
 * (KDX_SYMIDX_CHECK_ON_USE). */
static char *verified_note(const struct stat *sb)
{
    return kdx_asprintf("%llu %llu %lld %lld %ld %lld %ld\n", (unsigned long long)sb->st_dev,
                        (unsigned long long)sb->st_ino, (long long)sb->st_size,
                        (long long)sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec,
                        (long long)sb->st_ctim.tv_sec, sb->st_ctim.tv_nsec);
}

static bool verified_before(const char *ipath, const struct stat *sb)
{
    char *okpath = kdx_asprintf("%s.ok", ipath), *want = verified_note(sb);
    char got[160] = "";
    FILE *fp = fopen(okpath, "r");
    bool same = fp && fgets(got, sizeof got, fp) && strcmp(got, want) == 0;
    if (fp)
        fclose(fp);
    free(okpath);
    free(want);
    return same;
}

static void note_verified(const char *ipath, const struct stat *sb)
{
    if (!settled(sb))
        return;
    char *okpath = kdx_asprintf("%s.ok", ipath), *note = verified_note(sb);
    kdx_write_file_atomic(okpath, note, strlen(note), NULL); /* only an optimisation */
    free(okpath);
    free(note);
}

/* Checks a newly mapped index file against the symbol file as it is now
 * and opens it; on success the mapping is the provider's or the process's. */
static idx_state open_mapped(const char *ipath, const char *path, const kdx_symidx_source *now,
                             const uint8_t *m, size_t len, const struct stat *file, kdx_symprov *out,
                             kdx_symfile_id *id, kdx_err *why)
{
    kdx_symidx_source then;
    kdx_status st = kdx_symidx_peek(m, len, ipath, &then, why);
    idx_state state = st != KDX_OK ? (st == KDX_E_UNSUPPORTED ? IDX_OTHER_BUILD : IDX_DAMAGED)
                    : !same_source(&then, now) ? IDX_STALE
                    : memcmp(then.producer, now->producer, sizeof now->producer) != 0 ? IDX_OTHER_BUILD
                                                                                      : IDX_OK;
    if (state != IDX_OK) {
        munmap((void *)m, len);
        return state;
    }
    bool keep = shared_add(ipath, path, file, now, m, len);
    bool verified = verified_before(ipath, file);
    /* Verified before: its tables are checked as they are first used (a warm
     * `x nt!*` reads no type), and so again by later sessions of this process. */
    if (keep && verified)
        shared[nshared - 1].reopen = KDX_SYMIDX_CHECK_ON_USE;
    st = kdx_symidx_open(m, len, keep ? KDX_SYMIDX_BORROWED : KDX_SYMIDX_MAPPED,
                         verified ? KDX_SYMIDX_CHECK_ON_USE : KDX_SYMIDX_CHECK_ALL, ipath, path, out, id, why);
    if (st == KDX_OK && !verified)
        note_verified(ipath, file);
    if (st != KDX_OK && keep) {
        nshared--; /* refused: forget it, and unmap it */
        free(shared[nshared].ipath);
        free(shared[nshared].source);
        munmap((void *)m, len);
    }
    return st == KDX_OK ? IDX_OK : st == KDX_E_UNSUPPORTED ? IDX_OTHER_BUILD : IDX_DAMAGED;
}

/* Opens ipath as path's provider when it is current: from this process's
 * mappings when it was checked before, else mapped and checked. */
static idx_state try_index(const char *ipath, const char *path, const kdx_symidx_source *now,
                           kdx_symprov *out, kdx_symfile_id *id, kdx_err *why)
{
    pthread_mutex_lock(&shared_lock);
    const shared_index *s = shared_find(ipath, now);
    idx_state state;
    if (s) {
        state = kdx_symidx_open(s->data, s->len, KDX_SYMIDX_BORROWED, s->reopen, ipath, path,
                                out, id, why) == KDX_OK ? IDX_OK : IDX_DAMAGED;
    } else {
        size_t len;
        struct stat sb;
        const uint8_t *m = map_file(ipath, &len, &sb);
        state = !m ? (access(ipath, F_OK) == 0 ? IDX_DAMAGED : IDX_MISSING)
                   : open_mapped(ipath, path, now, m, len, &sb, out, id, why);
        if (!m && state == IDX_DAMAGED)
            kdx_err_set(why, KDX_E_IO, "%s: cannot be mapped (empty or unreadable)", ipath);
    }
    pthread_mutex_unlock(&shared_lock);
    return state;
}

/* ---- sharing with forked processes ---- */

char *kdx_symcache_mapped_paths(void)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    pthread_mutex_lock(&shared_lock);
    for (size_t i = 0; i < nshared; i++)
        kdx_sb_printf(&sb, "%s\t%s\n", shared[i].ipath, shared[i].source ? shared[i].source : "");
    pthread_mutex_unlock(&shared_lock);
    return kdx_sb_take(&sb);
}

static bool preload_locked(const char *ipath)
{
    struct stat sb;
    if (stat(ipath, &sb) != 0)
        return false;
    for (size_t i = 0; i < nshared; i++)
        if (strcmp(shared[i].ipath, ipath) == 0 && same_file(&shared[i].file, &sb))
            return true;
    uint8_t producer[16] = {0};
    dl_iterate_phdr(first_object_build_id, producer);
    size_t len;
    const uint8_t *m = map_file(ipath, &len, &sb);
    kdx_symidx_source then;
    kdx_symprov p;
    bool ok = m && kdx_symidx_peek(m, len, ipath, &then, NULL) == KDX_OK &&
              memcmp(then.producer, producer, sizeof producer) == 0 &&
              kdx_symidx_open(m, len, KDX_SYMIDX_BORROWED,
                              verified_before(ipath, &sb) ? KDX_SYMIDX_CHECK_RECORDS : KDX_SYMIDX_CHECK_ALL,
                              ipath, NULL, &p, NULL, NULL) == KDX_OK;
    if (ok)
        p.ops->destroy(p.impl); /* borrowed: the mapping stays */
    /* Kept under the source identity the index records: a session whose
     * symbol file no longer has it does not find it here. */
    if (ok && shared_add(ipath, NULL, &sb, &then, m, len))
        return true;
    if (m)
        munmap((void *)m, len);
    return false;
}

bool kdx_symcache_preload(const char *ipath, const char *source)
{
    pthread_mutex_lock(&shared_lock);
    bool ok = preload_locked(ipath);
    pthread_mutex_unlock(&shared_lock);
    if (ok && source && *source) {
        kdx_symcache c = {0}; /* only its producer is used */
        dl_iterate_phdr(first_object_build_id, c.producer);
        kdx_symidx_source now;
        source_identity(&c, source, &now); /* remembered for the processes forked next */
    }
    return ok;
}

/* ---- writing ---- */

/* Serves prov from the index image data from now on (the same answers,
 * without the parser's lazily built tables); false when it cannot. data is
 * the index provider's either way (kdx_symidx_open takes it over). */
static bool serve_from(kdx_symprov *prov, const uint8_t *data, size_t len, kdx_symidx_memory memory,
                       const char *ipath, const char *path)
{
    kdx_symprov x;
    if (kdx_symidx_open(data, len, memory, KDX_SYMIDX_TRUSTED, ipath, path, &x, NULL, NULL) != KDX_OK)
        return false;
    prov->ops->destroy(prov->impl);
    *prov = x;
    return true;
}

/* Lays prov's index out straight into a temporary file (no copy of it in
 * memory), maps that file and renames it into place. KDX_OK: *m, *len the
 * mapping of what was written; else why (the directory cannot be written,
 * or the index cannot be made). */
static kdx_status write_mapped(kdx_symcache *c, const kdx_symprov *prov, const kdx_symfile_id *id,
                               const kdx_symidx_source *src, const char *ipath, const uint8_t **m,
                               size_t *len, kdx_err *err)
{
    *m = NULL;
    char *tmp;
    FILE *fp = kdx_mkdirs(c->dir, err) == KDX_OK ? kdx_symstore_temp(c->dir, kdx_basename(ipath), &tmp, err)
                                                   : NULL;
    if (!fp)
        return KDX_E_IO;
    kdx_status st = kdx_symidx_write(prov, id, src, fp, len, err);
    if (st == KDX_OK) {
        void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
        *m = p == MAP_FAILED ? NULL : p;
    }
    kdx_status done = kdx_symstore_commit_temp(fp, tmp, ipath, st == KDX_OK && *m, err);
    if (done != KDX_OK && *m) {
        munmap((void *)*m, *len);
        *m = NULL;
    }
    return st != KDX_OK ? st : *m ? done : KDX_E_IO;
}

/* Writes prov's index and serves prov from it from now on, unless that
 * fails; an unwritable directory still serves it, built in memory. */
static void write_index(kdx_symcache *c, kdx_symprov *prov, const kdx_symfile_id *id,
                        const kdx_symidx_source *src, const char *ipath, const char *path)
{
    const uint8_t *m;
    size_t len;
    kdx_err err = {0};
    kdx_status st = write_mapped(c, prov, id, src, ipath, &m, &len, &err);
    if (st == KDX_OK) {
        serve_from(prov, m, len, KDX_SYMIDX_WRITTEN, ipath, path); /* the mapping is its, even refused */
        return;
    }
    if (st == KDX_E_LIMIT) {
        say(c, true, "*** WARNING: no symbol index for %s: %s", ipath, err.msg);
        return;
    }
    if (!c->warned_unwritable) {
        c->warned_unwritable = true;
        say(c, true, "*** WARNING: symbol index not written (%s); symbol files are parsed on every "
                     "run until %s is writable (or set .symindex / KDX_SYMBOL_INDEX)", err.msg, c->dir);
    }
    uint8_t *buf;
    if (kdx_symidx_build(prov, id, src, &buf, &len, NULL) == KDX_OK)
        serve_from(prov, buf, len, KDX_SYMIDX_MALLOCED, ipath, path);
}

static void report(kdx_symcache *c, idx_state state, const char *ipath, const kdx_err *why)
{
    switch (state) {
    case IDX_DAMAGED:
        say(c, true, "*** WARNING: %s; rebuilding it", why->msg);
        break;
    case IDX_STALE:
        say(c, false, "DBGHELP: symbol index %s is out of date (its symbol file changed); rebuilding it", ipath);
        break;
    case IDX_OTHER_BUILD:
        say(c, false, "DBGHELP: symbol index %s was written by another kdx build or version; rebuilding it",
            ipath);
        break;
    default:
        break;
    }
}

kdx_status kdx_symcache_open(kdx_symcache *c, const char *path, kdx_symprov *out,
                             kdx_symfile_id *id, kdx_err *err)
{
    kdx_symfile_id local;
    if (!id)
        id = &local;
    kdx_symidx_source now;
    if (!c || !c->dir || !source_identity(c, path, &now))
        return kdx_symfile_open(path, out, id, err);
    char *ipath = kdx_symcache_index_path(c, path);
    kdx_err why = {0};
    idx_state state = try_index(ipath, path, &now, out, id, &why);
    if (state != IDX_OK) {
        report(c, state, ipath, &why);
        kdx_status st = kdx_symfile_open(path, out, id, err);
        if (st == KDX_OK)
            write_index(c, out, id, &now, ipath, path);
        free(ipath);
        return st;
    }
    free(ipath);
    return KDX_OK;
}

bool kdx_symcache_fresh(kdx_symcache *c, const char *path)
{
    kdx_symidx_source now;
    if (!c || !c->dir || !source_identity(c, path, &now))
        return false;
    char *ipath = kdx_symcache_index_path(c, path);
    kdx_symprov p;
    kdx_symfile_id id;
    bool ok = try_index(ipath, path, &now, &p, &id, NULL) == IDX_OK;
    if (ok)
        p.ops->destroy(p.impl);
    free(ipath);
    return ok;
}
