/* Processes and threads of kernel dumps: !process, !thread, .process,
 * .thread, !for_each_process, !for_each_thread. Layouts: docs/nt.md. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/nt_show.h"
#include "expr/expr.h"
#include "nt/process.h"
#include "nt/processor.h"
#include "nt/thread.h"

#define MAX_ARGS 8

/* ---- arguments ---- */

typedef struct words {
    char *w[MAX_ARGS];
    size_t n;
    char *buf;
} words;

/* Splits args at blanks; a "quoted" word keeps its blanks (quotes removed). */
static bool split_words(const char *args, words *out)
{
    memset(out, 0, sizeof *out);
    out->buf = kdx_strdup(args);
    char *p = out->buf;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (out->n == MAX_ARGS)
            return false;
        if (*p == '"') {
            out->w[out->n++] = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            out->w[out->n++] = p;
            while (*p && !isspace((unsigned char)*p))
                p++;
        }
        if (*p)
            *p++ = 0;
    }
    return true;
}

static void free_words(words *w)
{
    free(w->buf);
}

static bool eval_word(kdx_session *s, const char *w, uint64_t *v)
{
    kdx_err err = {0};
    if (kdx_expr_eval_all(s, w, v, &err) == KDX_OK)
        return true;
    kdx_cmd_fail(s, &err);
    return false;
}

static bool need_kernel(kdx_session *s, const char *cmd)
{
    if (!kdx_cmd_need_target(s))
        return false;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP) {
        kdx_print(s, "%s works on kernel targets only (this is a %s).\n", cmd,
                  s->target->kind == KDX_TARGET_USER_DUMP ? "user-mode dump" : "file without a live system");
        return false;
    }
    return true;
}

/* A kernel target and args split into words; false after printing why not. */
static bool kernel_words(kdx_session *s, const char *cmd, const char *args, words *w)
{
    memset(w, 0, sizeof *w);
    if (!need_kernel(s, cmd))
        return false;
    if (split_words(args, w))
        return true;
    free_words(w);
    kdx_cmd_syntax_error(s, cmd, args);
    return false;
}

/* A value that is not a kernel address is a client id (WinDbg's rule for !process). */
static bool looks_like_address(kdx_session *s, uint64_t v)
{
    return kdx_session_ptr_size(s) == 8 ? v >= 0xffff800000000000ull : v >= 0x80000000ull;
}

/* ---- !process ---- */

typedef struct all_ctx {
    kdx_show *v;
    unsigned flags;
    const char *image;
    size_t shown;
} all_ctx;

static int show_listed(void *ud, uint64_t process, size_t index)
{
    all_ctx *a = ud;
    (void)index;
    if (a->image) {
        char name[16];
        if (kdx_nt_process_image(a->v->s, process, name, NULL) != KDX_OK || kdx_strcasecmp(name, a->image))
            return 0;
    }
    kdx_show_process(a->v, process, a->flags);
    kdx_print(a->v->s, "\n");
    a->shown++;
    return 0;
}

static int all_processes(kdx_session *s, unsigned flags, const char *image)
{
    kdx_show v;
    kdx_show_init(&v, s);
    kdx_print(s, "**** NT ACTIVE PROCESS DUMP ****\n");
    all_ctx a = {&v, flags, image, 0};
    kdx_err err = {0};
    kdx_nt_list_result r;
    kdx_status st = kdx_nt_process_walk(s, show_listed, &a, &r, &err);
    if (st != KDX_OK)
        kdx_print(s, "%s\n", err.msg);
    if (image && !a.shown && st == KDX_OK)
        kdx_print(s, "No process has the image name %s.\n", image);
    kdx_show_finish(&v);
    return st == KDX_OK ? 0 : 1;
}

static int one_process(kdx_session *s, uint64_t process, unsigned flags)
{
    kdx_show v;
    kdx_show_init(&v, s);
    kdx_show_process(&v, process, flags);
    kdx_show_finish(&v);
    return 0;
}

static int cmd_process(kdx_session *s, const char *cmd, const char *args)
{
    words w;
    if (!kernel_words(s, cmd, args, &w))
        return 1;
    uint64_t target = 0, flags = 3;
    bool has_target = w.n > 0, ok = true;
    if (has_target)
        ok = eval_word(s, w.w[0], &target);
    if (ok && w.n > 1)
        ok = eval_word(s, w.w[1], &flags);
    else if (ok && has_target && target != 0 && target != UINT64_MAX)
        flags = 0xf;
    if (!ok || w.n > 3 || flags > 0x1f) {
        if (ok)
            kdx_print(s, "Usage: !process [0|ADDR|CID|-1] [Flags 0..0x1f] [ImageName]\n");
        free_words(&w);
        return 1;
    }
    int rc;
    kdx_err err = {0};
    if (has_target && target == 0) {
        rc = all_processes(s, (unsigned)flags, w.n > 2 ? w.w[2] : NULL);
    } else if (!has_target || target == UINT64_MAX || target == 0xffffffffull) {
        uint64_t p;
        rc = kdx_nt_current_process(s, &p, &err) == KDX_OK ? one_process(s, p, (unsigned)flags) : kdx_cmd_fail(s, &err);
    } else if (looks_like_address(s, target)) {
        rc = one_process(s, target, (unsigned)flags);
    } else {
        uint64_t p;
        kdx_print(s, "Searching for Process with Cid == %" PRIx64 "\n", target);
        rc = kdx_nt_process_by_cid(s, target, &p, &err) == KDX_OK ? one_process(s, p, (unsigned)flags)
                                                                   : kdx_cmd_fail(s, &err);
    }
    free_words(&w);
    return rc;
}

