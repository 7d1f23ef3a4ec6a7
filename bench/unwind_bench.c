/* Unwinder throughput: frames per second walking a 10,000-frame synthetic
 * x64 stack (a recursive function with push rbx; sub rsp,20h), against the
 * same walk done by reading the return-address chain directly (the memory
 * cost alone), measured in the same run. With an image argument, also times
 * `uf`-style decoding of its largest .pdata function.
 * Built and run by bench/bench_unwind.sh; never part of `make test`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "disasm/disasm.h"
#include "pe/pe.h"
#include "target/memory.h"
#include "target/target.h"
#include "unwind/unwind.h"

#define BASE 0x140000000ull
#define IMAGE_SIZE 0x4000u
#define FRAMES 10000u
#define FRAME_SIZE 0x30u
#define STACK 0x10000000ull
#define STACK_SIZE ((FRAMES + 1) * FRAME_SIZE)

static uint8_t image[IMAGE_SIZE];
static uint8_t *stack;

static kdx_status read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    (void)impl;
    *done = 0;
    if (va >= STACK && va - STACK + len <= STACK_SIZE)
        memcpy(buf, stack + (va - STACK), len);
    else if (va >= BASE && va - BASE + len <= IMAGE_SIZE)
        memcpy(buf, image + (va - BASE), len);
    else
        return KDX_E_MEM_MISSING;
    *done = len;
    return KDX_OK;
}

static const kdx_target_ops ops = {.format_name = "bench", .read_virt = read_virt};

static kdx_status img_read(void *ud, uint32_t rva, void *buf, size_t len, kdx_err *err)
{
    (void)ud;
    if (!kdx_range_ok(rva, len, IMAGE_SIZE))
        return kdx_err_set(err, KDX_E_TRUNCATED, "outside the image");
    memcpy(buf, image + rva, len);
    return KDX_OK;
}

static kdx_status img_lookup(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err)
{
    (void)ud;
    if (rva < 0x1000 || rva >= 0x1040)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no entry");
    *out = (kdx_runtime_function){.begin_rva = 0x1000, .end_rva = 0x1040, .unwind_rva = 0x3000};
    return KDX_OK;
}

static kdx_status find_image(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    (void)ud;
    if (addr < BASE || addr - BASE >= IMAGE_SIZE)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "not in a module");
    memset(out, 0, sizeof *out);
    out->base = BASE;
    out->size = IMAGE_SIZE;
    out->name = "bench";
    out->read = img_read;
    out->lookup = img_lookup;
    return KDX_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void build(void)
{
    /* push rbx; sub rsp,20h; call self; (body) */
    memcpy(image + 0x1000, "\x40\x53\x48\x83\xec\x20\xe8\xf5\xff\xff\xff\x90", 12);
    const uint8_t ui[] = {0x01, 0x06, 0x02, 0x00, 0x06, 0x32, 0x02, 0x30};
    memcpy(image + 0x3000, ui, sizeof ui);
    stack = calloc(1, STACK_SIZE);
    for (unsigned i = 0; i < FRAMES; i++) {
        uint64_t sp = STACK + (uint64_t)i * FRAME_SIZE;
        kdx_put_le64(stack + (sp - STACK) + 0x20, i);                                  /* rbx */
        kdx_put_le64(stack + (sp - STACK) + 0x28, i + 1 < FRAMES ? BASE + 0x100b : 0); /* return */
    }
}

int main(int argc, char **argv)
{
    build();
    kdx_target *t = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "bench");
    t->ops = &ops;
    kdx_unwind_env env = {.target = t, .find_image = find_image};
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, BASE + 0x100b);
    kdx_ctx_set(&c, KDX_X64_RSP, STACK);
    const int runs = 10;
    double t0 = now();
    size_t frames = 0;
    for (int r = 0; r < runs; r++) {
        kdx_stack st;
        kdx_stack_walk(&env, &c, FRAMES + 10, &st, NULL);
        frames += st.len;
        kdx_stack_free(&st);
    }
    double unwind_s = now() - t0;
    /* Peer: the return-address chain read directly, no unwind data. */
    t0 = now();
    size_t chain = 0;
    for (int r = 0; r < runs; r++) {
        uint64_t sp = STACK, ret = 1;
        while (ret) {
            if (kdx_read_u64(t, sp + 0x28, &ret, NULL) != KDX_OK)
                break;
            sp += FRAME_SIZE;
            chain++;
        }
    }
    double chain_s = now() - t0;
    printf("unwind: %zu frames in %.3f s = %.0f frames/s\n", frames, unwind_s, frames / unwind_s);
    printf("raw chain: %zu frames in %.3f s = %.0f frames/s (unwinder costs %.1fx the memory reads alone)\n", chain,
           chain_s, chain / chain_s, (unwind_s / frames) / (chain_s / chain));
    if (argc > 1) {
        kdx_pe *pe;
        kdx_err err = {0};
        if (kdx_pe_open_file(argv[1], &pe, &err) != KDX_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        uint32_t n = kdx_pe_runtime_function_count(pe), best = 0;
        kdx_runtime_function big = {0}, fn;
        for (uint32_t i = 0; i < n; i++)
            if (kdx_pe_runtime_function_at(pe, i, &fn, NULL) == KDX_OK && fn.end_rva - fn.begin_rva > best) {
                best = fn.end_rva - fn.begin_rva;
                big = fn;
            }
        uint8_t *code = malloc(best + 16);
        memset(code, 0, best + 16);
        kdx_pe_read(pe, big.begin_rva, code, best, NULL);
        t0 = now();
        size_t insns = 0;
        for (int r = 0; r < runs; r++)
            for (uint32_t off = 0; off < best;) {
                kdx_insn in;
                char line[600];
                if (kdx_disasm_one(KDX_ARCH_X64, big.begin_rva + off, code + off, best + 16 - off, &in) != KDX_OK) {
                    off++;
                    continue;
                }
                kdx_disasm_format(NULL, KDX_ARCH_X64, &in, line, sizeof line);
                off += (uint32_t)in.len;
                insns++;
            }
        double dis_s = now() - t0;
        printf("largest function of %s: RVA 0x%x, 0x%x bytes; %zu instructions decoded and formatted in %.3f s "
               "(%.0f instructions/s)\n",
               argv[1], big.begin_rva, best, insns, dis_s, insns / dis_s);
        free(code);
        kdx_pe_close(pe);
    }
    t->ops = NULL;
    kdx_target_close(t);
    free(stack);
    return 0;
}
