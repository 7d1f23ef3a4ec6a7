/* Breakpad .sym records as an oracle for symbol providers (see the header). */
#include "tests/realdata/breakpad_oracle.h"

#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/util.h"

char *bp_windbg_name(const char *bp)
{
    char *s = kdx_strdup(bp);
    size_t n = strlen(s);
    if (n && s[n - 1] == ')') {
        int depth = 0;
        for (size_t i = n; i-- > 0;) {
            if (s[i] == ')')
                depth++;
            else if (s[i] == '(' && --depth == 0) {
                s[i] = 0;
                break;
            }
        }
    }
    if (kdx_starts_with(s, "static ")) {
        char *sp = strrchr(s, ' ');
        memmove(s, sp + 1, strlen(sp + 1) + 1);
    }
    return s;
}

bool bp_same_name(const char *kdx, const char *windbg)
{
    return kdx && (strcmp(kdx, windbg) == 0 || (kdx[0] == '_' && strcmp(kdx + 1, windbg) == 0));
}

/* "FUNC [m] rva size params name" / "PUBLIC [m] rva params name". */
static bool parse_symbol(char *l, bp_record *s)
{
    char *p = l;
    memset(s, 0, sizeof *s);
    if (kdx_starts_with(l, "FUNC ")) {
        s->kind = 'F';
        p += 5;
    } else if (kdx_starts_with(l, "PUBLIC ")) {
        s->kind = 'P';
        p += 7;
    } else {
        return false;
    }
    if (kdx_starts_with(p, "m "))
        p += 2;
    s->rva = (uint32_t)strtoul(p, &p, 16);
    if (s->kind == 'F')
        s->size = (uint32_t)strtoul(p, &p, 16);
    strtoul(p, &p, 16);
    s->name = kdx_strdup(*p ? p + 1 : p);
    return true;
}

size_t bp_read_symbols(const char *path, bp_record **out)
{
    uint8_t *buf;
    size_t len;
    *out = NULL;
    if (kdx_read_all(path, &buf, &len, NULL))
        return 0;
    KDX_VEC(bp_record) v = {0};
    char *save = NULL;
    for (char *l = strtok_r((char *)buf, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        bp_record s;
        if (parse_symbol(l, &s))
            KDX_VEC_PUSH(v, s);
    }
    free(buf);
    *out = v.items;
    return v.len;
}

void bp_free_symbols(bp_record *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(recs[i].name);
    free(recs);
}

static bool is_hex_start(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static uint8_t *read_sym_file(kdx_test_ctx *t, const char *path)
{
    uint8_t *buf;
    size_t len;
    kdx_err err = {0};
    if (kdx_read_all(path, &buf, &len, &err) == KDX_OK)
        return buf;
    kdx_test_fail(t, __FILE__, __LINE__, "%s", err.msg);
    return NULL;
}

int bp_check_lines(kdx_test_ctx *t, const kdx_symprov *p, const char *sympath)
{
    uint8_t *buf = read_sym_file(t, sympath);
    if (!buf)
        return 0;
    KDX_VEC(char *) files = {0};
    int nlines = 0, bad = 0;
    char *save = NULL;
    for (char *l = strtok_r((char *)buf, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        if (kdx_starts_with(l, "FILE ")) {
            char *end;
            unsigned long id = strtoul(l + 5, &end, 10);
            while (files.len <= id)
                KDX_VEC_PUSH(files, NULL);
            files.items[id] = end + 1;
            continue;
        }
        if (!is_hex_start(l[0]))
            continue;
        char *q = l;
        uint32_t rva = (uint32_t)strtoul(q, &q, 16);
        uint32_t size = (uint32_t)strtoul(q, &q, 16);
        uint32_t line = (uint32_t)strtoul(q, &q, 10);
        if (size == 0)
            continue; /* a line with no code: the next line at that address owns it */
        unsigned long fid = strtoul(q, &q, 10);
        const char *want = fid < files.len ? files.items[fid] : NULL;
        const char *file = NULL;
        uint32_t got = 0;
        nlines++;
        if (p->ops->line_for_rva(p->impl, rva, &file, &got) || got != line || !want ||
            kdx_strcasecmp(file, want) != 0) {
            if (bad++ < 3)
                kdx_test_fail(t, __FILE__, __LINE__, "line at %x: got %s:%u, want %s:%u", rva,
                              file ? file : "?", got, want ? want : "?", line);
        }
    }
    if (bad)
        kdx_test_fail(t, __FILE__, __LINE__, "%d of %d line records differ", bad, nlines);
    KDX_VEC_FREE(files);
    free(buf);
    return nlines;
}

typedef struct stack_win {
    uint32_t type, rva, size, prolog, params, saved, locals, max_stack;
    bool has_program;
    const char *rest;  /* the program, or "0"/"1" for allocates-base-pointer */
} stack_win;

/* "STACK WIN type rva size prolog epilog params saved locals max_stack has_program rest" */
static bool parse_stack_win(char *l, stack_win *w)
{
    if (!kdx_starts_with(l, "STACK WIN "))
        return false;
    char *q = l + 10;
    uint32_t f[10];
    for (int i = 0; i < 10; i++)
        f[i] = (uint32_t)strtoul(q, &q, 16);
    *w = (stack_win){f[0], f[1], f[2], f[3], f[5], f[6], f[7], f[8], f[9] != 0, *q ? q + 1 : q};
    return true;
}

static bool frame_matches(const kdx_frame_data *f, const stack_win *w)
{
    if (f->rva_start != w->rva || f->code_size != w->size || f->prolog_size != w->prolog ||
        f->params_size != w->params || f->saved_regs_size != w->saved ||
        f->locals_size != w->locals || f->is_fpo != (w->type == 0))
        return false;
    if (w->type == 0)
        return true;
    if (f->max_stack_size != w->max_stack || f->has_program != w->has_program)
        return false;
    return !w->has_program || (f->program && strcmp(f->program, w->rest) == 0);
}

int bp_check_stack_win(kdx_test_ctx *t, const kdx_symprov *p, const char *sympath)
{
    uint8_t *buf = read_sym_file(t, sympath);
    if (!buf)
        return 0;
    KDX_VEC(stack_win) v = {0};
    char *save = NULL;
    for (char *l = strtok_r((char *)buf, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        stack_win w;
        if (parse_stack_win(l, &w))
            KDX_VEC_PUSH(v, w);
    }
    int bad = 0;
    for (size_t i = 0; i < v.len; i++) {
        kdx_frame_data f = {0};
        bool ok = p->ops->frame_data_for_rva(p->impl, v.items[i].rva, &f) == KDX_OK;
        bool any = false;
        for (size_t j = 0; ok && j < v.len && !any; j++)
            any = v.items[j].rva == v.items[i].rva && frame_matches(&f, &v.items[j]);
        if (!any && bad++ < 3)
            kdx_test_fail(t, __FILE__, __LINE__,
                          "frame data at %x: got %s start %x size %x prolog %x params %x saved %x "
                          "locals %x, want one of the records there (size %x prolog %x)",
                          v.items[i].rva, ok ? "" : "none,", f.rva_start, f.code_size, f.prolog_size,
                          f.params_size, f.saved_regs_size, f.locals_size, v.items[i].size,
                          v.items[i].prolog);
    }
    if (bad)
        kdx_test_fail(t, __FILE__, __LINE__, "%d of %zu STACK WIN records differ", bad, v.len);
    int n = (int)v.len;
    KDX_VEC_FREE(v);
    free(buf);
    return n;
}
