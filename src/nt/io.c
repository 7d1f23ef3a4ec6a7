/* The I/O manager's structures (io.h). Offsets and sizes come from the
 * loaded types; the only numbers here are the header's IO_TYPE_ codes
 * (generated from wdm.h) and the walk limits. */
#include "nt/io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/io_names.h"
#include "nt/list.h"
#include "nt/object.h"
#include "nt/process.h"
#include "nt/segheap.h"
#include "target/memory.h"
#include "target/target.h"

static kdx_status read_pointer(kdx_session *s, uint64_t va, uint64_t *v, kdx_err *err);

static const char *hex(kdx_session *s, char *buf, uint64_t v)
{
    return kdx_session_fmt_ptr(s, buf, v);
}

/* Reads fields of a snapshot; the first missing one fails the whole read. */
typedef struct field_req {
    const char *path;
    uint64_t *out;
} field_req;

static kdx_status get_fields(const kdx_nt_obj *o, const field_req *req, size_t n, kdx_err *err)
{
    for (size_t i = 0; i < n; i++) {
        kdx_status st = kdx_nt_obj_get(o, req[i].path, req[i].out, err);
        if (st != KDX_OK)
            return st;
    }
    return KDX_OK;
}

static kdx_status check_type(kdx_session *s, const char *what, uint64_t addr, uint64_t type, const char *code,
                             kdx_err *err)
{
    uint32_t want = kdx_io_type_code(code);
    char a[24];
    if ((uint16_t)type != want)
        return kdx_err_set(err, KDX_E_FORMAT, "%s %s: Type is %u, not %s (%u)", what, hex(s, a, addr),
                           (unsigned)(uint16_t)type, code, want);
    return KDX_OK;
}

/* ---- IRPs ---- */

static void read_stack_location(kdx_session *s, kdx_io_stack *sl, uint64_t addr, kdx_err *gap)
{
    kdx_nt_obj o;
    kdx_err err = {0};
    memset(sl, 0, sizeof *sl);
    sl->addr = addr;
    if (kdx_nt_obj_read(s, "nt!_IO_STACK_LOCATION", addr, &o, &err) != KDX_OK) {
        if (gap && !gap->code)
            *gap = err;
        return;
    }
    uint64_t major = 0, minor = 0, flags = 0, control = 0;
    const field_req req[] = {{"MajorFunction", &major},
                             {"MinorFunction", &minor},
                             {"Flags", &flags},
                             {"Control", &control},
                             {"DeviceObject", &sl->device},
                             {"FileObject", &sl->file},
                             {"CompletionRoutine", &sl->completion},
                             {"Context", &sl->context},
                             {"Parameters.Others.Argument1", &sl->args[0]},
                             {"Parameters.Others.Argument2", &sl->args[1]},
                             {"Parameters.Others.Argument3", &sl->args[2]},
                             {"Parameters.Others.Argument4", &sl->args[3]}};
    if (get_fields(&o, req, sizeof req / sizeof req[0], &err) == KDX_OK) {
        sl->read = true;
        sl->major = (uint8_t)major;
        sl->minor = (uint8_t)minor;
        sl->flags = (uint8_t)flags;
        sl->control = (uint8_t)control;
    } else if (gap && !gap->code)
        *gap = err;
    kdx_nt_obj_free(&o);
}

static kdx_status read_irp_header(kdx_session *s, uint64_t addr, kdx_io_irp *irp, kdx_err *err)
{
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, "nt!_IRP", addr, &o, err);
    if (st != KDX_OK)
        return st;
    uint64_t count = 0, current = 0, cancel = 0, pending = 0, mode = 0, irql = 0, status = 0;
    const field_req req[] = {{"Type", &irp->type},
                             {"Size", &irp->size},
                             {"MdlAddress", &irp->mdl},
                             {"Flags", &irp->flags},
                             {"StackCount", &count},
                             {"CurrentLocation", &current},
                             {"Cancel", &cancel},
                             {"PendingReturned", &pending},
                             {"RequestorMode", &mode},
                             {"CancelIrql", &irql},
                             {"IoStatus.Status", &status},
                             {"IoStatus.Information", &irp->information},
                             {"UserIosb", &irp->user_iosb},
                             {"UserEvent", &irp->user_event},
                             {"CancelRoutine", &irp->cancel_routine},
                             {"UserBuffer", &irp->user_buffer},
                             {"AssociatedIrp.SystemBuffer", &irp->system_buffer},
                             {"Tail.Overlay.Thread", &irp->thread},
                             {"Tail.Overlay.CurrentStackLocation", &irp->current_sl}};
    st = get_fields(&o, req, sizeof req / sizeof req[0], err);
    kdx_nt_obj_free(&o);
    if (st != KDX_OK) {
        char a[24];
        kdx_err_prefix(err, "IRP %s", hex(s, a, addr));
        return st;
    }
    irp->stack_count = (int8_t)count;
    irp->current_location = (int8_t)current;
    irp->cancel = cancel != 0;
    irp->pending_returned = pending != 0;
    irp->requestor_mode = (uint8_t)mode;
    irp->cancel_irql = (uint8_t)irql;
    irp->status = (int32_t)status;
    return KDX_OK;
}

