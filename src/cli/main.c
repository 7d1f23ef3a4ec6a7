/* kdx: the command-line front end, shaped like cdb/kd.
 *   kdx -z FILE [-c "cmd1; cmd2; q"] [-y SYMPATH] [-i IMAGEPATH]
 * Everything it does goes through libkdx's public API (kdx.h); this file
 * only parses arguments and runs the prompt. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli/cli.h"

/* Ctrl-C: stop the running command (every long loop polls the request),
 * not kdx. A loop that never polls would leave the user stuck: the third
 * Ctrl-C in a row ends the process the default way. */
static void on_sigint(int sig)
{
    (void)sig;
    kdx_cancel_request();
    if (kdx_cancel_count() >= 3) {
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
        if (kdx_cancel_pending())
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
    size_t n = strlen(line);
    while (n && isspace((unsigned char)line[n - 1]))
        line[--n] = 0;
    return line;
}

static bool blank(const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    return !*line;
}

static char *history_file(void)
{
    const char *home = getenv("HOME");
    if (!home)
        return NULL;
    size_t n = strlen(home) + sizeof "/.kdx_history";
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.kdx_history", home);
    return p;
}

static void interactive(kdx_dbg *d)
{
    bool tty = isatty(STDIN_FILENO);
    char prompt[64];
    char *hist = NULL, *last = NULL;
    if (tty) {
        kdx_edit_set_input(prompt_getc);
        hist = history_file();
        if (hist)
            read_history(hist);
    }
    while (!kdx_quit_requested(d)) {
        kdx_prompt(d, prompt, sizeof prompt);
        if (tty)
            kdx_cancel_clear();
        char *line = read_line(tty, prompt);
        /* Ctrl-C at a terminal prompt discards the line; elsewhere (batch
         * input) it ends kdx, with the status kdx_cli_run reports. */
        if (kdx_cancel_pending() && tty) {
            free(line);
            continue;
        }
        if (!line || kdx_cancel_pending())
            break;
        if (tty && blank(line)) {
            /* An empty line at the terminal repeats the last command, as in
             * WinDbg (docs/cli.md); piped scripts keep blank lines blank. */
            free(line);
            if (!last)
                continue;
            line = kdx_repeat_command(last);
        } else {
            if (tty)
                add_history(line);
            free(last);
            last = strdup(line);
        }
        kdx_set_echo(d, !tty);
        kdx_status st = kdx_run(d, line);
        free(line);
        if (st == KDX_E_INTERRUPTED && !tty)
            break;
    }
    if (tty)
        kdx_cancel_clear();
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
        kdx_cli_usage(stdout);
        return KDX_EXIT_OK;
    }
    if (rc == KDX_CLI_LIST_COMMANDS) {
        kdx_cli_list_commands(stdout);
        return KDX_EXIT_OK;
    }
    if (rc == KDX_CLI_VERSION) {
        printf("kdx %s\n", kdx_version());
        return KDX_EXIT_OK;
    }
    if (rc == KDX_CLI_SUBCOMMAND)
        return kdx_cli_subcommand(argc, argv);
    if (rc != KDX_CLI_OK) {
        kdx_cli_usage(stderr);
        return KDX_EXIT_USAGE;
    }
    install_sigint();
    kdx_cli_progress_install(o.json);
    int status = kdx_cli_run(&o, stdout, interactive);
    return status;
}
