/* User-mode minidump reader (MDMP): header, stream directory, and the target
 * operations (memory, thread contexts, thread facts). The streams themselves
 * are parsed in minidump_streams.c. */
#include "dump/minidump.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/formats.h"

#define MD_HEADER_SIZE 32
#define MD_DIRENT_SIZE 12
#define MD_MAX_STREAMS 0x10000

void kdx_minidump_note(kdx_minidump *md, const char *fmt, ...)
{
    if (md->nnotes >= KDX_MD_MAX_NOTES) {
        md->notes_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : KDX_MIN((size_t)n, sizeof line - 2);
    line[len++] = '\n';
    md->notes = kdx_xrealloc(md->notes, md->notes_len + len + 1);
    memcpy(md->notes + md->notes_len, line, len);
    md->notes_len += len;
    md->notes[md->notes_len] = 0;
    md->nnotes++;
}

static void md_free(void *impl)
{
    kdx_minidump *md = impl;
    if (!md)
        return;
    for (size_t i = 0; i < md->nthreads; i++)
        free(md->threads[i].name);
    free(md->threads);
    free(md->streams);
    free(md->ranges);
    free(md->misc.tz_standard_name);
    free(md->misc.tz_daylight_name);
    free(md->misc.build_string);
    free(md->misc.dbg_build_string);
    for (size_t i = 0; i < md->nhandles; i++) {
        free(md->handles[i].type_name);
        free(md->handles[i].object_name);
    }
    free(md->handles);
    free(md->meminfo);
    for (size_t i = 0; i < md->ncomments; i++)
        free(md->comments[i]);
    free(md->comments);
    free(md->assert_expression);
    free(md->assert_function);
    free(md->assert_file);
    free(md->notes);
    kdx_file_close(md->file);
    free(md);
}

/* Finds the range holding va: ranges are sorted and disjoint. */
static const kdx_md_range *find_range(const kdx_minidump *md, uint64_t va)
{
    size_t lo = 0, hi = md->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kdx_md_range *r = &md->ranges[mid];
        if (va < r->va)
            hi = mid;
        else if (va - r->va >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

kdx_status kdx_minidump_read(const kdx_minidump *md, uint64_t va, void *buf, size_t len,
                             size_t *done)
{
    uint8_t *dst = buf;
    size_t got = 0;
    while (got < len) {
        uint64_t a = va + got;
        const kdx_md_range *r = find_range(md, a);
        if (!r)
            break;
        uint64_t in = a - r->va;
        size_t n = (size_t)KDX_MIN((uint64_t)(len - got), r->size - in);
        memcpy(dst + got, md->file->data + r->off + in, n);
        got += n;
    }
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static kdx_status md_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    return kdx_minidump_read(impl, va, buf, len, done);
}

/* kdx_target.next_virt: the lowest saved address >= va (ranges are sorted
 * and disjoint), so readers of partly saved ranges skip gaps a range at a time. */
static kdx_status md_next_virt(void *impl, uint64_t va, uint64_t *next)
{
    const kdx_minidump *md = impl;
    size_t lo = 0, hi = md->nranges;
    while (lo < hi) { /* first range ending above va */
        size_t mid = lo + (hi - lo) / 2;
        const kdx_md_range *r = &md->ranges[mid];
        if (va >= r->va && va - r->va >= r->size)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == md->nranges)
        return KDX_E_NOT_FOUND;
    *next = KDX_MAX(va, md->ranges[lo].va);
    return KDX_OK;
}

/* The arch is kept in the target; the impl needs it for contexts. */
typedef struct md_handle {
    kdx_minidump md;
    kdx_arch arch;
} md_handle;

static kdx_status md_get_context(void *impl, unsigned index, kdx_context *out, kdx_err *err)
{
    md_handle *h = impl;
    kdx_minidump *md = &h->md;
    if (index >= md->nthreads)
        return kdx_err_set(err, KDX_E_ARG, "%s: thread index %u out of range (%zu threads)",
                           md->file->path, index, md->nthreads);
    const kdx_md_thread *th = &md->threads[index];
    const uint8_t *p;
    kdx_status st = kdx_file_need(md->file, th->context_rva, th->context_size,
                                  "thread CONTEXT record", &p, err);
    if (st != KDX_OK)
        return st;
    kdx_arch a = h->arch != KDX_ARCH_UNKNOWN ? h->arch : kdx_md_arch_of_context_size(th->context_size);
    if (a == KDX_ARCH_UNKNOWN)
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "%s: thread %x: CONTEXT of 0x%x bytes at offset 0x%x is of an "
                           "architecture kdx does not support",
                           md->file->path, th->id, th->context_size, th->context_rva);
    st = kdx_context_parse(a, p, th->context_size, out, err);
    if (st != KDX_OK)
        kdx_err_prefix(err, "%s: thread %x CONTEXT at offset 0x%x", md->file->path, th->id,
                       th->context_rva);
    return st;
}

/* NT_TIB StackBase/StackLimit from the TEB when the dump holds it. */
static bool teb_stack(const md_handle *h, uint64_t teb, uint64_t *base, uint64_t *limit)
{
    int ps = kdx_arch_ptr_size(h->arch);
    if (!teb || !ps)
        return false;
    uint8_t b[16];
    if (kdx_minidump_read(&h->md, teb + (uint64_t)ps, b, (size_t)ps * 2, NULL) != KDX_OK)
        return false;
    uint64_t hi = ps == 8 ? kdx_le64(b) : kdx_le32(b);
    uint64_t lo = ps == 8 ? kdx_le64(b + 8) : kdx_le32(b + 4);
    if (hi <= lo)
        return false; /* not a live stack (or not a TEB): use the saved range */
    *base = hi;
    *limit = lo;
    return true;
}

static kdx_status md_get_thread_info(void *impl, unsigned index, kdx_thread_info *out,
                                     kdx_err *err)
{
    md_handle *h = impl;
    kdx_minidump *md = &h->md;
    memset(out, 0, sizeof *out);
    if (index >= md->nthreads)
        return kdx_err_set(err, KDX_E_ARG, "%s: thread index %u out of range (%zu threads)",
                           md->file->path, index, md->nthreads);
    const kdx_md_thread *th = &md->threads[index];
    out->id = th->id;
    out->teb = th->teb;
    out->suspend_count = th->suspend_count;
    out->priority_class = th->priority_class;
    out->priority = th->priority;
    if (!teb_stack(h, th->teb, &out->stack_base, &out->stack_limit) && th->stack_size) {
        out->stack_limit = th->stack_start;
        out->stack_base = th->stack_start + th->stack_size;
    }
    out->name = th->name; /* owned by the minidump; valid while the target is open */
    return KDX_OK;
}

static void md_close(void *impl)
{
    md_free(impl);
}

static const kdx_target_ops md_ops_mini = {
    .format_name = "User mini dump",
    .close = md_close,
    .read_virt = md_read_virt,
    .get_context = md_get_context,
    .get_thread_info = md_get_thread_info,
};

static const kdx_target_ops md_ops_full = {
    .format_name = "Full memory user mini dump",
    .close = md_close,
    .read_virt = md_read_virt,
    .get_context = md_get_context,
    .get_thread_info = md_get_thread_info,
};

kdx_minidump *kdx_minidump_of(const kdx_target *t)
{
    if (!t || (t->ops != &md_ops_mini && t->ops != &md_ops_full))
        return NULL;
    return &((md_handle *)t->impl)->md;
}

bool kdx_minidump_process_times(const kdx_target *t, uint64_t *kernel_time, uint64_t *user_time)
{
    const kdx_minidump *md = kdx_minidump_of(t);
    if (!md || !md->misc.present || !(md->misc.flags1 & KDX_MD_MISC_PROCESS_TIMES))
        return false;
    *kernel_time = (uint64_t)md->misc.process_kernel_time * 10000000ull;
    *user_time = (uint64_t)md->misc.process_user_time * 10000000ull;
    return true;
}

bool kdx_minidump_is_wow64(const kdx_target *t)
{
    return kdx_minidump_of(t) && t->arch == KDX_ARCH_X64 &&
           kdx_target_module_named(t, "wow64cpu") != NULL;
}

#define TEB64_TLS_SLOT1 0x1488 /* TlsSlots[WOW64_TLS_CPURESERVED] */

kdx_status kdx_minidump_wow64_context(kdx_target *t, unsigned index, kdx_context *out,
                                      kdx_err *err)
{
    const kdx_minidump *md = kdx_minidump_of(t);
    if (!kdx_minidump_is_wow64(t))
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "%s: not a WOW64 process (no wow64cpu.dll in "
                           "an x64 dump)", t->path);
    if (index >= md->nthreads)
        return kdx_err_set(err, KDX_E_ARG, "%s: thread index %u out of range (%zu threads)",
                           t->path, index, md->nthreads);
    const kdx_md_thread *th = &md->threads[index];
    uint8_t slot[8];
    if (kdx_minidump_read(md, th->teb + TEB64_TLS_SLOT1, slot, sizeof slot, NULL) != KDX_OK)
        return kdx_err_set(err, KDX_E_MEM_MISSING, "%s: thread %x: the TEB's TLS slot 1 at "
                           "0x%llx (WOW64 CPU data pointer) is not in the dump", t->path, th->id,
                           (unsigned long long)(th->teb + TEB64_TLS_SLOT1));
    uint64_t cpu = kdx_le64(slot);
    uint8_t ctx[KDX_CONTEXT_X86_SIZE];
    size_t done = 0;
    kdx_minidump_read(md, cpu + 4, ctx, sizeof ctx, &done);
    if (done < KDX_CONTEXT_X86_SIZE_NO_EXT)
        return kdx_err_set(err, KDX_E_MEM_MISSING, "%s: thread %x: the WOW64 context at 0x%llx "
                           "is not in the dump", t->path, th->id,
                           (unsigned long long)(cpu + 4));
    return kdx_context_parse(KDX_ARCH_X86, ctx, done, out, err);
}

bool kdx_minidump_probe(const uint8_t *head, size_t n)
{
    return n >= 4 && memcmp(head, "MDMP", 4) == 0;
}

static int range_cmp(const void *a, const void *b)
{
    const kdx_md_range *x = a, *y = b;
    if (x->va != y->va)
        return x->va < y->va ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size; /* larger first */
}

/* Thread stacks are saved memory too; then sort and make ranges disjoint
 * (where ranges overlap, the one starting first keeps its bytes). */
static void finish_ranges(kdx_minidump *md)
{
    for (size_t i = 0; i < md->nthreads; i++) {
        const kdx_md_thread *th = &md->threads[i];
        if (!th->stack_size || th->stack_start + th->stack_size < th->stack_start)
            continue;
        /* A stack cut off by a truncated file keeps the bytes that are there. */
        uint64_t have = th->stack_rva >= md->file->size
                            ? 0 : KDX_MIN((uint64_t)th->stack_size, md->file->size - th->stack_rva);
        if (have < th->stack_size) {
            kdx_minidump_note(md, "thread %x stack: only 0x%llx of 0x%x bytes at offset 0x%x are in the file: "
                                  "truncated dump", th->id, (unsigned long long)have, th->stack_size, th->stack_rva);
            md->truncated = true;
        }
        if (!have)
            continue;
        md->ranges = kdx_xrealloc(md->ranges, (md->nranges + 1) * sizeof *md->ranges);
        md->ranges[md->nranges++] =
            (kdx_md_range){.va = th->stack_start, .size = have, .off = th->stack_rva};
    }
    if (!md->nranges)
        return;
    kdx_sort(md->ranges, md->nranges, sizeof *md->ranges, range_cmp);
    size_t w = 0;
    for (size_t i = 0; i < md->nranges; i++) {
        kdx_md_range r = md->ranges[i];
        if (r.size == 0)
            continue;
        if (w) {
            const kdx_md_range *prev = &md->ranges[w - 1];
            uint64_t prev_end = prev->va + prev->size;
            if (r.va + r.size <= prev_end)
                continue; /* fully inside the previous range */
            if (r.va < prev_end) {
                uint64_t skip = prev_end - r.va;
                r.va += skip;
                r.off += skip;
                r.size -= skip;
            }
        }
        md->ranges[w++] = r;
    }
    md->nranges = w;
}

static kdx_status read_directory(kdx_minidump *md, uint32_t nstreams, uint32_t dir_rva,
                                 kdx_err *err)
{
    const char *path = md->file->path;
    if (nstreams > MD_MAX_STREAMS)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: minidump header claims %u streams (limit %u) at offset 0x8",
                           path, nstreams, MD_MAX_STREAMS);
    const uint8_t *d;
    if (!kdx_range_ok(dir_rva, (uint64_t)nstreams * MD_DIRENT_SIZE, md->file->size) ||
        !(d = kdx_file_at(md->file, dir_rva, (uint64_t)nstreams * MD_DIRENT_SIZE)))
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: minidump stream directory at offset 0x%x (%u entries, 0x%llx "
                           "bytes) extends past the end of the file (size 0x%llx)",
                           path, dir_rva, nstreams,
                           (unsigned long long)nstreams * MD_DIRENT_SIZE,
                           (unsigned long long)md->file->size);
    md->streams = kdx_xcalloc(nstreams ? nstreams : 1, sizeof *md->streams);
    md->nstreams = nstreams;
    md->dir_rva = dir_rva;
    for (uint32_t i = 0; i < nstreams; i++) {
        const uint8_t *e = d + (size_t)i * MD_DIRENT_SIZE;
        kdx_md_stream *s = &md->streams[i];
        *s = (kdx_md_stream){kdx_le32(e), kdx_le32(e + 4), kdx_le32(e + 8)};
        if (s->size && !kdx_range_ok(s->rva, s->size, md->file->size)) {
            const char *name = kdx_minidump_stream_name(s->type);
            kdx_minidump_note(md, "stream %u (%s, type 0x%x) at offset 0x%x (0x%x bytes) extends past the end of "
                                  "the file (size 0x%llx)", i, name ? name : "unknown", s->type, s->rva, s->size,
                                  (unsigned long long)md->file->size);
            md->bad_streams++;
        }
    }
    return KDX_OK;
}

