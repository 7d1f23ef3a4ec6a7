/* The public C API (include/kdx.h): handles, errors, running commands,
 * cancellation and the command registry. The typed queries are in query.c.
 * This layer sits above commands/ and below cli/: the CLI and every program
 * embedding libkdx go through it, so what they can do is the same. */
#include "api/api.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/triage.h"
#include "base/cancel.h"
#include "base/progress.h"
#include "base/util.h"
#include "commands/command.h"

/* One message per thread, as errno: handles may live on different threads. */
static _Thread_local char last_error[KDX_ERR_MSG_MAX];

const char *kdx_version(void)
{
    return KDX_VERSION_STRING;
}

const char *kdx_last_error(void)
{
    return last_error;
}

const char *kdx_status_str(kdx_status code)
{
    return kdx_status_name(code);
}

void kdx_free(void *p)
{
    free(p);
}

kdx_status kdx_api_fail(const kdx_err *err)
{
    snprintf(last_error, sizeof last_error, "%s", err->msg);
    return err->code == KDX_OK ? KDX_E_ARG : err->code;
}

kdx_status kdx_api_failf(kdx_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

void kdx_open_options_init(kdx_open_options *o)
{
    memset(o, 0, sizeof *o);
    o->version = KDX_OPEN_OPTIONS_VERSION;
}

/* Runs a setup command with its output thrown away: -y goes through
 * `.sympath` exactly as a user typing it would. */
static void run_quietly(kdx_session *s, const char *cmd)
{
    FILE *saved = s->out;
    s->out = fopen("/dev/null", "w");
    if (!s->out) {
        s->out = saved;
        return;
    }
    kdx_execute(s, cmd);
    fclose(s->out);
    s->out = saved;
}

static void apply_options(kdx_dbg *d, const kdx_open_options *o)
{
    if (o->imagepath) {
        free(d->s->image_path);
        d->s->image_path = kdx_strdup(o->imagepath);
    }
    if (o->sympath) {
        char *cmd = kdx_asprintf(".sympath %s", o->sympath);
        run_quietly(d->s, cmd);
        free(cmd);
    }
    if (o->json_document)
        kdx_json_document_begin(d->s);
}

kdx_status kdx_create(kdx_dbg **out, const kdx_open_options *opts)
{
    *out = NULL;
    if (opts && opts->version != KDX_OPEN_OPTIONS_VERSION)
        return kdx_api_failf(KDX_E_ARG, "kdx_open_options.version is %u, this libkdx knows %d",
                             opts->version, KDX_OPEN_OPTIONS_VERSION);
    kdx_dbg *d = kdx_xcalloc(1, sizeof *d);
    FILE *fp = opts ? opts->out : NULL;
    if (!fp) {
        d->null_out = fopen("/dev/null", "w");
        if (!d->null_out) {
            free(d);
            return kdx_api_failf(KDX_E_IO, "cannot open /dev/null for discarded output");
        }
        fp = d->null_out;
    }
    d->s = kdx_session_new(fp);
    if (opts)
        apply_options(d, opts);
    *out = d;
    return KDX_OK;
}

kdx_status kdx_load(kdx_dbg *d, const char *path)
{
    if (!d || !path)
        return kdx_api_failf(KDX_E_ARG, "kdx_load: no handle or no path");
    kdx_err err = {0};
    if (kdx_session_open(d->s, path, &err) == KDX_OK)
        return KDX_OK;
    /* A JSON document stays one document, saying what failed. */
    if (d->s->json_document)
        kdx_json_document_open_failed(d->s, path, err.msg);
    return kdx_api_fail(&err);
}

kdx_status kdx_open(kdx_dbg **out, const char *path, const kdx_open_options *opts)
{
    kdx_status st = kdx_create(out, opts);
    if (st != KDX_OK)
        return st;
    st = kdx_load(*out, path);
    if (st != KDX_OK) {
        /* The message survives the close. */
        char msg[KDX_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", last_error);
        kdx_close(*out);
        *out = NULL;
        snprintf(last_error, sizeof last_error, "%s", msg);
    }
    return st;
}

void kdx_close(kdx_dbg *d)
{
    if (!d)
        return;
    kdx_json_document_end(d->s);
    fflush(d->s->out);
    kdx_session_free(d->s);
    if (d->null_out)
        fclose(d->null_out);
    free(d);
}

static kdx_status run_status(kdx_dbg *d, int failed)
{
    if (kdx_interrupted()) {
        /* Under a JSON document, stdout stays one JSON document. */
        if (d->s->json_document)
            fprintf(stderr, "*** Interrupted (Ctrl-C): the command stopped\n");
        else
            kdx_print(d->s, "*** Interrupted (Ctrl-C): the command stopped\n");
        return kdx_api_failf(KDX_E_INTERRUPTED, "interrupted (Ctrl-C): the command stopped");
    }
    if (failed)
        return kdx_api_failf(KDX_E_ARG, "%d command%s failed (their errors are in the output)", failed,
                             failed == 1 ? "" : "s");
    return KDX_OK;
}

kdx_status kdx_run(kdx_dbg *d, const char *line)
{
    if (!d || !line)
        return kdx_api_failf(KDX_E_ARG, "kdx_run: no handle or no command line");
    return run_status(d, kdx_execute(d->s, line));
}

/* The session's output and JSON state, swapped out while a capture runs. */
typedef struct saved_output {
    FILE *out;
    bool json, json_document, echo;
    unsigned json_elements;
} saved_output;

static void capture_begin(kdx_session *s, FILE *fp, unsigned flags, saved_output *sv)
{
    *sv = (saved_output){s->out, s->json, s->json_document, s->echo_commands, s->json_elements};
    s->out = fp;
    s->json_document = false;
    s->echo_commands = false;
    s->json = false;
    if (flags & KDX_RUN_JSON)
        kdx_json_document_begin(s);
}

static void capture_end(kdx_session *s, const saved_output *sv)
{
    kdx_json_document_end(s);
    fflush(s->out);
    s->out = sv->out;
    s->json = sv->json;
    s->json_document = sv->json_document;
    s->json_elements = sv->json_elements;
    s->echo_commands = sv->echo;
}

kdx_status kdx_run_capture(kdx_dbg *d, const char *line, unsigned flags, char **text)
{
    *text = NULL;
    if (!d || !line)
        return kdx_api_failf(KDX_E_ARG, "kdx_run_capture: no handle or no command line");
    size_t len = 0;
    FILE *fp = open_memstream(text, &len);
    if (!fp)
        return kdx_api_failf(KDX_E_NOMEM, "cannot capture output (open_memstream failed)");
    saved_output sv;
    capture_begin(d->s, fp, flags, &sv);
    int failed = kdx_execute(d->s, line);
    kdx_status st = run_status(d, failed);
    capture_end(d->s, &sv);
    fclose(fp);
    return st;
}

void kdx_set_echo(kdx_dbg *d, int on)
{
    d->s->echo_commands = on != 0;
}

int kdx_quit_requested(const kdx_dbg *d)
{
    return d->s->quit;
}

void kdx_prompt(kdx_dbg *d, char *buf, size_t len)
{
    kdx_session_prompt(d->s, buf, len);
}

char *kdx_repeat_command(const char *last)
{
    return kdx_command_repeat_form(last);
}

/* The i-th command of the registry, families in table order. */
static const kdx_command *command_at(size_t i)
{
    for (size_t f = 0; kdx_command_families[f]; f++)
        for (const kdx_command *c = kdx_command_families[f]; c->name; c++)
            if (i-- == 0)
                return c;
    return NULL;
}

const char *kdx_command_name(size_t i)
{
    const kdx_command *c = command_at(i);
    return c ? c->name : NULL;
}

const char *kdx_command_summary(size_t i)
{
    const kdx_command *c = command_at(i);
    return c ? (c->summary ? c->summary : "") : NULL;
}

void kdx_cancel_request(void)
{
    kdx_interrupt_request();
}

int kdx_cancel_pending(void)
{
    return kdx_interrupted();
}

int kdx_cancel_count(void)
{
    return kdx_interrupt_count();
}

void kdx_cancel_clear(void)
{
    kdx_interrupt_clear();
}

void kdx_set_progress_callback(kdx_progress_callback cb, void *user)
{
    kdx_progress_set_handler(cb, user);
}

int kdx_triage(const kdx_triage_settings *t, FILE *out)
{
    kdx_triage_options o = {
        .paths = t->paths,
        .npaths = t->npaths,
        .jobs = t->jobs,
        .json = t->json != 0,
        .sympath = t->sympath,
        .timeout_seconds = t->timeout_seconds,
        .html_path = t->html_path,
    };
    return kdx_triage_run(&o, out);
}
