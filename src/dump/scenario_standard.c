/* The standard scenario (kdx_scn_standard): a Windows 10 system with an Idle
 * and a System process, session 0 and 1 services and user processes, every
 * thread waiting for one of the layout's wait reasons (all of them in turn)
 * on events, mutants, semaphores, queues, processes, threads or its own
 * timer, with kernel stacks through nt and kdxscen.sys; processor 0 raised a
 * MANUALLY_INITIATED_CRASH from a System thread, the others run their idle
 * threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/scenario.h"

#define DRIVER_BASE 0xfffff8048b580000ull
#define DRIVER_SIZE 0x10000u

static const char *const user_images[] = {"Registry", "smss.exe", "csrss.exe", "wininit.exe", "services.exe",
                                          "lsass.exe", "svchost.exe", "fontdrvhost.exe", "winlogon.exe",
                                          "dwm.exe", "explorer.exe", "SearchApp.exe", "RuntimeBroker.exe",
                                          "MsMpEng.exe", "spoolsv.exe", "notepad.exe"};

typedef struct std_ctx {
    kdx_scn *s;
    const char *const *reasons;
    size_t nreasons, next_reason;
    uint32_t next_tid;
    uint64_t bno, system, last_thread;
} std_ctx;

static void declare_code(kdx_scn *s)
{
    kdx_scn_module(s, "kdxscen.sys", DRIVER_BASE, DRIVER_SIZE);
    static const char *const nt[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait",
                                     "nt!KeWaitForSingleObject", "nt!KeWaitForMultipleObjects",
                                     "nt!KeDelayExecutionThread", "nt!KeRemoveQueueEx", "nt!ExpWorkerThread",
                                     "nt!NtWaitForSingleObject", "nt!KiSystemServiceCopyEnd",
                                     "nt!PspSystemThreadStartup", "nt!KiStartSystemThread", "nt!KeBugCheckEx",
                                     "nt!KiIdleLoop"};
    static const unsigned frames[] = {0x38, 0x138, 0x98, 0xa8, 0x118, 0x88, 0x98, 0xa8, 0x68, 0x78, 0x38, 0x28,
                                      0x28, 0x38};
    for (size_t i = 0; i < sizeof nt / sizeof nt[0]; i++)
        kdx_scn_function(s, nt[i], frames[i]);
    static const char *const drv[] = {"kdxscen!WorkerLoop", "kdxscen!WaitForEvent", "kdxscen!WaitForMany",
                                      "kdxscen!DelayLoop", "kdxscen!DispatchIoctl", "kdxscen!ApcRoutine"};
    for (size_t i = 0; i < sizeof drv / sizeof drv[0]; i++)
        kdx_scn_function(s, drv[i], 0x48);
}

/* What a thread waits on for a reason, and the stack that got it there. */
static void wait_for(std_ctx *c, uint64_t process, const char *reason, kdx_scn_thread_spec *t, bool user)
{
    kdx_scn *s = c->s;
    static const char *const head[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait"};
    for (int i = 0; i < 3; i++)
        t->frames[i] = head[i];
    const char *const sys_tail[] = {"nt!PspSystemThreadStartup", "nt!KiStartSystemThread"};
    size_t n = 3;
    unsigned kind = (unsigned)(c->next_tid / 4) % 5;
    if (!strcmp(reason, "DelayExecution") || !strcmp(reason, "WrDelayExecution")) {
        t->wait_on_own_timer = true;
        t->frames[n++] = "nt!KeDelayExecutionThread";
        t->frames[n++] = user ? "nt!NtDelayExecution" : "kdxscen!DelayLoop";
    } else if (!strcmp(reason, "WrQueue")) {
        t->waits[t->nwaits++] = kdx_scn_queue(s, NULL, 0);
        t->frames[n++] = "nt!KeRemoveQueueEx";
        t->frames[n++] = user ? "nt!NtRemoveIoCompletion" : "nt!ExpWorkerThread";
    } else if (kind == 1 && c->last_thread) {
        t->waits[t->nwaits++] = kdx_scn_event(s, KDX_SCN_NOTIFICATION, false, NULL, 0);
        t->waits[t->nwaits++] = c->last_thread;
        t->frames[n++] = "nt!KeWaitForMultipleObjects";
        t->frames[n++] = user ? "nt!NtWaitForMultipleObjects" : "kdxscen!WaitForMany";
    } else {
        char name[48];
        snprintf(name, sizeof name, "KdxScenEvent%u", c->next_tid);
        t->waits[t->nwaits++] = kind == 2 ? kdx_scn_mutant(s, c->last_thread, NULL, 0)
                                : kind == 3 ? kdx_scn_semaphore(s, 0, 4, NULL, 0)
                                : kind == 4 ? process
                                            : kdx_scn_event(s, KDX_SCN_SYNCHRONIZATION, false, name, c->bno);
        t->frames[n++] = "nt!KeWaitForSingleObject";
        t->frames[n++] = user ? "nt!NtWaitForSingleObject" : "kdxscen!WaitForEvent";
    }
    if (user) {
        t->frames[n++] = "nt!KiSystemServiceCopyEnd";
    } else {
        if (strcmp(t->frames[n - 1], "nt!ExpWorkerThread"))
            t->frames[n++] = "kdxscen!WorkerLoop";
        t->frames[n++] = sys_tail[0];
        t->frames[n++] = sys_tail[1];
    }
}

/* Every few threads a state other than Waiting, so !thread shows them all. */
static const char *other_state(uint32_t tid)
{
    static const char *const states[] = {"Ready", "Standby", "Terminated", "Transition", "DeferredReady",
                                         "Initialized"};
    unsigned k = (tid / 4) % 23;
    return k < sizeof states / sizeof states[0] ? states[k] : NULL;
}

static void add_thread(std_ctx *c, uint64_t process, bool user, int cpu_hint)
{
    kdx_scn_thread_spec t = {0};
    t.tid = c->next_tid;
    c->next_tid += 4;
    t.cpu = cpu_hint;
    t.priority = user ? 9 : 13;
    t.base_priority = user ? 8 : 12;
    t.wait_ticks_ago = 100 + t.tid % 5000;
    t.kernel_ticks = t.tid % 97;
    t.user_ticks = user ? t.tid % 31 : 0;
    t.context_switches = 10 + t.tid % 1000;
    t.teb = user ? 0x000000d7a0000000ull + ((uint64_t)t.tid << 12) : 0;
    t.start_va = user ? 0x00007ff72e9d6e20ull : 0; /* a user-mode thread routine */
    const char *state = other_state(t.tid);
    const char *reason = c->reasons[c->next_reason++ % c->nreasons];
    t.state = state ? state : "Waiting";
    t.wait_reason = reason;
    t.user_mode_wait = user && !strcmp(reason, "UserRequest");
    t.alertable = user;
    wait_for(c, process, reason, &t, user);
    if (state)
        t.nwaits = 0, t.wait_on_own_timer = false;
    uint64_t th = kdx_scn_thread(c->s, process, &t);
    if (th)
        c->last_thread = th;
}

static void add_processes(std_ctx *c, unsigned nprocesses, unsigned per_process)
{
    kdx_scn *s = c->s;
    for (unsigned i = 0; i < nprocesses; i++) {
        size_t k = i % (sizeof user_images / sizeof user_images[0]);
        bool service = k < 8;
        kdx_scn_process_spec p = {user_images[k], 0x200 + 0x40 * i, i ? 0x200 + 0x40 * (i / 2) : 4,
                                  k == 0 ? -1 : service ? 0 : 1, k ? 0x000000d7a0000000ull - 0x10000 : 0, k != 0, 0};
        if (i == 3)
            p.handle_levels = 2; /* one table of each depth: see the handles added below */
        if (i == 4)
            p.handle_levels = 3;
        uint64_t proc = kdx_scn_process(s, &p);
        for (unsigned t = 0; t < per_process && proc; t++)
            add_thread(c, proc, k != 0, (int)(t % 4));
        uint64_t ev = kdx_scn_event(s, KDX_SCN_NOTIFICATION, true, NULL, 0);
        if (proc && ev) {
            kdx_scn_handle(s, proc, ev, 0x1f0003, 0);
            kdx_scn_handle(s, proc, proc, 0x1fffff, 0);
        }
        if (i == 3 && ev)
            kdx_scn_handle(s, proc, ev, 0x100002, 0x4004); /* index 0x1001: a level-1 table */
        if (i == 4 && ev)
            kdx_scn_handle(s, proc, ev, 0x100002, 0x80008); /* beyond 256*512 entries: level 2 */
    }
}

/* Idle (pid 0) runs on processors 1..n-1; a System thread on processor 0 raised the bug check. */
static void add_system(std_ctx *c)
{
    kdx_scn *s = c->s;
    kdx_scn_process_spec idle = {"Idle", 0, 0, -1, 0, false, 0};
    kdx_scn_process_spec sys = {"System", 4, 0, -1, 0, false, 0};
    uint64_t ip = kdx_scn_process(s, &idle);
    c->system = kdx_scn_process(s, &sys);
    for (int cpu = 0; cpu < 4; cpu++) {
        kdx_scn_thread_spec t = {0};
        t.state = cpu ? "Running" : "Ready";
        t.cpu = cpu;
        t.frames[0] = "nt!KiIdleLoop";
        kdx_scn_thread(s, ip, &t);
    }
    kdx_scn_thread_spec bug = {0};
    bug.tid = c->next_tid, c->next_tid += 4;
    bug.state = "Running";
    bug.cpu = 0;
    bug.priority = 15, bug.base_priority = 12;
    const char *frames[] = {"nt!KeBugCheckEx", "kdxscen!DispatchIoctl", "kdxscen!WorkerLoop",
                            "nt!PspSystemThreadStartup", "nt!KiStartSystemThread"};
    memcpy(bug.frames, frames, sizeof frames);
    bug.start = "kdxscen!WorkerLoop";
    kdx_scn_thread(s, c->system, &bug);
    uint64_t args[4] = {0};
    kdx_scn_bugcheck(s, 0xe2, args);
}

static void add_namespace(std_ctx *c)
{
    kdx_scn *s = c->s;
    c->bno = kdx_scn_directory(s, 0, "BaseNamedObjects");
    uint64_t ko = kdx_scn_directory(s, 0, "KernelObjects");
    kdx_scn_event(s, KDX_SCN_NOTIFICATION, true, "LowMemoryCondition", ko);
    kdx_scn_event(s, KDX_SCN_NOTIFICATION, false, "HighMemoryCondition", ko);
    kdx_scn_directory(s, 0, "Device");
    kdx_scn_directory(s, 0, "GLOBAL??");
    kdx_scn_symlink(s, 0, "DosDevices", "\\??");
}

kdx_status kdx_scn_standard(const kdx_symprov *layout, const kdx_symfile_id *id, unsigned nprocesses,
                            unsigned threads_per_process, const char *path, kdx_err *err)
{
    kdx_scn *s;
    kdx_scn_system sys = {0};
    kdx_status st = kdx_scn_new(layout, id, &sys, &s, err);
    if (st != KDX_OK)
        return st;
    nprocesses = nprocesses ? nprocesses : 60;
    threads_per_process = threads_per_process ? threads_per_process : 9;
    std_ctx c = {s, NULL, 0, 0, 0, 0, 0, 0};
    size_t n;
    c.reasons = kdx_scn_enum_names(s, "_KWAIT_REASON", &n);
    c.nreasons = n && c.reasons && !strcmp(c.reasons[n - 1], "MaximumWaitReason") ? n - 1 : n;
    c.next_tid = 0x200 + 0x40 * nprocesses + 0x100;
    declare_code(s);
    add_namespace(&c);
    if (c.nreasons) {
        add_system(&c);
        add_processes(&c, nprocesses, threads_per_process);
    }
    free((void *)c.reasons);
    st = kdx_scn_error(s, err);
    if (st == KDX_OK)
        st = kdx_scn_save(s, path, err);
    kdx_scn_free(s);
    return st;
}
