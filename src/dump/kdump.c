/* Kernel dump reader (PAGEDU64 / PAGEDUMP): opens the file, picks the
 * container (complete, bitmap, triage), and fills the target: paging, system
 * facts, bug check, KDBG-derived kernel addresses, modules, and the register
 * context of each processor. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "dump/formats.h"
#include "dump/kdump.h"
#include "target/memory.h"

enum { CTX_UNTRIED = 0, CTX_KNOWN = 1, CTX_NONE = 2 };

static void kdump_close(void *impl)
{
    kdx_kdump *d = impl;
    if (!d)
        return;
    if (d->ctx_why)
        for (uint32_t i = 0; i < d->hdr.number_processors; i++)
            free(d->ctx_why[i]);
    free(d->ctx_why);
    free(d->ctx);
    free(d->ctx_state);
    free(d->prcb_va);
    free(d->runs);
    free(d->bitmap_rank);
    free(d->vranges);
    free(d->vmax_end);
    kdx_file_close(d->file);
    free(d);
}

static kdx_status kdump_get_context(void *impl, unsigned index, kdx_context *out, kdx_err *err);
static kdx_status kdump_thread_info(void *impl, unsigned index, kdx_thread_info *out, kdx_err *err);

static const kdx_target_ops full_ops = {"Full kernel dump", kdump_close, kdx_kdump_read_phys, NULL,
                                        kdx_kdump_phys_page, kdump_get_context, kdump_thread_info};
static const kdx_target_ops bitmap_ops = {"Kernel bitmap dump", kdump_close, kdx_kdump_read_phys,
                                          NULL, kdx_kdump_phys_page, kdump_get_context,
                                          kdump_thread_info};
static const kdx_target_ops summary_ops = {"Kernel summary dump", kdump_close, kdx_kdump_read_phys,
                                           NULL, kdx_kdump_phys_page, kdump_get_context,
                                           kdump_thread_info};
static const kdx_target_ops triage_ops = {"Kernel triage dump", kdump_close, NULL,
                                          kdx_kdump_read_virt, NULL, kdump_get_context,
                                          kdump_thread_info};
static const kdx_target_ops header_ops = {"Kernel header-only dump", kdump_close, NULL, NULL, NULL,
                                          kdump_get_context, kdump_thread_info};

const kdx_kdump *kdx_kdump_of(const kdx_target *t)
{
    if (!t || !t->ops || t->ops->close != kdump_close)
        return NULL;
    return t->impl;
}

bool kdx_kdump_probe(const uint8_t *head, size_t n)
{
    return n >= 8 && (memcmp(head, "PAGEDU64", 8) == 0 || memcmp(head, "PAGEDUMP", 8) == 0);
}

static kdx_arch machine_arch(uint32_t m)
{
    switch (m) {
    case 0x8664: return KDX_ARCH_X64;
    case 0x14c: return KDX_ARCH_X86;
    case 0xaa64: return KDX_ARCH_ARM64;
    default: return KDX_ARCH_UNKNOWN;
    }
}

static void os_version(uint32_t build, uint32_t *major, uint32_t *minor)
{
    static const struct { uint32_t build, major, minor; } v[] = {
        {10240, 10, 0}, {9600, 6, 3}, {9200, 6, 2}, {7600, 6, 1}, {6000, 6, 0},
        {3790, 5, 2},   {2600, 5, 1}, {2195, 5, 0}, {1381, 4, 0}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(v); i++)
        if (build >= v[i].build) {
            *major = v[i].major;
            *minor = v[i].minor;
            return;
        }
}

static void fill_system(kdx_target *t, const kdx_kdump_header *h)
{
    kdx_system_info *s = &t->sys;
    s->build = h->minor_version;
    os_version(s->build, &s->os_major, &s->os_minor);
    s->platform_id = 2;
    s->product_type = kdx_kdump_unset32(h->product_type) ? 0 : h->product_type;
    s->suite_mask = kdx_kdump_unset32(h->suite_mask) ? 0 : h->suite_mask;
    s->num_processors = h->number_processors;
    s->dump_time = h->system_time;
    s->system_uptime = (h->system_uptime >> 32) == KDX_KDUMP_UNSET ? 0 : h->system_uptime;
    t->kernel.bugcheck_code = h->bugcheck_code;
    for (int i = 0; i < 4; i++)
        t->kernel.bugcheck_args[i] = h->bugcheck_params[i];
    t->kernel.ps_loaded_module_list = h->ps_loaded_module_list;
    t->kernel.ps_active_process_head = h->ps_active_process_head;
    t->kernel.mm_pfn_database = h->pfn_database;
    t->kernel.kdbg_addr = h->kd_debugger_data_block;
}

/* A NUL-terminated ASCII string in target memory (NtBuildLab, CSD version). */
static char *read_cstring(kdx_target *t, uint64_t va, size_t max)
{
    char buf[256];
    max = KDX_MIN(max, sizeof buf - 1);
    size_t got = 0;
    kdx_read_virt(t, va, buf, max, &got, NULL);
    buf[got] = 0;
    if (!memchr(buf, 0, got) && got < max)
        return NULL;
    return buf[0] ? kdx_strdup(buf) : NULL;
}

