/* The symbol layer end to end on real files: the triage dump with the
 * symbol store served over HTTP on loopback and the kernel's ISF table,
 * basic32.dll with its CAB-compressed PDB, a stopped server, kernel matching
 * by the dump's own addresses, and PDBs opened alone. */
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "base/util.h"
#include "expr/expr.h"
#include "sym/symbols.h"
#include "sym/symsrv.h"
#include "tests/realdata/http_server.h"
#include "tests/test.h"

static bool exists(const char *dir, const char *rel)
{
    char *p = kdx_asprintf("%s/%s", dir, rel);
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static char *run(const char *file, const char *sympath, const char *cmds)
{
    char *setup = kdx_asprintf(".sympath %s", sympath);
    kdx_err err = {0};
    char *out = kdx_test_run(file, setup, cmds, &err);
    free(setup);
    return out;
}

TEST(sym_real_triage_over_http_with_isf)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    char *isf = kdx_strdup(kdx_testdata_path("isf"));
    kdx_http_server *srv = kdx_http_server_start(store);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/triagecache", kdx_test_tmpdir());
    char *sp = kdx_asprintf("srv*%s*http://127.0.0.1:%d/;%s", cache, kdx_http_server_port(srv), isf);
    char *out = run(dump, sp, "ln fffff8048b58334c; lmvm amdppm; ln fffff8047bdf5a80; "
                              "dt nt!_MMPTE_HARDWARE; lmvm nt");
    REQUIRE(out);
    CHECK_CONTAINS(out, "(fffff804`8b5832dc)   amdppm!WriteIoMemRawEx+0x70   |");
    CHECK_CONTAINS(out, "fffff804`8b580000 fffff804`8b5bb000   amdppm     (pdb symbols)          ");
    CHECK_CONTAINS(out, "/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    CHECK_CONTAINS(out, "GUID 1C19FDDB27BB3399D9B45973EFEAFCF3  age 1");
    CHECK_CONTAINS(out, "Timestamp:        C9C03000 (This is a reproducible build file hash");
    CHECK_CONTAINS(out, "(fffff804`7bdf5a80)   nt!KeBugCheckEx   |");
    CHECK_CONTAINS(out, "Exact matches:\n    nt!KeBugCheckEx (<no parameter info>)");
    CHECK_CONTAINS(out, "   +0x000 Valid            : Pos 0, 1 Bit\n");
    CHECK_CONTAINS(out, "   +0x000 PageFrameNumber  : Pos 12, 36 Bits\n");
    CHECK_CONTAINS(out, "   +0x000 NoExecute        : Pos 63, 1 Bit\n");
    /* The kernel was matched by the dump's addresses, and says so. */
    CHECK_CONTAINS(out, "5278AFF86C341677D7D7835C85B7B844-1.json.xz (GUID 5278AFF86C341677D7D7835C85B7B844, "
                        "age 1) matches this dump: PsLoadedModuleList at nt+c2a390 = the file's c2a390");
    /* The cache holds what was downloaded: the image (for its CodeView record) and the PDB. */
    CHECK(exists(cache, "amdppm.sys/c9c030003b000/amdppm.sys"));
    CHECK(exists(cache, "amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb"));
    free(out);
    kdx_http_server_stop(srv);
    free(sp);
    free(cache);
    free(isf);
}

TEST(sym_real_basic32_compressed_pdb_over_http)
{
    TESTDATA(dll, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll");
    TESTDATA(store, "symstore");
    kdx_http_server *srv = kdx_http_server_start(store);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/b32cache", kdx_test_tmpdir());
    char *sp = kdx_asprintf("srv*%s*http://127.0.0.1:%d/", cache, kdx_http_server_port(srv));
    char *out = run(dll, sp, "lm; .reload /f; lmvm basic32");
    REQUIRE(out);
    CHECK_CONTAINS(out, "10000000 1006c000   basic32    (deferred)");
    CHECK_CONTAINS(out, "10000000 1006c000   basic32  C (private pdb symbols)  ");
    CHECK_CONTAINS(out, "/b32cache/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pdb");
    CHECK(exists(cache, "basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pdb"));
    char *pdb = kdx_asprintf("%s/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pdb", cache);
    struct stat st;
    CHECK(stat(pdb, &st) == 0 && st.st_size > 6500000);
    free(pdb);
    free(out);
    /* A second session finds it in the cache; /o downloads it again. */
    int before = kdx_http_server_requests(srv);
    out = run(dll, sp, ".reload /f; lm m basic32");
    CHECK_CONTAINS(out, "basic32  C (private pdb symbols)");
    CHECK_EQ(kdx_http_server_requests(srv), before);
    free(out);
    out = run(dll, sp, ".reload /o basic32; lm m basic32");
    CHECK_CONTAINS(out, "basic32  C (private pdb symbols)");
    CHECK(kdx_http_server_requests(srv) > before);
    free(out);
    kdx_http_server_stop(srv);
    free(sp);
    free(cache);
}

TEST(sym_real_stopped_server_fails_clearly)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    kdx_http_server *srv = kdx_http_server_start(store);
    REQUIRE(srv);
    int port = kdx_http_server_port(srv);
    kdx_http_server_stop(srv);
    char *cache = kdx_asprintf("%s/deadcache", kdx_test_tmpdir());
    char *sp = kdx_asprintf("srv*%s*http://127.0.0.1:%d/", cache, port);
    time_t t0 = time(NULL);
    char *out = run(dump, sp, ".reload /f; lm m amdppm; ln fffff8048b58334c");
    REQUIRE(out);
    CHECK(time(NULL) - t0 < 20);
    CHECK_CONTAINS(out, "SYMSRV:  http://127.0.0.1:");
    /* One line for the unreachable server, not one per module. */
    int n = 0;
    for (const char *p = out; (p = strstr(p, "SYMSRV:")) != NULL; p++)
        n++;
    CHECK_EQ(n, 1);
    CHECK_CONTAINS(out, "*** ERROR: Module load completed but symbols could not be loaded for amdppm.sys");
    CHECK_CONTAINS(out, "amdppm   T (no symbols)");
    CHECK_CONTAINS(out, "(fffff804`8b580000)   amdppm+0x334c");
    free(out);
    free(sp);
    free(cache);
}

TEST(sym_real_triage_local_store_lm)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(store, "symstore");
    char *sp = kdx_asprintf("%s", store);
    char *out = run(dump, sp, "lm o");
    REQUIRE(out);
    int rows = 0;
    for (const char *p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        rows += strncmp(p, "fffff", 5) == 0;
    CHECK_EQ(rows, 151);

    CHECK_CONTAINS(out, "start             end                 module name\n");
    CHECK_CONTAINS(out, "fffff804`7ba00000 fffff804`7ca46000   nt         (deferred)");
    free(out);
    out = run(dump, sp, "lm a fffff8048b58334c; lm 1m m amdg*; lm sm m amdg*");
    REQUIRE(out);
    CHECK_CONTAINS(out, "module name\nfffff804`8b580000 fffff804`8b5bb000   amdppm     (deferred)");
    CHECK_CONTAINS(out, "amdgpio2\namdgpio3\n");
    CHECK_CONTAINS(out, "amdgpio2   (deferred)             \nfffff804`8b5c0000");
    free(out);
    /* lm f: the image path in place of the symbol status ("kernel32 C:\Windows\..."
     * in public lmf transcripts; the lm documentation's f option). */
    /* lmv with the image at hand: its version resource in WinDbg's layout
     * (public lmv transcripts: "File flags:       8 (Mask 3F) Private", "File OS:
     * 40004 NT Win32", "File type:        2.0 Dll", strings under "Information
     * from resource tables:" indented by eight). */
    out = run(dump, sp, ".reload /f amdppm.sys; lmvm amdppm");
    REQUIRE(out);
    CHECK_CONTAINS(out, "    ImageSize:        0003B000\n"
                        "    File version:     10.0.19041.1110\n"
                        "    Product version:  10.0.19041.1110\n"
                        "    File flags:       0 (Mask 3F)\n"
                        "    File OS:          40004 NT Win32\n"
                        "    File type:        3.7 Driver\n"
                        "    File date:        00000000.00000000\n"
                        "    Translations:     0409.04b0\n"
                        "    Information from resource tables:\n"
                        "        CompanyName:      Microsoft Corporation\n");
    CHECK_CONTAINS(out, "        OriginalFilename: amdppm.sys\n");
    CHECK_CONTAINS(out, "        FileDescription:  Processor Device Driver\n");
    free(out);
    out = run(dump, sp, "lm f m amdp*");
    REQUIRE(out);
    CHECK_CONTAINS(out, "module name\nfffff804`7a860000 fffff804`7a881000   amdpsp   "
                        "\\SystemRoot\\System32\\drivers\\amdpsp.sys\n");
    CHECK_CONTAINS(out, "   amdppm   \\SystemRoot\\System32\\drivers\\amdppm.sys\n");
    free(out);
    out = run(dump, sp, "!lmi amdppm");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Loaded Module Info: [amdppm] \n         Module: amdppm\n"
                        "   Base Address: fffff8048b580000\n");
    CHECK_CONTAINS(out, "   Machine Type: 34404 (X64)\n");
    CHECK_CONTAINS(out, "CODEVIEW    23,  110bc,   104bc RSDS - GUID: {1C19FDDB-27BB-3399-D9B4-5973EFEAFCF3}\n"
                        "               Age: 1, Pdb: amdppm.pdb\n");
    CHECK_CONTAINS(out, "    Load Report: public symbols , not source indexed");
    free(out);
    out = run(dump, sp, "ln fffff8048b58334c; .json 1; lm m amdppm");
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"name\": \"amdppm\"");
    CHECK_CONTAINS(out, "\"start\": \"0xfffff8048b580000\"");
    CHECK_CONTAINS(out, "\"symbols\": \"pdb symbols\"");
    CHECK_CONTAINS(out, "\"guid\": \"1C19FDDB27BB3399D9B45973EFEAFCF3\"");
    free(out);
    free(sp);
}

