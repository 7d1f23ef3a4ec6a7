/* Module symbol streams: procedures (with sizes), labels, data, thunks, and
 * line numbers from the C13 DEBUG_S_LINES / DEBUG_S_FILECHKSMS subsections. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"
#include "pdb/cv.h"

bool kdx_pdb_sym_at(const uint8_t *buf, uint32_t size, uint32_t off, uint16_t *kind,
                    uint32_t *reclen)
{
    if (!kdx_range_ok(off, 4, size))
        return false;
    uint32_t len = kdx_le16(buf + off);
    if (len < 2 || !kdx_range_ok(off, (uint64_t)len + 2, size))
        return false;
    *kind = kdx_le16(buf + off + 2);
    *reclen = len + 2;
    return true;
}

const char *kdx_pdb_cstr(const uint8_t *rec, uint32_t len, uint32_t off)
{
    if (off >= len || !memchr(rec + off, 0, len - off))
        return NULL;
    return (const char *)rec + off;
}

static kdx_status module_stream(kdx_pdb *pdb, uint32_t m, const kdx_pdb_stream **s, kdx_err *err)
{
    if (m >= pdb->nmodules)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: no module %u", pdb->path, m);
    const kdx_pdb_module *mod = &pdb->modules[m];
    if (!kdx_msf_stream_exists(pdb, mod->sym_stream))
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: module %s has no symbol stream", pdb->path,
                           mod->name);
    kdx_status st = kdx_msf_stream(pdb, mod->sym_stream, s, err);
    if (st)
        return st;
    if ((uint64_t)mod->sym_bytes + mod->c11_bytes + mod->c13_bytes > (*s)->size)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: module %s: symbol and line sizes exceed its stream %u (0x%x bytes)",
                           pdb->path, mod->name, mod->sym_stream, (*s)->size);
    return KDX_OK;
}

kdx_status kdx_pdb_module_syms(kdx_pdb *pdb, uint32_t m, kdx_pdb_rec_cb cb, void *ud,
                               kdx_err *err)
{
    const kdx_pdb_stream *s;
    kdx_status st = module_stream(pdb, m, &s, err);
    if (st)
        return st;
    uint32_t end = pdb->modules[m].sym_bytes;
    uint32_t off = 4; /* CV signature */
    while (off + 4 <= end) {
        uint16_t kind;
        uint32_t len;
        if (!kdx_pdb_sym_at(s->data, end, off, &kind, &len))
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: module %s: symbol record at stream offset 0x%x is truncated",
                               pdb->path, pdb->modules[m].name, off);
        if (cb(ud, s->data + off, len, kind))
            break;
        off += len;
    }
    return KDX_OK;
}

bool kdx_pdb_is_proc(uint16_t kind)
{
    return kind == S_GPROC32 || kind == S_LPROC32 || kind == S_GPROC32_ID || kind == S_LPROC32_ID;
}

kdx_status kdx_pdb_module_proc(kdx_pdb *pdb, uint32_t m, uint32_t off, uint32_t *rva,
                               uint32_t *size, const char **name, uint32_t *type, bool *local,
                               kdx_err *err)
{
    const kdx_pdb_stream *s;
    kdx_status st = module_stream(pdb, m, &s, err);
    if (st)
        return st;
    uint16_t kind;
    uint32_t len;
    if (!kdx_pdb_sym_at(s->data, pdb->modules[m].sym_bytes, off, &kind, &len) ||
        !kdx_pdb_is_proc(kind) || len < 39)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: module %s: no procedure record at stream offset 0x%x", pdb->path,
                           pdb->modules[m].name, off);
    const uint8_t *r = s->data + off;
    *name = kdx_pdb_cstr(r, len, 39);
    if (!*name || !kdx_pdb_sect_to_rva(pdb, kdx_le16(r + 36), kdx_le32(r + 32), rva))
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: module %s: procedure at stream offset 0x%x has a bad name or address",
                           pdb->path, pdb->modules[m].name, off);
    *size = kdx_le32(r + 16);
    *type = kdx_le32(r + 28);
    *local = kind == S_LPROC32 || kind == S_LPROC32_ID;
    return KDX_OK;
}

/* ---- Lines ---- */

typedef KDX_VEC(kdx_pdb_line) line_vec;

static void push_line(line_vec *out, uint32_t rva, uint32_t line, const char *file)
{
    kdx_pdb_line l = {rva, line, (uint32_t)out->len, file};
    KDX_VEC_PUSH(*out, l);
}

/* One file block of a DEBUG_S_LINES subsection: lines at offsets from
 * sect:off, the last one running to code_len. In a reordered image each line's bytes may land in several chunks,
 * each then ends with an end marker (line 0). */