/* ---- !thread ---- */

static int cmd_thread(kdx_session *s, const char *cmd, const char *args)
{
    words w;
    if (!kernel_words(s, cmd, args, &w))
        return 1;
    bool by_tid = false, with_process = false;
    size_t i = 0;
    for (; i < w.n && w.w[i][0] == '-' && isalpha((unsigned char)w.w[i][1]); i++) {
        if (!strcmp(w.w[i], "-t"))
            by_tid = true;
        else if (!strcmp(w.w[i], "-p"))
            with_process = true;
        else {
            kdx_print(s, "Usage: !thread [-p] [-t] [Address|-1 [Flags]]\n");
            free_words(&w);
            return 1;
        }
    }
    uint64_t thread = UINT64_MAX, flags = 6;
    bool ok = true;
    if (i < w.n)
        ok = eval_word(s, w.w[i], &thread);
    if (ok && i + 1 < w.n)
        ok = eval_word(s, w.w[i + 1], &flags);
    kdx_err err = {0};
    if (ok && (thread == UINT64_MAX || thread == 0xffffffffull || (!by_tid && thread == 0)))
        ok = kdx_nt_current_thread(s, &thread, &err) == KDX_OK || kdx_cmd_fail(s, &err) == 0;
    else if (ok && by_tid)
        ok = kdx_nt_thread_by_cid(s, thread, &thread, &err) == KDX_OK || kdx_cmd_fail(s, &err) == 0;
    free_words(&w);
    if (!ok)
        return 1;
    kdx_show v;
    kdx_show_init(&v, s);
    uint64_t process;
    if (with_process && kdx_nt_thread_process(s, thread, &process, &err) == KDX_OK) {
        kdx_show_process(&v, process, 0);
        kdx_print(s, "\n");
    }
    uint64_t saved_process = s->implicit_process, saved_dtb = s->target->dtb;
    if ((flags & KDX_SHOW_CONTEXT) && kdx_nt_thread_process(s, thread, &process, NULL) == KDX_OK)
        kdx_nt_set_implicit_process(s, process, NULL);
    kdx_show_thread(&v, thread, (unsigned)flags, 0);
    s->implicit_process = saved_process;
    s->target->dtb = saved_dtb;
    kdx_show_finish(&v);
    return 0;
}

/* ---- .thread and .process ---- */

typedef struct dot_opts {
    bool p, r, i, big_p, w;
    const char *rest;
} dot_opts;

static bool parse_dot_opts(kdx_session *s, const char *cmd, const char *args, dot_opts *o)
{
    memset(o, 0, sizeof *o);
    const char *p = kdx_skip_ws(args);
    while (*p == '/' || (*p == '-' && isalpha((unsigned char)p[1]))) {
        char c = p[1];
        if (c == 'p')
            o->p = true;
        else if (c == 'r')
            o->r = true;
        else if (c == 'i')
            o->i = true;
        else if (c == 'P')
            o->big_p = true;
        else if (c == 'w')
            o->w = true;
        else {
            kdx_print(s, "%s: unknown option %.2s\n", cmd, p);
            return false;
        }
        p = kdx_skip_ws(p + 2);
    }
    o->rest = p;
    return true;
}

/* What /r would do: reload the user-mode modules of the process. */
static void note_user_symbols(kdx_session *s, const dot_opts *o)
{
    if (o->r)
        kdx_print(s, "User symbols are not reloaded: kdx does not read the user-mode module list (PEB loader data) "
                     "of kernel dumps yet; user addresses now translate through this process's page tables.\n");
}

