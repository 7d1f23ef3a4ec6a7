/* On-disk layout of a symbol index (.kdxidx), written by symidx_write.c and
 * mapped by symidx_read.c. Little-endian, every section 8-byte aligned.
 *
 *   header (128 bytes)   magic, version, size, checksum, source identity,
 *                        the source's kdx_symfile_id, what the source offers
 *   section table        nsections x {id, element size, offset, count}
 *   sections             strings, symbols, address answers, name hashes,
 *                        types, fields, enumerators, type names, type list
 *
 * The checksum (XXH3-64) covers every byte after itself, so a truncated or
 * altered file is refused before any record is trusted; the reader also
 * checks every reference on open. Strings are offsets into one blob that
 * ends with a NUL. NONE marks an absent reference. */
#ifndef KDX_SYM_SYMIDX_FORMAT_H
#define KDX_SYM_SYMIDX_FORMAT_H

#include <assert.h>
#include <stdint.h>

#include "sym/symidx.h"

#define SYMIDX_MAGIC "KDXSYMIX"
#define SYMIDX_VERSION 2u /* 2: symidx_sym.cls */
#define SYMIDX_NONE 0xffffffffu
#define SYMIDX_HEADER_SIZE 128u
#define SYMIDX_CHECKSUM_FROM 32u /* the checksum covers [32, file size) */

/* Source kinds. */
enum { SYMIDX_SRC_PDB = 1, SYMIDX_SRC_ISF = 2, SYMIDX_SRC_BREAKPAD = 3 };

/* symidx_header.id_flags */
enum { SYMIDX_ID_GUID = 1, SYMIDX_ID_TYPES = 2, SYMIDX_ID_PRIVATE = 4 };

/* symidx_header.prov_flags: what the source provider answers. COMPLETE_*:
 * its lookups are fully determined by the stored names (the index answers
 * misses and case-insensitive matches itself); otherwise such lookups go
 * to the source file. */
enum {
    SYMIDX_COMPLETE_NAMES = 1,
    SYMIDX_COMPLETE_TYPES = 2,
    SYMIDX_HAS_TYPES = 4,        /* find_type / enumerate_types */
    SYMIDX_HAS_LINES = 8,        /* line_for_rva (answered by the source) */
    SYMIDX_HAS_FRAMES = 16,      /* frame_data_for_rva (answered by the source) */
    SYMIDX_HAS_PARAMS = 32,      /* params_at */
    SYMIDX_LINES_STORED = 64,    /* line answers are in the index (else asked of the source) */
    SYMIDX_FRAMES_STORED = 128   /* frame data answers are in the index */
};

typedef struct symidx_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t file_size;
    uint64_t checksum;
    kdx_symidx_source src;       /* the source file when the index was written, and the writer */
    /* The source's kdx_symfile_id. */
    uint8_t guid[16];
    uint32_t age;
    uint32_t arch;
    uint32_t id_flags;
    uint32_t prov_flags;
    uint32_t nsections;
    uint32_t nenum_syms;         /* symbols the source enumerates (the rest answer lookups only) */
    uint8_t reserved[8];
} symidx_header;
static_assert(sizeof(kdx_symidx_source) == 48, "source record layout");
static_assert(sizeof(symidx_header) == SYMIDX_HEADER_SIZE, "index header layout");

enum {
    SYMIDX_SEC_STRINGS = 1, /* char */
    SYMIDX_SEC_SYMS,        /* symidx_sym, enumeration order first */
    SYMIDX_SEC_RVAS,        /* symidx_rva, sorted by rva */
    SYMIDX_SEC_NAMES,       /* symidx_slot hash: exact names -> symbol */
    SYMIDX_SEC_LNAMES,      /* symidx_slot hash: lower-cased names -> symbol */
    SYMIDX_SEC_TYPES,       /* symidx_type */
    SYMIDX_SEC_FIELDS,      /* symidx_field */
    SYMIDX_SEC_ENUMS,       /* symidx_enum */
    SYMIDX_SEC_TNAMES,      /* symidx_slot hash: type names -> type */
    SYMIDX_SEC_TLIST,       /* uint32_t type ids in enumerate_types order */
    SYMIDX_SEC_LINES,       /* symidx_line, sorted by rva */
    SYMIDX_SEC_FRAMES,      /* symidx_frame, sorted by rva */
    SYMIDX_SEC_COUNT
};

