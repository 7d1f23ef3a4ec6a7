/* The symbol index cache's life cycle on a small ISF table written here:
 * written on first load, mapped on the next, rebuilt when truncated, altered,
 * of another version or out of date, shared safely by concurrent writers,
 * and harmless when its directory cannot be written. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "sym/symcache.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"
#include "tests/test.h"

static const char table[] =
    "{\"metadata\": {\"windows\": {\"pdb\": {\"GUID\": \"0123456789ABCDEF0123456789ABCDEF\", \"age\": 3}}},"
    " \"base_types\": {\"pointer\": {\"kind\": \"int\", \"size\": 8, \"signed\": false},"
    "   \"unsigned short\": {\"kind\": \"int\", \"size\": 2, \"signed\": false}},"
    " \"user_types\": {\"_PAIR\": {\"kind\": \"struct\", \"size\": 16, \"fields\": {"
    "   \"Self\": {\"offset\": 0, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"_PAIR\"}}},"
    "   \"Tag\": {\"offset\": 8, \"type\": {\"kind\": \"base\", \"name\": \"unsigned short\"}}}}},"
    " \"enums\": {},"
    " \"symbols\": {\"PairHead\": {\"address\": 8192}, \"PairInit\": {\"address\": 4096}}}";

typedef struct fixture {
    char *source;   /* the ISF file */
    char *dir;      /* the index directory */
    kdx_symcache *cache;
    KDX_VEC(char *) log;
} fixture;

static void keep_log(void *ud, bool important, const char *msg)
{
    fixture *f = ud;
    char *line = kdx_asprintf("%s%s", important ? "!" : "", msg);
    KDX_VEC_PUSH(f->log, line);
}

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    const char *tmp = kdx_test_tmpdir();
    f->source = kdx_asprintf("%s/pairs.json", tmp);
    f->dir = kdx_asprintf("%s/index", tmp);
    FILE *fp = fopen(f->source, "w");
    fputs(table, fp);
    fclose(fp);
    f->cache = kdx_symcache_new();
    kdx_symcache_set_dir(f->cache, f->dir);
    kdx_symcache_set_log(f->cache, keep_log, f);
}

static void fixture_free(fixture *f)
{
    for (size_t i = 0; i < f->log.len; i++)
        free(f->log.items[i]);
    KDX_VEC_FREE(f->log);
    kdx_symcache_free(f->cache);
    free(f->source);
    free(f->dir);
}

static bool logged(const fixture *f, const char *needle)
{
    for (size_t i = 0; i < f->log.len; i++)
        if (strstr(f->log.items[i], needle))
            return true;
    return false;
}

/* Opens the table through the cache; true when an index file was mapped
 * (after a parse the table is served from the index just built in memory). */
static bool load(kdx_test_ctx *t, fixture *f)
{
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    if (kdx_symcache_open(f->cache, f->source, &p, &id, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "open failed: %s", err.msg);
        return false;
    }
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "pairinit", &s));
    CHECK_EQ(s.rva, 0x1000);
    CHECK_EQ(id.age, 3);
    const kdx_type *pair = p.ops->find_type(p.impl, "_PAIR");
    uint32_t n = 0;
    const kdx_field *fl = pair ? kdx_type_fields(pair, &n) : NULL;
    CHECK(n == 2 && fl[0].type->target == pair && fl[1].type->size == 2);
    bool indexed = kdx_symidx_from_file(&p);
    p.ops->destroy(p.impl);
    return indexed;
}

