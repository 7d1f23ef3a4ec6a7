/* libFuzzer target for the PDB reader: open from memory, then every kind of
 * lookup, type completion, lines and frame data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "pdb/pdb.h"
#include "pdb/pdb_provider.h"

static int on_sym(void *ud, const kdx_symbol *s)
{
    (void)s;
    return ++*(int *)ud > 2000;
}

static int on_type(void *ud, const kdx_type *t)
{
    uint32_t n;
    kdx_type_fields(t, &n);
    kdx_type_enumerators(t, &n);
    char buf[256];
    kdx_type_dt_name(t, buf, sizeof buf);
    return ++*(int *)ud > 2000;
}

/* Inputs starting with '?' exercise the C++ undecorator directly. */
static void undecorate(const uint8_t *data, size_t size)
{
    char *name = malloc(size + 1);
    if (!name)
        return;
    memcpy(name, data, size);
    name[size] = 0;
    free(kdx_undname(name, true));
    free(kdx_undname(name, false));
    free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size && data[0] == '?' && size < 4096) {
        undecorate(data, size);
        return 0;
    }
    kdx_file *f;
    if (kdx_file_from_memory(&f, "fuzz.pdb", data, size, NULL))
        return 0;
    kdx_symprov p;
    kdx_symfile_id id;
    if (kdx_pdb_provider_open_file(f, &p, &id, NULL))
        return 0;
    kdx_symbol s;
    int count = 0;
    static const uint32_t rvas[] = {0, 0x1000, 0x1010, 0x1234, 0x10000, 0xffffffffu};
    for (size_t i = 0; i < sizeof rvas / sizeof rvas[0]; i++) {
        p.ops->by_rva(p.impl, rvas[i], &s);
        char *sig = kdx_pdb_signature_at(&p, rvas[i]);
        free(sig);
        const char *file;
        uint32_t line;
        p.ops->line_for_rva(p.impl, rvas[i], &file, &line);
        kdx_frame_data fd;
        p.ops->frame_data_for_rva(p.impl, rvas[i], &fd);
    }
    p.ops->by_name(p.impl, "main", &s);
    p.ops->by_name(p.impl, "nosuchname", &s);
    p.ops->enumerate(p.impl, "*", on_sym, &count);
    p.ops->find_type(p.impl, "_LIST_ENTRY");
    count = 0;
    p.ops->enumerate_types(p.impl, "*", on_type, &count);
    p.ops->destroy(p.impl);
    return 0;
}
