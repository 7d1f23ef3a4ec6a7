/* Every PDB and ISF of ../shared/testdata opened alone (`kdx -z FILE.pdb`):
 * `lm`, `x`, `ln` and `dt` print byte for byte the same with the symbol
 * index off (the file parsed), cold (the index written) and warm (mapped).
 * The `ln` addresses and `dt` types are taken from the parsed run's own
 * listings, so every file is asked about what it holds. (The Breakpad .sym
 * files and the compressed basic32.pd_ cannot be opened alone; they are
 * compared through dumps and at the provider level in test_symcache_real.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/test.h"

enum { ASKED = 40 };

static const char *const files[] = {
    "pdb/CrashWithException.pdb", "pdb/SimplePDB.pdb", "pdb/dump_syms_regtest64.pdb",
    "pdb/omap_reorder_bbs.pdb", "pdb/omap_stretched_filled.pdb", "pdb/seh_ARM64/xcpt4.pdb",
    "pdb/seh_x64/xcpt4.pdb", "pdb/seh_x86/xcpt4.pdb",
    "symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb", "user/symbolic/crash.pdb",
    "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz",
};

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
    REQUIRE(plain && cold && warm);
    CHECK(strlen(plain) > 200);
    if (strcmp(cold, plain) != 0 || strcmp(warm, plain) != 0)
        kdx_test_fail(t, __FILE__, __LINE__, "%s: output with the index %s differs from the parsed file's", path,
                      strcmp(cold, plain) ? "cold" : "warm");
    char *ls = kdx_asprintf("ls '%s'/*.kdxidx > /dev/null 2>&1", dir);
    CHECK(system(ls) == 0); /* the index was written */
    free(ls);
    free(plain);
    free(cold);
    free(warm);
    free(cmds.s);
    free(listing);
    free(dir);
}

TEST(symcache_real_symbol_files_alone_identical)
{
    TESTDATA(root, "pdb");
    (void)root;
    for (size_t i = 0; i < KDX_ARRAY_LEN(files); i++) {
        const char *path = kdx_testdata_path(files[i]);
        if (!path) {
            kdx_test_fail(t, __FILE__, __LINE__, "%s is missing from the test data", files[i]);
            continue;
        }
        char *copy = kdx_strdup(path);
        compare_three_ways(t, copy);
        free(copy);
    }
}
