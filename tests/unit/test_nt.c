/* The nt layer on scenario dumps laid out with the real 19041 symbol table:
 * typed reads (alternatives, bit fields, signed fields, partial snapshots),
 * list walks against loops, gaps and NULL links, object headers with a good
 * and a wrong type index, names and directories, handle tables of each
 * depth with a missing page, wait blocks, APC state, thread contexts and
 * processors. Every address and value checked comes from the writer, never
 * from an offset typed here. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "expr/expr.h"
#include "nt/apc.h"
#include "nt/field.h"
#include "nt/handle.h"
#include "nt/object.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "nt/thread.h"
#include "nt/wait.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "tests/unit/nt_fixture.h"
#include "unwind/unwind.h"

#define EP "nt!_EPROCESS"
#define ET "nt!_ETHREAD"

static uint64_t waiting_thread(kdx_scn *s, uint64_t process, uint32_t tid, uint64_t object, const char *reason)
{
    kdx_scn_thread_spec ts = {0};
    ts.tid = tid;
    ts.state = "Waiting";
    ts.wait_reason = reason;
    ts.cpu = 1;
    ts.waits[0] = object;
    ts.nwaits = object != 0;
    const char *frames[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait",
                            "nt!KeWaitForSingleObject", "kdxscen!WaitForEvent", "nt!PspSystemThreadStartup",
                            "nt!KiStartSystemThread"};
    memcpy(ts.frames, frames, sizeof frames);
    return kdx_scn_thread(s, process, &ts);
}

TEST(nt_field_alternatives_bitfields_and_signs)
{
    NT_SCENARIO(scn);
    uint64_t sys = nt_fixture_system(scn);
    kdx_scn_thread_spec ts = {0};
    ts.tid = 0x200, ts.state = "Waiting", ts.wait_reason = "Executive", ts.alertable = true;
    ts.kernel_apc_disable = -1;
    ts.frames[0] = "nt!KiSwapContext", ts.frames[1] = "nt!KiStartSystemThread";
    uint64_t th = kdx_scn_thread(scn, sys, &ts);
    kdx_session *s = nt_fixture_open(scn, "nt_fields");
    REQUIRE(s);
    uint64_t v = 0;
    kdx_err err = {0};
    CHECK_OK(kdx_nt_read(s, EP, sys, "NoSuchField|UniqueProcessId", &v, &err));
    CHECK_EQ(v, 4);
    CHECK(kdx_nt_read(s, EP, sys, "NoSuchField|NorThisOne", &v, &err) == KDX_E_NOT_FOUND);
    CHECK_CONTAINS(err.msg, "none of the fields NoSuchField|NorThisOne");
    CHECK_OK(kdx_nt_read(s, ET, th, "Tcb.Alertable", &v, &err));
    CHECK_EQ(v, 1);
    CHECK_OK(kdx_nt_read(s, ET, th, "Tcb.KernelApcDisable", &v, &err));
    CHECK_EQ(v, (uint64_t)-1);
    const char *name = kdx_nt_wait_reason_name(s, 0);
    CHECK_STR(name, "Executive");
    nt_fixture_close(s);
}

TEST(nt_snapshot_names_fields_on_a_missing_page)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    /* An ETHREAD whose first 0x100 bytes are on a page and whose rest is not in the dump. */
    uint64_t page = 0xffffc08bee000000ull, at = page + 0x1000 - 0x100;
    uint8_t head[0x100] = {0};
    kdx_err err = {0};
    CHECK_OK(kdx_kdw_write_virt(kdx_scn_writer(scn), at, head, sizeof head, &err));
    kdx_session *s = nt_fixture_open(scn, "nt_snapshot");
    REQUIRE(s);
    kdx_nt_obj o;
    REQUIRE(kdx_nt_obj_read(s, ET, at, &o, &err) == KDX_OK);
    CHECK(!kdx_nt_obj_complete(&o));
    uint64_t v;
    CHECK_OK(kdx_nt_obj_get(&o, "Tcb.InitialStack", &v, &err));
    kdx_status st = kdx_nt_obj_get(&o, "Cid.UniqueThread", &v, &err);
    CHECK(st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID);
    CHECK_CONTAINS(err.msg, "nt!_ETHREAD.Cid.UniqueThread");
    kdx_nt_obj_free(&o);
    st = kdx_nt_obj_read(s, ET, page + 0x10000, &o, &err);
    CHECK(st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID);
    nt_fixture_close(s);
}

