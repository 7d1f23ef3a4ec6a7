/* The I/O scenario of the I/O manager's tests and golden transcript: a
 * filter (kdxfilt) over a function driver (kdxfunc) over a bus driver
 * (kdxbus), named in \Driver and \Device, a device node under the root; a
 * read IRP pending in the bus driver with a completion routine the filter
 * set, owned by a thread of kdxapp.exe; a power IRP blocked in the function
 * driver and the DRIVER_POWER_STATE_FAILURE (0x9F, sub-code 3) that names
 * it. The IRPs are small allocations of a kernel segment heap
 * (scenario_segheap.c), with a third one nothing else references (only a
 * pool scan finds it). Laid out with the 19041 ISF at run time. */
#ifndef KDX_TESTS_IO_FIXTURE_H
#define KDX_TESTS_IO_FIXTURE_H

#include "dump/scenario.h"

typedef struct io_fixture {
    uint64_t drv_filt, drv_func, drv_bus;
    uint64_t filt, fdo, pdo;           /* the stack, top to bottom */
    uint64_t devnode;
    uint64_t app_thread, read_irp, power_irp;
    uint64_t lost_irp;                 /* in the pool only: no thread, device or list holds it */
    uint64_t crash_thread;             /* running on processor 0, raised the bug check */
} io_fixture;

/* Declares the scenario into s (a fresh nt_fixture_scenario()). */
void io_fixture_build(kdx_scn *s, io_fixture *f);

#endif
