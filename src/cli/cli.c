#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void kdx_cli_usage(FILE *fp)
{
    fputs("usage: kdx -z FILE [-c \"CMD; CMD; ...\"] [-y SYMPATH] [-i IMAGEPATH] [-cf SCRIPT]\n"
          "              [-logo|-loga LOGFILE] [--json]\n"
          "       kdx triage [--json] [--html FILE] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH...\n"
          "       kdx --help | --version\n"
          "\n"
          "Opens a Windows crash dump (kernel or user mode), a PE image or a symbol\n"
          "file and runs WinDbg commands on it. Without -c, or when the -c commands\n"
          "do not end with q, an interactive kd-style prompt follows.\n"
          "\n"
          "  -z FILE       dump, image (.exe/.sys/.dll), PDB or ISF (.json/.json.xz) to open\n"
          "  -c CMDS       commands to run first, separated by ';'\n"
          "  -y SYMPATH    symbol path (else _NT_SYMBOL_PATH / _NT_ALT_SYMBOL_PATH)\n"
          "  -i IMAGEPATH  image search path\n"
          "  -cf SCRIPT    a script file run before the -c commands (as $$<SCRIPT)\n"
          "  -logo LOGFILE copy the output to LOGFILE (.logopen); -loga appends\n"
          "  --json        stdout is one JSON array, an element per command (docs/cli.md)\n"
          "  -h, --help    this help (kdx triage --help: the triage subcommand's)\n"
          "  --version     kdx's version\n"
          "  --list-commands  the WinDbg commands kdx knows, one a line\n"
          "\n"
          "Exit status: 0 ok; 1 the file could not be opened or a -c command failed;\n"
          "2 usage error; 3 kdx triage could not analyze some dumps; 130 interrupted\n"
          "(Ctrl-C) in batch mode. `man kdx` has the details.\n",
          fp);
}

void kdx_cli_list_commands(FILE *fp)
{
    for (size_t i = 0; kdx_command_name(i); i++)
        fprintf(fp, "%s\n", kdx_command_name(i));
}

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
        if (!strcmp(a, "--version"))
            return KDX_CLI_VERSION;
        if (!strcmp(a, "--list-commands"))
            return KDX_CLI_LIST_COMMANDS;
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
        else if (!strcmp(a, "-cf"))
            slot = &o->script_file;
        else if (!strcmp(a, "-logo") || !strcmp(a, "-loga")) {
            slot = &o->log_file;
            o->log_append = a[4] == 'a';
        }
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "kdx: %s '%s'\n", slot ? "missing value after" : "unknown option", a);
            return KDX_CLI_BAD;
        }
        *slot = argv[++i];
    }
    if (!o->dump && !o->commands && !o->script_file) {
        fprintf(stderr, "kdx: no file to open (use -z FILE, or -c CMDS for commands that need no dump)\n");
        return KDX_CLI_BAD;
    }
    return KDX_CLI_OK;
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kdx_cli_progress_format(char *buf, size_t len, const char *task, uint64_t done, uint64_t total,
                             const char *unit, double seconds)
{
    bool bytes = !strcmp(unit, "bytes");
    double scale = bytes ? 1048576.0 : 1.0;
    const char *shown = bytes ? "MB" : unit;
    double rate = seconds > 0 ? (double)done / seconds : 0;
    int n = total ? snprintf(buf, len, "%s: %.*f/%.*f %s (%d%%)", task, bytes, (double)done / scale, bytes,
                             (double)total / scale, shown, (int)(100.0 * (double)done / (double)total))
                  : snprintf(buf, len, "%s: %.*f %s", task, bytes, (double)done / scale, shown);
    if (n < 0 || (size_t)n >= len)
        return;
    n += snprintf(buf + n, len - (size_t)n, ", %.1f %s/s", rate / scale, shown);
    if (total && rate > 0 && done < total && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", ETA %.0f s", (double)(total - done) / rate);
}

/* One line on stderr, redrawn in place; cleared when the task ends so that
 * the answer that follows starts on a clean line. Short tasks (under half a
 * second) never draw. */
static void show_progress(void *ud, const char *task, uint64_t done, uint64_t total, const char *unit)
{
    static char current[256];
    static double start;
    static bool drawn;
    (void)ud;
    double now = monotonic_seconds();
    if (strncmp(current, task, sizeof current - 1) || done == 0) {
        snprintf(current, sizeof current, "%s", task);
        start = now;
    }
    bool finished = total && done >= total;
    if (finished || now - start < 0.5) {
        if (finished && drawn)
            fputs("\r\033[K", stderr);
        drawn = drawn && !finished;
        return;
    }
    char line[512];
    kdx_cli_progress_format(line, sizeof line, task, done, total, unit, now - start);
    fprintf(stderr, "\r\033[K%.200s", line);
    fflush(stderr);
    drawn = true;
}

void kdx_cli_progress_install(bool json)
{
    if (!json && isatty(STDERR_FILENO))
        kdx_set_progress_callback(show_progress, NULL);
}

/* Batch runs end on Ctrl-C with a status that says so. */
static int interrupted_exit(kdx_dbg *d)
{
    kdx_close(d); /* closes the JSON document and flushes */
    fprintf(stderr, "kdx: interrupted (SIGINT); exit status %d\n", KDX_EXIT_INTERRUPTED);
    return KDX_EXIT_INTERRUPTED;
}

