/* Driver Verifier's ring logs (!verifier 4, 8, 0x40, 0x100) on scenario
 * dumps laid out with the real 19041 symbol table: the leak scenario's logs
 * (counts from the scenario's declared constants, addresses read back from
 * the output, never typed offsets), a ring that wrapped round, and logs that
 * are corrupt or absent. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "analysis/verifier_hint.h"
#include "base/util.h"
#include "dump/scenario_pool.h"
#include "dump/scenario_vflog.h"
#include "nt/field.h"
#include "nt/verifier.h"
#include "target/memory.h"
#include "tests/unit/nt_fixture.h"

static unsigned occurrences(const char *text, const char *needle)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The leak scenario with every Verifier log, written and opened. */
static kdx_session *open_leak_logs(const char *name)
{
    kdx_symfile_id id;
    const kdx_symprov *layout = nt_fixture_layout(&id);
    if (!layout)
        return NULL;
    kdx_scn_leak_spec spec = {0};
    spec.leaks = 20;
    char *path = kdx_asprintf("%s/%s.dmp", kdx_test_tmpdir(), name);
    kdx_err err = {0};
    kdx_session *s = NULL;
    if (kdx_scn_pool_leak_logs(layout, &id, &spec, path, &err) == KDX_OK)
        s = nt_fixture_open_path(path);
    else
        fprintf(stderr, "leak scenario: %s\n", err.msg);
    free(path);
    return s;
}

#define LEAK_LOGS(var, name)                                                                   \
    if (!nt_fixture_layout(NULL))                                                              \
        SKIP("needs ../shared/testdata/%s (the layout), which is not present", NT_FIXTURE_ISF); \
    kdx_session *var = open_leak_logs(name);                                                   \
    REQUIRE(var)

/* The hexadecimal word after the first occurrence of prefix ("Irp "). */
static uint64_t hex_after(const char *text, const char *prefix)
{
    const char *p = strstr(text, prefix);
    return p ? strtoull(p + strlen(prefix), NULL, 16) : 0;
}

static char *run_fmt(kdx_session *s, const char *fmt, uint64_t v)
{
    char *cmd = kdx_asprintf(fmt, v);
    char *out = nt_fixture_run(s, cmd);
    free(cmd);
    return out;
}

