/* WinDbg's layouts for stacks (k and friends) and registers (r). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/fmt.h"
#include "disasm/disasm.h"
#include "pdb/pdb_provider.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "target/session.h"
#include "unwind/unwind.h"

static const char unknown64[] = "????????`????????";

void kdx_stack_print_header(kdx_session *s, kdx_arch arch, unsigned opts)
{
    const char *num = (opts & KDX_K_NUMBERS) ? " # " : "";
    if (opts & KDX_K_CALLSITE) {
        kdx_print(s, "%sCall Site\n", num);
        return;
    }
    if (arch == KDX_ARCH_X86) {
        if (opts & (KDX_K_ARGS | KDX_K_VERBOSE))
            kdx_print(s, "%sChildEBP RetAddr  Args to Child              \n", num);
        else
            kdx_print(s, "%sChildEBP RetAddr  \n", num);
        return;
    }
    /* The layout of the reference article's WinDbg (kn, k and !thread stacks:
     * "Child-SP          RetAddr           Call Site", one space after the
     * return address), the same generation as its x86 "ChildEBP RetAddr  ".
     * Later WinDbg releases add four columns after RetAddr on both. */
    if (opts & KDX_K_MEMORY)
        num = " #   Memory  ";
    if (opts & (KDX_K_ARGS | KDX_K_VERBOSE))
        kdx_print(s, "%sChild-SP          RetAddr           : %-71s : Call Site\n", num, "Args to Child");
    else
        kdx_print(s, "%sChild-SP          RetAddr           Call Site\n", num);
}

static bool in_no_module(kdx_session *s, uint64_t ip)
{
    return !s->target || !kdx_target_module_at(s->target, ip);
}

void kdx_stack_call_site(kdx_session *s, uint64_t ip, char *buf, size_t cap)
{
    if (!in_no_module(s, ip))
        kdx_sym_format_code(s, ip, buf, cap);
    else if (ip >> 32)
        snprintf(buf, cap, "0x%" PRIx64 "`%08" PRIx64, ip >> 32, ip & 0xffffffffu);
    else
        snprintf(buf, cap, "0x%" PRIx64, ip);
}

/* "nt!KeBugCheckEx" for kc: the symbol without displacement. */
static void call_site_name(kdx_session *s, uint64_t ip, char *buf, size_t cap)
{
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, ip, &hit) == KDX_OK && hit.name)
        snprintf(buf, cap, "%s!%s", hit.module->name, hit.name);
    else
        kdx_stack_call_site(s, ip, buf, cap);
}

/* kp: "crash!main(int, char **)+0x12d" when the PDB describes the function's
 * parameters (their types; values are not recovered). */
static bool call_site_with_params(kdx_session *s, uint64_t ip, char *buf, size_t cap)
{
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, ip, &hit) != KDX_OK || !hit.name)
        return false;
    char *params = kdx_symprov_params_at(&hit.module->symbols,
                                         (uint32_t)(hit.address - hit.module->base));
    if (!params)
        return false;
    int n = snprintf(buf, cap, "%s!%s%s", hit.module->name, hit.name, params);
    if (hit.displacement && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "+0x%llx", (unsigned long long)hit.displacement);
    free(params);
    return true;
}

/* " [file @ line]" for the frame's pc (the call instruction for callers), when the symbols have lines. */
static void source_line(kdx_session *s, const kdx_frame *f, char *buf, size_t cap)
{
    buf[0] = 0;
    uint64_t ip = kdx_ctx_ip(&f->ctx) - (f->index > 0 && !f->trap_frame ? 1 : 0);
    kdx_module *m = s->target ? kdx_target_module_at(s->target, ip) : NULL;
    if (!m || kdx_sym_load_module(s, m, NULL) != KDX_OK || !m->symbols.ops || !m->symbols.ops->line_for_rva)
        return;
    const char *file;
    uint32_t line;
    if (m->symbols.ops->line_for_rva(m->symbols.impl, (uint32_t)(ip - m->base), &file, &line) == KDX_OK && file)
        snprintf(buf, cap, " [%s @ %u]", file, line);
}

static void print_frame(kdx_session *s, const kdx_frame *f, uint64_t memory, unsigned opts);

void kdx_stack_print_frame(kdx_session *s, const kdx_frame *f, unsigned opts)
{
    print_frame(s, f, 0, opts & ~(unsigned)KDX_K_MEMORY);
}

