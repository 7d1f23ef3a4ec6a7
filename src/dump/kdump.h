/* Kernel crash dumps: PAGEDU64 (64-bit) and PAGEDUMP (32-bit) headers,
 * complete dumps (physical memory runs), bitmap dumps (SDMP/FDMP) and
 * triage dumps (TRIAGE_DUMP blocks exposed as direct virtual ranges).
 * The parsed header is public so `.dumpdebug` can show every field. */
#ifndef KDX_DUMP_KDUMP_H
#define KDX_DUMP_KDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/file.h"
#include "dump/kdbg.h"
#include "target/target.h"

/* DumpType values of the header. */
enum {
    KDX_DUMP_TYPE_FULL = 1,
    KDX_DUMP_TYPE_SUMMARY = 2,
    KDX_DUMP_TYPE_HEADER = 3,
    KDX_DUMP_TYPE_TRIAGE = 4,
    KDX_DUMP_TYPE_BITMAP_FULL = 5,   /* kernel/automatic bitmap dump */
    KDX_DUMP_TYPE_BITMAP_KERNEL = 6, /* live-kernel / active bitmap dump */
    KDX_DUMP_TYPE_AUTOMATIC = 7
};

/* Header sizes and the fill pattern of fields the writer left unset. */
#define KDX_KDUMP_HEADER64_SIZE 0x2000
#define KDX_KDUMP_HEADER32_SIZE 0x1000
#define KDX_KDUMP_UNSET 0x45474150u /* "PAGE" */

/* Offsets of the DUMP_HEADER64 fields that are located by offset. */
#define KDX_DH64_PHYS_BLOCK 0x88
#define KDX_DH64_CONTEXT 0x348
#define KDX_DH64_CONTEXT_SIZE 3000
#define KDX_DH64_EXCEPTION 0xf00
#define KDX_DH64_DUMP_TYPE 0xf98
/* And of DUMP_HEADER32. */
#define KDX_DH32_PHYS_BLOCK 0x64
#define KDX_DH32_CONTEXT 0x320
#define KDX_DH32_CONTEXT_SIZE 1200
#define KDX_DH32_EXCEPTION 0x7d0
#define KDX_DH32_DUMP_TYPE 0xf88

typedef struct kdx_kdump_run {
    uint64_t base_page;
    uint64_t page_count;
    uint64_t file_off;   /* where the run's first page is stored */
} kdx_kdump_run;

/* Every field of DUMP_HEADER64 / DUMP_HEADER32, widened to 64 bits. */
typedef struct kdx_kdump_header {
    bool is64;
    uint32_t major_version, minor_version;
    uint64_t directory_table_base;
    uint64_t pfn_database;
    uint64_t ps_loaded_module_list;
    uint64_t ps_active_process_head;
    uint32_t machine_image_type;
    uint32_t number_processors;
    uint32_t bugcheck_code;
    uint64_t bugcheck_params[4];
    char version_user[33];
    uint8_t pae_enabled;             /* 32-bit header only */
    uint8_t kd_secondary_version;
    uint64_t kd_debugger_data_block;
    uint32_t number_of_runs;         /* PHYSICAL_MEMORY_DESCRIPTOR */
    uint64_t number_of_pages;
    uint64_t context_off, context_size; /* ContextRecord in the file */
    uint64_t exception_off;          /* EXCEPTION_RECORD in the file */
    uint32_t exception_code, exception_flags;
    uint64_t exception_record, exception_address;
    uint32_t exception_nparams;
    uint64_t exception_params[15];
    char comment[129];
    uint32_t dump_type;
    uint64_t required_dump_space;
    uint64_t system_time;
    uint64_t system_uptime;
    uint32_t minidump_fields;
    uint32_t secondary_data_state;
    uint32_t product_type;
    uint32_t suite_mask;
    uint32_t writer_status;
    uint32_t attributes;
    uint32_t boot_id;
    uint64_t header_size;            /* 0x2000 or 0x1000: where dump data starts */
} kdx_kdump_header;

/* The bitmap header of DumpType 5/6 ("SDMP"/"FDMP" then "DUMP"). */
typedef struct kdx_kdump_bitmap {
    uint32_t signature;              /* 'SDMP' or 'FDMP' as a little-endian u32 */
    uint32_t valid_dump;
    uint64_t first_page;             /* file offset of the first stored page */
    uint64_t total_present_pages;
    uint64_t pages;                  /* bits in the bitmap (highest pfn + 1) */
    uint64_t bitmap_off;             /* file offset of the bitmap */
    /* DumpType 2 (Windows 7 and older "kernel summary" dumps): SUMMARY_DUMP. */
    bool summary;
    uint32_t dump_options, header_size, bitmap_size;
} kdx_kdump_bitmap;

