/* .fnent: a function-table entry, its UNWIND_INFO and chained entries, in
 * WinDbg's layout. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "pdb/pdb_provider.h"
#include "sym/symbols.h"
#include "target/session.h"
#include "unwind/unwind.h"

static const char *const x64_reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                              "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static void print_code(kdx_session *s, unsigned i, const kdx_x64_unwind_code *c, uint8_t version)
{
    const char *name = kdx_x64_uwop_name(c->op, version);
    kdx_print(s, "  %02x: offs %x, unwind op %u, op info %x\t", i, c->code_offset, c->op, c->info);
    switch (c->op) {
    case KDX_UWOP_PUSH_NONVOL: kdx_print(s, "%s reg: %s.\n", name, x64_reg_names[c->info]); break;
    case KDX_UWOP_ALLOC_LARGE: kdx_print(s, "%s FrameOffset: %x.\n", name, c->operand); break;
    case KDX_UWOP_SAVE_NONVOL:
    case KDX_UWOP_SAVE_NONVOL_FAR:
        kdx_print(s, "%s FrameOffset: %x reg: %s.\n", name, c->operand, x64_reg_names[c->info]);
        break;
    case KDX_UWOP_SAVE_XMM128:
    case KDX_UWOP_SAVE_XMM128_FAR:
        kdx_print(s, "%s FrameOffset: %x reg: xmm%u.\n", name, c->operand, c->info);
        break;
    case KDX_UWOP_EPILOG:
        if (version >= 2) {
            kdx_print(s, "%s.\n", name);
            break;
        }
        kdx_print(s, "%s FrameOffset: %x reg: xmm%u.\n", name, c->operand, c->info);
        break;
    default: kdx_print(s, "%s.\n", name); break;
    }
}

static int print_entry(kdx_session *s, const kdx_unwind_image *img, const kdx_runtime_function *fn)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF], c[KDX_ADDR_BUF];
    kdx_print(s, "BeginAddress      = %s\n", kdx_fmt_u64(a, fn->begin_rva));
    kdx_print(s, "EndAddress        = %s\n", kdx_fmt_u64(b, fn->end_rva));
    kdx_print(s, "UnwindInfoAddress = %s\n\n", kdx_fmt_u64(c, fn->unwind_rva));
    kdx_x64_unwind_info ui;
    kdx_err err = {0};
    if (kdx_x64_unwind_info_read(img, fn->unwind_rva, &ui, &err) != KDX_OK) {
        kdx_print(s, "Unwind info at %s cannot be read: %s\n", kdx_session_fmt_ptr(s, a, img->base + fn->unwind_rva),
                  err.msg);
        return 1;
    }
    kdx_print(s, "Unwind info at %s, %x bytes\n", kdx_session_fmt_ptr(s, a, img->base + fn->unwind_rva), ui.size);
    kdx_print(s, "  version %u, flags %x, prolog %x, codes %x\n", ui.version, ui.flags, ui.prolog_size, ui.ncodes);
    if (ui.frame_reg)
        kdx_print(s, "  frame reg %u (%s), frame offs %xh\n", ui.frame_reg, x64_reg_names[ui.frame_reg],
                  ui.frame_offset * 16u);
    if (ui.has_handler) {
        uint64_t h = img->base + ui.handler_rva;
        char sym[320];
        kdx_symhit hit;
        if (kdx_sym_from_code_addr(s, h, &hit) == KDX_OK) {
            char name[280];
            kdx_sym_format_code(s, h, name, sizeof name);
            snprintf(sym, sizeof sym, "%s (%s)", name, kdx_session_fmt_ptr(s, a, h));
        } else {
            snprintf(sym, sizeof sym, "%s", kdx_session_fmt_ptr(s, a, h));
        }
        kdx_print(s, "  handler routine: %s, data %x\n", sym, ui.handler_data);
    }
    for (unsigned i = 0; i < ui.ncodes;) {
        kdx_x64_unwind_code uc;
        if (kdx_x64_unwind_code_at(&ui, i, &uc, &err) != KDX_OK) {
            kdx_print(s, "  %02x: %s\n", i, err.msg);
            return 1;
        }
        print_code(s, i, &uc, ui.version);
        i += uc.nslots;
    }
    return 0;
}

int kdx_fnent_print(kdx_session *s, uint64_t addr)
{
    kdx_unwind_image img;
    kdx_err err = {0};
    char a[KDX_ADDR_BUF];
    if (kdx_unwind_session_image(s, addr, &img, &err) != KDX_OK) {
        kdx_print(s, "No function entry for %s: %s\n", kdx_session_fmt_ptr(s, a, addr), err.msg);
        return 1;
    }
    if (s->target->arch != KDX_ARCH_X64 && s->target->arch != KDX_ARCH_ARM64) {
        kdx_print(s, ".fnent shows x64 and ARM64 function tables; this target is %s\n",
                  kdx_arch_name(s->target->arch));
        return 1;
    }
    kdx_runtime_function fn;
    if (img.lookup(img.ud, (uint32_t)(addr - img.base), &fn, &err) != KDX_OK) {
        kdx_print(s, "No function entry for %s (%s)\n", kdx_session_fmt_ptr(s, a, addr), err.msg);
        return 1;
    }
    if (img.pdata_rva)
        kdx_print(s, "Debugger function entry %s for:\n",
                  kdx_session_fmt_ptr(s, a, img.base + img.pdata_rva +
                                                (s->target->arch == KDX_ARCH_ARM64 ? 8ull : 12ull) * fn.index));
    else
        kdx_print(s, "Debugger function entry for:\n");
    /* The ln line: this symbol and the next one. */
    char sym[320], b[KDX_ADDR_BUF];
    kdx_symhit hit, next;
    kdx_sym_format_code(s, addr, sym, sizeof sym);
    memset(&next, 0, sizeof next);
    uint64_t start = kdx_sym_from_code_addr_ex(s, addr, &hit, &next) == KDX_OK ? hit.address : addr;
    kdx_print(s, "(%s)   %s", kdx_session_fmt_ptr(s, a, start), sym);
    if (hit.name && next.name && next.module)
        kdx_print(s, "   |  (%s)   %s!%s", kdx_session_fmt_ptr(s, b, next.address), next.module->name, next.name);
    kdx_print(s, "\n");
    if (hit.name && hit.displacement == 0) {
        char *params = hit.module->symbols.ops && kdx_pdb_is_provider(&hit.module->symbols)
                           ? kdx_pdb_params_at(&hit.module->symbols, (uint32_t)(hit.address - hit.module->base))
                           : NULL;
        kdx_print(s, "Exact matches:\n    %s!%s %s\n", hit.module->name, hit.name,
                  params ? params : "(<no parameter info>)");
        free(params);
    }
    kdx_print(s, "\n");
    if (s->target->arch == KDX_ARCH_ARM64) {
        kdx_arm64_fnent_print(s, &img, &fn);
        return 0;
    }
    uint32_t seen[32];
    unsigned nseen = 0;
    for (;;) {
        if (fn.unwind_rva & 1) {
            kdx_print(s, "UnwindInfoAddress %s is an indirect entry: it points at another RUNTIME_FUNCTION\n",
                      kdx_fmt_u64(a, fn.unwind_rva));
            return 1;
        }
        if (print_entry(s, &img, &fn))
            return 1;
        kdx_x64_unwind_info ui;
        if (kdx_x64_unwind_info_read(&img, fn.unwind_rva, &ui, NULL) != KDX_OK || !ui.has_chain)
            return 0;
        seen[nseen++] = fn.unwind_rva;
        for (unsigned i = 0; i < nseen; i++)
            if (seen[i] == ui.chain.unwind_rva) {
                kdx_print(s, "\nChained info loops back to UnwindInfoAddress = %s; stopping.\n",
                          kdx_fmt_u64(a, ui.chain.unwind_rva));
                return 1;
            }
        if (nseen == 32) {
            kdx_print(s, "\nChained info is deeper than 32 entries; stopping.\n");
            return 1;
        }
        kdx_print(s, "\nChained info:\n");
        fn = ui.chain;
    }
}
