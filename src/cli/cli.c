#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/triage.h"
#include "base/cancel.h"
#include "base/util.h"
#include "commands/command.h"

int kdx_cli_parse(int argc, char **argv, kdx_cli_options *o)
{
    memset(o, 0, sizeof *o);
    if (argc >= 2 && argv[1][0] != '-')
        return KDX_CLI_SUBCOMMAND;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-?"))
            return KDX_CLI_HELP;
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "-z"))
            slot = &o->dump;
        else if (!strcmp(a, "-c"))
            slot = &o->commands;
        else if (!strcmp(a, "-y"))
            slot = &o->sympath;
        else if (!strcmp(a, "-i"))
            slot = &o->imagepath;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "kdx: %s '%s'\n", slot ? "missing value after" : "unknown option", a);
            return KDX_CLI_BAD;
        }
        *slot = argv[++i];
    }
    if (!o->dump && !o->commands) {
        fprintf(stderr, "kdx: no file to open (use -z FILE, or -c CMDS for commands that need no dump)\n");
        return KDX_CLI_BAD;
    }
    return KDX_CLI_OK;
}

/* Applies -y / -i (or the environment) through the same commands a user would type. */
static void apply_paths(kdx_session *s, const kdx_cli_options *o)
{
    if (o->imagepath) {
        free(s->image_path);
        s->image_path = kdx_strdup(o->imagepath);
    }
    if (o->sympath) {
        char *cmd = kdx_asprintf(".sympath %s", o->sympath);
        FILE *saved = s->out;
        FILE *null = fopen("/dev/null", "w");
        if (null)
            s->out = null;
        kdx_execute(s, cmd);
        if (null) {
            s->out = saved;
            fclose(null);
        }
        free(cmd);
    }
}

bool kdx_cli_note_interrupt(kdx_session *s)
{
    if (!kdx_interrupted())
        return false;
    /* Under --json, stdout stays one JSON document. */
    if (s->json_document)
        fprintf(stderr, "*** Interrupted (Ctrl-C): the command stopped\n");
    else
        kdx_print(s, "*** Interrupted (Ctrl-C): the command stopped\n");
    return true;
}

/* Batch runs end on Ctrl-C with a status that says so. */
static int interrupted_exit(kdx_session *s)
{
    kdx_json_document_end(s);
    fflush(s->out);
    fprintf(stderr, "kdx: interrupted (SIGINT); exit status %d\n", KDX_EXIT_INTERRUPTED);
    kdx_session_free(s);
    return KDX_EXIT_INTERRUPTED;
}

int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_session *))
{
    kdx_session *s = kdx_session_new(out);
    apply_paths(s, o);
    if (o->json)
        kdx_json_document_begin(s);
    kdx_err err = {0};
    if (o->dump && kdx_session_open(s, o->dump, &err) != KDX_OK) {
        fprintf(stderr, "kdx: %s\n", err.msg);
        if (o->json) { /* stdout stays one JSON document, saying what failed */
            kdx_json_document_open_failed(s, o->dump, err.msg);
            kdx_json_document_end(s);
        }
        kdx_session_free(s);
        return 1;
    }
    if (o->commands) {
        s->echo_commands = !o->json;
        kdx_execute(s, o->commands);
        s->echo_commands = false;
        kdx_cli_note_interrupt(s);
    }
    /* Interrupted before the prompt: a terminal prompt goes on, batch input ends. */
    if (kdx_interrupted() && !(prompt && isatty(STDIN_FILENO)))
        return interrupted_exit(s);
    kdx_interrupt_clear();
    if (!s->quit && prompt)
        prompt(s);
    if (kdx_interrupted())
        return interrupted_exit(s);
    kdx_json_document_end(s);
    kdx_session_free(s);
    return 0;
}

/* kdx triage [--json] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH... */
static int triage_main(int argc, char **argv)
{
    kdx_triage_options o = {0};
    const char **paths = kdx_xcalloc((size_t)argc, sizeof *paths);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            o.json = true;
        else if (!strcmp(a, "-j") && i + 1 < argc)
            o.jobs = atoi(argv[++i]);
        else if (!strcmp(a, "-y") && i + 1 < argc)
            o.sympath = argv[++i];
        else if (!strcmp(a, "--timeout") && i + 1 < argc)
            o.timeout_seconds = (unsigned)atoi(argv[++i]);
        else if (a[0] == '-') {
            fprintf(stderr, "kdx triage: unknown option '%s'\n"
                            "usage: kdx triage [--json] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH...\n", a);
            free(paths);
            return 2;
        } else
            paths[o.npaths++] = a;
    }
    if (!o.npaths) {
        fprintf(stderr, "usage: kdx triage [--json] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH...\n");
        free(paths);
        return 2;
    }
    o.paths = paths;
    kdx_triage_run(&o, stdout);
    free(paths);
    return 0;
}

int kdx_cli_subcommand(int argc, char **argv)
{
    if (!strcmp(argv[1], "triage"))
        return triage_main(argc, argv);
    fprintf(stderr, "kdx: unknown subcommand '%s' (known: triage)\n", argv[1]);
    return 2;
}
