/* Triage (small) kernel dumps, DumpType 4: TRIAGE_DUMP64/32 and the blocks it
 * points to. Memory the dump saved (PRCB, thread and process copies, the
 * call stack, the KDBG copy, the data page and the data blocks) becomes a
 * table of direct virtual ranges; anything else is missing from the dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdump.h"

/* The 18 ULONG fields both layouts start with. */
static void parse_common(const uint8_t *b, kdx_kdump_triage *t)
{
    uint32_t *f[] = {&t->service_pack_build, &t->size_of_dump, &t->valid_offset,
                     &t->context_offset, &t->exception_offset, &t->mm_offset,
                     &t->unloaded_drivers_offset, &t->prcb_offset, &t->process_offset,
                     &t->thread_offset, &t->call_stack_offset, &t->size_of_call_stack,
                     &t->driver_list_offset, &t->driver_count, &t->string_pool_offset,
                     &t->string_pool_size, &t->broken_driver_offset, &t->triage_options};
    for (size_t i = 0; i < KDX_ARRAY_LEN(f); i++)
        *f[i] = kdx_le32(b + 4 * i);
}

static void parse_triage64(const uint8_t *b, kdx_kdump_triage *t)
{
    parse_common(b, t);
    t->top_of_stack = kdx_le64(b + 0x48);
    t->bstore_offset = kdx_le32(b + 0x50);
    t->size_of_bstore = kdx_le32(b + 0x54);
    t->limit_of_bstore = kdx_le64(b + 0x58);
    t->data_page_address = kdx_le64(b + 0x60);
    t->data_page_offset = kdx_le32(b + 0x68);
    t->data_page_size = kdx_le32(b + 0x6c);
    t->debugger_data_offset = kdx_le32(b + 0x70);
    t->debugger_data_size = kdx_le32(b + 0x74);
    t->data_blocks_offset = kdx_le32(b + 0x78);
    t->data_blocks_count = kdx_le32(b + 0x7c);
}

static void parse_triage32(const uint8_t *b, kdx_kdump_triage *t)
{
    parse_common(b, t);
    t->top_of_stack = kdx_le32(b + 0x48);
    t->data_page_address = kdx_le32(b + 0x4c);
    t->data_page_offset = kdx_le32(b + 0x50);
    t->data_page_size = kdx_le32(b + 0x54);
    t->debugger_data_offset = kdx_le32(b + 0x58);
    t->debugger_data_size = kdx_le32(b + 0x5c);
    t->data_blocks_offset = kdx_le32(b + 0x60);
    t->data_blocks_count = kdx_le32(b + 0x64);
}

static kdx_status need(const kdx_kdump *d, uint64_t off, uint64_t len, const char *what,
                       kdx_err *err)
{
    const uint8_t *p;
    return kdx_file_need(d->file, off, len, what, &p, err);
}

static void add_range(kdx_kdump *d, uint64_t va, uint64_t size, uint64_t off)
{
    if (!size || va + size < va)
        return;
    d->vranges = kdx_xrealloc(d->vranges, (d->nvranges + 1) * sizeof *d->vranges);
    d->vranges[d->nvranges++] = (kdx_kdump_vrange){va, size, off};
}

static int vrange_cmp(const void *a, const void *b)
{
    const kdx_kdump_vrange *x = a, *y = b;
    return x->va < y->va ? -1 : x->va > y->va;
}

static void sort_ranges(kdx_kdump *d)
{
    if (d->nvranges)
        kdx_sort(d->vranges, d->nvranges, sizeof *d->vranges, vrange_cmp);
    free(d->vmax_end);
    d->vmax_end = kdx_xmalloc((d->nvranges ? d->nvranges : 1) * sizeof *d->vmax_end);
    uint64_t m = 0;
    for (size_t i = 0; i < d->nvranges; i++) {
        m = KDX_MAX(m, d->vranges[i].va + d->vranges[i].size);
        d->vmax_end[i] = m;
    }
}

