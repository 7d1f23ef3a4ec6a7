/* _LIST_ENTRY walks with loop, gap and length guards (see list.h). */
#include "nt/list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "base/util.h"
#include "nt/field.h"

#define DEFAULT_MAX 1000000u

/* ---- address set ---- */

static size_t slot_of(uint64_t a, size_t cap)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdull;
    a ^= a >> 33;
    return (size_t)a & (cap - 1);
}

static void set_grow(kdx_nt_addrset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    uint64_t *keys = kdx_xcalloc(cap, sizeof *keys);
    size_t *vals = kdx_xcalloc(cap, sizeof *vals);
    for (size_t i = 0; i < set->cap; i++) {
        if (!set->keys[i])
            continue;
        size_t j = slot_of(set->keys[i], cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = set->keys[i];
        vals[j] = set->vals[i];
    }
    free(set->keys);
    free(set->vals);
    set->keys = keys;
    set->vals = vals;
    set->cap = cap;
}

/* Address 0 is never stored (lists end there before reaching the set). */
bool kdx_nt_addrset_add(kdx_nt_addrset *set, uint64_t a, size_t val, size_t *prev)
{
    if (2 * (set->len + 1) > set->cap)
        set_grow(set);
    size_t j = slot_of(a, set->cap);
    for (; set->keys[j]; j = (j + 1) & (set->cap - 1))
        if (set->keys[j] == a) {
            if (prev)
                *prev = set->vals[j];
            return false;
        }
    set->keys[j] = a;
    set->vals[j] = val;
    set->len++;
    return true;
}

size_t *kdx_nt_addrset_find(kdx_nt_addrset *set, uint64_t a)
{
    if (!set->cap)
        return NULL;
    for (size_t j = slot_of(a, set->cap); set->keys[j]; j = (j + 1) & (set->cap - 1))
        if (set->keys[j] == a)
            return &set->vals[j];
    return NULL;
}

void kdx_nt_addrset_free(kdx_nt_addrset *set)
{
    free(set->keys);
    free(set->vals);
    memset(set, 0, sizeof *set);
}

/* ---- walks ---- */

static kdx_status finish(kdx_nt_list_result *r, kdx_nt_list_end end, kdx_status st, kdx_nt_addrset *seen)
{
    r->end = end;
    kdx_nt_addrset_free(seen);
    return st;
}

kdx_status kdx_nt_list_walk(kdx_session *s, uint64_t start, const kdx_nt_list_opts *opts, kdx_nt_list_cb cb,
                            void *ud, kdx_nt_list_result *res)
{
    kdx_nt_list_result local;
    kdx_nt_list_result *r = res ? res : &local;
    memset(r, 0, sizeof *r);
    size_t max = opts && opts->max ? opts->max : DEFAULT_MAX;
    bool from_element = opts && opts->start_is_element;
    kdx_nt_addrset seen = {0};
    uint64_t cur = start;
    if (!from_element) {
        kdx_status st = kdx_nt_read(s, "nt!_LIST_ENTRY", start, "Flink", &cur, &r->why);
        if (st != KDX_OK) {
            r->bad = start;
            return finish(r, KDX_NT_LIST_MISSING, st, &seen);
        }
    }
    for (;;) {
        if (kdx_interrupted()) /* Ctrl-C: the caller's output just ends */
            return finish(r, KDX_NT_LIST_STOPPED, KDX_E_INTERRUPTED, &seen);
        if (cur == 0)
            return finish(r, KDX_NT_LIST_NULL, KDX_E_FORMAT, &seen);
        if (cur == start && (r->count || !from_element))
            return finish(r, KDX_NT_LIST_DONE, KDX_OK, &seen);
        size_t prev;
        if (!kdx_nt_addrset_add(&seen, cur, r->count, &prev)) {
            r->bad = cur;
            r->first_index = prev;
            return finish(r, KDX_NT_LIST_LOOP, KDX_E_LIMIT, &seen);
        }
        if (r->count >= max) {
            r->bad = cur;
            return finish(r, KDX_NT_LIST_LIMIT, KDX_E_LIMIT, &seen);
        }
        /* Read the link first: an element whose link is unreadable is not visited. */
        uint64_t next;
        kdx_status st = kdx_nt_read(s, "nt!_LIST_ENTRY", cur, "Flink", &next, &r->why);
        if (st != KDX_OK) {
            r->bad = cur;
            return finish(r, KDX_NT_LIST_MISSING, st, &seen);
        }
        size_t index = r->count++;
        r->last = cur;
        if (cb && cb(ud, cur, index))
            return finish(r, KDX_NT_LIST_STOPPED, KDX_OK, &seen);
        cur = next;
    }
}

void kdx_nt_list_describe(kdx_session *s, const kdx_nt_list_result *r, const char *what, char *buf,
                          size_t len)
{
    char a[24], b[24];
    const char *after = r->last ? kdx_session_fmt_ptr(s, b, r->last) : NULL;
    switch (r->end) {
    case KDX_NT_LIST_DONE:
    case KDX_NT_LIST_STOPPED:
        snprintf(buf, len, "%s", "");
        break;
    case KDX_NT_LIST_NULL:
        snprintf(buf, len, "%s ends in a NULL Flink after %zu entries (last entry %s)", what, r->count,
                 after ? after : "none");
        break;
    case KDX_NT_LIST_LOOP:
        snprintf(buf, len, "%s loops: entry %s (entry %zu) comes round again after entry %s (entry %zu); the walk stops there",
                 what, kdx_session_fmt_ptr(s, a, r->bad), r->first_index, after ? after : "?", r->count - 1);
        break;
    case KDX_NT_LIST_MISSING:
        if (after)
            snprintf(buf, len, "%s leaves the dump after %zu entries: the entry at %s (Flink of %s) cannot be read: %s",
                     what, r->count, kdx_session_fmt_ptr(s, a, r->bad), after, r->why.msg);
        else
            snprintf(buf, len, "%s cannot be read at %s: %s", what, kdx_session_fmt_ptr(s, a, r->bad), r->why.msg);
        break;
    case KDX_NT_LIST_LIMIT:
        snprintf(buf, len, "%s has more than %zu entries; the walk stops at %s", what, r->count,
                 kdx_session_fmt_ptr(s, a, r->bad));
        break;
    }
}
