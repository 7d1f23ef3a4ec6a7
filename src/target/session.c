#include "target/session.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"

kdx_session *kdx_session_new(FILE *out)
{
    kdx_session *s = kdx_xcalloc(1, sizeof *s);
    s->out = out ? out : stdout;
    s->radix = 16;
    s->cur_frame = -1;
    return s;
}

/* The kernel-object layer's caches describe one target's types. */
static void drop_nt_state(kdx_session *s)
{
    if (s->nt_free && s->nt)
        s->nt_free(s->nt);
    s->nt = NULL;
    s->implicit_thread = s->implicit_process = 0;
}

void kdx_session_free(kdx_session *s)
{
    if (!s)
        return;
    drop_nt_state(s);
    kdx_target_close(s->target);
    if (s->sym_free)
        s->sym_free(s->sym);
    if (s->script_free)
        s->script_free(s->script);
    kdx_session_log_close(s);
    free(s->image_path);
    free(s);
}

kdx_status kdx_session_open(kdx_session *s, const char *path, kdx_err *err)
{
    kdx_target *t;
    kdx_status st = kdx_target_open(path, &t, err);
    if (st != KDX_OK)
        return st;
    drop_nt_state(s);
    kdx_target_close(s->target);
    s->target = t;
    s->cur_context = t->default_context;
    kdx_session_reset_scope(s);
    if (s->sym_target_changed)
        s->sym_target_changed(s);
    return KDX_OK;
}

/* The log file when output to `to` is to be copied there (not while a
 * command's output is being captured into a buffer). */
static FILE *log_copy(const kdx_session *s, const FILE *to)
{
    return s->log && to == s->log_for ? s->log : NULL;
}

/* Copies one formatted print to the log; ap stays usable for the caller. */
static void log_vprintf(const kdx_session *s, const char *fmt, va_list ap)
{
    FILE *log = log_copy(s, s->out);
    if (!log)
        return;
    va_list again;
    va_copy(again, ap);
    vfprintf(log, fmt, again);
    va_end(again);
}

void kdx_print(kdx_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(s, fmt, ap);
    vfprintf(s->out, fmt, ap);
    va_end(ap);
}

void kdx_puts(kdx_session *s, const char *text)
{
    FILE *log = log_copy(s, s->out);
    if (log)
        fputs(text, log);
    fputs(text, s->out);
}

void kdx_write(kdx_session *s, const char *data, size_t len)
{
    FILE *log = log_copy(s, s->out);
    if (log)
        fwrite(data, 1, len, log);
    fwrite(data, 1, len, s->out);
}

void kdx_print_diag(kdx_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(s, fmt, ap);
    vfprintf(s->diag ? s->diag : s->out, fmt, ap);
    va_end(ap);
}

void kdx_print_json(kdx_session *s, const char *json)
{
    FILE *to = s->json_out ? s->json_out : s->out;
    FILE *log = log_copy(s, s->out);
    if (log)
        fprintf(log, "%s\n", json);
    fputs(json, to);
    fputc('\n', to);
}

void kdx_session_log_command(kdx_session *s, const char *cmd)
{
    if (!s->log)
        return;
    char prompt[64];
    kdx_session_prompt(s, prompt, sizeof prompt);
    fprintf(s->log, "%s%s\n", prompt, cmd);
}

void kdx_session_log_close(kdx_session *s)
{
    if (s->log)
        fclose(s->log);
    free(s->log_path);
    s->log = NULL;
    s->log_for = NULL;
    s->log_path = NULL;
}

void kdx_print_err(kdx_session *s, const kdx_err *err)
{
    if (err && err->msg[0])
        kdx_print(s, "%s\n", err->msg);
    else
        kdx_print(s, "%s\n", kdx_status_name(err ? err->code : KDX_E_ARG));
}

int kdx_session_ptr_size(const kdx_session *s)
{
    return s->target && s->target->ptr_size ? s->target->ptr_size : 8;
}

const char *kdx_session_fmt_ptr(kdx_session *s, char buf[24], uint64_t v)
{
    return kdx_fmt_ptr(buf, v, kdx_session_ptr_size(s));
}

kdx_status kdx_session_context(kdx_session *s, kdx_context *out, kdx_err *err)
{
    if (s->has_scope_context) {
        *out = s->scope_context;
        return KDX_OK;
    }
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "no target is open");
    if (!t->ops || !t->ops->get_context || t->ncontexts == 0)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "this target has no register context");
    return t->ops->get_context(t->impl, s->cur_context, out, err);
}

kdx_status kdx_session_set_context_index(kdx_session *s, unsigned index, kdx_err *err)
{
    if (!s->target || index >= s->target->ncontexts)
        return kdx_err_set(err, KDX_E_ARG, "%u is not a valid %s index", index,
                           s->target && s->target->kind == KDX_TARGET_USER_DUMP ? "thread" : "processor");
    s->cur_context = index;
    kdx_session_reset_scope(s);
    /* A new processor brings its own thread and process (WinDbg drops the
     * implicit ones); user addresses go back to the dump's page tables until
     * the nt layer selects that processor's process. */
    s->implicit_thread = s->implicit_process = 0;
    s->target->dtb = s->target->kernel_dtb;
    return KDX_OK;
}

void kdx_session_set_scope(kdx_session *s, const kdx_context *ctx)
{
    s->scope_context = *ctx;
    s->has_scope_context = true;
    s->has_frame_origin = false;
}

void kdx_session_reset_scope(kdx_session *s)
{
    s->has_scope_context = false;
    s->has_frame_origin = false;
    s->cur_frame = -1;
}

kdx_status kdx_session_frame_origin(kdx_session *s, kdx_context *out, kdx_err *err)
{
    if (s->has_frame_origin) {
        *out = s->frame_origin;
        return KDX_OK;
    }
    return kdx_session_context(s, out, err);
}

void kdx_session_prompt(kdx_session *s, char *buf, size_t len)
{
    if (s->target && s->target->kind == KDX_TARGET_USER_DUMP)
        snprintf(buf, len, "0:%03u> ", s->cur_context);
    else
        snprintf(buf, len, "%u: kd> ", s->cur_context);
}

bool kdx_session_stack_scan(const kdx_session *s)
{
    if (s->stack_scan != KDX_SCAN_DEFAULT)
        return s->stack_scan == KDX_SCAN_ON;
    return !s->target || s->target->kind != KDX_TARGET_KERNEL_DUMP;
}
