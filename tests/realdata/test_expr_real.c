/* Expressions on the real triage dump (../shared/testdata/kernel/triage_x64.dmp).
 * Expected values are the dump's facts listed in testdata/README.md and,
 * for symbols and types, values read by hand from the kernel's ISF table
 * (KeBugCheckEx RVA 0x3f5a80, _EPROCESS size 0xa40, _KTHREAD size 0x430,
 * _KTHREAD.Teb at 0xf0, _KTHREAD.ApcState at 0x98, _KAPC_STATE.Process at
 * 0x20, _EPROCESS.Peb at 0x550). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "sym/sources.h"
#include "target/session.h"
#include "tests/test.h"

#define NT_ISF "isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"

TEST(expr_real_triage_registers_modules_pseudo)
{
    TESTDATA(path, "kernel/triage_x64.dmp");
    char *out = kdx_test_run(path, NULL,
                             "? @rip; ? rsp; ? $bug_code; ? $bug_param2; ? nt; ? amdppm+334c; "
                             "? $bug_param2 - amdppm; ? $bug_param2 == amdppm+0x334c; "
                             ".formats $bug_code",
                             NULL);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Evaluate expression: -8776834917760 = fffff804`7bdf5a80\n"
                        "Evaluate expression: -135222053499160 = ffff8504`29890ee8\n"
                        "Evaluate expression: 268435582 = 00000000`1000007e\n"
                        "Evaluate expression: -8776575339700 = fffff804`8b58334c\n"
                        "Evaluate expression: -8776839069696 = fffff804`7ba00000\n"
                        "Evaluate expression: -8776575339700 = fffff804`8b58334c\n"
                        "Evaluate expression: 13132 = 00000000`0000334c\n"
                        "Evaluate expression: 1 = 00000000`00000001\n");
    CHECK_CONTAINS(out, "  Hex:     00000000`1000007e\n  Decimal: 268435582\n");
    CHECK_CONTAINS(out, "  Binary:  00000000 00000000 00000000 00000000 00010000 00000000 00000000 01111110\n");
    free(out);
}

/* Session on the triage dump with the kernel's ISF table as nt's symbols. */
static kdx_session *open_with_isf(kdx_test_ctx *t, FILE *mem, const char *dump, const char *isf)
{
    kdx_session *s = kdx_session_new(mem);
    kdx_err err;
    if (kdx_session_open(s, dump, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "open: %s", err.msg);
        kdx_session_free(s);
        return NULL;
    }
    kdx_module *nt = kdx_target_module_named(s->target, "nt");
    kdx_symprov p;
    kdx_symfile_id id;
    if (!nt || kdx_isf_provider_open(isf, &p, &id, &err) != KDX_OK) {
        kdx_test_fail(t, __FILE__, __LINE__, "nt / ISF: %s", nt ? err.msg : "no nt module");
        kdx_session_free(s);
        return NULL;
    }
    if (nt->symbols.ops && nt->symbols.ops->destroy)
        nt->symbols.ops->destroy(nt->symbols.impl);
    nt->symbols = p;
    nt->symstatus = KDX_SYMSTATUS_ISF;
    return s;
}

TEST(expr_real_triage_with_kernel_types)
{
    TESTDATA(dump, "kernel/triage_x64.dmp");
    char *dump_path = strdup(dump);
    TESTDATA(isf, NT_ISF);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = open_with_isf(t, mem, dump_path, isf);
    free(dump_path);
    if (s) {
        kdx_execute(s, "? nt!KeBugCheckEx; ? nt!PsActiveProcessHead; ? nt!PsLoadedModuleList; "
                       "?? sizeof(nt!_EPROCESS); ?? sizeof(_KTHREAD); "
                       "?? #FIELD_OFFSET(nt!_KTHREAD, Teb); "
                       "?? #FIELD_OFFSET(nt!_KTHREAD, ApcState.Process)");
        kdx_execute(s, "? poi(@$thread + f0) == $teb; "
                       "? @@c++(@$thread->Tcb.Teb) == $teb; "
                       "? poi(@$thread + 0x98 + 0x20) == $proc; "
                       "? poi($proc + 0n1360) == $peb");
        kdx_execute(s, "?? @$proc->ImageFileName; ?? @$proc->UniqueProcessId; ?? @$thread");
        kdx_session_free(s);
    }
    fclose(mem);
    REQUIRE(out);
    CHECK_CONTAINS(out, "Evaluate expression: -8776834917760 = fffff804`7bdf5a80\n"
                        "Evaluate expression: -8776826363392 = fffff804`7c61e200\n"
                        "Evaluate expression: -8776826313840 = fffff804`7c62a390\n"
                        "unsigned int64 0xa40\n"
                        "unsigned int64 0x430\n"
                        "long 0n240\n"
                        "long 0n184\n");
    /* Each pseudo-register agrees with the field read by hand, or the dump
     * lacks the page and both sides say so. */
    const char *eq = strstr(out, "long 0n184\n");
    REQUIRE(eq);
    eq += strlen("long 0n184\n");
    for (int i = 0; i < 4; i++) {
        const char *nl = strchr(eq, '\n');
        REQUIRE(nl);
        if (strncmp(eq, "Evaluate expression: 1 = ", 25) != 0 && !strstr(eq, "error at"))
            kdx_test_fail(t, __FILE__, __LINE__, "consistency check %d: %.*s", i, (int)(nl - eq), eq);
        eq = nl + 1;
    }
    /* The crash happened on a System thread (System is process 4). */
    CHECK_CONTAINS(out, "unsigned char [15]  \"System\"\nvoid * 0x00000000`00000004\n");
    CHECK_CONTAINS(out, "struct _ETHREAD * 0xffffc08b`de9e1640\n   +0x000 Tcb              : _KTHREAD\n");
    free(out);
}
