/* libFuzzer target: CAB expansion of compressed symbol-store files (.pd_). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sym/symsrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void *out = NULL;
    size_t out_len = 0;
    kdx_err err;
    if (kdx_cab_expand_buffer(data, size, 64u << 20, &out, &out_len, &err) == KDX_OK)
        free(out);
    return 0;
}
