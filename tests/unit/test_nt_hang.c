/* Hang triage on scenario dumps laid out with the real 19041 symbol table:
 * executive resources (owners, Windows 10 waiter chains, the event waiters
 * of older kernels), !locks, the deadlock cycles and bucket of !analyze
 * -hang (resources and mutants), bug check 0x20's APC-disable count, and
 * the walkers against malformed resources (owner table too large, a waiter
 * entry that holds no thread, a resource list that loops or leaves the
 * dump). Addresses come from the writer, never from offsets typed here. */
#include <stdlib.h>
#include <string.h>

#include "analysis/hang.h"
#include "base/util.h"
#include "commands/command.h"
#include "nt/resource.h"
#include "tests/unit/nt_fixture.h"

#define ER "_ERESOURCE"

static kdx_session *open_named(const char *name, kdx_status (*gen)(const kdx_symprov *, const kdx_symfile_id *,
                                                                    const char *, kdx_err *))
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return NULL;
    char *path = kdx_asprintf("%s/%s.dmp", kdx_test_tmpdir(), name);
    kdx_err err = {0};
    kdx_session *s = gen(l, &id, path, &err) == KDX_OK ? nt_fixture_open_path(path) : NULL;
    if (err.code)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    free(path);
    return s;
}

typedef struct res_list {
    uint64_t addr[16];
    size_t n;
} res_list;

static int collect(void *ud, uint64_t addr, size_t index)
{
    res_list *l = ud;
    (void)index;
    if (l->n < 16)
        l->addr[l->n++] = addr;
    return 0;
}

TEST(nt_hang_resources_form_a_deadlock_cycle)
{
    kdx_session *s = open_named("nt_hang", kdx_scn_hang);
    if (!s)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    res_list l = {{0}, 0};
    kdx_err err = {0};
    CHECK_OK(kdx_nt_resource_walk(s, collect, &l, NULL, &err));
    CHECK_EQ(l.n, 6);
    /* The two exclusively owned resources with an exclusive waiter: each waiter owns the other. */
    kdx_nt_resource pair[2];
    uint64_t waiter[2];
    size_t held = 0, npair = 0;
    for (size_t i = 0; i < l.n; i++) {
        kdx_nt_resource r;
        CHECK_OK(kdx_nt_resource_read(s, l.addr[i], &r, &err));
        held += kdx_nt_resource_held(&r);
        if (!r.exclusive_waiters || npair == 2)
            continue;
        size_t n = 0;
        CHECK_OK(kdx_nt_resource_waiters(s, r.exclusive_object, &waiter[npair], 1, &n, &err));
        CHECK_EQ(n, 1);
        CHECK(r.exclusive);
        pair[npair++] = r;
    }
    CHECK_EQ(held, 4);
    REQUIRE(npair == 2);
    CHECK_EQ(pair[0].owners[0].thread, waiter[1]);
    CHECK_EQ(pair[1].owners[0].thread, waiter[0]);
    kdx_hang h;
    CHECK_OK(kdx_hang_analyze(s, &h, &err));
    CHECK_EQ(h.cycles.len, 1);
    CHECK_EQ(h.cycles.items[0].len, 2);
    CHECK_EQ(h.resources, 6);
    CHECK_EQ(h.held, 4);
    CHECK_STR(h.bucket, "ANALYSIS_HANG_ERESOURCE_DEADLOCK_kdxscen!LockPairAB");
    CHECK_EQ(h.nlongest, 3);
    CHECK_EQ(h.longest[0].thread, waiter[1]); /* the one that waits for the second resource waited first */
    kdx_hang_free(&h);
    nt_fixture_close(s);
}

