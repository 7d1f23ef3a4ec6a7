/* The scenario's code: modules with PE headers, .pdata and UNWIND_INFO for
 * the functions that appear on kernel stacks, call instructions at every
 * return address, exports naming driver functions, and the kernel's debug
 * directory (the layout's PDB identity). Offsets written here are the PE
 * format's, not a kernel structure's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/scenario_internal.h"

#define RDATA_RVA 0x1000u            /* .pdata, UNWIND_INFO, exports, debug data */
#define RDATA_MAX 0x3000u
#define DRIVER_CODE_RVA 0x4000u
#define DRIVER_FUNC_SIZE 0x100u
#define MAX_NT_FUNC_SIZE 0x200u
#define FIRST_SITE 0x8u               /* after the longest prologue (7 bytes) */
#define SITE_STEP 0x8u
#define DEFAULT_FRAME 0x28u

/* ---- modules ---- */

static size_t module_named(kdx_scn *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->mods.len; i++)
        if (strlen(s->mods.items[i].name) == len && !kdx_strncasecmp(s->mods.items[i].name, name, len))
            return i;
    return SIZE_MAX;
}

void kdx_scn_module(kdx_scn *s, const char *file, uint64_t base, uint32_t size)
{
    bool kernel = base == s->sys.kernel_base;
    const char *dot = strrchr(file, '.');
    scn_module m = {kernel ? kdx_strdup("nt") : kdx_strndup(file, dot ? (size_t)(dot - file) : strlen(file)),
                    kdx_strdup(file), base, size, DRIVER_CODE_RVA, kernel};
    if (!kernel && (size < DRIVER_CODE_RVA + DRIVER_FUNC_SIZE || base & (SCN_PAGE - 1)))
        scn_fail(s, KDX_E_ARG, "module %s: base must be page aligned and size at least 0x%x", file,
                 DRIVER_CODE_RVA + DRIVER_FUNC_SIZE);
    KDX_VEC_PUSH(s->mods, m);
    char *path = kdx_asprintf(kernel ? "\\SystemRoot\\system32\\%s" : "\\SystemRoot\\system32\\drivers\\%s", file);
    kdx_kdw_add_module(s->w, path, base, size, kernel ? s->sys.kernel_timestamp : 0x5f000000u);
    free(path);
}

/* ---- functions ---- */

/* nt functions end before the next symbol of the layout, so names stay right. */
static uint32_t nt_function_size(kdx_scn *s, uint32_t rva)
{
    uint32_t size = MAX_NT_FUNC_SIZE;
    kdx_symbol sym;
    while (size > 0x40 && s->layout->ops->by_rva(s->layout->impl, rva + size - 1, &sym) == KDX_OK && sym.rva != rva)
        size /= 2;
    return size;
}

static bool place_function(kdx_scn *s, scn_func *f, scn_module *m)
{
    if (m->is_kernel) {
        kdx_symbol sym;
        if (s->layout->ops->by_name(s->layout->impl, f->name, &sym) != KDX_OK)
            return scn_fail(s, KDX_E_NO_SYMBOLS, "the layout has no function nt!%s", f->name);
        f->addr = m->base + sym.rva;
        f->size = nt_function_size(s, sym.rva);
        if (sym.rva < RDATA_RVA + RDATA_MAX)
            return scn_fail(s, KDX_E_ARG, "nt!%s lies where the scenario keeps unwind data", f->name);
        return true;
    }
    if (m->next_rva + DRIVER_FUNC_SIZE > m->size)
        return scn_fail(s, KDX_E_LIMIT, "module %s is full", m->file);
    f->addr = m->base + m->next_rva;
    f->size = DRIVER_FUNC_SIZE;
    m->next_rva += DRIVER_FUNC_SIZE;
    return true;
}

size_t scn_function_index(kdx_scn *s, const char *name)
{
    for (size_t i = 0; i < s->funcs.len; i++) {
        const scn_func *f = &s->funcs.items[i];
        const char *bang = strchr(name, '!');
        if (bang && !strcmp(f->name, bang + 1) &&
            module_named(s, name, (size_t)(bang - name)) == f->module)
            return i;
    }
    kdx_scn_function(s, name, 0);
    return scn_ok(s) ? s->funcs.len - 1 : SIZE_MAX;
}

void kdx_scn_function(kdx_scn *s, const char *name, uint32_t frame)
{
    const char *bang = strchr(name, '!');
    size_t m = bang ? module_named(s, name, (size_t)(bang - name)) : SIZE_MAX;
    if (m == SIZE_MAX) {
        scn_fail(s, KDX_E_ARG, "function %s: declare its module first (module!function)", name);
        return;
    }
    frame = frame ? frame : DEFAULT_FRAME;
    if (frame % 8 || frame > 0x7ff8) {
        scn_fail(s, KDX_E_ARG, "function %s: frame 0x%x is not a multiple of 8 below 0x8000", name, frame);
        return;
    }
    scn_func f = {kdx_strdup(bang + 1), m, 0, 0, frame, FIRST_SITE};
    if (!place_function(s, &f, &s->mods.items[m])) {
        free(f.name);
        return;
    }
    KDX_VEC_PUSH(s->funcs, f);
}