/* StackCount, CurrentLocation and Size must agree before any location is read. */
static kdx_status validate_irp(kdx_session *s, const kdx_io_irp *irp, uint64_t irp_size, uint64_t sl_size,
                               kdx_err *err)
{
    char a[24];
    hex(s, a, irp->addr);
    if (irp->stack_count < 1 || irp->stack_count > KDX_IO_MAX_STACK)
        return kdx_err_set(err, KDX_E_FORMAT, "IRP %s: StackCount %d is corrupt (must be 1..%d)", a,
                           irp->stack_count, KDX_IO_MAX_STACK);
    if (irp->current_location < 1 || irp->current_location > irp->stack_count + 1)
        return kdx_err_set(err, KDX_E_FORMAT, "IRP %s: CurrentLocation %d is corrupt (StackCount %d allows 1..%d)", a,
                           irp->current_location, irp->stack_count, irp->stack_count + 1);
    uint64_t need = irp_size + (uint64_t)irp->stack_count * sl_size;
    if (irp->size < need)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "IRP %s: Size 0x%" PRIx64 " cannot hold %d stack locations (needs 0x%" PRIx64 ")", a,
                           irp->size, irp->stack_count, need);
    return KDX_OK;
}

kdx_status kdx_io_irp_read(kdx_session *s, uint64_t addr, kdx_io_irp *irp, kdx_err *err)
{
    memset(irp, 0, sizeof *irp);
    irp->addr = addr;
    uint64_t irp_size, sl_size;
    kdx_status st = kdx_nt_sizeof(s, "nt!_IRP", &irp_size, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, "nt!_IO_STACK_LOCATION", &sl_size, err);
    if (st == KDX_OK)
        st = read_irp_header(s, addr, irp, err);
    if (st == KDX_OK)
        st = check_type(s, "IRP", addr, irp->type, "IO_TYPE_IRP", err);
    if (st == KDX_OK)
        st = validate_irp(s, irp, irp_size, sl_size, err);
    if (st != KDX_OK)
        return st;
    irp->nstack = (size_t)irp->stack_count;
    for (size_t i = 0; i < irp->nstack; i++)
        read_stack_location(s, &irp->stack[i], addr + irp_size + i * sl_size, &irp->stack_gap);
    return KDX_OK;
}

int kdx_io_irp_current(const kdx_io_irp *irp)
{
    return irp->current_location <= irp->stack_count ? irp->current_location - 1 : -1;
}

/* ---- devices ---- */

static void read_devobj_extension(kdx_session *s, kdx_io_device *d)
{
    kdx_nt_obj o;
    if (!d->devobj_ext || kdx_nt_obj_read(s, "nt!_DEVOBJ_EXTENSION", d->devobj_ext, &o, NULL) != KDX_OK)
        return;
    const field_req req[] = {{"ExtensionFlags", &d->ext_flags},
                             {"PowerFlags", &d->power_flags},
                             {"AttachedTo", &d->attached_to},
                             {"DeviceNode", &d->device_node}};
    d->has_ext = get_fields(&o, req, sizeof req / sizeof req[0], NULL) == KDX_OK;
    kdx_nt_obj_free(&o);
}

static void device_field(const kdx_nt_obj *o, kdx_io_device *d, const char *path, unsigned bit, uint64_t *out)
{
    kdx_err err = {0};
    if (kdx_nt_obj_get(o, path, out, &err) == KDX_OK)
        return;
    *out = 0;
    d->missing |= bit;
    size_t len = strlen(d->missing_names);
    snprintf(d->missing_names + len, sizeof d->missing_names - len, "%s%s", len ? ", " : "", path);
    if (!d->why.code)
        d->why = err;
}