TEST(nt_hang_locks_and_analyze_hang_output)
{
    kdx_session *s = open_named("nt_hang_cmds", kdx_scn_hang);
    if (!s)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    char *out = nt_fixture_run(s, "!locks");
    CHECK_CONTAINS(out, "KD: Scanning for held locks.\n\nResource @ nt!IopDeviceTreeLock (0x");
    CHECK_CONTAINS(out, ")    Shared 1 owning threads\n     Threads: ");
    CHECK_CONTAINS(out, ")    Exclusively owned\n    Contention Count = 6\n     Threads: ");
    CHECK_CONTAINS(out, "    Contention Count = 3\n    NumberOfSharedWaiters = 1\n    NumberOfExclusiveWaiters = 1\n");
    CHECK_CONTAINS(out, "     Threads Waiting On Exclusive Access:\n              ffff");
    CHECK_CONTAINS(out, "6 total locks, 4 locks currently held\n");
    free(out);
    /* Extension-prefixed names run the same command; -v adds each thread with its stack. */
    out = nt_fixture_run(s, "!kdexts.locks -v nt!PiEngineLock");
    CHECK_CONTAINS(out, "Resource @ nt!PiEngineLock (0x");
    CHECK_CONTAINS(out, "WAIT: (Executive) KernelMode Non-Alertable");
    CHECK_CONTAINS(out, "kdxscen!ReadConfig+0x");
    CHECK_CONTAINS(out, "1 total locks, 1 locks currently held\n");
    free(out);
    out = nt_fixture_run(s, "!analyze -hang");
    CHECK_CONTAINS(out, "HANG_ANALYSIS:  6 executive resources (4 held, 2 with waiters)");
    CHECK_CONTAINS(out, "DEADLOCK_1:  2 threads wait for each other\n    THREAD ");
    CHECK_CONTAINS(out, "BLOCKED_THREADS:\n    THREAD ");
    CHECK_CONTAINS(out, " (Cid 1a00.1a04) waits for shared access to Resource @ 0x");
    CHECK_CONTAINS(out, "Ticks: 12000 (0:00:03:07.500)  WAIT: (WrResource)\n");
    CHECK_CONTAINS(out, "kdxscen!LockPairAB+0x");
    CHECK_CONTAINS(out, "HANG_BUCKET_ID:  ANALYSIS_HANG_ERESOURCE_DEADLOCK_kdxscen!LockPairAB\n");
    CHECK_CONTAINS(out, "MANUALLY_INITIATED_CRASH (e2)"); /* the crash analysis follows */
    CHECK(!strstr(out, "not yet"));
    free(out);
    /* The same report as JSON, inside the !analyze document. */
    out = nt_fixture_run(s, ".json 1; !analyze -hang; .json 0");
    CHECK_CONTAINS(out, "\"schema\":\"kdx.analyze/1\"");
    CHECK_CONTAINS(out, "\"hang\":{\"resources\":6,\"held\":4,\"with_waiters\":2,\"threads_read\":");
    CHECK_CONTAINS(out, "\"kind\":\"resource\",\"exclusive\":true}");
    CHECK_CONTAINS(out, "\"ticks\":12000,\"reason\":\"WrResource\"}");
    CHECK_CONTAINS(out, "\"bucket\":\"ANALYSIS_HANG_ERESOURCE_DEADLOCK_kdxscen!LockPairAB\"}");
    free(out);
        /* The worker queue: two items waiting behind its one worker. */
    out = nt_fixture_run(s, "!exqueue");
    CHECK_CONTAINS(out, "**** Node 0 ExPoolUntrusted WorkQueue ");
    CHECK_CONTAINS(out, " ( current = 1 minimum = 1 maximum = 16 processed = 100 )\n");
    CHECK_CONTAINS(out, "Priority 12 WorkerRoutine kdxscen!WorkItemRoutine (");
    CHECK_CONTAINS(out, ") Parameter 0000000000005678\nTHREAD ");
    CHECK_CONTAINS(out, "WAIT: (WrQueue) KernelMode Non-Alertable\n");
    free(out);
    nt_fixture_close(s);
}

