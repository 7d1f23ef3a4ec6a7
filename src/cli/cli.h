/* Argument parsing and the batch driver, separate from main() so tests can
 * run the same path the kdx binary runs. */
#ifndef KDX_CLI_CLI_H
#define KDX_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "target/session.h"

enum { KDX_CLI_OK = 0, KDX_CLI_HELP, KDX_CLI_SUBCOMMAND, KDX_CLI_BAD };

/* Exit status of a batch run ended by Ctrl-C (SIGINT): 128 + 2, as shells
 * report a process ended by SIGINT. */
#define KDX_EXIT_INTERRUPTED 130

typedef struct kdx_cli_options {
    const char *dump;
    const char *commands;
    const char *sympath;
    const char *imagepath;
    bool json;
} kdx_cli_options;

int kdx_cli_parse(int argc, char **argv, kdx_cli_options *o);
/* Opens the dump, applies paths, runs -c commands, then `prompt` unless the
 * commands quit. Returns the process exit status: KDX_EXIT_INTERRUPTED when
 * Ctrl-C ended a batch run (commands not followed by a terminal prompt). */
int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_session *));
/* After a command line: prints the interruption notice when Ctrl-C stopped
 * it and returns true. */
bool kdx_cli_note_interrupt(kdx_session *s);
/* `kdx triage ...` and other subcommands. */
int kdx_cli_subcommand(int argc, char **argv);

/* The interactive prompt's input (cli/edit_lazy.c): libedit reads through
 * getc_fn and leaves SIGINT to kdx. No effect without libedit. */
void kdx_edit_set_input(int (*getc_fn)(FILE *));

#endif
