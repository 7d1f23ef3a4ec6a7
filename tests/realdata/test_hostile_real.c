/* Issue 17, hostile files: real images from ../shared/testdata patched the
 * way an attacker would (a copy in the test's temporary directory; the
 * shared files are never written). */
#include <stdlib.h>

#include "base/bytes.h"
#include "base/file.h"
#include "base/util.h"
#include "dump/formats.h"
#include "target/target.h"
#include "tests/test.h"

/* A copy of src under the test's temporary directory with len bytes of
 * patch written at off; NULL when src cannot be read or off is past its end. */
static char *patched_copy(const char *src, uint64_t off, const void *patch, size_t len)
{
    uint8_t *buf;
    size_t n;
    if (kdx_read_all(src, &buf, &n, NULL) != KDX_OK)
        return NULL;
    char *dst = NULL;
    if (off + len <= n) {
        memcpy(buf + off, patch, len);
        dst = kdx_asprintf("%s/%s", kdx_test_tmpdir(), kdx_basename(src));
        FILE *fp = fopen(dst, "wb");
        bool ok = fp && fwrite(buf, 1, n, fp) == n;
        if (fp)
            ok = fclose(fp) == 0 && ok;
        if (!ok) {
            free(dst);
            dst = NULL;
        }
    }
    free(buf);
    return dst;
}

static uint32_t pe_header_offset(const char *path)
{
    uint8_t *buf;
    size_t n;
    if (kdx_read_all(path, &buf, &n, NULL) != KDX_OK)
        return 0;
    uint32_t e_lfanew = n >= 0x40 ? kdx_le32(buf + 0x3c) : 0;
    free(buf);
    return e_lfanew;
}

/* Finding 4: the error path of kdx_pe_target_open read the image's facts
 * after closing it (heap use after free; the release build printed freed
 * memory). The message must carry the image's real base. */
TEST(hostile_real_pe_target_huge_size_of_image)
{
    TESTDATA(src, "pe/multiss_drv.sys");
    uint32_t e = pe_header_offset(src);
    REQUIRE(e);
    uint8_t size_of_image[4] = {0xff, 0xff, 0xff, 0xff};
    char *path = patched_copy(src, e + 24 + 56, size_of_image, 4);
    REQUIRE(path);
    kdx_target *tg = NULL;
    kdx_err err = {0};
    CHECK(kdx_pe_target_open(path, &tg, &err) == KDX_E_FORMAT);
    CHECK(tg == NULL);
    CHECK_CONTAINS(err.msg, "image base 0x400000 + SizeOfImage 0xffffffff exceeds 4 GB");
    CHECK_CONTAINS(err.msg, path);
    free(path);
}

TEST(hostile_real_pe_target_image_base_wraps)
{
    TESTDATA(src, "pdb/seh_x64/xcpt4.exe");
    uint32_t e = pe_header_offset(src);
    REQUIRE(e);
    uint8_t base[8] = {0x00, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    char *path = patched_copy(src, e + 24 + 24, base, 8); /* PE32+ ImageBase */
    REQUIRE(path);
    kdx_target *tg = NULL;
    kdx_err err = {0};
    CHECK(kdx_pe_target_open(path, &tg, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "image base 0xfffffffffffff000 + SizeOfImage wraps");
    free(path);
}
