/* Typed access to kernel structures through the loaded types (PDB or ISF),
 * never through offsets written in code. Every lookup takes a type name
 * ("nt!_KTHREAD") and a field path ("ApcState.Process", "WaitBlock[1]",
 * a bit field like "Alertable"); where Windows versions renamed or moved a
 * field, the path may list alternatives separated by '|', tried in order:
 * "Tcb.KernelApcDisable|Tcb.CombinedApcDisable". Errors name every
 * alternative that was missing. Lookups are cached per session.
 *
 * A snapshot (kdx_nt_obj) reads a whole structure once, page by page, and
 * serves field reads from it: a structure that straddles a missing page
 * still answers for the fields that are there, and names the ones that
 * are not. */
#ifndef KDX_NT_FIELD_H
#define KDX_NT_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/util.h"
#include "target/session.h"
#include "types/type.h"

/* A field as the types describe it. */
typedef struct kdx_nt_field {
    const char *path;        /* the alternative that exists */
    uint64_t offset;         /* bytes from the start of the structure */
    uint64_t size;           /* bytes of the storage (bit field: its integer) */
    uint8_t bit_pos, bit_len;/* bit_len 0: not a bit field */
    bool is_integer;         /* integer, enum, pointer or bit field */
    const kdx_type *type;    /* typedefs stripped */
} kdx_nt_field;

/* The type named type_name ("nt!_EPROCESS"). */
kdx_status kdx_nt_type(kdx_session *s, const char *type_name, const kdx_type **out, kdx_err *err);
kdx_status kdx_nt_sizeof(kdx_session *s, const char *type_name, uint64_t *size, kdx_err *err);
/* The first of paths ("A|B") that type_name has. */
kdx_status kdx_nt_field_of(kdx_session *s, const char *type_name, const char *paths,
                           const kdx_nt_field **out, kdx_err *err);
bool kdx_nt_has_field(kdx_session *s, const char *type_name, const char *paths);
kdx_status kdx_nt_offset(kdx_session *s, const char *type_name, const char *paths, uint64_t *offset,
                         kdx_err *err);
/* The value of an integer, enum, pointer or bit field at addr (signed
 * fields sign-extended). Errors name the field and the missing address. */
kdx_status kdx_nt_read(kdx_session *s, const char *type_name, uint64_t addr, const char *paths,
                       uint64_t *value, kdx_err *err);
/* A field's value from the bytes of its structure (p = the structure). */
uint64_t kdx_nt_field_value(const kdx_nt_field *f, const uint8_t *p);

/* The name of value in an enum type ("_KWAIT_REASON"), NULL if none. */
const char *kdx_nt_enum_name(kdx_session *s, const char *enum_type, int64_t value);
/* The value of enumerator name in an enum type. */
kdx_status kdx_nt_enum_value(kdx_session *s, const char *enum_type, const char *name, int64_t *value,
                             kdx_err *err);

/* A structure read once. */
typedef struct kdx_nt_obj {
    kdx_session *s;
    const char *type;        /* as given; must outlive the snapshot */
    uint64_t addr, size;
    uint8_t *bytes;
    uint8_t *present;        /* per byte: 1 read, 0 not in the dump */
    kdx_err missing;         /* why the first missing part is missing */
} kdx_nt_obj;

/* Reads the structure at addr. Fails only when none of it is readable
 * (or the type is unknown); otherwise fields answer one by one. */
kdx_status kdx_nt_obj_read(kdx_session *s, const char *type_name, uint64_t addr, kdx_nt_obj *o,
                           kdx_err *err);
void kdx_nt_obj_free(kdx_nt_obj *o);
/* A field's value; KDX_E_MEM_MISSING naming the field when its bytes were not read. */
kdx_status kdx_nt_obj_get(const kdx_nt_obj *o, const char *paths, uint64_t *value, kdx_err *err);
/* The raw bytes of a field (arrays such as ImageFileName), at most cap. */
kdx_status kdx_nt_obj_bytes(const kdx_nt_obj *o, const char *paths, void *buf, size_t cap, size_t *len,
                            kdx_err *err);
/* Address of a field (embedded lists, sub-structures). */
kdx_status kdx_nt_obj_addr(const kdx_nt_obj *o, const char *paths, uint64_t *addr, kdx_err *err);
/* True when the whole structure was read. */
bool kdx_nt_obj_complete(const kdx_nt_obj *o);

/* Collects the names of fields a display could not read, to say so once. */
typedef struct kdx_nt_gaps {
    kdx_strbuf names;
    kdx_err first;           /* the first reason */
    unsigned count;
} kdx_nt_gaps;
void kdx_nt_gaps_init(kdx_nt_gaps *g);
void kdx_nt_gaps_free(kdx_nt_gaps *g);
void kdx_nt_gaps_add(kdx_nt_gaps *g, const char *what, const kdx_err *why);
/* obj field or record the gap; *ok false when missing. */
uint64_t kdx_nt_obj_val(const kdx_nt_obj *o, const char *paths, kdx_nt_gaps *g, bool *ok);

/* A _UNICODE_STRING at addr, as UTF-8 (at most cap - 1 bytes). */
kdx_status kdx_nt_unicode_string(kdx_session *s, uint64_t addr, char *buf, size_t cap, kdx_err *err);

/* The address of a kernel symbol ("nt!PsActiveProcessHead"). */
kdx_status kdx_nt_symbol(kdx_session *s, const char *name, uint64_t *addr, kdx_err *err);

#endif
