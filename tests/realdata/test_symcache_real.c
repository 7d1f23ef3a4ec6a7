/* The symbol index cache on every symbol file of ../shared/testdata: an
 * index answers every provider lookup exactly as the parsed file does, and
 * commands print byte for byte the same with the index off, cold (written)
 * and warm (mapped). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sym/symcache.h"
#include "sym/symidx.h"
#include "sym/symidx_format.h"
#include "tests/test.h"

/* ---- provider-level equivalence ---- */

typedef struct type_pairs {
    KDX_VEC(const kdx_type *) a;
    KDX_VEC(const kdx_type *) b;
} type_pairs;

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Structural equality of two type graphs (cycles through pointers allowed). */
static bool same_type(type_pairs *seen, const kdx_type *a, const kdx_type *b)
{
    if (!a || !b)
        return a == b;
    for (size_t i = 0; i < seen->a.len; i++)
        if (seen->a.items[i] == a)
            return seen->b.items[i] == b;
    KDX_VEC_PUSH(seen->a, a);
    KDX_VEC_PUSH(seen->b, b);
    if (a->kind != b->kind || !same_str(a->name, b->name) || a->size != b->size ||
        a->base != b->base || a->count != b->count || a->bit_pos != b->bit_pos ||
        a->bit_len != b->bit_len || a->is_const != b->is_const || a->is_volatile != b->is_volatile ||
        a->is_forward != b->is_forward || !same_type(seen, a->target, b->target))
        return false;
    uint32_t na, nb;
    const kdx_field *fa = kdx_type_fields(a, &na), *fb = kdx_type_fields(b, &nb);
    if (a->kind != KDX_TYPE_TYPEDEF && na != nb)
        return false;
    for (uint32_t i = 0; a->kind != KDX_TYPE_TYPEDEF && i < na; i++)
        if (!same_str(fa[i].name, fb[i].name) || fa[i].offset != fb[i].offset ||
            !same_type(seen, fa[i].type, fb[i].type))
            return false;
    const kdx_enumerator *ea = kdx_type_enumerators(a, &na), *eb = kdx_type_enumerators(b, &nb);
    if (a->kind == KDX_TYPE_ENUM && na != nb)
        return false;
    for (uint32_t i = 0; a->kind == KDX_TYPE_ENUM && i < na; i++)
        if (!same_str(ea[i].name, eb[i].name) || ea[i].value != eb[i].value)
            return false;
    return true;
}

static bool same_answer(kdx_status sa, const kdx_symbol *a, kdx_status sb, const kdx_symbol *b)
{
    if (sa != sb)
        return false;
    if (sa != KDX_OK)
        return true;
    type_pairs seen = {0};
    bool same = same_str(a->name, b->name) && a->rva == b->rva && a->size == b->size &&
                a->kind == b->kind && a->flags == b->flags && same_type(&seen, a->type, b->type);
    KDX_VEC_FREE(seen.a);
    KDX_VEC_FREE(seen.b);
    return same;
}

typedef KDX_VEC(kdx_symbol) symvec;
typedef KDX_VEC(const kdx_type *) typevec;

static int keep_sym(void *ud, const kdx_symbol *s)
{
    KDX_VEC_PUSH(*(symvec *)ud, *s);
    return 0;
}

static int keep_type(void *ud, const kdx_type *t)
{
    KDX_VEC_PUSH(*(typevec *)ud, t);
    return 0;
}

