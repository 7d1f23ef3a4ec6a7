/* !process and !thread displays (nt_show.h). Layouts: docs/nt.md. */
#include "commands/nt_show.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nt/apc.h"
#include "nt/handle.h"
#include "nt/list.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "nt/thread.h"
#include "nt/wait.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "unwind/unwind.h"

#define ET "nt!_ETHREAD"
#define EP "nt!_EPROCESS"
#define STACK_FRAMES 256

/* ---- output helpers ---- */

static void line(kdx_session *s, unsigned indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(kdx_session *s, unsigned indent, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kdx_print(s, "%*s%s\n", (int)indent, "", buf);
}

/* A value as hex of width digits, or "?" (recorded as a gap). */
static const char *hexv(const kdx_nt_obj *o, const char *path, int width, kdx_nt_gaps *g, char *buf, size_t cap)
{
    bool ok;
    uint64_t v = kdx_nt_obj_val(o, path, g, &ok);
    if (ok)
        snprintf(buf, cap, "%0*" PRIx64, width, v);
    else
        snprintf(buf, cap, "?");
    return buf;
}

static const char *decv(const kdx_nt_obj *o, const char *path, kdx_nt_gaps *g, bool is_signed, char *buf, size_t cap)
{
    bool ok;
    uint64_t v = kdx_nt_obj_val(o, path, g, &ok);
    if (!ok)
        snprintf(buf, cap, "?");
    else if (is_signed)
        snprintf(buf, cap, "%" PRId64, (int64_t)v);
    else
        snprintf(buf, cap, "%" PRIu64, v);
    return buf;
}

static void print_gaps(kdx_session *s, unsigned indent, const char *what, kdx_nt_gaps *g)
{
    if (g->count)
        line(s, indent, "(%s: not read: %s; %s)", what, g->names.s, g->first.msg);
}

/* Runs fn with the session's output captured, then prints it indented. */
static void indented(kdx_session *s, unsigned indent, void (*fn)(void *), void *ud)
{
    if (!indent) {
        fn(ud);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fn(ud);
        return;
    }
    FILE *saved = s->out;
    s->out = mem;
    fn(ud);
    fclose(mem);
    s->out = saved;
    for (char *p = text; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        kdx_print(s, "%*s%.*s\n", (int)indent, "", (int)n, p);
        p += n + (nl != NULL);
    }
    free(text);
}

/* Warns when addr's dispatcher header is readable and names another kind. */
static void check_kind(kdx_session *s, uint64_t addr, const char *kind, const char *what, unsigned indent)
{
    uint64_t type;
    if (kdx_nt_read(s, "nt!_DISPATCHER_HEADER", addr, "Type", &type, NULL) == KDX_OK &&
        !kdx_nt_is_dispatcher_kind(s, addr, kind))
        line(s, indent, "(%0*" PRIx64 " has dispatcher type %" PRIu64 ", not a %s; shown as a %s anyway)",
             kdx_session_ptr_size(s) * 2, addr, type, what, what);
}

/* ---- shared facts ---- */

void kdx_show_init(kdx_show *v, kdx_session *s)
{
    memset(v, 0, sizeof *v);
    v->s = s;
    kdx_nt_gaps_init(&v->global_gaps);
}

static void read_globals(kdx_show *v)
{
    if (v->globals_read)
        return;
    v->globals_read = true;
    kdx_session *s = v->s;
    uint64_t addr;
    uint32_t inc;
    kdx_err err = {0};
    if (kdx_nt_symbol(s, "nt!KeMaximumIncrement", &addr, &err) == KDX_OK &&
        kdx_read_u32(s->target, addr, &inc, &err) == KDX_OK && inc) {
        v->increment = inc;
        v->have_increment = true;
    } else {
        kdx_nt_gaps_add(&v->global_gaps, "nt!KeMaximumIncrement (times are shown in clock ticks)", &err);
    }
    uint64_t shared = s->target->ptr_size == 8 ? KDX_X64_SHARED_DATA : KDX_X86_SHARED_DATA;
    memset(&err, 0, sizeof err);
    if (kdx_nt_read(s, "nt!_KUSER_SHARED_DATA", shared, "TickCountQuad|TickCount.LowPart", &v->tick_count, &err) ==
        KDX_OK)
        v->have_ticks = true;
    else
        kdx_nt_gaps_add(&v->global_gaps, "KUSER_SHARED_DATA.TickCount (wait ages unknown)", &err);
    v->system_time = s->target->sys.dump_time;
    v->have_time = v->system_time != 0;
}

void kdx_show_finish(kdx_show *v)
{
    if (v->global_gaps.count)
        kdx_print(v->s, "Not read: %s: %s\n", v->global_gaps.names.s, v->global_gaps.first.msg);
    if (v->assumed_frame)
        kdx_print(v->s, "%s\n", kdx_nt_assumed_frame_note());
    kdx_nt_gaps_free(&v->global_gaps);
}

/* hh:mm:ss.mmm of a count of 100 ns units. */
static void fmt_duration(uint64_t units, char *buf, size_t cap)
{
    uint64_t ms = units / 10000;
    snprintf(buf, cap, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 3600000, ms / 60000 % 60,
             ms / 1000 % 60, ms % 1000);
}

/* A clock-tick count as time, or as ticks when the tick length is unknown. */
static const char *fmt_ticks(kdx_show *v, bool ok, uint64_t ticks, char *buf, size_t cap)
{
    if (!ok)
        snprintf(buf, cap, "?");
    else if (v->have_increment)
        fmt_duration(ticks * v->increment, buf, cap);
    else
        snprintf(buf, cap, "%" PRIu64 " ticks", ticks);
    return buf;
}

/* ---- threads ---- */

/* A client id as WinDbg prints it (0004), or "?" (recorded as a gap). */
static const char *cid_text(const kdx_nt_obj *o, const char *path, kdx_nt_gaps *g, char *buf, size_t cap)
{
    bool ok;
    uint64_t v = kdx_nt_obj_val(o, path, g, &ok);
    snprintf(buf, cap, ok ? "%04" PRIx64 : "?", v);
    return buf;
}

static const char *wait_mode_name(uint64_t mode)
{
    return mode == 0 ? "KernelMode" : mode == 1 ? "UserMode" : "?";
}

static void upper(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = 0;
}

static void state_text(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, char *buf, size_t cap)
{
    kdx_session *s = v->s;
    bool ok;
    uint64_t state = kdx_nt_obj_val(o, "Tcb.State", g, &ok);
    const char *name = ok ? kdx_nt_thread_state_name(s, state) : NULL;
    if (!ok) {
        snprintf(buf, cap, "(state not read)");
        return;
    }
    if (!name) {
        snprintf(buf, cap, "STATE %" PRIu64, state);
        return;
    }
    if (!strcmp(name, "Running") || !strcmp(name, "Ready")) {
        int cpu = kdx_nt_thread_running_on(s, o->addr);
        if (cpu < 0)
            cpu = (int)kdx_nt_obj_val(o, "Tcb.NextProcessor", g, NULL);
        snprintf(buf, cap, "%s on processor %x", !strcmp(name, "Running") ? "RUNNING" : "READY", (unsigned)cpu);
        return;
    }
    if (!strcmp(name, "Waiting")) {
        uint64_t reason = kdx_nt_obj_val(o, "Tcb.WaitReason", g, &ok);
        const char *rn = ok ? kdx_nt_wait_reason_name(s, reason) : NULL;
        char rbuf[32];
        if (!rn)
            snprintf(rbuf, sizeof rbuf, ok ? "WaitReason %" PRIu64 : "?", reason);
        uint64_t mode = kdx_nt_obj_val(o, "Tcb.WaitMode", g, NULL);
        uint64_t alertable = kdx_nt_obj_val(o, "Tcb.Alertable", g, &ok);
        snprintf(buf, cap, "WAIT: (%s) %s %s", rn ? rn : rbuf, wait_mode_name(mode),
                 !ok ? "?" : alertable ? "Alertable" : "Non-Alertable");
        return;
    }
    upper(buf, cap, name);
}

static void print_waits(kdx_show *v, uint64_t thread, unsigned indent)
{
    kdx_nt_wait_block b[16];
    size_t n = 0;
    kdx_err err = {0};
    int ps = kdx_session_ptr_size(v->s) * 2;
    if (kdx_nt_thread_waits(v->s, thread, b, KDX_ARRAY_LEN(b), &n, &err) != KDX_OK)
        line(v->s, indent + 4, "(wait blocks not read: %s)", err.msg);
    for (size_t i = 0; i < n; i++) {
        char text[160];
        kdx_nt_wait_object_text(v->s, &b[i], text, sizeof text);
        line(v->s, indent + 4, "%0*" PRIx64 "  %s", ps, b[i].object, text);
    }
}

typedef struct irp_walk {
    kdx_session *s;
    uint64_t link_off;
    unsigned indent;
    bool any;
} irp_walk;

static int print_irp(void *ud, uint64_t entry, size_t index)
{
    irp_walk *w = ud;
    uint64_t irp = entry - w->link_off, type = 0, size = 0, flags = 0, mdl = 0;
    kdx_err err = {0};
    (void)index;
    if (!w->any)
        line(w->s, w->indent, "IRP List:");
    w->any = true;
    if (kdx_nt_read(w->s, "nt!_IRP", irp, "Type", &type, &err) != KDX_OK ||
        kdx_nt_read(w->s, "nt!_IRP", irp, "Size", &size, &err) != KDX_OK ||
        kdx_nt_read(w->s, "nt!_IRP", irp, "Flags", &flags, &err) != KDX_OK ||
        kdx_nt_read(w->s, "nt!_IRP", irp, "MdlAddress", &mdl, &err) != KDX_OK) {
        line(w->s, w->indent + 4, "%0*" PRIx64 ": (not read: %s)", kdx_session_ptr_size(w->s) * 2, irp, err.msg);
        return 0;
    }
    line(w->s, w->indent + 4, "%0*" PRIx64 ": (%04" PRIx64 ",%04" PRIx64 ") Flags: %08" PRIx64 "  Mdl: %08" PRIx64,
         kdx_session_ptr_size(w->s) * 2, irp, type, size, flags, mdl);
    return 0;
}

static void print_irps(kdx_show *v, const kdx_nt_obj *o, unsigned indent)
{
    irp_walk w = {v->s, 0, indent, false};
    uint64_t head;
    kdx_nt_list_result r;
    if (kdx_nt_obj_addr(o, "IrpList", &head, NULL) != KDX_OK ||
        kdx_nt_offset(v->s, "nt!_IRP", "ThreadListEntry", &w.link_off, NULL) != KDX_OK)
        return;
    kdx_nt_list_opts opts = {.max = 4096};
    if (kdx_nt_list_walk(v->s, head, &opts, print_irp, &w, &r) != KDX_OK) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(v->s, &r, "the IRP list", msg, sizeof msg);
        line(v->s, indent, "(%s)", msg);
    }
}

