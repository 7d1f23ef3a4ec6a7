/* The kernel pool's tag tables, large-allocation table and header pages
 * (pool.h), read field by field through the loaded types. */
#include "nt/pool.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/util.h"
#include "nt/field.h"
#include "target/memory.h"

#define TRACK "nt!_POOL_TRACKER_TABLE"
#define BIG "nt!_POOL_TRACKER_BIG_PAGES"
#define HEADER "nt!_POOL_HEADER"
#define POOL_PAGE 0x1000ull
/* Upper bounds on table lengths read from the dump: far above any real
 * system (PoolTrackTableSize is a few thousand, PoolBigPageTableSize a few
 * hundred thousand), low enough that a corrupt count cannot run for hours. */
#define MAX_TRACK_ENTRIES (1ull << 22)
#define MAX_BIG_ENTRIES (1ull << 26)
#define CHUNK_ENTRIES 4096

/* ---- globals ---- */

static kdx_status read_global(kdx_session *s, const char *name, bool pointer_sized, uint64_t *v, kdx_err *err)
{
    uint64_t addr;
    kdx_status st = kdx_nt_symbol(s, name, &addr, err);
    if (st != KDX_OK)
        return st;
    kdx_err e = {0};
    uint8_t b[8] = {0};
    size_t len = pointer_sized ? (size_t)kdx_session_ptr_size(s) : 8, done = 0;
    st = kdx_read_virt(s->target, addr, b, len, &done, &e);
    if (st != KDX_OK)
        return kdx_err_set(err, st, "%s (at %016" PRIx64 ") %s: %s", name, addr,
                           st == KDX_E_MEM_MISSING ? "is not in the dump" : "cannot be read", e.msg);
    *v = len == 4 ? kdx_le32(b) : kdx_le64(b);
    return KDX_OK;
}

/* ---- tags ---- */

void kdx_pool_tag_text(uint32_t tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = isprint(c) ? (char)c : '.';
    }
    out[4] = 0;
}

static bool match_at(const char *p, const char *t, size_t tn)
{
    if (!*p)
        return tn == 0;
    if (*p == '*')
        return match_at(p + 1, t, tn) || (tn && match_at(p, t + 1, tn - 1));
    if (!tn)
        return false;
    return (*p == '?' || *p == *t) && match_at(p + 1, t + 1, tn - 1);
}

bool kdx_pool_tag_match(const char *pattern, uint32_t tag)
{
    char t[5];
    for (int i = 0; i < 4; i++)
        t[i] = (char)(tag >> (8 * i));
    t[4] = 0;
    /* A tag shorter than 4 characters ("Mm") is padded with spaces. */
    char p[16];
    size_t n = strlen(pattern);
    if (n < 4 && !strchr(pattern, '*')) {
        snprintf(p, sizeof p, "%-4s", pattern);
        pattern = p;
    }
    return match_at(pattern, t, 4);
}

bool kdx_pool_tag_parse(const char *text, uint32_t *tag)
{
    if (text[0] == '0' && text[1] == 'x') {
        char *end;
        unsigned long long v = strtoull(text + 2, &end, 16);
        if (*end || end == text + 2 || v > UINT32_MAX)
            return false;
        *tag = (uint32_t)v;
        return true;
    }
    size_t n = strlen(text);
    if (n == 0 || n > 4)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++)
        v |= (uint32_t)(unsigned char)(i < n ? text[i] : ' ') << (8 * i);
    *tag = v;
    return true;
}

/* Looks up n fields of type in order; the first missing one is the error. */
static kdx_status fields_of(kdx_session *s, const char *type, const char *const *names, const kdx_nt_field **out,
                            size_t n, kdx_err *err)
{
    kdx_status st = KDX_OK;
    for (size_t i = 0; i < n && st == KDX_OK; i++)
        st = kdx_nt_field_of(s, type, names[i], &out[i], err);
    return st;
}

/* ---- the tag tables ---- */

enum { T_KEY, T_NPB, T_NPA, T_NPF, T_PB, T_PA, T_PF, T_COUNT };
typedef struct track_fields {
    const kdx_nt_field *f[T_COUNT];
    uint64_t size;
} track_fields;

static kdx_status track_layout(kdx_session *s, track_fields *f, kdx_err *err)
{
    static const char *const names[T_COUNT] = {"Key",        "NonPagedBytes", "NonPagedAllocs", "NonPagedFrees",
                                               "PagedBytes", "PagedAllocs",   "PagedFrees"};
    kdx_status st = kdx_nt_sizeof(s, TRACK, &f->size, err);
    if (st == KDX_OK)
        st = fields_of(s, TRACK, names, f->f, T_COUNT, err);
    if (st == KDX_OK && (f->size == 0 || f->size > 4096))
        st = kdx_err_set(err, KDX_E_FORMAT, "%s has an unusable size %" PRIu64, TRACK, f->size);
    return st;
}

