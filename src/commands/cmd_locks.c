/* Command family: executive resources: !locks [-v] [-d] [ADDR]. Layout
 * (docs/nt.md): Microsoft's !locks page and the reference article's x64
 * transcript (`Resource @ nt!PiEngineLock (0x...)    Exclusively owned`,
 * `Contention Count = 6`, `Threads: ADDR-01<*>`, `N total locks, M locks
 * currently held`); waiter lines from a public NTDebugging write-up. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/nt_show.h"
#include "expr/expr.h"
#include "nt/resource.h"
#include "nt/wait.h"
#include "sym/symbols.h"

/* Resources scanned per progress dot (WinDbg's own step is not documented: inferred). */
#define DOT_STEP 1000u
#define WAITERS_PER_LINE 4

typedef struct locks_run {
    kdx_session *s;
    bool verbose, all;
    uint64_t total, held, since_dots;
    kdx_show show;
} locks_run;

/* "nt!PiEngineLock (0xfffff80001a81b80)" for a global, else "0x...". */
static void resource_name(kdx_session *s, uint64_t addr, char *buf, size_t cap)
{
    kdx_symhit hit;
    int w = kdx_session_ptr_size(s) * 2;
    if (kdx_sym_from_addr(s, addr, &hit) == KDX_OK && hit.name && hit.displacement == 0 && hit.module)
        snprintf(buf, cap, "%s!%s (0x%0*" PRIx64 ")", hit.module->name, hit.name, w, addr);
    else
        snprintf(buf, cap, "0x%0*" PRIx64, w, addr);
}

static void print_owners(locks_run *L, const kdx_nt_resource *r, const uint64_t *shared, size_t nshared)
{
    kdx_session *s = L->s;
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "     Threads:");
    for (size_t i = 0; i < r->nowners; i++) {
        uint64_t t = r->owners[i].thread;
        kdx_print(s, " %0*" PRIx64 "-%02" PRIx64 "<*>", w, t, r->owners[i].count);
        if (t & 3) /* an owner pointer (ExSetResourceOwnerPointer), not a thread */
            kdx_print(s, " *** Actual Thread %0*" PRIx64, w, t & ~(uint64_t)3);
    }
    for (size_t i = 0; i < nshared; i++)
        kdx_print(s, " %0*" PRIx64 "-01", w, shared[i]);
    kdx_print(s, "\n");
    if (r->nowners_total > r->nowners)
        kdx_print(s, "     (%zu more owners not shown)\n", r->nowners_total - r->nowners);
    if (r->owner_table_unread)
        kdx_print(s, "     (owner table not read: %s)\n", r->owners_why.msg);
}

/* The threads waiting on one of the resource's waiter objects; prints why when they cannot be listed. */
static size_t waiters(kdx_session *s, uint64_t object, uint64_t count, const char *kind, uint64_t *out, size_t max)
{
    size_t n = 0;
    if (!count)
        return 0;
    kdx_err err = {0};
    char a[24];
    if (!object)
        kdx_print(s, "     (%" PRIu64 " %s waiters counted, but the resource has no waiter object)\n", count, kind);
    else if (kdx_nt_resource_waiters(s, object, out, max, &n, &err) != KDX_OK)
        kdx_print(s, "     (%s waiters not listed: %sWaiters %s: %s)\n", kind, kind[0] == 's' ? "Shared" : "Exclusive",
                  kdx_session_fmt_ptr(s, a, object), err.msg);
    return n;
}

static void print_exclusive_waiters(kdx_session *s, const uint64_t *t, size_t n)
{
    if (!n)
        return;
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "     Threads Waiting On Exclusive Access:\n");
    for (size_t i = 0; i < n; i++)
        kdx_print(s, "%s%0*" PRIx64 "%s", i % WAITERS_PER_LINE ? "       " : "              ", w, t[i],
                  (i % WAITERS_PER_LINE == WAITERS_PER_LINE - 1 || i + 1 == n) ? "\n" : "");
}

/* -v: each owner's and waiter's thread with its stack. */
static void print_threads(locks_run *L, const kdx_nt_resource *r, const uint64_t *ex, size_t nex)
{
    for (size_t i = 0; i < r->nowners; i++) {
        kdx_print(L->s, "\n");
        kdx_show_thread(&L->show, r->owners[i].thread & ~(uint64_t)3, KDX_SHOW_WAITS | KDX_SHOW_STACKS | KDX_SHOW_NO_ARGS,
                        5);
    }
    for (size_t i = 0; i < nex; i++) {
        kdx_print(L->s, "\n");
        kdx_show_thread(&L->show, ex[i], KDX_SHOW_WAITS | KDX_SHOW_STACKS | KDX_SHOW_NO_ARGS, 5);
    }
}