static char *recased(const char *s, int how)
{
    char *r = kdx_strdup(s);
    for (char *c = r; *c; c++)
        *c = (char)(how ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
    return r;
}

typedef struct diff_count {
    int symbols, rvas, names, types, params, lines, frames;
} diff_count;

static bool same_frame(const kdx_frame_data *a, const kdx_frame_data *b)
{
    return a->rva_start == b->rva_start && a->code_size == b->code_size &&
           a->prolog_size == b->prolog_size && a->saved_regs_size == b->saved_regs_size &&
           a->params_size == b->params_size && a->locals_size == b->locals_size &&
           a->max_stack_size == b->max_stack_size && a->has_program == b->has_program &&
           same_str(a->program, b->program) && a->uses_base_pointer == b->uses_base_pointer &&
           a->has_seh == b->has_seh && a->is_fpo == b->is_fpo;
}

/* Line and frame-data answers at rva. */
static void compare_code_info(const kdx_symprov *p, const kdx_symprov *x, uint32_t rva, diff_count *d)
{
    if (!p->ops->line_for_rva != !x->ops->line_for_rva || !p->ops->frame_data_for_rva != !x->ops->frame_data_for_rva) {
        d->lines++;
        return;
    }
    if (p->ops->line_for_rva) {
        const char *fa = NULL, *fb = NULL;
        uint32_t la = 0, lb = 0;
        kdx_status sa = p->ops->line_for_rva(p->impl, rva, &fa, &la);
        kdx_status sb = x->ops->line_for_rva(x->impl, rva, &fb, &lb);
        d->lines += sa != sb || (sa == KDX_OK && (la != lb || !same_str(fa, fb)));
    }
    if (p->ops->frame_data_for_rva) {
        kdx_frame_data a = {0}, b = {0};
        kdx_status sa = p->ops->frame_data_for_rva(p->impl, rva, &a);
        kdx_status sb = x->ops->frame_data_for_rva(x->impl, rva, &b);
        d->frames += sa != sb || (sa == KDX_OK && !same_frame(&a, &b));
    }
}

typedef struct break_walk {
    const kdx_symprov *p, *x;
    diff_count *d;
} break_walk;

static int check_break(void *ud, uint32_t rva)
{
    break_walk *b = ud;
    compare_code_info(b->p, b->x, rva, b->d);
    if (rva)
        compare_code_info(b->p, b->x, rva - 1, b->d);
    return 0;
}

static void compare_names(const kdx_symprov *p, const kdx_symprov *x, const char *name, diff_count *d)
{
    for (int how = 0; how < 3; how++) {
        char *q = how == 2 ? kdx_strdup(name) : recased(name, how);
        kdx_symbol a, b;
        kdx_status sa = p->ops->by_name(p->impl, q, &a), sb = x->ops->by_name(x->impl, q, &b);
        d->names += !same_answer(sa, &a, sb, &b);
        free(q);
    }
}

static void compare_rva(const kdx_symprov *p, const kdx_symprov *x, uint32_t rva, diff_count *d)
{
    for (uint32_t r = rva ? rva - 1 : 0; r <= rva + 1; r++) {
        kdx_symbol a, b;
        kdx_status sa = p->ops->by_rva(p->impl, r, &a), sb = x->ops->by_rva(x->impl, r, &b);
        d->rvas += !same_answer(sa, &a, sb, &b);
        compare_code_info(p, x, r, d);
        char *pa = kdx_symprov_params_at(p, r), *pb = kdx_symprov_params_at(x, r);
        d->params += !same_str(pa, pb);
        free(pa);
        free(pb);
    }
}

static void compare_types(const kdx_symprov *p, const kdx_symprov *x, diff_count *d)
{
    typevec ta = {0}, tb = {0};
    if (p->ops->enumerate_types) {
        p->ops->enumerate_types(p->impl, "*", keep_type, &ta);
        x->ops->enumerate_types(x->impl, "*", keep_type, &tb);
    }
    d->types += ta.len != tb.len;
    static const char *const extra[] = {"ULONG", "unsigned long", "int", "_LIST_ENTRY", "pointer",
                                        "__anonymous_1d46", "_kthread", "no such type"};
    for (size_t i = 0; i < ta.len && i < tb.len; i++) {
        type_pairs seen = {0};
        d->types += !same_type(&seen, ta.items[i], tb.items[i]);
        const char *n = ta.items[i]->name;
        char *low = n ? recased(n, 0) : NULL;
        KDX_VEC_FREE(seen.a);
        KDX_VEC_FREE(seen.b);
        for (int k = 0; n && k < 2; k++) {
            const char *q = k ? low : n;
            type_pairs s2 = {0};
            d->types += !same_type(&s2, p->ops->find_type(p->impl, q), x->ops->find_type(x->impl, q));
            KDX_VEC_FREE(s2.a);
            KDX_VEC_FREE(s2.b);
        }
        free(low);
    }
    for (size_t i = 0; p->ops->find_type && i < KDX_ARRAY_LEN(extra); i++) {
        type_pairs seen = {0};
        d->types += !same_type(&seen, p->ops->find_type(p->impl, extra[i]),
                               x->ops->find_type(x->impl, extra[i]));
        KDX_VEC_FREE(seen.a);
        KDX_VEC_FREE(seen.b);
    }
    KDX_VEC_FREE(ta);
    KDX_VEC_FREE(tb);
}

/* Parses path, builds its index in memory, and compares every answer. */
static void compare_file(kdx_test_ctx *t, const char *path)
{
    kdx_symprov p, x;
    kdx_symfile_id pid, xid;
    kdx_err err = {0};
    REQUIRE(kdx_symfile_open(path, &p, &pid, &err) == KDX_OK);
    kdx_symidx_source src = {.kind = kdx_ends_with_i(path, ".sym") ? SYMIDX_SRC_BREAKPAD
                                   : kdx_ends_with_i(path, ".xz") ? SYMIDX_SRC_ISF : SYMIDX_SRC_PDB};
    uint8_t *buf;
    size_t len;
    CHECK_OK(kdx_symidx_build(&p, &pid, &src, &buf, &len, &err));
    REQUIRE(kdx_symidx_open(buf, len, KDX_SYMIDX_BORROWED, KDX_SYMIDX_CHECK_ALL, "mem.kdxidx", path, &x, &xid, &err) == KDX_OK);
    CHECK(memcmp(&pid, &xid, sizeof pid) == 0);
    symvec sa = {0}, sb = {0};
    p.ops->enumerate(p.impl, "*", keep_sym, &sa);
    x.ops->enumerate(x.impl, "*", keep_sym, &sb);
    CHECK(sa.len > 0);
    CHECK_EQ(sa.len, sb.len);
    diff_count d = {0};
    for (size_t i = 0; i < sa.len && i < sb.len; i++) {
        d.symbols += !same_answer(KDX_OK, &sa.items[i], KDX_OK, &sb.items[i]);
        compare_rva(&p, &x, sa.items[i].rva, &d);
        if (sa.items[i].name)
            compare_names(&p, &x, sa.items[i].name, &d);
    }
    compare_names(&p, &x, "no_such_symbol_anywhere", &d);
    compare_types(&p, &x, &d);
    break_walk bw = {&p, &x, &d};
    if (p.ops->line_breaks)
        p.ops->line_breaks(p.impl, check_break, &bw);
    if (p.ops->frame_breaks)
        p.ops->frame_breaks(p.impl, check_break, &bw);
    if (d.symbols || d.rvas || d.names || d.types || d.params || d.lines || d.frames)
        kdx_test_fail(t, __FILE__, __LINE__, "%s: index differs: %d symbols, %d address answers, "
                      "%d name answers, %d types, %d parameter lists, %d lines, %d frame data", path,
                      d.symbols, d.rvas, d.names, d.types, d.params, d.lines, d.frames);
    /* Lines and frame data are answered by the index itself, not the file. */
    uint32_t flags = ((const symidx_header *)buf)->prov_flags;
    CHECK(!p.ops->line_for_rva || (flags & SYMIDX_LINES_STORED));
    CHECK(!p.ops->frame_data_for_rva || (flags & SYMIDX_FRAMES_STORED));
    KDX_VEC_FREE(sa);
    KDX_VEC_FREE(sb);
    x.ops->destroy(x.impl);
    p.ops->destroy(p.impl);
    free(buf);
}

static const char *const symbol_files[] = {
    "pdb/CrashWithException.pdb", "pdb/SimplePDB.pdb", "pdb/dump_syms_regtest64.pdb",
    "pdb/omap_reorder_bbs.pdb", "pdb/omap_stretched_filled.pdb", "pdb/seh_ARM64/xcpt4.pdb",
    "pdb/seh_x64/xcpt4.pdb", "pdb/seh_x86/xcpt4.pdb",
    "symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb", "user/symbolic/crash.pdb",
    "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz",
    "pdb/dump_syms_regtest64.sym", "pdb/omap_reorder_bbs.sym", "pdb/omap_stretched_filled.sym",
    "user/breakpad/symbols/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym",
    "user/breakpad/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym",
    "user/symbolic/crash.sym",
};

/* Runs check on every file of symbol_files; Breakpad .sym files only when
 * with_sym (they cannot be opened alone as a target). */
static void each_symbol_file(kdx_test_ctx *t, bool with_sym, void (*check)(kdx_test_ctx *, const char *))
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(symbol_files); i++) {
        if (!with_sym && kdx_ends_with_i(symbol_files[i], ".sym"))
            continue;
        const char *path = kdx_testdata_path(symbol_files[i]);
        if (!path) {
            kdx_test_fail(t, __FILE__, __LINE__, "%s is missing from the test data", symbol_files[i]);
            continue;
        }
        char *copy = kdx_strdup(path);
        check(t, copy);
        free(copy);
    }
}

