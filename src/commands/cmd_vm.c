/* !vm [Flags]: the memory-use summary, from the system partition's visible
 * counters (nt!MiSystemPartition, _MI_PARTITION.Vp) and the pool tag table.
 * Layout: Microsoft's !vm page (docs/pool.md). A counter that is not in the
 * dump is named, never printed as 0. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands/command.h"
#include "commands/families.h"
#include "nt/field.h"
#include "nt/pool.h"

#define PARTITION "nt!_MI_PARTITION"
#define PAGE_KB 4u

static void line(kdx_session *s, const char *label, uint64_t pages)
{
    kdx_print(s, "\t%-20s%10" PRIu64 " (%10" PRIu64 " Kb)\n", label, pages, pages * PAGE_KB);
}

static void partition_line(kdx_session *s, uint64_t part, const char *label, const char *field)
{
    uint64_t v;
    kdx_err err = {0};
    if (kdx_nt_read(s, PARTITION, part, field, &v, &err) == KDX_OK)
        line(s, label, v);
    else
        kdx_print(s, "\t%-20s not in the dump (nt!MiSystemPartition.%s: %s)\n", label, field, err.msg);
}

static void pool_lines(kdx_session *s)
{
    kdx_pool_usage u;
    kdx_err err = {0};
    if (kdx_pool_usage_read(s, false, &u, &err) != KDX_OK) {
        kdx_print(s, "\tPool usage:          not read (%s)\n", err.msg);
        kdx_pool_usage_free(&u);
        return;
    }
    uint64_t np = 0, p = 0;
    for (size_t i = 0; i < u.n; i++)
        np += u.tags[i].np_bytes, p += u.tags[i].p_bytes;
    /* Pages rounded up from the tag table's bytes (pool pages themselves are not counted). */
    line(s, "NonPagedPool Usage:", (np + 4095) / 4096);
    line(s, "PagedPool Usage:", (p + 4095) / 4096);
    kdx_pool_usage_free(&u);
}

static int cmd_vm(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd, (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    uint64_t part;
    kdx_err err = {0};
    if (kdx_nt_symbol(s, "nt!MiSystemPartition", &part, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_print(s, "\n*** Virtual Memory Usage ***\n");
    partition_line(s, part, "Physical Memory:", "Vp.NumberOfPhysicalPages");
    partition_line(s, part, "Available Pages:", "Vp.AvailablePages");
    partition_line(s, part, "ResAvail Pages:", "Vp.ResidentAvailablePages");
    partition_line(s, part, "Modified Pages:", "Vp.ModifiedPageListHead.Total");
    pool_lines(s);
    partition_line(s, part, "Committed pages:", "Vp.TotalCommittedPages");
    partition_line(s, part, "Commit limit:", "Vp.TotalCommitLimit");
    return 0;
}

const kdx_command kdx_cmds_vm[] = {
    {"!vm", cmd_vm, "memory use summary: physical, available, commit, pool", 0},
    {0}};
