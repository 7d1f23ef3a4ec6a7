/* The real Windows 10 triage dump with its kernel's symbols (symstore and
 * ISF on the symbol path), shared by the nt real-data tests. */
#ifndef KDX_TESTS_REALDATA_NT_TRIAGE_H
#define KDX_TESTS_REALDATA_NT_TRIAGE_H

#include "tests/test.h"

/* Runs cmds on kernel/triage_x64.dmp; the output (caller frees). */
char *nt_triage_run(const char *cmds);

/* Skips the test when the dump or the kernel's ISF is absent. */
#define NEED_TRIAGE()                                                  \
    TESTDATA(dump_, "kernel/triage_x64.dmp");                          \
    TESTDATA(isf_, "isf/ntkrnlmp.pdb");                                \
    (void)dump_, (void)isf_

#endif
