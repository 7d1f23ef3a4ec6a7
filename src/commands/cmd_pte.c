/* Command family: address translation: !pte, !vtop.
 * !pte shows each paging level at its self-map (virtual) address, the entry
 * it contains, and the PFN with WinDbg's flag letters; a not-valid entry is
 * decoded as Windows' software PTE (page file, transition, prototype,
 * demand zero). */
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "expr/range.h"
#include "mm/translate.h"
#include "sym/symbols.h"
#include "target/memory.h"

static bool has_paging(kdx_session *s)
{
    if (!kdx_cmd_need_target(s))
        return false;
    kdx_target *t = s->target;
    if (t->paging == KDX_PAGING_NONE || !t->ops || !t->ops->read_phys) {
        kdx_print(s, "This dump has no page tables (%s); virtual addresses cannot be "
                     "translated.\n",
                  t->ops && t->ops->format_name ? t->ops->format_name : "no physical memory");
        return false;
    }
    return true;
}

static bool wide_layout(kdx_paging p)
{
    return p == KDX_PAGING_X64_4 || p == KDX_PAGING_X64_5 || p == KDX_PAGING_ARM64;
}

/* The self-map base (VA of the PTE for VA 0). Windows 10 x64 randomizes it:
 * the kernel's own nt!MmPteBase is used when symbols resolve it, otherwise it
 * is derived from the root table's recursive entry (the one whose PFN is the
 * root's own), and on older x64 systems it is the fixed FFFFF680`00000000.
 * x86 keeps the self-map at C0000000. */
static kdx_status pte_base(kdx_session *s, uint64_t *base, kdx_err *err)
{
    kdx_target *t = s->target;
    uint64_t sym;
    bool randomized = t->sys.build == 0 || t->sys.build >= 14393;
    if (wide_layout(t->paging) && randomized &&
        kdx_sym_to_addr(s, "nt!MmPteBase", &sym, NULL) == KDX_OK &&
        kdx_read_u64(t, sym, base, NULL) == KDX_OK && *base)
        return KDX_OK;
    kdx_status st = kdx_mm_find_pte_base(t, t->dtb, base, err);
    /* Before Windows 10 1607 (build 14393) the x64 self-map was fixed at
     * PML4 index 0x1ed; WinDbg assumes it there on those systems. */
    if (st == KDX_E_NOT_FOUND && t->paging == KDX_PAGING_X64_4 && !randomized) {
        *base = 0xfffff68000000000ull;
        return KDX_OK;
    }
    return st;
}

/* A PTE address given to !pte stands for the VA that PTE maps. */
static uint64_t va_of_pte_address(kdx_paging p, uint64_t base, uint64_t addr, bool *is_pte)
{
    unsigned esize = kdx_mm_entry_size(p);
    int levels = kdx_mm_levels(p);
    /* One entry per 4 KB page of the whole address space. */
    unsigned va_bits = wide_layout(p) ? (unsigned)(levels * 9 + 12) : 32;
    uint64_t region = (1ull << (va_bits - 12)) * esize;
    *is_pte = addr >= base && addr - base < region;
    if (!*is_pte)
        return addr;
    uint64_t va = ((addr - base) / esize) << 12;
    if (wide_layout(p)) {
        unsigned top = levels * 9 + 12; /* 48 or 57 bits */
        if (va & (1ull << (top - 1)))
            va |= ~0ull << top;
    }
    return va;
}

