/* A module's export table as a symbol provider, for modules without
 * symbol files (WinDbg's "export symbols"). */
#ifndef KDX_PE_PE_EXPORTS_PROVIDER_H
#define KDX_PE_PE_EXPORTS_PROVIDER_H

#include <stdint.h>

#include "base/err.h"
#include "symprov/provider.h"
#include "target/target.h"

/* The export table of the image loaded at base in the target. */
kdx_status kdx_pe_exports_provider_open(kdx_target *t, uint64_t base, const char *name,
                                        kdx_symprov *out, kdx_err *err);

#endif
