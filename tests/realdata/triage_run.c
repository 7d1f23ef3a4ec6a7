/* Commands on the real triage dump (triage_run.h). */
#include "tests/realdata/triage_run.h"

#include <stdlib.h>

#include "base/util.h"

char *triage_run(const char *cmds)
{
    const char *dump = kdx_testdata_path("kernel/triage_x64.dmp");
    char *setup = kdx_asprintf(".sympath %s;%s", kdx_testdata_path("symstore"), kdx_testdata_path("isf"));
    kdx_err err = {0};
    char *out = kdx_test_run(dump, setup, cmds, &err);
    free(setup);
    return out;
}