kdx_status kdx_io_device_read(kdx_session *s, uint64_t addr, kdx_io_device *d, kdx_err *err)
{
    memset(d, 0, sizeof *d);
    d->addr = addr;
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, "nt!_DEVICE_OBJECT", addr, &o, err);
    if (st != KDX_OK)
        return st;
    st = kdx_nt_obj_get(&o, "Type", &d->type, err);
    static const struct {
        const char *path;
        unsigned bit;
        size_t off;
    } fields[] = {{"ReferenceCount", KDX_IO_DEV_REFCOUNT, offsetof(kdx_io_device, ref_count)},
                  {"DriverObject", KDX_IO_DEV_DRIVER, offsetof(kdx_io_device, driver)},
                  {"NextDevice", KDX_IO_DEV_NEXT, offsetof(kdx_io_device, next)},
                  {"AttachedDevice", KDX_IO_DEV_ATTACHED, offsetof(kdx_io_device, attached)},
                  {"CurrentIrp", KDX_IO_DEV_IRP, offsetof(kdx_io_device, current_irp)},
                  {"Timer", KDX_IO_DEV_TIMER, offsetof(kdx_io_device, timer)},
                  {"Flags", KDX_IO_DEV_FLAGS, offsetof(kdx_io_device, flags)},
                  {"Characteristics", KDX_IO_DEV_CHARACTERISTICS, offsetof(kdx_io_device, characteristics)},
                  {"Vpb", KDX_IO_DEV_VPB, offsetof(kdx_io_device, vpb)},
                  {"DeviceExtension", KDX_IO_DEV_EXTENSION, offsetof(kdx_io_device, extension)},
                  {"DeviceType", KDX_IO_DEV_TYPE, offsetof(kdx_io_device, device_type)},
                  {"StackSize", KDX_IO_DEV_STACKSIZE, offsetof(kdx_io_device, stack_size)},
                  {"DeviceObjectExtension", KDX_IO_DEV_DOE, offsetof(kdx_io_device, devobj_ext)}};
    for (size_t i = 0; st == KDX_OK && i < sizeof fields / sizeof fields[0]; i++)
        device_field(&o, d, fields[i].path, fields[i].bit, (uint64_t *)((char *)d + fields[i].off));
    kdx_nt_obj_free(&o);
    if (st == KDX_OK)
        st = check_type(s, "device object", addr, d->type, "IO_TYPE_DEVICE", err);
    if (st != KDX_OK)
        return st;
    read_devobj_extension(s, d);
    return KDX_OK;
}

/* Follows one link (AttachedDevice or AttachedTo) from start while it is
 * nonzero, into out[] (start excluded). */
static kdx_status follow(kdx_session *s, uint64_t start, bool up, uint64_t *out, size_t cap, size_t *n,
                         kdx_nt_addrset *seen, kdx_err *err)
{
    char a[24], b[24];
    uint64_t cur = start;
    for (;;) {
        if (kdx_interrupted())
            return kdx_err_set(err, KDX_E_INTERRUPTED, "device stack walk interrupted");
        kdx_io_device d;
        kdx_status st = kdx_io_device_read(s, cur, &d, err);
        if (st != KDX_OK)
            return st;
        if (up && (d.missing & KDX_IO_DEV_ATTACHED))
            return kdx_err_set(err, KDX_E_MEM_MISSING, "device %s: AttachedDevice: %s", hex(s, a, cur), d.why.msg);
        if (!up && (d.missing & KDX_IO_DEV_DOE))
            return kdx_err_set(err, KDX_E_MEM_MISSING, "device %s: DeviceObjectExtension: %s", hex(s, a, cur),
                               d.why.msg);
        if (!up && !d.has_ext && d.devobj_ext)
            return kdx_err_set(err, KDX_E_MEM_MISSING, "device %s: its DeviceObjectExtension %s is not readable",
                               hex(s, a, cur), hex(s, b, d.devobj_ext));
        uint64_t next = up ? d.attached : d.attached_to;
        if (!next)
            return KDX_OK;
        size_t prev;
        if (!kdx_nt_addrset_add(seen, next, *n, &prev))
            return kdx_err_set(err, KDX_E_LIMIT, "the device stack loops: %s of device %s leads back to %s",
                               up ? "AttachedDevice" : "DeviceObjectExtension.AttachedTo", hex(s, a, cur),
                               hex(s, b, next));
        if (*n >= cap)
            return kdx_err_set(err, KDX_E_LIMIT, "the device stack of %s has more than %zu devices",
                               hex(s, a, start), cap);
        out[(*n)++] = next;
        cur = next;
    }
}

