/* The pool: !poolused [Flags] [Tag] [/t N], !poolfind Tag [PoolType],
 * !pool Address [Flags], .pooltag [File]. Layouts and their sources:
 * docs/pool.md. */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/pool.h"
#include "nt/pooltag.h"
#include "nt/segheap.h"

/* ---- tag descriptions: pooltag.txt, then the image scan ---- */

/* The pooltag.txt kdx reads: set by .pooltag, else $KDX_POOLTAG. */
static char *pooltag_path;

static const char *pooltag_file(void)
{
    if (pooltag_path)
        return pooltag_path;
    const char *env = getenv("KDX_POOLTAG");
    return env && *env ? env : NULL;
}

typedef struct tag_info {
    kdx_pooltag_db db;
    bool have_db;
    kdx_pool_owners owners;
    bool scanned;
} tag_info;

/* Loads pooltag.txt and scans the images for the tags it does not know. */
static void tag_info_init(kdx_session *s, tag_info *ti, const uint32_t *tags, size_t n)
{
    memset(ti, 0, sizeof *ti);
    kdx_err err = {0};
    const char *file = pooltag_file();
    if (file && kdx_pooltag_load(file, &ti->db, &err) == KDX_OK)
        ti->have_db = true;
    else if (file)
        kdx_print(s, "%s\n", err.msg);
    uint32_t *unknown = kdx_xmalloc((n ? n : 1) * sizeof *unknown);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!kdx_pooltag_lookup(&ti->db, tags[i]))
            unknown[u++] = tags[i];
    if (u && kdx_pool_owner_scan(s, unknown, u, &ti->owners, &err) == KDX_OK)
        ti->scanned = true;
    else if (u)
        kdx_print(s, "%s\n", err.msg);
    free(unknown);
}

static void tag_info_free(tag_info *ti)
{
    kdx_pooltag_free(&ti->db);
    kdx_pool_owners_free(&ti->owners);
}

/* "desc, Binary: bin" from pooltag.txt, else WinDbg's UNKNOWN line with
 * the image scan's best candidate marked as inferred. sep: ", Binary: "
 * (!poolused) or ", Binary : " (!pool). */
static void describe(const tag_info *ti, uint32_t tag, const char *sep, char *out, size_t cap)
{
    char t[5];
    kdx_pool_tag_text(tag, t);
    const kdx_pooltag_entry *e = kdx_pooltag_lookup(&ti->db, tag);
    if (e) {
        snprintf(out, cap, "%s%s%s", e->description, sep, e->binary);
        return;
    }
    size_t count = 0;
    const kdx_pool_owner *o = kdx_pool_owner_best(&ti->owners, tag, &count);
    int n = snprintf(out, cap, "UNKNOWN pooltag '%s', please update pooltag.txt", t);
    if (!o || n < 0 || (size_t)n >= cap)
        return;
    char how[160];
    if (o->rank == KDX_OWNER_ALLOC_CALL)
        snprintf(how, sizeof how, "tag argument of a call to %s", o->routine);
    else
        snprintf(how, sizeof how, "%s", kdx_pool_owner_how(o->rank));
    snprintf(out + n, cap - (size_t)n, "%s%s (inferred: %s%s)", sep, o->module, how,
             count > 1 ? (count == 2 ? "; 1 other candidate" : "; other candidates") : "");
}

static json_t *owners_json(const tag_info *ti, uint32_t tag)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ti->owners.n; i++) {
        const kdx_pool_owner *o = &ti->owners.items[i];
        if (o->tag != tag)
            continue;
        char where[24];
        snprintf(where, sizeof where, "%016" PRIx64, o->where);
        json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:b}", "binary", o->module, "address", where, "how",
                              kdx_pool_owner_how(o->rank), "rank", o->rank, "routine", o->routine, "hits",
                              (int)o->hits, "inferred", 1);
        json_array_append_new(arr, j);
    }
    return arr;
}

/* ---- !poolused ---- */

enum { PU_VERBOSE = 1, PU_NONPAGED = 2, PU_PAGED = 4, PU_SESSION = 8 };

typedef struct poolused_args {
    unsigned flags;
    size_t top;               /* 0: all */
    const char *pattern;      /* NULL: every tag */
    char pattern_buf[64];
} poolused_args;

