/* PDB info stream (stream 1): version, signature, age, GUID and the named
 * stream map ("/names", "/LinkInfo", ...). */
#include <string.h>

#include "base/bytes.h"
#include "pdb/pdb.h"

static kdx_status info_bad(kdx_pdb *pdb, kdx_err *err, const char *what, uint32_t off)
{
    return kdx_err_set(err, KDX_E_FORMAT, "%s: PDB info stream: %s at offset 0x%x", pdb->path, what,
                       off);
}

/* Finds name in the named stream map starting at off. */
static kdx_status read_named_streams(kdx_pdb *pdb, const uint8_t *d, uint32_t size, uint32_t off,
                                     kdx_err *err)
{
    if (!kdx_range_ok(off, 4, size))
        return info_bad(pdb, err, "named stream map is truncated", off);
    uint32_t strsize = kdx_le32(d + off);
    off += 4;
    if (!kdx_range_ok(off, strsize, size))
        return info_bad(pdb, err, "named stream string buffer is truncated", off);
    const uint8_t *strs = d + off;
    off += strsize;
    if (!kdx_range_ok(off, 12, size))
        return info_bad(pdb, err, "named stream hash table is truncated", off);
    uint32_t nused = kdx_le32(d + off);
    off += 8; /* size, capacity */
    uint32_t present_words = kdx_le32(d + off);
    off += 4;
    if (present_words > size / 4 || !kdx_range_ok(off, (uint64_t)present_words * 4 + 4, size))
        return info_bad(pdb, err, "named stream present bit vector is truncated", off);
    const uint8_t *present = d + off;
    off += present_words * 4;
    uint32_t deleted_words = kdx_le32(d + off);
    off += 4;
    if (deleted_words > size / 4 || !kdx_range_ok(off, (uint64_t)deleted_words * 4, size))
        return info_bad(pdb, err, "named stream deleted bit vector is truncated", off);
    off += deleted_words * 4;
    uint32_t seen = 0;
    for (uint32_t w = 0; w < present_words; w++) {
        uint32_t bits = kdx_le32(present + 4 * w);
        for (int b = 0; b < 32; b++) {
            if (!(bits & (1u << b)))
                continue;
            if (!kdx_range_ok(off, 8, size))
                return info_bad(pdb, err, "named stream entry is truncated", off);
            uint32_t key = kdx_le32(d + off), val = kdx_le32(d + off + 4);
            off += 8;
            seen++;
            if (key >= strsize || !memchr(strs + key, 0, strsize - key))
                return info_bad(pdb, err, "named stream name offset is outside the string buffer",
                                off - 8);
            if (strcmp((const char *)strs + key, "/names") == 0)
                pdb->names_stream = val;
        }
    }
    (void)nused;
    (void)seen;
    return KDX_OK;
}

kdx_status kdx_pdb_read_info(kdx_pdb *pdb, kdx_err *err)
{
    const kdx_pdb_stream *s;
    kdx_status st = kdx_msf_stream(pdb, 1, &s, err);
    if (st) {
        kdx_err_prefix(err, "PDB info stream");
        return st;
    }
    if (s->size < 28)
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: PDB info stream is 0x%x bytes, shorter than its 0x1c-byte header",
                           pdb->path, s->size);
    uint32_t version = kdx_le32(s->data);
    if (version < 19941610 || version > 20140508)
        return info_bad(pdb, err, "unknown PDB version", 0);
    pdb->signature = kdx_le32(s->data + 4);
    pdb->age = kdx_le32(s->data + 8);
    /* GUID as Data1/Data2/Data3 little-endian, then 8 bytes: keep the on-disk bytes. */
    memcpy(pdb->guid, s->data + 12, 16);
    pdb->names_stream = KDX_PDB_NIL_STREAM;
    return read_named_streams(pdb, s->data, s->size, 28, err);
}

const char *kdx_pdb_names_string(kdx_pdb *pdb, uint32_t off)
{
    const kdx_pdb_stream *s;
    if (pdb->names_stream == KDX_PDB_NIL_STREAM || kdx_msf_stream(pdb, pdb->names_stream, &s, NULL) ||
        s->size < 12 || kdx_le32(s->data) != 0xeffeeffeu)
        return NULL;
    uint32_t bytes = kdx_le32(s->data + 8);
    if (!kdx_range_ok(12, bytes, s->size))
        return NULL;
    return kdx_pdb_cstr(s->data + 12, bytes, off);
}