TEST(nt_hang_apc_exit_reads_the_disable_count)
{
    kdx_session *s = open_named("nt_apc_exit", kdx_scn_apc_exit);
    if (!s)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    char *out = nt_fixture_run(s, "!analyze -v");
    CHECK_CONTAINS(out, "KERNEL_APC_PENDING_DURING_EXIT (20)");
    CHECK_CONTAINS(out, "Arg2: 000000000000ffff, The thread's APC disable count");
    CHECK_CONTAINS(out, "APC_DISABLE_COUNT:  ffff (thread ");
    CHECK_CONTAINS(out, ": KernelApcDisable = -1, SpecialApcDisable = 0: a critical region");
    CHECK(!strstr(out, "Arg2 differs"));
    CHECK_CONTAINS(out, "KERNEL_APC_PENDING:  KernelApcPending, 1 queued: KAPC ");
    CHECK_CONTAINS(out, " KernelRoutine kdxscen!ApcRoutine\n");
    CHECK_CONTAINS(out, "nt!PspExitThread+0x");
    free(out);
    out = nt_fixture_run(s, "!thread -1 e");
    CHECK_CONTAINS(out, "KernelApcDisable = -1, SpecialApcDisable = 0, KernelApcPending (inside a critical region");
    free(out);
    nt_fixture_close(s);
}

/* A scenario of System threads and resources declared by the test. */
static kdx_scn *small_system(uint64_t *system)
{
    kdx_scn *scn = nt_fixture_scenario();
    if (scn)
        *system = nt_fixture_system(scn);
    return scn;
}

static kdx_scn_thread_spec waiter_spec(uint32_t tid, uint32_t ticks_ago)
{
    kdx_scn_thread_spec t = {0};
    t.tid = tid;
    t.cpu = 1;
    t.wait_ticks_ago = ticks_ago;
    const char *f[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait", "nt!KeWaitForSingleObject",
                       "kdxscen!DispatchIoctl", "nt!KiStartSystemThread"};
    memcpy(t.frames, f, sizeof f);
    return t;
}

TEST(nt_hang_malformed_resources)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_thread_spec a = waiter_spec(0x200, 10);
    a.state = "Ready";
    uint64_t ta = kdx_scn_thread(scn, sys, &a);
    /* 1: shared, with an owner table that claims a million entries. */
    uint64_t big = kdx_scn_resource(scn, NULL);
    kdx_scn_resource_acquire(scn, big, ta, false);
    uint64_t table = kdx_scn_alloc(scn, 4 * kdx_scn_sizeof(scn, "_OWNER_ENTRY"), 16);
    kdx_scn_poke(scn, "_OWNER_ENTRY", table, "TableSize", 1000000);
    kdx_scn_poke(scn, ER, big, "OwnerTable", table);
    /* 2: a well-formed waiter chain. */
    uint64_t good = kdx_scn_resource(scn, NULL);
    kdx_scn_thread_spec w = waiter_spec(0x204, 20);
    uint64_t tw = kdx_scn_resource_waiter(scn, good, true, sys, &w);
    kdx_scn_resource_acquire(scn, good, ta, true);
    /* 3: ExclusiveWaiters pointing at something that is neither an event nor a waiter entry. */
    uint64_t bad = kdx_scn_resource(scn, NULL);
    kdx_scn_resource_acquire(scn, bad, tw, true);
    kdx_scn_poke(scn, ER, bad, "ExclusiveWaiters", big);
    kdx_scn_poke(scn, ER, bad, "NumberOfExclusiveWaiters", 1);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_malformed");
    REQUIRE(s);
    kdx_err err = {0};
    kdx_nt_resource r;
    CHECK_OK(kdx_nt_resource_read(s, big, &r, &err));
    CHECK(r.owner_table_unread);
    CHECK_CONTAINS(r.owners_why.msg, "claims 1000000 entries");
    CHECK_EQ(r.nowners, 1); /* OwnerEntry still answers */
    uint64_t thr[4];
    size_t n = 0;
    CHECK_OK(kdx_nt_resource_read(s, good, &r, &err));
    CHECK_OK(kdx_nt_resource_waiters(s, r.exclusive_object, thr, 4, &n, &err));
    CHECK_EQ(n, 1);
    CHECK_EQ(thr[0], tw);
    CHECK(kdx_nt_resource_waiters(s, big, thr, 4, &n, &err) != KDX_OK);
    CHECK_CONTAINS(err.msg, "does not hold a waiting thread");
    char *out = nt_fixture_run(s, "!locks");
    CHECK_CONTAINS(out, "(owner table not read: the owner table at ");
    CHECK_CONTAINS(out, "(exclusive waiters not listed: ExclusiveWaiters ");
    CHECK_CONTAINS(out, "3 total locks, 3 locks currently held\n");
    free(out);
    nt_fixture_close(s);
}

