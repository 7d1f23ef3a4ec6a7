/* !list: runs commands for every element of a linked list, with the guards
 * of the nt layer's list walks (loops, memory the dump lacks, a limit).
 *   !list -t [Module!]Type.Field -x "Commands" [-a "Arguments"] [-e] [-m Max] StartAddress
 *   !list " -t ... StartAddress "   (the whole argument quoted, inner quotes escaped) */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/list.h"
#include "sym/symbols.h"
#include "target/memory.h"

#define DEFAULT_MAX 100000u

typedef struct list_args {
    char *type;          /* "nt!_LIST_ENTRY" */
    char *field;         /* "Flink", "Links.Flink" */
    char *commands;      /* -x, default "dp" */
    char *arguments;     /* -a */
    bool echo;           /* -e */
    uint64_t max;        /* -m */
    char *start;         /* the start address expression */
} list_args;

static void free_args(list_args *a)
{
    free(a->type);
    free(a->field);
    free(a->commands);
    free(a->arguments);
    free(a->start);
}

/* Next word of p (quoted words lose their quotes, \" inside stays a quote). */
static char *next_word(const char **p)
{
    const char *q = kdx_skip_ws(*p);
    if (!*q)
        return NULL;
    kdx_strbuf b;
    kdx_sb_init(&b);
    if (*q == '"') {
        for (q++; *q && *q != '"'; q++) {
            if (*q == '\\' && q[1] == '"')
                q++;
            kdx_sb_putc(&b, *q);
        }
        if (*q)
            q++;
    } else {
        while (*q && !isspace((unsigned char)*q))
            kdx_sb_putc(&b, *q++);
    }
    *p = q;
    char *w = kdx_sb_take(&b);
    return w ? w : kdx_strdup("");
}

/* "Type.Field.Sub": the type is everything before the first '.' after any module prefix. */
static bool split_type_field(const char *spec, list_args *a)
{
    const char *bang = strchr(spec, '!');
    const char *dot = strchr(bang ? bang : spec, '.');
    if (!dot || dot == spec || !dot[1])
        return false;
    a->type = kdx_strndup(spec, (size_t)(dot - spec));
    a->field = kdx_strdup(dot + 1);
    return true;
}

static bool parse_args(kdx_session *s, const char *args, list_args *a)
{
    memset(a, 0, sizeof *a);
    a->max = DEFAULT_MAX;
    const char *p = kdx_skip_ws(args);
    char *whole = NULL;
    if (*p == '"') { /* the whole argument quoted */
        whole = next_word(&p);
        p = whole;
    }
    bool ok = true;
    for (char *w; ok && (w = next_word(&p)) != NULL; free(w)) {
        char **slot = !strcmp(w, "-x") ? &a->commands : !strcmp(w, "-a") ? &a->arguments : NULL;
        if (slot || !strcmp(w, "-t") || !strcmp(w, "-m")) {
            char *v = next_word(&p);
            if (!v)
                ok = false;
            else if (slot)
                free(*slot), *slot = v;
            else if (!strcmp(w, "-t"))
                ok = split_type_field(v, a), free(v);
            else {
                kdx_err err = {0};
                ok = kdx_expr_eval_all(s, v, &a->max, &err) == KDX_OK && a->max > 0;
                free(v);
            }
        } else if (!strcmp(w, "-e")) {
            a->echo = true;
        } else if (w[0] == '-' && isalpha((unsigned char)w[1])) {
            ok = false;
        } else {
            free(a->start);
            a->start = kdx_strdup(w);
        }
    }
    free(whole);
    return ok && a->type && a->start;
}

typedef struct run_ctx {
    kdx_session *s;
    const list_args *a;
    int failures;
} run_ctx;

