/* The scenario's processes, threads (states, waits, APCs, kernel stacks)
 * and processors (KPCR, KPRCB, contexts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

#define STACK_SIZE 0x6000ull
#define STACK_SLOT 0x8000ull       /* stack and guard page */
#define USER_IMAGE_BASE 0x00007ff600000000ull

/* ---- processors ---- */

void scn_processors_init(kdx_scn *s)
{
    uint64_t prcb_off = kdx_scn_offset(s, "_KPCR", "Prcb"), pcr_size = kdx_scn_sizeof(s, "_KPCR");
    for (unsigned i = 0; i < s->sys.processors && scn_ok(s); i++) {
        uint64_t pcr = kdx_scn_alloc(s, pcr_size, SCN_PAGE);
        s->pcr[i] = pcr;
        s->prcb[i] = pcr + prcb_off;
        kdx_kdw_place_prcb(s->w, i, s->prcb[i]);
        kdx_scn_obj o;
        kdx_scn_obj_begin(s, "_KPCR", pcr, &o);
        kdx_scn_set(&o, "Self", pcr);
        kdx_scn_set(&o, "CurrentPrcb", s->prcb[i]);
        kdx_scn_set(&o, "MajorVersion", 1);
        kdx_scn_set(&o, "MinorVersion", 1);
        kdx_scn_set(&o, "Irql", i == 0 ? 15 : 2); /* KeBugCheckEx runs at HIGH_LEVEL; the others were frozen */
        kdx_scn_set(&o, "Prcb.Number", i);
        kdx_scn_set(&o, "Prcb.GroupIndex", i);
        kdx_scn_set(&o, "Prcb.GroupSetMember", 1ull << i);
        kdx_scn_set(&o, "Prcb.MxCsr", 0x1f80);
        kdx_scn_set(&o, "Prcb.ProcessorState.SpecialRegisters.Cr0", 0x80050033);
        kdx_scn_set(&o, "Prcb.ProcessorState.SpecialRegisters.Cr3", scn_kernel_dtb(s));
        kdx_scn_set(&o, "Prcb.ProcessorState.SpecialRegisters.Cr4", 0x350ef8);
        kdx_scn_set(&o, "Prcb.ProcessorState.SpecialRegisters.Cr8", i == 0 ? 15 : 2);
        kdx_scn_set(&o, "Prcb.InterruptCount", 0x1000 + 0x10 * i);
        kdx_scn_set(&o, "Prcb.KernelTime", 0x2000 + i);
        kdx_scn_set(&o, "Prcb.UserTime", 0x300 + i);
        kdx_scn_set(&o, "Prcb.DpcTime", 0x10 + i);
        kdx_scn_set(&o, "Prcb.InterruptTime", 0x20 + i);
        kdx_scn_set(&o, "Prcb.DebuggerSavedIRQL", 0);
        for (unsigned p = 0; p < 32; p++) { /* the ready queues, one per priority (!ready) */
            char path[48];
            snprintf(path, sizeof path, "Prcb.DispatcherReadyListHead[%u]", p);
            kdx_scn_set_empty_list(&o, path);
        }
        for (unsigned k = 0; k < 2 * 256; k++) { /* the timer lists (!timer) */
            char path[64];
            snprintf(path, sizeof path, "Prcb.TimerTable.TimerEntries[%u][%u].Entry", k / 256, k % 256);
            kdx_scn_set_empty_list(&o, path);
        }
        kdx_scn_obj_end(&o);
    }
}

void scn_processors_finish(kdx_scn *s)
{
    for (unsigned i = 0; i < s->sys.processors && scn_ok(s); i++) {
        if (!s->cpu_thread[i]) {
            scn_fail(s, KDX_E_ARG, "processor %u runs no thread (declare a Running thread for it)", i);
            return;
        }
        kdx_scn_poke(s, "_KPRCB", s->prcb[i], "CurrentThread", s->cpu_thread[i]);
        kdx_kdw_set_context(s->w, i, &s->cpu_ctx[i], s->cpu_thread[i], s->cpu_process[i]);
    }
}

