/* Command family: thread overviews: !stacks [0|1|2] [Filter], !running
 * [-i] [-t], !ready. Layouts (docs/nt.md): Microsoft's !stacks, !running and
 * !ready pages; the x64 column set `Proc.Thread  .Thread  Ticks
 * ThreadState Blocker` with `[ADDR Image]` process lines. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/nt_show.h"
#include "expr/expr.h"
#include "nt/clock.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "nt/thread.h"
#include "nt/wait.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"

#define KT "nt!_KTHREAD"
#define ET "nt!_ETHREAD"
#define STACK_FRAMES 64
#define FRAME_INDENT 49 /* the Blocker column */

/* The wait plumbing every blocked stack starts with; the blocker is the first
 * frame after it (which frames WinDbg skips is inferred: docs/nt.md). */
static const char *const plumbing[] = {"KiSwapContext", "KiSwapThread", "KiCommitThreadWait", "KeWaitForSingleObject",
                                       "KeWaitForMultipleObjects", "KeDelayExecutionThread", "KeRemoveQueueEx",
                                       "KeRemovePriQueue", "ExpWaitForResource", NULL};

typedef struct stacks_run {
    kdx_session *s;
    unsigned detail;
    const char *filter;
    bool have_ticks;
    uint64_t tick_count;
    uint64_t threads, shown, unreadable;
    uint64_t process;
} stacks_run;

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!kdx_strncasecmp(hay, needle, n))
            return true;
    return !n;
}

static bool is_plumbing(kdx_session *s, uint64_t ip)
{
    kdx_symhit hit;
    if (kdx_sym_from_addr(s, ip, &hit) != KDX_OK || !hit.name || !hit.module || kdx_strcasecmp(hit.module->name, "nt"))
        return false;
    for (const char *const *p = plumbing; *p; p++)
        if (!strcmp(hit.name, *p))
            return true;
    return false;
}

static const char *state_word(kdx_session *s, uint64_t thread, char *buf, size_t cap)
{
    uint64_t st;
    const char *name;
    if (kdx_nt_read(s, KT, thread, "State", &st, NULL) != KDX_OK || !(name = kdx_nt_thread_state_name(s, st)))
        return "?";
    if (!strcmp(name, "Waiting"))
        return "Blocked";
    if (!strcmp(name, "Running"))
        return "RUNNING";
    snprintf(buf, cap, "%s", name);
    return buf;
}

static const char *ticks_text(stacks_run *r, uint64_t thread, char *buf, size_t cap)
{
    uint64_t wait;
    if (!r->have_ticks || kdx_nt_read(r->s, KT, thread, "WaitTime", &wait, NULL) != KDX_OK)
        return "???????";
    snprintf(buf, cap, "%07" PRIx64, r->tick_count >= wait ? r->tick_count - wait : 0);
    return buf;
}

static bool stack_matches(kdx_session *s, const kdx_stack *st, const char *filter)
{
    char sym[256];
    for (size_t i = 0; i < st->len; i++) {
        kdx_sym_format(s, kdx_ctx_ip(&st->frames[i].ctx), sym, sizeof sym);
        if (contains_nocase(sym, filter))
            return true;
    }
    return false;
}