static kdx_status create(const kdx_cli_options *o, FILE *out, kdx_dbg **d)
{
    kdx_open_options opts;
    kdx_open_options_init(&opts);
    opts.sympath = o->sympath;
    opts.imagepath = o->imagepath;
    opts.out = out;
    opts.json_document = o->json;
    return kdx_create(d, &opts);
}

/* -logo/-loga/-cf: the command that does the same, on a quoted path. */
static kdx_status run_with_path(kdx_dbg *d, const char *command, const char *path)
{
    if (strchr(path, '"')) {
        fprintf(stderr, "kdx: %s: a file name with '\"' is not supported\n", path);
        return KDX_E_ARG;
    }
    size_t len = strlen(command) + strlen(path) + 4;
    char *text = malloc(len);
    if (!text)
        return KDX_E_NOMEM;
    snprintf(text, len, "%s \"%s\"", command, path);
    kdx_status st = kdx_run(d, text);
    free(text);
    return st;
}

int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_dbg *))
{
    kdx_dbg *d;
    if (create(o, out, &d) != KDX_OK) {
        fprintf(stderr, "kdx: %s\n", kdx_last_error());
        return KDX_EXIT_FAILED;
    }
    if (o->dump && kdx_load(d, o->dump) != KDX_OK) {
        fprintf(stderr, "kdx: %s\n", kdx_last_error());
        kdx_close(d); /* under --json the document says what failed */
        return KDX_EXIT_FAILED;
    }
    int status = KDX_EXIT_OK;
    if (o->log_file && run_with_path(d, o->log_append ? ".logappend" : ".logopen", o->log_file) != KDX_OK)
        status = KDX_EXIT_FAILED;
    /* -cf's lines echo themselves ($$<); the wrapper line does not. */
    if (o->script_file && run_with_path(d, "$$<", o->script_file) != KDX_OK)
        status = KDX_EXIT_FAILED;
    kdx_set_echo(d, !o->json);
    if (o->commands && kdx_run(d, o->commands) == KDX_E_ARG)
        status = KDX_EXIT_FAILED;
    kdx_set_echo(d, 0);
    /* Interrupted before the prompt: a terminal prompt goes on, batch input ends. */
    if (kdx_cancel_pending() && !(prompt && isatty(STDIN_FILENO)))
        return interrupted_exit(d);
    kdx_cancel_clear();
    if (!kdx_quit_requested(d) && prompt)
        prompt(d);
    if (kdx_cancel_pending())
        return interrupted_exit(d);
    kdx_close(d);
    return status;
}

static void triage_usage(FILE *fp)
{
    fputs("usage: kdx triage [--json] [--html FILE] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH...\n"
          "\n"
          "Analyzes every dump under the PATHs (files or directories, searched\n"
          "recursively), each in its own process, and groups them by failure bucket.\n"
          "\n"
          "  --json             one JSON line per dump, then a JSON summary\n"
          "  -j N               N analyses in parallel (default: online CPUs)\n"
          "  -y SYMPATH         symbol path (else _NT_SYMBOL_PATH)\n"
          "  --timeout SECONDS  per dump (default 120); a dump over it is a failure line\n"
          "  --html FILE        also write a self-contained HTML report (docs/triage-report.md)\n"
          "  -h, --help         this help\n"
          "\n"
          "Exit status: 0 every dump analyzed; 3 some could not be; 1 the report could\n"
          "not be written; 2 usage error.\n",
          fp);
}

/* One option of `kdx triage`; returns false on an unknown one. */
static bool triage_option(kdx_triage_settings *t, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    bool has_value = *i + 1 < argc;
    if (!strcmp(a, "--json"))
        t->json = 1;
    else if (!strcmp(a, "-j") && has_value)
        t->jobs = atoi(argv[++*i]);
    else if (!strcmp(a, "-y") && has_value)
        t->sympath = argv[++*i];
    else if (!strcmp(a, "--timeout") && has_value)
        t->timeout_seconds = (unsigned)atoi(argv[++*i]);
    else if (!strcmp(a, "--html") && has_value)
        t->html_path = argv[++*i];
    else
        return false;
    return true;
}

/* kdx triage [--json] [-j N] [-y SYMPATH] [--timeout SECONDS] PATH... */
static int triage_main(int argc, char **argv)
{
    kdx_triage_settings t = {0};
    const char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths)
        return KDX_EXIT_FAILED;
    int status = KDX_EXIT_USAGE;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            triage_usage(stdout);
            status = KDX_EXIT_OK;
            goto out;
        }
        if (a[0] != '-')
            paths[t.npaths++] = a;
        else if (!triage_option(&t, argc, argv, &i)) {
            fprintf(stderr, "kdx triage: unknown option '%s'\n", a);
            triage_usage(stderr);
            goto out;
        }
    }
    if (!t.npaths) {
        triage_usage(stderr);
        goto out;
    }
    t.paths = paths;
    kdx_cli_progress_install(t.json);
    int failed = kdx_triage(&t, stdout);
    status = failed < 0 ? KDX_EXIT_FAILED : failed > 0 ? KDX_EXIT_TRIAGE_FAILED : KDX_EXIT_OK;
out:
    free(paths);
    return status;
}

int kdx_cli_subcommand(int argc, char **argv)
{
    if (!strcmp(argv[1], "triage"))
        return triage_main(argc, argv);
    fprintf(stderr, "kdx: unknown subcommand '%s' (known: triage)\n", argv[1]);
    return KDX_EXIT_USAGE;
}
