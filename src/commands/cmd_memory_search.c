/* The s command (search memory), registered in cmd_memory.c:
 *   s [-[Flags]Type] Range Pattern   Type b (default) w d q a u
 *   s -[Flags]sa Range / s -[Flags]su Range   any printable strings
 * Flags in brackets: 1 (addresses only), w (writable pages only),
 * l N (minimum string length for sa/su, default 3).
 * On kernel dumps a pattern search reads memory in place (search_scan.c);
 * otherwise, and for strings or writable-only searches, memory is read a
 * page at a time; unreadable regions are skipped as a whole (an invalid
 * upper-level entry skips everything it would map). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/fmt.h"
#include "commands/command.h"
#include "commands/memory_cmds.h"
#include "commands/search_scan.h"
#include "expr/expr.h"
#include "expr/range.h"
#include "mm/translate.h"
#include "target/memory.h"

typedef struct search_spec {
    char type;            /* b w d q a u; 's' for -sa/-su */
    bool unicode;         /* -su */
    bool addr_only;       /* [1] */
    bool writable_only;   /* [w] */
    unsigned min_len;     /* [l N] */
    unsigned unit;        /* hits are aligned to this */
    KDX_VEC(uint8_t) pattern;
} search_spec;

/* Ranges this large cannot be probed page by page on targets that neither
 * have page tables nor can list their memory ranges. */
#define PROBE_LIMIT 0x100000000ull

static const char *parse_flags(const char *p, search_spec *sp)
{
    if (*p != '[')
        return p;
    for (p++; *p && *p != ']'; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (c == '1')
            sp->addr_only = true;
        else if (c == 'w')
            sp->writable_only = true;
        else if (c == 'l' || c == 'n') {
            char *e;
            unsigned long v = strtoul(kdx_skip_ws(p + 1), &e, 16);
            if (c == 'l')
                sp->min_len = v ? (unsigned)v : 1;
            p = e - 1;
        } else if (c != 's') {
            return NULL; /* r (restrict to saved hits) and unknown letters */
        }
    }
    return *p == ']' ? p + 1 : NULL;
}

static const char *parse_type(const char *p, search_spec *sp)
{
    char c = (char)tolower((unsigned char)*p);
    if (c == 's' && (tolower((unsigned char)p[1]) == 'a' || tolower((unsigned char)p[1]) == 'u')) {
        sp->type = 's';
        sp->unicode = tolower((unsigned char)p[1]) == 'u';
        return p + 2;
    }
    if (!c || !strchr("bwdqau", c))
        return NULL;
    sp->type = c;
    return p + 1;
}


