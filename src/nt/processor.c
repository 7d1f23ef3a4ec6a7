/* Processors: PRCB, PCR, current thread, special registers (processor.h). */
#include "nt/processor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/field.h"
#include "target/memory.h"

static bool is_kernel(const kdx_session *s)
{
    return s->target && s->target->kind == KDX_TARGET_KERNEL_DUMP;
}

unsigned kdx_nt_processor_count(kdx_session *s)
{
    return is_kernel(s) ? s->target->ncontexts : 0;
}

static kdx_status thread_info(kdx_session *s, unsigned cpu, kdx_thread_info *ti, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!is_kernel(s))
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "processors exist only in kernel targets");
    if (cpu >= t->ncontexts)
        return kdx_err_set(err, KDX_E_ARG, "processor %u does not exist (the dump has %u)", cpu, t->ncontexts);
    if (!t->ops || !t->ops->get_thread_info)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "this dump records no processor state");
    kdx_status st = t->ops->get_thread_info(t->impl, cpu, ti, err);
    return st;
}

/* KiProcessorBlock[cpu] through the symbols, when the dump's record has no PRCB. */
static kdx_status prcb_from_symbols(kdx_session *s, unsigned cpu, uint64_t *prcb, kdx_err *err)
{
    uint64_t kpb;
    kdx_status st = kdx_nt_symbol(s, "nt!KiProcessorBlock", &kpb, err);
    if (st != KDX_OK)
        return st;
    kdx_err why = {0};
    st = kdx_read_ptr(s->target, kpb + (uint64_t)s->target->ptr_size * cpu, prcb, &why);
    if (st != KDX_OK)
        return kdx_err_set(err, st, "nt!KiProcessorBlock[%u]: %s", cpu, why.msg);
    if (!*prcb)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "nt!KiProcessorBlock[%u] is NULL", cpu);
    return KDX_OK;
}

kdx_status kdx_nt_prcb(kdx_session *s, unsigned cpu, uint64_t *prcb, kdx_err *err)
{
    kdx_thread_info ti;
    kdx_status st = thread_info(s, cpu, &ti, err);
    if (st == KDX_OK && ti.prcb) {
        *prcb = ti.prcb;
        return KDX_OK;
    }
    if (st != KDX_OK && st != KDX_E_MEM_MISSING)
        return st;
    return prcb_from_symbols(s, cpu, prcb, err);
}

kdx_status kdx_nt_pcr(kdx_session *s, unsigned cpu, uint64_t *pcr, kdx_err *err)
{
    uint64_t prcb, off;
    kdx_status st = kdx_nt_prcb(s, cpu, &prcb, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, "nt!_KPCR", "Prcb|PrcbData", &off, err);
    if (st == KDX_OK)
        *pcr = prcb - off;
    return st;
}

kdx_status kdx_nt_processor_thread(kdx_session *s, unsigned cpu, uint64_t *thread, kdx_err *err)
{
    kdx_thread_info ti;
    kdx_status st = thread_info(s, cpu, &ti, err);
    if (st == KDX_OK && ti.thread) {
        *thread = ti.thread;
        return KDX_OK;
    }
    uint64_t prcb;
    st = kdx_nt_prcb(s, cpu, &prcb, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_KPRCB", prcb, "CurrentThread", thread, err);
    return st;
}

int kdx_nt_thread_running_on(kdx_session *s, uint64_t thread)
{
    unsigned n = kdx_nt_processor_count(s);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t;
        if (kdx_nt_processor_thread(s, i, &t, NULL) == KDX_OK && t == thread)
            return (int)i;
    }
    return -1;
}

kdx_status kdx_nt_special_register(kdx_session *s, unsigned cpu, const char *name, uint64_t *v, kdx_err *err)
{
    uint64_t prcb;
    kdx_status st = kdx_nt_prcb(s, cpu, &prcb, err);
    if (st != KDX_OK)
        return st;
    char path[96];
    snprintf(path, sizeof path, "ProcessorState.SpecialRegisters.%s", name);
    return kdx_nt_read(s, "nt!_KPRCB", prcb, path, v, err);
}

/* Names from the WDK's wdm.h for each architecture. */
const char *kdx_nt_irql_name(kdx_arch arch, unsigned irql)
{
    static const char *const x64[16] = {"LOW_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", NULL, NULL, "CMCI_LEVEL",
                                        NULL, NULL, NULL, NULL, NULL, NULL, "SYNCH_LEVEL", "CLOCK_LEVEL",
                                        "IPI_LEVEL", "HIGH_LEVEL"};
    static const char *const x86[32] = {"LOW_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", [27] = "PROFILE_LEVEL",
                                        [28] = "CLOCK2_LEVEL", [29] = "IPI_LEVEL", [30] = "POWER_LEVEL",
                                        [31] = "HIGH_LEVEL"};
    if (arch == KDX_ARCH_X86)
        return irql < 32 ? x86[irql] : NULL;
    return irql < 16 ? x64[irql] : NULL;
}

kdx_status kdx_nt_current_thread(kdx_session *s, uint64_t *thread, kdx_err *err)
{
    if (s->implicit_thread) {
        *thread = s->implicit_thread;
        return KDX_OK;
    }
    return kdx_nt_processor_thread(s, s->cur_context, thread, err);
}

kdx_status kdx_nt_current_process(kdx_session *s, uint64_t *process, kdx_err *err)
{
    if (s->implicit_process) {
        *process = s->implicit_process;
        return KDX_OK;
    }
    uint64_t thread;
    kdx_status st = kdx_nt_current_thread(s, &thread, err);
    if (st != KDX_OK)
        return st;
    if (kdx_nt_read(s, "nt!_KTHREAD", thread, "ApcState.Process", process, NULL) == KDX_OK && *process)
        return KDX_OK;
    kdx_thread_info ti;
    if (!s->implicit_thread && thread_info(s, s->cur_context, &ti, NULL) == KDX_OK && ti.process) {
        *process = ti.process;
        return KDX_OK;
    }
    return kdx_nt_read(s, "nt!_KTHREAD", thread, "ApcState.Process", process, err);
}
