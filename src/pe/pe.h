/* PE/COFF images (PE32 and PE32+; x86, x64, ARM64), read from a file on
 * disk (file layout) or from target memory at a module's base (mapped
 * layout). Everything is addressed by RVA and bounds-checked; reads of
 * pages missing from a dump fail with KDX_E_MEM_MISSING. */
#ifndef KDX_PE_PE_H
#define KDX_PE_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/context.h"
#include "target/target.h"

typedef struct kdx_pe kdx_pe;

enum {
    KDX_PE_DIR_EXPORT = 0,
    KDX_PE_DIR_IMPORT = 1,
    KDX_PE_DIR_RESOURCE = 2,
    KDX_PE_DIR_EXCEPTION = 3,
    KDX_PE_DIR_DEBUG = 6
};

typedef struct kdx_pe_info {
    kdx_arch arch;
    uint16_t machine;
    bool is64;                 /* PE32+ */
    uint64_t image_base;       /* preferred base from the optional header */
    uint32_t size_of_image;
    uint32_t timestamp;
    uint32_t checksum;
    uint32_t entry_rva;
    uint16_t subsystem;
    uint16_t characteristics;
    uint16_t dll_characteristics;
    uint16_t nsections;
} kdx_pe_info;

typedef struct kdx_pe_section {
    char name[9];
    uint32_t rva, vsize;
    uint32_t raw_offset, raw_size;
    uint32_t characteristics;
} kdx_pe_section;

typedef struct kdx_pe_codeview {
    uint8_t guid[16];
    uint32_t age;
    char pdb_name[260];
    /* Older NB10 records (VC6-era PDB 2.0): signature instead of a GUID. */
    bool is_nb10;
    uint32_t nb10_signature;
} kdx_pe_codeview;

/* x64/ARM64 .pdata entry (ARM64 packed entries have unwind_rva's low bits set). */
typedef struct kdx_runtime_function {
    uint32_t begin_rva;
    uint32_t end_rva;          /* x64; for ARM64 derived from the packed/unpacked data */
    uint32_t unwind_rva;       /* x64: UNWIND_INFO RVA; ARM64: raw second word */
    uint32_t index;            /* position in the table */
    /* ARM64 only: packed entry (unwind_rva & 3 != 0), then flag = unwind_rva & 3 and the
     * packed fields live in unwind_rva itself; unpacked entries point at .xdata. */
    bool packed;
    uint8_t flag;
} kdx_runtime_function;

kdx_status kdx_pe_open_file(const char *path, kdx_pe **out, kdx_err *err);
/* Image loaded in the target's memory at base (headers read from the dump). */
kdx_status kdx_pe_open_target(kdx_target *t, uint64_t base, const char *name, kdx_pe **out,
                              kdx_err *err);
/* In-memory bytes; mapped=true for loaded-image layout, false for file layout. */
kdx_status kdx_pe_open_buffer(const char *name, const uint8_t *data, size_t len, bool mapped,
                              kdx_pe **out, kdx_err *err);
void kdx_pe_close(kdx_pe *pe);

const kdx_pe_info *kdx_pe_get_info(const kdx_pe *pe);
const char *kdx_pe_name(const kdx_pe *pe);
kdx_status kdx_pe_section_at(const kdx_pe *pe, unsigned index, kdx_pe_section *out);
kdx_status kdx_pe_data_directory(const kdx_pe *pe, unsigned index, uint32_t *rva, uint32_t *size);
/* Reads len bytes at rva (file layout translated through the section table). */
kdx_status kdx_pe_read(kdx_pe *pe, uint32_t rva, void *buf, size_t len, kdx_err *err);
kdx_status kdx_pe_codeview_info(kdx_pe *pe, kdx_pe_codeview *out, kdx_err *err);

/* Exports: name (NULL for ordinal-only), ordinal, rva, forwarder string or NULL. */
typedef int (*kdx_pe_export_cb)(void *ud, const char *name, uint32_t ordinal, uint32_t rva,
                                const char *forwarder);
kdx_status kdx_pe_exports(kdx_pe *pe, kdx_pe_export_cb cb, void *ud, kdx_err *err);

/* .pdata: the entry whose range contains rva (binary search), and by index. */
kdx_status kdx_pe_runtime_function_for(kdx_pe *pe, uint32_t rva, kdx_runtime_function *out,
                                       kdx_err *err);
