/* Command family: script files and the log file, as Microsoft's debugger
 * documentation defines them ("$<, $><, $$<, $$><, $$>a< (Run Script
 * File)", ".logopen", ".logappend", ".logclose", ".logfile").
 *
 * $<FILE and $$<FILE run the file line by line, each line echoed after the
 * prompt as if typed; $><FILE and $$><FILE join the lines with ';' and run
 * them as one command block (so a command program may span lines).
 * $< and $>< take the rest of the line as the file name (';' included);
 * the $$ forms end at ';'. $$>a<FILE ARGS... replaces ${$arg1}, ${$arg2} ...
 * in the file with the arguments (${$arg0}: the file name, ${$n}: their
 * count), joins the lines like $$>< and does not echo them. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cancel.h"
#include "base/file.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"

#define MAX_SCRIPT_BYTES (16u << 20) /* far above any real script; a bound for a wrong file */
#define MAX_SCRIPT_NESTING 32        /* scripts may call scripts, even themselves */
#define MAX_SCRIPT_ARGS 32

typedef enum { RUN_LINES, RUN_BLOCK } run_mode;

/* "FILE" or FILE: the name without its quotes (malloc'd); *rest after it. */
static char *take_file_name(const char *p, bool whole_rest, const char **rest)
{
    p = kdx_skip_ws(p);
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (end) {
            *rest = end + 1;
            return kdx_strndup(p + 1, (size_t)(end - p - 1));
        }
    }
    size_t n = whole_rest ? strlen(p) : strcspn(p, " \t");
    *rest = p + n;
    return kdx_rtrim(kdx_strndup(p, n));
}

/* The file's text with CRs dropped; NULL (after saying why) when it cannot be read. */
static char *read_script(kdx_session *s, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    kdx_err err = {0};
    if (kdx_read_all(path, &buf, &len, &err) != KDX_OK) {
        kdx_print(s, "Cannot run the script file: %s\n", err.msg);
        return NULL;
    }
    if (len > MAX_SCRIPT_BYTES || memchr(buf, 0, len)) {
        kdx_print(s, "Script file '%s' is not a command script (%s)\n", path,
                  len > MAX_SCRIPT_BYTES ? "over 16 MB" : "it contains NUL bytes");
        free(buf);
        return NULL;
    }
    char *text = kdx_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != '\r')
            text[n++] = (char)buf[i];
    text[n] = 0;
    free(buf);
    return text;
}

/* ${$argN}, ${$arg0} and ${$n} replaced; other ${...} tokens stay as written
 * (the alias interpreter sees them later). */
static char *replace_args(const char *text, const char *name, char **argv, int argc)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (const char *p = text; *p;) {
        unsigned long k;
        char *end;
        if (!strncmp(p, "${$n}", 5)) {
            char num[16];
            snprintf(num, sizeof num, "%d", argc);
            kdx_sb_puts(&sb, num);
            p += 5;
        } else if (!strncmp(p, "${$arg", 6) && isdigit((unsigned char)p[6]) &&
                   (k = strtoul(p + 6, &end, 10), *end == '}') && k <= (unsigned long)argc) {
            kdx_sb_puts(&sb, k == 0 ? name : argv[k - 1]);
            p = end + 1;
        } else {
            kdx_sb_putc(&sb, *p++);
        }
    }
    return kdx_sb_take(&sb);
}

