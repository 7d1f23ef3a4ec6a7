/* The I/O manager's structures read by field name (docs/io.md): IRPs and
 * their stack locations (StackCount and CurrentLocation validated: a
 * corrupt count is an error naming the IRP, never a read past the packet),
 * device objects and the device stack they belong to (AttachedDevice up,
 * DeviceObjectExtension.AttachedTo down), driver objects (MajorFunction
 * table, DeviceObject/NextDevice list) and the PnP device tree from
 * nt!IopRootDeviceNode. Every chain is guarded against loops and polls
 * kdx_interrupted(). */
#ifndef KDX_NT_IO_H
#define KDX_NT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

/* StackCount is a CHAR; Windows caps device stacks far lower, so a count
 * above this is treated as corrupt. */
#define KDX_IO_MAX_STACK 32
#define KDX_IO_MAX_DEVICES 4096   /* a driver's device list or a device stack */

typedef struct kdx_io_stack {
    uint64_t addr;
    bool read;                 /* false: the location is not in the dump */
    uint8_t major, minor, flags, control;
    uint64_t device, file, completion, context;
    uint64_t args[4];          /* Parameters.Others.Argument1..4 */
} kdx_io_stack;

typedef struct kdx_io_irp {
    uint64_t addr;
    uint64_t type, size, mdl, flags, thread, user_event, user_iosb, cancel_routine, user_buffer;
    uint64_t current_sl;       /* Tail.Overlay.CurrentStackLocation as stored */
    uint64_t system_buffer;    /* AssociatedIrp.SystemBuffer */
    int64_t status;            /* IoStatus.Status */
    uint64_t information;
    int stack_count, current_location;
    bool cancel, pending_returned;
    uint8_t requestor_mode, cancel_irql;
    size_t nstack;             /* == stack_count */
    kdx_io_stack stack[KDX_IO_MAX_STACK];
    kdx_err stack_gap;         /* why the first unreadable location is missing */
} kdx_io_irp;

/* Reads the IRP at addr and its stack locations. Fails when the header is
 * not readable, Type is not IO_TYPE_IRP, StackCount is outside
 * 1..KDX_IO_MAX_STACK, CurrentLocation outside 1..StackCount+1, or Size is
 * smaller than the header and StackCount locations. */
kdx_status kdx_io_irp_read(kdx_session *s, uint64_t addr, kdx_io_irp *irp, kdx_err *err);
/* The index (0-based) of the current stack location, -1 when the IRP has
 * not reached a driver yet (CurrentLocation == StackCount + 1). */
int kdx_io_irp_current(const kdx_io_irp *irp);

/* Fields of a device object a partial dump may lack (kdx_io_device.missing bits). */
enum {
    KDX_IO_DEV_REFCOUNT = 1u << 0, KDX_IO_DEV_DRIVER = 1u << 1, KDX_IO_DEV_NEXT = 1u << 2,
    KDX_IO_DEV_ATTACHED = 1u << 3, KDX_IO_DEV_IRP = 1u << 4, KDX_IO_DEV_FLAGS = 1u << 5,
    KDX_IO_DEV_CHARACTERISTICS = 1u << 6, KDX_IO_DEV_EXTENSION = 1u << 7, KDX_IO_DEV_TYPE = 1u << 8,
    KDX_IO_DEV_DOE = 1u << 9, KDX_IO_DEV_VPB = 1u << 10, KDX_IO_DEV_STACKSIZE = 1u << 11, KDX_IO_DEV_TIMER = 1u << 12
};

typedef struct kdx_io_device {
    uint64_t addr;
    unsigned missing;          /* KDX_IO_DEV_* fields not in the dump */
    char missing_names[256];   /* their field names, ", "-joined */
    kdx_err why;               /* why the first of them is missing */
    uint64_t type, driver, next, attached, current_irp, timer, vpb, extension, devobj_ext;
    uint64_t flags, characteristics, device_type, stack_size, ref_count;
    bool has_ext;              /* the DeviceObjectExtension was read */
    uint64_t ext_flags, power_flags, attached_to, device_node;
} kdx_io_device;

/* Reads the device object at addr (Type must be IO_TYPE_DEVICE) and its
 * DeviceObjectExtension when readable. Fails only when Type is missing or
 * wrong; other fields the dump lacks are listed in missing (values 0). */
kdx_status kdx_io_device_read(kdx_session *s, uint64_t addr, kdx_io_device *d, kdx_err *err);

/* The device stack addr belongs to, top first: up through AttachedDevice,
 * then down through DeviceObjectExtension.AttachedTo. *given is the index
 * of addr. A chain that loops or is unreadable ends with an error naming
 * the device where it happened; out keeps the devices found so far. */
