/* Command family: user-mode dumps. Here: ~ (threads, and processors on a
 * kernel dump), | (process), !teb, !peb, !gle, !error, and the family's
 * table. The views of minidump streams (!mdstreams, !handle, !runaway,
 * .ttime, !address) are in cmd_user_dump.c. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/cmd_user.h"
#include "nt/process.h"
#include "commands/families.h"
#include "disasm/disasm.h"
#include "dump/minidump.h"
#include "errors/errors.h"
#include "expr/expr.h"
#include "sym/symbols.h"
#include "target/memory.h"

bool kdx_user_need_target(kdx_session *s, const char *cmd)
{
    if (!kdx_cmd_need_target(s))
        return false;
    if (s->target->kind != KDX_TARGET_USER_DUMP) {
        kdx_print(s, "%s is for user-mode targets; this is a %s.\n", cmd,
                  s->target->kind == KDX_TARGET_KERNEL_DUMP ? "kernel dump" : "not a process dump");
        return false;
    }
    return true;
}

/* ---- ~ : threads ------------------------------------------------------- */

/* The thread the exception happened on, or -1 (no exception, or its thread
 * is not in the thread list). */
static long event_thread(const kdx_target *t)
{
    const kdx_minidump *md = kdx_minidump_of(t);
    if (md)
        return md->exception_thread;
    return t->exception.present ? (long)t->exception.context_index : -1;
}

void kdx_user_print_thread_line(kdx_session *s, unsigned index)
{
    kdx_target *t = s->target;
    kdx_thread_info ti;
    kdx_err err;
    if (!t->ops->get_thread_info || t->ops->get_thread_info(t->impl, index, &ti, &err) != KDX_OK) {
        kdx_print(s, "   %u  (no thread information)\n", index);
        return;
    }
    char mark = ' ';
    if (index == s->cur_context)
        mark = '.';
    else if (event_thread(t) == (long)index)
        mark = '#';
    char teb[KDX_ADDR_BUF];
    kdx_print(s, "%c%3u  Id: %x.%x Suspend: %u Teb: %s Unfrozen", mark, index, t->sys.process_id,
              ti.id, ti.suspend_count, kdx_session_fmt_ptr(s, teb, ti.teb));
    if (ti.name)
        kdx_print(s, " \"%s\"", ti.name);
    kdx_print(s, "\n");
}

/* Thread selector after '~': N, ., #, *, ~[TID]. *all is set for '*'. */
static bool parse_thread_selector(kdx_session *s, const char *args, unsigned *index, bool *all,
                                  const char **rest)
{
    kdx_target *t = s->target;
    const char *p = args;
    *all = false;
    if (*p == '*') {
        *all = true;
        *rest = p + 1;
        return true;
    }
    if (*p == '.') {
        *index = s->cur_context;
        *rest = p + 1;
        return true;
    }
    if (*p == '#') {
        if (event_thread(t) < 0) {
            kdx_print(s, "No event thread: %s.\n",
                      t->exception.present ? "the exception's thread is not in the thread list"
                                           : "the dump has no exception record");
            return false;
        }
        *index = (unsigned)event_thread(t);
        *rest = p + 1;
        return true;
    }
    if (*p == '~' && p[1] == '[') {
        const char *close = strchr(p + 2, ']');
        if (!close) {
            kdx_cmd_syntax_error(s, "~", p);
            return false;
        }
        char *expr = kdx_strndup(p + 2, (size_t)(close - p - 2));
        uint64_t tid;
        kdx_err err;
        kdx_status st = kdx_expr_eval_all(s, expr, &tid, &err);
        free(expr);
        if (st != KDX_OK) {
            kdx_print_err(s, &err);
            return false;
        }
        for (unsigned i = 0; i < t->ncontexts; i++) {
            kdx_thread_info ti;
            if (t->ops->get_thread_info && t->ops->get_thread_info(t->impl, i, &ti, &err) == KDX_OK &&
                ti.id == tid) {
                *index = i;
                *rest = close + 1;
                return true;
            }
        }
        kdx_print(s, "Thread id 0x%" PRIx64 " is not a thread of this process\n", tid);
        return false;
    }
    if (isdigit((unsigned char)*p)) {
        /* Thread numbers are decimal whatever the radix, as in cdb. */
        char *end;
        unsigned long n = strtoul(p, &end, 10);
        if (n >= t->ncontexts) {
            char prompt[32];
            kdx_session_prompt(s, prompt, sizeof prompt);
            kdx_print(s, "%*s^ Illegal %s error in '~%s'\n", (int)strlen(prompt), "",
                      t->kind == KDX_TARGET_USER_DUMP ? "thread" : "processor", args);
            return false;
        }
        *index = (unsigned)n;
        *rest = end;
        return true;
    }
    kdx_cmd_syntax_error(s, "~", p);
    return false;
}