static void run_lines(kdx_session *s, char *text, bool echo)
{
    for (char *line = text; line && !s->quit && !kdx_interrupted();) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (*kdx_skip_ws(line)) {
            if (echo) {
                char prompt[64];
                kdx_session_prompt(s, prompt, sizeof prompt);
                kdx_print(s, "%s%s\n", prompt, line);
            }
            kdx_script_run_line(s, line);
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* The lines joined with ';' (WinDbg: "replaces all carriage returns with
 * semicolons"), run as one command block. */
static void run_block(kdx_session *s, char *text, bool echo)
{
    for (char *p = text; *p; p++)
        if (*p == '\n')
            *p = ';';
    if (echo) {
        char prompt[64];
        kdx_session_prompt(s, prompt, sizeof prompt);
        kdx_print(s, "%s%s\n", prompt, text);
    }
    kdx_script_run_line(s, text);
}

static int run_script(kdx_session *s, const char *path, run_mode mode, bool echo, char **argv, int argc)
{
    kdx_script *sc = kdx_script_get(s);
    if (sc->script_files >= MAX_SCRIPT_NESTING) {
        kdx_print(s, "Script files are nested more than %d deep; '%s' is not run.\n", MAX_SCRIPT_NESTING, path);
        return 1;
    }
    char *text = read_script(s, path);
    if (!text)
        return 1;
    if (argv) {
        char *replaced = replace_args(text, path, argv, argc);
        free(text);
        text = replaced;
    }
    sc->script_files++;
    if (mode == RUN_LINES)
        run_lines(s, text, echo);
    else
        run_block(s, text, echo);
    sc->script_files--;
    free(text);
    return 0;
}

static int run_file_command(kdx_session *s, const char *cmd, const char *args, run_mode mode)
{
    const char *rest;
    char *path = take_file_name(args, true, &rest);
    if (!*path) {
        free(path);
        return kdx_cmd_syntax_error(s, cmd, args);
    }
    int rc = run_script(s, path, mode, true, NULL, 0);
    free(path);
    return rc;
}

/* $< and $>< are marked KDX_CMD_RAW, so their args run to the end of the
 * line; the dispatcher ends the $$ forms' args at ';' already. */
static int cmd_run_lines(kdx_session *s, const char *cmd, const char *args)
{
    return run_file_command(s, cmd, args, RUN_LINES);
}

static int cmd_run_block(kdx_session *s, const char *cmd, const char *args)
{
    return run_file_command(s, cmd, args, RUN_BLOCK);
}

/* Arguments separated by blanks, a quoted one may hold blanks. */
static int split_args(const char *p, char **argv, int max)
{
    int argc = 0;
    while (*(p = kdx_skip_ws(p)) && argc < max) {
        const char *rest;
        argv[argc++] = take_file_name(p, false, &rest);
        p = rest;
    }
    return argc;
}

static int cmd_run_with_args(kdx_session *s, const char *cmd, const char *args)
{
    const char *rest;
    char *path = take_file_name(args, false, &rest);
    if (!*path) {
        free(path);
        return kdx_cmd_syntax_error(s, cmd, args);
    }
    char *argv[MAX_SCRIPT_ARGS];
    int argc = split_args(rest, argv, MAX_SCRIPT_ARGS);
    int rc = run_script(s, path, RUN_BLOCK, false, argv, argc);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(path);
    return rc;
}

/* ---- the log file ---- */

/* .logopen /t: the name gets "_PID_YYYY-MM-DD_HH-MM-SS-mmm" before its
 * extension, so each session writes its own file. */
static char *name_with_time(const char *name)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char stamp[64];
    snprintf(stamp, sizeof stamp, "_%d_%04d-%02d-%02d_%02d-%02d-%02d-%03ld", (int)getpid(), tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || (slash && dot < slash))
        return kdx_asprintf("%s%s", name, stamp);
    return kdx_asprintf("%.*s%s%s", (int)(dot - name), name, stamp, dot);
}

/* .logopen /d: the dump's name with .log, in the current directory. */
static char *default_log_name(kdx_session *s)
{
    const char *dump = s->target && s->target->path ? kdx_basename(s->target->path) : "kdx";
    const char *dot = strrchr(dump, '.');
    return dot ? kdx_asprintf("%.*s.log", (int)(dot - dump), dump) : kdx_asprintf("%s.log", dump);
}

static int open_log(kdx_session *s, const char *name, bool append)
{
    if (s->log) {
        kdx_print(s, "Closing open log file %s\n", s->log_path);
        kdx_session_log_close(s);
    }
    FILE *f = fopen(name, append ? "a" : "w");
    if (!f) {
        kdx_print(s, "Unable to open log file '%s': %s\n", name, strerror(errno));
        return 1;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    s->log = f;
    s->log_for = s->out;
    s->log_path = kdx_strdup(name);
    kdx_print(s, "Opened log file '%s'\n", name);
    return 0;
}

static int cmd_logopen(kdx_session *s, const char *cmd, const char *args)
{
    bool with_time = false, dump_name = false;
    const char *p = kdx_skip_ws(args);
    while (*p == '/' && p[1] && (isspace((unsigned char)p[2]) || !p[2])) {
        if (p[1] == 't')
            with_time = true;
        else if (p[1] == 'd')
            dump_name = true;
        else if (p[1] == 'u') {
            kdx_print(s, ".logopen /u: kdx writes logs in UTF-8 only\n");
            return 1;
        } else {
            return kdx_cmd_syntax_error(s, cmd, args);
        }
        p = kdx_skip_ws(p + 2);
    }
    const char *rest;
    char *name = dump_name && !*p ? default_log_name(s) : take_file_name(p, true, &rest);
    if (!*name) {
        free(name);
        kdx_print(s, "Usage: .logopen [/t] [/d] FILE\n");
        return 1;
    }
    if (with_time) {
        char *timed = name_with_time(name);
        free(name);
        name = timed;
    }
    int rc = open_log(s, name, false);
    free(name);
    return rc;
}

static int cmd_logappend(kdx_session *s, const char *cmd, const char *args)
{
    const char *rest;
    char *name = take_file_name(args, true, &rest);
    if (!*name) {
        free(name);
        return kdx_cmd_syntax_error(s, cmd, args);
    }
    int rc = open_log(s, name, true);
    free(name);
    return rc;
}

static int cmd_logclose(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!s->log) {
        kdx_print(s, "No log file open\n");
        return 0;
    }
    kdx_print(s, "Closing open log file %s\n", s->log_path);
    kdx_session_log_close(s);
    return 0;
}

static int cmd_logfile(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (s->log)
        kdx_print(s, "Log '%s' open\n", s->log_path);
    else
        kdx_print(s, "No log file open\n");
    return 0;
}

const kdx_command kdx_cmds_script_files[] = {
    {"$<", cmd_run_lines, "run a script file line by line: $<FILE (the rest of the line is the name)",
     KDX_CMD_RAW},
    {"$><", cmd_run_block, "run a script file as one command block: $><FILE", KDX_CMD_RAW},
    {"$$<", cmd_run_lines, "run a script file line by line: $$<FILE (ends at ';')", 0},
    {"$$><", cmd_run_block, "run a script file as one command block: $$><FILE", 0},
    {"$$>a<", cmd_run_with_args, "run a script file with arguments ${$arg1}...: $$>a<FILE ARGS", 0},
    {".logopen", cmd_logopen, "copy the session's output to a log file: .logopen [/t] [/d] FILE", 0},
    {".logappend", cmd_logappend, "append the session's output to a log file: .logappend FILE", 0},
    {".logclose", cmd_logclose, "close the log file", 0},
    {".logfile", cmd_logfile, "which log file is open", 0},
    {0}};