kdx_status kdx_io_device_stack(kdx_session *s, uint64_t addr, uint64_t *out, size_t cap, size_t *n, size_t *given,
                               kdx_err *err)
{
    kdx_nt_addrset seen = {0};
    uint64_t *up = kdx_xmalloc(cap * sizeof *up);
    size_t nup = 0;
    *n = 0;
    *given = 0;
    kdx_nt_addrset_add(&seen, addr, 0, NULL);
    kdx_status st = follow(s, addr, true, up, cap, &nup, &seen, err);
    /* Top first: the devices above in reverse, the given one, then the ones below. */
    for (size_t i = nup; i-- > 0 && *n < cap;)
        out[(*n)++] = up[i];
    free(up);
    *given = *n;
    if (*n < cap)
        out[(*n)++] = addr;
    if (st == KDX_OK)
        st = follow(s, addr, false, out, cap, n, &seen, err);
    kdx_nt_addrset_free(&seen);
    return st;
}

void kdx_io_object_name(kdx_session *s, uint64_t body, char *buf, size_t cap)
{
    kdx_nt_object o;
    uint64_t dir;
    buf[0] = '\0';
    if (kdx_nt_object_read(s, body, &o, NULL) != KDX_OK ||
        kdx_nt_object_path(s, &o, buf, cap, NULL) != KDX_OK) {
        if (kdx_nt_object_read(s, body, &o, NULL) != KDX_OK || kdx_nt_object_name(s, &o, &dir, buf, cap, NULL) != KDX_OK)
            buf[0] = '\0';
    }
}

/* ---- drivers ---- */

kdx_status kdx_io_driver_read(kdx_session *s, uint64_t addr, kdx_io_driver *d, kdx_err *err)
{
    memset(d, 0, sizeof *d);
    d->addr = addr;
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, "nt!_DRIVER_OBJECT", addr, &o, err);
    if (st != KDX_OK)
        return st;
    const field_req req[] = {{"Type", &d->type},           {"DeviceObject", &d->device},
                             {"Flags", &d->flags},         {"DriverStart", &d->start},
                             {"DriverSize", &d->size},     {"DriverSection", &d->section},
                             {"DriverExtension", &d->extension}, {"FastIoDispatch", &d->fast_io},
                             {"DriverInit", &d->init},     {"DriverStartIo", &d->start_io},
                             {"DriverUnload", &d->unload}};
    st = get_fields(&o, req, sizeof req / sizeof req[0], err);
    uint64_t name_addr = 0;
    if (st == KDX_OK)
        st = check_type(s, "driver object", addr, d->type, "IO_TYPE_DRIVER", err);
    kdx_err why = {0};
    if (st == KDX_OK && (kdx_nt_obj_addr(&o, "DriverName", &name_addr, &why) != KDX_OK ||
                         kdx_nt_unicode_string(s, name_addr, d->name, sizeof d->name, &why) != KDX_OK)) {
        d->name[0] = '\0';
        d->why = why;
    }
    const kdx_nt_field *mf = NULL;
    uint64_t ptr = (uint64_t)kdx_session_ptr_size(s);
    if (st == KDX_OK && kdx_nt_field_of(s, "nt!_DRIVER_OBJECT", "MajorFunction", &mf, NULL) == KDX_OK && ptr) {
        d->nmajor = (size_t)(mf->size / ptr);
        if (d->nmajor > sizeof d->major / sizeof d->major[0])
            d->nmajor = sizeof d->major / sizeof d->major[0];
        for (size_t i = 0; i < d->nmajor; i++) {
            char path[48];
            kdx_err miss = {0};
            snprintf(path, sizeof path, "MajorFunction[%u]", (unsigned)i);
            if (kdx_nt_obj_get(&o, path, &d->major[i], &miss) != KDX_OK) {
                d->major[i] = 0;
                d->major_missing |= 1ull << i;
                if (!d->major_why.code)
                    d->major_why = miss;
            }
        }
    }
    kdx_nt_obj_free(&o);
    if (st == KDX_OK && d->extension &&
        kdx_nt_read(s, "nt!_DRIVER_EXTENSION", d->extension, "AddDevice", &d->add_device, NULL) != KDX_OK) {
        d->add_device = 0;
        d->add_device_missing = true;
    }
    return st;
}

