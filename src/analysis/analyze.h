/* `!analyze`: what crashed, where, and which module to blame, as data. The
 * command and `kdx triage` print it as WinDbg's text or as JSON (schema in
 * docs/analyze-json.md). */
#ifndef KDX_ANALYSIS_ANALYZE_H
#define KDX_ANALYSIS_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "target/session.h"

#define KDX_ANALYZE_SCHEMA "kdx.analyze/1"

typedef struct kdx_analysis_frame {
    uint64_t child_sp, ret_addr, ip;
    uint64_t frame_ptr;      /* x86: ChildEBP, the first column of STACK_TEXT there */
    uint64_t args[4];        /* "Args to Child" (home slots / first stack arguments) */
    bool args_valid;
    char call_site[256];     /* "amdppm!WriteIoMemRawEx+0x70" */
    const char *trust;       /* how the unwinder found it: "context", "cfi", "frame_pointer", "scan" */
    bool scanned;            /* found by stack scanning: never used silently for the module/bucket */
} kdx_analysis_frame;

/* A key/value line of "Debugging Details" in the order WinDbg prints them. */
typedef struct kdx_analysis_kv {
    const char *key;         /* "BUGCHECK_CODE" */
    char *value;
} kdx_analysis_kv;

typedef struct kdx_analysis {
    bool kernel;
    uint32_t bugcheck_code;
    uint64_t bugcheck_args[4];
    kdx_analysis_kv *kv;     /* owned */
    size_t nkv;
    kdx_analysis_frame *stack;
    size_t nstack;
    char *stack_note;        /* why the stack is short or missing, or NULL */
    char *faulting_module;   /* WinDbg module name, NULL when undetermined */
    char *rule;              /* which written-down rule chose the module */
    bool rule_uses_scanned_frame; /* ... from a frame found by stack scanning (the rule says so) */
    char **unknown;          /* what could not be determined, and why */
    size_t nunknown;
} kdx_analysis;

kdx_status kdx_analyze(kdx_session *s, kdx_analysis *out, kdx_err *err);
void kdx_analysis_free(kdx_analysis *a);
const char *kdx_analysis_get(const kdx_analysis *a, const char *key);

/* printf-style line writer into a session (a kdx_line_fn for kdx_bugcheck_print). */
void kdx_analysis_print_line(void *session, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* WinDbg's `!analyze -v` text. */
void kdx_analysis_print(kdx_session *s, const kdx_analysis *a, bool verbose);
/* One JSON object (no newline) for --json and `kdx triage`; caller frees. */
char *kdx_analysis_json(kdx_session *s, const kdx_analysis *a, const char *dump_path);

#endif