/* ---- processes ---- */

static uint64_t session_space(kdx_scn *s, int session)
{
    if (session < 0)
        return 0;
    if ((size_t)session >= sizeof s->sessions / sizeof s->sessions[0])
        return scn_fail(s, KDX_E_ARG, "session %d: at most %zu sessions", session,
                        sizeof s->sessions / sizeof s->sessions[0]), 0;
    if (!s->sessions[session]) {
        s->sessions[session] = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_MM_SESSION_SPACE"), 64);
        kdx_scn_poke(s, "_MM_SESSION_SPACE", s->sessions[session], "SessionId", (uint64_t)session);
    }
    return s->sessions[session];
}

/* A PEB in the process's own address space, so user reads depend on the process context. */
static void write_peb(kdx_scn *s, uint64_t dtb, uint64_t peb, uint32_t pid)
{
    uint64_t size = kdx_scn_sizeof(s, "_PEB"), off = kdx_scn_offset(s, "_PEB", "ImageBaseAddress");
    uint8_t *buf = kdx_xcalloc(1, (size_t)size);
    kdx_put_le64(buf + off, USER_IMAGE_BASE + ((uint64_t)pid << 16));
    kdx_err e = {0};
    if (scn_ok(s) && kdx_kdw_write_virt_in(s->w, dtb, peb, buf, (size_t)size, &e) != KDX_OK)
        scn_fail(s, e.code, "%s", e.msg);
    free(buf);
}

