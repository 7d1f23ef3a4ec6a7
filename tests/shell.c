/* Helpers for tests that run programs (the installed tree, Python, nm) and
 * read what they wrote. */
#include <stdlib.h>
#include <sys/wait.h>

#include "base/util.h"
#include "tests/test.h"

static char *read_stream(FILE *fp)
{
    kdx_strbuf b;
    kdx_sb_init(&b);
    kdx_sb_puts(&b, "");
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        kdx_sb_putn(&b, buf, n);
    return kdx_sb_take(&b);
}

char *kdx_test_shell(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    char *out = read_stream(p);
    int rc = pclose(p);
    char *full = kdx_asprintf("%s[exit %d]", out, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
    free(out);
    return full;
}

#if defined(__SANITIZE_ADDRESS__)
#define KDX_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KDX_TEST_ASAN 1
#endif
#endif

const char *kdx_test_sanitizer_skip_reason(void)
{
#ifdef KDX_TEST_ASAN
    return "this build is ASan-instrumented (make asan): its libkdx.so needs the ASan runtime "
           "loaded first, which an uninstrumented Python or pkg-config program does not have; "
           "make test runs this test";
#else
    return NULL;
#endif
}

char *kdx_test_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *text = read_stream(fp);
    fclose(fp);
    return text;
}
