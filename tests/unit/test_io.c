/* The I/O manager: names generated from wdm.h, IRPs, devices, drivers and
 * the PnP tree on the I/O scenario (io_fixture.h), corrupt IRPs and device
 * lists that loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "nt/io.h"
#include "nt/io_names.h"
#include "tests/test.h"
#include "tests/unit/io_fixture.h"
#include "tests/unit/nt_fixture.h"

TEST(io_names_from_the_ddk_header)
{
    CHECK(kdx_io_major_name(0) && !strcmp(kdx_io_major_name(0), "IRP_MJ_CREATE"));
    uint32_t pnp = 0, power = 0, read = 0;
    CHECK(kdx_io_value_of(kdx_io_major, "IRP_MJ_PNP", &pnp));
    CHECK(kdx_io_value_of(kdx_io_major, "IRP_MJ_POWER", &power));
    CHECK(kdx_io_value_of(kdx_io_major, "IRP_MJ_READ", &read));
    /* Two names share 0xf (INTERNAL_DEVICE_CONTROL, SCSI): the first one wins. */
    CHECK(!strcmp(kdx_io_major_name(0xf), "IRP_MJ_INTERNAL_DEVICE_CONTROL"));
    CHECK(!strcmp(kdx_io_minor_name(pnp, 0), "IRP_MN_START_DEVICE"));
    CHECK(!strcmp(kdx_io_minor_name(power, 2), "IRP_MN_SET_POWER"));
    CHECK(kdx_io_minor_name(read, 0) == NULL);
    CHECK(kdx_io_type_code("IO_TYPE_IRP") == 6 && kdx_io_type_code("IO_TYPE_DEVICE") == 3);
    char buf[256];
    kdx_io_flag_names(kdx_io_irp_flags, 0x101 | 0x80000000u, " ", buf, sizeof buf);
    CHECK_STR(buf, "IRP_NOCACHE IRP_READ_OPERATION 0x80000000");
    kdx_io_flag_names(kdx_io_characteristics, 0, ", ", buf, sizeof buf);
    CHECK_STR(buf, "");
}

#define IO_SCENARIO(ses, f, name)                                                  \
    NT_SCENARIO(scn_);                                                             \
    io_fixture f;                                                                  \
    io_fixture_build(scn_, &f);                                                    \
    kdx_session *ses = nt_fixture_open(scn_, name);                                \
    REQUIRE(ses)

static char *run(kdx_session *s, const char *fmt, uint64_t a)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, fmt, a);
    return nt_fixture_run(s, cmd);
}

TEST(io_scenario_device_stack_and_irp)
{
    IO_SCENARIO(s, f, "io_stack");
    kdx_io_irp irp;
    kdx_err err = {0};
    CHECK_OK(kdx_io_irp_read(s, f.read_irp, &irp, &err));
    CHECK_EQ(irp.stack_count, 3);
    CHECK_EQ(kdx_io_irp_current(&irp), 0);
    CHECK_EQ(irp.stack[0].device, f.pdo);
    CHECK_EQ(irp.stack[1].context, f.filt);
    CHECK_EQ(irp.thread, f.app_thread);
    uint64_t stack[8];
    size_t n, given;
    CHECK_OK(kdx_io_device_stack(s, f.fdo, stack, 8, &n, &given, &err));
    CHECK_EQ(n, 3);
    CHECK_EQ(given, 1);
    CHECK_EQ(stack[0], f.filt);
    CHECK_EQ(stack[2], f.pdo);
    char *out = run(s, "!irp %" PRIx64, f.read_irp);
    CHECK_CONTAINS(out, "Irp is active with 3 stacks 1 is current");
    CHECK_CONTAINS(out, ">[IRP_MJ_READ(3), N/A(0)]");
    CHECK_CONTAINS(out, "kdxfilt!kdxfiltReadCompletion");
    CHECK_CONTAINS(out, "Success Error Cancel");
    CHECK_CONTAINS(out, "\\Driver\\kdxbus");
    CHECK_CONTAINS(out, "Image: kdxapp.exe");
    free(out);
    /* "Another Who Done It": !thread lists the IRPs the thread issued; !irp takes it from there. */
    out = run(s, "!thread %" PRIx64, f.app_thread);
    char want[128];
    snprintf(want, sizeof want, "IRP List:\n    %" PRIx64 ": (0006,", f.read_irp);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, ") Flags: 00000101  Mdl: 00000000\n");
    free(out);
    out = run(s, "!devstack %" PRIx64, f.fdo);
    CHECK_CONTAINS(out, "> ");
    CHECK_CONTAINS(out, "\\Driver\\kdxfunc");
    CHECK_CONTAINS(out, "KdxDisk0");
    CHECK_CONTAINS(out, "DeviceInst is \"KDXBUS\\KDXDISK\\1&2d4b6a1&0&01\"");
    free(out);
    out = nt_fixture_run(s, "!devobj \\Device\\KdxDisk0");
    CHECK_CONTAINS(out, "KdxDisk0 \\Driver\\kdxfunc DriverObject");
    CHECK_CONTAINS(out, "AttachedDevice (Upper)");
    CHECK_CONTAINS(out, "AttachedTo (Lower)");
    CHECK_CONTAINS(out, "FILE_DEVICE_SECURE_OPEN");
    free(out);
    out = nt_fixture_run(s, "!drvobj kdxfunc 2; ln kdxfunc!kdxfuncDispatchPower");
    CHECK_CONTAINS(out, "[16] IRP_MJ_POWER");
    CHECK_CONTAINS(out, "kdxfunc!kdxfuncDispatchPower");
    CHECK_CONTAINS(out, "nt!IopInvalidDeviceRequest");
    CHECK_CONTAINS(out, "AddDevice:     ");
    free(out);
    out = nt_fixture_run(s, "!devnode 0 1");
    CHECK_CONTAINS(out, "InstancePath is \"HTREE\\ROOT\\0\"");
    CHECK_CONTAINS(out, "  ServiceName is \"kdxfunc\"");
    free(out);
    nt_fixture_close(s);
}

