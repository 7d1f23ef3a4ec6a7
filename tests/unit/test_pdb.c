/* Unit tests for src/pdb that need no test data: the C++ undecorator, the
 * GSI name hash, and rejection of corrupt MSF files. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"
#include "sym/sources.h"
#include "tests/test.h"

static void check_und(kdx_test_ctx *t, const char *mangled, bool args, const char *want)
{
    char *got = kdx_undname(mangled, args);
    if (!want) {
        if (got)
            kdx_test_fail(t, __FILE__, __LINE__, "%s: expected no undecoration, got \"%s\"", mangled, got);
    } else if (!got || strcmp(got, want) != 0) {
        kdx_test_fail(t, __FILE__, __LINE__, "%s:\n  got:  \"%s\"\n  want: \"%s\"", mangled,
                      got ? got : "(null)", want);
    }
    free(got);
}

/* Expected texts: llvm-undname's reading of each name, without return types,
 * calling conventions, access specifiers and struct/class keywords. */
TEST(pdb_undname_functions)
{
    check_und(t, "?h@C@google_breakpad@@SAPEADAEBV12@@Z", true,
              "google_breakpad::C::h(google_breakpad::C const &)");
    check_und(t, "?h@C@google_breakpad@@SAPEADAEBV12@@Z", false, "google_breakpad::C::h");
    check_und(t, "??0_LocaleUpdate@@QEAA@PEAUlocaleinfo_struct@@@Z", true,
              "_LocaleUpdate::_LocaleUpdate(localeinfo_struct *)");
    check_und(t, "??1C@google_breakpad@@UEAA@XZ", true, "google_breakpad::C::~C(void)");
    check_und(t, "??_GC@google_breakpad@@UEAAPEAXI@Z", true,
              "google_breakpad::C::`scalar deleting destructor'(unsigned int)");
    check_und(t, "??3@YAXPEAX@Z", true, "operator delete(void *)");
    check_und(t, "??_U@YAPEAX_K@Z", true, "operator new[](unsigned __int64)");
    check_und(t, "?push_back@?$vector@HV?$allocator@H@std@@@std@@QEAAXAEBH@Z", true,
              "std::vector<int,std::allocator<int> >::push_back(int const &)");
    check_und(t, "??$max@H@std@@YAAEBHAEBH0@Z", true, "std::max<int>(int const &,int const &)");
    check_und(t, "?f@@YAXP6AHH@ZPEBD@Z", true, "f(int (*)(int),char const *)");
}

