/* !analyze for the I/O manager's bug checks (analyze_io.h). */
#include "analysis/analyze_io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/field.h"
#include "nt/io.h"
#include "nt/io_names.h"
#include "nt/list.h"
#include "nt/processor.h"

static char *hexs(uint64_t v)
{
    return kdx_asprintf("%" PRIx64, v);
}

/* What one IRP tells: the device and driver at its current location. */
typedef struct irp_owner {
    uint64_t irp, device, driver, dispatch;
    unsigned major, minor;
    char driver_name[256];
    bool held;               /* a driver's location is current */
} irp_owner;

static kdx_status irp_owner_of(kdx_session *s, uint64_t addr, irp_owner *o, kdx_err *err)
{
    memset(o, 0, sizeof *o);
    o->irp = addr;
    kdx_io_irp *irp = kdx_xmalloc(sizeof *irp);
    kdx_status st = kdx_io_irp_read(s, addr, irp, err);
    int cur = st == KDX_OK ? kdx_io_irp_current(irp) : -1;
    if (cur >= 0 && irp->stack[cur].read && irp->stack[cur].device) {
        o->held = true;
        o->device = irp->stack[cur].device;
        o->major = irp->stack[cur].major;
        o->minor = irp->stack[cur].minor;
    } else if (st == KDX_OK) {
        /* Completed or not yet sent: the lowest location that names a device. */
        for (size_t i = 0; i < irp->nstack && !o->device; i++)
            if (irp->stack[i].read && irp->stack[i].device) {
                o->device = irp->stack[i].device;
                o->major = irp->stack[i].major;
                o->minor = irp->stack[i].minor;
            }
    }
    free(irp);
    if (st != KDX_OK || !o->device)
        return st;
    kdx_io_driver drv;
    if (kdx_nt_read(s, "nt!_DEVICE_OBJECT", o->device, "DriverObject", &o->driver, NULL) == KDX_OK &&
        kdx_io_driver_read(s, o->driver, &drv, NULL) == KDX_OK) {
        snprintf(o->driver_name, sizeof o->driver_name, "%s", drv.name);
        if (o->major < drv.nmajor)
            o->dispatch = drv.major[o->major];
    }
    return KDX_OK;
}

static void name_irp(kdx_analysis *a, const irp_owner *o)
{
    kdx_analysis_add(a, "IRP_ADDRESS", hexs(o->irp));
    if (o->device)
        kdx_analysis_add(a, "DEVICE_OBJECT", hexs(o->device));
    if (o->driver)
        kdx_analysis_add(a, "DRIVER_OBJECT", hexs(o->driver));
    if (o->driver_name[0]) {
        const char *mj = kdx_io_major_name(o->major), *mn = kdx_io_minor_name(o->major, o->minor);
        kdx_analysis_add(a, "IRP_HOLDER", kdx_asprintf("%s %s %s%s%s", o->driver_name, o->held ? "holds" : "last had",
                                                        mj ? mj : "?", mn ? "/" : "", mn ? mn : ""));
    }
    char *f = kdx_asprintf("!irp %" PRIx64, o->irp);
    if (o->device) {
        char *g = kdx_asprintf("%s ; !devstack %" PRIx64 " ; !drvobj %" PRIx64 " 2", f, o->device, o->driver);
        free(f);
        f = g;
    }
    kdx_analysis_add(a, "IO_FOLLOWUP", f);
}

static void power_failure(kdx_session *s, kdx_analysis *a, uint64_t *blame, const char **rule)
{
    const uint64_t *arg = a->bugcheck_args;
    kdx_analysis_add(a, "DRVPOWERSTATE_SUBCODE", hexs(arg[0]));
    kdx_err err = {0};
    if (arg[0] == 3) {
        irp_owner o;
        if (irp_owner_of(s, arg[3], &o, &err) != KDX_OK) {
            kdx_analysis_add_unknown(a, kdx_asprintf("blocked IRP (Arg4 %" PRIx64 "): %s", arg[3], err.msg));
            kdx_analysis_add(a, "IO_FOLLOWUP", kdx_asprintf("!irp %" PRIx64 " ; !devstack %" PRIx64, arg[3], arg[1]));
            return;
        }
        name_irp(a, &o);
        if (o.held && o.dispatch) {
            *blame = o.dispatch;
            *rule = "I1: the driver whose stack location is current in the blocked power IRP (0x9F sub-code 3), "
                    "at its dispatch routine for that major function";
        }
        return;
    }
    if (arg[0] == 4)
        kdx_analysis_add(a, "IO_FOLLOWUP", kdx_asprintf("!thread %" PRIx64, arg[2]));
    else if (arg[0] == 1 || arg[0] == 2)
        kdx_analysis_add(a, "IO_FOLLOWUP", kdx_asprintf("!devobj %" PRIx64 " ; !devstack %" PRIx64, arg[1], arg[1]));
    else
        kdx_analysis_add_unknown(a, kdx_asprintf("0x9F sub-code %" PRIx64 " names no IRP kdx decodes", arg[0]));
}

