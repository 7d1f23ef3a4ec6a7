/* The !verifier command for a Driver Verifier bug check (verifier_hint.h). */
#include "analysis/verifier_hint.h"

#include <inttypes.h>
#include <stdio.h>

#include "base/util.h"
#include "nt/field.h"

/* 0xC4 with Arg1 0x62: Arg2 is the address of the driver's name (a
 * UNICODE_STRING): the driver whose outstanding allocations !verifier 3
 * lists. A name that cannot be read is left out, and the hint says so. */
static char *leak_at_unload(kdx_session *s, uint64_t name_addr)
{
    char name[128];
    if (kdx_nt_unicode_string(s, name_addr, name, sizeof name, NULL) == KDX_OK && name[0])
        return kdx_asprintf("!verifier 3 %s", name);
    return kdx_asprintf("!verifier 3 (the driver name at %016" PRIx64 " is not readable)", name_addr);
}

char *kdx_verifier_hint(kdx_session *s, uint32_t code, const uint64_t args[4])
{
    switch (code) {
    case 0xc4:
        if (args[0] == 0x62)
            return leak_at_unload(s, args[1]);
        /* Thread APC disable count changed by a dispatch routine (Arg2):
         * the critical-region log holds who entered and left regions. */
        if (args[0] == 0xc5)
            return kdx_asprintf("ln %" PRIx64 "; !verifier 200", args[1]);
        return kdx_strdup("!verifier 3");
    case 0xc5:
    case 0xd6:
        /* Arg1: the pool address referenced; its allocate/free history. */
        return kdx_asprintf("!pool %" PRIx64 "; !verifier 80 %" PRIx64, args[0], args[0]);
    case 0xc9:
        return kdx_strdup("!verifier 100");
    default:
        return NULL;
    }
}