static kdx_pool_tag_use *usage_slot(kdx_pool_usage *u, uint32_t tag)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->tags[i].tag == tag)
            return &u->tags[i];
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 256;
        u->tags = kdx_xrealloc(u->tags, u->cap * sizeof *u->tags);
    }
    kdx_pool_tag_use *t = &u->tags[u->n++];
    memset(t, 0, sizeof *t);
    t->tag = tag;
    return t;
}

static void add_entry(kdx_pool_usage *u, const track_fields *f, const uint8_t *p)
{
    uint32_t key = (uint32_t)kdx_nt_field_value(f->f[T_KEY], p);
    if (key == 0)
        return;
    kdx_pool_tag_use *t = usage_slot(u, key);
    t->np_bytes += kdx_nt_field_value(f->f[T_NPB], p);
    t->np_allocs += kdx_nt_field_value(f->f[T_NPA], p);
    t->np_frees += kdx_nt_field_value(f->f[T_NPF], p);
    t->p_bytes += kdx_nt_field_value(f->f[T_PB], p);
    t->p_allocs += kdx_nt_field_value(f->f[T_PA], p);
    t->p_frees += kdx_nt_field_value(f->f[T_PF], p);
}

/* Reads the table whose address is in the pointer global table_sym and
 * whose length is in size_sym. */
static kdx_status read_table(kdx_session *s, const track_fields *f, const char *table_sym, const char *size_sym,
                             kdx_pool_usage *u, kdx_err *err)
{
    uint64_t base, count;
    kdx_status st = read_global(s, table_sym, true, &base, err);
    if (st == KDX_OK)
        st = read_global(s, size_sym, true, &count, err);
    if (st != KDX_OK)
        return st;
    if (base == 0 || count == 0)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s is %s", base ? size_sym : table_sym, "0 (no table)");
    if (count > MAX_TRACK_ENTRIES)
        return kdx_err_set(err, KDX_E_LIMIT, "%s is %" PRIu64 ", more than the %llu entries kdx accepts", size_sym,
                           count, (unsigned long long)MAX_TRACK_ENTRIES);
    size_t chunk = CHUNK_ENTRIES * (size_t)f->size;
    uint8_t *buf = kdx_xmalloc(chunk);
    for (uint64_t i = 0; i < count && st == KDX_OK; i += CHUNK_ENTRIES) {
        if (kdx_interrupted()) {
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "reading %s interrupted", table_sym);
            break;
        }
        uint64_t n = count - i < CHUNK_ENTRIES ? count - i : CHUNK_ENTRIES;
        uint64_t at = base + i * f->size;
        size_t done = 0;
        kdx_err e = {0};
        if (kdx_read_virt(s->target, at, buf, (size_t)(n * f->size), &done, &e) != KDX_OK) {
            uint64_t bad = at + done;
            st = kdx_err_set(err, e.code, "%s entry %" PRIu64 " of %" PRIu64 " (%016" PRIx64 ") cannot be read: %s",
                             table_sym, i + done / f->size, count, bad, e.msg);
        }
        for (uint64_t k = 0; k < n && st == KDX_OK; k++)
            add_entry(u, f, buf + k * f->size);
    }
    free(buf);
    if (st == KDX_OK)
        u->tables++;
    return st;
}

kdx_status kdx_pool_usage_read(kdx_session *s, bool session, kdx_pool_usage *u, kdx_err *err)
{
    memset(u, 0, sizeof *u);
    track_fields f;
    kdx_status st = track_layout(s, &f, err);
    if (st != KDX_OK)
        return st;
    if (session)
        return read_table(s, &f, "nt!ExpSessionPoolTrackTable", "nt!ExpSessionPoolTrackTableSize", u, err);
    st = read_table(s, &f, "nt!PoolTrackTable", "nt!PoolTrackTableSize", u, err);
    if (st != KDX_OK)
        return st;
    /* The expansion table exists only once the main one filled up: a 0
     * pointer is normal, an unreadable one is reported. */
    kdx_err e = {0};
    kdx_status xs = read_table(s, &f, "nt!PoolTrackTableExpansion", "nt!PoolTrackTableExpansionSize", u, &e);
    if (xs != KDX_OK && xs != KDX_E_NOT_FOUND)
        snprintf(u->notes, sizeof u->notes, "%s", e.msg);
    return KDX_OK;
}

void kdx_pool_usage_free(kdx_pool_usage *u)
{
    free(u->tags);
    memset(u, 0, sizeof *u);
}

