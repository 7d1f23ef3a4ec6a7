/* The PDB provider on real PDBs, checked against independent readings:
 * Breakpad's dump_syms output (.sym) and llvm-pdbutil facts. */
#include <stdlib.h>
#include <string.h>

#include <mspack.h>

#include "base/file.h"
#include "base/util.h"
#include "pdb/pdb.h"
#include "pdb/pdb_provider.h"
#include "target/module.h"
#include "sym/sources.h"
#include "tests/realdata/breakpad_oracle.h"
#include "tests/test.h"

/* Opens dump_syms_regtest64.pdb and reads its .sym; *n == 0 when absent. */
static const char *open_regtest(bp_record **syms, size_t *n, kdx_symprov *p, kdx_symfile_id *id,
                                kdx_err *err)
{
    static char pdbcopy[4096];
    const char *pdbpath = kdx_testdata_path("pdb/dump_syms_regtest64.pdb");
    *n = 0;
    if (!pdbpath)
        return "needs ../shared/testdata/pdb/dump_syms_regtest64.pdb";
    snprintf(pdbcopy, sizeof pdbcopy, "%s", pdbpath);
    const char *sympath = kdx_testdata_path("pdb/dump_syms_regtest64.sym");
    if (!sympath)
        return "needs ../shared/testdata/pdb/dump_syms_regtest64.sym";
    *n = bp_read_symbols(sympath, syms);
    kdx_pdb_provider_open(pdbcopy, p, id, err);
    return NULL;
}

/* Declares syms, n, p, id, err for the regtest PDB; skips when absent. */
#define OPEN_REGTEST()                                                              \
    bp_record *syms;                                                                \
    size_t n;                                                                       \
    kdx_symprov p;                                                                  \
    kdx_symfile_id id;                                                              \
    kdx_err err = {0};                                                              \
    const char *why = open_regtest(&syms, &n, &p, &id, &err);                       \
    if (why)                                                                        \
        SKIP("%s", why);                                                            \
    REQUIRE(n >= 248); /* 246 FUNC + 2 PUBLIC */                                    \
    if (!p.ops)                                                                     \
        kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);                  \
    REQUIRE(p.ops)

TEST(pdb_real_breakpad_oracle_by_rva_and_name)
{
    OPEN_REGTEST();
    char g[33];
    kdx_guid_format(id.guid, g);
    CHECK_STR(g, "72E103A85CB249078B76B2E7C06257B1");
    CHECK_EQ(id.age, 3);
    CHECK(kdx_pdb_has_private_symbols(&p));
    CHECK_EQ(id.arch, KDX_ARCH_X64);
    int bad_rva = 0, bad_name = 0, bad_lookup = 0;
    for (size_t i = 0; i < n; i++) {
        char *want = bp_windbg_name(syms[i].name);
        kdx_symbol s = {0};
        if (p.ops->by_rva(p.impl, syms[i].rva, &s) || s.rva != syms[i].rva ||
            (syms[i].kind == 'F' && s.size != syms[i].size)) {
            if (bad_rva++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "by_rva %x: got rva %x size %x, want %s %x %s",
                              syms[i].rva, s.rva, s.size, syms[i].name, syms[i].size, want);
        } else if (!bp_same_name(s.name, want)) {
            if (bad_name++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "by_rva %x: name %s, want %s", syms[i].rva,
                              s.name, want);
        }
        kdx_symbol byname = {0};
        const char *query = s.name && s.name[0] == '_' && strcmp(s.name + 1, want) == 0 ? s.name : want;
        if (p.ops->by_name(p.impl, query, &byname) || byname.rva != syms[i].rva ||
            (syms[i].kind == 'F' && byname.size != syms[i].size)) {
            if (bad_lookup++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "by_name %s: rva %x size %x, want %x %x", want,
                              byname.rva, byname.size, syms[i].rva, syms[i].size);
        }
        free(want);
    }
    if (bad_rva || bad_name || bad_lookup)
        kdx_test_fail(t, __FILE__, __LINE__, "%zu records: %d bad rva/size, %d bad name, %d bad name lookup",
                      n, bad_rva, bad_name, bad_lookup);
    CHECK_EQ(bad_rva, 0);
    /* Parameter lists from the procedures' types (llvm-pdbutil: main is
     * `int (int, char**)`; C::set_member takes an int; C::f takes nothing). */
    char *params = kdx_pdb_params_at(&p, 0x1010);
    CHECK_STR(params, "(int, char **)");
    free(params);
    params = kdx_pdb_params_at(&p, 0x1160);
    CHECK_STR(params, "(int)");
    free(params);
    params = kdx_pdb_params_at(&p, 0x1110);
    CHECK_STR(params, "(void)");
    free(params);
    CHECK(kdx_pdb_params_at(&p, 0xb97c) == NULL); /* a public: no type */
    /* Inside a function: the function, not a compiler label ($LN14 at 0x1318). */
    kdx_symbol in;
    CHECK_OK(p.ops->by_rva(p.impl, 0x1320, &in));
    CHECK_STR(in.name, "__tmainCRTStartup");
    CHECK_EQ(in.rva, 0x11bc);
    /* An assembler label is a symbol of its own (memcmp's mcmp10 at 0001:28512). */
    CHECK_OK(p.ops->by_rva(p.impl, 0x1000 + 28512 + 1, &in));
    CHECK_STR(in.name, "mcmp10");
    CHECK_EQ(in.kind, KDX_SYM_LABEL);
    CHECK_EQ(bad_name, 0);
    CHECK_EQ(bad_lookup, 0);
    bp_free_symbols(syms, n);
    p.ops->destroy(p.impl);
}