/* memory: bytes of stack between this frame and the previous (kf), 0 for frame 00. */
static void print_frame(kdx_session *s, const kdx_frame *f, uint64_t memory, unsigned opts)
{
    kdx_arch arch = f->ctx.arch;
    uint64_t ip = kdx_ctx_ip(&f->ctx);
    char site[320], num[32] = "";
    if (opts & KDX_K_MEMORY) {
        if (memory)
            snprintf(num, sizeof num, "%02x %9" PRIx64 " ", f->index, memory);
        else
            snprintf(num, sizeof num, "%02x %9s ", f->index, "");
    } else if (opts & KDX_K_NUMBERS) {
        snprintf(num, sizeof num, "%02x ", f->index);
    }
    if (opts & KDX_K_CALLSITE) {
        call_site_name(s, ip, site, sizeof site);
        kdx_print(s, "%s%s\n", num, site);
        return;
    }
    if (!(opts & KDX_K_PARAMS) || !call_site_with_params(s, ip, site, sizeof site))
        kdx_stack_call_site(s, ip, site, sizeof site);
    char src[300] = "";
    if (!(opts & KDX_K_NO_LINES))
        source_line(s, f, src, sizeof src);
    char trap[64] = "";
    if (f->trap_frame && f->trap_addr) {
        char a[KDX_ADDR_BUF];
        snprintf(trap, sizeof trap, " (TrapFrame @ %s)", kdx_fmt_ptr(a, f->trap_addr, kdx_arch_ptr_size(arch)));
    }
    /* kv: how the frame was found (Breakpad's "Found by:"), kdx's own column. */
    char trust[40] = "";
    if (opts & KDX_K_VERBOSE)
        snprintf(trust, sizeof trust, " (trust: %s)", kdx_frame_trust_name(f->trust));
    bool args = (opts & (KDX_K_ARGS | KDX_K_VERBOSE)) != 0;
    if (arch == KDX_ARCH_X86) {
        char ret[12];
        if (f->has_ret)
            snprintf(ret, sizeof ret, "%08" PRIx64, f->ret_addr & 0xffffffffu);
        else
            snprintf(ret, sizeof ret, "????????");
        kdx_print(s, "%s%08" PRIx64 " %s ", num, f->frame_ptr & 0xffffffffu, ret);
        if (args) {
            for (int i = 0; i < 3; i++) {
                if (f->args_valid)
                    kdx_print(s, "%08" PRIx64 " ", f->args[i] & 0xffffffffu);
                else
                    kdx_print(s, "???????? ");
            }
        }
        char fpo[64] = "";
        if ((opts & KDX_K_VERBOSE) && f->has_frame_data) {
            const kdx_frame_data *fd = &f->frame_data;
            if (fd->is_fpo && !fd->uses_base_pointer)
                snprintf(fpo, sizeof fpo, " (FPO: [%u,%u,%u])", fd->params_size / 4, fd->locals_size / 4,
                         fd->saved_regs_size / 4);
            else
                snprintf(fpo, sizeof fpo, " (FPO: [Non-Fpo])");
        }
        kdx_print(s, "%s%s%s%s%s\n", site, fpo, trap, trust, src);
        return;
    }
    char sp[KDX_ADDR_BUF], ret[KDX_ADDR_BUF];
    kdx_fmt_u64(sp, f->child_sp);
    if (f->has_ret)
        kdx_fmt_u64(ret, f->ret_addr);
    else
        snprintf(ret, sizeof ret, "%s", unknown64);
    if (args) {
        char a[4][KDX_ADDR_BUF];
        for (int i = 0; i < 4; i++) {
            if (f->args_valid)
                kdx_fmt_u64(a[i], f->args[i]);
            else
                snprintf(a[i], sizeof a[i], "%s", unknown64);
        }
        kdx_print(s, "%s%s %s : %s %s %s %s : %s%s%s%s\n", num, sp, ret, a[0], a[1], a[2], a[3], site, trap,
                  trust, src);
    } else {
        kdx_print(s, "%s%s %s %s%s%s\n", num, sp, ret, site, trap, src);
    }
}

static bool guessed(kdx_frame_trust t)
{
    return t == KDX_TRUST_FRAME_POINTER || t == KDX_TRUST_SCAN;
}

