/* OMAP: the address maps of images reordered after linking (BBT, the tool
 * that splits Windows' own binaries into hot and cold chunks, and other
 * post-link optimizers). The PDB keeps every symbol, line and frame record at
 * its address in the image as linked ("original"); two debug streams map
 * between that image and the final one:
 *   OMAP_TO_SRC   {final RVA, original RVA} sorted by final RVA,
 *   OMAP_FROM_SRC {original RVA, final RVA} sorted by original RVA,
 * each entry covering the bytes up to the next entry's start.
 *
 * From OMAP_TO_SRC we build "pieces": runs of final-image bytes that come
 * from one run of original bytes. A piece whose original RVA lies outside
 * the original image marks code the optimizer inserted (padding, fillers);
 * those bytes are remembered as the previous piece's trailing "injected"
 * bytes. Original bytes no piece covers were dropped; they are remembered as
 * the "removed" tail of the pieces that end where the gap starts. An original
 * range (a procedure, a line, a frame record) maps to the final ranges its
 * pieces land in, merged where they touch, or are separated only by injected
 * bytes inside the range. This is the mapping Breakpad's dump_syms documents
 * for OMAP'd PDBs, so its .sym output is an oracle for ours. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"

struct kdx_pdb_omap_piece {
    uint32_t final;     /* RVA in the final image */
    uint32_t orig;      /* RVA in the image as linked */
    uint32_t len;       /* bytes of original content */
    uint32_t injected;  /* final bytes after it that come from no original byte */
    uint32_t removed;   /* original bytes after it the final image dropped */
};

typedef struct kdx_pdb_omap_piece piece;
typedef KDX_VEC(piece) piece_vec;

static int cmp_final(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    if (x->final != y->final)
        return x->final < y->final ? -1 : 1;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_orig(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    if (x->orig != y->orig)
        return x->orig < y->orig ? -1 : 1;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Pieces of a table of n {key, value} pairs sorted by key, where key is the
 * final RVA (to_src) or the original one. Entries whose original RVA is not
 * in the original image describe no original content and are skipped. */
static void pieces_of(const uint8_t *tbl, uint32_t n, bool to_src, uint32_t orig_len, piece_vec *v)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = kdx_le32(tbl + 8 * i), val = kdx_le32(tbl + 8 * i + 4);
        uint32_t orig = to_src ? val : key, final = to_src ? key : val;
        if (orig >= orig_len || (!to_src && final == 0))
            continue;
        uint32_t len = i + 1 < n ? kdx_le32(tbl + 8 * (i + 1)) - key : orig_len - orig;
        if (i + 1 < n && kdx_le32(tbl + 8 * (i + 1)) < key)
            continue; /* table out of order: this entry's extent is unknown */
        len = KDX_MIN(len, orig_len - orig);
        if (len)
            KDX_VEC_PUSH(*v, ((piece){final, orig, len, 0, 0}));
    }
}

/* Final bytes between a piece and the next one (in final order) were injected. */
static void fill_injected(piece_vec *v)
{
    if (v->len > 1)
        kdx_sort(v->items, v->len, sizeof *v->items, cmp_final);
    for (size_t i = 0; i + 1 < v->len; i++) {
        uint64_t end = (uint64_t)v->items[i].final + v->items[i].len;
        if (v->items[i + 1].final > end)
            v->items[i].injected = (uint32_t)(v->items[i + 1].final - end);
    }
}

/* Original bytes no piece covers were removed: the pieces ending where such a
 * gap starts carry its length. Needs the pieces in original order. */
static void fill_removed(piece_vec *v)
{
    uint64_t front = 0;
    size_t from = 0;
    for (size_t i = 0; i < v->len; i++) {
        piece *p = &v->items[i];
        if (front < p->orig) {
            for (; from < i; from++)
                if ((uint64_t)v->items[from].orig + v->items[from].len == front)
                    v->items[from].removed = (uint32_t)(p->orig - front);
        }
        front = KDX_MAX(front, (uint64_t)p->orig + p->len);
    }
}

void kdx_pdb_omap_build(kdx_pdb *pdb, const uint8_t *to_src, uint32_t nto, const uint8_t *from_src,
                        uint32_t nfrom, uint32_t orig_len)
{
    piece_vec v = {0};
    if (nto)
        pieces_of(to_src, nto, true, orig_len, &v);
    else
        pieces_of(from_src, nfrom, false, orig_len, &v);
    fill_injected(&v);
    if (v.len > 1)
        kdx_sort(v.items, v.len, sizeof *v.items, cmp_orig);
    fill_removed(&v);
    pdb->omap = v.items;
    pdb->nomap = (uint32_t)v.len;
    pdb->omap_reach = kdx_xcalloc(v.len ? v.len : 1, sizeof *pdb->omap_reach);
    uint32_t reach = 0;
    for (size_t i = 0; i < v.len; i++) {
        uint64_t end = (uint64_t)v.items[i].orig + v.items[i].len + v.items[i].removed;
        reach = (uint32_t)KDX_MIN(KDX_MAX((uint64_t)reach, end), UINT32_MAX);
        pdb->omap_reach[i] = reach;
    }
    pdb->has_omap = true;
}

