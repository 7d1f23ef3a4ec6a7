/* Synthetic kernel dumps: sparse physical memory, page tables, kernel
 * structures, and the three containers. See kdump_writer.h. */
#include "dump/kdump_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdbg.h"
#include "dump/kdump.h"

#define PAGE 4096u
#define MAX_CPUS 64

/* The writer's own structure layouts (published to readers through the
 * KDBG block) unless the caller sets real ones with kdx_kdw_set_layout. */
static const kdx_kdw_layout default_layout = {
    .prcb_size = 0x800, .prcb_current_thread = 0x8, .prcb_number = 0x24,
    .prcb_proc_state_context = 0x200, .prcb_context_ptr = 0x7f0,
    .thread_size = 0x400, .thread_apc_process = 0xb8, .process_size = 0x400};
/* KLDR_DATA_TABLE_ENTRY of 64- and 32-bit kernels (DllBase, SizeOfImage, FullDllName, BaseDllName). */
static const kdx_kdw_ldr_layout ldr64 = {0xa0, 0x30, 0x40, 0x48, 0x58};
static const kdx_kdw_ldr_layout ldr32 = {0x50, 0x18, 0x20, 0x24, 0x2c};
enum { KDBG_SIZE = 0x380 };

typedef struct page_slot {
    uint64_t pfn;
    uint8_t *data;
} page_slot;

typedef struct wmodule {
    char *path;
    uint64_t base;
    uint32_t size, timestamp;
} wmodule;

typedef struct wcpu {
    bool set;
    kdx_context ctx;
    uint64_t thread, process;
} wcpu;

struct kdx_kdw {
    kdx_arch arch;
    bool pae;
    int ps;                        /* pointer size */
    page_slot *slots;              /* open-addressing hash of pages */
    size_t nslots, npages;
    uint64_t next_pfn;
    uint64_t dtb;
    bool own_tables;
    KDX_VEC(uint64_t) vpages;      /* mapped virtual pages, in order */
    uint32_t build, nprocs;
    uint64_t filetime, uptime;
    uint32_t bugcheck;
    uint64_t args[4];
    char *build_lab;
    uint32_t service_pack;
    uint64_t kbase;
    uint32_t ksize, kstamp;
    uint64_t data_next, data_end;  /* kernel data bump allocator */
    bool encode, laid_out;
    uint64_t never, always, encoded_addr;
    KDX_VEC(wmodule) mods;
    wcpu cpu[MAX_CPUS];
    bool has_xctx;
    kdx_context xctx;
    kdx_kdw_layout layout;
    kdx_kdw_ldr_layout ldr;
    uint64_t placed[KDX_KDW_GLOBAL_COUNT];  /* caller-chosen addresses, 0 = allocate */
    uint64_t placed_prcb[MAX_CPUS];
    KDX_VEC(uint64_t) spaces;               /* extra page-table roots (process address spaces) */
    /* Filled by the layout step. */
    uint64_t kdbg_va, module_list_va, process_head_va, pfn_db_va, kpb_va;
    uint64_t prcb_va[MAX_CPUS];
};

/* ---- physical pages ---- */

static size_t slot_of(const kdx_kdw *w, uint64_t pfn)
{
    size_t i = (size_t)((pfn * 0x9e3779b97f4a7c15ull) >> 20) & (w->nslots - 1);
    while (w->slots[i].data && w->slots[i].pfn != pfn)
        i = (i + 1) & (w->nslots - 1);
    return i;
}

static void grow(kdx_kdw *w)
{
    page_slot *old = w->slots;
    size_t n = w->nslots;
    w->nslots = n ? n * 2 : 1024;
    w->slots = kdx_xcalloc(w->nslots, sizeof *w->slots);
    for (size_t i = 0; i < n; i++)
        if (old[i].data)
            w->slots[slot_of(w, old[i].pfn)] = old[i];
    free(old);
}

static uint8_t *find_page(const kdx_kdw *w, uint64_t pfn)
{
    if (!w->nslots)
        return NULL;
    return w->slots[slot_of(w, pfn)].data;
}

uint8_t *kdx_kdw_page(kdx_kdw *w, uint64_t pfn)
{
    if ((w->npages + 1) * 2 > w->nslots)
        grow(w);
    size_t i = slot_of(w, pfn);
    if (!w->slots[i].data) {
        w->slots[i].pfn = pfn;
        w->slots[i].data = kdx_xcalloc(1, PAGE);
        w->npages++;
    }
    return w->slots[i].data;
}

uint64_t kdx_kdw_alloc_page(kdx_kdw *w)
{
    while (find_page(w, w->next_pfn))
        w->next_pfn++;
    kdx_kdw_page(w, w->next_pfn);
    return w->next_pfn++;
}

void kdx_kdw_write_phys(kdx_kdw *w, uint64_t pa, const void *buf, size_t len)
{
    const uint8_t *src = buf;
    while (len) {
        size_t n = KDX_MIN(len, PAGE - (size_t)(pa & (PAGE - 1)));
        memcpy(kdx_kdw_page(w, pa / PAGE) + (pa & (PAGE - 1)), src, n);
        pa += n;
        src += n;
        len -= n;
    }
}

void kdx_kdw_set_dtb(kdx_kdw *w, uint64_t dtb)
{
    w->dtb = dtb;
    w->own_tables = false;
}

uint64_t kdx_kdw_dtb(const kdx_kdw *w)
{
    return w->dtb;
}

/* ---- setup ---- */

kdx_kdw *kdx_kdw_new(kdx_arch arch, bool pae)
{
    kdx_kdw *w = kdx_xcalloc(1, sizeof *w);
    w->arch = arch == KDX_ARCH_X86 ? KDX_ARCH_X86 : KDX_ARCH_X64;
    w->pae = w->arch == KDX_ARCH_X86 && pae;
    w->ps = w->arch == KDX_ARCH_X64 ? 8 : 4;
    w->next_pfn = 0x100;
    w->own_tables = true;
    w->dtb = kdx_kdw_alloc_page(w) * PAGE;
    w->build = 7601;
    w->nprocs = 1;
    w->layout = default_layout;
    w->ldr = w->ps == 8 ? ldr64 : ldr32;
    w->filetime = 0x01d0000000000000ull;
    w->uptime = 36000000000ull;
    if (w->arch == KDX_ARCH_X64)
        kdx_kdw_set_kernel(w, 0xfffff80001613000ull, 0x5ea000, 0x4ce7951a);
    else
        kdx_kdw_set_kernel(w, 0x80400000ull, 0x410000, 0x4ce78a09);
    return w;
}

