/* Processes, threads and processors of the real Windows 10 triage dump
 * with its kernel's ISF: the facts in ../shared/testdata/README.md (current
 * thread ffffc08b`de9e1640, Cid 0004.0108, System at ffffc08b`dce94180 with
 * DirectoryTableBase 1ad000, processor 0's PRCB) as !thread, !process, !prcb,
 * !pcr and r cr3 show them, and what !process 0 0 can and cannot read. */
#include <stdlib.h>

#include "base/util.h"
#include "tests/realdata/triage_run.h"
#include "tests/test.h"

#define run_triage triage_run

TEST(nt_real_thread_current)
{
    NEED_TRIAGE();
    char *out = run_triage("!thread");
    CHECK_CONTAINS(out, "THREAD ffffc08bde9e1640  Cid 0004.0108  Teb: 0000000000000000 Win32Thread: 0000000000000000 "
                        "RUNNING on processor 0\n");
    CHECK_CONTAINS(out, "Owning Process            ffffc08bdce94180       Image:         System\n");
    CHECK_CONTAINS(out, "Win32 Start Address nt!ExpWorkerThread (0xfffff8047bc25870)\n");
    CHECK_CONTAINS(out, "Stack Init ffff850429892c90 Current ffff850429891fe0\n");
    /* The stack as kn shows it: the bug-check context, stopping where nt's .pdata leaves the dump. */
    CHECK_CONTAINS(out, "ffff8504`29890ee8 fffff804`7be0f4e1 : ");
    CHECK_CONTAINS(out, ": nt!KeBugCheckEx\n");
    CHECK_CONTAINS(out, "ffff8504`29890ef0 ????????`???????? : ");
    free(out);
    out = run_triage("!thread -t 108 0; !thread -1 e");
    CHECK_CONTAINS(out, "THREAD ffffc08bde9e1640  Cid 0004.0108");
    CHECK_CONTAINS(out, "Child-SP          RetAddr           Call Site\nffff8504`29890ee8 fffff804`7be0f4e1 nt!KeBugCheckEx\n"
                        "ffff8504`29890ef0 ????????`???????? nt+0x40f4e1\n");
    free(out);
}

TEST(nt_real_process_system)
{
    NEED_TRIAGE();
    char *out = run_triage("!process ffffc08b`dce94180 0; !process 4 0");
    CHECK_CONTAINS(out, "PROCESS ffffc08bdce94180\n    SessionId: none  Cid: 0004    Peb: 00000000  ParentCid: 0000\n"
                        "    DirBase: 001ad000  ObjectTable: ffffad0ec107b080  HandleCount: <Data Not Accessible>\n"
                        "    Image: System\n");
    CHECK_CONTAINS(out, "Searching for Process with Cid == 4\nPROCESS ffffc08bdce94180\n");
    /* The handle table's pages are not in the triage dump: said, not counted as zero. */
    CHECK_CONTAINS(out, "not read: handle table; memory at ffffad0e`c10b1130 is not present in the dump");
    free(out);
}

TEST(nt_real_process_list_says_what_is_missing)
{
    NEED_TRIAGE();
    char *out = run_triage("!process 0 0");
    CHECK_CONTAINS(out, "**** NT ACTIVE PROCESS DUMP ****\nPROCESS ffffc08bdce94180\n");
    /* The list's links are in the dump, the bodies of the other four processes mostly not. */
    CHECK_CONTAINS(out, "PROCESS ffffc08bdcff5040\n    SessionId: ?  Cid: 00b4    Peb: ?  ParentCid: 0004\n");
    CHECK_CONTAINS(out, "PROCESS ffffc08be505e1c0\n");
    CHECK_CONTAINS(out, "nt!_EPROCESS.Session of ffffc08b`dcff5040 (at ffffc08b`dcff5598): memory at "
                        "ffffc08b`dcff5598 is not present in the dump");
    free(out);
    /* The System process's thread list leaves the dump after two threads. */
    out = run_triage("!process ffffc08b`dce94180 2");
    CHECK_CONTAINS(out, "the thread list of process ffffc08bdce94180 leaves the dump after 2 entries: the entry at "
                        "ffffc08b`dceb0528 (Flink of ffffc08b`dceaf528) cannot be read");
    free(out);
}

/* !cpuinfo from each PRCB: an AMD family 23 (0x17) model 113 (0x71) part,
 * which the AMD drivers in the module list (amdppm, amdgpio2) agree with; 16
 * lines for vertarget's "16 procs"; the MSR 8B column is blank in a dump. */
TEST(nt_real_cpuinfo)
{
    NEED_TRIAGE();
    char *out = run_triage("!cpuinfo; !cpuinfo f");
    CHECK_CONTAINS(out, "CP  F/M/S Manufacturer  MHz PRCB Signature    MSR 8B Signature Features\n"
                        " 0 23,113,0 AuthenticAMD 3593 0000000008701021                   383b3dff\n");
    CHECK_CONTAINS(out, "15 23,113,0 AuthenticAMD 3593 0000000008701021                   383b3dff\n"
                        "CP  F/M/S");
    CHECK(!strstr(out, "16 23,"));
    free(out);
}

TEST(nt_real_processor_zero)
{
    NEED_TRIAGE();
    char *out = run_triage("r cr3; r cr0; ? $prcb; ? $pcr; !prcb; !pcr; !irql");
    CHECK_CONTAINS(out, "cr3=00000000001ad000\n");
    CHECK_CONTAINS(out, "cr0=0000000080050031\n");
    CHECK_CONTAINS(out, "Evaluate expression: -8776896921216 = fffff804`782d4180\n");
    CHECK_CONTAINS(out, "Evaluate expression: -8776896921600 = fffff804`782d4000\n");
    CHECK_CONTAINS(out, "PRCB for Processor 0 at fffff804782d4180:\n");
    CHECK_CONTAINS(out, "Threads--  Current ffffc08bde9e1640 Next 0000000000000000 Idle fffff8047c727600\n");
    CHECK_CONTAINS(out, "KPCR for Processor 0 at fffff804782d4000:\n");
    CHECK_CONTAINS(out, "\t               Prcb: fffff804782d4180\n");
    CHECK_CONTAINS(out, "\t      CurrentThread: ffffc08bde9e1640\n");
    /* The KPCR's own fields precede the PRCB copy the dump holds. */
    CHECK_CONTAINS(out, "memory at fffff804`782d4000 is not present in the dump");
    CHECK_CONTAINS(out, "Debugger saved IRQL for processor 0x0 -- 0 (LOW_LEVEL)\n");
    free(out);
}