TEST(nt_hang_resource_list_loops_or_leaves_the_dump)
{
    for (int how = 0; how < 2; how++) {
        uint64_t sys;
        kdx_scn *scn = small_system(&sys);
        if (!scn)
            SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
        uint64_t r1 = kdx_scn_resource(scn, NULL), r2 = kdx_scn_resource(scn, NULL);
        (void)r1;
        uint64_t link = kdx_scn_offset(scn, ER, "SystemResourcesList");
        /* 0: r2 links back to r1 (a loop that misses the head); 1: into memory the dump lacks. */
        kdx_scn_poke(scn, ER, r2, "SystemResourcesList.Flink", how ? 0xffffc08b00000000ull : r1 + link);
        kdx_session *s = nt_fixture_open(scn, how ? "nt_hang_list_gap" : "nt_hang_list_loop");
        REQUIRE(s);
        res_list l = {{0}, 0};
        kdx_err err = {0};
        CHECK(kdx_nt_resource_walk(s, collect, &l, NULL, &err) != KDX_OK);
        CHECK_EQ(l.n, 2);
        CHECK_CONTAINS(err.msg, how ? "leaves the dump after 2 entries" : "loops");
        char *out = nt_fixture_run(s, "!locks");
        CHECK_CONTAINS(out, "2 total locks, 0 locks currently held\nThe count is incomplete: the resource list "
                            "(nt!ExpSystemResourcesList)");
        free(out);
        nt_fixture_close(s);
    }
}

/* Kernels before Windows 10 point ExclusiveWaiters at an event: the waiters are that event's wait list. */
TEST(nt_hang_event_waiters_of_older_kernels)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    uint64_t res = kdx_scn_resource(scn, NULL);
    uint64_t ev = kdx_scn_event(scn, KDX_SCN_SYNCHRONIZATION, false, NULL, 0);
    kdx_scn_thread_spec w = waiter_spec(0x300, 5);
    w.state = "Waiting";
    w.wait_reason = "WrResource";
    w.waits[w.nwaits++] = ev;
    uint64_t tw = kdx_scn_thread(scn, sys, &w);
    kdx_scn_poke(scn, ER, res, "ExclusiveWaiters", ev);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_event_waiters");
    REQUIRE(s);
    uint64_t thr[4];
    size_t n = 0;
    kdx_err err = {0};
    CHECK_OK(kdx_nt_resource_waiters(s, ev, thr, 4, &n, &err));
    CHECK_EQ(n, 1);
    CHECK_EQ(thr[0], tw);
    nt_fixture_close(s);
}

