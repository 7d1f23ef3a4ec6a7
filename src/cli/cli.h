/* Argument parsing and the batch driver, separate from main() so tests can
 * run the same path the kdx binary runs. The CLI is a client of the public
 * API (include/kdx.h) and of nothing else in libkdx. */
#ifndef KDX_CLI_CLI_H
#define KDX_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kdx.h"

enum { KDX_CLI_OK = 0, KDX_CLI_HELP, KDX_CLI_VERSION, KDX_CLI_LIST_COMMANDS, KDX_CLI_SUBCOMMAND, KDX_CLI_BAD };

/* Exit statuses (docs/cli.md, kdx.1). */
#define KDX_EXIT_OK 0
#define KDX_EXIT_FAILED 1        /* the file could not be opened, or a -c command failed */
#define KDX_EXIT_USAGE 2         /* bad arguments */
#define KDX_EXIT_TRIAGE_FAILED 3 /* kdx triage: some dumps could not be analyzed */
/* A batch run ended by Ctrl-C (SIGINT): 128 + 2, as shells report a
 * process ended by SIGINT. */
#define KDX_EXIT_INTERRUPTED 130

typedef struct kdx_cli_options {
    const char *dump;
    const char *commands;
    const char *sympath;
    const char *imagepath;
    const char *script_file;  /* -cf: run before the -c commands, as cdb does */
    const char *log_file;     /* -logo / -loga: the log file, opened before any command */
    bool log_append;          /* -loga */
    bool json;
} kdx_cli_options;

int kdx_cli_parse(int argc, char **argv, kdx_cli_options *o);
void kdx_cli_usage(FILE *fp);
/* --list-commands: the registry's command names, one a line (bash completion). */
void kdx_cli_list_commands(FILE *fp);
/* Opens the dump, applies paths, runs -c commands, then `prompt` unless the
 * commands quit. Returns the process exit status (above). */
int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_dbg *));
/* Progress of long work on stderr (kdx_set_progress_callback), only when
 * stderr is a terminal and the output is not JSON. */
void kdx_cli_progress_install(bool json);
/* The display line for a report, without the leading \r (for tests). */
void kdx_cli_progress_format(char *buf, size_t len, const char *task, uint64_t done, uint64_t total,
                             const char *unit, double seconds);
/* `kdx triage ...` and other subcommands. */
int kdx_cli_subcommand(int argc, char **argv);

/* The interactive prompt's input (cli/edit_lazy.c): libedit reads through
 * getc_fn and leaves SIGINT to kdx. No effect without libedit. */
void kdx_edit_set_input(int (*getc_fn)(FILE *));

#endif