static int count_cb(void *ud, uint64_t object, size_t index)
{
    (void)object, (void)index;
    (*(size_t *)ud)++;
    return 0;
}

/* Three processes; the list is then broken the way test asks. */
static kdx_session *broken_list(const char *name, int how)
{
    kdx_scn *scn = nt_fixture_scenario();
    if (!scn)
        return NULL;
    nt_fixture_system(scn);
    uint64_t p[3];
    for (int i = 0; i < 3; i++) {
        kdx_scn_process_spec sp = {"loop.exe", 0x400 + 4u * (unsigned)i, 4, 1, 0, false, 0};
        p[i] = kdx_scn_process(scn, &sp);
    }
    uint64_t link = kdx_scn_offset(scn, "_EPROCESS", "ActiveProcessLinks");
    /* 1: p[2] loops back to p[0]; 2: p[1] leads out of the dump; 3: p[1]'s Flink is NULL. */
    uint64_t target = how == 1 ? p[0] + link : how == 2 ? 0xffffc08bef000000ull : 0;
    kdx_scn_poke(scn, "_EPROCESS", p[how == 1 ? 2 : 1], "ActiveProcessLinks.Flink", target);
    return nt_fixture_open(scn, name);
}

TEST(nt_list_walk_guards)
{
    struct {
        int how;
        kdx_nt_list_end end;
        const char *msg;
        size_t count;
    } cases[] = {{1, KDX_NT_LIST_LOOP, "loops: entry", 4},
                 {2, KDX_NT_LIST_MISSING, "leaves the dump after 3 entries", 3},
                 {3, KDX_NT_LIST_NULL, "ends in a NULL Flink after 3 entries", 3}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(cases); i++) {
        kdx_session *s = broken_list("nt_list", cases[i].how);
        if (!s)
            SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
        size_t n = 0;
        kdx_nt_list_result r;
        kdx_err err = {0};
        CHECK(kdx_nt_process_walk(s, count_cb, &n, &r, &err) != KDX_OK);
        CHECK_EQ(r.end, cases[i].end);
        CHECK_EQ(n, cases[i].count); /* System and the processes before the break */
        CHECK_CONTAINS(err.msg, cases[i].msg);
        nt_fixture_close(s);
    }
}

TEST(nt_object_headers_names_and_wrong_index)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    uint64_t dir = kdx_scn_directory(scn, 0, "BaseNamedObjects");
    uint64_t ev = kdx_scn_event(scn, KDX_SCN_NOTIFICATION, true, "KdxTestEvent", dir);
    uint64_t bad = kdx_scn_event(scn, KDX_SCN_NOTIFICATION, false, NULL, 0);
    kdx_session *s = nt_fixture_open(scn, "nt_objects");
    REQUIRE(s);
    kdx_nt_object o;
    kdx_err err = {0};
    /* Make bad's stored index decode to 0xff, which no type has (edited in the overlay). */
    uint64_t hdr, cookie_at, index_off;
    uint8_t cookie;
    REQUIRE(kdx_nt_object_header_of(s, bad, &hdr, &err) == KDX_OK);
    REQUIRE(kdx_nt_symbol(s, "nt!ObHeaderCookie", &cookie_at, &err) == KDX_OK);
    REQUIRE(kdx_read_u8(s->target, cookie_at, &cookie, &err) == KDX_OK);
    REQUIRE(kdx_nt_offset(s, "nt!_OBJECT_HEADER", "TypeIndex", &index_off, &err) == KDX_OK);
    uint8_t raw = (uint8_t)(0xff ^ cookie ^ (uint8_t)(hdr >> 8));
    CHECK_OK(kdx_write_virt(s->target, hdr + index_off, &raw, 1, &err));
    REQUIRE(kdx_nt_object_read(s, ev, &o, &err) == KDX_OK);
    CHECK_STR(o.type_name, "Event");
    CHECK(o.cookie_applied);
    char name[64], path[128];
    uint64_t d;
    CHECK_OK(kdx_nt_object_name(s, &o, &d, name, sizeof name, &err));
    CHECK_STR(name, "KdxTestEvent");
    CHECK_EQ(d, dir);
    CHECK_OK(kdx_nt_object_path(s, &o, path, sizeof path, &err));
    CHECK_STR(path, "\\BaseNamedObjects\\KdxTestEvent");
    uint64_t found = 0;
    CHECK_OK(kdx_nt_object_lookup(s, "\\basenamedobjects\\KDXTESTEVENT", &found, &err));
    CHECK_EQ(found, ev);
    CHECK(kdx_nt_object_lookup(s, "\\BaseNamedObjects\\Nope", &found, &err) == KDX_E_NOT_FOUND);
    CHECK(kdx_nt_object_read(s, bad, &o, &err) == KDX_E_FORMAT);
    CHECK_CONTAINS(err.msg, "ObTypeIndexTable[0xff] is NULL");
    nt_fixture_close(s);
}