static void decode_lines(kdx_session *s, int indent, uint64_t entry)
{
    kdx_soft_pte sp = kdx_mm_decode_soft(s->target, entry);
    switch (sp.kind) {
    case KDX_SOFT_ZERO: return;
    case KDX_SOFT_PAGEFILE:
        kdx_print(s, "%*sPageFile:  %x\n", indent, "", sp.pagefile);
        kdx_print(s, "%*sOffset: %llx\n", indent, "", (unsigned long long)sp.offset);
        break;
    case KDX_SOFT_TRANSITION:
        kdx_print(s, "%*sTransition: %llx\n", indent, "", (unsigned long long)sp.pfn);
        break;
    case KDX_SOFT_PROTOTYPE:
        if (sp.proto_vad)
            kdx_print(s, "%*sProto: VAD\n", indent, "");
        else
            kdx_print(s, "%*sProto: %0*llX\n", indent, "", s->target->ptr_size * 2,
                      (unsigned long long)sp.proto);
        break;
    case KDX_SOFT_DEMAND_ZERO:
        kdx_print(s, "%*sDemandZero\n", indent, "");
        break;
    }
    const char *name = kdx_mm_protect_name(sp.protect);
    if (name)
        kdx_print(s, "%*sProtect: %x - %s\n", indent, "", sp.protect, name);
    else
        kdx_print(s, "%*sProtect: %x\n", indent, "", sp.protect);
}

/* Column layouts. x64 and ARM64 print every level in 27-character
 * columns with 16-digit values; x86 PAE prints the PDE and PTE the way the
 * reference article shows them (pfn columns of 30); x86 without PAE uses
 * 27-character columns with 8-digit values. */
typedef struct pte_layout {
    int first;            /* first level shown */
    int va_indent;
    int va_digits;
    int digits;           /* entry addresses and contents */
    int pfn_width;        /* "pfn %-Nx" */
    int pfn_col;          /* width of a pfn column */
    int soft_indent;      /* -1: one past the "not valid" column */
} pte_layout;

static pte_layout layout_of(kdx_paging p, int levels)
{
    if (wide_layout(p))
        return (pte_layout){0, 43, 16, 16, 10, 27, -1};
    if (p == KDX_PAGING_X86_PAE)
        return (pte_layout){levels - 2, 15, 8, 16, 11, 30, 23};
    return (pte_layout){0, 20, 8, 8, 10, 27, -1};
}

static void pad_to(kdx_strbuf *sb, size_t col)
{
    while (sb->len < col)
        kdx_sb_putc(sb, ' ');
}

static void print_line(kdx_session *s, kdx_strbuf *sb)
{
    kdx_rtrim(sb->s);
    kdx_print(s, "%s\n", sb->s);
    sb->len = 0;
    sb->s[0] = '\0';
}

static void print_pte(kdx_session *s, uint64_t va, uint64_t base, const kdx_xlat *x)
{
    kdx_paging p = s->target->paging;
    int levels = x->total_levels;
    pte_layout L = layout_of(p, levels);
    kdx_print(s, "%*sVA %0*llx\n", L.va_indent, "", L.va_digits, (unsigned long long)va);

    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (int i = L.first; i < levels; i++) {
        pad_to(&sb, (size_t)(i - L.first) * 27);
        kdx_sb_printf(&sb, "%s at %0*llX", kdx_mm_level_name(p, levels, i), L.digits,
                      (unsigned long long)kdx_mm_entry_va(p, base, va, i));
    }
    print_line(s, &sb);

    /* The last level whose entry was read; past a large page the deeper
     * columns show 0 as WinDbg does. */
    int leaf = x->status == KDX_OK ? x->nlevels - 1 : x->fail_level;
    int shown = (x->status == KDX_OK && x->large) ? levels - 1
              : x->status == KDX_E_MEM_MISSING ? leaf - 1 : leaf;
    if (leaf < L.first) {
        /* PAE: the PDPTE itself is not valid (or not saved). */
        kdx_print(s, "PDPTE at physical %llx is %s\n", (unsigned long long)x->level[0].entry_pa,
                  x->status == KDX_E_MEM_MISSING ? "not present in the dump" : "not valid");
        kdx_sb_free(&sb);
        return;
    }
    for (int i = L.first; i <= shown; i++) {
        pad_to(&sb, (size_t)(i - L.first) * 27);
        kdx_sb_printf(&sb, "contains %0*llX", L.digits,
                      (unsigned long long)(i < x->nlevels ? x->level[i].value : 0));
    }
    if (shown >= L.first)
        print_line(s, &sb);

    int valid_end = leaf; /* last level printed with pfn and flags */
    if (x->status != KDX_OK || x->transition)
        valid_end = leaf - 1;
    for (int i = L.first; i <= valid_end; i++) {
        char flags[12];
        pad_to(&sb, (size_t)(i - L.first) * (size_t)L.pfn_col);
        kdx_mm_pte_flags(p, levels, i, x->level[i].value, flags);
        kdx_sb_printf(&sb, "pfn %-*llx%s", L.pfn_width,
                      (unsigned long long)kdx_mm_entry_pfn(p, x->level[i].value), flags);
    }
    size_t col = valid_end >= L.first ? (size_t)(valid_end + 1 - L.first) * (size_t)L.pfn_col : 0;
    if (x->status == KDX_OK && x->large) {
        pad_to(&sb, col);
        kdx_sb_printf(&sb, "LARGE PAGE pfn %llx", (unsigned long long)(x->pa >> 12));
        print_line(s, &sb);
    } else if (x->status == KDX_OK && !x->transition) {
        print_line(s, &sb);
    } else if (x->status == KDX_E_MEM_MISSING) {
        if (sb.len)
            print_line(s, &sb);
        kdx_print(s, "%s page at physical %llx is not present in the dump\n",
                  kdx_mm_level_name(p, levels, leaf),
                  (unsigned long long)(x->level[leaf].entry_pa & ~0xfffull));
    } else {
        pad_to(&sb, col);
        kdx_sb_puts(&sb, "not valid");
        print_line(s, &sb);
        decode_lines(s, L.soft_indent >= 0 ? L.soft_indent : (int)col + 1, x->level[leaf].value);
    }
    kdx_sb_free(&sb);
}

