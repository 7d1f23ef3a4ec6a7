/* Command family: .shell, its short form !!, and .noshell, as Microsoft's
 * debugger documentation defines them (".shell (Command Shell)", ".noshell
 * (Prohibit Shell Commands)"): the rest of the line runs in /bin/sh, its
 * output goes to the session's output; -ci "cmds" feeds the output of
 * debugger commands to the process's standard input (the tips article's
 * way of filtering a long listing), -i/-o/-e redirect from and to files
 * ("-" for none), -x leaves the process running. The line ends with
 * ".shell: Process exited", as WinDbg prints it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cancel.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"

typedef struct shell_opts {
    char *ci;               /* -ci "commands" */
    char *in, *out, *err;   /* -i, -o, -e: a path, "-" for none, NULL for the default */
    bool detach;            /* -x */
    const char *command;    /* the rest of the line */
} shell_opts;

static void shell_opts_free(shell_opts *o)
{
    free(o->ci);
    free(o->in);
    free(o->out);
    free(o->err);
}

/* "-iFILE", "-i FILE" or "-i -": the option's word. */
static const char *take_path(const char *p, char **out)
{
    p = kdx_skip_ws(p);
    const char *end = p;
    while (*end && *end != ' ' && *end != '\t')
        end++;
    free(*out);
    *out = end > p ? kdx_strndup(p, (size_t)(end - p)) : NULL;
    return end;
}

static bool parse_opts(const char *args, shell_opts *o)
{
    const char *p = kdx_skip_ws(args);
    while (p[0] == '-' && p[1] && p[1] != ' ') {
        if (!strncmp(p, "-ci", 3) && (p[3] == ' ' || p[3] == '"')) {
            kdx_strbuf sb;
            kdx_sb_init(&sb);
            kdx_sb_puts(&sb, "");
            p = kdx_cmd_parse_quoted(p + 3, &sb);
            free(o->ci);
            o->ci = kdx_sb_take(&sb);
            if (!p)
                return false;
        } else if (p[1] == 'i' || p[1] == 'o' || p[1] == 'e') {
            char **slot = p[1] == 'i' ? &o->in : p[1] == 'o' ? &o->out : &o->err;
            p = take_path(p + 2, slot);
            if (!*slot)
                return false;
        } else if (p[1] == 'x' && (!p[2] || p[2] == ' ')) {
            o->detach = true;
            p += 2;
        } else {
            return false;
        }
        p = kdx_skip_ws(p);
    }
    o->command = p;
    return true;
}

/* The descriptor the child reads or writes: a file, /dev/null for "-". */
static int open_redirect(kdx_session *s, const char *path, bool output)
{
    const char *target = strcmp(path, "-") ? path : "/dev/null";
    int fd = output ? open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                    : open(target, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        kdx_print(s, ".shell: cannot open %s for %s: %s\n", target, output ? "output" : "input", strerror(errno));
    return fd;
}

/* The -ci commands' output, in an unlinked temporary file. */
static int capture_input(kdx_session *s, const char *commands)
{
    int rc = 0;
    char *text = kdx_script_capture(s, commands, &rc);
    const char *dir = getenv("TMPDIR");
    char *path = kdx_asprintf("%s/kdx-shell-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
        size_t len = strlen(text), done = 0;
        while (done < len) {
            ssize_t n = write(fd, text + done, len - done);
            if (n <= 0)
                break;
            done += (size_t)n;
        }
        lseek(fd, 0, SEEK_SET);
    } else {
        kdx_print(s, ".shell: cannot create a temporary file for -ci in %s: %s\n", path, strerror(errno));
    }
    free(path);
    free(text);
    return fd;
}

/* Sets up the child's descriptors and runs the command; never returns. */
static void run_child(const shell_opts *o, int in, int out, int err)
{
    if (o->detach)
        setsid();
    dup2(in, 0);
    dup2(out, 1);
    dup2(err >= 0 ? err : out, 2);
    execl("/bin/sh", "sh", "-c", o->command, (char *)NULL);
    _exit(127);
}

/* Copies the child's output to the session until it closes; Ctrl-C stops it. */
static void relay_output(kdx_session *s, int fd, pid_t pid)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            kdx_write(s, buf, (size_t)n);
        } else if (n == 0 || errno != EINTR) {
            break;
        }
        if (kdx_interrupted()) {
            kill(pid, SIGTERM);
            kdx_print(s, "\n.shell: interrupted; the process was stopped\n");
            break;
        }
    }
}

