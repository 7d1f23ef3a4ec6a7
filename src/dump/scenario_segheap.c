/* The scenario writer's kernel segment heap (scenario.h, docs/pool.md):
 * nt!ExPoolState with one pool node whose first heap is a _SEGMENT_HEAP,
 * one page segment on SegContexts[0] with its page range descriptors, a VS
 * subsegment whose chunks carry encoded _HEAP_VS_CHUNK_HEADERs and an LFH
 * subsegment with encoded BlockOffsets and a busy bitmap; every allocation
 * starts with a _POOL_HEADER. The keys are written into
 * nt!RtlpHpHeapGlobals. Offsets and sizes come from the layout's types;
 * only the encodings' constants (the public research docs/pool.md cites)
 * are written here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/scenario.h"
#include "dump/scenario_internal.h"

#define PAGE_BYTES 0x1000ull
#define SEGMENT_BYTES 0x100000ull     /* SegContexts[0]: 1 MB segments of 4 KB units */
#define SEGMENT_MASK (~(SEGMENT_BYTES - 1))
#define LARGE_SEGMENT_BYTES 0x1000000ull /* SegContexts[1]: 16 MB segments of 64 KB units */
#define SEGMENT_SIGNATURE_XOR 0xA2E64EADA2E64EADull
#define VS_SIGNATURE_XOR 0x2BEDu
#define SEGMENT_HEAP_SIGNATURE 0xDDEEDDEEu
#define RANGE_ALLOCATED 1u
#define RANGE_FIRST 2u
#define RANGE_LFH 8u
#define RANGE_VS 0xCu
#define SEGMENT_UNITS (SEGMENT_BYTES / PAGE_BYTES) /* the descriptors SegContexts[0] uses */

typedef struct chunk {
    uint64_t off, size;       /* in the VS subsegment; size with the chunk header */
    bool busy;
} chunk;

typedef struct vs_sub {
    uint64_t va, bytes, cursor;
    KDX_VEC(chunk) chunks;
} vs_sub;

typedef struct lfh_sub {
    uint64_t va, bytes;
    bool *busy;
    uint32_t used;            /* blocks handed out, in order */
} lfh_sub;

struct kdx_scn_segheap {
    kdx_scn *s;
    kdx_scn_segheap_spec spec;
    uint64_t heap, ctx0;
    uint64_t seg, next_unit, first_unit; /* the segment subsegments are placed in, its next free unit */
    uint64_t chunk_hdr, pool_hdr, vs_first, lfh_first, lfh_pages;
    KDX_VEC(vs_sub) vs;
    KDX_VEC(lfh_sub) lfh;
};

/* A fixed sequence of nonzero keys (splitmix64), so dumps are reproducible. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x ? x : 1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* ---- the heap, its context and the globals ---- */

static void write_heap(kdx_scn_segheap *h)
{
    kdx_scn *s = h->s;
    uint64_t seg_size = kdx_scn_sizeof(s, "_HEAP_PAGE_SEGMENT");
    h->heap = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_SEGMENT_HEAP"), 64);
    h->ctx0 = h->heap + kdx_scn_offset(s, "_SEGMENT_HEAP", "SegContexts");
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_SEGMENT_HEAP", h->heap, &o);
    kdx_scn_set(&o, "Signature", SEGMENT_HEAP_SIGNATURE);
    const struct { const char *ctx; uint64_t bytes; unsigned shift; } c[2] = {
        {"SegContexts[0].", SEGMENT_BYTES, 12}, {"SegContexts[1].", LARGE_SEGMENT_BYTES, 16}};
    for (int i = 0; i < 2; i++) {
        char path[64];
#define SET(field, v) (snprintf(path, sizeof path, "%s%s", c[i].ctx, field), kdx_scn_set(&o, path, v))
        SET("SegmentMask", ~(c[i].bytes - 1));
        SET("UnitShift", c[i].shift);
        SET("FirstDescriptorIndex", align_up(seg_size, 1ull << c[i].shift) >> c[i].shift);
        SET("Heap", h->heap);
        SET("VsContext", kdx_scn_addr(&o, "VsContext"));
        SET("LfhContext", kdx_scn_addr(&o, "LfhContext"));
#undef SET
        snprintf(path, sizeof path, "%sSegmentListHead", c[i].ctx);
        kdx_scn_set_empty_list(&o, path);
    }
    kdx_scn_set_empty_list(&o, "VsContext.SubsegmentList");
    kdx_scn_obj_end(&o);
}

