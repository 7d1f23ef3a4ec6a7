/* User-mode minidump (MDMP) reader: the parsed streams behind a user-dump
 * target. Generic code uses kdx_target; the user-mode command family
 * (cmd_user.c) and tests look here for what only a minidump has: the stream
 * directory, misc info, handles, comments, memory info and thread times. */
#ifndef KDX_DUMP_MINIDUMP_H
#define KDX_DUMP_MINIDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/file.h"
#include "target/target.h"

/* Stream types (MINIDUMP_STREAM_TYPE and vendor extensions). */
enum {
    KDX_MD_UNUSED = 0,
    KDX_MD_THREAD_LIST = 3,
    KDX_MD_MODULE_LIST = 4,
    KDX_MD_MEMORY_LIST = 5,
    KDX_MD_EXCEPTION = 6,
    KDX_MD_SYSTEM_INFO = 7,
    KDX_MD_THREAD_EX_LIST = 8,
    KDX_MD_MEMORY64_LIST = 9,
    KDX_MD_COMMENT_A = 10,
    KDX_MD_COMMENT_W = 11,
    KDX_MD_HANDLE_DATA = 12,
    KDX_MD_FUNCTION_TABLE = 13,
    KDX_MD_UNLOADED_MODULES = 14,
    KDX_MD_MISC_INFO = 15,
    KDX_MD_MEMORY_INFO_LIST = 16,
    KDX_MD_THREAD_INFO_LIST = 17,
    KDX_MD_HANDLE_OPERATIONS = 18,
    KDX_MD_TOKEN = 19,
    KDX_MD_JAVASCRIPT_DATA = 20,
    KDX_MD_SYSTEM_MEMORY_INFO = 21,
    KDX_MD_PROCESS_VM_COUNTERS = 22,
    KDX_MD_IPT_TRACE = 23,
    KDX_MD_THREAD_NAMES = 24,
    KDX_MD_BREAKPAD_INFO = 0x47670001,
    KDX_MD_BREAKPAD_ASSERTION = 0x47670002,
    KDX_MD_CRASHPAD_INFO = 0x43500001
};

/* MINIDUMP_TYPE flags in the header that matter to the reader. */
#define KDX_MD_FLAG_FULL_MEMORY 0x2

typedef struct kdx_md_stream {
    uint32_t type, size, rva;
} kdx_md_stream;

typedef struct kdx_md_thread {
    uint32_t id, suspend_count, priority_class, priority;
    uint64_t teb;
    uint64_t stack_start;
    uint32_t stack_size, stack_rva;
    uint32_t context_size, context_rva;
    char *name;                  /* from the thread-names stream, or NULL */
    /* From the thread-info list (stream 17) when present. */
    bool has_times;
    uint32_t dump_flags, dump_error, exit_status;
    uint64_t create_time, exit_time, kernel_time, user_time; /* FILETIME / 100 ns */
    uint64_t start_address, affinity;
} kdx_md_thread;

/* One stretch of saved memory: [va, va+size) lives at file offset off. */
typedef struct kdx_md_range {
    uint64_t va, size, off;
} kdx_md_range;

typedef struct kdx_md_misc {
    bool present;
    uint32_t size, flags1;
    uint32_t process_id;
    uint32_t process_create_time;          /* time_t */
    uint32_t process_user_time, process_kernel_time; /* seconds */
    uint32_t processor_max_mhz, processor_current_mhz, processor_mhz_limit;
    uint32_t processor_max_idle_state, processor_current_idle_state;
    uint32_t integrity_level, execute_flags, protected_process, time_zone_id;
    int32_t tz_bias;
    char *tz_standard_name, *tz_daylight_name;
    char *build_string, *dbg_build_string;
    uint32_t process_cookie;
} kdx_md_misc;

/* MINIDUMP_MISC_INFO Flags1 bits. */
#define KDX_MD_MISC_PROCESS_ID 0x1
#define KDX_MD_MISC_PROCESS_TIMES 0x2
#define KDX_MD_MISC_POWER_INFO 0x4
#define KDX_MD_MISC_INTEGRITY 0x10
#define KDX_MD_MISC_EXECUTE_FLAGS 0x20
#define KDX_MD_MISC_TIMEZONE 0x40
#define KDX_MD_MISC_PROTECTED 0x80
#define KDX_MD_MISC_BUILDSTRING 0x100
#define KDX_MD_MISC_COOKIE 0x200

typedef struct kdx_md_handle {
    uint64_t handle;
    char *type_name, *object_name;
    uint32_t attributes, granted_access, handle_count, pointer_count;
} kdx_md_handle;

typedef struct kdx_md_meminfo {
    uint64_t base, allocation_base, region_size;
    uint32_t allocation_protect, state, protect, type;
} kdx_md_meminfo;

