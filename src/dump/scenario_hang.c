/* Two scenarios for hang and exit triage: an ERESOURCE deadlock
 * (kdx_scn_hang) and a thread that exits inside a critical region with a
 * kernel APC queued, bug check 0x20 (kdx_scn_apc_exit). */
#include <string.h>

#include "dump/scenario_internal.h"

#define DRIVER_BASE 0xfffff8048b580000ull
#define DRIVER_SIZE 0x10000u
#define FIRST_TID 0x104u

static void declare_code(kdx_scn *s)
{
    kdx_scn_module(s, "kdxscen.sys", DRIVER_BASE, DRIVER_SIZE);
    static const char *const nt[] = {
        "nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait", "nt!KeWaitForSingleObject",
        "nt!ExpWaitForResource", "nt!ExpAcquireResourceExclusiveLite", "nt!ExAcquireResourceExclusiveLite",
        "nt!ExpAcquireResourceSharedLite", "nt!ExAcquireResourceSharedLite", "nt!KeRemoveQueueEx",
        "nt!ExpWorkerThread", "nt!NtDeviceIoControlFile", "nt!KiSystemServiceCopyEnd", "nt!PspSystemThreadStartup",
        "nt!KiStartSystemThread", "nt!KeBugCheckEx", "nt!KiIdleLoop", "nt!PspExitThread",
        "nt!PspTerminateThreadByPointer", "nt!PsTerminateSystemThread", "nt!KeRemovePriQueue"};
    for (size_t i = 0; i < sizeof nt / sizeof nt[0]; i++)
        kdx_scn_function(s, nt[i], 0x58);
    static const char *const drv[] = {"kdxscen!LockPairAB", "kdxscen!LockPairBA", "kdxscen!WorkerLoop",
                                      "kdxscen!DispatchIoctl", "kdxscen!ReadConfig", "kdxscen!WorkerExit",
                                      "kdxscen!ApcRoutine", "kdxscen!DpcRoutine", "kdxscen!TimerDpc",
                                      "kdxscen!WorkItemRoutine"};
    for (size_t i = 0; i < sizeof drv / sizeof drv[0]; i++)
        kdx_scn_function(s, drv[i], 0x48);
}

/* Idle runs on processors 1..3; processor 0 runs the System thread given. */
static uint64_t declare_system(kdx_scn *s, kdx_scn_thread_spec *crasher)
{
    kdx_scn_process_spec idle = {"Idle", 0, 0, -1, 0, false, 0};
    kdx_scn_process_spec sys = {"System", 4, 0, -1, 0, false, 0};
    uint64_t ip = kdx_scn_process(s, &idle);
    uint64_t system = kdx_scn_process(s, &sys);
    for (int cpu = 0; cpu < 4; cpu++) { /* processor 0's idle thread waits its turn (Ready) */
        kdx_scn_thread_spec t = {0};
        t.state = cpu ? "Running" : "Ready";
        t.cpu = cpu;
        t.frames[0] = "nt!KiIdleLoop";
        kdx_scn_thread(s, ip, &t);
    }
    crasher->state = "Running";
    crasher->cpu = 0;
    crasher->priority = 15, crasher->base_priority = 12;
    kdx_scn_thread(s, system, crasher);
    return system;
}

static void copy_frames(kdx_scn_thread_spec *t, const char *const *frames, size_t n)
{
    for (size_t i = 0; i < n && i < KDX_SCN_MAX_FRAMES; i++)
        t->frames[i] = frames[i];
}

/* The frames of a thread blocked in ExAcquireResource{Exclusive,Shared}Lite, called from caller. */
static void resource_wait_frames(kdx_scn_thread_spec *t, bool exclusive, const char *caller, bool user)
{
    const char *f[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait", "nt!KeWaitForSingleObject",
                       "nt!ExpWaitForResource",
                       exclusive ? "nt!ExpAcquireResourceExclusiveLite" : "nt!ExpAcquireResourceSharedLite",
                       exclusive ? "nt!ExAcquireResourceExclusiveLite" : "nt!ExAcquireResourceSharedLite", caller,
                       user ? "nt!NtDeviceIoControlFile" : "kdxscen!WorkerLoop",
                       user ? "nt!KiSystemServiceCopyEnd" : "nt!PspSystemThreadStartup",
                       user ? NULL : "nt!KiStartSystemThread"};
    copy_frames(t, f, sizeof f / sizeof f[0]);
}