/* Parses the streams in the order their dependencies need: system info
 * (arch), threads, memory, thread names/info, modules, exception, the rest. */
static kdx_status parse_streams(kdx_minidump *md, kdx_target *t, kdx_err *err)
{
    static const uint32_t order[] = {
        KDX_MD_SYSTEM_INFO, KDX_MD_THREAD_LIST, KDX_MD_THREAD_EX_LIST, KDX_MD_MEMORY_LIST,
        KDX_MD_MEMORY64_LIST, KDX_MD_THREAD_NAMES, KDX_MD_THREAD_INFO_LIST, KDX_MD_MODULE_LIST,
        KDX_MD_UNLOADED_MODULES, KDX_MD_MISC_INFO, KDX_MD_EXCEPTION, KDX_MD_HANDLE_DATA,
        KDX_MD_MEMORY_INFO_LIST, KDX_MD_COMMENT_A, KDX_MD_COMMENT_W, KDX_MD_TOKEN,
        KDX_MD_BREAKPAD_INFO, KDX_MD_PROCESS_VM_COUNTERS, KDX_MD_BREAKPAD_ASSERTION,
        KDX_MD_SYSTEM_MEMORY_INFO};
    bool have_threads = false, ranges_done = false;
    for (size_t o = 0; o < KDX_ARRAY_LEN(order); o++) {
        uint32_t type = order[o];
        if (!ranges_done && (type == KDX_MD_THREAD_NAMES)) {
            finish_ranges(md);
            ranges_done = true;
        }
        for (size_t i = 0; i < md->nstreams; i++) {
            const kdx_md_stream *s = &md->streams[i];
            if (s->type != type)
                continue;
            kdx_status st = KDX_OK;
            switch (type) {
            case KDX_MD_SYSTEM_INFO: st = kdx_md_parse_sysinfo(md, t, s, err); break;
            case KDX_MD_THREAD_LIST:
            case KDX_MD_THREAD_EX_LIST:
                if (have_threads)
                    continue; /* the first thread list wins */
                st = kdx_md_parse_threads(md, s, type == KDX_MD_THREAD_EX_LIST, err);
                have_threads = true;
                break;
            case KDX_MD_MEMORY_LIST: st = kdx_md_parse_memory(md, s, err); break;
            case KDX_MD_MEMORY64_LIST: st = kdx_md_parse_memory64(md, s, err); break;
            case KDX_MD_THREAD_NAMES: st = kdx_md_parse_thread_names(md, s, err); break;
            case KDX_MD_THREAD_INFO_LIST: st = kdx_md_parse_thread_info(md, s, err); break;
            case KDX_MD_MODULE_LIST: st = kdx_md_parse_modules(md, t, s, err); break;
            case KDX_MD_UNLOADED_MODULES: st = kdx_md_parse_unloaded(md, t, s, err); break;
            case KDX_MD_MISC_INFO: st = kdx_md_parse_misc(md, s, err); break;
            case KDX_MD_EXCEPTION: st = kdx_md_parse_exception(md, t, s, err); break;
            case KDX_MD_HANDLE_DATA: st = kdx_md_parse_handles(md, s, err); break;
            case KDX_MD_MEMORY_INFO_LIST: st = kdx_md_parse_meminfo(md, s, err); break;
            case KDX_MD_COMMENT_A: st = kdx_md_parse_comment(md, s, false, err); break;
            case KDX_MD_COMMENT_W: st = kdx_md_parse_comment(md, s, true, err); break;
            case KDX_MD_TOKEN: st = kdx_md_parse_token(md, s, err); break;
            case KDX_MD_BREAKPAD_INFO: st = kdx_md_parse_breakpad_info(md, s, err); break;
            case KDX_MD_PROCESS_VM_COUNTERS: st = kdx_md_parse_vm_counters(md, s, err); break;
            case KDX_MD_SYSTEM_MEMORY_INFO: st = kdx_md_parse_system_memory(md, s, err); break;
            case KDX_MD_BREAKPAD_ASSERTION: st = kdx_md_parse_assertion(md, s, err); break;
            default: break;
            }
            if (st != KDX_OK)
                return st;
            /* A second stream of a type is ignored (dbghelp reads the first);
             * comments are the exception: every one is kept. */
            if (type != KDX_MD_COMMENT_A && type != KDX_MD_COMMENT_W)
                break;
        }
    }
    return KDX_OK;
}

