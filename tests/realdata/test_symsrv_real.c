/* The symbol-server client for real: ../shared/testdata/symstore served over
 * HTTP on 127.0.0.1 by a small server thread in this test, downloads into a
 * temporary cache (plain and CAB-compressed files), and a stopped server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"
#include "sym/sympath.h"
#include "sym/symsrv.h"
#include "tests/bounded.h"
#include "tests/realdata/http_server.h"
#include "tests/test.h"

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static bool has_msf_header(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char head[24] = {0};
    bool ok = fp && fread(head, 1, sizeof head, fp) == sizeof head &&
              memcmp(head, "Microsoft C/C++ MSF 7.00", 24) == 0;
    if (fp)
        fclose(fp);
    return ok;
}

TEST(symsrv_real_cab_expand_basic32)
{
    TESTDATA(cab, "symstore/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pd_");
    char *out = kdx_asprintf("%s/basic32.pdb", kdx_test_tmpdir());
    kdx_err err = {0};
    CHECK_OK(kdx_cab_expand(cab, out, 0, &err));
    CHECK(has_msf_header(out));
    /* 6.59 MB once expanded. */
    CHECK(file_size(out) > 6500000 && file_size(out) < 6700000);
    free(out);
}

TEST(symsrv_real_cab_truncated_is_an_error)
{
    TESTDATA(cab, "symstore/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pd_");
    uint8_t *buf;
    size_t len;
    kdx_err err = {0};
    REQUIRE(kdx_read_all(cab, &buf, &len, &err) == KDX_OK);
    void *out = NULL;
    size_t out_len;
    CHECK(kdx_cab_expand_buffer(buf, len / 2, 0, &out, &out_len, &err) != KDX_OK);
    CHECK(err.msg[0] != '\0');
    free(out);
    free(buf);
}

