/* DBI stream (stream 3): header, module list, section contributions, the
 * optional debug headers (FPO, FrameData, section headers, OMAP), and
 * section:offset -> RVA mapping. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"

/* Indexes of the optional debug header's stream numbers. */
enum { DBG_FPO = 0, DBG_OMAP_TO_SRC = 3, DBG_OMAP_FROM_SRC = 4, DBG_SECTION_HDR = 5,
       DBG_NEW_FPO = 9, DBG_SECTION_HDR_ORIG = 10 };

static kdx_status dbi_bad(kdx_pdb *pdb, kdx_err *err, const char *what, uint32_t off)
{
    return kdx_err_set(err, KDX_E_FORMAT, "%s: DBI stream: %s at offset 0x%x", pdb->path, what, off);
}

static kdx_status read_modules(kdx_pdb *pdb, const uint8_t *d, uint32_t start, uint32_t len,
                               kdx_err *err)
{
    KDX_VEC(kdx_pdb_module) mods = {0};
    uint32_t off = start, end = start + len;
    while (off < end) {
        if (!kdx_range_ok(off, 64, end)) {
            KDX_VEC_FREE(mods);
            return dbi_bad(pdb, err, "module info record is truncated", off);
        }
        const uint8_t *r = d + off;
        kdx_pdb_module m = {0};
        m.sym_stream = kdx_le16(r + 34);
        m.sym_bytes = kdx_le32(r + 36);
        m.c11_bytes = kdx_le32(r + 40);
        m.c13_bytes = kdx_le32(r + 44);
        uint32_t p = off + 64;
        const uint8_t *nul = p < end ? memchr(d + p, 0, end - p) : NULL;
        if (!nul) {
            KDX_VEC_FREE(mods);
            return dbi_bad(pdb, err, "module name is not terminated", p);
        }
        m.name = (const char *)d + p;
        p = (uint32_t)(nul - d) + 1;
        nul = p < end ? memchr(d + p, 0, end - p) : NULL;
        if (!nul) {
            KDX_VEC_FREE(mods);
            return dbi_bad(pdb, err, "module object file name is not terminated", p);
        }
        m.obj_name = (const char *)d + p;
        p = (uint32_t)(nul - d) + 1;
        off = (p + 3) & ~3u;
        KDX_VEC_PUSH(mods, m);
    }
    pdb->modules = mods.items;
    pdb->nmodules = (uint32_t)mods.len;
    return KDX_OK;
}

static bool dbg_stream_present(const kdx_pdb *pdb, uint32_t which)
{
    return pdb->ndbg_streams > which && kdx_msf_stream_exists(pdb, pdb->dbg_streams[which]);
}

/* The OMAP tables of an image reordered after linking (either may be absent). */
static kdx_status read_omap(kdx_pdb *pdb, uint32_t orig_len, kdx_err *err)
{
    const kdx_pdb_stream *to = NULL, *from = NULL;
    kdx_status st;
    if (dbg_stream_present(pdb, DBG_OMAP_TO_SRC) &&
        (st = kdx_msf_stream(pdb, pdb->dbg_streams[DBG_OMAP_TO_SRC], &to, err)))
        return st;
    if (dbg_stream_present(pdb, DBG_OMAP_FROM_SRC) &&
        (st = kdx_msf_stream(pdb, pdb->dbg_streams[DBG_OMAP_FROM_SRC], &from, err)))
        return st;
    uint32_t nto = to ? to->size / 8 : 0, nfrom = from ? from->size / 8 : 0;
    if (nto || nfrom)
        kdx_pdb_omap_build(pdb, to ? to->data : NULL, nto, from ? from->data : NULL, nfrom, orig_len);
    return KDX_OK;
}

/* Section headers map section:offset to RVAs. In a reordered image symbols
 * use the sections as linked: the original headers when the PDB keeps them. */
static kdx_status read_section_headers(kdx_pdb *pdb, kdx_err *err)
{
    int which = dbg_stream_present(pdb, DBG_SECTION_HDR_ORIG) ? DBG_SECTION_HDR_ORIG : DBG_SECTION_HDR;
    if (!dbg_stream_present(pdb, (uint32_t)which))
        return KDX_OK; /* no section headers: section:offset cannot be mapped */
    const kdx_pdb_stream *s;
    kdx_status st = kdx_msf_stream(pdb, pdb->dbg_streams[which], &s, err);
    if (st)
        return st;
    pdb->nsections = s->size / 40;
    pdb->section_rva = kdx_xcalloc(pdb->nsections ? pdb->nsections : 1, sizeof(uint32_t));
    uint64_t image_end = 0;
    for (uint32_t i = 0; i < pdb->nsections; i++) {
        pdb->section_rva[i] = kdx_le32(s->data + 40 * i + 12);
        image_end = KDX_MAX(image_end, (uint64_t)pdb->section_rva[i] + kdx_le32(s->data + 40 * i + 8));
    }
    return read_omap(pdb, (uint32_t)KDX_MIN(image_end, UINT32_MAX), err);
}