static char *index_file(const fixture *f)
{
    return kdx_symcache_index_path(f->cache, f->source);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Rewrites byte `at` of the index (or truncates it when at < 0). */
static void damage(const fixture *f, long at, uint8_t value)
{
    char *ip = index_file(f);
    if (at < 0) {
        if (truncate(ip, file_size(ip) / 2) != 0)
            perror("truncate");
    } else {
        int fd = open(ip, O_WRONLY);
        if (fd < 0 || pwrite(fd, &value, 1, at) != 1)
            perror("pwrite");
        if (fd >= 0)
            close(fd);
    }
    free(ip);
}

TEST(symcache_written_then_mapped)
{
    fixture f;
    fixture_init(&f);
    CHECK(!load(t, &f));           /* parsed, index written */
    char *ip = index_file(&f);
    CHECK(file_size(ip) > (long)SYMIDX_HEADER_SIZE);
    free(ip);
    CHECK(kdx_symcache_fresh(f.cache, f.source));
    CHECK(load(t, &f));            /* mapped */
    CHECK_EQ(f.log.len, 0);
    fixture_free(&f);
}

TEST(symcache_damaged_index_detected_and_rebuilt)
{
    fixture f;
    fixture_init(&f);
    load(t, &f);
    char *ip = index_file(&f);
    long size = file_size(ip);
    struct { long at; const char *says; } cases[] = {
        {-1, "bytes, the header says"},   /* truncated */
        {size - 3, "checksum mismatch"},  /* a flipped byte in the data */
        {40, "checksum mismatch"},        /* in the header's source identity */
    };
    for (size_t i = 0; i < KDX_ARRAY_LEN(cases); i++) {
        damage(&f, cases[i].at, 0x5a);
        CHECK(!load(t, &f));       /* refused, parsed again */
        CHECK(logged(&f, cases[i].says));
        CHECK(logged(&f, "; rebuilding it"));
        CHECK(load(t, &f));        /* and the rebuilt index is good */
        CHECK_EQ(file_size(ip), size);
    }
    free(ip);
    fixture_free(&f);
}

TEST(symcache_other_version_or_changed_source_rebuilt_quietly)
{
    fixture f;
    fixture_init(&f);
    load(t, &f);
    damage(&f, 8, SYMIDX_VERSION + 1); /* version field */
    CHECK(!load(t, &f));
    CHECK(logged(&f, "another kdx build or version"));
    CHECK(f.log.items[0][0] != '!');   /* only shown in noisy mode */
    CHECK(load(t, &f));
    FILE *fp = fopen(f.source, "a");    /* the symbol file changes */
    fputs(" ", fp);
    fclose(fp);
    CHECK(!load(t, &f));
    CHECK(logged(&f, "is out of date"));
    CHECK(load(t, &f));
    fixture_free(&f);
}

TEST(symcache_two_writers_at_once)
{
    fixture f;
    fixture_init(&f);
    int go[2];
    REQUIRE(pipe(go) == 0);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            char c;
            if (read(go[0], &c, 1) != 1)
                _exit(3);
            kdx_symprov p;
            kdx_symfile_id id;
            kdx_err err = {0};
            kdx_status st = kdx_symcache_open(f.cache, f.source, &p, &id, &err);
            /* 0: parsed and wrote (the usual race), 2: found the other's index. */
            _exit(st != KDX_OK ? 1 : kdx_symidx_from_file(&p) ? 2 : 0);
        }
    }
    CHECK(write(go[1], "xx", 2) == 2); /* both start together */
    for (int k = 0; k < 2; k++) {
        int status = -1;
        waitpid(kids[k], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 1); /* both succeed */
    }
    close(go[0]);
    close(go[1]);
    char *cmd = kdx_asprintf("test $(ls -A '%s' | grep -c 'kdxidx$') -eq 1 && "
                             "test $(ls -A '%s' | grep -c tmp) -eq 0", f.dir, f.dir);
    CHECK(system(cmd) == 0);           /* one index, no temporary left */
    free(cmd);
    CHECK(load(t, &f));                /* and it is valid */
    CHECK_EQ(f.log.len, 0);
    fixture_free(&f);
}

TEST(symcache_unwritable_directory_still_loads)
{
    fixture f;
    fixture_init(&f);
    /* A directory that cannot be created or written, even by root. */
    kdx_symcache_set_dir(f.cache, "/proc/self/kdx-index");
    CHECK(!load(t, &f));
    CHECK(!load(t, &f));
    CHECK_EQ(f.log.len, 1);            /* said once */
    CHECK(logged(&f, "!*** WARNING: symbol index not written"));
    CHECK(logged(&f, "parsed on every run"));
    kdx_symcache_set_dir(f.cache, "off");
    CHECK(kdx_symcache_dir(f.cache) == NULL);
    CHECK(!load(t, &f));
    CHECK_EQ(f.log.len, 1);
    fixture_free(&f);
}

/* The first record of a section of an index image. */
static void *first_record(uint8_t *buf, uint32_t id, uint32_t index)
{
    const symidx_header *h = (const symidx_header *)buf;
    const symidx_section *tab = (const symidx_section *)(buf + SYMIDX_HEADER_SIZE);
    for (uint32_t i = 0; i < h->nsections; i++)
        if (tab[i].id == id && tab[i].count > index)
            return buf + tab[i].offset + (size_t)index * tab[i].elem_size;
    return NULL;
}

