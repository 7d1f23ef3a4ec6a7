/* The analysis behind `!analyze`: bug check, exception, the context that
 * matters, its stack, and the module to blame. Each conclusion records the
 * rule that produced it; what cannot be determined is listed with the reason.
 *
 * Faulting-module rules (also in docs/analyze.md):
 *   R1  the faulting instruction (exception address, or the bug check's
 *       instruction-pointer argument) lies in a module that is not on the
 *       skip list: that module.
 *   R2  otherwise the first stack frame of the relevant context whose
 *       function is not a bug-check, exception-dispatch or known wrapper
 *       routine and whose module is not the kernel or HAL.
 *   R3  otherwise the first frame outside the bug-check/dispatch routines
 *       (which may be the kernel itself).
 *   R4  nothing known: the module is left undetermined, with the reason. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/analyze_io.h"
#include "analysis/apc_exit.h"
#include "analysis/bugcheck.h"
#include "analysis/verifier_hint.h"
#include "base/bytes.h"
#include "base/fmt.h"
#include "nt/field.h"
#include "nt/processor.h"
#include "pe/pe.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "unwind/unwind.h"

typedef struct exc_info {
    bool present;
    uint32_t code, flags, nparams;
    uint64_t address, record_addr;
    uint64_t params[15];
} exc_info;

static void add_kv(kdx_analysis *a, const char *key, char *value)
{
    a->kv = kdx_xrealloc(a->kv, (a->nkv + 1) * sizeof *a->kv);
    a->kv[a->nkv].key = key;
    a->kv[a->nkv].value = value;
    a->nkv++;
}

static void add_unknown(kdx_analysis *a, char *why)
{
    a->unknown = kdx_xrealloc(a->unknown, (a->nunknown + 1) * sizeof *a->unknown);
    a->unknown[a->nunknown++] = why;
}

/* For the per-area analyses (analyze_io.c). */
void kdx_analysis_add(kdx_analysis *a, const char *key, char *value)
{
    add_kv(a, key, value);
}

void kdx_analysis_add_unknown(kdx_analysis *a, char *why)
{
    add_unknown(a, why);
}

const char *kdx_analysis_get(const kdx_analysis *a, const char *key)
{
    for (size_t i = 0; i < a->nkv; i++)
        if (!strcmp(a->kv[i].key, key))
            return a->kv[i].value;
    return NULL;
}

static char *hex(uint64_t v)
{
    return kdx_asprintf("%llx", (unsigned long long)v);
}

/* EXCEPTION_RECORD (32- or 64-bit layout) from target memory. */
static kdx_status read_exception_record(kdx_session *s, uint64_t addr, exc_info *e, kdx_err *err)
{
    uint8_t buf[0x98];
    int ps = kdx_session_ptr_size(s);
    size_t need = ps == 8 ? 0x98 : 0x50, done = 0;
    kdx_status st = kdx_read_virt(s->target, addr, buf, need, &done, err);
    if (st)
        return st;
    memset(e, 0, sizeof *e);
    e->present = true;
    e->record_addr = addr;
    e->code = kdx_le32(buf);
    e->flags = kdx_le32(buf + 4);
    if (ps == 8) {
        e->address = kdx_le64(buf + 0x10);
        e->nparams = kdx_le32(buf + 0x18);
        for (unsigned i = 0; i < 15 && i < e->nparams; i++)
            e->params[i] = kdx_le64(buf + 0x20 + 8 * i);
    } else {
        e->address = kdx_le32(buf + 0xc);
        e->nparams = kdx_le32(buf + 0x10);
        for (unsigned i = 0; i < 15 && i < e->nparams; i++)
            e->params[i] = kdx_le32(buf + 0x14 + 4 * i);
    }
    if (e->nparams > 15)
        e->nparams = 15;
    return KDX_OK;
}