/* After a switch cdb shows where the thread is: "sym+off:" and the
 * instruction there (or its address when the code is not in the dump). */
static void print_location(kdx_session *s)
{
    kdx_context c;
    kdx_err err;
    if (kdx_session_context(s, &c, &err) != KDX_OK) {
        kdx_print_err(s, &err);
        return;
    }
    uint64_t ip = kdx_ctx_ip(&c);
    char name[512], line[640], a[KDX_ADDR_BUF];
    kdx_sym_format_code(s, ip, name, sizeof name);
    kdx_insn in;
    kdx_print(s, "%s:\n", name);
    if (kdx_disasm_read(s, ip, &in, &err) == KDX_OK) {
        kdx_disasm_format(s, c.arch, &in, line, sizeof line);
        kdx_print(s, "%s\n", line);
    } else {
        kdx_print(s, "%s ??              ???\n", kdx_session_fmt_ptr(s, a, ip));
    }
}

/* Runs a command line as if thread index were current, then restores scope. */
int kdx_user_run_in_thread(kdx_session *s, unsigned index, const char *line)
{
    unsigned saved = s->cur_context;
    bool had_scope = s->has_scope_context;
    kdx_context scope = s->scope_context, origin = s->frame_origin;
    bool had_origin = s->has_frame_origin;
    int frame = s->cur_frame;
    bool echo = s->echo_commands;
    kdx_err err;
    kdx_session_set_context_index(s, index, &err);
    s->echo_commands = false; /* the commands belong to the ~ line already echoed */
    int rc = kdx_execute(s, line);
    s->echo_commands = echo;
    s->cur_context = saved;
    s->has_scope_context = had_scope;
    s->scope_context = scope;
    s->frame_origin = origin;
    s->has_frame_origin = had_origin;
    s->cur_frame = frame;
    return rc ? 1 : 0;
}

/* On a kernel dump `~N s` switches processors, as in kd. */
static bool kernel_processor_form(kdx_session *s, const char *args)
{
    if (s->target->kind == KDX_TARGET_USER_DUMP)
        return true;
    if (isdigit((unsigned char)args[0]) || args[0] == '.')
        return true;
    kdx_print(s, "On a kernel dump ~ takes a processor number: ~N s switches to processor N "
                 "(0-%u), ~N CMD runs CMD there.\n",
              s->target->ncontexts ? s->target->ncontexts - 1 : 0);
    return false;
}