/* !pte VA | PTEADDR, and !pte START END: every page of the range. */
static int cmd_pte(kdx_session *s, const char *cmd, const char *args)
{
    if (!has_paging(s))
        return 1;
    kdx_target *t = s->target;
    kdx_err err;
    uint64_t addr, last = 0;
    const char *p;
    if (!*args) {
        kdx_print(s, "Usage: %s VirtualAddress | PteAddress | StartAddress EndAddress\n", cmd);
        return 1;
    }
    if (kdx_expr_eval(s, args, &addr, &p, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    bool range = *kdx_skip_ws(p) != '\0';
    if (range && kdx_expr_eval_all(s, p, &last, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (t->ptr_size == 4) {
        addr &= 0xffffffffull;
        last &= 0xffffffffull;
    }
    if (range && last <= addr) {
        kdx_print(s, "%s LiteralAddress 1 is not supported; give the PTE's address alone.\n", cmd);
        return 1;
    }
    if (range && last - addr > KDX_RANGE_LIMIT_BYTES) { /* one line per page: bound the walk */
        kdx_print(s, "%s range %llx-%llx is above the 256 MB limit of a range.\n", cmd,
                  (unsigned long long)addr, (unsigned long long)last);
        return 1;
    }
    uint64_t base;
    if (pte_base(s, &base, &err) != KDX_OK) {
        kdx_err_prefix(&err, "cannot locate the page-table self-map");
        return kdx_cmd_fail(s, &err);
    }
    bool is_pte;
    uint64_t va = range ? addr & ~0xfffull : va_of_pte_address(t->paging, base, addr, &is_pte);
    for (;;) {
        kdx_xlat x;
        kdx_mm_translate(t, t->dtb, va, &x, NULL);
        if (x.status == KDX_E_UNSUPPORTED) {
            kdx_print(s, "Address translation is not available for this target.\n");
            return 1;
        }
        print_pte(s, va, base, &x);
        if (!range || va + 0x1000 > last || va + 0x1000 < va)
            break;
        va += 0x1000;
    }
    return 0;
}

/* ---- !vtop ---------------------------------------------------------------- */

/* Per-level names in !vtop's trace. */
static const char *vtop_level_name(kdx_paging p, int levels, int i)
{
    static const char *const x64[] = {"PML5E", "PML4E", "PDPE", "PDE", "PTE"};
    static const char *const pae[] = {"PAE PDPE", "PAE PDE", "PAE PTE"};
    static const char *const x86[] = {"PDE", "PTE"};
    static const char *const arm[] = {"L0", "L1", "L2", "L3"};
    switch (p) {
    case KDX_PAGING_X64_4:
    case KDX_PAGING_X64_5: return x64[i + 5 - levels];
    case KDX_PAGING_X86_PAE: return pae[i];
    case KDX_PAGING_X86: return x86[i];
    case KDX_PAGING_ARM64: return arm[i];
    case KDX_PAGING_NONE: break;
    }
    return "?";
}

static const char *vtop_prefix(kdx_paging p)
{
    return p == KDX_PAGING_ARM64 ? "Arm64VtoP" : wide_layout(p) ? "Amd64VtoP" : "X86VtoP";
}

/* The first argument is the root's PFN, or 0 for the current process. As
 * in kdexts, a number that cannot be a PFN (its page is not in the dump
 * but the number itself is a saved physical address) is taken as the
 * directory base itself, which keeps a PAE base's low bits. */
static bool phys_readable(kdx_target *t, uint64_t pa)
{
    uint8_t b;
    size_t done;
    return t->ops->read_phys(t->impl, pa, &b, 1, &done) == KDX_OK;
}

static uint64_t vtop_root(kdx_target *t, uint64_t v)
{
    if (v == 0)
        return t->dtb;
    if (v < (1ull << 40) && phys_readable(t, v << 12))
        return v << 12;
    if (phys_readable(t, v & ~0xfffull))
        return v;
    return v << 12;
}

static int cmd_vtop(kdx_session *s, const char *cmd, const char *args)
{
    if (!has_paging(s))
        return 1;
    kdx_target *t = s->target;
    kdx_err err;
    uint64_t dir, va;
    const char *p;
    if (kdx_expr_eval(s, args, &dir, &p, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (!*kdx_skip_ws(p)) {
        kdx_print(s, "Usage: %s PFN VirtualAddress (PFN 0: current process)\n", cmd);
        return 1;
    }
    if (kdx_expr_eval_all(s, p, &va, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_paging pg = t->paging;
    bool wide = wide_layout(pg);
    int digits = wide ? 16 : 8;
    const char *pre = vtop_prefix(pg);
    if (!wide)
        va &= 0xffffffffull;
    uint64_t root = vtop_root(t, dir);
    kdx_xlat x;
    kdx_mm_translate(t, root, va, &x, NULL);
    kdx_print(s, "%s: Virt %0*llx, pagedir %0*llx\n", pre, digits, (unsigned long long)va, digits,
              (unsigned long long)root);
    for (int i = 0; i < x.nlevels; i++) {
        const char *name = vtop_level_name(pg, x.total_levels, i);
        if (!x.level[i].read) {
            kdx_print(s, "%s: %s %0*llx is not present in the dump\n", pre, name, digits,
                      (unsigned long long)x.level[i].entry_pa);
            break;
        }
        if (wide)
            kdx_print(s, "%s: %s %016llx\n", pre, name, (unsigned long long)x.level[i].entry_pa);
        else
            kdx_print(s, "%s: %s %08llx - %0*llx\n", pre, name,
                      (unsigned long long)x.level[i].entry_pa,
                      pg == KDX_PAGING_X86 ? 8 : 16, (unsigned long long)x.level[i].value);
        if (x.status == KDX_E_MEM_INVALID && i == x.fail_level)
            kdx_print(s, "%s: %s %s\n", pre, x.level[i].value ? "not valid" : "zero",
                      name);
    }
    if (x.status != KDX_OK) {
        kdx_print(s, "Virtual address %llx translation fails, error 0xD0000147.\n",
                  (unsigned long long)va);
        return 1;
    }
    kdx_print(s, "%s: %sMapped phys %0*llx\n", pre, x.large ? "Large page " : "", digits,
              (unsigned long long)x.pa);
    kdx_print(s, "Virtual address %llx translates to physical address %llx.\n",
              (unsigned long long)va, (unsigned long long)x.pa);
    return 0;
}

const kdx_command kdx_cmds_pte[] = {
    {"!pte", cmd_pte, "page-table entries of a virtual address: !pte VA | PTEADDR", 0},
    {"!vtop", cmd_vtop, "translate a virtual address: !vtop PFN|0 VA", 0},
    {0}};