kdx_status kdx_io_driver_devices(kdx_session *s, const kdx_io_driver *d, uint64_t *out, size_t cap, size_t *n,
                                 kdx_err *err)
{
    kdx_nt_addrset seen = {0};
    char a[24], b[24];
    kdx_status st = KDX_OK;
    uint64_t cur = d->device, prev_dev = 0;
    *n = 0;
    while (cur && st == KDX_OK) {
        size_t prev;
        if (kdx_interrupted())
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "device list walk interrupted");
        else if (!kdx_nt_addrset_add(&seen, cur, *n, &prev))
            st = kdx_err_set(err, KDX_E_LIMIT, "the device list of driver %s loops: NextDevice of %s leads back to %s",
                             hex(s, a, d->addr), hex(s, b, prev_dev), hex(s, a, cur));
        else if (*n >= cap)
            st = kdx_err_set(err, KDX_E_LIMIT, "driver %s has more than %zu devices", hex(s, a, d->addr), cap);
        else {
            out[(*n)++] = cur;
            prev_dev = cur;
            st = kdx_nt_read(s, "nt!_DEVICE_OBJECT", cur, "NextDevice", &cur, err);
        }
    }
    kdx_nt_addrset_free(&seen);
    return st;
}

kdx_status kdx_io_resolve(kdx_session *s, const char *text, const char *default_dir, uint64_t *addr, kdx_err *err)
{
    while (*text == ' ')
        text++;
    if (*text == '\\') {
        kdx_status st = kdx_nt_object_lookup(s, text, addr, err);
        if (st != KDX_OK)
            kdx_err_prefix(err, "looking up %s", text);
        return st;
    }
    /* As WinDbg's !drvobj: a name under the default directory wins over
     * the expression evaluator (a driver's name is also its module's). */
    char path[512];
    kdx_err lookup = {0};
    if (default_dir) {
        snprintf(path, sizeof path, "%s\\%s", default_dir, text);
        if (kdx_nt_object_lookup(s, path, addr, &lookup) == KDX_OK)
            return KDX_OK;
        /* A module's name evaluates to its image base, never a driver or
         * device object: say why the name could not be looked up instead. */
        if (s->target && kdx_target_module_named(s->target, text))
            return kdx_err_set(err, lookup.code ? lookup.code : KDX_E_NOT_FOUND,
                               "looking up %s: %s (%s as an expression is the base of module %s, not an object)",
                               path, lookup.msg, text, text);
    }
    kdx_status st = kdx_expr_eval_all(s, text, addr, err);
    if (st != KDX_OK && default_dir)
        kdx_err_prefix(err, "%s is neither an object (looking up %s: %s) nor an expression", text, path, lookup.msg);
    return st;
}

/* ---- the PnP tree ---- */

static void devnode_gap(kdx_io_devnode *n, const char *field, const kdx_err *why)
{
    size_t len = strlen(n->missing);
    snprintf(n->missing + len, sizeof n->missing - len, "%s%s", len ? ", " : "", field);
    if (!n->why.code)
        n->why = *why;
}

bool kdx_io_devnode_lacks(const kdx_io_devnode *n, const char *field)
{
    size_t len = strlen(field);
    for (const char *p = strstr(n->missing, field); p; p = strstr(p + 1, field))
        if ((p == n->missing || p[-1] == ' ') && (p[len] == ',' || !p[len]))
            return true;
    return false;
}

/* A _UNICODE_STRING field; an empty string (Length 0) stays "", an unreadable one is a gap. */
static void devnode_string(kdx_session *s, const kdx_nt_obj *o, kdx_io_devnode *n, const char *field, char *buf,
                           size_t cap)
{
    uint64_t us;
    kdx_err why = {0};
    buf[0] = '\0';
    if (kdx_nt_obj_addr(o, field, &us, &why) != KDX_OK || kdx_nt_unicode_string(s, us, buf, cap, &why) != KDX_OK) {
        buf[0] = '\0';
        devnode_gap(n, field, &why);
    }
}

