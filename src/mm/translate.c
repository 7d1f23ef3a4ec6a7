#include "mm/translate.h"

#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"

/* Shape of one paging mode: per-level index position and width. */
typedef struct paging_mode {
    int levels;
    unsigned entry_size;
    unsigned shift[KDX_XLAT_MAX_LEVELS];
    unsigned bits[KDX_XLAT_MAX_LEVELS];
    uint64_t addr_mask;   /* physical-address bits of an entry */
    uint64_t root_mask;   /* physical-address bits of the root (CR3/TTBR) */
} paging_mode;

static const paging_mode mode_x86 = {2, 4, {22, 12}, {10, 10}, 0xfffff000ull, 0xfffff000ull};
static const paging_mode mode_pae = {3, 8, {30, 21, 12}, {2, 9, 9}, 0x000ffffffffff000ull,
                                     0xffffffe0ull};
static const paging_mode mode_x64_4 = {4, 8, {39, 30, 21, 12}, {9, 9, 9, 9},
                                       0x000ffffffffff000ull, 0x000ffffffffff000ull};
static const paging_mode mode_x64_5 = {5, 8, {48, 39, 30, 21, 12}, {9, 9, 9, 9, 9},
                                       0x000ffffffffff000ull, 0x000ffffffffff000ull};
static const paging_mode mode_arm64 = {4, 8, {39, 30, 21, 12}, {9, 9, 9, 9},
                                       0x0000fffffffff000ull, 0x0000fffffffff000ull};

static const paging_mode *mode_of(kdx_paging p)
{
    switch (p) {
    case KDX_PAGING_X86: return &mode_x86;
    case KDX_PAGING_X86_PAE: return &mode_pae;
    case KDX_PAGING_X64_4: return &mode_x64_4;
    case KDX_PAGING_X64_5: return &mode_x64_5;
    case KDX_PAGING_ARM64: return &mode_arm64;
    case KDX_PAGING_NONE: break;
    }
    return NULL;
}

int kdx_mm_levels(kdx_paging paging)
{
    const paging_mode *m = mode_of(paging);
    return m ? m->levels : 0;
}

unsigned kdx_mm_entry_size(kdx_paging paging)
{
    const paging_mode *m = mode_of(paging);
    return m ? m->entry_size : 0;
}

const char *kdx_mm_level_name(kdx_paging paging, int total_levels, int i)
{
    static const char *const names5[] = {"PXE5", "PXE", "PPE", "PDE", "PTE"};
    static const char *const names4[] = {"PXE", "PPE", "PDE", "PTE"};
    static const char *const names3[] = {"PDPTE", "PDE", "PTE"};
    static const char *const names2[] = {"PDE", "PTE"};
    (void)paging;
    if (i < 0 || i >= total_levels)
        return "?";
    switch (total_levels) {
    case 5: return names5[i];
    case 4: return names4[i];
    case 3: return names3[i];
    case 2: return names2[i];
    }
    return "?";
}

uint64_t kdx_mm_level_span(kdx_paging paging, int i)
{
    const paging_mode *m = mode_of(paging);
    if (!m || i < 0 || i >= m->levels)
        return 4096;
    return 1ull << m->shift[i];
}

uint64_t kdx_mm_entry_pfn(kdx_paging paging, uint64_t entry)
{
    const paging_mode *m = mode_of(paging);
    return m ? (entry & m->addr_mask) >> 12 : 0;
}

bool kdx_mm_entry_valid(kdx_paging paging, int total_levels, int i, uint64_t entry)
{
    if (paging != KDX_PAGING_ARM64)
        return entry & 1;
    /* ARM64 descriptors: 0b11 table (or page at the last level), 0b01 block at levels 1-2. */
    if ((entry & 3) == 3)
        return true;
    return (entry & 3) == 1 && i >= 1 && i < total_levels - 1;
}

