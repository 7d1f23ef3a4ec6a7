#include "tests/golden.h"

#include <ctype.h>
#include <stdlib.h>

#include "base/file.h"
#include "base/util.h"
#include "commands/command.h"
#include "target/session.h"

/* Length of a leading WinDbg prompt ("0: kd> ", "0:000> "), 0 if none. */
static size_t prompt_len(const char *line)
{
    const char *p = line;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != ':')
        return 0;
    if (!strncmp(p, " kd> ", 5))
        return (size_t)(p + 5 - line);
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            p++;
        if (*p == '>' && p[1] == ' ')
            return (size_t)(p + 2 - line);
        if (*p == '>' && p[1] == '\0')
            return (size_t)(p + 1 - line);
    }
    return 0;
}

static char *expand(const char *s, const char *tmp)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    const char *td = getenv("KDX_TESTDATA");
    if (!td || !*td)
        td = "../shared/testdata";
    while (*s) {
        if (!strncmp(s, "${TESTDATA}", 11)) {
            kdx_sb_puts(&sb, td);
            s += 11;
        } else if (!strncmp(s, "${TMP}", 6)) {
            kdx_sb_puts(&sb, tmp);
            s += 6;
        } else {
            kdx_sb_putc(&sb, *s++);
        }
    }
    return kdx_sb_take(&sb);
}

/* Trims trailing blanks of every line and trailing empty lines. */
static char *normalize(const char *text)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t m = n;
        while (m && isspace((unsigned char)p[m - 1]))
            m--;
        kdx_sb_putn(&sb, p, m);
        kdx_sb_putc(&sb, '\n');
        p += n + (nl ? 1 : 0);
    }
    char *s = kdx_sb_take(&sb);
    size_t len = strlen(s);
    while (len && s[len - 1] == '\n')
        s[--len] = '\0';
    return s;
}

static void report_diff(kdx_test_ctx *t, const char *path, const char *cmd, const char *want,
                        const char *got)
{
    int line = 1;
    const char *w = want, *g = got;
    while (*w && *g && *w == *g) {
        if (*w == '\n')
            line++;
        w++;
        g++;
    }
    /* Back up to the start of the differing line. */
    while (w > want && w[-1] != '\n') {
        w--;
        g--;
    }
    const char *wl_end = strchr(w, '\n'), *gl_end = strchr(g, '\n');
    kdx_test_fail(t, path, 0,
                  "command '%s': output differs at line %d\n      want: %.*s\n      got:  %.*s\n"
                  "    --- full output ---\n%s",
                  cmd, line, (int)(wl_end ? wl_end - w : (long)strlen(w)), w,
                  (int)(gl_end ? gl_end - g : (long)strlen(g)), g, got);
}

typedef struct block {
    char *cmd;
    kdx_strbuf want;
} block;

void kdx_golden_run(kdx_test_ctx *t, const char *path)
{
    uint8_t *buf;
    size_t len;
    kdx_err err = {0};
    if (kdx_read_all(path, &buf, &len, &err) != KDX_OK) {
        kdx_test_fail(t, path, 0, "%s", err.msg);
        return;
    }
    char *open_spec = NULL;
    kdx_strbuf setup;
    kdx_sb_init(&setup);
    KDX_VEC(block) blocks = {0};
    const char *tmp = kdx_test_tmpdir();
    char *p = (char *)buf;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        size_t pl = prompt_len(p);
        if (pl) {
            block b = {kdx_strdup(p + pl), {0}};
            kdx_sb_init(&b.want);
            KDX_VEC_PUSH(blocks, b);
        } else if (blocks.len) {
            kdx_sb_puts(&blocks.items[blocks.len - 1].want, p);
            kdx_sb_putc(&blocks.items[blocks.len - 1].want, '\n');
        } else if (!strncmp(p, "# open:", 7)) {
            free(open_spec);
            open_spec = kdx_strdup(kdx_skip_ws(p + 7));
            kdx_rtrim(open_spec);
        } else if (!strncmp(p, "# needs: testdata/", 18)) {
            /* A generator reads this file (a symbol table for its layout). */
            char *rel = kdx_strdup(kdx_skip_ws(p + 18));
            kdx_rtrim(rel);
            if (!kdx_testdata_path(rel) && !t->skipped)
                kdx_test_skip(t, "needs ../shared/testdata/%s, which is not present on this machine", rel);
            free(rel);
        } else if (!strncmp(p, "# setup:", 8)) {
            char *e = expand(kdx_skip_ws(p + 8), tmp);
            kdx_sb_printf(&setup, "%s;", e);
            free(e);
        }
        p = nl ? nl + 1 : NULL;
    }
    free(buf);

    char *target = NULL;
    if (!open_spec || !strcmp(open_spec, "none")) {
        target = NULL;
    } else if (!strncmp(open_spec, "testdata/", 9)) {
        const char *td = kdx_testdata_path(open_spec + 9);
        if (!td)
            kdx_test_skip(t, "needs ../shared/testdata/%s, which is not present on this machine",
                          open_spec + 9);
        else
            target = kdx_strdup(td);
    } else if (t->skipped) {
        target = NULL;
    } else if (!strncmp(open_spec, "gen/", 4)) {
        kdx_test_generator gen = kdx_test_find_generator(open_spec + 4);
        if (!gen) {
            kdx_test_fail(t, path, 0, "no generator named '%s'", open_spec + 4);
        } else {
            target = kdx_asprintf("%s/%s.dmp", tmp, open_spec + 4);
            if (gen(target, &err) != KDX_OK)
                kdx_test_fail(t, path, 0, "generator %s failed: %s", open_spec + 4, err.msg);
        }
    } else {
        kdx_test_fail(t, path, 0, "bad '# open:' line: %s", open_spec);
    }

    if (!t->skipped && !t->failures) {
        FILE *null = fopen("/dev/null", "w");
        kdx_session *s = kdx_session_new(null);
        if (setup.len)
            kdx_execute(s, setup.s);
        if (target && kdx_session_open(s, target, &err) != KDX_OK) {
            kdx_test_fail(t, path, 0, "cannot open %s: %s", target, err.msg);
        } else {
            for (size_t i = 0; i < blocks.len; i++) {
                char *out = NULL;
                size_t olen = 0;
                FILE *mem = open_memstream(&out, &olen);
                s->out = mem;
                kdx_execute(s, blocks.items[i].cmd);
                fclose(mem);
                s->out = null;
                char *want = normalize(blocks.items[i].want.s ? blocks.items[i].want.s : "");
                char *got = normalize(out);
                if (strcmp(want, got) != 0)
                    report_diff(t, path, blocks.items[i].cmd, want, got);
                free(want);
                free(got);
                free(out);
            }
        }
        kdx_session_free(s);
        fclose(null);
    }
    for (size_t i = 0; i < blocks.len; i++) {
        free(blocks.items[i].cmd);
        kdx_sb_free(&blocks.items[i].want);
    }
    KDX_VEC_FREE(blocks);
    kdx_sb_free(&setup);
    free(open_spec);
    free(target);
}
