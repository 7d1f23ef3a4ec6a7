/* Command family: terminal-server sessions of a kernel dump: !session [-s
 * ID]. Layout: Microsoft's !session page (`Sessions on machine: 2`, `Valid
 * Sessions: 0 1`, `Current Session 1`); -s makes a process of that session
 * implicit, so session-space addresses translate through its page tables
 * (the echo lab's `Implicit process is now ...`); docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/process.h"
#include "nt/processor.h"

#define MAX_SESSIONS 256

typedef struct session_scan {
    kdx_session *s;
    uint32_t ids[MAX_SESSIONS];
    uint64_t first_process[MAX_SESSIONS];
    size_t n;
    uint64_t unreadable;
    kdx_err why;
} session_scan;

static int one_process(void *ud, uint64_t process, size_t index)
{
    session_scan *sc = ud;
    bool has;
    uint32_t id;
    (void)index;
    kdx_err err = {0};
    if (kdx_nt_process_session(sc->s, process, &has, &id, &err) != KDX_OK) {
        if (!sc->unreadable++)
            sc->why = err;
        return kdx_interrupted();
    }
    if (!has)
        return kdx_interrupted();
    for (size_t i = 0; i < sc->n; i++)
        if (sc->ids[i] == id)
            return kdx_interrupted();
    if (sc->n < MAX_SESSIONS) {
        size_t i = sc->n++;
        while (i > 0 && sc->ids[i - 1] > id) { /* kept sorted */
            sc->ids[i] = sc->ids[i - 1];
            sc->first_process[i] = sc->first_process[i - 1];
            i--;
        }
        sc->ids[i] = id;
        sc->first_process[i] = process;
    }
    return kdx_interrupted();
}

static int cmd_session(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    const char *p = kdx_skip_ws(args);
    bool set = false;
    uint64_t want = 0;
    kdx_err err = {0};
    if (!strncmp(p, "-s", 2) && (p[2] == ' ' || p[2] == '\t')) {
        set = true;
        if (kdx_expr_eval(s, kdx_skip_ws(p + 2), &want, NULL, &err))
            return kdx_cmd_fail(s, &err);
    } else if (*p) {
        return kdx_cmd_syntax_error(s, "!session", args);
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    session_scan sc = {.s = s};
    kdx_status st = kdx_nt_process_walk(s, one_process, &sc, NULL, &err);
    kdx_print(s, "Sessions on machine: %zu\nValid Sessions:", sc.n);
    for (size_t i = 0; i < sc.n; i++)
        kdx_print(s, " %u", sc.ids[i]);
    kdx_print(s, "\n");
    if (st != KDX_OK && st != KDX_E_INTERRUPTED)
        kdx_print(s, "(the process list ends early, sessions may be missing: %s)\n", err.msg);
    if (sc.unreadable)
        kdx_print(s, "(%" PRIu64 " processes' sessions not read: %s)\n", sc.unreadable, sc.why.msg);
    uint64_t cur;
    bool has = false;
    uint32_t id = 0;
    memset(&err, 0, sizeof err);
    if (kdx_nt_current_process(s, &cur, &err) == KDX_OK && kdx_nt_process_session(s, cur, &has, &id, &err) == KDX_OK)
        has ? kdx_print(s, "Current Session %u\n", id) : kdx_print(s, "Current Session none (the current process has none)\n");
    else
        kdx_print(s, "Current Session ? (%s)\n", err.msg);
    if (!set)
        return 0;
    for (size_t i = 0; i < sc.n; i++) {
        if (sc.ids[i] != want)
            continue;
        char a[24];
        if (kdx_nt_set_implicit_process(s, sc.first_process[i], &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        kdx_print(s, "Implicit process is now %s\nUsing session %u\n", kdx_session_fmt_ptr(s, a, sc.first_process[i]),
                  sc.ids[i]);
        return 0;
    }
    kdx_print(s, "Session %" PRIu64 " not found: no process of this dump belongs to it\n", want);
    return 1;
}

const kdx_command kdx_cmds_ntsession[] = {
    {"!session", cmd_session, "terminal-server sessions; -s ID uses a process of that session: !session [-s ID]", 0},
    {0}};
