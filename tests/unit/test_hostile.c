/* Issue 17: a hostile symbol server (tests/hostile_server.c) against the
 * symbol-server client, each case run in a child process bounded in memory,
 * file size and time (tests/bounded.h), which must end by itself, fast,
 * under 512 MB and with nothing left in its cache; names from dumps that
 * would lead out of the cache; long input lines; Ctrl-C. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "dump/kdump_writer.h"
#include "sym/sympath.h"
#include "sym/symsrv.h"
#include "tests/bounded.h"
#include "tests/hostile_server.h"
#include "tests/test.h"

#define KEY "0123456789ABCDEF0123456789ABCDEF1"
#define MB (1024L * 1024L)

/* ---- child scenarios ------------------------------------------------------ */

static void print_req(FILE *out, const kdx_symsrv_req *r)
{
    fprintf(out, "status=%s\nmsg=%s\npath=%s\nredirect=%s\n", kdx_status_name(r->status),
            r->msg, r->path ? r->path : "", r->redirect ? r->redirect : "");
}

/* URL CACHE NAME KEY [COUNT]: one file, or COUNT files 0NAME, 1NAME... at once. */
CHILD_SCENARIO(hostile_fetch)
{
    if (argc < 4)
        return;
    size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 1;
    kdx_symsrv_req *r = kdx_xcalloc(n, sizeof *r);
    char **names = kdx_xcalloc(n, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        names[i] = n == 1 ? kdx_strdup(argv[2]) : kdx_asprintf("%zu%s", i, argv[2]);
        r[i] = (kdx_symsrv_req){.server = argv[0], .store = argv[1], .name = names[i],
                                .key = argv[3]};
    }
    kdx_symsrv_fetch(r, n);
    if (n == 1)
        print_req(out, &r[0]);
    size_t ok = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        ok += r[i].status == KDX_OK;
        skipped += strstr(r[i].msg, "skipped: the server failed") != NULL;
        kdx_symsrv_req_free(&r[i]);
        free(names[i]);
    }
    fprintf(out, "ok=%zu\nskipped=%zu\n", ok, skipped);
    free(names);
    free(r);
}

static void log_line(void *ud, const char *line)
{
    fprintf(ud, "log=%s\n", line);
}

/* SYMPATH CACHE NAME KEY: kdx_sympath_find, with its log. */
CHILD_SCENARIO(hostile_find)
{
    if (argc < 4)
        return;
    kdx_sympath *sp = kdx_sympath_parse(argv[0]);
    kdx_symfind_ctx c = {.default_cache = argv[1], .log = log_line, .log_ud = out};
    kdx_symfind f = {.name = argv[2], .key = argv[3]};
    char *path = NULL;
    kdx_err err = {0};
    kdx_status st = kdx_sympath_find(&c, sp, &f, &path, &err);
    fprintf(out, "status=%s\npath=%s\nerr=%s\n", kdx_status_name(st), path ? path : "", err.msg);
    free(path);
    kdx_symfind_ctx_clear(&c);
    kdx_sympath_free(sp);
}

/* ---- checks ---------------------------------------------------------------- */

/* Every hostile case: ended by itself, in time, under 512 MB, and nothing
 * of it left in the cache (no temporary file, no empty directory). */
static void check_bounded(kdx_test_ctx *t, const char *what, const kdx_bounded *res,
                          double max_seconds, const char *cache)
{
    printf("    %s: %.1f s, peak %ld MB\n", what, res->seconds, res->max_rss_kb / 1024);
    if (res->timed_out || res->exit_code != 0)
        printf("    child output: %.600s\n", res->output ? res->output : "");
    CHECK(!res->timed_out);
    CHECK_EQ(res->signal, 0);
    CHECK_EQ(res->exit_code, 0);
    CHECK(res->seconds < max_seconds);
    CHECK(res->max_rss_kb < 512 * 1024);
    if (cache) {
        kdx_tree_stats st = kdx_tree_of(cache);
        CHECK_EQ(st.tmp_files, 0);
        CHECK_EQ(st.empty_dirs, 0);
    }
}

static void check_value(kdx_test_ctx *t, const kdx_bounded *res, const char *key,
                        const char *needle)
{
    char *v = kdx_bounded_value(res, key);
    CHECK_CONTAINS(v, needle);
    free(v);
}

/* Runs hostile_fetch (or hostile_find with sympath) against a server in mode o. */
typedef struct hostile_run {
    kdx_hostile_server *srv;
    char *cache;
    kdx_bounded res;
} hostile_run;

