/* The scenario's I/O manager: driver objects (named in \Driver or
 * \FileSystem, bounds of their synthetic image, MajorFunction table of
 * routines in that image), device objects with DeviceObjectExtensions and
 * attachment chains, the PnP device tree from nt!IopRootDeviceNode, and
 * IRPs with their stack locations queued on a thread's IrpList. Every
 * offset and size comes from the layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

/* The Type values wdm.h gives I/O structures (IO_TYPE_DEVICE & co.); the
 * reader checks them against its table generated from that header, so a
 * wrong value here fails the tests. */
enum { TYPE_DEVICE = 3, TYPE_DRIVER = 4, TYPE_IRP = 6, TYPE_DEVOBJ_EXTENSION = 13 };

static const char *const io_dir_names[3] = {"Driver", "Device", "FileSystem"};

static uint64_t io_directory(kdx_scn *s, const char *name)
{
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(io_dir_names[i], name)) {
            if (!s->io_dirs[i])
                s->io_dirs[i] = kdx_scn_directory(s, 0, io_dir_names[i]);
            return s->io_dirs[i];
        }
    scn_fail(s, KDX_E_ARG, "I/O objects go in \\Driver, \\Device or \\FileSystem, not \\%s", name);
    return 0;
}

/* "\Dir\Leaf": the directory and the leaf (into leaf). */
static uint64_t split_path(kdx_scn *s, const char *path, char *leaf, size_t cap)
{
    const char *sep = path[0] == '\\' ? strchr(path + 1, '\\') : NULL;
    if (!sep || !sep[1]) {
        scn_fail(s, KDX_E_ARG, "object path %s: expected \\Directory\\Name", path);
        return 0;
    }
    char dir[32];
    snprintf(dir, sizeof dir, "%.*s", (int)(sep - path - 1), path + 1);
    snprintf(leaf, cap, "%s", sep + 1);
    return io_directory(s, dir);
}

static scn_module *module_by_file(kdx_scn *s, const char *file)
{
    for (size_t i = 0; i < s->mods.len; i++)
        if (!kdx_strcasecmp(s->mods.items[i].file, file))
            return &s->mods.items[i];
    scn_fail(s, KDX_E_ARG, "driver module %s: declare it with kdx_scn_module first", file);
    return NULL;
}

static uint64_t routine(kdx_scn *s, const char *name)
{
    uint64_t a = name ? kdx_scn_code(s, name, 0) : 0;
    if (name && !a)
        scn_fail(s, KDX_E_ARG, "routine %s: declare it with kdx_scn_function first", name);
    return a;
}

static void set_dispatch_table(kdx_scn *s, kdx_scn_obj *o, const kdx_scn_dispatch *dispatch, size_t n)
{
    uint64_t count = kdx_scn_sizeof(s, "_DRIVER_OBJECT") - kdx_scn_offset(s, "_DRIVER_OBJECT", "MajorFunction");
    count /= 8;
    /* kdx_scn_code declares the nt function from the layout's symbols on first use. */
    uint64_t invalid = kdx_scn_code(s, "nt!IopInvalidDeviceRequest", 0);
    for (uint64_t i = 0; i < count; i++) {
        char path[40];
        snprintf(path, sizeof path, "MajorFunction[%u]", (unsigned)i);
        uint64_t target = invalid;
        for (size_t j = 0; j < n; j++)
            if (dispatch[j].major == i)
                target = routine(s, dispatch[j].routine);
        kdx_scn_set(o, path, target);
    }
}

