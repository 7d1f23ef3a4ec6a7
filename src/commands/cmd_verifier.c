/* Driver Verifier: !verifier [Flags [Image]], !verifier 0x80 [Address|Quantity],
 * !verifier 0x200 [Address]; the ring logs 4, 8, 0x40 and 0x100 are in
 * cmd_verifier_logs.c. Layouts (the NTDebugging articles' transcripts) and the
 * flags' meaning (Microsoft's !verifier page): docs/pool.md, docs/verifier.md. */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/cmd_verifier_logs.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/verifier.h"
#include "sym/symbols.h"

/* Flags with their own arguments; 4, 8, 0x40 and 0x100 are in
 * cmd_verifier_logs.c. 0x20 and 0x400 take arguments on Microsoft's page,
 * but no source kdx has says what they show. */
enum {
    VF_DRIVERS = 0x1, VF_POOL = 0x2, VF_UNDESCRIBED_20 = 0x20, VF_POOL_LOG = 0x80, VF_CRITICAL_REGION = 0x200,
    VF_UNDESCRIBED_400 = 0x400
};

/* MmVerifierData.Level bits (Verifier's /flags) and how !verifier names
 * them; docs/pool.md says which names were read in a transcript. */
static const struct {
    uint32_t bit;
    const char *text;
} level_names[] = {
    {0x1, "Special pool"},
    {0x2, "Special irql"},
    {0x4, "Inject random low-resource API failures"},
    {0x8, "All pool allocations checked on unload"},
    {0x10, "Io subsystem checking enabled"},
    {0x20, "Deadlock detection enabled"},
    {0x40, "Enhanced Io checking enabled"},
    {0x80, "DMA checking enabled"},
    {0x100, "Security checks enabled"},
    {0x200, "Force pending I/O requests enabled"},
    {0x400, "IRP logging enabled"},
    {0x800, "Miscellaneous checks enabled"},
};

static uint64_t counter(const kdx_vf_summary *sum, const char *field)
{
    uint64_t v = 0;
    kdx_vf_counter_get(sum, field, &v);
    return v;
}

static void print_level(kdx_session *s, const kdx_vf_summary *sum)
{
    kdx_print(s, "\nVerify Level %" PRIx64 " ... enabled options are:\n\n", sum->level);
    unsigned shown = 0;
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
        if (sum->level & level_names[i].bit)
            kdx_print(s, "      %s\n", level_names[i].text), shown++;
    if (sum->level & ~(uint64_t)0xfff)
        kdx_print(s, "      (other option bits %" PRIx64 ")\n", sum->level & ~(uint64_t)0xfff);
    if (!sum->level)
        kdx_print(s, "      none: Driver Verifier is not enabled (nt!MmVerifierData.Level is 0)\n");
    (void)shown;
}

