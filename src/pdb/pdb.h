/* The PDB (MSF 7.0) reader shared by the files of src/pdb/. Everything here
 * is internal to the PDB provider: the rest of kdx sees a kdx_symprov.
 *
 * Streams are read on demand and cached for the life of the kdx_pdb, so
 * names and records handed out point into those buffers. Opening a PDB reads
 * the superblock, the stream directory, the PDB info stream and the DBI
 * header; everything else (symbol records, module streams, TPI) is loaded on
 * the first lookup that needs it. */
#ifndef KDX_PDB_PDB_H
#define KDX_PDB_PDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/file.h"
#include "base/util.h"
#include "symprov/provider.h"
#include "types/type.h"

#define KDX_PDB_NIL_STREAM 0xffffu

/* A stream read into one contiguous buffer. */
typedef struct kdx_pdb_stream {
    uint8_t *data;
    uint32_t size;
    bool loaded;
} kdx_pdb_stream;

typedef struct kdx_pdb_module {
    const char *name;        /* module (object) name */
    const char *obj_name;
    uint16_t sym_stream;
    uint32_t sym_bytes;      /* symbols, including the 4-byte signature */
    uint32_t c11_bytes;
    uint32_t c13_bytes;
} kdx_pdb_module;

typedef struct kdx_pdb_seccontrib {
    uint32_t rva;
    uint32_t size;
    uint16_t module;
} kdx_pdb_seccontrib;

/* One entry of the address index: procedures, labels, data, publics. */
typedef struct kdx_pdb_addr {
    uint32_t rva;
    uint32_t size;
    uint8_t kind;            /* kdx_symkind */
    uint8_t flags;           /* KDX_SYMF_CODE / KDX_SYMF_DATA when known */
    uint8_t prio;            /* lower wins between entries at the same rva */
    uint32_t type;           /* procedure/data type index, 0 if none */
    bool local;              /* S_LPROC32: file-static procedure */
    bool type_is_id;         /* S_*PROC32_ID: type is an IPI function id */
    const char *raw;         /* name as stored */
    const char *display;     /* name for display (may equal raw) */
    const char *decorated;   /* procedure: the decorated public name at its address */
} kdx_pdb_addr;

typedef struct kdx_pdb_line {
    uint32_t rva;
    uint32_t line;
    uint32_t seq;            /* order in the PDB: the last of several lines at one address wins */
    const char *file;
} kdx_pdb_line;

/* GSI hash: name -> symbol record offsets (publics and globals streams). */
typedef struct kdx_pdb_gsi {
    bool present;
    const uint8_t *records;   /* HashRecords array: {u32 off+1, u32 cref} */
    uint32_t nrecords;
    uint32_t bucket_start[4097]; /* first record index of each bucket; [4096] = end */
} kdx_pdb_gsi;

typedef struct kdx_pdb_types kdx_pdb_types;