/* Two threads that each own the mutant the other waits for. */
TEST(nt_hang_mutant_deadlock)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    uint64_t m1 = kdx_scn_mutant(scn, 0, NULL, 0), m2 = kdx_scn_mutant(scn, 0, NULL, 0);
    kdx_scn_thread_spec a = waiter_spec(0x400, 50), b = waiter_spec(0x404, 40);
    a.state = b.state = "Waiting";
    a.wait_reason = b.wait_reason = "Executive";
    a.waits[a.nwaits++] = m2;
    b.waits[b.nwaits++] = m1;
    uint64_t ta = kdx_scn_thread(scn, sys, &a), tb = kdx_scn_thread(scn, sys, &b);
    kdx_scn_poke(scn, "_KMUTANT", m1, "OwnerThread", ta);
    kdx_scn_poke(scn, "_KMUTANT", m2, "OwnerThread", tb);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_mutants");
    REQUIRE(s);
    kdx_hang h;
    kdx_err err = {0};
    CHECK_OK(kdx_hang_analyze(s, &h, &err));
    CHECK_EQ(h.cycles.len, 1);
    CHECK_STR(h.bucket, "ANALYSIS_HANG_MUTANT_DEADLOCK_kdxscen!DispatchIoctl");
    CHECK_EQ(h.longest[0].thread, ta);
    kdx_hang_free(&h);
    char *out = nt_fixture_run(s, "!analyze -hang");
    CHECK_CONTAINS(out, " waits for Mutant ");
    free(out);
    nt_fixture_close(s);
}

static kdx_status gen_named(kdx_status (*gen)(const kdx_symprov *, const kdx_symfile_id *, const char *, kdx_err *),
                            const char *out, kdx_err *err)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    return gen(l, &id, out, err);
}

static kdx_status gen_hang(const char *out, kdx_err *err)
{
    return gen_named(kdx_scn_hang, out, err);
}

static kdx_status gen_apc_exit(const char *out, kdx_err *err)
{
    return gen_named(kdx_scn_apc_exit, out, err);
}

TEST_GENERATOR(nt_hang, gen_hang)
TEST_GENERATOR(nt_apc_exit, gen_apc_exit)

/* Lines of out that are !stacks thread lines ("   4.000108  ffff..."). */
static size_t thread_lines(const char *out, const char *state)
{
    size_t n = 0;
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        if (len > 13 && line[4] == '.' && line[11] == ' ' && line[12] == ' ' && strncmp(line, "Proc.", 5) &&
            strstr(line, state))
            n++;
    }
    return n;
}