static int cmd_threads(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP && !kdx_user_need_target(s, cmd))
        return 1;
    if (!kernel_processor_form(s, args))
        return 1;
    kdx_target *t = s->target;
    if (!*args) {
        for (unsigned i = 0; i < t->ncontexts; i++)
            kdx_user_print_thread_line(s, i);
        return 0;
    }
    unsigned index = 0;
    bool all;
    const char *rest;
    if (!parse_thread_selector(s, args, &index, &all, &rest))
        return 1;
    rest = kdx_skip_ws(rest);
    bool is_switch = (rest[0] == 's' || rest[0] == 'S') && (!rest[1] || isspace((unsigned char)rest[1]));
    /* `~Ne CMD`: run a debugger command for the thread(s), without the thread line. */
    bool e_form = (rest[0] == 'e' || rest[0] == 'E') && isspace((unsigned char)rest[1]);
    if (e_form)
        rest = kdx_skip_ws(rest + 1);
    /* Freeze, unfreeze, suspend and resume change a live process. */
    if (strchr("fFuUnNmM", rest[0]) && rest[0] && (!rest[1] || isspace((unsigned char)rest[1]))) {
        kdx_print(s, "~%c needs a live target; a dump's threads cannot be frozen, thawed, "
                     "suspended or resumed.\n", rest[0]);
        return 1;
    }
    if (all) {
        if (is_switch) {
            kdx_print(s, "~*s: cannot switch to every thread at once\n");
            return 1;
        }
        int rc = 0;
        for (unsigned i = 0; i < t->ncontexts; i++) {
            if (!e_form) {
                if (*rest)
                    kdx_print(s, "\n");
                kdx_user_print_thread_line(s, i);
            }
            if (*rest)
                rc |= kdx_user_run_in_thread(s, i, rest);
        }
        return rc;
    }
    if (is_switch) {
        kdx_err err;
        if (kdx_session_set_context_index(s, index, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        if (t->kind == KDX_TARGET_KERNEL_DUMP)
            kdx_nt_follow_processor(s);
        print_location(s);
        return 0;
    }
    if (!*rest) {
        if (t->kind == KDX_TARGET_USER_DUMP)
            kdx_user_print_thread_line(s, index);
        else
            kdx_print(s, "Processor %u of %u\n", index, t->ncontexts);
        return 0;
    }
    return kdx_user_run_in_thread(s, index, rest);
}

/* ---- | : process ------------------------------------------------------- */

/* "0 s" and "0s" are the same (WinDbg allows blanks between | , the
 * process number and the command letter). */
static bool is_the_one_process(const char *args)
{
    char compact[8];
    size_t n = 0;
    for (const char *p = args; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (n + 1 >= sizeof compact)
            return false;
        compact[n++] = *p;
    }
    compact[n] = '\0';
    return !n || !strcmp(compact, "0") || !strcmp(compact, ".") || !strcmp(compact, "#") ||
           !strcmp(compact, "0s") || !strcmp(compact, "*");
}

static int cmd_process(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    if (!is_the_one_process(args)) {
        kdx_print(s, "Illegal process error in '|%s': a dump holds one process (0)\n", args);
        return 1;
    }
    kdx_target *t = s->target;
    const kdx_module *m = t->main_module;
    const char *name = m ? (m->image_path ? m->image_path : m->image_name) : NULL;
    kdx_print(s, ".  0\tid: %x\texamine\tname: %s\n", t->sys.process_id,
              name ? name : "<unknown: the dump lists no modules>");
    return 0;
}

/* ---- !error, !gle ------------------------------------------------------ */

static void print_code(kdx_session *s, const char *label, kdx_errkind kind, uint32_t v,
                       bool decimal)
{
    const char *text = kdx_error_text(kind, v);
    kdx_print(s, "%s: (%s) %#x", label, kdx_errkind_name(kind), v); /* 0 prints as "0", as in WinDbg */
    if (decimal)
        kdx_print(s, " (%u)", v);
    kdx_print(s, " - %s\n", text ? text : "<Unable to get error code text>");
}

static int cmd_error(kdx_session *s, const char *cmd, const char *args)
{
    if (!*args) {
        kdx_print(s, "Usage: %s VALUE [FLAGS]  (FLAGS 1: VALUE is an NTSTATUS)\n", cmd);
        return 1;
    }
    uint64_t v;
    const char *end;
    kdx_err err;
    if (kdx_expr_eval(s, args, &v, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    uint64_t flags = 0;
    end = kdx_skip_ws(end);
    if (*end && kdx_expr_eval_all(s, end, &flags, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    uint32_t code = (uint32_t)v;
    kdx_errkind kind = (flags & 1) ? KDX_ERRKIND_NTSTATUS : kdx_error_classify(code);
    print_code(s, "Error code", kind, code, true);
    return 0;
}

/* TEB fields kdx reads, per pointer size (the 64-bit layout also serves ARM64). */
typedef struct teb_layout {
    unsigned client_id, rpc_handle, tls, peb, last_error, owned_locks, last_status,
        hard_error_mode;
} teb_layout;

static const teb_layout teb64 = {0x40, 0x50, 0x58, 0x60, 0x68, 0x6c, 0x1250, 0x16b0};
static const teb_layout teb32 = {0x20, 0x28, 0x2c, 0x30, 0x34, 0x38, 0xbf4, 0xf28};

static const teb_layout *teb_of(kdx_session *s)
{
    return kdx_session_ptr_size(s) == 8 ? &teb64 : &teb32;
}

/* The TEB of thread index, from the dump's thread list. */
static bool thread_teb(kdx_session *s, unsigned index, uint64_t *teb, uint32_t *tid)
{
    kdx_target *t = s->target;
    kdx_thread_info ti;
    kdx_err err;
    if (!t->ops->get_thread_info || t->ops->get_thread_info(t->impl, index, &ti, &err) != KDX_OK)
        return false;
    *teb = ti.teb;
    if (tid)
        *tid = ti.id;
    return ti.teb != 0;
}

static void print_gle(kdx_session *s, uint64_t teb)
{
    const teb_layout *l = teb_of(s);
    uint32_t le, ls;
    kdx_err err;
    char a[KDX_ADDR_BUF];
    if (kdx_read_u32(s->target, teb + l->last_error, &le, &err) != KDX_OK) {
        kdx_print(s, "LastErrorValue: unavailable: the TEB at %s is not in the dump\n",
                  kdx_session_fmt_ptr(s, a, teb));
        return;
    }
    print_code(s, "LastErrorValue", KDX_ERRKIND_WIN32, le, true);
    if (kdx_read_u32(s->target, teb + l->last_status, &ls, &err) != KDX_OK)
        kdx_print(s, "LastStatusValue: unavailable: %s\n", err.msg);
    else
        print_code(s, "LastStatusValue", KDX_ERRKIND_NTSTATUS, ls, false);
}

static int cmd_gle(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    kdx_target *t = s->target;
    bool all = strcmp(args, "-all") == 0;
    if (*args && !all) {
        kdx_print(s, "Usage: %s [-all]\n", cmd);
        return 1;
    }
    for (unsigned i = all ? 0 : s->cur_context; i < (all ? t->ncontexts : s->cur_context + 1); i++) {
        uint64_t teb;
        if (all)
            kdx_print(s, "Last error for thread %x:\n", i);
        if (!thread_teb(s, i, &teb, NULL))
            kdx_print(s, "Thread %u has no TEB address in the dump\n", i);
        else
            print_gle(s, teb);
        if (all)
            kdx_print(s, "\n");
    }
    return 0;
}

/* ---- !teb, !peb -------------------------------------------------------- */

/* A pointer as !teb/!peb print it: all digits, no backtick. */
static const char *plain_ptr(kdx_session *s, char buf[KDX_ADDR_BUF], uint64_t v)
{
    snprintf(buf, KDX_ADDR_BUF, "%0*" PRIx64, kdx_session_ptr_size(s) * 2, v);
    return buf;
}

static bool read_ptr_at(kdx_session *s, uint64_t va, uint64_t *v)
{
    kdx_err err;
    return kdx_read_ptr(s->target, va, v, &err) == KDX_OK;
}

static int cmd_teb(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    uint64_t teb = 0;
    kdx_err err;
    if (*args) {
        if (kdx_expr_eval_all(s, args, &teb, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    } else if (!thread_teb(s, s->cur_context, &teb, NULL)) {
        kdx_print(s, "The current thread has no TEB address in the dump\n");
        return 1;
    }
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    const teb_layout *l = teb_of(s);
    int ps = kdx_session_ptr_size(s);
    uint64_t tib[7];
    for (int i = 0; i < 7; i++)
        if (!read_ptr_at(s, teb + (uint64_t)i * (uint64_t)ps, &tib[i])) {
            kdx_print(s, "TEB at %s\n    The TEB's memory is not present in the dump "
                         "(a minidump written without the thread's TEB).\n",
                      plain_ptr(s, a, teb));
            return 1;
        }
    static const char *const tib_names[] = {"ExceptionList:", "StackBase:", "StackLimit:",
                                            "SubSystemTib:", "FiberData:",
                                            "ArbitraryUserPointer:", "Self:"};
    kdx_print(s, "TEB at %s\n", plain_ptr(s, a, teb));
    for (int i = 0; i < 7; i++)
        kdx_print(s, "    %-22s%s\n", tib_names[i], plain_ptr(s, a, tib[i]));
    uint64_t env = 0, pid = 0, tid = 0, rpc = 0, tls = 0, peb = 0;
    uint32_t le = 0, ls = 0, locks = 0, hem = 0;
    bool ok = read_ptr_at(s, teb + 7ull * (uint64_t)ps, &env) &&
              read_ptr_at(s, teb + l->client_id, &pid) &&
              read_ptr_at(s, teb + l->client_id + (uint64_t)ps, &tid) &&
              read_ptr_at(s, teb + l->rpc_handle, &rpc) && read_ptr_at(s, teb + l->tls, &tls) &&
              read_ptr_at(s, teb + l->peb, &peb) &&
              kdx_read_u32(s->target, teb + l->last_error, &le, &err) == KDX_OK &&
              kdx_read_u32(s->target, teb + l->owned_locks, &locks, &err) == KDX_OK;
    if (!ok) {
        kdx_print(s, "    (the rest of the TEB is not present in the dump)\n");
        return 1;
    }
    kdx_print(s, "    %-22s%s\n", "EnvironmentPointer:", plain_ptr(s, a, env));
    kdx_print(s, "    %-22s%s . %s\n", "ClientId:", plain_ptr(s, a, pid), plain_ptr(s, b, tid));
    kdx_print(s, "    %-22s%s\n", "RpcHandle:", plain_ptr(s, a, rpc));
    kdx_print(s, "    %-22s%s\n", "Tls Storage:", plain_ptr(s, a, tls));
    kdx_print(s, "    %-22s%s\n", "PEB Address:", plain_ptr(s, a, peb));
    kdx_print(s, "    %-22s%u\n", "LastErrorValue:", le);
    if (kdx_read_u32(s->target, teb + l->last_status, &ls, &err) == KDX_OK)
        kdx_print(s, "    %-22s%x\n", "LastStatusValue:", ls);
    else
        kdx_print(s, "    %-22s(not in the dump)\n", "LastStatusValue:");
    kdx_print(s, "    %-22s%u\n", "Count Owned Locks:", locks);
    if (kdx_read_u32(s->target, teb + l->hard_error_mode, &hem, &err) == KDX_OK)
        kdx_print(s, "    %-22s%u\n", "HardErrorMode:", hem);
    else
        kdx_print(s, "    %-22s(not in the dump)\n", "HardErrorMode:");
    return 0;
}

/* Reads a UNICODE_STRING at va as UTF-8; NULL when its bytes are missing. */
static char *read_unicode_string(kdx_session *s, uint64_t va)
{
    int ps = kdx_session_ptr_size(s);
    uint16_t len;
    uint64_t buf;
    kdx_err err;
    if (kdx_read_u16(s->target, va, &len, &err) != KDX_OK ||
        !read_ptr_at(s, va + (ps == 8 ? 8 : 4), &buf))
        return NULL;
    uint8_t *bytes = kdx_xmalloc(len ? len : 1);
    char *out = NULL;
    if (kdx_read_virt(s->target, buf, bytes, len, NULL, &err) == KDX_OK)
        out = kdx_utf16le_to_utf8(bytes, len / 2);
    free(bytes);
    return out;
}

static void print_params_string(kdx_session *s, const char *label, uint64_t va)
{
    char *str = read_unicode_string(s, va);
    char a[KDX_ADDR_BUF];
    int width = KDX_MAX(14, (int)strlen(label) + 2);
    if (str)
        kdx_print(s, "    %-*s'%s'\n", width, label, str);
    else
        kdx_print(s, "    %-*s(the string at %s is not in the dump)\n", width, label,
                  plain_ptr(s, a, va));
    free(str);
}

/* RTL_USER_PROCESS_PARAMETERS.Environment: NAME=VALUE strings (UTF-16), one
 * per line as !peb shows them, up to the empty string that ends the block. */
static void print_environment(kdx_session *s, uint64_t field)
{
    uint64_t env;
    char a[KDX_ADDR_BUF];
    if (!read_ptr_at(s, field, &env)) {
        kdx_print(s, "    Environment:  (not in the dump)\n");
        return;
    }
    kdx_print(s, "    Environment:  %s\n", plain_ptr(s, a, env));
    enum { ENV_MAX = 0x10000 };
    uint8_t *buf = kdx_xmalloc(ENV_MAX);
    size_t got = 0;
    kdx_err err;
    kdx_read_virt(s->target, env, buf, ENV_MAX, &got, &err);
    size_t units = got / 2, i = 0;
    while (i < units && kdx_le16(buf + 2 * i) != 0) {
        size_t start = i;
        while (i < units && kdx_le16(buf + 2 * i) != 0)
            i++;
        if (i == units)
            break; /* the string runs past what the dump holds */
        char *var = kdx_utf16le_to_utf8(buf + 2 * start, i - start);
        kdx_print(s, "        %s\n", var);
        free(var);
        i++;
    }
    if (i >= units)
        kdx_print(s, "        (the rest of the environment is not in the dump)\n");
    free(buf);
}

static int cmd_peb(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    kdx_err err;
    uint64_t peb = 0, teb = 0;
    char a[KDX_ADDR_BUF];
    if (*args) {
        if (kdx_expr_eval_all(s, args, &peb, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
    } else if (!thread_teb(s, s->cur_context, &teb, NULL) ||
               !read_ptr_at(s, teb + teb_of(s)->peb, &peb)) {
        kdx_print(s, "PEB address is not available: the dump does not hold the TEB of the "
                     "current thread%s%s%s\n", teb ? " (at " : "", teb ? plain_ptr(s, a, teb) : "",
                  teb ? ")" : "");
        return 1;
    }
    bool w = kdx_session_ptr_size(s) == 8;
    uint8_t head[4];
    uint64_t image = 0, ldr = 0, params = 0, heap = 0;
    uint32_t gflag = 0;
    if (kdx_read_virt(s->target, peb, head, sizeof head, NULL, &err) != KDX_OK ||
        !read_ptr_at(s, peb + (w ? 0x10 : 0x8), &image) ||
        !read_ptr_at(s, peb + (w ? 0x18 : 0xc), &ldr) ||
        !read_ptr_at(s, peb + (w ? 0x20 : 0x10), &params) ||
        !read_ptr_at(s, peb + (w ? 0x30 : 0x18), &heap) ||
        kdx_read_u32(s->target, peb + (w ? 0xbc : 0x68), &gflag, &err) != KDX_OK) {
        kdx_print(s, "PEB at %s\n    The PEB's memory is not present in the dump.\n",
                  plain_ptr(s, a, peb));
        return 1;
    }
    kdx_print(s, "PEB at %s\n", plain_ptr(s, a, peb));
    kdx_print(s, "    InheritedAddressSpace:    %s\n", head[0] ? "Yes" : "No");
    kdx_print(s, "    ReadImageFileExecOptions: %s\n", head[1] ? "Yes" : "No");
    kdx_print(s, "    BeingDebugged:            %s\n", head[2] ? "Yes" : "No");
    kdx_print(s, "    ImageBaseAddress:         %s\n", plain_ptr(s, a, image));
    kdx_print(s, "    NtGlobalFlag:             %x\n", gflag);
    kdx_print(s, "    Ldr                       %s\n", plain_ptr(s, a, ldr));
    kdx_print(s, "    ProcessHeap:       %s\n", plain_ptr(s, a, heap));
    kdx_print(s, "    ProcessParameters: %s\n", plain_ptr(s, a, params));
    if (!params)
        return 0;
    uint8_t probe;
    if (kdx_read_u8(s->target, params, &probe, &err) != KDX_OK) {
        kdx_print(s, "    (the process parameters are not in the dump)\n");
        return 0;
    }
    print_params_string(s, "CurrentDirectory:", params + (w ? 0x38 : 0x24));
    print_params_string(s, "WindowTitle:", params + (w ? 0xb0 : 0x70));
    print_params_string(s, "ImageFile:", params + (w ? 0x60 : 0x38));
    print_params_string(s, "CommandLine:", params + (w ? 0x70 : 0x40));
    print_params_string(s, "DllPath:", params + (w ? 0x50 : 0x30));
    print_environment(s, params + (w ? 0x80 : 0x48));
    return 0;
}

const kdx_command kdx_cmds_user[] = {
    {"~", cmd_threads, "threads: ~ lists, ~N s switches, ~~[TID]s by id, ~* CMD for each", 0},
    {"|", cmd_process, "the process of a user dump", 0},
    {"!error", cmd_error, "name and meaning of a Win32 error, NTSTATUS or HRESULT (!error V [1])", 0},
    {"!gle", cmd_gle, "last Win32 error and NTSTATUS of the current thread (-all: every thread)", 0},
    {"!teb", cmd_teb, "thread environment block of the current thread (or at ADDRESS)", 0},
    {"!peb", cmd_peb, "process environment block: image, heap, parameters", 0},
    {"!handle", kdx_cmd_handle, "handles from the dump's handle data: !handle [HANDLE [FLAGS]]", 0},
    {".ttime", kdx_cmd_ttime, "creation time and CPU times of the current thread", 0},
    {"!runaway", kdx_cmd_runaway, "thread CPU times from the dump: !runaway [1 user|2 kernel|4 elapsed]", 0},
    {"!address", kdx_cmd_address, "memory regions of a user dump (memory info list): !address [ADDR | -summary]", 0},
    {"!uniqstack", kdx_cmd_uniqstack, "each distinct thread stack once, then the duplicates: [-b|-v|-p] [-n]", 0},
    {"!findstack", kdx_cmd_findstack, "threads whose stack has a frame matching Symbol: Symbol [0|1|2]", 0},
    {"!mdstreams", kdx_cmd_mdstreams, "the minidump's streams: type, offset, size, contents (-v: threads, memory ranges)", 0},
    {0}};
