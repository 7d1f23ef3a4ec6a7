/* Symbol lookup for a session: address <-> name across all modules, and
 * types by name. Loads each module's symbols on first use through the
 * symbol path (sympath.c / symsrv.c), the way WinDbg defers loads. */
#ifndef KDX_SYM_SYMBOLS_H
#define KDX_SYM_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sym/module.h"
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
} kdx_symhit;

/* Nearest symbol at or below addr. KDX_E_NOT_FOUND when not inside any module. */
kdx_status kdx_sym_from_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit);
/* "nt!KeBugCheckEx+0x10", "amdppm+0x334c" or just the hex address, as WinDbg names code. */
void kdx_sym_format(kdx_session *s, uint64_t addr, char *buf, size_t len);

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

#endif