TEST(vflog_leak_irp_log_rows_match_the_scenario)
{
    LEAK_LOGS(s, "vflog_irp");
    char *out = nt_fixture_run(s, "!verifier 100");
    CHECK_CONTAINS(out, "\nIRP log (IoAllocateIrp, IoCompleteRequest and IoCancelIrp calls):\n\n");
    char *want = kdx_asprintf("There are up to 0x%x entries in the log; all of them, most recent first:\n",
                              KDX_SCN_LEAK_IRP_LENGTH);
    CHECK_CONTAINS(out, want);
    free(want);
    want = kdx_asprintf("\n0x%x of 0x%x entries in use.\n", KDX_SCN_LEAK_IRP_EVENTS, KDX_SCN_LEAK_IRP_LENGTH);
    CHECK_CONTAINS(out, want);
    free(want);
    CHECK_EQ(occurrences(out, "\nIrp "), KDX_SCN_LEAK_IRP_EVENTS);
    CHECK_EQ(occurrences(out, " nt!IovAllocateIrp+0x1a\n"), KDX_SCN_LEAK_IRPS);
    CHECK_EQ(occurrences(out, " nt!IovCompleteRequest+0x24\n"), KDX_SCN_LEAK_IRPS);
    CHECK_EQ(occurrences(out, " leaky!DispatchIoctl+0x2c\n"), KDX_SCN_LEAK_IRPS);
    /* Every IRP is alive in the dump: its current stack location is read now. */
    CHECK_EQ(occurrences(out, "(now: stack location 1 of 1, IRP_MJ_DEVICE_CONTROL, minor 0x0)"),
             KDX_SCN_LEAK_IRP_EVENTS);
    /* Newest first: the cancel (the last event) comes before any allocation. */
    const char *cancel = strstr(out, " nt!IovCancelIrp+0x12\n"), *alloc = strstr(out, " nt!IovAllocateIrp+0x1a\n");
    CHECK(cancel && alloc && cancel < alloc);
    CHECK_CONTAINS(out, "KernelApcDisable = -1, SpecialApcDisable = 0\n");
    CHECK_CONTAINS(out, ", IRQL = 2, KernelApcDisable = 0");
    uint64_t last_irp = hex_after(out, "\nIrp ");
    /* ln resolves the driver's frame the log holds. */
    const char *frame = strstr(out, " leaky!DispatchIoctl+0x2c\n");
    REQUIRE(frame);
    const char *line = frame;
    while (line > out && line[-1] != '\n')
        line--;
    uint64_t ret = strtoull(line, NULL, 16);
    free(out);
    out = run_fmt(s, "ln %" PRIx64 "", ret);
    CHECK_CONTAINS(out, "leaky!DispatchIoctl+0x2c");
    free(out);
    /* One IRP's entries: allocated, completed, cancelled. */
    REQUIRE(last_irp);
    out = run_fmt(s, "!verifier 100 %" PRIx64 "", last_irp);
    CHECK_EQ(occurrences(out, "\nIrp "), 3);
    CHECK_CONTAINS(out, "; searching for IRP 0x");
    free(out);
    out = nt_fixture_run(s, "!verifier 100 2");
    CHECK_EQ(occurrences(out, "\nIrp "), 2);
    CHECK_CONTAINS(out, "; the 2 most recent:\n");
    free(out);
    /* JSON: the same entries, the log's description, the layout marked as kdx's. */
    s->json = true;
    out = nt_fixture_run(s, "!verifier 100");
    s->json = false;
    CHECK_EQ(occurrences(out, "\"irp\": \""), KDX_SCN_LEAK_IRP_EVENTS);
    want = kdx_asprintf("\"in_use\": %u,", KDX_SCN_LEAK_IRP_EVENTS);
    CHECK_CONTAINS(out, want);
    free(want);
    CHECK_CONTAINS(out, "\"wrapped\": false");
    CHECK_CONTAINS(out, "\"kernel_apc_disable\": -1");
    CHECK_CONTAINS(out, "\"symbol\": \"leaky!DispatchIoctl+0x2c\"");
    CHECK_CONTAINS(out, "\"layout_inferred\": true");
    free(out);
    nt_fixture_close(s);
}

