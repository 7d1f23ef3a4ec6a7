/* Unit tests for the symbol path: parsing every element form, the expanded
 * form, and local lookups in flat, store and ISF layouts. */
#include <stdlib.h>
#include <sys/stat.h>

#include "base/util.h"
#include "sym/sympath.h"
#include "sym/symsrv.h"
#include "tests/test.h"

TEST(sympath_parse_plain_and_server_elements)
{
    kdx_sympath *sp = kdx_sympath_parse(" /sym/a ; ;srv*/cache*https://msdl.microsoft.com/download/symbols;"
                                        "SRV*http://h/x;srv*;cache*/c;cache*;\"/quoted dir\"");
    REQUIRE(sp->n == 7);
    CHECK(sp->els[0].kind == KDX_SYMEL_DIR);
    CHECK_STR(sp->els[0].tiers[0], "/sym/a");
    CHECK(sp->els[1].kind == KDX_SYMEL_SRV);
    REQUIRE(sp->els[1].ntiers == 2);
    CHECK_STR(sp->els[1].tiers[0], "/cache");
    CHECK_STR(sp->els[1].tiers[1], "https://msdl.microsoft.com/download/symbols");
    /* srv*URL: default cache in front. */
    REQUIRE(sp->els[2].ntiers == 2);
    CHECK(sp->els[2].tiers[0] == NULL);
    CHECK_STR(sp->els[2].tiers[1], "http://h/x");
    /* srv*: Microsoft's server. */
    REQUIRE(sp->els[3].ntiers == 2);
    CHECK(sp->els[3].tiers[0] == NULL);
    CHECK_STR(sp->els[3].tiers[1], KDX_MS_SYMBOL_SERVER);
    CHECK(sp->els[4].kind == KDX_SYMEL_CACHE);
    CHECK_STR(sp->els[4].tiers[0], "/c");
    CHECK(sp->els[5].kind == KDX_SYMEL_CACHE);
    CHECK(sp->els[5].tiers[0] == NULL);
    CHECK_STR(sp->els[6].tiers[0], "/quoted dir");
    kdx_sympath_free(sp);
}

TEST(sympath_parse_quotes_are_stable)
{
    /* Found by fuzzing: quoted blanks must not change meaning when re-parsed. */
    kdx_sympath *sp = kdx_sympath_parse("\"\n\"\n\"\"");
    char *e = kdx_sympath_expand(sp, "/c");
    kdx_sympath *again = kdx_sympath_parse(e);
    CHECK_EQ(sp->n, again->n);
    kdx_sympath_free(again);
    kdx_sympath_free(sp);
    free(e);
    sp = kdx_sympath_parse(" \" /a b \" ");
    REQUIRE(sp->n == 1);
    CHECK_STR(sp->els[0].tiers[0], "/a b");
    kdx_sympath_free(sp);
}

TEST(sympath_parse_symsrv_and_chains)
{
    kdx_sympath *sp = kdx_sympath_parse("symsrv*symsrv.dll*/down*/mid*http://up/;srv**http://x");
    REQUIRE(sp->n == 2);
    CHECK(sp->els[0].kind == KDX_SYMEL_SRV);
    REQUIRE(sp->els[0].ntiers == 3);
    CHECK_STR(sp->els[0].tiers[0], "/down");
    CHECK_STR(sp->els[0].tiers[1], "/mid");
    CHECK_STR(sp->els[0].tiers[2], "http://up/");
    REQUIRE(sp->els[1].ntiers == 2);
    CHECK(sp->els[1].tiers[0] == NULL); /* empty downstream: the default cache */
    char *e = kdx_sympath_expand(sp, "/def");
    CHECK_STR(e, "SRV*/down*/mid*http://up/;SRV*/def*http://x");
    free(e);
    kdx_sympath_free(sp);
    sp = kdx_sympath_parse("");
    CHECK(sp->n == 0);
    e = kdx_sympath_expand(sp, "/def");
    CHECK_STR(e, "");
    free(e);
    kdx_sympath_free(sp);
    sp = kdx_sympath_parse(NULL);
    CHECK(sp->n == 0);
    kdx_sympath_free(sp);
}