uint64_t kdx_pool_np_outstanding(const kdx_pool_tag_use *t)
{
    return t->np_allocs > t->np_frees ? t->np_allocs - t->np_frees : 0;
}

uint64_t kdx_pool_p_outstanding(const kdx_pool_tag_use *t)
{
    return t->p_allocs > t->p_frees ? t->p_allocs - t->p_frees : 0;
}

/* ---- large allocations ---- */

kdx_status kdx_pool_big_locate(kdx_session *s, kdx_pool_big_table *t, kdx_err *err)
{
    kdx_status st = kdx_nt_sizeof(s, BIG, &t->entry_size, err);
    if (st == KDX_OK)
        st = read_global(s, "nt!PoolBigPageTable", true, &t->base, err);
    if (st == KDX_OK)
        st = read_global(s, "nt!PoolBigPageTableSize", true, &t->entries, err);
    if (st != KDX_OK)
        return st;
    if (t->base == 0 || t->entries == 0)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "nt!PoolBigPageTable%s is 0", t->base ? "Size" : "");
    if (t->entries > MAX_BIG_ENTRIES || t->entry_size == 0 || t->entry_size > 256)
        return kdx_err_set(err, KDX_E_LIMIT, "nt!PoolBigPageTableSize %" PRIu64 " is beyond the %llu entries kdx accepts",
                           t->entries, (unsigned long long)MAX_BIG_ENTRIES);
    return KDX_OK;
}

enum { B_VA, B_KEY, B_TYPE, B_BYTES, B_COUNT };
typedef struct big_fields {
    const kdx_nt_field *f[B_COUNT];
} big_fields;

static kdx_status big_layout(kdx_session *s, big_fields *f, kdx_err *err)
{
    static const char *const names[B_COUNT] = {"Va", "Key", "PoolType", "NumberOfBytes"};
    return fields_of(s, BIG, names, f->f, B_COUNT, err);
}

/* Decodes one entry; false for an empty one. Bit 0 of Va marks a free entry
 * (POOL_BIG_TABLE_ENTRY_FREE); the protected bit of the tag is dropped. */
static bool big_decode(const big_fields *f, const uint8_t *p, uint64_t entry, kdx_pool_big *b)
{
    uint64_t va = kdx_nt_field_value(f->f[B_VA], p);
    if (va == 0 || va == 1)
        return false;
    b->free = va & 1;
    b->va = va & ~1ull;
    b->entry = entry;
    b->tag = (uint32_t)kdx_nt_field_value(f->f[B_KEY], p) & 0x7fffffffu;
    b->pool_type = (uint32_t)kdx_nt_field_value(f->f[B_TYPE], p);
    b->bytes = kdx_nt_field_value(f->f[B_BYTES], p);
    return true;
}

kdx_status kdx_pool_big_walk(kdx_session *s, kdx_pool_big_cb cb, void *ud, kdx_err *err)
{
    kdx_pool_big_table t;
    big_fields f;
    kdx_status st = kdx_pool_big_locate(s, &t, err);
    if (st == KDX_OK)
        st = big_layout(s, &f, err);
    if (st != KDX_OK)
        return st;
    uint8_t *buf = kdx_xmalloc(CHUNK_ENTRIES * (size_t)t.entry_size);
    int stop = 0;
    for (uint64_t i = 0; i < t.entries && st == KDX_OK && !stop; i += CHUNK_ENTRIES) {
        if (kdx_interrupted()) {
            st = kdx_err_set(err, KDX_E_INTERRUPTED, "walking nt!PoolBigPageTable interrupted at entry %" PRIu64, i);
            break;
        }
        uint64_t n = t.entries - i < CHUNK_ENTRIES ? t.entries - i : CHUNK_ENTRIES;
        uint64_t at = t.base + i * t.entry_size;
        size_t done = 0;
        kdx_err e = {0};
        if (kdx_read_virt(s->target, at, buf, (size_t)(n * t.entry_size), &done, &e) != KDX_OK)
            st = kdx_err_set(err, e.code, "nt!PoolBigPageTable entry %" PRIu64 " of %" PRIu64 " (%016" PRIx64
                             ") cannot be read: %s", i + done / t.entry_size, t.entries, at + done, e.msg);
        for (uint64_t k = 0; k < n && st == KDX_OK && !stop; k++) {
            kdx_pool_big b;
            if (big_decode(&f, buf + k * t.entry_size, at + k * t.entry_size, &b))
                stop = cb(ud, &b);
        }
    }
    free(buf);
    return st;
}

typedef struct big_search {
    uint64_t addr;
    kdx_pool_big *out;
    bool *found;
} big_search;