typedef struct handle_seen {
    uint64_t values[8], objects[8];
    size_t n;
} handle_seen;

static int note_handle(void *ud, const kdx_nt_handle *h)
{
    handle_seen *hs = ud;
    if (hs->n < 8) {
        hs->values[hs->n] = h->value;
        hs->objects[hs->n++] = h->object;
    }
    return 0;
}

TEST(nt_handle_tables_of_each_depth)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    uint64_t ev = kdx_scn_event(scn, KDX_SCN_SYNCHRONIZATION, false, NULL, 0);
    uint64_t hdr = ev - kdx_scn_offset(scn, "_OBJECT_HEADER", "Body");
    uint64_t procs[3], far[3] = {0x10, 0x4004, 0x80008};
    for (unsigned i = 0; i < 3; i++) {
        kdx_scn_process_spec sp = {"handles.exe", 0x400 + 4 * i, 4, 1, 0, false, i + 1};
        procs[i] = kdx_scn_process(scn, &sp);
        kdx_scn_handle(scn, procs[i], ev, 0x1f0003, 0);
        kdx_scn_handle(scn, procs[i], ev, 0x100002, far[i]);
    }
    kdx_session *s = nt_fixture_open(scn, "nt_handles");
    REQUIRE(s);
    for (unsigned i = 0; i < 3; i++) {
        uint64_t table;
        kdx_nt_handle_table ht;
        kdx_err err = {0};
        REQUIRE(kdx_nt_read(s, EP, procs[i], "ObjectTable", &table, &err) == KDX_OK);
        REQUIRE(kdx_nt_handle_table_read(s, table, &ht, &err) == KDX_OK);
        CHECK_EQ(ht.levels, i);
        handle_seen hs = {0};
        uint64_t skipped = 0;
        CHECK_OK(kdx_nt_handle_walk(s, &ht, note_handle, &hs, &skipped, &err));
        CHECK_EQ(skipped, 0);
        REQUIRE(hs.n == 2);
        CHECK_EQ(hs.values[0], 4);
        CHECK_EQ(hs.values[1], far[i]);
        CHECK_EQ(hs.objects[1], hdr);
        kdx_nt_handle h;
        CHECK_OK(kdx_nt_handle_lookup(s, &ht, far[i], &h, &err));
        CHECK_EQ(h.object, hdr);
        CHECK_EQ(h.access, 0x100002);
        CHECK(kdx_nt_handle_lookup(s, &ht, 8, &h, &err) == KDX_E_NOT_FOUND);
    }
    nt_fixture_close(s);
}

TEST(nt_handle_table_page_missing)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    uint64_t ev = kdx_scn_event(scn, KDX_SCN_SYNCHRONIZATION, false, NULL, 0);
    kdx_scn_process_spec sp = {"gap.exe", 0x400, 4, 1, 0, false, 2};
    uint64_t p = kdx_scn_process(scn, &sp);
    kdx_scn_handle(scn, p, ev, 1, 0);
    kdx_scn_handle(scn, p, ev, 1, 0x4004);
    kdx_session *s = nt_fixture_open(scn, "nt_handle_gap");
    REQUIRE(s);
    uint64_t table;
    kdx_nt_handle_table ht;
    kdx_err err = {0};
    REQUIRE(kdx_nt_read(s, EP, p, "ObjectTable", &table, &err) == KDX_OK);
    REQUIRE(kdx_nt_handle_table_read(s, table, &ht, &err) == KDX_OK);
    /* Point the second low-level page at memory the dump lacks (through the overlay edit). */
    uint64_t bad = 0xffffc08bef000000ull;
    int ps = s->target->ptr_size;
    CHECK_OK(kdx_write_virt(s->target, (ht.table_code & ~3ull) + 16 * (uint64_t)ps, &bad, (size_t)ps, &err));
    handle_seen hs = {0};
    uint64_t skipped = 0;
    kdx_err why = {0};
    CHECK_OK(kdx_nt_handle_walk(s, &ht, note_handle, &hs, &skipped, &why));
    CHECK_EQ(hs.n, 1);
    CHECK(skipped > 0);
    CHECK(why.code == KDX_E_MEM_MISSING || why.code == KDX_E_MEM_INVALID);
    nt_fixture_close(s);
}

