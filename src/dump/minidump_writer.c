/* Synthetic minidump writer: lays out the header, the stream directory and
 * each stream the way dbghelp does (little-endian, 4-byte packed records,
 * RVAs from the start of the file). */
#include "dump/minidump_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/minidump.h"

typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
} wbuf;

/* Appends n zero bytes, 4-byte aligned first; returns their offset. */
static size_t reserve(wbuf *b, size_t n)
{
    size_t off = (b->len + 3) & ~(size_t)3;
    if (off + n > b->cap) {
        b->cap = KDX_MAX(b->cap * 2, off + n + 256);
        b->p = kdx_xrealloc(b->p, b->cap);
    }
    memset(b->p + b->len, 0, off + n - b->len);
    b->len = off + n;
    return off;
}

static uint32_t append(wbuf *b, const void *data, size_t n)
{
    size_t off = reserve(b, n);
    if (n)
        memcpy(b->p + off, data, n);
    return (uint32_t)off;
}

/* MINIDUMP_STRING from UTF-8 (ASCII is all tests need; other bytes pass through as code units). */
static uint32_t put_string(wbuf *b, const char *s)
{
    size_t n = strlen(s);
    size_t off = reserve(b, 4 + 2 * n + 2);
    kdx_put_le32(b->p + off, (uint32_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        kdx_put_le16(b->p + off + 4 + 2 * i, (uint8_t)s[i]);
    return (uint32_t)off;
}

static uint32_t put_context(wbuf *b, const kdx_context *c)
{
    uint8_t tmp[KDX_CONTEXT_X64_SIZE > KDX_CONTEXT_X86_SIZE ? KDX_CONTEXT_X64_SIZE
                                                            : KDX_CONTEXT_X86_SIZE];
    size_t n = kdx_context_write(c, tmp, sizeof tmp);
    return n ? append(b, tmp, n) : 0;
}

static size_t context_len(const kdx_context *c)
{
    uint8_t tmp[KDX_CONTEXT_X64_SIZE];
    return kdx_context_write(c, tmp, sizeof tmp);
}

typedef struct dirent_w {
    uint32_t type, size, rva;
} dirent_w;

static void add_stream(dirent_w *dir, size_t *n, uint32_t type, size_t rva, size_t end)
{
    dir[(*n)++] = (dirent_w){type, (uint32_t)(end - rva), (uint32_t)rva};
}

static uint16_t processor_arch(kdx_arch a)
{
    return a == KDX_ARCH_X64 ? 9 : a == KDX_ARCH_ARM64 ? 12 : 0;
}

static void write_sysinfo(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t csd = put_string(b, sp->csd_version ? sp->csd_version : "");
    size_t o = reserve(b, 56);
    uint8_t *p = b->p + o;
    kdx_put_le16(p, processor_arch(sp->arch));
    kdx_put_le16(p + 2, 6);
    p[6] = sp->num_processors ? sp->num_processors : 1;
    p[7] = 1;
    kdx_put_le32(p + 8, sp->os_major);
    kdx_put_le32(p + 12, sp->os_minor);
    kdx_put_le32(p + 16, sp->build);
    kdx_put_le32(p + 20, 2); /* VER_PLATFORM_WIN32_NT */
    kdx_put_le32(p + 24, csd);
    if (sp->arch != KDX_ARCH_ARM64)
        memcpy(p + 32, "GenuineIntel", 12);
    add_stream(dir, nd, KDX_MD_SYSTEM_INFO, o, b->len);
}

static void write_threads(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t *ctx = kdx_xcalloc(sp->nthreads + 1, sizeof *ctx);
    uint32_t *stk = kdx_xcalloc(sp->nthreads + 1, sizeof *stk);
    for (size_t i = 0; i < sp->nthreads; i++) {
        ctx[i] = put_context(b, &sp->threads[i].context);
        if (sp->threads[i].stack_size)
            stk[i] = append(b, sp->threads[i].stack, sp->threads[i].stack_size);
    }
    size_t esize = sp->thread_ex ? 64 : 48; /* MINIDUMP_THREAD_EX adds BackingStore (zero) */
    size_t o = reserve(b, 4 + esize * sp->nthreads);
    kdx_put_le32(b->p + o, (uint32_t)sp->nthreads);
    for (size_t i = 0; i < sp->nthreads; i++) {
        const kdx_mdw_thread *t = &sp->threads[i];
        uint8_t *e = b->p + o + 4 + esize * i;
        kdx_put_le32(e, t->id);
        kdx_put_le32(e + 4, t->suspend_count);
        kdx_put_le32(e + 8, t->priority_class);
        kdx_put_le32(e + 12, t->priority);
        kdx_put_le64(e + 16, t->teb);
        kdx_put_le64(e + 24, t->stack_va);
        kdx_put_le32(e + 32, t->stack_size);
        kdx_put_le32(e + 36, stk[i]);
        kdx_put_le32(e + 40, (uint32_t)context_len(&t->context));
        kdx_put_le32(e + 44, ctx[i]);
    }
    add_stream(dir, nd, sp->thread_ex ? KDX_MD_THREAD_EX_LIST : KDX_MD_THREAD_LIST, o, b->len);
    free(ctx);
    free(stk);
}

static void write_modules(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t *name = kdx_xcalloc(sp->nmodules + 1, sizeof *name);
    uint32_t *cv = kdx_xcalloc(sp->nmodules + 1, sizeof *cv);
    uint32_t *cvlen = kdx_xcalloc(sp->nmodules + 1, sizeof *cvlen);
    for (size_t i = 0; i < sp->nmodules; i++) {
        const kdx_mdw_module *m = &sp->modules[i];
        name[i] = put_string(b, m->path);
        if (m->pdb_name) {
            size_t n = 24 + strlen(m->pdb_name) + 1;
            size_t o = reserve(b, n);
            kdx_put_le32(b->p + o, 0x53445352); /* RSDS */
            memcpy(b->p + o + 4, m->pdb_guid, 16);
            kdx_put_le32(b->p + o + 20, m->pdb_age);
            memcpy(b->p + o + 24, m->pdb_name, strlen(m->pdb_name) + 1);
            cv[i] = (uint32_t)o;
            cvlen[i] = (uint32_t)n;
        }
    }
    size_t o = reserve(b, 4 + 108 * sp->nmodules);
    kdx_put_le32(b->p + o, (uint32_t)sp->nmodules);
    for (size_t i = 0; i < sp->nmodules; i++) {
        const kdx_mdw_module *m = &sp->modules[i];
        uint8_t *e = b->p + o + 4 + 108 * i;
        kdx_put_le64(e, m->base);
        kdx_put_le32(e + 8, m->size);
        kdx_put_le32(e + 12, m->checksum);
        kdx_put_le32(e + 16, m->timestamp);
        kdx_put_le32(e + 20, name[i]);
        if (m->file_version_ms || m->file_version_ls) {
            kdx_put_le32(e + 24, 0xfeef04bd);
            kdx_put_le32(e + 28, 0x10000);
            kdx_put_le32(e + 32, m->file_version_ms);
            kdx_put_le32(e + 36, m->file_version_ls);
        }
        kdx_put_le32(e + 76, cvlen[i]);
        kdx_put_le32(e + 80, cv[i]);
    }
    add_stream(dir, nd, KDX_MD_MODULE_LIST, o, b->len);
    free(name);
    free(cv);
    free(cvlen);
}

static void write_memory(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    if (!sp->full_memory) {
        uint32_t *rva = kdx_xcalloc(sp->nmemory + 1, sizeof *rva);
        for (size_t i = 0; i < sp->nmemory; i++)
            rva[i] = append(b, sp->memory[i].data, sp->memory[i].size);
        size_t o = reserve(b, 4 + 16 * sp->nmemory);
        kdx_put_le32(b->p + o, (uint32_t)sp->nmemory);
        for (size_t i = 0; i < sp->nmemory; i++) {
            uint8_t *e = b->p + o + 4 + 16 * i;
            kdx_put_le64(e, sp->memory[i].va);
            kdx_put_le32(e + 8, sp->memory[i].size);
            kdx_put_le32(e + 12, rva[i]);
        }
        add_stream(dir, nd, KDX_MD_MEMORY_LIST, o, b->len);
        free(rva);
        return;
    }
    /* Memory64: descriptors, then every range's bytes back to back from BaseRva. */
    size_t o = reserve(b, 16 + 16 * sp->nmemory);
    size_t end = b->len;
    kdx_put_le64(b->p + o, sp->nmemory);
    kdx_put_le64(b->p + o + 8, end);
    for (size_t i = 0; i < sp->nmemory; i++) {
        kdx_put_le64(b->p + o + 16 + 16 * i, sp->memory[i].va);
        kdx_put_le64(b->p + o + 24 + 16 * i, sp->memory[i].size);
    }
    for (size_t i = 0; i < sp->nmemory; i++) {
        size_t at = b->len; /* no alignment padding inside the data run */
        if (at + sp->memory[i].size > b->cap) {
            b->cap = at + sp->memory[i].size + 256;
            b->p = kdx_xrealloc(b->p, b->cap);
        }
        memcpy(b->p + at, sp->memory[i].data, sp->memory[i].size);
        b->len += sp->memory[i].size;
    }
    add_stream(dir, nd, KDX_MD_MEMORY64_LIST, o, end);
}

static void write_exception(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t ctx = 0, ctx_len = 0;
    if (sp->exception_has_context) {
        ctx = put_context(b, &sp->exception_context);
        ctx_len = (uint32_t)context_len(&sp->exception_context);
    }
    size_t o = reserve(b, 168);
    uint8_t *p = b->p + o;
    kdx_put_le32(p, sp->exception_thread);
    kdx_put_le32(p + 8, sp->exception_code);
    kdx_put_le32(p + 12, sp->exception_flags);
    kdx_put_le64(p + 24, sp->exception_address);
    kdx_put_le32(p + 32, sp->nparams);
    for (uint32_t i = 0; i < sp->nparams && i < 15; i++)
        kdx_put_le64(p + 40 + 8 * i, sp->params[i]);
    kdx_put_le32(p + 160, ctx_len);
    kdx_put_le32(p + 164, ctx);
    add_stream(dir, nd, KDX_MD_EXCEPTION, o, b->len);
}

static void write_misc(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    size_t o = reserve(b, 24);
    uint8_t *p = b->p + o;
    kdx_put_le32(p, 24);
    kdx_put_le32(p + 4, 0x3); /* process id and times */
    kdx_put_le32(p + 8, sp->process_id);
    kdx_put_le32(p + 12, sp->process_create_time);
    kdx_put_le32(p + 16, sp->user_time);
    kdx_put_le32(p + 20, sp->kernel_time);
    add_stream(dir, nd, KDX_MD_MISC_INFO, o, b->len);
}

static void write_thread_names(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    size_t named = 0;
    uint32_t *rva = kdx_xcalloc(sp->nthreads + 1, sizeof *rva);
    for (size_t i = 0; i < sp->nthreads; i++)
        if (sp->threads[i].name) {
            rva[i] = put_string(b, sp->threads[i].name);
            named++;
        }
    if (named) {
        size_t o = reserve(b, 4 + 12 * named);
        kdx_put_le32(b->p + o, (uint32_t)named);
        size_t k = 0;
        for (size_t i = 0; i < sp->nthreads; i++)
            if (sp->threads[i].name) {
                kdx_put_le32(b->p + o + 4 + 12 * k, sp->threads[i].id);
                kdx_put_le64(b->p + o + 8 + 12 * k, rva[i]);
                k++;
            }
        add_stream(dir, nd, KDX_MD_THREAD_NAMES, o, b->len);
    }
    free(rva);
}

/* Lists that describe themselves: SizeOfHeader, SizeOfEntry, NumberOfEntries,
 * then n entries (zeroed) after the header. Returns the stream's offset. */
static size_t sized_list_header(wbuf *b, uint32_t hsize, uint32_t esize, size_t n)
{
    size_t o = reserve(b, hsize + (size_t)esize * n);
    kdx_put_le32(b->p + o, hsize);
    kdx_put_le32(b->p + o + 4, esize);
    kdx_put_le32(b->p + o + 8, (uint32_t)n);
    return o;
}

static void write_unloaded(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t *name = kdx_xcalloc(sp->nunloaded + 1, sizeof *name);
    for (size_t i = 0; i < sp->nunloaded; i++)
        name[i] = put_string(b, sp->unloaded[i].path);
    size_t o = sized_list_header(b, 12, 24, sp->nunloaded);
    for (size_t i = 0; i < sp->nunloaded; i++) {
        const kdx_mdw_unloaded *u = &sp->unloaded[i];
        uint8_t *e = b->p + o + 12 + 24 * i;
        kdx_put_le64(e, u->base);
        kdx_put_le32(e + 8, u->size);
        kdx_put_le32(e + 12, u->checksum);
        kdx_put_le32(e + 16, u->timestamp);
        kdx_put_le32(e + 20, name[i]);
    }
    add_stream(dir, nd, KDX_MD_UNLOADED_MODULES, o, b->len);
    free(name);
}

/* MINIDUMP_HANDLE_DATA_STREAM with MINIDUMP_HANDLE_DESCRIPTOR (32-byte) entries. */
static void write_handles(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    uint32_t *names = kdx_xcalloc(2 * sp->nhandles + 1, sizeof *names);
    for (size_t i = 0; i < sp->nhandles; i++) {
        if (sp->handles[i].type_name)
            names[2 * i] = put_string(b, sp->handles[i].type_name);
        if (sp->handles[i].object_name)
            names[2 * i + 1] = put_string(b, sp->handles[i].object_name);
    }
    size_t o = sized_list_header(b, 16, 32, sp->nhandles);
    for (size_t i = 0; i < sp->nhandles; i++) {
        const kdx_mdw_handle *h = &sp->handles[i];
        uint8_t *e = b->p + o + 16 + 32 * i;
        kdx_put_le64(e, h->handle);
        kdx_put_le32(e + 8, names[2 * i]);
        kdx_put_le32(e + 12, names[2 * i + 1]);
        kdx_put_le32(e + 16, h->attributes);
        kdx_put_le32(e + 20, h->granted_access);
        kdx_put_le32(e + 24, h->handle_count);
        kdx_put_le32(e + 28, h->pointer_count);
    }
    add_stream(dir, nd, KDX_MD_HANDLE_DATA, o, b->len);
    free(names);
}

/* MINIDUMP_THREAD_INFO_LIST: 12-byte header, 64-byte entries. */
static void write_thread_info(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    bool any = false;
    for (size_t i = 0; i < sp->nthreads; i++)
        any |= sp->threads[i].create_time != 0;
    if (!any)
        return;
    size_t o = sized_list_header(b, 12, 64, sp->nthreads);
    for (size_t i = 0; i < sp->nthreads; i++) {
        const kdx_mdw_thread *t = &sp->threads[i];
        uint8_t *e = b->p + o + 12 + 64 * i;
        kdx_put_le32(e, t->id);
        kdx_put_le64(e + 16, t->create_time);
        kdx_put_le64(e + 32, t->kernel_time);
        kdx_put_le64(e + 40, t->user_time);
        kdx_put_le64(e + 48, t->start_address);
    }
    add_stream(dir, nd, KDX_MD_THREAD_INFO_LIST, o, b->len);
}

/* MINIDUMP_MEMORY_INFO_LIST: 16-byte header (64-bit count), 48-byte entries. */
static void write_regions(wbuf *b, const kdx_mdw_spec *sp, dirent_w *dir, size_t *nd)
{
    size_t o = sized_list_header(b, 16, 48, sp->nregions);
    kdx_put_le64(b->p + o + 8, sp->nregions);
    for (size_t i = 0; i < sp->nregions; i++) {
        const kdx_mdw_region *r = &sp->regions[i];
        uint8_t *e = b->p + o + 16 + 48 * i;
        kdx_put_le64(e, r->base);
        kdx_put_le64(e + 8, r->allocation_base);
        kdx_put_le32(e + 16, r->allocation_protect);
        kdx_put_le64(e + 24, r->size);
        kdx_put_le32(e + 32, r->state);
        kdx_put_le32(e + 36, r->protect);
        kdx_put_le32(e + 40, r->type);
    }
    add_stream(dir, nd, KDX_MD_MEMORY_INFO_LIST, o, b->len);
}

kdx_status kdx_minidump_write(const kdx_mdw_spec *sp, uint8_t **out, size_t *len, kdx_err *err)
{
    *out = NULL;
    *len = 0;
    if (sp->arch == KDX_ARCH_UNKNOWN)
        return kdx_err_set(err, KDX_E_ARG, "minidump writer: no architecture given");
    for (size_t i = 0; i < sp->nthreads; i++)
        if (sp->threads[i].context.arch != sp->arch)
            return kdx_err_set(err, KDX_E_ARG, "minidump writer: thread %zu's context is %s, "
                               "the dump is %s", i, kdx_arch_name(sp->threads[i].context.arch),
                               kdx_arch_name(sp->arch));
    enum { MAX_DIR = 20 };
    dirent_w dir[MAX_DIR];
    size_t nd = 0;
    wbuf b = {0};
    reserve(&b, 32 + 12 * MAX_DIR);
    write_sysinfo(&b, sp, dir, &nd);
    write_threads(&b, sp, dir, &nd);
    write_modules(&b, sp, dir, &nd);
    if (sp->has_exception)
        write_exception(&b, sp, dir, &nd);
    if (sp->has_misc)
        write_misc(&b, sp, dir, &nd);
    write_thread_names(&b, sp, dir, &nd);
    write_thread_info(&b, sp, dir, &nd);
    if (sp->nunloaded)
        write_unloaded(&b, sp, dir, &nd);
    if (sp->nhandles)
        write_handles(&b, sp, dir, &nd);
    if (sp->nregions)
        write_regions(&b, sp, dir, &nd);
    if (sp->breakpad_info) {
        size_t o = reserve(&b, 12);
        kdx_put_le32(b.p + o, 3); /* both ids valid */
        kdx_put_le32(b.p + o + 4, sp->breakpad_dump_tid);
        kdx_put_le32(b.p + o + 8, sp->breakpad_requesting_tid);
        add_stream(dir, &nd, KDX_MD_BREAKPAD_INFO, o, b.len);
    }
    if (sp->comment) {
        size_t o = append(&b, sp->comment, strlen(sp->comment) + 1);
        add_stream(dir, &nd, KDX_MD_COMMENT_A, o, b.len);
    }
    if (sp->extra_stream_type) {
        size_t o = append(&b, "kdx", 4);
        add_stream(dir, &nd, sp->extra_stream_type, o, b.len);
    }
    write_memory(&b, sp, dir, &nd); /* last: Memory64 data runs to the end */
    memcpy(b.p, "MDMP", 4);
    kdx_put_le32(b.p + 4, 0xa793);
    kdx_put_le32(b.p + 8, (uint32_t)nd);
    kdx_put_le32(b.p + 12, 32);
    kdx_put_le32(b.p + 20, sp->timestamp);
    kdx_put_le64(b.p + 24, sp->full_memory ? KDX_MD_FLAG_FULL_MEMORY : 0);
    for (size_t i = 0; i < nd; i++) {
        kdx_put_le32(b.p + 32 + 12 * i, dir[i].type);
        kdx_put_le32(b.p + 36 + 12 * i, dir[i].size);
        kdx_put_le32(b.p + 40 + 12 * i, dir[i].rva);
    }
    *out = b.p;
    *len = b.len;
    return KDX_OK;
}

kdx_status kdx_minidump_write_file(const kdx_mdw_spec *spec, const char *path, kdx_err *err)
{
    uint8_t *buf;
    size_t len;
    kdx_status st = kdx_minidump_write(spec, &buf, &len, err);
    if (st != KDX_OK)
        return st;
    FILE *f = fopen(path, "wbx"); /* a new file only */
    if (!f) {
        free(buf);
        return kdx_err_set(err, KDX_E_IO, "%s: cannot create: %s", path, strerror(errno));
    }
    size_t w = fwrite(buf, 1, len, f);
    int closed = fclose(f);
    free(buf);
    if (w != len || closed != 0)
        return kdx_err_set(err, KDX_E_IO, "%s: write failed", path);
    return KDX_OK;
}
