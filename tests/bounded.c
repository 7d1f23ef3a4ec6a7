#include "tests/bounded.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static KDX_VEC(struct scenario { const char *name; kdx_child_fn fn; }) scenarios;

void kdx_child_register(const char *name, kdx_child_fn fn)
{
    struct scenario s = {name, fn};
    KDX_VEC_PUSH(scenarios, s);
}

/* The peak resident size of this program since its exec (VmHWM). wait4's
 * ru_maxrss would also count the forked copy of the test runner. */
static long own_peak_kb(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (fp)
        fclose(fp);
    return kb;
}

int kdx_child_main(int argc, char **argv)
{
    for (size_t i = 0; argc >= 3 && i < scenarios.len; i++) {
        if (strcmp(scenarios.items[i].name, argv[2]) != 0)
            continue;
        scenarios.items[i].fn(argc - 3, argv + 3, stdout);
        printf("peak_kb=%ld\n", own_peak_kb());
        fflush(stdout);
        return 0;
    }
    fprintf(stderr, "no child scenario '%s'\n", argc >= 3 ? argv[2] : "");
    return 2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the child, before exec: the bounds and the environment. */
static void child_setup(const kdx_bounds *b)
{
    if (!UNDER_ASAN) {
        rlim_t cap = (rlim_t)(b->mem_mb ? b->mem_mb : 1024) << 20;
        struct rlimit rl = {cap, cap};
        setrlimit(RLIMIT_AS, &rl);
    }
    rlim_t fcap = (rlim_t)(b->file_mb ? b->file_mb : 1024) << 20;
    struct rlimit fl = {fcap, fcap};
    setrlimit(RLIMIT_FSIZE, &fl);
    for (size_t i = 0; b->env && b->env[i]; i++)
        putenv((char *)b->env[i]);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
}

typedef struct run {
    pid_t pid;
    int out_fd, in_fd;
    bool pty;
    kdx_strbuf out;
    size_t matched;      /* output before this offset was used by an earlier step */
    size_t step;
} run;

static bool start_child(char *const argv[], const kdx_bounds *b, run *r)
{
    if (b->pty) {
        int master;
        r->pid = forkpty(&master, NULL, NULL, NULL);
        if (r->pid == 0) {
            child_setup(b);
            execv(argv[0], argv);
            _exit(127);
        }
        r->out_fd = r->in_fd = master;
        return r->pid > 0;
    }
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return false;
    r->pid = fork();
    if (r->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[1]);
        close(out[0]);
        child_setup(b);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    r->in_fd = in[1];
    r->out_fd = out[0];
    return r->pid > 0;
}

/* Runs the steps whose text has appeared. */
static void advance(run *r, const kdx_bounds *b)
{
    while (r->step < b->nsteps) {
        const kdx_step *s = &b->steps[r->step];
        if (s->wait) {
            const char *hit = r->out.s ? strstr(r->out.s + r->matched, s->wait) : NULL;
            if (!hit)
                return;
            r->matched = (size_t)(hit - r->out.s) + strlen(s->wait);
        }
        if (s->delay_ms)
            usleep(s->delay_ms * 1000u);
        if (s->send && r->in_fd >= 0)
            (void)!write(r->in_fd, s->send, strlen(s->send)); /* a child that left reads nothing */
        if (s->interrupt) {
            /* On a terminal, Ctrl-C is what the user types. */
            if (r->pty)
                (void)!write(r->in_fd, "\003", 1);
            else
                kill(r->pid, SIGINT);
        }
        r->step++;
    }
    if (b->close_input && !r->pty && r->in_fd >= 0) {
        close(r->in_fd);
        r->in_fd = -1;
    }
}

/* Collects output until the child closes it or the deadline passes. */
static bool pump(run *r, const kdx_bounds *b, double deadline)
{
    char buf[65536];
    advance(r, b);
    while (now() < deadline) {
        struct pollfd p = {.fd = r->out_fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = read(r->out_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return true; /* EOF, or EIO on a terminal whose child left */
        /* Keep at most 4 MB: enough for any check, bounded whatever the child prints. */
        if (r->out.len < (4u << 20))
            kdx_sb_putn(&r->out, buf, (size_t)n);
        advance(r, b);
    }
    return false;
}

void kdx_bounded_exec(char *const argv[], const kdx_bounds *b, kdx_bounded *res)
{
    memset(res, 0, sizeof *res);
    run r = {.pty = b->pty, .in_fd = -1, .out_fd = -1};
    kdx_sb_init(&r.out);
    kdx_sb_puts(&r.out, "");
    double t0 = now(), limit = b->seconds ? b->seconds : 60;
    fflush(NULL);
    if (!start_child(argv, b, &r)) {
        res->exit_code = -1;
        res->output = kdx_sb_take(&r.out);
        return;
    }
    if (!pump(&r, b, t0 + limit)) {
        res->timed_out = true;
        kill(r.pid, SIGKILL);
    }
    int status = 0;
    struct rusage ru = {0};
    /* The output closed: the child is leaving; past the bound it is killed. */
    while (wait4(r.pid, &status, WNOHANG, &ru) == 0) {
        if (now() > t0 + limit) {
            res->timed_out = true;
            kill(r.pid, SIGKILL);
        }
        usleep(10000);
    }
    res->seconds = now() - t0;
    res->max_rss_kb = ru.ru_maxrss;
    res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (r.in_fd >= 0 && r.in_fd != r.out_fd)
        close(r.in_fd);
    close(r.out_fd);
    res->output = kdx_sb_take(&r.out);
}

void kdx_bounded_scenario(const char *name, const char *const *args, const kdx_bounds *b,
                          kdx_bounded *res)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    KDX_VEC(char *) argv = {0};
    KDX_VEC_PUSH(argv, self);
    KDX_VEC_PUSH(argv, (char *)"--child");
    KDX_VEC_PUSH(argv, (char *)name);
    for (size_t i = 0; args && args[i]; i++)
        KDX_VEC_PUSH(argv, (char *)args[i]);
    KDX_VEC_PUSH(argv, NULL);
    kdx_bounded_exec(argv.items, b, res);
    KDX_VEC_FREE(argv);
    char *peak = kdx_bounded_value(res, "peak_kb");
    if (peak)
        res->max_rss_kb = atol(peak);
    free(peak);
}

void kdx_bounded_free(kdx_bounded *res)
{
    free(res->output);
    res->output = NULL;
}

char *kdx_bounded_value(const kdx_bounded *res, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = res->output; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > kl && !strncmp(p, key, kl) && p[kl] == '=')
            return kdx_strndup(p + kl + 1, len - kl - 1);
        p += len + (eol ? 1 : 0);
    }
    return NULL;
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

static kdx_tree_stats tree_acc;
static const char *tree_root;

static int tree_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F) {
        tree_acc.files++;
        tree_acc.tmp_files += strstr(kdx_basename(path), ".tmp") != NULL;
    } else if (type == FTW_D && strcmp(path, tree_root) != 0 && dir_is_empty(path)) {
        tree_acc.empty_dirs++;
    }
    return 0;
}

kdx_tree_stats kdx_tree_of(const char *root)
{
    memset(&tree_acc, 0, sizeof tree_acc);
    tree_root = root;
    nftw(root, tree_visit, 16, FTW_PHYS);
    return tree_acc;
}
