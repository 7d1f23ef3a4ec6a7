/* `!analyze` output: WinDbg's text layout and kdx's JSON (docs/analyze-json.md). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/bugcheck.h"
#include "base/fmt.h"
#include "target/session.h"
#include "unwind/unwind.h"

void kdx_analysis_print_line(void *ctx, const char *fmt, ...)
{
    kdx_session *s = ctx;
    va_list ap;
    va_start(ap, fmt);
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) >= 0) {
        kdx_print(s, "%s", line);
        free(line);
    }
    va_end(ap);
}

static void banner(kdx_session *s, const char *title)
{
    const char *stars = "*******************************************************************************";
    kdx_print(s, "%s\n*%77s*\n*%*s%s%*s*\n*%77s*\n%s\n\n", stars, "", 24, "", title, (int)(53 - strlen(title)), "", "", stars);
}

static void print_kv(kdx_session *s, const kdx_analysis *a, const char *key)
{
    const char *v = kdx_analysis_get(a, key);
    if (v)
        kdx_print(s, "%s:  %s\n\n", key, v);
}

static void print_stack(kdx_session *s, const kdx_analysis *a)
{
    int ps = kdx_session_ptr_size(s);
    char b1[KDX_ADDR_BUF], b2[KDX_ADDR_BUF];
    kdx_print(s, "STACK_TEXT:  \n");
    bool warned = false;
    for (size_t i = 0; i < a->nstack; i++) {
        const kdx_analysis_frame *f = &a->stack[i];
        if (i == 0 && !kdx_target_module_at(s->target, f->ip)) {
            kdx_print(s, KDX_STACK_STRAY_IP_WARNING);
            warned = true;
        }
        if (f->scanned && !warned) {
            kdx_print(s, "WARNING: Stack unwind information not available. Following frames may be wrong.\n");
            warned = true;
        }
        char args[4][KDX_ADDR_BUF];
        for (int k = 0; k < 4; k++) {
            if (f->args_valid)
                kdx_fmt_ptr(args[k], f->args[k], ps);
            else
                snprintf(args[k], sizeof args[k], "%s", ps == 8 ? "????????`????????" : "????????");
        }
        /* x64: "Child-SP RetAddr     : four Args to Child : Call Site";
         * x86: "ChildEBP RetAddr three-args Call Site", as kb shows them. */
        if (ps == 8)
            kdx_print(s, "%s %s     : %s %s %s %s : %s\n", kdx_fmt_ptr(b1, f->child_sp, ps),
                      kdx_fmt_ptr(b2, f->ret_addr, ps), args[0], args[1], args[2], args[3], f->call_site);
        else
            kdx_print(s, "%s %s %s %s %s %s\n", kdx_fmt_ptr(b1, f->frame_ptr, ps), kdx_fmt_ptr(b2, f->ret_addr, ps),
                      args[0], args[1], args[2], f->call_site);
    }
    if (a->stack_note)
        kdx_print(s, "(%s)\n", a->stack_note);
    kdx_print(s, "\n\n");
}