/* Reads the in-memory KDBG of a complete/bitmap dump. */
static void load_kdbg_from_memory(kdx_kdump *d, kdx_target *t)
{
    uint64_t va = d->hdr.kd_debugger_data_block;
    uint8_t buf[KDX_KDBG_MAX];
    size_t got = 0;
    if (!va)
        return;
    kdx_read_virt(t, va, buf, sizeof buf, &got, NULL);
    if (got < KDX_KDBG_MIN)
        return;
    kdx_kdbg_from_bytes(&d->kdbg, buf, got, va, d->hdr.ps_loaded_module_list,
                        d->hdr.ps_active_process_head, !d->hdr.is64, d->file->path, NULL);
}

static void apply_kdbg(kdx_kdump *d, kdx_target *t)
{
    const kdx_kdbg *k = &d->kdbg;
    if (!k->present)
        return;
    kdx_kernel_info *ki = &t->kernel;
    ki->kdbg_valid = true;
    ki->kdbg_addr = k->addr;
    ki->kernel_base = kdx_kdbg_ptr(k, KDX_KDBG_KERN_BASE);
    if (kdx_kdbg_ptr(k, KDX_KDBG_PS_LOADED_MODULE_LIST))
        ki->ps_loaded_module_list = kdx_kdbg_ptr(k, KDX_KDBG_PS_LOADED_MODULE_LIST);
    if (kdx_kdbg_ptr(k, KDX_KDBG_PS_ACTIVE_PROCESS_HEAD))
        ki->ps_active_process_head = kdx_kdbg_ptr(k, KDX_KDBG_PS_ACTIVE_PROCESS_HEAD);
    if (kdx_kdbg_ptr(k, KDX_KDBG_MM_PFN_DATABASE))
        ki->mm_pfn_database = kdx_kdbg_ptr(k, KDX_KDBG_MM_PFN_DATABASE);
    uint64_t lab = kdx_kdbg_ptr(k, KDX_KDBG_NT_BUILD_LAB);
    if (lab && !t->sys.build_lab)
        t->sys.build_lab = read_cstring(t, lab, 128);
    /* CmNtCSDVersion: the service pack number in bits 8-15. */
    uint64_t csd = kdx_kdbg_ptr(k, KDX_KDBG_CM_NT_CSD_VERSION);
    uint32_t v;
    if (csd && !t->sys.csd_version && kdx_read_u32(t, csd, &v, NULL) == KDX_OK && (v >> 8 & 0xff))
        t->sys.csd_version = kdx_asprintf("Service Pack %u", v >> 8 & 0xff);
}

static bool is_exception_bugcheck(uint32_t code)
{
    code &= 0x0fffffff;
    return code == 0x7e || code == 0x8e;
}

/* The dump's exception: for 0x7E/0x8E the record and context the bug check
 * arguments point to, else the header's record; the header's context record
 * is the exception context. */
