/* Test runner: runs every registered test (or those whose name contains
 * one of the arguments) and the golden transcripts under tests/golden. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "commands/command.h"
#include "target/session.h"
#include "tests/bounded.h"
#include "tests/golden.h"
#include "tests/test.h"

typedef struct test_entry {
    const char *name;
    const char *file;
    kdx_test_fn fn;
    char *golden_path; /* golden transcript tests */
} test_entry;

static KDX_VEC(test_entry) tests;
static KDX_VEC(struct gen_entry { const char *name; kdx_test_generator fn; }) generators;

void kdx_test_register(const char *name, const char *file, kdx_test_fn fn)
{
    test_entry e = {name, file, fn, NULL};
    KDX_VEC_PUSH(tests, e);
}

void kdx_test_register_generator(const char *name, kdx_test_generator gen)
{
    struct gen_entry e = {name, gen};
    KDX_VEC_PUSH(generators, e);
}

kdx_test_generator kdx_test_find_generator(const char *name)
{
    for (size_t i = 0; i < generators.len; i++)
        if (!strcmp(generators.items[i].name, name))
            return generators.items[i].fn;
    return NULL;
}

void kdx_test_fail(kdx_test_ctx *t, const char *file, int line, const char *fmt, ...)
{
    t->failures++;
    if (t->failures > 20)
        return;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void kdx_test_skip(kdx_test_ctx *t, const char *fmt, ...)
{
    t->skipped = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->skip_reason, sizeof t->skip_reason, fmt, ap);
    va_end(ap);
}

const char *kdx_testdata_path(const char *rel)
{
    static char buf[8][4096];
    static int slot;
    const char *root = getenv("KDX_TESTDATA");
    if (!root || !*root)
        root = "../shared/testdata";
    char *p = buf[slot++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", root, rel);
    struct stat st;
    return stat(p, &st) == 0 ? p : NULL;
}

static char tmproot[256];

static void remove_tmp(void)
{
    if (tmproot[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", tmproot);
    }
}

const char *kdx_test_tmpdir(void)
{
    static int counter;
    static char dir[300];
    if (!tmproot[0]) {
        snprintf(tmproot, sizeof tmproot, "/tmp/kdx-tests-XXXXXX");
        if (!mkdtemp(tmproot)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(remove_tmp);
    }
    snprintf(dir, sizeof dir, "%s/%d", tmproot, counter++);
    mkdir(dir, 0700);
    return dir;
}

char *kdx_test_run(const char *path, const char *setup, const char *commands, kdx_err *err)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    kdx_session *s = kdx_session_new(mem);
    if (setup) {
        FILE *null = fopen("/dev/null", "w");
        s->out = null;
        kdx_execute(s, setup);
        s->out = mem;
        fclose(null);
    }
    if (path && kdx_session_open(s, path, err) != KDX_OK) {
        kdx_session_free(s);
        fclose(mem);
        free(out);
        return NULL;
    }
    kdx_execute(s, commands);
    kdx_session_free(s);
    fclose(mem);
    return out;
}

static void add_golden_tests(void)
{
    const char *dir = "tests/golden";
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    KDX_VEC(char *) names = {0};
    while ((de = readdir(d)))
        if (kdx_ends_with_i(de->d_name, ".txt"))
            KDX_VEC_PUSH(names, kdx_strdup(de->d_name));
    closedir(d);
    for (size_t i = 0; i < names.len; i++) {
        for (size_t j = i + 1; j < names.len; j++)
            if (strcmp(names.items[j], names.items[i]) < 0) {
                char *tmp = names.items[i];
                names.items[i] = names.items[j];
                names.items[j] = tmp;
            }
    }
    for (size_t i = 0; i < names.len; i++) {
        test_entry e = {kdx_asprintf("golden/%s", names.items[i]), "tests/golden", NULL,
                        kdx_asprintf("%s/%s", dir, names.items[i])};
        KDX_VEC_PUSH(tests, e);
        free(names.items[i]);
    }
    KDX_VEC_FREE(names);
}

static bool selected(const char *name, int argc, char **argv)
{
    if (argc <= 1)
        return true;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i]))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    /* A bounded child scenario (tests/bounded.h), not the test run. */
    if (argc >= 2 && !strcmp(argv[1], "--child"))
        return kdx_child_main(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Symbol indexes go to this run's temporary directory, never the user's cache
     * (kdx processes the tests start inherit it). */
    char *index_dir = kdx_asprintf("%s/symindex", kdx_test_tmpdir());
    setenv("KDX_SYMBOL_INDEX", index_dir, 0);
    free(index_dir);
    add_golden_tests();
    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < tests.len; i++) {
        test_entry *e = &tests.items[i];
        if (!selected(e->name, argc, argv))
            continue;
        kdx_test_ctx t = {.name = e->name};
        if (e->golden_path)
            kdx_golden_run(&t, e->golden_path);
        else
            e->fn(&t);
        if (t.failures) {
            failed++;
            printf("FAIL %s (%s)\n", e->name, e->file);
        } else if (t.skipped) {
            skipped++;
            printf("SKIP %s: %s\n", e->name, t.skip_reason);
        } else {
            passed++;
            printf("PASS %s\n", e->name);
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
