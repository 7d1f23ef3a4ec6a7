/* Stack scanning on a synthetic x64 minidump from the project's writer: an
 * image whose headers and code are in the dump (no .pdata, so the exact walk
 * stops at frame 00), and a stack holding one value in no module, one in a
 * data section, one in code that no call precedes, and a real return address
 * after a call. Only the last may become a frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/minidump_writer.h"
#include "tests/test.h"

enum { STACK = 0x7ff000, IMG_SIZE = 0x3000 };
#define APP 0x140000000ull /* app.exe's base */

/* A minimal PE32+ header: .text (code, executable) at 0x1000, .data at 0x2000. */
static void put_headers(uint8_t *h, uint16_t machine)
{
    h[0] = 'M', h[1] = 'Z';
    kdx_put_le32(h + 0x3c, 0x80);
    memcpy(h + 0x80, "PE\0\0", 4);
    kdx_put_le16(h + 0x84, machine);
    kdx_put_le16(h + 0x86, 2);            /* NumberOfSections */
    kdx_put_le16(h + 0x94, 0xf0);         /* SizeOfOptionalHeader */
    uint8_t *o = h + 0x98;
    kdx_put_le16(o, 0x20b);
    kdx_put_le32(o + 0x20, 0x1000);       /* SectionAlignment */
    kdx_put_le32(o + 0x24, 0x200);        /* FileAlignment */
    kdx_put_le32(o + 0x38, IMG_SIZE);     /* SizeOfImage */
    kdx_put_le32(o + 0x3c, 0x400);        /* SizeOfHeaders */
    kdx_put_le32(o + 0x6c, 16);           /* NumberOfRvaAndSizes */
    static const struct { const char *name; uint32_t rva, flags; } sec[2] = {
        {".text", 0x1000, 0x60000020}, /* CNT_CODE | MEM_EXECUTE | MEM_READ */
        {".data", 0x2000, 0xc0000040}, /* INITIALIZED_DATA | MEM_READ | MEM_WRITE */
    };
    for (int i = 0; i < 2; i++) {
        uint8_t *s = o + 0xf0 + 40 * i;
        memcpy(s, sec[i].name, strlen(sec[i].name));
        kdx_put_le32(s + 8, 0x1000);
        kdx_put_le32(s + 12, sec[i].rva);
        kdx_put_le32(s + 16, 0x1000);
        kdx_put_le32(s + 20, sec[i].rva);
        kdx_put_le32(s + 36, sec[i].flags);
    }
}

/* One thread with context c and the stack at STACK, app.exe's image in memory. */
static const char *write_spec(const kdx_context *c, const uint8_t *image, const uint8_t *stack, uint32_t stack_size,
                              const char *name)
{
    static char path[4096];
    kdx_mdw_thread th = {.id = 0x10, .teb = 0x7fe000, .stack_va = STACK, .stack = stack, .stack_size = stack_size,
                         .context = *c};
    kdx_mdw_module mod = {.path = "C:\\app\\app.exe", .base = APP, .size = IMG_SIZE, .timestamp = 0x5f000000};
    kdx_mdw_memory mem = {.va = APP, .data = image, .size = IMG_SIZE};
    kdx_mdw_spec sp = {.arch = c->arch, .os_major = 10, .build = 19041, .num_processors = 1,
                       .threads = &th, .nthreads = 1, .modules = &mod, .nmodules = 1,
                       .memory = &mem, .nmemory = 1};
    const char *dir = kdx_test_tmpdir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    kdx_err err = {0};
    return kdx_minidump_write_file(&sp, path, &err) == KDX_OK ? path : NULL;
}

static const char *write_dump(uint64_t rip, uint64_t rsp, const char *name)
{
    static uint8_t image[IMG_SIZE], stack[0x200];
    memset(image, 0, sizeof image);
    memset(stack, 0, sizeof stack);
    put_headers(image, 0x8664);
    memset(image + 0x1000, 0x90, 0x40);       /* nops: no call ends at +0x1020 */
    image[0x1040] = 0xe8;                     /* call app+0x1100; returns to +0x1045 */
    kdx_put_le32(image + 0x1041, 0x1100 - 0x1045);
    image[0x1100] = 0xcc;                     /* frame 00's pc */
    kdx_put_le64(stack + 0x00, 0x12345);      /* in no module */
    kdx_put_le64(stack + 0x08, APP + 0x2010);  /* in .data */
    kdx_put_le64(stack + 0x10, APP + 0x1020);  /* code, but after nops */
    kdx_put_le64(stack + 0x18, APP + 0x1045);  /* after the call: a return address */

    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, rip);
    kdx_ctx_set(&c, KDX_X64_RSP, rsp);
    kdx_ctx_set(&c, KDX_X64_RBP, 0);
    return write_spec(&c, image, stack, sizeof stack, name);
}

