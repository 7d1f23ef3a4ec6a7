/* Listings for u, ub and uf: symbol labels, backwards sync, and whole
 * functions found by following branches and .pdata chunks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/fmt.h"
#include "base/util.h"
#include "disasm/disasm.h"
#include "sym/symbols.h"
#include "target/session.h"
#include "unwind/unwind.h"

#define MAX_FUNCTION_INSNS 50000

static struct {
    kdx_session *s;
    uint64_t next;
} last_u;

bool kdx_disasm_has_next(kdx_session *s)
{
    return last_u.s == s;
}

uint64_t kdx_disasm_next(kdx_session *s)
{
    (void)s;
    return last_u.next;
}

static void print_label(kdx_session *s, uint64_t addr)
{
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, addr, &hit) != KDX_OK)
        return;
    char sym[320];
    kdx_sym_format_code(s, addr, sym, sizeof sym);
    kdx_print(s, "%s:\n", sym);
}

static bool symbol_starts_at(kdx_session *s, uint64_t addr)
{
    kdx_symhit hit;
    return kdx_sym_from_code_addr(s, addr, &hit) == KDX_OK && hit.name && hit.displacement == 0;
}

static void print_insn(kdx_session *s, const kdx_insn *in)
{
    char line[600];
    kdx_disasm_format(s, s->target->arch, in, line, sizeof line);
    kdx_print(s, "%s\n", line);
}

kdx_status kdx_disasm_u(kdx_session *s, uint64_t addr, uint64_t count, uint64_t end_addr, kdx_err *err)
{
    int ps = kdx_session_ptr_size(s);
    print_label(s, addr);
    uint64_t limit = end_addr ? 0x10000 : count;
    kdx_status st = KDX_OK;
    for (uint64_t i = 0; i < limit && (!end_addr || addr < end_addr) && !kdx_interrupted(); i++) {
        if (i > 0 && symbol_starts_at(s, addr))
            print_label(s, addr);
        kdx_insn in;
        st = kdx_disasm_read(s, addr, &in, err);
        if (st != KDX_OK) {
            /* Like WinDbg: one "??  ???" line where the bytes stop, then the
             * caller's "Memory access error" line; the listing ends there. */
            char a[KDX_ADDR_BUF];
            kdx_print(s, "%s %-15s %s\n", kdx_fmt_ptr(a, addr, ps), "??", "???");
            break;
        }
        print_insn(s, &in);
        addr += in.len;
    }
    last_u.s = s;
    last_u.next = addr;
    return st;
}

/* Decodes from start; true when the instructions land exactly on addr.
 * *n receives how many there are before addr. */
static bool decodes_to(kdx_session *s, uint64_t start, uint64_t addr, uint64_t *n)
{
    uint64_t count = 0;
    for (uint64_t p = start; p < addr; count++) {
        kdx_insn in;
        if (kdx_disasm_read(s, p, &in, NULL) != KDX_OK || !strcmp(in.mnemonic, "???"))
            return false;
        p += in.len;
        if (p == addr) {
            *n = count + 1;
            return true;
        }
    }
    return false;
}

/* The address n instructions before addr, decoding from start. */
static uint64_t skip_to_last(kdx_session *s, uint64_t start, uint64_t total, uint64_t n)
{
    uint64_t p = start;
    for (uint64_t i = 0; i + n < total; i++) {
        kdx_insn in;
        if (kdx_disasm_read(s, p, &in, NULL) != KDX_OK)
            break;
        p += in.len;
    }
    return p;
}

kdx_status kdx_disasm_back(kdx_session *s, uint64_t addr, uint64_t count, uint64_t *start, kdx_err *err)
{
    uint64_t n;
    /* The function start is the surest anchor when it is close. */
    kdx_symhit hit;
    uint64_t fstart = 0;
    kdx_unwind_image img;
    kdx_runtime_function fn;
    if (kdx_unwind_session_image(s, addr - 1, &img, NULL) == KDX_OK &&
        img.lookup(img.ud, (uint32_t)(addr - 1 - img.base), &fn, NULL) == KDX_OK)
        fstart = img.base + fn.begin_rva;
    else if (kdx_sym_from_code_addr(s, addr - 1, &hit) == KDX_OK && hit.name)
        fstart = hit.address;
    if (fstart && fstart < addr && addr - fstart <= 0x4000 && decodes_to(s, fstart, addr, &n) && n >= count) {
        *start = skip_to_last(s, fstart, n, count);
        return KDX_OK;
    }
    /* Otherwise try candidate starts from far to near; keep the first that lands on addr. */
    uint64_t max_back = count * 15 + 16;
    for (uint64_t back = max_back; back >= 1; back--) {
        if (back > addr)
            continue;
        if (decodes_to(s, addr - back, addr, &n) && n >= count) {
            *start = skip_to_last(s, addr - back, n, count);
            return KDX_OK;
        }
    }
    char a[KDX_ADDR_BUF];
    return kdx_err_set(err, KDX_E_NOT_FOUND, "no instruction sequence of %" PRIu64 " instructions ends at %s",
                       count, kdx_session_fmt_ptr(s, a, addr));
}