TEST(nt_waits_apcs_and_contexts)
{
    NT_SCENARIO(scn);
    uint64_t sys = nt_fixture_system(scn);
    kdx_scn_function(scn, "kdxscen!ApcRoutine", 0);
    uint64_t ev = kdx_scn_event(scn, KDX_SCN_SYNCHRONIZATION, false, NULL, 0);
    uint64_t owner = waiting_thread(scn, sys, 0x300, ev, "Executive");
    uint64_t mut = kdx_scn_mutant(scn, owner, NULL, 0);
    kdx_scn_thread_spec ts = {0};
    ts.tid = 0x304, ts.state = "Waiting", ts.wait_reason = "UserRequest", ts.cpu = 2;
    ts.waits[0] = ev, ts.waits[1] = mut, ts.nwaits = 2;
    ts.kernel_apcs = 2, ts.apc_routine = "kdxscen!ApcRoutine", ts.kernel_apc_disable = -1;
    const char *frames[] = {"nt!KiSwapContext", "nt!KiSwapThread", "nt!KiCommitThreadWait",
                            "nt!KeWaitForMultipleObjects", "kdxscen!WaitForMany", "nt!KiStartSystemThread"};
    memcpy(ts.frames, frames, sizeof frames);
    uint64_t th = kdx_scn_thread(scn, sys, &ts);
    uint64_t rsp = kdx_scn_thread_rsp(scn, th);
    uint64_t swap_ret = kdx_scn_code(scn, "nt!KiSwapContext", 0);
    uint64_t apc_routine = kdx_scn_code(scn, "kdxscen!ApcRoutine", 0);
    kdx_session *s = nt_fixture_open(scn, "nt_waits");
    REQUIRE(s);
    kdx_nt_wait_block b[4];
    size_t n = 0;
    kdx_err err = {0};
    CHECK_OK(kdx_nt_thread_waits(s, th, b, 4, &n, &err));
    REQUIRE(n == 2);
    char text[96];
    kdx_nt_wait_object_text(s, &b[0], text, sizeof text);
    CHECK_STR(text, "SynchronizationEvent");
    CHECK_EQ(b[1].owner, owner);
    kdx_nt_wait_object_text(s, &b[1], text, sizeof text);
    CHECK(kdx_starts_with(text, "Mutant - owning thread "));
    kdx_nt_apc_state as;
    uint64_t off;
    REQUIRE(kdx_nt_offset(s, "nt!_KTHREAD", "ApcState", &off, &err) == KDX_OK);
    CHECK_OK(kdx_nt_apc_state_read(s, th + off, &as, &err));
    CHECK(as.kernel_pending);
    CHECK_EQ(as.process, sys);
    int64_t kd, sd;
    CHECK_OK(kdx_nt_thread_apc_disable(s, th, &kd, &sd, &err));
    CHECK_EQ(kd, -1);
    kdx_nt_list_result r;
    CHECK_OK(kdx_nt_apc_walk(s, &as, 0, NULL, NULL, &r, &err));
    CHECK_EQ(r.count, 2);
    kdx_context ctx;
    int cpu;
    kdx_nt_ctx_source src;
    CHECK_OK(kdx_nt_thread_context(s, th, &ctx, &cpu, &src, &err));
    CHECK_EQ(cpu, -1);
    CHECK_EQ(kdx_ctx_sp(&ctx), rsp);
    CHECK(kdx_ctx_ip(&ctx) > swap_ret && kdx_ctx_ip(&ctx) < swap_ret + 0x200);
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    kdx_stack st = {0};
    CHECK_OK(kdx_stack_walk(&env, &ctx, 64, &st, &err));
    CHECK_EQ(st.len, 6);
    if (st.len)
        CHECK_EQ(st.frames[st.len - 1].end, KDX_FRAME_END_ZERO);
    kdx_stack_free(&st);
    (void)apc_routine;
    nt_fixture_close(s);
}