uint64_t kdx_scn_driver(kdx_scn *s, const char *path, const char *module_file, const kdx_scn_dispatch *dispatch,
                        size_t ndispatch, const char *add_device)
{
    char leaf[128];
    uint64_t dir = split_path(s, path, leaf, sizeof leaf);
    scn_module *m = module_by_file(s, module_file);
    if (!dir || !m)
        return 0;
    uint64_t base = m->base, size = m->size;
    char *entry_name = kdx_asprintf("%s!DriverEntry", m->name);
    uint64_t entry = routine(s, entry_name);
    free(entry_name);
    uint64_t drv = kdx_scn_object(s, "Driver", "_DRIVER_OBJECT", leaf, dir);
    uint64_t ext = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_DRIVER_EXTENSION"), 16);
    kdx_scn_obj e;
    kdx_scn_obj_begin(s, "_DRIVER_EXTENSION", ext, &e);
    kdx_scn_set(&e, "DriverObject", drv);
    kdx_scn_set(&e, "AddDevice", routine(s, add_device));
    kdx_scn_obj_end(&e);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_DRIVER_OBJECT", drv, &o);
    kdx_scn_set(&o, "Type", TYPE_DRIVER);
    kdx_scn_set(&o, "Size", kdx_scn_sizeof(s, "_DRIVER_OBJECT"));
    kdx_scn_set(&o, "DriverStart", base);
    kdx_scn_set(&o, "DriverSize", size);
    kdx_scn_set(&o, "DriverExtension", ext);
    kdx_scn_set(&o, "DriverInit", entry);
    kdx_scn_obj_end(&o);
    kdx_scn_unicode(s, drv + kdx_scn_offset(s, "_DRIVER_OBJECT", "DriverName"), path);
    kdx_scn_obj_begin(s, "_DRIVER_OBJECT", drv, &o);
    set_dispatch_table(s, &o, dispatch, ndispatch);
    kdx_scn_obj_end(&o);
    return drv;
}

/* The top of the stack lower belongs to (AttachedDevice up to the end). */
static uint64_t stack_top(kdx_scn *s, uint64_t dev)
{
    uint64_t off = kdx_scn_offset(s, "_DEVICE_OBJECT", "AttachedDevice");
    for (unsigned i = 0; i < 64; i++) {
        uint8_t b[8];
        kdx_kdw_read_virt(s->w, dev + off, b, 8);
        if (!kdx_le64(b))
            return dev;
        dev = kdx_le64(b);
    }
    scn_fail(s, KDX_E_LIMIT, "device stack deeper than 64");
    return dev;
}

uint64_t kdx_scn_device(kdx_scn *s, uint64_t driver, const char *name, uint32_t device_type, uint32_t characteristics,
                        uint32_t ext_size, uint64_t lower)
{
    uint64_t dev = kdx_scn_object(s, "Device", "_DEVICE_OBJECT", name, name ? io_directory(s, "Device") : 0);
    uint64_t devext = ext_size ? kdx_scn_alloc(s, ext_size, 16) : 0;
    uint64_t doe = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_DEVOBJ_EXTENSION"), 16);
    uint64_t below = lower ? stack_top(s, lower) : 0;
    uint8_t b[8] = {0};
    kdx_kdw_read_virt(s->w, driver + kdx_scn_offset(s, "_DRIVER_OBJECT", "DeviceObject"), b, 8);
    uint64_t stack_size = 1;
    if (below) {
        uint8_t ss[1];
        kdx_kdw_read_virt(s->w, below + kdx_scn_offset(s, "_DEVICE_OBJECT", "StackSize"), ss, 1);
        stack_size = ss[0] + 1u;
    }
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_DEVICE_OBJECT", dev, &o);
    kdx_scn_set(&o, "Type", TYPE_DEVICE);
    kdx_scn_set(&o, "Size", kdx_scn_sizeof(s, "_DEVICE_OBJECT") + ext_size);
    kdx_scn_set(&o, "DriverObject", driver);
    kdx_scn_set(&o, "NextDevice", kdx_le64(b));
    kdx_scn_set(&o, "DeviceExtension", devext);
    kdx_scn_set(&o, "DeviceType", device_type);
    kdx_scn_set(&o, "Characteristics", characteristics);
    kdx_scn_set(&o, "StackSize", stack_size);
    kdx_scn_set(&o, "DeviceObjectExtension", doe);
    kdx_scn_obj_end(&o);
    kdx_scn_obj e;
    kdx_scn_obj_begin(s, "_DEVOBJ_EXTENSION", doe, &e);
    kdx_scn_set(&e, "Type", TYPE_DEVOBJ_EXTENSION);
    kdx_scn_set(&e, "Size", kdx_scn_sizeof(s, "_DEVOBJ_EXTENSION"));
    kdx_scn_set(&e, "DeviceObject", dev);
    kdx_scn_set(&e, "AttachedTo", below);
    kdx_scn_obj_end(&e);
    /* The driver's device list is pushed at its head, as IoCreateDevice does. */
    kdx_scn_poke(s, "_DRIVER_OBJECT", driver, "DeviceObject", dev);
    if (below)
        kdx_scn_poke(s, "_DEVICE_OBJECT", below, "AttachedDevice", dev);
    return dev;
}

