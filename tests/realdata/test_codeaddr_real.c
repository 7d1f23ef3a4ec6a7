/* Code addresses resolve to functions only, on real files: the triage dump
 * with the kernel's ISF table (whose string literals sit in .text between
 * functions), and amdppm.sys with its PDB and .pdata. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "pdb/pdb_provider.h"
#include "pe/pe.h"
#include "sym/addrindex.h"
#include "sym/symbols.h"
#include "sym/symclass.h"
#include "tests/test.h"

#define TRIAGE_SYMPATH_FMT ".sympath %s/symstore;%s/isf"

/* A session on the triage dump with the symbol store and the kernel ISF. */
static kdx_session *triage_session(kdx_test_ctx *t, const char *dump, FILE *out)
{
    const char *root = kdx_testdata_path(".");
    kdx_session *s = kdx_session_new(out);
    char *setup = kdx_asprintf(TRIAGE_SYMPATH_FMT, root, root);
    kdx_execute(s, setup);
    free(setup);
    kdx_err err = {0};
    if (kdx_session_open(s, dump, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "open %s: %s", dump, err.msg);
        kdx_session_free(s);
        return NULL;
    }
    return s;
}

/* KeBugCheckEx's return address fffff804`7be0f4e1 (RVA 0x40f4e1). The ISF
 * symbols before it are string literals (??_C@..., the nearest at RVA
 * 0x40ded0) in the kernel's .text section, and before them memset (RVA
 * 0x408c80): the strings prove memset ended before them, and the ISF holds
 * no function at all between 0x408c80 and DisplayFilter (0x4b0820). The
 * function there (an exception filter of the crashing thread) is not in the
 * table and the kernel's .pdata is not in the dump, so kdx names the module. */
TEST(codeaddr_real_triage_return_address_is_not_a_string_literal)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(isf, "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz");
    char *dumpdup = kdx_strdup(dump);
    const char *root = kdx_testdata_path(".");
    char *setup = kdx_asprintf(TRIAGE_SYMPATH_FMT, root, root);
    kdx_err err = {0};
    char *out = kdx_test_run(dumpdup, setup,
                             "ln fffff804`7be0f4e1; u fffff804`7be0f4e1 l1; dps ffff8504`29890ee8 l1; "
                             "ln fffff804`7be0ded0; ln nt!KiProcessorBlock; ln nt!KeBugCheckEx+8",
                             &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "(fffff804`7ba00000)   nt+0x40f4e1\n");
    CHECK_CONTAINS(out, "nt+0x40f4e1:\nfffff804`7be0f4e1 90              nop\n");
    CHECK_CONTAINS(out, "ffff8504`29890ee8  fffff804`7be0f4e1 nt+0x40f4e1\n");
    /* Data addresses keep their data symbols, as WinDbg shows them. */
    CHECK_CONTAINS(out, "(fffff804`7be0ded0)   nt!??_C@_1DO@NJNPPJHL@");
    CHECK_CONTAINS(out, "Exact matches:\n    nt!KiProcessorBlock = <no type information>\n");
    CHECK_CONTAINS(out, "(fffff804`7bdf5a80)   nt!KeBugCheckEx+0x8   |  ");
    CHECK(!strstr(out, "??_C@_1DO@NJNPPJHL@?$AAK?$AAe?$AAr?$AAn?$AAe?$AAl?$AA?9?$AAM?$AAU?$AAI?$AA?9?$AAL?$AAa?$AAn?$AAg@FNODOBFM@+0x1611"));
    free(out);
    free(setup);
    free(dumpdup);
}

typedef struct sweep {
    kdx_session *s;
    kdx_test_ctx *t;
    int checked, bad;
} sweep;

/* Just past every kernel symbol, a code lookup names a function or the
 * module, never data; at a code symbol's own address, that symbol. */
static int sweep_one(void *ud, kdx_module *m, const kdx_symbol *sym)
{
    sweep *w = ud;
    kdx_symhit hit;
    w->checked++;
    if (kdx_sym_from_code_addr(w->s, m->base + sym->rva + 1, &hit) == KDX_OK && hit.name &&
        kdx_symname_is_data(hit.name) && w->bad++ < 3)
        kdx_test_fail(w->t, __FILE__, __LINE__, "code at %s+1 named %s", sym->name, hit.name);
    return 0;
}

TEST(codeaddr_real_triage_no_kernel_code_address_names_data)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(isf, "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz");
    char *dumpdup = kdx_strdup(dump);
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = triage_session(t, dumpdup, null);
    REQUIRE(s);
    sweep w = {s, t, 0, 0};
    kdx_err err = {0};
    CHECK_OK(kdx_sym_enumerate(s, "nt", "*", sweep_one, &w, &err));
    CHECK(w.checked > 39000);
    CHECK_EQ(w.bad, 0);
    /* Code symbols still name themselves and what follows them. */
    kdx_symhit hit;
    CHECK_OK(kdx_sym_from_code_addr(s, 0xfffff8047bdf5a80ull + 0x10, &hit));
    CHECK_STR(hit.name, "KeBugCheckEx");
    CHECK_EQ(hit.displacement, 0x10);
    kdx_session_free(s);
    fclose(null);
    free(dumpdup);
}

