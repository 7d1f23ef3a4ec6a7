/* Command family: analysis: !analyze, .bugcheck. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/bugcheck.h"
#include "analysis/hang.h"
#include "base/fmt.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"

/* `!analyze -show CODE [ARG1..ARG4]`: the bug check explained without a dump. */
static int analyze_show(kdx_session *s, const char *args)
{
    uint64_t v[5] = {0};
    int n = 0;
    const char *p = args;
    while (*p && n < 5) {
        kdx_err err = {0};
        const char *end = p;
        if (kdx_expr_eval(s, p, &v[n], &end, &err))
            return kdx_cmd_fail(s, &err);
        n++;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (n == 0) {
        kdx_print(s, "Usage: !analyze -show BUGCHECK_CODE [ARG1 [ARG2 [ARG3 [ARG4]]]]\n");
        return 1;
    }
    int ps = s->target ? kdx_session_ptr_size(s) : 8;
    kdx_bugcheck_print((uint32_t)v[0], v + 1, ps, kdx_analysis_print_line, s);
    return 0;
}

/* `!analyze -hang` (analysis/hang.h): blockers, deadlocks and the longest
 * waits, printed before the crash analysis (text), or added to its JSON
 * document as "hang". */
static int analyze_hang(kdx_session *s, kdx_hang *h)
{
    kdx_err err = {0};
    if (kdx_hang_analyze(s, h, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (!s->json)
        kdx_hang_print(s, h);
    return 0;
}

static int cmd_analyze(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    bool verbose = false, hang = false;
    while (*args == '-' || *args == '/') {
        const char *opt = args + 1;
        size_t len = strcspn(opt, " \t");
        if (len == 4 && !strncmp(opt, "show", 4))
            return analyze_show(s, opt + 4 + strspn(opt + 4, " \t"));
        if (len == 1 && *opt == 'v')
            verbose = true;
        else if (len == 4 && !strncmp(opt, "hang", 4))
            hang = true;
        else if (!(len == 1 && *opt == 'f'))
            return kdx_cmd_syntax_error(s, "!analyze", args);
        args = opt + len;
        args += strspn(args, " \t");
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_hang h = {0};
    if (hang && analyze_hang(s, &h)) {
        kdx_hang_free(&h);
        return 1;
    }
    kdx_analysis a;
    kdx_err err = {0};
    if (kdx_analyze(s, &a, &err)) {
        kdx_hang_free(&h);
        return kdx_cmd_fail(s, &err);
    }
    if (s->json) {
        char *j = kdx_analysis_json(s, &a, s->target->path);
        if (hang) {
            char *merged = kdx_hang_json_into(s, &h, j);
            free(j);
            j = merged;
        }
        kdx_print_json(s, j);
        free(j);
    } else {
        kdx_analysis_print(s, &a, verbose);
    }
    kdx_analysis_free(&a);
    kdx_hang_free(&h);
    return 0;
}

static int cmd_bugcheck(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP) {
        kdx_print(s, "Bugcheck information is only available in kernel dumps\n");
        return 1;
    }
    const kdx_kernel_info *k = &s->target->kernel;
    int ps = kdx_session_ptr_size(s);
    char b[4][KDX_ADDR_BUF];
    kdx_print(s, "Bugcheck code %08X\nArguments %s %s %s %s\n", k->bugcheck_code, kdx_fmt_ptr(b[0], k->bugcheck_args[0], ps),
              kdx_fmt_ptr(b[1], k->bugcheck_args[1], ps), kdx_fmt_ptr(b[2], k->bugcheck_args[2], ps),
              kdx_fmt_ptr(b[3], k->bugcheck_args[3], ps));
    return 0;
}

const kdx_command kdx_cmds_analyze[] = {
    {"!analyze", cmd_analyze, "analyze the crash: -v verbose, -show CODE [ARGS] explain a bug check", 0},
    {".bugcheck", cmd_bugcheck, "show the bug-check code and arguments", 0},
    {0}};