kdx_status kdx_io_device_stack(kdx_session *s, uint64_t addr, uint64_t *out, size_t cap, size_t *n, size_t *given,
                               kdx_err *err);

/* The name of a named object ("\Device\Foo") or "" when unnamed. */
void kdx_io_object_name(kdx_session *s, uint64_t body, char *buf, size_t cap);

typedef struct kdx_io_driver {
    uint64_t addr, type, device, flags, start, size, section, extension;
    uint64_t init, start_io, unload, add_device, fast_io;
    bool add_device_missing;   /* DriverExtension->AddDevice is not in the dump */
    char name[256];            /* DriverName, "" when unreadable */
    size_t nmajor;
    uint64_t major[64];        /* MajorFunction[] */
    uint64_t major_missing;    /* bit i: MajorFunction[i] is not in the dump */
    kdx_err why;               /* why the name is missing */
    kdx_err major_why;         /* why the first missing MajorFunction entry is missing */
} kdx_io_driver;
/* Reads the driver object at addr (Type must be IO_TYPE_DRIVER). */
kdx_status kdx_io_driver_read(kdx_session *s, uint64_t addr, kdx_io_driver *d, kdx_err *err);
/* The driver's devices (DeviceObject, then NextDevice), loop-guarded. */
kdx_status kdx_io_driver_devices(kdx_session *s, const kdx_io_driver *d, uint64_t *out, size_t cap, size_t *n,
                                 kdx_err *err);

/* The object named path ("\Device\X", "\Driver\X"), or a number; names
 * without a backslash are looked up under default_dir ("\Driver"). */
kdx_status kdx_io_resolve(kdx_session *s, const char *text, const char *default_dir, uint64_t *addr, kdx_err *err);

typedef struct kdx_io_devnode {
    uint64_t addr, sibling, child, parent, pdo, pending_irp;
    uint64_t state, previous_state, flags, problem, level;
    char instance[256], service[128];
    char missing[256];         /* fields the dump lacks, ", "-joined ("" when none) */
    kdx_err why;               /* why the first of them is missing */
} kdx_io_devnode;
/* True when field ("State") is listed in n->missing. */
bool kdx_io_devnode_lacks(const kdx_io_devnode *n, const char *field);
kdx_status kdx_io_devnode_read(kdx_session *s, uint64_t addr, kdx_io_devnode *n, kdx_err *err);
/* Depth-first walk from root (0: *nt!IopRootDeviceNode); cb gets each node
 * and its depth; nonzero stops. Loops and unreadable nodes end the walk
 * with an error naming the node. */
/* *nt!IopRootDeviceNode. */
kdx_status kdx_io_root_devnode(kdx_session *s, uint64_t *root, kdx_err *err);
typedef int (*kdx_io_devnode_cb)(void *ud, const kdx_io_devnode *n, unsigned depth);
kdx_status kdx_io_devnode_walk(kdx_session *s, uint64_t root, kdx_io_devnode_cb cb, void *ud, kdx_err *err);

/* ---- finding IRPs (!irpfind) ---- */
typedef int (*kdx_io_irp_visit)(void *ud, uint64_t irp);
/* The pool walk: by default the kernel segment heap's small allocations
 * tagged "Irp " (nt/segheap.h); a walker registered here (another pool
 * layout) replaces it and calls visit for each allocation holding an IRP. */
typedef kdx_status (*kdx_io_pool_irp_walker)(kdx_session *s, kdx_io_irp_visit visit, void *ud, kdx_err *err);
void kdx_io_set_pool_irp_walker(kdx_io_pool_irp_walker walker);

typedef struct kdx_io_irp_sources {
    bool pool_scanned;               /* a registered walker, else the segment heap (nt/segheap.h), was walked */
    size_t pool_heaps, pool_subsegments, pool_irps; /* the segment heap walk: what it covered, IRPs it found */
    size_t threads, drivers, devices, devnodes, power, irps;
    size_t nnotes, dropped;          /* dropped: notes beyond the six kept */
    char notes[6][KDX_ERR_MSG_MAX];  /* why a source ended early or was skipped */
} kdx_io_irp_sources;
/* Calls visit once for every distinct IRP found in the pool (when a walker
 * is registered), on the threads' IrpLists, as CurrentIrp of the devices of
 * the drivers in \Driver and \FileSystem, and as PendingIrp of the device
 * nodes. A source that ends early adds a note and the search goes on. */
void kdx_io_find_irps(kdx_session *s, kdx_io_irp_visit visit, void *ud, kdx_io_irp_sources *src);

#endif
