/* libFuzzer target: page-table walks, software-PTE decoding and the memory
 * commands over arbitrary "physical memory". The first 24 bytes choose the
 * paging mode, the root and a virtual address; the rest is physical memory
 * starting at address 0 (reads past it fail like pages missing from a dump). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "commands/command.h"
#include "mm/translate.h"
#include "target/memory.h"
#include "target/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct phys_blob {
    const uint8_t *p;
    size_t n;
} phys_blob;

static kdx_status blob_read(void *impl, uint64_t pa, void *buf, size_t len, size_t *done)
{
    phys_blob *b = impl;
    size_t got = 0;
    if (pa < b->n)
        got = (size_t)KDX_MIN((uint64_t)len, b->n - pa);
    if (got)
        memcpy(buf, b->p + pa, got);
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static void blob_close(void *impl)
{
    (void)impl;
}

static const kdx_target_ops blob_ops = {
    .format_name = "fuzz physical memory",
    .close = blob_close,
    .read_phys = blob_read,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const kdx_paging modes[] = {KDX_PAGING_X86, KDX_PAGING_X86_PAE, KDX_PAGING_X64_4,
                                       KDX_PAGING_X64_5, KDX_PAGING_ARM64, KDX_PAGING_NONE};
    static FILE *sink;
    if (size < 24)
        return 0;
    if (!sink)
        sink = fopen("/dev/null", "w");
    kdx_paging paging = modes[data[0] % 6];
    kdx_arch arch = paging == KDX_PAGING_ARM64 ? KDX_ARCH_ARM64
                    : (paging == KDX_PAGING_X86 || paging == KDX_PAGING_X86_PAE) ? KDX_ARCH_X86
                                                                                 : KDX_ARCH_X64;
    phys_blob blob = {data + 24, size - 24};
    kdx_target *t = kdx_target_new(KDX_TARGET_KERNEL_DUMP, arch, "fuzz.dmp");
    t->ops = &blob_ops;
    t->impl = &blob;
    t->paging = paging;
    t->dtb = t->kernel_dtb = kdx_le64(data + 8) & 0xffffff;
    t->sys.build = data[1] & 1 ? 7601 : 19041;
    uint64_t va = kdx_le64(data + 16);

    kdx_xlat x;
    kdx_mm_translate(t, t->dtb, va, &x, NULL);
    for (int i = 0; i < x.nlevels; i++) {
        char flags[12];
        kdx_mm_pte_flags(paging, x.total_levels, i, x.level[i].value, flags);
        kdx_soft_pte sp = kdx_mm_decode_soft(t, x.level[i].value);
        (void)kdx_mm_protect_name(sp.protect);
    }
    uint64_t base;
    if (kdx_mm_find_pte_base(t, t->dtb, &base, NULL) == KDX_OK)
        for (int i = 0; i < kdx_mm_levels(paging); i++)
            (void)kdx_mm_entry_va(paging, base, va, i);
    uint8_t buf[64];
    kdx_read_virt(t, va, buf, sizeof buf, NULL, NULL);

    if (sink && (data[2] & 1)) {
        kdx_session *s = kdx_session_new(sink);
        s->target = t;
        char cmd[256];
        snprintf(cmd, sizeof cmd,
                 "!pte %llx; !vtop 0 %llx; db %llx l40; dc %llx l8; du %llx; !db 0 l20; "
                 "s -b %llx L?4000 %x",
                 (unsigned long long)va, (unsigned long long)va, (unsigned long long)va,
                 (unsigned long long)va, (unsigned long long)va, (unsigned long long)va,
                 data[3]);
        kdx_execute(s, cmd);
        kdx_session_free(s); /* closes t */
    } else {
        kdx_target_close(t);
    }
    return 0;
}
