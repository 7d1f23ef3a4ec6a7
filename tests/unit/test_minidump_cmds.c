/* Unit tests for the error tables and the user-mode commands that read
 * them (!error), plus !teb/!peb/!gle/.time on a real dump with TEBs. */
#include <stdlib.h>

#include "errors/errors.h"
#include "tests/test.h"

TEST(errors_tables_generated_from_headers)
{
    CHECK(kdx_winerror_count > 2000);
    CHECK(kdx_ntstatus_count > 1000);
    CHECK_STR(kdx_error_name(KDX_ERRKIND_WIN32, 2), "ERROR_FILE_NOT_FOUND");
    CHECK_STR(kdx_error_name(KDX_ERRKIND_WIN32, 0), "ERROR_SUCCESS");
    CHECK_STR(kdx_error_name(KDX_ERRKIND_NTSTATUS, 0xC0000005), "STATUS_ACCESS_VIOLATION");
    CHECK_STR(kdx_error_name(KDX_ERRKIND_NTSTATUS, 0x80000003), "STATUS_BREAKPOINT");
    CHECK_STR(kdx_error_name(KDX_ERRKIND_HRESULT, 0x80070005), "E_ACCESSDENIED");
    CHECK_STR(kdx_error_name(KDX_ERRKIND_HRESULT, 0x80004005), "E_FAIL");
    CHECK(kdx_error_name(KDX_ERRKIND_WIN32, 0x80070005) == NULL);
    CHECK(kdx_error_name(KDX_ERRKIND_HRESULT, 2) == NULL);
}

TEST(errors_classify_and_text)
{
    CHECK_EQ(kdx_error_classify(5), KDX_ERRKIND_WIN32);
    CHECK_EQ(kdx_error_classify(0xc000000d), KDX_ERRKIND_NTSTATUS);
    CHECK_EQ(kdx_error_classify(0x80070057), KDX_ERRKIND_HRESULT);
    CHECK_EQ(kdx_error_classify(0xc1234567), KDX_ERRKIND_NTSTATUS);
    /* HRESULT_FROM_WIN32 takes the Win32 explanation. */
    CHECK_STR(kdx_error_text(KDX_ERRKIND_HRESULT, 0x80070002),
              kdx_error_text(KDX_ERRKIND_WIN32, 2));
    /* Windows' own texts, from [MS-ERREF] (src/errors/data), as the IPC article's !gle shows. */
    CHECK(kdx_win32_texts_count > 2500 && kdx_ntstatus_texts_count > 1500 && kdx_hresult_texts_count > 2500);
    CHECK_STR(kdx_error_text(KDX_ERRKIND_WIN32, 2), "The system cannot find the file specified.");
    CHECK_STR(kdx_error_text(KDX_ERRKIND_WIN32, 1234),
              "No service is operating at the destination network endpoint on the remote system.");
    CHECK_STR(kdx_error_text(KDX_ERRKIND_HRESULT, 0x80004005), "Unspecified error.");
    CHECK(kdx_error_text(KDX_ERRKIND_HRESULT, 0x87654321) == NULL);
    /* HRESULT_FROM_NT(STATUS_ACCESS_VIOLATION) reads as the NTSTATUS. */
    CHECK_EQ(kdx_error_classify(0xd0000005), KDX_ERRKIND_HRESULT);
    CHECK_STR(kdx_error_text(KDX_ERRKIND_HRESULT, 0xd0000005),
              kdx_error_text(KDX_ERRKIND_NTSTATUS, 0xc0000005));
}

TEST(cmd_error_output)
{
    char *out = kdx_test_run(NULL, NULL, "!error 2; !error 0n1234; !error c0000034 1; !error 87654321",
                             NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Error code: (Win32) 0x2 (2) - ");
    CHECK_CONTAINS(out, "Error code: (Win32) 0x2 (2) - The system cannot find the file specified.\n");
    CHECK_CONTAINS(out, "Error code: (Win32) 0x4d2 (1234) - No service is operating at the destination "
                        "network endpoint on the remote system.\n");
    CHECK_CONTAINS(out, "Error code: (NTSTATUS) 0xc0000034 (3221225524) - ");
    CHECK_CONTAINS(out, "Error code: (HRESULT) 0x87654321 (2271560481) - <Unable to get error code text>\n");
    free(out);
}

TEST(cmd_user_teb_peb_gle_electron)
{
    TESTDATA(path, "user/electron/windows.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "!teb; !peb; !gle; .time", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "TEB at 0000006399f75000\n");
    CHECK_CONTAINS(out, "    Self:                 0000006399f75000\n");
    CHECK_CONTAINS(out, "    ClientId:             00000000000027a4 . 00000000000017b4\n");
    CHECK_CONTAINS(out, "    PEB Address:          0000006399f74000\n");
    CHECK_CONTAINS(out, "    LastStatusValue:      c0000034\n");
    CHECK_CONTAINS(out, "PEB at 0000006399f74000\n");
    CHECK_CONTAINS(out, "    ImageBaseAddress:         00007ff721510000\n");
    CHECK_CONTAINS(out, "electron-v1.4.3-win32-x64\\electron.exe\" --type=renderer");
    CHECK_CONTAINS(out, "    Environment:  000001a8dc360dd0\n        ALLUSERSPROFILE=C:\\ProgramData\n");
    CHECK_CONTAINS(out, "        windir=C:\\WINDOWS\n");
    CHECK_CONTAINS(out, "LastErrorValue: (Win32) 0 (0) - ");
    CHECK_CONTAINS(out, "LastStatusValue: (NTSTATUS) 0xc0000034 - ");
    CHECK_CONTAINS(out, "Debug session time: Thu Oct 13 22:17:00.000 2016 (UTC + 0:00)\n");
    CHECK_CONTAINS(out, "Process Uptime: 0 days 0:00:08.000\n");
    free(out);
}

TEST(cmd_user_teb_missing_calc)
{
    TESTDATA(path, "user/calc.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "!teb; !peb; !gle", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "TEB at 000007fffffd5000\n    The TEB's memory is not present in the dump");
    CHECK_CONTAINS(out, "PEB address is not available");
    CHECK_CONTAINS(out, "LastErrorValue: unavailable: the TEB at 000007ff`fffd5000 is not in the dump");
    free(out);
}

TEST(cmd_threads_switch_processor_on_kernel_dump)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    kdx_err err;
    char *out = kdx_test_run(path, NULL, "~; ~1s; ~.; ~99s", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "On a kernel dump ~ takes a processor number");
    CHECK_CONTAINS(out, "Processor 1 of 16\n");
    CHECK_CONTAINS(out, "Illegal processor error in '~99s'\n");
    free(out);
}