bool kdx_mm_entry_large(kdx_paging paging, int total_levels, int i, uint64_t entry)
{
    if (i >= total_levels - 1)
        return false;
    switch (paging) {
    case KDX_PAGING_X86: return i == 0 && (entry & 0x80);
    case KDX_PAGING_X86_PAE: return i == 1 && (entry & 0x80);
    case KDX_PAGING_X64_4: return (i == 1 || i == 2) && (entry & 0x80);
    case KDX_PAGING_X64_5: return (i == 2 || i == 3) && (entry & 0x80);
    case KDX_PAGING_ARM64: return (i == 1 || i == 2) && (entry & 3) == 1;
    case KDX_PAGING_NONE: break;
    }
    return false;
}

/* Windows keeps the data of a transition page in RAM (standby/modified
 * list): the PFN is in the hardware position, Valid 0, Prototype 0,
 * Transition 1. WinDbg reads through such PTEs, and so do we. */
static bool is_transition(kdx_paging paging, uint64_t e)
{
    if (paging == KDX_PAGING_ARM64 || paging == KDX_PAGING_NONE)
        return false;
    return !(e & 1) && !(e & 0x400) && (e & 0x800);
}

void kdx_mm_pte_flags(kdx_paging paging, int total_levels, int i, uint64_t e, char out[12])
{
    if (paging == KDX_PAGING_ARM64) {
        /* Same columns from the ARM64 descriptor: nG clear is Global, AF is
         * Accessed, DBM (bit 51) stands for Dirty, AP[1] user, AP[2] read-only,
         * UXN/PXN (bits 54/53) no-execute. */
        memset(out, '-', 11);
        out[11] = '\0';
        if (i < total_levels - 1 && (e & 3) == 3) {
            /* Table descriptor: only APTable (61: no EL0, 62: read-only) and
             * PXNTable/UXNTable (59/60) limit what lies below. */
            out[7] = (e & (1ull << 61)) ? 'K' : 'U';
            out[8] = (e & (1ull << 62)) ? 'R' : 'W';
            out[9] = (e & (3ull << 59)) ? '-' : 'E';
            out[10] = 'V';
            return;
        }
        bool user = e & (1ull << 6);
        bool xn = user ? (e & (1ull << 54)) : (e & (1ull << 53));
        out[0] = '-';
        out[1] = (e & (1ull << 11)) ? '-' : 'G';
        out[2] = kdx_mm_entry_large(paging, total_levels, i, e) ? 'L' : '-';
        out[3] = (e & (1ull << 51)) ? 'D' : '-';
        out[4] = (e & (1ull << 10)) ? 'A' : '-';
        out[5] = '-';
        out[6] = '-';
        out[7] = user ? 'U' : 'K';
        out[8] = (e & (1ull << 7)) ? 'R' : 'W';
        out[9] = xn ? '-' : 'E';
        out[10] = (e & 1) ? 'V' : '-';
        out[11] = '\0';
        return;
    }
    bool nx_capable = paging != KDX_PAGING_X86;
    out[0] = (e & 0x200) ? 'C' : '-';
    out[1] = (e & 0x100) ? 'G' : '-';
    out[2] = ((e & 1) && kdx_mm_entry_large(paging, total_levels, i, e)) ? 'L' : '-';
    out[3] = (e & 0x40) ? 'D' : '-';
    out[4] = (e & 0x20) ? 'A' : '-';
    out[5] = (e & 0x10) ? 'N' : '-';
    out[6] = (e & 0x08) ? 'T' : '-';
    out[7] = (e & 0x04) ? 'U' : 'K';
    /* Windows keeps its own Write bit in bit 11 next to the hardware R/W bit. */
    out[8] = (e & 0x802) ? 'W' : 'R';
    out[9] = (nx_capable && (e >> 63)) ? '-' : 'E';
    out[10] = (e & 1) ? 'V' : '-';
    out[11] = '\0';
}

