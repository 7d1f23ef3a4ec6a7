/* Symbol lookup for a session: address <-> name across all modules, and
 * types by name. Loads each module's symbols on first use through the
 * symbol path (sympath.c / symsrv.c), the way WinDbg defers loads. */
#ifndef KDX_SYM_SYMBOLS_H
#define KDX_SYM_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/module.h"
#include "target/session.h"
#include "types/type.h"

struct kdx_symctx *kdx_symctx_new(void);
void kdx_symctx_free(struct kdx_symctx *c);
/* Called when the session's target changes (modules to load afresh). */
void kdx_sym_target_changed(kdx_session *s);

struct kdx_pe;
/* The module's image: from target memory when its headers are there, else
 * the image file found through the image path and the symbol path
 * (name.sys/TIMESTAMPSIZE/name.sys). Cached per module; owned by the session. */
kdx_status kdx_sym_module_image(kdx_session *s, kdx_module *m, struct kdx_pe **out, kdx_err *err);

/* Loads m's symbols now if not yet tried. */
kdx_status kdx_sym_load_module(kdx_session *s, kdx_module *m, kdx_err *err);

typedef struct kdx_symhit {
    kdx_module *module;      /* containing module, NULL if none */
    const char *name;        /* symbol name without module, NULL if only module known */
    uint64_t address;        /* symbol start (or module base) */
    uint64_t displacement;   /* addr - address */
    uint32_t size;           /* symbol size, 0 if unknown */
    uint8_t flags;           /* KDX_SYMF_CODE / KDX_SYMF_DATA: what the symbol names, 0 if unknown */
} kdx_symhit;

/* The symbol naming addr, decided by the kind of address (docs/symbols.md):
 * in an executable section the function containing it (as the _code_
 * lookups below), elsewhere the nearest symbol at or below it (data).
 * hit->name is NULL when no symbol names it (print module+offset).
 * KDX_E_NOT_FOUND when not inside any module. */
kdx_status kdx_sym_from_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit);
/* "nt!KeBugCheckEx+0x10", "amdppm+0x334c" or just the hex address. */
void kdx_sym_format(kdx_session *s, uint64_t addr, char *buf, size_t len);

/* For addresses known to be code (instruction pointers, return addresses,
 * disassembly): only function symbols, never data (string literals,
 * vftables, import slots) that precedes the address. A symbol without a
 * size is bounded by the image's .pdata when readable; a chunk split off a
 * function is named after the function, displaced from the chunk's start. */
kdx_status kdx_sym_from_code_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit);
kdx_status kdx_sym_from_code_addr_ex(kdx_session *s, uint64_t addr, kdx_symhit *hit, kdx_symhit *next);
void kdx_sym_format_code(kdx_session *s, uint64_t addr, char *buf, size_t len);

/* Resolves "module!name", "name" (searching all modules, kernel first) or
 * "module" (its base). */
kdx_status kdx_sym_to_addr(kdx_session *s, const char *name, uint64_t *addr, kdx_err *err);

/* Finds a type "module!_TYPE" or "_TYPE" (searching modules with types). */
const kdx_type *kdx_sym_find_type(kdx_session *s, const char *name, kdx_err *err);

/* Typed read of a field by path: kdx_read_field(s, "nt!_KTHREAD", thread, "ApcState.Process", &v). */
kdx_status kdx_read_field(kdx_session *s, const char *type_name, uint64_t addr,
                          const char *field_path, uint64_t *value, kdx_err *err);
/* Offset of a field by path in a named type. */
kdx_status kdx_field_offset(kdx_session *s, const char *type_name, const char *field_path,
                            uint64_t *offset, kdx_err *err);

/* ---- Additions: symbol path, loading and enumeration (sym/symbols.c) ---- */

/* The symbol path as set (NULL when none) and its expanded form (caller frees). */
const char *kdx_sym_path(kdx_session *s);
char *kdx_sym_path_expanded(kdx_session *s);
/* Replaces the path, or appends to it (.sympath+). */
void kdx_sym_set_path(kdx_session *s, const char *text, bool append);
struct kdx_sympath;
const struct kdx_sympath *kdx_sym_parsed_path(kdx_session *s);
const char *kdx_sym_default_cache(kdx_session *s);
/* !sym noisy / quiet: noisy prints every place a symbol file is looked for. */
void kdx_sym_set_noisy(kdx_session *s, bool noisy);
bool kdx_sym_noisy(kdx_session *s);
/* Never contact symbol servers (local stores and caches only). */
void kdx_sym_set_offline(kdx_session *s, bool offline);
/* The symbol index cache directory (sym/symcache.h): NULL/"off" disables it,
 * "default" takes it from the environment again. Returns the directory in use. */
const char *kdx_sym_index_dir(kdx_session *s);
void kdx_sym_set_index_dir(kdx_session *s, const char *dir);

/* .reload [/f] [module]: forgets the symbols of the modules matching module
 * (all when NULL/empty); with force loads them now, fetching in parallel. */
kdx_status kdx_sym_reload(kdx_session *s, const char *module, bool force, kdx_err *err);
/* Same; overwrite (.reload /o) downloads again over the downstream stores' copies. */
kdx_status kdx_sym_reload_ex(kdx_session *s, const char *module, bool force, bool overwrite,
                             kdx_err *err);

/* kdx_sym_from_addr, and the symbol after it (next may be NULL). */
kdx_status kdx_sym_from_addr_ex(kdx_session *s, uint64_t addr, kdx_symhit *hit, kdx_symhit *next);

/* Symbols matching pattern in modules matching module_pattern (wildcards). */
typedef int (*kdx_sym_enum_cb)(void *ud, kdx_module *m, const kdx_symbol *sym);
kdx_status kdx_sym_enumerate(kdx_session *s, const char *module_pattern, const char *pattern,
                             kdx_sym_enum_cb cb, void *ud, kdx_err *err);

/* Whether kdx_sym_enumerate(s, module_pattern, ...) lists in ascending address
 * order, names in strcmp order at one address, known without listing: one
 * module matches (its symbols are loaded here), and its symbols come from an
 * index whose listing is in that order. False when not known. */
bool kdx_sym_enumerates_in_order(kdx_session *s, const char *module_pattern);
/* Like kdx_sym_find_type, also telling which module the type came from. */
const kdx_type *kdx_sym_find_type_ex(kdx_session *s, const char *name, kdx_module **where,
                                     kdx_err *err);

/* True when m's image was looked for and not found (WinDbg's "T" status). */
bool kdx_sym_module_image_missing(kdx_session *s, kdx_module *m);
/* m's image if an earlier lookup already found it (never searches), else NULL. */
struct kdx_pe *kdx_sym_module_image_loaded(kdx_session *s, kdx_module *m);
/* Path of the image file used for m when it came from disk, else NULL. */
const char *kdx_sym_module_image_file(kdx_session *s, kdx_module *m);

#endif
