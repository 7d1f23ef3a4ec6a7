/* Benchmark helper for bench_kdump.sh.
 *
 *   gen_bigdump bitmap PATH SPAN_MB DATA_MB   bitmap dump (DumpType 5) whose
 *       bitmap describes SPAN_MB of physical memory, DATA_MB of it present
 *   gen_bigdump complete PATH DATA_MB         complete dump (DumpType 1)
 *   gen_bigdump run OUT CMD [ARGS...]         runs CMD, writes "SECONDS MAXRSS_KB"
 *       (wall time and peak resident memory of CMD) to the file OUT
 *
 * The dumps come from the project's dump writer (src/dump/kdump_writer.h): an
 * x64 Windows 10 19041 system with 2 processors whose DATA_MB of data are
 * mapped at DATA_VA; a bitmap dump also holds one page in every 2 MB of its
 * span (16 MB for 8 GB), not mapped. Data pages hold 7-bit pseudo-random bytes (one page in
 * four zero), so the benchmark's pattern 0xdeadbeef (bytes >= 0x80) occurs
 * nowhere: every search reads the whole range. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump/kdump_writer.h"

#define DATA_VA 0xffffa00000000000ull
#define PAGE 4096u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill_page(uint8_t *p, uint64_t index)
{
    if (index % 4 == 3) {
        memset(p, 0, PAGE);
        return;
    }
    for (unsigned i = 0; i < PAGE; i += 8) {
        uint64_t v = next_rand() & 0x7f7f7f7f7f7f7f7full;
        memcpy(p + i, &v, 8);
    }
}

static int fail(const char *what, const kdx_err *err)
{
    fprintf(stderr, "gen_bigdump: %s: %s\n", what, err->msg);
    return 1;
}

static int generate(kdx_kdw_kind kind, const char *path, uint64_t span_mb, uint64_t data_mb)
{
    kdx_err err;
    memset(&err, 0, sizeof err);
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
    /* 2026-11-28 00:00:00 UTC as a FILETIME; up one hour. */
    kdx_kdw_set_system(w, 19041, 2, (1795824000ull + 11644473600ull) * 10000000ull,
                       3600ull * 10000000ull);
    kdx_kdw_set_build_lab(w, "19041.1.amd64fre.vb_release.191206-1406");
    kdx_kdw_set_kernel(w, 0xfffff8047be00000ull, 0x1046000, 0x5f7e3bc3);
    kdx_kdw_set_bugcheck(w, 0xe2, 0, 0, 0, 0); /* MANUALLY_INITIATED_CRASH */
    kdx_kdw_add_module(w, "\\SystemRoot\\system32\\hal.dll", 0xfffff8047b6d0000ull, 0x6000,
                       0x2a4e1a07);
    kdx_context c = {.arch = KDX_ARCH_X64};
    kdx_ctx_set(&c, KDX_X64_RIP, 0xfffff8047be00000ull + 0x1000);
    kdx_ctx_set(&c, KDX_X64_RSP, 0xfffff8047f000f00ull);
    kdx_ctx_set(&c, KDX_X64_CS, 0x10);
    kdx_ctx_set(&c, KDX_X64_SS, 0x18);
    kdx_kdw_set_context(w, 0, &c, 0, 0);
    if (kdx_kdw_map(w, 0xfffff8047f000000ull, 0x1000, &err) != KDX_OK)
        return fail("map the stack", &err);
    /* Bitmap dumps: one present page in every 2 MB of the span, written
     * before the data so the data's frames are not all contiguous. */
    for (uint64_t pfn = 0x207; kind == KDX_KDW_BITMAP && pfn < span_mb * 256; pfn += 512)
        kdx_kdw_write_phys(w, pfn * PAGE, "scattered", 10);
    uint64_t pages = data_mb * (1024 * 1024 / PAGE);
    uint8_t *buf = malloc(PAGE);
    if (!buf) {
        fprintf(stderr, "gen_bigdump: out of memory\n");
        return 1;
    }
    for (uint64_t i = 0; i < pages; i++) {
        fill_page(buf, i);
        if (kdx_kdw_write_virt(w, DATA_VA + i * PAGE, buf, PAGE, &err) != KDX_OK)
            return fail("write the data pages", &err);
    }
    free(buf);
    /* The bitmap spans span_mb: its last page is present (not mapped). */
    if (kind == KDX_KDW_BITMAP && span_mb)
        kdx_kdw_write_phys(w, span_mb * 1024 * 1024 - PAGE, "top of physical memory", 23);
    kdx_status st = kdx_kdw_save(w, kind, path, &err);
    kdx_kdw_free(w);
    if (st != KDX_OK)
        return fail(path, &err);
    return 0;
}

static int run(const char *out, char **argv)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("gen_bigdump: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("gen_bigdump: wait4");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    FILE *f = fopen(out, "w");
    if (!f || fprintf(f, "%.6f %ld\n", s, ru.ru_maxrss) < 0 || fclose(f) != 0) {
        perror(out);
        return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "run") == 0)
        return run(argv[2], argv + 3);
    if (argc == 5 && strcmp(argv[1], "bitmap") == 0)
        return generate(KDX_KDW_BITMAP, argv[2], strtoull(argv[3], NULL, 10),
                        strtoull(argv[4], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "complete") == 0)
        return generate(KDX_KDW_COMPLETE, argv[2], 0, strtoull(argv[3], NULL, 10));
    fprintf(stderr, "usage: gen_bigdump bitmap PATH SPAN_MB DATA_MB | complete PATH DATA_MB | "
                    "run OUT CMD [ARGS...]\n");
    return 2;
}
