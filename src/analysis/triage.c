/* Fleet triage: one child process per dump (at most `jobs` at once), each
 * writing one JSON line to a pipe; the parent prints lines as they finish
 * and sums the buckets. Nothing is written next to the dumps. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analyze.h"
#include "analysis/triage.h"
#include "analysis/triage_html.h"
#include "base/fmt.h"
#include "base/progress.h"
#include "base/util.h"
#include "sym/symbols.h"
#include "sym/symcache.h"

typedef KDX_VEC(char *) path_vec;

/* Only files that announce themselves as dumps are analyzed; images, PDBs
 * and notes lying next to them are not failures. */
static bool looks_like_dump(const char *path)
{
    char head[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return true; /* let the analysis report why it cannot be read */
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n >= 4 && (!memcmp(head, "MDMP", 4) || !memcmp(head, "PAGE", 4));
}

static void collect(const char *path, path_vec *out, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0 || depth > 32)
        return;
    if (S_ISREG(st.st_mode)) {
        if (looks_like_dump(path))
            KDX_VEC_PUSH(*out, kdx_strdup(path));
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (ents[i]->d_name[0] != '.') {
            char *child = kdx_asprintf("%s/%s", path, ents[i]->d_name);
            collect(child, out, depth + 1);
            free(child);
        }
        free(ents[i]);
    }
    free(ents);
}

static char *error_line(const char *path, const char *why)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string(KDX_ANALYZE_SCHEMA));
    json_object_set_new(o, "dump", json_string(path));
    json_object_set_new(o, "error", json_string(why));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* The `!analyze -v` text, for the HTML report's embedded copy. */
static char *analysis_text(kdx_session *s, const kdx_analysis *a)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return NULL;
    FILE *saved = s->out;
    s->out = mem;
    kdx_analysis_print(s, a, true);
    s->out = saved;
    fclose(mem);
    return text;
}

/* The JSON line of an analyzed dump: the analysis, its dump time, and with
 * want_text its `!analyze -v` text (the parent strips it before printing). */
static char *result_line(kdx_session *s, const kdx_analysis *a, const char *path, bool want_text)
{
    char *j = kdx_analysis_json(s, a, path);
    json_t *o = json_loads(j, 0, NULL);
    if (!o)
        return j;
    free(j);
    if (s->target->sys.dump_time)
        json_object_set_new(o, "dump_time", json_integer((json_int_t)s->target->sys.dump_time));
    char *text = want_text ? analysis_text(s, a) : NULL;
    if (text)
        json_object_set_new(o, "analyze_text", json_string(text));
    free(text);
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return line;
}