static kdx_status fail_missing(kdx_target *t, kdx_xlat *x, int i, kdx_err *err)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    x->status = KDX_E_MEM_MISSING;
    x->fail_level = i;
    return kdx_err_set(err, KDX_E_MEM_MISSING,
                       "memory at %s is not present in the dump (its %s page at physical %s is "
                       "not saved)",
                       kdx_fmt_ptr(a, x->va, t->ptr_size),
                       kdx_mm_level_name(t->paging, x->total_levels, i),
                       kdx_fmt_u64(b, x->level[i].entry_pa & ~0xfffull));
}

static kdx_status fail_invalid(kdx_target *t, kdx_xlat *x, int i, kdx_err *err)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    x->status = KDX_E_MEM_INVALID;
    x->fail_level = i;
    uint64_t e = x->level[i].value;
    const char *name = kdx_mm_level_name(t->paging, x->total_levels, i);
    kdx_fmt_ptr(a, x->va, t->ptr_size);
    kdx_soft_pte sp = kdx_mm_decode_soft(t, e);
    switch (sp.kind) {
    case KDX_SOFT_ZERO:
        return kdx_err_set(err, KDX_E_MEM_INVALID, "memory at %s is not valid: its %s is 0", a,
                           name);
    case KDX_SOFT_DEMAND_ZERO:
        return kdx_err_set(err, KDX_E_MEM_INVALID,
                           "memory at %s is not valid: its %s is demand-zero", a, name);
    case KDX_SOFT_PAGEFILE:
        return kdx_err_set(err, KDX_E_MEM_INVALID,
                           "memory at %s is not valid: its %s is paged out (page file %u, "
                           "offset %llx)",
                           a, name, sp.pagefile, (unsigned long long)sp.offset);
    case KDX_SOFT_PROTOTYPE:
        return kdx_err_set(err, KDX_E_MEM_INVALID,
                           "memory at %s is not valid: its %s refers to prototype PTE %s", a,
                           name, sp.proto_vad ? "in the VAD" : kdx_fmt_u64(b, sp.proto));
    case KDX_SOFT_TRANSITION:
        break;
    }
    return kdx_err_set(err, KDX_E_MEM_INVALID, "memory at %s is not valid: its %s is %s", a,
                       name, kdx_fmt_u64(b, e));
}

static kdx_status read_entry(kdx_target *t, uint64_t pa, unsigned size, uint64_t *v)
{
    uint8_t b[8];
    size_t done = 0;
    if (t->ops->read_phys(t->impl, pa, b, size, &done) != KDX_OK || done < size)
        return KDX_E_MEM_MISSING;
    *v = size == 4 ? kdx_le32(b) : kdx_le64(b);
    return KDX_OK;
}

uint64_t kdx_mm_next_canonical(kdx_paging paging, uint64_t va)
{
    unsigned bits = paging == KDX_PAGING_X64_5 ? 57 : 48;
    if (paging != KDX_PAGING_X64_4 && paging != KDX_PAGING_X64_5)
        return va;
    uint64_t high = va >> (bits - 1);
    if (high == 0 || high == ~0ull >> (bits - 1))
        return va;
    return ~0ull << (bits - 1); /* the first address of the upper half */
}