static int parse_poolused(kdx_session *s, const char *cmd, const char *args, poolused_args *a)
{
    memset(a, 0, sizeof *a);
    bool have_flags = false;
    const char *p = args;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(p - w), w);
        if (!strncmp(word, "/t", 2)) {
            const char *num = word + 2;
            char next[32] = "";
            if (!*num) {
                while (isspace((unsigned char)*p))
                    p++;
                const char *v = p;
                while (*p && !isspace((unsigned char)*p))
                    p++;
                snprintf(next, sizeof next, "%.*s", (int)(p - v), v);
                num = next;
            }
            char *end;
            unsigned long v = strtoul(num, &end, 10);
            if (!*num || *end || v == 0)
                return kdx_cmd_syntax_error(s, cmd, w);
            a->top = v;
        } else if (!have_flags && !a->pattern && isxdigit((unsigned char)word[0]) && strspn(word, "0123456789abcdefABCDEFx") == strlen(word)) {
            uint64_t v;
            kdx_err err = {0};
            if (kdx_expr_eval_all(s, word, &v, &err) != KDX_OK)
                return kdx_cmd_fail(s, &err);
            a->flags = (unsigned)v;
            have_flags = true;
        } else if (!a->pattern) {
            snprintf(a->pattern_buf, sizeof a->pattern_buf, "%s", word);
            a->pattern = a->pattern_buf;
        } else {
            return kdx_cmd_syntax_error(s, cmd, w);
        }
    }
    if ((a->flags & PU_NONPAGED) && (a->flags & PU_PAGED)) {
        kdx_print(s, "Flags 2 (sort by nonpaged) and 4 (sort by paged) cannot be used together.\n");
        return 1;
    }
    return 0;
}

static unsigned sort_flags;

static int tag_order(uint32_t a, uint32_t b)
{
    char x[5], y[5];
    for (int i = 0; i < 4; i++)
        x[i] = (char)(a >> (8 * i)), y[i] = (char)(b >> (8 * i));
    x[4] = y[4] = 0;
    return strcmp(x, y);
}

static int by_usage(const void *pa, const void *pb)
{
    const kdx_pool_tag_use *a = pa, *b = pb;
    uint64_t x = 0, y = 0;
    if (sort_flags & PU_NONPAGED)
        x = a->np_bytes, y = b->np_bytes;
    else if (sort_flags & PU_PAGED)
        x = a->p_bytes, y = b->p_bytes;
    if (x != y)
        return x > y ? -1 : 1;
    return tag_order(a->tag, b->tag);
}

static const char *sort_title(unsigned flags)
{
    if (flags & PU_NONPAGED)
        return "NonPaged Pool Consumed";
    if (flags & PU_PAGED)
        return "Paged Pool Consumed";
    return "Tag";
}

/* The rows to show, in order, after the tag filter and /t. */
static size_t select_rows(kdx_pool_usage *u, const poolused_args *a)
{
    size_t n = 0;
    for (size_t i = 0; i < u->n; i++)
        if (!a->pattern || kdx_pool_tag_match(a->pattern, u->tags[i].tag))
            u->tags[n++] = u->tags[i];
    sort_flags = a->flags;
    kdx_sort(u->tags, n, sizeof *u->tags, by_usage);
    return a->top && a->top < n ? a->top : n;
}

static void print_poolused(kdx_session *s, const kdx_pool_usage *u, size_t rows, const poolused_args *a,
                           const tag_info *ti, const kdx_pool_tag_use *total)
{
    kdx_print(s, "\nSorting by %s\n\n", sort_title(a->flags));
    if (a->flags & PU_SESSION)
        kdx_print(s, "Session pool\n\n");
    kdx_print(s, "               NonPaged                  Paged\n");
    kdx_print(s, "Tag     Allocs         Used     Allocs         Used%s\n\n",
              a->flags & PU_VERBOSE ? "   NP Frees    P Frees" : "");
    for (size_t i = 0; i < rows; i++) {
        const kdx_pool_tag_use *t = &u->tags[i];
        char tag[5], desc[400];
        kdx_pool_tag_text(t->tag, tag);
        describe(ti, t->tag, ", Binary: ", desc, sizeof desc);
        kdx_print(s, "%-4s%10" PRIu64 "%13" PRIu64 "%11" PRIu64 "%13" PRIu64, tag, kdx_pool_np_outstanding(t),
                  t->np_bytes, kdx_pool_p_outstanding(t), t->p_bytes);
        if (a->flags & PU_VERBOSE)
            kdx_print(s, "%11" PRIu64 "%11" PRIu64, t->np_frees, t->p_frees);
        kdx_print(s, "  %s\n", desc);
    }
    kdx_print(s, "\nTOTAL%10" PRIu64 "%13" PRIu64 "%11" PRIu64 "%13" PRIu64 "\n", total->np_allocs, total->np_bytes,
              total->p_allocs, total->p_bytes);
}

static void poolused_json(kdx_session *s, const kdx_pool_usage *u, size_t rows, const tag_info *ti,
                          const kdx_pool_tag_use *total)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < rows; i++) {
        const kdx_pool_tag_use *t = &u->tags[i];
        char tag[5], desc[400];
        kdx_pool_tag_text(t->tag, tag);
        describe(ti, t->tag, ", Binary: ", desc, sizeof desc);
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "tag", tag, "nonpaged_allocs",
                              (json_int_t)kdx_pool_np_outstanding(t), "nonpaged_bytes", (json_int_t)t->np_bytes,
                              "nonpaged_frees", (json_int_t)t->np_frees, "paged_allocs",
                              (json_int_t)kdx_pool_p_outstanding(t), "paged_bytes", (json_int_t)t->p_bytes,
                              "paged_frees", (json_int_t)t->p_frees, "description", desc);
        json_object_set_new(o, "owner_candidates", owners_json(ti, t->tag));
        json_array_append_new(arr, o);
    }
    json_t *doc = json_pack("{s:o, s:{s:I, s:I, s:I, s:I}}", "tags", arr, "total", "nonpaged_allocs",
                            (json_int_t)total->np_allocs, "nonpaged_bytes", (json_int_t)total->np_bytes,
                            "paged_allocs", (json_int_t)total->p_allocs, "paged_bytes", (json_int_t)total->p_bytes);
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
}

