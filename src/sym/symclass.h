/* Which symbols may name code. Code addresses (an instruction pointer, a
 * return address, a u/uf label, ln on an executable section) resolve only to
 * symbols that can name code; a string literal or vftable placed between
 * functions must never become "the function" at an address.
 *
 * Providers say what they know in kdx_symbol.flags (PDB: procedure records,
 * S_PUB32 code/function flags, global data; exports: the section's
 * characteristics; Breakpad: FUNC and code-only PUBLIC records). Where they
 * cannot (ISF tables carry addresses only), the kind and MSVC's decorated
 * names of data decide here, and the symbol layer then asks the image's
 * section table (see symbols.c). */
#ifndef KDX_SYM_SYMCLASS_H
#define KDX_SYM_SYMCLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "symprov/provider.h"

/* KDX_SYMF_CODE, KDX_SYMF_DATA, or 0 when neither the provider nor the name tells. */
uint8_t kdx_symbol_class(const kdx_symbol *s);

/* Names that can only be data: string literals (??_C@, `string'), vftables
 * and vbtables (??_7, ??_8, ??_S), RTTI records (??_R), import slots
 * (__imp_), and decorated C++ variables (?name@@3...). Decorated and
 * undecorated forms are both recognised. */
bool kdx_symname_is_data(const char *name);

#endif
