/* The kernel segment heap walker (segheap.h). The encodings follow the
 * public research cited in docs/pool.md (Yason, Black Hat 2016; Bayet and
 * Fariello, SSTIC 2020): every structure offset and size comes from the
 * loaded types, only the encodings' constants are written here. */
#include "nt/segheap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/util.h"
#include "nt/field.h"
#include "nt/list.h"
#include "target/memory.h"

#define STATE "nt!_EX_POOL_HEAP_MANAGER_STATE"
#define NODE "nt!_EX_HEAP_POOL_NODE"
#define HEAP "nt!_SEGMENT_HEAP"
#define SEGCTX "nt!_HEAP_SEG_CONTEXT"
#define SEGMENT "nt!_HEAP_PAGE_SEGMENT"
#define DESC "nt!_HEAP_PAGE_RANGE_DESCRIPTOR"
#define VSSUB "nt!_HEAP_VS_SUBSEGMENT"
#define CHUNK "nt!_HEAP_VS_CHUNK_HEADER"
#define LFHSUB "nt!_HEAP_LFH_SUBSEGMENT"
#define POOLHDR "nt!_POOL_HEADER"
#define GLOBALS "nt!_RTLP_HP_HEAP_GLOBALS"

/* The encodings' constants (public research, docs/pool.md): a page
 * segment's Signature is segment ^ its _HEAP_SEG_CONTEXT ^ HeapKey ^ this;
 * a VS subsegment's Signature is its Size ^ 0x2BED (15 bits). */
#define SEGMENT_SIGNATURE_XOR 0xA2E64EADA2E64EADull
#define VS_SIGNATURE_XOR 0x2BEDu
/* RangeFlags of a page range descriptor: allocated, first of its range,
 * and the sub-allocator in bits 2-3 (8: LFH, 0xC: VS). */
#define RANGE_ALLOCATED 1u
#define RANGE_FIRST 2u
#define RANGE_KIND_MASK 0xCu
#define RANGE_LFH 8u
#define RANGE_VS 0xCu
/* Bounds far above any real system, low enough that a corrupt count
 * cannot run for hours. */
#define MAX_SEGMENTS 65536u
#define MAX_SUBSEGMENT_BYTES (16ull << 20)
#define MAX_LFH_BLOCKS 65536u

typedef struct layout {
    const kdx_nt_field *npools, *mask, *unit_shift, *first_desc, *seg_sig, *range_flags, *unit_size;
    const kdx_nt_field *vs_size, *vs_sig, *c_size, *c_prev, *c_alloc, *c_page;
    const kdx_nt_field *lfh_count, *lfh_enc, *lfh_bsize, *lfh_first, *ph_tag, *ph_type;
    uint64_t node_off, node_size, nodes_max, heaps_off, heaps_max;
    uint64_t segctx_off, segctx_size, segctx_max, list_head_off;
    uint64_t seg_size, seg_link_off, desc_off, desc_size, desc_max;
    uint64_t vs_sub_size, chunk_size, chunk_sizes_off, lfh_sub_size, lfh_bitmap_off, ph_size;
} layout;

typedef struct walk {
    kdx_session *s;
    kdx_segheap_cb cb;
    void *ud;
    kdx_segheap_stats *st;
    layout L;
    uint64_t heap_key, lfh_key, state;
    uint64_t at, absent_seg;
    bool only_at, found, stop, no_keys;
    unsigned node, heap;
    uint64_t heap_va;
} walk;

const char *kdx_segheap_kind_name(kdx_segheap_kind k)
{
    return k == KDX_SEGHEAP_VS ? "VS" : "LFH";
}

