/* Driver Verifier's ring logs on the real Windows 10 triage dump with its
 * kernel's ISF: Verifier is off on that machine (nt!MmVerifierData.Level is
 * 0, a block the dump holds), and none of the logs' pointer globals is in
 * the dump; each !verifier flag says both, naming the global and its
 * address (the kernel base from testdata/README.md plus the global's RVA in
 * the ISF). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/cmd_verifier_logs.h"
#include "target/session.h"
#include "tests/test.h"

#define KERNEL_BASE ((uint64_t)0xfffff8047ba00000ull)

static const struct {
    const char *cmd, *title, *global;
    uint64_t rva;
} logs[] = {
    {"!verifier 100", "IRP log (IoAllocateIrp, IoCompleteRequest and IoCancelIrp calls)", "nt!IovIrpTraces", 0xc1ca98},
    {"!verifier 4", "Fault injection trace log", "nt!ViFaultTraces", 0xd47350},
    {"!verifier 40", "Forced pending IRP log", "nt!VfForcedPendingLog", 0xc1cbc0},
    {"!verifier 8", "IRQL transition log", "nt!ViTrackIrqlQueue", 0xd47108},
};

TEST(verifier_real_logs_say_verifier_is_off_and_which_global_is_missing)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    TESTDATA(isf, "isf/ntkrnlmp.pdb");
    (void)isf;
    char *setup = kdx_asprintf(".sympath %s;%s", kdx_testdata_path("symstore"), kdx_testdata_path("isf"));
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        kdx_err err = {0};
        char *out = kdx_test_run(dump, setup, logs[i].cmd, &err);
        REQUIRE(out);
        char *title = kdx_asprintf("\n%s:\n\n", logs[i].title);
        char *missing = kdx_asprintf("%s (at %016" PRIx64 ") is not in the dump: memory at ", logs[i].global,
                                     KERNEL_BASE + logs[i].rva);
        CHECK_CONTAINS(out, title);
        CHECK_CONTAINS(out, "Driver Verifier is not enabled (nt!MmVerifierData.Level is 0).\n");
        CHECK_CONTAINS(out, missing);
        /* Nothing passes for an entry: no row, no count of entries. */
        CHECK(!strstr(out, "entries in the log"));
        CHECK(!strstr(out, "\nIrp "));
        free(title);
        free(missing);
        free(out);
    }
    /* JSON: the statement as "error", and Verifier marked off. */
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, ".json 1; !verifier 100", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"error\": \"nt!IovIrpTraces (at ");
    CHECK_CONTAINS(out, "\"verifier_enabled\": false");
    CHECK(!strstr(out, "\"entries\""));
    free(out);
    free(setup);
}

/* Address or Quantity: the triage dump is 64-bit, the Breakpad minidump
 * (Windows XP x86) 32-bit, where kernel addresses fit in 32 bits. */
TEST(verifier_real_address_or_quantity_by_pointer_size)
{
    TESTDATA(dump64, "kernel/triage_x64.dmp");
    TESTDATA(dump32, "user/breakpad/minidump2.dmp");
    const char *paths[2] = {dump64, dump32};
    kdx_session *s[2];
    for (int i = 0; i < 2; i++) {
        kdx_err err = {0};
        s[i] = kdx_session_new(fopen("/dev/null", "w"));
        CHECK_OK(kdx_session_open(s[i], paths[i], &err));
    }
    CHECK_EQ(kdx_session_ptr_size(s[0]), 8);
    CHECK_EQ(kdx_session_ptr_size(s[1]), 4);
    CHECK(kdx_vf_arg_is_address(s[0], 0xfffff8047c61ca98ull));
    CHECK(!kdx_vf_arg_is_address(s[0], 0x81234567));
    CHECK(kdx_vf_arg_is_address(s[1], 0x81234567));
    CHECK(!kdx_vf_arg_is_address(s[1], 0x100));
    for (int i = 0; i < 2; i++) {
        FILE *out = s[i]->out;
        kdx_session_free(s[i]);
        fclose(out);
    }
}