TEST(vflog_leak_fault_pending_and_irql_logs)
{
    LEAK_LOGS(s, "vflog_other");
    char *out = nt_fixture_run(s, "!verifier");
    char *want = kdx_asprintf("\nVerify Level %x ... enabled options are:\n", KDX_SCN_LEAK_LOG_LEVEL);
    CHECK_CONTAINS(out, want);
    free(want);
    CHECK_CONTAINS(out, "      Inject random low-resource API failures\n");
    CHECK_CONTAINS(out, "      Force pending I/O requests enabled\n");
    free(out);
    out = nt_fixture_run(s, "!verifier ?");
    CHECK_CONTAINS(out, "!verifier 0x100 [Quantity|Address]  IRP log");
    free(out);
    out = nt_fixture_run(s, "!verifier -disable");
    CHECK_CONTAINS(out, "it needs a live target, and a dump cannot be changed.");
    free(out);
    /* Fault injection: four records unless a Quantity says otherwise. */
    out = nt_fixture_run(s, "!verifier 4");
    CHECK_CONTAINS(out, "\nFault injection trace log:\n\n");
    CHECK_EQ(occurrences(out, "\nThread "), KDX_SCN_LEAK_FAULTS < 4 ? KDX_SCN_LEAK_FAULTS : 4);
    CHECK_CONTAINS(out, " nt!VfFaultsInjectPoolAllocationFailure+0x1c\n");
    CHECK_CONTAINS(out, " leaky!LeakAlloc+0x");
    want = kdx_asprintf("\n0x%x of 0x%x entries in use.\n", KDX_SCN_LEAK_FAULTS, KDX_SCN_LEAK_FAULT_LENGTH);
    CHECK_CONTAINS(out, want);
    free(want);
    free(out);
    out = nt_fixture_run(s, "!verifier 4 0x40");
    CHECK_EQ(occurrences(out, "\nThread "), KDX_SCN_LEAK_FAULTS);
    free(out);
    /* The forced-pending log: every IRP forced pending, in array order. */
    out = nt_fixture_run(s, "!verifier 40");
    CHECK_CONTAINS(out, "\nForced pending IRP log:\n\n");
    CHECK_EQ(occurrences(out, "\nIrp "), KDX_SCN_LEAK_PENDING);
    CHECK_EQ(occurrences(out, " nt!VfPendingShouldForce+0x18\n"), KDX_SCN_LEAK_PENDING);
    CHECK_CONTAINS(out, "(nt!VfForcedPendingLog has no index global in the loaded symbols: entries are in array order");
    free(out);
    /* The pool log newest first too: the scenario allocates upwards, so
     * the blocks come in falling address order, the most recent first. */
    out = nt_fixture_run(s, "!verifier 80 0x40");
    unsigned blocks = 0;
    uint64_t prev = UINT64_MAX;
    bool falling = true;
    for (const char *p = strstr(out, "\nPool block "); p; p = strstr(p + 1, "\nPool block ")) {
        uint64_t a = strtoull(p + strlen("\nPool block "), NULL, 16);
        falling = falling && a < prev;
        prev = a, blocks++;
    }
    CHECK_EQ(blocks, 20);
    CHECK(falling);
    free(out);
    /* IRQL changes in the driver, newest first. */
    out = nt_fixture_run(s, "!verifier 8 0x40");
    CHECK_EQ(occurrences(out, "\nThread:     "), KDX_SCN_LEAK_IRQLS);
    char *newest = kdx_asprintf(" leaky!DispatchIoctl+0x%x\n", 0x20 + KDX_SCN_LEAK_IRQLS - 1);
    char *oldest = kdx_asprintf(" leaky!DispatchIoctl+0x%x\n", 0x20);
    const char *n = strstr(out, newest), *o = strstr(out, oldest);
    CHECK(n && o && n < o);
    free(newest);
    free(oldest);
    free(out);
    nt_fixture_close(s);
}

