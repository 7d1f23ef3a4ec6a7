/* Writes the standard scenario dump (src/dump/scenario_standard.c) with the
 * structure layout of a kernel symbol table (ISF or PDB):
 *   kdx-mkscenario LAYOUT.json.xz OUT.dmp [PROCESSES [THREADS_PER_PROCESS]]
 * or one of the named scenarios (src/dump/scenario_hang.c):
 *   kdx-mkscenario LAYOUT.json.xz OUT.dmp hang|apc-exit */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/scenario.h"
#include "layout.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: %s LAYOUT.json.xz|LAYOUT.pdb OUT.dmp [PROCESSES [THREADS_PER_PROCESS]]\n", argv[0]);
        return 2;
    }
    kdx_symprov prov = {0};
    kdx_symfile_id id = {0};
    kdx_err err = {0};
    kdx_status st = tool_open_layout(argv[1], &prov, &id, &err);
    const char *named = argc == 4 ? argv[3] : "";
    if (st == KDX_OK && !strcmp(named, "hang"))
        st = kdx_scn_hang(&prov, &id, argv[2], &err);
    else if (st == KDX_OK && !strcmp(named, "apc-exit"))
        st = kdx_scn_apc_exit(&prov, &id, argv[2], &err);
    else if (st == KDX_OK)
        st = kdx_scn_standard(&prov, &id, argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 0,
                              argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : 0, argv[2], &err);
    if (prov.ops)
        prov.ops->destroy(prov.impl);
    if (st != KDX_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 1;
    }
    return 0;
}