TEST(pdb_undname_data_and_special)
{
    check_und(t, "?_pnhHeap@@3P6AH_K@ZEA", false, "_pnhHeap");
    check_und(t, "??_7type_info@@6B@", false, "type_info::`vftable'");
    check_und(t, "??_C@_03JIHJHPIE@Jan?$AA@", false, "`string'");
    check_und(t, "?gName@UnDecorator@@0PEBDEB", true, "UnDecorator::gName");
    check_und(t, "??_R0?AVC@google_breakpad@@@8", false, "google_breakpad::C `RTTI Type Descriptor'");
    check_und(t, "??_R1A@?0A@EA@type_info@@8", false,
              "type_info::`RTTI Base Class Descriptor at (0,-1,0,64)'");
    check_und(t, "??_R4exception@std@@6B@", false, "std::exception::`RTTI Complete Object Locator'");
    check_und(t, "?alive@?$Destructable@$0FK@@@2HA", false, "Destructable<90>::alive");
    check_und(t, "??_R1A@?0", false, NULL);
    /* Locally scoped statics: llvm-undname prints `extern "C" f'::`2'::x and
     * `void __cdecl foo(void)'::`2'::x (with the usual options dropped). */
    check_und(t, "?_OptionsStorage@?1??__local_stdio_scanf_options@@9@4_KA", false,
              "`__local_stdio_scanf_options'::`2'::_OptionsStorage");
    check_und(t, "?x@?1??foo@bar@@QEAAXH@Z@4HA", false, "`bar::foo(int)'::`2'::x");
    check_und(t, "?x@?1??foo@@YAXX", false, NULL); /* inner symbol cut short */
    /* Found by fuzzing: an enum code at the very end, a number without '@'. */
    check_und(t, "??$0FK@@@QAEHEHXW", true, NULL);
    check_und(t, "?x@@YAXY1B", true, NULL);
    check_und(t, "free", false, NULL);
    check_und(t, "?", false, NULL);
    check_und(t, "?a@", true, NULL);
    check_und(t, "?x@@YAXPEAV", true, NULL);
    check_und(t, "?x@@YAX9@Z", true, NULL); /* back-reference to a type never seen */
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", kdx_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static void msf_header(uint8_t *b, uint32_t bs, uint32_t nblocks, uint32_t dir_bytes, uint32_t map)
{
    memcpy(b, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    kdx_put_le32(b + 32, bs);
    kdx_put_le32(b + 36, 1);
    kdx_put_le32(b + 40, nblocks);
    kdx_put_le32(b + 44, dir_bytes);
    kdx_put_le32(b + 52, map);
}

TEST(pdb_rejects_non_pdb_and_corrupt_superblocks)
{
    kdx_symprov p;
    kdx_err err = {0};
    static const char text[64] = "hello, not a pdb at all; just some text here";
    const char *path = write_tmp("text.pdb", text, sizeof text);
    REQUIRE(path);
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "text.pdb: not a PDB");
    CHECK(p.ops == NULL);

    static const char jg[64] = "Microsoft C/C++ program database 2.00\r\n\x1aJG";
    path = write_tmp("old.pdb", jg, sizeof jg);
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_UNSUPPORTED);
    CHECK_CONTAINS(err.msg, "PDB 2.00");

    static uint8_t b[3 * 512];
    memset(b, 0, sizeof b);
    msf_header(b, 512, 1000, 64, 1);
    path = write_tmp("short.pdb", b, sizeof b);
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_TRUNCATED);
    CHECK_CONTAINS(err.msg, "1000 blocks");

    msf_header(b, 300, 3, 64, 1);
    path = write_tmp("bs.pdb", b, sizeof b);
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "block size");

    /* Directory claims a stream whose block list points past the file. */
    msf_header(b, 512, 3, 16, 1);
    kdx_put_le32(b + 512, 2);           /* directory lives in block 2 */
    kdx_put_le32(b + 1024, 1);          /* one stream */
    kdx_put_le32(b + 1024 + 4, 100);    /* of 100 bytes */
    kdx_put_le32(b + 1024 + 8, 77);     /* in block 77 */
    path = write_tmp("dir.pdb", b, sizeof b);
    CHECK_EQ(kdx_pdb_provider_open(path, &p, NULL, &err), KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "stream 0 block 0 is out of range");

    /* A valid directory without a PDB info stream. */
    kdx_put_le32(b + 1024 + 8, 1);
    path = write_tmp("noinfo.pdb", b, sizeof b);
    CHECK(kdx_pdb_provider_open(path, &p, NULL, &err) != KDX_OK);
    CHECK_CONTAINS(err.msg, "PDB info stream");
}

/* {key, value} pairs as an OMAP stream stores them. */
static void omap_table(uint8_t *out, const uint32_t *pairs, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        kdx_put_le32(out + 4 * i, pairs[i]);
}

/* section:offset -> RVA through the section headers, and through OMAP when
 * the image was reordered after linking (addresses in dropped ranges fail). */