uint64_t kdx_scn_code(kdx_scn *s, const char *name, uint32_t offset)
{
    size_t i = scn_function_index(s, name);
    return i == SIZE_MAX ? 0 : s->funcs.items[i].addr + offset;
}

static uint64_t site(kdx_scn *s, size_t caller, size_t callee, uint64_t target)
{
    for (size_t i = 0; i < s->sites.len; i++)
        if (s->sites.items[i].caller == caller && s->sites.items[i].target == target)
            return s->funcs.items[caller].addr + s->sites.items[i].offset + 5;
    scn_func *f = &s->funcs.items[caller];
    if (f->next_site + 5 + 8 > f->size) /* the call, then room for the epilogue */
        return scn_fail(s, KDX_E_LIMIT, "function %s has no room for another call site", f->name), 0;
    scn_site st = {caller, callee, f->next_site, target};
    f->next_site += SITE_STEP;
    KDX_VEC_PUSH(s->sites, st);
    return f->addr + st.offset + 5;
}

uint64_t scn_return_address(kdx_scn *s, size_t caller, size_t callee)
{
    return site(s, caller, callee, s->funcs.items[callee].addr);
}

uint64_t scn_return_to(kdx_scn *s, size_t caller, uint64_t target)
{
    return site(s, caller, SIZE_MAX, target);
}

/* ---- images ---- */

typedef struct image_build {
    scn_module *m;
    size_t *funcs;            /* indexes, sorted by address */
    size_t nfuncs;
    uint8_t rdata[RDATA_MAX];
    uint32_t rdata_len;
    uint32_t pdata_rva, pdata_len, export_rva, export_len, debug_rva;
    uint32_t code_lo, code_hi;
} image_build;

static kdx_scn *sort_ctx;
static int by_address(const void *a, const void *b)
{
    uint64_t x = sort_ctx->funcs.items[*(const size_t *)a].addr, y = sort_ctx->funcs.items[*(const size_t *)b].addr;
    return x < y ? -1 : x > y;
}

static uint32_t rdata_put(kdx_scn *s, image_build *b, const void *data, uint32_t len, uint32_t align)
{
    uint32_t at = (b->rdata_len + align - 1) & ~(align - 1);
    if (at + len > RDATA_MAX)
        return scn_fail(s, KDX_E_LIMIT, "module %s: too much unwind and export data", b->m->file), 0;
    memcpy(b->rdata + at, data, len);
    b->rdata_len = at + len;
    return RDATA_RVA + at;
}