static bool run_fetch(hostile_run *h, const kdx_hostile_opts *o, const char *const *env,
                      const char *name, const char *count)
{
    memset(h, 0, sizeof *h);
    h->srv = kdx_hostile_start(o);
    if (!h->srv)
        return false;
    h->cache = kdx_asprintf("%s/cache", kdx_test_tmpdir());
    const char *args[] = {kdx_hostile_url(h->srv), h->cache, name, KEY, count, NULL};
    kdx_bounds b = {.seconds = 40, .env = env};
    kdx_bounded_scenario("hostile_fetch", args, &b, &h->res);
    return true;
}

static bool run_find(hostile_run *h, const kdx_hostile_opts *o, const char *extra_dirs,
                     const char *name)
{
    memset(h, 0, sizeof *h);
    h->srv = kdx_hostile_start(o);
    if (!h->srv)
        return false;
    h->cache = kdx_asprintf("%s/cache", kdx_test_tmpdir());
    char *sp = kdx_asprintf("srv*%s*%s%s%s", h->cache, kdx_hostile_url(h->srv),
                            extra_dirs ? ";" : "", extra_dirs ? extra_dirs : "");
    const char *args[] = {sp, h->cache, name, KEY, NULL};
    kdx_bounds b = {.seconds = 40};
    kdx_bounded_scenario("hostile_find", args, &b, &h->res);
    free(sp);
    return true;
}

static void run_done(hostile_run *h)
{
    kdx_hostile_stop(h->srv);
    kdx_bounded_free(&h->res);
    free(h->cache);
}

/* One file fetched from a hostile server: what must come of it. */
typedef struct fetch_case {
    const char *what;
    kdx_hostile_opts srv;
    const char *env[3];
    double min_seconds, max_seconds;
    const char *status, *msg;   /* expected in the result (NULL: not checked) */
} fetch_case;

static void expect_fetch(kdx_test_ctx *t, const fetch_case *c)
{
    hostile_run h;
    REQUIRE(run_fetch(&h, &c->srv, c->env, "x.pdb", NULL));
    check_bounded(t, c->what, &h.res, c->max_seconds, h.cache);
    CHECK(h.res.seconds >= c->min_seconds);
    if (c->status)
        check_value(t, &h.res, "status", c->status);
    if (c->msg)
        check_value(t, &h.res, "msg", c->msg);
    CHECK_EQ(kdx_tree_of(h.cache).files, 0);
    run_done(&h);
}

/* ---- finding 1: bodies that decode to gigabytes ---------------------------- */

/* name.pd_ as 3 GiB of gzip-encoded zeros (3 MB on the wire): refused at its
 * first bytes, which are not "MSCF" (was: 3 GB written, read into memory). */
TEST(hostile_gzip_bomb_cab_refused_by_signature)
{
    static const fetch_case c = {"gzip bomb as x.pd_", {.mode = KDX_HOSTILE_GZIP_ZEROS, .only = "_"}, {NULL}, 0, 10,
                                "bad format", "not a CAB archive (no MSCF signature); transfer stopped"};
    expect_fetch(t, &c);
}

/* name.pdb as 3 GiB of gzip-encoded MSF signature and zeros: stopped at the
 * size limit, counted on the decoded bytes. */
TEST(hostile_gzip_bomb_pdb_stopped_at_max_size)
{
    static const fetch_case c = {"gzip bomb as x.pdb, 64 MB limit", {.mode = KDX_HOSTILE_GZIP_ZEROS, .only = ".pdb"},
                                {"KDX_SYMBOL_MAX_SIZE=64M"}, 0, 15, "limit reached",
                                "larger than the 67108864-byte limit (KDX_SYMBOL_MAX_SIZE)"};
    expect_fetch(t, &c);
}

/* A CAB of 60,000 MSZIP blocks of zeros declaring 1.97 GB: refused from its
 * declared size (was: 1.94 GB resident, expanded in memory). */
TEST(hostile_cab_bomb_refused_by_declared_size)
{
    static const fetch_case c = {"CAB bomb, 256 MB limit",
                                {.mode = KDX_HOSTILE_CAB_BOMB, .cab_blocks = 60000,
                                 .cab_declared = 60000u * 32768u},
                                {"KDX_SYMBOL_MAX_SIZE=256M"}, 0, 15, "limit reached",
                                "declares 1966080000 bytes (limit 268435456)"};
    expect_fetch(t, &c);
}