TEST(symcache_real_index_answers_like_every_symbol_file)
{
    TESTDATA(root, "pdb");
    (void)root;
    each_symbol_file(t, true, compare_file);
}

/* ---- every PDB and the ISF opened alone (`kdx -z FILE.pdb`) ----
 * `lm`, `x`, `ln` and `dt` print byte for byte the same with the symbol
 * index off (the file parsed), cold (the index written) and warm (mapped).
 * The `ln` addresses and `dt` types are taken from the parsed run's own
 * listings, so every file is asked about what it holds. (The Breakpad .sym
 * files cannot be opened alone: they are compared through dumps below and
 * at the provider level above.) */

enum { ASKED = 40 };


/* Runs commands on path with KDX_SYMBOL_INDEX set to index ("off" or a directory). */
static char *run_with_index(const char *path, const char *index, const char *commands)
{
    const char *was = getenv("KDX_SYMBOL_INDEX");
    char *saved = was ? kdx_strdup(was) : NULL;
    setenv("KDX_SYMBOL_INDEX", index, 1);
    kdx_err err = {0};
    char *out = kdx_test_run(path, NULL, commands, &err);
    if (saved)
        setenv("KDX_SYMBOL_INDEX", saved, 1);
    else
        unsetenv("KDX_SYMBOL_INDEX");
    free(saved);
    return out;
}