/* Why the exact walk stopped: after the last frame, or, when scanning went
 * on, right after the first frame where it stopped (later frames found by
 * scanning fail for the same lack of unwind data). */
static void print_stop(kdx_session *s, const kdx_frame *f, bool first_scan)
{
    if (f->exact_walk_stopped && first_scan)
        kdx_print(s, "NOTE: frame %02x cannot be unwound (%s); the frames after it were found by scanning the stack "
                     "(.stackscan off stops the walk there).\n",
                  f->index, f->note);
    else if (f->end == KDX_FRAME_END_NO_UNWIND)
        kdx_print(s, "WARNING: Stack unwind information not available for frame %02x (%s). The walk stops here "
                     "instead of guessing.\n",
                  f->index, f->note);
    else if (f->end == KDX_FRAME_END_ERROR)
        kdx_print(s, "WARNING: Unable to unwind frame %02x: %s.\n", f->index, f->note);
}

void kdx_stack_print(kdx_session *s, const kdx_stack *st, unsigned opts)
{
    if (!st->len)
        return;
    kdx_stack_print_header(s, st->frames[0].ctx.arch, opts);
    bool warned = false, scanned = false;
    for (size_t i = 0; i < st->len; i++) {
        const kdx_frame *f = &st->frames[i];
        if (i == 0 && in_no_module(s, kdx_ctx_ip(&f->ctx))) {
            kdx_print(s, KDX_STACK_STRAY_IP_WARNING);
            warned = true;
        }
        if (guessed(f->trust) && !warned) {
            /* WinDbg's line before the first frame found without unwind data. */
            kdx_print(s, "WARNING: Stack unwind information not available. Following frames may be wrong.\n");
            warned = true;
        }
        print_frame(s, f, i ? f->child_sp - st->frames[i - 1].child_sp : 0, opts);
        if (f->exact_walk_stopped || i + 1 == st->len)
            print_stop(s, f, !scanned);
        scanned = scanned || f->exact_walk_stopped;
    }
}

static json_t *frame_json(kdx_session *s, const kdx_frame *f)
{
    int ps = kdx_arch_ptr_size(f->ctx.arch);
    char b[KDX_ADDR_BUF], site[320];
    json_t *o = json_object();
    json_object_set_new(o, "frame", json_integer(f->index));
    json_object_set_new(o, "child_sp", json_string(kdx_fmt_ptr(b, f->child_sp, ps)));
    json_object_set_new(o, "ret_addr", f->has_ret ? json_string(kdx_fmt_ptr(b, f->ret_addr, ps)) : json_null());
    json_object_set_new(o, "ip", json_string(kdx_fmt_ptr(b, kdx_ctx_ip(&f->ctx), ps)));
    kdx_stack_call_site(s, kdx_ctx_ip(&f->ctx), site, sizeof site);
    json_object_set_new(o, "call_site", json_string(site));
    json_object_set_new(o, "trust", json_string(kdx_frame_trust_name(f->trust)));
    if (f->trust == KDX_TRUST_SCAN)
        json_object_set_new(o, "call_verified", json_boolean(f->call_verified));
    return o;
}

/* Where the exact walk stopped (the frame and the reason), or null. */
static json_t *stop_json(const kdx_stack *st)
{
    for (size_t i = 0; i < st->len; i++) {
        const kdx_frame *f = &st->frames[i];
        if (f->exact_walk_stopped || (i + 1 == st->len && (f->end == KDX_FRAME_END_NO_UNWIND ||
                                                             f->end == KDX_FRAME_END_ERROR))) {
            json_t *o = json_object();
            json_object_set_new(o, "frame", json_integer(f->index));
            json_object_set_new(o, "reason", json_string(f->note));
            json_object_set_new(o, "scanning_continued", json_boolean(f->exact_walk_stopped));
            return o;
        }
    }
    return json_null();
}

char *kdx_stack_json(kdx_session *s, const kdx_stack *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "command", json_string("k"));
    json_t *frames = json_array();
    for (size_t i = 0; i < st->len; i++)
        json_array_append_new(frames, frame_json(s, &st->frames[i]));
    json_object_set_new(o, "frames", frames);
    json_object_set_new(o, "exact_walk_stopped", stop_json(st));
    json_object_set_new(o, "stack_scan", json_boolean(kdx_session_stack_scan(s)));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

