/* libFuzzer target: the symbol-path parser and its expanded form. Lookups
 * are not exercised here: they touch the file system named by the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sympath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    kdx_sympath *sp = kdx_sympath_parse(text);
    char *e = kdx_sympath_expand(sp, "/cache");
    /* The expanded form parses back to the same elements. */
    kdx_sympath *again = kdx_sympath_parse(e);
    if (again->n != sp->n)
        abort();
    kdx_sympath_free(again);
    free(e);
    kdx_sympath_free(sp);
    free(text);
    return 0;
}