static kdx_status read_context_record(kdx_session *s, uint64_t addr, kdx_context *ctx, kdx_err *err)
{
    uint8_t buf[0x4d0];
    size_t size = s->target->arch == KDX_ARCH_X64 ? 0x4d0 : s->target->arch == KDX_ARCH_X86 ? 0x2cc : 0x390;
    size_t done = 0;
    kdx_status st = kdx_read_virt(s->target, addr, buf, size, &done, err);
    if (st)
        return st;
    return kdx_context_parse(s->target->arch, buf, size, ctx, err);
}

/* "module!func+0x70" -> "module!func+70", the form of SYMBOL_NAME/FAULTING_IP. */
static char *windbg_symbol_name(const char *sym)
{
    char *r = kdx_strdup(sym);
    char *p = strstr(r, "+0x");
    if (p)
        memmove(p + 1, p + 3, strlen(p + 3) + 1);
    return r;
}

/* Routines that raise or dispatch the failure rather than cause it. */
static bool is_dispatch_frame(const char *call_site)
{
    static const char *const names[] = {
        "!KeBugCheck", "!KiBugCheck", "!KiExceptionDispatch", "!KiDispatchException",
        "!KiPageFault", "!KiGeneralProtectionFault", "!RtlDispatchException",
        "!RtlRaiseStatus", "!KiRaiseException", "!ExRaiseStatus", "!RtlRaiseException",
        "!KiUserExceptionDispatcher", "!RaiseException", "!RaiseFailFastException",
        "!KiDoubleFaultAbort", "!KiSystemServiceHandler", "!_C_specific_handler",
        "!__C_specific_handler", "!PspSystemThreadStartup", "!PspUnhandledExceptionInSystemThread",
        "!KiFastFailDispatch", "!KiRaiseSecurityCheckFailure", "!UnhandledExceptionFilter",
        "!WerpReportFault", "!RtlUserThreadStart", "!BaseThreadInitThunk"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(call_site, names[i]))
            return true;
    return false;
}

/* Modules that are blamed only when nothing else is on the stack. */
static bool is_system_module(const kdx_module *m)
{
    static const char *const names[] = {"nt", "hal", "ntdll", "kernelbase", "kernel32", "Wdf01000", "wow64"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!kdx_strcasecmp(m->name, names[i]))
            return true;
    return false;
}

/* IMAGE_VERSION: the dump's own record (minidump module list), else the
 * version resource of the image (from dump memory or the image path/store). */
static void image_version(kdx_session *s, kdx_analysis *a, kdx_module *m)
{
    uint32_t ms = m->file_version_ms, ls = m->file_version_ls;
    const char *name = m->image_name ? m->image_name : m->name;
    if (!ms && !ls) {
        struct kdx_pe *pe = NULL;
        kdx_pe_version v;
        kdx_err err = {0};
        if (kdx_sym_module_image(s, m, &pe, &err) != KDX_OK) {
            add_unknown(a, kdx_asprintf("IMAGE_VERSION: no image of %s: %s", name, err.msg));
            return;
        }
        if (kdx_pe_version_info(pe, &v, &err) != KDX_OK) {
            add_unknown(a, kdx_asprintf("IMAGE_VERSION: %s: %s", name, err.msg));
            return;
        }
        ms = v.file_version_ms;
        ls = v.file_version_ls;
    }
    add_kv(a, "IMAGE_VERSION", kdx_asprintf("%u.%u.%u.%u", ms >> 16, ms & 0xffff, ls >> 16, ls & 0xffff));
}

/* 0xC4/0x62 (a driver unloading with pool allocations outstanding): the
 * driver is the one Verifier names in Arg2 (a UNICODE_STRING), not the code
 * that raised the bug check; the bucket is 0xc4_62_LEAKED_POOL_IMAGE_<image>,
 * as public transcripts show it. True when the name was read. */