void kdx_flags_format(uint64_t efl, char *buf, size_t cap)
{
    snprintf(buf, cap, "iopl=%u         %s %s %s %s %s %s %s %s", (unsigned)((efl >> 12) & 3),
             efl & 0x800 ? "ov" : "nv", efl & 0x400 ? "dn" : "up", efl & 0x200 ? "ei" : "di",
             efl & 0x80 ? "ng" : "pl", efl & 0x40 ? "zr" : "nz", efl & 0x10 ? "ac" : "na",
             efl & 0x4 ? "pe" : "po", efl & 0x1 ? "cy" : "nc");
}

/* WinDbg's effective-address note after the current instruction:
 * " ds:00000267`e03d0fd8=????????" (x64 user), " ds:002b:0073008d=00000000"
 * (x86 and kernel targets show the selector). */
static void effective_address_note(kdx_session *s, const kdx_context *c, const kdx_insn *in, char *buf, size_t cap)
{
    buf[0] = 0;
    uint64_t ea;
    int seg;
    if (!kdx_disasm_effective_address(in, c, &ea, &seg) || !in->mem_size || in->mem_size > 8)
        return;
    bool is64 = c->arch == KDX_ARCH_X64;
    char addr[KDX_ADDR_BUF], sel[16] = "";
    if (is64)
        kdx_fmt_u64(addr, ea);
    else
        snprintf(addr, sizeof addr, "%08" PRIx64, ea);
    if (!is64 || s->target->kind == KDX_TARGET_KERNEL_DUMP)
        snprintf(sel, sizeof sel, "%04x:", (unsigned)(c->r[seg] & 0xffff));
    char val[24];
    uint8_t b[8] = {0};
    if (kdx_read_virt(s->target, ea, b, in->mem_size, NULL, NULL) == KDX_OK) {
        uint64_t v = 0;
        for (unsigned i = 0; i < in->mem_size; i++)
            v |= (uint64_t)b[i] << (8 * i);
        snprintf(val, sizeof val, "%0*" PRIx64, (int)(2 * in->mem_size), v);
    } else {
        memset(val, '?', 2 * in->mem_size);
        val[2 * in->mem_size] = 0;
    }
    snprintf(buf, cap, " %s:%s%s=%s", kdx_reg_name(c->arch, seg), sel, addr, val);
}

static void print_current_insn(kdx_session *s, const kdx_context *c)
{
    uint64_t ip = kdx_ctx_ip(c);
    kdx_symhit hit;
    if (kdx_sym_from_code_addr(s, ip, &hit) == KDX_OK) {
        char sym[320];
        kdx_sym_format_code(s, ip, sym, sizeof sym);
        kdx_print(s, "%s:\n", sym);
    }
    kdx_insn in;
    char a[KDX_ADDR_BUF];
    if (kdx_disasm_read(s, ip, &in, NULL) != KDX_OK) {
        kdx_print(s, "%s %-15s %s\n", kdx_fmt_ptr(a, ip, kdx_arch_ptr_size(c->arch)), "??", "???");
        return;
    }
    char line[600], note[80];
    kdx_disasm_format(s, c->arch, &in, line, sizeof line);
    effective_address_note(s, c, &in, note, sizeof note);
    kdx_print(s, "%s%s\n", line, note);
}