static void write_globals(kdx_scn_segheap *h)
{
    kdx_scn *s = h->s;
    uint64_t g = kdx_scn_symbol(s, "RtlpHpHeapGlobals"), state = kdx_scn_symbol(s, "ExPoolState");
    kdx_scn_poke(s, "_RTLP_HP_HEAP_GLOBALS", g, "HeapKey", h->spec.heap_key);
    kdx_scn_poke(s, "_RTLP_HP_HEAP_GLOBALS", g, "LfhKey", h->spec.lfh_key);
    kdx_scn_poke(s, "_EX_POOL_HEAP_MANAGER_STATE", state, "NumberOfPools", 1);
    kdx_scn_poke(s, "_EX_POOL_HEAP_MANAGER_STATE", state, "PoolNode[0].Heaps[0]", h->heap);
}

/* ---- the segment and its descriptors ---- */

/* A page segment: 1 MB aligned, its header (descriptors) in the dump,
 * its Signature tying it to SegContexts[0]; linked on the context's list. */
static uint64_t new_segment(kdx_scn_segheap *h, bool link)
{
    kdx_scn *s = h->s;
    uint64_t seg = kdx_kdw_alloc_virt(kdx_scn_writer(s), (uint32_t)SEGMENT_BYTES, (uint32_t)SEGMENT_BYTES);
    kdx_scn_poke(s, "_HEAP_PAGE_SEGMENT", seg, "Signature", seg ^ h->ctx0 ^ h->spec.heap_key ^ SEGMENT_SIGNATURE_XOR);
    if (link)
        kdx_scn_list_append(s, h->ctx0 + kdx_scn_offset(s, "_HEAP_SEG_CONTEXT", "SegmentListHead"),
                            seg + kdx_scn_offset(s, "_HEAP_PAGE_SEGMENT", "ListEntry"));
    return seg;
}

/* Descriptors of the range of units pages at unit first (a VS or LFH subsegment). */
static void describe_range(kdx_scn_segheap *h, uint64_t first, uint64_t units, unsigned kind)
{
    kdx_scn *s = h->s;
    uint64_t base = h->seg + kdx_scn_offset(s, "_HEAP_PAGE_SEGMENT", "DescArray");
    uint64_t size = kdx_scn_sizeof(s, "_HEAP_PAGE_RANGE_DESCRIPTOR");
    for (uint64_t i = 0; i < units; i++) {
        kdx_scn_obj o;
        kdx_scn_obj_begin(s, "_HEAP_PAGE_RANGE_DESCRIPTOR", base + (first + i) * size, &o);
        kdx_scn_set(&o, "RangeFlags", i ? RANGE_ALLOCATED : RANGE_ALLOCATED | RANGE_FIRST | kind);
        kdx_scn_set(&o, i ? "UnitOffset" : "UnitSize", i ? i : units);
        kdx_scn_obj_end(&o);
    }
}

/* pages units of the current segment (a new one when it is full); their address. */
static uint64_t take_units(kdx_scn_segheap *h, uint64_t pages, unsigned kind)
{
    if (h->next_unit + pages > SEGMENT_UNITS) {
        h->seg = new_segment(h, true);
        h->next_unit = h->first_unit;
    }
    uint64_t unit = h->next_unit;
    h->next_unit += pages;
    describe_range(h, unit, pages, kind);
    return h->seg + unit * PAGE_BYTES;
}

/* ---- VS ---- */

static vs_sub *place_vs(kdx_scn_segheap *h)
{
    kdx_scn *s = h->s;
    uint64_t pages = h->spec.vs_pages;
    vs_sub v = {take_units(h, pages, RANGE_VS), pages * PAGE_BYTES, h->vs_first, {0}};
    uint64_t units16 = (v.bytes - h->vs_first) / 16;
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_HEAP_VS_SUBSEGMENT", v.va, &o);
    kdx_scn_set(&o, "Size", units16);
    kdx_scn_set(&o, "Signature", (units16 ^ VS_SIGNATURE_XOR) & 0x7fff);
    kdx_scn_set(&o, "FullCommit", 1);
    kdx_scn_set(&o, "CommitBitmap", pages >= 64 ? ~0ull : (1ull << pages) - 1);
    kdx_scn_obj_end(&o);
    kdx_scn_list_append(s, h->heap + kdx_scn_offset(s, "_SEGMENT_HEAP", "VsContext.SubsegmentList"),
                        v.va + kdx_scn_offset(s, "_HEAP_VS_SUBSEGMENT", "ListEntry"));
    kdx_kdw_map(kdx_scn_writer(s), v.va, v.bytes, NULL);
    KDX_VEC_PUSH(h->vs, v);
    return &h->vs.items[h->vs.len - 1];
}

