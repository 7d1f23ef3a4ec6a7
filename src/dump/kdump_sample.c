/* The bundled sample dump: a synthetic Windows 7 SP1 x64 kernel dump modelled
 * on the KERNEL_APC_PENDING_DURING_EXIT (0x20) case of the reference article:
 * an srv2 worker thread of the System process exits with its kernel APC
 * disable count at -1 (0xffff). The stack holds the article's frames (Child-SP
 * and return address of each); nothing here comes from a real dump. */
#include "dump/kdump_writer.h"

#include "base/bytes.h"
#include "base/util.h"

#define SAMPLE_THREAD 0xfffffa8049f04b50ull
#define SAMPLE_PROCESS 0xfffffa8048cad9e0ull
#define SAMPLE_RSP 0xfffff88005078b08ull
#define SAMPLE_KEBUGCHECKEX 0xfffff800016cbf00ull /* synthetic: no symbols ship with it */

/* Child-SP and return address of each frame of `!thread -1 e` in the article. */
static const uint64_t frames[][2] = {
    {0xfffff88005078b08ull, 0xfffff80001984bd9ull}, {0xfffff88005078b10ull, 0xfffff800019a1a3dull},
    {0xfffff88005078c10ull, 0xfffff8000195bc8aull}, {0xfffff88005078c60ull, 0xfffff88003c56769ull},
    {0xfffff88005078c90ull, 0xfffff88003c4b5b6ull}, {0xfffff88005078cc0ull, 0xfffff80001966e5aull},
    {0xfffff88005078d40ull, 0xfffff800016c0d26ull}, {0xfffff88005078d80ull, 0}};

static const struct {
    const char *path;
    uint64_t base;
    uint32_t size, stamp;
} drivers[] = {
    {"\\SystemRoot\\system32\\hal.dll", 0xfffff80001bfd000ull, 0x49000, 0x4ce7c669},
    {"\\SystemRoot\\system32\\drivers\\fltmgr.sys", 0xfffff88001000000ull, 0x4c000, 0x4ce7929c},
    {"\\SystemRoot\\system32\\drivers\\Ntfs.sys", 0xfffff88001258000ull, 0x1a3000, 0x4d79997b},
    {"\\SystemRoot\\system32\\DRIVERS\\srv2.sys", 0xfffff88003c3a000ull, 0x9a000, 0x4dd5e9a1},
    {"\\SystemRoot\\system32\\DRIVERS\\srv.sys", 0xfffff88003cd4000ull, 0x98000, 0x4dd5e9a7},
};

static kdx_status build_sample(kdx_kdw *w, kdx_err *err)
{
    /* 2011-06-14 16:20:33 UTC as a FILETIME; up 2 days 5:12:47. */
    uint64_t when = (1308068433ull + 11644473600ull) * 10000000ull + 4560000ull;
    kdx_kdw_set_system(w, 7601, 2, when, ((2ull * 24 + 5) * 3600 + 12 * 60 + 47) * 10000000ull);
    kdx_kdw_set_build_lab(w, "7601.17592.amd64fre.win7sp1_gdr.110408-1631");
    kdx_kdw_set_service_pack(w, 1);
    kdx_kdw_set_bugcheck(w, 0x20, 0, 0xffff, 0, 1);
    for (size_t i = 0; i < KDX_ARRAY_LEN(drivers); i++)
        kdx_kdw_add_module(w, drivers[i].path, drivers[i].base, drivers[i].size, drivers[i].stamp);
    /* The thread's stack: Limit fffff880`05073000, Base fffff880`05079000. */
    kdx_status st = kdx_kdw_map(w, 0xfffff88005073000ull, 0x6000, err);
    for (size_t i = 0; st == KDX_OK && i < KDX_ARRAY_LEN(frames); i++)
        st = kdx_kdw_write_ptr(w, frames[i][0], frames[i][1], err);
    /* KeBugCheckEx's arguments as its caller left them in the home area. */
    uint64_t home[4] = {0x20, 0, 0xffff, 0};
    for (int i = 0; st == KDX_OK && i < 4; i++)
        st = kdx_kdw_write_ptr(w, SAMPLE_RSP + 8 + 8 * (uint64_t)i, home[i], err);
    if (st != KDX_OK)
        return st;
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, SAMPLE_KEBUGCHECKEX);
    kdx_ctx_set(&c, KDX_X64_RSP, SAMPLE_RSP);
    kdx_ctx_set(&c, KDX_X64_RCX, 0x20);
    kdx_ctx_set(&c, KDX_X64_R8, 0xffff);
    kdx_ctx_set(&c, KDX_X64_CS, 0x10);
    kdx_ctx_set(&c, KDX_X64_SS, 0x18);
    kdx_ctx_set(&c, KDX_X64_EFL, 0x282);
    kdx_kdw_set_context(w, 0, &c, SAMPLE_THREAD, SAMPLE_PROCESS);
    /* Processor 1 idles. */
    kdx_context idle = c;
    kdx_ctx_set(&idle, KDX_X64_RIP, 0xfffff800016c6f7aull);
    kdx_ctx_set(&idle, KDX_X64_RSP, 0xfffff880009f6c98ull);
    kdx_ctx_set(&idle, KDX_X64_RCX, 0);
    kdx_ctx_set(&idle, KDX_X64_R8, 0);
    st = kdx_kdw_map(w, 0xfffff880009f6000ull, 0x1000, err);
    if (st != KDX_OK)
        return st;
    kdx_kdw_set_context(w, 1, &idle, 0xfffff880009f1f40ull, SAMPLE_PROCESS);
    /* KeBugCheckEx's prologue: home the four arguments, save flags, make room. */
    static const uint8_t prologue[] = {0x48, 0x89, 0x4c, 0x24, 0x08, 0x48, 0x89, 0x54, 0x24, 0x10,
                                       0x4c, 0x89, 0x44, 0x24, 0x18, 0x4c, 0x89, 0x4c, 0x24, 0x20,
                                       0x9c, 0x48, 0x83, 0xec, 0x30, 0xfa};
    st = kdx_kdw_write_virt(w, SAMPLE_KEBUGCHECKEX, prologue, sizeof prologue, err);
    if (st != KDX_OK)
        return st;
    /* The exiting thread: KernelApcDisable (KTHREAD+0x1c4 on 7601 x64) = -1. */
    uint8_t apc[2];
    kdx_put_le16(apc, 0xffff);
    st = kdx_kdw_write_virt(w, SAMPLE_THREAD + 0x1c4, apc, 2, err);
    /* The System process: ImageFileName at EPROCESS+0x2e0. */
    if (st == KDX_OK)
        st = kdx_kdw_write_virt(w, SAMPLE_PROCESS + 0x2e0, "System", 7, err);
    return st;
}

kdx_status kdx_kdw_sample_apc_exit(kdx_kdw_kind kind, const char *path, kdx_err *err)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
    kdx_status st = build_sample(w, err);
    if (st == KDX_OK)
        st = kdx_kdw_save(w, kind, path, err);
    kdx_kdw_free(w);
    return st;
}
