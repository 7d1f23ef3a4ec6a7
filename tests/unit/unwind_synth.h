/* Synthetic x64 images and stacks for unwinder and stack-command tests:
 * a mapped image buffer with .pdata and UNWIND_INFO built by hand, and a
 * target whose virtual memory is a list of buffers. */
#ifndef KDX_TESTS_UNWIND_SYNTH_H
#define KDX_TESTS_UNWIND_SYNTH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "sym/module.h"
#include "target/target.h"
#include "unwind/unwind.h"

#define SYN_BASE 0x140000000ull
#define SYN_SIZE 0x4000u
#define SYN_PDATA 0x3000u
#define SYN_STACK 0x7ff000ull
#define SYN_STACK_SIZE 0x2000u

typedef struct syn_world {
    uint8_t image[SYN_SIZE];
    uint8_t stack[SYN_STACK_SIZE];
    unsigned nfuncs;
    uint32_t next_unwind;   /* where the next UNWIND_INFO goes */
    kdx_target *target;
} syn_world;

static kdx_status syn_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    syn_world *w = impl;
    const uint8_t *src = NULL;
    uint64_t avail = 0;
    if (va >= SYN_BASE && va - SYN_BASE < SYN_SIZE) {
        src = w->image + (va - SYN_BASE);
        avail = SYN_SIZE - (va - SYN_BASE);
    } else if (va >= SYN_STACK && va - SYN_STACK < SYN_STACK_SIZE) {
        src = w->stack + (va - SYN_STACK);
        avail = SYN_STACK_SIZE - (va - SYN_STACK);
    }
    size_t n = src ? (size_t)(avail < len ? avail : len) : 0;
    if (n)
        memcpy(buf, src, n);
    *done = n;
    return n == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static const kdx_target_ops syn_ops = {.format_name = "synthetic", .read_virt = syn_read_virt};

static void syn_init(syn_world *w)
{
    memset(w, 0, sizeof *w);
    w->next_unwind = 0x3800;
    w->target = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "synthetic");
    w->target->ops = &syn_ops;
    w->target->impl = w;
    kdx_module *m = kdx_module_new("synth", SYN_BASE, SYN_SIZE);
    kdx_target_add_module(w->target, m);
}

static void syn_free(syn_world *w)
{
    w->target->ops = NULL;
    kdx_target_close(w->target);
}

/* Adds an UNWIND_INFO (header + codes + optional chain) and returns its RVA. */
static uint32_t syn_unwind(syn_world *w, uint8_t version, uint8_t flags, uint8_t prolog, uint8_t frame_reg,
                           uint8_t frame_off, const uint16_t *slots, unsigned n, const uint32_t *chain)
{
    uint32_t rva = w->next_unwind;
    uint8_t *p = w->image + rva;
    p[0] = (uint8_t)(version | (flags << 3));
    p[1] = prolog;
    p[2] = (uint8_t)n;
    p[3] = (uint8_t)(frame_reg | (frame_off << 4));
    for (unsigned i = 0; i < n; i++)
        kdx_put_le16(p + 4 + 2 * i, slots[i]);
    uint32_t size = 4 + 2 * ((n + 1) & ~1u);
    if (chain) {
        for (int i = 0; i < 3; i++)
            kdx_put_le32(p + size + 4 * i, chain[i]);
        size += 12;
    }
    w->next_unwind = (rva + size + 8 + 3) & ~3u;
    return rva;
}

/* Appends a .pdata entry (entries must be added in address order). */
static void syn_func(syn_world *w, uint32_t begin, uint32_t end, uint32_t unwind)
{
    uint8_t *p = w->image + SYN_PDATA + 12 * w->nfuncs++;
    kdx_put_le32(p, begin);
    kdx_put_le32(p + 4, end);
    kdx_put_le32(p + 8, unwind);
}

#define SYN_CODE(off, op, info) ((uint16_t)((off) | ((op) << 8) | ((info) << 12)))

static kdx_status syn_img_read(void *ud, uint32_t rva, void *buf, size_t len, kdx_err *err)
{
    syn_world *w = ud;
    if (!kdx_range_ok(rva, len, SYN_SIZE))
        return kdx_err_set(err, KDX_E_TRUNCATED, "synth: RVA 0x%x+0x%zx is outside the image", rva, len);
    memcpy(buf, w->image + rva, len);
    return KDX_OK;
}

static kdx_status syn_img_lookup(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err)
{
    syn_world *w = ud;
    for (unsigned i = 0; i < w->nfuncs; i++) {
        const uint8_t *p = w->image + SYN_PDATA + 12 * i;
        if (rva >= kdx_le32(p) && rva < kdx_le32(p + 4)) {
            out->begin_rva = kdx_le32(p);
            out->end_rva = kdx_le32(p + 4);
            out->unwind_rva = kdx_le32(p + 8);
            out->index = i;
            return KDX_OK;
        }
    }
    return kdx_err_set(err, KDX_E_NOT_FOUND, "no function entry for RVA 0x%x", rva);
}

static kdx_status syn_find_image(void *ud, uint64_t addr, kdx_unwind_image *out, kdx_err *err)
{
    syn_world *w = ud;
    if (addr < SYN_BASE || addr - SYN_BASE >= SYN_SIZE)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "not in a module");
    memset(out, 0, sizeof *out);
    out->base = SYN_BASE;
    out->size = SYN_SIZE;
    out->name = "synth";
    out->ud = w;
    out->read = syn_img_read;
    out->lookup = syn_img_lookup;
    return KDX_OK;
}

static void syn_env(syn_world *w, kdx_unwind_env *env)
{
    env->target = w->target;
    env->find_image = syn_find_image;
    env->ud = w;
}

static void syn_put64(syn_world *w, uint64_t va, uint64_t v)
{
    kdx_put_le64(w->stack + (va - SYN_STACK), v);
}

static void syn_code(syn_world *w, uint32_t rva, const char *hex)
{
    size_t i = 0;
    while (hex[i] && hex[i + 1]) {
        if (hex[i] == ' ') {
            i++;
            continue;
        }
        char t[3] = {hex[i], hex[i + 1], 0};
        w->image[rva++] = (uint8_t)strtoul(t, NULL, 16);
        i += 2;
    }
}

#endif