/* The index of the first range starting above va (nvranges when none). */
static size_t first_range_above(const kdx_kdump *d, uint64_t va)
{
    size_t lo = 0, hi = d->nvranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->vranges[mid].va <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The range holding va, or NULL. */
static const kdx_kdump_vrange *find_range(const kdx_kdump *d, uint64_t va)
{
    size_t lo = first_range_above(d, va);
    for (size_t i = lo; i-- > 0 && d->vmax_end[i] > va;)
        if (va - d->vranges[i].va < d->vranges[i].size)
            return &d->vranges[i];
    return NULL;
}

/* kdx_target.next_virt: the lowest saved address >= va, so readers of
 * partly saved ranges skip gaps a block at a time. */
static kdx_status triage_next_virt(void *impl, uint64_t va, uint64_t *next)
{
    const kdx_kdump *d = impl;
    if (find_range(d, va)) {
        *next = va;
        return KDX_OK;
    }
    size_t lo = first_range_above(d, va);
    if (lo == d->nvranges)
        return KDX_E_NOT_FOUND;
    *next = d->vranges[lo].va;
    return KDX_OK;
}

kdx_status kdx_kdump_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    kdx_kdump *d = impl;
    uint8_t *dst = buf;
    size_t got = 0;
    while (got < len) {
        uint64_t a = va + got;
        const kdx_kdump_vrange *r = find_range(d, a);
        if (!r)
            break;
        uint64_t n = KDX_MIN((uint64_t)(len - got), r->size - (a - r->va));
        memcpy(dst + got, d->file->data + r->file_off + (a - r->va), (size_t)n);
        got += (size_t)n;
    }
    if (done)
        *done = got;
    return got == len ? KDX_OK : KDX_E_MEM_MISSING;
}

static uint64_t read_ptr(kdx_kdump *d, uint64_t va)
{
    uint8_t b[8] = {0};
    size_t n = d->hdr.is64 ? 8 : 4;
    if (kdx_kdump_read_virt(d, va, b, n, NULL) != KDX_OK)
        return 0;
    return n == 8 ? kdx_le64(b) : kdx_le32(b);
}

static kdx_status check_sections(kdx_kdump *d, kdx_err *err)
{
    const kdx_kdump_triage *t = &d->tri;
    struct {
        uint64_t off, len;
        const char *what;
    } s[] = {
        {t->context_offset, d->hdr.is64 ? 0x4d0 : 0x2cc, "triage CONTEXT"},
        {t->prcb_offset, t->prcb_offset ? 8 : 0, "triage PRCB copy"},
        {t->process_offset, t->process_offset ? 8 : 0, "triage process copy"},
        {t->thread_offset, t->thread_offset ? 8 : 0, "triage thread copy"},
        {t->call_stack_offset, t->size_of_call_stack, "triage call stack"},
        {t->string_pool_offset, t->string_pool_size, "triage string pool"},
        {t->debugger_data_offset, t->debugger_data_size, "triage KDDEBUGGER_DATA64 copy"},
        {t->data_page_offset, t->data_page_size, "triage data page"},
        {t->data_blocks_offset, (uint64_t)t->data_blocks_count * (d->hdr.is64 ? 16 : 12),
         "triage data block table"},
        {t->driver_list_offset, (uint64_t)t->driver_count * (d->hdr.is64 ? 0x90 : 0x4c),
         "triage driver list"},
    };
    for (size_t i = 0; i < KDX_ARRAY_LEN(s); i++)
        if (s[i].len) {
            kdx_status st = need(d, s[i].off, s[i].len, s[i].what, err);
            if (st != KDX_OK)
                return st;
        }
    return KDX_OK;
}

static kdx_status add_data_blocks(kdx_kdump *d, kdx_err *err)
{
    const kdx_kdump_triage *t = &d->tri;
    size_t es = d->hdr.is64 ? 16 : 12;
    for (uint32_t i = 0; i < t->data_blocks_count; i++) {
        const uint8_t *e = d->file->data + t->data_blocks_offset + (uint64_t)i * es;
        uint64_t va = d->hdr.is64 ? kdx_le64(e) : kdx_le32(e);
        uint32_t off = kdx_le32(e + es - 8), size = kdx_le32(e + es - 4);
        char what[64];
        snprintf(what, sizeof what, "triage data block %u", i);
        kdx_status st = need(d, off, size, what, err);
        if (st != KDX_OK)
            return st;
        add_range(d, va, size, off);
    }
    return KDX_OK;
}

/* Finds the virtual addresses of the PRCB, thread and process copies:
 * KiProcessorBlock[Prcb.Number], Prcb.CurrentThread, Thread.ApcState.Process. */