static void block_lines(kdx_pdb *pdb, const uint8_t *e, uint32_t n, uint16_t sect, uint32_t off,
                        uint32_t code_len, const char *file, line_vec *out, kdx_pdb_ranges *where)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t start = kdx_le32(e + 8 * i), ln = kdx_le32(e + 8 * i + 4) & 0xffffffu;
        uint32_t end = i + 1 < n ? kdx_le32(e + 8 * (i + 1)) : code_len;
        if (!pdb->has_omap) {
            uint32_t rva;
            if (kdx_pdb_sect_to_rva(pdb, sect, off + start, &rva))
                push_line(out, rva, ln ? ln : 0xffffffu, file);
            continue;
        }
        if (!kdx_pdb_sect_to_ranges(pdb, sect, off + start, end > start ? end - start : 0, where))
            continue;
        for (size_t k = 0; k < where->len; k++) {
            push_line(out, where->items[k].rva, ln ? ln : 0xffffffu, file);
            if (where->items[k].len)
                push_line(out, where->items[k].rva + where->items[k].len, 0, NULL);
        }
    }
    uint32_t rva;
    if (!pdb->has_omap && kdx_pdb_sect_to_rva(pdb, sect, off + code_len, &rva))
        push_line(out, rva, 0, NULL);
}

static void module_lines(kdx_pdb *pdb, const uint8_t *c13, uint32_t len, line_vec *out)
{
    /* Locate the file checksums subsection first: line blocks refer into it. */
    const uint8_t *chk = NULL;
    uint32_t chk_len = 0;
    for (uint32_t off = 0; off + 8 <= len;) {
        uint32_t kind = kdx_le32(c13 + off), sl = kdx_le32(c13 + off + 4);
        if (!kdx_range_ok(off + 8, sl, len))
            break;
        if (kind == DEBUG_S_FILECHKSMS) {
            chk = c13 + off + 8;
            chk_len = sl;
        }
        off += 8 + ((sl + 3) & ~3u);
    }
    kdx_pdb_ranges where = {0};
    for (uint32_t off = 0; off + 8 <= len;) {
        uint32_t kind = kdx_le32(c13 + off), sl = kdx_le32(c13 + off + 4);
        if (!kdx_range_ok(off + 8, sl, len))
            break;
        const uint8_t *d = c13 + off + 8;
        off += 8 + ((sl + 3) & ~3u);
        if (kind != DEBUG_S_LINES || sl < 12)
            continue;
        bool cols = kdx_le16(d + 6) & 1;
        uint32_t code_len = kdx_le32(d + 8);
        for (uint32_t p = 12; p + 12 <= sl;) {
            uint32_t file_id = kdx_le32(d + p), n = kdx_le32(d + p + 4), blen = kdx_le32(d + p + 8);
            if (blen < 12 || !kdx_range_ok(p, blen, sl) || (uint64_t)n * (cols ? 12 : 8) + 12 > blen)
                break;
            const char *file = NULL;
            if (chk && file_id + 4 <= chk_len)
                file = kdx_pdb_names_string(pdb, kdx_le32(chk + file_id));
            /* The last line of a file block runs to the next block's first line. */
            uint32_t block_end = code_len, q = p + blen;
            if (q + 20 <= sl && kdx_le32(d + q + 4) > 0)
                block_end = KDX_MIN(code_len, kdx_le32(d + q + 12));
            block_lines(pdb, d + p + 12, n, kdx_le16(d + 4), kdx_le32(d), block_end, file ? file : "?",
                        out, &where);
            p += blen;
        }
    }
    KDX_VEC_FREE(where);
}

static int cmp_line(const void *a, const void *b)
{
    const kdx_pdb_line *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    /* End markers sort before a block starting at the same address. */
    if ((x->line != 0) != (y->line != 0))
        return (x->line != 0) - (y->line != 0);
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

kdx_status kdx_pdb_build_lines(kdx_pdb *pdb, kdx_err *err)
{
    if (pdb->lines_built)
        return KDX_OK;
    pdb->lines_built = true;
    line_vec v = {0};
    for (uint32_t m = 0; m < pdb->nmodules; m++) {
        const kdx_pdb_stream *s;
        if (!pdb->modules[m].c13_bytes || module_stream(pdb, m, &s, err))
            continue;
        const kdx_pdb_module *mod = &pdb->modules[m];
        module_lines(pdb, s->data + mod->sym_bytes + mod->c11_bytes, mod->c13_bytes, &v);
    }
    if (v.len > 1)
        kdx_sort(v.items, v.len, sizeof *v.items, cmp_line);
    pdb->lines = v.items;
    pdb->nlines = (uint32_t)v.len;
    return KDX_OK;
}