kdx_status kdx_io_devnode_read(kdx_session *s, uint64_t addr, kdx_io_devnode *n, kdx_err *err)
{
    memset(n, 0, sizeof *n);
    n->addr = addr;
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, "nt!_DEVICE_NODE", addr, &o, err);
    if (st != KDX_OK)
        return st;
    const field_req req[] = {{"Sibling", &n->sibling}, {"Child", &n->child},   {"Parent", &n->parent},
                             {"PhysicalDeviceObject", &n->pdo}};
    st = get_fields(&o, req, sizeof req / sizeof req[0], err);
    /* These may lie on a page the dump lacks; the links above are what the walk needs. */
    static const struct {
        const char *path;
        size_t off;
    } opt[] = {{"PendingIrp", offsetof(kdx_io_devnode, pending_irp)}, {"State", offsetof(kdx_io_devnode, state)},
               {"PreviousState", offsetof(kdx_io_devnode, previous_state)}, {"Flags", offsetof(kdx_io_devnode, flags)},
               {"Problem", offsetof(kdx_io_devnode, problem)}, {"Level", offsetof(kdx_io_devnode, level)}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
        kdx_err why = {0};
        if (kdx_nt_obj_get(&o, opt[i].path, (uint64_t *)((char *)n + opt[i].off), &why) != KDX_OK)
            devnode_gap(n, opt[i].path, &why);
    }
    devnode_string(s, &o, n, "InstancePath", n->instance, sizeof n->instance);
    devnode_string(s, &o, n, "ServiceName", n->service, sizeof n->service);
    kdx_nt_obj_free(&o);
    if (st != KDX_OK) {
        char a[24];
        kdx_err_prefix(err, "device node %s", hex(s, a, addr));
    }
    return st;
}

static kdx_status read_pointer(kdx_session *s, uint64_t va, uint64_t *v, kdx_err *err)
{
    uint8_t b[8] = {0};
    int size = kdx_session_ptr_size(s);
    kdx_status st = kdx_read_virt(s->target, va, b, (size_t)size, NULL, err);
    *v = size == 8 ? kdx_le64(b) : kdx_le32(b);
    return st;
}

kdx_status kdx_io_root_devnode(kdx_session *s, uint64_t *root, kdx_err *err)
{
    uint64_t sym;
    kdx_status st = kdx_nt_symbol(s, "nt!IopRootDeviceNode", &sym, err);
    if (st == KDX_OK)
        st = read_pointer(s, sym, root, err);
    if (st != KDX_OK)
        kdx_err_prefix(err, "nt!IopRootDeviceNode");
    else if (!*root)
        st = kdx_err_set(err, KDX_E_NOT_FOUND, "nt!IopRootDeviceNode is NULL (the PnP tree was not built)");
    return st;
}

#define DEVNODE_MAX 100000u
#define DEVNODE_DEPTH 64u

kdx_status kdx_io_devnode_walk(kdx_session *s, uint64_t root, kdx_io_devnode_cb cb, void *ud, kdx_err *err)
{
    char a[24];
    kdx_status st = KDX_OK;
    if (!root && (st = kdx_io_root_devnode(s, &root, err)) != KDX_OK)
        return st;
    kdx_nt_addrset seen = {0};
    uint64_t stack[DEVNODE_DEPTH];
    unsigned depth = 0;
    uint64_t cur = root;
    size_t count = 0, prev;
    while (cur && st == KDX_OK) {
        kdx_io_devnode n;
        if (kdx_interrupted())
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "device tree walk interrupted");
        else if (!kdx_nt_addrset_add(&seen, cur, count, &prev))
            st = kdx_err_set(err, KDX_E_LIMIT, "the device tree loops at device node %s", hex(s, a, cur));
        else if (++count > DEVNODE_MAX)
            st = kdx_err_set(err, KDX_E_LIMIT, "the device tree has more than %u nodes", DEVNODE_MAX);
        else if ((st = kdx_io_devnode_read(s, cur, &n, err)) == KDX_OK) {
            if (cb(ud, &n, depth))
                break;
            /* The root's own siblings are outside the tree asked for. */
            uint64_t sibling = depth ? n.sibling : 0;
            if (n.child && depth + 1 < DEVNODE_DEPTH) {
                stack[depth++] = sibling;
                cur = n.child;
                continue;
            }
            if (n.child)
                st = kdx_err_set(err, KDX_E_LIMIT, "the device tree is deeper than %u at %s", DEVNODE_DEPTH,
                                 hex(s, a, cur));
            cur = sibling;
            while (!cur && depth > 0)
                cur = stack[--depth];
        }
    }
    kdx_nt_addrset_free(&seen);
    return st;
}

/* ---- finding IRPs ---- */

static kdx_io_pool_irp_walker pool_irp_walker;

void kdx_io_set_pool_irp_walker(kdx_io_pool_irp_walker walker)
{
    pool_irp_walker = walker;
}