void kdx_kdw_free(kdx_kdw *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nslots; i++)
        free(w->slots[i].data);
    free(w->slots);
    for (size_t i = 0; i < w->mods.len; i++)
        free(w->mods.items[i].path);
    KDX_VEC_FREE(w->mods);
    KDX_VEC_FREE(w->vpages);
    KDX_VEC_FREE(w->spaces);
    free(w->build_lab);
    free(w);
}

void kdx_kdw_set_system(kdx_kdw *w, uint32_t build, uint32_t nprocs, uint64_t filetime,
                        uint64_t uptime)
{
    w->build = build;
    w->nprocs = nprocs ? KDX_MIN(nprocs, (uint32_t)MAX_CPUS) : 1;
    w->filetime = filetime;
    w->uptime = uptime;
}

void kdx_kdw_set_bugcheck(kdx_kdw *w, uint32_t code, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4)
{
    w->bugcheck = code;
    w->args[0] = a1;
    w->args[1] = a2;
    w->args[2] = a3;
    w->args[3] = a4;
}

void kdx_kdw_set_build_lab(kdx_kdw *w, const char *lab)
{
    free(w->build_lab);
    w->build_lab = kdx_strdup(lab);
}

void kdx_kdw_set_service_pack(kdx_kdw *w, uint32_t sp)
{
    w->service_pack = sp;
}

void kdx_kdw_set_kernel(kdx_kdw *w, uint64_t base, uint32_t size, uint32_t timestamp)
{
    w->kbase = base;
    w->ksize = size;
    w->kstamp = timestamp;
    /* Kernel data the writer lays out lives in the image's upper part. */
    w->data_next = base + size / 2;
    w->data_end = base + size;
}

void kdx_kdw_encode_kdbg(kdx_kdw *w, uint64_t wait_never, uint64_t wait_always,
                         uint64_t block_encoded_addr)
{
    w->encode = true;
    w->never = wait_never;
    w->always = wait_always;
    w->encoded_addr = block_encoded_addr;
}

void kdx_kdw_add_module(kdx_kdw *w, const char *path, uint64_t base, uint32_t size,
                        uint32_t timestamp)
{
    wmodule m = {kdx_strdup(path), base, size, timestamp};
    KDX_VEC_PUSH(w->mods, m);
}

void kdx_kdw_set_context(kdx_kdw *w, unsigned cpu, const kdx_context *c, uint64_t thread,
                         uint64_t process)
{
    if (cpu >= MAX_CPUS)
        return;
    w->cpu[cpu] = (wcpu){true, *c, thread, process};
    w->cpu[cpu].ctx.arch = w->arch;
}

void kdx_kdw_set_exception_context(kdx_kdw *w, const kdx_context *c)
{
    w->has_xctx = true;
    w->xctx = *c;
    w->xctx.arch = w->arch;
}

void kdx_kdw_set_layout(kdx_kdw *w, const kdx_kdw_layout *l, const kdx_kdw_ldr_layout *ldr)
{
    if (l)
        w->layout = *l;
    if (ldr)
        w->ldr = *ldr;
}

void kdx_kdw_place(kdx_kdw *w, kdx_kdw_global g, uint64_t va)
{
    if ((unsigned)g < KDX_KDW_GLOBAL_COUNT)
        w->placed[g] = va;
}

void kdx_kdw_place_prcb(kdx_kdw *w, unsigned cpu, uint64_t va)
{
    if (cpu < MAX_CPUS)
        w->placed_prcb[cpu] = va;
}

void kdx_kdw_set_data_area(kdx_kdw *w, uint64_t va, uint64_t size)
{
    w->data_next = va;
    w->data_end = va + size;
}

uint64_t kdx_kdw_new_address_space(kdx_kdw *w)
{
    uint64_t root = kdx_kdw_alloc_page(w) * PAGE;
    KDX_VEC_PUSH(w->spaces, root);
    return root;
}

/* Each extra address space sees the kernel half of the main one, as on x64 Windows. */
static void share_kernel_half(kdx_kdw *w)
{
    if (w->arch != KDX_ARCH_X64)
        return;
    const uint8_t *main = kdx_kdw_page(w, w->dtb / PAGE);
    for (size_t i = 0; i < w->spaces.len; i++)
        memcpy(kdx_kdw_page(w, w->spaces.items[i] / PAGE) + PAGE / 2, main + PAGE / 2, PAGE / 2);
}

/* ---- page tables ---- */

static uint64_t table_entry(kdx_kdw *w, uint64_t table_pa, unsigned index, unsigned esize,
                            bool top_pdpt)
{
    uint8_t *p = kdx_kdw_page(w, table_pa / PAGE) + (table_pa & (PAGE - 1)) + index * esize;
    uint64_t e = esize == 8 ? kdx_le64(p) : kdx_le32(p);
    if (e & 1)
        return e;
    uint64_t pa = kdx_kdw_alloc_page(w) * PAGE;
    e = pa | (top_pdpt ? 0x1 : 0x63); /* PDPTEs take only P; others P|RW|A|D */
    if (esize == 8)
        kdx_put_le64(p, e);
    else
        kdx_put_le32(p, (uint32_t)e);
    return e;
}