typedef struct kdx_pdb {
    kdx_file *file;
    const char *path;
    uint32_t block_size;
    uint32_t num_blocks;
    uint32_t num_streams;
    uint32_t *stream_sizes;      /* 0xffffffff for a nil stream */
    uint32_t **stream_blocks;    /* per stream, pointing into dir_data */
    uint8_t *dir_data;
    kdx_pdb_stream *streams;     /* cache */

    /* PDB info stream */
    uint8_t guid[16];
    uint32_t age;                /* DBI age when there is a DBI, else the info stream's */
    uint32_t signature;
    uint32_t names_stream;       /* "/names", KDX_PDB_NIL_STREAM if absent */

    /* DBI */
    bool has_dbi;
    uint16_t machine;
    uint16_t dbi_flags;          /* bit 1: private symbols stripped */
    uint16_t globals_stream, publics_stream, symrec_stream;
    kdx_pdb_module *modules;
    uint32_t nmodules;
    kdx_pdb_seccontrib *contribs;
    uint32_t ncontribs;
    uint16_t dbg_streams[11];
    uint32_t ndbg_streams;
    /* section headers (RVA of each section, in the image as linked) */
    uint32_t *section_rva;
    uint32_t nsections;
    /* OMAP (omap.c): the image was reordered after linking */
    bool has_omap;
    struct kdx_pdb_omap_piece *omap; /* sorted by original RVA */
    uint32_t *omap_reach;        /* per piece: furthest original end up to it */
    uint32_t nomap;
    uint64_t omap_visits;        /* work done mapping, bounded against hostile tables */

    /* GSI tables, loaded lazily */
    bool gsi_loaded;
    kdx_pdb_gsi globals, publics;
    const uint8_t *pub_addr_map;
    uint32_t npub_addr;

    /* Address index, built on first address lookup */
    bool addr_built;
    kdx_pdb_addr *addrs;
    uint32_t naddrs;
    const kdx_pdb_addr **by_display; /* name-sorted, built on first fallback name lookup */
    char **owned_strings;
    uint32_t nowned, owned_cap;

    /* Lines, built on first line lookup */
    bool lines_built;
    kdx_pdb_line *lines;
    uint32_t nlines;

    /* Frame data (x86), loaded on first use */
    bool frames_loaded;
    kdx_frame_data *frames;
    uint32_t nframes;

    kdx_pdb_types *types;
    kdx_pdb_types *ids;          /* IPI, read when an S_*PROC32_ID needs its type */
    bool ids_tried;
} kdx_pdb;

/* msf.c */
kdx_status kdx_msf_open(kdx_pdb *pdb, kdx_err *err);
/* The stream's contents (cached). A nil or absent stream is KDX_E_NOT_FOUND. */
kdx_status kdx_msf_stream(kdx_pdb *pdb, uint32_t idx, const kdx_pdb_stream **out, kdx_err *err);
bool kdx_msf_stream_exists(const kdx_pdb *pdb, uint32_t idx);
void kdx_msf_close(kdx_pdb *pdb);

/* pdb_info.c */
kdx_status kdx_pdb_read_info(kdx_pdb *pdb, kdx_err *err);
/* String at offset off of the "/names" string table, NULL if absent. */
const char *kdx_pdb_names_string(kdx_pdb *pdb, uint32_t off);

/* dbi.c */
kdx_status kdx_pdb_read_dbi(kdx_pdb *pdb, kdx_err *err);
/* section:offset -> final-image RVA (through OMAP when the image was
 * reordered); false when the section is unknown or the address was dropped. */
bool kdx_pdb_sect_to_rva(kdx_pdb *pdb, uint16_t sect, uint32_t off, uint32_t *rva);

/* omap.c: images reordered after linking. A range of the image as linked
 * lands in one or more final-image ranges (chunks). */
typedef struct kdx_pdb_range {
    uint32_t rva, len;
} kdx_pdb_range;
typedef KDX_VEC(kdx_pdb_range) kdx_pdb_ranges;
/* Builds the map from the OMAP_TO_SRC table (nto {final, original} pairs as
 * stored), or from OMAP_FROM_SRC when there is no TO_SRC table. orig_len is
 * the size of the image as linked (end of its last section). */
void kdx_pdb_omap_build(kdx_pdb *pdb, const uint8_t *to_src, uint32_t nto, const uint8_t *from_src,
                        uint32_t nfrom, uint32_t orig_len);
void kdx_pdb_omap_free(kdx_pdb *pdb);
/* Original RVA -> the lowest final RVA holding that byte; false if dropped. */
bool kdx_pdb_omap_point(kdx_pdb *pdb, uint32_t orig, uint32_t *rva);
/* Original [orig, orig+len) -> final ranges in final order (out is reset).
 * len 0 gives the zero-length places the address lands. */
void kdx_pdb_omap_range(kdx_pdb *pdb, uint32_t orig, uint32_t len, kdx_pdb_ranges *out);
/* section:offset and a length -> final ranges (the one range itself without
 * OMAP); false when the section is unknown or nothing of it is left. */
bool kdx_pdb_sect_to_ranges(kdx_pdb *pdb, uint16_t sect, uint32_t off, uint32_t len,
                            kdx_pdb_ranges *out);
