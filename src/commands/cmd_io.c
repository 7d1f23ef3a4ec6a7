/* The I/O manager's commands: !irp, !irpfind, !devobj, !devstack, !drvobj,
 * !devnode, !podev. Layouts and their sources: docs/io.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/io.h"
#include "nt/io_names.h"
#include "nt/list.h"
#include "nt/process.h"
#include "sym/symbols.h"

/* ---- shared helpers ---- */

/* A pointer the way the kdexts extensions print %p: no backtick. */
static const char *ptr(kdx_session *s, char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%0*" PRIx64, kdx_session_ptr_size(s) * 2, v);
    return buf;
}

/* printf's %#010x as the extensions show it: 0 has no 0x prefix. */
static const char *hex10(char buf[24], uint64_t v)
{
    if (v)
        snprintf(buf, 24, "0x%08" PRIx64, v);
    else
        snprintf(buf, 24, "0000000000");
    return buf;
}

/* A pointer as !devnode prints it: 0x and all digits, or 0000000000 for NULL (docs/io.md). */
static const char *hexp(kdx_session *s, char buf[24], uint64_t v)
{
    if (v)
        snprintf(buf, 24, "0x%0*" PRIx64, kdx_session_ptr_size(s) * 2, v);
    else
        snprintf(buf, 24, "0000000000");
    return buf;
}

static bool kernel_target(kdx_session *s, const char *cmd)
{
    if (!kdx_cmd_need_target(s))
        return false;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP) {
        kdx_print(s, "%s works on kernel targets only.\n", cmd);
        return false;
    }
    return true;
}

static void driver_name(kdx_session *s, uint64_t driver, char *buf, size_t cap)
{
    uint64_t off;
    buf[0] = '\0';
    if (driver && kdx_nt_offset(s, "nt!_DRIVER_OBJECT", "DriverName", &off, NULL) == KDX_OK &&
        kdx_nt_unicode_string(s, driver + off, buf, cap, NULL) != KDX_OK)
        snprintf(buf, cap, "(DriverName of %" PRIx64 " not in the dump)", driver);
}

static void device_driver_name(kdx_session *s, uint64_t dev, char *buf, size_t cap)
{
    uint64_t drv = 0;
    buf[0] = '\0';
    if (kdx_nt_read(s, "nt!_DEVICE_OBJECT", dev, "DriverObject", &drv, NULL) == KDX_OK)
        driver_name(s, drv, buf, cap);
}

/* The leaf of a device's object name ("kdxbus0"), "" when unnamed. */
static void device_leaf(kdx_session *s, uint64_t dev, char *buf, size_t cap)
{
    char path[512];
    kdx_io_object_name(s, dev, path, sizeof path);
    const char *leaf = strrchr(path, '\\');
    leaf = leaf ? leaf + 1 : path;
    size_t len = strlen(leaf) < cap ? strlen(leaf) : cap - 1;
    memcpy(buf, leaf, len);
    buf[len] = '\0';
}

static void symbol_of(kdx_session *s, uint64_t addr, char *buf, size_t cap)
{
    if (addr)
        kdx_sym_format(s, addr, buf, cap);
    else
        buf[0] = '\0';
}

/* "ADDR|\Dir\Name [rest]": the address and where the rest starts. */
static kdx_status parse_object_arg(kdx_session *s, const char *args, const char *default_dir, uint64_t *addr,
                                   const char **rest, kdx_err *err)
{
    const char *p = kdx_skip_ws(args);
    size_t n = strcspn(p, " \t");
    char *word = kdx_strndup(p, n);
    kdx_status st = kdx_io_resolve(s, word, default_dir, addr, err);
    free(word);
    *rest = kdx_skip_ws(p + n);
    return st;
}

static kdx_status parse_number(kdx_session *s, const char **p, uint64_t *v, uint64_t dflt, kdx_err *err)
{
    *p = kdx_skip_ws(*p);
    if (!**p) {
        *v = dflt;
        return KDX_OK;
    }
    size_t n = strcspn(*p, " \t");
    char *word = kdx_strndup(*p, n);
    kdx_status st = kdx_expr_eval_all(s, word, v, err);
    free(word);
    *p = kdx_skip_ws(*p + n);
    return st;
}

/* ---- !devobj ---- */

static void print_neighbour(kdx_session *s, const char *label, uint64_t dev)
{
    char a[24], leaf[256], drv[256];
    if (!dev)
        return;
    device_leaf(s, dev, leaf, sizeof leaf);
    device_driver_name(s, dev, drv, sizeof drv);
    kdx_print(s, "%s %s %s%s%s\n", label, ptr(s, a, dev), leaf, *leaf ? " " : "", drv);
}