static void fill_exception(kdx_kdump *d, kdx_target *t)
{
    const kdx_kdump_header *h = &d->hdr;
    kdx_exception *x = &t->exception;
    const uint8_t *c = d->file->data + h->context_off;
    size_t csize = t->arch == KDX_ARCH_X64 ? KDX_CONTEXT_X64_SIZE : t->arch == KDX_ARCH_X86
                   ? KDX_CONTEXT_X86_SIZE_NO_EXT : KDX_CONTEXT_ARM64_SIZE;
    if (csize <= h->context_size && kdx_context_parse(t->arch, c, csize, &x->context, NULL) == KDX_OK &&
        kdx_ctx_ip(&x->context))
        x->has_context = true;
    x->code = h->exception_code;
    x->flags = h->exception_flags;
    x->address = h->exception_address;
    x->nparams = KDX_MIN(h->exception_nparams, 15u);
    memcpy(x->params, h->exception_params, sizeof x->params);
    x->present = !kdx_kdump_unset32(h->exception_code) && h->exception_code;
    x->context_index = t->default_context;
    if (!is_exception_bugcheck(h->bugcheck_code))
        return;
    /* EXCEPTION_RECORD64/32 at Arg3. */
    uint64_t rec = h->bugcheck_params[2];
    uint8_t r[0x98];
    size_t rs = t->ptr_size == 8 ? 0x98 : 0x50;
    if (rec && kdx_read_virt(t, rec, r, rs, NULL, NULL) == KDX_OK) {
        x->present = true;
        x->record_addr = rec;
        x->code = kdx_le32(r);
        x->flags = kdx_le32(r + 4);
        if (t->ptr_size == 8) {
            x->address = kdx_le64(r + 0x10);
            x->nparams = KDX_MIN(kdx_le32(r + 0x18), 15u);
            for (unsigned i = 0; i < x->nparams; i++)
                x->params[i] = kdx_le64(r + 0x20 + 8 * i);
        } else {
            x->address = kdx_le32(r + 0xc);
            x->nparams = KDX_MIN(kdx_le32(r + 0x10), 15u);
            for (unsigned i = 0; i < x->nparams; i++)
                x->params[i] = kdx_le32(r + 0x14 + 4 * i);
        }
    }
}

static size_t context_bytes(kdx_arch a)
{
    return a == KDX_ARCH_X64 ? KDX_CONTEXT_X64_SIZE
           : a == KDX_ARCH_X86 ? KDX_CONTEXT_X86_SIZE_NO_EXT : KDX_CONTEXT_ARM64_SIZE;
}

/* CONTEXT at va in target memory. */
static kdx_status context_at(kdx_target *t, uint64_t va, kdx_context *out, kdx_err *err)
{
    uint8_t buf[KDX_CONTEXT_X64_SIZE];
    size_t n = context_bytes(t->arch);
    kdx_status st = kdx_read_virt(t, va, buf, n, NULL, err);
    if (st != KDX_OK)
        return st;
    return kdx_context_parse(t->arch, buf, n, out, err);
}

static uint64_t prcb_of(kdx_kdump *d, unsigned cpu)
{
    if (d->prcb_va[cpu])
        return d->prcb_va[cpu];
    if (d->is_triage && cpu == d->tri.crash_processor && d->tri.prcb_va)
        return d->prcb_va[cpu] = d->tri.prcb_va;
    uint64_t kpb = kdx_kdbg_ptr(&d->kdbg, KDX_KDBG_KI_PROCESSOR_BLOCK), v = 0;
    if (kpb && kdx_read_ptr(d->target, kpb + (uint64_t)d->target->ptr_size * cpu, &v, NULL) == KDX_OK)
        d->prcb_va[cpu] = v;
    return d->prcb_va[cpu];
}

/* The context of processor cpu: the CONTEXT _KPRCB.Context points to (saved at
 * the bug check), else the PRCB's ProcessorState.ContextFrame. */
static kdx_status processor_context(kdx_kdump *d, unsigned cpu, kdx_context *out, kdx_err *err)
{
    kdx_target *t = d->target;
    uint64_t prcb = prcb_of(d, cpu);
    if (!prcb)
        return kdx_err_set(err, KDX_E_MEM_MISSING,
                           "the PRCB of processor %u is not in the dump (no KDBG processor block)", cpu);
    uint16_t ctx_off = kdx_kdbg_u16(&d->kdbg, KDX_KDBG_OFF_PRCB_CONTEXT);
    uint64_t p = 0;
    if (ctx_off && kdx_read_ptr(t, prcb + ctx_off, &p, NULL) == KDX_OK && p &&
        context_at(t, p, out, NULL) == KDX_OK && kdx_ctx_ip(out))
        return KDX_OK;
    uint16_t ps_off = kdx_kdbg_u16(&d->kdbg, KDX_KDBG_OFF_PRCB_PROC_STATE_CONTEXT);
    if (ps_off && context_at(t, prcb + ps_off, out, NULL) == KDX_OK && kdx_ctx_ip(out))
        return KDX_OK;
    return kdx_err_set(err, KDX_E_MEM_MISSING, "the register context of processor %u is not in the dump",
                       cpu);
}