TEST(nt_hang_stacks_filters_and_groups_by_process)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    char *path = kdx_asprintf("%s/nt_stacks_standard.dmp", kdx_test_tmpdir());
    kdx_err err = {0};
    REQUIRE(kdx_scn_standard(l, &id, 0, 0, path, &err) == KDX_OK);
    kdx_session *s = nt_fixture_open_path(path);
    free(path);
    REQUIRE(s);
    char *all = nt_fixture_run(s, "!stacks");
    CHECK_CONTAINS(all, "Proc.Thread  .Thread  Ticks   ThreadState Blocker\n");
    CHECK_CONTAINS(all, "                            [ffffc08bd0031b60 System]\n");
    CHECK_CONTAINS(all, " RUNNING    nt!KeBugCheckEx+0x");
    size_t blocked = thread_lines(all, " Blocked "), total = thread_lines(all, "");
    CHECK(total >= 500);
    CHECK(blocked > 300 && blocked < total); /* some threads are ready, standby, ... */
    /* Every blocked thread of the standard scenario waits through KeWait*, KeDelay* or KeRemoveQueue*. */
    char *wait = nt_fixture_run(s, "!stacks 2 Wait");
    size_t waits = thread_lines(wait, "");
    CHECK(waits > 0 && waits < total);
    CHECK_CONTAINS(wait, "                                                 nt!KiCommitThreadWait+0x");
    char *none = nt_fixture_run(s, "!stacks 0 NoSuchFunctionAnywhere");
    CHECK_EQ(thread_lines(none, ""), 0);
    CHECK_CONTAINS(none, "Threads Processed: ");
    free(all);
    free(wait);
    free(none);
    /* Ready threads wait in their processors' queues; !running shows what each processor runs. */
    char *ready = nt_fixture_run(s, "!ready 0");
    CHECK_CONTAINS(ready, "Processor 0: Ready Threads at priority 9\n    THREAD ");
    CHECK_CONTAINS(ready, " READY on processor 0\n");
    CHECK(!strstr(ready, "No threads in READY state"));
    free(ready);
    char *run = nt_fixture_run(s, "!running; !running -i -t");
    CHECK_CONTAINS(run, "System Processors:  (000000000000000f)\n  Idle Processors:  (000000000000000e)\n");
    CHECK_CONTAINS(run, "       Prcbs             Current         (pri) Next            (pri) Idle\n  0    ");
    CHECK_CONTAINS(run, "\n  3    ");                 /* -i: the idle processors too */
    CHECK_CONTAINS(run, "nt!KiIdleLoop+0x");         /* -t: their stacks */
    free(run);
    /* Sessions 0 and 1 from the processes; -s 1 makes one of its processes implicit. */
    char *ses = nt_fixture_run(s, "!session; !session -s 1; !process -1 0; !session -s 7");
    CHECK_CONTAINS(ses, "Sessions on machine: 2\nValid Sessions: 0 1\nCurrent Session none (the current process has none)\n");
    CHECK_CONTAINS(ses, "Using session 1\n");
    CHECK_CONTAINS(ses, "    SessionId: 1  Cid: ");
    CHECK_CONTAINS(ses, "Current Session 1\nSession 7 not found: no process of this dump belongs to it\n");
    free(ses);
    /* Kernel !handle: the implicit process's table (2 handles), one handle, a type filter, every process. */
    char *h = nt_fixture_run(s, "!handle; !handle 8 1; !handle 0 3 0 Event");
    CHECK_CONTAINS(h, "    Image: winlogon.exe\n\nHandle table at ");
    CHECK_CONTAINS(h, " with 2 entries in use\n\n0004: Object: ");
    CHECK_CONTAINS(h, ") Event\n    ObjectHeader: ");
    CHECK_CONTAINS(h, ") Process\n    ObjectHeader: ");
    CHECK_CONTAINS(h, "        HandleCount: 1  PointerCount: 1\n");
    CHECK_CONTAINS(h, "\n0008: Object: ");
    CHECK_CONTAINS(h, "GrantedAccess: 001fffff Entry: ");
    CHECK_CONTAINS(h, "GrantedAccess: 00100002 Entry: "); /* the handles deep in the 2- and 3-level tables */
    free(h);
    nt_fixture_close(s);
}

TEST(nt_hang_dpc_queues_and_a_loop)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_function(scn, "kdxscen!DpcRoutine", 0);
    kdx_scn_dpc(scn, 1, "kdxscen!DpcRoutine", false);
    kdx_scn_dpc(scn, 1, "nt!KiIdleLoop", false);
    kdx_scn_dpc(scn, 3, "kdxscen!DpcRoutine", true);
    /* Processor 2's queue: an entry that links to itself. */
    uint64_t looped = kdx_scn_dpc(scn, 2, "kdxscen!DpcRoutine", false);
    uint64_t link = looped + kdx_scn_offset(scn, "_KDPC", "DpcListEntry");
    kdx_scn_poke(scn, "_KDPC", looped, "DpcListEntry.Next", link);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_dpcs");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!dpcs; !dpcs 3; !dpcs 9");
    CHECK_CONTAINS(out, "CPU Type      KDPC      Function\n\n");
    CHECK_CONTAINS(out, "\n 1: Normal  : 0x");
    CHECK_CONTAINS(out, " kdxscen!DpcRoutine\n 1: Normal  : 0x");
    CHECK_CONTAINS(out, " nt!KiIdleLoop\n");
    CHECK_CONTAINS(out, " 2: Normal  : the queue loops at ");
    CHECK_CONTAINS(out, " 3: Threaded: 0x");
    CHECK_CONTAINS(out, "Processor 9 does not exist (the dump has 4)\n");
    free(out);
    nt_fixture_close(s);
}