static int big_holds(void *ud, const kdx_pool_big *b)
{
    big_search *q = ud;
    if (b->free || q->addr < b->va || q->addr - b->va >= (b->bytes ? b->bytes : 1))
        return 0;
    *q->out = *b;
    *q->found = true;
    return 1;
}

kdx_status kdx_pool_big_find(kdx_session *s, uint64_t addr, kdx_pool_big *out, bool *found, kdx_err *err)
{
    *found = false;
    big_search q = {addr, out, found};
    return kdx_pool_big_walk(s, big_holds, &q, err);
}

/* ---- _POOL_HEADER pages ---- */

enum { H_PREV, H_BLOCK, H_TYPE, H_TAG, H_COUNT };
typedef struct header_fields {
    const kdx_nt_field *f[H_COUNT];
    uint64_t unit;            /* sizeof(_POOL_HEADER): BlockSize's unit */
} header_fields;

static kdx_status header_layout(kdx_session *s, header_fields *f, kdx_err *err)
{
    static const char *const names[H_COUNT] = {"PreviousSize", "BlockSize", "PoolType", "PoolTag"};
    kdx_status st = kdx_nt_sizeof(s, HEADER, &f->unit, err);
    if (st == KDX_OK)
        st = fields_of(s, HEADER, names, f->f, H_COUNT, err);
    if (st == KDX_OK && (f->unit == 0 || f->unit > 64 || POOL_PAGE % f->unit))
        st = kdx_err_set(err, KDX_E_FORMAT, "%s has an unusable size %" PRIu64, HEADER, f->unit);
    return st;
}

static void broken(kdx_pool_page *pg, const char *fmt, uint64_t at, uint64_t a, uint64_t b)
{
    pg->broken = true;
    snprintf(pg->why, sizeof pg->why, fmt, at, a, b);
}

/* Follows BlockSize from the start of the page; each header's PreviousSize
 * must equal the block before it (the consistency WinDbg's !pool checks). */
static void walk_headers(const header_fields *f, const uint8_t *bytes, kdx_pool_page *pg)
{
    size_t cap = 0;
    uint64_t off = 0, prev = 0;
    while (off + f->unit <= POOL_PAGE) {
        const uint8_t *p = bytes + off;
        uint64_t block = kdx_nt_field_value(f->f[H_BLOCK], p) * f->unit;
        uint64_t previous = kdx_nt_field_value(f->f[H_PREV], p) * f->unit;
        if (block == 0) {
            broken(pg, "pool header %016" PRIx64 ": BlockSize 0 (previous size %" PRIx64 ")%.0" PRIx64,
                   pg->page + off, previous, 0);
            return;
        }
        if (previous != prev) {
            broken(pg, "pool header %016" PRIx64 ": PreviousSize %" PRIx64 " but the block before is %" PRIx64,
                   pg->page + off, previous, prev);
            return;
        }
        if (off + block > POOL_PAGE) {
            broken(pg, "pool header %016" PRIx64 ": BlockSize %" PRIx64 " runs past the page (%" PRIx64 " left)",
                   pg->page + off, block, POOL_PAGE - off);
            return;
        }
        if (pg->n == cap) {
            cap = cap ? cap * 2 : 32;
            pg->blocks = kdx_xrealloc(pg->blocks, cap * sizeof *pg->blocks);
        }
        kdx_pool_block *b = &pg->blocks[pg->n++];
        b->header = pg->page + off;
        b->size = (uint32_t)block;
        b->prev_size = (uint32_t)previous;
        b->tag = (uint32_t)kdx_nt_field_value(f->f[H_TAG], p) & 0x7fffffffu;
        b->pool_type = (uint32_t)kdx_nt_field_value(f->f[H_TYPE], p);
        b->paged = b->pool_type && ((b->pool_type - 1) & 1);
        prev = block;
        off += block;
    }
}

kdx_status kdx_pool_page_read(kdx_session *s, uint64_t addr, kdx_pool_page *pg, kdx_err *err)
{
    memset(pg, 0, sizeof *pg);
    pg->page = addr & ~(POOL_PAGE - 1);
    header_fields f;
    kdx_status st = header_layout(s, &f, err);
    if (st != KDX_OK)
        return st;
    uint8_t *bytes = kdx_xmalloc(POOL_PAGE);
    size_t done = 0;
    kdx_err e = {0};
    st = kdx_read_virt(s->target, pg->page, bytes, POOL_PAGE, &done, &e);
    if (st != KDX_OK)
        st = kdx_err_set(err, st, "pool page %016" PRIx64 " cannot be read: %s", pg->page, e.msg);
    else
        walk_headers(&f, bytes, pg);
    free(bytes);
    return st;
}

void kdx_pool_page_free(kdx_pool_page *pg)
{
    free(pg->blocks);
    pg->blocks = NULL;
    pg->n = 0;
}