static void touch(const char *dir, const char *rel, const char *content)
{
    char *p = kdx_asprintf("%s/%s", dir, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    kdx_mkdirs(p, NULL);
    *slash = '/';
    FILE *fp = fopen(p, "w");
    if (fp) {
        fputs(content, fp);
        fclose(fp);
    }
    free(p);
}

static bool reject_flat(void *ud, const char *path, char *why, size_t n)
{
    (void)ud;
    if (strstr(path, "/KEY1/") || strstr(path, "/key1/"))
        return true;
    snprintf(why, n, "wrong file");
    return false;
}

TEST(sympath_find_local_layouts)
{
    const char *tmp = kdx_test_tmpdir();
    char *flat = kdx_asprintf("%s/flat", tmp), *store = kdx_asprintf("%s/store", tmp),
         *isf = kdx_asprintf("%s/isf", tmp);
    touch(flat, "a.pdb", "flat");
    touch(store, "b.pdb/key1/b.pdb", "store");   /* key case differs from the request */
    touch(isf, "c.pdb/GUID-1.json.xz", "isf");
    touch(store, "a.pdb/KEY1/a.pdb", "store-a");
    char *text = kdx_asprintf("%s;%s;%s", flat, store, isf);
    kdx_sympath *sp = kdx_sympath_parse(text);
    kdx_symfind_ctx c = {.default_cache = tmp, .offline = true};
    char *path;
    kdx_symfind f = {.name = "a.pdb", .key = "KEY1"};
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK_CONTAINS(path, "/flat/a.pdb");
    free(path);
    /* A rejected candidate does not stop the search. */
    f.accept = reject_flat;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK_CONTAINS(path, "/store/a.pdb/KEY1/a.pdb");
    free(path);
    kdx_symfind g = {.name = "b.pdb", .key = "KEY1"};
    CHECK_OK(kdx_sympath_find(&c, sp, &g, &path, NULL));
    CHECK_CONTAINS(path, "/store/b.pdb/key1/b.pdb");
    free(path);
    kdx_symfind h = {.name = "c.pdb", .key = "GUID1", .isf_key = "GUID-1"};
    CHECK_OK(kdx_sympath_find(&c, sp, &h, &path, NULL));
    CHECK_CONTAINS(path, "/isf/c.pdb/GUID-1.json.xz");
    free(path);
    kdx_err err = {0};
    kdx_symfind missing = {.name = "zz.pdb", .key = "K"};
    CHECK(kdx_sympath_find(&c, sp, &missing, &path, &err) == KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "zz.pdb/K not found");
    kdx_sympath_free(sp);
    kdx_symfind_ctx_clear(&c);
    free(text);
    free(flat);
    free(store);
    free(isf);
}

TEST(sympath_local_store_tier_copies_to_downstream)
{
    const char *tmp = kdx_test_tmpdir();
    char *up = kdx_asprintf("%s/upstore", tmp), *down = kdx_asprintf("%s/downstore", tmp);
    touch(up, "d.sys/ABC/d.sys", "image");
    char *text = kdx_asprintf("srv*%s*%s", down, up);
    kdx_sympath *sp = kdx_sympath_parse(text);
    kdx_symfind_ctx c = {.default_cache = tmp, .offline = true};
    kdx_symfind f = {.name = "d.sys", .key = "ABC"};
    char *path;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK_CONTAINS(path, "/downstore/d.sys/ABC/d.sys");
    free(path);
    kdx_sympath_free(sp);
    free(text);
    free(up);
    free(down);
}

static int count_cand(void *ud, const char *path)
{
    (void)path;
    (*(int *)ud)++;
    return 0;
}

TEST(sympath_candidates_for_unknown_identity)
{
    const char *tmp = kdx_test_tmpdir();
    char *dir = kdx_asprintf("%s/cands", tmp);
    touch(dir, "ntkrnlmp.pdb/AAA-1.json.xz", "x");
    touch(dir, "ntkrnlmp.pdb/BBB1/ntkrnlmp.pdb", "y");
    touch(dir, "ntkrnlmp.pdb/BBB1/readme.txt", "z");
    touch(dir, "windows/ntkrnlmp.pdb/CCC-1.json.xz", "w"); /* Volatility's symbols folder */
    kdx_sympath *sp = kdx_sympath_parse(dir);
    int n = 0;
    kdx_sympath_candidates(sp, tmp, "ntkrnlmp.pdb", count_cand, &n);
    CHECK_EQ(n, 3);
    kdx_sympath_free(sp);
    free(dir);
}

TEST(cab_rejects_garbage)
{
    void *out;
    size_t len;
    kdx_err err = {0};
    CHECK(kdx_cab_expand_buffer("MSCF\0\0\0\0garbage", 15, 0, &out, &len, &err) != KDX_OK);
    CHECK(err.msg[0] != '\0');
    CHECK(kdx_cab_expand_buffer("", 0, 0, &out, &len, &err) != KDX_OK);
}

TEST(sympath_commands_show_and_set)
{
    char *out = kdx_test_run(NULL, NULL,
                             ".sympath /a;srv*/c*http://h; .sympath+ /b; !sym noisy; !sym quiet; "
                             ".symfix+ /cache2; .sympath",
                             NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Symbol search path is: /a;srv*/c*http://h; .sympath+ /b; !sym noisy; "
                        "!sym quiet; .symfix+ /cache2; .sympath\n");
    free(out);
    out = kdx_test_run(NULL, NULL, ".sympath /a;srv*/c*http://h", NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Expanded Symbol search path is: /a;SRV*/c*http://h\n");
    CHECK_CONTAINS(out, "************* Path validation summary **************\n"
                        "Response                         Time (ms)     Location\n");
    CHECK_CONTAINS(out, "Error                                          /a\n");
    CHECK_CONTAINS(out, "Deferred                                       srv*/c*http://h\n");
    free(out);
    out = kdx_test_run(NULL, ".sympath /a", ".sympath+ /b", NULL);
    CHECK_CONTAINS(out, "Symbol search path is: /a;/b\n");
    free(out);
    out = kdx_test_run(NULL, ".sympath /a", ".symfix+ /cache2", NULL);
    CHECK_STR(out, "");
    free(out);
    out = kdx_test_run(NULL, ".sympath /a;.symfix+ /cache2", "!sym noisy", NULL);
    CHECK_STR(out, "noisy mode - symbol prompts on\n");
    free(out);
    out = kdx_test_run(NULL, NULL, ".symfix /c3", NULL);
    free(out);
    out = kdx_test_run(NULL, ".symfix /c3", ".sympath", NULL);
    CHECK_CONTAINS(out, "Symbol search path is: srv*/c3*https://msdl.microsoft.com/download/symbols\n");
    free(out);
}

TEST(sympath_from_environment)
{
    const char *saved = getenv("_NT_SYMBOL_PATH"), *saved_alt = getenv("_NT_ALT_SYMBOL_PATH");
    char *keep = saved ? kdx_strdup(saved) : NULL, *keep_alt = saved_alt ? kdx_strdup(saved_alt) : NULL;
    setenv("_NT_SYMBOL_PATH", "srv*/envcache*http://example.invalid/", 1);
    setenv("_NT_ALT_SYMBOL_PATH", "/alt", 1);
    char *out = kdx_test_run(NULL, NULL, ".sympath", NULL);
    CHECK_CONTAINS(out, "Symbol search path is: /alt;srv*/envcache*http://example.invalid/\n");
    free(out);
    unsetenv("_NT_ALT_SYMBOL_PATH");
    out = kdx_test_run(NULL, NULL, ".sympath", NULL);
    CHECK_CONTAINS(out, "Symbol search path is: srv*/envcache*http://example.invalid/\n");
    free(out);
    /* -y / .sympath replaces the environment's path. */
    out = kdx_test_run(NULL, ".sympath /y", ".sympath", NULL);
    CHECK_CONTAINS(out, "Symbol search path is: /y\n");
    free(out);
    if (keep)
        setenv("_NT_SYMBOL_PATH", keep, 1);
    else
        unsetenv("_NT_SYMBOL_PATH");
    if (keep_alt)
        setenv("_NT_ALT_SYMBOL_PATH", keep_alt, 1);
    free(keep);
    free(keep_alt);
}

TEST(sympath_cache_element_copies_what_follows)
{
    const char *tmp = kdx_test_tmpdir();
    char *share = kdx_asprintf("%s/share", tmp), *cache = kdx_asprintf("%s/cachedir", tmp);
    touch(share, "e.pdb/KEY9/e.pdb", "pdb");
    char *text = kdx_asprintf("cache*%s;%s", cache, share);
    kdx_sympath *sp = kdx_sympath_parse(text);
    kdx_symfind_ctx c = {.default_cache = tmp, .offline = true};
    kdx_symfind f = {.name = "e.pdb", .key = "KEY9"};
    char *path;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK_CONTAINS(path, "/cachedir/e.pdb/KEY9/e.pdb");
    free(path);
    kdx_sympath_free(sp);
    free(text);
    free(share);
    free(cache);
}

TEST(sympath_windows_downstream_means_default_cache)
{
    const char *tmp = kdx_test_tmpdir();
    touch(tmp, "w.pdb/KEYW/w.pdb", "pdb");
    kdx_sympath *sp = kdx_sympath_parse("srv*C:\\symbols*http://example.invalid/");
    kdx_symfind_ctx c = {.default_cache = tmp, .offline = true};
    kdx_symfind f = {.name = "w.pdb", .key = "KEYW"};
    char *path = NULL;
    CHECK_OK(kdx_sympath_find(&c, sp, &f, &path, NULL));
    CHECK(path && kdx_starts_with(path, tmp));
    free(path);
    kdx_sympath_free(sp);
    struct stat st;
    CHECK(stat("C:\\symbols", &st) != 0); /* nothing created in the current directory */
}