static bool leaked_pool_driver(kdx_session *s, kdx_analysis *a)
{
    if (!a->kernel || a->bugcheck_code != 0xc4 || a->bugcheck_args[0] != 0x62)
        return false;
    char image[128];
    kdx_err err = {0};
    if (kdx_nt_unicode_string(s, a->bugcheck_args[1], image, sizeof image, &err) != KDX_OK || !image[0]) {
        add_unknown(a, kdx_asprintf("MODULE_NAME: the leaking driver's name (Arg2 %" PRIx64 ") cannot be read: %s",
                                    a->bugcheck_args[1], err.msg[0] ? err.msg : "empty string"));
        return false;
    }
    char *name = kdx_module_name_from_image(image, false);
    kdx_module *m = kdx_target_module_named(s->target, name);
    a->faulting_module = name;
    a->rule = kdx_strdup("V1: the driver Driver Verifier names as unloading with pool allocations outstanding "
                         "(0xC4/0x62 Arg2)");
    add_kv(a, "MODULE_NAME", kdx_strdup(name));
    add_kv(a, "IMAGE_NAME", kdx_strdup(image));
    if (m && m->timestamp)
        add_kv(a, "IMAGE_TIMESTAMP", kdx_asprintf("%x", m->timestamp));
    if (m)
        image_version(s, a, m);
    else
        add_unknown(a, kdx_asprintf("IMAGE_VERSION: %s is not in the dump's module list", image));
    add_kv(a, "FAILURE_BUCKET_ID", kdx_asprintf("0xc4_62_LEAKED_POOL_IMAGE_%s", image));
    return true;
}

static void set_module(kdx_session *s, kdx_analysis *a, uint64_t ip, const char *rule)
{
    kdx_module *m = kdx_target_module_at(s->target, ip);
    if (!m)
        return;
    a->faulting_module = kdx_strdup(m->name);
    a->rule = kdx_strdup(rule);
    char sym[256];
    kdx_sym_format_code(s, ip, sym, sizeof sym);
    kdx_symhit hit;
    bool named = kdx_sym_from_code_addr(s, ip, &hit) == KDX_OK && hit.name;
    add_kv(a, "SYMBOL_NAME", named ? windbg_symbol_name(sym) : kdx_asprintf("%s+%llx", m->name, (unsigned long long)(ip - m->base)));
    add_kv(a, "MODULE_NAME", kdx_strdup(m->name));
    add_kv(a, "IMAGE_NAME", kdx_strdup(m->image_name ? m->image_name : m->name));
    if (m->timestamp)
        add_kv(a, "IMAGE_TIMESTAMP", kdx_asprintf("%x", m->timestamp));
    image_version(s, a, m);
    if (named)
        add_kv(a, "BUCKET_ID_FUNC_OFFSET", kdx_asprintf("%llx", (unsigned long long)hit.displacement));
    else
        add_unknown(a, kdx_asprintf("function name: no symbols for %s (%s)", m->name,
                                    m->symbol_note ? m->symbol_note : "symbols not loaded"));
}

/* Failure class for the bucket, from the exception or bug-check code. */
static char *bucket_prefix(const kdx_analysis *a, const exc_info *e)
{
    if (e->present && e->code == 0xc0000005) {
        if (a->kernel || e->nparams < 2)
            return kdx_strdup("AV_");
        bool null = e->params[1] < 0x10000;
        /* User mode, as public !analyze transcripts show the classes. */
        if (e->params[0] == 8)
            return kdx_strdup(null ? "SOFTWARE_NX_FAULT_NULL_INVALID_POINTER_EXECUTE_c0000005_"
                                   : "SOFTWARE_NX_FAULT_c0000005_");
        if (e->params[0] == 1)
            return kdx_strdup(null ? "NULL_POINTER_WRITE_c0000005_" : "INVALID_POINTER_WRITE_c0000005_");
        return kdx_strdup(null ? "NULL_POINTER_READ_c0000005_" : "INVALID_POINTER_READ_c0000005_");
    }
    if (!a->kernel)
        return kdx_asprintf("%s_%x_", e->code == 0x80000003 ? "BREAKPOINT" : "APPLICATION_FAULT", e->code);
    if (e->present)
        return kdx_asprintf("0x%X_%x_", a->bugcheck_code & ~0x10000000u, e->code);
    /* 0x9F buckets carry the sub-code, as public !analyze transcripts show
     * them (0x9F_3_POWER_DOWN_tcpip!..., 0x9F_3_RtsPer_IMAGE_pci.sys). */
    if ((a->bugcheck_code & ~0x10000000u) == 0x9f)
        return kdx_asprintf("0x9F_%" PRIx64 "_", a->bugcheck_args[0]);
    return kdx_asprintf("0x%X_", a->bugcheck_code);
}