TEST(pdb_real_breakpad_oracle_signatures)
{

    OPEN_REGTEST();
    int bad_sig = 0;
    for (size_t i = 0; i < n; i++) {
        char *sig = kdx_pdb_signature_at(&p, syms[i].rva);
        if (!sig || strcmp(sig, syms[i].name) != 0) {
            if (bad_sig++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "signature at %x: \"%s\", want \"%s\"",
                              syms[i].rva, sig ? sig : "(null)", syms[i].name);
        }
        free(sig);
    }
    if (bad_sig)
        kdx_test_fail(t, __FILE__, __LINE__, "%zu records: %d bad signatures", n, bad_sig);
    bp_free_symbols(syms, n);
    p.ops->destroy(p.impl);
}

static bool open_pdb(const char *path, kdx_symprov *p, kdx_symfile_id *id, kdx_err *err)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    return kdx_pdb_provider_open(copy, p, id, err) == KDX_OK;
}

static const kdx_field *field_named(const kdx_type *t, const char *name)
{
    uint32_t n;
    const kdx_field *f = kdx_type_fields(t, &n);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].name && strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

/* Facts from llvm-pdbutil dump -types CrashWithException.pdb: 0x1D27
 * _TP_CALLBACK_ENVIRON_V3 sizeof 72; u (0x1D25, union sizeof 4) at 56 holds s
 * (0x1D23) with bit fields LongFunction 0/1, Persistent 1/1, Private 2/30 of
 * unsigned long; CallbackPriority (enum _TP_CALLBACK_PRIORITY over int,
 * HIGH=0 NORMAL=1 LOW=2 INVALID=3 COUNT=3) at 60; Size at 64. */