/* Physical address of va's page, mapping a fresh page when needed. */
static kdx_status map_page_in(kdx_kdw *w, uint64_t root, uint64_t va, uint64_t *pa_out, kdx_err *err)
{
    if (!w->own_tables)
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "dump writer: virtual writes need the writer's own page tables");
    uint64_t table = root, e;
    unsigned esize = 8, idx[4], n;
    if (w->arch == KDX_ARCH_X64) {
        idx[0] = (va >> 39) & 511, idx[1] = (va >> 30) & 511, idx[2] = (va >> 21) & 511,
        idx[3] = (va >> 12) & 511, n = 4;
    } else if (w->pae) {
        idx[0] = (va >> 30) & 3, idx[1] = (va >> 21) & 511, idx[2] = (va >> 12) & 511, n = 3;
    } else {
        idx[0] = (va >> 22) & 1023, idx[1] = (va >> 12) & 1023, n = 2, esize = 4;
    }
    for (unsigned l = 0; l < n; l++) {
        bool last = l + 1 == n;
        uint8_t *p = kdx_kdw_page(w, table / PAGE) + (table & (PAGE - 1)) + idx[l] * esize;
        if (last) {
            e = esize == 8 ? kdx_le64(p) : kdx_le32(p);
            if (!(e & 1)) {
                e = kdx_kdw_alloc_page(w) * PAGE | 0x63;
                if (esize == 8)
                    kdx_put_le64(p, e);
                else
                    kdx_put_le32(p, (uint32_t)e);
                if (root == w->dtb)
                    KDX_VEC_PUSH(w->vpages, va & ~(uint64_t)(PAGE - 1));
            }
        } else {
            e = table_entry(w, table, idx[l], esize, w->pae && l == 0);
        }
        table = e & 0x000ffffffffff000ull;
    }
    *pa_out = table;
    return KDX_OK;
}

static kdx_status map_page(kdx_kdw *w, uint64_t va, uint64_t *pa_out, kdx_err *err)
{
    return map_page_in(w, w->dtb, va, pa_out, err);
}

kdx_status kdx_kdw_map(kdx_kdw *w, uint64_t va, uint64_t size, kdx_err *err)
{
    uint64_t pa;
    for (uint64_t a = va & ~(uint64_t)(PAGE - 1); a < va + size; a += PAGE) {
        kdx_status st = map_page(w, a, &pa, err);
        if (st != KDX_OK)
            return st;
    }
    return KDX_OK;
}

kdx_status kdx_kdw_write_virt_in(kdx_kdw *w, uint64_t root, uint64_t va, const void *buf, size_t len,
                                 kdx_err *err)
{
    const uint8_t *src = buf;
    while (len) {
        uint64_t pa;
        kdx_status st = map_page_in(w, root, va, &pa, err);
        if (st != KDX_OK)
            return st;
        size_t n = KDX_MIN(len, PAGE - (size_t)(va & (PAGE - 1)));
        memcpy(kdx_kdw_page(w, pa / PAGE) + (va & (PAGE - 1)), src, n);
        va += n;
        src += n;
        len -= n;
    }
    return KDX_OK;
}

kdx_status kdx_kdw_write_virt(kdx_kdw *w, uint64_t va, const void *buf, size_t len, kdx_err *err)
{
    return kdx_kdw_write_virt_in(w, w->dtb, va, buf, len, err);
}

kdx_status kdx_kdw_write_ptr(kdx_kdw *w, uint64_t va, uint64_t v, kdx_err *err)
{
    uint8_t b[8];
    kdx_put_le64(b, v);
    return kdx_kdw_write_virt(w, va, b, (size_t)w->ps, err);
}

/* Reads back virtual memory the writer mapped (zeros where unmapped). */
void kdx_kdw_read_virt(kdx_kdw *w, uint64_t va, void *out, size_t len)
{
    uint8_t *buf = out;
    kdx_err e;
    while (len) {
        uint64_t pa;
        size_t n = KDX_MIN(len, PAGE - (size_t)(va & (PAGE - 1)));
        if (map_page(w, va, &pa, &e) == KDX_OK)
            memcpy(buf, kdx_kdw_page(w, pa / PAGE) + (va & (PAGE - 1)), n);
        va += n;
        buf += n;
        len -= n;
    }
}

uint64_t kdx_kdw_alloc_virt(kdx_kdw *w, uint32_t size, uint32_t align)
{
    align = align ? align : 16;
    uint64_t va = (w->data_next + align - 1) & ~(uint64_t)(align - 1);
    w->data_next = va + size;
    return va;
}

/* ---- kernel structures ---- */

static uint64_t put_unicode(kdx_kdw *w, uint64_t us_va, const char *text, kdx_err *err)
{
    size_t n = strlen(text);
    uint64_t buf = kdx_kdw_alloc_virt(w, (uint32_t)(2 * n + 2), 8);
    uint8_t *tmp = kdx_xcalloc(1, 2 * n + 2);
    for (size_t i = 0; i < n; i++)
        kdx_put_le16(tmp + 2 * i, (uint8_t)text[i]);
    kdx_kdw_write_virt(w, buf, tmp, 2 * n + 2, err);
    free(tmp);
    uint8_t us[16] = {0};
    kdx_put_le16(us, (uint16_t)(2 * n));
    kdx_put_le16(us + 2, (uint16_t)(2 * n + 2));
    if (w->ps == 8)
        kdx_put_le64(us + 8, buf);
    else
        kdx_put_le32(us + 4, (uint32_t)buf);
    return kdx_kdw_write_virt(w, us_va, us, w->ps == 8 ? 16 : 8, err);
}

static bool is_mapped(const kdx_kdw *w, uint64_t va)
{
    va &= ~(uint64_t)(PAGE - 1);
    for (size_t i = 0; i < w->vpages.len; i++)
        if (w->vpages.items[i] == va)
            return true;
    return false;
}

/* A minimal PE header at the module base: MZ, PE, TimeDateStamp, SizeOfImage,
 * CheckSum; left alone when the caller already wrote the image's first page. */
static void put_pe_header(kdx_kdw *w, const wmodule *m, kdx_err *err)
{
    if (is_mapped(w, m->base))
        return;
    uint8_t h[0x200] = {0};
    h[0] = 'M', h[1] = 'Z';
    kdx_put_le32(h + 0x3c, 0x80);
    memcpy(h + 0x80, "PE\0\0", 4);
    kdx_put_le16(h + 0x84, w->arch == KDX_ARCH_X64 ? 0x8664 : 0x14c);
    kdx_put_le32(h + 0x88, m->timestamp);
    kdx_put_le16(h + 0x94, w->arch == KDX_ARCH_X64 ? 0xf0 : 0xe0);
    kdx_put_le16(h + 0x98, w->arch == KDX_ARCH_X64 ? 0x20b : 0x10b);
    kdx_put_le32(h + 0x98 + 0x38, m->size);
    kdx_put_le32(h + 0x98 + 0x40, m->size ^ m->timestamp);
    kdx_kdw_write_virt(w, m->base, h, sizeof h, err);
}

