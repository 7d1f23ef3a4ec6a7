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
#include "symprov/provider.h"
#include "symprov/symfile.h"

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

/* ---- the I/O manager (scenario_io.c) ---- */
/* A driver object named path ("\Driver\kdxbus", "\FileSystem\X") for a
 * module declared with kdx_scn_module (its image bounds), dispatch routines
 * "module!Function" for the majors listed (the others get
 * nt!IopInvalidDeviceRequest), add_device its AddDevice routine (NULL: none). */
typedef struct kdx_scn_dispatch {
    unsigned major;
    const char *routine;
} kdx_scn_dispatch;
uint64_t kdx_scn_driver(kdx_scn *s, const char *path, const char *module_file, const kdx_scn_dispatch *dispatch,
                        size_t ndispatch, const char *add_device);
/* A device object of driver (named \Device\name when name is set) with a
 * device extension of ext_size bytes, attached on top of lower (0: none). */
uint64_t kdx_scn_device(kdx_scn *s, uint64_t driver, const char *name, uint32_t device_type, uint32_t characteristics,
                        uint32_t ext_size, uint64_t lower);
/* A device node for pdo under parent (0: the root node, created on first
 * use with its own PDO and stored in nt!IopRootDeviceNode); state is a
 * _PNP_DEVNODE_STATE enumerator ("DeviceNodeStarted"). */
uint64_t kdx_scn_devnode(kdx_scn *s, uint64_t parent, uint64_t pdo, const char *instance, const char *service,
                         const char *state);
/* One I/O stack location of an IRP. */
typedef struct kdx_scn_irp_location {
    uint8_t major, minor, flags, control;
    uint64_t device, file;
    const char *completion;    /* "module!Routine" (NULL: none) */
    uint64_t context;
    uint64_t args[4];          /* Parameters.Others.Argument1..4 */
} kdx_scn_irp_location;
/* An IRP with nstack locations (locs[0] is the lowest driver's), current
 * the 1-based CurrentLocation, owned by thread (0: none; else queued on
 * its IrpList). */
uint64_t kdx_scn_irp(kdx_scn *s, uint64_t thread, const kdx_scn_irp_location *locs, unsigned nstack,
                     unsigned current, uint32_t flags);

/* Tracks a power IRP the way the power manager does: a _POP_IRP_DATA on
 * nt!PopIrpList naming the IRP, the stack's PDO and the device holding it. */
void kdx_scn_power_irp(kdx_scn *s, uint64_t irp, uint64_t pdo, uint64_t current_device);

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

/* ---- executive resources (scenario_locks.c) ---- */
/* An _ERESOURCE linked into nt!ExpSystemResourcesList, at the address of
 * the nt global symbol ("IopDeviceTreeLock") when symbol is set, else in
 * pool. Waiters are chained as Windows 10 chains them (src/nt/resource.c). */
uint64_t kdx_scn_resource(kdx_scn *s, const char *symbol);
/* thread acquires resource: exclusive (the only owner) or shared (OwnerEntry,
 * then the OwnerTable). */
void kdx_scn_resource_acquire(kdx_scn *s, uint64_t resource, uint64_t thread, bool exclusive);
void kdx_scn_resource_contention(kdx_scn *s, uint64_t resource, uint32_t count);
/* A thread (spec completed: Waiting, WrResource, on the event of its waiter
 * entry) that waits for resource; the resource chains and counts it. */
uint64_t kdx_scn_resource_waiter(kdx_scn *s, uint64_t resource, bool exclusive, uint64_t process,
                                 kdx_scn_thread_spec *spec);

/* ---- DPCs (scenario_dpc.c) ---- */
/* A DPC calling routine (a declared function), queued on processor cpu. */
uint64_t kdx_scn_dpc(kdx_scn *s, unsigned cpu, const char *routine, bool threaded);
/* A DPC object calling routine, not queued (for timers). */
uint64_t kdx_scn_dpc_object(kdx_scn *s, const char *routine);
/* Inserts timer (a _KTIMER, e.g. from kdx_scn_timer or a thread's KTHREAD.Timer)
 * into processor cpu's timer table, due at interrupt time due (100 ns since
 * boot), firing dpc (0: none; stored encoded as Windows 10 does). */
