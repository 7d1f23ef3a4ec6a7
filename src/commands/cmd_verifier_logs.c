/* !verifier 4 / 8 / 0x40 / 0x100 [Quantity] and !verifier 0x100 Address:
 * Driver Verifier's ring logs, newest first (cmd_verifier_logs.h). What
 * each flag shows is from Microsoft's !verifier page; the line layouts are
 * kdx's, built from the entry types' fields (docs/verifier.md says which
 * parts are inferred). */
#include "commands/cmd_verifier_logs.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "nt/io.h"
#include "nt/io_names.h"
#include "nt/verifier.h"
#include "sym/symbols.h"

typedef struct recent_view {
    uint64_t flag;
    kdx_vf_log log;
    const char *title;
    uint64_t default_quantity;   /* 0: the whole log */
} recent_view;

static const recent_view views[] = {
    {0x4, KDX_VF_FAULT_LOG, "Fault injection trace log", 4},
    {0x8, KDX_VF_IRQL_LOG, "IRQL transition log", 4},
    {0x40, KDX_VF_PENDING_LOG, "Forced pending IRP log", 0},
    {0x100, KDX_VF_IRP_LOG, "IRP log (IoAllocateIrp, IoCompleteRequest and IoCancelIrp calls)", 0},
};

typedef struct recent_print {
    kdx_session *s;
    const recent_view *v;
    uint64_t irp;             /* 0x100 Address: only this IRP's entries */
    uint64_t quantity;        /* 0: all */
    uint64_t shown;
} recent_print;

static const recent_view *view_of(uint64_t flags)
{
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (views[i].flag == flags)
            return &views[i];
    return NULL;
}

bool kdx_vf_recent_flags(uint64_t flags)
{
    return view_of(flags) != NULL;
}

void kdx_vf_print_stack(kdx_session *s, const kdx_vf_trace *t)
{
    for (unsigned k = 0; k < t->n; k++) {
        char sym[256], a[24];
        kdx_sym_format_code(s, t->stack[k], sym, sizeof sym);
        snprintf(a, sizeof a, "%0*" PRIx64, kdx_session_ptr_size(s) * 2, t->stack[k]);
        kdx_print(s, "%s %s\n", a, sym);
    }
}

bool kdx_vf_arg_is_address(kdx_session *s, uint64_t arg)
{
    return kdx_session_ptr_size(s) == 8 ? arg > 0xffffffffull : arg >= 0x80000000ull;
}

void kdx_vf_note_when_off(kdx_session *s)
{
    kdx_vf_summary sum;
    if (kdx_vf_summary_read(s, &sum, NULL) == KDX_OK && sum.level == 0)
        kdx_print(s, "Driver Verifier is not enabled (nt!MmVerifierData.Level is 0).\n");
}

/* The IRP as it is now (the log does not keep the major function): its
 * current stack location, or why it cannot be read. */
static void print_irp_now(kdx_session *s, uint64_t addr)
{
    kdx_io_irp irp;
    kdx_err err = {0};
    if (kdx_io_irp_read(s, addr, &irp, &err) != KDX_OK) {
        kdx_print(s, "    (the IRP cannot be read now: %s)\n", err.msg);
        return;
    }
    int cur = kdx_io_irp_current(&irp);
    if (cur < 0 || !irp.stack[cur].read) {
        kdx_print(s, "    (now: %s)\n", cur < 0 ? "the IRP has not reached a driver yet"
                                                : "its current stack location is not in the dump");
        return;
    }
    const kdx_io_stack *sl = &irp.stack[cur];
    const char *major = kdx_io_major_name(sl->major), *minor = kdx_io_minor_name(sl->major, sl->minor);
    char mj[16], mn[16];
    snprintf(mj, sizeof mj, "0x%x", sl->major);
    snprintf(mn, sizeof mn, "0x%x", sl->minor);
    kdx_print(s, "    (now: stack location %d of %d, %s, minor %s)\n", cur + 1, irp.stack_count, major ? major : mj,
              minor ? minor : mn);
}