static uint64_t placed_or_alloc(kdx_kdw *w, kdx_kdw_global g, uint32_t size)
{
    return w->placed[g] ? w->placed[g] : kdx_kdw_alloc_virt(w, size, 16);
}

static kdx_status layout_modules(kdx_kdw *w, kdx_err *err)
{
    unsigned o_base = w->ldr.dll_base, o_size = w->ldr.size_of_image;
    unsigned o_full = w->ldr.full_name, o_name = w->ldr.base_name, esize = w->ldr.size;
    w->module_list_va = placed_or_alloc(w, KDX_KDW_MODULE_LIST, 2u * (unsigned)w->ps);
    size_t n = w->mods.len;
    uint64_t *ent = kdx_xcalloc(n + 1, sizeof *ent);
    for (size_t i = 0; i < n; i++)
        ent[i] = kdx_kdw_alloc_virt(w, esize, 16);
    for (size_t i = 0; i < n; i++) {
        const wmodule *m = &w->mods.items[i];
        uint64_t flink = i + 1 < n ? ent[i + 1] : w->module_list_va;
        uint64_t blink = i ? ent[i - 1] : w->module_list_va;
        kdx_kdw_write_ptr(w, ent[i], flink, err);
        kdx_kdw_write_ptr(w, ent[i] + (uint64_t)w->ps, blink, err);
        kdx_kdw_write_ptr(w, ent[i] + o_base, m->base, err);
        uint8_t sz[4];
        kdx_put_le32(sz, m->size);
        kdx_kdw_write_virt(w, ent[i] + o_size, sz, 4, err);
        put_unicode(w, ent[i] + o_full, m->path, err);
        put_unicode(w, ent[i] + o_name, kdx_basename(m->path), err);
        put_pe_header(w, m, err);
    }
    kdx_kdw_write_ptr(w, w->module_list_va, n ? ent[0] : w->module_list_va, err);
    kdx_status st = kdx_kdw_write_ptr(w, w->module_list_va + (uint64_t)w->ps,
                                      n ? ent[n - 1] : w->module_list_va, err);
    free(ent);
    return st;
}

static kdx_status layout_processors(kdx_kdw *w, kdx_err *err)
{
    const kdx_kdw_layout *l = &w->layout;
    w->kpb_va = placed_or_alloc(w, KDX_KDW_PROCESSOR_BLOCK, w->nprocs * (uint32_t)w->ps);
    for (unsigned i = 0; i < w->nprocs; i++) {
        uint64_t prcb = w->placed_prcb[i] ? w->placed_prcb[i] : kdx_kdw_alloc_virt(w, l->prcb_size, 64);
        w->prcb_va[i] = prcb;
        kdx_kdw_map(w, prcb, l->prcb_size, err);
        kdx_kdw_write_ptr(w, w->kpb_va + (uint64_t)w->ps * i, prcb, err);
        uint8_t num[2];
        kdx_put_le16(num, (uint16_t)i);
        kdx_kdw_write_virt(w, prcb + l->prcb_number, num, 2, err);
        const wcpu *c = &w->cpu[i];
        if (!c->set)
            continue;
        uint8_t ctx[KDX_CONTEXT_X64_SIZE];
        size_t n = kdx_context_write(&c->ctx, ctx, sizeof ctx);
        kdx_kdw_write_virt(w, prcb + l->prcb_proc_state_context, ctx, n, err);
        kdx_kdw_write_ptr(w, prcb + l->prcb_context_ptr, prcb + l->prcb_proc_state_context, err);
        kdx_kdw_write_ptr(w, prcb + l->prcb_current_thread, c->thread, err);
        if (c->thread) {
            kdx_kdw_map(w, c->thread, l->thread_size, err);
            kdx_kdw_write_ptr(w, c->thread + l->thread_apc_process, c->process, err);
        }
        if (c->process)
            kdx_kdw_map(w, c->process, l->process_size, err);
    }
    return KDX_OK;
}

static void put16(uint8_t *b, unsigned off, uint16_t v) { kdx_put_le16(b + off, v); }

/* KDDEBUGGER_DATA64 stores 32-bit kernels' pointers sign-extended. */
static uint64_t kdbg_ptr(const kdx_kdw *w, uint64_t v)
{
    return w->ps == 4 ? (uint64_t)(int64_t)(int32_t)(uint32_t)v : v;
}

