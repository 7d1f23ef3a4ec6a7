/* Synthetic x64 images and stacks for unwinder and stack-command tests:
 * a mapped image buffer with .pdata and UNWIND_INFO built by hand, and a
 * target whose virtual memory is a list of buffers. */
#ifndef KDX_TESTS_UNWIND_SYNTH_H
#define KDX_TESTS_UNWIND_SYNTH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "target/module.h"
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
    kdx_context ctx;        /* the thread's registers (get_context) */
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

static kdx_status syn_get_context(void *impl, unsigned index, kdx_context *out, kdx_err *err)
{
    (void)index;
    (void)err;
    *out = ((syn_world *)impl)->ctx;
    return KDX_OK;
}

static const kdx_target_ops syn_ops = {
    .format_name = "synthetic", .read_virt = syn_read_virt, .get_context = syn_get_context};

static inline void syn_init(syn_world *w)
{
    memset(w, 0, sizeof *w);
    w->next_unwind = 0x3800;
    w->target = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_X64, "synthetic");
    w->target->ops = &syn_ops;
    w->target->impl = w;
    w->target->ncontexts = 1;
    kdx_module *m = kdx_module_new("synth", SYN_BASE, SYN_SIZE);
    m->symstatus = KDX_SYMSTATUS_NONE; /* synthetic: no symbol file to look for */
    kdx_target_add_module(w->target, m);
}

static inline void syn_free(syn_world *w)
{
    w->target->ops = NULL;
    kdx_target_close(w->target);
}

/* Adds an UNWIND_INFO (header + codes + optional chain) and returns its RVA. */
static inline uint32_t syn_unwind(syn_world *w, uint8_t version, uint8_t flags, uint8_t prolog, uint8_t frame_reg,
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
static inline void syn_func(syn_world *w, uint32_t begin, uint32_t end, uint32_t unwind)
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

static inline void syn_env(syn_world *w, kdx_unwind_env *env)
{
    memset(env, 0, sizeof *env); /* no function-entry oracle, no scanning */
    env->target = w->target;
    env->find_image = syn_find_image;
    env->ud = w;
}

static inline void syn_put64(syn_world *w, uint64_t va, uint64_t v)
{
    kdx_put_le64(w->stack + (va - SYN_STACK), v);
}

static inline void syn_code(syn_world *w, uint32_t rva, const char *hex)
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

/* A small image: see each function's comment for its prolog. */
static inline void syn_build_standard(syn_world *w)
{
    syn_init(w);
    /* F1 0x1000: push rbx; sub rsp,20h; ...; epilog at 0x1030: add rsp,20h; pop rbx; ret */
    syn_code(w, 0x1000, "4053 4883ec20");
    syn_code(w, 0x1030, "4883c420 5b c3");
    uint16_t f1[] = {SYN_CODE(6, KDX_UWOP_ALLOC_SMALL, 3), SYN_CODE(2, KDX_UWOP_PUSH_NONVOL, 3)};
    uint32_t u1 = syn_unwind(w, 1, 0, 6, 0, 0, f1, 2, NULL);
    /* F2 0x1040: push rbp; sub rsp,100h; lea rbp,[rsp+20h]; rsi saved at frame+0x118 */
    syn_code(w, 0x1040, "55 4881ec00010000 488d6c2420");
    uint16_t f2[] = {SYN_CODE(0xd, KDX_UWOP_SET_FPREG, 0), SYN_CODE(0xd, KDX_UWOP_SAVE_NONVOL, 6), 0x23,
                     SYN_CODE(8, KDX_UWOP_ALLOC_LARGE, 0), 0x20, SYN_CODE(1, KDX_UWOP_PUSH_NONVOL, 5)};
    uint32_t u2 = syn_unwind(w, 1, 0, 0xd, 5, 2, f2, 6, NULL);
    /* F3a 0x1100: push rdi; sub rsp,40h. F3b 0x1200: a chunk of F3a (chained). */
    uint16_t f3[] = {SYN_CODE(5, KDX_UWOP_ALLOC_SMALL, 7), SYN_CODE(1, KDX_UWOP_PUSH_NONVOL, 7)};
    uint32_t u3a = syn_unwind(w, 1, 0, 5, 0, 0, f3, 2, NULL);
    uint32_t ch3[3] = {0x1100, 0x1120, u3a};
    uint32_t u3b = syn_unwind(w, 1, KDX_UNW_FLAG_CHAININFO, 0, 0, 0, NULL, 0, ch3);
    /* F4 0x1220: interrupt entry: machine frame with error code, then sub rsp,80h. */
    uint16_t f4[] = {SYN_CODE(4, KDX_UWOP_ALLOC_SMALL, 15), SYN_CODE(0, KDX_UWOP_PUSH_MACHFRAME, 1)};
    uint32_t u4 = syn_unwind(w, 1, 0, 4, 0, 0, f4, 2, NULL);
    /* F5a/F5b: chained info that loops. */
    uint32_t u5a = w->next_unwind;
    uint32_t u5b = u5a + 0x20;
    uint32_t ch5a[3] = {0x1250, 0x1260, u5b};
    syn_unwind(w, 1, KDX_UNW_FLAG_CHAININFO, 0, 0, 0, NULL, 0, ch5a);
    w->next_unwind = u5b;
    uint32_t ch5b[3] = {0x1240, 0x1250, u5a};
    syn_unwind(w, 1, KDX_UNW_FLAG_CHAININFO, 0, 0, 0, NULL, 0, ch5b);
    syn_func(w, 0x1000, 0x1040, u1);
    syn_func(w, 0x1040, 0x10c0, u2);
    syn_func(w, 0x1100, 0x1120, u3a);
    syn_func(w, 0x1200, 0x1210, u3b);
    syn_func(w, 0x1220, 0x1240, u4);
    syn_func(w, 0x1240, 0x1250, u5a);
    syn_func(w, 0x1250, 0x1260, u5b);
    /* 0x1300: a leaf function without .pdata. */
}

#endif