/* The chunk header at off, its sizes encoded with the chunk's address and
 * HeapKey, its page offset with their low bytes. */
static void write_chunk(kdx_scn_segheap *h, const vs_sub *v, uint64_t off, uint64_t size, uint64_t prev, bool busy)
{
    kdx_scn *s = h->s;
    uint64_t at = v->va + off, sizes = kdx_scn_offset(s, "_HEAP_VS_CHUNK_HEADER", "Sizes");
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_HEAP_VS_CHUNK_HEADER", at, &o);
    kdx_scn_set(&o, "Sizes.HeaderBits", 0);
    kdx_scn_set(&o, "Sizes.UnsafeSize", size / 16);
    kdx_scn_set(&o, "Sizes.UnsafePrevSize", prev / 16);
    kdx_scn_set(&o, "Sizes.Allocated", busy);
    if (busy) /* a free chunk's tree node lies there */
        kdx_scn_set(&o, "EncodedSegmentPageOffset", ((off >> 12) ^ at ^ h->spec.heap_key) & 0xff);
    kdx_put_le64(o.buf + sizes, kdx_le64(o.buf + sizes) ^ at ^ h->spec.heap_key);
    kdx_scn_obj_end(&o);
}

/* ---- LFH ---- */

static lfh_sub *place_lfh(kdx_scn_segheap *h)
{
    lfh_sub l = {take_units(h, h->lfh_pages, RANGE_LFH), h->lfh_pages * PAGE_BYTES, NULL, 0};
    l.busy = kdx_xcalloc(h->spec.lfh_blocks, sizeof *l.busy);
    kdx_kdw_map(kdx_scn_writer(h->s), l.va, l.bytes, NULL);
    KDX_VEC_PUSH(h->lfh, l);
    return &h->lfh.items[h->lfh.len - 1];
}

static void write_lfh(kdx_scn_segheap *h, const lfh_sub *l)
{
    kdx_scn *s = h->s;
    uint64_t n = h->spec.lfh_blocks, free_count = 0, enc = kdx_scn_offset(s, "_HEAP_LFH_SUBSEGMENT", "BlockOffsets");
    uint64_t words = (2 * n + 63) / 64;
    uint8_t *raw = kdx_xcalloc(words, 8);
    for (uint64_t i = 0; i < n; i++) {
        if (l->busy[i])
            raw[2 * i / 8] |= (uint8_t)(1u << (2 * i % 8)); /* little-endian words: bit 2i of the bitmap */
        free_count += !l->busy[i];
    }
    scn_write(s, l->va + kdx_scn_offset(s, "_HEAP_LFH_SUBSEGMENT", "BlockBitmap"), raw, words * 8);
    free(raw);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_HEAP_LFH_SUBSEGMENT", l->va, &o);
    kdx_scn_set(&o, "BlockCount", n);
    kdx_scn_set(&o, "FreeCount", free_count);
    kdx_scn_set(&o, "BlockOffsets.BlockSize", h->spec.lfh_block);
    kdx_scn_set(&o, "BlockOffsets.FirstBlockOffset", h->lfh_first);
    kdx_put_le32(o.buf + enc, kdx_le32(o.buf + enc) ^ (uint32_t)h->spec.lfh_key ^ (uint32_t)(l->va >> 12));
    kdx_scn_obj_end(&o);
}

/* ---- the public side ---- */

static void defaults(kdx_scn_segheap_spec *sp)
{
    sp->heap_key = sp->heap_key ? sp->heap_key : mix(0x6b64787365676865ull);
    sp->lfh_key = sp->lfh_key ? sp->lfh_key : mix(sp->heap_key);
    sp->lfh_block = sp->lfh_block ? sp->lfh_block : 0x80;
    sp->lfh_blocks = sp->lfh_blocks ? sp->lfh_blocks : 48;
    sp->vs_pages = sp->vs_pages ? sp->vs_pages : 8;
}