static void print_summary(kdx_session *s, const kdx_vf_summary *sum)
{
    kdx_print(s, "\nSummary of All Verifier Statistics\n\n");
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "RaiseIrqls", counter(sum, "RaiseIrqls"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "AcquireSpinLocks", counter(sum, "AcquireSpinLocks"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Synch Executions", counter(sum, "SynchronizeExecutions"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n\n", "Trims", counter(sum, "Trims"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Pool Allocations Attempted", counter(sum, "AllocationsAttempted"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Pool Allocations Succeeded", counter(sum, "AllocationsSucceeded"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Pool Allocations Succeeded SpecialPool",
              counter(sum, "AllocationsSucceededSpecialPool"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Pool Allocations With NO TAG", counter(sum, "AllocationsWithNoTag"));
    kdx_print(s, "%-39s0x%" PRIx64 "\n", "Pool Allocations Failed", counter(sum, "AllocationsFailed"));
    kdx_print(s, "Resource Allocations Failed Deliberately   0x%" PRIx64 "\n\n",
              counter(sum, "AllocationsFailedDeliberately"));
    kdx_print(s, "%-39s0x%" PRIx64 " for %08" PRIX64 " bytes\n", "Current paged pool allocations",
              counter(sum, "CurrentPagedPoolAllocations"), counter(sum, "PagedBytes"));
    kdx_print(s, "%-39s0x%" PRIx64 " for %08" PRIX64 " bytes\n", "Peak paged pool allocations",
              counter(sum, "PeakPagedPoolAllocations"), counter(sum, "PeakPagedBytes"));
    kdx_print(s, "%-39s0x%" PRIx64 " for %08" PRIX64 " bytes\n", "Current nonpaged pool allocations",
              counter(sum, "CurrentNonPagedPoolAllocations"), counter(sum, "NonPagedBytes"));
    kdx_print(s, "%-39s0x%" PRIx64 " for %08" PRIX64 " bytes\n", "Peak nonpaged pool allocations",
              counter(sum, "PeakNonPagedPoolAllocations"), counter(sum, "PeakNonPagedBytes"));
    unsigned missing = 0;
    for (size_t i = 0; i < sum->n; i++)
        missing += !sum->c[i].present;
    if (missing)
        kdx_print(s, "(%u counters of nt!MmVerifierData are not in the dump and show as 0 above)\n", missing);
}

typedef struct alloc_print {
    kdx_session *s;
    uint64_t count;
} alloc_print;

static int print_alloc(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller)
{
    alloc_print *a = ud;
    char t[5], v[24], c[24];
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)(tag >> (8 * i));
        t[i] = isprint(ch) ? (char)ch : '.';
    }
    t[4] = 0;
    snprintf(v, sizeof v, "%0*" PRIx64, kdx_session_ptr_size(a->s) * 2, va);
    snprintf(c, sizeof c, "%0*" PRIx64, kdx_session_ptr_size(a->s) * 2, caller);
    kdx_print(a->s, "%s     0x%08" PRIx64 "     %-4s      %s\n", v, bytes, t, c);
    a->count++;
    return 0;
}

static void print_driver_pool(kdx_session *s, const kdx_vf_driver *d)
{
    kdx_print(s, "\nCurrent Pool Allocations  %08" PRIx64 "    %08" PRIx64 "\n", d->cur_np, d->cur_p);
    kdx_print(s, "Current Pool Bytes        %08" PRIx64 "    %08" PRIx64 "\n", d->np_bytes, d->p_bytes);
    kdx_print(s, "Peak Pool Allocations     %08" PRIx64 "    %08" PRIx64 "\n", d->peak_np, d->peak_p);
    kdx_print(s, "Peak Pool Bytes           %08" PRIx64 "    %08" PRIx64 "\n", d->peak_np_bytes, d->peak_p_bytes);
    kdx_print(s, "\nPoolAddress  SizeInBytes    Tag       CallersAddress\n");
    alloc_print a = {s, 0};
    kdx_err err = {0};
    if (kdx_vf_allocations(s, d, print_alloc, &a, &err) != KDX_OK)
        kdx_print(s, "%s\n", err.msg);
}

static bool image_matches(const kdx_vf_driver *d, const char *image)
{
    return !image || !*image || !kdx_strcasecmp(d->name, image);
}

static int print_drivers(kdx_session *s, unsigned flags, const char *image)
{
    kdx_vf_drivers ds;
    kdx_err err = {0};
    if (kdx_vf_drivers_read(s, &ds, &err) != KDX_OK) {
        kdx_print(s, "\nDriver Verification List not read: %s\n", err.msg);
        return 1;
    }
    kdx_print(s, "\nDriver Verification List\n\nEntry     State           NonPagedPool   PagedPool   Module\n\n");
    size_t shown = 0;
    for (size_t i = 0; i < ds.n; i++) {
        const kdx_vf_driver *d = &ds.items[i];
        if (!image_matches(d, image))
            continue;
        char e[24];
        snprintf(e, sizeof e, "%0*" PRIx64, kdx_session_ptr_size(s) * 2, d->entry);
        kdx_print(s, "%s %-17s%08" PRIx64 "       %08" PRIx64 "    %s\n", e,
                  d->loads > d->unloads ? "Loaded" : "Unloaded", d->np_bytes, d->p_bytes, d->name);
        if (flags & VF_POOL)
            print_driver_pool(s, d);
        shown++;
    }
    if (ds.note[0])
        kdx_print(s, "(%s)\n", ds.note);
    if (image && *image && !shown)
        kdx_print(s, "%s is not in the Driver Verification List.\n", image);
    kdx_vf_drivers_free(&ds);
    return 0;
}

/* ---- logs ---- */

typedef struct log_print {
    kdx_session *s;
    uint64_t address;         /* 0: every entry */
    uint64_t quantity;        /* 0: all */
    uint64_t shown;
    bool pool;
} log_print;

static int print_trace(void *ud, const kdx_vf_trace *t)
{
    log_print *l = ud;
    int w = kdx_session_ptr_size(l->s) * 2;
    if (l->pool) {
        if (l->address && (l->address < t->address || l->address >= t->address + (t->size ? t->size : 1)))
            return 0;
        kdx_print(l->s, "\nPool block %0*" PRIx64 ", Size %016" PRIx64 ", Thread %0*" PRIx64 "\n", w, t->address,
                  t->size, w, t->thread);
    } else {
        if (l->address && l->address != t->thread)
            return 0;
        kdx_print(l->s, "\nThread %0*" PRIx64 "\n", w, t->thread);
    }
    kdx_vf_print_stack(l->s, t);
    l->shown++;
    return l->quantity && l->shown >= l->quantity;
}

/* !verifier 0x80 [Address|Quantity] and !verifier 0x200 [Thread]: the log's
 * title, its size, then the entries (of the address or thread given), most
 * recent first (docs/verifier.md: the order is inferred from the index). */
static int show_log(kdx_session *s, kdx_vf_log log, uint64_t arg)
{
    bool pool = log == KDX_VF_POOL_LOG;
    bool by_address = pool ? kdx_vf_arg_is_address(s, arg) : arg != 0;
    log_print l = {s, by_address ? arg : 0, pool && !by_address ? arg : 0, 0, pool};
    uint64_t array, length = 0;
    kdx_err err = {0};
    kdx_print(s, pool ? "\nLog of recent kernel pool Allocate and Free operations:\n\n"
                      : "\nEnter/Leave Critical Region log:\n\n");
    if (kdx_vf_log_locate(s, log, &array, &length, &err) != KDX_OK) {
        kdx_vf_note_when_off(s);
        kdx_print(s, "%s\n", err.msg);
        return 1;
    }
    kdx_print(s, "There are up to 0x%" PRIx64 " entries in the log.\n\n", length);
    if (pool && l.address)
        kdx_print(s, "Parsing 0x%016" PRIx64 " log entries, searching for address 0x%016" PRIx64 ".\n\n", length,
                  l.address);
    else if (!pool)
        kdx_print(s, "%s\n", l.address ? "Displaying the entries of the thread." : "Displaying all the log entries.");
    kdx_vf_log_info info;
    kdx_status st = kdx_vf_log_walk_recent(s, log, print_trace, &l, &info, &err);
    if (st != KDX_OK)
        kdx_print(s, "%s\n", err.msg);
    else if (pool)
        kdx_print(s, "Parsed entry %016" PRIx64 "/%016" PRIx64 "...\nFinished parsing all pool tracking information.\n",
                  length, length);
    if (l.address && !l.shown)
        kdx_print(s, pool ? "No log entry holds address 0x%016" PRIx64 ".\n" : "Thread %016" PRIx64 " is not in the log.\n",
                  l.address);
    return st != KDX_OK;
}

/* ---- JSON ---- */

static int json_alloc(void *ud, uint64_t va, uint64_t bytes, uint32_t tag, uint64_t caller)
{
    char v[24], c[24], t4[5];
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)(tag >> (8 * i));
        t4[i] = isprint(ch) ? (char)ch : '.';
    }
    t4[4] = 0;
    snprintf(v, sizeof v, "%016" PRIx64, va);
    snprintf(c, sizeof c, "%016" PRIx64, caller);
    json_array_append_new(ud, json_pack("{s:s, s:I, s:s, s:s}", "address", v, "bytes", (json_int_t)bytes, "tag", t4,
                                        "caller", c));
    return 0;
}

static json_t *drivers_json(kdx_session *s, unsigned flags, const char *image)
{
    kdx_vf_drivers ds;
    kdx_err err = {0};
    if (kdx_vf_drivers_read(s, &ds, &err) != KDX_OK)
        return json_pack("{s:s}", "error", err.msg);
    json_t *arr = json_array();
    for (size_t i = 0; i < ds.n; i++) {
        const kdx_vf_driver *d = &ds.items[i];
        if (!image_matches(d, image))
            continue;
        char e[24];
        snprintf(e, sizeof e, "%016" PRIx64, d->entry);
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "entry", e, "module", d->name, "state",
                              d->loads > d->unloads ? "Loaded" : "Unloaded", "nonpaged_bytes", (json_int_t)d->np_bytes,
                              "paged_bytes", (json_int_t)d->p_bytes, "nonpaged_allocations", (json_int_t)d->cur_np,
                              "paged_allocations", (json_int_t)d->cur_p);
        if (flags & VF_POOL) {
            json_t *allocs = json_array();
            if (kdx_vf_allocations(s, d, json_alloc, allocs, &err) != KDX_OK)
                json_object_set_new(o, "allocations_error", json_string(err.msg));
            json_object_set_new(o, "allocations", allocs);
        }
        json_array_append_new(arr, o);
    }
    kdx_vf_drivers_free(&ds);
    return arr;
}