kdx_status kdx_disasm_ub(kdx_session *s, uint64_t addr, uint64_t count, kdx_err *err)
{
    uint64_t start;
    if (kdx_disasm_back(s, addr, count, &start, err) != KDX_OK)
        return KDX_E_NOT_FOUND;
    return kdx_disasm_u(s, start, count, 0, err);
}

/* ---- uf ---- */

typedef struct fn_layout {
    KDX_VEC(kdx_runtime_function) chunks; /* .pdata ranges of the function, when known */
    uint64_t base;
    uint64_t start, lo, hi;               /* entry point; flow bounds without .pdata */
    bool has_img;
    kdx_unwind_image img;
    uint32_t primary_begin;
} fn_layout;

static bool in_function(fn_layout *f, uint64_t a)
{
    if (!f->chunks.len)
        return a >= f->lo && a < f->hi;
    for (size_t i = 0; i < f->chunks.len; i++)
        if (a >= f->base + f->chunks.items[i].begin_rva && a < f->base + f->chunks.items[i].end_rva)
            return true;
    /* A jump into another chunk of a BBT-split function: its entry chains to our primary. */
    kdx_runtime_function e, p;
    if (f->has_img && a >= f->img.base && a - f->img.base < f->img.size &&
        f->img.lookup(f->img.ud, (uint32_t)(a - f->img.base), &e, NULL) == KDX_OK &&
        kdx_x64_primary_entry(&f->img, e, &p, NULL) == KDX_OK && p.begin_rva == f->primary_begin) {
        KDX_VEC_PUSH(f->chunks, e);
        return true;
    }
    return false;
}

/* Finds the function's entry and its chunks (entries chaining to the same primary). */
static void find_layout(kdx_session *s, uint64_t addr, fn_layout *f)
{
    memset(f, 0, sizeof *f);
    f->start = addr;
    kdx_unwind_image img;
    kdx_runtime_function fn, primary;
    kdx_symhit hit;
    if (kdx_unwind_session_image(s, addr, &img, NULL) == KDX_OK &&
        img.lookup(img.ud, (uint32_t)(addr - img.base), &fn, NULL) == KDX_OK &&
        (s->target->arch != KDX_ARCH_X64 || kdx_x64_primary_entry(&img, fn, &primary, NULL) == KDX_OK)) {
        if (s->target->arch != KDX_ARCH_X64)
            primary = fn;
        f->base = img.base;
        f->start = img.base + primary.begin_rva;
        if (s->target->arch == KDX_ARCH_X64) {
            f->has_img = true;
            f->img = img;
            f->primary_begin = primary.begin_rva;
        }
        KDX_VEC_PUSH(f->chunks, primary);
        if (fn.begin_rva != primary.begin_rva)
            KDX_VEC_PUSH(f->chunks, fn);
        for (uint32_t i = 0; img.entry_at && s->target->arch == KDX_ARCH_X64 && i < img.nentries; i++) {
            kdx_runtime_function e, p;
            if (img.entry_at(img.ud, i, &e, NULL) != KDX_OK || e.begin_rva == primary.begin_rva ||
                e.begin_rva == fn.begin_rva)
                continue;
            if (kdx_x64_primary_entry(&img, e, &p, NULL) == KDX_OK && p.begin_rva == primary.begin_rva)
                KDX_VEC_PUSH(f->chunks, e);
        }
        return;
    }
    if (kdx_sym_from_code_addr(s, addr, &hit) == KDX_OK && hit.name) {
        f->start = hit.address;
        f->lo = hit.address;
        f->hi = hit.size ? hit.address + hit.size : hit.module->base + hit.module->size;
    } else {
        f->lo = addr;
        f->hi = addr + 0x10000;
    }
}

