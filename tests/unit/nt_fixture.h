/* Scenario dumps for the nt-layer tests: the Windows 10 19041 ISF from
 * ../shared/testdata is the layout (opened once); sessions open the dumps
 * with that ISF on the symbol path. */
#ifndef KDX_TESTS_NT_FIXTURE_H
#define KDX_TESTS_NT_FIXTURE_H

#include "dump/scenario.h"
#include "target/session.h"
#include "tests/test.h"

#define NT_FIXTURE_ISF "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"

/* The layout, or NULL when ../shared/testdata is absent. */
const kdx_symprov *nt_fixture_layout(kdx_symfile_id *id);
/* A new scenario (caller frees), or NULL without testdata. */
kdx_scn *nt_fixture_scenario(void);
/* Saves s to a temporary dump and opens it in a session writing to a buffer. */
kdx_session *nt_fixture_open(kdx_scn *s, const char *name);
/* Opens a dump already written (kdx_scn_hang & co.) the same way. */
kdx_session *nt_fixture_open_path(const char *path);
/* Runs commands in an open session; the output since the last call (caller frees). */
char *nt_fixture_run(kdx_session *s, const char *commands);
void nt_fixture_close(kdx_session *s);

/* A system process (pid 4) with a running thread on every processor. */
uint64_t nt_fixture_system(kdx_scn *s);

#define NT_SCENARIO(var)                                                           \
    kdx_scn *var = nt_fixture_scenario();                                          \
    if (!var)                                                                      \
        SKIP("needs ../shared/testdata/%s (the layout), which is not present on this machine", NT_FIXTURE_ISF)

#endif
