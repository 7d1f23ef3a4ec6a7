/* Synthetic user-mode minidump writer, for tests, golden transcripts and
 * fuzz seeds: covers the cases no real file in the corpus has (ARM64,
 * memory64, thread names on x64, exceptions without a context). Writes new
 * files only; never touches an existing dump. */
#ifndef KDX_DUMP_MINIDUMP_WRITER_H
#define KDX_DUMP_MINIDUMP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/context.h"

typedef struct kdx_mdw_thread {
    uint32_t id, suspend_count, priority_class, priority;
    uint64_t teb;
    kdx_context context;          /* arch must match the spec's */
    uint64_t stack_va;            /* stack memory saved with the thread (may be 0/NULL) */
    const void *stack;
    uint32_t stack_size;
    const char *name;             /* thread-names stream entry, or NULL */
    /* Thread-info list entry, written when any thread has create_time set. */
    uint64_t create_time, kernel_time, user_time, start_address; /* FILETIME / 100 ns */
} kdx_mdw_thread;

typedef struct kdx_mdw_module {
    const char *path;             /* "C:\\Windows\\System32\\ntdll.dll" */
    uint64_t base;
    uint32_t size, timestamp, checksum;
    uint32_t file_version_ms, file_version_ls; /* written with VS_FIXEDFILEINFO when nonzero */
    const char *pdb_name;         /* RSDS record when non-NULL */
    uint8_t pdb_guid[16];
    uint32_t pdb_age;
} kdx_mdw_module;

typedef struct kdx_mdw_unloaded {
    const char *path;
    uint64_t base;
    uint32_t size, timestamp, checksum;
} kdx_mdw_unloaded;

typedef struct kdx_mdw_handle {
    uint64_t handle;
    const char *type_name, *object_name; /* NULL: none */
    uint32_t attributes, granted_access, handle_count, pointer_count;
} kdx_mdw_handle;

typedef struct kdx_mdw_region {   /* MINIDUMP_MEMORY_INFO */
    uint64_t base, allocation_base, size;
    uint32_t allocation_protect, state, protect, type;
} kdx_mdw_region;

typedef struct kdx_mdw_memory {
    uint64_t va;
    const void *data;
    uint32_t size;
} kdx_mdw_memory;

typedef struct kdx_mdw_spec {
    kdx_arch arch;
    uint32_t os_major, os_minor, build;
    const char *csd_version;      /* NULL: empty string */
    uint8_t num_processors;
    uint32_t timestamp;           /* header TimeDateStamp (time_t) */
    bool full_memory;             /* memory goes to a Memory64List, header flag set */
    bool thread_ex;               /* ThreadExListStream (64-byte entries) instead of ThreadList */
    bool has_misc;
    uint32_t process_id, process_create_time, user_time, kernel_time;
    const kdx_mdw_thread *threads;
    size_t nthreads;
    const kdx_mdw_module *modules;
    size_t nmodules;
    const kdx_mdw_memory *memory;
    size_t nmemory;
    bool has_exception;
    uint32_t exception_thread, exception_code, exception_flags;
    uint64_t exception_address;
    uint32_t nparams;
    uint64_t params[15];
    bool exception_has_context;
    kdx_context exception_context;
    const kdx_mdw_unloaded *unloaded;
    size_t nunloaded;
    const kdx_mdw_handle *handles;
    size_t nhandles;
    const kdx_mdw_region *regions; /* MemoryInfoListStream when nregions > 0 */
    size_t nregions;
    bool breakpad_info;           /* BreakpadInfoStream with both thread ids valid */
    uint32_t breakpad_dump_tid, breakpad_requesting_tid;
    const char *comment;          /* CommentStreamA, or NULL */
    uint32_t extra_stream_type;   /* an unknown stream to list, 0 for none */
} kdx_mdw_spec;

/* Builds the dump in a malloc'd buffer. */
kdx_status kdx_minidump_write(const kdx_mdw_spec *spec, uint8_t **out, size_t *len,
                              kdx_err *err);
/* Writes it to a new file at path. */
kdx_status kdx_minidump_write_file(const kdx_mdw_spec *spec, const char *path, kdx_err *err);

#endif