/* "ln ADDR+1" for the first ASKED lines of an `x` listing ("00001000 m!f ..."),
 * and "dt m!T" for the first ASKED of a `dt *!*` listing. */
static void add_questions(kdx_strbuf *cmds, const char *listing)
{
    int ln = 0, dt = 0;
    for (const char *line = listing; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char addr[32], name[512];
        if (ln < ASKED && line[0] != ' ' && sscanf(line, "%31s %511s", addr, name) == 2 && strchr(name, '!')) {
            char *tick = strchr(addr, '`'); /* 64-bit: "00000000`00001000" */
            if (tick)
                memmove(tick, tick + 1, strlen(tick));
            kdx_sb_printf(cmds, "; ln 0x%llx", strtoull(addr, NULL, 16) + 1);
            ln++;
        } else if (dt < ASKED && sscanf(line, " %511s", name) == 1 && line[0] == ' ' && strchr(name, '!')) {
            kdx_sb_printf(cmds, "; dt %s", name);
            dt++;
        }
    }
}

/* The output with the index off, cold and warm is the same, and an index
 * was written to dir. Frees the outputs. */
static void same_three_ways(kdx_test_ctx *t, const char *what, char *plain, char *cold, char *warm, const char *dir)
{
    if (plain && cold && warm) {
        CHECK(strlen(plain) > 200);
        if (strcmp(cold, plain) != 0 || strcmp(warm, plain) != 0)
            kdx_test_fail(t, __FILE__, __LINE__, "%s: output with the index %s differs from the parsed file's:\n%s",
                          what, strcmp(cold, plain) ? "cold" : "warm", strcmp(cold, plain) ? cold : warm);
        char *ls = kdx_asprintf("ls '%s'/*.kdxidx > /dev/null 2>&1", dir);
        CHECK(system(ls) == 0); /* the index was written */
        free(ls);
    } else {
        kdx_test_fail(t, __FILE__, __LINE__, "%s: a run failed", what);
    }
    free(plain);
    free(cold);
    free(warm);
}