TEST(nt_hang_timers_threads_dpcs_and_a_bad_encoding)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_function(scn, "kdxscen!TimerDpc", 0);
    kdx_scn_thread_spec w = waiter_spec(0x500, 30);
    w.state = "Waiting";
    w.wait_reason = "DelayExecution";
    w.wait_on_own_timer = true;
    uint64_t tw = kdx_scn_thread(scn, sys, &w);
    uint64_t now = 36000000000ull; /* the scenario's uptime (one hour) */
    kdx_scn_timer_arm(scn, tw + kdx_scn_offset(scn, "_KTHREAD", "Timer"), 1, now + 10000000ull, 0, 0);
    uint64_t dpc = kdx_scn_dpc_object(scn, "kdxscen!TimerDpc");
    uint64_t good = kdx_scn_timer(scn, KDX_SCN_SYNCHRONIZATION, NULL, 0);
    kdx_scn_timer_arm(scn, good, 2, now + 20000000ull, dpc, 500);
    /* A timer whose stored Dpc does not decode to a DPC object: said, never shown as a routine. */
    uint64_t bad = kdx_scn_timer(scn, KDX_SCN_SYNCHRONIZATION, NULL, 0);
    kdx_scn_timer_arm(scn, bad, 3, now + 30000000ull, dpc, 0);
    kdx_scn_poke(scn, "_KTIMER", bad, "Dpc", 0x1234);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_timers");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!timer");
    CHECK_CONTAINS(out, "Dump system timers\n\nInterrupt time: 61c46800 00000008 [ 2/21/2021 01:38:22.");
    CHECK_CONTAINS(out, "PROCESSOR 1 (nt!_KTIMER_TABLE ");
    CHECK_CONTAINS(out, "List Timer             Interrupt Low/High     Fire Time              DPC/thread\n");
    CHECK_CONTAINS(out, "    625cfe80 00000008 [ 2/21/2021 01:38:23."); /* one second after the crash */
    CHECK_CONTAINS(out, "  thread ");
    CHECK_CONTAINS(out, "kdxscen!TimerDpc (DPC @ ");
    CHECK_CONTAINS(out, "(periodic)\n");
    CHECK_CONTAINS(out, "DPC not decoded: KTIMER.Dpc 0000000000001234 decodes to ");
    CHECK_CONTAINS(out, "Total Timers: 3, Maximum List: 1\n");
    free(out);
    nt_fixture_close(s);
}

/* Queues that loop or leave the dump: the commands name the place and go on. */
TEST(nt_hang_ready_and_timer_queues_malformed)
{
    uint64_t sys;
    kdx_scn *scn = small_system(&sys);
    if (!scn)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_thread_spec a = waiter_spec(0x600, 0), b = waiter_spec(0x604, 0);
    a.state = b.state = "Ready";
    a.priority = b.priority = 9;
    uint64_t ta = kdx_scn_thread(scn, sys, &a), tb = kdx_scn_thread(scn, sys, &b);
    /* The second ready thread links back to the first: a loop that misses the queue's head. */
    kdx_scn_poke(scn, "_KTHREAD", tb, "WaitListEntry.Flink", ta + kdx_scn_offset(scn, "_KTHREAD", "WaitListEntry"));
    /* A timer whose list link points into memory the dump does not hold. */
    uint64_t t1 = kdx_scn_timer(scn, KDX_SCN_NOTIFICATION, NULL, 0);
    kdx_scn_timer_arm(scn, t1, 2, 36000000000ull + 1000, 0, 0);
    kdx_scn_poke(scn, "_KTIMER", t1, "TimerListEntry.Flink", 0xffffc08b00000000ull);
    kdx_session *s = nt_fixture_open(scn, "nt_hang_queues_bad");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!ready 0; !timer");
    CHECK_CONTAINS(out, "Processor 1: Ready Threads at priority 9\n    THREAD ");
    CHECK_CONTAINS(out, "(the ready queue of priority 9 on processor 1 loops: entry ");
    CHECK_CONTAINS(out, "PROCESSOR 2: timer list ");
    CHECK_CONTAINS(out, " on processor 2 leaves the dump after 1 entries");
    CHECK_CONTAINS(out, "Total Timers: 1, Maximum List: 1\n");
    free(out);
    nt_fixture_close(s);
}
