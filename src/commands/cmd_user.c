/* Command family: user-mode dumps: ~ (threads), | (process), !teb, !peb,
 * !gle, !error, and !mdstreams (the minidump's stream directory). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "dump/minidump.h"
#include "expr/expr.h"
#include "target/memory.h"

static bool need_user_target(kdx_session *s, const char *cmd)
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

static void print_thread_line(kdx_session *s, unsigned index)
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
    else if (t->exception.present && index == t->exception.context_index)
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
        if (!t->exception.present) {
            kdx_print(s, "No event thread: the dump has no exception record.\n");
            return false;
        }
        *index = t->exception.context_index;
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
            kdx_print(s, "Illegal thread error in '~%s'\n", args);
            return false;
        }
        *index = (unsigned)n;
        *rest = end;
        return true;
    }
    kdx_cmd_syntax_error(s, "~", p);
    return false;
}

/* Runs a command line as if thread index were current, then restores scope. */
static int run_in_thread(kdx_session *s, unsigned index, const char *line)
{
    unsigned saved = s->cur_context;
    bool had_scope = s->has_scope_context;
    kdx_context scope = s->scope_context;
    int frame = s->cur_frame;
    kdx_err err;
    kdx_session_set_context_index(s, index, &err);
    int rc = kdx_execute(s, line);
    s->cur_context = saved;
    s->has_scope_context = had_scope;
    s->scope_context = scope;
    s->cur_frame = frame;
    return rc ? 1 : 0;
}