static void fill_process(kdx_scn *s, kdx_scn_obj *o, const kdx_scn_process_spec *spec, uint64_t dtb, uint64_t token)
{
    kdx_scn_set(o, "Pcb.Header.Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "ProcessObject"));
    kdx_scn_set(o, "Pcb.Header.Size", kdx_scn_sizeof(s, "_KPROCESS") / 4);
    kdx_scn_set_empty_list(o, "Pcb.Header.WaitListHead");
    kdx_scn_set(o, "Pcb.DirectoryTableBase", dtb);
    kdx_scn_set_empty_list(o, "Pcb.ThreadListHead");
    kdx_scn_set(o, "Pcb.BasePriority", 8);
    kdx_scn_set(o, "Pcb.KernelTime", 0x40 + spec->pid / 4);
    kdx_scn_set(o, "Pcb.UserTime", spec->pid % 7);
    kdx_scn_set(o, "UniqueProcessId", spec->pid);
    kdx_scn_set(o, "InheritedFromUniqueProcessId", spec->parent_pid);
    char image[15] = {0};
    memcpy(image, spec->image, strlen(spec->image) < 15 ? strlen(spec->image) : 15);
    kdx_scn_set_bytes(o, "ImageFileName", image, sizeof image);
    kdx_scn_set(o, "Peb", spec->peb);
    kdx_scn_set(o, "Session", session_space(s, spec->session));
    kdx_scn_set(o, "Token.Value", token | 7); /* EX_FAST_REF: reference bits */
    kdx_scn_set(o, "DeviceMap", kdx_scn_alloc(s, kdx_scn_sizeof(s, "_DEVICE_MAP"), 16));
    kdx_scn_set(o, "CreateTime.QuadPart", s->sys.system_time - s->sys.uptime + 10000000ull * (spec->pid / 4));
    kdx_scn_set_empty_list(o, "ThreadListHead");
    kdx_scn_set(o, "VirtualSize", 0x1000000ull + (uint64_t)spec->pid * 0x1000);
    kdx_scn_set(o, "PeakVirtualSize", 0x2000000ull + (uint64_t)spec->pid * 0x1000);
    kdx_scn_set(o, "CommitCharge", 0x80 + spec->pid / 4);
    kdx_scn_set(o, "NumberOfPrivatePages", 0x40 + spec->pid / 4);
    kdx_scn_set(o, "ProcessQuotaUsage[0]", 0x4000);
    kdx_scn_set(o, "ProcessQuotaUsage[1]", 0x1000);
    kdx_scn_set(o, "Vm.Instance.WorkingSetSize", 0x200 + spec->pid / 4);
    kdx_scn_set(o, "Vm.Instance.MinimumWorkingSetSize", 50);
    kdx_scn_set(o, "Vm.Instance.MaximumWorkingSetSize", 345);
    kdx_scn_set(o, "Vm.Instance.PeakWorkingSetSize", 0x300 + spec->pid / 4);
    kdx_scn_set(o, "Vm.Instance.PageFaultCount", 0x500 + spec->pid);
}

uint64_t kdx_scn_process(kdx_scn *s, const kdx_scn_process_spec *spec)
{
    if (spec->pid % 4 || spec->parent_pid % 4 || !spec->image)
        return scn_fail(s, KDX_E_ARG, "process ids are multiples of 4 and processes have an image name"), 0;
    uint64_t body = kdx_scn_object(s, "Process", "_EPROCESS", NULL, 0);
    uint64_t token = kdx_scn_object(s, "Token", "_TOKEN", NULL, 0);
    uint64_t dtb = spec->own_address_space ? kdx_kdw_new_address_space(s->w) : scn_kernel_dtb(s);
    if (!scn_ok(s))
        return 0;
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_EPROCESS", body, &o);
    fill_process(s, &o, spec, dtb, token);
    kdx_scn_obj_end(&o);
    kdx_scn_list_append(s, kdx_scn_symbol(s, "PsActiveProcessHead"),
                        body + kdx_scn_offset(s, "_EPROCESS", "ActiveProcessLinks"));
    if (spec->peb && spec->own_address_space)
        write_peb(s, dtb, spec->peb, spec->pid);
    if (spec->pid == 4)
        scn_write_ptr(s, kdx_scn_symbol(s, "PsInitialSystemProcess"), body);
    if (spec->pid == 0)
        scn_write_ptr(s, kdx_scn_symbol(s, "PsIdleProcess"), body);
    scn_process p = {body, spec->pid, dtb, spec->handle_levels, 4, {0}};
    KDX_VEC_PUSH(s->procs, p);
    return body;
}

uint64_t kdx_scn_process_dtb(kdx_scn *s, uint64_t process)
{
    scn_process *p = scn_find_process(s, process);
    return p ? p->dtb : 0;
}

/* ---- threads: stacks ---- */

typedef struct stack_plan {
    uint64_t base, limit, initial, rsp0, kernel_stack;
    size_t funcs[KDX_SCN_MAX_FRAMES];
    size_t n;
} stack_plan;

static bool plan_frames(kdx_scn *s, const kdx_scn_thread_spec *spec, stack_plan *p)
{
    for (p->n = 0; p->n < KDX_SCN_MAX_FRAMES && spec->frames[p->n]; p->n++) {
        p->funcs[p->n] = scn_function_index(s, spec->frames[p->n]);
        if (p->funcs[p->n] == SIZE_MAX)
            return false;
    }
    if (!p->n)
        return scn_fail(s, KDX_E_ARG, "thread %u: a stack needs at least one frame", spec->tid);
    return true;
}

/* Lays the frames out from the stack's top: outermost return address 0,
 * each frame's space, the return address into its caller below it. */
static void build_stack(kdx_scn *s, stack_plan *p)
{
    p->limit = s->stack_next + SCN_PAGE; /* a guard page below */
    p->base = p->limit + STACK_SIZE;
    s->stack_next += STACK_SLOT;
    p->initial = (p->base - kdx_scn_sizeof(s, "_KTRAP_FRAME")) & ~0xfull;
    kdx_err e = {0};
    if (kdx_kdw_map(s->w, p->base - SCN_PAGE, SCN_PAGE, &e) != KDX_OK)
        scn_fail(s, e.code, "%s", e.msg);
    uint64_t r = p->initial - 8;
    scn_write_ptr(s, r, 0);
    for (size_t i = p->n - 1; i > 0; i--) {
        uint64_t rsp = r - s->funcs.items[p->funcs[i]].frame;
        r = rsp - 8;
        scn_write_ptr(s, r, scn_return_address(s, p->funcs[i], p->funcs[i - 1]));
    }
    p->rsp0 = r - s->funcs.items[p->funcs[0]].frame;
    if (p->rsp0 < p->base - SCN_PAGE + 0x100)
        scn_fail(s, KDX_E_LIMIT, "a thread's frames do not fit the stack page");
}

/* A switched-out thread: SwapContext's frame below the innermost frame,
 * laid out as _KSWITCH_FRAME describes (or its x64 layout, when the symbol
 * table lacks the type, as context.h records). */
static void write_switch_frame(kdx_scn *s, stack_plan *p)
{
    uint64_t ret_off = KDX_X64_SWITCH_FRAME_RETURN, rbp_off = KDX_X64_SWITCH_FRAME_RBP;
    const kdx_type *sf = s->layout->ops->find_type(s->layout->impl, "_KSWITCH_FRAME");
    if (sf) {
        ret_off = kdx_scn_offset(s, "_KSWITCH_FRAME", "Return");
        rbp_off = kdx_scn_offset(s, "_KSWITCH_FRAME", "Rbp");
    }
    uint64_t ret = scn_return_to(s, p->funcs[0], kdx_scn_symbol(s, "SwapContext"));
    p->kernel_stack = p->rsp0 - 8 - ret_off;
    scn_write_ptr(s, p->kernel_stack + ret_off, ret);
    scn_write_ptr(s, p->kernel_stack + rbp_off, 0);
}

static void running_context(kdx_scn *s, const stack_plan *p, kdx_context *c)
{
    memset(c, 0, sizeof *c);
    c->arch = KDX_ARCH_X64;
    const scn_func *f = &s->funcs.items[p->funcs[0]];
    /* Past the prologue (at most 7 bytes), before the first call site: the frame is allocated. */
    kdx_ctx_set(c, KDX_X64_RIP, f->addr + 7);
    kdx_ctx_set(c, KDX_X64_RSP, p->rsp0);
    kdx_ctx_set(c, KDX_X64_RBP, 0);
    kdx_ctx_set(c, KDX_X64_EFL, 0x282);
    kdx_ctx_set(c, KDX_X64_CS, 0x10);
    kdx_ctx_set(c, KDX_X64_SS, 0x18);
    kdx_ctx_set(c, KDX_X64_DS, 0x2b);
    kdx_ctx_set(c, KDX_X64_ES, 0x2b);
    kdx_ctx_set(c, KDX_X64_FS, 0x53);
    kdx_ctx_set(c, KDX_X64_GS, 0x2b);
    for (int r = KDX_X64_RAX; r <= KDX_X64_R15; r++)
        if (r != KDX_X64_RSP && r != KDX_X64_RBP)
            kdx_ctx_set(c, r, 0);
}

/* ---- threads: waits and APCs ---- */

static void write_waits(kdx_scn *s, kdx_scn_obj *o, const kdx_scn_thread_spec *spec)
{
    uint64_t waits[KDX_SCN_MAX_WAITS + 1];
    unsigned n = 0;
    if (spec->wait_on_own_timer) {
        uint64_t timer = kdx_scn_addr(o, "Tcb.Timer");
        kdx_scn_set(o, "Tcb.Timer.Header.Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "TimerNotificationObject"));
        kdx_scn_set_empty_list(o, "Tcb.Timer.Header.WaitListHead");
        waits[n++] = timer;
    }
    for (unsigned i = 0; i < spec->nwaits && n < KDX_SCN_MAX_WAITS; i++)
        waits[n++] = spec->waits[i];
    if (!n)
        return;
    int64_t active = kdx_scn_enum(s, "_KWAIT_BLOCK_STATE", "WaitBlockActive");
    for (unsigned i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof p, "Tcb.WaitBlock[%u].Object", i);
        kdx_scn_set(o, p, waits[i]);
        snprintf(p, sizeof p, "Tcb.WaitBlock[%u].WaitType", i);
        kdx_scn_set(o, p, spec->wait_all ? 0 : 1); /* WaitAll 0, WaitAny 1 */
        snprintf(p, sizeof p, "Tcb.WaitBlock[%u].BlockState", i);
        kdx_scn_set(o, p, (uint64_t)active);
        snprintf(p, sizeof p, "Tcb.WaitBlock[%u].WaitKey", i);
        kdx_scn_set(o, p, i);
        snprintf(p, sizeof p, "Tcb.WaitBlock[%u].Thread", i);
        kdx_scn_set(o, p, o->va);
    }
    kdx_scn_set(o, "Tcb.WaitBlockList", kdx_scn_addr(o, "Tcb.WaitBlock"));
    kdx_scn_set(o, "Tcb.WaitBlockCount", n);
}

/* Wait blocks join their objects' wait lists once the thread is written. */
static void link_waits(kdx_scn *s, uint64_t thread)
{
    uint64_t list = thread + kdx_scn_offset(s, "_KTHREAD", "WaitBlockList"), first;
    uint8_t b[8], c[1];
    kdx_kdw_read_virt(s->w, list, b, 8);
    first = kdx_le64(b);
    kdx_kdw_read_virt(s->w, thread + kdx_scn_offset(s, "_KTHREAD", "WaitBlockCount"), c, 1);
    uint64_t size = kdx_scn_sizeof(s, "_KWAIT_BLOCK"), obj_off = kdx_scn_offset(s, "_KWAIT_BLOCK", "Object");
    for (unsigned i = 0; first && i < c[0]; i++) {
        uint64_t wb = first + i * size;
        kdx_kdw_read_virt(s->w, wb + obj_off, b, 8);
        kdx_scn_list_append(s, kdx_le64(b) + kdx_scn_offset(s, "_DISPATCHER_HEADER", "WaitListHead"),
                            wb + kdx_scn_offset(s, "_KWAIT_BLOCK", "WaitListEntry"));
    }
}

static void queue_apcs(kdx_scn *s, uint64_t thread, const kdx_scn_thread_spec *spec)
{
    uint64_t routine = spec->apc_routine ? kdx_scn_code(s, spec->apc_routine, 0)
                                         : kdx_scn_symbol(s, "KiSchedulerApc");
    uint64_t head = thread + kdx_scn_offset(s, "_KTHREAD", "ApcState.ApcListHead[0]");
    for (unsigned i = 0; i < spec->kernel_apcs && scn_ok(s); i++) {
        uint64_t apc = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_KAPC"), 16);
        kdx_scn_obj o;
        kdx_scn_obj_begin(s, "_KAPC", apc, &o);
        kdx_scn_set(&o, "Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "ApcObject"));
        kdx_scn_set(&o, "Size", o.size);
        kdx_scn_set(&o, "Thread", thread);
        kdx_scn_set(&o, "KernelRoutine", routine);
        kdx_scn_set(&o, "ApcMode", 0);
        kdx_scn_set(&o, "Inserted", 1);
        kdx_scn_obj_end(&o);
        kdx_scn_list_append(s, head, apc + kdx_scn_offset(s, "_KAPC", "ApcListEntry"));
    }
    if (spec->kernel_apcs)
        kdx_scn_poke(s, "_KTHREAD", thread, "ApcState.KernelApcPending", 1);
}

/* ---- threads ---- */

static void fill_thread(kdx_scn *s, kdx_scn_obj *o, uint64_t process, const kdx_scn_thread_spec *spec,
                        const stack_plan *p, bool running)
{
    scn_process *proc = scn_find_process(s, process);
    kdx_scn_set(o, "Tcb.Header.Type", (uint64_t)kdx_scn_enum(s, "_KOBJECTS", "ThreadObject"));
    kdx_scn_set(o, "Tcb.Header.Size", kdx_scn_sizeof(s, "_KTHREAD") / 4);
    kdx_scn_set_empty_list(o, "Tcb.Header.WaitListHead");
    kdx_scn_set(o, "Tcb.State", (uint64_t)kdx_scn_enum(s, "_KTHREAD_STATE", spec->state));
    if (spec->wait_reason)
        kdx_scn_set(o, "Tcb.WaitReason", (uint64_t)kdx_scn_enum(s, "_KWAIT_REASON", spec->wait_reason));
    kdx_scn_set(o, "Tcb.WaitMode", spec->user_mode_wait ? 1 : 0);
    kdx_scn_set(o, "Tcb.Alertable", spec->alertable);
    kdx_scn_set(o, "Tcb.Process", process);
    kdx_scn_set(o, "Tcb.ApcState.Process", process);
    kdx_scn_set_empty_list(o, "Tcb.ApcState.ApcListHead[0]");
    kdx_scn_set_empty_list(o, "Tcb.ApcState.ApcListHead[1]");
    kdx_scn_set_empty_list(o, "Tcb.SavedApcState.ApcListHead[0]");
    kdx_scn_set_empty_list(o, "Tcb.SavedApcState.ApcListHead[1]");
    kdx_scn_set_empty_list(o, "Tcb.MutantListHead");
    kdx_scn_set(o, "Tcb.InitialStack", p->initial);
    kdx_scn_set(o, "Tcb.StackBase", p->base);
    kdx_scn_set(o, "Tcb.StackLimit", p->limit);
    kdx_scn_set(o, "Tcb.KernelStack", running ? p->rsp0 - 0x40 : p->kernel_stack);
    kdx_scn_set(o, "Tcb.Teb", spec->teb);
    kdx_scn_set(o, "Tcb.Priority", (uint8_t)(spec->priority ? spec->priority : 8));
    kdx_scn_set(o, "Tcb.BasePriority", (uint8_t)(spec->base_priority ? spec->base_priority : 8));
    kdx_scn_set(o, "Tcb.WaitTime", s->sys.tick_count - spec->wait_ticks_ago);
    kdx_scn_set(o, "Tcb.ContextSwitches", spec->context_switches);
    kdx_scn_set(o, "Tcb.KernelTime", spec->kernel_ticks);
    kdx_scn_set(o, "Tcb.UserTime", spec->user_ticks);
    kdx_scn_set(o, "Tcb.NextProcessor", spec->cpu >= 0 ? (unsigned)spec->cpu : 0);
    kdx_scn_set(o, "Tcb.IdealProcessor", spec->cpu >= 0 ? (unsigned)spec->cpu : 0);
    kdx_scn_set(o, "Tcb.KernelApcDisable", (uint16_t)spec->kernel_apc_disable);
    kdx_scn_set(o, "Tcb.SpecialApcDisable", (uint16_t)spec->special_apc_disable);
    kdx_scn_set(o, "Tcb.SystemThread", proc && proc->pid == 4);
    kdx_scn_set(o, "Cid.UniqueProcess", proc ? proc->pid : 0);
    kdx_scn_set(o, "Cid.UniqueThread", spec->tid);
    uint64_t start = spec->start_va     ? spec->start_va
                     : spec->start ? kdx_scn_code(s, spec->start, 0)
                                   : s->funcs.items[p->funcs[p->n > 1 ? p->n - 2 : 0]].addr;
    kdx_scn_set(o, "StartAddress", start);
    kdx_scn_set(o, "Win32StartAddress", start);
    kdx_scn_set_empty_list(o, "IrpList");
    kdx_scn_set(o, "ThreadIoPriority", 2);
    kdx_scn_set(o, "ThreadPagePriority", 5);
    kdx_scn_set(o, "CreateTime.QuadPart", s->sys.system_time - s->sys.uptime / 2);
    if (!running)
        write_waits(s, o, spec);
}

static void link_thread(kdx_scn *s, uint64_t thread, uint64_t process)
{
    kdx_scn_list_append(s, process + kdx_scn_offset(s, "_EPROCESS", "ThreadListHead"),
                        thread + kdx_scn_offset(s, "_ETHREAD", "ThreadListEntry"));
    kdx_scn_list_append(s, process + kdx_scn_offset(s, "_KPROCESS", "ThreadListHead"),
                        thread + kdx_scn_offset(s, "_KTHREAD", "ThreadListEntry"));
    uint64_t off = kdx_scn_offset(s, "_EPROCESS", "ActiveThreads");
    uint8_t b[4];
    kdx_kdw_read_virt(s->w, process + off, b, 4);
    kdx_put_le32(b, kdx_le32(b) + 1);
    scn_write(s, process + off, b, 4);
}

/* A Ready thread waits in its processor's ready queue of its priority
 * (KPRCB.DispatcherReadyListHead[Priority] through KTHREAD.WaitListEntry). */
static void queue_ready(kdx_scn *s, uint64_t thread, const kdx_scn_thread_spec *spec)
{
    unsigned cpu = spec->cpu >= 0 && (unsigned)spec->cpu < s->sys.processors ? (unsigned)spec->cpu : 0;
    unsigned pri = (unsigned)(spec->priority & 31);
    char path[48];
    snprintf(path, sizeof path, "DispatcherReadyListHead[%u]", pri);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KPRCB", s->prcb[cpu], &o);
    uint64_t head = kdx_scn_addr(&o, path);
    uint64_t summary = 0;
    uint64_t off = kdx_scn_offset(s, "_KPRCB", "ReadySummary");
    summary = kdx_le32(o.buf + off) | 1u << pri;
    kdx_scn_set(&o, "ReadySummary", summary);
    kdx_scn_obj_end(&o);
    kdx_scn_list_append(s, head, thread + kdx_scn_offset(s, "_KTHREAD", "WaitListEntry"));
}

uint64_t kdx_scn_thread(kdx_scn *s, uint64_t process, const kdx_scn_thread_spec *spec)
{
    stack_plan p = {0};
    bool running = spec->state && !strcmp(spec->state, "Running");
    if (!spec->state || spec->tid % 4 || (running && (spec->cpu < 0 || (unsigned)spec->cpu >= s->sys.processors)))
        return scn_fail(s, KDX_E_ARG, "thread %u: needs a state, a tid that is a multiple of 4 and (running) a processor",
                        spec->tid), 0;
    if (!scn_find_process(s, process) || !plan_frames(s, spec, &p))
        return 0;
    uint64_t body = kdx_scn_object(s, "Thread", "_ETHREAD", NULL, 0);
    build_stack(s, &p);
    if (!running)
        write_switch_frame(s, &p);
    if (!scn_ok(s))
        return 0;
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_ETHREAD", body, &o);
    fill_thread(s, &o, process, spec, &p, running);
    kdx_scn_obj_end(&o);
    link_waits(s, body);
    link_thread(s, body, process);
    queue_apcs(s, body, spec);
    if (running) {
        if (s->cpu_thread[spec->cpu])
            return scn_fail(s, KDX_E_ARG, "processor %d already runs a thread", spec->cpu), 0;
        s->cpu_thread[spec->cpu] = body;
        s->cpu_process[spec->cpu] = process;
        running_context(s, &p, &s->cpu_ctx[spec->cpu]);
    }
    scn_process *proc = scn_find_process(s, process);
    if (proc && proc->pid == 0 && spec->cpu >= 0)
        kdx_scn_poke(s, "_KPRCB", s->prcb[spec->cpu], "IdleThread", body);
    else if (spec->state && !strcmp(spec->state, "Ready"))
        queue_ready(s, body, spec);
    scn_thread t = {body, process, p.rsp0, spec->tid};
    KDX_VEC_PUSH(s->threads, t);
    return body;
}

uint64_t kdx_scn_thread_rsp(kdx_scn *s, uint64_t thread)
{
    scn_thread *t = scn_find_thread(s, thread);
    return t ? t->rsp : 0;
}