static kdx_scn_thread_spec worker(uint32_t tid, uint32_t ticks_ago)
{
    kdx_scn_thread_spec t = {0};
    t.tid = tid;
    t.priority = 13, t.base_priority = 12;
    t.wait_ticks_ago = ticks_ago;
    t.kernel_ticks = 20 + tid % 50;
    t.context_switches = 100 + tid;
    t.start = "kdxscen!WorkerLoop";
    return t;
}

/* The two deadlocked workers and a user thread queued behind them. */
static void declare_deadlock(kdx_scn *s, uint64_t system, uint64_t user_process)
{
    uint64_t r1 = kdx_scn_resource(s, NULL), r2 = kdx_scn_resource(s, NULL);
    kdx_scn_thread_spec a = worker(FIRST_TID + 8, 12000), b = worker(FIRST_TID + 12, 11900);
    resource_wait_frames(&a, true, "kdxscen!LockPairAB", false);
    resource_wait_frames(&b, true, "kdxscen!LockPairBA", false);
    uint64_t ta = kdx_scn_resource_waiter(s, r2, true, system, &a);
    uint64_t tb = kdx_scn_resource_waiter(s, r1, true, system, &b);
    kdx_scn_resource_acquire(s, r1, ta, true);
    kdx_scn_resource_acquire(s, r2, tb, true);
    kdx_scn_resource_contention(s, r1, 3);
    kdx_scn_resource_contention(s, r2, 2);
    kdx_scn_thread_spec u = worker(0x1a04, 8000);
    u.priority = 9, u.base_priority = 8;
    u.start = NULL;
    u.start_va = 0x00007ff72e9d6e20ull;
    u.teb = 0x000000d7a0001000ull;
    resource_wait_frames(&u, false, "kdxscen!DispatchIoctl", true);
    kdx_scn_resource_waiter(s, r1, false, user_process, &u);
}

/* What the reference article's !locks shows: a worker waiting on an event
 * owns nt!IopDeviceTreeLock shared and nt!PiEngineLock exclusively; two free
 * resources; a worker idle in its queue. */
/* Returns the worker that owns the two resources (its wait has a timeout). */
static uint64_t declare_uncontended(kdx_scn *s, uint64_t system)
{
    uint64_t tree = kdx_scn_resource(s, "IopDeviceTreeLock"), engine = kdx_scn_resource(s, "PiEngineLock");
    kdx_scn_resource(s, NULL);
    kdx_scn_resource(s, "PsLoadedModuleResource");
    kdx_scn_thread_spec c = worker(FIRST_TID + 4, 300);
    c.state = "Waiting";
    c.wait_reason = "Executive";
    c.waits[c.nwaits++] = kdx_scn_event(s, KDX_SCN_SYNCHRONIZATION, false, NULL, 0);
    const char *f[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait", "nt!KeWaitForSingleObject",
                       "kdxscen!ReadConfig", "kdxscen!WorkerLoop", "nt!PspSystemThreadStartup",
                       "nt!KiStartSystemThread"};
    copy_frames(&c, f, sizeof f / sizeof f[0]);
    uint64_t tc = kdx_scn_thread(s, system, &c);
    kdx_scn_resource_acquire(s, tree, tc, false);
    kdx_scn_resource_acquire(s, engine, tc, true);
    kdx_scn_resource_contention(s, engine, 6);
    kdx_scn_thread_spec q = worker(FIRST_TID + 16, 40);
    q.state = "Waiting";
    q.wait_reason = "WrQueue";
    uint64_t queue = kdx_scn_work_queue(s, 0, 1, 16); /* ExPoolUntrusted of node 0 */
    q.waits[q.nwaits++] = queue + kdx_scn_offset(s, "_EX_WORK_QUEUE", "WorkPriQueue");
    q.start = "nt!ExpWorkerThread";
    const char *g[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait", "nt!KeRemovePriQueue",
                       "nt!ExpWorkerThread", "nt!PspSystemThreadStartup", "nt!KiStartSystemThread"};
    copy_frames(&q, g, sizeof g / sizeof g[0]);
    kdx_scn_work_queue_thread(s, queue, kdx_scn_thread(s, system, &q));
    kdx_scn_work_item(s, queue, 12, "kdxscen!WorkItemRoutine", 0x1234); /* queued behind the busy workers */
    kdx_scn_work_item(s, queue, 12, "kdxscen!WorkItemRoutine", 0x5678);
    return tc;
}

