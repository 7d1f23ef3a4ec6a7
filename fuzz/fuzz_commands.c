/* libFuzzer target: the command line. The input is command text (lines, each
 * run through kdx_execute, which also splits on ';') against two synthetic
 * dumps made by the project's writers: the kernel sample (bitmap dump of the
 * reference article's crash) and a small x64 user-mode minidump. Every
 * command's argument parsing, expression evaluation and range handling is
 * covered. Output goes to /dev/null; symbols are offline with an empty path,
 * and commands that name files on disk (symbol/image paths) are skipped so
 * runs are deterministic. Each input gets freshly opened sessions, so state
 * changed by one input (registers, memory edits, scope) never leaks into the
 * next. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/command.h"
#include "base/cancel.h"
#include "commands/script.h"
#include "dump/kdump_writer.h"
#include "dump/minidump_writer.h"
#include "target/session.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char kernel_path[64], user_path[64];
static FILE *null_out;

/* Output budget per command line: a legal display of millions of lines
 * (`d 0x50000 L?100<<10`, a count the text filter below cannot bound) is
 * correct but too slow for fuzzing, so past the budget the sink requests an
 * interrupt, as Ctrl-C would; run() clears it before the next line. This
 * also exercises every long loop's interrupt check. */
#define OUTPUT_BUDGET (1u << 20)
static size_t output_used;

static ssize_t budget_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    (void)buf;
    output_used += n;
    if (output_used > OUTPUT_BUDGET)
        kdx_interrupt_request();
    return (ssize_t)n;
}

static uint8_t stack0[0x400], heap[0x1000], code[0x100];

static void cleanup(void)
{
    if (kernel_path[0])
        unlink(kernel_path);
    if (user_path[0])
        unlink(user_path);
}

static kdx_context make_ctx(uint64_t ip, uint64_t sp)
{
    kdx_context c = {0};
    c.arch = KDX_ARCH_X64;
    kdx_ctx_set(&c, kdx_reg_ip(KDX_ARCH_X64), ip);
    kdx_ctx_set(&c, kdx_reg_sp(KDX_ARCH_X64), sp);
    return c;
}

static int write_user_dump(const char *path)
{
    memset(code, 0x90, sizeof code);
    code[0] = 0xc3;
    code[0x80] = 0xcc;
    for (size_t i = 0; i < sizeof stack0; i++)
        stack0[i] = (uint8_t)(i * 13);
    for (size_t i = 0; i < sizeof heap; i++)
        heap[i] = (uint8_t)(i * 7);
    kdx_mdw_thread th[2] = {
        {.id = 0x10, .teb = 0x7ff000, .context = make_ctx(0x401000, 0x100000),
         .stack_va = 0x100000, .stack = stack0, .stack_size = sizeof stack0, .name = "main"},
        {.id = 0x20, .teb = 0x7fe000, .context = make_ctx(0x401080, 0x100200)},
    };
    kdx_mdw_module mod[2] = {
        {.path = "C:\\app\\app.exe", .base = 0x400000, .size = 0x10000, .timestamp = 0x5f000000,
         .pdb_name = "C:\\src\\app.pdb", .pdb_age = 3, .pdb_guid = {1, 2, 3, 4}},
        {.path = "C:\\Windows\\System32\\ntdll.dll", .base = 0x7ff00000, .size = 0x1f0000,
         .file_version_ms = 0xa0000, .file_version_ls = 0x4a610001},
    };
    kdx_mdw_memory mem[2] = {{.va = 0x500000, .data = heap, .size = sizeof heap},
                             {.va = 0x401000, .data = code, .size = sizeof code}};
    kdx_mdw_handle h[1] = {{.handle = 4, .type_name = "File", .object_name = "\\Device\\Null",
                            .handle_count = 1, .pointer_count = 2}};
    kdx_mdw_region rg[2] = {{.base = 0x400000, .allocation_base = 0x400000, .size = 0x10000,
                             .state = 0x1000, .protect = 0x20, .type = 0x1000000},
                            {.base = 0x500000, .allocation_base = 0x500000, .size = 0x1000,
                             .state = 0x1000, .protect = 0x04, .type = 0x20000}};
    kdx_mdw_spec sp = {
        .arch = KDX_ARCH_X64, .os_major = 10, .build = 19041, .csd_version = "",
        .num_processors = 2, .timestamp = 1600000000, .has_misc = true, .process_id = 0x1234,
        .process_create_time = 1600000000 - 65, .threads = th, .nthreads = 2, .modules = mod,
        .nmodules = 2, .memory = mem, .nmemory = 2, .has_exception = true,
        .exception_thread = 0x20, .exception_code = 0xc0000005, .exception_address = 0x401080,
        .nparams = 2, .params = {1, 0x45}, .exception_has_context = true,
        .exception_context = make_ctx(0x401080, 0x100210), .handles = h, .nhandles = 1,
        .regions = rg, .nregions = 2, .comment = "fuzz"};
    kdx_err err;
    return kdx_minidump_write_file(&sp, path, &err) == KDX_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("KDX_SYMBOL_OFFLINE", "1", 1);
    setenv("_NT_SYMBOL_PATH", "", 1);
    setenv("_NT_ALT_SYMBOL_PATH", "", 1);
    setenv("KDX_SYMBOL_CACHE", "/nonexistent/kdx-fuzz-cache", 1);
    null_out = fopencookie(NULL, "w", (cookie_io_functions_t){.write = budget_write});
    snprintf(kernel_path, sizeof kernel_path, "/tmp/kdx-fuzz-cmd-%d-k.dmp", (int)getpid());
    snprintf(user_path, sizeof user_path, "/tmp/kdx-fuzz-cmd-%d-u.dmp", (int)getpid());
    atexit(cleanup);
    kdx_err err;
    if (kdx_kdw_sample_apc_exit(KDX_KDW_BITMAP, kernel_path, &err) != KDX_OK) {
        fprintf(stderr, "fuzz_commands: kernel sample: %s\n", err.msg);
        abort();
    }
    if (!write_user_dump(user_path)) {
        fprintf(stderr, "fuzz_commands: user dump failed\n");
        abort();
    }
    return 0;
}