/* amdppm.pdb without one of its functions' names, as a public PDB lacks the
 * names of file-static functions: wraps the real provider. */
typedef struct hiding {
    kdx_symprov inner;
    const char *hidden;
    kdx_symbol_cb cb;
    void *ud;
} hiding;

static int hide_one(void *ud, const kdx_symbol *sym)
{
    hiding *h = ud;
    return strcmp(sym->name, h->hidden) == 0 ? 0 : h->cb(h->ud, sym);
}

static kdx_status hiding_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    hiding *h = impl;
    h->cb = cb;
    h->ud = ud;
    return h->inner.ops->enumerate(h->inner.impl, pattern, hide_one, h);
}

static const kdx_symprov_ops hiding_ops = {.kind = "test", .enumerate = hiding_enumerate};

static bool open_amdppm(kdx_test_ctx *t, kdx_symprov *pdb, kdx_pe **pe)
{
    const char *pdbpath = kdx_testdata_path("symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    if (!pdbpath) {
        kdx_test_skip(t, "needs ../shared/testdata/symstore/amdppm.pdb");
        return false;
    }
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", pdbpath);
    kdx_err err = {0};
    if (kdx_pdb_provider_open(copy, pdb, NULL, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "%s", err.msg);
        return false;
    }
    const char *img = kdx_testdata_path("symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    if (!img || kdx_pe_open_file(img, pe, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "amdppm.sys: %s", err.msg);
        pdb->ops->destroy(pdb->impl);
        return false;
    }
    return true;
}

/* .pdata bounds a function when symbols do not: amdppm's .pdata entry at RVA
 * 0x12b0 starts ComputeProcessorEnergy (read independently with Python from
 * the image: 519 entries, 19 of them chained). With that name hidden, code
 * inside it has no function symbol (amdppm+RVA), where the nearest-name rule
 * would say PerfSelectionPTStates+0x180. Chained entries that continue a
 * function in place (shrink-wrapping, 0x1224 -> 0x1140) stay part of it. */
TEST(codeaddr_real_pdata_bounds_functions_without_symbols)
{
    kdx_symprov pdb;
    kdx_pe *pe;
    if (!open_amdppm(t, &pdb, &pe))
        return;
    hiding h = {pdb, "ComputeProcessorEnergy", NULL, NULL};
    kdx_symprov wrapped = {&hiding_ops, &h};
    kdx_addrindex ix;
    kdx_addrindex_build(&ix, &wrapped, pe);
    kdx_symbol sym, next;
    CHECK(!kdx_addrindex_lookup(&ix, pe, KDX_LOOKUP_CODE, 0x12c0, &sym, &next));
    /* Without the image nothing bounds the public before it. */
    REQUIRE(kdx_addrindex_lookup(&ix, NULL, KDX_LOOKUP_CODE, 0x12c0, &sym, &next));
    CHECK_STR(sym.name, "PerfSelectionPTStates");
    /* A chained entry inside its function: the function, from its start. */
    REQUIRE(kdx_addrindex_lookup(&ix, pe, KDX_LOOKUP_CODE, 0x1230, &sym, &next));
    CHECK_STR(sym.name, "PerfSelectionPTStates");
    CHECK_EQ(sym.rva, 0x1140);
    kdx_addrindex_free(&ix);
    kdx_pe_close(pe);
    pdb.ops->destroy(pdb.impl);
}

/* A chunk placed away from its function (another function's name lies
 * between, as after BBT) is named after its function, displaced from the
 * chunk's start: amdppm's chained entry 0x1224..0x129f of 0x1140 with a
 * name added at 0x1200 standing for the code laid out between. */
typedef struct adding {
    kdx_symprov inner;
    kdx_symbol extra;
} adding;

static kdx_status adding_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    adding *a = impl;
    cb(ud, &a->extra);
    return a->inner.ops->enumerate(a->inner.impl, pattern, cb, ud);
}

static const kdx_symprov_ops adding_ops = {.kind = "test", .enumerate = adding_enumerate};

TEST(codeaddr_real_pdata_chunk_keeps_function_name)
{
    kdx_symprov pdb;
    kdx_pe *pe;
    if (!open_amdppm(t, &pdb, &pe))
        return;
    adding a = {pdb, {.name = "Between", .rva = 0x1200, .kind = KDX_SYM_PUBLIC, .flags = KDX_SYMF_CODE}};
    kdx_symprov wrapped = {&adding_ops, &a};
    kdx_addrindex ix;
    kdx_addrindex_build(&ix, &wrapped, pe);
    kdx_symbol sym, next;
    REQUIRE(kdx_addrindex_lookup(&ix, pe, KDX_LOOKUP_CODE, 0x1230, &sym, &next));
    CHECK_STR(sym.name, "PerfSelectionPTStates");
    CHECK_EQ(sym.rva, 0x1224);
    CHECK_EQ(sym.size, 0x129f - 0x1224);
    kdx_addrindex_free(&ix);
    kdx_pe_close(pe);
    pdb.ops->destroy(pdb.impl);
}
