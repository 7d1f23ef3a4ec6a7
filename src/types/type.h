/* The type model shared by every type source (PDB TPI, Volatility ISF).
 * `dt`, `??`, typed reads of kernel structures by field name and the C++
 * evaluator all work on these nodes, never on a source's raw records.
 *
 * Nodes are owned by their source and live as long as it does. Records
 * (struct/union/class) and enums may be completed lazily: call
 * kdx_type_fields()/kdx_type_enumerators(), never read the arrays directly. */
#ifndef KDX_TYPES_TYPE_H
#define KDX_TYPES_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef enum kdx_type_kind {
    KDX_TYPE_BASE,
    KDX_TYPE_POINTER,
    KDX_TYPE_ARRAY,
    KDX_TYPE_STRUCT,
    KDX_TYPE_UNION,
    KDX_TYPE_CLASS,
    KDX_TYPE_ENUM,
    KDX_TYPE_FUNCTION,
    KDX_TYPE_BITFIELD,
    KDX_TYPE_TYPEDEF
} kdx_type_kind;

/* Base types, named the way `dt` prints them. */
typedef enum kdx_base_kind {
    KDX_BASE_VOID,    /* Void */
    KDX_BASE_CHAR,    /* Char   (signed 1 byte) */
    KDX_BASE_UCHAR,   /* UChar */
    KDX_BASE_WCHAR,   /* Wchar */
    KDX_BASE_BOOL,    /* Bool */
    KDX_BASE_INT2,    /* Int2B */
    KDX_BASE_UINT2,   /* Uint2B */
    KDX_BASE_INT4,    /* Int4B */
    KDX_BASE_UINT4,   /* Uint4B */
    KDX_BASE_INT8,    /* Int8B */
    KDX_BASE_UINT8,   /* Uint8B */
    KDX_BASE_INT16,   /* Int16B */
    KDX_BASE_UINT16,  /* Uint16B */
    KDX_BASE_FLOAT,   /* Float */
    KDX_BASE_DOUBLE,  /* Double */
    KDX_BASE_FLOAT80, /* Float80 */
    KDX_BASE_HRESULT, /* HRESULT */
    KDX_BASE_CHAR16,  /* Char16 */
    KDX_BASE_CHAR32   /* Char32 */
} kdx_base_kind;

typedef struct kdx_type kdx_type;
struct kdx_typesrc;

typedef struct kdx_field {
    const char *name;     /* NULL or "" for an anonymous member */
    uint64_t offset;      /* byte offset in the record */
    const kdx_type *type; /* BITFIELD node for bit fields */
} kdx_field;

typedef struct kdx_enumerator {
    const char *name;
    int64_t value;
} kdx_enumerator;

struct kdx_type {
    kdx_type_kind kind;
    const char *name;        /* record/enum/typedef name, NULL for derived types */
    uint64_t size;           /* bytes (pointer size for pointers) */
    kdx_base_kind base;      /* BASE */
    const kdx_type *target;  /* POINTER: pointee; ARRAY: element; TYPEDEF: aliased;
                                ENUM and BITFIELD: underlying; FUNCTION: return type */
    uint64_t count;          /* ARRAY: element count */
    uint8_t bit_pos, bit_len;/* BITFIELD */
    bool is_const, is_volatile;
    bool is_forward;         /* record declared but never defined in the source */
    /* Records and enums; filled by the source on first use. */
    bool complete;
    kdx_field *fields;
    uint32_t nfields;
    kdx_enumerator *enumerators;
    uint32_t nenumerators;
    /* Lazy completion hook. */
    const struct kdx_typesrc *src;
    uint32_t src_id;
};

/* Implemented by a type source that completes records lazily. */
typedef struct kdx_typesrc {
    kdx_status (*complete)(const struct kdx_typesrc *src, kdx_type *t);
} kdx_typesrc;

/* Fields/enumerators, completing the type from its source on first use. */
const kdx_field *kdx_type_fields(const kdx_type *t, uint32_t *count);
const kdx_enumerator *kdx_type_enumerators(const kdx_type *t, uint32_t *count);

/* Typedefs and modifiers stripped. */
const kdx_type *kdx_type_strip(const kdx_type *t);
bool kdx_type_is_record(const kdx_type *t);
bool kdx_type_is_integer(const kdx_type *t);
bool kdx_type_is_signed(const kdx_type *t);
const char *kdx_base_name(kdx_base_kind b);      /* "Uint4B" */
const char *kdx_base_c_name(kdx_base_kind b);    /* "unsigned long" */

/* The type as `dt` shows it in a field line: "Uint4B", "Ptr64 _KTHREAD",
 * "[16] UChar", "_LIST_ENTRY", "Pos 0, 1 Bit", "Ptr64 to     void  ". */
void kdx_type_dt_name(const kdx_type *t, char *buf, size_t len);
/* The type in C syntax: "struct _KTHREAD *", "unsigned char [16]". */
void kdx_type_c_name(const kdx_type *t, char *buf, size_t len);

/* Resolves a field path "ApcState.Process", "u.Hard", "Tcb.Header.Type",
 * "Array[3]" in record type t: sums offsets, returns the final type.
 * Anonymous unions/structs are searched through. */
kdx_status kdx_type_field_path(const kdx_type *t, const char *path, uint64_t *offset,
                               const kdx_type **field_type, kdx_err *err);

/* Extracts an integer of type t (base, enum, pointer, bitfield) from bytes at p. */
uint64_t kdx_type_extract(const kdx_type *t, const uint8_t *p);

#endif