/* One UNWIND_INFO: sub rsp, frame (ALLOC_SMALL up to 128 bytes, else ALLOC_LARGE). */
static uint32_t put_unwind(kdx_scn *s, image_build *b, const scn_func *f)
{
    uint8_t u[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    if (f->frame <= 128) {
        u[1] = 4, u[2] = 1;
        u[4] = 4, u[5] = (uint8_t)(2 | ((f->frame / 8 - 1) << 4)); /* UWOP_ALLOC_SMALL */
    } else {
        u[1] = 7, u[2] = 2;
        u[4] = 7, u[5] = 1;                                       /* UWOP_ALLOC_LARGE, size/8 in the next slot */
        kdx_put_le16(u + 6, (uint16_t)(f->frame / 8));
    }
    return rdata_put(s, b, u, 8, 4);
}

static void put_pdata(kdx_scn *s, image_build *b)
{
    uint32_t *unwind = kdx_xcalloc(b->nfuncs ? b->nfuncs : 1, sizeof *unwind);
    for (size_t i = 0; i < b->nfuncs; i++)
        unwind[i] = put_unwind(s, b, &s->funcs.items[b->funcs[i]]);
    b->pdata_rva = (b->rdata_len + 3) & ~3u;
    for (size_t i = 0; i < b->nfuncs; i++) {
        const scn_func *f = &s->funcs.items[b->funcs[i]];
        uint8_t e[12];
        uint32_t begin = (uint32_t)(f->addr - b->m->base);
        kdx_put_le32(e, begin);
        kdx_put_le32(e + 4, begin + f->size);
        kdx_put_le32(e + 8, unwind[i]);
        uint32_t at = rdata_put(s, b, e, 12, 4);
        if (i == 0)
            b->pdata_rva = at;
    }
    b->pdata_len = (uint32_t)(12 * b->nfuncs);
    if (!b->nfuncs)
        b->pdata_rva = 0;
    free(unwind);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(sort_ctx->funcs.items[*(const size_t *)a].name, sort_ctx->funcs.items[*(const size_t *)b].name);
}

/* Exports name a driver's functions (binary-searchable: names sorted). */
static void put_exports(kdx_scn *s, image_build *b)
{
    size_t n = b->nfuncs;
    size_t *order = kdx_xmalloc((n ? n : 1) * sizeof *order);
    memcpy(order, b->funcs, n * sizeof *order);
    sort_ctx = s;
    kdx_sort(order, n, sizeof *order, by_name);
    uint32_t dll = rdata_put(s, b, b->m->file, (uint32_t)strlen(b->m->file) + 1, 1);
    uint32_t *names = kdx_xcalloc(n ? n : 1, 4);
    for (size_t i = 0; i < n; i++) {
        const char *nm = s->funcs.items[order[i]].name;
        names[i] = rdata_put(s, b, nm, (uint32_t)strlen(nm) + 1, 1);
    }
    uint8_t *tab = kdx_xcalloc(n ? n : 1, 10);
    for (size_t i = 0; i < n; i++) {
        kdx_put_le32(tab + 4 * i, (uint32_t)(s->funcs.items[order[i]].addr - b->m->base));
        kdx_put_le32(tab + 4 * n + 4 * i, names[i]);
        kdx_put_le16(tab + 8 * n + 2 * i, (uint16_t)i);
    }
    uint32_t funcs_rva = rdata_put(s, b, tab, (uint32_t)(4 * n), 4);
    uint32_t names_rva = rdata_put(s, b, tab + 4 * n, (uint32_t)(4 * n), 4);
    uint32_t ords_rva = rdata_put(s, b, tab + 8 * n, (uint32_t)(2 * n), 2);
    uint8_t d[40] = {0};
    kdx_put_le32(d + 12, dll);
    kdx_put_le32(d + 16, 1);
    kdx_put_le32(d + 20, (uint32_t)n);
    kdx_put_le32(d + 24, (uint32_t)n);
    kdx_put_le32(d + 28, funcs_rva);
    kdx_put_le32(d + 32, names_rva);
    kdx_put_le32(d + 36, ords_rva);
    b->export_rva = rdata_put(s, b, d, 40, 4);
    b->export_len = b->rdata_len + RDATA_RVA - b->export_rva;
    free(order);
    free(names);
    free(tab);
}

/* The kernel's CodeView record: the layout's PDB identity. */
static void put_debug(kdx_scn *s, image_build *b)
{
    uint8_t cv[24 + 16];
    memcpy(cv, "RSDS", 4);
    memcpy(cv + 4, s->id.guid, 16);
    kdx_put_le32(cv + 20, s->id.age);
    memcpy(cv + 24, "ntkrnlmp.pdb", 13);
    uint32_t cv_rva = rdata_put(s, b, cv, 37, 4);
    uint8_t d[28] = {0};
    kdx_put_le32(d + 4, s->sys.kernel_timestamp);
    kdx_put_le32(d + 12, 2); /* IMAGE_DEBUG_TYPE_CODEVIEW */
    kdx_put_le32(d + 16, 37);
    kdx_put_le32(d + 20, cv_rva);
    kdx_put_le32(d + 24, cv_rva);
    b->debug_rva = rdata_put(s, b, d, 28, 4);
}

static void put_section(uint8_t *h, const char *name, uint32_t rva, uint32_t size, uint32_t flags)
{
    memcpy(h, name, strlen(name));
    kdx_put_le32(h + 8, size);
    kdx_put_le32(h + 12, rva);
    kdx_put_le32(h + 16, size);
    kdx_put_le32(h + 20, rva);
    kdx_put_le32(h + 36, flags);
}

static void put_headers(kdx_scn *s, image_build *b)
{
    uint8_t h[0x400] = {0};
    h[0] = 'M', h[1] = 'Z';
    kdx_put_le32(h + 0x3c, 0x80);
    memcpy(h + 0x80, "PE\0\0", 4);
    kdx_put_le16(h + 0x84, 0x8664);
    kdx_put_le16(h + 0x86, 2);
    kdx_put_le32(h + 0x88, b->m->is_kernel ? s->sys.kernel_timestamp : 0x5f000000u);
    kdx_put_le16(h + 0x94, 0xf0);
    kdx_put_le16(h + 0x96, 0x22);
    uint8_t *o = h + 0x98;
    kdx_put_le16(o, 0x20b);
    kdx_put_le32(o + 0x10, b->code_lo);
    kdx_put_le32(o + 0x14, b->code_lo);
    kdx_put_le64(o + 0x18, b->m->base);
    kdx_put_le32(o + 0x20, 0x1000);
    kdx_put_le32(o + 0x24, 0x200);
    kdx_put_le16(o + 0x28, 10);
    kdx_put_le16(o + 0x30, 10);
    kdx_put_le32(o + 0x38, b->m->size);
    kdx_put_le32(o + 0x3c, 0x400);
    kdx_put_le16(o + 0x44, 1); /* native */
    kdx_put_le32(o + 0x6c, 16);
    kdx_put_le32(o + 0x70, b->export_rva);
    kdx_put_le32(o + 0x74, b->export_len);
    kdx_put_le32(o + 0x88, b->pdata_rva);
    kdx_put_le32(o + 0x8c, b->pdata_len);
    kdx_put_le32(o + 0xa0, b->debug_rva);
    kdx_put_le32(o + 0xa4, b->debug_rva ? 28 : 0);
    put_section(h + 0x188, ".rdata", RDATA_RVA, RDATA_MAX, 0x40000040u);
    put_section(h + 0x188 + 40, ".text", b->code_lo, b->code_hi - b->code_lo, 0x60000020u);
    scn_write(s, b->m->base, h, sizeof h);
    scn_write(s, b->m->base + RDATA_RVA, b->rdata, b->rdata_len);
}

/* Code: the prologue the unwind data describes, calls at every call site,
 * an epilogue, NOPs between. */
static void put_code(kdx_scn *s, const scn_func *f, size_t index)
{
    uint8_t *c = kdx_xmalloc(f->size);
    memset(c, 0x90, f->size);
    if (f->frame <= 128) {
        c[0] = 0x48, c[1] = 0x83, c[2] = 0xec, c[3] = (uint8_t)f->frame;
    } else {
        c[0] = 0x48, c[1] = 0x81, c[2] = 0xec;
        kdx_put_le32(c + 3, f->frame);
    }
    uint32_t e = f->size - 8;
    c[e] = 0x48, c[e + 1] = 0x81, c[e + 2] = 0xc4;
    kdx_put_le32(c + e + 3, f->frame);
    c[e + 7] = 0xc3;
    for (size_t i = 0; i < s->sites.len; i++) {
        const scn_site *st = &s->sites.items[i];
        if (st->caller != index)
            continue;
        c[st->offset] = 0xe8;
        kdx_put_le32(c + st->offset + 1, (uint32_t)(st->target - (f->addr + st->offset + 5)));
    }
    scn_write(s, f->addr, c, f->size);
    free(c);
}

static void write_image(kdx_scn *s, size_t mi)
{
    image_build *b = kdx_xcalloc(1, sizeof *b);
    b->m = &s->mods.items[mi];
    b->funcs = kdx_xmalloc((s->funcs.len ? s->funcs.len : 1) * sizeof *b->funcs);
    for (size_t i = 0; i < s->funcs.len; i++)
        if (s->funcs.items[i].module == mi)
            b->funcs[b->nfuncs++] = i;
    sort_ctx = s;
    kdx_sort(b->funcs, b->nfuncs, sizeof *b->funcs, by_address);
    b->code_lo = b->nfuncs ? (uint32_t)(s->funcs.items[b->funcs[0]].addr - b->m->base) & ~0xfffu : DRIVER_CODE_RVA;
    b->code_hi = b->nfuncs ? (uint32_t)(s->funcs.items[b->funcs[b->nfuncs - 1]].addr - b->m->base) + MAX_NT_FUNC_SIZE
                           : DRIVER_CODE_RVA + 0x1000;
    put_pdata(s, b);
    if (!b->m->is_kernel)
        put_exports(s, b);
    else if (s->id.has_guid)
        put_debug(s, b);
    put_headers(s, b);
    for (size_t i = 0; i < b->nfuncs; i++)
        put_code(s, &s->funcs.items[b->funcs[i]], b->funcs[i]);
    free(b->funcs);
    free(b);
}

void scn_write_images(kdx_scn *s)
{
    for (size_t i = 0; i < s->mods.len && scn_ok(s); i++)
        write_image(s, i);
    for (size_t i = 0; i < s->patches.len && scn_ok(s); i++)
        scn_write(s, s->patches.items[i].va, s->patches.items[i].bytes, s->patches.items[i].len);
}

void kdx_scn_code_patch(kdx_scn *s, uint64_t va, const void *bytes, size_t len)
{
    scn_patch p = {va, {0}, len};
    if (len > sizeof p.bytes) {
        scn_fail(s, KDX_E_ARG, "code patch of %zu bytes at %llx: at most %zu", len, (unsigned long long)va,
                 sizeof p.bytes);
        return;
    }
    memcpy(p.bytes, bytes, len);
    KDX_VEC_PUSH(s->patches, p);
}