typedef struct irp_list_ctx {
    uint64_t link_off, first;
} irp_list_ctx;

static int first_irp(void *ud, uint64_t entry, size_t index)
{
    irp_list_ctx *c = ud;
    (void)index;
    c->first = entry - c->link_off;
    return 1;
}

/* 0xD1 and the others: the IRPs the crashing thread issued. */
static void thread_irp(kdx_session *s, kdx_analysis *a)
{
    uint64_t thread, head;
    kdx_err err = {0};
    irp_list_ctx c = {0, 0};
    kdx_nt_list_result r;
    if (kdx_nt_current_thread(s, &thread, &err) != KDX_OK ||
        kdx_nt_offset(s, "nt!_ETHREAD", "IrpList", &head, &err) != KDX_OK ||
        kdx_nt_offset(s, "nt!_IRP", "ThreadListEntry", &c.link_off, &err) != KDX_OK) {
        kdx_analysis_add_unknown(a, kdx_asprintf("IRP of the faulting thread: %s", err.msg));
        return;
    }
    kdx_nt_list_opts opts = {.max = 4096};
    kdx_status st = kdx_nt_list_walk(s, thread + head, &opts, first_irp, &c, &r);
    if (st != KDX_OK && r.end != KDX_NT_LIST_STOPPED) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(s, &r, "the faulting thread's IRP list", msg, sizeof msg);
        kdx_analysis_add_unknown(a, kdx_asprintf("IRP of the faulting thread: %s", msg));
        return;
    }
    if (!c.first)
        return; /* the thread has issued no IRP: nothing to name */
    irp_owner o;
    if (irp_owner_of(s, c.first, &o, &err) == KDX_OK)
        name_irp(a, &o);
    else
        kdx_analysis_add_unknown(a, kdx_asprintf("IRP %" PRIx64 " of the faulting thread: %s", c.first, err.msg));
}

/* Arguments that are IRPs (Type and counts valid) or device objects. */
static void irp_in_args(kdx_session *s, kdx_analysis *a, unsigned first)
{
    for (unsigned i = first; i < 4; i++) {
        uint64_t v = a->bugcheck_args[i];
        irp_owner o;
        kdx_io_device d;
        if (!v)
            continue;
        if (irp_owner_of(s, v, &o, NULL) == KDX_OK) {
            name_irp(a, &o);
            return;
        }
        if (kdx_io_device_read(s, v, &d, NULL) == KDX_OK) {
            kdx_analysis_add(a, "DEVICE_OBJECT", hexs(v));
            kdx_analysis_add(a, "IO_FOLLOWUP", kdx_asprintf("!devobj %" PRIx64 " ; !devstack %" PRIx64, v, v));
            return;
        }
    }
}

void kdx_analyze_io(kdx_session *s, kdx_analysis *a, uint64_t *blame_ip, const char **rule)
{
    *blame_ip = 0;
    *rule = NULL;
    switch (a->bugcheck_code) {
    case 0x9f:
        power_failure(s, a, blame_ip, rule);
        break;
    case 0x44: /* MULTIPLE_IRP_COMPLETE_REQUESTS: Arg1 the IRP */
        irp_in_args(s, a, 0);
        if (!kdx_analysis_get(a, "IRP_ADDRESS"))
            kdx_analysis_add_unknown(a, kdx_asprintf("the IRP of 0x44 (Arg1 %" PRIx64 ") could not be read as an IRP",
                                                     a->bugcheck_args[0]));
        break;
    case 0xd1:
    case 0xce:
        thread_irp(s, a);
        break;
    case 0xc9:
    case 0xcc:
    case 0xcd:
        irp_in_args(s, a, 1);
        if (!kdx_analysis_get(a, "IRP_ADDRESS"))
            thread_irp(s, a);
        break;
    default:
        break;
    }
}