TEST(sym_real_kernel_candidate_that_disagrees_is_refused)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(other, "pdb/dump_syms_regtest64.pdb");
    const char *tmp = kdx_test_tmpdir();
    char *dir = kdx_asprintf("%s/wrongkernel/ntkrnlmp.pdb/0123456789ABCDEF0123456789ABCDEF1", tmp);
    REQUIRE(kdx_mkdirs(dir, NULL) == KDX_OK);
    char *dst = kdx_asprintf("%s/ntkrnlmp.pdb", dir);
    REQUIRE(kdx_copy_file_atomic(other, dst, NULL) == KDX_OK);
    char *sp = kdx_asprintf("%s/wrongkernel", tmp);
    char *out = run(dump, sp, "ln fffff8047bdf5a80; lmvm nt");
    REQUIRE(out);
    CHECK_CONTAINS(out, "(fffff804`7ba00000)   nt+0x3f5a80");
    CHECK_CONTAINS(out, "nt         (no symbols)");
    CHECK_CONTAINS(out, "no kernel symbol file agrees with this dump");
    CHECK_CONTAINS(out, "ntkrnlmp.pdb refused: none of the dump's kernel addresses are in it");
    free(out);
    free(sp);
    free(dst);
    free(dir);
}

/* Every FUNC record of Breakpad's own reading of the PDB is named by `ln`
 * at its RVA, with the PDB opened alone as the target. */
