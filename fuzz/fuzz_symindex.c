/* libFuzzer target for the symbol index reader (sym/symidx.h): the checksum
 * is not checked (KDX_SYMIDX_CHECK_RECORDS, then KDX_SYMIDX_CHECK_ON_USE,
 * whose tables are checked on first use), so that damaged records reach
 * the reference checks; then
 * lookups, enumeration and every type's fields, and the symbol layer's
 * address index built from the index's listing (sym/addrindex.h: the
 * listing read in place, classes as stored) with its three kinds of lookup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_walk.h"
#include "sym/addrindex.h"
#include "sym/symidx.h"

static int touch(void *ud, const kdx_symbol *s)
{
    (void)ud;
    return s->name && s->name[0] == '\x7f';
}

static void exercise(const uint8_t *data, size_t size, kdx_symidx_check check)
{
    /* The reader wants 8-byte alignment, as a mapped file has. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err;
    if (kdx_symidx_open(copy, size, KDX_SYMIDX_MALLOCED, check, "fuzz.kdxidx", NULL, &p, &id, &err) != KDX_OK)
        return;
    kdx_symbol s;
    p.ops->by_rva(p.impl, 0x1000, &s);
    p.ops->by_name(p.impl, "KeBugCheckEx", &s);
    p.ops->by_name(p.impl, "kebugcheckex", &s);
    p.ops->enumerate(p.impl, "*", touch, NULL);
    if (p.ops->find_type) {
        p.ops->find_type(p.impl, "_KTHREAD");
        p.ops->find_type(p.impl, "_kthread");
        p.ops->enumerate_types(p.impl, "*", fuzz_walk_type, NULL);
    }
    free(kdx_symprov_params_at(&p, 0x1000));
    kdx_addrindex ix;
    kdx_addrindex_build(&ix, &p, NULL);
    static const uint32_t probes[] = {0, 0x1000, 0x1008, 0x2000, 0xffffffffu};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        kdx_symbol next;
        kdx_addrindex_lookup(&ix, NULL, KDX_LOOKUP_DATA, probes[i], &s, &next);
        kdx_addrindex_lookup(&ix, NULL, KDX_LOOKUP_CODE, probes[i], &s, &next);
        kdx_addrindex_lookup(&ix, NULL, KDX_LOOKUP_BY_SECTION, probes[i], &s, &next);
    }
    kdx_addrindex_free(&ix);
    const char *file;
    uint32_t line;
    kdx_frame_data fd;
    if (p.ops->line_for_rva)
        p.ops->line_for_rva(p.impl, 0x1008, &file, &line);
    if (p.ops->frame_data_for_rva)
        p.ops->frame_data_for_rva(p.impl, 0x1008, &fd);
    p.ops->destroy(p.impl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exercise(data, size, KDX_SYMIDX_CHECK_RECORDS);
    exercise(data, size, KDX_SYMIDX_CHECK_ON_USE); /* each table checked when first read */
    return 0;
}
