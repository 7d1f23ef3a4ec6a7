/* The leak scenario's Driver Verifier logs besides the pool log
 * (kdx_scn_leak_vf_logs, scenario_vflog.h): IRP, fault-injection,
 * forced-pending and IRQL events whose stacks run through leaky.sys. */
#include <string.h>

#include "dump/scenario_pool.h"
#include "dump/scenario_vflog.h"

#define IRP_MJ_DEVICE_CONTROL 0xeu     /* wdm.h's code, not a structure offset */
#define FILE_DEVICE_UNKNOWN 0x22u

/* The system-call path under every leaky.sys dispatch (outermost frames). */
static unsigned ioctl_path(kdx_scn *s, uint64_t *st, unsigned n)
{
    st[n++] = kdx_scn_code(s, "nt!IovCallDriver", 0x20);
    st[n++] = kdx_scn_code(s, "nt!IopXxxControlFile", 0x37);
    st[n++] = kdx_scn_code(s, "nt!NtDeviceIoControlFile", 0x16);
    st[n++] = kdx_scn_code(s, "nt!KiSystemServiceCopyEnd", 0x13);
    return n;
}

static kdx_scn_vf_event irp_event(kdx_scn *s, uint64_t irp, uint64_t thread, const char *inner, uint32_t off,
                                  uint32_t driver_off)
{
    kdx_scn_vf_event e = {0};
    e.irp = irp, e.thread = thread;
    e.stack[e.nstack++] = kdx_scn_code(s, inner, off);
    if (driver_off)
        e.stack[e.nstack++] = kdx_scn_code(s, "leaky!DispatchIoctl", driver_off);
    e.nstack = ioctl_path(s, e.stack, e.nstack);
    return e;
}

/* Each IRP allocated by the I/O manager and completed by leaky.sys; the
 * last one cancelled too, inside a critical region (KernelApcDisable -1). */
static void irp_log(kdx_scn *s, const uint64_t *irps, uint64_t thread)
{
    kdx_scn_vf_event e[KDX_SCN_LEAK_IRP_EVENTS];
    unsigned n = 0;
    for (unsigned i = 0; i < KDX_SCN_LEAK_IRPS; i++) {
        e[n++] = irp_event(s, irps[i], thread, "nt!IovAllocateIrp", 0x1a, 0);
        e[n] = irp_event(s, irps[i], thread, "nt!IovCompleteRequest", 0x24, 0x2c);
        e[n++].irql = 2;
    }
    e[n] = irp_event(s, irps[KDX_SCN_LEAK_IRPS - 1], thread, "nt!IovCancelIrp", 0x12, 0x31);
    e[n++].kernel_apc = -1;
    kdx_scn_vf_ring_log(s, KDX_SCN_VF_IRP_LOG, e, n, KDX_SCN_LEAK_IRP_LENGTH);
}

static void fault_log(kdx_scn *s, uint64_t thread, uint64_t alloc_ret, uint64_t dispatch_ret)
{
    kdx_scn_vf_event e[KDX_SCN_LEAK_FAULTS];
    for (unsigned i = 0; i < KDX_SCN_LEAK_FAULTS; i++) {
        kdx_scn_vf_event *f = &e[i];
        memset(f, 0, sizeof *f);
        f->thread = thread;
        f->stack[f->nstack++] = kdx_scn_code(s, "nt!VfFaultsInjectPoolAllocationFailure", 0x1c);
        f->stack[f->nstack++] = kdx_scn_code(s, "nt!VerifierExAllocatePoolEx", 0x1d);
        f->stack[f->nstack++] = alloc_ret;
        f->stack[f->nstack++] = dispatch_ret;
        f->nstack = ioctl_path(s, f->stack, f->nstack);
    }
    kdx_scn_vf_ring_log(s, KDX_SCN_VF_FAULT_LOG, e, KDX_SCN_LEAK_FAULTS, KDX_SCN_LEAK_FAULT_LENGTH);
}

static void pending_log(kdx_scn *s, const uint64_t *irps, uint64_t thread)
{
    kdx_scn_vf_event e[KDX_SCN_LEAK_PENDING];
    for (unsigned i = 0; i < KDX_SCN_LEAK_PENDING; i++) {
        e[i] = irp_event(s, irps[i], thread, "nt!VfPendingShouldForce", 0x18, 0x2c);
        /* VfPendingShouldForce is called from the completion path. */
        memmove(&e[i].stack[2], &e[i].stack[1], (e[i].nstack - 1) * sizeof e[i].stack[0]);
        e[i].stack[1] = kdx_scn_code(s, "nt!IovCompleteRequest", 0x24);
        e[i].nstack++;
    }
    kdx_scn_vf_ring_log(s, KDX_SCN_VF_PENDING_LOG, e, KDX_SCN_LEAK_PENDING, KDX_SCN_LEAK_PENDING_LENGTH);
}

static void irql_log(kdx_scn *s, kdx_scn_pool *p, uint64_t thread)
{
    for (unsigned i = 0; i < KDX_SCN_LEAK_IRQLS; i++) {
        kdx_scn_vf_alloc e = {0};
        e.thread = thread;
        e.old_irql = (i & 1) ? 2 : 0, e.new_irql = (i & 1) ? 0 : 2;
        e.tick = 0x2000 + i;
        e.stack[e.nstack++] = kdx_scn_code(s, (i & 1) ? "nt!VerifierKeReleaseSpinLock" : "nt!VerifierKeAcquireSpinLockRaiseToDpc", 0x10);
        e.stack[e.nstack++] = kdx_scn_code(s, "leaky!DispatchIoctl", 0x20 + i);
        e.nstack = ioctl_path(s, e.stack, e.nstack);
        kdx_scn_pool_irql_change(p, &e);
    }
}

void kdx_scn_leak_vf_logs(kdx_scn *s, struct kdx_scn_pool *p, uint64_t thread, uint64_t alloc_ret,
                          uint64_t dispatch_ret)
{
    const kdx_scn_dispatch d[] = {{IRP_MJ_DEVICE_CONTROL, "leaky!DispatchIoctl"}};
    uint64_t drv = kdx_scn_driver(s, "\\Driver\\leaky", "leaky.sys", d, 1, NULL);
    uint64_t dev = kdx_scn_device(s, drv, "Leaky", FILE_DEVICE_UNKNOWN, 0, 0x40, 0);
    uint64_t irps[KDX_SCN_LEAK_IRPS];
    for (unsigned i = 0; i < KDX_SCN_LEAK_IRPS; i++) {
        kdx_scn_irp_location loc = {0};
        loc.major = IRP_MJ_DEVICE_CONTROL, loc.device = dev;
        irps[i] = kdx_scn_irp(s, thread, &loc, 1, 1, 0);
    }
    irp_log(s, irps, thread);
    fault_log(s, thread, alloc_ret, dispatch_ret);
    pending_log(s, irps, thread);
    irql_log(s, p, thread);
}
