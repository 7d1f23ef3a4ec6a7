/* Pool tag owners: pooltag.txt and the image scan (pooltag.h). */
#include "nt/pooltag.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/util.h"
#include "pe/pe.h"
#include "sym/sympath.h"
#include "sym/symbols.h"
#include "target/memory.h"
#include "target/module.h"
#include "target/target.h"

/* ---- pooltag.txt ---- */

static char *trimmed(const char *a, const char *b)
{
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    return kdx_strndup(a, (size_t)(b - a));
}

/* "Tag - binary - description": the tag is the first four characters
 * (a short tag is padded with spaces, as in "Mm   - nt!mm - ..."). */
static bool parse_line(const char *line, kdx_pooltag_entry *e)
{
    if (!line[0] || line[0] == '/' || line[0] == ';' || isspace((unsigned char)line[0]))
        return false;
    const char *d1 = strstr(line, " - ");
    if (!d1 || d1 - line > 4)
        return false;
    const char *d2 = strstr(d1 + 3, " - ");
    e->tag = 0;
    for (int i = 0; i < 4; i++)
        e->tag |= (uint32_t)(unsigned char)(line + i < d1 ? line[i] : ' ') << (8 * i);
    const char *end = line + strlen(line);
    e->binary = trimmed(d1 + 3, d2 ? d2 : end);
    e->description = d2 ? trimmed(d2 + 3, end) : kdx_strdup("");
    return true;
}

kdx_status kdx_pooltag_load(const char *path, kdx_pooltag_db *db, kdx_err *err)
{
    memset(db, 0, sizeof *db);
    FILE *f = fopen(path, "r");
    if (!f)
        return kdx_err_set(err, KDX_E_IO, "cannot open pooltag file %s", path);
    char line[1024];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        kdx_pooltag_entry e;
        if (!parse_line(line, &e))
            continue;
        if (db->n == cap) {
            cap = cap ? cap * 2 : 256;
            db->items = kdx_xrealloc(db->items, cap * sizeof *db->items);
        }
        db->items[db->n++] = e;
    }
    fclose(f);
    return KDX_OK;
}

const kdx_pooltag_entry *kdx_pooltag_lookup(const kdx_pooltag_db *db, uint32_t tag)
{
    for (size_t i = 0; db && i < db->n; i++)
        if (db->items[i].tag == tag)
            return &db->items[i];
    return NULL;
}

void kdx_pooltag_free(kdx_pooltag_db *db)
{
    for (size_t i = 0; i < db->n; i++) {
        free(db->items[i].binary);
        free(db->items[i].description);
    }
    free(db->items);
    memset(db, 0, sizeof *db);
}

/* ---- the image scan ---- */

#define MAX_IMAGE (64u << 20)
#define CALL_WINDOW 40  /* bytes after the tag in which the allocation call must start */

const char *kdx_pool_owner_how(int rank)
{
    switch (rank) {
    case KDX_OWNER_ALLOC_CALL: return "tag argument of a call to an allocation routine";
    case KDX_OWNER_IMMEDIATE: return "immediate operand in code";
    default: return "tag bytes in the image";
    }
}

static bool is_alloc_routine(const char *name)
{
    return strstr(name, "AllocatePool") || strstr(name, "ExAllocate") || strstr(name, "AllocateWithTag");
}

/* The name an import-table slot holds in an unbound image (read from the
 * file): the RVA of a hint/name entry, whose name follows the 2-byte hint. */
static bool import_name(const uint8_t *b, const uint8_t *pr, size_t n, uint64_t v, char *name, size_t cap)
{
    if (v == 0 || v + 3 >= n)
        return false;
    size_t k = 0;
    for (size_t i = (size_t)v + 2; i < n && pr[i] && b[i] && k + 1 < cap; i++) {
        if (b[i] < 0x21 || b[i] > 0x7e)
            return false;
        name[k++] = (char)b[i];
    }
    name[k] = 0;
    return k > 0;
}

/* The routine a call at offset k of the image bytes reaches, when it is a
 * direct call (E8) or a call through the import table (FF 15): the import
 * slot is read from the image bytes (dump or file), resolved through the
 * symbols when it holds an address, else as the unbound import's name. */