/* The summary (counters not in the dump are null) and, with flag 1, the drivers. */
static void verifier_json(kdx_session *s, const kdx_vf_summary *sum, unsigned flags, const char *image)
{
    json_t *options = json_array(), *counters = json_object();
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
        if (sum->level & level_names[i].bit)
            json_array_append_new(options, json_string(level_names[i].text));
    for (size_t i = 0; i < sum->n; i++)
        json_object_set_new(counters, sum->c[i].field,
                            sum->c[i].present ? json_integer((json_int_t)sum->c[i].value) : json_null());
    json_t *doc = json_pack("{s:I, s:o, s:o}", "level", (json_int_t)sum->level, "enabled_options", options,
                            "counters", counters);
    if (flags & VF_DRIVERS)
        json_object_set_new(doc, "drivers", drivers_json(s, flags, image));
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
}

/* ---- the command ---- */

/* !verifier ? : the argument forms kdx accepts (Microsoft's page lists them). */
static void print_usage(kdx_session *s)
{
    kdx_print(s, "!verifier [Flags [Image]]      1: verified drivers, 2 (with 1): their pool and allocations\n"
                 "!verifier 4 [Quantity]         fault injection log (4 records by default)\n"
                 "!verifier 8 [Quantity]         IRQL transition log (4 records by default)\n"
                 "!verifier 0x40 [Quantity]      forced pending IRP log\n"
                 "!verifier 0x80 [Quantity|Address]   pool Allocate/Free log\n"
                 "!verifier 0x100 [Quantity|Address]  IRP log (IoAllocateIrp, IoCompleteRequest, IoCancelIrp)\n"
                 "!verifier 0x200 [Thread]       critical region log\n"
                 "An Address is a kernel address (above 32 bits on 64-bit targets), else the value is a "
                 "Quantity.\nLogs are shown most recent first.\n");
}

