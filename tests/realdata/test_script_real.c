/* Debugger command programs on the real Windows 10 triage dump
 * (kernel/triage_x64.dmp, 151 loaded drivers, most of their memory absent):
 * !for_each_module as the pool-leak article and the debugger documentation
 * use it, .foreach over lm's output, .printf %y on the kernel's code, and
 * aliases inside .foreach. Hits are checked against the dump's own bytes. */
#include <inttypes.h>
#include <stdlib.h>

#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "target/module.h"
#include "target/memory.h"
#include "target/target.h"
#include "tests/test.h"

#define TRIAGE "kernel/triage_x64.dmp"
#define NT_ISF_DIR "isf"

/* Runs each line as typed; the number of failed commands in *failures. */
static char *run_lines(const char *path, const char *setup, const char *const *lines, int *failures)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    kdx_err err;
    *failures = 0;
    if (setup) {
        FILE *null = fopen("/dev/null", "w");
        s->out = null;
        kdx_execute(s, setup);
        s->out = mem;
        fclose(null);
    }
    if (kdx_session_open(s, path, &err) != KDX_OK)
        fprintf(mem, "open failed: %s\n", err.msg);
    for (; *lines; lines++)
        *failures += kdx_execute(s, *lines);
    kdx_session_free(s);
    fclose(mem);
    return out;
}

#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        n++;
    return n;
}

static unsigned loaded_modules(const kdx_target *tg)
{
    unsigned n = 0;
    for (size_t i = 0; i < tg->nmodules; i++)
        n += !tg->modules[i]->unloaded;
    return n;
}

/* Every line of an `s -a` listing: the address holds pattern in the dump
 * and lies in a loaded module. Returns the number of hits. */
static size_t check_hits(kdx_test_ctx *t, kdx_target *tg, const char *out, const char *pattern,
                         bool *saw_kernel_base)
{
    size_t hits = 0, plen = strlen(pattern);
    for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
        char digits[24] = {0};
        size_t n = 0;
        for (const char *p = line; *p && *p != ' ' && n + 1 < sizeof digits; p++)
            if (*p != '`')
                digits[n++] = *p;
        uint64_t addr = strtoull(digits, NULL, 16);
        char bytes[16] = {0};
        size_t done = 0;
        kdx_read_virt(tg, addr, bytes, plen, &done, NULL);
        CHECK(done == plen && memcmp(bytes, pattern, plen) == 0);
        bool inside = false;
        for (size_t i = 0; i < tg->nmodules; i++)
            inside |= addr >= tg->modules[i]->base && addr < tg->modules[i]->base + tg->modules[i]->size;
        CHECK(inside);
        *saw_kernel_base |= addr == 0xfffff8047ba00000ull;
        hits++;
        if (!strchr(line, '\n'))
            break;
    }
    return hits;
}