static int parse_pattern(kdx_session *s, const char *cmd, const char *p, search_spec *sp)
{
    kdx_err err;
    if (sp->type == 'a' || sp->type == 'u') {
        kdx_strbuf str;
        kdx_sb_init(&str);
        kdx_sb_puts(&str, "");
        const char *end = kdx_memory_parse_quoted(p, &str);
        bool ok = end && !*kdx_skip_ws(end) && str.len > 0;
        for (size_t i = 0; ok && i < str.len; i++) {
            KDX_VEC_PUSH(sp->pattern, (uint8_t)str.s[i]);
            if (sp->type == 'u')
                KDX_VEC_PUSH(sp->pattern, 0);
        }
        kdx_sb_free(&str);
        return ok ? 0 : kdx_cmd_syntax_error(s, cmd, p);
    }
    p = kdx_skip_ws(p);
    while (*p) {
        uint64_t x;
        const char *e = *p == '\'' ? kdx_memory_char_literal(p, &x) : NULL;
        if (!e && kdx_expr_eval(s, p, &x, &e, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        /* A value the evaluator sign-extended as a kernel address (deadbeef ->
         * ffffffff`deadbeef) still names the 32-bit pattern the user typed. */
        if (sp->unit == 4 && (x >> 31) == 0x1ffffffffull)
            x &= 0xffffffffull;
        if (sp->unit < 8 && (x >> (sp->unit * 8)) != 0) {
            kdx_print(s, "Overflow in '%s'\n", p);
            return 1;
        }
        for (unsigned i = 0; i < sp->unit; i++)
            KDX_VEC_PUSH(sp->pattern, (uint8_t)(x >> (8 * i)));
        p = kdx_skip_ws(e);
    }
    return sp->pattern.len ? 0 : kdx_cmd_syntax_error(s, cmd, p);
}

static bool has_tables(const kdx_target *t)
{
    return t->paging != KDX_PAGING_NONE && t->ops && t->ops->read_phys;
}

/* Where to resume after va could not be read; 0 when nothing follows. */
static uint64_t skip_unreadable(kdx_target *t, uint64_t va)
{
    uint64_t span = 4096;
    if (has_tables(t)) {
        uint64_t c = kdx_mm_next_canonical(t->paging, va);
        if (c != va)
            return c > va ? c : 0;
        kdx_xlat x;
        if (kdx_mm_translate(t, t->dtb, va, &x, NULL) != KDX_OK)
            span = kdx_mm_level_span(t->paging, x.fail_level);
    } else if (t->next_virt) {
        uint64_t next;
        if (t->next_virt(t->impl, va + 1, &next) != KDX_OK)
            return 0;
        return next > va ? next : 0;
    }
    uint64_t next = (va & ~(span - 1)) + span;
    return next > va ? next : 0;
}

static bool page_writable(kdx_target *t, uint64_t va)
{
    if (!has_tables(t))
        return true; /* no page protections in the dump: every page counts */
    kdx_xlat x;
    if (kdx_mm_translate(t, t->dtb, va, &x, NULL) != KDX_OK)
        return false;
    int leaf = x.nlevels - 1;
    char flags[12];
    kdx_mm_pte_flags(t->paging, x.total_levels, leaf, x.level[leaf].value, flags);
    return flags[8] == 'W';
}

static void print_hit(kdx_session *s, const search_spec *sp, uint64_t addr)
{
    if (sp->addr_only) {
        char a[KDX_ADDR_BUF];
        kdx_print(s, "%s\n", kdx_session_fmt_ptr(s, a, addr));
        return;
    }
    switch (sp->type) {
    case 'w': kdx_memory_print_line(s, "dw", true, addr); break;
    case 'd': kdx_memory_print_line(s, "dd", true, addr); break;
    case 'q': kdx_memory_print_line(s, "dq", true, addr); break;
    default: kdx_memory_print_line(s, "db", false, addr); break;
    }
}

/* A printable run being collected by -sa/-su. */
typedef struct str_run {
    uint64_t start;
    kdx_strbuf text;
} str_run;

static void run_end(kdx_session *s, const search_spec *sp, str_run *r)
{
    if (r->text.len >= sp->min_len) {
        if (sp->addr_only) {
            char a[KDX_ADDR_BUF];
            kdx_print(s, "%s\n", kdx_session_fmt_ptr(s, a, r->start));
        } else {
            char a[KDX_ADDR_BUF];
            kdx_print(s, "%s  \"%s\"\n", kdx_session_fmt_ptr(s, a, r->start), r->text.s);
        }
    }
    r->text.len = 0;
    r->text.s[0] = '\0';
}

static void strings_in(kdx_session *s, const search_spec *sp, str_run *r, uint64_t base,
                       const uint8_t *b, size_t n)
{
    size_t step = sp->unicode ? 2 : 1;
    for (size_t i = 0; i + step <= n; i += step) {
        unsigned c = sp->unicode ? (unsigned)(b[i] | b[i + 1] << 8) : b[i];
        if (c >= 0x20 && c < 0x7f) {
            if (r->text.len == 0)
                r->start = base + i;
            kdx_sb_putc(&r->text, (char)c);
        } else if (r->text.len) {
            run_end(s, sp, r);
        }
    }
}

/* The first unit (2, 4 or 8 bytes) of a and b are equal: fixed-size loads. */
static inline bool unit_equal(const uint8_t *a, const uint8_t *b, unsigned unit)
{
    if (unit == 4) {
        uint32_t x, y;
        memcpy(&x, a, 4), memcpy(&y, b, 4);
        return x == y;
    }
    if (unit == 8) {
        uint64_t x, y;
        memcpy(&x, a, 8), memcpy(&y, b, 8);
        return x == y;
    }
    uint16_t x, y;
    memcpy(&x, a, 2), memcpy(&y, b, 2);
    return x == y;
}

/* Scans [start, end) a page at a time. A pattern may straddle pages, so
 * the last pattern_len-1 bytes of a readable page carry over. */
static void search_range(kdx_session *s, const search_spec *sp, uint64_t start, uint64_t end)
{
    kdx_target *t = s->target;
    size_t plen = sp->type == 's' ? 1 : sp->pattern.len;
    uint8_t *win = kdx_xmalloc(4096 + plen);
    str_run run;
    run.start = 0;
    kdx_sb_init(&run.text);
    kdx_sb_puts(&run.text, "");
    size_t carry = 0;
    uint64_t a = start;
    while (a < end && !kdx_interrupted()) {
        kdx_progress_report("s", a - start, end - start, "bytes");
        size_t chunk = (size_t)KDX_MIN((uint64_t)(4096 - (a & 0xfff)), end - a);
        size_t done = 0;
        if (!sp->writable_only || page_writable(t, a))
            kdx_read_virt(t, a, win + carry, chunk, &done, NULL);
        if (sp->type == 's') {
            strings_in(s, sp, &run, a, win, done);
        } else {
            size_t avail = carry + done;
            uint64_t base = a - carry;
            if (sp->unit > 1) {
                /* w/d/q hits are aligned: compare at aligned offsets only. */
                size_t off = (size_t)((sp->unit - base % sp->unit) % sp->unit);
                for (; off + plen <= avail; off += sp->unit)
                    if (unit_equal(win + off, sp->pattern.items, sp->unit) &&
                        memcmp(win + off, sp->pattern.items, plen) == 0)
                        print_hit(s, sp, base + off);
            }
            for (size_t off = 0; sp->unit == 1 && off + plen <= avail;) {
                uint8_t *hit = memmem(win + off, avail - off, sp->pattern.items, plen);
                if (!hit)
                    break;
                uint64_t ha = base + (uint64_t)(hit - win);
                if (ha % sp->unit == 0)
                    print_hit(s, sp, ha);
                off = (size_t)(hit - win) + 1;
            }
            carry = KDX_MIN(avail, plen - 1);
            memmove(win, win + avail - carry, carry);
        }
        if (done < chunk) {
            carry = 0;
            if (run.text.len)
                run_end(s, sp, &run);
            uint64_t next = skip_unreadable(t, a + done);
            if (!next)
                break;
            a = next;
            continue;
        }
        if (a + chunk < a)
            break;
        a += chunk;
    }
    if (run.text.len)
        run_end(s, sp, &run);
    kdx_sb_free(&run.text);
    if (!kdx_interrupted()) /* the rest of the range is unreadable: the scan is complete */
        kdx_progress_report("s", end - start, end - start, "bytes");
    free(win);
}

/* Memory read where it lies in the dump file (search_scan.c); false when the
 * target does not allow it. */
static bool search_in_place(kdx_session *s, const search_spec *sp, uint64_t start, uint64_t end)
{
    kdx_search_job job = {sp->pattern.items, sp->pattern.len, sp->unit, 0};
    kdx_search_hits hits = {0};
    if (!kdx_search_scan(s->target, &job, start, end, &hits))
        return false;
    for (size_t i = 0; i < hits.len; i++)
        print_hit(s, sp, hits.items[i]);
    free(hits.items);
    return true;
}

int kdx_cmd_search(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    search_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.type = 'b';
    sp.min_len = 3;
    const char *p = kdx_skip_ws(args);
    if (*p == '-') {
        const char *q = parse_flags(p + 1, &sp);
        q = q ? parse_type(q, &sp) : NULL;
        if (!q)
            return kdx_cmd_syntax_error(s, cmd, p);
        p = q;
    }
    sp.unit = sp.type == 'w' ? 2 : sp.type == 'd' ? 4 : sp.type == 'q' ? 8 : 1;
    kdx_err err;
    kdx_range r;
    const char *end;
    if (kdx_parse_range(s, p, 1, 0, &r, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (!r.has_start || !r.has_count)
        return kdx_cmd_syntax_error(s, cmd, p);
    if (sp.type == 's') {
        if (*end)
            return kdx_cmd_syntax_error(s, cmd, end);
    } else if (parse_pattern(s, cmd, end, &sp) != 0) {
        KDX_VEC_FREE(sp.pattern);
        return 1;
    }
    kdx_target *t = s->target;
    if (!has_tables(t) && !t->next_virt && r.count > PROBE_LIMIT) {
        KDX_VEC_FREE(sp.pattern);
        kdx_print(s, "The range is too large to probe page by page on this dump (%s cannot "
                     "list its memory ranges); search at most 4 GB at a time.\n",
                  t->ops && t->ops->format_name ? t->ops->format_name : "its reader");
        return 1;
    }
    if (sp.unicode && (r.start & 1)) { /* UTF-16 units are 2-byte aligned */
        r.start++;
        r.count = r.count ? r.count - 1 : 0;
    }
    uint64_t stop = r.start + r.count;
    if (stop < r.start)
        stop = UINT64_MAX;
    if (sp.type == 's' || sp.writable_only || !search_in_place(s, &sp, r.start, stop))
        search_range(s, &sp, r.start, stop);
    KDX_VEC_FREE(sp.pattern);
    return 0;
}