static int cmd_verifier(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    uint64_t flags = 0, arg = 0;
    const char *end = args;
    kdx_err err = {0};
    if (!strcmp(args, "?")) {
        print_usage(s);
        return 0;
    }
    if (!strncmp(args, "-disable", 8)) {
        kdx_print(s, "!verifier -disable turns Driver Verifier off in a running system: it needs a live target, "
                     "and a dump cannot be changed.\n");
        return 1;
    }
    if (*args && kdx_expr_eval(s, args, &flags, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    while (end && isspace((unsigned char)*end))
        end++;
    const char *image = end && *end ? end : NULL;
    if (flags == VF_POOL_LOG || flags == VF_CRITICAL_REGION) {
        if (image && kdx_expr_eval_all(s, image, &arg, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        return show_log(s, flags == VF_POOL_LOG ? KDX_VF_POOL_LOG : KDX_VF_CRITICAL_REGION_LOG, arg);
    }
    if (kdx_vf_recent_flags(flags)) {
        if (image && kdx_expr_eval_all(s, image, &arg, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        return kdx_vf_show_recent(s, flags, arg);
    }
    if (flags == VF_UNDESCRIBED_20 || flags == VF_UNDESCRIBED_400) {
        kdx_print(s, "!verifier 0x%" PRIx64 " is not implemented by kdx (docs/verifier.md says why).\n", flags);
        return 1;
    }
    kdx_vf_summary sum;
    if (kdx_vf_summary_read(s, &sum, &err) != KDX_OK) {
        kdx_print(s, "Unable to read nt!MmVerifierData: %s\n", err.msg);
        return 1;
    }
    if (s->json) {
        verifier_json(s, &sum, (unsigned)flags, image);
        return 0;
    }
    print_level(s, &sum);
    print_summary(s, &sum);
    if (flags & VF_DRIVERS)
        return print_drivers(s, (unsigned)flags, image);
    return 0;
}

const kdx_command kdx_cmds_verifier[] = {
    {"!verifier", cmd_verifier,
     "Driver Verifier: [Flags [Image]] | 4/8/0x40 [Quantity] | 0x80/0x100 [Address|Quantity] | 0x200 [Thread]", 0},
    {0}};
