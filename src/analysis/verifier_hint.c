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

/* 0xC4's pool sub-codes name an address whose allocate/free history the
 * pool log (!verifier 80) holds; those about the IRQL also point at the
 * IRQL log (!verifier 8). Sub-code meanings: bugcheck_text.c's table. */
static char *pool_subcode(kdx_session *s, const uint64_t args[4])
{
    uint64_t header = 0;
    switch (args[0]) {
    case 0x1: /* allocation at a bad IRQL: the IRQL changes before it */
    case 0x2:
        return kdx_strdup("!verifier 8");
    case 0x10: /* freed an address no allocation returned: Arg2 */
        return kdx_asprintf("!verifier 80 %" PRIx64, args[1]);
    case 0x11: /* freed at a bad IRQL: Arg4 the pool address */
    case 0x12:
        return kdx_asprintf("!verifier 80 %" PRIx64 "; !verifier 8", args[3]);
    case 0x13: /* double free: Arg3 the pool header, the block follows it */
    case 0x14:
        if (kdx_nt_sizeof(s, "nt!_POOL_HEADER", &header, NULL) != KDX_OK)
            return kdx_asprintf("!pool %" PRIx64 " (nt!_POOL_HEADER has no type: the block's address is unknown)",
                                args[2]);
        return kdx_asprintf("!pool %" PRIx64 "; !verifier 80 %" PRIx64, args[2], args[2] + header);
    default:
        return NULL;
    }
}

/* 0xC9: the sub-codes whose parameters name the IRP (bugcheck_text.c):
 * its events in the IRP log; the others, the whole log. */
static char *irp_subcode(const uint64_t args[4])
{
    switch (args[0]) {
    case 0x1:
    case 0x2:
    case 0x3:
        return kdx_asprintf("!verifier 100 %" PRIx64, args[1]);
    case 0x6:
    case 0x7:
    case 0xe:
    case 0xf:
        return kdx_asprintf("!verifier 100 %" PRIx64, args[2]);
    default:
        return kdx_strdup("!verifier 100");
    }
}

char *kdx_verifier_hint(kdx_session *s, uint32_t code, const uint64_t args[4])
{
    char *pool = NULL;
    switch (code) {
    case 0xc4:
        if (args[0] == 0x62)
            return leak_at_unload(s, args[1]);
        /* Thread APC disable count changed by a dispatch routine (Arg2):
         * the critical-region log holds who entered and left regions. */
        if (args[0] == 0xc5)
            return kdx_asprintf("ln %" PRIx64 "; !verifier 200", args[1]);
        if ((pool = pool_subcode(s, args)) != NULL)
            return pool;
        return kdx_strdup("!verifier 3");
    case 0xc5:
    case 0xd6:
        /* Arg1: the pool address referenced; its allocate/free history. */
        return kdx_asprintf("!pool %" PRIx64 "; !verifier 80 %" PRIx64, args[0], args[0]);
    case 0xc9:
        return irp_subcode(args);
    default:
        return NULL;
    }
}
