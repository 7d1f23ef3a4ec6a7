/* Public and global symbol streams: the GSI hash tables (name -> record in
 * the symbol record stream) and the publics address map. */
#include <string.h>

#include "base/bytes.h"
#include "pdb/pdb.h"

#define GSI_BUCKETS 4096
#define GSI_HASH_VERSION (0xeffe0000u + 19990810u)

uint32_t kdx_pdb_hash_v1(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        h ^= kdx_le32(p + i);
    if (len - i >= 2) {
        h ^= kdx_le16(p + i);
        i += 2;
    }
    if (len - i == 1)
        h ^= p[i];
    h |= 0x20202020u;
    h ^= h >> 11;
    return h ^ (h >> 16);
}

static kdx_status gsi_bad(kdx_pdb *pdb, kdx_err *err, const char *which, const char *what,
                          uint32_t off)
{
    return kdx_err_set(err, KDX_E_FORMAT, "%s: %s hash table: %s at offset 0x%x", pdb->path, which,
                       what, off);
}

/* Parses a GSI hash at d+off (len bytes) into g. */
static kdx_status read_gsi(kdx_pdb *pdb, const char *which, const uint8_t *d, uint32_t off,
                           uint32_t len, kdx_pdb_gsi *g, kdx_err *err)
{
    if (len < 16)
        return gsi_bad(pdb, err, which, "header is truncated", off);
    if (kdx_le32(d + off) != 0xffffffffu || kdx_le32(d + off + 4) != GSI_HASH_VERSION)
        return gsi_bad(pdb, err, which, "unknown hash table version", off);
    uint32_t hr_size = kdx_le32(d + off + 8), buckets_size = kdx_le32(d + off + 12);
    if ((uint64_t)hr_size + buckets_size + 16 > len || hr_size % 8)
        return gsi_bad(pdb, err, which, "hash records exceed the stream", off + 8);
    g->records = d + off + 16;
    g->nrecords = hr_size / 8;
    uint32_t boff = off + 16 + hr_size;
    const uint32_t bitmap_words = (GSI_BUCKETS + 1 + 31) / 32;
    for (uint32_t i = 0; i <= GSI_BUCKETS; i++)
        g->bucket_start[i] = g->nrecords;
    if (buckets_size == 0) {
        g->present = true;
        return KDX_OK;
    }
    if (buckets_size < bitmap_words * 4)
        return gsi_bad(pdb, err, which, "bucket bitmap is truncated", boff);
    const uint8_t *bitmap = d + boff;
    const uint8_t *offs = bitmap + bitmap_words * 4;
    uint32_t noffs = (buckets_size - bitmap_words * 4) / 4, k = 0;
    int32_t first_of[GSI_BUCKETS];
    for (uint32_t b = 0; b < GSI_BUCKETS; b++) {
        first_of[b] = -1;
        if (!(kdx_le32(bitmap + 4 * (b / 32)) & (1u << (b % 32))))
            continue;
        if (k >= noffs)
            return gsi_bad(pdb, err, which, "more buckets than bucket offsets", boff);
        /* Offsets are in units of the 12-byte in-memory record the writer used. */
        uint32_t idx = kdx_le32(offs + 4 * k++) / 12;
        if (idx > g->nrecords)
            return gsi_bad(pdb, err, which, "bucket offset is past the hash records", boff);
        first_of[b] = (int32_t)idx;
    }
    /* Each bucket runs to the start of the next non-empty bucket. */
    uint32_t next = g->nrecords;
    for (int b = GSI_BUCKETS - 1; b >= 0; b--) {
        if (first_of[b] < 0) {
            g->bucket_start[b] = next;
            continue;
        }
        g->bucket_start[b] = (uint32_t)first_of[b];
        if ((uint32_t)first_of[b] > next)
            return gsi_bad(pdb, err, which, "bucket offsets are not ascending", boff);
        next = (uint32_t)first_of[b];
    }
    g->present = true;
    return KDX_OK;
}

kdx_status kdx_pdb_load_gsi(kdx_pdb *pdb, kdx_err *err)
{
    if (pdb->gsi_loaded)
        return KDX_OK;
    pdb->gsi_loaded = true;
    const kdx_pdb_stream *s;
    kdx_status st;
    if (kdx_msf_stream_exists(pdb, pdb->symrec_stream)) {
        st = kdx_msf_stream(pdb, pdb->symrec_stream, &s, err);
        if (st)
            return st;
    }
    if (kdx_msf_stream_exists(pdb, pdb->globals_stream)) {
        st = kdx_msf_stream(pdb, pdb->globals_stream, &s, err);
        if (st)
            return st;
        st = read_gsi(pdb, "global symbol", s->data, 0, s->size, &pdb->globals, err);
        if (st)
            return st;
    }
    if (kdx_msf_stream_exists(pdb, pdb->publics_stream)) {
        st = kdx_msf_stream(pdb, pdb->publics_stream, &s, err);
        if (st)
            return st;
        if (s->size < 28)
            return gsi_bad(pdb, err, "public symbol", "header is truncated", 0);
        uint32_t sym_hash = kdx_le32(s->data), addr_map = kdx_le32(s->data + 4);
        if ((uint64_t)sym_hash + addr_map + 28 > s->size)
            return gsi_bad(pdb, err, "public symbol", "address map exceeds the stream", 4);
        st = read_gsi(pdb, "public symbol", s->data, 28, sym_hash, &pdb->publics, err);
        if (st)
            return st;
        pdb->pub_addr_map = s->data + 28 + sym_hash;
        pdb->npub_addr = addr_map / 4;
    }
    return KDX_OK;
}

/* The symbol record at symrec offset off, or false. */
static bool symrec_at(kdx_pdb *pdb, uint32_t off, const uint8_t **rec, uint32_t *len,
                      uint16_t *kind)
{
    if (!kdx_msf_stream_exists(pdb, pdb->symrec_stream))
        return false;
    const kdx_pdb_stream *s = &pdb->streams[pdb->symrec_stream];
    if (!s->loaded || !kdx_pdb_sym_at(s->data, s->size, off, kind, len))
        return false;
    *rec = s->data + off;
    return true;
}

/* Calls cb for the record at symrec offset off; returns cb's verdict. */
static int visit(kdx_pdb *pdb, uint32_t off, kdx_pdb_rec_cb cb, void *ud)
{
    const uint8_t *rec;
    uint32_t len;
    uint16_t kind;
    return symrec_at(pdb, off, &rec, &len, &kind) ? cb(ud, rec, len, kind) : 0;
}

void kdx_pdb_gsi_bucket(kdx_pdb *pdb, const kdx_pdb_gsi *g, const char *name, kdx_pdb_rec_cb cb,
                        void *ud)
{
    if (!g->present)
        return;
    uint32_t b = kdx_pdb_hash_v1(name, strlen(name)) % GSI_BUCKETS;
    for (uint32_t i = g->bucket_start[b]; i < g->bucket_start[b + 1] && i < g->nrecords; i++) {
        uint32_t off = kdx_le32(g->records + 8 * i);
        if (off && visit(pdb, off - 1, cb, ud))
            return;
    }
}

void kdx_pdb_each_public(kdx_pdb *pdb, kdx_pdb_rec_cb cb, void *ud)
{
    for (uint32_t i = 0; i < pdb->npub_addr; i++)
        if (visit(pdb, kdx_le32(pdb->pub_addr_map + 4 * i), cb, ud))
            return;
}
