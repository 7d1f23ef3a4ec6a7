/* libFuzzer target: the minidump writer and reader round trip. The input
 * chooses a spec (arch, threads with contexts, stacks and names, modules,
 * memory ranges, an exception, the full-memory and thread-ex variants); the
 * writer saves it, the reader opens it and every fact read back must equal
 * what was written, else the target traps. Ranges and modules are laid out
 * without overlaps so the expected answers are unambiguous. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "dump/minidump.h"
#include "dump/minidump_writer.h"
#include "target/module.h"
#include "target/memory.h"
#include "target/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static uint32_t take(in *b, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = v << 8 | (b->n ? *b->p : 0);
        if (b->n) {
            b->p++;
            b->n--;
        }
    }
    return v;
}

/* A printable name of 1..15 characters from the input. */
static void take_name(in *b, char *out, const char *prefix)
{
    size_t len = strlen(prefix);
    memcpy(out, prefix, len);
    unsigned n = 1 + take(b, 1) % 15;
    for (unsigned i = 0; i < n; i++)
        out[len++] = (char)('a' + take(b, 1) % 26);
    out[len] = 0;
}

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "round trip mismatch: %s (line %d)\n", #c, __LINE__); \
            __builtin_trap();                                                     \
        }                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const kdx_arch arches[] = {KDX_ARCH_X86, KDX_ARCH_X64, KDX_ARCH_ARM64};
    in b = {data, size};
    kdx_mdw_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.arch = arches[take(&b, 1) % 3];
    uint32_t flags = take(&b, 1);
    sp.full_memory = flags & 1;
    sp.thread_ex = flags & 2;
    sp.has_misc = flags & 4;
    sp.os_major = 10;
    sp.build = take(&b, 2);
    sp.num_processors = (uint8_t)(1 + take(&b, 1) % 8);
    sp.timestamp = take(&b, 4);
    uint64_t ptr_mask = sp.arch == KDX_ARCH_X86 ? 0xffffffffull : ~0ull;

    kdx_mdw_thread th[4];
    char tnames[4][24];
    uint8_t stacks[4][256];
    memset(th, 0, sizeof th);
    sp.nthreads = 1 + take(&b, 1) % 4; /* the reader wants some usable stream */
    for (size_t i = 0; i < sp.nthreads; i++) {
        th[i].id = 0x100 + (uint32_t)i * 4;
        th[i].teb = 0x7f000000 + i * 0x1000;
        th[i].context.arch = sp.arch;
        uint64_t ip = ((uint64_t)take(&b, 4) << 16 | take(&b, 2)) & ptr_mask;
        kdx_ctx_set(&th[i].context, kdx_reg_ip(sp.arch), ip);
        th[i].stack_va = 0x10000000 + i * 0x10000;
        kdx_ctx_set(&th[i].context, kdx_reg_sp(sp.arch), th[i].stack_va + 0x20);
        th[i].stack_size = take(&b, 1);
        for (uint32_t k = 0; k < th[i].stack_size; k++)
            stacks[i][k] = (uint8_t)take(&b, 1);
        th[i].stack = th[i].stack_size ? stacks[i] : NULL;
        if (!th[i].stack_size)
            th[i].stack_va = 0;
        if (take(&b, 1) & 1) {
            take_name(&b, tnames[i], "t");
            th[i].name = tnames[i];
        }
    }
    sp.threads = th;

    kdx_mdw_module mod[4];
    char paths[4][48], pdbs[4][32];
    memset(mod, 0, sizeof mod);
    sp.nmodules = take(&b, 1) % 5;
    for (size_t i = 0; i < sp.nmodules; i++) {
        take_name(&b, paths[i], "C:\\m\\");
        strcat(paths[i], i & 1 ? ".dll" : ".exe");
        mod[i].path = paths[i];
        mod[i].base = 0x400000 + i * 0x1000000;
        mod[i].size = 0x1000 + take(&b, 2) * 0x10;
        mod[i].timestamp = take(&b, 4);
        mod[i].checksum = take(&b, 4);
        uint32_t f = take(&b, 1);
        if (f & 1) {
            mod[i].file_version_ms = take(&b, 4) | 1;
            mod[i].file_version_ls = take(&b, 4);
        }
        if (f & 2) {
            take_name(&b, pdbs[i], "p");
            mod[i].pdb_name = pdbs[i];
            for (int k = 0; k < 16; k++)
                mod[i].pdb_guid[k] = (uint8_t)take(&b, 1);
            mod[i].pdb_age = take(&b, 4);
        }
    }
    sp.modules = mod;

    kdx_mdw_memory mem[3];
    uint8_t bytes[3][512];
    sp.nmemory = take(&b, 1) % 4;
    for (size_t i = 0; i < sp.nmemory; i++) {
        mem[i].va = 0x20000000 + i * 0x100000 + take(&b, 2);
        mem[i].size = 1 + take(&b, 2) % sizeof bytes[i];
        for (uint32_t k = 0; k < mem[i].size; k++)
            bytes[i][k] = (uint8_t)take(&b, 1);
        mem[i].data = bytes[i];
    }
    sp.memory = mem;

    if (sp.nthreads && (flags & 8)) {
        sp.has_exception = true;
        sp.exception_thread = th[take(&b, 1) % sp.nthreads].id;
        sp.exception_code = take(&b, 4);
        sp.exception_address = take(&b, 4);
        sp.nparams = take(&b, 1) % 16;
        for (uint32_t k = 0; k < sp.nparams; k++)
            sp.params[k] = take(&b, 4);
    }

    uint8_t *buf;
    size_t len;
    kdx_err err;
    if (kdx_minidump_write(&sp, &buf, &len, &err) != KDX_OK)
        return 0;
    kdx_file *f;
    CHECK(kdx_file_from_memory(&f, "roundtrip.dmp", buf, len, &err) == KDX_OK);
    free(buf);
    kdx_target *t;
    if (kdx_minidump_open_file(f, &t, &err) != KDX_OK) {
        fprintf(stderr, "reader refused the writer's dump: %s\n", err.msg);
        __builtin_trap();
    }
    CHECK(t->arch == sp.arch);
    CHECK(t->ncontexts == sp.nthreads);
    for (unsigned i = 0; i < t->ncontexts; i++) {
        kdx_context c;
        CHECK(t->ops->get_context(t->impl, i, &c, &err) == KDX_OK);
        CHECK(kdx_ctx_ip(&c) == kdx_ctx_ip(&th[i].context));
        CHECK(kdx_ctx_sp(&c) == kdx_ctx_sp(&th[i].context));
        kdx_thread_info ti;
        CHECK(t->ops->get_thread_info(t->impl, i, &ti, &err) == KDX_OK);
        CHECK(ti.id == th[i].id);
        CHECK(ti.teb == th[i].teb);
        if (th[i].stack_size) {
            uint8_t got[256];
            CHECK(kdx_read_virt(t, th[i].stack_va, got, th[i].stack_size, NULL, &err) == KDX_OK);
            CHECK(memcmp(got, th[i].stack, th[i].stack_size) == 0);
        }
    }
    CHECK(t->nmodules == sp.nmodules);
    for (size_t i = 0; i < t->nmodules; i++) {
        const kdx_module *m = t->modules[i];
        CHECK(m->base == mod[i].base);
        CHECK(m->size == mod[i].size);
        CHECK(m->timestamp == mod[i].timestamp);
        CHECK(m->image_path && strcmp(m->image_path, mod[i].path) == 0);
        CHECK(m->has_pdb_id == (mod[i].pdb_name != NULL));
        if (m->has_pdb_id) {
            CHECK(m->pdb_age == mod[i].pdb_age);
            CHECK(memcmp(m->pdb_guid, mod[i].pdb_guid, 16) == 0);
            CHECK(m->pdb_name && strcmp(m->pdb_name, mod[i].pdb_name) == 0);
        }
    }
    for (size_t i = 0; i < sp.nmemory; i++) {
        uint8_t got[512];
        CHECK(kdx_read_virt(t, mem[i].va, got, mem[i].size, NULL, &err) == KDX_OK);
        CHECK(memcmp(got, mem[i].data, mem[i].size) == 0);
    }
    kdx_target_close(t);
    return 0;
}
