/* The user-mode stack surveys of WinDbg's uext extension, as Microsoft's
 * documentation shows them ("!uniqstack", "!findstack"):
 *   !uniqstack [-b|-v|-p] [-n]   each distinct stack once (the k of its
 *                                first thread), then the duplicates' numbers
 *   !findstack Symbol [0|1|2]    the threads whose stack has a frame whose
 *                                name contains Symbol (a module or symbol)
 * Two stacks are duplicates when their frames have the same instruction
 * pointers, as the extension compares return addresses. Frames kdx found
 * by scanning the stack (no unwind data) say so. Registered in cmd_user.c's
 * table. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"
#include "commands/cmd_user.h"
#include "commands/command.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"

enum { MAX_FRAMES = 256 };

/* Thread index's stack; false (and the reason printed) when it has none. */
static bool thread_stack(kdx_session *s, unsigned index, kdx_stack *st)
{
    kdx_target *t = s->target;
    kdx_context ctx;
    kdx_err err = {0};
    memset(st, 0, sizeof *st);
    if (t->ops->get_context(t->impl, index, &ctx, &err) != KDX_OK) {
        kdx_print(s, "Thread %03u: no context (%s)\n", index, err.msg);
        return false;
    }
    kdx_unwind_env env;
    kdx_unwind_env_for_session(s, &env);
    if (kdx_stack_walk(&env, &ctx, MAX_FRAMES, st, &err) != KDX_OK) {
        kdx_print(s, "Thread %03u: the stack cannot be walked (%s)\n", index, err.msg);
        return false;
    }
    return true;
}

static bool same_stack(const kdx_stack *a, const kdx_stack *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++)
        if (kdx_ctx_ip(&a->frames[i].ctx) != kdx_ctx_ip(&b->frames[i].ctx))
            return false;
    return true;
}

/* "      Priority: 0  Priority class: 32", from the dump's thread record. */
static void print_priority(kdx_session *s, unsigned index)
{
    kdx_thread_info ti;
    kdx_err err;
    kdx_target *t = s->target;
    if (t->ops->get_thread_info && t->ops->get_thread_info(t->impl, index, &ti, &err) == KDX_OK)
        kdx_print(s, "      Priority: %d  Priority class: %u\n", (int)ti.priority, ti.priority_class);
}

/* "-b -n" -> "kbn": the k form of the options; NULL on an unknown one. */
static const char *uniqstack_k(const char *args, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "k");
    for (const char *p = kdx_skip_ws(args); *p; p = kdx_skip_ws(p)) {
        if (*p == '-')
            p++;
        if (!strchr("bvpn", *p) || (p[1] && p[1] != ' ' && p[1] != '\t') || n + 1 >= cap)
            return NULL;
        buf[n++] = *p++;
        buf[n] = 0;
    }
    return buf;
}

int kdx_cmd_uniqstack(kdx_session *s, const char *cmd, const char *args)
{
    char k[16];
    if (!uniqstack_k(args, k, sizeof k))
        return kdx_cmd_syntax_error(s, cmd, args);
    if (!kdx_user_need_target(s, cmd))
        return 1;
    unsigned n = s->target->ncontexts;
    kdx_stack *stacks = kdx_xcalloc(n ? n : 1, sizeof *stacks);
    bool *walked = kdx_xcalloc(n ? n : 1, sizeof *walked);
    KDX_VEC(unsigned) dups = {0};
    kdx_print(s, "Processing %u threads, please wait\n", n);
    for (unsigned i = 0; i < n && !kdx_interrupted(); i++) {
        walked[i] = thread_stack(s, i, &stacks[i]);
        bool dup = false;
        for (unsigned j = 0; walked[i] && j < i && !dup; j++)
            dup = walked[j] && same_stack(&stacks[i], &stacks[j]);
        if (dup) {
            KDX_VEC_PUSH(dups, i);
            continue;
        }
        kdx_print(s, "\n");
        kdx_user_print_thread_line(s, i);
        print_priority(s, i);
        kdx_user_run_in_thread(s, i, k);
    }
    kdx_print(s, "\nTotal threads: %u\nDuplicate callstacks: %zu (windbg thread #s follow):\n", n, dups.len);
    for (size_t i = 0; i < dups.len; i++)
        kdx_print(s, "%s%u", i ? ", " : "", dups.items[i]);
    kdx_print(s, "\n");
    for (unsigned i = 0; i < n; i++)
        kdx_stack_free(&stacks[i]);
    free(stacks);
    free(walked);
    KDX_VEC_FREE(dups);
    return 0;
}

/* ---- !findstack ---- */

static bool frame_matches(kdx_session *s, const kdx_frame *f, const char *what, char *name, size_t cap)
{
    kdx_sym_format_code(s, kdx_ctx_ip(&f->ctx), name, cap);
    return strcasestr(name, what) != NULL;
}

static void print_frame(kdx_session *s, const kdx_frame *f, bool match, const char *name)
{
    char sp[24], ret[24];
    /* Frame numbers in decimal, as the documentation's example counts 18, 19, 20. */
    kdx_print(s, "        %c %02u %s %s %s%s\n", match ? '*' : ' ', f->index, kdx_session_fmt_ptr(s, sp, f->child_sp),
              f->has_ret                          ? kdx_session_fmt_ptr(s, ret, f->ret_addr)
              : kdx_session_ptr_size(s) == 8 ? "????????`????????"
                                             : "????????",
              name,
              f->trust == KDX_TRUST_SCAN ? " (found by scanning the stack)" : "");
}

/* One thread: the header when any frame matches, then the frames the level asks for. */
static unsigned findstack_thread(kdx_session *s, unsigned index, const char *what, unsigned level)
{
    kdx_stack st;
    if (!thread_stack(s, index, &st))
        return 0;
    char name[512];
    unsigned matches = 0;
    for (size_t i = 0; i < st.len; i++)
        matches += frame_matches(s, &st.frames[i], what, name, sizeof name);
    if (matches) {
        kdx_print(s, "Thread %03u, %u frame(s) match\n", index, matches);
        for (size_t i = 0; level > 0 && i < st.len; i++) {
            bool m = frame_matches(s, &st.frames[i], what, name, sizeof name);
            if (m || level >= 2)
                print_frame(s, &st.frames[i], m, name);
        }
        if (level > 0)
            kdx_print(s, "\n");
    }
    kdx_stack_free(&st);
    return matches ? 1 : 0;
}

int kdx_cmd_findstack(kdx_session *s, const char *cmd, const char *args)
{
    char what[256];
    unsigned level = 1;
    int got = sscanf(args, "%255s %u", what, &level);
    if (got < 1 || level > 2 || !strcmp(what, "-?")) {
        kdx_print(s, "Usage: !findstack Symbol [DisplayLevel 0|1|2]\n");
        return got < 1 || level > 2;
    }
    if (!kdx_user_need_target(s, cmd))
        return 1;
    unsigned found = 0;
    for (unsigned i = 0; i < s->target->ncontexts && !kdx_interrupted(); i++)
        found += findstack_thread(s, i, what, level);
    if (!found)
        kdx_print(s, "No thread's stack has a frame matching '%s'.\n", what);
    return 0;
}