static kdx_status layout_kdbg(kdx_kdw *w, kdx_err *err)
{
    uint8_t k[KDBG_SIZE] = {0};
    w->kdbg_va = placed_or_alloc(w, KDX_KDW_KDBG, KDBG_SIZE);
    kdx_put_le64(k, kdbg_ptr(w, w->kdbg_va));
    kdx_put_le64(k + 8, kdbg_ptr(w, w->kdbg_va));
    memcpy(k + KDX_KDBG_OWNER_TAG, "KDBG", 4);
    kdx_put_le32(k + KDX_KDBG_SIZE, KDBG_SIZE);
    kdx_put_le64(k + KDX_KDBG_KERN_BASE, kdbg_ptr(w, w->kbase));
    kdx_put_le64(k + KDX_KDBG_PS_LOADED_MODULE_LIST, kdbg_ptr(w, w->module_list_va));
    kdx_put_le64(k + KDX_KDBG_PS_ACTIVE_PROCESS_HEAD, kdbg_ptr(w, w->process_head_va));
    kdx_put_le64(k + KDX_KDBG_MM_PFN_DATABASE, kdbg_ptr(w, w->pfn_db_va));
    kdx_put_le64(k + KDX_KDBG_KI_PROCESSOR_BLOCK, kdbg_ptr(w, w->kpb_va));
    if (w->build_lab) {
        uint64_t lab = kdx_kdw_alloc_virt(w, (uint32_t)strlen(w->build_lab) + 1, 8);
        kdx_kdw_write_virt(w, lab, w->build_lab, strlen(w->build_lab) + 1, err);
        kdx_put_le64(k + KDX_KDBG_NT_BUILD_LAB, kdbg_ptr(w, lab));
    }
    if (w->service_pack) {
        uint64_t csd = kdx_kdw_alloc_virt(w, 4, 4);
        uint8_t v[4];
        kdx_put_le32(v, w->service_pack << 8);
        kdx_kdw_write_virt(w, csd, v, 4, err);
        kdx_put_le64(k + KDX_KDBG_CM_NT_CSD_VERSION, kdbg_ptr(w, csd));
    }
    const kdx_kdw_layout *l = &w->layout;
    put16(k, KDX_KDBG_OFF_KTHREAD_APC_PROCESS, (uint16_t)l->thread_apc_process);
    put16(k, KDX_KDBG_SIZE_EPROCESS, (uint16_t)l->process_size);
    put16(k, KDX_KDBG_SIZE_PRCB, (uint16_t)l->prcb_size);
    put16(k, KDX_KDBG_OFF_PRCB_CURRENT_THREAD, (uint16_t)l->prcb_current_thread);
    put16(k, KDX_KDBG_OFF_PRCB_PROC_STATE_CONTEXT, (uint16_t)l->prcb_proc_state_context);
    put16(k, KDX_KDBG_OFF_PRCB_NUMBER, (uint16_t)l->prcb_number);
    put16(k, KDX_KDBG_SIZE_ETHREAD, (uint16_t)l->thread_size);
    put16(k, KDX_KDBG_OFF_PRCB_CONTEXT, (uint16_t)l->prcb_context_ptr);
    return kdx_kdw_write_virt(w, w->kdbg_va, k, sizeof k, err);
}

static kdx_status layout_kernel(kdx_kdw *w, kdx_err *err)
{
    /* The kernel is always the first module, as in PsLoadedModuleList. */
    bool has_kernel = w->mods.len && w->mods.items[0].base == w->kbase;
    if (!has_kernel) {
        wmodule k = {kdx_strdup("\\SystemRoot\\system32\\ntoskrnl.exe"), w->kbase, w->ksize, w->kstamp};
        KDX_VEC_PUSH(w->mods, k);
        memmove(w->mods.items + 1, w->mods.items, (w->mods.len - 1) * sizeof *w->mods.items);
        w->mods.items[0] = k;
    }
    /* A placed process list head belongs to the caller, who fills the list. */
    w->process_head_va = placed_or_alloc(w, KDX_KDW_PROCESS_HEAD, 2u * (unsigned)w->ps);
    if (!w->placed[KDX_KDW_PROCESS_HEAD]) {
        kdx_kdw_write_ptr(w, w->process_head_va, w->process_head_va, err);
        kdx_kdw_write_ptr(w, w->process_head_va + (uint64_t)w->ps, w->process_head_va, err);
    }
    w->pfn_db_va = placed_or_alloc(w, KDX_KDW_PFN_DATABASE, 8);
    kdx_kdw_write_ptr(w, w->pfn_db_va, w->arch == KDX_ARCH_X64 ? 0xfffffa8000000000ull : 0x84000000ull, err);
    kdx_status st = layout_modules(w, err);
    if (st == KDX_OK)
        st = layout_processors(w, err);
    if (st == KDX_OK)
        st = layout_kdbg(w, err);
    if (st == KDX_OK && w->data_next > w->data_end)
        st = kdx_err_set(err, KDX_E_LIMIT, "dump writer: kernel data overflows its area");
    share_kernel_half(w);
    return st;
}

/* ---- the header ---- */

static unsigned crash_cpu(const kdx_kdw *w)
{
    for (unsigned i = 0; i < w->nprocs; i++)
        if (w->cpu[i].set)
            return i;
    return 0;
}

static void fill_page_pattern(uint8_t *b, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i += 4)
        memcpy(b + i, "PAGE", 4);
}