/* Pieces looked at, over the life of the PDB: a hostile table (pieces that
 * all overlap, procedures spanning the image) could otherwise make building
 * the address index quadratic. Real maps stay far below this (a few pieces
 * per lookup). Past it, mapping fails and the symbols are dropped. */
#define OMAP_MAX_VISITS (16ull << 20)

static bool spend(kdx_pdb *pdb)
{
    if (pdb->omap_visits >= OMAP_MAX_VISITS)
        return false;
    pdb->omap_visits++;
    return true;
}

/* First piece whose original extent (content and removed tail) may reach past a. */
static size_t first_reaching(const kdx_pdb *pdb, uint32_t a)
{
    size_t lo = 0, hi = pdb->nomap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pdb->omap_reach[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool kdx_pdb_omap_point(kdx_pdb *pdb, uint32_t orig, uint32_t *rva)
{
    bool found = false;
    for (size_t i = first_reaching(pdb, orig); i < pdb->nomap && pdb->omap[i].orig <= orig && spend(pdb);
         i++) {
        const piece *p = &pdb->omap[i];
        if (orig - p->orig >= p->len)
            continue;
        uint32_t r = p->final + (orig - p->orig);
        if (!found || r < *rva)
            *rva = r;
        found = true;
    }
    return found;
}

/* p cut to the original range [a, end): what is left of its content, its
 * injected and removed tails. Injected bytes count only as far as the range
 * goes past the content (they bridge chunks inside a procedure, never extend
 * its last one). */
static bool clip(piece *p, uint32_t a, uint32_t end)
{
    if (p->orig < a) {
        uint32_t cut = a - p->orig;
        p->orig += cut;
        p->final += cut;
        if (cut > p->len) {
            uint32_t over = cut - p->len;
            p->injected -= KDX_MIN(over, p->injected);
            p->removed -= KDX_MIN(over, p->removed);
            p->len = 0;
        } else {
            p->len -= cut;
        }
    }
    if ((uint64_t)p->orig + p->len > end) {
        p->len = end - p->orig;
        p->injected = p->removed = 0;
    } else {
        uint32_t room = end - (p->orig + p->len);
        p->injected = KDX_MIN(p->injected, room);
        p->removed = KDX_MIN(p->removed, room);
    }
    return p->len + p->injected > 0;
}

static void push_range(kdx_pdb_ranges *out, uint32_t rva, uint32_t len)
{
    KDX_VEC_PUSH(*out, ((kdx_pdb_range){rva, len}));
}

/* Pieces sorted by final RVA -> merged final ranges. */
static void merge_pieces(const piece *ps, size_t n, bool points, kdx_pdb_ranges *out)
{
    if (points) { /* a range of no bytes: every distinct place it lands */
        for (size_t i = 0; i < n; i++)
            if (!out->len || ps[i].final > out->items[out->len - 1].rva)
                push_range(out, ps[i].final, 0);
        return;
    }
    uint64_t begin = ps[0].final, content = begin + ps[0].len, reach = content + ps[0].injected;
    for (size_t i = 1; i < n; i++) {
        if (reach < ps[i].final) {
            if (begin < content)
                push_range(out, (uint32_t)begin, (uint32_t)(content - begin));
            begin = ps[i].final;
        }
        content = (uint64_t)ps[i].final + ps[i].len;
        reach = content + ps[i].injected;
    }
    if (begin < content)
        push_range(out, (uint32_t)begin, (uint32_t)(content - begin));
}

void kdx_pdb_omap_range(kdx_pdb *pdb, uint32_t orig, uint32_t len, kdx_pdb_ranges *out)
{
    out->len = 0;
    /* A query of no bytes still finds the pieces holding its address. */
    uint64_t end64 = (uint64_t)orig + (len ? len : 1);
    uint32_t end = (uint32_t)KDX_MIN(end64, UINT32_MAX);
    piece_vec hits = {0};
    for (size_t i = first_reaching(pdb, orig); i < pdb->nomap && pdb->omap[i].orig < end && spend(pdb);
         i++) {
        piece p = pdb->omap[i];
        if ((uint64_t)p.orig + p.len + p.removed <= orig)
            continue;
        if (clip(&p, orig, end))
            KDX_VEC_PUSH(hits, p);
    }
    if (hits.len) {
        kdx_sort(hits.items, hits.len, sizeof *hits.items, cmp_final);
        merge_pieces(hits.items, hits.len, len == 0, out);
    }
    KDX_VEC_FREE(hits);
}

bool kdx_pdb_sect_to_ranges(kdx_pdb *pdb, uint16_t sect, uint32_t off, uint32_t len,
                            kdx_pdb_ranges *out)
{
    out->len = 0;
    if (sect == 0 || sect > pdb->nsections)
        return false;
    uint32_t orig = pdb->section_rva[sect - 1] + off;
    if (!pdb->has_omap) {
        push_range(out, orig, len);
        return true;
    }
    kdx_pdb_omap_range(pdb, orig, len, out);
    return out->len > 0;
}

void kdx_pdb_omap_free(kdx_pdb *pdb)
{
    free(pdb->omap);
    free(pdb->omap_reach);
    pdb->omap = NULL;
    pdb->omap_reach = NULL;
    pdb->nomap = 0;
    pdb->has_omap = false;
}
