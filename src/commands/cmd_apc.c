/* Command family: asynchronous procedure calls: !apc [proc PROCESS | thre
 * THREAD | KAPC]. Layout: Microsoft's !apc page (`*** Enumerating APCs in
 * all processes`, `Process ADDR IMAGE`, `Thread ADDR ApcStateIndex N
 * ApcListHead ADDR [KERNEL]`, `KAPC @ ADDR` with Type / KernelRoutine /
 * RundownRoutine lines); docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/apc.h"
#include "nt/field.h"
#include "nt/process.h"
#include "sym/symbols.h"

typedef struct apc_run {
    kdx_session *s;
    uint64_t thread, list_head;
    unsigned mode;
    bool thread_shown;
    uint64_t apcs;
} apc_run;

static void print_routine(kdx_session *s, const char *label, uint64_t addr)
{
    char sym[256] = "";
    kdx_symhit hit;
    if (addr && kdx_sym_from_addr(s, addr, &hit) == KDX_OK && hit.name && hit.module)
        snprintf(sym, sizeof sym, " %s!%s+%#" PRIx64, hit.module->name, hit.name, hit.displacement);
    kdx_print(s, "          %-14s %0*" PRIx64 "%s\n", label, kdx_session_ptr_size(s) * 2, addr, sym);
}

static void print_kapc(kdx_session *s, uint64_t kapc, unsigned indent)
{
    uint64_t type = 0, kernel = 0, rundown = 0, normal = 0;
    kdx_err err = {0};
    kdx_print(s, "%*sKAPC @ %0*" PRIx64 "\n", indent, "", kdx_session_ptr_size(s) * 2, kapc);
    if (kdx_nt_read(s, "nt!_KAPC", kapc, "Type", &type, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_KAPC", kapc, "KernelRoutine", &kernel, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_KAPC", kapc, "RundownRoutine", &rundown, &err) != KDX_OK ||
        kdx_nt_read(s, "nt!_KAPC", kapc, "NormalRoutine", &normal, &err) != KDX_OK) {
        kdx_print(s, "%*s  (not read: %s)\n", indent, "", err.msg);
        return;
    }
    kdx_print(s, "          %-14s %" PRIx64 "\n", "Type", type);
    print_routine(s, "KernelRoutine", kernel);
    print_routine(s, "RundownRoutine", rundown);
    if (normal)
        print_routine(s, "NormalRoutine", normal);
}

static int one_apc(void *ud, const kdx_nt_apc *apc)
{
    apc_run *r = ud;
    if (!r->thread_shown) {
        uint64_t index = 0;
        kdx_nt_read(r->s, "nt!_KTHREAD", r->thread, "ApcStateIndex", &index, NULL);
        int w = kdx_session_ptr_size(r->s) * 2;
        kdx_print(r->s, "    Thread %0*" PRIx64 " ApcStateIndex %" PRIu64 " ApcListHead %0*" PRIx64 " [%s]\n", w, r->thread,
                  index, w, r->list_head, r->mode ? "USER" : "KERNEL");
        r->thread_shown = true;
    }
    r->apcs++;
    print_kapc(r->s, apc->addr, 8);
    return kdx_interrupted();
}

/* Both APC lists of a thread's current APC state. */
static void thread_apcs(apc_run *r, uint64_t thread)
{
    uint64_t at;
    kdx_nt_apc_state st;
    kdx_err err = {0};
    int w = kdx_session_ptr_size(r->s) * 2;
    r->thread = thread;
    if (kdx_nt_offset(r->s, "nt!_KTHREAD", "ApcState", &at, &err) != KDX_OK ||
        kdx_nt_apc_state_read(r->s, thread + at, &st, &err) != KDX_OK) {
        kdx_print(r->s, "    Thread %0*" PRIx64 ": APC state not read: %s\n", w, thread, err.msg);
        return;
    }
    for (unsigned mode = 0; mode < 2; mode++) {
        r->mode = mode;
        r->list_head = st.list_head[mode];
        r->thread_shown = false;
        memset(&err, 0, sizeof err);
        if (kdx_nt_apc_walk(r->s, &st, mode, one_apc, r, NULL, &err) != KDX_OK && err.code != KDX_E_INTERRUPTED)
            kdx_print(r->s, "    Thread %0*" PRIx64 ": %s\n", w, thread, err.msg);
    }
}

static int apc_thread_cb(void *ud, uint64_t thread, size_t index)
{
    (void)index;
    thread_apcs(ud, thread);
    return kdx_interrupted();
}

static int apc_process_cb(void *ud, uint64_t process, size_t index)
{
    apc_run *r = ud;
    char image[16] = "?";
    kdx_err err = {0};
    (void)index;
    kdx_nt_process_image(r->s, process, image, NULL);
    kdx_print(r->s, "Process %0*" PRIx64 " %s\n", kdx_session_ptr_size(r->s) * 2, process, image);
    if (kdx_nt_process_threads(r->s, process, apc_thread_cb, r, NULL, &err) != KDX_OK && err.code != KDX_E_INTERRUPTED)
        kdx_print(r->s, "    (%s)\n", err.msg);
    return kdx_interrupted();
}

static int cmd_apc(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    apc_run r = {s, 0, 0, 0, false, 0};
    const char *p = kdx_skip_ws(args);
    bool proc = !strncmp(p, "proc", 4) && (p[4] == ' ' || p[4] == '\t');
    bool thre = !strncmp(p, "thre", 4) && (p[4] == ' ' || p[4] == '\t');
    uint64_t addr = 0;
    kdx_err err = {0};
    if (proc || thre)
        p = kdx_skip_ws(p + 4);
    if (*p && kdx_expr_eval(s, p, &addr, NULL, &err))
        return kdx_cmd_fail(s, &err);
    if (thre) {
        thread_apcs(&r, addr);
        if (!r.apcs)
            kdx_print(s, "    (no APCs queued to thread %0*" PRIx64 ")\n", kdx_session_ptr_size(s) * 2, addr);
    } else if (proc) {
        apc_process_cb(&r, addr, 0);
    } else if (*p) {
        print_kapc(s, addr, 0);
        return 0;
    } else {
        kdx_print(s, "*** Enumerating APCs in all processes\n");
        if (kdx_nt_process_walk(s, apc_process_cb, &r, NULL, &err) != KDX_OK && err.code != KDX_E_INTERRUPTED)
            kdx_print(s, "(the process list ends early: %s)\n", err.msg);
    }
    return 0;
}

const kdx_command kdx_cmds_apc[] = {
    {"!apc", cmd_apc, "queued APCs: !apc [proc PROCESS | thre THREAD | KAPC]", 0},
    {0}};