static long file_size(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* 128 MiB expanded from a CAB stream to disk: the memory stays far below
 * the file's size (was: the whole output in memory). And a CAB whose blocks
 * hold more than its file declares yields only what it declares. */
TEST(hostile_cab_expands_as_a_stream_within_its_declared_size)
{
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_CAB_BOMB, .cab_blocks = 4096,
                          .cab_declared = 4096u * 32768u};
    hostile_run h;
    REQUIRE(run_fetch(&h, &o, NULL, "x.pdb", NULL));
    check_bounded(t, "CAB of 128 MiB", &h.res, 30, h.cache);
    check_value(t, &h.res, "status", "ok");
    char *path = kdx_bounded_value(&h.res, "path");
    CHECK_EQ(file_size(path), 128 * MB);
    CHECK(h.res.max_rss_kb < 96 * 1024);
    if (path)
        unlink(path);
    free(path);
    run_done(&h);
    o.cab_declared = 1 << 20;
    REQUIRE(run_fetch(&h, &o, NULL, "x.pdb", NULL));
    check_bounded(t, "CAB declaring 1 MiB of 128", &h.res, 30, h.cache);
    path = kdx_bounded_value(&h.res, "path");
    CHECK_EQ(file_size(path), 1 * MB);
    free(path);
    run_done(&h);
}

/* ---- finding 2: time, rate and size ------------------------------------------ */

/* Content-Length: 100000000, then a byte a second (was: held forever). */
TEST(hostile_drip_stopped_by_minimum_rate)
{
    static const fetch_case c = {"one byte a second", {.mode = KDX_HOSTILE_DRIP}, {"KDX_SYMBOL_MIN_RATE=1000/2"}, 0, 10,
                                "network error", "(limits: KDX_SYMBOL_TIMEOUT, KDX_SYMBOL_MIN_RATE)"};
    expect_fetch(t, &c);
}

/* Fast enough for the rate, but never done: the overall timeout ends it. */
TEST(hostile_steady_stream_stopped_by_timeout)
{
    static const fetch_case c = {"8 KiB/s, 3 s timeout", {.mode = KDX_HOSTILE_STEADY},
                                {"KDX_SYMBOL_TIMEOUT=3", "KDX_SYMBOL_MIN_RATE=1000/2"}, 2.5, 10,
                                "network error", "timed out"};
    expect_fetch(t, &c);
}

/* Headers, then silence, for 40 files: the first failure marks the server
 * dead and every pending request is skipped at once (was: 60 s per batch of 8). */
TEST(hostile_silent_server_skipped_by_pending_requests)
{
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_SILENT};
    const char *env[] = {"KDX_SYMBOL_MIN_RATE=1000/2", NULL};
    hostile_run h;
    REQUIRE(run_fetch(&h, &o, env, "x.sys", "40"));
    check_bounded(t, "silent server, 40 files", &h.res, 10, h.cache);
    check_value(t, &h.res, "ok", "0");
    char *skipped = kdx_bounded_value(&h.res, "skipped");
    CHECK(skipped && atoi(skipped) >= 30);
    CHECK(kdx_hostile_request_count(h.srv) <= 10);
    free(skipped);
    run_done(&h);
}

/* A body without end stops at the size limit (was: 2.1 GB in 6 s, until the disk is full). */
TEST(hostile_endless_body_stopped_at_max_size)
{
    static const fetch_case c = {"endless body, 32 MB limit", {.mode = KDX_HOSTILE_ENDLESS},
                                {"KDX_SYMBOL_MAX_SIZE=32M"}, 0, 10, "limit reached",
                                "larger than the 33554432-byte limit"};
    expect_fetch(t, &c);
}

/* Content-Length: 10000000000 is refused before any byte is stored. */
TEST(hostile_announced_size_past_the_limit)
{
    static const fetch_case c = {"Content-Length 10 GB", {.mode = KDX_HOSTILE_LYING_LENGTH}, {NULL}, 0, 10,
                                "limit reached", NULL};
    expect_fetch(t, &c);
}