TEST(pdb_section_offsets_and_omap)
{
    kdx_pdb pdb;
    memset(&pdb, 0, sizeof pdb);
    uint32_t sections[2] = {0x1000, 0x5000};
    pdb.section_rva = sections;
    pdb.nsections = 2;
    uint32_t rva = 0;
    CHECK(kdx_pdb_sect_to_rva(&pdb, 1, 0x10, &rva));
    CHECK_EQ(rva, 0x1010);
    CHECK(kdx_pdb_sect_to_rva(&pdb, 2, 0, &rva));
    CHECK_EQ(rva, 0x5000);
    CHECK(!kdx_pdb_sect_to_rva(&pdb, 0, 0, &rva));
    CHECK(!kdx_pdb_sect_to_rva(&pdb, 3, 0, &rva));
    /* OMAP_FROM_SRC {original, final}: 0x1000.. moves to 0x8000, 0x1100.. is
     * dropped, 0x1200.. goes to 0x2000. */
    uint32_t from[6] = {0x1000, 0x8000, 0x1100, 0, 0x1200, 0x2000};
    uint8_t raw[24];
    omap_table(raw, from, 3);
    kdx_pdb_omap_build(&pdb, NULL, 0, raw, 3, 0x6000);
    CHECK(kdx_pdb_sect_to_rva(&pdb, 1, 0x20, &rva));
    CHECK_EQ(rva, 0x8020);
    CHECK(!kdx_pdb_sect_to_rva(&pdb, 1, 0x150, &rva));
    CHECK(kdx_pdb_sect_to_rva(&pdb, 1, 0x210, &rva));
    CHECK_EQ(rva, 0x2010);
    kdx_pdb_omap_free(&pdb);
}

/* A function split in two by reordering lands in two chunks; bytes the
 * optimizer inserted inside it (mapped outside the original image) join the
 * chunks around them, never extend the last one. */
TEST(pdb_omap_ranges_chunks_and_injected_bytes)
{
    kdx_pdb pdb;
    memset(&pdb, 0, sizeof pdb);
    /* OMAP_TO_SRC {final, original}: final 0x1000..0x1010 is original
     * 0x3000..; 0x1010..0x1014 was inserted (maps past the image);
     * 0x1014..0x1020 is original 0x3010..; 0x1020.. is original 0x2000..;
     * 0x1040.. is original 0x3040.. */
    uint32_t to[10] = {0x1000, 0x3000, 0x1010, 0x80000000, 0x1014, 0x3010, 0x1020, 0x2000,
                       0x1040, 0x3040};
    uint8_t raw[40];
    omap_table(raw, to, 5);
    kdx_pdb_omap_build(&pdb, raw, 5, NULL, 0, 0x4000);
    kdx_pdb_ranges r = {0};
    /* Original 0x3000..0x3020 holds 0x3000..0x301c (final 0x1000..0x1020,
     * bridged over the 4 inserted bytes) and nothing else. */
    kdx_pdb_omap_range(&pdb, 0x3000, 0x1c, &r);
    REQUIRE(r.len == 1);
    CHECK_EQ(r.items[0].rva, 0x1000);
    CHECK_EQ(r.items[0].len, 0x20);
    /* Ending with the first piece: the inserted bytes after it are not its. */
    kdx_pdb_omap_range(&pdb, 0x3000, 0x10, &r);
    REQUIRE(r.len == 1);
    CHECK_EQ(r.items[0].len, 0x10);
    /* Original 0x2010..0x3008 is split: final 0x1030..0x1040 then 0x1000..0x1008. */
    kdx_pdb_omap_range(&pdb, 0x2010, 0xff8, &r);
    REQUIRE(r.len == 2);
    CHECK_EQ(r.items[0].rva, 0x1000);
    CHECK_EQ(r.items[0].len, 8);
    CHECK_EQ(r.items[1].rva, 0x1030);
    CHECK_EQ(r.items[1].len, 0x10);
    /* Original 0x3020..0x3040 was dropped. */
    kdx_pdb_omap_range(&pdb, 0x3020, 0x10, &r);
    CHECK_EQ(r.len, 0);
    uint32_t rva;
    CHECK(!kdx_pdb_omap_point(&pdb, 0x3030, &rva));
    CHECK(kdx_pdb_omap_point(&pdb, 0x3044, &rva));
    CHECK_EQ(rva, 0x1044);
    KDX_VEC_FREE(r);
    kdx_pdb_omap_free(&pdb);
}
