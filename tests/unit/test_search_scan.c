/* `s` reading memory in place (commands/search_scan.c) finds exactly what
 * the page-by-page copy path finds, on a dump written here whose virtual
 * pages are not contiguous in the file: patterns across such boundaries,
 * unaligned ones, absent ones; and split over two threads. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/search_scan.h"
#include "dump/kdump_writer.h"
#include "target/memory.h"
#include "target/session.h"
#include "tests/test.h"

#define BASE 0xfffff88001230000ull

/* Three pages at BASE whose middle one lies elsewhere in physical memory
 * (and the file): a page is mapped elsewhere between them. */
static char *write_dump(kdx_kdw_kind kind)
{
    kdx_kdw *w = kdx_kdw_new(KDX_ARCH_X64, false);
    kdx_kdw_set_system(w, 19041, 1, 0, 0);
    kdx_err err = {0};
    kdx_kdw_map(w, BASE, 0x1000, &err);
    kdx_kdw_map(w, 0xfffff88004560000ull, 0x1000, &err);
    kdx_kdw_map(w, BASE + 0x1000, 0x1000, &err);
    kdx_kdw_map(w, 0xfffff88007890000ull, 0x3000, &err);
    kdx_kdw_map(w, BASE + 0x2000, 0x1000, &err);
    static const uint8_t across[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    kdx_kdw_write_virt(w, BASE + 0xffc, across, 8, &err);   /* dword-aligned, over a page break */
    kdx_kdw_write_virt(w, BASE + 0x1ffd, across, 8, &err);  /* unaligned, over the next one */
    kdx_kdw_write_virt(w, BASE + 0x800, across, 8, &err);   /* inside a page */
    kdx_kdw_write_virt(w, BASE + 0x2ff8, across, 8, &err);  /* at the very end */
    char *path = kdx_asprintf("%s/scan-%d.dmp", kdx_test_tmpdir(), (int)kind);
    if (kdx_kdw_save(w, kind, path, &err) != KDX_OK) {
        free(path);
        path = NULL;
    }
    kdx_kdw_free(w);
    return path;
}

static const char searches[] =
    "s -d fffff880`01230000 L3000 44332211; s -d fffff880`01230000 L3000 44332211 88776655; "
    "s -b fffff880`01230000 L3000 11 22 33 44 55 66 77 88; s -w fffff880`01230000 L3000 2211; "
    "s -q fffff880`01230000 L3000 8877665544332211; s -b 0 L?ffffffffffffffff 66 77 88; "
    "s -[1]d 0 L?ffffffffffffffff 44332211; s -d fffff880`01230000 L3000 deadbeef; "
    "s -[1]b fffff880`01230000 L2fff 88; s -a fffff880`01230000 L3000 \"\x11\"";

TEST(search_in_place_finds_what_copies_find)
{
    static const kdx_kdw_kind kinds[] = {KDX_KDW_COMPLETE, KDX_KDW_BITMAP};
    for (size_t k = 0; k < KDX_ARRAY_LEN(kinds); k++) {
        char *path = write_dump(kinds[k]);
        REQUIRE(path);
        kdx_err err = {0};
        /* An edit (of a byte to its own value) makes s copy page by page. */
        char *edit_first = kdx_asprintf("eb fffff880`07890000 00; %s", searches);
        char *in_place = kdx_test_run(path, NULL, searches, &err);
        char *copied = kdx_test_run(path, NULL, edit_first, &err);
        free(edit_first);
        REQUIRE(in_place && copied);
        CHECK_STR(in_place, copied);
        CHECK_CONTAINS(in_place, "fffff880`01230ffc  11 22 33 44 55 66 77 88");  /* across a break */
        CHECK_CONTAINS(in_place, "fffff880`01231ffd");
        CHECK_CONTAINS(in_place, "fffff880`01232ff8");
        free(in_place);
        free(copied);
        free(path);
    }
}

static int scan_hits(kdx_target *t, uint64_t parallel_min, kdx_search_hits *hits)
{
    static const uint8_t pat[] = {0x11, 0x22, 0x33, 0x44, 0x55};
    kdx_search_job j = {pat, sizeof pat, 1, parallel_min};
    return kdx_search_scan(t, &j, 0, UINT64_MAX, hits) ? (int)hits->len : -1;
}

TEST(search_in_place_two_threads_same_hits)
{
    char *path = write_dump(KDX_KDW_COMPLETE);
    REQUIRE(path);
    kdx_session *s = kdx_session_new(stdout);
    kdx_err err = {0};
    REQUIRE(kdx_session_open(s, path, &err) == KDX_OK);
    kdx_search_hits one = {0}, two = {0};
    CHECK_EQ(scan_hits(s->target, UINT64_MAX, &one), 4);
    CHECK_EQ(scan_hits(s->target, 1, &two), 4);         /* split at once */
    CHECK(one.len == two.len && memcmp(one.items, two.items, one.len * 8) == 0);
    CHECK_EQ(one.items[0], BASE + 0x800);
    CHECK_EQ(one.items[1], BASE + 0xffc);
    free(one.items);
    free(two.items);
    kdx_session_free(s);
    free(path);
}
