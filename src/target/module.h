/* A loaded module (image) of the target: where it is, what it is, and the
 * symbol provider that describes it once symbols are loaded. Dump readers
 * fill the identity fields; the symbol layer fills `symbols`. */
#ifndef KDX_TARGET_MODULE_H
#define KDX_TARGET_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "symprov/provider.h"

typedef enum kdx_symstatus {
    KDX_SYMSTATUS_DEFERRED = 0, /* not tried yet */
    KDX_SYMSTATUS_NONE,         /* tried, nothing found */
    KDX_SYMSTATUS_EXPORT,       /* only the image's export table */
    KDX_SYMSTATUS_PDB,          /* a matching PDB */
    KDX_SYMSTATUS_PRIVATE_PDB,  /* a PDB with private symbols (types, module streams) */
    KDX_SYMSTATUS_ISF,          /* a Volatility ISF table */
    KDX_SYMSTATUS_BREAKPAD      /* a Breakpad .sym file */
} kdx_symstatus;

typedef struct kdx_module {
    char *name;          /* WinDbg module name: "nt", "amdppm", "kernel32" */
    char *image_name;    /* file name: "ntoskrnl.exe", "amdppm.sys" */
    char *image_path;    /* full path as the dump records it, or NULL */
    uint64_t base;
    uint64_t size;
    uint32_t timestamp;  /* PE TimeDateStamp, 0 if unknown */
    uint32_t checksum;
    /* CodeView identity (RSDS) when known from the dump or image. */
    bool has_pdb_id;
    uint8_t pdb_guid[16]; /* as stored (GUID structure, little-endian fields) */
    uint32_t pdb_age;
    char *pdb_name;      /* as stored in the RSDS record, may be a full path */
    /* Version resource fields when known (user dumps). */
    uint32_t file_version_ms, file_version_ls;
    bool unloaded;       /* from an unloaded-module list */
    /* Symbols. */
    kdx_symstatus symstatus;
    kdx_symprov symbols;     /* ops == NULL until loaded */
    char *symbol_file;       /* path of the loaded symbol file */
    char *symbol_note;       /* why a lookup failed, or which file matched and why */
} kdx_module;

/* The GUID in the registry/symbol-store form: 32 upper-case hex digits
 * (Data1, Data2, Data3 as numbers, then Data4 bytes). */
void kdx_guid_format(const uint8_t guid[16], char out[33]);

kdx_module *kdx_module_new(const char *name, uint64_t base, uint64_t size);
void kdx_module_free(kdx_module *m);
/* "amdppm.sys" -> "amdppm"; "ntoskrnl.exe" and the other kernel names -> "nt". */
char *kdx_module_name_from_image(const char *image_name, bool is_kernel);

#endif