static void run_for(run_ctx *r, uint64_t element)
{
    kdx_session *s = r->s;
    s->extret = element;
    const char *cmds = r->a->commands ? r->a->commands : "dp";
    char *line;
    if (strstr(cmds, "$extret"))
        line = kdx_asprintf("%s%s%s", cmds, r->a->arguments ? " " : "", r->a->arguments ? r->a->arguments : "");
    else
        line = kdx_asprintf("%s %" PRIx64 "%s%s", cmds, element, r->a->arguments ? " " : "",
                            r->a->arguments ? r->a->arguments : "");
    if (r->a->echo)
        kdx_print(s, "%s\n", line);
    /* WinDbg shows the commands' output only (-e echoes them). */
    bool echo = s->echo_commands;
    s->echo_commands = false;
    r->failures += kdx_execute(s, line) != 0;
    s->echo_commands = echo;
    free(line);
}

/* Offsets of the link (Type.Field) and of the structure the link points at
 * (Field's parent: "Links" for "Links.Flink", the structure for "Next"). */
static bool link_offsets(kdx_session *s, const list_args *a, uint64_t *link, uint64_t *target, int *size)
{
    kdx_err err = {0};
    const kdx_type *ty = kdx_sym_find_type(s, a->type, &err), *ft;
    if (!ty || kdx_type_field_path(ty, a->field, link, &ft, &err) != KDX_OK) {
        kdx_cmd_fail(s, &err);
        return false;
    }
    ft = kdx_type_strip(ft);
    if (!ft || ft->kind != KDX_TYPE_POINTER) {
        kdx_print(s, "%s.%s is not a pointer field.\n", a->type, a->field);
        return false;
    }
    *size = (int)ft->size;
    *target = 0;
    const char *dot = strrchr(a->field, '.');
    if (dot) {
        char *parent = kdx_strndup(a->field, (size_t)(dot - a->field));
        if (kdx_type_field_path(ty, parent, target, &ft, NULL) != KDX_OK)
            *target = *link;
        free(parent);
    }
    return true;
}

static int walk(kdx_session *s, const list_args *a, uint64_t start)
{
    uint64_t link, target;
    int size;
    if (!link_offsets(s, a, &link, &target, &size))
        return 1;
    run_ctx r = {s, a, 0};
    kdx_nt_list_result res = {0};
    kdx_nt_addrset seen = {0};
    uint64_t cur = start;
    res.end = KDX_NT_LIST_DONE;
    for (;;) {
        size_t prev;
        if (!kdx_nt_addrset_add(&seen, cur, res.count, &prev)) {
            res.end = KDX_NT_LIST_LOOP, res.bad = cur, res.first_index = prev;
            break;
        }
        if (res.count >= a->max) {
            res.end = KDX_NT_LIST_LIMIT, res.bad = cur;
            break;
        }
        uint8_t buf[8] = {0};
        if (kdx_read_virt(s->target, cur + link, buf, (size_t)size, NULL, &res.why) != KDX_OK) {
            res.end = KDX_NT_LIST_MISSING, res.bad = cur;
            break;
        }
        uint64_t next = size == 8 ? kdx_le64(buf) : kdx_sign_extend_ptr(s->target, kdx_le32(buf));
        res.count++, res.last = cur;
        run_for(&r, cur);
        if (s->quit || !next || next - target == start)
            break;
        cur = next - target;
    }
    kdx_nt_addrset_free(&seen);
    if (res.end != KDX_NT_LIST_DONE) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(s, &res, "The list", msg, sizeof msg);
        kdx_print(s, "%s\n", msg);
        return 1;
    }
    return r.failures != 0;
}

static int cmd_list(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    list_args a;
    if (!parse_args(s, args, &a)) {
        kdx_print(s, "Usage: !list -t [Module!]Type.Field [-x \"Commands\"] [-a \"Arguments\"] [-e] [-m Max] "
                     "StartAddress\n");
        free_args(&a);
        return 1;
    }
    uint64_t start;
    kdx_err err = {0};
    int rc = kdx_expr_eval_all(s, a.start, &start, &err) == KDX_OK ? walk(s, &a, start) : kdx_cmd_fail(s, &err);
    free_args(&a);
    return rc;
}

const kdx_command kdx_cmds_list[] = {
    {"!list", cmd_list, "commands for each element of a list: !list -t Type.Field [-x \"CMDS\"] [-a \"ARGS\"] [-e] [-m Max] ADDR",
     0},
    {0}};