kdx_status kdx_pe_runtime_function_at(kdx_pe *pe, uint32_t index, kdx_runtime_function *out,
                                      kdx_err *err);
uint32_t kdx_pe_runtime_function_count(const kdx_pe *pe);

/* ---- Additions ---- */

/* Like kdx_pe_read, but *done tells how many bytes were read before a gap
 * (a page missing from the dump, a range outside the image). File layout
 * follows the loader: bytes of a section's virtual size beyond its raw
 * data, and the alignment padding of headers and sections, read as zeros;
 * RVAs outside headers, sections and SizeOfImage fail with KDX_E_NOT_FOUND. */
kdx_status kdx_pe_read_partial(kdx_pe *pe, uint32_t rva, void *buf, size_t len, size_t *done,
                               kdx_err *err);
/* NUL-terminated string at rva, at most cap-1 characters (KDX_E_FORMAT if longer). */
kdx_status kdx_pe_read_string(kdx_pe *pe, uint32_t rva, char *buf, size_t cap, kdx_err *err);
/* Unwind data bytes (x64 UNWIND_INFO, ARM64 .xdata) at rva: reads up to cap bytes,
 * stopping at the end of the section holding rva, so a short record near the end of
 * .xdata is not an error; *got is the count read. KDX_E_NOT_FOUND when rva lies in
 * no section. */
kdx_status kdx_pe_read_unwind(kdx_pe *pe, uint32_t rva, void *buf, size_t cap, size_t *got,
                              kdx_err *err);
/* Index of the section holding rva, or -1. */
int kdx_pe_section_for_rva(const kdx_pe *pe, uint32_t rva);
/* Size of one .pdata entry: 12 (x64), 8 (ARM64), 0 when the image has none. */
unsigned kdx_pe_runtime_function_size(const kdx_pe *pe);
/* Header facts the pe target and the unwinder use. */
uint32_t kdx_pe_section_alignment(const kdx_pe *pe);
uint32_t kdx_pe_file_alignment(const kdx_pe *pe);
uint32_t kdx_pe_size_of_headers(const kdx_pe *pe);
/* True when the image was opened from a file in file layout. */
bool kdx_pe_is_file_layout(const kdx_pe *pe);

/* The version resource (RT_VERSION): VS_FIXEDFILEINFO and the StringFileInfo
 * strings of the first string table, as `lmv` prints them. Strings are UTF-8. */
#define KDX_PE_VERSION_MAX_STRINGS 24
typedef struct kdx_pe_version {
    bool has_fixed;
    uint32_t file_version_ms, file_version_ls;
    uint32_t product_version_ms, product_version_ls;
    uint32_t file_flags_mask, file_flags, file_os, file_type, file_subtype;
    uint32_t file_date_ms, file_date_ls;
    uint32_t ntranslations;
    uint32_t translations[8];  /* language << 16 | code page: 0x040904b0 */
    uint32_t nstrings;
    struct {
        char key[64];          /* "CompanyName" */
        char value[256];       /* "Microsoft Corporation" */
    } strings[KDX_PE_VERSION_MAX_STRINGS];
} kdx_pe_version;
/* KDX_E_NOT_FOUND when the image has no version resource. */
kdx_status kdx_pe_version_info(kdx_pe *pe, kdx_pe_version *out, kdx_err *err);

/* pe_functions.c: code knowledge. Whether rva lies in an executable section
 * (IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE), in another section, or in
 * none. */
typedef enum kdx_pe_rva_kind {
    KDX_PE_RVA_UNKNOWN,
    KDX_PE_RVA_CODE,
    KDX_PE_RVA_DATA
} kdx_pe_rva_kind;
kdx_pe_rva_kind kdx_pe_rva_kind_of(const kdx_pe *pe, uint32_t rva);
/* The entry of the function fn is a chunk of: x64 chained unwind info leads
 * from a chunk split off a function to the function's own entry (fn itself
 * when it is not chained, and on ARM64). */
kdx_status kdx_pe_primary_function(kdx_pe *pe, const kdx_runtime_function *fn,
                                   kdx_runtime_function *primary, kdx_err *err);

/* Export symbols of an opened image as a symbol provider (kind "export");
 * kdx_pe_exports_provider_open (sym/sources.h) does this for an image in
 * target memory. The provider copies what it needs: pe may be closed after. */
struct kdx_symprov;
kdx_status kdx_pe_exports_provider_from_pe(kdx_pe *pe, struct kdx_symprov *out, kdx_err *err);

#endif
