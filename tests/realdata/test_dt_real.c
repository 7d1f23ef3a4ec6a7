/* dt's value layout on the kernel's real types (the ISF table) over a small
 * in-memory target whose bytes this test writes: bit fields as in the
 * article's `dt _MMPTE_HARDWARE ADDR`, counted strings, text pointers,
 * unions through a field path, unreadable memory. */
#include <stdio.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "base/file.h"
#include "base/util.h"
#include "commands/command.h"
#include "sym/sources.h"
#include "sym/symbols.h"
#include "tests/test.h"

#define MEM_BASE 0xfffff80000000000ull
#define MEM_SIZE 0x3000

typedef struct memtarget {
    uint8_t bytes[MEM_SIZE];
} memtarget;

static kdx_status mem_read(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    memtarget *m = impl;
    *done = 0;
    if (va < MEM_BASE || va - MEM_BASE >= MEM_SIZE)
        return KDX_E_MEM_MISSING;
    size_t off = (size_t)(va - MEM_BASE), n = KDX_MIN(len, MEM_SIZE - off);
    memcpy(buf, m->bytes + off, n);
    *done = n;
    return n == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static void mem_close(void *impl)
{
    free(impl);
}

static const kdx_target_ops mem_ops = {.format_name = "test memory", .close = mem_close,
                                       .read_virt = mem_read};

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A session on a 64-bit target with nt's ISF types and the bytes below. */
static kdx_session *open_session(const char *isf, FILE *out, kdx_err *err)
{
    kdx_symprov prov = {0};
    kdx_symfile_id id;
    if (kdx_isf_provider_open(isf, &prov, &id, err) != KDX_OK)
        return NULL;
    memtarget *mt = kdx_xcalloc(1, sizeof *mt);
    uint8_t *b = mt->bytes;
    put64(b + 0x0, 0x000000000102D963ull);            /* a valid PTE, pfn 102d */
    b[0x100] = 10;                                    /* _UNICODE_STRING: Length 10 */
    b[0x102] = 12;                                    /* MaximumLength */
    put64(b + 0x108, MEM_BASE + 0x200);               /* Buffer */
    const char *hello = "Hello";
    for (int i = 0; hello[i]; i++)
        b[0x200 + 2 * i] = (uint8_t)hello[i];
    b[0x400] = 4;                                     /* a counted string whose buffer is missing */
    b[0x402] = 4;
    put64(b + 0x408, 0xfffff80012340000ull);
    for (int i = 0; i < 3; i++) {                     /* a circular list of three entries */
        put64(b + 0x1000 + 0x10 * i, MEM_BASE + 0x1000 + 0x10 * ((i + 1) % 3));
        put64(b + 0x1008 + 0x10 * i, MEM_BASE + 0x1000 + 0x10 * ((i + 2) % 3));
    }
    for (int i = 0; i < 3; i++)                       /* a list whose third entry links back to the second */
        put64(b + 0x1100 + 0x10 * i, MEM_BASE + 0x1100 + 0x10 * (i == 2 ? 1 : i + 1));
    kdx_target *t = kdx_target_new(KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64, "memory");
    t->ops = &mem_ops;
    t->impl = mt;
    put64(b + 0x2058, MEM_BASE + 0x3f5a80);           /* _DRIVER_OBJECT.DriverInit -> KeBugCheckEx */
    kdx_module *m = kdx_module_new("nt", MEM_BASE, 0x1000000);
    m->image_name = kdx_strdup("ntoskrnl.exe");
    m->symbols = prov;
    m->symstatus = KDX_SYMSTATUS_ISF;
    kdx_target_add_module(t, m);
    kdx_session *s = kdx_session_new(out);
    s->target = t;
    kdx_sym_target_changed(s);
    return s;
}

TEST(dt_real_values_on_isf_types)
{
    TESTDATA(isf, "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    kdx_err err = {0};
    kdx_session *s = open_session(isf, out, &err);
    REQUIRE(s);
    kdx_execute(s, "dt nt!_MMPTE_HARDWARE fffff800`00000000; "
                   "dt nt!_MMPTE fffff800`00000000 u.Hard.PageFrameNumber; "
                   "dt nt!_UNICODE_STRING fffff800`00000100; "
                   "dt nt!_OBJECT_NAME_INFORMATION fffff800`00000100; "
                   "dt nt!_OBJECT_NAME_INFORMATION fffff800`00000400; "
                   "dt nt!_LIST_ENTRY fffff800`00002ff8; "
                   "dt -v nt!_MMPTE_HARDWARE; dt -b nt!_MMPTE; "
                   "dt nt!_LIST_ENTRY -l Flink fffff800`00001000 -y Bl; "
                   "dt nt!_LIST_ENTRY -l Flink fffff800`00001100 -y Fl; "
                   "dt nt!_KTIMER fffff7ff`ffffffe8 DueTime; "
                   "dt nt!_DRIVER_OBJECT fffff800`00002000 DriverInit");
    kdx_session_free(s);
    fclose(out);
    CHECK_CONTAINS(buf, "   +0x000 Valid            : 0y1\n"
                        "   +0x000 Dirty1           : 0y1\n"
                        "   +0x000 Owner            : 0y0\n");
    CHECK_CONTAINS(buf, "   +0x000 Write            : 0y1\n"
                        "   +0x000 PageFrameNumber  : 0y000000000000000000000001000000101101 (0x102d)\n"
                        "   +0x000 ReservedForHardware : 0y0000 (0)\n");
    CHECK_CONTAINS(buf, "   +0x000 u                      : \n"
                        "      +0x000 Hard                   : \n"
                        "         +0x000 PageFrameNumber        : 0y000000000000000000000001000000101101 (0x102d)\n");
    CHECK_CONTAINS(buf, "   +0x000 Length           : 0xa\n"
                        "   +0x002 MaximumLength    : 0xc\n"
                        "   +0x008 Buffer           : 0xfffff800`00000200  \"Hello\"\n");
    CHECK_CONTAINS(buf, "   +0x000 Name             : _UNICODE_STRING \"Hello\"\n");
    CHECK_CONTAINS(buf, "   +0x000 Name             : _UNICODE_STRING \"--- memory read error at "
                        "address 0xfffff800`12340000 ---\"\n");
    /* A structure straddling the end of readable memory. */
    CHECK_CONTAINS(buf, "   +0x000 Flink            : (null)\n"
                        "   +0x008 Blink            : ???? \n"
                        "Memory read error fffff80000003000\n");
    CHECK_CONTAINS(buf, "struct _MMPTE_HARDWARE, 18 elements, 0x8 bytes\n"
                        "   +0x000 Valid            : Bitfield Pos 0, 1 Bit\n");
    CHECK_CONTAINS(buf, "   +0x000 PageFrameNumber  : Bitfield Pos 12, 36 Bits\n");
    CHECK_CONTAINS(buf, "Flink at 0xfffff800`00001000\n   +0x008 Blink : 0xfffff800`00001020 _LIST_ENTRY\n"
                        "Flink at 0xfffff800`00001010\n   +0x008 Blink : 0xfffff800`00001000 _LIST_ENTRY\n"
                        "Flink at 0xfffff800`00001020\n   +0x008 Blink : 0xfffff800`00001010 _LIST_ENTRY\n");
    CHECK(!strstr(buf, "Flink at 0xfffff800`00001020\n   +0x008 Blink : 0xfffff800`00001010 _LIST_ENTRY\n"
                       "Flink at 0xfffff800`00001000"));
    /* A looping list: each entry once, then the entry that repeats. */
    CHECK_CONTAINS(buf, "Flink at 0xfffff800`00001100\n   +0x000 Flink : 0xfffff800`00001110 _LIST_ENTRY\n"
                        "Flink at 0xfffff800`00001110\n   +0x000 Flink : 0xfffff800`00001120 _LIST_ENTRY\n"
                        "Flink at 0xfffff800`00001120\n   +0x000 Flink : 0xfffff800`00001110 _LIST_ENTRY\n"
                        "The list loops: Flink of the entry at 0xfffff800`00001120 leads back to the "
                        "entry at 0xfffff800`00001110, shown above; the walk stops here.\n");
    /* Large integers as their 64-bit value (the PTE's bytes read as one). */
    CHECK_CONTAINS(buf, "   +0x018 DueTime : _ULARGE_INTEGER 0x102d963\n");
    CHECK_CONTAINS(buf, "   +0x058 DriverInit : 0xfffff800`003f5a80 ");
    CHECK_CONTAINS(buf, "  nt!KeBugCheckEx+0\n");
    /* -b expands the union and its members. */
    CHECK_CONTAINS(buf, "   +0x000 u                : <unnamed-tag>\n"
                        "      +0x000 Hard             : _MMPTE_HARDWARE\n"
                        "         +0x000 Valid            : Pos 0, 1 Bit\n");
    free(buf);
}

/* A module whose header page is in the dump but not its .pdata (what a triage
 * dump keeps): the image file from the symbol path is used instead. */
TEST(sym_real_partial_memory_image_prefers_file)
{
    TESTDATA(sys, "symstore/amdppm.sys/c9c030003b000/amdppm.sys");
    char *sysdup = kdx_strdup(sys);
    TESTDATA(store, "symstore");
    uint8_t *img;
    size_t len;
    kdx_err err = {0};
    REQUIRE(kdx_read_all(sysdup, &img, &len, &err) == KDX_OK && len > 0x1000);
    memtarget *mt = kdx_xcalloc(1, sizeof *mt);
    memcpy(mt->bytes, img, 0x1000); /* the headers only */
    free(img);
    kdx_target *tg = kdx_target_new(KDX_TARGET_KERNEL_DUMP, KDX_ARCH_X64, "memory");
    tg->ops = &mem_ops;
    tg->impl = mt;
    kdx_module *m = kdx_module_new("amdppm", MEM_BASE, 0x3b000);
    m->image_name = kdx_strdup("amdppm.sys");
    m->timestamp = 0xc9c03000;
    kdx_target_add_module(tg, m);
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = kdx_session_new(null);
    kdx_sym_set_path(s, store, false);
    s->target = tg;
    kdx_sym_target_changed(s);
    struct kdx_pe *pe = NULL;
    CHECK_OK(kdx_sym_module_image(s, m, &pe, &err));
    CHECK(pe != NULL);
    const char *file = kdx_sym_module_image_file(s, m);
    CHECK(file && strstr(file, "amdppm.sys/c9c030003b000/amdppm.sys"));
    /* The file's CodeView record gave the PDB, from the same store. */
    CHECK_OK(kdx_sym_load_module(s, m, &err));
    CHECK(m->symstatus == KDX_SYMSTATUS_PDB);
    kdx_session_free(s);
    fclose(null);
    free(sysdup);
}