static void print_impersonation(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, unsigned indent)
{
    bool ok;
    uint64_t active = kdx_nt_obj_val(o, "ActiveImpersonationInfo", g, &ok);
    if (!ok)
        return;
    if (!active) {
        line(v->s, indent, "Not impersonating");
        return;
    }
    static const char *const levels[] = {"Anonymous", "Identification", "Impersonation", "Delegation"};
    uint64_t token = kdx_nt_obj_val(o, "ClientSecurity.ImpersonationToken", g, &ok);
    uint64_t level = kdx_nt_obj_val(o, "ClientSecurity.ImpersonationLevel", g, NULL);
    if (ok)
        line(v->s, indent, "Impersonation token:  %0*" PRIx64 " (Level %s)", kdx_session_ptr_size(v->s) * 2,
             token & ~(uint64_t)7, level < 4 ? levels[level] : "?");
}

static void print_owner_lines(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, unsigned indent)
{
    kdx_session *s = v->s;
    int w = kdx_session_ptr_size(s) * 2;
    bool ok, aok;
    uint64_t owner = kdx_nt_obj_val(o, "Tcb.Process", g, &ok);
    uint64_t attached = kdx_nt_obj_val(o, "Tcb.ApcState.Process", g, &aok);
    char image[16] = "?", a[24], map[24] = "?";
    kdx_err err = {0};
    if (ok && kdx_nt_process_image(s, owner, image, &err) != KDX_OK)
        kdx_nt_gaps_add(g, "owning process's ImageFileName", &err);
    uint64_t dm;
    if (ok && kdx_nt_read(s, EP, owner, "DeviceMap", &dm, &err) == KDX_OK)
        snprintf(map, sizeof map, "%0*" PRIx64, w, dm);
    else if (ok)
        kdx_nt_gaps_add(g, "owning process's DeviceMap", &err);
    line(s, indent, "%-26s%s", "DeviceMap", map);
    snprintf(a, sizeof a, ok ? "%0*" PRIx64 : "?", w, owner);
    line(s, indent, "%-26s%-23s%-15s%s", "Owning Process", a, "Image:", image);
    if (aok && ok && attached != owner) {
        char aimage[16] = "?";
        kdx_nt_process_image(s, attached, aimage, NULL);
        snprintf(a, sizeof a, "%0*" PRIx64, w, attached);
        line(s, indent, "%-26s%-23s%-15s%s", "Attached Process", a, "Image:", aimage);
    } else {
        line(s, indent, "%-26s%-15s%-15s%s", "Attached Process", "N/A", "Image:", "N/A");
    }
}