/* Every field of TRIAGE_DUMP64 / TRIAGE_DUMP32. Offsets are file offsets. */
typedef struct kdx_kdump_triage {
    uint32_t service_pack_build, size_of_dump, valid_offset, context_offset;
    uint32_t exception_offset, mm_offset, unloaded_drivers_offset, prcb_offset;
    uint32_t process_offset, thread_offset, call_stack_offset, size_of_call_stack;
    uint32_t driver_list_offset, driver_count, string_pool_offset, string_pool_size;
    uint32_t broken_driver_offset, triage_options;
    uint64_t top_of_stack;
    uint32_t bstore_offset, size_of_bstore;
    uint64_t limit_of_bstore;
    uint64_t data_page_address;
    uint32_t data_page_offset, data_page_size;
    uint32_t debugger_data_offset, debugger_data_size;
    uint32_t data_blocks_offset, data_blocks_count;
    /* Virtual addresses of the copies, found through the KDBG copy (0 unknown). */
    uint64_t prcb_va, process_va, thread_va;
    uint32_t prcb_size, process_size, thread_size;
    unsigned crash_processor;
} kdx_kdump_triage;

/* The parsed dump behind a kernel-dump target. */
typedef struct kdx_kdump_vrange {
    uint64_t va, size, file_off;
} kdx_kdump_vrange;

typedef struct kdx_kdump {
    kdx_file *file;
    kdx_kdump_header hdr;
    /* Complete dumps (and the run table of any dump that has one). */
    kdx_kdump_run *runs;
    size_t nruns;
    uint64_t expected_size;          /* file size the header promises, 0 unknown */
    bool truncated;                  /* the file ends before expected_size */
    /* Bitmap dumps. */
    bool has_bitmap;
    kdx_kdump_bitmap bmp;
    const uint8_t *bitmap;
    uint64_t *bitmap_rank;           /* present pages before each 64-bit word */
    /* Triage dumps. */
    bool is_triage;
    kdx_kdump_triage tri;
    kdx_kdump_vrange *vranges;       /* sorted by va; max_end for overlap-safe lookups */
    uint64_t *vmax_end;              /* highest end among vranges[0..i] */
    size_t nvranges, vranges_cap;
    kdx_kdbg kdbg;                   /* the decoded KDDEBUGGER_DATA64, when found */
    /* Register contexts per processor, filled lazily. */
    kdx_context *ctx;
    uint8_t *ctx_state;              /* 0 not tried, 1 known, 2 unavailable */
    char **ctx_why;                  /* why a processor's context is unavailable */
    uint64_t *prcb_va;               /* KiProcessorBlock entries, 0 unknown */
    kdx_target *target;              /* back pointer for virtual reads */
} kdx_kdump;

/* Opens a kernel dump from an already opened (or in-memory) file; takes
 * ownership of f, also on failure. */
kdx_status kdx_kdump_open_file(kdx_file *f, kdx_target **out, kdx_err *err);

/* The kernel dump behind t, or NULL when t is not a kernel dump. */
const kdx_kdump *kdx_kdump_of(const kdx_target *t);

/* Header parsing (kdump_header.c). Fills h from the file; errors name the
 * file, the structure and the offset. */
kdx_status kdx_kdump_parse_header(const kdx_file *f, kdx_kdump_header *h, kdx_err *err);
/* Human-readable DumpType ("Full", "Triage", "Kernel bitmap"...). */
const char *kdx_kdump_type_name(uint32_t dump_type);
/* True when v is the "PAGE" fill of a field the kernel did not write. */
static inline bool kdx_kdump_unset32(uint32_t v) { return v == KDX_KDUMP_UNSET; }

/* Physical memory (kdump_phys.c). */
kdx_status kdx_kdump_load_runs(kdx_kdump *d, kdx_err *err);
kdx_status kdx_kdump_load_bitmap(kdx_kdump *d, kdx_err *err);
kdx_status kdx_kdump_load_summary(kdx_kdump *d, kdx_err *err);
kdx_status kdx_kdump_read_phys(void *impl, uint64_t pa, void *buf, size_t len, size_t *done);
const uint8_t *kdx_kdump_phys_page(void *impl, uint64_t pfn);
/* File offset of physical page pfn: 0 when not saved; *cut when it is listed
 * but lies beyond the end of a truncated file. */
uint64_t kdx_kdump_page_offset(const kdx_kdump *d, uint64_t pfn, bool *cut);

/* Triage dumps (kdump_triage.c). */
kdx_status kdx_kdump_load_triage(kdx_kdump *d, kdx_target *t, kdx_err *err);
kdx_status kdx_kdump_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done);
/* Reads the triage driver list into t's modules. */
kdx_status kdx_kdump_triage_modules(kdx_kdump *d, kdx_target *t, kdx_err *err);


/* Modules of complete/bitmap dumps from PsLoadedModuleList (kdump_modules.c). */
kdx_status kdx_kdump_walk_modules(kdx_target *t, uint64_t list_head, kdx_err *err);

#endif