TEST(pdb_real_types_struct_bitfields_enum)
{
    TESTDATA(path, "pdb/CrashWithException.pdb");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    REQUIRE(open_pdb(path, &p, &id, &err));
    CHECK(id.has_types);
    const kdx_type *ty = p.ops->find_type(p.impl, "_TP_CALLBACK_ENVIRON_V3");
    REQUIRE(ty);
    CHECK_EQ(ty->kind, KDX_TYPE_STRUCT);
    CHECK_EQ(ty->size, 72);
    uint32_t n;
    kdx_type_fields(ty, &n);
    CHECK_EQ(n, 10);
    const kdx_field *f = field_named(ty, "Version");
    REQUIRE(f);
    CHECK_EQ(f->offset, 0);
    CHECK_EQ(kdx_type_strip(f->type)->base, KDX_BASE_UINT4);
    f = field_named(ty, "Pool");
    REQUIRE(f);
    CHECK_EQ(f->offset, 8);
    CHECK_EQ(f->type->kind, KDX_TYPE_POINTER);
    CHECK_EQ(f->type->size, 8);
    f = field_named(ty, "Size");
    REQUIRE(f);
    CHECK_EQ(f->offset, 64);
    uint64_t off;
    const kdx_type *ft;
    CHECK_OK(kdx_type_field_path(ty, "u.s.Private", &off, &ft, &err));
    CHECK_EQ(off, 56);
    REQUIRE(ft);
    CHECK_EQ(ft->kind, KDX_TYPE_BITFIELD);
    CHECK_EQ(ft->bit_pos, 2);
    CHECK_EQ(ft->bit_len, 30);
    CHECK_EQ(kdx_type_strip(ft->target)->base, KDX_BASE_UINT4);
    CHECK_OK(kdx_type_field_path(ty, "u.s.Persistent", &off, &ft, &err));
    CHECK_EQ(ft->bit_pos, 1);
    CHECK_EQ(ft->bit_len, 1);
    f = field_named(ty, "u");
    REQUIRE(f);
    CHECK_EQ(kdx_type_strip(f->type)->kind, KDX_TYPE_UNION);
    CHECK_EQ(kdx_type_strip(f->type)->size, 4);
    f = field_named(ty, "CallbackPriority");
    REQUIRE(f);
    CHECK_EQ(f->offset, 60);
    const kdx_type *e = kdx_type_strip(f->type);
    CHECK_EQ(e->kind, KDX_TYPE_ENUM);
    CHECK_STR(e->name, "_TP_CALLBACK_PRIORITY");
    CHECK_EQ(e->size, 4);
    const kdx_enumerator *en = kdx_type_enumerators(e, &n);
    REQUIRE(n == 5);
    CHECK_STR(en[1].name, "TP_CALLBACK_PRIORITY_NORMAL");
    CHECK_EQ(en[1].value, 1);
    CHECK_STR(en[4].name, "TP_CALLBACK_PRIORITY_COUNT");
    CHECK_EQ(en[4].value, 3);
    CHECK(p.ops->find_type(p.impl, "_NO_SUCH_TYPE_") == NULL);
    CHECK(p.ops->find_type(p.impl, "_tp_callback_environ_v3") == ty); /* case folds */
    /* S_UDT LPBYTE (global symbols): a typedef of unsigned char * (64-bit). */
    const kdx_type *td = p.ops->find_type(p.impl, "LPBYTE");
    REQUIRE(td);
    CHECK_EQ(td->kind, KDX_TYPE_TYPEDEF);
    CHECK_STR(td->name, "LPBYTE");
    const kdx_type *ptr = kdx_type_strip(td);
    REQUIRE(ptr && ptr->kind == KDX_TYPE_POINTER);
    CHECK_EQ(ptr->size, 8);
    CHECK_EQ(kdx_type_strip(ptr->target)->base, KDX_BASE_UCHAR);
    p.ops->destroy(p.impl);
}

/* Facts from llvm-pdbutil dump -types SimplePDB.pdb (x86): 0x1012
 * threadlocaleinfostruct sizeof 184 (forward ref 0x1000 -> 0x1012);
 * lc_category at 16 is an array of 96 bytes of localerefcount (0x1062, sizeof
 * 16: locale char* at 0, wlocale wchar_t* at 4); locale_name at 160 is
 * wchar_t*[6] (24 bytes); pctype at 144 is a 32-bit pointer. */
TEST(pdb_real_types_arrays_forward_refs)
{
    TESTDATA(path, "pdb/SimplePDB.pdb");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    REQUIRE(open_pdb(path, &p, &id, &err));
    const kdx_type *ty = p.ops->find_type(p.impl, "threadlocaleinfostruct");
    REQUIRE(ty);
    CHECK_EQ(ty->size, 184);
    CHECK(!ty->is_forward);
    const kdx_field *f = field_named(ty, "lc_category");
    REQUIRE(f);
    CHECK_EQ(f->offset, 16);
    REQUIRE(f->type && f->type->kind == KDX_TYPE_ARRAY);
    CHECK_EQ(f->type->size, 96);
    CHECK_EQ(f->type->count, 6);
    const kdx_type *elem = kdx_type_strip(f->type->target);
    REQUIRE(elem);
    CHECK_STR(elem->name, "localerefcount");
    CHECK_EQ(elem->size, 16);
    const kdx_field *w = field_named(elem, "wlocale");
    REQUIRE(w);
    CHECK_EQ(w->offset, 4);
    CHECK_EQ(w->type->kind, KDX_TYPE_POINTER);
    CHECK_EQ(w->type->size, 4);
    CHECK_EQ(kdx_type_strip(w->type->target)->base, KDX_BASE_WCHAR);
    f = field_named(ty, "locale_name");
    REQUIRE(f);
    CHECK_EQ(f->offset, 160);
    CHECK_EQ(f->type->count, 6);
    char buf[128];
    kdx_type_dt_name(f->type, buf, sizeof buf);
    CHECK_STR(buf, "[6] Ptr32 Wchar");
    f = field_named(ty, "pctype");
    REQUIRE(f);
    CHECK_EQ(f->offset, 144);
    CHECK_EQ(f->type->size, 4);
    p.ops->destroy(p.impl);
}

/* Every line record of the .sym ("rva size line file") is the line kdx finds
 * for that address, in the same file. */