/* Redirects go to http and https only. */
TEST(hostile_redirect_to_other_protocols_refused)
{
    static const fetch_case cases[] = {
        {"302 to ftp://", {.mode = KDX_HOSTILE_REDIRECT, .text = "ftp://127.0.0.1:9/x.pdb"},
         {NULL}, 0, 10, "network error", "ftp"},
        {"302 to file://", {.mode = KDX_HOSTILE_REDIRECT, .text = "file:///etc/passwd"},
         {NULL}, 0, 10, "network error", "file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_fetch(t, &cases[i]);
}

/* ---- finding 3: file.ptr never chooses a local file ----------------------- */

static const char *not_followed = "which is not inside a local directory of the symbol path";

/* PATH:/dev/zero (was: 17.7 GB resident in 60 s) and PATH:/etc/passwd (was
 * copied into the cache): not inside a store of the symbol path. */
TEST(hostile_file_ptr_outside_the_stores_not_followed)
{
    const char *targets[] = {"PATH:/dev/zero", "PATH:\\etc\\passwd"};
    for (int i = 0; i < 2; i++) {
        kdx_hostile_opts o = {.mode = KDX_HOSTILE_FILE_PTR, .text = targets[i]};
        hostile_run h;
        REQUIRE(run_find(&h, &o, NULL, "x.pdb"));
        check_bounded(t, targets[i], &h.res, 10, h.cache);
        check_value(t, &h.res, "status", "not found");
        CHECK_CONTAINS(h.res.output, not_followed);
        CHECK_EQ(kdx_tree_of(h.cache).files, 0);
        run_done(&h);
    }
}

/* Inside a store of the path, a FIFO is refused at once (was: hung forever)
 * and a regular file is copied into the cache. */
TEST(hostile_file_ptr_inside_a_store)
{
    char *store = kdx_asprintf("%s/share", kdx_test_tmpdir());
    char *dir = kdx_asprintf("%s/x.pdb/%s", store, KEY);
    REQUIRE(kdx_mkdirs(dir, NULL) == KDX_OK);
    char *fifo = kdx_asprintf("%s/fifo.pdb", dir), *file = kdx_asprintf("%s/x.pdb", dir);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    REQUIRE(kdx_write_file_atomic(file, "a symbol file\n", 14, NULL) == KDX_OK);
    char *ptr = kdx_asprintf("PATH:%s", fifo);
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_FILE_PTR, .text = ptr};
    hostile_run h;
    REQUIRE(run_find(&h, &o, store, "x.pdb"));
    check_bounded(t, "PATH: to a FIFO", &h.res, 10, h.cache);
    CHECK_CONTAINS(h.res.output, "is not a regular file; not read");
    run_done(&h);
    free(ptr);
    /* The FIFO gone, the store still finds the file by itself: ask for
     * another name whose file.ptr leads to it. */
    ptr = kdx_asprintf("PATH:%s", file);
    o.text = ptr;
    REQUIRE(run_find(&h, &o, store, "y.pdb"));
    check_bounded(t, "PATH: into a store", &h.res, 10, h.cache);
    check_value(t, &h.res, "status", "ok");
    char *path = kdx_bounded_value(&h.res, "path");
    CHECK_CONTAINS(path, "/cache/y.pdb/" KEY "/y.pdb");
    CHECK_EQ(file_size(path), 14);
    free(path);
    run_done(&h);
    free(ptr);
    free(fifo);
    free(file);
    free(dir);
    free(store);
}

/* ---- finding 6: names from dumps ------------------------------------------ */

/* "..", ".", "", separators and control characters are refused before any
 * directory or request is made (was: mkdir("CACHE/../KEY") and GET /). */
TEST(hostile_names_that_leave_the_cache_refused)
{
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_NOT_FOUND};
    kdx_hostile_server *srv = kdx_hostile_start(&o);
    REQUIRE(srv);
    const char *tmp = kdx_test_tmpdir();
    char *cache = kdx_asprintf("%s/cache", tmp);
    char *text = kdx_asprintf("srv*%s*%s", cache, kdx_hostile_url(srv));
    kdx_sympath *sp = kdx_sympath_parse(text);
    const char *names[] = {"..", ".", "", "a/b.pdb", "a\\b.pdb", "x\001.pdb"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        kdx_symfind_ctx c = {.default_cache = cache};
        kdx_symfind f = {.name = names[i], .key = KEY};
        char *path = NULL;
        kdx_err err = {0};
        CHECK(kdx_sympath_find(&c, sp, &f, &path, &err) == KDX_E_NOT_FOUND);
        CHECK_CONTAINS(err.msg, "refusing to look up");
        kdx_symfind_ctx_clear(&c);
        /* The client refuses them by itself too. */
        kdx_symsrv_req r = {.server = kdx_hostile_url(srv), .store = cache, .name = names[i],
                            .key = KEY};
        kdx_symsrv_fetch(&r, 1);
        CHECK(r.status == KDX_E_ARG);
        kdx_symsrv_req_free(&r);
    }
    kdx_symsrv_req r = {.server = kdx_hostile_url(srv), .store = cache, .name = "x.pdb",
                        .key = ".."};
    kdx_symsrv_fetch(&r, 1);
    CHECK(r.status == KDX_E_ARG);
    CHECK_EQ(kdx_hostile_request_count(srv), 0);
    /* Nothing was made beside the cache, nor left inside it. */
    char *key_dir = kdx_asprintf("%s/%s", tmp, KEY);
    struct stat st;
    CHECK(stat(key_dir, &st) != 0);
    CHECK_EQ(kdx_tree_of(tmp).empty_dirs, 0);
    free(key_dir);
    kdx_sympath_free(sp);
    free(text);
    free(cache);
    kdx_hostile_stop(srv);
}