static void put_header(kdx_kdw *w, uint8_t *h, uint32_t dump_type, uint64_t file_size)
{
    bool x64 = w->arch == KDX_ARCH_X64;
    size_t hs = x64 ? KDX_KDUMP_HEADER64_SIZE : KDX_KDUMP_HEADER32_SIZE;
    fill_page_pattern(h, hs);
    memcpy(h, x64 ? "PAGEDU64" : "PAGEDUMP", 8);
    kdx_put_le32(h + 8, 0xf);
    kdx_put_le32(h + 0xc, w->build);
    const kdx_context *ctx = w->has_xctx ? &w->xctx : &w->cpu[crash_cpu(w)].ctx;
    uint8_t cbuf[KDX_CONTEXT_X64_SIZE];
    size_t cn = ctx->arch ? kdx_context_write(ctx, cbuf, sizeof cbuf) : 0;
    if (x64) {
        kdx_put_le64(h + 0x10, w->dtb);
        kdx_put_le64(h + 0x18, w->pfn_db_va);
        kdx_put_le64(h + 0x20, w->module_list_va);
        kdx_put_le64(h + 0x28, w->process_head_va);
        kdx_put_le32(h + 0x30, 0x8664);
        kdx_put_le32(h + 0x34, w->nprocs);
        kdx_put_le32(h + 0x38, w->bugcheck);
        for (int i = 0; i < 4; i++)
            kdx_put_le64(h + 0x40 + 8 * i, w->args[i]);
        kdx_put_le64(h + 0x80, w->kdbg_va);
        memset(h + KDX_DH64_CONTEXT, 0, KDX_DH64_CONTEXT_SIZE);
        memcpy(h + KDX_DH64_CONTEXT, cbuf, cn);
        memset(h + KDX_DH64_EXCEPTION, 0, 0x98);
        kdx_put_le32(h + KDX_DH64_EXCEPTION, 0x80000003);
        kdx_put_le32(h + KDX_DH64_EXCEPTION + 4, 1);
        kdx_put_le64(h + KDX_DH64_EXCEPTION + 0x10, kdx_ctx_ip(&w->cpu[crash_cpu(w)].ctx));
        kdx_put_le32(h + KDX_DH64_DUMP_TYPE, dump_type);
        kdx_put_le64(h + 0xfa0, file_size);
        kdx_put_le64(h + 0xfa8, w->filetime);
        kdx_put_le64(h + 0x1030, w->uptime);
        kdx_put_le32(h + 0x1038, 0xcff);
        kdx_put_le32(h + 0x1040, 1);
        kdx_put_le32(h + 0x1044, 0x110);
        kdx_put_le32(h + 0x1048, 0);
    } else {
        kdx_put_le32(h + 0x10, (uint32_t)w->dtb);
        kdx_put_le32(h + 0x14, (uint32_t)w->pfn_db_va);
        kdx_put_le32(h + 0x18, (uint32_t)w->module_list_va);
        kdx_put_le32(h + 0x1c, (uint32_t)w->process_head_va);
        kdx_put_le32(h + 0x20, 0x14c);
        kdx_put_le32(h + 0x24, w->nprocs);
        kdx_put_le32(h + 0x28, w->bugcheck);
        for (int i = 0; i < 4; i++)
            kdx_put_le32(h + 0x2c + 4 * i, (uint32_t)w->args[i]);
        h[0x5c] = w->pae;
        h[0x5d] = 0;
        kdx_put_le32(h + 0x60, (uint32_t)w->kdbg_va);
        memset(h + KDX_DH32_CONTEXT, 0, KDX_DH32_CONTEXT_SIZE);
        memcpy(h + KDX_DH32_CONTEXT, cbuf, KDX_MIN(cn, (size_t)KDX_DH32_CONTEXT_SIZE));
        memset(h + KDX_DH32_EXCEPTION, 0, 0x50);
        kdx_put_le32(h + KDX_DH32_EXCEPTION, 0x80000003);
        kdx_put_le32(h + KDX_DH32_DUMP_TYPE, dump_type);
        kdx_put_le32(h + 0xf94, 1);
        kdx_put_le32(h + 0xf98, 0x110);
        kdx_put_le64(h + 0xfa0, file_size);
        kdx_put_le64(h + 0xfb8, w->uptime);
        kdx_put_le64(h + 0xfc0, w->filetime);
    }
}

/* ---- containers ---- */

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t *sorted_pfns(const kdx_kdw *w)
{
    uint64_t *p = kdx_xmalloc((w->npages ? w->npages : 1) * sizeof *p);
    size_t n = 0;
    for (size_t i = 0; i < w->nslots; i++)
        if (w->slots[i].data)
            p[n++] = w->slots[i].pfn;
    kdx_sort(p, n, sizeof *p, u64_cmp);
    return p;
}

/* Where a dump goes: a whole buffer in memory, or a file that receives its
 * pages as they come (absent pages stay holes) and its header at the end. */
typedef struct outbuf {
    uint8_t *b;      /* the whole dump, or only its first `head` bytes when streaming */
    size_t len, head;
    FILE *f;
    bool io_error;
} outbuf;

static kdx_status out_alloc(outbuf *o, size_t len, size_t head, kdx_err *err)
{
    o->len = len;
    o->head = head;
    o->b = calloc(1, o->f ? head : len);
    if (!o->b)
        return kdx_err_set(err, KDX_E_NOMEM, "dump writer: cannot allocate %zu bytes", o->f ? head : len);
    return KDX_OK;
}

static void out_page(kdx_kdw *w, outbuf *o, size_t off, uint64_t pfn)
{
    const uint8_t *p = find_page(w, pfn);
    if (!p)
        return;
    if (!o->f)
        memcpy(o->b + off, p, PAGE);
    else if (fseeko(o->f, (off_t)off, SEEK_SET) != 0 || fwrite(p, 1, PAGE, o->f) != PAGE)
        o->io_error = true;
}

static bool out_finish_file(outbuf *o)
{
    if (fseeko(o->f, 0, SEEK_SET) != 0 || fwrite(o->b, 1, o->head, o->f) != o->head)
        return false;
    return fflush(o->f) == 0 && ftruncate(fileno(o->f), (off_t)o->len) == 0 && !o->io_error;
}

static kdx_status build_complete(kdx_kdw *w, outbuf *o, kdx_err *err)
{
    bool x64 = w->arch == KDX_ARCH_X64;
    size_t hs = x64 ? KDX_KDUMP_HEADER64_SIZE : KDX_KDUMP_HEADER32_SIZE;
    size_t max_runs = x64 ? 42 : 86;
    uint64_t *pfn = sorted_pfns(w);
    /* Runs of consecutive pfns; merge across the smallest gaps until they fit. */
    KDX_VEC(kdx_kdump_run) runs = {0};
    for (size_t i = 0; i < w->npages; i++) {
        if (runs.len && runs.items[runs.len - 1].base_page + runs.items[runs.len - 1].page_count == pfn[i])
            runs.items[runs.len - 1].page_count++;
        else
            KDX_VEC_PUSH(runs, ((kdx_kdump_run){pfn[i], 1, 0}));
    }
    free(pfn);
    while (runs.len > max_runs) {
        size_t best = 0;
        uint64_t gap = UINT64_MAX;
        for (size_t i = 0; i + 1 < runs.len; i++) {
            uint64_t g = runs.items[i + 1].base_page - (runs.items[i].base_page + runs.items[i].page_count);
            if (g < gap)
                gap = g, best = i;
        }
        runs.items[best].page_count = runs.items[best + 1].base_page + runs.items[best + 1].page_count -
                                      runs.items[best].base_page;
        memmove(runs.items + best + 1, runs.items + best + 2, (runs.len - best - 2) * sizeof *runs.items);
        runs.len--;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < runs.len; i++)
        total += runs.items[i].page_count;
    if (out_alloc(o, hs + total * PAGE, hs, err) != KDX_OK) {
        KDX_VEC_FREE(runs);
        return err ? err->code : KDX_E_NOMEM;
    }
    put_header(w, o->b, KDX_DUMP_TYPE_FULL, o->len);
    uint8_t *d = o->b + (x64 ? KDX_DH64_PHYS_BLOCK : KDX_DH32_PHYS_BLOCK);
    kdx_put_le32(d, (uint32_t)runs.len);
    if (x64) {
        kdx_put_le32(d + 4, 0);
        kdx_put_le64(d + 8, total);
    } else {
        kdx_put_le32(d + 4, (uint32_t)total);
    }
    size_t off = hs;
    for (size_t i = 0; i < runs.len; i++) {
        const kdx_kdump_run *r = &runs.items[i];
        if (x64) {
            kdx_put_le64(d + 16 + 16 * i, r->base_page);
            kdx_put_le64(d + 24 + 16 * i, r->page_count);
        } else {
            kdx_put_le32(d + 8 + 8 * i, (uint32_t)r->base_page);
            kdx_put_le32(d + 12 + 8 * i, (uint32_t)r->page_count);
        }
        for (uint64_t p = 0; p < r->page_count; p++, off += PAGE)
            out_page(w, o, off, r->base_page + p);
    }
    KDX_VEC_FREE(runs);
    return KDX_OK;
}

