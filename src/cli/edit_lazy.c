/* libedit on first use (base/lazylib.h): only an interactive prompt on a
 * terminal needs line editing and history. Without the library the prompt
 * still works, as a plain line reader. */
#include "cli/cli.h"

#ifndef KDX_NO_LAZY_LIBS
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>
#include <histedit.h>

#include "base/lazylib.h"

static kdx_lazylib edit_lib = KDX_LAZYLIB_INIT("libedit.so." KDX_STR(LIBEDIT_MAJOR));

enum { F_READLINE, F_ADD_HISTORY, F_READ_HISTORY, F_WRITE_HISTORY, F_COUNT };
static const char *const names[F_COUNT] = {"readline", "add_history", "read_history", "write_history"};
static void (*fns[F_COUNT])(void);

static bool loaded(void)
{
    return kdx_lazylib_load(&edit_lib, names, fns, F_COUNT);
}

char *readline(const char *prompt)
{
    if (loaded())
        return ((char *(*)(const char *))fns[F_READLINE])(prompt);
    fputs(prompt, stdout);
    fflush(stdout);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n && line[n - 1] == '\n')
        line[n - 1] = '\0';
    return line;
}

int add_history(const char *line)
{
    return loaded() ? ((int (*)(const char *))fns[F_ADD_HISTORY])(line) : 0;
}

int read_history(const char *file)
{
    return loaded() ? ((int (*)(const char *))fns[F_READ_HISTORY])(file) : 0;
}

int write_history(const char *file)
{
    return loaded() ? ((int (*)(const char *))fns[F_WRITE_HISTORY])(file) : 0;
}

/* libedit's settings are variables, found by name once the library is
 * loaded; without it the plain line reader has neither. */
void kdx_edit_set_input(int (*getc_fn)(FILE *))
{
    if (!loaded())
        return;
    int *catch_signals = (int *)dlsym(edit_lib.handle, "rl_catch_signals");
    int (**getc_var)(FILE *) = (int (**)(FILE *))dlsym(edit_lib.handle, "rl_getc_function");
    if (catch_signals)
        *catch_signals = 0; /* kdx's own SIGINT handler, not libedit's */
    if (getc_var)
        *getc_var = getc_fn;
}
#else
#include <editline/readline.h>

void kdx_edit_set_input(int (*getc_fn)(FILE *))
{
    rl_catch_signals = 0; /* kdx's own SIGINT handler, not libedit's */
    rl_getc_function = getc_fn;
}
#endif