TEST(sym_real_pdb_alone_ln_matches_breakpad_funcs)
{
    TESTDATA(pdb, "pdb/dump_syms_regtest64.pdb");
    TESTDATA(sym, "pdb/dump_syms_regtest64.sym");
    FILE *fp = fopen(sym, "r");
    REQUIRE(fp);
    kdx_strbuf cmds;
    kdx_sb_init(&cmds);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, fp) && n < 40) {
        unsigned rva, size, params;
        if (sscanf(line, "FUNC %x %x %x", &rva, &size, &params) == 3) {
            kdx_sb_printf(&cmds, "ln %x;", rva);
            n++;
        }
    }
    fclose(fp);
    REQUIRE(n > 0);
    char *list = kdx_sb_take(&cmds);
    kdx_err err = {0};
    char *out = kdx_test_run(pdb, NULL, list, &err);
    REQUIRE(out);
    int exact = 0;
    for (const char *p = out; (p = strstr(p, "Exact matches:")) != NULL; p++)
        exact++;
    CHECK_EQ(exact, n);
    free(out);
    free(list);
    /* x as JSON: Breakpad's "FUNC 1160 16 0 google_breakpad::C::set_member(int)". */
    out = kdx_test_run(pdb, NULL, ".json 1; x dump_syms_regtest64!google_breakpad::C::set*", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"address\": \"0x1160\"");
    CHECK_CONTAINS(out, "\"kind\": \"function\"");
    CHECK_CONTAINS(out, "\"size\": 22");
    free(out);
}

/* The image from the image path (.exepath / -i, flat), its PDB from a flat
 * directory named by _NT_SYMBOL_PATH. */