static kdx_status kdump_get_context(void *impl, unsigned index, kdx_context *out, kdx_err *err)
{
    kdx_kdump *d = impl;
    if (index >= d->hdr.number_processors)
        return kdx_err_set(err, KDX_E_ARG, "processor %u does not exist (the dump has %u)", index,
                           d->hdr.number_processors);
    if (d->ctx_state[index] == CTX_UNTRIED) {
        kdx_err e;
        kdx_status st = processor_context(d, index, &d->ctx[index], &e);
        /* Without a PRCB, the crashing processor still has the header's context. */
        if (st != KDX_OK && index == d->target->default_context && d->target->exception.has_context) {
            d->ctx[index] = d->target->exception.context;
            st = KDX_OK;
        }
        d->ctx_state[index] = st == KDX_OK ? CTX_KNOWN : CTX_NONE;
        if (st != KDX_OK)
            d->ctx_why[index] = kdx_strdup(e.msg);
    }
    if (d->ctx_state[index] == CTX_NONE)
        return kdx_err_set(err, KDX_E_MEM_MISSING, "%s", d->ctx_why[index]);
    *out = d->ctx[index];
    return KDX_OK;
}

static kdx_status kdump_thread_info(void *impl, unsigned index, kdx_thread_info *out, kdx_err *err)
{
    kdx_kdump *d = impl;
    kdx_target *t = d->target;
    memset(out, 0, sizeof *out);
    out->id = index;
    if (index >= d->hdr.number_processors)
        return kdx_err_set(err, KDX_E_ARG, "processor %u does not exist", index);
    uint64_t prcb = out->prcb = prcb_of(d, index);
    if (d->is_triage && index == d->tri.crash_processor && d->tri.thread_va) {
        out->thread = d->tri.thread_va;
        out->process = d->tri.process_va;
        return KDX_OK;
    }
    uint16_t cur = kdx_kdbg_u16(&d->kdbg, KDX_KDBG_OFF_PRCB_CURRENT_THREAD);
    uint16_t apc = kdx_kdbg_u16(&d->kdbg, KDX_KDBG_OFF_KTHREAD_APC_PROCESS);
    if (!prcb || !cur || kdx_read_ptr(t, prcb + cur, &out->thread, err) != KDX_OK)
        return kdx_err_set(err, KDX_E_MEM_MISSING, "the current thread of processor %u is not in the dump",
                           index);
    if (apc)
        kdx_read_ptr(t, out->thread + apc, &out->process, NULL);
    return KDX_OK;
}

/* The crashing processor of a complete dump: the one whose saved context is
 * the header's (KeBugCheckEx) context. */
static unsigned find_crash_processor(kdx_kdump *d, kdx_target *t)
{
    if (d->is_triage)
        return d->tri.crash_processor < d->hdr.number_processors ? d->tri.crash_processor : 0;
    if (!t->exception.has_context || !d->kdbg.present)
        return 0;
    uint64_t sp = kdx_ctx_sp(&t->exception.context);
    for (unsigned i = 0; i < d->hdr.number_processors && i < 1024; i++) {
        kdx_context c;
        if (processor_context(d, i, &c, NULL) == KDX_OK && kdx_ctx_sp(&c) == sp)
            return i;
    }
    return 0;
}

static kdx_status setup_memory(kdx_kdump *d, kdx_target *t, kdx_err *err)
{
    const kdx_kdump_header *h = &d->hdr;
    switch (h->dump_type) {
    case KDX_DUMP_TYPE_FULL:
        t->ops = &full_ops;
        return kdx_kdump_load_runs(d, err);
    case KDX_DUMP_TYPE_BITMAP_FULL:
    case KDX_DUMP_TYPE_BITMAP_KERNEL:
        t->ops = &bitmap_ops;
        return kdx_kdump_load_bitmap(d, err);
    case KDX_DUMP_TYPE_SUMMARY:
        t->ops = &summary_ops;
        return kdx_kdump_load_summary(d, err);
    case KDX_DUMP_TYPE_TRIAGE:
        t->ops = &triage_ops;
        return kdx_kdump_load_triage(d, t, err);
    case KDX_DUMP_TYPE_HEADER:
        t->ops = &header_ops;
        return KDX_OK;
    default:
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "%s: DUMP_HEADER at offset 0x%x: DumpType %u is not supported", d->file->path,
                           h->is64 ? KDX_DH64_DUMP_TYPE : KDX_DH32_DUMP_TYPE, h->dump_type);
    }
}

