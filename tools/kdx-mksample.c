/* Writes the bundled sample kernel dump with the project's own dump writer:
 *   kdx-mksample [complete|bitmap|summary|triage] OUT.dmp
 * The sample is modelled on the KERNEL_APC_PENDING_DURING_EXIT (0x20) crash of
 * the reference article (see src/dump/kdump_sample.c). */
#include <stdio.h>
#include <string.h>

#include "dump/kdump_writer.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s complete|bitmap|summary|triage OUT.dmp\n", argv[0]);
        return 2;
    }
    kdx_kdw_kind kind;
    if (!strcmp(argv[1], "complete"))
        kind = KDX_KDW_COMPLETE;
    else if (!strcmp(argv[1], "bitmap"))
        kind = KDX_KDW_BITMAP;
    else if (!strcmp(argv[1], "summary"))
        kind = KDX_KDW_SUMMARY;
    else if (!strcmp(argv[1], "triage"))
        kind = KDX_KDW_TRIAGE;
    else {
        fprintf(stderr, "%s: unknown dump kind '%s' (complete, bitmap, summary or triage)\n", argv[0], argv[1]);
        return 2;
    }
    kdx_err err;
    if (kdx_kdw_sample_apc_exit(kind, argv[2], &err) != KDX_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 1;
    }
    return 0;
}