/* 128-bit FNV-1a of the bucket, shown like a GUID. This is kdx's own hash:
 * equal buckets get equal ids, but the values differ from WinDbg's. */
static char *failure_hash(const char *bucket)
{
    unsigned __int128 h = ((unsigned __int128)0x6c62272e07bb0142ull << 64) | 0x62b821756295c58dull;
    const unsigned __int128 prime = ((unsigned __int128)0x1000000ull << 64) | 0x13bull;
    for (const char *p = bucket; *p; p++) {
        h ^= (unsigned char)*p;
        h *= prime;
    }
    uint64_t hi = (uint64_t)(h >> 64), lo = (uint64_t)h;
    return kdx_asprintf("{%08x-%04x-%04x-%04x-%012llx}", (unsigned)(hi >> 32), (unsigned)(hi >> 16) & 0xffff,
                        (unsigned)hi & 0xffff, (unsigned)(lo >> 48), (unsigned long long)(lo & 0xffffffffffffull));
}

static void exception_fields(kdx_session *s, kdx_analysis *a, const exc_info *e)
{
    if (!e->present)
        return;
    add_kv(a, "EXCEPTION_CODE_STR", kdx_asprintf("%x", e->code));
    char sym[256];
    kdx_sym_format_code(s, e->address, sym, sizeof sym);
    add_kv(a, "FAULTING_IP", windbg_symbol_name(sym));
    if (e->code == 0xc0000005 && e->nparams >= 2) {
        const char *key = e->params[0] == 1 ? "WRITE_ADDRESS" : e->params[0] == 8 ? "EXECUTE_ADDRESS" : "READ_ADDRESS";
        char buf[KDX_ADDR_BUF];
        add_kv(a, key, kdx_strdup(kdx_fmt_ptr(buf, e->params[1], kdx_session_ptr_size(s))));
    }
}

/* Name of the process the crashing thread belongs to. */
static void process_name(kdx_session *s, kdx_analysis *a)
{
    if (!a->kernel) {
        kdx_module *m = s->target->main_module;
        if (m)
            add_kv(a, "PROCESS_NAME", kdx_strdup(m->image_name ? m->image_name : m->name));
        else
            add_unknown(a, kdx_strdup("PROCESS_NAME: the dump has no main module"));
        return;
    }
    kdx_thread_info ti = {0};
    kdx_err err = {0};
    uint64_t off;
    if (!s->target->ops->get_thread_info ||
        s->target->ops->get_thread_info(s->target->impl, s->target->default_context, &ti, &err) || !ti.process) {
        add_unknown(a, kdx_strdup("PROCESS_NAME: the dump does not say which process was current"));
        return;
    }
    if (kdx_field_offset(s, "nt!_EPROCESS", "ImageFileName", &off, &err)) {
        add_unknown(a, kdx_asprintf("PROCESS_NAME: %s", err.msg));
        return;
    }
    char name[16] = {0};
    size_t done = 0;
    if (kdx_read_virt(s->target, ti.process + off, name, 15, &done, &err)) {
        add_unknown(a, kdx_asprintf("PROCESS_NAME: %s", err.msg));
        return;
    }
    add_kv(a, "PROCESS_NAME", kdx_strdup(name));
}

/* Bug checks whose arguments point at an EXCEPTION_RECORD and a CONTEXT:
 * read both. For 0x7E-style codes the record is always there (on failure the
 * bug check's own code and address stand in); for the others a zero pointer
 * means no exception caused the bug check. */
