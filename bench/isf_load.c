/* Loads an ISF symbol table through the kdx provider, looks a symbol and a
 * type up (so nothing is left lazy), and exits: timed by bench_isf.sh. */
#include <stdio.h>

#include "isf/isf.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: isf_load FILE.json[.xz]\n");
        return 2;
    }
    kdx_symprov p;
    kdx_symfile_id id;
    kdx_err err = {0};
    if (kdx_isf_provider_open(argv[1], &p, &id, &err) != KDX_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    kdx_isf_counts c;
    kdx_isf_get_counts(&p, &c);
    kdx_symbol s;
    int ok = p.ops->by_name(p.impl, "KeBugCheckEx", &s) == KDX_OK && p.ops->find_type(p.impl, "_EPROCESS");
    printf("%zu symbols, %zu types, %zu enums%s\n", c.symbols, c.user_types, c.enums,
           ok ? "" : " (KeBugCheckEx or _EPROCESS missing)");
    p.ops->destroy(p.impl);
    return 0;
}