kdx_scn_segheap *kdx_scn_segheap_new(kdx_scn *s, const kdx_scn_segheap_spec *spec)
{
    kdx_scn_segheap *h = kdx_xcalloc(1, sizeof *h);
    h->s = s;
    if (spec)
        h->spec = *spec;
    defaults(&h->spec);
    h->pool_hdr = kdx_scn_sizeof(s, "_POOL_HEADER");
    h->chunk_hdr = kdx_scn_sizeof(s, "_HEAP_VS_CHUNK_HEADER");
    h->vs_first = align_up(kdx_scn_sizeof(s, "_HEAP_VS_SUBSEGMENT"), 16);
    uint64_t n = h->spec.lfh_blocks, bitmap = kdx_scn_offset(s, "_HEAP_LFH_SUBSEGMENT", "BlockBitmap");
    h->lfh_first = align_up(bitmap + (2 * n + 63) / 64 * 8, 16);
    h->lfh_pages = align_up(h->lfh_first + n * h->spec.lfh_block, PAGE_BYTES) / PAGE_BYTES;
    write_heap(h);
    write_globals(h);
    h->seg = new_segment(h, true);
    h->first_unit = h->next_unit = align_up(kdx_scn_sizeof(s, "_HEAP_PAGE_SEGMENT"), PAGE_BYTES) / PAGE_BYTES;
    if (h->spec.vs_pages + h->lfh_pages + 2 > SEGMENT_UNITS - h->first_unit) {
        scn_fail(s, KDX_E_ARG, "a segment heap subsegment of %llu pages does not fit a segment",
                 (unsigned long long)(h->spec.vs_pages + h->lfh_pages));
        return h;
    }
    place_vs(h);
    place_lfh(h);
    if (h->spec.absent_subsegment) /* described, never written: its pages are not in the dump */
        take_units(h, 2, RANGE_VS);
    return h;
}

static void pool_header(kdx_scn_segheap *h, uint64_t at, uint32_t tag, uint32_t pool_type, uint64_t block)
{
    kdx_scn_obj o;
    kdx_scn_obj_begin(h->s, "_POOL_HEADER", at, &o);
    kdx_scn_set(&o, "PoolTag", tag);
    kdx_scn_set(&o, "PoolType", pool_type);
    kdx_scn_set(&o, "BlockSize", block / h->pool_hdr);
    kdx_scn_obj_end(&o);
}

static uint64_t alloc_lfh(kdx_scn_segheap *h, uint32_t tag, uint32_t pool_type, uint64_t bytes)
{
    if (bytes + h->pool_hdr > h->spec.lfh_block)
        return scn_fail(h->s, KDX_E_ARG, "%llu bytes do not fit the LFH block of %u", (unsigned long long)bytes,
                        h->spec.lfh_block), 0;
    lfh_sub *l = &h->lfh.items[h->lfh.len - 1];
    if (l->used == h->spec.lfh_blocks)
        l = place_lfh(h);
    l->busy[l->used] = true;
    uint64_t at = l->va + h->lfh_first + l->used++ * (uint64_t)h->spec.lfh_block;
    pool_header(h, at, tag, pool_type, h->spec.lfh_block);
    return at + h->pool_hdr;
}

static uint64_t alloc_vs(kdx_scn_segheap *h, uint32_t tag, uint32_t pool_type, uint64_t bytes)
{
    uint64_t size = align_up(h->chunk_hdr + h->pool_hdr + bytes, 16), min = h->chunk_hdr + h->pool_hdr;
    vs_sub *v = &h->vs.items[h->vs.len - 1];
    for (int fresh = 0; fresh < 2; fresh++, v = place_vs(h)) {
        uint64_t left = v->bytes - v->cursor;
        if (size > left || (left - size && left - size < min))
            continue; /* the rest stays one free chunk; a new subsegment takes the block */
        KDX_VEC_PUSH(v->chunks, ((chunk){v->cursor, size, true}));
        uint64_t at = v->va + v->cursor + h->chunk_hdr;
        pool_header(h, at, tag, pool_type, size - h->chunk_hdr);
        v->cursor += size;
        return at + h->pool_hdr;
    }
    return scn_fail(h->s, KDX_E_LIMIT, "%llu bytes do not fit a VS subsegment", (unsigned long long)bytes), 0;
}

uint64_t kdx_scn_segheap_alloc(kdx_scn_segheap *h, bool lfh, uint32_t tag, uint32_t pool_type, uint64_t bytes)
{
    if (!h->vs.len || !h->lfh.len)
        return 0; /* the heap could not be laid out (the error is kept) */
    return lfh ? alloc_lfh(h, tag, pool_type, bytes) : alloc_vs(h, tag, pool_type, bytes);
}