static void devnode_link(kdx_scn *s, uint64_t parent, uint64_t node)
{
    uint8_t b[8];
    kdx_kdw_read_virt(s->w, parent + kdx_scn_offset(s, "_DEVICE_NODE", "LastChild"), b, 8);
    uint64_t last = kdx_le64(b);
    if (last)
        kdx_scn_poke(s, "_DEVICE_NODE", last, "Sibling", node);
    else
        kdx_scn_poke(s, "_DEVICE_NODE", parent, "Child", node);
    kdx_scn_poke(s, "_DEVICE_NODE", parent, "LastChild", node);
    kdx_scn_poke(s, "_DEVICE_NODE", node, "Parent", parent);
}

static uint64_t new_devnode(kdx_scn *s, uint64_t pdo, const char *instance, const char *service, const char *state,
                            unsigned level)
{
    uint64_t node = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_DEVICE_NODE"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_DEVICE_NODE", node, &o);
    kdx_scn_set(&o, "PhysicalDeviceObject", pdo);
    kdx_scn_set(&o, "Level", level);
    kdx_scn_set(&o, "State", (uint64_t)kdx_scn_enum(s, "_PNP_DEVNODE_STATE", state));
    kdx_scn_set(&o, "PreviousState", (uint64_t)kdx_scn_enum(s, "_PNP_DEVNODE_STATE", "DeviceNodeStartPostWork"));
    kdx_scn_obj_end(&o);
    kdx_scn_unicode(s, node + kdx_scn_offset(s, "_DEVICE_NODE", "InstancePath"), instance);
    if (service)
        kdx_scn_unicode(s, node + kdx_scn_offset(s, "_DEVICE_NODE", "ServiceName"), service);
    if (pdo) {
        uint8_t b[8];
        kdx_kdw_read_virt(s->w, pdo + kdx_scn_offset(s, "_DEVICE_OBJECT", "DeviceObjectExtension"), b, 8);
        if (kdx_le64(b))
            kdx_scn_poke(s, "_DEVOBJ_EXTENSION", kdx_le64(b), "DeviceNode", node);
    }
    return node;
}

static uint64_t root_devnode(kdx_scn *s)
{
    if (s->io_root_devnode)
        return s->io_root_devnode;
    uint64_t root = new_devnode(s, 0, "HTREE\\ROOT\\0", NULL, "DeviceNodeStarted", 0);
    scn_write_ptr(s, kdx_scn_symbol(s, "IopRootDeviceNode"), root);
    s->io_root_devnode = root;
    return root;
}

uint64_t kdx_scn_devnode(kdx_scn *s, uint64_t parent, uint64_t pdo, const char *instance, const char *service,
                         const char *state)
{
    uint64_t p = parent ? parent : root_devnode(s);
    uint8_t b[4];
    kdx_kdw_read_virt(s->w, p + kdx_scn_offset(s, "_DEVICE_NODE", "Level"), b, 4);
    uint64_t node = new_devnode(s, pdo, instance, service, state, kdx_le32(b) + 1);
    devnode_link(s, p, node);
    return node;
}