TEST(nt_processors_and_current_objects)
{
    NT_SCENARIO(scn);
    uint64_t sys = nt_fixture_system(scn);
    uint64_t dtb = kdx_kdw_dtb(kdx_scn_writer(scn));
    kdx_session *s = nt_fixture_open(scn, "nt_cpus");
    REQUIRE(s);
    CHECK_EQ(kdx_nt_processor_count(s), 4);
    uint64_t prcb, pcr, v, thread;
    kdx_err err = {0};
    CHECK_OK(kdx_nt_prcb(s, 2, &prcb, &err));
    CHECK_OK(kdx_nt_pcr(s, 2, &pcr, &err));
    CHECK_OK(kdx_nt_read(s, "nt!_KPCR", pcr, "Self", &v, &err));
    CHECK_EQ(v, pcr);
    CHECK_OK(kdx_nt_special_register(s, 2, "Cr3", &v, &err));
    CHECK_EQ(v, dtb);
    CHECK_OK(kdx_expr_eval_all(s, "@$prcb", &v, &err));
    CHECK_OK(kdx_nt_prcb(s, 0, &prcb, &err));
    CHECK_EQ(v, prcb);
    CHECK_OK(kdx_nt_current_thread(s, &thread, &err));
    CHECK_EQ(kdx_nt_thread_running_on(s, thread), 0);
    CHECK_OK(kdx_nt_current_process(s, &v, &err));
    CHECK_EQ(v, sys);
    CHECK_OK(kdx_nt_thread_by_cid(s, 0x104, &v, &err));
    CHECK_OK(kdx_nt_processor_thread(s, 1, &thread, &err));
    CHECK_EQ(v, thread);
    CHECK_OK(kdx_nt_process_by_cid(s, 4, &v, &err));
    CHECK_EQ(v, sys);
    CHECK_STR(kdx_nt_irql_name(KDX_ARCH_X64, 2), "DISPATCH_LEVEL");
    nt_fixture_close(s);
}

typedef struct census {
    kdx_session *s;
    size_t processes, threads, full_stacks;
    bool reasons[64];
} census;

static int count_thread(void *ud, uint64_t thread, size_t index)
{
    census *c = ud;
    uint64_t state, reason;
    (void)index;
    c->threads++;
    const char *name;
    if (kdx_nt_read(c->s, ET, thread, "Tcb.State", &state, NULL) == KDX_OK &&
        (name = kdx_nt_thread_state_name(c->s, state)) && !strcmp(name, "Waiting") &&
        kdx_nt_read(c->s, ET, thread, "Tcb.WaitReason", &reason, NULL) == KDX_OK && reason < 64)
        c->reasons[reason] = true;
    kdx_context ctx;
    kdx_unwind_env env;
    kdx_stack st = {0};
    kdx_unwind_env_for_session(c->s, &env);
    if (kdx_nt_thread_context(c->s, thread, &ctx, NULL, NULL, NULL) == KDX_OK &&
        kdx_stack_walk(&env, &ctx, 64, &st, NULL) == KDX_OK && st.len >= 1 &&
        st.frames[st.len - 1].end == KDX_FRAME_END_ZERO)
        c->full_stacks++;
    kdx_stack_free(&st);
    return 0;
}

static int count_process(void *ud, uint64_t process, size_t index)
{
    census *c = ud;
    (void)index;
    c->processes++;
    kdx_nt_process_threads(c->s, process, count_thread, c, NULL, NULL);
    return 0;
}

TEST(nt_standard_scenario_every_wait_reason_and_stack)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        SKIP("needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    char *path = kdx_asprintf("%s/nt_standard.dmp", kdx_test_tmpdir());
    kdx_err err = {0};
    REQUIRE(kdx_scn_standard(l, &id, 0, 0, path, &err) == KDX_OK);
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = kdx_session_new(null);
    char *isf = kdx_strdup(kdx_testdata_path("isf"));
    kdx_sym_set_path(s, isf, false);
    free(isf);
    REQUIRE(kdx_session_open(s, path, &err) == KDX_OK);
    census c = {s, 0, 0, 0, {0}};
    CHECK_OK(kdx_nt_process_walk(s, count_process, &c, NULL, &err));
    CHECK(c.processes >= 50);
    CHECK(c.threads >= 500);
    CHECK_EQ(c.full_stacks, c.threads);
    int64_t max = 0;
    CHECK_OK(kdx_nt_enum_value(s, "nt!_KWAIT_REASON", "MaximumWaitReason", &max, &err));
    for (int64_t r = 0; r < max && r < 64; r++)
        if (!c.reasons[r])
            kdx_test_fail(t, __FILE__, __LINE__, "no thread waits for %s", kdx_nt_wait_reason_name(s, (uint64_t)r));
    kdx_session_free(s);
    fclose(null);
    free(path);
}