static void print_thread_line(stacks_run *r, uint64_t thread, const kdx_stack *st, const char *unreadable)
{
    kdx_session *s = r->s;
    uint64_t pid = 0, tid = 0;
    char cid[40], state[32], ticks[24], sym[256];
    if (kdx_nt_read(s, ET, thread, "Cid.UniqueProcess", &pid, NULL) == KDX_OK &&
        kdx_nt_read(s, ET, thread, "Cid.UniqueThread", &tid, NULL) == KDX_OK)
        snprintf(cid, sizeof cid, "%4" PRIx64 ".%06" PRIx64, pid, tid);
    else
        snprintf(cid, sizeof cid, "%11s", "?.?");
    const char *blocker = unreadable;
    size_t first = 0;
    if (!blocker) {
        while (first + 1 < st->len && is_plumbing(s, kdx_ctx_ip(&st->frames[first].ctx)))
            first++;
        if (r->detail >= 2)
            first = 0; /* the whole stack follows */
        kdx_sym_format(s, kdx_ctx_ip(&st->frames[first].ctx), sym, sizeof sym);
        blocker = sym;
    }
    kdx_print(s, "%s  %0*" PRIx64 " %s %-10s %s\n", cid, kdx_session_ptr_size(s) * 2, thread,
              ticks_text(r, thread, ticks, sizeof ticks), state_word(s, thread, state, sizeof state), blocker);
    for (size_t i = first + 1; r->detail >= 2 && st && i < st->len; i++) {
        kdx_sym_format(s, kdx_ctx_ip(&st->frames[i].ctx), sym, sizeof sym);
        kdx_print(s, "%*s%s\n", FRAME_INDENT, "", sym);
    }
}

static int one_thread(void *ud, uint64_t thread, size_t index)
{
    stacks_run *r = ud;
    (void)index;
    r->threads++;
    kdx_stack st = {0};
    kdx_err err = {0};
    if (kdx_nt_thread_stack(r->s, thread, STACK_FRAMES, &st, NULL, &err) != KDX_OK || !st.len) {
        r->unreadable++;
        if (r->detail >= 1 && !*r->filter) {
            bool missing = err.code == KDX_E_MEM_MISSING || err.code == KDX_E_MEM_INVALID;
            print_thread_line(r, thread, NULL, missing ? "Stack not in the dump" : "Stack not readable");
            r->shown++;
        }
    } else if (stack_matches(r->s, &st, r->filter)) {
        print_thread_line(r, thread, &st, NULL);
        r->shown++;
    }
    kdx_stack_free(&st);
    return kdx_interrupted();
}

static int one_process(void *ud, uint64_t process, size_t index)
{
    stacks_run *r = ud;
    (void)index;
    char image[16] = "?";
    kdx_err err = {0};
    kdx_nt_process_image(r->s, process, image, NULL);
    kdx_print(r->s, "%28s[%0*" PRIx64 " %s]\n", "", kdx_session_ptr_size(r->s) * 2, process, image);
    if (kdx_nt_process_threads(r->s, process, one_thread, r, NULL, &err) != KDX_OK && err.code != KDX_E_INTERRUPTED)
        kdx_print(r->s, "%28s(%s)\n", "", err.msg);
    kdx_print(r->s, "\n");
    return kdx_interrupted();
}

static int cmd_stacks(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    stacks_run r = {s, 0, "", false, 0, 0, 0, 0, 0};
    const char *p = kdx_skip_ws(args);
    if (isdigit((unsigned char)*p)) {
        r.detail = (unsigned)strtoul(p, (char **)&p, 0);
        if (r.detail > 2 || (*p && *p != ' ' && *p != '\t'))
            return kdx_cmd_syntax_error(s, "!stacks", args);
    }
    char *filter = kdx_strdup(kdx_skip_ws(p));
    kdx_rtrim(filter);
    r.filter = filter;
    r.have_ticks = kdx_nt_tick_count(s, &r.tick_count, NULL) == KDX_OK;
    kdx_print(s, "Proc.Thread  .Thread  Ticks   ThreadState Blocker\n");
    kdx_err err = {0};
    kdx_status st = kdx_nt_process_walk(s, one_process, &r, NULL, &err);
    if (st != KDX_OK && st != KDX_E_INTERRUPTED)
        kdx_print(s, "(the process list ends early: %s)\n", err.msg);
    kdx_print(s, "Threads Processed: %" PRIu64 "\n", r.threads);
    if (r.unreadable && (r.detail == 0 || *r.filter))
        kdx_print(s, "(%" PRIu64 " threads whose stacks are not in the dump are not listed%s)\n", r.unreadable,
                  *r.filter ? ": a filter needs the stack" : "; !stacks 1 lists them");
    if (!r.have_ticks)
        kdx_print(s, "(Ticks unknown: KUSER_SHARED_DATA.TickCount is not in the dump)\n");
    free(filter);
    return st == KDX_OK || st == KDX_E_INTERRUPTED ? 0 : 1;
}