/* Names are URL-escaped: '?' and '#' stay in the path. */
TEST(hostile_names_escaped_in_urls)
{
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_NOT_FOUND};
    kdx_hostile_server *srv = kdx_hostile_start(&o);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/cache", kdx_test_tmpdir());
    kdx_symsrv_req r = {.server = kdx_hostile_url(srv), .store = cache, .name = "a?b#c d.pdb",
                        .key = KEY};
    kdx_symsrv_fetch(&r, 1);
    CHECK(r.status == KDX_E_NOT_FOUND);
    char *seen = kdx_hostile_requests(srv);
    CHECK_CONTAINS(seen, "/a%3Fb%23c%20d.pdb/" KEY "/a%3Fb%23c%20d.pdb\n");
    CHECK_CONTAINS(seen, "/a%3Fb%23c%20d.pdb/" KEY "/file.ptr\n");
    CHECK_EQ(kdx_tree_of(cache).empty_dirs, 0);
    free(seen);
    kdx_symsrv_req_free(&r);
    free(cache);
    kdx_hostile_stop(srv);
}

/* ---- findings 7 and 8: the CLI ---------------------------------------------- */

static const char *kdx_bin(void)
{
    const char *bin = getenv("KDX_BIN");
    return bin && *bin ? bin : NULL;
}

/* A line longer than 8 KB is one command (was: split at 8,192 bytes, the
 * rest run as a second command). */
TEST(hostile_long_input_line_is_one_command)
{
    const char *bin = kdx_bin();
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    kdx_strbuf line;
    kdx_sb_init(&line);
    kdx_sb_puts(&line, ".echo ");
    for (int i = 0; i < 8185; i++)
        kdx_sb_putc(&line, 'A');
    kdx_sb_puts(&line, "db 0 L10\nq\n");
    char *argv[] = {(char *)bin, (char *)"-c", (char *)".echo start", NULL};
    kdx_step steps[] = {{.send = line.s}};
    kdx_bounds b = {.seconds = 20, .steps = steps, .nsteps = 1, .close_input = true};
    kdx_bounded res;
    kdx_bounded_exec(argv, &b, &res);
    CHECK_EQ(res.exit_code, 0);
    CHECK_CONTAINS(res.output, "AAAAdb 0 L10\n");
    CHECK(!strstr(res.output, "No target is open"));
    kdx_bounded_free(&res);
    kdx_sb_free(&line);
}

static char *sample_dump(void)
{
    char *path = kdx_asprintf("%s/sample.dmp", kdx_test_tmpdir());
    if (kdx_kdw_sample_apc_exit(KDX_KDW_COMPLETE, path, NULL) != KDX_OK) {
        free(path);
        return NULL;
    }
    return path;
}

/* Batch mode: Ctrl-C stops `db 0 L?ffffffffffffffff` (was: ?? lines without
 * end) and a script loop, skips the rest of the line and exits with status 130. */