static kdx_status poke(kdx_session *s, const char *sym, uint64_t v, size_t size)
{
    uint64_t at;
    kdx_status st = kdx_nt_symbol(s, sym, &at, NULL);
    uint8_t b[8];
    for (size_t i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return st == KDX_OK ? kdx_write_virt(s->target, at, b, size, NULL) : st;
}

static int count_cb(void *ud, const kdx_vf_trace *t)
{
    (void)t;
    ++*(unsigned *)ud;
    return 0;
}

#define WRAP_EVENTS 40u
#define WRAP_LENGTH 16u
#define WRAP_IRP(k) ((uint64_t)0xffffc08bd0400000ull + 0x1000u * (uint64_t)(k))

/* More events than slots: the ring keeps the newest WRAP_LENGTH and says
 * it wrapped; then the log made corrupt, absent, and interrupted. */
TEST(vflog_ring_wraps_and_corrupt_or_absent_logs)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_scn_vf_event e[WRAP_EVENTS];
    memset(e, 0, sizeof e);
    for (unsigned k = 0; k < WRAP_EVENTS; k++) {
        e[k].irp = WRAP_IRP(k), e[k].thread = 0xffffc08bd0031040ull;
        e[k].stack[0] = kdx_scn_code(scn, "nt!IovAllocateIrp", 0x1a), e[k].nstack = 1;
    }
    kdx_scn_vf_ring_log(scn, KDX_SCN_VF_IRP_LOG, e, WRAP_EVENTS, WRAP_LENGTH);
    kdx_session *s = nt_fixture_open(scn, "vflog_wrap");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!verifier 100");
    char *want = kdx_asprintf("\n0x%x of 0x%x entries in use; the log is full: it has wrapped around and older "
                              "entries were overwritten.\n", WRAP_LENGTH, WRAP_LENGTH);
    CHECK_CONTAINS(out, want);
    free(want);
    CHECK_EQ(hex_after(out, "\nIrp "), WRAP_IRP(WRAP_EVENTS - 1));
    char *kept = kdx_asprintf("\nIrp %016" PRIx64 ",", WRAP_IRP(WRAP_EVENTS - WRAP_LENGTH));
    char *lost = kdx_asprintf("\nIrp %016" PRIx64 ",", WRAP_IRP(WRAP_EVENTS - WRAP_LENGTH - 1));
    CHECK_CONTAINS(out, kept);
    CHECK(!strstr(out, lost));
    free(kept);
    free(lost);
    /* The IRPs themselves are not in this dump: said, never guessed. */
    CHECK_CONTAINS(out, "(the IRP cannot be read now: ");
    free(out);
    out = run_fmt(s, "!verifier 100 %" PRIx64 "", WRAP_IRP(WRAP_EVENTS - WRAP_LENGTH - 1));
    CHECK_CONTAINS(out, "No log entry holds IRP 0x");
    free(out);
    /* No fault log was written: the command names the global it could not read. */
    out = nt_fixture_run(s, "!verifier 4");
    CHECK_CONTAINS(out, "nt!ViFaultTraces (at ");
    CHECK_CONTAINS(out, ") cannot be read: ");
    free(out);
    /* Interrupted, the walk stops and says where. */
    kdx_vf_log_info info;
    kdx_err err = {0};
    unsigned n = 0;
    kdx_interrupt_request();
    CHECK(kdx_vf_log_walk_recent(s, KDX_VF_IRP_LOG, count_cb, &n, &info, &err) == KDX_E_INTERRUPTED);
    kdx_interrupt_clear();
    CHECK_CONTAINS(err.msg, "parsing nt!IovIrpTraces interrupted after 0 entries");
    CHECK_EQ(n, 0);
    /* A length no log has. */
    CHECK_OK(poke(s, "nt!IovIrpTracesLength", 0x7fffffff, 4));
    out = nt_fixture_run(s, "!verifier 100");
    CHECK_CONTAINS(out, "nt!IovIrpTracesLength is 2147483647, beyond what kdx accepts");
    free(out);
    /* The array moved to memory the dump does not hold: the newest slot is
     * the first read, and the message names it. */
    CHECK_OK(poke(s, "nt!IovIrpTracesLength", WRAP_LENGTH, 4));
    CHECK_OK(poke(s, "nt!IovIrpTraces", 0xffffc08bfff00000ull, 8));
    out = nt_fixture_run(s, "!verifier 100");
    unsigned newest = (WRAP_EVENTS % WRAP_LENGTH + WRAP_LENGTH - 1) % WRAP_LENGTH;
    uint64_t esz = 0;
    CHECK_OK(kdx_nt_sizeof(s, "nt!_IOV_IRP_TRACE", &esz, &err));
    want = kdx_asprintf("nt!IovIrpTraces entry %u (%016" PRIx64 ") cannot be read: ", newest,
                        (uint64_t)0xffffc08bfff00000ull + newest * esz);
    CHECK_CONTAINS(out, want);
    free(want);
    free(out);
    /* Never allocated. */
    CHECK_OK(poke(s, "nt!IovIrpTraces", 0, 8));
    out = nt_fixture_run(s, "!verifier 100");
    CHECK_CONTAINS(out, "nt!IovIrpTraces is NULL: the log was never allocated (the option that fills it, "
                        "I/O verification (0x10), is off)");
    free(out);
    nt_fixture_close(s);
}

/* Each Verifier bug check's sub-code leads to the log that holds its
 * history, with the address from the right parameter. */