static void exception_records(kdx_session *s, kdx_analysis *a, const kdx_bugcheck_expl *x, exc_info *e,
                              kdx_context *ctx, bool *have_ctx, uint64_t *fault_ip)
{
    const uint64_t *arg = a->bugcheck_args;
    int xi, ci;
    kdx_bugcheck_record_args(x->kind, &xi, &ci);
    bool always = x->kind == KDX_BC_EXCEPTION_RECORD_CONTEXT;
    kdx_err err = {0};
    char buf[KDX_ADDR_BUF];
    int ps = kdx_session_ptr_size(s);
    if (!always && !arg[xi])
        return;
    if (read_exception_record(s, arg[xi], e, &err) == KDX_OK) {
        add_kv(a, "EXCEPTION_RECORD", kdx_asprintf("%s -- (.exr 0x%llx)", kdx_fmt_ptr(buf, arg[xi], ps), (unsigned long long)arg[xi]));
    } else if (always) {
        add_unknown(a, kdx_asprintf("EXCEPTION_RECORD at %s: %s; using the bug check's code and address",
                                    kdx_fmt_ptr(buf, arg[xi], ps), err.msg));
        e->present = true;
        e->code = (uint32_t)arg[0];
        e->address = arg[1];
    } else {
        add_unknown(a, kdx_asprintf("EXCEPTION_RECORD at %s: %s", kdx_fmt_ptr(buf, arg[xi], ps), err.msg));
    }
    if (arg[ci] && read_context_record(s, arg[ci], ctx, &err) == KDX_OK) {
        *have_ctx = true;
        add_kv(a, "CONTEXT", kdx_asprintf("%s -- (.cxr 0x%llx)", kdx_fmt_ptr(buf, arg[ci], ps), (unsigned long long)arg[ci]));
        add_kv(a, "STACK_COMMAND", kdx_asprintf(".cxr 0x%llx ; kb", (unsigned long long)arg[ci]));
    } else {
        add_unknown(a, kdx_asprintf("CONTEXT at %s: %s", kdx_fmt_ptr(buf, arg[ci], ps),
                                    arg[ci] ? err.msg : "the bug check gives no context record"));
    }
    if (e->present)
        *fault_ip = e->address;
}

/* The exception and context the bug check points at, per its kind. */
static void kernel_exception(kdx_session *s, kdx_analysis *a, const kdx_bugcheck_expl *x, exc_info *e,
                             kdx_context *ctx, bool *have_ctx, uint64_t *fault_ip)
{
    const uint64_t *arg = a->bugcheck_args;
    kdx_err err = {0};
    char buf[KDX_ADDR_BUF];
    int ps = kdx_session_ptr_size(s);
    switch (x->kind) {
    case KDX_BC_EXCEPTION_RECORD_CONTEXT:
    case KDX_BC_RECORDS_IN_ARG2_3:
    case KDX_BC_RECORDS_IN_ARG1_2:
    case KDX_BC_RECORDS_IN_ARG3_4:
        exception_records(s, a, x, e, ctx, have_ctx, fault_ip);
        break;
    case KDX_BC_EXCEPTION_TRAPFRAME:
        e->present = true;
        e->code = (uint32_t)arg[0];
        e->address = arg[1];
        *fault_ip = arg[1];
        if ((a->bugcheck_code & ~0x10000000u) == 0x3b && arg[2] && read_context_record(s, arg[2], ctx, &err) == KDX_OK) {
            *have_ctx = true;
            add_kv(a, "CONTEXT", kdx_asprintf("%s -- (.cxr 0x%llx)", kdx_fmt_ptr(buf, arg[2], ps), (unsigned long long)arg[2]));
            add_kv(a, "STACK_COMMAND", kdx_asprintf(".cxr 0x%llx ; kb", (unsigned long long)arg[2]));
        }
        break;
    case KDX_BC_PAGE_FAULT:
        add_kv(a, (arg[1] & 1) ? "WRITE_ADDRESS" : "READ_ADDRESS", kdx_strdup(kdx_fmt_ptr(buf, arg[0], ps)));
        *fault_ip = arg[2];
        break;
    case KDX_BC_IRQL:
        add_kv(a, (arg[2] & 1) ? "WRITE_ADDRESS" : "READ_ADDRESS", kdx_strdup(kdx_fmt_ptr(buf, arg[0], ps)));
        *fault_ip = arg[3];
        break;
    case KDX_BC_OTHER:
        break;
    }
}

