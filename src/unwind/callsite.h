/* Is this the encoding of one call instruction? Stack scanning asks it of
 * the bytes before every candidate return address; answering it with a
 * small decoder of the call forms instead of the disassembler keeps capstone
 * out of every stack walk (it costs about 3 ms to load, more than a whole
 * minidump's walk). The answers equal capstone's on the real images in
 * ../shared/testdata (tests/realdata/test_callsite_real.c). */
#ifndef KDX_UNWIND_CALLSITE_H
#define KDX_UNWIND_CALLSITE_H

#include <stdbool.h>
#include <stddef.h>

#include "target/context.h"

/* True when the len bytes at insn are exactly one call instruction of arch:
 * x86/x64 E8 rel32 (rel16 under 66), FF /2 and FF /3 with
 * every ModRM/SIB/displacement form, 9A ptr16:32 (32-bit code only), with
 * their prefixes; ARM64 BL and BLR. */
bool kdx_callsite_is_call(kdx_arch arch, const uint8_t *insn, size_t len);

#endif
