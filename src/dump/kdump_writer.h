/* The project's writer of synthetic kernel dumps, for tests, the fuzz corpus
 * and the demo. It keeps a sparse physical memory, builds real page tables
 * (x64 4-level, x86 PAE, x86 2-level) so virtual addresses translate, lays
 * out the kernel structures a debugger reads (KDDEBUGGER_DATA64,
 * PsLoadedModuleList, KiProcessorBlock, PRCBs, CONTEXTs) and saves a complete
 * (DumpType 1), bitmap (5) or triage (4) dump in the PAGEDU64/PAGEDUMP format. */
#ifndef KDX_DUMP_KDUMP_WRITER_H
#define KDX_DUMP_KDUMP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/context.h"

typedef struct kdx_kdw kdx_kdw;

typedef enum kdx_kdw_kind {
    KDX_KDW_COMPLETE, /* DumpType 1: physical memory runs */
    KDX_KDW_BITMAP,   /* DumpType 5: SDMP page bitmap */
    KDX_KDW_TRIAGE,   /* DumpType 4: triage blocks, no physical memory */
    KDX_KDW_SUMMARY   /* DumpType 2: Windows 7-era SUMMARY_DUMP bitmap */
} kdx_kdw_kind;

/* arch: KDX_ARCH_X64, or KDX_ARCH_X86 with pae true/false. */
kdx_kdw *kdx_kdw_new(kdx_arch arch, bool pae);
void kdx_kdw_free(kdx_kdw *w);

/* System facts (defaults: build 7601, 1 processor, no bug check). */
void kdx_kdw_set_system(kdx_kdw *w, uint32_t build, uint32_t nprocs, uint64_t filetime,
                        uint64_t uptime_100ns);
void kdx_kdw_set_bugcheck(kdx_kdw *w, uint32_t code, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4);
void kdx_kdw_set_build_lab(kdx_kdw *w, const char *lab);
/* Service pack number kept in nt!CmNtCSDVersion (0: none). */
void kdx_kdw_set_service_pack(kdx_kdw *w, uint32_t sp);
/* Where the kernel image lies (default x64 fffff800`01613000, x86 80400000). */
void kdx_kdw_set_kernel(kdx_kdw *w, uint64_t base, uint32_t size, uint32_t timestamp);
/* Store KDDEBUGGER_DATA64 encoded the Windows 8+ way (complete/bitmap dumps). */
void kdx_kdw_encode_kdbg(kdx_kdw *w, uint64_t wait_never, uint64_t wait_always,
                         uint64_t block_encoded_addr);

/* Physical memory. */
uint8_t *kdx_kdw_page(kdx_kdw *w, uint64_t pfn);     /* zeroed page, created on demand */
uint64_t kdx_kdw_alloc_page(kdx_kdw *w);             /* a fresh unused pfn */
void kdx_kdw_write_phys(kdx_kdw *w, uint64_t pa, const void *buf, size_t len);
/* Use this page-table root instead of the writer's own (raw tables via write_phys). */
void kdx_kdw_set_dtb(kdx_kdw *w, uint64_t dtb);
uint64_t kdx_kdw_dtb(const kdx_kdw *w);

/* Virtual memory through the writer's page tables. */
kdx_status kdx_kdw_map(kdx_kdw *w, uint64_t va, uint64_t size, kdx_err *err);
/* Writes len bytes at va, mapping pages as needed. */
kdx_status kdx_kdw_write_virt(kdx_kdw *w, uint64_t va, const void *buf, size_t len, kdx_err *err);
kdx_status kdx_kdw_write_ptr(kdx_kdw *w, uint64_t va, uint64_t v, kdx_err *err);
/* Reserves size bytes of kernel data space (inside the kernel image range). */
uint64_t kdx_kdw_alloc_virt(kdx_kdw *w, uint32_t size, uint32_t align);

/* Structure layouts for the structures the writer lays out itself (PRCBs,
 * the threads and processes processors run, KLDR entries); published in the
 * KDBG block. Defaults are the writer's own compact layouts; the scenario
 * writer passes the offsets of a real symbol table. */
typedef struct kdx_kdw_layout {
    uint32_t prcb_size, prcb_current_thread, prcb_number, prcb_proc_state_context, prcb_context_ptr;
    uint32_t thread_size, thread_apc_process, process_size;
} kdx_kdw_layout;
typedef struct kdx_kdw_ldr_layout {
    uint32_t size, dll_base, size_of_image, full_name, base_name;
} kdx_kdw_ldr_layout;
void kdx_kdw_set_layout(kdx_kdw *w, const kdx_kdw_layout *l, const kdx_kdw_ldr_layout *ldr);

/* Kernel globals the writer fills, at addresses the caller chooses (the
 * symbol table's) instead of its own; a placed process head is the caller's
 * to fill. */
typedef enum kdx_kdw_global {
    KDX_KDW_KDBG,             /* KdDebuggerDataBlock */
    KDX_KDW_MODULE_LIST,      /* PsLoadedModuleList */
    KDX_KDW_PROCESS_HEAD,     /* PsActiveProcessHead */
    KDX_KDW_PROCESSOR_BLOCK,  /* KiProcessorBlock */
    KDX_KDW_PFN_DATABASE,     /* MmPfnDatabase */
    KDX_KDW_GLOBAL_COUNT
} kdx_kdw_global;
void kdx_kdw_place(kdx_kdw *w, kdx_kdw_global g, uint64_t va);
void kdx_kdw_place_prcb(kdx_kdw *w, unsigned cpu, uint64_t va);
/* Where kdx_kdw_alloc_virt allocates (default: the upper half of the kernel image). */
void kdx_kdw_set_data_area(kdx_kdw *w, uint64_t va, uint64_t size);
/* A new page-table root (a process's address space, x64): its kernel half
 * mirrors the main one's when the dump is built. */
uint64_t kdx_kdw_new_address_space(kdx_kdw *w);
kdx_status kdx_kdw_write_virt_in(kdx_kdw *w, uint64_t root, uint64_t va, const void *buf, size_t len,
                                 kdx_err *err);
/* Bytes at va in the main address space (zeros where nothing was written). */
void kdx_kdw_read_virt(kdx_kdw *w, uint64_t va, void *buf, size_t len);

/* Kernel structures. */
void kdx_kdw_add_module(kdx_kdw *w, const char *path, uint64_t base, uint32_t size,
                        uint32_t timestamp);
/* Register context of processor cpu, and the thread/process it runs. */
void kdx_kdw_set_context(kdx_kdw *w, unsigned cpu, const kdx_context *c, uint64_t thread,
                         uint64_t process);
/* The context the header stores (default: the crashing processor's). */
void kdx_kdw_set_exception_context(kdx_kdw *w, const kdx_context *c);

/* Builds the kernel structures and writes the dump. */
kdx_status kdx_kdw_save(kdx_kdw *w, kdx_kdw_kind kind, const char *path, kdx_err *err);
/* Same, into a malloc'd buffer. */
kdx_status kdx_kdw_build(kdx_kdw *w, kdx_kdw_kind kind, uint8_t **out, size_t *len, kdx_err *err);

/* The sample the demo and tests use: modelled on the KERNEL_APC_PENDING_DURING_EXIT
 * (0x20) crash of the reference article (Windows 7 SP1 x64, srv2 worker thread). */
kdx_status kdx_kdw_sample_apc_exit(kdx_kdw_kind kind, const char *path, kdx_err *err);

#endif