typedef struct irp_search {
    kdx_session *s;
    kdx_io_irp_visit visit;
    void *ud;
    kdx_io_irp_sources *src;
    kdx_nt_addrset seen;
    uint64_t link_off, irplist_off;
    bool stop;
} irp_search;

static void append(char *dst, size_t cap, const char *text)
{
    size_t used = strlen(dst), n = strlen(text);
    if (used + n >= cap)
        n = cap - used - 1;
    memcpy(dst + used, text, n);
    dst[used + n] = '\0';
}

/* "prefix: why" as a note, kept when fewer than limit notes are kept. */
static void note_upto(kdx_io_irp_sources *src, size_t limit, const char *prefix, const char *why)
{
    if (src->nnotes >= limit || src->nnotes >= sizeof src->notes / sizeof src->notes[0]) {
        src->dropped++;
        return;
    }
    char *d = src->notes[src->nnotes++];
    d[0] = '\0';
    append(d, sizeof src->notes[0], prefix);
    append(d, sizeof src->notes[0], ": ");
    append(d, sizeof src->notes[0], why);
}

/* Threads and processes keep at most three notes, so the later sources still get theirs. */
#define THREAD_NOTES 3
static void note(kdx_io_irp_sources *src, const char *prefix, const char *why)
{
    note_upto(src, sizeof src->notes / sizeof src->notes[0], prefix, why);
}

static int found(void *ud, uint64_t irp)
{
    irp_search *q = ud;
    size_t prev;
    if (!irp || q->stop || !kdx_nt_addrset_add(&q->seen, irp, q->src->irps, &prev))
        return q->stop;
    q->src->irps++;
    if (q->visit(q->ud, irp))
        q->stop = true;
    return q->stop || kdx_interrupted();
}

static int thread_irp_entry(void *ud, uint64_t entry, size_t index)
{
    irp_search *q = ud;
    (void)index;
    return found(q, entry - q->link_off);
}

static int visit_thread(void *ud, uint64_t thread, size_t index)
{
    irp_search *q = ud;
    kdx_nt_list_result r;
    kdx_nt_list_opts opts = {.max = 65536};
    (void)index;
    q->src->threads++;
    if (kdx_nt_list_walk(q->s, thread + q->irplist_off, &opts, thread_irp_entry, q, &r) != KDX_OK &&
        r.end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX], what[64];
        kdx_nt_list_describe(q->s, &r, "the IRP list", msg, sizeof msg);
        snprintf(what, sizeof what, "thread %" PRIx64, thread);
        note_upto(q->src, THREAD_NOTES, what, msg);
    }
    return q->stop || kdx_interrupted();
}

static int visit_process(void *ud, uint64_t process, size_t index)
{
    irp_search *q = ud;
    kdx_err err = {0};
    (void)index;
    if (kdx_nt_process_threads(q->s, process, visit_thread, q, NULL, &err) != KDX_OK && !q->stop)
        note_upto(q->src, THREAD_NOTES, "threads", err.msg);
    return q->stop || kdx_interrupted();
}

static int visit_driver(void *ud, unsigned bucket, uint64_t entry, uint64_t object)
{
    irp_search *q = ud;
    kdx_io_driver d;
    uint64_t devs[KDX_IO_MAX_DEVICES];
    size_t n = 0;
    (void)bucket;
    (void)entry;
    if (kdx_io_driver_read(q->s, object, &d, NULL) != KDX_OK)
        return 0;
    q->src->drivers++;
    kdx_io_driver_devices(q->s, &d, devs, KDX_IO_MAX_DEVICES, &n, NULL);
    for (size_t i = 0; i < n && !q->stop; i++) {
        uint64_t irp = 0;
        q->src->devices++;
        if (kdx_nt_read(q->s, "nt!_DEVICE_OBJECT", devs[i], "CurrentIrp", &irp, NULL) == KDX_OK)
            found(q, irp);
    }
    return q->stop || kdx_interrupted();
}

static int visit_devnode(void *ud, const kdx_io_devnode *n, unsigned depth)
{
    irp_search *q = ud;
    (void)depth;
    q->src->devnodes++;
    return found(q, n->pending_irp);
}

static int visit_power_irp(void *ud, uint64_t entry, size_t index)
{
    irp_search *q = ud;
    uint64_t link, irp;
    (void)index;
    if (kdx_nt_offset(q->s, "nt!_POP_IRP_DATA", "Link", &link, NULL) != KDX_OK ||
        kdx_nt_read(q->s, "nt!_POP_IRP_DATA", entry - link, "Irp", &irp, NULL) != KDX_OK)
        return 0;
    q->src->power++;
    return found(q, irp);
}