static void regs_x64(kdx_session *s, const kdx_context *c)
{
    const uint64_t *r = c->r;
    kdx_print(s, "rax=%016" PRIx64 " rbx=%016" PRIx64 " rcx=%016" PRIx64 "\n", r[KDX_X64_RAX], r[KDX_X64_RBX],
              r[KDX_X64_RCX]);
    kdx_print(s, "rdx=%016" PRIx64 " rsi=%016" PRIx64 " rdi=%016" PRIx64 "\n", r[KDX_X64_RDX], r[KDX_X64_RSI],
              r[KDX_X64_RDI]);
    kdx_print(s, "rip=%016" PRIx64 " rsp=%016" PRIx64 " rbp=%016" PRIx64 "\n", r[KDX_X64_RIP], r[KDX_X64_RSP],
              r[KDX_X64_RBP]);
    kdx_print(s, " r8=%016" PRIx64 "  r9=%016" PRIx64 " r10=%016" PRIx64 "\n", r[KDX_X64_R8], r[KDX_X64_R9],
              r[KDX_X64_R10]);
    kdx_print(s, "r11=%016" PRIx64 " r12=%016" PRIx64 " r13=%016" PRIx64 "\n", r[KDX_X64_R11], r[KDX_X64_R12],
              r[KDX_X64_R13]);
    kdx_print(s, "r14=%016" PRIx64 " r15=%016" PRIx64 "\n", r[KDX_X64_R14], r[KDX_X64_R15]);
    char fl[64];
    kdx_flags_format(r[KDX_X64_EFL], fl, sizeof fl);
    kdx_print(s, "%s\n", fl);
    kdx_print(s, "cs=%04x  ss=%04x  ds=%04x  es=%04x  fs=%04x  gs=%04x             efl=%08x\n",
              (unsigned)r[KDX_X64_CS] & 0xffff, (unsigned)r[KDX_X64_SS] & 0xffff, (unsigned)r[KDX_X64_DS] & 0xffff,
              (unsigned)r[KDX_X64_ES] & 0xffff, (unsigned)r[KDX_X64_FS] & 0xffff, (unsigned)r[KDX_X64_GS] & 0xffff,
              (unsigned)r[KDX_X64_EFL]);
}

static void regs_x86(kdx_session *s, const kdx_context *c)
{
    const uint64_t *r = c->r;
    kdx_print(s, "eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x\n", (unsigned)r[KDX_X86_EAX],
              (unsigned)r[KDX_X86_EBX], (unsigned)r[KDX_X86_ECX], (unsigned)r[KDX_X86_EDX],
              (unsigned)r[KDX_X86_ESI], (unsigned)r[KDX_X86_EDI]);
    char fl[64];
    kdx_flags_format(r[KDX_X86_EFL], fl, sizeof fl);
    kdx_print(s, "eip=%08x esp=%08x ebp=%08x %s\n", (unsigned)r[KDX_X86_EIP], (unsigned)r[KDX_X86_ESP],
              (unsigned)r[KDX_X86_EBP], fl);
    kdx_print(s, "cs=%04x  ss=%04x  ds=%04x  es=%04x  fs=%04x  gs=%04x             efl=%08x\n",
              (unsigned)r[KDX_X86_CS] & 0xffff, (unsigned)r[KDX_X86_SS] & 0xffff, (unsigned)r[KDX_X86_DS] & 0xffff,
              (unsigned)r[KDX_X86_ES] & 0xffff, (unsigned)r[KDX_X86_FS] & 0xffff, (unsigned)r[KDX_X86_GS] & 0xffff,
              (unsigned)r[KDX_X86_EFL]);
}

static void regs_arm64(kdx_session *s, const kdx_context *c)
{
    /* Four per line; x28 shares the last line with fp, lr and sp. */
    for (int i = 0; i < 28; i++) {
        char name[16]; /* room for any int: gcc -O1 warns otherwise (make asan) */
        snprintf(name, sizeof name, "x%d", i);
        kdx_print(s, "%3s=%016" PRIx64 "%s", name, c->r[i], i % 4 == 3 ? "\n" : "   ");
    }
    kdx_print(s, "x28=%016" PRIx64 "    fp=%016" PRIx64 "    lr=%016" PRIx64 "    sp=%016" PRIx64 "\n", c->r[28],
              c->r[KDX_ARM64_FP], c->r[KDX_ARM64_LR], c->r[KDX_ARM64_SP]);
    uint32_t psr = (uint32_t)c->r[KDX_ARM64_CPSR];
    kdx_print(s, " pc=%016" PRIx64 "  psr=%08x %c%c%c%c EL%u\n", c->r[KDX_ARM64_PC], psr, psr & 0x80000000u ? 'N' : '-',
              psr & 0x40000000u ? 'Z' : '-', psr & 0x20000000u ? 'C' : '-', psr & 0x10000000u ? 'V' : '-',
              (psr >> 2) & 3);
}

void kdx_regs_print(kdx_session *s, const kdx_context *c)
{
    switch (c->arch) {
    case KDX_ARCH_X64: regs_x64(s, c); break;
    case KDX_ARCH_X86: regs_x86(s, c); break;
    case KDX_ARCH_ARM64: regs_arm64(s, c); break;
    default: kdx_print(s, "no registers for this architecture\n"); return;
    }
    if (s->target)
        print_current_insn(s, c);
}