TEST(script_real_for_each_module_mz_visits_every_module)
{
    TESTDATA(path, TRIAGE);
    kdx_target *tg = NULL;
    kdx_err err;
    REQUIRE(kdx_target_open(path, &tg, &err) == KDX_OK);
    CHECK_EQ(loaded_modules(tg), 151);
    int failed;
    /* The documentation's example, as the article writes it with spaces. */
    char *out = run_lines(path, NULL, LINES("!for_each_module s -a @#Base @#End \"MZ\""), &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    bool kernel = false;
    size_t hits = check_hits(t, tg, out, "MZ", &kernel);
    CHECK(hits >= 1);
    CHECK(kernel); /* ntoskrnl's header page is in the dump */
    free(out);
    /* Every module is visited, absent memory or not: a counter in the loop
     * and one line per module. */
    out = run_lines(path, NULL, LINES("r $t0 = 0",
                                      "!for_each_module \"s -b @#Base @#End 4d 5a; r $t0 = @$t0 + 1\"",
                                      ".printf \"visited %d\\n\", @$t0",
                                      "!for_each_module .echo @#ModuleIndex @#ModuleName @#ImageName"),
                    &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    CHECK_CONTAINS(out, "visited 151\n");
    CHECK_CONTAINS(out, "\n0x0 nt ntoskrnl.exe\n0x1 hal hal.dll\n");
    CHECK_CONTAINS(out, "amdppm amdppm.sys\n");
    CHECK_CONTAINS(out, "\n0x96 ");
    CHECK(!strstr(out, "\n0x97 "));
    free(out);
    kdx_target_close(tg);
}

TEST(script_real_article_leak_search_as_written)
{
    TESTDATA(path, TRIAGE);
    kdx_target *tg = NULL;
    kdx_err err;
    REQUIRE(kdx_target_open(path, &tg, &err) == KDX_OK);
    int failed;
    char *out = run_lines(path, NULL, LINES("!for_each_module s -a @#Base @#End \"Leak\""), &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    bool kernel = false;
    check_hits(t, tg, out, "Leak", &kernel); /* whatever it finds is really there */
    CHECK(!strstr(out, "??"));
    free(out);
    kdx_target_close(tg);
}

TEST(script_real_foreach_over_lm)
{
    TESTDATA(path, TRIAGE);
    kdx_target *tg = NULL;
    kdx_err err;
    REQUIRE(kdx_target_open(path, &tg, &err) == KDX_OK);
    int failed;
    /* lm o: a 4-word header, then base, end, name, "(deferred)" per loaded module. */
    char *out = run_lines(path, NULL, LINES(".foreach /pS 4 /ps 3 (b {lm o}) { .echo b }"), &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    kdx_strbuf want;
    kdx_sb_init(&want);
    kdx_sb_puts(&want, "");
    for (size_t i = 0; i < tg->nmodules; i++) {
        char a[KDX_ADDR_BUF];
        if (!tg->modules[i]->unloaded)
            kdx_sb_printf(&want, "%s\n", kdx_fmt_ptr(a, tg->modules[i]->base, 8));
    }
    CHECK_STR(out, want.s);
    kdx_sb_free(&want);
    free(out);
    char *lm1m = run_lines(path, NULL, LINES("lm1m"), &failed);
    out = run_lines(path, NULL, LINES(".foreach (m {lm1m}) { .echo m }"), &failed);
    CHECK_STR(out, lm1m);
    CHECK_EQ(count_lines(out), 151);
    free(out);
    free(lm1m);
    kdx_target_close(tg);
}

TEST(script_real_printf_symbol_of_code)
{
    TESTDATA(path, TRIAGE);
    const char *isf = kdx_testdata_path(NT_ISF_DIR);
    REQUIRE(isf);
    char *setup = kdx_asprintf(".sympath %s", isf);
    int failed;
    char *out = run_lines(path, setup,
                          LINES(".printf \"%y\\n\", fffff804`7bdf5a80",
                                ".printf \"%y|%p\\n\", nt!KeBugCheckEx+0x10, @$ip"),
                          &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    CHECK_CONTAINS(out, "nt!KeBugCheckEx (fffff804`7bdf5a80)\n");
    CHECK_CONTAINS(out, "nt!KeBugCheckEx+0x10 (fffff804`7bdf5a90)|fffff804`7bdf5a80\n");
    free(out);
    free(setup);
}

TEST(script_real_aliases_inside_foreach)
{
    TESTDATA(path, TRIAGE);
    int failed;
    /* An alias standing alone inside the loop; then an alias set inside
     * the loop and read in a block entered after it (Using Aliases). */
    char *out = run_lines(
        path, NULL,
        LINES("as /x kbase nt",
              ".foreach /pS 4 /ps 3 (b {lm o}) { .if ( b == kbase ) { .printf \"kernel at %p\\n\", b } }",
              ".foreach (m {lm1m}) { aS ${/v:cur} m; .block { .if ($spat(\"${cur}\", \"amdppm\")) "
              "{ .echo found cur } } }"),
        &failed);
    REQUIRE(out);
    CHECK_EQ(failed, 0);
    CHECK_STR(out, "kernel at fffff804`7ba00000\nfound amdppm\n");
    free(out);
}