/* Where the exact walk stopped and scanning took over, and why the walk ended
 * early, as one note (NULL when it reached the end of the stack). */
static char *stack_note(const kdx_stack *st)
{
    char *note = NULL;
    for (size_t i = 0; i < st->len; i++) {
        const kdx_frame *f = &st->frames[i];
        char *part = NULL;
        if (f->exact_walk_stopped && !note)
            part = kdx_asprintf("frame %02zx: %s; the frames after it were found by stack scanning", i, f->note);
        else if (f->end != KDX_FRAME_CONTINUES && f->end != KDX_FRAME_END_ZERO && f->note[0])
            part = kdx_asprintf("frame %02zx: %s", i, f->note);
        if (!part)
            continue;
        char *joined = note ? kdx_asprintf("%s; %s", note, part) : part;
        if (note) {
            free(note);
            free(part);
        }
        note = joined;
    }
    return note;
}

/* The stack of the context that matters; the note says where and why the
 * walk stopped when it did not reach the end of the stack. */
static void walk_stack(kdx_session *s, kdx_analysis *a, const kdx_context *ctx)
{
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    kdx_stack st = {0};
    kdx_err err = {0};
    if (kdx_stack_walk(&env, ctx, 64, &st, &err) != KDX_OK) {
        a->stack_note = kdx_strdup(err.msg);
        return;
    }
    a->stack = kdx_xcalloc(st.len ? st.len : 1, sizeof *a->stack);
    for (size_t i = 0; i < st.len; i++) {
        const kdx_frame *f = &st.frames[i];
        kdx_analysis_frame *o = &a->stack[a->nstack++];
        o->child_sp = f->child_sp;
        o->frame_ptr = f->frame_ptr;
        o->ret_addr = f->has_ret ? f->ret_addr : 0;
        o->ip = kdx_ctx_ip(&f->ctx);
        o->args_valid = f->args_valid;
        memcpy(o->args, f->args, sizeof o->args);
        o->trust = kdx_frame_trust_name(f->trust);
        o->scanned = f->trust == KDX_TRUST_SCAN;
        kdx_stack_call_site(s, o->ip, o->call_site, sizeof o->call_site);
    }
    a->stack_note = stack_note(&st);
    kdx_stack_free(&st);
}

/* R2/R3 over the frames: exact frames first; frames found by stack scanning
 * only when no exact frame qualifies, and then the rule says so. */
static bool module_from_frames(kdx_session *s, kdx_analysis *a, bool scanned)
{
    static const char *const rules[2][2] = {
        {"R2: first stack frame outside the kernel, HAL and known wrappers",
         "R3: first stack frame outside the bug-check and exception-dispatch routines"},
        {"R2: first stack frame outside the kernel, HAL and known wrappers (a frame found by stack scanning: "
         "it may be wrong)",
         "R3: first stack frame outside the bug-check and exception-dispatch routines (a frame found by stack "
         "scanning: it may be wrong)"}};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < a->nstack; i++) {
            const kdx_analysis_frame *f = &a->stack[i];
            kdx_module *fm = kdx_target_module_at(s->target, f->ip);
            if (!fm || f->scanned != scanned || is_dispatch_frame(f->call_site) ||
                (pass == 0 && is_system_module(fm)))
                continue;
            set_module(s, a, f->ip, rules[scanned][pass]);
            a->rule_uses_scanned_frame = scanned;
            return true;
        }
    return false;
}

/* N1: the faulting pc is in no module (code run from the stack or heap, or
 * a call through a bad pointer): the code to follow up is its caller, the
 * first frame in a module, as WinDbg's FOLLOWUP_IP is. That frame comes from
 * the return address at [sp] (or the frame-pointer chain), so the rule says
 * it is inferred. */