/* Bitmap dumps: DumpType 5 ("SDMP", 64-bit fields, bits at +0x38) or the
 * older DumpType 2 SUMMARY_DUMP (32-bit fields, RTL_BITMAP, bits after it). */
static kdx_status build_bitmap(kdx_kdw *w, outbuf *o, bool summary, kdx_err *err)
{
    bool x64 = w->arch == KDX_ARCH_X64;
    size_t hs = x64 ? KDX_KDUMP_HEADER64_SIZE : KDX_KDUMP_HEADER32_SIZE;
    size_t bits_at = !summary ? 0x38 : x64 ? 0x28 : 0x20;
    uint64_t *pfn = sorted_pfns(w);
    uint64_t pages = w->npages ? pfn[w->npages - 1] + 1 : 0;
    uint64_t bytes = (pages + 7) / 8;
    uint64_t first = (hs + bits_at + bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    if (summary && (pages > UINT32_MAX || first > UINT32_MAX)) {
        free(pfn);
        return kdx_err_set(err, KDX_E_LIMIT, "dump writer: a summary dump holds at most 2^32 pages");
    }
    if (out_alloc(o, first + w->npages * PAGE, first, err) != KDX_OK) {
        free(pfn);
        return err ? err->code : KDX_E_NOMEM;
    }
    put_header(w, o->b, summary ? KDX_DUMP_TYPE_SUMMARY : KDX_DUMP_TYPE_BITMAP_FULL, o->len);
    uint8_t *b = o->b + hs;
    memcpy(b, "SDMPDUMP", 8);
    if (summary) {
        kdx_put_le32(b + 0xc, (uint32_t)first);
        kdx_put_le32(b + 0x10, (uint32_t)pages);
        kdx_put_le32(b + 0x14, (uint32_t)w->npages);
        kdx_put_le32(b + 0x18, (uint32_t)pages); /* RTL_BITMAP.SizeOfBitMap */
    } else {
        kdx_put_le64(b + 0x20, first);
        kdx_put_le64(b + 0x28, w->npages);
        kdx_put_le64(b + 0x30, pages);
    }
    for (size_t i = 0; i < w->npages; i++) {
        b[bits_at + pfn[i] / 8] |= (uint8_t)(1u << (pfn[i] % 8));
        out_page(w, o, first + i * PAGE, pfn[i]);
    }
    free(pfn);
    return KDX_OK;
}

/* Triage: the crashing processor's PRCB/thread/process copies, its stack, the
 * driver list, the KDBG copy, and every other mapped page as a data block. */
typedef struct tri_builder {
    KDX_VEC(uint8_t) b;
} tri_builder;

static uint32_t tb_put(tri_builder *t, const void *data, size_t n)
{
    while (t->b.len % 8)
        KDX_VEC_PUSH(t->b, 0);
    uint32_t off = (uint32_t)t->b.len;
    for (size_t i = 0; i < n; i++)
        KDX_VEC_PUSH(t->b, data ? ((const uint8_t *)data)[i] : 0);
    return off;
}

static uint32_t tb_copy_virt(kdx_kdw *w, tri_builder *t, uint64_t va, size_t n)
{
    uint8_t *tmp = kdx_xcalloc(1, n ? n : 1);
    kdx_kdw_read_virt(w, va, tmp, n);
    uint32_t off = tb_put(t, tmp, n);
    free(tmp);
    return off;
}

static uint32_t tb_drivers(kdx_kdw *w, tri_builder *t, uint32_t *pool_off, uint32_t *pool_size)
{
    bool x64 = w->ps == 8;
    size_t es = x64 ? 0x90 : 0x4c, n = w->mods.len;
    uint32_t list = tb_put(t, NULL, es * n);
    uint32_t pool = tb_put(t, NULL, 0);
    for (size_t i = 0; i < n; i++) {
        const wmodule *m = &w->mods.items[i];
        size_t len = strlen(m->path);
        uint8_t *s = kdx_xcalloc(1, 4 + 2 * len + 2);
        kdx_put_le32(s, (uint32_t)len);
        for (size_t k = 0; k < len; k++)
            kdx_put_le16(s + 4 + 2 * k, (uint8_t)m->path[k]);
        uint32_t at = tb_put(t, s, 4 + 2 * len + 2);
        free(s);
        uint8_t *e = t->b.items + list + i * es;
        kdx_put_le32(e, at);
        if (x64) {
            kdx_put_le64(e + 8 + 0x30, m->base);
            kdx_put_le32(e + 8 + 0x40, m->size);
            kdx_put_le32(e + 8 + 0x78, m->size ^ m->timestamp);
            kdx_put_le32(e + 8 + 0x80, m->timestamp);
        } else {
            kdx_put_le32(e + 4 + 0x18, (uint32_t)m->base);
            kdx_put_le32(e + 4 + 0x20, m->size);
            kdx_put_le32(e + 4 + 0x40, m->size ^ m->timestamp);
            kdx_put_le32(e + 4 + 0x44, m->timestamp);
        }
    }
    *pool_off = pool;
    *pool_size = (uint32_t)(t->b.len - pool);
    return list;
}

static kdx_status build_triage(kdx_kdw *w, outbuf *o, kdx_err *err)
{
    bool x64 = w->arch == KDX_ARCH_X64;
    size_t hs = x64 ? KDX_KDUMP_HEADER64_SIZE : KDX_KDUMP_HEADER32_SIZE;
    tri_builder t = {0};
    tb_put(&t, NULL, hs + (x64 ? 0x80 : 0x68));
    unsigned cpu = crash_cpu(w);
    const wcpu *c = &w->cpu[cpu];
    uint32_t prcb = tb_copy_virt(w, &t, w->prcb_va[cpu], w->layout.prcb_size);
    uint32_t proc = tb_copy_virt(w, &t, c->process, c->process ? w->layout.process_size : 0);
    uint32_t thread = tb_copy_virt(w, &t, c->thread, c->thread ? w->layout.thread_size : 0);
    uint64_t sp = kdx_ctx_sp(&c->ctx);
    uint32_t stack_size = sp ? (uint32_t)(PAGE - (sp & (PAGE - 1))) : 0;
    uint32_t stack = tb_copy_virt(w, &t, sp, stack_size);
    uint32_t pool_off, pool_size;
    uint32_t drivers = tb_drivers(w, &t, &pool_off, &pool_size);
    uint32_t kdbg = tb_copy_virt(w, &t, w->kdbg_va, KDBG_SIZE);
    size_t nblocks = w->vpages.len, bes = x64 ? 16 : 12;
    uint32_t table = tb_put(&t, NULL, nblocks * bes);
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t va = w->vpages.items[i];
        uint32_t at = tb_copy_virt(w, &t, va, PAGE);
        uint8_t *e = t.b.items + table + i * bes;
        if (x64)
            kdx_put_le64(e, va);
        else
            kdx_put_le32(e, (uint32_t)va);
        kdx_put_le32(e + bes - 8, at);
        kdx_put_le32(e + bes - 4, PAGE);
    }
    uint32_t valid = tb_put(&t, "TRGD", 4);
    o->len = t.b.len;
    o->b = t.b.items;
    put_header(w, o->b, KDX_DUMP_TYPE_TRIAGE, o->len);
    uint8_t *h = o->b + hs;
    uint32_t f[18] = {0, (uint32_t)o->len, valid, x64 ? KDX_DH64_CONTEXT : KDX_DH32_CONTEXT,
                      x64 ? KDX_DH64_EXCEPTION : KDX_DH32_EXCEPTION, 0, 0, prcb, proc, thread,
                      stack, stack_size, drivers, (uint32_t)w->mods.len, pool_off, pool_size, 0,
                      0xffffffff};
    for (int i = 0; i < 18; i++)
        kdx_put_le32(h + 4 * i, f[i]);
    if (x64) {
        kdx_put_le64(h + 0x48, sp);
        kdx_put_le32(h + 0x70, kdbg);
        kdx_put_le32(h + 0x74, KDBG_SIZE);
        kdx_put_le32(h + 0x78, table);
        kdx_put_le32(h + 0x7c, (uint32_t)nblocks);
    } else {
        kdx_put_le32(h + 0x48, (uint32_t)sp);
        kdx_put_le32(h + 0x58, kdbg);
        kdx_put_le32(h + 0x5c, KDBG_SIZE);
        kdx_put_le32(h + 0x60, table);
        kdx_put_le32(h + 0x64, (uint32_t)nblocks);
    }
    (void)err;
    return KDX_OK;
}

