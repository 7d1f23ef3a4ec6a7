/* `x` over whole symbol tables (bench/RESULTS.md, issue 15): a listing that
 * comes in x's order (address, then name) is printed as it is enumerated,
 * and a symbol index says so without a first pass over its symbols
 * (kdx_symidx_listed_in_order). These tests check that answer against the
 * listing itself on every real symbol file, and that `x` prints the same
 * bytes whichever way it took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sym/symcache.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"
#include "tests/test.h"

typedef struct order_walk {
    bool any, in_order;
    uint32_t rva;
    char *name;
} order_walk;

static int note_order(void *ud, const kdx_symbol *s)
{
    order_walk *w = ud;
    const char *name = s->name ? s->name : "";
    if (w->any && (s->rva < w->rva || (s->rva == w->rva && strcmp(w->name, name) > 0)))
        w->in_order = false;
    free(w->name);
    w->any = true, w->rva = s->rva, w->name = kdx_strdup(name);
    return 0;
}

/* The index of path, built in memory: its in-order answer against a walk
 * of its own listing. Counts the files listed in order. */
static void check_file(kdx_test_ctx *t, const char *rel, int *ordered)
{
    const char *path = kdx_testdata_path(rel);
    if (!path) {
        kdx_test_fail(t, __FILE__, __LINE__, "%s is missing from the test data", rel);
        return;
    }
    kdx_symprov p, x;
    kdx_symfile_id id;
    kdx_err err = {0};
    REQUIRE(kdx_symfile_open(path, &p, &id, &err) == KDX_OK);
    kdx_symidx_source src = {.kind = kdx_ends_with_i(path, ".sym") ? SYMIDX_SRC_BREAKPAD
                                   : kdx_ends_with_i(path, ".xz") ? SYMIDX_SRC_ISF : SYMIDX_SRC_PDB};
    uint8_t *buf;
    size_t len;
    CHECK_OK(kdx_symidx_build(&p, &id, &src, &buf, &len, &err));
    REQUIRE(kdx_symidx_open(buf, len, KDX_SYMIDX_MALLOCED, KDX_SYMIDX_CHECK_ALL, "mem.kdxidx", NULL, &x, NULL,
                            &err) == KDX_OK);
    order_walk w = {.in_order = true};
    x.ops->enumerate(x.impl, "*", note_order, &w);
    CHECK(w.any);
    bool said = kdx_symidx_listed_in_order(&x);
    if (said != w.in_order)
        kdx_test_fail(t, __FILE__, __LINE__, "%s: the index says its listing is %sin order, it is %s", rel,
                      said ? "" : "not ", w.in_order ? "in order" : "not");
    CHECK(kdx_symidx_listed_in_order(&x) == said); /* asked again: the answer kept */
    *ordered += w.in_order;
    CHECK(!kdx_symidx_listed_in_order(&p)); /* not an index: never known */
    free(w.name);
    x.ops->destroy(x.impl);
    p.ops->destroy(p.impl);
}

TEST(x_listing_real_index_order_answer_matches_its_listing)
{
    static const char *const files[] = {
        "pdb/CrashWithException.pdb", "pdb/SimplePDB.pdb", "pdb/dump_syms_regtest64.pdb",
        "pdb/omap_reorder_bbs.pdb", "pdb/omap_stretched_filled.pdb", "pdb/seh_x64/xcpt4.pdb",
        "user/symbolic/crash.pdb", "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz",
        "pdb/dump_syms_regtest64.sym", "pdb/omap_reorder_bbs.sym",
    };
    TESTDATA(root, "pdb");
    (void)root;
    int ordered = 0;
    for (size_t i = 0; i < KDX_ARRAY_LEN(files); i++)
        check_file(t, files[i], &ordered);
    /* Both answers occur, so each is checked against a real listing. */
    CHECK(ordered > 0);
    CHECK(ordered < (int)KDX_ARRAY_LEN(files));
}

/* Every "ADDRESS module!name ..." line after the first is at a higher
 * address, or at the same one with a name in strcmp order; n: the lines. */
static bool listing_in_order(const char *out, size_t *n)
{
    unsigned long long prev = 0;
    char prev_name[1024] = "";
    *n = 0;
    for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char hi[16], lo[16], name[1024];
        if (sscanf(line, "%8[0-9a-f]`%8[0-9a-f] %1023s", hi, lo, name) != 3)
            continue;
        unsigned long long addr = strtoull(hi, NULL, 16) << 32 | strtoull(lo, NULL, 16);
        if (*n && (addr < prev || (addr == prev && strcmp(prev_name, name) > 0)))
            return false;
        prev = addr;
        snprintf(prev_name, sizeof prev_name, "%s", name);
        (*n)++;
    }
    return true;
}

/* `x nt!*` on the triage dump: from the ISF (two passes: order checked,
 * then printed), from the index just written and from it again (printed
 * at once): byte for byte the same, every line in x's order. */
TEST(x_listing_real_whole_kernel_listing_identical)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    TESTDATA(isf, "isf");
    char *index = kdx_asprintf("%s/x-index", kdx_test_tmpdir());
    char *off = kdx_asprintf(".symindex off; .sympath %s;%s", store, isf);
    char *on = kdx_asprintf(".symindex %s; .sympath %s;%s", index, store, isf);
    kdx_err err = {0};
    char *plain = kdx_test_run(dump, off, "x nt!*", &err);
    char *cold = kdx_test_run(dump, on, "x nt!*", &err);
    char *warm = kdx_test_run(dump, on, "x nt!*", &err);
    REQUIRE(plain && cold && warm);
    size_t n;
    CHECK(listing_in_order(plain, &n));
    CHECK(n > 30000); /* 39,832 symbols */
    CHECK_STR(cold, plain);
    CHECK_STR(warm, plain);
    free(plain);
    free(cold);
    free(warm);
    free(on);
    free(off);
    free(index);
}