void kdx_scn_segheap_free(kdx_scn_segheap *h, uint64_t va)
{
    uint64_t block = va - h->pool_hdr;
    for (size_t i = 0; i < h->lfh.len; i++) {
        lfh_sub *l = &h->lfh.items[i];
        if (block >= l->va + h->lfh_first && block < l->va + l->bytes) {
            l->busy[(block - l->va - h->lfh_first) / h->spec.lfh_block] = false;
            return;
        }
    }
    for (size_t i = 0; i < h->vs.len; i++) {
        vs_sub *v = &h->vs.items[i];
        for (size_t k = 0; block > v->va && block < v->va + v->bytes && k < v->chunks.len; k++)
            if (v->va + v->chunks.items[k].off + h->chunk_hdr == block)
                v->chunks.items[k].busy = false;
    }
}

/* A free chunk's tree node overlays its _POOL_HEADER, as the heap's free tree does. */
static void clear_free_chunk(kdx_scn_segheap *h, uint64_t at)
{
    kdx_scn_obj o;
    kdx_scn_obj_begin(h->s, "_HEAP_VS_CHUNK_FREE_HEADER", at, &o);
    kdx_scn_set(&o, "Node.Left", 0);
    kdx_scn_set(&o, "Node.Right", 0);
    kdx_scn_set(&o, "Node.ParentValue", 0);
    kdx_scn_obj_end(&o);
}

static void write_vs(kdx_scn_segheap *h, vs_sub *v, bool corrupt)
{
    uint64_t prev = 0;
    if (v->cursor < v->bytes)
        KDX_VEC_PUSH(v->chunks, ((chunk){v->cursor, v->bytes - v->cursor, false}));
    for (size_t i = 0; i < v->chunks.len; i++) {
        const chunk *c = &v->chunks.items[i];
        if (!c->busy)
            clear_free_chunk(h, v->va + c->off);
        write_chunk(h, v, c->off, c->size, prev, c->busy);
        prev = c->size;
    }
    if (corrupt && v->chunks.len) { /* the last chunk's encoded sizes no longer decode */
        uint64_t at = v->va + v->chunks.items[v->chunks.len - 1].off +
                      kdx_scn_offset(h->s, "_HEAP_VS_CHUNK_HEADER", "Sizes");
        scn_write(h->s, at, "\x5a\xa5\x5a\xa5\x5a\xa5\x5a\xa5", 8);
    }
}

/* A second segment whose list entry points to itself: the list never returns to its head. */
static void looping_segment(kdx_scn_segheap *h)
{
    kdx_scn *s = h->s;
    uint64_t entry = kdx_scn_offset(s, "_HEAP_PAGE_SEGMENT", "ListEntry");
    uint64_t seg2 = new_segment(h, true) + entry;
    kdx_scn_poke(s, "_LIST_ENTRY", seg2, "Flink", seg2);
}

void kdx_scn_segheap_finish(kdx_scn_segheap *h)
{
    for (size_t i = 0; i < h->vs.len; i++) {
        write_vs(h, &h->vs.items[i], h->spec.corrupt_vs_chunk && i == 0);
        KDX_VEC_FREE(h->vs.items[i].chunks);
    }
    for (size_t i = 0; i < h->lfh.len; i++) {
        write_lfh(h, &h->lfh.items[i]);
        free(h->lfh.items[i].busy);
    }
    if (h->spec.looping_segment_list)
        looping_segment(h);
    if (h->s->segheap == h)
        h->s->segheap = NULL;
    KDX_VEC_FREE(h->vs);
    KDX_VEC_FREE(h->lfh);
    free(h);
}

uint64_t kdx_scn_segheap_subsegment(const kdx_scn_segheap *h, bool lfh)
{
    return lfh ? (h->lfh.len ? h->lfh.items[0].va : 0) : (h->vs.len ? h->vs.items[0].va : 0);
}

void kdx_scn_set_segheap(kdx_scn *s, kdx_scn_segheap *h)
{
    s->segheap = h;
}

uint64_t kdx_scn_small_alloc(kdx_scn *s, uint32_t tag, uint64_t bytes)
{
    if (!s->segheap)
        return kdx_scn_alloc(s, bytes, 16);
    return kdx_scn_segheap_alloc(s->segheap, false, tag, 0, bytes);
}
