/* libFuzzer target: the symbol-server response path, HTTP body to cache.
 * A loopback server (tests/realdata/http_server.c) answers the client with
 * the input: byte 0 picks which file of the lookup gets it (name.pdb,
 * name.pd_ or file.ptr; the others are 404), byte 1 bit 0 adds
 * "Content-Encoding: gzip" (so curl's decoder sees the body), bit 1 drops
 * the Content-Length (a close-delimited body). The rest is the body.
 * kdx_sympath_find then runs the whole path: first-bytes checks, size
 * limits, CAB expansion into the cache, file.ptr parsing and the decision
 * whether to follow it, pruning of what failed. Each run ends with an empty
 * cache: the found file is removed, and anything else left is a bug. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "sym/sympath.h"
#include "tests/realdata/http_server.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pthread_mutex_t input_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *input;
static size_t input_len;

static const char *const stage_suffix[] = {"/x.pdb", "/x.pd_", "/file.ptr"};

/* Answers the stage the input picked with the input's body; 404 otherwise. */
static void answer(kdx_http_server *s, int fd, const char *path, void *ud)
{
    (void)ud;
    pthread_mutex_lock(&input_lock);
    uint8_t *body = NULL;
    size_t len = 0;
    int stage = input_len ? input[0] % 3 : 0, flags = input_len > 1 ? input[1] : 0;
    if (input_len > 2 && kdx_ends_with_i(path, stage_suffix[stage])) {
        len = input_len - 2;
        body = kdx_xmalloc(len);
        memcpy(body, input + 2, len);
    }
    pthread_mutex_unlock(&input_lock);
    char hdr[200];
    if (!body) {
        snprintf(hdr, sizeof hdr, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    } else {
        char length[48] = "";
        if (!(flags & 2))
            snprintf(length, sizeof length, "Content-Length: %zu\r\n", len);
        snprintf(hdr, sizeof hdr, "HTTP/1.%d 200 OK\r\n%s%sConnection: close\r\n\r\n",
                 (flags & 2) ? 0 : 1, (flags & 1) ? "Content-Encoding: gzip\r\n" : "", length);
    }
    if (kdx_http_send_all(s, fd, hdr, strlen(hdr)) && body)
        kdx_http_send_all(s, fd, body, len);
    free(body);
}

static char cache[256];
static kdx_sympath *path;

static void remove_cache(void)
{
    rmdir(cache); /* empty after every run */
}

static void setup(void)
{
    snprintf(cache, sizeof cache, "/tmp/kdx-fuzz-symsrv-%ld", (long)getpid());
    kdx_http_server *srv = kdx_http_server_start_handler(answer, NULL);
    if (!srv)
        abort();
    char *text = kdx_asprintf("srv*%s*http://127.0.0.1:%d", cache, kdx_http_server_port(srv));
    path = kdx_sympath_parse(text);
    free(text);
    atexit(remove_cache);
    /* Small limits: the fuzzer explores behaviour, not bandwidth. */
    setenv("KDX_SYMBOL_MAX_SIZE", "8M", 1);
    setenv("KDX_SYMBOL_TIMEOUT", "5", 1);
    setenv("KDX_SYMBOL_MIN_RATE", "1/5", 1);
}

/* The cache must be empty again: anything left is a leak of the response path. */
static void check_cache_empty(void)
{
    DIR *d = opendir(cache);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            abort();
    if (d)
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, setup);
    pthread_mutex_lock(&input_lock);
    free(input);
    input = kdx_xmalloc(size ? size : 1);
    memcpy(input, data, size);
    input_len = size;
    pthread_mutex_unlock(&input_lock);
    kdx_symfind_ctx c = {.default_cache = cache};
    kdx_symfind f = {.name = "x.pdb", .key = "0123456789ABCDEF0123456789ABCDEF1"};
    char *found = NULL;
    if (kdx_sympath_find(&c, path, &f, &found, NULL) == KDX_OK) {
        unlink(found);
        kdx_symstore_prune(cache, f.name, f.key);
    }
    free(found);
    kdx_symfind_ctx_clear(&c);
    check_cache_empty();
    return 0;
}
