/* The pool and Driver Verifier commands on the real Windows 10 triage dump
 * with its kernel's ISF: a triage dump holds nt!MmVerifierData (Verifier is
 * off on that machine, its counters real zeros; ../shared/testdata/
 * kernel/triage_x64.nt-blocks.txt lists the block) but none of the pool's
 * tables, and each command names what is missing. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/realdata/triage_run.h"
#include "tests/test.h"

#define run_triage triage_run

TEST(pool_real_verifier_is_off_with_real_counters)
{
    NEED_TRIAGE();
    char *out = run_triage("!verifier");
    REQUIRE(out);
    CHECK_CONTAINS(out, "\nVerify Level 0 ... enabled options are:\n\n"
                        "      none: Driver Verifier is not enabled (nt!MmVerifierData.Level is 0)\n");
    CHECK_CONTAINS(out, "Pool Allocations Attempted             0x0\n");
    CHECK_CONTAINS(out, "Peak nonpaged pool allocations         0x0 for 00000000 bytes\n");
    /* Every counter printed was read from the dump, none stood in for. */
    CHECK(!strstr(out, "are not in the dump"));
    free(out);
    out = run_triage(".json 1; !verifier");
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"level\": 0");
    CHECK_CONTAINS(out, "\"RaiseIrqls\": 0");
    CHECK(!strstr(out, "null"));
    free(out);
}

TEST(pool_real_triage_names_the_missing_tables)
{
    NEED_TRIAGE();
    char *out = run_triage("!poolused /t5 2; !poolused 8; !poolfind Leak; !verifier 3 amdppm.sys; !verifier 80 ffff850429891ee8");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Unable to read the pool tag table: nt!PoolTrackTable (at fffff8047c6168a8) is not in the dump");
    CHECK_CONTAINS(out, "Unable to read the pool tag table: nt!ExpSessionPoolTrackTable (at fffff8047c6190d0) is not in the dump");
    CHECK_CONTAINS(out, "nt!PoolBigPageTable (at fffff8047c619100) is not in the dump");
    CHECK_CONTAINS(out, "Driver Verification List not read: nt!VfSuspectDriversList cannot be read at fffff804`7c61d0a0");
    CHECK_CONTAINS(out, "nt!VfPoolTraces (at fffff8047c7470b0) is not in the dump");
    free(out);
}

TEST(pool_real_pool_on_a_missing_page_says_so)
{
    NEED_TRIAGE();
    char *out = run_triage("!pool ffff850429891ee8");
    REQUIRE(out);
    CHECK_CONTAINS(out, "(large allocation table not searched: nt!PoolBigPageTable (at fffff8047c619100) is not in the dump");
    free(out);
}

/* The triage dump holds 0x100 bytes of nt!ExPoolState (its Lookasides,
 * triage_x64.nt-blocks.txt) but not its NumberOfPools or heap pointers,
 * and not nt!RtlpHpHeapGlobals: the segment heap walk names each. */
TEST(pool_real_segment_heap_names_what_the_triage_dump_lacks)
{
    NEED_TRIAGE();
    char *out = run_triage("!poolfind Irp; !poolfind Leak; !pool ffffc08bdce7f400; !pool");
    REQUIRE(out);
    CHECK_CONTAINS(out, "nt!RtlpHpHeapGlobals (at fffff8047c61dd60), whose HeapKey and LfhKey decode the segment heap's "
                        "headers, is not in the dump");
    CHECK_CONTAINS(out, "nt!ExPoolState.NumberOfPools (at fffff8047c657ed0) is not in the dump");
    CHECK_CONTAINS(out, "256 of the 256 heap pointers nt!ExPoolState.PoolNode[].Heaps[] are not in the dump (the first, "
                        "PoolNode[0].Heaps[0], at fffff8047c657f00)");
    CHECK_CONTAINS(out, "0 small allocations with tag Irp in 0 heaps");
    CHECK_CONTAINS(out, "0 small allocations with tag Leak in 0 heaps");
    CHECK_CONTAINS(out, "(segment heap not searched for this address: 3 structures of the segment heap not in the dump");
    CHECK_CONTAINS(out, "pool page ffffc08bdce7f000 cannot be read");
    CHECK_CONTAINS(out, "Segment heaps of nt!ExPoolState (0 pool nodes, 0 heaps):\n"
                        "  nt!RtlpHpHeapGlobals (at fffff8047c61dd60)");
    free(out);
}

TEST(pool_real_vm_reads_the_partition_counters_the_dump_holds)
{
    NEED_TRIAGE();
    char *out = run_triage("!vm");
    REQUIRE(out);
    CHECK_CONTAINS(out, "\n*** Virtual Memory Usage ***\n");
    /* Vp.NumberOfPhysicalPages lies in one of the MiSystemPartition blocks
     * of triage_x64.nt-blocks.txt (8366927 pages: 32 GB); ResidentAvailablePages
     * and TotalCommitLimit lie outside every block and are named as missing. */
    CHECK_CONTAINS(out, "\tPhysical Memory:       8366927 (  33467708 Kb)\n");
    CHECK_CONTAINS(out, "\tResAvail Pages:      not in the dump (nt!MiSystemPartition.Vp.ResidentAvailablePages");
    CHECK_CONTAINS(out, "\tCommit limit:        not in the dump (nt!MiSystemPartition.Vp.TotalCommitLimit");
    CHECK_CONTAINS(out, "Pool usage:          not read (nt!PoolTrackTable");
    free(out);
}

/* The owner scan on real images: the triage dump holds almost none of the
 * drivers' pages, so amdppm.sys and Wdf01000.sys come from the symbol store.
 * Checked independently (Python over the file): at amdppm RVA 0x2c9a the
 * bytes are `41 b8 'Prcr'` (mov r8d, 'Prcr'), followed 0x11 bytes later by
 * `ff 15` through the import slot whose hint/name entry is
 * ExAllocatePoolWithTag. */
TEST(pool_real_owner_scan_reads_images_from_the_symbol_store)
{
    NEED_TRIAGE();
    char *out = run_triage("!poolowner Prcr FxDr Leak");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Pool tag Prcr (0x72637250): 1 candidate, inferred from the loaded images\n"
                        "  amdppm.sys           fffff804`8b582c9a  tag argument of a call to ExAllocatePoolWithTag");
    CHECK_CONTAINS(out, "Pool tag FxDr (0x72447846): 1 candidate, inferred from the loaded images\n"
                        "  Wdf01000.sys         ");
    CHECK_CONTAINS(out, "Pool tag Leak (0x6b61654c): 0 candidates");
    CHECK_CONTAINS(out, "2 of them with bytes from their image file");
    free(out);
}

/* With a symbol server on the path the scan uses the dump's pages only (no
 * downloads): amdppm.sys's pages in the triage dump still hold a call site
 * whose bound import slot resolves to nt!ExAllocatePoolWithTag. */
TEST(pool_real_owner_scan_without_image_files_uses_the_dump)
{
    NEED_TRIAGE();
    const char *dump = kdx_testdata_path("kernel/triage_x64.dmp");
    char *setup = kdx_asprintf(".sympath srv*%s/nocache*https://127.0.0.1:9/none;%s;%s", kdx_test_tmpdir(),
                               kdx_testdata_path("symstore"), kdx_testdata_path("isf"));
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, "!poolowner Prcr", &err);
    free(setup);
    REQUIRE(out);
    CHECK_CONTAINS(out, "  amdppm.sys           ");
    CHECK_CONTAINS(out, "tag argument of a call to nt!ExAllocatePoolWithTag");
    CHECK_CONTAINS(out, "0 of them with bytes from their image file");
    free(out);
}