TEST(sym_real_image_path_and_flat_pdb)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *dumpdup = kdx_strdup(dump);
    TESTDATA(sys, "symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    char *sysdup = kdx_strdup(sys);
    TESTDATA(pdbdir, "symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31");
    const char *tmp = kdx_test_tmpdir();
    char *img = kdx_asprintf("%s/images", tmp);
    char *dst = kdx_asprintf("%s/amdppm.sys", img);
    REQUIRE(kdx_mkdirs(img, NULL) == KDX_OK);
    REQUIRE(kdx_copy_file_atomic(sysdup, dst, NULL) == KDX_OK);
    const char *saved = getenv("_NT_SYMBOL_PATH");
    char *keep = saved ? kdx_strdup(saved) : NULL;
    setenv("_NT_SYMBOL_PATH", pdbdir, 1);
    char *setup = kdx_asprintf(".exepath %s", img);
    kdx_err err = {0};
    char *out = kdx_test_run(dumpdup, setup, "ln fffff8048b58334c; lmvm amdppm", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "amdppm!WriteIoMemRawEx+0x70");
    CHECK_CONTAINS(out, "amdppm     (pdb symbols)");
    free(out);
    /* Without the image path the PDB's identity is unknown: no symbols. */
    out = kdx_test_run(dumpdup, NULL, "ln fffff8048b58334c; lm m amdppm", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "*** WARNING: Unable to verify timestamp for amdppm.sys");
    CHECK_CONTAINS(out, "amdppm   T (no symbols)");
    free(out);
    if (keep)
        setenv("_NT_SYMBOL_PATH", keep, 1);
    else
        unsetenv("_NT_SYMBOL_PATH");
    free(keep);
    free(setup);
    free(dst);
    free(img);
    free(sysdup);
    free(dumpdup);
}

/* The same through the command line, as a user types it: kdx -z DUMP -y "srv*CACHE*URL;ISF". */
TEST(sym_real_cli_dash_y_with_server)
{
    const char *bin = getenv("KDX_BIN");
    if (!bin || !*bin)
        SKIP("KDX_BIN (the kdx binary, set by make test) is not set");
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *dumpdup = kdx_strdup(dump);
    TESTDATA(store, "symstore");
    char *storedup = kdx_strdup(store);
    TESTDATA(isf, "isf");
    kdx_http_server *srv = kdx_http_server_start(storedup);
    REQUIRE(srv);
    char *cache = kdx_asprintf("%s/clicache", kdx_test_tmpdir());
    char *cmd = kdx_asprintf("'%s' -z '%s' -y 'srv*%s*http://127.0.0.1:%d/;%s' "
                             "-c 'ln fffff8048b58334c; lmvm amdppm; ln fffff8047bdf5a80; q' 2>&1",
                             bin, dumpdup, cache, kdx_http_server_port(srv), isf);
    FILE *p = popen(cmd, "r");
    REQUIRE(p);
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    char line[1024];
    while (fgets(line, sizeof line, p))
        kdx_sb_puts(&sb, line);
    int rc = pclose(p);
    char *out = kdx_sb_take(&sb);
    CHECK_EQ(rc, 0);
    CHECK_CONTAINS(out, "amdppm!WriteIoMemRawEx+0x70");
    CHECK_CONTAINS(out, "amdppm     (pdb symbols)");
    CHECK_CONTAINS(out, "GUID 1C19FDDB27BB3399D9B45973EFEAFCF3");
    CHECK_CONTAINS(out, "nt!KeBugCheckEx   |");
    CHECK(exists(cache, "amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb"));
    free(out);
    kdx_http_server_stop(srv);
    free(cmd);
    free(cache);
    free(storedup);
    free(dumpdup);
}

