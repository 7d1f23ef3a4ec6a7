/* The scenario writer: complete x64 kernel dumps whose kernel structures
 * (processes, threads, wait blocks, APCs, object headers, directories,
 * handle tables, PRCBs, kernel stacks) are laid out with the offsets and
 * sizes of a real symbol table read at run time (a kdx_symprov: today the
 * Windows 10 19041 ISF), for tests no public dump covers. Nothing here types
 * a structure offset: every field is set by name through the layout's types,
 * and globals go to the addresses of the layout's symbols.
 *
 * Use: kdx_scn_new, declare modules and functions (code with .pdata that the
 * unwinder walks), objects, processes, threads, handles; kdx_scn_save. Later
 * work (pool, Driver Verifier, I/O) adds its objects with the typed builder
 * (kdx_scn_obj_*) and kdx_scn_object(). Errors are sticky: the first one is
 * kept and returned by kdx_scn_save, so declarations need no checks. */
#ifndef KDX_DUMP_SCENARIO_H
#define KDX_DUMP_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "dump/kdump_writer.h"
#include "sym/sources.h"

typedef struct kdx_scn kdx_scn;

typedef struct kdx_scn_system {
    uint64_t kernel_base;     /* 0: fffff804`7ba00000 */
    uint32_t kernel_size;     /* 0: 0x1046000 */
    uint32_t kernel_timestamp;    /* 0: 0d8333e6 */
    unsigned processors;      /* 0: 4 */
    uint32_t build;           /* 0: 19041 */
    uint64_t system_time;     /* FILETIME of the crash; 0: 2021-02-21 01:38:22 UTC */
    uint64_t uptime;          /* 100 ns units; 0: one hour */
    uint64_t tick_count;      /* KUSER_SHARED_DATA.TickCount; 0: uptime in 15.625 ms ticks */
} kdx_scn_system;

/* layout: the kernel's symbol provider (types and symbol RVAs); id: its
 * identity, written into the kernel image's debug directory so readers find
 * the same file on the symbol path. Both must outlive the scenario. */
kdx_status kdx_scn_new(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_system *sys,
                       kdx_scn **out, kdx_err *err);
void kdx_scn_free(kdx_scn *s);
/* The plain writer underneath, for raw memory. */
kdx_kdw *kdx_scn_writer(kdx_scn *s);
/* The first error of any declaration so far (KDX_OK when none). */
kdx_status kdx_scn_error(const kdx_scn *s, kdx_err *err);

/* ---- layout lookups ---- */
uint64_t kdx_scn_sizeof(kdx_scn *s, const char *type);
uint64_t kdx_scn_offset(kdx_scn *s, const char *type, const char *path);
/* Address of a kernel symbol ("PsActiveProcessHead"). */
uint64_t kdx_scn_symbol(kdx_scn *s, const char *name);
/* Value of an enumerator ("_KWAIT_REASON", "WrQueue"). */
int64_t kdx_scn_enum(kdx_scn *s, const char *type, const char *name);
/* The enumerators of an enum type, in order (count in *n); NULL on error. */
const char *const *kdx_scn_enum_names(kdx_scn *s, const char *type, size_t *n);

/* ---- memory ---- */
/* Nonpaged pool-like kernel memory, zeroed, mapped. */
uint64_t kdx_scn_alloc(kdx_scn *s, uint64_t size, uint64_t align);

/* ---- the typed builder ---- */
typedef struct kdx_scn_obj {
    kdx_scn *s;
    const char *type;
    uint64_t va, size;
    uint8_t *buf;
} kdx_scn_obj;
/* Starts editing the structure at va (current bytes are kept). */
void kdx_scn_obj_begin(kdx_scn *s, const char *type, uint64_t va, kdx_scn_obj *o);
/* Sets an integer, pointer, enum or bit field by path ("Tcb.Alertable", "ApcListHead[1].Flink"). */
void kdx_scn_set(kdx_scn_obj *o, const char *path, uint64_t value);
void kdx_scn_set_bytes(kdx_scn_obj *o, const char *path, const void *bytes, size_t len);
/* An empty list head at path (Flink = Blink = itself). */
void kdx_scn_set_empty_list(kdx_scn_obj *o, const char *path);
uint64_t kdx_scn_addr(kdx_scn_obj *o, const char *path);
/* Writes the bytes back. */
void kdx_scn_obj_end(kdx_scn_obj *o);
/* One field of the structure at va. */
void kdx_scn_poke(kdx_scn *s, const char *type, uint64_t va, const char *path, uint64_t value);
/* Inserts entry (a _LIST_ENTRY) at the tail of the list whose head is head. */
void kdx_scn_list_append(kdx_scn *s, uint64_t head, uint64_t entry);
/* A _UNICODE_STRING at va holding text (buffer allocated). */
void kdx_scn_unicode(kdx_scn *s, uint64_t va, const char *text);

/* ---- code: modules and functions with unwind data ---- */
/* A driver image: PE headers, exports naming its functions, .pdata. */
void kdx_scn_module(kdx_scn *s, const char *name, uint64_t base, uint32_t size);
/* Declares "module!function" with a stack frame of frame bytes (0: 0x28).
 * nt functions take their RVA from the layout's symbols; driver functions
 * are placed in their module. */
void kdx_scn_function(kdx_scn *s, const char *name, uint32_t frame);
/* The address of a declared function plus offset. */
uint64_t kdx_scn_code(kdx_scn *s, const char *name, uint32_t offset);
/* Instruction bytes written at va after the functions' code (a driver's
 * own instructions, such as a pool tag loaded before a call). */