static void print_entry(recent_print *r, const kdx_vf_trace *t)
{
    kdx_session *s = r->s;
    int w = kdx_session_ptr_size(s) * 2;
    switch (r->v->log) {
    case KDX_VF_IRQL_LOG:
        kdx_print(s, "\nThread:     %0*" PRIx64 "\nOld irql:   %02" PRIx64 "\nNew irql:   %02" PRIx64
                     "\nProcessor:  %04" PRIx64 "\nTime stamp: %08" PRIx64 "\n\n",
                  w, t->thread, t->old_irql, t->new_irql, t->processor, t->tick);
        break;
    case KDX_VF_IRP_LOG:
        kdx_print(s, "\nIrp %0*" PRIx64 ", Thread %0*" PRIx64 ", IRQL = %" PRIu64 ", KernelApcDisable = %d, "
                     "SpecialApcDisable = %d\n",
                  w, t->irp, w, t->thread, t->irql, (int16_t)t->kernel_apc, (int16_t)t->special_apc);
        print_irp_now(s, t->irp);
        break;
    case KDX_VF_PENDING_LOG:
        kdx_print(s, "\nIrp %0*" PRIx64 ", Thread %0*" PRIx64 "\n", w, t->irp, w, t->thread);
        break;
    default:
        kdx_print(s, "\nThread %0*" PRIx64 "\n", w, t->thread);
        break;
    }
    kdx_vf_print_stack(s, t);
}

static int print_recent(void *ud, const kdx_vf_trace *t)
{
    recent_print *r = ud;
    if (r->irp && t->irp != r->irp)
        return 0;
    print_entry(r, t);
    r->shown++;
    return r->quantity && r->shown >= r->quantity;
}

static void print_header(recent_print *r, uint64_t length)
{
    bool by_age = kdx_vf_log_has_index(r->v->log);
    kdx_print(r->s, "There are up to 0x%" PRIx64 " entries in the log", length);
    if (r->irp)
        kdx_print(r->s, "; searching for IRP 0x%016" PRIx64 ":\n", r->irp);
    else if (r->quantity)
        kdx_print(r->s, by_age ? "; the %" PRIu64 " most recent:\n" : "; the first %" PRIu64 " in array order:\n",
                  r->quantity);
    else
        kdx_print(r->s, by_age ? "; all of them, most recent first:\n" : "; all of them, in array order:\n");
}

static void print_footer(recent_print *r, const kdx_vf_log_info *info)
{
    kdx_session *s = r->s;
    kdx_print(s, "\n0x%" PRIx64 " of 0x%" PRIx64 " entries in use", info->used, info->length);
    if (info->wrapped)
        kdx_print(s, "; the log is full: it has wrapped around and older entries were overwritten");
    kdx_print(s, ".\n");
    if (!info->has_index)
        kdx_print(s, "(%s has no index global in the loaded symbols: entries are in array order, not by age.)\n",
                  kdx_vf_log_array_name(r->v->log));
    if (r->irp && !r->shown)
        kdx_print(s, "No log entry holds IRP 0x%016" PRIx64 ".\n", r->irp);
}

/* ---- JSON: the same entries, with the log's description ---- */

typedef struct recent_json {
    recent_print r;
    json_t *entries;
} recent_json;

static json_t *hex_json(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%016" PRIx64, v);
    return json_string(b);
}

static json_t *stack_json(kdx_session *s, const kdx_vf_trace *t)
{
    json_t *frames = json_array();
    for (unsigned k = 0; k < t->n; k++) {
        char sym[256];
        kdx_sym_format_code(s, t->stack[k], sym, sizeof sym);
        json_array_append_new(frames, json_pack("{s:o, s:s}", "address", hex_json(t->stack[k]), "symbol", sym));
    }
    return frames;
}

