/* Handle tables of one, two and three levels (handle.h). */
#include "nt/handle.h"

#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"
#include "nt/field.h"
#include "target/memory.h"

#define HT "nt!_HANDLE_TABLE"
#define HTE "nt!_HANDLE_TABLE_ENTRY"
#define PAGE 0x1000ull
/* x64 Windows 8.1 and later keep bits 4..47 of the pointer in ObjectPointerBits. */
#define X64_KERNEL_HIGH 0xffff000000000000ull

kdx_status kdx_nt_handle_table_read(kdx_session *s, uint64_t addr, kdx_nt_handle_table *ht, kdx_err *err)
{
    memset(ht, 0, sizeof *ht);
    ht->addr = addr;
    kdx_status st = kdx_nt_read(s, HT, addr, "TableCode", &ht->table_code, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, HT, addr, "NextHandleNeedingPool", &ht->next_handle, err);
    if (st == KDX_OK)
        st = kdx_nt_sizeof(s, HTE, &ht->entry_size, err);
    if (st != KDX_OK)
        return st;
    ht->levels = (unsigned)(ht->table_code & 3);
    if (ht->levels == 3)
        return kdx_err_set(err, KDX_E_FORMAT, "handle table at %llx: TableCode %llx has level 3, which Windows never uses",
                           (unsigned long long)addr, (unsigned long long)ht->table_code);
    if (ht->entry_size == 0 || ht->entry_size > PAGE)
        return kdx_err_set(err, KDX_E_FORMAT, "%s has an unusable size", HTE);
    return KDX_OK;
}

/* Decodes an entry read into buf; false when it is free. */
static bool decode_entry(kdx_session *s, const uint8_t *buf, kdx_nt_handle *h)
{
    const kdx_nt_field *f;
    uint64_t obj = 0;
    if (kdx_nt_field_of(s, HTE, "ObjectPointerBits", &f, NULL) == KDX_OK) {
        uint64_t bits = kdx_nt_field_value(f, buf);
        obj = bits ? (bits << 4) | X64_KERNEL_HIGH : 0;
    } else if (kdx_nt_field_of(s, HTE, "Object", &f, NULL) == KDX_OK) {
        obj = kdx_nt_field_value(f, buf) & ~7ull; /* low bits are lock/attribute flags */
        if (obj && s->target->ptr_size == 4)
            obj |= 0x80000000ull;
    }
    if (!obj)
        return false;
    h->object = kdx_sign_extend_ptr(s->target, obj);
    h->access = 0;
    if (kdx_nt_field_of(s, HTE, "GrantedAccessBits|GrantedAccess", &f, NULL) == KDX_OK)
        h->access = (uint32_t)kdx_nt_field_value(f, buf);
    return true;
}

typedef struct walk_ctx {
    kdx_session *s;
    const kdx_nt_handle_table *ht;
    kdx_nt_handle_cb cb;
    void *ud;
    uint64_t *skipped;
    kdx_err *why;
    bool stop;
    uint64_t per_low, per_mid;   /* entries per low-level page, pointers per mid page */
} walk_ctx;

static void note_gap(walk_ctx *w, uint64_t entries, const kdx_err *e)
{
    if (w->skipped) {
        if (!*w->skipped && w->why)
            *w->why = *e;
        *w->skipped += entries;
    }
}

/* One page of entries whose first handle index is first. */
static void walk_low(walk_ctx *w, uint64_t page, uint64_t first)
{
    uint64_t limit = w->ht->next_handle / 4;
    uint8_t *buf = kdx_xmalloc(PAGE);
    kdx_err e = {0};
    uint64_t n = KDX_MIN(w->per_low, limit > first ? limit - first : 0);
    uint64_t es = w->ht->entry_size;
    uint8_t *present = NULL;
    if (n && kdx_read_virt(w->s->target, page, buf, (size_t)(n * es), NULL, &e) != KDX_OK) {
        /* Triage dumps keep parts of pages: decode the entries that are there, count the rest. */
        present = kdx_xmalloc((size_t)(n * es));
        kdx_read_virt_present(w->s->target, page, buf, (size_t)(n * es), present);
    }
    uint64_t missing = 0;
    /* Entry 0 of each low-level page is never a handle (the table keeps it unused). */
    for (uint64_t i = 1; i < n && !w->stop; i++) {
        const uint8_t *gap = present ? memchr(present + i * es, 0, (size_t)es) : NULL;
        if (gap) {
            char a[24];
            if (!missing++)
                kdx_err_set(&e, KDX_E_MEM_MISSING, "memory at %s is not present in the dump",
                            kdx_session_fmt_ptr(w->s, a, page + (uint64_t)(gap - present)));
            continue;
        }
        kdx_nt_handle h = {(first + i) * 4, page + i * es, 0, 0};
        if (decode_entry(w->s, buf + i * es, &h) && w->cb(w->ud, &h))
            w->stop = true;
    }
    if (missing)
        note_gap(w, missing, &e);
    free(present);
    free(buf);
}

