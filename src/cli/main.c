/* kdx: the command-line front end, shaped like cdb/kd.
 *   kdx -z FILE [-c "cmd1; cmd2; q"] [-y SYMPATH] [-i IMAGEPATH]
 * Everything it does goes through libkdx; this file only parses arguments
 * and runs the prompt. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "base/cancel.h"
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

/* Ctrl-C: stop the running command (every long loop polls the request),
 * not kdx. A loop that never polls would leave the user stuck: the third
 * Ctrl-C in a row ends the process the default way. */
static void on_sigint(int sig)
{
    (void)sig;
    kdx_interrupt_request();
    if (kdx_interrupt_count() >= 3) {
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
}

static void install_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns, so the request is seen */
    sigaction(SIGINT, &sa, NULL);
}

/* libedit's input: Ctrl-C at the prompt ends the line being typed, which
 * the prompt loop then throws away. */
static int prompt_getc(FILE *fp)
{
    unsigned char c;
    for (;;) {
        /* Seen here whether the signal came during a read (EINTR) or between two. */
        if (kdx_interrupted())
            return '\n';
        ssize_t n = read(fileno(fp), &c, 1);
        if (n == 1)
            return c;
        if (n == 0 || errno != EINTR)
            return EOF;
    }
}

/* One line of input: libedit on a terminal; otherwise getline, whatever
 * the line's length. NULL at the end of the input. */
static char *read_line(bool tty, const char *prompt)
{
    if (tty)
        return readline(prompt);
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, stdin) < 0) {
        free(line);
        return NULL;
    }
    kdx_rtrim(line);
    return line;
}

static void interactive(kdx_session *s)
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[64];
    char *hist = NULL, *last = NULL;
    const char *home = getenv("HOME");
    if (tty) {
        kdx_edit_set_input(prompt_getc);
    }
    if (tty && home) {
        hist = kdx_asprintf("%s/.kdx_history", home);
        read_history(hist);
    }
    while (!s->quit) {
        kdx_session_prompt(s, prompt, sizeof prompt);
        if (tty)
            kdx_interrupt_clear();
        char *line = read_line(tty, prompt);
        /* Ctrl-C at a terminal prompt discards the line; elsewhere (batch
         * input) it ends kdx, with the status kdx_cli_run reports. */
        if (kdx_interrupted() && tty) {
            free(line);
            continue;
        }
        if (!line || kdx_interrupted())
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
        if (kdx_cli_note_interrupt(s) && !tty)
            break;
    }
    if (tty)
        kdx_interrupt_clear();
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
    install_sigint();
    int status = kdx_cli_run(&o, stdout, interactive);
    return status;
}