static int json_recent(void *ud, const kdx_vf_trace *t)
{
    recent_json *j = ud;
    if (j->r.irp && t->irp != j->r.irp)
        return 0;
    json_t *e = json_pack("{s:I, s:o}", "slot", (json_int_t)t->index, "thread", hex_json(t->thread));
    switch (j->r.v->log) {
    case KDX_VF_IRQL_LOG:
        json_object_set_new(e, "old_irql", json_integer((json_int_t)t->old_irql));
        json_object_set_new(e, "new_irql", json_integer((json_int_t)t->new_irql));
        json_object_set_new(e, "processor", json_integer((json_int_t)t->processor));
        json_object_set_new(e, "tick_count", json_integer((json_int_t)t->tick));
        break;
    case KDX_VF_IRP_LOG:
        json_object_set_new(e, "irql", json_integer((json_int_t)t->irql));
        json_object_set_new(e, "kernel_apc_disable", json_integer((int16_t)t->kernel_apc));
        json_object_set_new(e, "special_apc_disable", json_integer((int16_t)t->special_apc));
        json_object_set_new(e, "irp", hex_json(t->irp));
        break;
    case KDX_VF_PENDING_LOG:
        json_object_set_new(e, "irp", hex_json(t->irp));
        break;
    default:
        break;
    }
    json_object_set_new(e, "stack", stack_json(j->r.s, t));
    json_array_append_new(j->entries, e);
    j->r.shown++;
    return j->r.quantity && j->r.shown >= j->r.quantity;
}

/* {log, type, length, in_use, wrapped, ordered_by_age, layout_inferred,
 * entries} or {log, error, verifier_enabled}. */
static int recent_as_json(kdx_session *s, const recent_print *r)
{
    kdx_vf_log log = r->v->log;
    recent_json j = {*r, json_array()};
    kdx_vf_log_info info;
    kdx_err err = {0};
    json_t *doc = json_pack("{s:s, s:s}", "log", kdx_vf_log_array_name(log), "type", kdx_vf_log_type_name(log));
    kdx_status st = kdx_vf_log_walk_recent(s, log, json_recent, &j, &info, &err);
    if (st != KDX_OK) {
        kdx_vf_summary sum;
        json_object_set_new(doc, "error", json_string(err.msg));
        if (kdx_vf_summary_read(s, &sum, NULL) == KDX_OK)
            json_object_set_new(doc, "verifier_enabled", json_boolean(sum.level != 0));
        json_decref(j.entries);
    } else {
        json_object_set_new(doc, "length", json_integer((json_int_t)info.length));
        json_object_set_new(doc, "in_use", json_integer((json_int_t)info.used));
        json_object_set_new(doc, "wrapped", json_boolean(info.wrapped));
        json_object_set_new(doc, "ordered_by_age", json_boolean(info.has_index));
        json_object_set_new(doc, "entries", j.entries);
    }
    /* What each field means is read from the types; the text layout is kdx's. */
    json_object_set_new(doc, "layout_inferred", json_true());
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
    return st != KDX_OK;
}

int kdx_vf_show_recent(kdx_session *s, uint64_t flags, uint64_t arg)
{
    const recent_view *v = view_of(flags);
    if (!v)
        return 1;
    bool by_irp = v->log == KDX_VF_IRP_LOG && kdx_vf_arg_is_address(s, arg);
    recent_print r = {s, v, by_irp ? arg : 0, by_irp ? 0 : (arg ? arg : v->default_quantity), 0};
    if (s->json)
        return recent_as_json(s, &r);
    uint64_t array, length = 0;
    kdx_err err = {0};
    kdx_print(s, "\n%s:\n\n", v->title);
    if (kdx_vf_log_locate(s, v->log, &array, &length, &err) != KDX_OK) {
        kdx_vf_note_when_off(s);
        kdx_print(s, "%s\n", err.msg);
        return 1;
    }
    print_header(&r, length);
    kdx_vf_log_info info;
    kdx_status st = kdx_vf_log_walk_recent(s, v->log, print_recent, &r, &info, &err);
    if (st != KDX_OK) {
        kdx_print(s, "%s\n", err.msg);
        return 1;
    }
    print_footer(&r, &info);
    return 0;
}