static void compare_three_ways(kdx_test_ctx *t, const char *path)
{
    char *dir = kdx_asprintf("%s/symfile-idx", kdx_test_tmpdir());
    char *listing = run_with_index(path, "off", "x *!*; dt *!*");
    REQUIRE(listing);
    kdx_strbuf cmds;
    kdx_sb_init(&cmds);
    kdx_sb_printf(&cmds, "lm; x *!*; dt *!*");
    add_questions(&cmds, listing);
    CHECK(strstr(cmds.s, "; ln ") != NULL); /* every file has symbols to ask about */
    CHECK(strstr(cmds.s, "; ln 0x1;") == NULL); /* addresses were read, not zeros */
    char *plain = run_with_index(path, "off", cmds.s);
    char *cold = run_with_index(path, dir, cmds.s);
    char *warm = run_with_index(path, dir, cmds.s);
    same_three_ways(t, path, plain, cold, warm, dir);
    free(cmds.s);
    free(listing);
    free(dir);
}

TEST(symcache_real_symbol_files_alone_identical)
{
    TESTDATA(root, "pdb");
    (void)root;
    each_symbol_file(t, false, compare_three_ways);
}

/* ---- command-level equivalence ---- */

/* The same commands with the index off, cold (written) and warm (mapped). */
static void same_output_three_ways(kdx_test_ctx *t, const char *dump, const char *sympath,
                                   const char *commands)
{
    char *index = kdx_asprintf("%s/idx", kdx_test_tmpdir());
    char *off = kdx_asprintf(".symindex off; .sympath %s", sympath);
    char *on = kdx_asprintf(".symindex %s; .sympath %s", index, sympath);
    kdx_err err = {0};
    char *plain = kdx_test_run(dump, off, commands, &err);
    char *cold = kdx_test_run(dump, on, commands, &err);
    char *warm = kdx_test_run(dump, on, commands, &err);
    same_three_ways(t, dump, plain, cold, warm, index);
    free(index);
    free(off);
    free(on);
}

TEST(symcache_real_kernel_isf_and_pdb_commands_identical)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    TESTDATA(isf, "isf");
    char *path = kdx_asprintf("%s;%s", store, isf);
    same_output_three_ways(t, dump, path,
                           "!analyze -v; k; kp; x nt!KeBugCheck*; x amdppm!*; ln fffff8047bdf5a80; "
                           "ln fffff8048b58334c; dt nt!_KTHREAD; dt nt!_EPROCESS Pcb.; dt nt!_MMPTE_HARDWARE; "
                           "? nt!PsLoadedModuleList; .fnent fffff8048b58334c; lm");
    free(path);
}

TEST(symcache_real_breakpad_commands_identical)
{
    TESTDATA(dump, "user/breakpad/minidump2.dmp");
    TESTDATA(syms, "user/breakpad/symbols");
    same_output_three_ways(t, dump, syms, ".ecxr; kn; x test_app!*Crash*; ln 00404200; x kernel32!Base*; lm");
}

TEST(symcache_real_user_pdb_commands_identical)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    TESTDATA(dir, "user/symbolic");
    same_output_three_ways(t, dump, dir, ".ecxr; k; kp; x crash!*main*; dt crash!*; lm");
}
