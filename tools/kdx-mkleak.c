/* Writes the pool-leak scenario dump (src/dump/scenario_leak.c) with the
 * structure layout of a kernel symbol table (ISF or PDB):
 *   kdx-mkleak LAYOUT.json.xz OUT.dmp [LEAKS [flags]]
 * flags: any of v (Driver Verifier on leaky.sys), u (the 0xC4/0x62 bug check
 * of its unload), n (leaked pages not in the dump: table entries only),
 * l (Windows 7-style linear pool: small blocks in _POOL_HEADER pages),
 * g (Verifier's IRP, fault-injection, forced-pending and IRQL logs too;
 * implies v), s (a kernel segment heap holding small Leak allocations: SMALL
 * of them, default 32, half in VS and half in LFH subsegments, the first 2
 * of each kind freed; not with g). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/scenario_pool.h"
#include "layout.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: %s LAYOUT.json.xz|LAYOUT.pdb OUT.dmp [LEAKS [vunlgs [SMALL]]]\n", argv[0]);
        return 2;
    }
    kdx_symprov prov = {0};
    kdx_symfile_id id = {0};
    kdx_err err = {0};
    kdx_status st = tool_open_layout(argv[1], &prov, &id, &err);
    kdx_scn_leak_spec spec = {0};
    unsigned nsmall = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 0) : 32;
    kdx_scn_small_leaks small = {.vs_leaks = nsmall - nsmall / 2, .lfh_leaks = nsmall / 2, .freed_leaks = 2};
    bool segheap = false;
    if (argc > 3)
        spec.leaks = (unsigned)strtoul(argv[3], NULL, 0);
    bool logs = argc > 4 && strchr(argv[4], 'g') != NULL;
    if (argc > 4) {
        spec.verifier = strchr(argv[4], 'v') != NULL;
        spec.unload_bugcheck = strchr(argv[4], 'u') != NULL;
        spec.unbacked = strchr(argv[4], 'n') != NULL;
        spec.linear = strchr(argv[4], 'l') != NULL;
        segheap = strchr(argv[4], 's') != NULL;
    }
    if (logs && segheap) {
        fprintf(stderr, "%s: flags g and s cannot be combined\n", argv[0]);
        if (prov.ops)
            prov.ops->destroy(prov.impl);
        return 2;
    }
    if (st == KDX_OK)
        st = logs      ? kdx_scn_pool_leak_logs(&prov, &id, &spec, argv[2], &err)
             : segheap ? kdx_scn_pool_leak_small(&prov, &id, &spec, &small, argv[2], &err)
                       : kdx_scn_pool_leak(&prov, &id, &spec, argv[2], &err);
    if (prov.ops)
        prov.ops->destroy(prov.impl);
    if (st != KDX_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 1;
    }
    return 0;
}