typedef struct symidx_section {
    uint32_t id;
    uint32_t elem_size;
    uint64_t offset;
    uint64_t count;
} symidx_section;
static_assert(sizeof(symidx_section) == 24, "section entry layout");

typedef struct symidx_sym {
    uint32_t name;    /* string */
    uint32_t rva;
    uint32_t size;
    uint32_t kind;    /* kdx_symkind */
    uint32_t flags;   /* kdx_symbol.flags (KDX_SYMF_CODE / KDX_SYMF_DATA) */
    uint32_t type;    /* type id or NONE */
    uint8_t cls;      /* kdx_symbol_class() of the symbol as listed: KDX_SYMF_CODE, _DATA or 0 */
    uint8_t reserved8[3];
    uint32_t reserved;
} symidx_sym;
static_assert(sizeof(symidx_sym) == 32, "symbol layout");

/* by_rva's answer for every address a symbol starts at. */
typedef struct symidx_rva {
    uint32_t rva;
    uint32_t sym;
    uint32_t params;  /* params_at(rva) string or NONE */
    uint32_t reserved;
} symidx_rva;
static_assert(sizeof(symidx_rva) == 16, "address answer layout");

/* Open-addressing hash slot (power-of-two table, linear probing, XXH3 of the key). */
typedef struct symidx_slot {
    uint32_t key;     /* string, NONE for an empty slot */
    uint32_t value;   /* symbol or type id */
} symidx_slot;
static_assert(sizeof(symidx_slot) == 8, "hash slot layout");

/* line_for_rva's answer from rva up to the next entry (file NONE: none). */
typedef struct symidx_line {
    uint32_t rva;
    uint32_t file;
    uint32_t line;
    uint32_t reserved;
} symidx_line;
static_assert(sizeof(symidx_line) == 16, "line answer layout");

/* frame_data_for_rva's answer from rva up to the next entry. */
enum { SYMIDX_F_FOUND = 1, SYMIDX_F_PROGRAM = 2, SYMIDX_F_BP = 4, SYMIDX_F_SEH = 8, SYMIDX_F_FPO = 16 };
typedef struct symidx_frame {
    uint32_t rva;
    uint32_t flags;       /* SYMIDX_F_* */
    uint32_t rva_start, code_size, prolog_size, saved_regs_size;
    uint32_t params_size, locals_size, max_stack_size;
    uint32_t program;     /* string or NONE */
} symidx_frame;
static_assert(sizeof(symidx_frame) == 40, "frame answer layout");

enum { SYMIDX_T_CONST = 1, SYMIDX_T_VOLATILE = 2, SYMIDX_T_FORWARD = 4 };

typedef struct symidx_type {
    uint32_t kind;        /* kdx_type_kind */
    uint32_t name;        /* string or NONE */
    uint64_t size;
    uint64_t count;
    uint32_t base;        /* kdx_base_kind */
    uint32_t target;      /* type id or NONE */
    uint32_t first_field, nfields;
    uint32_t first_enum, nenums;
    uint8_t bit_pos, bit_len, flags, reserved[5];
} symidx_type;
static_assert(sizeof(symidx_type) == 56, "type layout");

typedef struct symidx_field {
    uint32_t name;        /* string or NONE */
    uint32_t type;
    uint64_t offset;
} symidx_field;
static_assert(sizeof(symidx_field) == 16, "field layout");

typedef struct symidx_enum {
    uint32_t name;
    uint32_t reserved;
    int64_t value;
} symidx_enum;
static_assert(sizeof(symidx_enum) == 16, "enumerator layout");

#endif