void kdx_scn_timer_arm(kdx_scn *s, uint64_t timer, unsigned cpu, uint64_t due, uint64_t dpc, uint32_t period_ms);

/* ---- executive worker queues (scenario_workq.c) ---- */
/* Work queue index (an _EXQUEUEINDEX value) of NUMA node 0 in the system
 * partition (nt!PspSystemPartition, created on first use). */
uint64_t kdx_scn_work_queue(kdx_scn *s, unsigned index, int min_threads, int max_threads);
/* thread (waiting on the queue, WrQueue) serves queue. */
void kdx_scn_work_queue_thread(kdx_scn *s, uint64_t queue, uint64_t thread);
/* A pending work item calling routine (a declared function) at a priority. */
uint64_t kdx_scn_work_item(kdx_scn *s, uint64_t queue, unsigned priority, const char *routine, uint64_t parameter);

/* ---- hang and exit scenarios (scenario_hang.c) ---- */
/* A hang: two System worker threads in an ERESOURCE deadlock (A owns R1 and
 * waits for R2, B owns R2 and waits for R1), a user thread queued behind
 * them, uncontended resources held and free, and a manual crash (0xe2). */
kdx_status kdx_scn_hang(const kdx_symprov *layout, const kdx_symfile_id *id, const char *path, kdx_err *err);
/* Bug check 0x20: a System thread exits inside a critical region
 * (KernelApcDisable -1) with a kernel APC queued. */
kdx_status kdx_scn_apc_exit(const kdx_symprov *layout, const kdx_symfile_id *id, const char *path, kdx_err *err);

/* ---- the kernel segment heap (scenario_segheap.c, docs/pool.md) ---- */
/* nt!ExPoolState with one pool node whose Heaps[0] is a _SEGMENT_HEAP; one
 * page segment holding a VS and an LFH subsegment; the keys (nonzero,
 * reproducible unless given) in nt!RtlpHpHeapGlobals. */
typedef struct kdx_scn_segheap kdx_scn_segheap;
typedef struct kdx_scn_segheap_spec {
    uint64_t heap_key, lfh_key;   /* 0: fixed nonzero values */
    uint32_t lfh_block;           /* LFH block size with its _POOL_HEADER; 0: 0x80 */
    uint32_t lfh_blocks;          /* 0: 48 */
    uint32_t vs_pages;            /* the VS subsegment's pages; 0: 8 */
    bool corrupt_vs_chunk;        /* the VS subsegment's last (free) chunk header does not decode */
    bool looping_segment_list;    /* a second segment whose ListEntry.Flink points to itself */
    bool absent_subsegment;       /* a second VS subsegment, described but not in the dump */
} kdx_scn_segheap_spec;
kdx_scn_segheap *kdx_scn_segheap_new(kdx_scn *s, const kdx_scn_segheap_spec *spec);
/* An allocation of bytes after its _POOL_HEADER, in the LFH subsegment
 * (bytes + header must fit its block) or the VS one. Returns the address
 * after the _POOL_HEADER (what ExAllocatePool returns); 0 when full. */
uint64_t kdx_scn_segheap_alloc(kdx_scn_segheap *h, bool lfh, uint32_t tag, uint32_t pool_type, uint64_t bytes);
/* Frees the allocation at va: its block stays, marked free. */
void kdx_scn_segheap_free(kdx_scn_segheap *h, uint64_t va);
/* The VS or LFH subsegment's address. */
uint64_t kdx_scn_segheap_subsegment(const kdx_scn_segheap *h, bool lfh);
/* Writes the chunk headers, the bitmap and the corruptions asked for; frees h. */
void kdx_scn_segheap_finish(kdx_scn_segheap *h);
/* Small allocations the writer makes itself (IRPs) go to h's VS subsegment
 * while it is set, else to plain memory. */
void kdx_scn_set_segheap(kdx_scn *s, kdx_scn_segheap *h);
uint64_t kdx_scn_small_alloc(kdx_scn *s, uint32_t tag, uint64_t bytes);

#endif
