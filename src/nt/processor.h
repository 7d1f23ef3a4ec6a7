/* Processors of a kernel target: each one's KPRCB (KiProcessorBlock, or the
 * dump's own record of it), its KPCR, the thread it runs, its special
 * registers (_KPRCB.ProcessorState.SpecialRegisters: cr0..cr8) and IRQL
 * names. */
#ifndef KDX_NT_PROCESSOR_H
#define KDX_NT_PROCESSOR_H

#include <stdint.h>

#include "base/err.h"
#include "target/session.h"

unsigned kdx_nt_processor_count(kdx_session *s);
kdx_status kdx_nt_prcb(kdx_session *s, unsigned cpu, uint64_t *prcb, kdx_err *err);
/* The KPCR holding that PRCB (_KPCR.Prcb is embedded). */
kdx_status kdx_nt_pcr(kdx_session *s, unsigned cpu, uint64_t *pcr, kdx_err *err);
/* The thread running on cpu (KPRCB.CurrentThread, or the dump's record). */
kdx_status kdx_nt_processor_thread(kdx_session *s, unsigned cpu, uint64_t *thread, kdx_err *err);
/* The processor running thread, or -1. */
int kdx_nt_thread_running_on(kdx_session *s, uint64_t thread);
/* A special register by name ("Cr3") from _KSPECIAL_REGISTERS of cpu. */
kdx_status kdx_nt_special_register(kdx_session *s, unsigned cpu, const char *name, uint64_t *v, kdx_err *err);
/* The IRQL's name on this architecture ("DISPATCH_LEVEL"), NULL when it has none. */
const char *kdx_nt_irql_name(kdx_arch arch, unsigned irql);

/* The thread and process commands act on: .thread / .process choices,
 * else the current processor's. */
kdx_status kdx_nt_current_thread(kdx_session *s, uint64_t *thread, kdx_err *err);
kdx_status kdx_nt_current_process(kdx_session *s, uint64_t *process, kdx_err *err);

#endif
