/* PDBs of images reordered after linking (OMAP): every function chunk,
 * public, line and frame record comes out at its final-image RVA, checked
 * against Breakpad's dump_syms output for the same PDBs (158 and 953 FUNC
 * records, the functions of omap_reorder_bbs split into many chunks). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pdb/pdb_provider.h"
#include "sym/sources.h"
#include "tests/realdata/breakpad_oracle.h"
#include "tests/test.h"

typedef struct omap_case {
    const char *pdb, *sym, *module;
    size_t funcs;
} omap_case;

static const omap_case cases[] = {
    {"pdb/omap_stretched_filled.pdb", "pdb/omap_stretched_filled.sym", "omap_stretched_filled", 158},
    {"pdb/omap_reorder_bbs.pdb", "pdb/omap_reorder_bbs.sym", "omap_reorder_bbs", 953},
};

static bool open_case(kdx_test_ctx *t, const omap_case *c, kdx_symprov *p, char *sympath, size_t cap)
{
    const char *s = kdx_testdata_path(c->sym);
    if (!s) {
        kdx_test_skip(t, "needs ../shared/testdata/%s, which is not present on this machine", c->sym);
        return false;
    }
    snprintf(sympath, cap, "%s", s);
    const char *pdb = kdx_testdata_path(c->pdb);
    if (!pdb) {
        kdx_test_skip(t, "needs ../shared/testdata/%s, which is not present on this machine", c->pdb);
        return false;
    }
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", pdb);
    kdx_err err = {0};
    if (kdx_pdb_provider_open(copy, p, NULL, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "open %s: %s", c->pdb, err.msg);
        return false;
    }
    return true;
}

/* by_rva at each FUNC chunk and PUBLIC: that symbol, that chunk's size. */
static void check_symbols(kdx_test_ctx *t, const omap_case *c, const kdx_symprov *p,
                          const bp_record *recs, size_t n)
{
    size_t funcs = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *want = bp_windbg_name(recs[i].name);
        kdx_symbol s = {0};
        funcs += recs[i].kind == 'F';
        if (p->ops->by_rva(p->impl, recs[i].rva, &s) != KDX_OK || s.rva != recs[i].rva ||
            (recs[i].kind == 'F' && s.size != recs[i].size) || !bp_same_name(s.name, want)) {
            if (bad++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "%s: at %x got %s %x size %x, want %s size %x",
                              c->module, recs[i].rva, s.name ? s.name : "nothing", s.rva, s.size,
                              want, recs[i].size);
        }
        free(want);
    }
    CHECK_EQ(funcs, c->funcs);
    if (bad)
        kdx_test_fail(t, __FILE__, __LINE__, "%s: %d of %zu FUNC/PUBLIC records differ", c->module,
                      bad, n);
}

/* Runs check on each case's provider and .sym path (skips when absent). */
static void for_each_case(kdx_test_ctx *t,
                          void (*check)(kdx_test_ctx *, const omap_case *, const kdx_symprov *, const char *))
{
    for (size_t k = 0; k < KDX_ARRAY_LEN(cases); k++) {
        kdx_symprov p;
        char sympath[4096];
        if (!open_case(t, &cases[k], &p, sympath, sizeof sympath))
            return;
        check(t, &cases[k], &p, sympath);
        p.ops->destroy(p.impl);
    }
}

static void symbols_match(kdx_test_ctx *t, const omap_case *c, const kdx_symprov *p, const char *sympath)
{
    bp_record *recs;
    size_t n = bp_read_symbols(sympath, &recs);
    check_symbols(t, c, p, recs, n);
    bp_free_symbols(recs, n);
}

static void lines_match(kdx_test_ctx *t, const omap_case *c, const kdx_symprov *p, const char *sympath)
{
    (void)c;
    CHECK(bp_check_lines(t, p, sympath) > 2000);
}

static void frames_match(kdx_test_ctx *t, const omap_case *c, const kdx_symprov *p, const char *sympath)
{
    (void)c;
    CHECK(bp_check_stack_win(t, p, sympath) > 250);
}

TEST(pdb_omap_real_functions_and_publics_at_final_rvas)
{
    for_each_case(t, symbols_match);
}

TEST(pdb_omap_real_lines_at_final_rvas)
{
    for_each_case(t, lines_match);
}

TEST(pdb_omap_real_frame_data_at_final_rvas)
{
    for_each_case(t, frames_match);
}

/* The commands: `x *!*` lists every chunk under its function's name, and
 * `ln` at a chunk's start names that function with no displacement. */
TEST(pdb_omap_real_x_and_ln_name_every_chunk)
{
    const omap_case *c = &cases[1];
    TESTDATA(sympath, c->sym);
    bp_record *recs;
    size_t n = bp_read_symbols(sympath, &recs);
    TESTDATA(pdbpath, c->pdb);
    kdx_err err = {0};
    char *out = kdx_test_run(pdbpath, NULL, "x *!*", &err);
    REQUIRE(out);
    char *x = kdx_asprintf("\n%s", out); /* every listed line starts after a newline */
    free(out);
    char *cmds = kdx_strdup("");
    int bad_x = 0, bad_ln = 0, nfunc = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].kind != 'F')
            continue;
        nfunc++;
        char *name = bp_windbg_name(recs[i].name);
        char line[1024];
        snprintf(line, sizeof line, "\n%08x %s!%s (", recs[i].rva, c->module, name);
        char alt[1024]; /* a C name keeps its leading underscore */
        snprintf(alt, sizeof alt, "\n%08x %s!_%s (", recs[i].rva, c->module, name);
        if (!strstr(x, line) && !strstr(x, alt) && bad_x++ < 3)
            kdx_test_fail(t, __FILE__, __LINE__, "x *!* has no line \"%s\"", line + 1);
        char *more = kdx_asprintf("%sln %x;", cmds, recs[i].rva);
        free(cmds);
        cmds = more;
        free(name);
    }
    char *ln = kdx_test_run(pdbpath, NULL, cmds, &err);
    REQUIRE(ln);
    /* Each ln answer is a line "(rva)   module!name   |  ..." with no displacement. */
    const char *at = ln;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].kind != 'F')
            continue;
        while (*at && *at != '(') {
            const char *nl = strchr(at, '\n');
            at = nl ? nl + 1 : at + strlen(at);
        }
        char *name = bp_windbg_name(recs[i].name);
        char want[1024], alt[1024];
        snprintf(want, sizeof want, "(%08x)   %s!%s ", recs[i].rva, c->module, name);
        snprintf(alt, sizeof alt, "(%08x)   %s!_%s ", recs[i].rva, c->module, name);
        if (strncmp(at, want, strlen(want)) != 0 && strncmp(at, alt, strlen(alt)) != 0 && bad_ln++ < 3)
            kdx_test_fail(t, __FILE__, __LINE__, "ln %x: want \"%s\", got \"%.80s\"", recs[i].rva,
                          want, at);
        if (*at)
            at++;
        free(name);
    }
    CHECK_EQ(nfunc, 953);
    CHECK_EQ(bad_x, 0);
    CHECK_EQ(bad_ln, 0);
    free(ln);
    free(cmds);
    free(x);
    bp_free_symbols(recs, n);
}
