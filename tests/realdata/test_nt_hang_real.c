/* Executive resources and hang triage on the real Windows 10 triage dump
 * with its kernel's ISF: nt!ExpSystemResourcesList is not in the dump (said,
 * with the address), but nt!PiEngineLock is: the crashing thread
 * ffffc08b`de9e1640 owns it exclusively while ffffc08b`de0c7040 waits for it
 * (WrResource) through a Windows 10 waiter entry on its stack. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/realdata/triage_run.h"
#include "tests/test.h"

#define run_triage triage_run

TEST(nt_hang_real_locks_list_not_in_dump)
{
    NEED_TRIAGE();
    char *out = run_triage("!locks");
    REQUIRE(out);
    CHECK_CONTAINS(out, "0 total locks, 0 locks currently held\nThe count is incomplete: the resource list "
                        "(nt!ExpSystemResourcesList) cannot be read at fffff804`7c616890: ");
    CHECK_CONTAINS(out, "memory at fffff804`7c616890 is not present in the dump");
    free(out);
}

TEST(nt_hang_real_pi_engine_lock_owner_and_waiter)
{
    NEED_TRIAGE();
    char *out = run_triage("!locks nt!PiEngineLock");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Resource @ nt!PiEngineLock (0xfffff8047c644bc0)    Exclusively owned\n"
                        "    Contention Count = 1\n"
                        "    NumberOfExclusiveWaiters = 1\n"
                        "     Threads: ffffc08bde9e1640-01<*>\n"
                        "     Threads Waiting On Exclusive Access:\n"
                        "              ffffc08bde0c7040\n"
                        "1 total locks, 1 locks currently held\n");
    free(out);
    /* The waiter really waits on the event inside its waiter entry; the owner is the crashing thread. */
    out = run_triage("!kdexts.locks -v nt!PiEngineLock");
    REQUIRE(out);
    CHECK_CONTAINS(out, "     THREAD ffffc08bde9e1640  Cid 0004.0108  Teb: 0000000000000000 Win32Thread: "
                        "0000000000000000 RUNNING on processor 0\n");
    CHECK_CONTAINS(out, "     THREAD ffffc08bde0c7040  Cid ?.?  Teb: 0000000000000000 Win32Thread: 0000000000000000 "
                        "WAIT: (WrResource) KernelMode Non-Alertable\n         ffff85042981ba60  SynchronizationEvent\n");
    free(out);
}

TEST(nt_hang_real_analyze_hang_names_what_is_missing)
{
    NEED_TRIAGE();
    char *out = run_triage("!analyze -hang");
    REQUIRE(out);
    CHECK_CONTAINS(out, "HANG_ANALYSIS_INCOMPLETE:  what could not be read:\n    the resource list "
                        "(nt!ExpSystemResourcesList) cannot be read at fffff804`7c616890");
    CHECK_CONTAINS(out, "the thread list of process ffffc08bdce94180 leaves the dump after 2 entries");
    CHECK_CONTAINS(out, "HANG_BUCKET_ID:  ");
    CHECK_CONTAINS(out, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)");
    free(out);
    /* The crashing thread is inside five critical regions (it holds resources): !thread says so. */
    out = run_triage("!thread -1 e");
    CHECK_CONTAINS(out, "KernelApcDisable = -5, SpecialApcDisable = 0");
    free(out);
}

TEST(nt_hang_real_stacks_running_ready)
{
    NEED_TRIAGE();
    char *out = run_triage("!stacks 1");
    REQUIRE(out);
    CHECK_CONTAINS(out, "                            [ffffc08bdce94180 System]\n"
                        "        ?.?  ffffc08bdce7f400 ??????? ?          Stack not in the dump\n");
    CHECK_CONTAINS(out, "(the thread list of process ffffc08bdce94180 leaves the dump after 2 entries");
    CHECK_CONTAINS(out, "Threads Processed: 2\n");
    free(out);
    /* Sixteen processors; 0 runs the crashing thread, 5 another one; the others idle. */
    out = run_triage("!running");
    CHECK_CONTAINS(out, "System Processors:  (000000000000ffff)\n  Idle Processors:  (000000000000ffde)\n");
    CHECK_CONTAINS(out, "  0    fffff804782d4180  ffffc08bde9e1640 (13)                       fffff8047c727600\n");
    CHECK_CONTAINS(out, "  5    ffff9b00026c0180  ffffc08bdfbac080 ( ?)");
    free(out);
    /* Two ready queues link to threads whose pages the dump lacks: named, not hidden. */
    out = run_triage("!ready");
    CHECK_CONTAINS(out, "Processor 0: Ready Threads at priority 12\n    THREAD ffffc08bdfb46080: not in the dump (");
    CHECK_CONTAINS(out, "Processor 5: Ready Threads at priority 13\n    THREAD ffffc08bdfb68080: not in the dump (");
    CHECK(!strstr(out, "No threads in READY state"));
    free(out);
}

