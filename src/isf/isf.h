/* Volatility 3 ISF symbol tables (opened by kdx_isf_provider_open below).
 * Extras for tests, fuzzers and the symbol loader. */
#ifndef KDX_ISF_ISF_H
#define KDX_ISF_ISF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "symprov/provider.h"
#include "symprov/symfile.h"

/* Volatility 3 ISF, .json or .json.xz. */
kdx_status kdx_isf_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                 kdx_err *err);

/* The same as kdx_isf_provider_open on bytes in memory (plain JSON or xz). */
kdx_status kdx_isf_provider_open_buffer(const char *name, const uint8_t *data, size_t len,
                                        kdx_symprov *out, kdx_symfile_id *id, kdx_err *err);

/* "5278AFF86C341677D7D7835C85B7B844" (dashes and braces allowed) -> GUID structure bytes,
 * as kdx_module.pdb_guid stores them. */
bool kdx_isf_parse_guid(const char *s, uint8_t guid[16]);

/* Counts of an ISF provider (0 for any other provider): symbols placed by address,
 * user types (records) defined by the table, enums. */
typedef struct kdx_isf_counts {
    size_t symbols;
    size_t user_types;
    size_t enums;
} kdx_isf_counts;
bool kdx_isf_get_counts(const kdx_symprov *prov, kdx_isf_counts *out);

/* The "address" an ISF table's text gives each name near its first mention
 * (-1 when not found that way), without parsing: decoding stops as soon as
 * every name is found. False when the file cannot be read or decoded. */
bool kdx_isf_quick_addresses(const char *path, const char *const *names, size_t n, int64_t *out);
/* The text quick_addresses decoded stays set aside for a parse of the same
 * file (kdx_isf_provider_open goes on from it) until this is called or
 * another file is checked; call it once that parse is done or not wanted. */
void kdx_isf_quick_forget(void);

#endif