/* Module index containing rva via section contributions, -1 if none. */
int kdx_pdb_module_for_rva(const kdx_pdb *pdb, uint32_t rva);

/* gsi.c: publics and globals */
kdx_status kdx_pdb_load_gsi(kdx_pdb *pdb, kdx_err *err);
uint32_t kdx_pdb_hash_v1(const char *s, size_t len);
/* Calls cb for every record in name's bucket of g (record at symrec offset). */
typedef int (*kdx_pdb_rec_cb)(void *ud, const uint8_t *rec, uint32_t len, uint16_t kind);
void kdx_pdb_gsi_bucket(kdx_pdb *pdb, const kdx_pdb_gsi *g, const char *name, kdx_pdb_rec_cb cb,
                        void *ud);
/* Every S_PUB32 in the publics address map. */
void kdx_pdb_each_public(kdx_pdb *pdb, kdx_pdb_rec_cb cb, void *ud);

/* Symbol record helpers (modsyms.c) */
/* Reads a symbol record header at off in buf; false when it does not fit. */
bool kdx_pdb_sym_at(const uint8_t *buf, uint32_t size, uint32_t off, uint16_t *kind,
                    uint32_t *reclen);
/* NUL-terminated string at off within [0,len) of rec, or NULL. */
const char *kdx_pdb_cstr(const uint8_t *rec, uint32_t len, uint32_t off);
/* Walks the symbols of module m; cb gets the record (starting at its length field). */
kdx_status kdx_pdb_module_syms(kdx_pdb *pdb, uint32_t m, kdx_pdb_rec_cb cb, void *ud,
                               kdx_err *err);
/* The procedure at offset off of module m's stream. */
kdx_status kdx_pdb_module_proc(kdx_pdb *pdb, uint32_t m, uint32_t off, uint32_t *rva,
                               uint32_t *size, const char **name, uint32_t *type, bool *local,
                               kdx_err *err);
kdx_status kdx_pdb_build_lines(kdx_pdb *pdb, kdx_err *err);

/* addrmap.c: the address index */
/* Index of the last element of arr (n elements of stride bytes) whose native
 * uint32_t key at key_off is <= v; -1 when none. arr must be sorted by key. */
long kdx_pdb_floor(const void *arr, uint32_t n, size_t stride, size_t key_off, uint32_t v);
kdx_status kdx_pdb_build_addrs(kdx_pdb *pdb, kdx_err *err);
const char *kdx_pdb_keep_string(kdx_pdb *pdb, char *s);

/* tpi.c */
kdx_status kdx_pdb_types_open(kdx_pdb *pdb, kdx_err *err);
void kdx_pdb_types_free(kdx_pdb_types *tp);
/* The TPI procedure type of an IPI LF_FUNC_ID/LF_MFUNC_ID, 0 if none. */
uint32_t kdx_pdb_id_to_type(kdx_pdb *pdb, uint32_t id);
const kdx_type *kdx_pdb_type_by_index(kdx_pdb *pdb, uint32_t ti);
const kdx_type *kdx_pdb_type_by_name(kdx_pdb *pdb, const char *name);
kdx_status kdx_pdb_each_type(kdx_pdb *pdb, const char *pattern, kdx_type_cb cb, void *ud);
/* Synthesised "static RET NAME(ARGS)" for a procedure type, as DIA spells it. */
char *kdx_pdb_proc_signature(kdx_pdb *pdb, uint32_t ti, const char *name, bool is_static);
/* "(int, char **)": a procedure type's parameters as WinDbg's `x` lists them. */
char *kdx_pdb_proc_params(kdx_pdb *pdb, uint32_t ti);

/* frame.c */
kdx_status kdx_pdb_frame_data(kdx_pdb *pdb, uint32_t rva, kdx_frame_data *out, kdx_err *err);

/* undname.c: MSVC C++ name undecoration. Returns a malloc'd string or NULL
 * when name is not a decorated name this undecorator understands. */
char *kdx_undname(const char *name, bool with_args);

#endif
