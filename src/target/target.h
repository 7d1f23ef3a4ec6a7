/* A debugging target: an opened dump (kernel or user), a PE image, or a
 * symbol file alone. Format readers implement kdx_target_ops; everything
 * else reads memory, registers and modules through this one interface. */
#ifndef KDX_TARGET_TARGET_H
#define KDX_TARGET_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/file.h"
#include "target/module.h"
#include "target/context.h"

typedef enum kdx_target_kind {
    KDX_TARGET_KERNEL_DUMP,
    KDX_TARGET_USER_DUMP,
    KDX_TARGET_IMAGE,    /* a PE file opened as the target */
    KDX_TARGET_SYMFILE   /* a PDB or ISF opened alone, module at address 0 */
} kdx_target_kind;

typedef enum kdx_paging {
    KDX_PAGING_NONE,     /* no page tables: virtual ranges only */
    KDX_PAGING_X86,      /* 2-level, 4 KB / 4 MB */
    KDX_PAGING_X86_PAE,  /* 3-level, 4 KB / 2 MB */
    KDX_PAGING_X64_4,    /* 4-level */
    KDX_PAGING_X64_5,    /* 5-level (LA57) */
    KDX_PAGING_ARM64     /* 4 KB granule, 48-bit, TTBR1 for kernel addresses */
} kdx_paging;


/* Facts about the system, filled by the opener where the format has them. */
typedef struct kdx_system_info {
    uint32_t os_major, os_minor, build;
    uint32_t product_type;        /* 1 workstation, 2 DC, 3 server; 0 unknown */
    uint32_t suite_mask;
    uint32_t platform_id;
    char *csd_version;            /* "Service Pack 1" */
    char *build_lab;              /* "19041.1.amd64fre.vb_release.191206-1406" when known */
    uint32_t num_processors;
    uint64_t dump_time;           /* FILETIME (100 ns since 1601), 0 unknown */
    uint64_t system_uptime;       /* 100 ns units, 0 unknown */
    uint64_t process_create_time; /* user dumps: FILETIME, 0 unknown */
    uint32_t process_id;
} kdx_system_info;

/* Kernel-specific facts from the dump header / KDDEBUGGER_DATA64. */
typedef struct kdx_kernel_info {
    uint32_t bugcheck_code;
    uint64_t bugcheck_args[4];
    uint64_t kernel_base;
    uint64_t ps_loaded_module_list;
    uint64_t ps_active_process_head;
    uint64_t kdbg_addr;               /* KdDebuggerDataBlock */
    uint64_t mm_pfn_database;
    bool kdbg_valid;                  /* the decoded block was found and checked */
} kdx_kernel_info;

/* The exception the dump was taken for (minidump exception stream, kernel
 * triage/header exception record, or the record a bug check points at). */
typedef struct kdx_exception {
    bool present;
    uint32_t code;
    uint32_t flags;
    uint64_t record_addr;     /* address of the EXCEPTION_RECORD in target memory, 0 if none */
    uint64_t address;         /* ExceptionAddress */
    uint32_t nparams;
    uint64_t params[15];
    uint32_t thread_id;       /* user dumps */
    unsigned context_index;   /* thread/processor index the exception belongs to */
    bool has_context;         /* the exception's CONTEXT (for .ecxr / .cxr) */
    kdx_context context;
} kdx_exception;

/* Per-thread (user) or per-processor (kernel) facts shown by `~` and used by
 * pseudo-registers. Filled by the reader; fields unknown are 0. */
typedef struct kdx_thread_info {
    uint32_t id;              /* thread id (user), processor number (kernel) */
    uint64_t teb;             /* user: TEB address */
    uint64_t thread;          /* kernel: current KTHREAD/ETHREAD on that processor */
    uint64_t process;         /* kernel: its EPROCESS */
    uint64_t prcb;            /* kernel: the processor's KPRCB (KiProcessorBlock entry) */
    uint32_t suspend_count;
    uint32_t priority_class, priority;
    uint64_t stack_base, stack_limit; /* from the dump's stack record when present */
    const char *name;         /* thread name, NULL if none; owned by the target */
} kdx_thread_info;

typedef struct kdx_target_ops {
    const char *format_name;   /* "Kernel triage dump", "User mini dump", ... */
    void (*close)(void *impl);
    /* Physical read; NULL when the target has no physical memory. On a gap returns
     * KDX_E_MEM_MISSING with *done = bytes copied before it. */
    kdx_status (*read_phys)(void *impl, uint64_t pa, void *buf, size_t len, size_t *done);
    /* Virtual ranges stored directly (triage blocks, minidump memory lists, image
     * sections); NULL when none. Same contract as read_phys. */
    kdx_status (*read_virt)(void *impl, uint64_t va, void *buf, size_t len, size_t *done);
    /* Zero-copy pointer to physical page pfn, or NULL when missing (fast scans). */
    const uint8_t *(*phys_page)(void *impl, uint64_t pfn);
    /* Register context of processor (kernel) or thread (user) `index`. */
    kdx_status (*get_context)(void *impl, unsigned index, kdx_context *out, kdx_err *err);
    /* Facts about thread/processor `index` (optional). */
    kdx_status (*get_thread_info)(void *impl, unsigned index, kdx_thread_info *out, kdx_err *err);
} kdx_target_ops;

typedef struct kdx_overlay kdx_overlay; /* bytes edited with eb/ed, never written to the file */

typedef struct kdx_target {
    kdx_target_kind kind;
    kdx_arch arch;
    int ptr_size;
    char *path;
    const kdx_target_ops *ops;
    void *impl;
    kdx_paging paging;
    uint64_t dtb;               /* page-table root for virtual reads (current process) */
    uint64_t kernel_dtb;        /* the dump's DirectoryTableBase */
    unsigned ncontexts;         /* processors (kernel) or threads (user) */
    unsigned default_context;   /* crashing processor / thread */
    kdx_module **modules;
    size_t nmodules;
    kdx_system_info sys;
    kdx_kernel_info kernel;     /* kernel dumps only */
    kdx_exception exception;    /* the dump's exception, if it has one */
    kdx_module *main_module;    /* user dumps / images: the executable */
    kdx_overlay *overlay;
    /* Optional, set by readers with direct virtual ranges: the lowest address
     * >= va that ops->read_virt holds bytes for, so memory scans (s) skip
     * gaps without probing every page; KDX_E_NOT_FOUND past the last range. */
    kdx_status (*next_virt)(void *impl, uint64_t va, uint64_t *next);
} kdx_target;

/* Opens any supported file as a target: kernel dumps, minidumps, PE images,
 * PDB and ISF symbol files. Detects the format from the file's content. */
kdx_status kdx_target_open(const char *path, kdx_target **out, kdx_err *err);
void kdx_target_close(kdx_target *t);

/* Used by format readers. */
kdx_target *kdx_target_new(kdx_target_kind kind, kdx_arch arch, const char *path);
void kdx_target_add_module(kdx_target *t, kdx_module *m);
/* Module containing addr, or NULL. */
kdx_module *kdx_target_module_at(const kdx_target *t, uint64_t addr);
/* Module by WinDbg name or image name (case-insensitive), or NULL. */
kdx_module *kdx_target_module_named(const kdx_target *t, const char *name);

#endif