/* ---- !running ---- */

typedef struct running_cpu {
    uint64_t prcb, current, next, idle;
    bool ok;
} running_cpu;

static void read_cpu(kdx_session *s, unsigned cpu, running_cpu *c, kdx_err *err)
{
    memset(c, 0, sizeof *c);
    c->ok = kdx_nt_prcb(s, cpu, &c->prcb, err) == KDX_OK &&
            kdx_nt_read(s, "nt!_KPRCB", c->prcb, "CurrentThread", &c->current, err) == KDX_OK &&
            kdx_nt_read(s, "nt!_KPRCB", c->prcb, "NextThread", &c->next, err) == KDX_OK &&
            kdx_nt_read(s, "nt!_KPRCB", c->prcb, "IdleThread", &c->idle, err) == KDX_OK;
}

static const char *thread_with_priority(kdx_session *s, uint64_t thread, char *buf, size_t cap)
{
    int w = kdx_session_ptr_size(s) * 2;
    uint64_t pri;
    if (!thread)
        snprintf(buf, cap, "%*s", w + 5, "");
    else if (kdx_nt_read(s, KT, thread, "Priority", &pri, NULL) == KDX_OK)
        snprintf(buf, cap, "%0*" PRIx64 " (%2" PRId64 ")", w, thread, (int64_t)(int8_t)pri);
    else
        snprintf(buf, cap, "%0*" PRIx64 " ( ?)", w, thread);
    return buf;
}