static bool call_target(kdx_session *s, const uint8_t *b, const uint8_t *pr, size_t n, uint64_t base, size_t k,
                        char *name, size_t cap)
{
    const uint8_t *p = b + k;
    size_t left = n - k;
    uint64_t at = base + k, target;
    if (left >= 5 && p[0] == 0xe8) {
        target = at + 5 + (uint64_t)(int64_t)(int32_t)kdx_le32(p + 1);
    } else if (left >= 6 && p[0] == 0xff && p[1] == 0x15) {
        uint64_t slot = at + 6 + (uint64_t)(int64_t)(int32_t)kdx_le32(p + 2) - base;
        if (slot + 8 > n || !pr[slot] || !pr[slot + 7])
            return false;
        target = kdx_le64(b + slot);
        if (target < n)
            return import_name(b, pr, n, target, name, cap);
    } else {
        return false;
    }
    kdx_symhit hit;
    if (kdx_sym_from_addr(s, target, &hit) != KDX_OK || !hit.name || !hit.module)
        return false;
    snprintf(name, cap, "%s!%s", hit.module->name, hit.name);
    return hit.displacement == 0;
}

/* Ranks the hit at offset off of the image bytes b (n bytes, present mask pr). */
static int rank_hit(kdx_session *s, uint64_t base, const uint8_t *b, const uint8_t *pr, size_t n, size_t off,
                    char *routine, size_t cap)
{
    /* mov r8d, imm32 (41 B8) or mov r32, imm32 (B8+r) just before the tag. */
    bool r8 = off >= 2 && pr[off - 2] && b[off - 2] == 0x41 && b[off - 1] == 0xb8;
    bool mov = r8 || (off >= 1 && pr[off - 1] && b[off - 1] >= 0xb8 && b[off - 1] <= 0xbf);
    if (!mov)
        return KDX_OWNER_BYTES;
    if (r8)
        for (size_t k = off + 4; k < off + 4 + CALL_WINDOW && k + 6 <= n && pr[k]; k++)
            if (call_target(s, b, pr, n, base, k, routine, cap) && is_alloc_routine(routine))
                return KDX_OWNER_ALLOC_CALL;
    return KDX_OWNER_IMMEDIATE;
}

typedef struct tagset {
    const uint32_t *tags;
    size_t n;
    uint8_t filter[8192];     /* bit per low 16 bits of a tag */
} tagset;

static long tag_index(const tagset *t, uint32_t v)
{
    if (!(t->filter[(v & 0xffff) >> 3] & (1u << (v & 7))))
        return -1;
    for (size_t i = 0; i < t->n; i++)
        if (t->tags[i] == v)
            return (long)i;
    return -1;
}

static void note_hit(kdx_pool_owners *o, size_t first, uint32_t tag, const kdx_module *m, uint64_t where, int rank,
                     const char *routine)
{
    for (size_t i = first; i < o->n; i++) {
        kdx_pool_owner *c = &o->items[i];
        if (c->tag != tag)
            continue;
        c->hits++;
        if (rank > c->rank) {
            c->rank = rank, c->where = where;
            snprintf(c->routine, sizeof c->routine, "%s", rank == KDX_OWNER_ALLOC_CALL ? routine : "");
        }
        return;
    }
    o->items = kdx_xrealloc(o->items, (o->n + 1) * sizeof *o->items);
    kdx_pool_owner *c = &o->items[o->n++];
    memset(c, 0, sizeof *c);
    c->tag = tag, c->where = where, c->rank = rank, c->hits = 1;
    snprintf(c->module, sizeof c->module, "%s", m->image_name ? m->image_name : m->name);
    snprintf(c->routine, sizeof c->routine, "%s", rank == KDX_OWNER_ALLOC_CALL ? routine : "");
}

/* True when the symbol path names a symbol server: a scan of every module
 * must not turn into a download of every image, so the image files are
 * then not used (the scan says how many modules it could not read). */
static bool path_has_server(kdx_session *s)
{
    const kdx_sympath *sp = kdx_sym_parsed_path(s);
    for (size_t i = 0; sp && i < sp->n; i++)
        for (size_t k = 0; k < sp->els[i].ntiers; k++)
            if (sp->els[i].tiers[k] && kdx_sympath_is_url(sp->els[i].tiers[k]))
                return true;
    return false;
}

/* Fills the bytes the dump lacks from the module's image file (image path
 * or symbol store), section by section; the number of bytes added. */