/* Facts for kdx_target that several streams contribute to. */
static void fill_target(kdx_minidump *md, kdx_target *t)
{
    t->ncontexts = (unsigned)md->nthreads;
    t->default_context = md->exception_thread >= 0 ? (unsigned)md->exception_thread : 0;
    /* A Breakpad dump written on request (no exception) starts on the thread
     * that asked for it. */
    if (md->exception_thread < 0 && md->has_breakpad_info && (md->breakpad_validity & 2))
        for (size_t i = 0; i < md->nthreads; i++)
            if (md->threads[i].id == md->breakpad_requesting_tid)
                t->default_context = (unsigned)i;
    t->sys.dump_time = md->timestamp ? kdx_md_time_to_filetime(md->timestamp) : 0;
    if (md->misc.present && (md->misc.flags1 & KDX_MD_MISC_PROCESS_ID))
        t->sys.process_id = md->misc.process_id;
    if (md->misc.present && (md->misc.flags1 & KDX_MD_MISC_PROCESS_TIMES) &&
        md->misc.process_create_time)
        t->sys.process_create_time = kdx_md_time_to_filetime(md->misc.process_create_time);
    if (md->misc.build_string && md->misc.build_string[0] && !t->sys.build_lab)
        t->sys.build_lab = kdx_strdup(md->misc.build_string);
    /* The executable is the first module of the list, as Windows writes it. */
    for (size_t i = 0; i < t->nmodules && !t->main_module; i++)
        if (!t->modules[i]->unloaded)
            t->main_module = t->modules[i];
}

