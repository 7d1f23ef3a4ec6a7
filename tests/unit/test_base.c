/* Unit tests for src/base: error messages, file bounds checks, helpers. */
#include <stdio.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "base/file.h"
#include "base/fmt.h"
#include "base/util.h"
#include "tests/test.h"

TEST(base_le_loads)
{
    const uint8_t b[8] = {0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x90};
    CHECK_EQ(kdx_le16(b), 0x5678);
    CHECK_EQ(kdx_le32(b), 0x12345678);
    CHECK_EQ(kdx_le64(b), 0x90abcdef12345678ull);
    uint8_t w[8];
    kdx_put_le64(w, 0x90abcdef12345678ull);
    CHECK(memcmp(w, b, 8) == 0);
}

TEST(base_range_ok_rejects_overflow)
{
    CHECK(kdx_range_ok(0, 10, 10));
    CHECK(!kdx_range_ok(1, 10, 10));
    CHECK(!kdx_range_ok(UINT64_MAX, 2, 10));
    CHECK(!kdx_range_ok(5, UINT64_MAX, 10));
    CHECK(kdx_range_ok(10, 0, 10));
    CHECK(!kdx_range_ok(11, 0, 10));
}

TEST(base_file_need_names_file_structure_offset)
{
    kdx_file *f;
    kdx_err err = {0};
    CHECK_OK(kdx_file_from_memory(&f, "sample.dmp", "abcdefgh", 8, &err));
    const uint8_t *p;
    CHECK_OK(kdx_file_need(f, 4, 4, "tail", &p, &err));
    CHECK(p && p[0] == 'e');
    CHECK_EQ(kdx_file_need(f, 6, 4, "DUMP_HEADER64", &p, &err), KDX_E_TRUNCATED);
    CHECK_STR(err.msg, "sample.dmp: DUMP_HEADER64 at offset 0x6 (0x4 bytes) extends past the end "
                       "of the file (size 0x8)");
    kdx_file_close(f);
}

TEST(base_file_open_missing_reports_path)
{
    kdx_file *f;
    kdx_err err = {0};
    CHECK_EQ(kdx_file_open(&f, "/nonexistent/x.dmp", &err), KDX_E_IO);
    CHECK_CONTAINS(err.msg, "/nonexistent/x.dmp");
}

TEST(base_fmt_ptr_backtick)
{
    char b[KDX_ADDR_BUF];
    CHECK_STR(kdx_fmt_ptr(b, 0xfffff8048b580000ull, 8), "fffff804`8b580000");
    CHECK_STR(kdx_fmt_ptr(b, 0x8054099e, 4), "8054099e");
    CHECK_STR(kdx_fmt_ptr(b, 0x1234, 8), "00000000`00001234");
    /* every digit in every position, against printf */
    CHECK_STR(kdx_fmt_u64(b, 0x0123456789abcdefull), "01234567`89abcdef");
    CHECK_STR(kdx_fmt_u64(b, 0xfedcba9876543210ull), "fedcba98`76543210");
    for (uint64_t v = 1, i = 0; i < 64; i++, v = v * 0x9e3779b97f4a7c15ull + 0xa5) {
        char want[KDX_ADDR_BUF];
        snprintf(want, sizeof want, "%08llx`%08llx", (unsigned long long)(v >> 32),
                 (unsigned long long)(v & 0xffffffffu));
        CHECK_STR(kdx_fmt_u64(b, v), want);
    }
}

TEST(base_wildcard)
{
    CHECK(kdx_wildcard_match("nt!Ke*", "nt!KeBugCheckEx"));
    CHECK(kdx_wildcard_match("*bug*", "nt!KeBugCheckEx"));
    CHECK(kdx_wildcard_match("a?c", "abc"));
    CHECK(!kdx_wildcard_match("a?c", "abbc"));
    CHECK(kdx_wildcard_match("*", ""));
    CHECK(!kdx_wildcard_match("x*", "abc"));
}

TEST(base_err_prefix)
{
    kdx_err err = {0};
    kdx_err_set(&err, KDX_E_FORMAT, "bad signature");
    kdx_err_prefix(&err, "%s", "a.pdb");
    CHECK_STR(err.msg, "a.pdb: bad signature");
}

TEST(utf16le_to_utf8_pairs_unpaired_nul_and_cut)
{
    /* "A", U+00E9, U+20AC, U+1F600 (surrogate pair), lone high surrogate, NUL, "Z". */
    const uint8_t in[] = {'A', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 0, 0, 'Z', 0};
    char *s = kdx_utf16le_to_utf8(in, sizeof in / 2);
    CHECK_STR(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd");
    free(s);
    char buf[5];
    kdx_utf16le_to_utf8_buf(in, sizeof in / 2, buf, sizeof buf);
    CHECK_STR(buf, "A\xc3\xa9"); /* U+20AC would not fit whole */
    s = kdx_utf16le_to_utf8(in, 0);
    CHECK_STR(s, "");
    free(s);
}