static kdx_status read_contribs(kdx_pdb *pdb, const uint8_t *d, uint32_t start, uint32_t len,
                                kdx_err *err)
{
    if (len < 4)
        return KDX_OK;
    uint32_t ver = kdx_le32(d + start);
    uint32_t entsize = ver == 0xeffe0000u + 19970605u ? 28 : ver == 0xeffe0000u + 20140516u ? 32 : 0;
    if (!entsize)
        return dbi_bad(pdb, err, "unknown section contribution version", start);
    uint32_t n = (len - 4) / entsize;
    KDX_VEC(kdx_pdb_seccontrib) v = {0};
    kdx_pdb_ranges where = {0};
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = d + start + 4 + i * entsize;
        /* A contribution of a reordered image may land in several chunks. */
        if (!kdx_pdb_sect_to_ranges(pdb, kdx_le16(e), kdx_le32(e + 4), kdx_le32(e + 8), &where))
            continue;
        for (size_t k = 0; k < where.len; k++)
            KDX_VEC_PUSH(v, ((kdx_pdb_seccontrib){where.items[k].rva, where.items[k].len, kdx_le16(e + 16)}));
    }
    KDX_VEC_FREE(where);
    pdb->contribs = v.items;
    pdb->ncontribs = (uint32_t)v.len;
    return KDX_OK;
}

static int cmp_contrib(const void *a, const void *b)
{
    const kdx_pdb_seccontrib *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

kdx_status kdx_pdb_read_dbi(kdx_pdb *pdb, kdx_err *err)
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(pdb->dbg_streams); i++)
        pdb->dbg_streams[i] = KDX_PDB_NIL_STREAM;
    pdb->globals_stream = pdb->publics_stream = pdb->symrec_stream = KDX_PDB_NIL_STREAM;
    if (!kdx_msf_stream_exists(pdb, 3) || pdb->stream_sizes[3] == 0)
        return KDX_OK; /* a PDB with types only */
    const kdx_pdb_stream *s;
    kdx_status st = kdx_msf_stream(pdb, 3, &s, err);
    if (st)
        return st;
    const uint8_t *d = s->data;
    if (s->size < 64)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: DBI stream is 0x%x bytes, shorter than its header",
                           pdb->path, s->size);
    if (kdx_le32(d) != 0xffffffffu)
        return dbi_bad(pdb, err, "not a new-format DBI header (signature is not -1)", 0);
    pdb->has_dbi = true;
    /* The DBI age is the one images' RSDS records carry (the info stream's
     * age also counts incremental links that did not change the DBI). */
    pdb->age = kdx_le32(d + 8);
    pdb->globals_stream = kdx_le16(d + 12);
    pdb->publics_stream = kdx_le16(d + 16);
    pdb->symrec_stream = kdx_le16(d + 20);
    pdb->machine = kdx_le16(d + 58);
    pdb->dbi_flags = kdx_le16(d + 56);
    uint32_t sizes[7];
    const int size_off[7] = {24, 28, 32, 36, 40, 52, 48}; /* mod, sc, secmap, files, tsm, ec, dbg */
    uint64_t total = 64;
    for (int i = 0; i < 7; i++) {
        sizes[i] = kdx_le32(d + size_off[i]);
        total += sizes[i];
    }
    if (total > s->size)
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: DBI substreams (0x%llx bytes) exceed the DBI stream (0x%x bytes)",
                           pdb->path, (unsigned long long)total, s->size);
    uint32_t off = 64;
    st = read_modules(pdb, d, off, sizes[0], err);
    if (st)
        return st;
    uint32_t sc_off = off + sizes[0];
    off = sc_off;
    for (int i = 1; i < 6; i++)
        off += sizes[i];
    pdb->ndbg_streams = KDX_MIN(sizes[6] / 2, (uint32_t)KDX_ARRAY_LEN(pdb->dbg_streams));
    for (uint32_t i = 0; i < pdb->ndbg_streams; i++)
        pdb->dbg_streams[i] = kdx_le16(d + off + 2 * i);
    st = read_section_headers(pdb, err);
    if (st)
        return st;
    st = read_contribs(pdb, d, sc_off, sizes[1], err);
    if (st)
        return st;
    if (pdb->ncontribs > 1)
        kdx_sort(pdb->contribs, pdb->ncontribs, sizeof *pdb->contribs, cmp_contrib);
    return KDX_OK;
}

bool kdx_pdb_sect_to_rva(kdx_pdb *pdb, uint16_t sect, uint32_t off, uint32_t *rva)
{
    if (sect == 0 || sect > pdb->nsections)
        return false;
    uint32_t r = pdb->section_rva[sect - 1] + off;
    if (pdb->has_omap)
        return kdx_pdb_omap_point(pdb, r, rva);
    *rva = r;
    return true;
}

int kdx_pdb_module_for_rva(const kdx_pdb *pdb, uint32_t rva)
{
    long i = kdx_pdb_floor(pdb->contribs, pdb->ncontribs, sizeof *pdb->contribs,
                           offsetof(kdx_pdb_seccontrib, rva), rva);
    if (i < 0)
        return -1;
    const kdx_pdb_seccontrib *c = &pdb->contribs[i];
    return rva - c->rva < c->size ? c->module : -1;
}