static kdx_status build_into(kdx_kdw *w, kdx_kdw_kind kind, outbuf *o, kdx_err *err)
{
    if (w->laid_out)
        return kdx_err_set(err, KDX_E_ARG, "dump writer: a writer saves one dump");
    w->laid_out = true;
    kdx_status st = w->own_tables ? layout_kernel(w, err) : KDX_OK;
    if (st != KDX_OK)
        return st;
    if (w->encode && w->own_tables && kind != KDX_KDW_TRIAGE) {
        /* Memory holds the encoded block; a triage dump's copy stays plain. */
        uint8_t k[KDBG_SIZE];
        kdx_kdw_read_virt(w, w->kdbg_va, k, sizeof k);
        kdx_kdbg_encode(k, sizeof k, w->never, w->always, w->encoded_addr);
        kdx_kdw_write_virt(w, w->kdbg_va, k, sizeof k, err);
    }
    if (kind == KDX_KDW_COMPLETE)
        return build_complete(w, o, err);
    if (kind == KDX_KDW_BITMAP || kind == KDX_KDW_SUMMARY)
        return build_bitmap(w, o, kind == KDX_KDW_SUMMARY, err);
    if (!w->own_tables)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "dump writer: triage dumps need the writer's page tables");
    return build_triage(w, o, err);
}

kdx_status kdx_kdw_build(kdx_kdw *w, kdx_kdw_kind kind, uint8_t **out, size_t *len, kdx_err *err)
{
    outbuf o = {0};
    kdx_status st = build_into(w, kind, &o, err);
    if (st != KDX_OK) {
        free(o.b);
        o.b = NULL;
        o.len = 0;
    }
    *out = o.b;
    *len = o.len;
    return st;
}

/* Complete and bitmap dumps stream to the file (sparse, any size); triage
 * dumps are small and built in memory first. */
kdx_status kdx_kdw_save(kdx_kdw *w, kdx_kdw_kind kind, const char *path, kdx_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return kdx_err_set(err, KDX_E_IO, "%s: cannot create the dump file", path);
    outbuf o = {.f = kind == KDX_KDW_TRIAGE ? NULL : f};
    kdx_status st = build_into(w, kind, &o, err);
    bool ok = true;
    if (st == KDX_OK)
        ok = o.f ? out_finish_file(&o) : fwrite(o.b, 1, o.len, f) == o.len;
    ok = fclose(f) == 0 && ok;
    free(o.b);
    if (st == KDX_OK && !ok)
        st = kdx_err_set(err, KDX_E_IO, "%s: write failed", path);
    return st;
}