kdx_status kdx_mm_translate(kdx_target *t, uint64_t dtb, uint64_t va, kdx_xlat *out,
                            kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->va = va;
    const paging_mode *m = mode_of(t->paging);
    if (!m || !t->ops || !t->ops->read_phys) {
        out->status = KDX_E_UNSUPPORTED;
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "this target has no page tables to translate virtual addresses");
    }
    out->total_levels = m->levels;
    if (t->ptr_size == 4)
        va &= 0xffffffffull;
    if ((t->paging == KDX_PAGING_X64_4 || t->paging == KDX_PAGING_X64_5) &&
        kdx_mm_next_canonical(t->paging, va) != va) {
        char a[KDX_ADDR_BUF];
        out->status = KDX_E_MEM_INVALID;
        kdx_fmt_ptr(a, va, t->ptr_size);
        return kdx_err_set(err, KDX_E_MEM_INVALID,
                           "memory at %s is not valid: the address is not canonical", a);
    }
    uint64_t table = dtb & m->root_mask;
    for (int i = 0; i < m->levels; i++) {
        uint64_t idx = (va >> m->shift[i]) & ((1ull << m->bits[i]) - 1);
        kdx_xlat_level *l = &out->level[i];
        l->entry_pa = table + idx * m->entry_size;
        out->nlevels = i + 1;
        if (read_entry(t, l->entry_pa, m->entry_size, &l->value) != KDX_OK)
            return fail_missing(t, out, i, err);
        l->read = true;
        uint64_t e = l->value;
        bool last = i == m->levels - 1;
        bool valid = kdx_mm_entry_valid(t->paging, m->levels, i, e);
        if (!valid) {
            /* PAE PDPTEs have no software encoding; elsewhere a transition
             * entry still names the page that holds the data. */
            if (!(t->paging == KDX_PAGING_X86_PAE && i == 0) && is_transition(t->paging, e))
                out->transition = last;
            else
                return fail_invalid(t, out, i, err);
        }
        /* Bit 7 of a software (transition) entry is protection, not PS. */
        if (valid && kdx_mm_entry_large(t->paging, m->levels, i, e)) {
            uint64_t size = 1ull << m->shift[i];
            out->large = true;
            out->page_size = size;
            out->pa = (e & m->addr_mask & ~(size - 1)) | (va & (size - 1));
            out->status = KDX_OK;
            return KDX_OK;
        }
        table = e & m->addr_mask;
        if (last) {
            out->page_size = 4096;
            out->pa = table | (va & 0xfff);
        }
    }
    out->status = KDX_OK;
    return KDX_OK;
}

/* x64 Windows 10 (build 10240 on) keeps PageFileLow in bits 12-15 and the
 * prototype address in bits 16-63; earlier x64 and all x86 layouts put
 * PageFileLow in bits 1-4. */
static bool x64_win10_layout(const kdx_target *t)
{
    if (t->paging == KDX_PAGING_ARM64)
        return true;
    if (t->paging != KDX_PAGING_X64_4 && t->paging != KDX_PAGING_X64_5)
        return false;
    return t->sys.build == 0 || t->sys.build >= 10240;
}

kdx_soft_pte kdx_mm_decode_soft(const kdx_target *t, uint64_t e)
{
    kdx_soft_pte sp;
    memset(&sp, 0, sizeof sp);
    if (t->ptr_size == 4 && t->paging != KDX_PAGING_X86_PAE)
        e &= 0xffffffffull;
    if (e == 0) {
        sp.kind = KDX_SOFT_ZERO;
        return sp;
    }
    sp.protect = (unsigned)(e >> 5) & 31;
    bool win10 = x64_win10_layout(t);
    if (e & 0x400) {
        sp.kind = KDX_SOFT_PROTOTYPE;
        if (t->paging == KDX_PAGING_X86) {
            /* ProtoAddressLow bits 1-7 and ProtoAddressHigh bits 11-31, in dwords. */
            sp.proto = ((((e >> 11) & 0x1fffff) << 7) | ((e >> 1) & 0x7f)) << 2;
        } else if (t->paging == KDX_PAGING_X86_PAE) {
            sp.proto = e >> 32;
            sp.proto_vad = sp.proto == 0xffffffffull;
        } else {
            sp.proto = (uint64_t)((int64_t)e >> 16);
            sp.proto_vad = ((e >> 16) & 0xffffffffffffull) == 0xffffffff0000ull ||
                           (!win10 && (e >> 32) == 0xffffffffull);
            if (!win10)
                sp.protect = (unsigned)(e >> 11) & 31;
        }
        return sp;
    }
    if (e & 0x800) {
        sp.kind = KDX_SOFT_TRANSITION;
        sp.pfn = t->paging == KDX_PAGING_X86 ? (e >> 12) & 0xfffff : (e >> 12) & 0xfffffffffull;
        return sp;
    }
    if (t->paging == KDX_PAGING_X86) {
        sp.pagefile = (unsigned)(e >> 1) & 15;
        sp.offset = (e >> 12) & 0xfffff;
    } else {
        sp.pagefile = win10 ? (unsigned)(e >> 12) & 15 : (unsigned)(e >> 1) & 15;
        sp.offset = e >> 32;
    }
    sp.kind = (sp.pagefile == 0 && sp.offset == 0) ? KDX_SOFT_DEMAND_ZERO : KDX_SOFT_PAGEFILE;
    return sp;
}