static bool device_queue_busy(kdx_session *s, uint64_t dev, bool *busy)
{
    uint64_t v;
    if (kdx_nt_read(s, "nt!_DEVICE_OBJECT", dev, "DeviceQueue.Busy", &v, NULL) != KDX_OK)
        return false;
    *busy = v != 0;
    return true;
}

/* A device field as hex of width digits, "?" when the dump lacks it. */
static const char *dev_hex(const kdx_io_device *d, unsigned bit, uint64_t v, int width, char buf[24])
{
    if (d->missing & bit)
        return "?";
    snprintf(buf, 24, "%0*" PRIx64, width, v);
    return buf;
}

static int show_devobj(kdx_session *s, uint64_t addr)
{
    kdx_io_device d;
    kdx_err err = {0};
    char a[24], b[24], c[24], e[24], leaf[256], drv[256], names[512];
    int w = kdx_session_ptr_size(s) * 2;
    if (kdx_io_device_read(s, addr, &d, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    device_leaf(s, addr, leaf, sizeof leaf);
    driver_name(s, d.driver, drv, sizeof drv);
    kdx_print(s, "Device object (%s) is for:\n", ptr(s, a, addr));
    /* " NAME DRIVER": an unnamed device leaves two blanks, as in the reference article. */
    kdx_print(s, " %s %s DriverObject %s\n", leaf, drv, dev_hex(&d, KDX_IO_DEV_DRIVER, d.driver, w, b));
    kdx_print(s, "Current Irp %s RefCount %s Type %s Flags %s\n", dev_hex(&d, KDX_IO_DEV_IRP, d.current_irp, 8, a),
              d.missing & KDX_IO_DEV_REFCOUNT ? "?" : (snprintf(b, sizeof b, "%d", (int32_t)d.ref_count), b),
              dev_hex(&d, KDX_IO_DEV_TYPE, d.device_type, 8, c), dev_hex(&d, KDX_IO_DEV_FLAGS, d.flags, 8, e));
    if (d.vpb)
        kdx_print(s, "Vpb %s\n", ptr(s, a, d.vpb));
    kdx_print(s, "DevExt %s DevObjExt %s", dev_hex(&d, KDX_IO_DEV_EXTENSION, d.extension, w, a),
              dev_hex(&d, KDX_IO_DEV_DOE, d.devobj_ext, w, b));
    if (d.has_ext && d.device_node)
        kdx_print(s, " DevNode %s", ptr(s, a, d.device_node));
    kdx_print(s, " \n");
    if (d.has_ext)
        kdx_print(s, "ExtensionFlags (%s)  \n", hex10(a, d.ext_flags));
    else if (!(d.missing & KDX_IO_DEV_DOE))
        kdx_print(s, "ExtensionFlags: the DeviceObjectExtension at %s is not in the dump\n", ptr(s, a, d.devobj_ext));
    if (!(d.missing & KDX_IO_DEV_CHARACTERISTICS)) {
        kdx_io_flag_names(kdx_io_characteristics, d.characteristics, ", ", names, sizeof names);
        kdx_print(s, "Characteristics (%s)  %s\n", hex10(a, d.characteristics), names);
    }
    print_neighbour(s, "AttachedDevice (Upper)", d.attached);
    if (d.has_ext)
        print_neighbour(s, "AttachedTo (Lower)", d.attached_to);
    bool busy;
    if (device_queue_busy(s, addr, &busy))
        kdx_print(s, "Device queue is %sbusy.\n", busy ? "" : "not ");
    if (d.missing)
        kdx_print(s, "Not in the dump: %s (%s)\n", d.missing_names, d.why.msg);
    return 0;
}

static int cmd_devobj(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    if (!*kdx_skip_ws(args)) {
        kdx_print(s, "Usage: !devobj ADDR | \\Device\\Name\n");
        return 1;
    }
    uint64_t addr;
    const char *rest;
    kdx_err err = {0};
    if (parse_object_arg(s, args, "\\Device", &addr, &rest, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return show_devobj(s, addr);
}

/* ---- !devstack ---- */

static void print_devnode_of(kdx_session *s, uint64_t bottom)
{
    kdx_io_device d;
    kdx_io_devnode n;
    char a[24];
    if (kdx_io_device_read(s, bottom, &d, NULL) != KDX_OK || !d.has_ext || !d.device_node)
        return;
    kdx_err err = {0};
    if (kdx_io_devnode_read(s, d.device_node, &n, &err) != KDX_OK) {
        kdx_print(s, "!DevNode %s : (%s)\n", ptr(s, a, d.device_node), err.msg);
        return;
    }
    kdx_print(s, "!DevNode %s :\n", ptr(s, a, d.device_node));
    kdx_print(s, "  DeviceInst is \"%s\"\n", n.instance);
    if (n.service[0])
        kdx_print(s, "  ServiceName is \"%s\"\n", n.service);
}

static int cmd_devstack(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    if (!*kdx_skip_ws(args)) {
        kdx_print(s, "Usage: !devstack ADDR | \\Device\\Name\n");
        return 1;
    }
    uint64_t addr, stack[KDX_IO_MAX_DEVICES];
    size_t n = 0, given = 0;
    const char *rest;
    kdx_err err = {0}, walk = {0};
    if (parse_object_arg(s, args, "\\Device", &addr, &rest, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_io_device d;
    if (kdx_io_device_read(s, addr, &d, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_status st = kdx_io_device_stack(s, addr, stack, KDX_IO_MAX_DEVICES, &n, &given, &walk);
    int w = kdx_session_ptr_size(s) * 2;
    /* The header is fixed text in WinDbg, whatever the pointer width (docs/io.md). */
    kdx_print(s, "  !DevObj   !DrvObj            !DevExt   ObjectName\n");
    for (size_t i = 0; i < n; i++) {
        char a[24], b[24], drv[256] = "?", leaf[256];
        kdx_io_device dd;
        bool read = kdx_io_device_read(s, stack[i], &dd, NULL) == KDX_OK;
        if (read && !(dd.missing & KDX_IO_DEV_DRIVER))
            driver_name(s, dd.driver, drv, sizeof drv);
        device_leaf(s, stack[i], leaf, sizeof leaf);
        kdx_print(s, "%c %s  %-18s %s  %s\n", i == given ? '>' : ' ', ptr(s, a, stack[i]), drv,
                  read ? dev_hex(&dd, KDX_IO_DEV_EXTENSION, dd.extension, w, b) : "?", leaf);
    }
    if (st != KDX_OK) {
        kdx_print(s, "(the stack walk stopped: %s)\n", walk.msg);
        return 1;
    }
    print_devnode_of(s, stack[n - 1]);
    return 0;
}

/* ---- !drvobj ---- */

enum { DRV_DEVICES = 0x1, DRV_DISPATCH = 0x2, DRV_DEVICE_DETAIL = 0x4 };

static void print_entry_point(kdx_session *s, const char *label, uint64_t addr)
{
    char a[24], sym[256];
    symbol_of(s, addr, sym, sizeof sym);
    kdx_print(s, "%-15s%s\t%s\n", label, ptr(s, a, addr), sym);
}

static void print_dispatch(kdx_session *s, const kdx_io_driver *d)
{
    print_entry_point(s, "DriverEntry:", d->init);
    print_entry_point(s, "DriverStartIo:", d->start_io);
    print_entry_point(s, "DriverUnload:", d->unload);
    if (d->add_device_missing)
        kdx_print(s, "%-15s? (DriverExtension %" PRIx64 " not in the dump)\n", "AddDevice:", d->extension);
    else
        print_entry_point(s, "AddDevice:", d->add_device);
    kdx_print(s, "\nDispatch routines:\n");
    for (size_t i = 0; i < d->nmajor; i++) {
        char a[24], sym[256], unknown[40];
        const char *name = kdx_io_major_name((unsigned)i);
        if (!name) {
            snprintf(unknown, sizeof unknown, "IRP_MJ_0x%02zx", i);
            name = unknown;
        }
        if (d->major_missing & (1ull << i)) {
            kdx_print(s, "[%02zx] %-35s?\n", i, name);
            continue;
        }
        symbol_of(s, d->major[i], sym, sizeof sym);
        kdx_print(s, "[%02zx] %-35s%s\t%s\n", i, name, ptr(s, a, d->major[i]), sym);
    }
    if (d->major_missing)
        kdx_print(s, "(? : not in the dump: %s)\n", d->major_why.msg);
    if (d->fast_io)
        kdx_print(s, "\nFast I/O routines: the FAST_IO_DISPATCH at %" PRIx64 " is not decoded by kdx\n", d->fast_io);
}

/* DriverExtension->ClientDriverExtension: IoAllocateDriverObjectExtension's
 * list, each entry's client data right after its _IO_CLIENT_EXTENSION. */
static void print_client_extensions(kdx_session *s, const kdx_io_driver *d)
{
    char a[24], b[24];
    uint64_t next = 0, size = 0;
    kdx_err err = {0};
    kdx_nt_addrset seen = {0};
    kdx_print(s, "Driver Extension List: (id , addr)\n");
    if (d->extension &&
        (kdx_nt_read(s, "nt!_DRIVER_EXTENSION", d->extension, "ClientDriverExtension", &next, &err) != KDX_OK ||
         kdx_nt_sizeof(s, "nt!_IO_CLIENT_EXTENSION", &size, &err) != KDX_OK))
        kdx_print(s, "(not read: %s)\n", err.msg);
    for (unsigned i = 0; next && i < 64; i++) {
        uint64_t id, after;
        size_t prev;
        if (!kdx_nt_addrset_add(&seen, next, i, &prev)) {
            kdx_print(s, "(the list loops at %s)\n", ptr(s, a, next));
            break;
        }
        if (kdx_nt_read(s, "nt!_IO_CLIENT_EXTENSION", next, "ClientIdentificationAddress", &id, &err) != KDX_OK ||
            kdx_nt_read(s, "nt!_IO_CLIENT_EXTENSION", next, "NextExtension", &after, &err) != KDX_OK) {
            kdx_print(s, "(not read: %s)\n", err.msg);
            break;
        }
        kdx_print(s, "(%s %s)  ", ptr(s, a, id), ptr(s, b, next + size));
        next = after;
    }
    kdx_nt_addrset_free(&seen);
    kdx_print(s, "\n");
}

static int show_drvobj(kdx_session *s, uint64_t addr, uint64_t flags)
{
    kdx_io_driver d;
    kdx_err err = {0};
    char a[24];
    if (kdx_io_driver_read(s, addr, &d, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (d.name[0])
        kdx_print(s, "Driver object (%s) is for:\n %s\n\n", ptr(s, a, addr), d.name);
    else
        kdx_print(s, "Driver object (%s) is for:\n (DriverName not read: %s)\n\n", ptr(s, a, addr), d.why.msg);
    print_client_extensions(s, &d);
    int rc = 0;
    if (flags & DRV_DEVICES) {
        uint64_t devs[KDX_IO_MAX_DEVICES];
        size_t n = 0;
        kdx_status st = kdx_io_driver_devices(s, &d, devs, KDX_IO_MAX_DEVICES, &n, &err);
        kdx_print(s, "Device Object list:\n");
        for (size_t i = 0; i < n; i++)
            kdx_print(s, "%s  ", ptr(s, a, devs[i]));
        kdx_print(s, "\n");
        if (st != KDX_OK) {
            kdx_print(s, "(the device list stopped: %s)\n", err.msg);
            rc = 1;
        }
        for (size_t i = 0; (flags & DRV_DEVICE_DETAIL) && i < n; i++) {
            kdx_print(s, "\n");
            show_devobj(s, devs[i]);
        }
    }
    if (flags & DRV_DISPATCH) {
        kdx_print(s, "\n");
        print_dispatch(s, &d);
    }
    return rc;
}

static int cmd_drvobj(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    if (!*kdx_skip_ws(args)) {
        kdx_print(s, "Usage: !drvobj ADDR | \\Driver\\Name | Name [Flags 1|2|4]\n");
        return 1;
    }
    uint64_t addr, flags;
    const char *rest;
    kdx_err err = {0};
    if (parse_object_arg(s, args, "\\Driver", &addr, &rest, &err) != KDX_OK ||
        parse_number(s, &rest, &flags, DRV_DEVICES, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return show_drvobj(s, addr, flags);
}

/* ---- !irp ---- */

static void completion_conditions(uint8_t control, char *buf, size_t cap)
{
    uint32_t v;
    snprintf(buf, cap, "%s%s%s%s",
             kdx_io_value_of(kdx_io_sl_control, "SL_INVOKE_ON_SUCCESS", &v) && (control & v) ? "Success " : "",
             kdx_io_value_of(kdx_io_sl_control, "SL_INVOKE_ON_ERROR", &v) && (control & v) ? "Error " : "",
             kdx_io_value_of(kdx_io_sl_control, "SL_INVOKE_ON_CANCEL", &v) && (control & v) ? "Cancel " : "",
             kdx_io_value_of(kdx_io_sl_control, "SL_PENDING_RETURNED", &v) && (control & v) ? "pending" : "");
}

static void function_label(unsigned major, unsigned minor, char *buf, size_t cap)
{
    const char *mj = kdx_io_major_name(major), *mn = kdx_io_minor_name(major, minor);
    bool empty = !major && !minor;
    snprintf(buf, cap, "[%s(%x), %s(%x)]", empty ? "N/A" : mj ? mj : "?", major, mn ? mn : "N/A", minor);
}

static void print_location(kdx_session *s, const kdx_io_irp *irp, size_t i)
{
    const kdx_io_stack *l = &irp->stack[i];
    char a[24], b[24], c[24], d[24], label[128], cond[64];
    char marker = (int)i == kdx_io_irp_current(irp) ? '>' : ' ';
    if (!l->read) {
        kdx_print(s, "%c[location %zu at %s: not in the dump]\n", marker, i, ptr(s, a, l->addr));
        return;
    }
    function_label(l->major, l->minor, label, sizeof label);
    completion_conditions(l->control, cond, sizeof cond);
    kdx_print(s, "%c%s\n", marker, label);
    kdx_print(s, "            %x %2x %s %s %s-%s    %s\n", l->flags, l->control, ptr(s, a, l->device),
              ptr(s, b, l->file), ptr(s, c, l->completion), ptr(s, d, l->context), cond);
    char drv[256] = "", sym[256];
    if (l->device)
        device_driver_name(s, l->device, drv, sizeof drv);
    symbol_of(s, l->completion, sym, sizeof sym);
    kdx_print(s, "\t       %s\t%s\n", drv, sym);
    kdx_print(s, "\t\t\tArgs: %s %s %s %s\n", ptr(s, a, l->args[0]), ptr(s, b, l->args[1]), ptr(s, c, l->args[2]),
              ptr(s, d, l->args[3]));
}

static void print_irp_detail(kdx_session *s, const kdx_io_irp *irp)
{
    char a[24], names[512];
    kdx_io_flag_names(kdx_io_irp_flags, irp->flags, " ", names, sizeof names);
    kdx_print(s, "Flags = %08" PRIx64 "  %s\n", irp->flags, names);
    kdx_print(s, "IoStatus.Status = %08x\n", (uint32_t)irp->status);
    kdx_print(s, "IoStatus.Information = %s\n", ptr(s, a, irp->information));
    kdx_print(s, "RequestorMode = %08x\n", irp->requestor_mode);
    kdx_print(s, "Cancel = %02x\n", irp->cancel);
    kdx_print(s, "CancelIrql = %x\n", irp->cancel_irql);
    kdx_print(s, "UserIosb = %s\n", ptr(s, a, irp->user_iosb));
    kdx_print(s, "UserEvent = %s\n", ptr(s, a, irp->user_event));
    kdx_print(s, "CancelRoutine = %s\n", ptr(s, a, irp->cancel_routine));
    kdx_print(s, "UserBuffer = %s\n", ptr(s, a, irp->user_buffer));
    kdx_print(s, "Tail.Overlay.Thread = %s\n", ptr(s, a, irp->thread));
    kdx_print(s, "Tail.Overlay.CurrentStackLocation = %s\n", ptr(s, a, irp->current_sl));
}

/* The IRP's owner: its thread and that thread's process (kdx adds this line; docs/io.md). */
static void print_owner(kdx_session *s, uint64_t thread)
{
    char a[24], b[24], image[16] = "?";
    uint64_t process = 0;
    kdx_err err = {0};
    if (!thread)
        return;
    if (kdx_nt_read(s, "nt!_KTHREAD", thread, "Process", &process, &err) != KDX_OK) {
        kdx_print(s, "Owning thread %s (its process not read: %s)\n", ptr(s, a, thread), err.msg);
        return;
    }
    kdx_nt_process_image(s, process, image, NULL);
    kdx_print(s, "Owning thread %s  process %s  Image: %s\n", ptr(s, a, thread), ptr(s, b, process), image);
}

static int show_irp(kdx_session *s, uint64_t addr, bool detail)
{
    kdx_io_irp *irp = kdx_xmalloc(sizeof *irp);
    kdx_err err = {0};
    char a[24], b[24];
    if (kdx_io_irp_read(s, addr, irp, &err) != KDX_OK) {
        free(irp);
        return kdx_cmd_fail(s, &err);
    }
    int cur = kdx_io_irp_current(irp);
    kdx_print(s, "Irp is active with %d stacks %d is current (= %#" PRIx64 ")\n", irp->stack_count,
              irp->current_location, irp->current_sl);
    if (irp->mdl)
        kdx_print(s, " Mdl=%s: ", ptr(s, a, irp->mdl));
    else
        kdx_print(s, " No Mdl: ");
    if (irp->system_buffer)
        kdx_print(s, "System buffer=%s: ", ptr(s, a, irp->system_buffer));
    else
        kdx_print(s, "No System Buffer: ");
    kdx_print(s, "Thread %s:  Irp stack trace.  %s\n", ptr(s, b, irp->thread),
              irp->pending_returned ? "Pending has been returned" : "");
    if (detail)
        print_irp_detail(s, irp);
    kdx_print(s, "     cmd  flg cl Device   File     Completion-Context\n");
    for (size_t i = 0; i < irp->nstack; i++)
        print_location(s, irp, i);
    if (cur < 0)
        kdx_print(s, "\n(CurrentLocation %d = StackCount + 1: no driver holds the IRP yet)\n", irp->current_location);
    if (irp->cancel)
        kdx_print(s, "\nIrp has been cancelled (CancelRoutine %s)\n", ptr(s, a, irp->cancel_routine));
    if (irp->stack_gap.code)
        kdx_print(s, "\n(%s)\n", irp->stack_gap.msg);
    kdx_print(s, "\n");
    print_owner(s, irp->thread);
    free(irp);
    return 0;
}

static int cmd_irp(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    const char *p = kdx_skip_ws(args);
    uint64_t addr, detail;
    kdx_err err = {0};
    if (!*p) {
        kdx_print(s, "Usage: !irp ADDR [Detail]\n");
        return 1;
    }
    if (parse_number(s, &p, &addr, 0, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    /* WinDbg: any Detail value, even 0, asks for the detail view. */
    bool detail_given = *p != '\0';
    if (parse_number(s, &p, &detail, 0, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return show_irp(s, addr, detail_given);
}

/* ---- !irpfind ---- */

typedef enum { CRIT_NONE, CRIT_DEVICE, CRIT_THREAD, CRIT_FILE, CRIT_EVENT } irp_criteria;

typedef struct irpfind_ctx {
    kdx_session *s;
    bool verbose;
    irp_criteria crit;
    uint64_t data;
    size_t shown;
} irpfind_ctx;

static bool irp_matches(const irpfind_ctx *c, const kdx_io_irp *irp)
{
    switch (c->crit) {
    case CRIT_THREAD:
        return irp->thread == c->data;
    case CRIT_EVENT:
        return irp->user_event == c->data;
    case CRIT_DEVICE:
    case CRIT_FILE:
        for (size_t i = 0; i < irp->nstack; i++)
            if (irp->stack[i].read && (c->crit == CRIT_DEVICE ? irp->stack[i].device : irp->stack[i].file) == c->data)
                return true;
        return false;
    default:
        return true;
    }
}

static int irpfind_row(void *ud, uint64_t addr)
{
    irpfind_ctx *c = ud;
    kdx_session *s = c->s;
    kdx_io_irp *irp = kdx_xmalloc(sizeof *irp);
    kdx_err err = {0};
    char a[24], b[24], d[24], drv[256] = "";
    if (kdx_io_irp_read(s, addr, irp, &err) != KDX_OK) {
        if (c->crit == CRIT_NONE)
            kdx_print(s, "%s (not shown: %s)\n", ptr(s, a, addr), err.msg);
        free(irp);
        return 0;
    }
    if (irp_matches(c, irp)) {
        int cur = kdx_io_irp_current(irp);
        const kdx_io_stack *l = cur >= 0 ? &irp->stack[cur] : NULL;
        if (l && l->read && l->device)
            device_driver_name(s, l->device, drv, sizeof drv);
        if (!l)
            kdx_print(s, "%s [%s] Irp is complete (CurrentLocation %d > StackCount %d)\n", ptr(s, a, addr),
                      ptr(s, b, irp->thread), irp->current_location, irp->stack_count);
        else
            kdx_print(s, "%s [%s] irpStack: (%2x,%2x) %s [ %s]\n", ptr(s, a, addr), ptr(s, b, irp->thread), l->major,
                      l->minor, ptr(s, d, l->device), drv);
        c->shown++;
        if (c->verbose) {
            show_irp(s, addr, false);
            kdx_print(s, "\n");
        }
    }
    free(irp);
    return 0;
}

static bool parse_criteria(kdx_session *s, const char *p, irpfind_ctx *c, kdx_err *err)
{
    static const struct {
        const char *word;
        irp_criteria crit;
    } words[] = {{"device", CRIT_DEVICE}, {"thread", CRIT_THREAD}, {"fileobject", CRIT_FILE}, {"userevent", CRIT_EVENT}};
    size_t n = strcspn(p, " \t");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && !strncmp(p, words[i].word, n)) {
            c->crit = words[i].crit;
            p = kdx_skip_ws(p + n);
            return *p && kdx_expr_eval_all(s, p, &c->data, err) == KDX_OK;
        }
    kdx_err_set(err, KDX_E_ARG, "!irpfind: criteria '%.*s' is not supported (device, thread, fileobject, userevent)",
                (int)n, p);
    return false;
}

static int cmd_irpfind(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    irpfind_ctx c = {s, false, CRIT_NONE, 0, 0};
    kdx_err err = {0};
    const char *p = kdx_skip_ws(args);
    if (!strncmp(p, "-v", 2) && (p[2] == ' ' || !p[2])) {
        c.verbose = true;
        p = kdx_skip_ws(p + 2);
    }
    /* PoolType and RestartAddress steer WinDbg's range scan of one pool; kdx's pool scan walks every
     * segment heap (nt/segheap.c) and reads each block's tag, so both are read and ignored. */
    uint64_t ignored;
    for (int i = 0; i < 2 && *p && (*p >= '0' && *p <= '9'); i++)
        if (parse_number(s, &p, &ignored, 0, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    if (*p && !parse_criteria(s, p, &c, &err))
        return kdx_cmd_fail(s, &err);
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "\n%-*s [%-*s] irpStack: (Mj,Mn)   %-*s [Driver]         MDL Process\n", w, "  Irp", w, " Thread ", w,
              "DevObj");
    kdx_io_irp_sources src;
    kdx_io_find_irps(s, irpfind_row, &c, &src);
    if (src.pool_scanned)
        kdx_print(s, "\nSearched the pool: %zu small allocations tagged Irp in %zu segment heap%s (%zu subsegments). "
                     "Also searched: ", src.pool_irps, src.pool_heaps, src.pool_heaps == 1 ? "" : "s",
                  src.pool_subsegments);
    else
        kdx_print(s, "\nThe pool was not scanned: no segment heap could be walked (the pool note below says why; kdx "
                     "does not walk the linear pool's pages). Searched instead: ");
    kdx_print(s, "the IRP lists of %zu threads, CurrentIrp of %zu devices of %zu drivers in \\Driver and \\FileSystem, "
                 "PendingIrp of %zu device nodes, %zu power IRPs on nt!PopIrpList.\n",
              src.threads, src.devices, src.drivers, src.devnodes, src.power);
    for (size_t i = 0; i < src.nnotes; i++)
        kdx_print(s, "(%s)\n", src.notes[i]);
    if (src.dropped)
        kdx_print(s, "(and %zu more sources that ended early)\n", src.dropped);
    kdx_print(s, "%zu IRP%s shown of %zu found.\n", c.shown, c.shown == 1 ? "" : "s", src.irps);
    return 0;
}

/* ---- !devnode ---- */

static void print_state(kdx_session *s, const char *label, uint64_t state, unsigned indent)
{
    const char *name = kdx_nt_enum_name(s, "nt!_PNP_DEVNODE_STATE", (int64_t)state);
    kdx_print(s, "%*s%s = %s (%#" PRIx64 ")\n", indent, "", label, name ? name : "?", state);
}

static void print_devnode(kdx_session *s, const kdx_io_devnode *n, unsigned indent, bool single)
{
    char a[24], b[24], c[24];
    kdx_print(s, "%*sDevNode %s for PDO %s\n", indent, "", hexp(s, a, n->addr), hexp(s, b, n->pdo));
    if (single)
        kdx_print(s, "%*s  Parent %s   Sibling %s   Child %s\n", indent, "", hexp(s, a, n->parent), hexp(s, b, n->sibling),
                  hexp(s, c, n->child));
    if (n->instance[0])
        kdx_print(s, "%*s  InstancePath is \"%s\"\n", indent, "", n->instance);
    if (n->service[0])
        kdx_print(s, "%*s  ServiceName is \"%s\"\n", indent, "", n->service);
    if (!kdx_io_devnode_lacks(n, "State"))
        print_state(s, "  State", n->state, indent);
    if (!kdx_io_devnode_lacks(n, "PreviousState"))
        print_state(s, "  Previous State", n->previous_state, indent);
    if (n->problem)
        kdx_print(s, "%*s  Problem = %#" PRIx64 "\n", indent, "", n->problem);
    if (single) {
        if (!kdx_io_devnode_lacks(n, "Flags"))
            kdx_print(s, "%*s  Flags (%s)\n", indent, "", hex10(a, n->flags));
        if (n->pending_irp)
            kdx_print(s, "%*s  PendingIrp %s\n", indent, "", ptr(s, a, n->pending_irp));
    }
    if (n->missing[0])
        kdx_print(s, "%*s  Not in the dump: %s (%s)\n", indent, "", n->missing, n->why.msg);
}

typedef struct tree_print {
    kdx_session *s;
    size_t count;
} tree_print;

static int print_tree_node(void *ud, const kdx_io_devnode *n, unsigned depth)
{
    tree_print *t = ud;
    print_devnode(t->s, n, depth * 2, false);
    t->count++;
    return 0;
}

static int cmd_devnode(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    const char *p = kdx_skip_ws(args);
    uint64_t addr, flags;
    kdx_err err = {0};
    if (parse_number(s, &p, &addr, 0, &err) != KDX_OK || parse_number(s, &p, &flags, 0, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (*p) {
        kdx_print(s, "!devnode: the service-name filter (\"%s\") is not supported by kdx\n", p);
        return 1;
    }
    if (flags & ~(uint64_t)1)
        kdx_print(s, "(flags %#" PRIx64 ": kdx shows flag 1 (children) only; resources, requirements and other "
                     "details are not decoded)\n", flags & ~(uint64_t)1);
    if (addr) {
        kdx_io_devnode n;
        if (kdx_io_devnode_read(s, addr, &n, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        print_devnode(s, &n, 0, true);
        return 0;
    }
    uint64_t root = 0;
    if (kdx_io_root_devnode(s, &root, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    char a[24];
    kdx_print(s, "Dumping IopRootDeviceNode (= %s)\n", hexp(s, a, root));
    if (!(flags & 1)) {
        kdx_io_devnode n;
        if (kdx_io_devnode_read(s, root, &n, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        print_devnode(s, &n, 0, false);
        return 0;
    }
    tree_print t = {s, 0};
    if (kdx_io_devnode_walk(s, root, print_tree_node, &t, &err) != KDX_OK) {
        kdx_print(s, "(the device tree walk stopped after %zu nodes: %s)\n", t.count, err.msg);
        return 1;
    }
    return 0;
}

/* ---- !podev ---- */

/* The power-related DO_ flags, which is all !podev names on its DevFlags (docs/io.md). */
static void power_do_flags(uint64_t flags, char *buf, size_t cap)
{
    static const char *const names[] = {"DO_POWER_PAGABLE", "DO_POWER_INRUSH"};
    buf[0] = '\0';
    for (size_t i = 0; i < 2; i++) {
        uint32_t v;
        if (kdx_io_value_of(kdx_io_do_flags, names[i], &v) && (flags & v)) {
            size_t len = strlen(buf);
            snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", names[i]);
        }
    }
}

/* PowerFlags: bits 0-3 system power state, 4-7 device power state (as ReactOS
 * documents them, consistent with the transcript's 00000400 =>SystemState=0
 * DeviceState=0); 0x400 "dvact" is the one bit the transcript names. */
#define PODEV_DVACT 0x400u

static int cmd_podev(kdx_session *s, const char *cmd, const char *args)
{
    if (!kernel_target(s, cmd))
        return 1;
    uint64_t addr;
    const char *rest;
    kdx_err err = {0};
    char a[24], b[24], leaf[256], drv[256], names[128];
    if (!*kdx_skip_ws(args)) {
        kdx_print(s, "Usage: !podev ADDR | \\Device\\Name\n");
        return 1;
    }
    kdx_io_device d;
    if (parse_object_arg(s, args, "\\Device", &addr, &rest, &err) != KDX_OK ||
        kdx_io_device_read(s, addr, &d, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    device_leaf(s, addr, leaf, sizeof leaf);
    driver_name(s, d.driver, drv, sizeof drv);
    int w = kdx_session_ptr_size(s) * 2;
    power_do_flags(d.flags, names, sizeof names);
    kdx_print(s, "Device object is for:\n %s %s DriverObject %s\n", leaf, drv, ptr(s, b, d.driver));
    kdx_print(s, "Current Irp %s RefCount %d Type %s AttachedDev %s DevFlags %s  %s\n",
              dev_hex(&d, KDX_IO_DEV_IRP, d.current_irp, 8, a), (int32_t)d.ref_count,
              dev_hex(&d, KDX_IO_DEV_TYPE, d.device_type, 8, b), d.attached ? ptr(s, leaf, d.attached) : "00000000",
              dev_hex(&d, KDX_IO_DEV_FLAGS, d.flags, 8, drv), names);
    bool busy;
    if (device_queue_busy(s, addr, &busy))
        kdx_print(s, "Device queue is %sbusy.\n", busy ? "" : "not ");
    if (!d.has_ext) {
        kdx_print(s, "Device Object Extension: %s: not in the dump\n", dev_hex(&d, KDX_IO_DEV_DOE, d.devobj_ext, w, a));
        return 1;
    }
    uint64_t sys = d.power_flags & 0xf, dev = (d.power_flags >> 4) & 0xf, dope = 0;
    kdx_print(s, "Device Object Extension: %s:\n", ptr(s, a, d.devobj_ext));
    kdx_print(s, "PowerFlags: %08" PRIx64 " =>SystemState=%" PRIx64 " DeviceState=%" PRIx64 "%s\n", d.power_flags, sys,
              dev, (d.power_flags & PODEV_DVACT) ? " dvact" : "");
    if (kdx_nt_read(s, "nt!_DEVOBJ_EXTENSION", d.devobj_ext, "Dope", &dope, &err) == KDX_OK)
        kdx_print(s, "Dope: %s:\n", ptr(s, a, dope));
    else
        kdx_print(s, "Dope: not read (%s)\n", err.msg);
    kdx_print(s, "(SystemState/DeviceState: bits 0-3/4-7 of PowerFlags, an inference; docs/io.md)\n");
    return 0;
}

const kdx_command kdx_cmds_io[] = {
    {"!irp", cmd_irp, "an I/O request packet and its stack locations: !irp ADDR [Detail]", 0},
    {"!irpfind", cmd_irpfind, "IRPs on the threads' IRP lists, at devices and device nodes (and the pool when a "
                              "pool walker is registered): !irpfind [-v] [pooltype] [restart] [criteria data]", 0},
    {"!devobj", cmd_devobj, "a device object: !devobj ADDR | \\Device\\Name", 0},
    {"!devstack", cmd_devstack, "the device stack a device belongs to: !devstack ADDR | \\Device\\Name", 0},
    {"!drvobj", cmd_drvobj, "a driver object, its devices and dispatch routines: !drvobj ADDR|Name [1|2|4]", 0},
    {"!devnode", cmd_devnode, "the PnP device tree: !devnode 0 1 | !devnode ADDR", 0},
    {"!podev", cmd_podev, "a device's power state: !podev ADDR | \\Device\\Name", 0},
    {0}};