/* The index image at ip with one record damaged, as a fuzzer might: edit 0
 * a symbol's name past the strings, 1-3 the first type (a bit field past
 * 64 bits, a typedef of nothing, a pointer to itself), 4 a symbol class no
 * symbol has, 5 an address answer past the symbols. NULL if unreadable. */
static uint8_t *damaged_image(const char *ip, int edit, size_t *len)
{
    uint8_t *buf;
    if (kdx_read_all(ip, &buf, len, NULL) != KDX_OK)
        return NULL;
    symidx_sym *sym = first_record(buf, SYMIDX_SEC_SYMS, 0);
    symidx_type *ty = first_record(buf, SYMIDX_SEC_TYPES, 0);
    symidx_rva *rv = first_record(buf, SYMIDX_SEC_RVAS, 0);
    if (!sym || !ty || !rv) {
        free(buf);
        return NULL;
    }
    if (edit == 0)
        sym->name = 0x7ffffff0;
    else if (edit == 1)
        *ty = (symidx_type){.kind = KDX_TYPE_BITFIELD, .target = 0, .bit_pos = 70, .bit_len = 1};
    else if (edit == 2)
        *ty = (symidx_type){.kind = KDX_TYPE_TYPEDEF, .target = SYMIDX_NONE};
    else if (edit == 3)
        *ty = (symidx_type){.kind = KDX_TYPE_POINTER, .target = 0};
    else if (edit == 4)
        sym->cls = KDX_SYMF_CODE | KDX_SYMF_DATA;
    else
        rv->sym = 0x7ffffff0;
    return buf;
}

/* kdx_symidx_open of damaged_image(ip, edit) with check, as "x.kdxidx" made from source (or none). */
static kdx_status open_damaged(const char *ip, int edit, kdx_symidx_check check, const char *source,
                               kdx_symprov *p, kdx_err *err)
{
    size_t len;
    uint8_t *buf = damaged_image(ip, edit, &len);
    if (!buf)
        return kdx_err_set(err, KDX_E_IO, "%s: unreadable or without the records to damage", ip);
    return kdx_symidx_open(buf, len, KDX_SYMIDX_MALLOCED, check, "x.kdxidx", source, p, NULL, err);
}

/* KDX_SYMIDX_CHECK_ON_USE (an index verified before) after one damaging
 * edit: a damaged symbol record is still refused on open; a damaged type or
 * address answer is found on that table's first use, and from then on the
 * lookups that need it ask the symbol file (source) instead, so they answer
 * as before; without a symbol file they answer nothing. The symbols (all
 * `x` lists) are served from the index either way. */
static void check_on_use(kdx_test_ctx *t, const char *ip, int edit, const char *source)
{
    kdx_symprov p;
    kdx_err err = {0};
    kdx_status st = open_damaged(ip, edit, KDX_SYMIDX_CHECK_ON_USE, source, &p, &err);
    if (edit == 0 || edit == 4) {
        CHECK_EQ(st, KDX_E_FORMAT);
        CHECK_CONTAINS(err.msg, "x.kdxidx: damaged symbol index: a record is inconsistent");
        return;
    }
    REQUIRE(st == KDX_OK);
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "PairHead", &s));
    CHECK_EQ(s.rva, 0x2000);
    bool types_damaged = edit != 5, answers = source || types_damaged;
    const kdx_type *ty = p.ops->find_type(p.impl, "_PAIR");
    CHECK((ty != NULL) == (source || !types_damaged));
    if (ty)
        CHECK_EQ(ty->size, 16);
    for (int again = 0; again < 2; again++) {
        memset(&s, 0, sizeof s);
        CHECK((p.ops->by_rva(p.impl, 0x1000, &s) == KDX_OK) == answers);
        if (answers)
            CHECK_EQ(s.rva, 0x1000);
    }
    p.ops->destroy(p.impl);
}

/* Damage the checksum does not see (as a fuzzer feeds it): each refused on
 * open when every record is checked then, and as check_on_use says when
 * the tables are checked on first use.
 * The bit-field and typedef cases are fuzz_symindex findings (UBSan: shift of
 * 70 bits; an enum over a typedef of nothing). */