static int cmd_dot_thread(kdx_session *s, const char *cmd, const char *args)
{
    if (!need_kernel(s, cmd))
        return 1;
    dot_opts o;
    if (!parse_dot_opts(s, cmd, args, &o))
        return 1;
    if (o.w || o.big_p) {
        kdx_print(s, ".thread /%c needs %s.\n", o.w ? 'w' : 'P',
                  o.w ? "WOW64 context support, which kdx does not have yet" : "a live target");
        return 1;
    }
    uint64_t thread = 0;
    kdx_err err = {0};
    if (*o.rest && !eval_word(s, o.rest, &thread))
        return 1;
    if (kdx_nt_set_implicit_thread(s, thread, o.p, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    char a[24];
    if (!thread && kdx_nt_current_thread(s, &thread, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_print(s, "Implicit thread is now %s\n", kdx_session_fmt_ptr(s, a, thread));
    uint64_t process;
    if (o.p && kdx_nt_current_process(s, &process, NULL) == KDX_OK)
        kdx_print(s, "Implicit process is now %s\n", kdx_session_fmt_ptr(s, a, process));
    note_user_symbols(s, &o);
    return 0;
}

static int cmd_dot_process(kdx_session *s, const char *cmd, const char *args)
{
    if (!need_kernel(s, cmd))
        return 1;
    dot_opts o;
    if (!parse_dot_opts(s, cmd, args, &o))
        return 1;
    if (o.big_p) {
        kdx_print(s, ".process /P needs a live target.\n");
        return 1;
    }
    uint64_t process = 0;
    kdx_err err = {0};
    char a[24];
    if (*o.rest) {
        if (!eval_word(s, o.rest, &process))
            return 1;
        /* A dump cannot run: /i takes effect at once, like /p. */
        if (kdx_nt_set_implicit_process(s, process, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    }
    if (!process && kdx_nt_current_process(s, &process, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_print(s, "Implicit process is now %s\n", kdx_session_fmt_ptr(s, a, process));
    note_user_symbols(s, &o);
    return 0;
}

/* ---- !for_each_process, !for_each_thread ---- */

typedef struct each_ctx {
    kdx_session *s;
    const char *command;
    const char *alias;
    int failures;
} each_ctx;

/* The command with every alias (@#Process, @#Thread) replaced by the address. */
static char *expand(const char *command, const char *alias, uint64_t addr)
{
    kdx_strbuf b;
    kdx_sb_init(&b);
    size_t n = strlen(alias);
    for (const char *p = command; *p;) {
        if (!kdx_strncasecmp(p, alias, n)) {
            kdx_sb_printf(&b, "%" PRIx64, addr);
            p += n;
        } else {
            kdx_sb_putc(&b, *p++);
        }
    }
    return kdx_sb_take(&b);
}

static int run_for(void *ud, uint64_t object, size_t index)
{
    each_ctx *e = ud;
    (void)index;
    char *line = expand(e->command, e->alias, object);
    bool echo = e->s->echo_commands; /* the commands' output only, as WinDbg shows it */
    e->s->echo_commands = false;
    e->failures += kdx_execute(e->s, line) != 0;
    e->s->echo_commands = echo;
    free(line);
    return e->s->quit;
}

static int run_for_threads(void *ud, uint64_t process, size_t index)
{
    each_ctx *e = ud;
    kdx_err err = {0};
    (void)index;
    if (kdx_nt_process_threads(e->s, process, run_for, e, NULL, &err) != KDX_OK)
        kdx_print(e->s, "%s\n", err.msg);
    return e->s->quit;
}

static int for_each(kdx_session *s, const char *cmd, const char *args, bool threads)
{
    if (!need_kernel(s, cmd))
        return 1;
    words w;
    if (!split_words(args, &w) || w.n > 1) {
        free_words(&w);
        kdx_print(s, "Usage: %s [\"Commands\"] (%s is replaced by each address)\n", cmd,
                  threads ? "@#Thread" : "@#Process");
        return 1;
    }
    each_ctx e = {s, w.n ? w.w[0] : threads ? "!thread @#Thread 2" : "!process @#Process 0",
                  threads ? "@#Thread" : "@#Process", 0};
    kdx_err err = {0};
    kdx_status st = kdx_nt_process_walk(s, threads ? run_for_threads : run_for, &e, NULL, &err);
    if (st != KDX_OK)
        kdx_print(s, "%s\n", err.msg);
    free_words(&w);
    return st != KDX_OK || e.failures;
}

static int cmd_for_each_process(kdx_session *s, const char *cmd, const char *args)
{
    return for_each(s, cmd, args, false);
}

static int cmd_for_each_thread(kdx_session *s, const char *cmd, const char *args)
{
    return for_each(s, cmd, args, true);
}

const kdx_command kdx_cmds_process[] = {
    {"!process", cmd_process, "processes: !process [0|ADDR|CID|-1] [Flags 0..0x1f] [ImageName]", 0},
    {"!thread", cmd_thread, "a thread: !thread [-p] [-t] [ADDR|TID|-1] [Flags]", 0},
    {".process", cmd_dot_process, "set the implicit process (page tables for user addresses): .process [/i] [/p [/r]] [ADDR]", 0},
    {".thread", cmd_dot_thread, "set the register context to a thread's: .thread [/p [/r]] [ADDR]", 0},
    {"!for_each_process", cmd_for_each_process, "run commands for each process (@#Process): !for_each_process [\"CMDS\"]", 0},
    {"!for_each_thread", cmd_for_each_thread, "run commands for each thread (@#Thread): !for_each_thread [\"CMDS\"]", 0},
    {0}};