typedef struct kdx_minidump {
    kdx_file *file;
    uint32_t version, checksum, timestamp;
    uint64_t flags;                        /* MINIDUMP_TYPE */
    kdx_md_stream *streams;
    size_t nstreams;
    uint32_t dir_rva;
    unsigned bad_streams;                  /* directory entries past the end of the file */
    kdx_md_thread *threads;
    size_t nthreads;
    bool threads_ex;                       /* came from the thread-ex list */
    kdx_md_range *ranges;                  /* sorted by va, disjoint */
    size_t nranges;
    bool has_memory64;
    bool truncated;                        /* some saved memory lies past the end of the file */
    /* System info. */
    bool has_sysinfo;
    uint16_t cpu_arch, cpu_level, cpu_revision;
    uint8_t product_type;
    char cpu_vendor[13];                   /* x86/x64: "GenuineIntel" */
    uint32_t cpu_version_info, cpu_feature_info;
    kdx_md_misc misc;
    kdx_md_handle *handles;
    size_t nhandles;
    kdx_md_meminfo *meminfo;
    size_t nmeminfo;
    char **comments;                       /* comment streams A and W, in order */
    size_t ncomments;
    uint32_t ntokens;                      /* entries of the token stream */
    size_t nunloaded;
    /* Breakpad info stream. */
    bool has_breakpad_info;
    uint32_t breakpad_validity, breakpad_dump_tid, breakpad_requesting_tid;
    /* System memory info (stream 21): the basic-information part. */
    bool has_sysmem;
    uint32_t sysmem_page_size, sysmem_physical_pages, sysmem_allocation_granularity;
    uint64_t sysmem_max_user_address;
    /* Process VM counters (stream 22). */
    bool has_vm;
    uint32_t vm_page_faults;
    uint64_t vm_peak_working_set, vm_working_set, vm_private;
    /* Breakpad assertion info: why a CRT invalid-parameter or pure-virtual-call
     * handler wrote the dump (type 1 / 2), NULL strings when absent. */
    char *assert_expression, *assert_function, *assert_file;
    uint32_t assert_line, assert_type;
    /* The exception stream's thread (index into threads), or -1. */
    long exception_thread;
    /* Problems in optional streams (handles, names, ...) that were skipped
     * rather than refusing the whole dump; one line each, or NULL. At most
     * KDX_MD_MAX_NOTES lines are kept; notes_dropped counts the rest. */
    char *notes;
    size_t notes_len, nnotes, notes_dropped;
} kdx_minidump;

enum { KDX_MD_MAX_NOTES = 64 };
/* Appends one line to md->notes (a hostile directory can hold 65,536 bad
 * entries: the text stays bounded and appending stays linear). */
void kdx_minidump_note(kdx_minidump *md, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens an already mapped file as a minidump target; takes ownership of f
 * (closed on failure too). Used by kdx_minidump_open and the fuzzer. */
kdx_status kdx_minidump_open_file(kdx_file *f, kdx_target **out, kdx_err *err);

/* The minidump behind a user-dump target, or NULL for any other target. */
kdx_minidump *kdx_minidump_of(const kdx_target *t);

/* The process's kernel and user CPU time (100 ns units) from the misc info
 * stream, for `.time`; false when the dump does not record them. */
bool kdx_minidump_process_times(const kdx_target *t, uint64_t *kernel_time, uint64_t *user_time);

/* WOW64: a 32-bit process in a 64-bit dump (x64 with wow64cpu.dll loaded). */
bool kdx_minidump_is_wow64(const kdx_target *t);
/* The 32-bit x86 context of thread index of a WOW64 process, read from the
 * dump's memory: TEB64 TLS slot 1 (WOW64_TLS_CPURESERVED) points to the
 * CPU's per-thread data, whose WOW64_CONTEXT starts at offset 4. Errors say
 * which piece of memory is missing. For `.effmach x86`-style views. */
kdx_status kdx_minidump_wow64_context(kdx_target *t, unsigned index, kdx_context *out,
                                      kdx_err *err);

/* "ThreadListStream", "BreakpadInfoStream", ... or NULL when unknown. */
const char *kdx_minidump_stream_name(uint32_t type);

/* Reads bytes of saved memory directly (no overlay); same contract as
 * kdx_target_ops.read_virt. */
kdx_status kdx_minidump_read(const kdx_minidump *md, uint64_t va, void *buf, size_t len,
                             size_t *done);

/* Stream parsers (minidump_streams.c), called by the opener. Each reads the
 * stream's bytes with bounds checks and fills md / t. */
kdx_status kdx_md_parse_threads(kdx_minidump *md, const kdx_md_stream *s, bool ex, kdx_err *err);
kdx_status kdx_md_parse_modules(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                kdx_err *err);
kdx_status kdx_md_parse_unloaded(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                 kdx_err *err);
kdx_status kdx_md_parse_memory(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_memory64(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_sysinfo(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                kdx_err *err);
kdx_status kdx_md_parse_misc(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_exception(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                  kdx_err *err);
kdx_status kdx_md_parse_thread_names(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_thread_info(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_handles(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_meminfo(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_comment(kdx_minidump *md, const kdx_md_stream *s, bool wide,
                                kdx_err *err);
kdx_status kdx_md_parse_token(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_system_memory(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_vm_counters(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_assertion(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);
kdx_status kdx_md_parse_breakpad_info(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err);

/* Shared helpers for the parsers. */
/* Bytes of stream s, checked against the file; *out points into the mapping. */
kdx_status kdx_md_stream_bytes(const kdx_minidump *md, const kdx_md_stream *s, const char *what,
                               const uint8_t **out, kdx_err *err);
/* A MINIDUMP_STRING (u32 byte length + UTF-16LE) at rva, as malloc'd UTF-8. */
kdx_status kdx_md_read_string(const kdx_minidump *md, uint32_t rva, const char *what, char **out,
                              kdx_err *err);
/* The CONTEXT architecture implied by a thread context's size. */
kdx_arch kdx_md_arch_of_context_size(uint32_t size);
/* time_t seconds to FILETIME. */
uint64_t kdx_md_time_to_filetime(uint32_t t);

#endif
