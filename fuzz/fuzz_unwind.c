/* libFuzzer target: the unwinders' parsers. The first byte picks one:
 * 0: x64 UNWIND_INFO parse and code decoding; 1: a full x64 unwind with the
 * input as image bytes (UNWIND_INFO at RVA 0x10, code at 0x200) and stack;
 * 2: an x86 frame program; 3: an ARM64 unwind through .xdata at RVA 0x10
 * or a packed entry. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "target/target.h"
#include "unwind/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_len;

/* Image and stack are both the input; every read is bounds-checked. */
static kdx_status mem_read(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    (void)impl;
    uint64_t off = va & 0xffff;
    *done = 0;
    if (!kdx_range_ok(off, len, in_len))
        return KDX_E_MEM_MISSING;
    memcpy(buf, in + off, len);
    *done = len;
    return KDX_OK;
}

static const kdx_target_ops fuzz_ops = {.format_name = "fuzz", .read_virt = mem_read};

static kdx_status img_read(void *ud, uint32_t rva, void *buf, size_t len, kdx_err *err)
{
    (void)ud;
    if (!kdx_range_ok(rva, len, in_len))
        return kdx_err_set(err, KDX_E_TRUNCATED, "outside the input");
    memcpy(buf, in + rva, len);
    return KDX_OK;
}

static kdx_runtime_function entry;

static kdx_status img_lookup(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err)
{
    (void)ud;
    if (rva < entry.begin_rva || rva >= entry.end_rva)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no entry");
    *out = entry;
    return KDX_OK;
}

static kdx_status find_image(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    (void)ud;
    if (addr >= 0x10000)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "not in the image");
    memset(out, 0, sizeof *out);
    out->size = 0x10000;
    out->name = "fuzz";
    out->read = img_read;
    out->lookup = img_lookup;
    return KDX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    in = data + 1;
    in_len = size - 1;
    kdx_err err;
    kdx_target *t = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "fuzz");
    t->ops = &fuzz_ops;
    kdx_unwind_env env = {.target = t, .find_image = find_image};
    kdx_unwind_step st;
    switch (data[0] & 3) {
    case 0: {
        kdx_x64_unwind_info ui;
        if (kdx_x64_unwind_info_parse(in, in_len, "fuzz UNWIND_INFO", &ui, &err) == KDX_OK)
            for (unsigned i = 0; i < ui.ncodes;) {
                kdx_x64_unwind_code c;
                if (kdx_x64_unwind_code_at(&ui, i, &c, &err) != KDX_OK)
                    break;
                i += c.nslots;
            }
        break;
    }
    case 1: {
        entry = (kdx_runtime_function){.begin_rva = 0x200, .end_rva = 0x300, .unwind_rva = 0x10};
        kdx_context c = {.arch = KDX_ARCH_X64};
        kdx_ctx_set(&c, KDX_X64_RIP, 0x200 + (in_len ? in[0] : 0));
        kdx_ctx_set(&c, KDX_X64_RSP, 0x400);
        kdx_ctx_set(&c, KDX_X64_RBP, 0x480);
        kdx_x64_unwind(&env, &c, &st, &err);
        break;
    }
    case 2: {
        char *prog = malloc(in_len + 1);
        memcpy(prog, in, in_len);
        prog[in_len] = 0;
        kdx_context c = {.arch = KDX_ARCH_X86};
        kdx_ctx_set(&c, KDX_X86_ESP, 0x100);
        kdx_ctx_set(&c, KDX_X86_EBP, 0x200);
        kdx_ctx_set(&c, KDX_X86_EIP, 0x10);
        kdx_x86_program_vars vars = {.cb_locals = 8, .cb_saved_regs = 4, .ra_search_start = 0x108};
        uint32_t assigned;
        kdx_x86_eval_program(&env, prog, &vars, &c, &assigned, &err);
        free(prog);
        break;
    }
    default: {
        uint32_t second = in_len >= 4 ? kdx_le32(in) : 0x10;
        bool packed = (second & 3) != 0;
        entry = (kdx_runtime_function){
            .begin_rva = 0x200, .end_rva = 0x400, .unwind_rva = packed ? second : 0x10, .packed = packed};
        kdx_context c = {.arch = KDX_ARCH_ARM64};
        kdx_ctx_set(&c, KDX_ARM64_PC, 0x200 + 4 * (in_len > 4 ? in[4] : 0));
        kdx_ctx_set(&c, KDX_ARM64_SP, 0x400);
        kdx_ctx_set(&c, KDX_ARM64_FP, 0x480);
        kdx_arm64_unwind(&env, &c, &st, &err);
        break;
    }
    }
    t->ops = NULL;
    kdx_target_close(t);
    return 0;
}
