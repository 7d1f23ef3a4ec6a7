/* !analyze on synthetic kernel dumps written by the project's dump writer,
 * for bug-check kinds no real dump in ../shared/testdata covers. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdump_writer.h"
#include "tests/test.h"

#define DATA_VA 0xfffff80000100000ull

/* An NTFS_FILE_SYSTEM (0x24) crash: Arg2 and Arg3 point at the exception and
 * context records, as the file-system bug checks do. */
static kdx_status write_ntfs_exception_dump(const char *path, kdx_err *err)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
    kdx_kdw_set_system(w, 19041, 1, 0, 0);
    kdx_status st = kdx_kdw_map(w, DATA_VA, 0x2000, err);
    uint64_t exr = DATA_VA, cxr = DATA_VA + 0x100;
    uint8_t rec[0x98] = {0};
    kdx_put_le32(rec, 0xc0000005);
    kdx_put_le64(rec + 0x10, 0xfffff80000123456ull); /* ExceptionAddress */
    kdx_put_le32(rec + 0x18, 2);
    kdx_put_le64(rec + 0x20, 0);                     /* read */
    kdx_put_le64(rec + 0x28, 0x10);                  /* at address 0x10 */
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, 0xfffff80000123456ull);
    kdx_ctx_set(&c, KDX_X64_RSP, DATA_VA + 0x1800);
    uint8_t ctx[0x4d0] = {0};
    kdx_context_write(&c, ctx, sizeof ctx);
    if (st == KDX_OK)
        st = kdx_kdw_write_virt(w, exr, rec, sizeof rec, err);
    if (st == KDX_OK)
        st = kdx_kdw_write_virt(w, cxr, ctx, sizeof ctx, err);
    kdx_kdw_set_bugcheck(w, 0x24, 0x1904fbull, exr, cxr, 0);
    if (st == KDX_OK)
        st = kdx_kdw_save(w, KDX_KDW_COMPLETE, path, err);
    kdx_kdw_free(w);
    return st;
}

TEST(analyze_file_system_bugcheck_follows_its_records)
{
    char *path = kdx_asprintf("%s/ntfs24.dmp", kdx_test_tmpdir());
    kdx_err err;
    CHECK_OK(write_ntfs_exception_dump(path, &err));
    char *out = kdx_test_run(path, NULL, "!analyze -v", &err);
    REQUIRE(out != NULL);
    CHECK_CONTAINS(out, "NTFS_FILE_SYSTEM (24)");
    CHECK_CONTAINS(out, "EXCEPTION_RECORD:  fffff800`00100000 -- (.exr 0xfffff80000100000)");
    CHECK_CONTAINS(out, "CONTEXT:  fffff800`00100100 -- (.cxr 0xfffff80000100100)");
    CHECK_CONTAINS(out, "READ_ADDRESS:  00000000`00000010");
    CHECK_CONTAINS(out, "EXCEPTION_CODE_STR:  c0000005");
    CHECK_CONTAINS(out, "STACK_COMMAND:  .cxr 0xfffff80000100100 ; kb");
    free(out);
    free(path);
}