void kdx_scn_code_patch(kdx_scn *s, uint64_t va, const void *bytes, size_t len);

/* ---- the object manager ---- */
/* An object type (created on first use, "Process", "Event", "Device", ...). */
uint64_t kdx_scn_object_type(kdx_scn *s, const char *name);
/* An object of object type otype whose body is a body_type ("_KEVENT"),
 * with an _OBJECT_HEADER and, when named, name information linking it into
 * directory (0: unnamed; a directory with name NULL: root). Returns the body. */
uint64_t kdx_scn_object(kdx_scn *s, const char *otype, const char *body_type, const char *name, uint64_t directory);
/* The root directory, and named sub-directories / symbolic links in it. */
uint64_t kdx_scn_root_directory(kdx_scn *s);
uint64_t kdx_scn_directory(kdx_scn *s, uint64_t parent, const char *name);
uint64_t kdx_scn_symlink(kdx_scn *s, uint64_t parent, const char *name, const char *target);

/* Dispatcher objects (named into directory when name is set). */
typedef enum kdx_scn_event_kind { KDX_SCN_NOTIFICATION, KDX_SCN_SYNCHRONIZATION } kdx_scn_event_kind;
uint64_t kdx_scn_event(kdx_scn *s, kdx_scn_event_kind kind, bool signaled, const char *name, uint64_t directory);
uint64_t kdx_scn_mutant(kdx_scn *s, uint64_t owner_thread, const char *name, uint64_t directory);
uint64_t kdx_scn_semaphore(kdx_scn *s, int32_t count, int32_t limit, const char *name, uint64_t directory);
uint64_t kdx_scn_timer(kdx_scn *s, kdx_scn_event_kind kind, const char *name, uint64_t directory);
uint64_t kdx_scn_queue(kdx_scn *s, const char *name, uint64_t directory);

/* ---- processes and threads ---- */
typedef struct kdx_scn_process_spec {
    const char *image;        /* ImageFileName (15 characters kept) */
    uint32_t pid, parent_pid; /* multiples of 4 */
    int session;              /* -1: none (system processes) */
    uint64_t peb;             /* user address, 0 for none */
    bool own_address_space;   /* a page-table root of its own (else the kernel's) */
    unsigned handle_levels;   /* 0: as many as its handles need; 1..3 forces TableCode levels - 1 */
} kdx_scn_process_spec;
uint64_t kdx_scn_process(kdx_scn *s, const kdx_scn_process_spec *spec);
/* The page-table root of a process (its own or the kernel's). */
uint64_t kdx_scn_process_dtb(kdx_scn *s, uint64_t process);

#define KDX_SCN_MAX_WAITS 4
#define KDX_SCN_MAX_FRAMES 16
typedef struct kdx_scn_thread_spec {
    uint32_t tid;
    const char *state;        /* _KTHREAD_STATE enumerator: "Waiting", "Running", "Ready", ... */
    const char *wait_reason;  /* _KWAIT_REASON enumerator, for Waiting */
    bool user_mode_wait, alertable;
    uint64_t waits[KDX_SCN_MAX_WAITS]; /* dispatcher objects waited on */
    unsigned nwaits;
    bool wait_all;
    bool wait_on_own_timer;   /* DelayExecution: waits on KTHREAD.Timer */
    int cpu;                  /* Running: the processor; else its NextProcessor */
    int16_t kernel_apc_disable, special_apc_disable; /* negative inside critical/guarded regions */
    unsigned kernel_apcs;     /* queued kernel APCs (KernelApcPending set) */
    const char *apc_routine;  /* their KernelRoutine ("kdxscen!ApcRoutine"), NULL: nt!KiSchedulerApc */
    const char *frames[KDX_SCN_MAX_FRAMES]; /* stack, innermost first ("nt!KiSwapContext", ...) */
    const char *start;        /* Win32StartAddress function; NULL: outermost-but-one frame */
    uint64_t start_va;        /* or an address (user-mode start routines), when nonzero */
    uint64_t teb;
    uint32_t wait_ticks_ago, kernel_ticks, user_ticks, context_switches;
    int8_t priority, base_priority;
} kdx_scn_thread_spec;
uint64_t kdx_scn_thread(kdx_scn *s, uint64_t process, const kdx_scn_thread_spec *spec);
/* The thread's kernel stack: where the innermost frame's rsp is. */
uint64_t kdx_scn_thread_rsp(kdx_scn *s, uint64_t thread);

/* ---- handles ---- */
/* A handle in process's table to the object whose body is object; value 0:
 * the next free one. Returns the handle value. */
uint64_t kdx_scn_handle(kdx_scn *s, uint64_t process, uint64_t object, uint32_t access, uint64_t value);

/* ---- the crash ---- */
/* The bug check raised on processor cpu by its running thread (default:
 * MANUALLY_INITIATED_CRASH 0xe2 on processor 0). */
void kdx_scn_bugcheck(kdx_scn *s, uint32_t code, const uint64_t args[4]);

/* Lays out what was declared and writes a complete (DumpType 1) dump. */
kdx_status kdx_scn_save(kdx_scn *s, const char *path, kdx_err *err);

/* The standard scenario of the tests and the demo: >= 50 processes and
 * >= 500 threads covering every wait reason of the layout, every thread
 * with a kernel stack into nt and a driver (kdxscen.sys); nprocesses 0
 * means the standard size (60). */
kdx_status kdx_scn_standard(const kdx_symprov *layout, const kdx_symfile_id *id, unsigned nprocesses,
                            unsigned threads_per_process, const char *path, kdx_err *err);

#endif