static void print_wait_lines(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, unsigned indent)
{
    char b1[32], b2[64], b3[32];
    bool ok;
    uint64_t start = kdx_nt_obj_val(o, "Tcb.WaitTime", g, &ok);
    if (ok && v->have_ticks) {
        uint64_t ticks = v->tick_count >= start ? v->tick_count - start : 0;
        if (ticks && v->have_increment) {
            uint64_t ms = ticks * v->increment / 10000;
            snprintf(b2, sizeof b2, "%" PRIu64 " (%" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64 ")",
                     ticks, ms / 86400000, ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
        } else {
            snprintf(b2, sizeof b2, "%" PRIu64, ticks);
        }
    } else {
        snprintf(b2, sizeof b2, "?");
    }
    snprintf(b1, sizeof b1, ok ? "%" PRIu64 : "?", start);
    line(v->s, indent, "%-26s%-15sTicks: %s", "Wait Start TickCount", b1, b2);
    line(v->s, indent, "%-26s%-15sIdealProcessor: %s", "Context Switch Count",
         decv(o, "Tcb.ContextSwitches", g, false, b1, sizeof b1), decv(o, "Tcb.IdealProcessor", g, false, b3, sizeof b3));
    uint64_t t = kdx_nt_obj_val(o, "Tcb.UserTime", g, &ok);
    line(v->s, indent, "%-26s%s", "UserTime", fmt_ticks(v, ok, t, b1, sizeof b1));
    t = kdx_nt_obj_val(o, "Tcb.KernelTime", g, &ok);
    line(v->s, indent, "%-26s%s", "KernelTime", fmt_ticks(v, ok, t, b1, sizeof b1));
}

static void print_start_and_stack_lines(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, unsigned indent)
{
    kdx_session *s = v->s;
    int w = kdx_session_ptr_size(s) * 2;
    char b[4][32], sym[256];
    bool ok;
    uint64_t start = kdx_nt_obj_val(o, "Win32StartAddress|StartAddress", g, &ok);
    kdx_symhit hit;
    if (!ok)
        line(s, indent, "Win32 Start Address ?");
    else if (kdx_sym_from_addr(s, start, &hit) == KDX_OK && hit.name) {
        kdx_sym_format(s, start, sym, sizeof sym);
        line(s, indent, "Win32 Start Address %s (0x%0*" PRIx64 ")", sym, w, start);
    } else {
        line(s, indent, "Win32 Start Address 0x%0*" PRIx64, w, start);
    }
    line(s, indent, "Stack Init %s Current %s", hexv(o, "Tcb.InitialStack", w, g, b[0], 32),
         hexv(o, "Tcb.KernelStack", w, g, b[1], 32));
    line(s, indent, "Base %s Limit %s Call %s", hexv(o, "Tcb.StackBase", w, g, b[0], 32),
         hexv(o, "Tcb.StackLimit", w, g, b[1], 32), hexv(o, "Tcb.CallbackStack|Tcb.CallbackNestingLevel", w, g, b[2], 32));
    line(s, indent, "Priority %s BasePriority %s PriorityDecrement %s IoPriority %s PagePriority %s",
         decv(o, "Tcb.Priority", g, true, b[0], 32), decv(o, "Tcb.BasePriority", g, true, b[1], 32),
         decv(o, "Tcb.PriorityDecrement", g, true, b[2], 32), decv(o, "ThreadIoPriority", g, false, b[3], 32),
         decv(o, "ThreadPagePriority", g, false, sym, 32));
}

typedef struct stack_job {
    kdx_show *v;
    uint64_t thread;
    bool args;
} stack_job;

static void stack_now(void *ud)
{
    stack_job *j = ud;
    kdx_session *s = j->v->s;
    kdx_context ctx;
    kdx_nt_ctx_source src;
    kdx_err err = {0};
    char a[24];
    if (kdx_nt_thread_context(s, j->thread, &ctx, NULL, &src, &err) != KDX_OK) {
        kdx_print(s, "Unable to get the context of thread %s: %s\n", kdx_session_fmt_ptr(s, a, j->thread), err.msg);
        return;
    }
    if (src == KDX_NT_CTX_SWITCH_ASSUMED)
        j->v->assumed_frame = true;
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    kdx_stack st = {0};
    if (kdx_stack_walk(&env, &ctx, STACK_FRAMES, &st, &err) != KDX_OK)
        kdx_print(s, "Unable to walk the stack of thread %s: %s\n", kdx_session_fmt_ptr(s, a, j->thread), err.msg);
    else
        kdx_stack_print(s, &st, j->args ? KDX_K_ARGS : 0);
    kdx_stack_free(&st);
}

void kdx_show_thread_stack(kdx_show *v, uint64_t thread, bool args, unsigned indent)
{
    stack_job j = {v, thread, args};
    indented(v->s, indent, stack_now, &j);
}

static void print_header(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g, unsigned indent)
{
    char pid[24], tid[24], b1[32], b2[32], state[128];
    cid_text(o, "Cid.UniqueProcess", g, pid, sizeof pid);
    cid_text(o, "Cid.UniqueThread", g, tid, sizeof tid);
    int w = kdx_session_ptr_size(v->s) * 2;
    state_text(v, o, g, state, sizeof state);
    line(v->s, indent, "THREAD %0*" PRIx64 "  Cid %s.%s  Teb: %s Win32Thread: %s %s", w, o->addr, pid, tid,
         hexv(o, "Tcb.Teb", w, g, b1, sizeof b1), hexv(o, "Tcb.Win32Thread", w, g, b2, sizeof b2), state);
}

/* Only when APCs are disabled or a kernel APC waits (WinDbg's !thread has no
 * such line; the words are those of Driver Verifier's log in the reference
 * article: "KernelApcDisable = -4, SpecialApcDisable = -1"). */
static void print_apc_disable(kdx_show *v, const kdx_nt_obj *o, unsigned indent)
{
    uint64_t k, sp, pending = 0;
    if (kdx_nt_obj_get(o, "Tcb.KernelApcDisable", &k, NULL) != KDX_OK ||
        kdx_nt_obj_get(o, "Tcb.SpecialApcDisable", &sp, NULL) != KDX_OK)
        return; /* older kernels keep one combined count; nothing is shown rather than a guess */
    kdx_nt_obj_get(o, "Tcb.ApcState.KernelApcPending", &pending, NULL);
    if (!k && !sp && !pending)
        return;
    line(v->s, indent, "KernelApcDisable = %" PRId64 ", SpecialApcDisable = %" PRId64 "%s%s", (int64_t)k, (int64_t)sp,
         pending ? ", KernelApcPending" : "",
         (int64_t)k < 0 ? " (inside a critical region: KeEnterCriticalRegion without KeLeaveCriticalRegion yet)" : "");
}

static bool is_waiting(kdx_session *s, const kdx_nt_obj *o)
{
    uint64_t state;
    const char *name;
    return kdx_nt_obj_get(o, "Tcb.State", &state, NULL) == KDX_OK &&
           (name = kdx_nt_thread_state_name(s, state)) != NULL && !strcmp(name, "Waiting");
}

void kdx_show_thread(kdx_show *v, uint64_t thread, unsigned flags, unsigned indent)
{
    kdx_session *s = v->s;
    kdx_nt_obj o;
    kdx_err err = {0};
    read_globals(v);
    if (kdx_nt_obj_read(s, ET, thread, &o, &err) != KDX_OK) {
        line(s, indent, "THREAD %0*" PRIx64 ": cannot be read: %s", kdx_session_ptr_size(s) * 2, thread, err.msg);
        return;
    }
    check_kind(s, thread, "ThreadObject", "thread", indent);
    kdx_nt_gaps g;
    kdx_nt_gaps_init(&g);
    print_header(v, &o, &g, indent);
    if ((flags & KDX_SHOW_WAITS) && is_waiting(s, &o))
        print_waits(v, thread, indent);
    if ((flags & (KDX_SHOW_WAITS | KDX_SHOW_STACKS)) == (KDX_SHOW_WAITS | KDX_SHOW_STACKS)) {
        print_irps(v, &o, indent);
        print_impersonation(v, &o, &g, indent);
        print_owner_lines(v, &o, &g, indent);
        print_wait_lines(v, &o, &g, indent);
        print_start_and_stack_lines(v, &o, &g, indent);
        print_apc_disable(v, &o, indent);
        kdx_show_thread_stack(v, thread, !(flags & KDX_SHOW_NO_ARGS), indent);
    }
    print_gaps(s, indent, "thread", &g);
    kdx_nt_gaps_free(&g);
    kdx_nt_obj_free(&o);
}

/* ---- processes ---- */

typedef struct count_ctx {
    uint64_t n;
} count_ctx;

static int count_handle(void *ud, const kdx_nt_handle *h)
{
    (void)h;
    ((count_ctx *)ud)->n++;
    return 0;
}

/* HandleCount: the entries in use, counted in the table (Windows 10 keeps no count). */
static void fmt_handle_count(kdx_session *s, uint64_t table, bool ok, char *buf, size_t cap, kdx_nt_gaps *g)
{
    kdx_nt_handle_table ht;
    kdx_err err = {0};
    uint64_t skipped = 0;
    count_ctx c = {0};
    if (!ok || !table || kdx_nt_handle_table_read(s, table, &ht, &err) != KDX_OK ||
        kdx_nt_handle_walk(s, &ht, count_handle, &c, &skipped, &err) != KDX_OK || skipped) {
        snprintf(buf, cap, "<Data Not Accessible>");
        if (ok && table)
            kdx_nt_gaps_add(g, "handle table", &err);
        return;
    }
    snprintf(buf, cap, "%3" PRIu64 ".", c.n);
}

static void print_process_head(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g)
{
    kdx_session *s = v->s;
    int w = kdx_session_ptr_size(s) * 2;
    char session[24] = "none", cid[24], parent[24], peb[32], dir[32], table[32], hc[40];
    bool has, ok;
    uint32_t sid;
    kdx_err err = {0};
    if (kdx_nt_process_session(s, o->addr, &has, &sid, &err) != KDX_OK) {
        snprintf(session, sizeof session, "?");
        kdx_nt_gaps_add(g, "Session", &err);
    } else if (has) {
        snprintf(session, sizeof session, "%u", sid);
    }
    cid_text(o, "UniqueProcessId", g, cid, sizeof cid);
    cid_text(o, "InheritedFromUniqueProcessId", g, parent, sizeof parent);
    hexv(o, "Peb", 8, g, peb, sizeof peb);
    hexv(o, "Pcb.DirectoryTableBase", 8, g, dir, sizeof dir);
    uint64_t ot = kdx_nt_obj_val(o, "ObjectTable", g, &ok);
    snprintf(table, sizeof table, ok ? "%0*" PRIx64 : "?", w, ot);
    fmt_handle_count(s, ot, ok, hc, sizeof hc, g);
    char image[16] = "?";
    size_t n = 0;
    kdx_err ierr = {0};
    if (kdx_nt_obj_bytes(o, "ImageFileName", image, 15, &n, &ierr) == KDX_OK)
        image[n < 15 ? n : 15] = 0;
    else
        kdx_nt_gaps_add(g, "ImageFileName", &ierr);
    if (w == 16) {
        line(s, 0, "PROCESS %0*" PRIx64, w, o->addr);
        line(s, 4, "SessionId: %s  Cid: %s    Peb: %s  ParentCid: %s", session, cid, peb, parent);
    } else {
        line(s, 0, "PROCESS %0*" PRIx64 "  SessionId: %s  Cid: %s    Peb: %s  ParentCid: %s", w, o->addr, session,
             cid, peb, parent);
    }
    line(s, 4, "DirBase: %s  ObjectTable: %s  HandleCount: %s", dir, table, hc);
    line(s, 4, "Image: %s", image);
}

static const char *memory_priority_name(uint64_t v)
{
    return v == 0 ? "BACKGROUND" : v == 2 ? "FOREGROUND" : NULL;
}

static void print_process_stats(kdx_show *v, const kdx_nt_obj *o, kdx_nt_gaps *g)
{
    kdx_session *s = v->s;
    int w = kdx_session_ptr_size(s) * 2;
    char b[8][40];
    bool ok;
    line(s, 4, "VadRoot %s Vads %s Clone %s Private %s. Modified %s. Locked %s.", hexv(o, "VadRoot.Root|VadRoot", w, g, b[0], 40),
         decv(o, "VadCount", g, false, b[1], 40), decv(o, "CloneRoot.Root|CloneRoot", g, false, b[2], 40),
         decv(o, "NumberOfPrivatePages", g, false, b[3], 40), decv(o, "ModifiedPageCount", g, false, b[4], 40),
         decv(o, "NumberOfLockedPages", g, false, b[5], 40));
    line(s, 4, "DeviceMap %s", hexv(o, "DeviceMap", w, g, b[0], 40));
    uint64_t token = kdx_nt_obj_val(o, "Token.Value|Token", g, &ok);
    snprintf(b[0], 40, ok ? "%0*" PRIx64 : "?", w, token & ~(uint64_t)0xf); /* EX_FAST_REF: low bits count references */
    line(s, 4, "%-34s%s", "Token", b[0]);
    uint64_t created = kdx_nt_obj_val(o, "CreateTime.QuadPart|CreateTime", g, &ok);
    if (ok && v->have_time && v->system_time >= created)
        fmt_duration(v->system_time - created, b[0], 40);
    else
        snprintf(b[0], 40, "?");
    line(s, 4, "%-34s%s", "ElapsedTime", b[0]);
    uint64_t t = kdx_nt_obj_val(o, "Pcb.UserTime", g, &ok);
    line(s, 4, "%-34s%s", "UserTime", fmt_ticks(v, ok, t, b[0], 40));
    t = kdx_nt_obj_val(o, "Pcb.KernelTime", g, &ok);
    line(s, 4, "%-34s%s", "KernelTime", fmt_ticks(v, ok, t, b[0], 40));
    line(s, 4, "%-34s%s", "QuotaPoolUsage[PagedPool]", decv(o, "ProcessQuotaUsage[0]", g, false, b[0], 40));
    line(s, 4, "%-34s%s", "QuotaPoolUsage[NonPagedPool]", decv(o, "ProcessQuotaUsage[1]", g, false, b[0], 40));
    bool o1, o2, o3;
    uint64_t now = kdx_nt_obj_val(o, "Vm.Instance.WorkingSetSize|Vm.WorkingSetSize", g, &o1);
    uint64_t min = kdx_nt_obj_val(o, "Vm.Instance.MinimumWorkingSetSize|Vm.MinimumWorkingSetSize", g, &o2);
    uint64_t max = kdx_nt_obj_val(o, "Vm.Instance.MaximumWorkingSetSize|Vm.MaximumWorkingSetSize", g, &o3);
    if (o1 && o2 && o3)
        line(s, 4, "Working Set Sizes (now,min,max)  (%" PRIu64 ", %" PRIu64 ", %" PRIu64 ") (%" PRIu64 "KB, %" PRIu64
                   "KB, %" PRIu64 "KB)", now, min, max, now * 4, min * 4, max * 4);
    else
        line(s, 4, "Working Set Sizes (now,min,max)  ?");
    line(s, 4, "%-34s%s", "PeakWorkingSetSize",
         decv(o, "Vm.Instance.PeakWorkingSetSize|Vm.PeakWorkingSetSize", g, false, b[0], 40));
    uint64_t vs = kdx_nt_obj_val(o, "VirtualSize", g, &ok);
    snprintf(b[0], 40, ok ? "%" PRIu64 " Mb" : "?", vs >> 20);
    line(s, 4, "%-34s%s", "VirtualSize", b[0]);
    vs = kdx_nt_obj_val(o, "PeakVirtualSize", g, &ok);
    snprintf(b[0], 40, ok ? "%" PRIu64 " Mb" : "?", vs >> 20);
    line(s, 4, "%-34s%s", "PeakVirtualSize", b[0]);
    line(s, 4, "%-34s%s", "PageFaultCount", decv(o, "Vm.Instance.PageFaultCount|Vm.PageFaultCount", g, false, b[0], 40));
    uint64_t mp = kdx_nt_obj_val(o, "Vm.Instance.Flags.MemoryPriority|Vm.Flags.MemoryPriority", g, &ok);
    const char *mpn = ok ? memory_priority_name(mp) : NULL;
    if (!ok)
        snprintf(b[0], 40, "?");
    else if (mpn)
        snprintf(b[0], 40, "%s", mpn);
    else
        snprintf(b[0], 40, "%" PRIu64, mp);
    line(s, 4, "%-34s%s", "MemoryPriority", b[0]);
    line(s, 4, "%-34s%s", "BasePriority", decv(o, "Pcb.BasePriority", g, true, b[0], 40));
    line(s, 4, "%-34s%s", "CommitCharge", decv(o, "CommitCharge", g, false, b[0], 40));
}

typedef struct thread_list {
    kdx_show *v;
    unsigned flags;
} thread_list;

static int show_one_thread(void *ud, uint64_t thread, size_t index)
{
    thread_list *tl = ud;
    (void)index;
    kdx_show_thread(tl->v, thread, tl->flags, 8);
    if ((tl->flags & (KDX_SHOW_WAITS | KDX_SHOW_STACKS)) == (KDX_SHOW_WAITS | KDX_SHOW_STACKS))
        kdx_print(tl->v->s, "\n");
    return 0;
}

static void print_threads(kdx_show *v, uint64_t process, unsigned flags)
{
    thread_list tl = {v, flags};
    kdx_err err = {0};
    kdx_print(v->s, "\n");
    if (kdx_nt_process_threads(v->s, process, show_one_thread, &tl, NULL, &err) != KDX_OK)
        line(v->s, 8, "(%s)", err.msg);
}

void kdx_show_process(kdx_show *v, uint64_t process, unsigned flags)
{
    kdx_session *s = v->s;
    kdx_nt_obj o;
    kdx_err err = {0};
    read_globals(v);
    if (kdx_nt_obj_read(s, EP, process, &o, &err) != KDX_OK) {
        line(s, 0, "PROCESS %0*" PRIx64 ": cannot be read: %s", kdx_session_ptr_size(s) * 2, process, err.msg);
        return;
    }
    check_kind(s, process, "ProcessObject", "process", 0);
    uint64_t saved_process = s->implicit_process, saved_dtb = s->target->dtb;
    if (flags & KDX_SHOW_CONTEXT)
        kdx_nt_set_implicit_process(s, process, NULL);
    kdx_nt_gaps g;
    kdx_nt_gaps_init(&g);
    print_process_head(v, &o, &g);
    if (flags & KDX_SHOW_STATS)
        print_process_stats(v, &o, &g);
    print_gaps(s, 4, "process", &g);
    kdx_nt_gaps_free(&g);
    if (flags & (KDX_SHOW_WAITS | KDX_SHOW_STACKS))
        print_threads(v, process, flags);
    if (flags & KDX_SHOW_CONTEXT) {
        s->implicit_process = saved_process;
        s->target->dtb = saved_dtb;
    }
    kdx_nt_obj_free(&o);
}