static bool caller_of_stray_pc(kdx_session *s, kdx_analysis *a, uint64_t fault_ip)
{
    if (a->nstack < 2 || a->stack[0].ip != fault_ip)
        return false;
    for (size_t i = 1; i < a->nstack; i++) {
        const kdx_analysis_frame *f = &a->stack[i];
        if (!kdx_target_module_at(s->target, f->ip))
            continue;
        char *rule = kdx_asprintf("N1: the faulting instruction is in no module; the first frame in a module, its "
                                  "caller (found by %s: inferred)",
                                  f->scanned ? "the return address at [sp]" : "the frame-pointer chain");
        set_module(s, a, f->ip, rule);
        free(rule);
        a->rule_uses_scanned_frame = f->scanned;
        return true;
    }
    return false;
}

static void choose_module(kdx_session *s, kdx_analysis *a, uint64_t fault_ip)
{
    kdx_module *m = fault_ip ? kdx_target_module_at(s->target, fault_ip) : NULL;
    if (m && !is_system_module(m)) {
        set_module(s, a, fault_ip, "R1: the faulting instruction lies in this module");
        return;
    }
    if (!m && caller_of_stray_pc(s, a, fault_ip)) /* fault_ip 0 too: a call through NULL */
        return;
    if (module_from_frames(s, a, false))
        return;
    if (m) {
        set_module(s, a, fault_ip, "R3: the faulting instruction lies in this system module and no other frame was found");
        return;
    }
    if (module_from_frames(s, a, true))
        return;
    a->rule = kdx_strdup("R4: undetermined");
    add_unknown(a, kdx_strdup(fault_ip ? "faulting module: the faulting address is in no loaded module and the stack gave no frame"
                                    : "faulting module: no faulting address and no stack frames"));
}

/* The class prefix plus module!function (malloc'd). Kernel buckets name the
 * module and write "unknown_function" without symbols (AV_amdppm!...); user
 * ones name the image and write "Unknown" (crashme.exe!Unknown), as public
 * transcripts of each show. */
static char *new_bucket(const kdx_analysis *a, const exc_info *e)
{
    char *prefix = bucket_prefix(a, e);
    const char *sym = kdx_analysis_get(a, "SYMBOL_NAME");
    const char *image = kdx_analysis_get(a, "IMAGE_NAME");
    const char *owner = !a->kernel && image ? image : a->faulting_module;
    const char *bang = sym ? strchr(sym, '!') : NULL;
    char *func;
    if (bang) {
        func = kdx_asprintf("%s!%s", owner ? owner : "", bang + 1);
        char *plus = strrchr(func, '+');
        if (plus)
            *plus = 0;
    } else if (owner) {
        func = kdx_asprintf("%s!%s", owner, a->kernel ? "unknown_function" : "Unknown");
    } else {
        func = kdx_strdup("UNKNOWN");
    }
    char *b = kdx_asprintf("%s%s", prefix, func);
    free(prefix);
    free(func);
    return b;
}

static void bucket(kdx_session *s, kdx_analysis *a, const exc_info *e)
{
    /* A rule may have set the bucket already (0xC4/0x62's LEAKED_POOL_IMAGE). */
    const char *b = kdx_analysis_get(a, "FAILURE_BUCKET_ID");
    if (!b) {
        char *made = new_bucket(a, e);
        add_kv(a, "FAILURE_BUCKET_ID", made);
        b = made;
    }
    const kdx_system_info *si = &s->target->sys;
    if (si->os_major)
        add_kv(a, "OS_VERSION", kdx_asprintf("%u.%u.%u", si->os_major, si->os_minor, si->build));
    else
        add_unknown(a, kdx_strdup("OS_VERSION: the dump does not record the OS version"));
    if (si->build_lab)
        add_kv(a, "BUILDLAB_STR", kdx_strdup(si->build_lab));
    else
        add_unknown(a, kdx_strdup("BUILDLAB_STR: the build lab string is not in the dump's header"));
    add_kv(a, "OSPLATFORM_TYPE", kdx_strdup(kdx_arch_name(s->target->arch)));
    add_kv(a, "FAILURE_ID_HASH", failure_hash(b));
    (void)s;
}