TEST(stackscan_rejects_what_no_call_precedes)
{
    const char *dump = write_dump(APP + 0x1100, STACK, "stackscan.dmp");
    REQUIRE(dump);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, NULL, "kv", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "00000000`007ff000 00000001`40001045 : ");
    CHECK_CONTAINS(out, ": app+0x1100 (trust: context)\n"
                        "NOTE: frame 00 cannot be unwound (app has no function table (.pdata)");
    CHECK_CONTAINS(out, "WARNING: Stack unwind information not available. Following frames may be wrong.\n"
                        "00000000`007ff020 ????????`???????? : ");
    CHECK_CONTAINS(out, ": app+0x1045 (trust: scan)\n");
    /* The value in no module, the one in .data and the one after nops are no frames. */
    CHECK(!strstr(out, "app+0x2010"));
    CHECK(!strstr(out, "app+0x1020"));
    CHECK(!strstr(out, "0x12345"));
    CHECK_CONTAINS(out, "WARNING: Stack unwind information not available for frame 01 (app has no function "
                        "table (.pdata); unwind data unavailable; stack scanning found no return address in 41 "
                        "words from 00000000`007ff020)");
    free(out);

    /* JSON: per-frame trust, the call before the scanned return address was decoded. */
    out = kdx_test_run(dump, ".json 1", "k", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"ip\":\"00000001`40001100\",\"call_site\":\"app+0x1100\",\"trust\":\"context\"}");
    CHECK_CONTAINS(out, "\"call_site\":\"app+0x1045\",\"trust\":\"scan\",\"call_verified\":true}");
    CHECK_CONTAINS(out, "\"exact_walk_stopped\":{\"frame\":0,\"reason\":\"app has no function table");
    CHECK_CONTAINS(out, "\"scanning_continued\":true}");
    free(out);

    /* .stackscan off: the walk stops where unwind data ends, as before. */
    out = kdx_test_run(dump, NULL, ".stackscan; .stackscan off; k; .stackscan on", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Stack scanning is on (the default for this target)\nStack scanning is off\n");
    CHECK_CONTAINS(out, "00000000`007ff000 ????????`???????? app+0x1100\n"
                        "WARNING: Stack unwind information not available for frame 00 (app has no function "
                        "table (.pdata); unwind data unavailable). The walk stops here instead of guessing.\n");
    CHECK(!strstr(out, "app+0x1045"));
    CHECK_CONTAINS(out, "Stack scanning is on\n");
    free(out);
}

/* A call through a null pointer: the caller comes from [rsp], a guess, so a
 * module chosen from it says so in !analyze (text and JSON). */
TEST(stackscan_analyze_says_when_a_scanned_frame_chose_the_module)
{
    const char *dump = write_dump(0, STACK + 0x18, "nullcall.dmp");
    REQUIRE(dump);
    kdx_err err = {0};
    char *out = kdx_test_run(dump, NULL, "!analyze -v", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "STACK_TEXT:  \nWARNING: Frame IP not in any known module. Following frames may be wrong.\n"
                        "00000000`007ff018 00000001`40001045     : ");
    CHECK_CONTAINS(out, " : 0x0\n");
    CHECK_CONTAINS(out, "N1: the faulting instruction is in no module; the first frame in a module, its caller "
                        "(found by the return address at [sp]: inferred)");
    CHECK_CONTAINS(out, "SYMBOL_NAME:  app+1045\n");
    free(out);
    out = kdx_test_run(dump, ".json 1", "!analyze -v", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"rule_uses_scanned_frame\":true");
    CHECK_CONTAINS(out, "\"trust\":\"scan\"");
    free(out);
}

/* ARM64: the return address a scan accepts must follow a bl/blr. The pc is
 * in a leaf (no .pdata), lr points nowhere, and the stack holds a value after
 * nops and one after a bl. */
TEST(stackscan_arm64_needs_a_bl_before_the_candidate)
{
    static uint8_t image[IMG_SIZE], stack[0x200];
    put_headers(image, 0xaa64);
    for (int i = 0; i < 0x40; i += 4)
        kdx_put_le32(image + 0x1000 + i, 0xd503201f); /* nop */
    kdx_put_le32(image + 0x1040, 0x94000000 | ((0x1100 - 0x1040) / 4)); /* bl app+0x1100 */
    kdx_put_le64(stack + 0x00, APP + 0x1020);  /* after a nop */
    kdx_put_le64(stack + 0x08, APP + 0x1044);  /* after the bl */
    kdx_context c = {.arch = KDX_ARCH_ARM64};
    kdx_ctx_set(&c, KDX_ARM64_PC, APP + 0x1100);
    kdx_ctx_set(&c, KDX_ARM64_SP, STACK);
    kdx_ctx_set(&c, KDX_ARM64_LR, 0x12345);
    const char *path = write_spec(&c, image, stack, sizeof stack, "arm64scan.dmp");
    REQUIRE(path);
    kdx_err err = {0};
    char *out = kdx_test_run(path, ".json 1", "k", &err);
    REQUIRE(out);
    CHECK_CONTAINS(out, "\"call_site\":\"app+0x1100\",\"trust\":\"context\"}");
    CHECK_CONTAINS(out, "\"ip\":\"00000000`00012345\"");
    CHECK_CONTAINS(out, "\"call_site\":\"app+0x1044\",\"trust\":\"scan\",\"call_verified\":true}");
    CHECK(!strstr(out, "app+0x1020"));
    free(out);
}