static int cmd_poolused(kdx_session *s, const char *cmd, const char *args)
{
    poolused_args a;
    if (parse_poolused(s, cmd, args, &a))
        return 1;
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_pool_usage u;
    kdx_err err = {0};
    if (kdx_pool_usage_read(s, a.flags & PU_SESSION, &u, &err) != KDX_OK) {
        kdx_print(s, "Unable to read the pool tag table: %s\n", err.msg);
        kdx_pool_usage_free(&u);
        return 1;
    }
    kdx_pool_tag_use total = {0};
    for (size_t i = 0; i < u.n; i++) {
        total.np_allocs += kdx_pool_np_outstanding(&u.tags[i]), total.np_bytes += u.tags[i].np_bytes;
        total.p_allocs += kdx_pool_p_outstanding(&u.tags[i]), total.p_bytes += u.tags[i].p_bytes;
    }
    size_t rows = select_rows(&u, &a);
    uint32_t *tags = kdx_xmalloc((rows ? rows : 1) * sizeof *tags);
    for (size_t i = 0; i < rows; i++)
        tags[i] = u.tags[i].tag;
    tag_info ti;
    tag_info_init(s, &ti, tags, rows);
    free(tags);
    if (s->json)
        poolused_json(s, &u, rows, &ti, &total);
    else
        print_poolused(s, &u, rows, &a, &ti, &total);
    if (u.notes[0] && !s->json)
        kdx_print(s, "\nNot counted: %s\n", u.notes);
    tag_info_free(&ti);
    kdx_pool_usage_free(&u);
    return 0;
}

/* ---- !poolfind ---- */

static bool type_is_paged(uint32_t pool_type)
{
    return pool_type & 1;     /* POOL_TYPE: PagedPool and its variants are odd */
}

static bool type_is_session(uint32_t pool_type)
{
    return pool_type & 0x20;  /* SessionPoolMask */
}

typedef struct find_ctx {
    kdx_session *s;
    const char *pattern;
    unsigned want;            /* 0 nonpaged, 1 paged, 4 session */
    uint64_t found, small;
    json_t *json;             /* under .json: the allocations, else NULL */
} find_ctx;

static bool pool_wanted(const find_ctx *f, uint32_t pool_type)
{
    bool paged = type_is_paged(pool_type), session = type_is_session(pool_type);
    return (f->want == 4) == session && (f->want == 4 || (f->want == 1) == paged);
}

static const char *pool_name(uint32_t pool_type)
{
    return type_is_session(pool_type) ? "Session" : type_is_paged(pool_type) ? "Paged" : "Nonpaged";
}

/* One allocation under .json; walk names where it was found. */
static void json_allocation(find_ctx *f, uint64_t va, uint32_t tag, uint64_t bytes, uint32_t pool_type,
                            const char *walk, uint64_t subsegment)
{
    char a[24], t4[5];
    snprintf(a, sizeof a, "%016" PRIx64, va);
    kdx_pool_tag_text(tag, t4);
    json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s}", "address", a, "tag", t4, "bytes", (json_int_t)bytes, "pool",
                          pool_name(pool_type), "walk", walk);
    if (subsegment) { /* a segment heap block: its pool is read from _POOL_HEADER.PoolType as a POOL_TYPE */
        snprintf(a, sizeof a, "%016" PRIx64, subsegment);
        json_object_set_new(o, "subsegment", json_string(a));
        json_object_set_new(o, "pool_inferred", json_true());
    }
    json_array_append_new(f->json, o);
}

static int find_big(void *ud, const kdx_pool_big *b)
{
    find_ctx *f = ud;
    if (b->free || !kdx_pool_tag_match(f->pattern, b->tag) || !pool_wanted(f, b->pool_type))
        return 0;
    f->found++;
    char va[24], tag[5];
    kdx_pool_tag_text(b->tag, tag);
    if (f->json)
        json_allocation(f, b->va, b->tag, b->bytes, b->pool_type, "PoolBigPageTable", 0);
    else
        kdx_print(f->s, "%s : tag %s, size %#10" PRIx64 ", %s pool\n", kdx_session_fmt_ptr(f->s, va, b->va), tag,
                  b->bytes, pool_name(b->pool_type));
    return 0;
}

/* A small allocation of the segment heap, in the block layout of the
 * example on Microsoft's !poolfind page (docs/pool.md). */