/* Commands that take file or directory names would read the host's disk
 * (.foreach /f and aS /f read a file of the host). */
static int skipped(const char *text)
{
    /* Commands that name files on disk (symbol and image paths, script files
     * run with $<, logs) would make runs depend on, or write to, the machine. */
    static const char *const bad[] = {"sympath", "symfix", "exepath", "srv*", "cache*", "$<", "$><", ">a<", ".log"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(text, bad[i]))
            return 1;
    if (strstr(text, "/f") && (strstr(text, "foreach") || strstr(text, "as") || strstr(text, "aS")))
        return 1;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Huge but legal ranges (db 0 L?ffffff, dyb 500000 1613000) print millions of
 * lines: correct, but far too slow for a fuzzing run. Refuse commands whose
 * literal numbers span more than 64 KB or whose L count is above 0x10000. */
static int too_big(const char *text)
{
    uint64_t vals[32];
    size_t nv = 0;
    int first_token = 1;
    for (const char *p = text;; p++) {
        if (!*p || *p == ';' || *p == '\n') {
            for (size_t i = 0; i < nv; i++)
                for (size_t j = i + 1; j < nv; j++)
                    if (vals[j] > vals[i] && vals[j] - vals[i] > 0x10000)
                        return 1;
            if (!*p)
                return 0;
            nv = 0;
            first_token = 1;
            continue;
        }
        if (first_token) { /* the command name */
            while (p[1] && p[1] != ' ' && p[1] != ';' && p[1] != '\n')
                p++;
            first_token = 0;
            continue;
        }
        int is_count = 0;
        if ((*p == 'L' || *p == 'l') &&
            (p[1] == '?' || p[1] == ' ' || hexval((unsigned char)p[1]) >= 0)) {
            is_count = 1; /* "L20", "L?20", "L? 20" */
            p += p[1] == '?' ? 2 : 1;
            while (*p == ' ')
                p++;
        }
        if (hexval((unsigned char)*p) < 0) {
            /* A count written as an expression ("L?.", "L @rax") cannot be
             * bounded here: refuse it rather than time out on a legal display. */
            if (is_count && *p && *p != ';' && *p != '\n')
                return 1;
            if (is_count)
                p--; /* look at this character again (it may end the text) */
            continue;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
            p += 2;
        uint64_t v = 0;
        int big = 0;
        for (; *p == '`' || hexval((unsigned char)*p) >= 0; p++)
            if (*p != '`') {
                if (v >> 60)
                    big = 1;
                v = v << 4 | (uint64_t)hexval((unsigned char)*p);
            }
        p--;
        if (is_count && (big || v > 0x10000))
            return 1;
        if (!is_count && nv < sizeof vals / sizeof vals[0])
            vals[nv++] = v;
    }
}

/* An address expression that is not a plain literal (".", "@rsp", "$ip",
 * "nt!x", "(a+b)") can make a two-address range of any size the lexical
 * check above cannot see: refuse commands with two or more arguments when
 * one is such an expression and none is an L count. */
static int opaque_range(const char *text)
{
    const char *p = text;
    while (*p) {
        while (*p && *p != ' ' && *p != ';' && *p != '\n') /* the command name */
            p++;
        int nargs = 0, opaque = 0, count = 0;
        while (*p && *p != ';' && *p != '\n') {
            while (*p == ' ' || *p == ',' || *p == '\t')
                p++;
            if (!*p || *p == ';' || *p == '\n')
                break;
            nargs++;
            if ((*p == 'L' || *p == 'l') &&
                (p[1] == '?' || p[1] == ' ' || hexval((unsigned char)p[1]) >= 0))
                count = 1;
            for (; *p && *p != ' ' && *p != ',' && *p != '\t' && *p != ';' && *p != '\n'; p++)
                if (hexval((unsigned char)*p) < 0 && !strchr("`xXlL?-/\"'", *p))
                    opaque = 1;
        }
        if (nargs >= 2 && opaque && !count)
            return 1;
        if (*p)
            p++;
    }
    return 0;
}

static void run(const char *path, char *text)
{
    kdx_session *s = kdx_session_new(null_out);
    /* `.while (1) {}` is a legal program that runs for ever, as in WinDbg:
     * a fuzzing run stops command programs after a few hundred blocks. */
    kdx_script_set_limit(s, 300);
    /* .shell and !! would run whatever the fuzzer writes in /bin/sh. */
    s->noshell = true;
    kdx_err err;
    if (kdx_session_open(s, path, &err) != KDX_OK)
        abort(); /* the writers' dumps always open */
    char *line = text;
    while (line && !s->quit) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        output_used = 0;
        kdx_interrupt_clear();
        kdx_execute(s, line);
        if (nl)
            *nl = '\n';
        line = nl ? nl + 1 : NULL;
    }
    kdx_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512 || memchr(data, 0, size))
        return 0;
    char text[513];
    memcpy(text, data, size);
    text[size] = 0;
    if (skipped(text) || too_big(text) || opaque_range(text))
        return 0;
    run(kernel_path, text);
    run(user_path, text);
    return 0;
}