static int cmd_threads(kdx_session *s, const char *cmd, const char *args)
{
    if (!need_user_target(s, cmd))
        return 1;
    kdx_target *t = s->target;
    if (!*args) {
        for (unsigned i = 0; i < t->ncontexts; i++)
            print_thread_line(s, i);
        return 0;
    }
    unsigned index = 0;
    bool all;
    const char *rest;
    if (!parse_thread_selector(s, args, &index, &all, &rest))
        return 1;
    rest = kdx_skip_ws(rest);
    bool is_switch = (rest[0] == 's' || rest[0] == 'S') && (!rest[1] || isspace((unsigned char)rest[1]));
    if (all) {
        if (is_switch) {
            kdx_print(s, "~*s: cannot switch to every thread at once\n");
            return 1;
        }
        int rc = 0;
        for (unsigned i = 0; i < t->ncontexts; i++) {
            if (*rest)
                kdx_print(s, "\n");
            print_thread_line(s, i);
            if (*rest)
                rc |= run_in_thread(s, i, rest);
        }
        return rc;
    }
    if (is_switch) {
        kdx_err err;
        if (kdx_session_set_context_index(s, index, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        return 0;
    }
    if (!*rest) {
        print_thread_line(s, index);
        return 0;
    }
    return run_in_thread(s, index, rest);
}

/* ---- | : process ------------------------------------------------------- */

static int cmd_process(kdx_session *s, const char *cmd, const char *args)
{
    if (!need_user_target(s, cmd))
        return 1;
    if (*args && strcmp(args, "0") != 0 && strcmp(args, ".") != 0 && strcmp(args, "#") != 0 &&
        strcmp(args, "0s") != 0 && strcmp(args, "*") != 0) {
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

/* ---- !mdstreams : the stream directory ---------------------------------- */

static void fmt_time_t(char *buf, size_t len, uint32_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%a %b %e %H:%M:%S %Y (UTC)", &tm))
        snprintf(buf, len, "0x%x", t);
}

static void stream_summary(kdx_session *s, const kdx_minidump *md, const kdx_md_stream *st)
{
    kdx_target *t = s->target;
    switch (st->type) {
    case KDX_MD_THREAD_LIST:
    case KDX_MD_THREAD_EX_LIST: kdx_print(s, "%zu threads", md->nthreads); break;
    case KDX_MD_MODULE_LIST: kdx_print(s, "%zu modules", t->nmodules - md->nunloaded); break;
    case KDX_MD_UNLOADED_MODULES: kdx_print(s, "%zu unloaded modules", md->nunloaded); break;
    case KDX_MD_MEMORY_LIST:
        if (st->size >= 4 && kdx_file_at(md->file, st->rva, 4))
            kdx_print(s, "%u ranges", kdx_le32(kdx_file_at(md->file, st->rva, 4)));
        break;
    case KDX_MD_MEMORY64_LIST: kdx_print(s, "full memory"); break;
    case KDX_MD_EXCEPTION:
        kdx_print(s, "code %08x, thread %x", t->exception.code, t->exception.thread_id);
        break;
    case KDX_MD_SYSTEM_INFO:
        kdx_print(s, "%s, Windows %u.%u.%u", kdx_arch_name(t->arch), t->sys.os_major,
                  t->sys.os_minor, t->sys.build);
        break;
    case KDX_MD_MISC_INFO:
        kdx_print(s, "version %s, flags 0x%x",
                  md->misc.size >= 1364 ? "5" : md->misc.size >= 832 ? "4"
                  : md->misc.size >= 232 ? "3" : md->misc.size >= 44 ? "2" : "1",
                  md->misc.flags1);
        break;
    case KDX_MD_HANDLE_DATA: kdx_print(s, "%zu handles", md->nhandles); break;
    case KDX_MD_MEMORY_INFO_LIST: kdx_print(s, "%zu regions", md->nmeminfo); break;
    case KDX_MD_TOKEN: kdx_print(s, "%u tokens", md->ntokens); break;
    case KDX_MD_BREAKPAD_INFO:
        if (md->has_breakpad_info)
            kdx_print(s, "dump thread %x, requesting thread %x", md->breakpad_dump_tid,
                      md->breakpad_requesting_tid);
        break;
    default: break;
    }
}

static int cmd_mdstreams(kdx_session *s, const char *cmd, const char *args)
{
    (void)args;
    if (!need_user_target(s, cmd))
        return 1;
    const kdx_minidump *md = kdx_minidump_of(s->target);
    if (!md) {
        kdx_print(s, "%s: the target is not a minidump\n", cmd);
        return 1;
    }
    char when[64];
    fmt_time_t(when, sizeof when, md->timestamp);
    kdx_print(s, "Minidump %s\n", md->file->path);
    kdx_print(s, "  Version      0x%04x (implementation 0x%04x)\n", md->version & 0xffff,
              md->version >> 16);
    kdx_print(s, "  Streams      %zu\n", md->nstreams);
    kdx_print(s, "  Flags        0x%" PRIx64 "%s\n", md->flags,
              (md->flags & KDX_MD_FLAG_FULL_MEMORY) ? " (full memory)" : "");
    kdx_print(s, "  Time         %s\n", when);
    kdx_print(s, "  Checksum     0x%08x\n\n", md->checksum);
    kdx_print(s, "Stream  Type        Name                        Offset    Size\n");
    for (size_t i = 0; i < md->nstreams; i++) {
        const kdx_md_stream *st = &md->streams[i];
        const char *name = kdx_minidump_stream_name(st->type);
        kdx_print(s, "%6zu  0x%08x  %-26s  %08x  %08x  ", i, st->type, name ? name : "(unknown)",
                  st->rva, st->size);
        stream_summary(s, md, st);
        kdx_print(s, "\n");
    }
    if (md->notes)
        kdx_print(s, "\nProblems found:\n%s", md->notes);
    for (size_t i = 0; i < md->ncomments; i++)
        kdx_print(s, "\nComment: %s\n", md->comments[i]);
    return 0;
}

const kdx_command kdx_cmds_user[] = {
    {"~", cmd_threads, "threads: ~ lists, ~N s switches, ~~[TID]s by id, ~* CMD for each", 0},
    {"|", cmd_process, "the process of a user dump", 0},
    {"!mdstreams", cmd_mdstreams, "the minidump's streams: type, offset, size, contents", 0},
    {0}};