static void locate_copies(kdx_kdump *d)
{
    kdx_kdump_triage *t = &d->tri;
    const kdx_kdbg *k = &d->kdbg;
    uint64_t ps = d->hdr.is64 ? 8 : 4;
    t->prcb_size = t->process_offset > t->prcb_offset ? t->process_offset - t->prcb_offset : 0;
    t->process_size = t->thread_offset > t->process_offset ? t->thread_offset - t->process_offset : 0;
    t->thread_size = t->call_stack_offset > t->thread_offset ? t->call_stack_offset - t->thread_offset : 0;
    if (kdx_kdbg_u16(k, KDX_KDBG_SIZE_PRCB))
        t->prcb_size = KDX_MIN(t->prcb_size, kdx_kdbg_u16(k, KDX_KDBG_SIZE_PRCB));
    if (kdx_kdbg_u16(k, KDX_KDBG_SIZE_EPROCESS))
        t->process_size = KDX_MIN(t->process_size, kdx_kdbg_u16(k, KDX_KDBG_SIZE_EPROCESS));
    if (kdx_kdbg_u16(k, KDX_KDBG_SIZE_ETHREAD))
        t->thread_size = KDX_MIN(t->thread_size, kdx_kdbg_u16(k, KDX_KDBG_SIZE_ETHREAD));
    if (!k->present || !t->prcb_offset)
        return;
    const kdx_file *f = d->file;
    uint16_t num_off = kdx_kdbg_u16(k, KDX_KDBG_OFF_PRCB_NUMBER);
    if (num_off && kdx_range_ok(t->prcb_offset + (uint64_t)num_off, 2, f->size) && num_off + 2u <= t->prcb_size)
        t->crash_processor = kdx_le16(f->data + t->prcb_offset + num_off);
    uint64_t kpb = kdx_kdbg_ptr(k, KDX_KDBG_KI_PROCESSOR_BLOCK);
    if (kpb)
        t->prcb_va = read_ptr(d, kpb + ps * t->crash_processor);
    uint16_t cur_off = kdx_kdbg_u16(k, KDX_KDBG_OFF_PRCB_CURRENT_THREAD);
    if (cur_off && cur_off + ps <= t->prcb_size) {
        const uint8_t *p = f->data + t->prcb_offset + cur_off;
        t->thread_va = ps == 8 ? kdx_le64(p) : kdx_le32(p);
    }
    uint16_t proc_off = kdx_kdbg_u16(k, KDX_KDBG_OFF_KTHREAD_APC_PROCESS);
    if (t->thread_offset && proc_off && proc_off + ps <= t->thread_size) {
        const uint8_t *p = f->data + t->thread_offset + proc_off;
        t->process_va = ps == 8 ? kdx_le64(p) : kdx_le32(p);
    }
}

kdx_status kdx_kdump_load_triage(kdx_kdump *d, kdx_target *tg, kdx_err *err)
{
    tg->next_virt = triage_next_virt;
    const uint8_t *b;
    uint64_t at = d->hdr.header_size;
    kdx_status st = kdx_file_need(d->file, at, d->hdr.is64 ? 0x80 : 0x68,
                                  d->hdr.is64 ? "TRIAGE_DUMP64" : "TRIAGE_DUMP32", &b, err);
    if (st != KDX_OK)
        return st;
    if (d->hdr.is64)
        parse_triage64(b, &d->tri);
    else
        parse_triage32(b, &d->tri);
    d->is_triage = true;
    kdx_kdump_triage *t = &d->tri;
    if ((st = check_sections(d, err)) != KDX_OK || (st = add_data_blocks(d, err)) != KDX_OK)
        return st;
    if (t->size_of_dump > d->file->size)
        d->truncated = true;
    d->expected_size = t->size_of_dump;
    uint64_t ps = d->hdr.is64 ? 8 : 4;
    uint64_t stack_va = d->hdr.is64 ? t->top_of_stack : (uint32_t)t->top_of_stack;
    (void)ps;
    add_range(d, stack_va, t->size_of_call_stack, t->call_stack_offset);
    if (t->data_page_address)
        add_range(d, t->data_page_address, t->data_page_size, t->data_page_offset);
    if (t->debugger_data_size) {
        /* The copy is usable even when the header does not say where it lives. */
        if (d->hdr.kd_debugger_data_block)
            add_range(d, d->hdr.kd_debugger_data_block, t->debugger_data_size, t->debugger_data_offset);
        kdx_err kerr;
        kdx_kdbg_from_bytes(&d->kdbg, d->file->data + t->debugger_data_offset,
                            t->debugger_data_size, d->hdr.kd_debugger_data_block,
                            d->hdr.ps_loaded_module_list, d->hdr.ps_active_process_head,
                            !d->hdr.is64, d->file->path, &kerr);
    }
    sort_ranges(d);
    locate_copies(d);
    if (t->prcb_va)
        add_range(d, t->prcb_va, t->prcb_size, t->prcb_offset);
    if (t->thread_va)
        add_range(d, t->thread_va, t->thread_size, t->thread_offset);
    if (t->process_va)
        add_range(d, t->process_va, t->process_size, t->process_offset);
    sort_ranges(d);
    return KDX_OK;
}