static void set_location(kdx_scn *s, uint64_t va, const kdx_scn_irp_location *l)
{
    static const char *const args[4] = {"Parameters.Others.Argument1", "Parameters.Others.Argument2",
                                        "Parameters.Others.Argument3", "Parameters.Others.Argument4"};
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_IO_STACK_LOCATION", va, &o);
    kdx_scn_set(&o, "MajorFunction", l->major);
    kdx_scn_set(&o, "MinorFunction", l->minor);
    kdx_scn_set(&o, "Flags", l->flags);
    kdx_scn_set(&o, "Control", l->control);
    kdx_scn_set(&o, "DeviceObject", l->device);
    kdx_scn_set(&o, "FileObject", l->file);
    kdx_scn_set(&o, "CompletionRoutine", routine(s, l->completion));
    kdx_scn_set(&o, "Context", l->context);
    for (int i = 0; i < 4; i++)
        kdx_scn_set(&o, args[i], l->args[i]);
    kdx_scn_obj_end(&o);
}

uint64_t kdx_scn_irp(kdx_scn *s, uint64_t thread, const kdx_scn_irp_location *locs, unsigned nstack,
                     unsigned current, uint32_t flags)
{
    uint64_t head = kdx_scn_sizeof(s, "_IRP"), sl = kdx_scn_sizeof(s, "_IO_STACK_LOCATION");
    uint64_t size = head + nstack * sl;
    uint64_t irp = kdx_scn_small_alloc(s, 0x20707249u /* "Irp " */, size);
    for (unsigned i = 0; i < nstack; i++)
        set_location(s, irp + head + i * sl, &locs[i]);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_IRP", irp, &o);
    kdx_scn_set(&o, "Type", TYPE_IRP);
    kdx_scn_set(&o, "Size", size);
    kdx_scn_set(&o, "Flags", flags);
    kdx_scn_set(&o, "StackCount", nstack);
    kdx_scn_set(&o, "CurrentLocation", current);
    kdx_scn_set(&o, "PendingReturned", 1);
    kdx_scn_set(&o, "IoStatus.Status", 0x103); /* STATUS_PENDING: still in flight */
    kdx_scn_set(&o, "Tail.Overlay.Thread", thread);
    kdx_scn_set(&o, "Tail.Overlay.CurrentStackLocation", irp + head + (current ? current - 1 : 0) * sl);
    kdx_scn_set_empty_list(&o, "ThreadListEntry");
    kdx_scn_obj_end(&o);
    if (thread)
        kdx_scn_list_append(s, thread + kdx_scn_offset(s, "_ETHREAD", "IrpList"),
                            irp + kdx_scn_offset(s, "_IRP", "ThreadListEntry"));
    return irp;
}

void kdx_scn_power_irp(kdx_scn *s, uint64_t irp, uint64_t pdo, uint64_t current_device)
{
    uint64_t head = kdx_scn_symbol(s, "PopIrpList");
    uint8_t b[8];
    kdx_kdw_read_virt(s->w, head, b, 8);
    if (!kdx_le64(b)) {
        scn_write_ptr(s, head, head);
        scn_write_ptr(s, head + 8, head);
    }
    uint64_t data = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_POP_IRP_DATA"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_POP_IRP_DATA", data, &o);
    kdx_scn_set(&o, "Irp", irp);
    kdx_scn_set(&o, "Pdo", pdo);
    kdx_scn_set(&o, "CurrentDevice", current_device);
    kdx_scn_set(&o, "TargetDevice", current_device);
    kdx_scn_set(&o, "WatchdogEnabled", 1);
    kdx_scn_obj_end(&o);
    kdx_scn_list_append(s, head, data + kdx_scn_offset(s, "_POP_IRP_DATA", "Link"));
}