const char *kdx_mm_protect_name(unsigned protect)
{
    static const char *const names[8] = {NULL,        "ReadOnly",  "Execute",
                                         "ExecuteRead", "ReadWrite", "WriteCopy",
                                         "ExecuteReadWrite", "ExecuteWriteCopy"};
    if (protect == 0x18)
        return "NoAccess";
    if (protect < 8)
        return names[protect];
    return NULL;
}

kdx_status kdx_mm_find_pte_base(kdx_target *t, uint64_t dtb, uint64_t *pte_base, kdx_err *err)
{
    const paging_mode *m = mode_of(t->paging);
    if (!m)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "this target has no page tables");
    if (t->paging == KDX_PAGING_X86 || t->paging == KDX_PAGING_X86_PAE) {
        *pte_base = 0xc0000000ull;
        return KDX_OK;
    }
    if (!t->ops || !t->ops->read_phys)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "this dump holds no physical memory");
    uint64_t root = dtb & m->root_mask;
    uint64_t root_pfn = root >> 12;
    for (uint64_t idx = 0; idx < 512; idx++) {
        uint64_t e;
        if (read_entry(t, root + idx * 8, 8, &e) != KDX_OK) {
            char a[KDX_ADDR_BUF];
            return kdx_err_set(err, KDX_E_MEM_MISSING,
                               "the page-table root at physical %s is not present in the dump",
                               kdx_fmt_u64(a, root));
        }
        if (!kdx_mm_entry_valid(t->paging, m->levels, 0, e) ||
            ((e & m->addr_mask) >> 12) != root_pfn)
            continue;
        unsigned top = m->shift[0];
        uint64_t base = idx << top;
        if (idx >= 256) /* canonical sign extension of the upper half */
            base |= ~0ull << (top + 9);
        *pte_base = base;
        return KDX_OK;
    }
    char a[KDX_ADDR_BUF];
    return kdx_err_set(err, KDX_E_NOT_FOUND,
                       "no self-map entry points back at the page-table root %s",
                       kdx_fmt_u64(a, root));
}

/* The self-map makes the entry for x live at pte_base + index(x) * size;
 * applying it again gives the entry one level up. */
static uint64_t self_map_once(kdx_paging paging, uint64_t base, uint64_t x)
{
    switch (paging) {
    case KDX_PAGING_X86: return (base + ((x & 0xffffffffull) >> 12) * 4) & 0xffffffffull;
    case KDX_PAGING_X86_PAE: return (base + ((x & 0xffffffffull) >> 12) * 8) & 0xffffffffull;
    case KDX_PAGING_X64_5: return base + ((x >> 12) & ((1ull << 45) - 1)) * 8;
    case KDX_PAGING_X64_4:
    case KDX_PAGING_ARM64: return base + ((x >> 12) & ((1ull << 36) - 1)) * 8;
    case KDX_PAGING_NONE: break;
    }
    return 0;
}

uint64_t kdx_mm_entry_va(kdx_paging paging, uint64_t pte_base, uint64_t va, int i)
{
    int levels = kdx_mm_levels(paging);
    uint64_t x = va;
    for (int n = levels - i; n > 0; n--)
        x = self_map_once(paging, pte_base, x);
    return x;
}