static void note(walk *w, bool missing, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(walk *w, bool missing, const char *fmt, ...)
{
    kdx_segheap_stats *st = w->st;
    if (missing)
        st->unreadable++;
    else
        st->broken++;
    if (st->nnotes >= KDX_SEGHEAP_NOTES) {
        st->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->notes[st->nnotes++], sizeof st->notes[0], fmt, ap);
    va_end(ap);
}

static const char *hex(char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%016" PRIx64, v);
    return buf;
}

/* ---- the layout, by field name ---- */

typedef struct want_field {
    const char *type, *path;
    const kdx_nt_field **out;
} want_field;
typedef struct want_size {
    const char *type, *path;  /* path NULL: sizeof(type), else the field's offset */
    uint64_t *out;
} want_size;
typedef struct want_array {
    const char *type, *path;
    const uint64_t *elem_size;
    uint64_t *off, *count;
} want_array;

static kdx_status want_fields(kdx_session *s, const want_field *w, size_t n, kdx_err *err)
{
    kdx_status st = KDX_OK;
    for (size_t i = 0; i < n && st == KDX_OK; i++)
        st = kdx_nt_field_of(s, w[i].type, w[i].path, w[i].out, err);
    return st;
}

static kdx_status want_sizes(kdx_session *s, const want_size *w, size_t n, kdx_err *err)
{
    kdx_status st = KDX_OK;
    for (size_t i = 0; i < n && st == KDX_OK; i++)
        st = w[i].path ? kdx_nt_offset(s, w[i].type, w[i].path, w[i].out, err)
                       : kdx_nt_sizeof(s, w[i].type, w[i].out, err);
    return st;
}

/* Offset of each array and how many elements of elem_size bytes it holds. */
static kdx_status want_arrays(kdx_session *s, const want_array *w, size_t n, kdx_err *err)
{
    kdx_status st = KDX_OK;
    for (size_t i = 0; i < n && st == KDX_OK; i++) {
        const kdx_nt_field *f;
        st = kdx_nt_field_of(s, w[i].type, w[i].path, &f, err);
        if (st != KDX_OK)
            break;
        *w[i].off = f->offset;
        *w[i].count = *w[i].elem_size ? f->size / *w[i].elem_size : 0;
        if (*w[i].count == 0)
            st = kdx_err_set(err, KDX_E_FORMAT, "%s.%s has no elements of %" PRIu64 " bytes", w[i].type, w[i].path,
                             *w[i].elem_size);
    }
    return st;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static kdx_status layout_load(kdx_session *s, layout *L, kdx_err *err)
{
    static const uint64_t pointer = 8;
    const want_size sizes[] = {
        {NODE, NULL, &L->node_size},          {SEGCTX, NULL, &L->segctx_size},
        {SEGCTX, "SegmentListHead", &L->list_head_off}, {SEGMENT, NULL, &L->seg_size},
        {SEGMENT, "ListEntry", &L->seg_link_off},        {DESC, NULL, &L->desc_size},
        {VSSUB, NULL, &L->vs_sub_size},       {CHUNK, NULL, &L->chunk_size},
        {CHUNK, "Sizes", &L->chunk_sizes_off}, {LFHSUB, NULL, &L->lfh_sub_size},
        {LFHSUB, "BlockBitmap", &L->lfh_bitmap_off}, {POOLHDR, NULL, &L->ph_size}};
    const want_array arrays[] = {
        {STATE, "PoolNode", &L->node_size, &L->node_off, &L->nodes_max},
        {NODE, "Heaps", &pointer, &L->heaps_off, &L->heaps_max},
        {HEAP, "SegContexts", &L->segctx_size, &L->segctx_off, &L->segctx_max},
        {SEGMENT, "DescArray", &L->desc_size, &L->desc_off, &L->desc_max}};
    const want_field fields[] = {
        {STATE, "NumberOfPools", &L->npools},      {SEGCTX, "SegmentMask", &L->mask},
        {SEGCTX, "UnitShift", &L->unit_shift},      {SEGCTX, "FirstDescriptorIndex", &L->first_desc},
        {SEGMENT, "Signature", &L->seg_sig},        {DESC, "RangeFlags", &L->range_flags},
        {DESC, "UnitSize", &L->unit_size},          {VSSUB, "Size", &L->vs_size},
        {VSSUB, "Signature", &L->vs_sig},           {CHUNK, "Sizes.UnsafeSize", &L->c_size},
        {CHUNK, "Sizes.UnsafePrevSize", &L->c_prev}, {CHUNK, "Sizes.Allocated", &L->c_alloc},
        {CHUNK, "EncodedSegmentPageOffset", &L->c_page},
        {LFHSUB, "BlockCount", &L->lfh_count},      {LFHSUB, "BlockOffsets.EncodedData", &L->lfh_enc},
        {LFHSUB, "BlockOffsets.BlockSize", &L->lfh_bsize}, {LFHSUB, "BlockOffsets.FirstBlockOffset", &L->lfh_first},
        {POOLHDR, "PoolTag", &L->ph_tag},           {POOLHDR, "PoolType", &L->ph_type}};
    kdx_status st = want_sizes(s, sizes, COUNT(sizes), err);
    if (st == KDX_OK)
        st = want_arrays(s, arrays, COUNT(arrays), err);
    if (st == KDX_OK)
        st = want_fields(s, fields, COUNT(fields), err);
    if (st == KDX_OK && (L->seg_size > (1u << 16) || L->seg_size < L->desc_off + L->desc_max * L->desc_size))
        st = kdx_err_set(err, KDX_E_FORMAT, "%s has an unusable size %" PRIu64, SEGMENT, L->seg_size);
    if (st == KDX_OK && (L->chunk_size > 64 || L->ph_size > 64 || L->lfh_sub_size > 4096 || L->vs_sub_size > 4096))
        st = kdx_err_set(err, KDX_E_FORMAT, "the segment heap's header types have unusable sizes");
    return st;
}

/* ---- reads ---- */

static kdx_status read_u64(kdx_session *s, uint64_t va, uint64_t *v, kdx_err *err)
{
    uint8_t b[8];
    kdx_status st = kdx_read_virt(s->target, va, b, 8, NULL, err);
    if (st == KDX_OK)
        *v = kdx_le64(b);
    return st;
}

/* The keys: nt!RtlpHpHeapGlobals read as nt!_RTLP_HP_HEAP_GLOBALS (the
 * symbol's type is taken from the type's name: the ISF gives globals no
 * type). Keys that are not in the dump are noted, and the walk then only
 * reports which heaps it could not decode. */
static kdx_status read_keys(walk *w, kdx_err *err)
{
    uint64_t globals;
    char a[24];
    kdx_err e = {0};
    kdx_status st = kdx_nt_symbol(w->s, "nt!RtlpHpHeapGlobals", &globals, err);
    if (st != KDX_OK)
        return st;
    st = kdx_nt_read(w->s, GLOBALS, globals, "HeapKey", &w->heap_key, &e);
    if (st == KDX_OK)
        st = kdx_nt_read(w->s, GLOBALS, globals, "LfhKey", &w->lfh_key, &e);
    if (st == KDX_E_MEM_MISSING || st == KDX_E_MEM_INVALID) {
        note(w, true, "nt!RtlpHpHeapGlobals (at %s), whose HeapKey and LfhKey decode the segment heap's headers, is "
             "not in the dump", hex(a, globals));
        w->no_keys = true;
        return KDX_OK;
    }
    return st == KDX_OK ? KDX_OK : kdx_err_set(err, st, "%s", e.msg);
}

static kdx_status walk_start(kdx_session *s, walk *w, kdx_err *err)
{
    kdx_status st = layout_load(s, &w->L, err);
    if (st == KDX_OK)
        st = read_keys(w, err);
    if (st == KDX_OK)
        st = kdx_nt_symbol(s, "nt!ExPoolState", &w->state, err);
    return st;
}

/* The bytes of [va, va+len) the dump holds, with a presence mask. */
typedef struct range {
    uint8_t *b, *present;
    uint64_t va, len;
} range;

static void range_read(kdx_session *s, range *r, uint64_t va, uint64_t len)
{
    r->va = va, r->len = len;
    r->b = kdx_xmalloc(len);
    r->present = kdx_xmalloc(len);
    kdx_read_virt_present(s->target, va, r->b, len, r->present);
}

static bool range_has(const range *r, uint64_t off, uint64_t n)
{
    if (off > r->len || n > r->len - off)
        return false;
    for (uint64_t i = 0; i < n; i++)
        if (!r->present[off + i])
            return false;
    return true;
}

static void range_free(range *r)
{
    free(r->b);
    free(r->present);
}

/* ---- blocks ---- */

static void emit(walk *w, kdx_segheap_block *b, const range *r, uint64_t header_off)
{
    b->node = w->node, b->heap = w->heap, b->heap_va = w->heap_va;
    b->header = r->va + header_off;
    b->tag_known = b->tag_known && range_has(r, header_off, w->L.ph_size);
    if (b->tag_known) {
        b->tag = (uint32_t)kdx_nt_field_value(w->L.ph_tag, r->b + header_off) & 0x7fffffffu;
        b->pool_type = (uint32_t)kdx_nt_field_value(w->L.ph_type, r->b + header_off);
    }
    w->st->blocks++;
    if (w->cb(w->ud, b))
        w->stop = true;
    if ((w->st->blocks & 1023) == 0 && kdx_interrupted())
        w->stop = true;
}

/* The decoded first 8 bytes of the chunk header at off (HeaderBits ^ chunk
 * address ^ HeapKey) in a copy of the header, so fields read by name. */
static void vs_decode(const walk *w, const range *r, uint64_t off, uint8_t *hdr)
{
    memcpy(hdr, r->b + off, w->L.chunk_size);
    uint64_t bits = kdx_le64(hdr + w->L.chunk_sizes_off) ^ (r->va + off) ^ w->heap_key;
    kdx_put_le64(hdr + w->L.chunk_sizes_off, bits);
}

/* The decoded chunk at off fits the subsegment, follows the chunk before
 * and, allocated, names its own page; else noted as corrupt. */
static bool chunk_valid(walk *w, const range *r, uint64_t off, const uint8_t *hdr, uint64_t end, uint64_t prev)
{
    char a[24], b[24];
    uint64_t size = kdx_nt_field_value(w->L.c_size, hdr) * 16, psize = kdx_nt_field_value(w->L.c_prev, hdr) * 16;
    if (size < w->L.chunk_size + w->L.ph_size || size > end - off || psize != prev) {
        note(w, false, "VS subsegment %s: the chunk header at %s is corrupt (decoded size %#" PRIx64
             ", previous size %#" PRIx64 ", the chunk before is %#" PRIx64 "); the rest of the subsegment was "
             "not walked", hex(a, r->va), hex(b, r->va + off), size, psize, prev);
        return false;
    }
    uint64_t page = (kdx_nt_field_value(w->L.c_page, hdr) ^ (r->va + off) ^ w->heap_key) & 0xff;
    if (kdx_nt_field_value(w->L.c_alloc, hdr) && page != ((off >> 12) & 0xff)) {
        note(w, false, "VS subsegment %s: the allocated chunk at %s names page %#" PRIx64 " of its subsegment, "
             "not %#" PRIx64 " (EncodedSegmentPageOffset corrupt); the rest of the subsegment was not walked",
             hex(a, r->va), hex(b, r->va + off), page, (off >> 12) & 0xff);
        return false;
    }
    return true;
}

static void walk_vs_chunks(walk *w, const range *r, uint64_t first, uint64_t end)
{
    char a[24], b[24];
    uint64_t off = first, prev = 0;
    uint8_t hdr[64];
    while (off < end && !w->stop) {
        if (!range_has(r, off, w->L.chunk_size)) {
            note(w, true, "VS subsegment %s: the chunk header at %s is on a page not in the dump; the rest of the "
                 "subsegment was not walked", hex(a, r->va), hex(b, r->va + off));
            return;
        }
        vs_decode(w, r, off, hdr);
        if (!chunk_valid(w, r, off, hdr, end, prev))
            return;
        uint64_t size = kdx_nt_field_value(w->L.c_size, hdr) * 16;
        kdx_segheap_block blk = {0};
        blk.kind = KDX_SEGHEAP_VS;
        blk.start = r->va + off, blk.subsegment = r->va, blk.sub_bytes = r->len;
        blk.size = (uint32_t)(size - w->L.chunk_size);
        blk.prev_size = prev ? (uint32_t)(prev - w->L.chunk_size) : 0;
        blk.busy = kdx_nt_field_value(w->L.c_alloc, hdr) != 0;
        blk.tag_known = blk.busy; /* a free chunk's _POOL_HEADER bytes hold the free tree's node */
        emit(w, &blk, r, off + w->L.chunk_size);
        prev = size;
        off += size;
    }
}

static void walk_vs(walk *w, uint64_t sub, uint64_t bytes)
{
    char a[24];
    range r;
    w->st->vs_subsegments++;
    range_read(w->s, &r, sub, bytes);
    if (!range_has(&r, 0, w->L.vs_sub_size)) {
        note(w, true, "VS subsegment %s: its header (%s) is not in the dump", hex(a, sub), VSSUB);
    } else {
        uint64_t size = kdx_nt_field_value(w->L.vs_size, r.b), sig = kdx_nt_field_value(w->L.vs_sig, r.b);
        uint64_t first = (w->L.vs_sub_size + 15) & ~15ull, end = first + size * 16;
        if (((size ^ sig ^ VS_SIGNATURE_XOR) & 0x7fff) != 0)
            note(w, false, "VS subsegment %s: Signature %#" PRIx64 " does not match its Size %#" PRIx64, hex(a, sub),
                 sig, size);
        else if (end > bytes)
            note(w, false, "VS subsegment %s: Size %#" PRIx64 " runs past its %#" PRIx64 "-byte page range",
                 hex(a, sub), size, bytes);
        else
            walk_vs_chunks(w, &r, first, end);
    }
    range_free(&r);
}

/* BlockOffsets decoded (EncodedData ^ LfhKey ^ subsegment >> 12, 32 bits)
 * into hdr, a copy of the subsegment header. */
static void lfh_decode(const walk *w, const range *r, uint8_t *hdr)
{
    memcpy(hdr, r->b, w->L.lfh_sub_size);
    uint32_t enc = (uint32_t)kdx_nt_field_value(w->L.lfh_enc, hdr);
    kdx_put_le32(hdr + w->L.lfh_enc->offset, enc ^ (uint32_t)w->lfh_key ^ (uint32_t)(r->va >> 12));
}

static void walk_lfh_blocks(walk *w, const range *r, uint64_t count, uint64_t bsize, uint64_t first)
{
    char a[24], b[24];
    uint64_t words = (2 * count + 63) / 64, absent = 0, first_absent = 0;
    if (!range_has(r, w->L.lfh_bitmap_off, words * 8)) {
        note(w, true, "LFH subsegment %s: its BlockBitmap is not in the dump", hex(a, r->va));
        return;
    }
    for (uint64_t i = 0; i < count && !w->stop; i++) {
        uint64_t word = kdx_le64(r->b + w->L.lfh_bitmap_off + (2 * i / 64) * 8);
        kdx_segheap_block blk = {0};
        blk.kind = KDX_SEGHEAP_LFH;
        blk.start = r->va + first + i * bsize, blk.subsegment = r->va, blk.sub_bytes = r->len;
        blk.size = (uint32_t)bsize, blk.prev_size = i ? (uint32_t)bsize : 0;
        blk.busy = (word >> (2 * i % 64)) & 1;
        blk.tag_known = true;
        if (!range_has(r, first + i * bsize, w->L.ph_size) && absent++ == 0)
            first_absent = blk.start;
        emit(w, &blk, r, first + i * bsize);
    }
    if (absent)
        note(w, true, "LFH subsegment %s: %" PRIu64 " of its %" PRIu64 " block headers are on pages not in the dump "
             "(the first at %s)", hex(a, r->va), absent, count, hex(b, first_absent));
}

static void walk_lfh(walk *w, uint64_t sub, uint64_t bytes)
{
    char a[24];
    range r;
    uint8_t hdr[4096];
    w->st->lfh_subsegments++;
    range_read(w->s, &r, sub, bytes);
    if (!range_has(&r, 0, w->L.lfh_sub_size)) {
        note(w, true, "LFH subsegment %s: its header (%s) is not in the dump", hex(a, sub), LFHSUB);
        range_free(&r);
        return;
    }
    lfh_decode(w, &r, hdr);
    uint64_t count = kdx_nt_field_value(w->L.lfh_count, hdr), bsize = kdx_nt_field_value(w->L.lfh_bsize, hdr);
    uint64_t first = kdx_nt_field_value(w->L.lfh_first, hdr);
    uint64_t bitmap_end = w->L.lfh_bitmap_off + (2 * count + 63) / 64 * 8;
    if (count > MAX_LFH_BLOCKS || bsize < w->L.ph_size || first < bitmap_end || first > bytes ||
        count * bsize > bytes - first)
        note(w, false, "LFH subsegment %s: decoded BlockOffsets (block size %#" PRIx64 ", first block %#" PRIx64
             ") and BlockCount %" PRIu64 " do not fit its %#" PRIx64 " bytes (corrupt, or LfhKey is wrong)",
             hex(a, sub), bsize, first, count, bytes);
    else
        walk_lfh_blocks(w, &r, count, bsize, first);
    range_free(&r);
}

/* ---- segments ---- */

typedef struct segctx {
    uint64_t addr, mask, first;
    unsigned shift, index;
} segctx;

/* Each allocated range's first descriptor names a VS or LFH subsegment. */
static void scan_descriptors(walk *w, uint64_t seg, const uint8_t *buf, const segctx *c)
{
    char a[24];
    for (uint64_t i = c->first; i < w->L.desc_max && !w->stop;) {
        const uint8_t *d = buf + w->L.desc_off + i * w->L.desc_size;
        uint64_t flags = kdx_nt_field_value(w->L.range_flags, d);
        uint64_t units = (flags & RANGE_FIRST) ? kdx_nt_field_value(w->L.unit_size, d) : 1;
        if (!(flags & RANGE_ALLOCATED) || !(flags & RANGE_FIRST) || units == 0) {
            i++;
            continue;
        }
        if (i + units > w->L.desc_max) {
            note(w, false, "segment %s: the range at descriptor %" PRIu64 " claims %" PRIu64 " units, past the "
                 "segment's %" PRIu64, hex(a, seg), i, units, w->L.desc_max);
            return;
        }
        uint64_t sub = seg + (i << c->shift), bytes = units << c->shift, kind = flags & RANGE_KIND_MASK;
        i += units;
        if ((kind != RANGE_VS && kind != RANGE_LFH) || (w->only_at && (w->at < sub || w->at - sub >= bytes)))
            continue;
        w->found = true;
        if (bytes > MAX_SUBSEGMENT_BYTES)
            note(w, false, "subsegment %s: %#" PRIx64 " bytes is beyond the %llu kdx accepts", hex(a, sub), bytes,
                 (unsigned long long)MAX_SUBSEGMENT_BYTES);
        else if (kind == RANGE_VS)
            walk_vs(w, sub, bytes);
        else
            walk_lfh(w, sub, bytes);
        if (kdx_interrupted())
            w->stop = true;
    }
}

/* Reads the segment and checks its Signature; false (noted) when absent or foreign. */
static bool read_segment(walk *w, uint64_t seg, const segctx *c, uint8_t *buf, bool quiet)
{
    char a[24], b[24];
    kdx_err e = {0};
    if (kdx_read_virt(w->s->target, seg, buf, w->L.seg_size, NULL, &e) != KDX_OK) {
        if (!quiet)
            note(w, true, "segment %s of the heap at %s (SegContexts[%u]): %s", hex(a, seg),
                 hex(b, c->addr - w->L.segctx_off - c->index * w->L.segctx_size), c->index, e.msg);
        return false;
    }
    uint64_t sig = kdx_nt_field_value(w->L.seg_sig, buf);
    if ((sig ^ seg ^ w->heap_key ^ SEGMENT_SIGNATURE_XOR) != c->addr) {
        if (!quiet)
            note(w, false, "segment %s: its Signature does not match SegContexts[%u] at %s (corrupt, or not this "
                 "heap's segment)", hex(a, seg), c->index, hex(b, c->addr));
        return false;
    }
    return true;
}

static void walk_segment_list(walk *w, const segctx *c, uint64_t flink, uint8_t *buf)
{
    char a[24], b[24];
    uint64_t head = c->addr + w->L.list_head_off;
    kdx_nt_addrset seen = {0};
    size_t prev;
    for (unsigned n = 0; flink != head && !w->stop; n++) {
        uint64_t seg = flink - w->L.seg_link_off;
        if (n >= MAX_SEGMENTS || !kdx_nt_addrset_add(&seen, seg, n, &prev)) {
            note(w, false, "the segment list of SegContexts[%u] at %s loops at segment %s (seen %s)", c->index,
                 hex(a, c->addr), hex(b, seg), n >= MAX_SEGMENTS ? "too many segments" : "twice");
            break;
        }
        if (!read_segment(w, seg, c, buf, false))
            break;
        w->st->segments++;
        scan_descriptors(w, seg, buf, c);
        flink = kdx_le64(buf + w->L.seg_link_off);
    }
    kdx_nt_addrset_free(&seen);
}

/* walk_at: the segment that would hold the address (address & SegmentMask),
 * if it is this heap's; one whose header is not in the dump is noted once. */
static void scan_candidate(walk *w, const segctx *c, uint8_t *buf)
{
    char a[24], b[24];
    uint64_t seg = w->at & c->mask;
    uint8_t probe;
    if (kdx_read_virt(w->s->target, seg, &probe, 1, NULL, NULL) != KDX_OK) {
        if (seg != w->absent_seg)
            note(w, true, "the page segment header that would describe %s (at %s, SegContexts[%u]'s alignment) is "
                 "not in the dump", hex(a, w->at), hex(b, seg), c->index);
        w->absent_seg = seg;
        return;
    }
    if (read_segment(w, seg, c, buf, true))
        scan_descriptors(w, seg, buf, c);
}

static void walk_heap(walk *w, uint64_t heap)
{
    char a[24];
    uint64_t len = w->L.segctx_max * w->L.segctx_size;
    uint8_t *ctxs = kdx_xmalloc(len), *buf = kdx_xmalloc(w->L.seg_size);
    kdx_err e = {0};
    if (kdx_read_virt(w->s->target, heap + w->L.segctx_off, ctxs, len, NULL, &e) != KDX_OK)
        note(w, true, "the _SEGMENT_HEAP at %s (ExPoolState.PoolNode[%u].Heaps[%u]): SegContexts: %s", hex(a, heap),
             w->node, w->heap, e.msg);
    else
        for (unsigned k = 0; k < w->L.segctx_max && !w->stop; k++) {
            const uint8_t *p = ctxs + k * w->L.segctx_size;
            segctx c = {heap + w->L.segctx_off + k * w->L.segctx_size, kdx_nt_field_value(w->L.mask, p),
                        kdx_nt_field_value(w->L.first_desc, p), (unsigned)kdx_nt_field_value(w->L.unit_shift, p), k};
            if (c.shift < 12 || c.shift > 24 || !c.mask) {
                note(w, false, "SegContexts[%u] of the heap at %s: UnitShift %u or SegmentMask %#" PRIx64 " unusable",
                     k, hex(a, heap), c.shift, c.mask);
                continue;
            }
            if (!w->only_at)
                walk_segment_list(w, &c, kdx_le64(p + w->L.list_head_off), buf);
            else
                scan_candidate(w, &c, buf);
        }
    free(ctxs);
    free(buf);
}

/* The heap pointer at, and the heap walked; false when not in the dump. */
static bool visit_heap(walk *w, unsigned n, unsigned h, uint64_t at)
{
    char a[24];
    uint64_t heap;
    if (read_u64(w->s, at, &heap, NULL) != KDX_OK)
        return false;
    if (!heap)
        return true;
    w->node = n, w->heap = h, w->heap_va = heap;
    w->st->heaps++;
    if (w->no_keys)
        note(w, true, "the heap at %s (ExPoolState.PoolNode[%u].Heaps[%u]) was not walked: its keys are not in the "
             "dump", hex(a, heap), n, h);
    else
        walk_heap(w, heap);
    return true;
}

static void walk_heaps(walk *w)
{
    char a[24];
    uint64_t npools, absent = 0, first_absent = 0, at;
    bool known = kdx_nt_read(w->s, STATE, w->state, "NumberOfPools", &npools, NULL) == KDX_OK;
    if (!known) {
        kdx_nt_offset(w->s, STATE, "NumberOfPools", &at, NULL);
        note(w, true, "nt!ExPoolState.NumberOfPools (at %s) is not in the dump; every PoolNode was tried",
             hex(a, w->state + at));
        npools = w->L.nodes_max; /* the heap pointers may still be there; each is checked */
    }
    if (npools > w->L.nodes_max)
        npools = w->L.nodes_max;
    w->st->nodes = known ? (unsigned)npools : 0; /* 0: NumberOfPools unknown */
    for (unsigned n = 0; n < npools && !w->stop; n++)
        for (unsigned h = 0; h < w->L.heaps_max && !w->stop; h++) {
            if (kdx_interrupted()) {
                w->stop = true;
                break;
            }
            at = w->state + w->L.node_off + n * w->L.node_size + w->L.heaps_off + h * 8ull;
            if (!visit_heap(w, n, h, at) && absent++ == 0)
                first_absent = at;
        }
    if (absent)
        note(w, true, "%" PRIu64 " of the %" PRIu64 " heap pointers nt!ExPoolState.PoolNode[].Heaps[] are not in the "
             "dump (the first, PoolNode[%" PRIu64 "].Heaps[%" PRIu64 "], at %s)", absent, npools * w->L.heaps_max,
             (first_absent - w->state - w->L.node_off) / w->L.node_size,
             (first_absent - w->state - w->L.node_off) % w->L.node_size / 8 - w->L.heaps_off / 8, hex(a, first_absent));
}

static kdx_status run(kdx_session *s, walk *w, kdx_err *err)
{
    memset(w->st, 0, sizeof *w->st);
    kdx_status st = walk_start(s, w, err);
    if (st != KDX_OK)
        return st;
    walk_heaps(w);
    if (w->stop && kdx_interrupted())
        return kdx_err_set(err, KDX_E_INTERRUPTED, "walking the segment heaps interrupted");
    return KDX_OK;
}

kdx_status kdx_segheap_walk(kdx_session *s, kdx_segheap_cb cb, void *ud, kdx_segheap_stats *st, kdx_err *err)
{
    walk w = {0};
    w.s = s, w.cb = cb, w.ud = ud, w.st = st;
    return run(s, &w, err);
}

kdx_status kdx_segheap_walk_at(kdx_session *s, uint64_t addr, kdx_segheap_cb cb, void *ud, kdx_segheap_stats *st,
                               bool *found, kdx_err *err)
{
    walk w = {0};
    w.s = s, w.cb = cb, w.ud = ud, w.st = st;
    w.at = addr, w.only_at = true;
    kdx_status rc = run(s, &w, err);
    *found = w.found;
    return rc;
}

void kdx_segheap_summary(const kdx_segheap_stats *st, char *buf, size_t cap)
{
    if (!st->unreadable && !st->broken) {
        snprintf(buf, cap, "%s", "");
        return;
    }
    snprintf(buf, cap, "%u structure%s of the segment heap not in the dump, %u corrupt%s%s", st->unreadable,
             st->unreadable == 1 ? "" : "s", st->broken, st->nnotes ? "; first: " : "",
             st->nnotes ? st->notes[0] : "");
}