/* Typed reads by field name, the way kernel code in kdx reads structures. */
TEST(sym_real_read_field_and_offsets)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *dumpdup = kdx_strdup(dump);
    TESTDATA(isf, "isf");
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = kdx_session_new(null);
    kdx_sym_set_path(s, isf, false);
    kdx_err err = {0};
    REQUIRE(kdx_session_open(s, dumpdup, &err) == KDX_OK);
    uint64_t thread = 0, v = 0, off = 0;
    REQUIRE(kdx_expr_eval_all(s, "@$thread", &thread, &err) == KDX_OK);
    CHECK_OK(kdx_read_field(s, "nt!_KTHREAD", thread, "ApcState.Process", &v, &err));
    CHECK_EQ(v, 0xffffc08bdce94180ull);
    CHECK_OK(kdx_field_offset(s, "nt!_KTHREAD", "ApcState.Process", &off, &err));
    CHECK_EQ(off, 0x98 + 0x20);
    CHECK_OK(kdx_field_offset(s, "_EPROCESS", "ImageFileName", &off, &err));
    CHECK_EQ(off, 0x5a8);
    /* A bit field: _KPROCESS.AutoAlignment (bit 0 of ProcessFlags) of the System process. */
    CHECK_OK(kdx_read_field(s, "nt!_KPROCESS", v, "AutoAlignment", &off, &err));
    CHECK_EQ(off, 1);
    CHECK(kdx_read_field(s, "nt!_KTHREAD", thread, "NoSuchField", &v, &err) != KDX_OK);
    CHECK_CONTAINS(err.msg, "NoSuchField");
    CHECK(kdx_sym_find_type(s, "nt!_NOSUCHTYPE", &err) == NULL);
    CHECK_CONTAINS(err.msg, "Symbol nt!_NOSUCHTYPE not found.");
    /* Names and module+offset in both directions. */
    uint64_t a = 0;
    CHECK_OK(kdx_sym_to_addr(s, "nt!KeBugCheckEx", &a, &err));
    CHECK_EQ(a, 0xfffff8047bdf5a80ull);
    CHECK_OK(kdx_sym_to_addr(s, "nt+3f5a80", &a, &err));
    CHECK_EQ(a, 0xfffff8047bdf5a80ull);
    char buf[128];
    kdx_sym_format(s, 0xfffff8047bdf5a90ull, buf, sizeof buf);
    CHECK_STR(buf, "nt!KeBugCheckEx+0x10");
    kdx_session_free(s);
    fclose(null);
    free(dumpdup);
}

/* Without its PDB, a module with an export table falls back to it, as WinDbg does. */
TEST(sym_real_export_symbols_fallback)
{
    TESTDATA(dll, "symstore/basic32.dll/5DDC1E9A6c000/basic32.dll");
    char *tmp = kdx_strdup(kdx_test_tmpdir());
    char *out = run(dll, tmp, ".reload /f; lm; x basic32!A::meth1");
    REQUIRE(out);
    CHECK_CONTAINS(out, "*** ERROR: Symbol file could not be found.  Defaulted to export symbols for basic32.dll - ");
    CHECK_CONTAINS(out, "basic32  C (export symbols)       basic32.dll");
    CHECK_CONTAINS(out, "basic32!A::meth1 (<no parameter info>)");
    free(out);
    free(tmp);
}

/* An ISF candidate whose text already disagrees is refused without parsing it whole. */
TEST(sym_real_kernel_isf_candidate_quick_refusal)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *dumpdup = kdx_strdup(dump);
    const char *tmp = kdx_test_tmpdir();
    char *dir = kdx_asprintf("%s/wrongisf/ntkrnlmp.pdb", tmp);
    REQUIRE(kdx_mkdirs(dir, NULL) == KDX_OK);
    char *file = kdx_asprintf("%s/00000000000000000000000000000000-1.json", dir);
    FILE *fp = fopen(file, "w");
    REQUIRE(fp);
    fputs("{\"symbols\": {\"PsLoadedModuleList\": {\"address\": 16},\n"
          "\"PsActiveProcessHead\": {\"address\": 32}, \"KdDebuggerDataBlock\": {\"address\": 48}}}",
          fp);
    fclose(fp);
    char *sp = kdx_asprintf("%s/wrongisf", tmp);
    char *out = run(dumpdup, sp, "!sym noisy; ln fffff8047bdf5a80");
    REQUIRE(out);
    CHECK_CONTAINS(out, "-1.json refused: its kernel addresses disagree with the dump's");
    CHECK_CONTAINS(out, "(fffff804`7ba00000)   nt+0x3f5a80");
    free(out);
    free(sp);
    free(file);
    free(dir);
    free(dumpdup);
}

/* ln on a data symbol of a private PDB: its exact match shows the value the
 * way x does ("name = value"), code its parameter types. */
TEST(sym_real_ln_exact_match_data_and_code)
{
    TESTDATA(dump, "user/symbolic/mini.dmp");
    TESTDATA(dir, "user/symbolic");
    char *out = run(dump, dir, "ln crash!__security_cookie; ln crash!main");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Exact matches:\n    crash!__security_cookie = <Memory access error>\n");
    CHECK_CONTAINS(out, "(002a2910)   crash!main   |  (002a2a6e)   crash!__security_check_cookie\n"
                        "Exact matches:\n    crash!main (int, char **)\n");
    free(out);
}