static kdx_status finish(kdx_scn *s, const char *path, kdx_err *err)
{
    kdx_status st = kdx_scn_error(s, err);
    if (st == KDX_OK)
        st = kdx_scn_save(s, path, err);
    kdx_scn_free(s);
    return st;
}

/* A new scenario with the code both scenarios run. */
static kdx_status begin(const kdx_symprov *layout, const kdx_symfile_id *id, kdx_scn **s, kdx_err *err)
{
    kdx_status st = kdx_scn_new(layout, id, NULL, s, err);
    if (st == KDX_OK)
        declare_code(*s);
    return st;
}

kdx_status kdx_scn_hang(const kdx_symprov *layout, const kdx_symfile_id *id, const char *path, kdx_err *err)
{
    kdx_scn *s;
    kdx_status st = begin(layout, id, &s, err);
    if (st != KDX_OK)
        return st;
    kdx_scn_thread_spec crash = worker(FIRST_TID, 0);
    const char *f[] = {"nt!KeBugCheckEx", "kdxscen!DispatchIoctl", "kdxscen!WorkerLoop", "nt!PspSystemThreadStartup",
                       "nt!KiStartSystemThread"};
    copy_frames(&crash, f, sizeof f / sizeof f[0]);
    uint64_t system = declare_system(s, &crash);
    kdx_scn_process_spec ex = {"explorer.exe", 0x1a00, 0x300, 1, 0x000000d7a0000000ull - 0x10000, true, 0};
    uint64_t explorer = kdx_scn_process(s, &ex);
    uint64_t timeout_thread = declare_uncontended(s, system);
    declare_deadlock(s, system, explorer);
    kdx_scn_dpc(s, 1, "kdxscen!DpcRoutine", false); /* work the frozen processors had queued */
    kdx_scn_dpc(s, 1, "nt!KiIdleLoop", false);
    kdx_scn_dpc(s, 2, "kdxscen!DpcRoutine", true);
    /* A periodic driver timer, and the timeout of the worker that owns nt!PiEngineLock. */
    uint64_t uptime = s->sys.uptime;
    kdx_scn_timer_arm(s, kdx_scn_timer(s, KDX_SCN_NOTIFICATION, NULL, 0), 1, uptime + 50000000ull,
                      kdx_scn_dpc_object(s, "kdxscen!TimerDpc"), 1000);
    kdx_scn_timer_arm(s, timeout_thread + kdx_scn_offset(s, "_KTHREAD", "Timer"), 0, uptime + 300000000ull, 0, 0);
    uint64_t args[4] = {0};
    kdx_scn_bugcheck(s, 0xe2, args);
    return finish(s, path, err);
}

kdx_status kdx_scn_apc_exit(const kdx_symprov *layout, const kdx_symfile_id *id, const char *path, kdx_err *err)
{
    kdx_scn *s;
    kdx_status st = begin(layout, id, &s, err);
    if (st != KDX_OK)
        return st;
    kdx_scn_thread_spec t = worker(FIRST_TID, 0);
    const char *f[] = {"nt!KeBugCheckEx", "nt!PspExitThread", "nt!PspTerminateThreadByPointer",
                       "nt!PsTerminateSystemThread", "kdxscen!WorkerExit", "kdxscen!WorkerLoop",
                       "nt!PspSystemThreadStartup", "nt!KiStartSystemThread"};
    copy_frames(&t, f, sizeof f / sizeof f[0]);
    t.kernel_apc_disable = -1; /* KeEnterCriticalRegion without its KeLeaveCriticalRegion */
    t.kernel_apcs = 1;
    t.apc_routine = "kdxscen!ApcRoutine";
    declare_system(s, &t);
    /* What PspExitThread passes: no APC address, the 16-bit disable count, IRQL 0, 1 (the reference article). */
    uint64_t args[4] = {0, 0xffff, 0, 1};
    kdx_scn_bugcheck(s, 0x20, args);
    return finish(s, path, err);
}