static int find_small(void *ud, const kdx_segheap_block *b)
{
    find_ctx *f = ud;
    if (!b->busy || !b->tag_known || !kdx_pool_tag_match(f->pattern, b->tag) || !pool_wanted(f, b->pool_type))
        return 0;
    f->small++;
    char va[24], tag[5];
    kdx_pool_tag_text(b->tag, tag);
    if (f->json)
        json_allocation(f, b->header, b->tag, b->size, b->pool_type, kdx_segheap_kind_name(b->kind), b->subsegment);
    else
        kdx_print(f->s, "%s size: %4x previous size: %4x  (Allocated) %s\n",
                  kdx_session_fmt_ptr(f->s, va, b->header), b->size, b->prev_size, tag);
    return 0;
}

static json_t *segheap_json(const kdx_segheap_stats *hs, const char *error)
{
    json_t *notes = json_array();
    for (size_t i = 0; i < hs->nnotes; i++)
        json_array_append_new(notes, json_string(hs->notes[i]));
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:o, s:i, s:s?}", "walk",
                     "segment heap: nt!ExPoolState", "pool_nodes", (int)hs->nodes, "heaps", (int)hs->heaps, "segments",
                     (int)hs->segments, "vs_subsegments", (int)hs->vs_subsegments, "lfh_subsegments",
                     (int)hs->lfh_subsegments, "blocks", (json_int_t)hs->blocks, "not_in_dump", (int)hs->unreadable,
                     "corrupt", (int)hs->broken, "notes", notes, "notes_dropped", (int)hs->dropped, "error", error);
}

/* What the segment heap walk covered and what it could not read. */
static void print_segheap_summary(kdx_session *s, const find_ctx *f, const kdx_segheap_stats *hs)
{
    kdx_print(s, "%" PRIu64 " small allocation%s with tag %s in %u heap%s (%u segment%s, %u VS and %u LFH subsegments, "
                 "%" PRIu64 " blocks).\n", f->small, f->small == 1 ? "" : "s", f->pattern, hs->heaps,
              hs->heaps == 1 ? "" : "s", hs->segments, hs->segments == 1 ? "" : "s", hs->vs_subsegments,
              hs->lfh_subsegments, hs->blocks);
    if (hs->unreadable || hs->broken)
        kdx_print(s, "%u structure%s of the segment heap %s not in the dump and %u %s corrupt; what they hold was not "
                     "searched:\n", hs->unreadable, hs->unreadable == 1 ? "" : "s", hs->unreadable == 1 ? "is" : "are",
                  hs->broken, hs->broken == 1 ? "is" : "are");
    for (size_t i = 0; i < hs->nnotes; i++)
        kdx_print(s, "  %s\n", hs->notes[i]);
    if (hs->dropped)
        kdx_print(s, "  (and %zu more)\n", hs->dropped);
}

static void poolfind_json(kdx_session *s, const find_ctx *f, const char *big_error, const kdx_segheap_stats *hs,
                          const char *heap_error)
{
    json_t *doc = json_pack("{s:s, s:o, s:s?, s:o}", "tag", f->pattern, "allocations", f->json, "large_table_error",
                            big_error, "segment_heap", segheap_json(hs, heap_error));
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
}

/* The large-allocation table; false (err set) when it cannot be read. */
static bool poolfind_big(kdx_session *s, find_ctx *f, kdx_err *err)
{
    kdx_pool_big_table t;
    if (kdx_pool_big_locate(s, &t, err) != KDX_OK)
        return false;
    char lo[24], hi[24];
    if (!s->json)
        kdx_print(s, "\nScanning large pool allocation table for tag %s (%s : %s)\n\n", f->pattern,
                  kdx_session_fmt_ptr(s, lo, t.base), kdx_session_fmt_ptr(s, hi, t.base + t.entries * t.entry_size));
    return kdx_pool_big_walk(s, find_big, f, err) == KDX_OK;
}