static void wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* The child's descriptors from the options; -1 in *in on failure. */
static bool open_fds(kdx_session *s, const shell_opts *o, int *in, int *out, int *err, int pipe_fds[2])
{
    *in = o->ci ? capture_input(s, o->ci) : open_redirect(s, o->in ? o->in : "-", false);
    *out = *err = pipe_fds[0] = pipe_fds[1] = -1;
    if (*in < 0)
        return false;
    if (o->err && (*err = open_redirect(s, o->err, true)) < 0)
        return false;
    if (o->out)
        return (*out = open_redirect(s, o->out, true)) >= 0;
    if (o->detach)
        return (*out = open_redirect(s, "-", true)) >= 0;
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        kdx_print(s, ".shell: cannot create a pipe: %s\n", strerror(errno));
        return false;
    }
    *out = pipe_fds[1];
    return true;
}

static void close_fd(int fd)
{
    if (fd >= 0)
        close(fd);
}

static int run_shell(kdx_session *s, const shell_opts *o)
{
    int in, out, err, pipe_fds[2];
    bool ok = open_fds(s, o, &in, &out, &err, pipe_fds);
    pid_t pid = ok ? fork() : -1;
    if (pid == 0)
        run_child(o, in, out, err);
    close_fd(in);
    close_fd(out);
    close_fd(err);
    if (pid < 0) {
        if (ok)
            kdx_print(s, ".shell: cannot start /bin/sh: %s\n", strerror(errno));
        close_fd(pipe_fds[0]);
        return 1;
    }
    if (o->detach) {
        kdx_print(s, ".shell: process %d left running\n", (int)pid);
        return 0;
    }
    if (pipe_fds[0] >= 0) {
        fflush(s->out);
        relay_output(s, pipe_fds[0], pid);
        close(pipe_fds[0]);
    }
    /* The process's own exit status is its business (grep finding nothing
     * exits 1): as in WinDbg, the command succeeded once the process ran. */
    wait_child(pid);
    kdx_print(s, ".shell: Process exited\n");
    return 0;
}

static int cmd_shell(kdx_session *s, const char *cmd, const char *args)
{
    if (s->noshell) {
        kdx_print(s, "Shell commands are disabled (.noshell)\n");
        return 1;
    }
    shell_opts o = {0};
    if (!parse_opts(args, &o)) {
        shell_opts_free(&o);
        return kdx_cmd_syntax_error(s, cmd, args);
    }
    int rc;
    if (!*o.command) {
        kdx_print(s, "%s: give a command; kdx does not open an interactive shell\n", cmd);
        rc = 1;
    } else {
        rc = run_shell(s, &o);
    }
    shell_opts_free(&o);
    return rc;
}

static int cmd_noshell(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    s->noshell = true;
    kdx_print(s, "Shell commands are disabled for the rest of this session\n");
    return 0;
}

const kdx_command kdx_cmds_shell[] = {
    {".shell", cmd_shell, "run a shell command: [-ci \"Commands\"] [-i In] [-o Out] [-e Err] [-x] Command", KDX_CMD_RAW},
    {"!!", cmd_shell, "the same as .shell", KDX_CMD_RAW},
    {".noshell", cmd_noshell, "disable .shell and !! for the rest of the session", 0},
    {0}};