/* StackCount 0, a StackCount above the limit, CurrentLocation past
 * StackCount + 1 and a Size too small for the locations: each is an error
 * naming the IRP and the field, never a read past the packet. */
TEST(io_irp_with_corrupt_stack_counts)
{
    NT_SCENARIO(scn);
    io_fixture f;
    io_fixture_build(scn, &f);
    kdx_scn_irp_location l[2] = {{0}};
    uint64_t zero = kdx_scn_irp(scn, f.app_thread, l, 2, 1, 0);
    kdx_scn_poke(scn, "_IRP", zero, "StackCount", 0);
    uint64_t huge = kdx_scn_irp(scn, 0, l, 2, 1, 0);
    kdx_scn_poke(scn, "_IRP", huge, "StackCount", 0x7f);
    uint64_t negative = kdx_scn_irp(scn, 0, l, 2, 1, 0);
    kdx_scn_poke(scn, "_IRP", negative, "StackCount", 0xf0);
    uint64_t past = kdx_scn_irp(scn, 0, l, 2, 1, 0);
    kdx_scn_poke(scn, "_IRP", past, "CurrentLocation", 4);
    uint64_t small = kdx_scn_irp(scn, 0, l, 2, 1, 0);
    kdx_scn_poke(scn, "_IRP", small, "StackCount", 9);
    uint64_t done = kdx_scn_irp(scn, f.app_thread, l, 2, 3, 0); /* CurrentLocation StackCount + 1: valid */
    kdx_session *s = nt_fixture_open(scn, "io_corrupt_irp");
    REQUIRE(s);
    kdx_io_irp irp;
    kdx_err err = {0};
    CHECK(kdx_io_irp_read(s, zero, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "StackCount 0 is corrupt");
    CHECK(kdx_io_irp_read(s, huge, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "StackCount 127 is corrupt");
    CHECK(kdx_io_irp_read(s, negative, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "StackCount -16 is corrupt");
    CHECK(kdx_io_irp_read(s, past, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "CurrentLocation 4 is corrupt (StackCount 2 allows 1..3)");
    CHECK(kdx_io_irp_read(s, small, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "cannot hold 9 stack locations");
    CHECK_OK(kdx_io_irp_read(s, done, &irp, &err));
    CHECK_EQ(kdx_io_irp_current(&irp), (uint64_t)-1);
    /* Not an IRP at all: a device object. */
    CHECK(kdx_io_irp_read(s, f.fdo, &irp, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "not IO_TYPE_IRP");
    char *out = run(s, "!irp %" PRIx64, zero);
    CHECK_CONTAINS(out, "StackCount 0 is corrupt");
    free(out);
    out = run(s, "!irp %" PRIx64, done);
    CHECK_CONTAINS(out, "no driver holds the IRP yet");
    CHECK(!strchr(out, '>'));
    free(out);
    /* !irpfind finds both on the thread's IRP list: one it cannot show, one completed. */
    out = nt_fixture_run(s, "!irpfind");
    char want[160];
    snprintf(want, sizeof want, "%" PRIx64 " (not shown: IRP ", zero);
    CHECK_CONTAINS(out, want);
    snprintf(want, sizeof want, "%" PRIx64 " [%" PRIx64 "] Irp is complete (CurrentLocation 3 > StackCount 2)\n", done,
             f.app_thread);
    CHECK_CONTAINS(out, want);
    free(out);
    nt_fixture_close(s);
}

/* AttachedDevice pointing back down the stack, a NextDevice list that
 * comes round to its second device, and a device tree whose child links
 * back to the root end with errors naming where the loop closes. */
TEST(io_device_lists_that_loop)
{
    NT_SCENARIO(scn);
    io_fixture f;
    io_fixture_build(scn, &f);
    kdx_scn_poke(scn, "_DEVICE_OBJECT", f.filt, "AttachedDevice", f.fdo);
    uint64_t second = kdx_scn_device(scn, f.drv_bus, NULL, 0x2a, 0, 0, 0);
    uint64_t third = kdx_scn_device(scn, f.drv_bus, NULL, 0x2a, 0, 0, 0);
    (void)third;
    /* The bus driver's list is third -> second -> pdo; make pdo lead back to second. */
    kdx_scn_poke(scn, "_DEVICE_OBJECT", f.pdo, "NextDevice", second);
    kdx_scn_poke(scn, "_DEVICE_NODE", f.devnode, "Child", f.devnode);
    kdx_session *s = nt_fixture_open(scn, "io_loops");
    REQUIRE(s);
    uint64_t stack[16], devs[16];
    size_t n, given;
    kdx_err err = {0};
    CHECK(kdx_io_device_stack(s, f.pdo, stack, 16, &n, &given, &err) == KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "the device stack loops");
    CHECK(n <= 4);
    kdx_io_driver d;
    CHECK_OK(kdx_io_driver_read(s, f.drv_bus, &d, &err));
    CHECK(kdx_io_driver_devices(s, &d, devs, 16, &n, &err) == KDX_E_LIMIT);
    CHECK_CONTAINS(err.msg, "loops");
    CHECK_EQ(n, 3);
    char *out = run(s, "!devstack %" PRIx64, f.fdo);
    CHECK_CONTAINS(out, "the stack walk stopped");
    free(out);
    out = nt_fixture_run(s, "!drvobj kdxbus");
    CHECK_CONTAINS(out, "the device list stopped");
    free(out);
    out = nt_fixture_run(s, "!devnode 0 1");
    CHECK_CONTAINS(out, "the device tree loops at device node");
    free(out);
    out = nt_fixture_run(s, "!irpfind");
    CHECK_CONTAINS(out, "3 IRPs shown of 3 found."); /* read, power and the lost IRP only the pool holds */
    free(out);
    nt_fixture_close(s);
}

/* 0xD1 names the IRP the crashing thread issued; 0x44 the IRP in Arg1. */
TEST(io_analyze_d1_and_44)
{
    NT_SCENARIO(scn);
    io_fixture f;
    io_fixture_build(scn, &f);
    kdx_scn_irp_location l[1] = {{0}};
    uint32_t ioctl = 0;
    CHECK(kdx_io_value_of(kdx_io_major, "IRP_MJ_DEVICE_CONTROL", &ioctl));
    l[0].major = (uint8_t)ioctl;
    l[0].device = f.fdo;
    uint64_t irp = kdx_scn_irp(scn, f.crash_thread, l, 1, 1, 0);
    const uint64_t args[4] = {0x10, 2, 0, kdx_scn_code(scn, "kdxfunc!kdxfuncDispatchRead", 0x20)};
    kdx_scn_bugcheck(scn, 0xd1, args);
    kdx_session *s = nt_fixture_open(scn, "io_d1");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!analyze -v");
    char want[128];
    snprintf(want, sizeof want, "IRP_ADDRESS:  %" PRIx64 "\n", irp);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "IRP_HOLDER:  \\Driver\\kdxfunc holds IRP_MJ_DEVICE_CONTROL\n");
    snprintf(want, sizeof want, "IO_FOLLOWUP:  !irp %" PRIx64 " ; !devstack %" PRIx64, irp, f.fdo);
    CHECK_CONTAINS(out, want);
    free(out);
    nt_fixture_close(s);

    NT_SCENARIO(scn2);
    io_fixture_build(scn2, &f);
    const uint64_t args44[4] = {f.read_irp, 0x1234, 0, 0};
    kdx_scn_bugcheck(scn2, 0x44, args44);
    s = nt_fixture_open(scn2, "io_44");
    REQUIRE(s);
    out = nt_fixture_run(s, "!analyze -v");
    snprintf(want, sizeof want, "IRP_ADDRESS:  %" PRIx64 "\n", f.read_irp);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "IRP_HOLDER:  \\Driver\\kdxbus holds IRP_MJ_READ\n");
    free(out);
    nt_fixture_close(s);
}

/* The reference article's (KERNEL_APC_PENDING_DURING_EXIT) !devobj and
 * !devstack: an unnamed \FileSystem\FltMgr device (Type 8, Flags 0x40000,
 * ExtensionFlags 0x80000800) attached to \FileSystem\Ntfs. Every line but
 * the addresses and the DOE_ names (not in the public headers) is the
 * article's. */
TEST(io_reference_article_fltmgr_over_ntfs)
{
    NT_SCENARIO(scn);
    io_fixture f;
    io_fixture_build(scn, &f);
    kdx_scn_module(scn, "fltmgr.sys", 0xfffff8048b660000ull, 0x10000);
    kdx_scn_module(scn, "ntfs.sys", 0xfffff8048b680000ull, 0x10000);
    uint64_t flt = kdx_scn_driver(scn, "\\FileSystem\\FltMgr", "fltmgr.sys", NULL, 0, NULL);
    uint64_t ntfs = kdx_scn_driver(scn, "\\FileSystem\\Ntfs", "ntfs.sys", NULL, 0, NULL);
    uint32_t fs = 0;
    CHECK(kdx_io_value_of(kdx_io_device_types, "FILE_DEVICE_DISK_FILE_SYSTEM", &fs));
    uint64_t lower = kdx_scn_device(scn, ntfs, NULL, fs, 0, 0x150, 0);
    uint64_t upper = kdx_scn_device(scn, flt, NULL, fs, 0, 0x58, lower);
    kdx_scn_poke(scn, "_DEVICE_OBJECT", upper, "Flags", 0x40000);
    /* The extension's address, read back through the writer's own view. */
    uint8_t b[8] = {0};
    kdx_kdw_read_virt(kdx_scn_writer(scn), upper + kdx_scn_offset(scn, "_DEVICE_OBJECT", "DeviceObjectExtension"), b,
                      8);
    kdx_scn_poke(scn, "_DEVOBJ_EXTENSION", kdx_le64(b), "ExtensionFlags", 0x80000800);
    kdx_session *s = nt_fixture_open(scn, "io_article");
    REQUIRE(s);
    char *out = run(s, "!devobj %" PRIx64, upper);
    char want[256];
    snprintf(want, sizeof want, "Device object (%" PRIx64 ") is for:\n  \\FileSystem\\FltMgr DriverObject %" PRIx64 "\n",
             upper, flt);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "Current Irp 00000000 RefCount 0 Type 00000008 Flags 00040000\n");
    CHECK_CONTAINS(out, "ExtensionFlags (0x80000800)");
    CHECK_CONTAINS(out, "Characteristics (0000000000)");
    snprintf(want, sizeof want, "AttachedTo (Lower) %" PRIx64 " \\FileSystem\\Ntfs\n", lower);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "Device queue is not busy.\n");
    free(out);
    out = run(s, "!devstack %" PRIx64, upper);
    CHECK_CONTAINS(out, "  !DevObj   !DrvObj            !DevExt   ObjectName\n");
    snprintf(want, sizeof want, "> %" PRIx64 "  \\FileSystem\\FltMgr ", upper);
    CHECK_CONTAINS(out, want);
    snprintf(want, sizeof want, "  %" PRIx64 "  \\FileSystem\\Ntfs   ", lower);
    CHECK_CONTAINS(out, want);
    free(out);
    nt_fixture_close(s);
}

/* The IRPs are small allocations of the scenario's segment heap: !irpfind
 * walks the pool and finds the lost IRP that no thread, device or list holds;
 * kdx_io_find_irps counts what the pool walk covered. */
static int no_stop(void *ud, uint64_t irp)
{
    (void)ud, (void)irp;
    return 0;
}

TEST(io_irpfind_scans_the_segment_heap)
{
    IO_SCENARIO(s, f, "io_pool");
    kdx_io_irp_sources src;
    kdx_io_find_irps(s, no_stop, NULL, &src);
    CHECK(src.pool_scanned);
    CHECK_EQ(src.pool_heaps, 1);
    CHECK_EQ(src.pool_irps, 3); /* read, power and lost: the fixture's IRPs */
    CHECK_EQ(src.irps, 3);
    char *out = nt_fixture_run(s, "!irpfind");
    char want[64];
    snprintf(want, sizeof want, "\n%" PRIx64 " [0000000000000000] irpStack: ( 0, 0)", f.lost_irp);
    CHECK_CONTAINS(out, want);
    CHECK_CONTAINS(out, "Searched the pool: 3 small allocations tagged Irp in 1 segment heap");
    free(out);
    nt_fixture_close(s);
}