/* The first line of a multi-line note, cut in place. */
static const char *first_line(char *notes)
{
    char *nl = strchr(notes, '\n');
    if (nl)
        *nl = 0;
    return notes;
}

kdx_status kdx_minidump_open_file(kdx_file *f, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    const uint8_t *h;
    kdx_status st = kdx_file_need(f, 0, MD_HEADER_SIZE, "minidump header", &h, err);
    if (st != KDX_OK) {
        kdx_file_close(f);
        return st;
    }
    if (memcmp(h, "MDMP", 4) != 0) {
        kdx_err_set(err, KDX_E_FORMAT, "%s: not a minidump (no MDMP signature at offset 0)",
                    f->path);
        kdx_file_close(f);
        return KDX_E_FORMAT;
    }
    md_handle *hd = kdx_xcalloc(1, sizeof *hd);
    kdx_minidump *md = &hd->md;
    md->file = f;
    md->exception_thread = -1;
    md->version = kdx_le32(h + 4);
    md->checksum = kdx_le32(h + 16);
    md->timestamp = kdx_le32(h + 20);
    md->flags = kdx_le64(h + 24);
    kdx_target *t = kdx_target_new(KDX_TARGET_USER_DUMP, KDX_ARCH_UNKNOWN, f->path);
    t->paging = KDX_PAGING_NONE;
    t->ops = (md->flags & KDX_MD_FLAG_FULL_MEMORY) ? &md_ops_full : &md_ops_mini;
    t->impl = hd;
    t->next_virt = md_next_virt;
    if ((md->version & 0xffff) != 0xa793) {
        st = kdx_err_set(err, KDX_E_FORMAT,
                         "%s: minidump header version 0x%x at offset 0x4 is not 0xa793 "
                         "(MINIDUMP_VERSION)",
                         f->path, md->version & 0xffff);
        goto fail;
    }
    st = read_directory(md, kdx_le32(h + 8), kdx_le32(h + 12), err);
    if (st == KDX_OK)
        st = parse_streams(md, t, err);
    if (st != KDX_OK)
        goto fail;
    if (!md->nthreads && md->nranges == 0 && t->nmodules == 0 && !t->exception.present) {
        st = kdx_err_set(err, KDX_E_FORMAT,
                         "%s: minidump has no usable stream: none of the %zu entries of its "
                         "directory (offset 0x%x) is a thread, module, memory or exception "
                         "stream%s%s",
                         f->path, md->nstreams, md->dir_rva,
                         md->bad_streams ? "; first problem: " : "",
                         md->bad_streams ? first_line(md->notes) : "");
        goto fail;
    }
    if (t->arch == KDX_ARCH_UNKNOWN && md->nthreads)
        t->arch = kdx_md_arch_of_context_size(md->threads[0].context_size);
    t->ptr_size = t->ptr_size ? t->ptr_size : kdx_arch_ptr_size(t->arch);
    hd->arch = t->arch;
    if (t->exception.present && !t->exception.has_context && md->exception_thread >= 0) {
        /* No exception CONTEXT: .ecxr uses the thread's own. */
        kdx_err ignored;
        t->exception.has_context =
            md_get_context(hd, (unsigned)md->exception_thread, &t->exception.context,
                           &ignored) == KDX_OK;
    }
    fill_target(md, t);
    *out = t;
    return KDX_OK;
fail:
    kdx_target_close(t);
    return st;
}

kdx_status kdx_minidump_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_open(&f, path, err);
    if (st != KDX_OK)
        return st;
    return kdx_minidump_open_file(f, out, err);
}