static int cmd_running(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    bool idle = false, stacks = false;
    for (const char *p = kdx_skip_ws(args); *p; p = kdx_skip_ws(p)) {
        if (p[0] == '-' && (p[1] == 'i' || p[1] == 't') && (!p[2] || p[2] == ' ' || p[2] == '\t'))
            (p[1] == 'i' ? (idle = true) : (stacks = true)), p += 2;
        else
            return kdx_cmd_syntax_error(s, "!running", args);
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    unsigned n = kdx_nt_processor_count(s);
    running_cpu cpus[64];
    kdx_err errs[64];
    uint64_t all = 0, idle_mask = 0;
    for (unsigned i = 0; i < n && i < 64; i++) {
        memset(&errs[i], 0, sizeof errs[i]);
        read_cpu(s, i, &cpus[i], &errs[i]);
        all |= 1ull << i;
        if (cpus[i].ok && cpus[i].current == cpus[i].idle)
            idle_mask |= 1ull << i;
    }
    kdx_print(s, "\nSystem Processors:  (%016" PRIx64 ")\n  Idle Processors:  (%016" PRIx64 ")\n\n", all, idle_mask);
    int w = kdx_session_ptr_size(s) * 2;
    /* WinDbg's x64 header, spaces as in its transcripts (the last column of dots is not shown: docs/nt.md). */
    kdx_print(s, "       Prcbs%*sCurrent%*s(pri) Next%*s(pri) Idle\n", w - 3, "", w - 7, "", w - 4, "");
    kdx_show show;
    kdx_show_init(&show, s);
    for (unsigned i = 0; i < n && i < 64; i++) {
        running_cpu *c = &cpus[i];
        if (!c->ok) {
            kdx_print(s, "%3u    (not read: %s)\n", i, errs[i].msg);
            continue;
        }
        if ((idle_mask >> i & 1) && !idle)
            continue;
        char cur[64], next[64];
        kdx_print(s, "%3u    %0*" PRIx64 "  %s %s %0*" PRIx64 "\n", i, w, c->prcb,
                  thread_with_priority(s, c->current, cur, sizeof cur), thread_with_priority(s, c->next, next, sizeof next),
                  w, c->idle);
        if (stacks) {
            kdx_show_thread_stack(&show, c->current, false, 0);
            kdx_print(s, "\n");
        }
    }
    kdx_show_finish(&show);
    return 0;
}

/* ---- !ready ---- */

typedef struct ready_run {
    kdx_show show;
    unsigned cpu, priority, flags;
    bool header;
    uint64_t link_off, count;
} ready_run;

static int one_ready(void *ud, uint64_t entry, size_t index)
{
    ready_run *r = ud;
    (void)index;
    if (!r->header)
        kdx_print(r->show.s, "Processor %u: Ready Threads at priority %u\n", r->cpu, r->priority);
    r->header = true;
    r->count++;
    kdx_show_thread(&r->show, entry - r->link_off, r->flags, 4);
    return kdx_interrupted();
}

/* The 32 ready queues of one processor (KPRCB.DispatcherReadyListHead), highest priority first. */
static void ready_queues(kdx_session *s, ready_run *r, uint64_t prcb)
{
    for (int p = 31; p >= 0 && !kdx_interrupted(); p--) {
        char path[48];
        uint64_t head;
        kdx_err err = {0};
        snprintf(path, sizeof path, "DispatcherReadyListHead[%d]", p);
        if (kdx_nt_offset(s, "nt!_KPRCB", path, &head, &err) != KDX_OK) {
            kdx_print(s, "Processor %u: ready queues not read: %s\n", r->cpu, err.msg);
            return;
        }
        r->priority = (unsigned)p;
        r->header = false;
        kdx_nt_list_opts opts = {.max = 100000};
        kdx_nt_list_result res;
        if (kdx_nt_list_walk(s, prcb + head, &opts, one_ready, r, &res) == KDX_OK || res.end == KDX_NT_LIST_STOPPED)
            continue;
        if (res.end == KDX_NT_LIST_MISSING && res.bad) {
            /* The queue links to a thread the dump lacks: it is there, only not readable. */
            if (!r->header)
                kdx_print(s, "Processor %u: Ready Threads at priority %u\n", r->cpu, r->priority);
            r->header = true;
            r->count++;
            kdx_print(s, "    THREAD %0*" PRIx64 ": not in the dump (%s)\n", kdx_session_ptr_size(s) * 2,
                      res.bad - r->link_off, res.why.msg);
        } else {
            char msg[KDX_ERR_MSG_MAX], what[64];
            snprintf(what, sizeof what, "the ready queue of priority %d on processor %u", p, r->cpu);
            kdx_nt_list_describe(s, &res, what, msg, sizeof msg);
            kdx_print(s, "(%s)\n", msg);
        }
    }
}

static int cmd_ready(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    ready_run r = {.flags = KDX_SHOW_WAITS | KDX_SHOW_STACKS};
    const char *p = kdx_skip_ws(args);
    if (*p) {
        uint64_t f;
        kdx_err err = {0};
        if (kdx_expr_eval(s, p, &f, NULL, &err))
            return kdx_cmd_fail(s, &err);
        r.flags = (unsigned)f;
    }
    kdx_err err = {0};
    if (kdx_nt_offset(s, KT, "WaitListEntry", &r.link_off, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_show_init(&r.show, s);
    unsigned n = kdx_nt_processor_count(s);
    for (unsigned i = 0; i < n && !kdx_interrupted(); i++) {
        uint64_t prcb;
        r.cpu = i;
        memset(&err, 0, sizeof err);
        if (kdx_nt_prcb(s, i, &prcb, &err) != KDX_OK)
            kdx_print(s, "Processor %u: not read: %s\n", i, err.msg);
        else
            ready_queues(s, &r, prcb);
    }
    if (!r.count)
        kdx_print(s, "No threads in READY state\n");
    kdx_show_finish(&r.show);
    return 0;
}

const kdx_command kdx_cmds_stacks[] = {
    {"!stacks", cmd_stacks, "every thread's state and blocker, by process: !stacks [0|1|2] [FilterString]", 0},
    {"!running", cmd_running, "what each processor runs: !running [-i] [-t]", 0},
    {"!ready", cmd_ready, "the threads in each processor's ready queues: !ready [Flags]", 0},
    {0}};