TEST(vflog_hints_by_subcode)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_session *s = nt_fixture_open(scn, "vflog_hints");
    REQUIRE(s);
    const uint64_t addr = 0xffffc08bd0035010ull, irp = 0xffffc08bd0440000ull;
    struct {
        uint32_t code;
        uint64_t args[4];
        char *want;
    } cases[] = {
        {0xc4, {0x10, addr, 0, 0}, kdx_asprintf("!verifier 80 %" PRIx64, addr)},
        {0xc4, {0x12, 2, 0, addr}, kdx_asprintf("!verifier 80 %" PRIx64 "; !verifier 8", addr)},
        {0xc4, {0x2, 0xf, 0, 0x40}, kdx_strdup("!verifier 8")},
        {0xc4, {0x1000, addr, 0, 0}, kdx_strdup("!verifier 3")},
        {0xc9, {0x1, irp, 0, 0}, kdx_asprintf("!verifier 100 %" PRIx64, irp)},
        {0xc9, {0x6, 0x103, irp, 0}, kdx_asprintf("!verifier 100 %" PRIx64, irp)},
        {0xc9, {0x5, addr, 0, 2}, kdx_strdup("!verifier 100")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *h = kdx_verifier_hint(s, cases[i].code, cases[i].args);
        CHECK_STR(h, cases[i].want);
        free(h);
        free(cases[i].want);
    }
    /* A double free names the header; the block follows it by the header's size. */
    uint64_t header = 0;
    CHECK_OK(kdx_nt_sizeof(s, "nt!_POOL_HEADER", &header, NULL));
    uint64_t dbl[4] = {0x13, 0, addr, 0};
    char *h = kdx_verifier_hint(s, 0xc4, dbl);
    char *want = kdx_asprintf("!pool %" PRIx64 "; !verifier 80 %" PRIx64, addr, addr + header);
    CHECK_STR(h, want);
    free(h);
    free(want);
    nt_fixture_close(s);
}

/* 0xC9/0x7 (IoCompleteRequest with the cancel routine still set): !analyze
 * names the IRP's entries in the IRP log, and that command shows them. */
TEST(vflog_c9_analysis_leads_to_the_irps_log_entries)
{
    NT_SCENARIO(scn);
    nt_fixture_system(scn);
    kdx_scn_irp_location loc = {0};
    loc.major = 0xe;
    uint64_t irp = kdx_scn_irp(scn, 0, &loc, 1, 1, 0), other = kdx_scn_irp(scn, 0, &loc, 1, 1, 0);
    kdx_scn_vf_event e[3];
    memset(e, 0, sizeof e);
    const uint64_t irps[3] = {irp, other, irp};
    for (unsigned k = 0; k < 3; k++) {
        e[k].irp = irps[k], e[k].thread = 0xffffc08bd0031040ull;
        e[k].stack[0] = kdx_scn_code(scn, k ? "nt!IovCompleteRequest" : "nt!IovAllocateIrp", 0x1a);
        e[k].nstack = 1;
    }
    kdx_scn_vf_ring_log(scn, KDX_SCN_VF_IRP_LOG, e, 3, 0x20);
    uint64_t args[4] = {0x7, kdx_scn_code(scn, "nt!IoCancelIrp", 0), irp, 0};
    kdx_scn_bugcheck(scn, 0xc9, args);
    kdx_session *s = nt_fixture_open(scn, "vflog_c9");
    REQUIRE(s);
    char *out = nt_fixture_run(s, "!analyze -v");
    char *cmd = kdx_asprintf("!verifier 100 %" PRIx64, irp);
    char *line = kdx_asprintf("\nVERIFIER_COMMAND:  %s\n", cmd);
    CHECK_CONTAINS(out, "DRIVER_VERIFIER_IOMANAGER_VIOLATION (c9)");
    CHECK_CONTAINS(out, line);
    free(out);
    out = nt_fixture_run(s, cmd);
    CHECK_EQ(occurrences(out, "\nIrp "), 2);
    CHECK_CONTAINS(out, " nt!IovAllocateIrp+0x1a\n");
    CHECK_CONTAINS(out, "(now: stack location 1 of 1, IRP_MJ_DEVICE_CONTROL, minor 0x0)");
    free(out);
    free(cmd);
    free(line);
    nt_fixture_close(s);
}

static kdx_status gen_leak_logs(const char *out, kdx_err *err)
{
    kdx_symfile_id id;
    const kdx_symprov *layout = nt_fixture_layout(&id);
    if (!layout)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    kdx_scn_leak_spec spec = {0};
    spec.leaks = 20;
    return kdx_scn_pool_leak_logs(layout, &id, &spec, out, err);
}

TEST_GENERATOR(verifier_logs, gen_leak_logs)
