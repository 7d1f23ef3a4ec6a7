/* kdx's test framework: tests register themselves with TEST(), the runner
 * (tests/runner.c) runs them and ends with "N passed, N failed, N skipped".
 * Tests that need ../shared/testdata skip with a reason when it is absent. */
#ifndef KDX_TESTS_TEST_H
#define KDX_TESTS_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

typedef struct kdx_test_ctx {
    const char *name;
    int failures;
    bool skipped;
    char skip_reason[512];
} kdx_test_ctx;

typedef void (*kdx_test_fn)(kdx_test_ctx *t);
void kdx_test_register(const char *name, const char *file, kdx_test_fn fn);
void kdx_test_fail(kdx_test_ctx *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kdx_test_skip(kdx_test_ctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define TEST(fname)                                                                 \
    static void fname(kdx_test_ctx *t);                                             \
    __attribute__((constructor)) static void fname##_register(void)                 \
    {                                                                               \
        kdx_test_register(#fname, __FILE__, fname);                                 \
    }                                                                               \
    static void fname(kdx_test_ctx *t)

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond))                                                                \
            kdx_test_fail(t, __FILE__, __LINE__, "CHECK(%s)", #cond);               \
    } while (0)

#define REQUIRE(cond)                                                               \
    do {                                                                            \
        if (!(cond)) {                                                              \
            kdx_test_fail(t, __FILE__, __LINE__, "REQUIRE(%s)", #cond);             \
            return;                                                                 \
        }                                                                           \
    } while (0)

#define CHECK_EQ(a, b)                                                              \
    do {                                                                            \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                            \
        if (a_ != b_)                                                               \
            kdx_test_fail(t, __FILE__, __LINE__, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, \
                          #a, #b, a_, b_);                                          \
    } while (0)

#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *a_ = (a), *b_ = (b);                                            \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                      \
            kdx_test_fail(t, __FILE__, __LINE__, "%s == %s:\n  got:  \"%s\"\n  want: \"%s\"", \
                          #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
    } while (0)

/* Passes when haystack contains needle. */
#define CHECK_CONTAINS(haystack, needle)                                            \
    do {                                                                            \
        const char *h_ = (haystack), *n_ = (needle);                                \
        if (!h_ || !strstr(h_, n_))                                                 \
            kdx_test_fail(t, __FILE__, __LINE__, "expected to find \"%s\" in:\n%s", \
                          n_, h_ ? h_ : "(null)");                                  \
    } while (0)

#define CHECK_OK(expr)                                                              \
    do {                                                                            \
        kdx_status st_ = (expr);                                                    \
        if (st_ != KDX_OK)                                                          \
            kdx_test_fail(t, __FILE__, __LINE__, "%s failed: %s", #expr,            \
                          kdx_status_name(st_));                                    \
    } while (0)

#define SKIP(...)                                                                   \
    do {                                                                            \
        kdx_test_skip(t, __VA_ARGS__);                                              \
        return;                                                                     \
    } while (0)

/* Path of a file under ../shared/testdata (or $KDX_TESTDATA), NULL if absent.
 * The returned string is static per call site use; copy it if needed. */
const char *kdx_testdata_path(const char *rel);
#define TESTDATA(var, rel)                                                          \
    const char *var = kdx_testdata_path(rel);                                       \
    if (!var)                                                                       \
        SKIP("needs ../shared/testdata/%s, which is not present on this machine", rel)

/* Runs cmd with sh; its standard output followed by "[exit N]" (malloc'd),
 * NULL when it cannot start. Add 2>&1 to cmd for its errors too. */
char *kdx_test_shell(const char *cmd);
/* A whole file as a string (malloc'd), NULL when it cannot be read. */
char *kdx_test_read_file(const char *path);
/* Under AddressSanitizer (make asan) libkdx.so cannot be loaded into an
 * uninstrumented program (Python, a test program built with pkg-config):
 * such tests skip with this reason. NULL when not sanitized. */
const char *kdx_test_sanitizer_skip_reason(void);

/* A fresh temporary directory for this test (removed at exit). */
const char *kdx_test_tmpdir(void);

/* Runs commands on a file with a session writing to a buffer; returns the
 * malloc'd output (NULL and *err set when the file cannot be opened).
 * setup (may be NULL) runs first with its output discarded. */
char *kdx_test_run(const char *path, const char *setup, const char *commands, kdx_err *err);

/* Synthetic dump generators for golden transcripts ("# open: gen/NAME"). */
typedef kdx_status (*kdx_test_generator)(const char *out_path, kdx_err *err);
void kdx_test_register_generator(const char *name, kdx_test_generator gen);
kdx_test_generator kdx_test_find_generator(const char *name);

#define TEST_GENERATOR(gname, fn)                                                   \
    __attribute__((constructor)) static void gname##_generator_register(void)       \
    {                                                                               \
        kdx_test_register_generator(#gname, fn);                                    \
    }

#endif
