/* Commands on the real triage dump (kernel/triage_x64.dmp) with its
 * kernel's ISF and the symbol store on the symbol path, for the real-data
 * tests of the kernel-object commands. */
#ifndef KDX_TESTS_TRIAGE_RUN_H
#define KDX_TESTS_TRIAGE_RUN_H

#include "tests/test.h"

/* The output of cmds (caller frees). */
char *triage_run(const char *cmds);

#define NEED_TRIAGE()                                                  \
    TESTDATA(dump_, "kernel/triage_x64.dmp");                          \
    TESTDATA(isf_, "isf/ntkrnlmp.pdb");                                \
    (void)dump_, (void)isf_

#endif
