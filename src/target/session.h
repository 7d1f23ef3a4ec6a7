/* A debugging session: one target, its symbol state, the current scope
 * (processor/thread, frame, .cxr context), user settings, and where command
 * output goes. Commands and the CLI operate on a session; the library never
 * prints anywhere else. */
#ifndef KDX_TARGET_SESSION_H
#define KDX_TARGET_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "target/context.h"
#include "target/target.h"

typedef enum kdx_expr_syntax { KDX_EXPR_MASM, KDX_EXPR_CPP } kdx_expr_syntax;

struct kdx_symctx;   /* symbol path, cache and loader state (sym/) */
struct kdx_script;   /* aliases and control-flow state (commands/script.h) */

typedef struct kdx_session {
    kdx_target *target;          /* NULL until a target is opened */
    FILE *out;                   /* all command output, errors included */
    FILE *diag;                  /* when set: diagnostics that are not a command's answer
                                  * (symbol loading), kdx_print_diag; else they go to out */
    FILE *json_out;              /* when set: a command's JSON result, kdx_print_json */
    /* Settings. */
    unsigned radix;              /* `n`: 16 by default */
    kdx_expr_syntax expr_syntax; /* `.expr` */
    bool ignore_missing_pages;   /* `.ignore_missing_pages` */
    bool noshell;                /* `.noshell`: .shell and !! refuse */
    bool json;                   /* structured output where commands support it */
    /* `.stackscan`: KDX_SCAN_DEFAULT scans user-mode stacks only (Breakpad's
     * territory: minidumps rarely come with their images), and leaves kernel
     * stacks to stop where the exact walk stops, as WinDbg does. */
    enum { KDX_SCAN_DEFAULT, KDX_SCAN_ON, KDX_SCAN_OFF } stack_scan;
    bool json_document;          /* --json: each command's output is one element of a JSON
                                  * array on out (commands/json_document.c) */
    unsigned json_elements;      /* elements printed so far in that array */
    char *image_path;            /* -i / .exepath */
    /* Symbol state, created by the symbol layer (sym/) on first use; freed
     * and reset through these hooks so this layer needs no knowledge of it. */
    struct kdx_symctx *sym;
    void (*sym_free)(struct kdx_symctx *sym);
    void (*sym_target_changed)(struct kdx_session *s);
    /* Scope. */
    unsigned cur_context;        /* current processor (kernel) / thread index (user) */
    bool has_scope_context;      /* .cxr / .trap / .frame /r override is active */
    kdx_context scope_context;
    int cur_frame;               /* .frame N, -1 when none */
    bool has_frame_origin;       /* after .frame /c N: frames are numbered from frame_origin */
    kdx_context frame_origin;    /* the context frame 00 had when .frame /c switched scope */
    /* Pseudo-registers $t0..$t19 and $ea/$exp-style results. */
    uint64_t t_regs[20];
    uint64_t last_expression;    /* $exp */
    /* Memory display continuation: `db`/`d` with no address go on from here. */
    uint64_t display_next;
    bool display_next_valid;
    char display_last_cmd[8];    /* the last d* command, repeated by a bare `d` */
    /* Kernel targets: the thread and process that .thread and .process made
     * implicit (0: the current processor's); $thread, $proc and the nt layer
     * read them. */
    uint64_t implicit_thread, implicit_process;
    uint64_t extret;             /* $extret: the element !list runs its commands for */
    /* Kernel-object layer state (nt/): caches keyed by type and field names.
     * Created on first use, freed through nt_free when the target changes. */
    struct kdx_ntctx *nt;
    void (*nt_free)(struct kdx_ntctx *nt);
    bool quit;                   /* `q` was executed */
    bool echo_commands;          /* print "PROMPT command" before each (batch runs) */
    /* .logopen/.logappend: everything printed to log_for (the output the
     * log was opened on) is copied to log; typed commands are logged with
     * their prompt. */
    FILE *log;
    FILE *log_for;
    char *log_path;
    /* Scripting state, created by the command layer on first use; freed
     * through script_free so this layer needs no knowledge of it. */
    struct kdx_script *script;
    void (*script_free)(struct kdx_script *script);
} kdx_session;

kdx_session *kdx_session_new(FILE *out);
void kdx_session_free(kdx_session *s);
/* Opens path as the session's target (closing any previous one). */
kdx_status kdx_session_open(kdx_session *s, const char *path, kdx_err *err);

/* Output helpers: everything a command prints goes through these. */
void kdx_print(kdx_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints text as it is (no format): for long listings. */
void kdx_puts(kdx_session *s, const char *text);
/* Writes len bytes as they are: for output gathered in large pieces. */
void kdx_write(kdx_session *s, const char *data, size_t len);
/* A diagnostic beside the answer (WinDbg's "*** ERROR: Module load completed
 * but symbols could not be loaded ..."): inline in text output, kept apart
 * from the result in JSON documents. */
void kdx_print_diag(kdx_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes "PROMPT command" to the log file only (a command typed at the
 * prompt, which the terminal already shows). */
void kdx_session_log_command(kdx_session *s, const char *cmd);
/* Closes the log file, if one is open. */
void kdx_session_log_close(kdx_session *s);
/* A command's structured result, one JSON text (no trailing newline needed). */
void kdx_print_json(kdx_session *s, const char *json);
/* Prints an error message the way the command layer reports failures. */
void kdx_print_err(kdx_session *s, const kdx_err *err);

/* Pointer formatted for the target's pointer size (backtick for 64-bit). */
const char *kdx_session_fmt_ptr(kdx_session *s, char buf[24], uint64_t v);
int kdx_session_ptr_size(const kdx_session *s);

/* The register context in scope: a .cxr/.trap/.frame override, else the
 * target's context for the current processor/thread. */
kdx_status kdx_session_context(kdx_session *s, kdx_context *out, kdx_err *err);
/* Changes the current processor/thread; drops any scope override. */
kdx_status kdx_session_set_context_index(kdx_session *s, unsigned index, kdx_err *err);
void kdx_session_set_scope(kdx_session *s, const kdx_context *ctx);
/* Whether stack walks scan below the exact walk (`.stackscan`, see above). */
bool kdx_session_stack_scan(const kdx_session *s);
/* The context frame numbers count from: frame 00's before a `.frame /c N`
 * switched the scope to frame N, else the scope context. */
kdx_status kdx_session_frame_origin(kdx_session *s, kdx_context *out, kdx_err *err);
void kdx_session_reset_scope(kdx_session *s);

/* The prompt WinDbg would show: "0: kd> " (kernel) or "0:000> " (user). */
void kdx_session_prompt(kdx_session *s, char *buf, size_t len);

#endif