static void setup_paging(kdx_kdump *d, kdx_target *t)
{
    /* CR3's low bits hold PCID / PWT / PCD, not address bits. */
    uint64_t mask = t->arch == KDX_ARCH_X86 && d->hdr.pae_enabled ? ~0x1full : ~0xfffull;
    if (t->arch == KDX_ARCH_X64)
        mask = 0x000ffffffffff000ull;
    t->kernel_dtb = t->dtb = d->hdr.directory_table_base & mask;
    if (d->is_triage || d->hdr.dump_type == KDX_DUMP_TYPE_HEADER)
        t->paging = KDX_PAGING_NONE;
    else if (t->arch == KDX_ARCH_X64)
        t->paging = KDX_PAGING_X64_4;
    else if (t->arch == KDX_ARCH_X86)
        t->paging = d->hdr.pae_enabled ? KDX_PAGING_X86_PAE : KDX_PAGING_X86;
    else
        t->paging = KDX_PAGING_ARM64;
}

static void load_modules(kdx_kdump *d, kdx_target *t)
{
    kdx_err e;
    if (d->is_triage) {
        if (kdx_kdump_triage_modules(d, t, &e) != KDX_OK) {
            for (size_t i = 0; i < t->nmodules; i++)
                kdx_module_free(t->modules[i]);
            t->nmodules = 0;
        }
    } else if (t->paging != KDX_PAGING_NONE && t->kernel.ps_loaded_module_list) {
        kdx_kdump_walk_modules(t, t->kernel.ps_loaded_module_list, &e);
    }
    if (!t->kernel.kernel_base && t->nmodules && !t->modules[0]->unloaded)
        t->kernel.kernel_base = t->modules[0]->base;
}

kdx_status kdx_kdump_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_open(&f, path, err);
    return st == KDX_OK ? kdx_kdump_open_file(f, out, err) : st;
}

kdx_status kdx_kdump_open_file(kdx_file *f, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_kdump *d = kdx_xcalloc(1, sizeof *d);
    d->file = f;
    const char *path = f->path;
    kdx_status st = kdx_kdump_parse_header(d->file, &d->hdr, err);
    if (st != KDX_OK) {
        kdump_close(d);
        return st;
    }
    kdx_arch arch = machine_arch(d->hdr.machine_image_type);
    if (arch == KDX_ARCH_UNKNOWN || (arch == KDX_ARCH_X86) == d->hdr.is64) {
        st = kdx_err_set(err, KDX_E_FORMAT, "%s: DUMP_HEADER at offset 0x%x: MachineImageType 0x%x is not "
                         "supported in a %s header", path, d->hdr.is64 ? 0x30 : 0x20,
                         d->hdr.machine_image_type, d->hdr.is64 ? "64-bit" : "32-bit");
        kdump_close(d);
        return st;
    }
    if (d->hdr.number_processors == 0 || d->hdr.number_processors > 4096) {
        st = kdx_err_set(err, KDX_E_FORMAT, "%s: DUMP_HEADER at offset 0x%x: NumberProcessors %u is not valid",
                         path, d->hdr.is64 ? 0x34 : 0x24, d->hdr.number_processors);
        kdump_close(d);
        return st;
    }
    kdx_target *t = kdx_target_new(KDX_TARGET_KERNEL_DUMP, arch, path);
    t->impl = d;
    d->target = t;
    st = setup_memory(d, t, err);
    if (st != KDX_OK) {
        if (!t->ops)
            kdump_close(d); /* else kdx_target_close closes it through the ops */
        kdx_target_close(t);
        return st;
    }
    unsigned n = d->hdr.number_processors;
    d->ctx = kdx_xcalloc(n, sizeof *d->ctx);
    d->ctx_state = kdx_xcalloc(n, 1);
    d->ctx_why = kdx_xcalloc(n, sizeof *d->ctx_why);
    d->prcb_va = kdx_xcalloc(n, sizeof *d->prcb_va);
    t->ncontexts = n;
    setup_paging(d, t);
    fill_system(t, &d->hdr);
    if (!d->is_triage && t->paging != KDX_PAGING_NONE)
        load_kdbg_from_memory(d, t);
    apply_kdbg(d, t);
    fill_exception(d, t);
    t->default_context = find_crash_processor(d, t);
    t->exception.context_index = t->default_context;
    load_modules(d, t);
    *out = t;
    return KDX_OK;
}