TEST(pdb_real_lines_match_breakpad)
{
    TESTDATA(pdbpath, "pdb/dump_syms_regtest64.pdb");
    kdx_symprov p;
    kdx_err err = {0};
    REQUIRE(open_pdb(pdbpath, &p, NULL, &err));
    TESTDATA(sympath, "pdb/dump_syms_regtest64.sym");
    CHECK(bp_check_lines(t, &p, sympath) > 1000);
    p.ops->destroy(p.impl);
}

TEST(pdb_real_truncated_pdb_fails_cleanly)
{
    TESTDATA(pdbpath, "pdb/dump_syms_regtest64.pdb");
    uint8_t *buf;
    size_t len;
    kdx_err err = {0};
    REQUIRE(kdx_read_all(pdbpath, &buf, &len, &err) == KDX_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/trunc.pdb", kdx_test_tmpdir());
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    fwrite(buf, 1, 65536, f);
    fclose(f);
    free(buf);
    kdx_symprov p;
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "trunc.pdb");
    CHECK(p.ops == NULL);
}

/* Opening reads only the directory, the info stream, the DBI and section
 * headers; the first address lookup reads module streams; types stay unread. */
TEST(pdb_real_open_is_lazy)
{
    TESTDATA(pdbpath, "pdb/CrashWithException.pdb");
    kdx_symprov p;
    kdx_err err = {0};
    REQUIRE(open_pdb(pdbpath, &p, NULL, &err));
    uint32_t total, read = kdx_pdb_streams_read(&p, &total);
    CHECK(total > 20);
    CHECK(read <= 4);
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "main", &s));
    uint32_t after_name = kdx_pdb_streams_read(&p, NULL);
    CHECK(after_name < total / 2);
    p.ops->destroy(p.impl);
}

/* Facts from llvm-pdbutil dump -fpo seh_x86/xcpt4.pdb (New FPO Data):
 * 0x1010: code 31, locals 0, params 8, prolog 3, saved regs 0, function start,
 *   program "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = ";
 * 0x1070: code 280, locals 32, prolog 54, saved regs 16, has SEH;
 * 0x1240 (code 17) contains 0x1241 (code 15, saved regs 4). */
TEST(pdb_real_x86_frame_data)
{
    TESTDATA(path, "pdb/seh_x86/xcpt4.pdb");
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    REQUIRE(open_pdb(path, &p, &id, &err));
    CHECK_EQ(id.arch, KDX_ARCH_X86);
    kdx_frame_data f;
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1015, &f));
    CHECK_EQ(f.rva_start, 0x1010);
    CHECK_EQ(f.code_size, 31);
    CHECK_EQ(f.params_size, 8);
    CHECK_EQ(f.prolog_size, 3);
    CHECK_EQ(f.locals_size, 0);
    CHECK(f.has_program);
    CHECK_STR(f.program, "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = ");
    CHECK(!f.is_fpo);
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1070 + 279, &f));
    CHECK_EQ(f.rva_start, 0x1070);
    CHECK_EQ(f.locals_size, 32);
    CHECK_EQ(f.prolog_size, 54);
    CHECK_EQ(f.saved_regs_size, 16);
    CHECK(f.has_seh);
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1245, &f));
    CHECK_EQ(f.rva_start, 0x1241);
    CHECK_EQ(f.saved_regs_size, 4);
    CHECK_OK(p.ops->frame_data_for_rva(p.impl, 0x1240, &f));
    CHECK_EQ(f.rva_start, 0x1240);
    CHECK_EQ(p.ops->frame_data_for_rva(p.impl, 0x1006, &f), KDX_E_NOT_FOUND);
    p.ops->destroy(p.impl);
}

/* Opens path and checks the identity it reports (GUID as the store spells it). */
static bool open_with_identity(kdx_test_ctx *t, const char *path, kdx_symprov *p,
                               const char *guid, uint32_t age, kdx_arch arch)
{
    kdx_symfile_id id;
    kdx_err err = {0};
    if (!open_pdb(path, p, &id, &err)) {
        kdx_test_fail(t, __FILE__, __LINE__, "open %s: %s", path, err.msg);
        return false;
    }
    char g[33];
    kdx_guid_format(id.guid, g);
    CHECK_STR(g, guid);
    CHECK_EQ(id.age, age);
    CHECK_EQ(id.arch, arch);
    return true;
}

