/* Scenario dumps for the nt-layer tests (nt_fixture.h). */
#include "tests/unit/nt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "isf/isf.h"
#include "sym/symbols.h"

static kdx_symprov layout;
static kdx_symfile_id layout_id;
static bool layout_tried;

static void close_layout(void)
{
    if (layout.ops)
        layout.ops->destroy(layout.impl);
}

const kdx_symprov *nt_fixture_layout(kdx_symfile_id *id)
{
    if (!layout_tried) {
        layout_tried = true;
        const char *path = kdx_testdata_path(NT_FIXTURE_ISF);
        kdx_err err = {0};
        if (path && kdx_isf_provider_open(path, &layout, &layout_id, &err) == KDX_OK)
            atexit(close_layout);
        else
            memset(&layout, 0, sizeof layout);
    }
    if (id)
        *id = layout_id;
    return layout.ops ? &layout : NULL;
}

kdx_scn *nt_fixture_scenario(void)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    kdx_scn *s = NULL;
    kdx_err err = {0};
    if (l && kdx_scn_new(l, &id, NULL, &s, &err) != KDX_OK) {
        fprintf(stderr, "nt fixture: %s\n", err.msg);
        return NULL;
    }
    return s;
}

typedef struct fixture_out {
    char *text;
    size_t len;
    FILE *mem;
} fixture_out;

kdx_session *nt_fixture_open(kdx_scn *s, const char *name)
{
    char *path = kdx_asprintf("%s/%s.dmp", kdx_test_tmpdir(), name);
    kdx_err err = {0};
    kdx_status st = kdx_scn_save(s, path, &err);
    kdx_scn_free(s);
    if (st != KDX_OK) {
        fprintf(stderr, "nt fixture: %s\n", err.msg);
        free(path);
        return NULL;
    }
    kdx_session *ses = nt_fixture_open_path(path);
    free(path);
    return ses;
}

kdx_session *nt_fixture_open_path(const char *path)
{
    FILE *null = fopen("/dev/null", "w");
    kdx_session *ses = kdx_session_new(null);
    char *isf_dir = kdx_strdup(kdx_testdata_path("isf"));
    kdx_sym_set_path(ses, isf_dir, false);
    free(isf_dir);
    kdx_err err = {0};
    kdx_status st = kdx_session_open(ses, path, &err);
    if (st != KDX_OK) {
        fprintf(stderr, "nt fixture: %s\n", err.msg);
        nt_fixture_close(ses);
        return NULL;
    }
    return ses;
}

char *nt_fixture_run(kdx_session *s, const char *commands)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    FILE *saved = s->out;
    s->out = mem;
    kdx_execute(s, commands);
    fclose(mem);
    s->out = saved;
    return text;
}

void nt_fixture_close(kdx_session *s)
{
    if (!s)
        return;
    FILE *out = s->out;
    kdx_session_free(s);
    if (out && out != stdout)
        fclose(out);
}

uint64_t nt_fixture_system(kdx_scn *s)
{
    kdx_scn_module(s, "kdxscen.sys", 0xfffff8048b580000ull, 0x10000);
    kdx_scn_process_spec sp = {"System", 4, 0, -1, 0, false, 0};
    uint64_t sys = kdx_scn_process(s, &sp);
    for (int cpu = 0; cpu < 4; cpu++) {
        kdx_scn_thread_spec t = {0};
        t.tid = 0x100 + 4 * (unsigned)cpu;
        t.state = "Running";
        t.cpu = cpu;
        t.frames[0] = cpu ? "nt!KiIdleLoop" : "nt!KeBugCheckEx";
        t.frames[1] = cpu ? NULL : "kdxscen!DispatchIoctl";
        t.frames[2] = cpu ? NULL : "nt!KiStartSystemThread";
        kdx_scn_thread(s, sys, &t);
    }
    return sys;
}

static kdx_status gen_standard(const char *out, kdx_err *err)
{
    kdx_symfile_id id;
    const kdx_symprov *l = nt_fixture_layout(&id);
    if (!l)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "needs ../shared/testdata/%s", NT_FIXTURE_ISF);
    return kdx_scn_standard(l, &id, 0, 0, out, err);
}

TEST_GENERATOR(nt_scenario, gen_standard)