TEST(symcache_index_refuses_bad_references_without_checksum)
{
    fixture f;
    fixture_init(&f);
    load(t, &f);
    char *ip = index_file(&f);
    for (int edit = 0; edit < 6; edit++) {
        kdx_symprov p;
        kdx_err err = {0};
        CHECK_EQ(open_damaged(ip, edit, KDX_SYMIDX_CHECK_RECORDS, NULL, &p, &err), KDX_E_FORMAT);
        CHECK_CONTAINS(err.msg, "x.kdxidx: damaged symbol index: a record is inconsistent");
        check_on_use(t, ip, edit, NULL);
        check_on_use(t, ip, edit, f.source);
    }
    free(ip);
    fixture_free(&f);
}

/* kdx triage: a worker lists the index files it mapped, the parent checks
 * each once, and workers forked afterwards map them from the parent. */
TEST(symcache_preload_shares_checked_indexes_with_children)
{
    fixture f;
    fixture_init(&f);
    load(t, &f);
    CHECK(load(t, &f)); /* mapped: now in this process's table */
    char *ip = index_file(&f), *line = kdx_asprintf("%s\t%s\n", ip, f.source);
    char *listed = kdx_symcache_mapped_paths();
    CHECK(strstr(listed, line) != NULL);
    free(listed);
    free(line);
    CHECK(kdx_symcache_preload(ip, f.source));
    CHECK(kdx_symcache_preload(ip, NULL)); /* once is enough */
    char *missing = kdx_asprintf("%s/none.kdxidx", f.dir), *copy = kdx_asprintf("%s/copy.kdxidx", f.dir);
    CHECK(!kdx_symcache_preload(missing, NULL));
    uint8_t *buf;
    size_t len;
    REQUIRE(kdx_read_all(ip, &buf, &len, NULL) == KDX_OK);
    buf[len - 3] ^= 0x5a;                   /* the checksum sees it */
    FILE *fp = fopen(copy, "wb");
    fwrite(buf, 1, len, fp);
    fclose(fp);
    free(buf);
    CHECK(!kdx_symcache_preload(copy, NULL));
    pid_t pid = fork();
    if (pid == 0) {
        fixture g = f;                      /* a worker's own cache, same directory */
        g.cache = kdx_symcache_new();
        kdx_symcache_set_dir(g.cache, g.dir);
        kdx_symprov p;
        kdx_err err = {0};
        bool ok = kdx_symcache_open(g.cache, g.source, &p, NULL, &err) == KDX_OK && kdx_symidx_from_file(&p);
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* A preloaded index is still compared with its symbol file. */
    fp = fopen(f.source, "a");
    fputs(" ", fp);
    fclose(fp);
    CHECK(!load(t, &f));
    CHECK(logged(&f, "is out of date"));
    free(missing);
    free(copy);
    free(ip);
    fixture_free(&f);
}

/* ---- libraries loaded on first use (base/lazylib.h) ---- */

#include "base/lazylib.h"
#include "disasm/disasm.h"
#include "sym/symsrv.h"

static kdx_lazylib nolib = KDX_LAZYLIB_INIT("libkdx-no-such-library.so.9");
static kdx_lazylib libc = KDX_LAZYLIB_INIT("libc.so.6");

TEST(lazylib_missing_library_says_why)
{
    static const char *const names[] = {"nothing"};
    void (*fn[1])(void) = {0};
    CHECK(!kdx_lazylib_load(&nolib, names, fn, 1));
    CHECK_CONTAINS(kdx_lazylib_why(&nolib), "libkdx-no-such-library.so.9 could not be loaded (");
    CHECK(!kdx_lazylib_load(&nolib, names, fn, 1)); /* tried once, the same answer */
    static const char *const missing[] = {"strlen", "kdx_not_in_libc"};
    void (*fns[2])(void) = {0};
    CHECK(!kdx_lazylib_load(&libc, missing, fns, 2));
    CHECK_CONTAINS(kdx_lazylib_why(&libc), "libc.so.6 has no kdx_not_in_libc");
}

TEST(lazylib_real_libraries_load_when_used)
{
    /* On a machine with the build's packages, both load on first use. */
    CHECK(kdx_curl_unavailable() == NULL);
    CHECK(kdx_disasm_unavailable() == NULL);
    kdx_insn in;
    static const uint8_t ret[] = {0xc3};
    CHECK_OK(kdx_disasm_one(KDX_ARCH_X64, 0x1000, ret, 1, &in));
    CHECK_STR(in.mnemonic, "ret");
}