static size_t fill_from_file(kdx_session *s, kdx_module *m, uint8_t *b, uint8_t *pr, size_t n)
{
    struct kdx_pe *pe = NULL;
    if (path_has_server(s))
        return 0;
    if (kdx_sym_module_image(s, m, &pe, NULL) != KDX_OK || !pe || !kdx_pe_is_file_layout(pe))
        return 0;
    const kdx_pe_info *info = kdx_pe_get_info(pe);
    uint8_t *tmp = kdx_xmalloc(n ? n : 1);
    size_t added = 0, done = 0;
    uint32_t hdr = kdx_pe_size_of_headers(pe);
    kdx_pe_read_partial(pe, 0, tmp, hdr < n ? hdr : n, &done, NULL);
    for (size_t i = 0; i < done; i++)
        if (!pr[i])
            b[i] = tmp[i], pr[i] = 1, added++;
    for (unsigned si = 0; si < info->nsections; si++) {
        kdx_pe_section sec;
        if (kdx_pe_section_at(pe, si, &sec) != KDX_OK || sec.rva >= n)
            continue;
        size_t len = sec.vsize < n - sec.rva ? sec.vsize : n - sec.rva;
        done = 0;
        kdx_pe_read_partial(pe, sec.rva, tmp, len, &done, NULL);
        for (size_t i = 0; i < done; i++)
            if (!pr[sec.rva + i])
                b[sec.rva + i] = tmp[i], pr[sec.rva + i] = 1, added++;
    }
    free(tmp);
    return added;
}

static kdx_status scan_module(kdx_session *s, kdx_module *m, const tagset *t, kdx_pool_owners *o)
{
    size_t n = m->size > MAX_IMAGE ? MAX_IMAGE : (size_t)m->size;
    uint8_t *b = kdx_xmalloc(n ? n : 1), *pr = kdx_xmalloc(n ? n : 1);
    size_t got = kdx_read_virt_present(s->target, m->base, b, n, pr);
    /* Pages the dump lacks come from the image file when one is found. */
    size_t from_file = got < n ? fill_from_file(s, m, b, pr, n) : 0;
    size_t first = o->n;
    if (got + from_file == 0)
        o->modules_absent++;
    else
        o->modules_scanned++;
    if (from_file)
        o->modules_from_file++;
    kdx_status st = KDX_OK;
    for (size_t off = 0; got + from_file && off + 4 <= n; off++) {
        if ((off & 0xffff) == 0 && kdx_interrupted()) {
            st = KDX_E_INTERRUPTED;
            break;
        }
        if (!pr[off] || !pr[off + 3])
            continue;
        long i = tag_index(t, kdx_le32(b + off));
        if (i < 0)
            continue;
        char routine[96] = "";
        int rank = rank_hit(s, m->base, b, pr, n, off, routine, sizeof routine);
        note_hit(o, first, t->tags[i], m, m->base + off, rank, routine);
    }
    free(b);
    free(pr);
    return st;
}

static int by_tag_rank(const void *a, const void *b)
{
    const kdx_pool_owner *x = a, *y = b;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    if (x->rank != y->rank)
        return y->rank - x->rank;
    return x->where < y->where ? -1 : x->where > y->where;
}

kdx_status kdx_pool_owner_scan(kdx_session *s, const uint32_t *tags, size_t ntags, kdx_pool_owners *out,
                               kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (!s->target)
        return kdx_err_set(err, KDX_E_ARG, "no target");
    tagset *t = kdx_xcalloc(1, sizeof *t);
    t->tags = tags, t->n = ntags;
    for (size_t i = 0; i < ntags; i++)
        t->filter[(tags[i] & 0xffff) >> 3] |= (uint8_t)(1u << (tags[i] & 7));
    kdx_status st = KDX_OK;
    for (size_t i = 0; i < s->target->nmodules && st == KDX_OK; i++)
        st = scan_module(s, s->target->modules[i], t, out);
    free(t);
    if (st == KDX_E_INTERRUPTED)
        return kdx_err_set(err, st, "the pool tag image scan was interrupted");
    if (out->n) /* qsort's base must not be NULL, even for no items */
        kdx_sort(out->items, out->n, sizeof *out->items, by_tag_rank);
    return KDX_OK;
}

const kdx_pool_owner *kdx_pool_owner_best(const kdx_pool_owners *o, uint32_t tag, size_t *count)
{
    const kdx_pool_owner *best = NULL;
    size_t c = 0;
    for (size_t i = 0; i < o->n; i++)
        if (o->items[i].tag == tag) {
            if (!best)
                best = &o->items[i];
            c++;
        }
    if (count)
        *count = c;
    return best;
}

void kdx_pool_owners_free(kdx_pool_owners *o)
{
    free(o->items);
    memset(o, 0, sizeof *o);
}