static void print_resource(locks_run *L, const kdx_nt_resource *r)
{
    kdx_session *s = L->s;
    char name[320];
    resource_name(s, r->addr, name, sizeof name);
    if (!kdx_nt_resource_held(r)) {
        kdx_print(s, "Resource @ %s    Available\n", name);
        return;
    }
    if (r->exclusive)
        kdx_print(s, "Resource @ %s    Exclusively owned\n", name);
    else
        kdx_print(s, "Resource @ %s    Shared %zu owning threads\n", name, r->nowners_total);
    if (r->contention)
        kdx_print(s, "    Contention Count = %" PRIu64 "\n", r->contention);
    if (r->shared_waiters)
        kdx_print(s, "    NumberOfSharedWaiters = %" PRIu64 "\n", r->shared_waiters);
    if (r->exclusive_waiters)
        kdx_print(s, "    NumberOfExclusiveWaiters = %" PRIu64 "\n", r->exclusive_waiters);
    uint64_t sh[KDX_NT_RESOURCE_MAX_WAITERS], ex[KDX_NT_RESOURCE_MAX_WAITERS];
    size_t nsh = waiters(s, r->shared_object, r->shared_waiters, "shared", sh, KDX_NT_RESOURCE_MAX_WAITERS);
    size_t nex = waiters(s, r->exclusive_object, r->exclusive_waiters, "exclusive", ex, KDX_NT_RESOURCE_MAX_WAITERS);
    print_owners(L, r, sh, nsh);
    print_exclusive_waiters(s, ex, nex);
    if (L->verbose)
        print_threads(L, r, ex, nex);
}

static void scanning_line(locks_run *L)
{
    kdx_print(L->s, "KD: Scanning for held locks");
    for (uint64_t i = 0; i < L->since_dots / DOT_STEP + 1; i++)
        kdx_print(L->s, ".");
    kdx_print(L->s, "\n");
    L->since_dots = 0;
}

static int one_lock(void *ud, uint64_t addr, size_t index)
{
    locks_run *L = ud;
    (void)index;
    kdx_nt_resource r;
    kdx_err err = {0};
    L->total++;
    L->since_dots++;
    if (kdx_nt_resource_read(L->s, addr, &r, &err) != KDX_OK) {
        scanning_line(L);
        kdx_print(L->s, "\nResource @ %016" PRIx64 ": cannot be read: %s\n", addr, err.msg);
        return 0;
    }
    bool held = kdx_nt_resource_held(&r);
    L->held += held;
    if (held || L->all) {
        scanning_line(L);
        kdx_print(L->s, "\n");
        print_resource(L, &r);
    }
    return kdx_interrupted();
}

static int parse_options(kdx_session *s, const char *args, locks_run *L, uint64_t *addr, bool *has_addr)
{
    const char *p = kdx_skip_ws(args);
    while (*p == '-') {
        size_t len = strcspn(p + 1, " \t");
        for (size_t i = 1; i <= len; i++) {
            if (p[i] == 'v')
                L->verbose = true;
            else if (p[i] == 'd')
                L->all = true;
            else if (p[i] != 'p') /* -p: performance data; kdx has none to add (the counts are always shown) */
                return kdx_cmd_syntax_error(s, "!locks", args);
        }
        p = kdx_skip_ws(p + 1 + len);
    }
    *has_addr = *p != 0;
    if (*has_addr) {
        kdx_err err = {0};
        if (kdx_expr_eval(s, p, addr, NULL, &err))
            return kdx_cmd_fail(s, &err);
        *has_addr = *addr != 0; /* 0: every resource, as WinDbg documents */
    }
    return 0;
}

static int cmd_locks(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    if (s->target->kind == KDX_TARGET_USER_DUMP) {
        /* ntsdexts' !locks lists critical sections; kdx has only the kernel form. */
        kdx_print(s, "%s on a user-mode dump lists critical sections (ntdll!RtlCriticalSectionList): not "
                     "implemented in kdx yet; kdx's %s reads the kernel's ERESOURCEs in kernel dumps.\n", cmd, cmd);
        return 1;
    }
    locks_run L = {.s = s};
    uint64_t addr = 0;
    bool has_addr = false;
    if (parse_options(s, args, &L, &addr, &has_addr))
        return 1;
    kdx_show_init(&L.show, s);
    kdx_err err = {0};
    int rc = 0;
    if (has_addr) {
        kdx_nt_resource r;
        if (kdx_nt_resource_read(s, addr, &r, &err) != KDX_OK) {
            kdx_show_finish(&L.show);
            return kdx_cmd_fail(s, &err);
        }
        print_resource(&L, &r);
        kdx_print(s, "1 total locks, %d locks currently held\n", kdx_nt_resource_held(&r) ? 1 : 0);
    } else {
        kdx_status st = kdx_nt_resource_walk(s, one_lock, &L, NULL, &err);
        scanning_line(&L);
        kdx_print(s, "%" PRIu64 " total locks, %" PRIu64 " locks currently held\n", L.total, L.held);
        if (st != KDX_OK && st != KDX_E_INTERRUPTED) {
            kdx_print(s, "The count is incomplete: %s\n", err.msg);
            rc = 1;
        }
    }
    kdx_show_finish(&L.show);
    return rc;
}

const kdx_command kdx_cmds_locks[] = {
    {"!locks", cmd_locks, "executive resources (ERESOURCE): owners and waiters: !locks [-v] [-d] [ADDR]", 0},
    {0}};