static int cmp_insn(const void *a, const void *b)
{
    const kdx_insn *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

typedef KDX_VEC(kdx_insn) insn_vec;
typedef KDX_VEC(uint64_t) addr_vec;

/* Follows branches from every seed; records each instruction once. False
 * when some path ran into code the dump does not hold. */
static bool flow(kdx_session *s, fn_layout *f, addr_vec *work, insn_vec *out, kdx_u64_set *labels)
{
    bool complete = true;
    kdx_u64_set seen = {0}; /* so large functions stay linear */
    while (work->len && out->len < MAX_FUNCTION_INSNS) {
        uint64_t a = work->items[--work->len];
        kdx_u64_set_add(labels, a);
        while (out->len < MAX_FUNCTION_INSNS) {
            if (kdx_u64_set_has(&seen, a))
                break;
            kdx_insn in;
            if (kdx_disasm_read(s, a, &in, NULL) != KDX_OK) {
                complete = false;
                break;
            }
            kdx_u64_set_add(&seen, a);
            KDX_VEC_PUSH(*out, in);
            a += in.len;
            if ((in.flow == KDX_FLOW_COND || in.flow == KDX_FLOW_JUMP) && in.has_target &&
                in_function(f, in.target))
                KDX_VEC_PUSH(*work, in.target);
            if (in.flow == KDX_FLOW_COND)
                kdx_u64_set_add(labels, a);
            if (in.flow == KDX_FLOW_JUMP || in.flow == KDX_FLOW_RET || in.flow == KDX_FLOW_TRAP ||
                !in_function(f, a))
                break;
        }
    }
    kdx_u64_set_free(&seen);
    return complete;
}

kdx_status kdx_disasm_uf(kdx_session *s, uint64_t addr, bool calls_only, kdx_err *err)
{
    fn_layout f;
    find_layout(s, addr, &f);
    addr_vec work = {0};
    kdx_u64_set labels = {0};
    insn_vec insns = {0};
    KDX_VEC_PUSH(work, f.start);
    for (size_t i = 0; i < f.chunks.len; i++)
        if (f.base + f.chunks.items[i].begin_rva != f.start)
            KDX_VEC_PUSH(work, f.base + f.chunks.items[i].begin_rva);
    bool complete = flow(s, &f, &work, &insns, &labels);
    kdx_status st = KDX_OK;
    if (!complete && insns.len)
        kdx_print(s, "Flow analysis was incomplete, some code may be missing\n");
    if (!insns.len) {
        char a[KDX_ADDR_BUF];
        st = kdx_err_set(err, KDX_E_MEM_MISSING, "No code found at %s, aborting",
                         kdx_session_fmt_ptr(s, a, f.start));
        goto done;
    }
    kdx_sort(insns.items, insns.len, sizeof *insns.items, cmp_insn);
    char a[KDX_ADDR_BUF], sym[320];
    if (calls_only) {
        kdx_sym_format_code(s, f.start, sym, sizeof sym);
        kdx_print(s, "%s (%s)\n", sym, kdx_session_fmt_ptr(s, a, f.start));
        for (size_t i = 0; i < insns.len; i++) {
            const kdx_insn *in = &insns.items[i];
            if (in->flow != KDX_FLOW_CALL)
                continue;
            kdx_sym_format_code(s, in->addr, sym, sizeof sym);
            kdx_print(s, "  %s (%s):\n", sym, kdx_session_fmt_ptr(s, a, in->addr));
            char line[600];
            kdx_disasm_format(s, s->target->arch, in, line, sizeof line);
            /* The operand part of the formatted line, symbols applied. */
            const char *ops = strstr(line, in->mnemonic);
            ops = ops ? kdx_skip_ws(ops + strlen(in->mnemonic)) : in->operands;
            kdx_print(s, "    call to %s\n", ops);
        }
        goto done;
    }
    for (size_t i = 0; i < insns.len; i++) {
        const kdx_insn *in = &insns.items[i];
        bool gap = i > 0 && insns.items[i - 1].addr + insns.items[i - 1].len != in->addr;
        if (i == 0 || gap || kdx_u64_set_has(&labels, in->addr)) {
            if (i > 0)
                kdx_print(s, "\n");
            print_label(s, in->addr);
        }
        print_insn(s, in);
    }
done:
    KDX_VEC_FREE(work);
    kdx_u64_set_free(&labels);
    KDX_VEC_FREE(insns);
    KDX_VEC_FREE(f.chunks);
    return st;
}
