/* Runs a program in a child process bounded in memory and time, so that a
 * test of hostile input cannot take the machine down when the code under
 * test regresses: the address space is capped with setrlimit (not under
 * AddressSanitizer, which needs terabytes of it) and so is the size of any
 * file it writes, a child past its time is
 * killed, and the peak resident size is measured (wait4).
 * The program is either a scenario of this test binary (re-executed with
 * --child NAME ARGS..., so it starts small rather than inheriting the
 * runner's memory) or any executable such as build/kdx. A script of steps
 * can feed it input and interrupt it (SIGINT, or Ctrl-C on a pseudo-terminal)
 * when its output shows a given text. */
#ifndef KDX_TESTS_BOUNDED_H
#define KDX_TESTS_BOUNDED_H

#include <stdbool.h>
#include <stdio.h>

/* A scenario writes what it found to out (key=value lines, by convention). */
typedef void (*kdx_child_fn)(int argc, char **argv, FILE *out);
void kdx_child_register(const char *name, kdx_child_fn fn);
/* main() of the test binary calls this for "--child NAME ARGS...". */
int kdx_child_main(int argc, char **argv);

#define CHILD_SCENARIO(fname)                                                       \
    static void fname(int argc, char **argv, FILE *out);                            \
    __attribute__((constructor)) static void fname##_child_register(void)           \
    {                                                                               \
        kdx_child_register(#fname, fname);                                          \
    }                                                                               \
    static void fname(int argc, char **argv, FILE *out)

/* One step: wait until the output holds `wait` (NULL: at once) and then
 * delay_ms, then write `send` to the child's input and/or interrupt it. */
typedef struct kdx_step {
    const char *wait;
    unsigned delay_ms;        /* then wait this long */
    const char *send;
    bool interrupt;
} kdx_step;

typedef struct kdx_bounds {
    unsigned mem_mb;          /* address-space cap (0: 1024) */
    unsigned file_mb;         /* largest file the child may write (0: 1024) */
    unsigned seconds;         /* killed after this (0: 60) */
    bool pty;                 /* run on a pseudo-terminal (interactive prompt) */
    const char *const *env;   /* "NAME=VALUE" entries added to the child's environment */
    const kdx_step *steps;
    size_t nsteps;
    bool close_input;         /* close the child's input after the steps */
} kdx_bounds;

typedef struct kdx_bounded {
    int exit_code;            /* exit status, or -1 when killed by a signal */
    int signal;               /* the signal that ended it, 0 if none */
    bool timed_out;           /* killed for running past the bound */
    double seconds;
    long max_rss_kb;          /* a scenario's own peak (VmHWM); for other programs
                                 wait4's, which also counts the runner's forked copy */
    char *output;             /* stdout and stderr together (malloc'd) */
} kdx_bounded;

/* Runs argv[0] with argv (NULL-terminated). */
void kdx_bounded_exec(char *const argv[], const kdx_bounds *b, kdx_bounded *res);
/* Runs this binary's scenario NAME with args (NULL-terminated). */
void kdx_bounded_scenario(const char *name, const char *const *args, const kdx_bounds *b,
                          kdx_bounded *res);
void kdx_bounded_free(kdx_bounded *res);

/* The value of "key=VALUE" in a scenario's output (malloc'd), NULL if absent. */
char *kdx_bounded_value(const kdx_bounded *res, const char *key);

/* What a test left in a directory tree (a cache): files, temporary files
 * (".tmp" in their name) and empty directories below root. */
typedef struct kdx_tree_stats {
    int files, tmp_files, empty_dirs;
} kdx_tree_stats;
kdx_tree_stats kdx_tree_of(const char *root);

#endif