TEST(hostile_sigint_stops_a_batch_run)
{
    const char *bin = kdx_bin();
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    char *dump = sample_dump();
    REQUIRE(dump);
    char *argv[] = {(char *)bin, (char *)"-z", dump, (char *)"-c",
                    (char *)"db 0 L?ffffffffffffffff; .echo after", NULL};
    kdx_step steps[] = {{.wait = "?? ?? ??", .interrupt = true}};
    kdx_bounds b = {.seconds = 20, .steps = steps, .nsteps = 1};
    kdx_bounded res;
    kdx_bounded_exec(argv, &b, &res);
    CHECK(!res.timed_out);
    CHECK_EQ(res.exit_code, 130);
    CHECK_CONTAINS(res.output, "*** Interrupted (Ctrl-C): the command stopped");
    CHECK_CONTAINS(res.output, "kdx: interrupted (SIGINT); exit status 130");
    CHECK(!strstr(res.output, "\nafter"));
    kdx_bounded_free(&res);
    /* A script loop without end stops too. */
    argv[4] = (char *)".while (1) { .echo tick }; .echo after";
    steps[0].wait = "tick\ntick\n";
    kdx_bounded_exec(argv, &b, &res);
    CHECK(!res.timed_out);
    CHECK_EQ(res.exit_code, 130);
    CHECK_CONTAINS(res.output, "*** Interrupted (Ctrl-C): the command stopped");
    CHECK(!strstr(res.output, "\nafter"));
    kdx_bounded_free(&res);
    free(dump);
}

/* Ctrl-C during `.reload /f` against a silent server: the downloads stop
 * at once and leave no temporary file in the cache (was: .name.pid.ptr.tmp). */
TEST(hostile_sigint_during_downloads_leaves_no_temporary_files)
{
    const char *bin = kdx_bin();
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    char *dump = sample_dump();
    REQUIRE(dump);
    kdx_hostile_opts o = {.mode = KDX_HOSTILE_SILENT};
    kdx_hostile_server *srv = kdx_hostile_start(&o);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/cache", kdx_test_tmpdir());
    char *sp = kdx_asprintf("srv*%s*%s", cache, kdx_hostile_url(srv));
    char *argv[] = {(char *)bin, (char *)"-z", dump, (char *)"-y", sp, (char *)"-c",
                    (char *)".reload /f", NULL};
    kdx_step steps[] = {{.delay_ms = 3000, .interrupt = true}};
    kdx_bounds b = {.seconds = 30, .steps = steps, .nsteps = 1};
    kdx_bounded res;
    kdx_bounded_exec(argv, &b, &res);
    CHECK(kdx_hostile_request_count(srv) > 0);
    CHECK(!res.timed_out);
    CHECK_EQ(res.exit_code, 130);
    CHECK(res.seconds < 10);
    CHECK_EQ(kdx_tree_of(cache).tmp_files, 0);
    CHECK_EQ(kdx_tree_of(cache).empty_dirs, 0);
    kdx_bounded_free(&res);
    kdx_hostile_stop(srv);
    free(sp);
    free(cache);
    free(dump);
}

/* At a terminal, Ctrl-C stops the command and the prompt comes back; at the
 * prompt it discards the line being typed (was: Ctrl-C ended kdx). */
TEST(hostile_sigint_returns_to_the_terminal_prompt)
{
    const char *bin = kdx_bin();
    if (!bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    char *dump = sample_dump();
    REQUIRE(dump);
    char *home = kdx_asprintf("HOME=%s", kdx_test_tmpdir());
    const char *env[] = {home, "TERM=dumb", NULL};
    char *argv[] = {(char *)bin, (char *)"-z", dump, NULL};
    kdx_step steps[] = {
        {.wait = "kd> ", .send = "db 0 L?ffffffffffffffff\r"},
        {.wait = "?? ?? ??", .interrupt = true},
        {.wait = "kd> ", .send = "? 1+1\r"},
        {.wait = "Evaluate expression: 2 ", .delay_ms = 200, .send = "? 5"},
        {.delay_ms = 200, .interrupt = true},
        {.wait = "? 5\r\n0: kd> ", .send = "? 3+3\r"},
        {.wait = "Evaluate expression: 6 ", .send = "q\r"},
    };
    kdx_bounds b = {.seconds = 30, .pty = true, .env = env, .steps = steps,
                    .nsteps = sizeof steps / sizeof *steps};
    kdx_bounded res;
    kdx_bounded_exec(argv, &b, &res);
    if (res.timed_out)
        printf("    terminal output (start): %.300s\n", res.output);
    CHECK(!res.timed_out);
    CHECK_EQ(res.exit_code, 0);
    CHECK_CONTAINS(res.output, "*** Interrupted (Ctrl-C): the command stopped");
    CHECK_CONTAINS(res.output, "Evaluate expression: 6 ");
    /* "? 5" was discarded by Ctrl-C at the prompt, never evaluated. */
    CHECK(!strstr(res.output, "Evaluate expression: 5 "));
    kdx_bounded_free(&res);
    free(home);
    free(dump);
}