TEST(symsrv_real_http_download_plain_and_compressed)
{
    TESTDATA(store, "symstore");
    kdx_http_server *srv = kdx_http_server_start(store);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/httpcache", kdx_test_tmpdir());
    char *url = kdx_asprintf("http://127.0.0.1:%d/", kdx_http_server_port(srv));
    kdx_symsrv_req r[3] = {
        {.server = url, .store = cache, .name = "amdppm.pdb",
         .key = "1C19FDDB27BB3399D9B45973EFEAFCF31"},
        {.server = url, .store = cache, .name = "basic32.pdb",
         .key = "34060D222DBB44E5AA72243CE8326C2F2"},
        {.server = url, .store = cache, .name = "nosuch.pdb", .key = "00000000000000000000000000000000"}};
    kdx_symsrv_fetch(r, 3);
    CHECK_OK(r[0].status);
    CHECK(r[0].path && has_msf_header(r[0].path));
    CHECK_CONTAINS(r[0].path, "/httpcache/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    CHECK_OK(r[1].status);
    if (r[1].status != KDX_OK)
        fprintf(stderr, "%s\n", r[1].msg);
    CHECK(r[1].path && has_msf_header(r[1].path));
    CHECK(r[1].path && file_size(r[1].path) > 6500000);
    CHECK(r[2].status == KDX_E_NOT_FOUND);
    CHECK_CONTAINS(r[2].msg, "nosuch.pdb");
    /* No temporary files are left behind in the cache. */
    char *cmd = kdx_asprintf("find '%s' -name '*.tmp*' | wc -l", cache);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    CHECK_EQ(n, 0);
    free(cmd);
    for (int i = 0; i < 3; i++)
        kdx_symsrv_req_free(&r[i]);
    /* Through the symbol path: the image by TIMESTAMPSIZE key. */
    char *text = kdx_asprintf("srv*%s*%s", cache, url);
    kdx_sympath *sp = kdx_sympath_parse(text);
    kdx_symfind_ctx c = {.default_cache = cache};
    kdx_symfind f = {.name = "amdppm.sys", .key = "c9c030003b000"};
    char *path = NULL;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK_CONTAINS(path, "/httpcache/amdppm.sys/c9c030003b000/amdppm.sys");
    free(path);
    kdx_http_server_stop(srv);
    /* Stopped server: a clear error quickly, and the server is not asked again. */
    time_t t0 = time(NULL);
    kdx_symfind g = {.name = "Wdf01000.sys", .key = "a9a9d36ed1000"};
    kdx_err err = {0};
    CHECK(kdx_sympath_find(&c, sp, &g, &path, &err) == KDX_E_NOT_FOUND);
    CHECK(c.ndead == 1);
    CHECK(time(NULL) - t0 < 10);
    kdx_symfind_ctx_clear(&c);
    kdx_sympath_free(sp);
    free(text);
    free(url);
    free(cache);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

/* file.ptr redirects: "PATH:" to a file inside a store of the symbol path is
 * followed (copied into the cache), "MSG:" is reported. */
TEST(symsrv_real_file_ptr_redirects)
{
    TESTDATA(pdb, "symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    const char *tmp = kdx_test_tmpdir();
    char *root = kdx_asprintf("%s/ptrstore", tmp);
    char *d1 = kdx_asprintf("%s/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31", root);
    char *d2 = kdx_asprintf("%s/gone.pdb/ABC1", root);
    REQUIRE(kdx_mkdirs(d1, NULL) == KDX_OK && kdx_mkdirs(d2, NULL) == KDX_OK);
    char *ptr1 = kdx_asprintf("%s/file.ptr", d1), *ptr2 = kdx_asprintf("%s/file.ptr", d2);
    char *text = kdx_asprintf("PATH:%s", pdb);
    write_text(ptr1, text);
    write_text(ptr2, "MSG: this file was removed from the store");
    kdx_http_server *srv = kdx_http_server_start(root);
    REQUIRE(srv);
    char *url = kdx_asprintf("http://127.0.0.1:%d", kdx_http_server_port(srv));
    char *cache = kdx_asprintf("%s/ptrcache", tmp);
    kdx_symsrv_req r[2] = {
        {.server = url, .store = cache, .name = "amdppm.pdb", .key = "1C19FDDB27BB3399D9B45973EFEAFCF31"},
        {.server = url, .store = cache, .name = "gone.pdb", .key = "ABC1"}};
    kdx_symsrv_fetch(r, 2);
    /* The client hands the redirect over; it reads no local file itself. */
    CHECK(r[0].status == KDX_E_NOT_FOUND && !r[0].path);
    CHECK_STR(r[0].redirect, pdb);
    CHECK(r[1].status == KDX_E_NOT_FOUND);
    CHECK_CONTAINS(r[1].msg, "this file was removed from the store");
    kdx_symsrv_req_free(&r[0]);
    kdx_symsrv_req_free(&r[1]);
    /* Through the symbol path, the redirect is followed into a store the
     * path names (the share holding the PDB, listed after the server). */
    char *share = kdx_strdup(pdb);
    for (int up = 0; up < 3; up++)
        *strrchr(share, '/') = '\0';
    char *via = kdx_asprintf("srv*%s/viacache*%s;%s", tmp, url, share);
    kdx_sympath *vsp = kdx_sympath_parse(via);
    kdx_symfind_ctx vc = {.default_cache = cache};
    kdx_symfind vf = {.name = "amdppm.pdb", .key = "1C19FDDB27BB3399D9B45973EFEAFCF31"};
    char *vpath = NULL;
    CHECK_OK(kdx_sympath_find(&vc, vsp, &vf, &vpath, NULL));
    CHECK_CONTAINS(vpath, "/viacache/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    CHECK(vpath && has_msf_header(vpath));
    free(vpath);
    kdx_symfind_ctx_clear(&vc);
    kdx_sympath_free(vsp);
    free(via);
    free(share);
    kdx_http_server_stop(srv);
    /* The same store used as a local tier. */
    char *sp_text = kdx_asprintf("srv*%s/localcache*%s", tmp, root);
    kdx_sympath *sp = kdx_sympath_parse(sp_text);
    kdx_symfind_ctx c = {.default_cache = cache, .offline = true};
    kdx_symfind f = {.name = "amdppm.pdb", .key = "1C19FDDB27BB3399D9B45973EFEAFCF31"};
    char *path = NULL;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK(path && has_msf_header(path));
    CHECK_CONTAINS(path, "/localcache/amdppm.pdb/");
    free(path);
    kdx_sympath_free(sp);
    free(sp_text);
    free(url);
    free(cache);
    free(text);
    free(ptr1);
    free(ptr2);
    free(d1);
    free(d2);
    free(root);
}

static bool accept_msf(void *ud, const char *path, char *why, size_t n)
{
    (void)ud;
    if (has_msf_header(path))
        return true;
    snprintf(why, n, "not a PDB");
    return false;
}

/* A server answering 200 with something else (an error page) leaves nothing in the cache,
 * not even empty directories. */
TEST(symsrv_real_rejected_download_is_not_cached)
{
    const char *tmp = kdx_test_tmpdir();
    char *root = kdx_asprintf("%s/badstore", tmp);
    char *dir = kdx_asprintf("%s/x.pdb/KEY1", root);
    REQUIRE(kdx_mkdirs(dir, NULL) == KDX_OK);
    char *file = kdx_asprintf("%s/x.pdb", dir);
    write_text(file, "<html>proxy error</html>");
    kdx_http_server *srv = kdx_http_server_start(root);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/badcache", tmp);
    char *text = kdx_asprintf("srv*%s*http://127.0.0.1:%d/", cache, kdx_http_server_port(srv));
    kdx_sympath *sp = kdx_sympath_parse(text);
    kdx_symfind_ctx c = {.default_cache = cache};
    kdx_symfind f = {.name = "x.pdb", .key = "KEY1", .accept = accept_msf};
    char *path = NULL;
    CHECK(kdx_sympath_find(&c, sp, &f, &path, NULL) == KDX_E_NOT_FOUND);
    char *cached = kdx_asprintf("%s/x.pdb/KEY1/x.pdb", cache);
    struct stat st;
    CHECK(stat(cached, &st) != 0);
    /* Nor the empty x.pdb/KEY1 directories it was stored in (issue 17). */
    CHECK_EQ(kdx_tree_of(cache).empty_dirs, 0);
    kdx_http_server_stop(srv);
    kdx_symfind_ctx_clear(&c);
    kdx_sympath_free(sp);
    free(cached);
    free(text);
    free(cache);
    free(file);
    free(dir);
    free(root);
}

/* Proxies come from the environment: a server name that does not resolve is
 * reached through http_proxy (the test server playing the proxy). */
TEST(symsrv_real_proxy_from_environment)
{
    TESTDATA(store, "symstore");
    kdx_http_server *srv = kdx_http_server_start(store);
    REQUIRE(srv);
    const char *names[] = {"http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"};
    char *saved[6];
    for (int i = 0; i < 6; i++) {
        const char *v = getenv(names[i]);
        saved[i] = v ? kdx_strdup(v) : NULL;
        unsetenv(names[i]);
    }
    char *proxy = kdx_asprintf("http://127.0.0.1:%d", kdx_http_server_port(srv));
    setenv("http_proxy", proxy, 1);
    char *cache = kdx_asprintf("%s/proxycache", kdx_test_tmpdir());
    kdx_symsrv_req r = {.server = "http://symbols.invalid/", .store = cache,
                        .name = "amdppm.pdb", .key = "1C19FDDB27BB3399D9B45973EFEAFCF31"};
    kdx_symsrv_fetch(&r, 1);
    CHECK_OK(r.status);
    CHECK(r.path && has_msf_header(r.path));
    CHECK(kdx_http_server_proxied(srv) >= 1);
    kdx_symsrv_req_free(&r);
    unsetenv("http_proxy");
    for (int i = 0; i < 6; i++) {
        if (saved[i])
            setenv(names[i], saved[i], 1);
        free(saved[i]);
    }
    kdx_http_server_stop(srv);
    free(proxy);
    free(cache);
}