/* A page of pointers to lower pages; level 1 points at entry pages. */
static void walk_pointers(walk_ctx *w, uint64_t page, unsigned level, uint64_t first)
{
    uint64_t span = level == 1 ? w->per_low : w->per_low * w->per_mid;
    uint64_t limit = w->ht->next_handle / 4;
    int ps = w->s->target->ptr_size;
    for (uint64_t i = 0; i < w->per_mid && !w->stop && !kdx_interrupted() && first + i * span < limit;
         i++) {
        uint64_t child;
        kdx_err e = {0};
        if (kdx_read_ptr(w->s->target, page + i * (uint64_t)ps, &child, &e) != KDX_OK) {
            note_gap(w, span, &e);
            continue;
        }
        if (!child)
            continue;
        if (level == 1)
            walk_low(w, child, first + i * span);
        else
            walk_pointers(w, child, level - 1, first + i * span);
    }
}

kdx_status kdx_nt_handle_walk(kdx_session *s, const kdx_nt_handle_table *ht, kdx_nt_handle_cb cb, void *ud,
                              uint64_t *skipped, kdx_err *why)
{
    walk_ctx w = {s, ht, cb, ud, skipped, why, false, PAGE / ht->entry_size, PAGE / (uint64_t)s->target->ptr_size};
    if (skipped)
        *skipped = 0;
    uint64_t base = ht->table_code & ~3ull;
    if (ht->levels == 0)
        walk_low(&w, base, 0);
    else
        walk_pointers(&w, base, ht->levels, 0);
    return KDX_OK;
}

kdx_status kdx_nt_handle_lookup(kdx_session *s, const kdx_nt_handle_table *ht, uint64_t handle,
                                kdx_nt_handle *out, kdx_err *err)
{
    uint64_t index = handle / 4, per_low = PAGE / ht->entry_size, per_mid = PAGE / (uint64_t)s->target->ptr_size;
    if (handle & 3 || index >= ht->next_handle / 4 || index % per_low == 0)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "handle %llx is not in the table's range",
                           (unsigned long long)handle);
    uint64_t page = ht->table_code & ~3ull;
    uint64_t idx[3] = {index / (per_low * per_mid), (index / per_low) % per_mid, index % per_low};
    if (ht->levels == 1)
        idx[1] = index / per_low;
    kdx_err why = {0};
    for (unsigned l = ht->levels; l > 0; l--) {
        uint64_t slot = l == 2 ? idx[0] : idx[1];
        kdx_status st = kdx_read_ptr(s->target, page + slot * (uint64_t)s->target->ptr_size, &page, &why);
        if (st != KDX_OK)
            return kdx_err_set(err, st, "handle %llx: level-%u table: %s", (unsigned long long)handle, l, why.msg);
        if (!page)
            return kdx_err_set(err, KDX_E_NOT_FOUND, "handle %llx: no table page for it", (unsigned long long)handle);
    }
    uint8_t buf[64];
    out->value = handle;
    out->entry = page + idx[2] * ht->entry_size;
    kdx_status st = kdx_read_virt(s->target, out->entry, buf, (size_t)KDX_MIN(ht->entry_size, sizeof buf), NULL, &why);
    if (st != KDX_OK)
        return kdx_err_set(err, st, "handle %llx: its entry: %s", (unsigned long long)handle, why.msg);
    if (!decode_entry(s, buf, out))
        return kdx_err_set(err, KDX_E_NOT_FOUND, "handle %llx is free", (unsigned long long)handle);
    return KDX_OK;
}
