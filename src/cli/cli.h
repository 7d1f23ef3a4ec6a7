/* Argument parsing and the batch driver, separate from main() so tests can
 * run the same path the kdx binary runs. */
#ifndef KDX_CLI_CLI_H
#define KDX_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "target/session.h"

enum { KDX_CLI_OK = 0, KDX_CLI_HELP, KDX_CLI_SUBCOMMAND, KDX_CLI_BAD };

typedef struct kdx_cli_options {
    const char *dump;
    const char *commands;
    const char *sympath;
    const char *imagepath;
    bool json;
} kdx_cli_options;

int kdx_cli_parse(int argc, char **argv, kdx_cli_options *o);
/* Opens the dump, applies paths, runs -c commands, then `prompt` unless the
 * commands quit. Returns the process exit status. */
int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_session *));
/* `kdx triage ...` and other subcommands. */
int kdx_cli_subcommand(int argc, char **argv);

#endif
