/* Partly present memory on real dumps (issue 11): reads go page by page and,
 * inside a page, run by run, so only the bytes a dump lacks show as "??".
 * The exact layouts on the triage dump are in tests/golden/mem_partial_*.txt;
 * these cover the library call and the other dump kinds. */
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "target/memory.h"
#include "target/session.h"
#include "tests/test.h"

/* The triage dump's stack copy starts at rsp ffff8504`29890ee8, mid-page. */
TEST(memory_real_presence_mask_triage_stack)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_target *tg;
    kdx_err err;
    REQUIRE(kdx_target_open(path, &tg, &err) == KDX_OK);
    uint8_t buf[0x20], present[0x20];
    size_t got = kdx_read_virt_present(tg, 0xffff850429890ee0ull, buf, sizeof buf, present);
    CHECK_EQ(got, 0x18);
    CHECK(!memchr(present, 1, 8));
    CHECK(!memchr(present + 8, 0, 0x18));
    CHECK_EQ(buf[8], 0xe1); /* KeBugCheckEx's return address fffff804`7be0f4e1 */
    CHECK_EQ(buf[15], 0xff);
    CHECK(!memchr(buf, 1, 8) && !buf[0]); /* missing bytes are zero, never guessed */
    /* The stack copy ends at the page boundary ffff8504`29893000. */
    got = kdx_read_virt_present(tg, 0xffff850429892ff0ull, buf, sizeof buf, present);
    CHECK_EQ(got, 0x10);
    CHECK(!memchr(present, 0, 0x10) && !memchr(present + 0x10, 1, 0x10));
    /* kdx_read_virt itself now reports the bytes read before the gap. */
    size_t done = 0;
    CHECK(kdx_read_virt(tg, 0xfffff8048b5800f8ull, buf, 0x10, &done, &err) == KDX_E_MEM_MISSING);
    CHECK_EQ(done, 0xb); /* amdppm's header block holds 0x103 bytes */
    kdx_target_close(tg);
}

/* Pointers with symbols: the missing slots as WinDbg marks them, the saved ones read. */
TEST(memory_real_dps_triage_stack)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "dps ffff8504`29890ed8 l3", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "ffff8504`29890ed8  ????????`????????\n"
                        "ffff8504`29890ee0  ????????`????????\n");
    CHECK_CONTAINS(out, "ffff8504`29890ee8  fffff804`7be0f4e1 ");
    free(out);
}

/* A user minidump: the crashing thread's stack range starts at 0012f31c and
 * a 0x100-byte code range at 7c90eb14, both mid-page. */
TEST(memory_real_minidump_ranges_mid_page)
{
    TESTDATA(path, "user/breakpad/minidump2.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL,
                             "dd 0012f310 l8; db 7c90eb10 l10; s -d 0012f000 L1000 7c90e9c0; "
                             "u 7c90ec09",
                             &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "0012f310  ???????? ???????? ???????? 00000000\n"
                        "0012f320  7c90e9c0 7c8025cb 000007b8 00000000\n");
    CHECK_CONTAINS(out, "7c90eb10  ?? ?? ?? ?? ff 83 c4 ec-89 04 24 c7 44 24 04 01  ????......$.D$..\n");
    CHECK_CONTAINS(out, "0012f320  7c90e9c0 7c8025cb 000007b8 00000000  ...|.%.|........\n");
    /* The last saved instruction, then WinDbg's two lines where the bytes stop. */
    CHECK_CONTAINS(out, "7c90ec09 008c88bc000000  add     byte ptr [eax+ecx*4+0BCh],cl\n"
                        "7c90ec10 ??              ???\n"
                        "                ^ Memory access error in 'u 7c90ec09'\n");
    free(out);
}
