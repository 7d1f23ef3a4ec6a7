/* Golden transcripts: files under tests/golden/NAME.txt that look like a
 * WinDbg session. Header lines (before the first prompt):
 *   # open: testdata/REL   file under ../shared/testdata (skip when absent)
 *   # open: gen/NAME       synthetic dump from a registered generator
 *   # open: none           no target
 *   # needs: testdata/REL  skip when ../shared/testdata/REL is absent (generators' inputs)
 *   # setup: COMMANDS      run first, output discarded (${TESTDATA}, ${TMP} expand)
 *   # anything else        comment
 * Then "N: kd> CMD" or "N:NNN> CMD" lines, each followed by the exact
 * expected output (trailing blanks and trailing empty lines ignored). */
#ifndef KDX_TESTS_GOLDEN_H
#define KDX_TESTS_GOLDEN_H

#include "tests/test.h"

void kdx_golden_run(kdx_test_ctx *t, const char *path);

#endif