/* Runs in the child: analyze one dump, write one JSON line to fd. */
static void analyze_child(const char *path, const char *sympath, int fd, unsigned timeout, bool want_text)
{
    alarm(timeout);
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = kdx_session_new(null ? null : stderr);
    if (sympath)
        kdx_sym_set_path(s, sympath, false);
    kdx_err err = {0};
    char *line;
    size_t plen = strlen(path);
    if (kdx_session_open(s, path, &err) != KDX_OK) {
        /* Errors name the file already; the JSON line carries it separately. */
        if (!strncmp(err.msg, path, plen) && err.msg[plen] == ':')
            memmove(err.msg, err.msg + plen + 2, strlen(err.msg + plen + 2) + 1);
        line = error_line(path, err.msg);
    } else {
        kdx_analysis a;
        if (kdx_analyze(s, &a, &err) != KDX_OK) {
            line = error_line(path, err.msg);
        } else {
            line = result_line(s, &a, path, want_text);
            kdx_analysis_free(&a);
        }
    }
    /* After the line, the symbol index files this analysis mapped: the
     * parent checks them once and later workers inherit them checked. */
    char *indexes = kdx_symcache_mapped_paths(); /* symbols may come from _NT_SYMBOL_PATH too */
    char *out = kdx_asprintf("%s\n%s", line, indexes);
    size_t len = strlen(out), off = 0;
    while (off < len) {
        ssize_t w = write(fd, out + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    _exit(0);
}

/* The index files a worker listed after its line (analyze_child), mapped
 * and checked here once for the workers forked from now on. */
static void preload_indexes(char *list)
{
    for (char *p = list, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        char *tab = strchr(p, '\t');
        if (tab)
            *tab = '\0';
        kdx_symcache_preload(p, tab ? tab + 1 : NULL);
    }
}

typedef struct bucket_stat {
    char *bucket;
    int count;
    uint64_t first, last;      /* dump times (FILETIME), 0 unknown */
    char *example;
} bucket_stat;

typedef struct triage_state {
    const kdx_triage_options *o;
    FILE *out;
    KDX_VEC(bucket_stat) buckets;
    KDX_VEC(char *) failures;
    int nfailed;
    json_t *records;           /* --html: every dump's line, in completion order */
} triage_state;

/* A dump's JSON line as printed: without the `!analyze -v` text that only
 * the HTML report carries. */
static void print_json_line(triage_state *ts, json_t *o, const char *line)
{
    if (!o || !json_object_get(o, "analyze_text")) {
        fprintf(ts->out, "%s\n", line);
        return;
    }
    json_t *copy = json_copy(o);
    json_object_del(copy, "analyze_text");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(ts->out, "%s\n", text);
    free(text);
    json_decref(copy);
}

static void account(triage_state *ts, const char *path, const char *line)
{
    json_t *o = json_loads(line, 0, NULL);
    const char *bucket = NULL, *error = NULL;
    json_t *fields = o ? json_object_get(o, "fields") : NULL;
    if (fields)
        bucket = json_string_value(json_object_get(fields, "FAILURE_BUCKET_ID"));
    if (o)
        error = json_string_value(json_object_get(o, "error"));
    if (!o || error || !bucket) {
        ts->nfailed++;
        KDX_VEC_PUSH(ts->failures, kdx_asprintf("%s: %s", path, error ? error : "no bucket produced"));
    } else {
        uint64_t t = o ? (uint64_t)json_integer_value(json_object_get(o, "dump_time")) : 0;
        bucket_stat *b = NULL;
        for (size_t i = 0; i < ts->buckets.len; i++)
            if (!strcmp(ts->buckets.items[i].bucket, bucket))
                b = &ts->buckets.items[i];
        if (!b) {
            bucket_stat nb = {kdx_strdup(bucket), 0, t, t, kdx_strdup(path)};
            KDX_VEC_PUSH(ts->buckets, nb);
            b = &ts->buckets.items[ts->buckets.len - 1];
        }
        b->count++;
        if (t && (!b->first || t < b->first))
            b->first = t;
        if (t > b->last)
            b->last = t;
    }
    if (o && ts->records)
        json_array_append(ts->records, o);
    if (ts->o->json) {
        print_json_line(ts, o, line);
    } else if (bucket) {
        json_t *fm = json_object_get(o, "faulting_module");
        fprintf(ts->out, "%s: %s (%s)\n", path, bucket, fm && json_is_string(fm) ? json_string_value(fm) : "module undetermined");
    } else {
        fprintf(ts->out, "%s: FAILED: %s\n", path, error ? error : "no bucket produced");
    }
    fflush(ts->out);
    json_decref(o);
}

static void format_time(uint64_t filetime, char *buf, size_t len)
{
    if (!filetime) {
        snprintf(buf, len, "unknown");
        return;
    }
    time_t t = (time_t)kdx_filetime_to_unix(filetime);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static int cmp_bucket(const void *a, const void *b)
{
    const bucket_stat *x = a, *y = b;
    return x->count != y->count ? y->count - x->count : strcmp(x->bucket, y->bucket);
}

/* The JSON summary: buckets by count, then the failures. */
static json_t *summary_json(triage_state *ts)
{
    char f[32], l[32];
    json_t *o = json_object(), *arr = json_array(), *fails = json_array();
    for (size_t i = 0; i < ts->buckets.len; i++) {
        bucket_stat *b = &ts->buckets.items[i];
        format_time(b->first, f, sizeof f);
        format_time(b->last, l, sizeof l);
        json_array_append_new(arr, json_pack("{s:s,s:i,s:s,s:s,s:s}", "bucket", b->bucket, "count", b->count,
                                             "first_seen", f, "last_seen", l, "example", b->example));
    }
    for (size_t i = 0; i < ts->failures.len; i++)
        json_array_append_new(fails, json_string(ts->failures.items[i]));
    json_object_set_new(o, "summary", arr);
    json_object_set_new(o, "failures", fails);
    return o;
}

/* --html: the report from the summary and every dump's line. */
static int write_html(triage_state *ts)
{
    json_t *sum = summary_json(ts);
    kdx_err err = {0};
    kdx_status st = kdx_triage_html_write(ts->o->html_path, sum, ts->records, &err);
    json_decref(sum);
    if (st != KDX_OK) {
        fprintf(stderr, "kdx triage: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void summary(triage_state *ts)
{
    kdx_sort(ts->buckets.items, ts->buckets.len, sizeof *ts->buckets.items, cmp_bucket);
    char f[32], l[32];
    if (ts->o->json) {
        json_t *o = summary_json(ts);
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(ts->out, "%s\n", text);
        free(text);
        json_decref(o);
        return;
    }
    int w = 6;
    for (size_t i = 0; i < ts->buckets.len; i++)
        w = KDX_MAX(w, (int)strlen(ts->buckets.items[i].bucket));
    fprintf(ts->out, "\n%-6s %-19s %-19s %-*s %s\n", "Count", "First seen (UTC)", "Last seen (UTC)", w, "Bucket", "Example");
    for (size_t i = 0; i < ts->buckets.len; i++) {
        bucket_stat *b = &ts->buckets.items[i];
        format_time(b->first, f, sizeof f);
        format_time(b->last, l, sizeof l);
        fprintf(ts->out, "%-6d %-19s %-19s %-*s %s\n", b->count, f, l, w, b->bucket, b->example);
    }
    if (ts->failures.len) {
        fprintf(ts->out, "\n%zu dump(s) could not be analyzed:\n", ts->failures.len);
        for (size_t i = 0; i < ts->failures.len; i++)
            fprintf(ts->out, "  %s\n", ts->failures.items[i]);
    }
}

typedef struct running {
    pid_t pid;
    int fd;
    size_t index;
    kdx_strbuf buf;
} running;

static void finish(triage_state *ts, running *r, char **paths)
{
    close(r->fd);
    int status = 0;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
        ;
    char *line = kdx_sb_take(&r->buf);
    char *nl = line ? strchr(line, '\n') : NULL;
    if (nl) {
        *nl = '\0';
        preload_indexes(nl + 1);
    }
    if (!line || !*line) {
        char *why = WIFSIGNALED(status)
                        ? kdx_asprintf("the analysis %s (signal %d)", WTERMSIG(status) == SIGALRM ? "timed out" : "crashed",
                                       WTERMSIG(status))
                        : kdx_asprintf("the analysis produced no result (exit status %d)", WEXITSTATUS(status));
        free(line);
        line = error_line(paths[r->index], why);
        free(why);
    }
    account(ts, paths[r->index], line);
    free(line);
}

int kdx_triage_run(const kdx_triage_options *o, FILE *out)
{
    path_vec paths = {0};
    for (int i = 0; i < o->npaths; i++)
        collect(o->paths[i], &paths, 0);
    int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1)
        jobs = 1;
    unsigned timeout = o->timeout_seconds ? o->timeout_seconds : 120;
    triage_state ts = {.o = o, .out = out, .records = o->html_path ? json_array() : NULL};
    running *run = kdx_xcalloc((size_t)jobs, sizeof *run);
    struct pollfd *pfd = kdx_xcalloc((size_t)jobs, sizeof *pfd);
    size_t next = 0, ndone = 0;
    int active = 0;
    fflush(out);
    while (next < paths.len || active) {
        while (active < jobs && next < paths.len) {
            int p[2];
            if (pipe(p) != 0)
                break;
            pid_t pid = fork();
            if (pid == 0) {
                close(p[0]);
                analyze_child(paths.items[next], o->sympath, p[1], timeout, o->html_path != NULL);
            }
            close(p[1]);
            if (pid < 0) {
                close(p[0]);
                break;
            }
            run[active] = (running){pid, p[0], next++, {0}};
            kdx_sb_init(&run[active].buf);
            active++;
        }
        for (int i = 0; i < active; i++)
            pfd[i] = (struct pollfd){run[i].fd, POLLIN, 0};
        if (poll(pfd, (nfds_t)active, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < active; i++) {
            if (!pfd[i].revents)
                continue;
            char buf[65536];
            ssize_t n = read(run[i].fd, buf, sizeof buf);
            if (n > 0) {
                kdx_sb_putn(&run[i].buf, buf, (size_t)n);
                continue;
            }
            finish(&ts, &run[i], paths.items);
            kdx_progress_report("triage", ++ndone, paths.len, "dumps");
            run[i] = run[--active];
            pfd[i] = pfd[active];
            i--;
        }
    }
    summary(&ts);
    int failed = ts.nfailed;
    if (ts.records && write_html(&ts) != 0)
        failed = -1;
    json_decref(ts.records);
    for (size_t i = 0; i < ts.buckets.len; i++) {
        free(ts.buckets.items[i].bucket);
        free(ts.buckets.items[i].example);
    }
    for (size_t i = 0; i < ts.failures.len; i++)
        free(ts.failures.items[i]);
    for (size_t i = 0; i < paths.len; i++)
        free(paths.items[i]);
    KDX_VEC_FREE(ts.buckets);
    KDX_VEC_FREE(ts.failures);
    KDX_VEC_FREE(paths);
    free(run);
    free(pfd);
    return failed;
}