/* nt!PopIrpList: the power IRPs in flight (a NULL head: never initialized, so empty). */
static void search_power_irps(irp_search *q)
{
    uint64_t head, flink = 0;
    kdx_err err = {0};
    kdx_nt_list_result r;
    kdx_nt_list_opts opts = {.max = 65536};
    if (kdx_nt_symbol(q->s, "nt!PopIrpList", &head, &err) != KDX_OK ||
        read_pointer(q->s, head, &flink, &err) != KDX_OK) {
        note(q->src, "nt!PopIrpList", err.msg);
        return;
    }
    if (flink && kdx_nt_list_walk(q->s, head, &opts, visit_power_irp, q, &r) != KDX_OK &&
        r.end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(q->s, &r, "nt!PopIrpList", msg, sizeof msg);
        note(q->src, "power IRPs", msg);
    }
}

static void search_drivers(irp_search *q, const char *dir)
{
    uint64_t body;
    kdx_err err = {0};
    if (kdx_nt_object_lookup(q->s, dir, &body, &err) != KDX_OK ||
        kdx_nt_directory_walk(q->s, body, visit_driver, q, &err) != KDX_OK) {
        note(q->src, dir, err.msg);
    }
}

/* The small allocations tagged "Irp " (the tag WinDbg's !irpfind scans
 * for, shown "Irp?" with its protected bit) in the kernel segment heap:
 * the IRP follows the block's _POOL_HEADER. */
#define IRP_POOL_TAG 0x20707249u
typedef struct irp_blocks {
    irp_search *q;
    uint64_t header_size;
} irp_blocks;

static int irp_block(void *ud, const kdx_segheap_block *b)
{
    irp_blocks *w = ud;
    if (!b->busy || !b->tag_known || b->tag != IRP_POOL_TAG)
        return 0;
    w->q->src->pool_irps++;
    return found(w->q, b->header + w->header_size);
}

static void search_segheap(irp_search *q)
{
    kdx_segheap_stats hs;
    kdx_err err = {0};
    irp_blocks w = {q, 0};
    char summary[KDX_ERR_MSG_MAX];
    if (kdx_nt_sizeof(q->s, "nt!_POOL_HEADER", &w.header_size, &err) != KDX_OK ||
        kdx_segheap_walk(q->s, irp_block, &w, &hs, &err) != KDX_OK) {
        note(q->src, "pool (segment heap)", err.msg);
        return;
    }
    q->src->pool_scanned = hs.heaps > 0;
    q->src->pool_heaps = hs.heaps;
    q->src->pool_subsegments = hs.vs_subsegments + hs.lfh_subsegments;
    kdx_segheap_summary(&hs, summary, sizeof summary);
    if (summary[0])
        note(q->src, "pool (segment heap)", summary);
}

void kdx_io_find_irps(kdx_session *s, kdx_io_irp_visit visit, void *ud, kdx_io_irp_sources *src)
{
    memset(src, 0, sizeof *src);
    irp_search q = {s, visit, ud, src, {0}, 0, 0, false};
    kdx_err err = {0};
    if (pool_irp_walker) {
        src->pool_scanned = true;
        if (pool_irp_walker(s, found, &q, &err) != KDX_OK)
            note(src, "pool", err.msg);
    } else
        search_segheap(&q);
    if (kdx_nt_offset(s, "nt!_IRP", "ThreadListEntry", &q.link_off, &err) == KDX_OK &&
        kdx_nt_offset(s, "nt!_ETHREAD", "IrpList", &q.irplist_off, &err) == KDX_OK) {
        if (!q.stop && kdx_nt_process_walk(s, visit_process, &q, NULL, &err) != KDX_OK && !q.stop)
            note(src, "processes", err.msg);
    } else
        note(src, "thread IRP lists", err.msg);
    if (!q.stop)
        search_drivers(&q, "\\Driver");
    if (!q.stop)
        search_drivers(&q, "\\FileSystem");
    if (!q.stop && kdx_io_devnode_walk(s, 0, visit_devnode, &q, &err) != KDX_OK && !q.stop)
        note(src, "device tree", err.msg);
    if (!q.stop)
        search_power_irps(&q);
    kdx_nt_addrset_free(&q.seen);
}
