/* x86 frame data from the DBI optional debug streams: FrameData records
 * ("new FPO", with postfix programs in /names) and old FPO_DATA records.
 * FrameData wins where both describe an address, as in DIA. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"

enum { DBG_FPO = 0, DBG_NEW_FPO = 9 };

typedef KDX_VEC(kdx_frame_data) frame_vec;

static void read_new_fpo(kdx_pdb *pdb, frame_vec *v)
{
    const kdx_pdb_stream *s;
    if (pdb->ndbg_streams <= DBG_NEW_FPO ||
        kdx_msf_stream(pdb, pdb->dbg_streams[DBG_NEW_FPO], &s, NULL))
        return;
    for (uint32_t off = 0; off + 32 <= s->size; off += 32) {
        const uint8_t *r = s->data + off;
        uint32_t flags = kdx_le32(r + 28);
        const char *prog = kdx_pdb_names_string(pdb, kdx_le32(r + 20));
        kdx_frame_data f = {
            .rva_start = kdx_le32(r),
            .code_size = kdx_le32(r + 4),
            .locals_size = kdx_le32(r + 8),
            .params_size = kdx_le32(r + 12),
            .max_stack_size = kdx_le32(r + 16),
            .prolog_size = kdx_le16(r + 24),
            .saved_regs_size = kdx_le16(r + 26),
            .has_program = prog && *prog,
            .program = prog && *prog ? prog : NULL,
            .has_seh = flags & 1,
        };
        KDX_VEC_PUSH(*v, f);
    }
}

static void read_old_fpo(kdx_pdb *pdb, frame_vec *v)
{
    const kdx_pdb_stream *s;
    if (pdb->ndbg_streams <= DBG_FPO || kdx_msf_stream(pdb, pdb->dbg_streams[DBG_FPO], &s, NULL))
        return;
    for (uint32_t off = 0; off + 16 <= s->size; off += 16) {
        const uint8_t *r = s->data + off;
        uint16_t attr = kdx_le16(r + 14);
        kdx_frame_data f = {
            .rva_start = kdx_le32(r),
            .code_size = kdx_le32(r + 4),
            .locals_size = kdx_le32(r + 8) * 4,
            .params_size = kdx_le16(r + 12) * 4u,
            .prolog_size = attr & 0xff,
            .saved_regs_size = ((attr >> 8) & 7) * 4u,
            .has_seh = (attr >> 11) & 1,
            .uses_base_pointer = (attr >> 12) & 1,
            .is_fpo = ((attr >> 14) & 3) == 0,
        };
        KDX_VEC_PUSH(*v, f);
    }
}

static void push_frame(frame_vec *v, const kdx_frame_data *f, uint32_t rva, uint32_t size,
                       uint32_t prolog)
{
    kdx_frame_data c = *f;
    c.rva_start = rva;
    c.code_size = size;
    c.prolog_size = prolog;
    KDX_VEC_PUSH(*v, c);
}

/* A record of a reordered image, moved to where its bytes landed. The prolog
 * and the body are mapped apart since the optimizer may have split them: one
 * record when they stay one run, else a record per prolog chunk (all prolog)
 * and per body chunk (no prolog). */
static void map_frame(kdx_pdb *pdb, const kdx_frame_data *f, frame_vec *out, kdx_pdb_ranges *pro,
                      kdx_pdb_ranges *body)
{
    uint32_t plen = KDX_MIN(f->prolog_size, f->code_size);
    pro->len = 0;
    if (plen)
        kdx_pdb_omap_range(pdb, f->rva_start, plen, pro);
    kdx_pdb_omap_range(pdb, f->rva_start + plen, f->code_size - plen, body);
    if (pro->len == 1 && body->len == 1 && pro->items[0].rva + pro->items[0].len == body->items[0].rva) {
        push_frame(out, f, pro->items[0].rva, pro->items[0].len + body->items[0].len, pro->items[0].len);
        return;
    }
    for (size_t i = 0; i < pro->len; i++)
        push_frame(out, f, pro->items[i].rva, pro->items[i].len, pro->items[i].len);
    for (size_t i = 0; i < body->len; i++)
        push_frame(out, f, body->items[i].rva, body->items[i].len, 0);
}

static void map_frames(kdx_pdb *pdb, frame_vec *v)
{
    frame_vec out = {0};
    kdx_pdb_ranges pro = {0}, body = {0};
    for (size_t i = 0; i < v->len; i++)
        map_frame(pdb, &v->items[i], &out, &pro, &body);
    KDX_VEC_FREE(pro);
    KDX_VEC_FREE(body);
    KDX_VEC_FREE(*v);
    *v = out;
}

static int cmp_frame(const void *a, const void *b)
{
    const kdx_frame_data *x = a, *y = b;
    if (x->rva_start != y->rva_start)
        return x->rva_start < y->rva_start ? -1 : 1;
    return (int)x->is_fpo - (int)y->is_fpo; /* FrameData first */
}

static void load_frames(kdx_pdb *pdb)
{
    if (pdb->frames_loaded)
        return;
    pdb->frames_loaded = true;
    frame_vec v = {0};
    read_new_fpo(pdb, &v);
    size_t nnew = v.len;
    read_old_fpo(pdb, &v);
    if (pdb->has_omap)
        map_frames(pdb, &v);
    /* Drop old records at addresses FrameData already describes. */
    if (v.len > 1)
        kdx_sort(v.items, v.len, sizeof *v.items, cmp_frame);
    size_t out = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.items[i].is_fpo && nnew && out && v.items[out - 1].rva_start == v.items[i].rva_start)
            continue;
        v.items[out++] = v.items[i];
    }
    pdb->frames = v.items;
    pdb->nframes = (uint32_t)out;
}

kdx_status kdx_pdb_frame_data(kdx_pdb *pdb, uint32_t rva, kdx_frame_data *out, kdx_err *err)
{
    load_frames(pdb);
    long i = kdx_pdb_floor(pdb->frames, pdb->nframes, sizeof *pdb->frames,
                           offsetof(kdx_frame_data, rva_start), rva);
    /* Records may nest (a funclet inside its parent): take the innermost that covers rva. */
    for (int steps = 0; i >= 0 && steps < 64; i--, steps++) {
        const kdx_frame_data *f = &pdb->frames[i];
        if (rva - f->rva_start < f->code_size) {
            *out = *f;
            return KDX_OK;
        }
    }
    return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: no frame data covers RVA 0x%x", pdb->path, rva);
}