static int cmd_poolfind(kdx_session *s, const char *cmd, const char *args)
{
    char pattern[64] = "";
    unsigned want = 0;
    if (sscanf(args, "%63s %u", pattern, &want) < 1 || (want != 0 && want != 1 && want != 2 && want != 4))
        return kdx_cmd_syntax_error(s, cmd, args);
    if (!strncmp(pattern, "0x", 2)) {
        uint32_t v;
        if (!kdx_pool_tag_parse(pattern, &v))
            return kdx_cmd_syntax_error(s, cmd, args);
        kdx_pool_tag_text(v, pattern);
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    if (want == 2) {
        kdx_print(s, "Special pool is not searched: kdx does not read the special pool's layout yet.\n");
        return 1;
    }
    find_ctx f = {s, pattern, want, 0, 0, s->json ? json_array() : NULL};
    kdx_err berr = {0}, herr = {0};
    bool big_ok = poolfind_big(s, &f, &berr);
    if (!big_ok && !s->json)
        kdx_print(s, "\nUnable to scan the large pool allocation table: %s\n", berr.msg);
    if (!s->json)
        kdx_print(s, "\nSearching the segment heaps of nt!ExPoolState for tag %s\n\n", pattern);
    kdx_segheap_stats hs;
    bool heap_ok = kdx_segheap_walk(s, find_small, &f, &hs, &herr) == KDX_OK;
    if (f.json) {
        poolfind_json(s, &f, big_ok ? NULL : berr.msg, &hs, heap_ok ? NULL : herr.msg);
        return big_ok || heap_ok ? 0 : 1;
    }
    kdx_print(s, "\n%" PRIu64 " large allocation%s with tag %s.\n", f.found, f.found == 1 ? "" : "s", pattern);
    if (heap_ok)
        print_segheap_summary(s, &f, &hs);
    else
        kdx_print(s, "Small allocations were not searched: %s\n", herr.msg);
    if (!heap_ok || !hs.heaps)
        kdx_print(s, "%skdx does not scan a linear pool's pages (Windows 7/8) for small allocations.\n",
                  heap_ok ? "No segment heap was found in nt!ExPoolState; " : "");
    return big_ok || heap_ok ? 0 : 1;
}

/* ---- !pool ---- */

enum { POOL_CONTENTS = 1, POOL_ONLY_ADDR = 2, POOL_NO_TAGINFO = 0x80000000u };

static void pool_big(kdx_session *s, uint64_t addr, const kdx_pool_big *b, unsigned flags)
{
    char va[24], page[24], tag[5], desc[400];
    kdx_pool_tag_text(b->tag, tag);
    kdx_print(s, "Pool page %s region is %s pool\n", kdx_session_fmt_ptr(s, page, addr),
              type_is_paged(b->pool_type) ? "Paged" : "Nonpaged");
    kdx_print(s, "*%s : large page allocation, tag is %s, size is %#" PRIx64 " bytes\n",
              kdx_session_fmt_ptr(s, va, b->va), tag, b->bytes);
    if (!(flags & POOL_NO_TAGINFO)) {
        tag_info ti;
        tag_info_init(s, &ti, &b->tag, 1);
        describe(&ti, b->tag, ", Binary : ", desc, sizeof desc);
        kdx_print(s, "\t\tPooltag %s : %s\n", tag, desc);
        tag_info_free(&ti);
    }
}

static void pool_block_line(kdx_session *s, const kdx_pool_block *b, bool here, unsigned flags, const tag_info *ti)
{
    char va[24], tag[5], desc[400];
    kdx_pool_tag_text(b->tag, tag);
    kdx_print(s, "%c%s size: %4x previous size: %4x  %-11s %c%s\n", here ? '*' : ' ',
              kdx_session_fmt_ptr(s, va, b->header), b->size, b->prev_size, b->pool_type ? "(Allocated)" : "(Free)",
              here ? '*' : ' ', tag);
    if (here && !(flags & POOL_NO_TAGINFO)) {
        describe(ti, b->tag, ", Binary : ", desc, sizeof desc);
        kdx_print(s, "\t\tPooltag %s : %s\n", tag, desc);
    }
}

static int pool_page(kdx_session *s, uint64_t addr, unsigned flags)
{
    kdx_pool_page pg;
    kdx_err err = {0};
    if (kdx_pool_page_read(s, addr, &pg, &err) != KDX_OK) {
        kdx_print(s, "%s\n", err.msg);
        return 1;
    }
    const kdx_pool_block *hit = NULL;
    for (size_t i = 0; i < pg.n; i++)
        if (addr >= pg.blocks[i].header && addr < pg.blocks[i].header + pg.blocks[i].size)
            hit = &pg.blocks[i];
    char page[24];
    bool paged = hit ? hit->paged : pg.n && pg.blocks[0].paged;
    kdx_print(s, "Pool page %s region is %s pool\n", kdx_session_fmt_ptr(s, page, addr), paged ? "Paged" : "Nonpaged");
    tag_info ti;
    tag_info_init(s, &ti, hit ? &hit->tag : NULL, hit ? 1 : 0);
    for (size_t i = 0; i < pg.n; i++)
        if (!(flags & POOL_ONLY_ADDR) || &pg.blocks[i] == hit)
            pool_block_line(s, &pg.blocks[i], &pg.blocks[i] == hit, flags, &ti);
    tag_info_free(&ti);
    if (pg.broken)
        kdx_print(s, "Pool page %s is __inVALID: %s\n", kdx_session_fmt_ptr(s, page, pg.page), pg.why);
    if (!hit)
        kdx_print(s, "%s is not inside any block of this page's header chain.\n", kdx_session_fmt_ptr(s, page, addr));
    if (flags & POOL_CONTENTS)
        kdx_print(s, "(flag 1, the blocks' contents, is not shown by kdx yet: use dc on the addresses above)\n");
    kdx_pool_page_free(&pg);
    return pg.broken || !hit;
}

/* ---- !pool on a segment heap subsegment ---- */

typedef KDX_VEC(kdx_segheap_block) sub_blocks;

static int collect_block(void *ud, const kdx_segheap_block *b)
{
    KDX_VEC_PUSH(*(sub_blocks *)ud, *b);
    return 0;
}

static void segheap_block_line(kdx_session *s, const kdx_segheap_block *b, bool here, unsigned flags,
                               const tag_info *ti)
{
    char va[24], tag[5] = "", desc[400];
    if (b->tag_known && (b->busy || b->tag)) /* a free LFH block never allocated has a zero header */
        kdx_pool_tag_text(b->tag, tag);
    kdx_print(s, "%c%s size: %4x previous size: %4x  %-11s %c%s\n", here ? '*' : ' ',
              kdx_session_fmt_ptr(s, va, b->header), b->size, b->prev_size, b->busy ? "(Allocated)" : "(Free)",
              here ? '*' : ' ', tag);
    if (here && b->tag_known && !(flags & POOL_NO_TAGINFO)) {
        describe(ti, b->tag, ", Binary : ", desc, sizeof desc);
        kdx_print(s, "\t\tPooltag %s : %s\n", tag, desc);
    }
}

/* The block holding addr (its VS chunk header included), and the block
 * whose _POOL_HEADER names the region. */
static const kdx_segheap_block *segheap_hit(const sub_blocks *v, uint64_t addr, const kdx_segheap_block **region)
{
    const kdx_segheap_block *hit = NULL;
    *region = NULL;
    for (size_t i = 0; i < v->len; i++) {
        const kdx_segheap_block *b = &v->items[i];
        if (addr >= b->start && addr < b->header + b->size)
            hit = b;
        if (!*region && b->busy && b->tag_known)
            *region = b;
    }
    if (hit && hit->busy && hit->tag_known)
        *region = hit;
    return hit;
}

static void print_subsegment(kdx_session *s, uint64_t addr, const sub_blocks *v, unsigned flags)
{
    char page[24], sub[24];
    const kdx_segheap_block *region, *hit = segheap_hit(v, addr, &region);
    kdx_print(s, "Pool page %s region is %s\n", kdx_session_fmt_ptr(s, page, addr),
              region ? (type_is_paged(region->pool_type) ? "Paged pool" : "Nonpaged pool")
                     : "unknown (no allocated block's _POOL_HEADER was read)");
    if (v->len)
        kdx_print(s, "(%s subsegment %s of the segment heap ExPoolState.PoolNode[%u].Heaps[%u], %zu blocks)\n",
                  kdx_segheap_kind_name(v->items[0].kind), kdx_session_fmt_ptr(s, sub, v->items[0].subsegment),
                  v->items[0].node, v->items[0].heap, v->len);
    tag_info ti;
    bool tagged = hit && hit->tag_known;
    tag_info_init(s, &ti, tagged ? &hit->tag : NULL, tagged ? 1 : 0);
    for (size_t i = 0; i < v->len; i++)
        if (!(flags & POOL_ONLY_ADDR) || &v->items[i] == hit)
            segheap_block_line(s, &v->items[i], &v->items[i] == hit, flags, &ti);
    tag_info_free(&ti);
    if (!hit)
        kdx_print(s, "%s is not inside any block of this subsegment that could be read.\n",
                  kdx_session_fmt_ptr(s, page, addr));
}

static json_t *hex_json(uint64_t v)
{
    char a[24];
    snprintf(a, sizeof a, "%016" PRIx64, v);
    return json_string(a);
}

/* Under .json: the subsegment's blocks, the one holding addr marked, and the walk's notes. */
static void subsegment_json(kdx_session *s, uint64_t addr, const sub_blocks *v, const kdx_segheap_stats *hs)
{
    const kdx_segheap_block *region, *hit = segheap_hit(v, addr, &region);
    json_t *blocks = json_array(), *notes = json_array();
    for (size_t i = 0; i < v->len; i++) {
        const kdx_segheap_block *b = &v->items[i];
        char tag[5] = "";
        if (b->tag_known && (b->busy || b->tag))
            kdx_pool_tag_text(b->tag, tag);
        json_t *o = json_pack("{s:o, s:i, s:i, s:b, s:s?, s:b}", "address", hex_json(b->header), "size", (int)b->size,
                              "previous_size", (int)b->prev_size, "allocated", b->busy, "tag", tag[0] ? tag : NULL,
                              "holds_address", b == hit);
        json_array_append_new(blocks, o);
    }
    for (size_t i = 0; i < hs->nnotes; i++)
        json_array_append_new(notes, json_string(hs->notes[i]));
    json_t *doc = json_pack("{s:o, s:s, s:o?, s:s?, s:b, s:o, s:o}", "address", hex_json(addr), "walk",
                            v->len ? kdx_segheap_kind_name(v->items[0].kind) : "segment heap", "subsegment",
                            v->len ? hex_json(v->items[0].subsegment) : NULL, "pool",
                            region ? pool_name(region->pool_type) : NULL, "pool_inferred", region != NULL, "blocks",
                            blocks, "notes", notes);
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
}

/* !pool on an address inside a VS or LFH subsegment; *handled false when
 * no segment heap holds addr (the caller reads a _POOL_HEADER page). */
static int pool_segheap(kdx_session *s, uint64_t addr, unsigned flags, bool *handled)
{
    sub_blocks v = {0};
    kdx_segheap_stats hs;
    kdx_err err = {0};
    bool found = false;
    *handled = false;
    char summary[KDX_ERR_MSG_MAX];
    if (kdx_segheap_walk_at(s, addr, collect_block, &v, &hs, &found, &err) != KDX_OK)
        kdx_print(s, "(segment heap not searched: %s)\n", err.msg);
    else if (!found && (hs.unreadable || hs.broken)) {
        kdx_segheap_summary(&hs, summary, sizeof summary);
        kdx_print(s, "(segment heap not searched for this address: %s. The page below is read as a _POOL_HEADER "
                     "chain, which a segment heap VS or LFH page is not)\n", summary);
    } else if (found && s->json) {
        *handled = true;
        subsegment_json(s, addr, &v, &hs);
    } else if (found) {
        *handled = true;
        print_subsegment(s, addr, &v, flags);
        for (size_t i = 0; i < hs.nnotes; i++)
            kdx_print(s, "(%s)\n", hs.notes[i]);
        if (flags & POOL_CONTENTS)
            kdx_print(s, "(flag 1, the blocks' contents, is not shown by kdx yet: use dc on the addresses above)\n");
    }
    const kdx_segheap_block *region;
    int rc = !segheap_hit(&v, addr, &region) || hs.unreadable || hs.broken;
    KDX_VEC_FREE(v);
    return rc;
}

/* ---- !pool without an address: every segment heap, summed ---- */

typedef struct heap_sum {
    uint64_t heap_va, last_sub, blocks, busy, busy_bytes;
    unsigned node, heap, vs, lfh;
} heap_sum;
typedef KDX_VEC(heap_sum) heap_sums;

/* Blocks come heap by heap and subsegment by subsegment. */
static int sum_block(void *ud, const kdx_segheap_block *b)
{
    heap_sums *v = ud;
    if (!v->len || v->items[v->len - 1].heap_va != b->heap_va)
        KDX_VEC_PUSH(*v, ((heap_sum){b->heap_va, 0, 0, 0, 0, b->node, b->heap, 0, 0}));
    heap_sum *h = &v->items[v->len - 1];
    if (h->last_sub != b->subsegment) {
        h->last_sub = b->subsegment;
        h->vs += b->kind == KDX_SEGHEAP_VS;
        h->lfh += b->kind == KDX_SEGHEAP_LFH;
    }
    h->blocks++;
    h->busy += b->busy;
    h->busy_bytes += b->busy ? b->size : 0;
    return 0;
}

static void heaps_json(kdx_session *s, const heap_sums *v, const kdx_segheap_stats *hs)
{
    json_t *heaps = json_array();
    for (size_t i = 0; i < v->len; i++) {
        const heap_sum *h = &v->items[i];
        json_array_append_new(heaps, json_pack("{s:i, s:i, s:o, s:i, s:i, s:I, s:I, s:I}", "pool_node", (int)h->node,
                                               "heap", (int)h->heap, "address", hex_json(h->heap_va),
                                               "vs_subsegments", (int)h->vs, "lfh_subsegments", (int)h->lfh, "blocks",
                                               (json_int_t)h->blocks, "allocated", (json_int_t)h->busy,
                                               "allocated_bytes", (json_int_t)h->busy_bytes));
    }
    json_t *doc = json_pack("{s:o, s:o}", "heaps", heaps, "segment_heap", segheap_json(hs, NULL));
    char *text = json_dumps(doc, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(doc);
}

/* WinDbg's !pool without an address walks a pool's pages; kdx sums each
 * segment heap of nt!ExPoolState instead (kdx's layout). */
static int pool_heaps(kdx_session *s)
{
    heap_sums v = {0};
    kdx_segheap_stats hs;
    kdx_err err = {0};
    if (kdx_segheap_walk(s, sum_block, &v, &hs, &err) != KDX_OK) {
        kdx_print(s, "The segment heaps were not walked: %s\n", err.msg);
        KDX_VEC_FREE(v);
        return 1;
    }
    if (s->json) {
        heaps_json(s, &v, &hs);
    } else {
        char va[24];
        kdx_print(s, "Segment heaps of nt!ExPoolState (%u pool node%s, %u heap%s):\n", hs.nodes,
                  hs.nodes == 1 ? "" : "s", hs.heaps, hs.heaps == 1 ? "" : "s");
        for (size_t i = 0; i < v.len; i++) {
            const heap_sum *h = &v.items[i];
            kdx_print(s, "  PoolNode[%u].Heaps[%u] %s: %u VS and %u LFH subsegments, %" PRIu64 " blocks, %" PRIu64
                         " allocated (%#" PRIx64 " bytes), %" PRIu64 " free\n", h->node, h->heap,
                      kdx_session_fmt_ptr(s, va, h->heap_va), h->vs, h->lfh, h->blocks, h->busy, h->busy_bytes,
                      h->blocks - h->busy);
        }
        if (hs.heaps > v.len)
            kdx_print(s, "  (%zu heap%s with no block that could be read)\n", hs.heaps - v.len,
                      hs.heaps - v.len == 1 ? "" : "s");
        for (size_t i = 0; i < hs.nnotes; i++)
            kdx_print(s, "  %s\n", hs.notes[i]);
        if (hs.dropped)
            kdx_print(s, "  (and %zu more)\n", hs.dropped);
    }
    KDX_VEC_FREE(v);
    return hs.unreadable || hs.broken;
}

static int cmd_pool(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    if (!*args)
        return pool_heaps(s);
    uint64_t addr, flags = 0;
    const char *end = NULL;
    kdx_err err = {0};
    if (kdx_expr_eval(s, args, &addr, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    while (end && isspace((unsigned char)*end))
        end++;
    if (end && *end && kdx_expr_eval_all(s, end, &flags, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    (void)cmd;
    kdx_pool_big b;
    bool found = false;
    kdx_err berr = {0};
    if (kdx_pool_big_find(s, addr, &b, &found, &berr) == KDX_OK && found) {
        pool_big(s, addr, &b, (unsigned)flags);
        return 0;
    }
    if (berr.msg[0])
        kdx_print(s, "(large allocation table not searched: %s)\n", berr.msg);
    bool handled;
    int rc = pool_segheap(s, addr, (unsigned)flags, &handled);
    return handled ? rc : pool_page(s, addr, (unsigned)flags);
}

/* ---- !poolowner (kdx's own) ---- */

static void print_owners(kdx_session *s, const kdx_pool_owners *o, uint32_t tag)
{
    char t4[5], va[24];
    size_t count = 0;
    kdx_pool_tag_text(tag, t4);
    const kdx_pool_owner *best = kdx_pool_owner_best(o, tag, &count);
    kdx_print(s, "Pool tag %s (0x%08x): %zu candidate%s, inferred from the loaded images\n", t4, tag, count,
              count == 1 ? "" : "s");
    for (size_t i = 0; best && i < count; i++) {
        const kdx_pool_owner *c = &best[i];
        char how[160];
        if (c->rank == KDX_OWNER_ALLOC_CALL)
            snprintf(how, sizeof how, "tag argument of a call to %s", c->routine);
        else
            snprintf(how, sizeof how, "%s", kdx_pool_owner_how(c->rank));
        kdx_print(s, "  %-20s %s  %s (%u hit%s)\n", c->module, kdx_session_fmt_ptr(s, va, c->where), how, c->hits,
                  c->hits == 1 ? "" : "s");
    }
}

/* !poolowner Tag...: the image scan's candidates for each tag, best first. */
static int cmd_poolowner(kdx_session *s, const char *cmd, const char *args)
{
    uint32_t tags[16];
    size_t n = 0;
    char word[64];
    for (const char *p = args; n < 16 && sscanf(p, "%63s", word) == 1;) {
        if (!kdx_pool_tag_parse(word, &tags[n++]))
            return kdx_cmd_syntax_error(s, cmd, p);
        p = strstr(p, word) + strlen(word);
    }
    if (!n)
        return kdx_cmd_syntax_error(s, cmd, args);
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_pool_owners o;
    kdx_err err = {0};
    if (kdx_pool_owner_scan(s, tags, n, &o, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (s->json) {
        json_t *arr = json_array();
        tag_info ti = {0};
        ti.owners = o;
        for (size_t i = 0; i < n; i++) {
            char t4[5];
            kdx_pool_tag_text(tags[i], t4);
            json_array_append_new(arr, json_pack("{s:s, s:o}", "tag", t4, "candidates", owners_json(&ti, tags[i])));
        }
        char *text = json_dumps(arr, JSON_INDENT(2));
        kdx_print_json(s, text ? text : "[]");
        free(text);
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++)
            print_owners(s, &o, tags[i]);
        kdx_print(s, "(%u modules scanned, %u of them with bytes from their image file; %u with no bytes in the dump "
                     "or a file)\n", o.modules_scanned, o.modules_from_file, o.modules_absent);
    }
    kdx_pool_owners_free(&o);
    return 0;
}

/* ---- .pooltag ---- */

static int cmd_pooltag(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!strcmp(args, "off")) {
        free(pooltag_path);
        pooltag_path = NULL;
        kdx_print(s, "Pool tag file: none\n");
        return 0;
    }
    if (*args) {
        kdx_pooltag_db db;
        kdx_err err = {0};
        if (kdx_pooltag_load(args, &db, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        kdx_print(s, "Pool tag file %s: %zu tags\n", args, db.n);
        kdx_pooltag_free(&db);
        free(pooltag_path);
        pooltag_path = kdx_strdup(args);
        return 0;
    }
    const char *f = pooltag_file();
    kdx_print(s, "Pool tag file: %s\n", f ? f : "none (tags are attributed by scanning the loaded images)");
    return 0;
}

const kdx_command kdx_cmds_pool[] = {
    {"!poolused", cmd_poolused, "pool use by tag: [Flags 1 verbose,2 nonpaged,4 paged,8 session] [Tag] [/t N]", 0},
    {"!poolfind", cmd_poolfind, "find allocations of a pool tag: Tag [PoolType]", 0},
    {"!pool", cmd_pool, "the pool page or large allocation holding an address: Address [Flags]", 0},
    {"!poolowner", cmd_poolowner, "kdx: which loaded images use a pool tag, ranked (inferred): Tag...", 0},
    {".pooltag", cmd_pooltag, "the pooltag.txt used to describe tags: [File|off] (default $KDX_POOLTAG)", 0},
    {0}};