/* KERNEL_APC_PENDING_DURING_EXIT: the crashing thread's APC-disable counts (analysis/apc_exit.h). */
static void apc_exit(kdx_session *s, kdx_analysis *a)
{
    uint64_t thread;
    char *disable, *pending;
    kdx_err err = {0};
    if (kdx_nt_current_thread(s, &thread, &err) != KDX_OK) {
        add_unknown(a, kdx_asprintf("APC_DISABLE_COUNT: the crashing thread: %s", err.msg));
        return;
    }
    kdx_apc_exit_fields(s, thread, a->bugcheck_args[1], &disable, &pending);
    add_kv(a, "APC_DISABLE_COUNT", disable);
    if (pending)
        add_kv(a, "KERNEL_APC_PENDING", pending);
}

kdx_status kdx_analyze(kdx_session *s, kdx_analysis *a, kdx_err *err)
{
    memset(a, 0, sizeof *a);
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_ARG, "no dump is open");
    a->kernel = t->kind == KDX_TARGET_KERNEL_DUMP;
    exc_info e = {0};
    kdx_context ctx;
    bool have_ctx = false;
    uint64_t fault_ip = 0;
    if (a->kernel) {
        a->bugcheck_code = t->kernel.bugcheck_code;
        memcpy(a->bugcheck_args, t->kernel.bugcheck_args, sizeof a->bugcheck_args);
        kdx_bugcheck_expl x;
        kdx_bugcheck_explain(a->bugcheck_code, a->bugcheck_args, &x);
        add_kv(a, "BUGCHECK_CODE", hex(a->bugcheck_code));
        static const char *const pk[4] = {"BUGCHECK_P1", "BUGCHECK_P2", "BUGCHECK_P3", "BUGCHECK_P4"};
        for (int i = 0; i < 4; i++)
            add_kv(a, pk[i], hex(a->bugcheck_args[i]));
        kernel_exception(s, a, &x, &e, &ctx, &have_ctx, &fault_ip);
    } else if (t->exception.present) {
        e.present = true;
        e.code = t->exception.code;
        e.flags = t->exception.flags;
        e.address = t->exception.address;
        e.record_addr = t->exception.record_addr;
        e.nparams = t->exception.nparams;
        memcpy(e.params, t->exception.params, sizeof e.params);
        fault_ip = e.address;
        if (t->exception.has_context) {
            ctx = t->exception.context;
            have_ctx = true;
            add_kv(a, "STACK_COMMAND", kdx_strdup(".ecxr ; kb"));
        }
    } else {
        add_unknown(a, kdx_strdup("exception: the dump has no exception stream"));
    }
    exception_fields(s, a, &e);
    process_name(s, a);
    if (a->kernel && a->bugcheck_code == 0x20)
        apc_exit(s, a);
    if (!have_ctx && kdx_session_context(s, &ctx, err) == KDX_OK) {
        have_ctx = true;
        if (!kdx_analysis_get(a, "STACK_COMMAND"))
            add_kv(a, "STACK_COMMAND", kdx_strdup("kb"));
    }
    if (have_ctx)
        walk_stack(s, a, &ctx);
    else
        a->stack_note = kdx_strdup("no register context is available for the crashing thread");
    uint64_t io_ip = 0;
    const char *io_rule = NULL;
    if (a->kernel)
        kdx_analyze_io(s, a, &io_ip, &io_rule);
    bool leak = leaked_pool_driver(s, a);
    if (leak)
        ;
    else if (io_ip)
        set_module(s, a, io_ip, io_rule);
    else
        choose_module(s, a, fault_ip);
    bucket(s, a, &e);
    char *vf = a->kernel ? kdx_verifier_hint(s, a->bugcheck_code, a->bugcheck_args) : NULL;
    if (vf)
        add_kv(a, "VERIFIER_COMMAND", vf);
    return KDX_OK;
}

void kdx_analysis_free(kdx_analysis *a)
{
    for (size_t i = 0; i < a->nkv; i++)
        free(a->kv[i].value);
    for (size_t i = 0; i < a->nunknown; i++)
        free(a->unknown[i]);
    free(a->kv);
    free(a->unknown);
    free(a->stack);
    free(a->stack_note);
    free(a->faulting_module);
    free(a->rule);
    memset(a, 0, sizeof *a);
}