TEST(nt_hang_real_apc)
{
    NEED_TRIAGE();
    char *out = run_triage("!apc; !apc thre ffffc08bde9e1640");
    REQUIRE(out);
    CHECK_CONTAINS(out, "*** Enumerating APCs in all processes\nProcess ffffc08bdce94180 System\n"
                        "    Thread ffffc08bdce7f400: APC state not read: nt!_KAPC_STATE at ffffc08b`dce7f498: memory at "
                        "ffffc08b`dce7f498 is not present in the dump\n");
    CHECK_CONTAINS(out, "    (no APCs queued to thread ffffc08bde9e1640)\n");
    free(out);
}

TEST(nt_hang_real_session_says_what_is_missing)
{
    NEED_TRIAGE();
    char *out = run_triage("!session");
    REQUIRE(out);
    /* System has no session; the four other processes' EPROCESS.Session is not in the dump. */
    CHECK_CONTAINS(out, "Sessions on machine: 0\nValid Sessions:\n(4 processes' sessions not read: "
                        "nt!_EPROCESS.Session of ffffc08b`dcf0f040 (at ffffc08b`dcf0f598): memory at ffffc08b`dcf0f598 "
                        "is not present in the dump)\n");
    free(out);
}

TEST(nt_hang_real_kernel_handle)
{
    NEED_TRIAGE();
    char *out = run_triage("!handle; !handle 4");
    REQUIRE(out);
    /* The table's page is partly in the dump: the entries there are listed, the rest counted. */
    CHECK_CONTAINS(out, "Handle table at ffffad0ec107b080 with 56 entries in use among those read (172 entries not read: "
                        "memory at ffffad0e`c10b1130 is not present in the dump)\n");
    CHECK_CONTAINS(out, "\n0008: Object: ffffc08bdcf06140  GrantedAccess: 001fffff Entry: ffffad0ec10b1020\n");
    /* Handle 4 of System is the System process itself; its header is not in the dump. */
    CHECK_CONTAINS(out, "0004: Object: ffffc08bdce94180  GrantedAccess: 001fffff Entry: ffffad0ec10b1010\n"
                        "Object: ffffc08bdce94180  (header not read: ");
    free(out);
}

TEST(nt_hang_real_dpcs)
{
    NEED_TRIAGE();
    /* The sixteen PRCBs are in the dump and no processor had a DPC queued. */
    char *out = run_triage("!dpcs");
    REQUIRE(out);
    CHECK_CONTAINS(out, "CPU Type      KDPC      Function\n\nNo DPCs queued\n");
    CHECK(!strstr(out, "not read"));
    free(out);
}

TEST(nt_hang_real_timer_tables)
{
    NEED_TRIAGE();
    /* Processor 0's timer table is in the dump, most timers and the DPC keys are not. */
    char *out = run_triage("!timer");
    REQUIRE(out);
    CHECK_CONTAINS(out, "Interrupt time: ? (fire times unknown: nt!_KUSER_SHARED_DATA.InterruptTime.LowPart");
    CHECK_CONTAINS(out, "PROCESSOR 0 (nt!_KTIMER_TABLE fffff804782d7ac0 - Type 0)\n");
    CHECK_CONTAINS(out, "  7 ffffc08be4fefc78    (not read: nt!_KTIMER.DueTime.QuadPart of ffffc08b`e4fefc78");
    CHECK_CONTAINS(out, " 53 fffff8047a3b6250    041b195d 00000000 [?]  DPC not decoded: the keys "
                        "nt!KiWaitNever/KiWaitAlways: ");
    CHECK_CONTAINS(out, "Total Timers: ");
    free(out);
}

TEST(nt_hang_real_exqueue_says_what_is_missing)
{
    NEED_TRIAGE();
    char *out = run_triage("!exqueue");
    REQUIRE(out);
    CHECK_CONTAINS(out, "The work queues cannot be found (nt!PspSystemPartition -> ExPartition -> WorkQueues, "
                        "nt!KeNumberNodes): memory at fffff804`7c6fc750 is not present in the dump\n");
    free(out);
}