void kdx_analysis_print(kdx_session *s, const kdx_analysis *a, bool verbose)
{
    int ps = kdx_session_ptr_size(s);
    if (a->kernel) {
        banner(s, "Bugcheck Analysis");
        kdx_bugcheck_print(a->bugcheck_code, a->bugcheck_args, ps, kdx_analysis_print_line, s);
    } else {
        banner(s, "Exception Analysis");
    }
    if (!verbose) {
        const char *m = a->faulting_module, *sym = kdx_analysis_get(a, "SYMBOL_NAME");
        const char *image = kdx_analysis_get(a, "IMAGE_NAME");
        /* WinDbg names the image, then the symbol ("Probably caused by : myfault.sys ( myfault+403 )",
         * "ntkrnlmp.exe ( nt!KiUnlockDispatcherDatabase+1c )"); without a symbol the image alone
         * ("Probably caused by : asmthub3.sys"). */
        if (sym || !image)
            kdx_print(s, "\nProbably caused by : %s ( %s )\n", image ? image : m ? m : "Unknown_Image",
                      sym ? sym : "Unknown");
        else
            kdx_print(s, "\nProbably caused by : %s\n", image);
        if (a->rule_uses_scanned_frame)
            kdx_print(s, "NOTE: chosen from a stack frame found by stack scanning; it may be wrong (%s).\n", a->rule);
        kdx_print(s, "\nFollowup:     MachineOwner\n---------\n\n");
        return;
    }
    kdx_print(s, "\nDebugging Details:\n------------------\n\n");
    kdx_print(s, "KEY_VALUES_STRING: 1\n\n    Key  : Analysis.Kdx.FaultingModuleRule\n    Value: %s\n\n",
              a->rule ? a->rule : "none");
    static const char *const order[] = {"BUGCHECK_CODE", "BUGCHECK_P1", "BUGCHECK_P2", "BUGCHECK_P3", "BUGCHECK_P4",
                                        "EXCEPTION_RECORD", "CONTEXT", "PROCESS_NAME", "READ_ADDRESS", "WRITE_ADDRESS",
                                        "EXECUTE_ADDRESS", "EXCEPTION_CODE_STR", "FAULTING_IP",
                                        "APC_DISABLE_COUNT", "KERNEL_APC_PENDING"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        print_kv(s, a, order[i]);
    static const char *const io_keys[] = {"DRVPOWERSTATE_SUBCODE", "IRP_ADDRESS", "DEVICE_OBJECT", "DRIVER_OBJECT",
                                          "IRP_HOLDER", "IO_FOLLOWUP"}; /* analyze_io.c */
    for (size_t i = 0; i < sizeof io_keys / sizeof io_keys[0]; i++)
        print_kv(s, a, io_keys[i]);
    print_stack(s, a);
    print_kv(s, a, "VERIFIER_COMMAND");
    static const char *const tail[] = {"SYMBOL_NAME", "MODULE_NAME", "IMAGE_NAME", "IMAGE_VERSION", "IMAGE_TIMESTAMP",
                                       "STACK_COMMAND", "BUCKET_ID_FUNC_OFFSET", "FAILURE_BUCKET_ID", "OS_VERSION",
                                       "BUILDLAB_STR", "OSPLATFORM_TYPE", "FAILURE_ID_HASH"};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        print_kv(s, a, tail[i]);
    if (a->nunknown) {
        kdx_print(s, "Not determined:\n");
        for (size_t i = 0; i < a->nunknown; i++)
            kdx_print(s, "    %s\n", a->unknown[i]);
        kdx_print(s, "\n");
    }
    kdx_print(s, "Followup:     MachineOwner\n---------\n\n");
}

char *kdx_analysis_json(kdx_session *s, const kdx_analysis *a, const char *dump_path)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string(KDX_ANALYZE_SCHEMA));
    if (dump_path)
        json_object_set_new(o, "dump", json_string(dump_path));
    json_object_set_new(o, "kind", json_string(a->kernel ? "kernel" : "user"));
    if (a->kernel) {
        char nb[96];
        const char *name = kdx_bugcheck_name_of(a->bugcheck_code, nb, sizeof nb);
        json_object_set_new(o, "bugcheck_name", name ? json_string(name) : json_null());
    }
    json_t *f = json_object();
    for (size_t i = 0; i < a->nkv; i++)
        json_object_set_new(f, a->kv[i].key, json_string(a->kv[i].value));
    json_object_set_new(o, "fields", f);
    json_t *st = json_array();
    char b[KDX_ADDR_BUF];
    int ps = kdx_session_ptr_size(s);
    for (size_t i = 0; i < a->nstack; i++) {
        json_t *fr = json_object();
        json_object_set_new(fr, "child_sp", json_string(kdx_fmt_ptr(b, a->stack[i].child_sp, ps)));
        if (ps == 4)
            json_object_set_new(fr, "child_ebp", json_string(kdx_fmt_ptr(b, a->stack[i].frame_ptr, ps)));
        json_object_set_new(fr, "ret_addr", json_string(kdx_fmt_ptr(b, a->stack[i].ret_addr, ps)));
        json_object_set_new(fr, "call_site", json_string(a->stack[i].call_site));
        if (a->stack[i].args_valid) {
            json_t *args = json_array();
            for (int k = 0; k < 4; k++)
                json_array_append_new(args, json_string(kdx_fmt_ptr(b, a->stack[i].args[k], ps)));
            json_object_set_new(fr, "args", args);
        }
        json_object_set_new(fr, "trust", json_string(a->stack[i].trust ? a->stack[i].trust : "context"));
        json_array_append_new(st, fr);
    }
    json_object_set_new(o, "stack", st);
    json_object_set_new(o, "stack_note", a->stack_note ? json_string(a->stack_note) : json_null());
    json_object_set_new(o, "faulting_module", a->faulting_module ? json_string(a->faulting_module) : json_null());
    json_object_set_new(o, "rule", a->rule ? json_string(a->rule) : json_null());
    json_object_set_new(o, "rule_uses_scanned_frame", json_boolean(a->rule_uses_scanned_frame));
    json_t *u = json_array();
    for (size_t i = 0; i < a->nunknown; i++)
        json_array_append_new(u, json_string(a->unknown[i]));
    json_object_set_new(o, "not_determined", u);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}