/* DUMP_STRING at off: ULONG Length (characters), then the UTF-16 text. */
static char *pool_string(const kdx_kdump *d, uint64_t off, kdx_err *err)
{
    const uint8_t *p;
    if (kdx_file_need(d->file, off, 4, "triage driver name (DUMP_STRING)", &p, err) != KDX_OK)
        return NULL;
    uint32_t n = kdx_le32(p);
    if (kdx_file_need(d->file, off + 4, (uint64_t)n * 2, "triage driver name text", &p, err) != KDX_OK)
        return NULL;
    return kdx_utf16le_to_utf8(p, n);
}

static void add_driver(kdx_target *t, char *path, uint64_t base, uint64_t size, uint32_t ts,
                       uint32_t checksum, bool is_kernel, bool unloaded)
{
    const char *file = kdx_basename(path);
    char *name = kdx_module_name_from_image(file, is_kernel);
    kdx_module *m = kdx_module_new(name, base, size);
    free(name);
    m->image_name = kdx_strdup(file);
    m->image_path = path;
    m->timestamp = ts;
    m->checksum = checksum;
    m->unloaded = unloaded;
    kdx_target_add_module(t, m);
}

static void load_unloaded(kdx_kdump *d, kdx_target *t)
{
    const kdx_kdump_triage *tr = &d->tri;
    const kdx_file *f = d->file;
    bool is64 = d->hdr.is64;
    uint64_t off = tr->unloaded_drivers_offset, hs = is64 ? 8 : 4;
    if (!off || !kdx_range_ok(off, hs, f->size))
        return;
    uint64_t count = is64 ? kdx_le64(f->data + off) : kdx_le32(f->data + off);
    /* DUMP_UNLOADED_DRIVERS64/32: UNICODE_STRING Name, WCHAR[12], Start, End. */
    const uint64_t us = is64 ? 0x10 : 0x8, es = us + 24 + 2 * (is64 ? 8 : 4);
    if (count > (f->size - off - hs) / es)
        return;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *e = f->data + off + hs + i * es;
        size_t chars = KDX_MIN((size_t)kdx_le16(e) / 2, (size_t)12);
        char *name = kdx_utf16le_to_utf8(e + us, chars);
        const uint8_t *r = e + us + 24;
        uint64_t start = is64 ? kdx_le64(r) : kdx_le32(r);
        uint64_t end = is64 ? kdx_le64(r + 8) : kdx_le32(r + 4);
        add_driver(t, name, start, end > start ? end - start : 0, 0, 0, false, true);
    }
}

kdx_status kdx_kdump_triage_modules(kdx_kdump *d, kdx_target *t, kdx_err *err)
{
    const kdx_kdump_triage *tr = &d->tri;
    bool is64 = d->hdr.is64;
    uint64_t es = is64 ? 0x90 : 0x4c;
    for (uint32_t i = 0; i < tr->driver_count; i++) {
        const uint8_t *e = d->file->data + tr->driver_list_offset + (uint64_t)i * es;
        char *path = pool_string(d, kdx_le32(e), err);
        if (!path) {
            kdx_err_prefix(err, "driver list entry %u", i);
            return err ? err->code : KDX_E_FORMAT;
        }
        uint64_t base, size;
        uint32_t ts, sum;
        if (is64) {
            base = kdx_le64(e + 8 + 0x30);
            size = kdx_le32(e + 8 + 0x40);
            sum = kdx_le32(e + 8 + 0x78);
            ts = kdx_le32(e + 8 + 0x80);
        } else {
            base = kdx_le32(e + 4 + 0x18);
            size = kdx_le32(e + 4 + 0x20);
            sum = kdx_le32(e + 4 + 0x40);
            ts = kdx_le32(e + 4 + 0x44);
        }
        add_driver(t, path, base, size, ts, sum, i == 0, false);
    }
    load_unloaded(d, t);
    return KDX_OK;
}