/* symstore/amdppm.pdb: the identity its store path names. */
TEST(pdb_real_amdppm_identity)
{
    TESTDATA(path, "symstore/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb");
    kdx_symprov p;
    REQUIRE(open_with_identity(t, path, &p, "1C19FDDB27BB3399D9B45973EFEAFCF3", 1, KDX_ARCH_X64));
    kdx_symbol s;
    CHECK(!kdx_pdb_has_private_symbols(&p)); /* Microsoft's public PDB: stripped */
    CHECK_OK(p.ops->by_name(p.impl, "WriteIoMemRawEx", &s));
    kdx_symbol s2;
    CHECK_OK(p.ops->by_rva(p.impl, s.rva + 0x70, &s2));
    CHECK_STR(s2.name, "WriteIoMemRawEx");
    p.ops->destroy(p.impl);
}

/* Expands a single-file CAB (a symbol server's name.pd_) with libmspack. */
static bool expand_cab(const char *cab_path, const char *out_path)
{
    struct mscab_decompressor *d = mspack_create_cab_decompressor(NULL);
    if (!d)
        return false;
    struct mscabd_cabinet *cab = d->open(d, (char *)cab_path);
    bool ok = cab && cab->files && d->extract(d, cab->files, (char *)out_path) == MSPACK_ERR_OK;
    if (cab)
        d->close(d, cab);
    mspack_destroy_cab_decompressor(d);
    return ok;
}

/* The 6.59 MB x86 PDB behind symstore/basic32.pd_: opening it reads a handful
 * of its streams; a name lookup goes through the hash tables without building
 * the address index; types come from the TPI hash. */
TEST(pdb_real_basic32_large_pdb_is_lazy)
{
    TESTDATA(cab, "symstore/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2/basic32.pd_");
    char out[4096];
    snprintf(out, sizeof out, "%s/basic32.pdb", kdx_test_tmpdir());
    REQUIRE(expand_cab(cab, out));
    kdx_symprov p;
    REQUIRE(open_with_identity(t, out, &p, "34060D222DBB44E5AA72243CE8326C2F", 2, KDX_ARCH_X86));
    uint32_t total, read = kdx_pdb_streams_read(&p, &total);
    CHECK(total > 100);
    CHECK(read <= 6);
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "DllMain", &s));
    CHECK(s.kind == KDX_SYM_FUNCTION && s.size > 0);
    uint32_t after_name = kdx_pdb_streams_read(&p, NULL);
    CHECK(after_name < total / 4);
    kdx_symbol s2;
    CHECK_OK(p.ops->by_rva(p.impl, s.rva + 1, &s2));
    CHECK_STR(s2.name, "DllMain");
    p.ops->destroy(p.impl);
}

/* llvm-pdbutil dump -globals / -section-headers on dump_syms_regtest64.pdb:
 * S_GDATA32 _fltused, int, at 0003:4768 (.data at RVA 0x14000). */
TEST(pdb_real_global_data)
{
    TESTDATA(path, "pdb/dump_syms_regtest64.pdb");
    kdx_symprov p;
    kdx_err err = {0};
    REQUIRE(open_pdb(path, &p, NULL, &err));
    kdx_symbol s;
    CHECK_OK(p.ops->by_name(p.impl, "_fltused", &s));
    CHECK_EQ(s.kind, KDX_SYM_DATA);
    CHECK_EQ(s.rva, 0x14000 + 4768);
    CHECK_EQ(s.size, 4);
    REQUIRE(s.type);
    CHECK_EQ(kdx_type_strip(s.type)->base, KDX_BASE_INT4);
    kdx_symbol at;
    CHECK_OK(p.ops->by_rva(p.impl, 0x14000 + 4768 + 2, &at));
    CHECK_STR(at.name, "_fltused");
    CHECK_EQ(at.size, 4);
    p.ops->destroy(p.impl);
}

/* llvm-pdbutil dump -ids / -types CrashWithException.pdb: IPI 0x10E4 is
 * LF_FUNC_ID printf of type 0x1CB2 (int (const char *, ...)); 0x10E5 is
 * LF_MFUNC_ID {dtor} of type 0x1095. Procedures of kind S_GPROC32_ID name
 * their types this way. */
TEST(pdb_real_ipi_function_ids)
{
    TESTDATA(path, "pdb/CrashWithException.pdb");
    kdx_symprov p;
    kdx_err err = {0};
    REQUIRE(open_pdb(path, &p, NULL, &err));
    kdx_pdb *pdb = p.impl;
    CHECK_EQ(kdx_pdb_id_to_type(pdb, 0x10E4), 0x1CB2);
    CHECK_EQ(kdx_pdb_id_to_type(pdb, 0x10E5), 0x1095);
    CHECK_EQ(kdx_pdb_id_to_type(pdb, 0x0FFF), 0);
    char *params = kdx_pdb_proc_params(pdb, 0x1CB2);
    CHECK_STR(params, "(char *, ...)");
    free(params);
    p.ops->destroy(p.impl);
}
