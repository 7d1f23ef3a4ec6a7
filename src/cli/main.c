/* kdx: the command-line front end, shaped like cdb/kd.
 *   kdx -z FILE [-c "cmd1; cmd2; q"] [-y SYMPATH] [-i IMAGEPATH]
 * Everything it does goes through libkdx; this file only parses arguments
 * and runs the prompt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "base/util.h"
#include "cli/cli.h"
#include "commands/command.h"
#include "target/session.h"

static void usage(FILE *fp)
{
    fputs("usage: kdx -z FILE [-c \"CMD; CMD; ...\"] [-y SYMPATH] [-i IMAGEPATH]\n"
          "\n"
          "Opens a Windows crash dump (kernel or user mode), a PE image or a symbol\n"
          "file and runs WinDbg commands on it. Without -c, or when the -c commands\n"
          "do not end with q, an interactive kd-style prompt follows.\n"
          "\n"
          "  -z FILE       dump, image (.exe/.sys/.dll), PDB or ISF (.json/.json.xz) to open\n"
          "  -c CMDS       commands to run first, separated by ';'\n"
          "  -y SYMPATH    symbol path (else _NT_SYMBOL_PATH / _NT_ALT_SYMBOL_PATH)\n"
          "  -i IMAGEPATH  image search path\n"
          "  --json        stdout is one JSON array, an element per command (docs/cli.md)\n"
          "  -h, --help    this help\n",
          fp);
}

static void interactive(kdx_session *s)
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[64];
    char *hist = NULL, *last = NULL;
    const char *home = getenv("HOME");
    if (tty && home) {
        hist = kdx_asprintf("%s/.kdx_history", home);
        read_history(hist);
    }
    while (!s->quit) {
        kdx_session_prompt(s, prompt, sizeof prompt);
        char *line;
        if (tty) {
            line = readline(prompt);
        } else {
            static char buf[8192];
            line = fgets(buf, sizeof buf, stdin) ? strdup(buf) : NULL;
            if (line)
                kdx_rtrim(line);
        }
        if (!line)
            break;
        if (tty && !*kdx_skip_ws(line)) {
            /* An empty line at the terminal repeats the last command, as in
             * WinDbg (docs/cli.md); piped scripts keep blank lines blank. */
            free(line);
            if (!last)
                continue;
            line = kdx_command_repeat_form(last);
        } else {
            if (tty)
                add_history(line);
            free(last);
            last = kdx_strdup(line);
        }
        s->echo_commands = !tty;
        kdx_execute(s, line);
        free(line);
    }
    free(last);
    if (hist) {
        write_history(hist);
        free(hist);
    }
}

int main(int argc, char **argv)
{
    kdx_cli_options o;
    int rc = kdx_cli_parse(argc, argv, &o);
    if (rc == KDX_CLI_HELP) {
        usage(stdout);
        return 0;
    }
    if (rc == KDX_CLI_SUBCOMMAND)
        return kdx_cli_subcommand(argc, argv);
    if (rc != KDX_CLI_OK) {
        usage(stderr);
        return 2;
    }
    int status = kdx_cli_run(&o, stdout, interactive);
    return status;
}
