/* The address-sorted symbol index of a PDB: procedures (with sizes) and
 * labels from the module streams, data from the global symbol stream, and
 * public symbols that no procedure covers. Built on the first address
 * lookup, never at open. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/cv.h"
#include "pdb/pdb.h"

typedef KDX_VEC(kdx_pdb_addr) addr_vec;

long kdx_pdb_floor(const void *arr, uint32_t n, size_t stride, size_t key_off, uint32_t v)
{
    const uint8_t *b = arr;
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, key;
        memcpy(&key, b + (size_t)mid * stride + key_off, sizeof key);
        if (key <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Between names at one address: a procedure, then a global, then a public
 * (the linker's name for a routine) before an assembler label inside it. */
enum { PRIO_PROC = 0, PRIO_THUNK = 1, PRIO_DATA = 2, PRIO_PUBLIC = 3, PRIO_LABEL = 4 };

const char *kdx_pdb_keep_string(kdx_pdb *pdb, char *s)
{
    if (pdb->nowned == pdb->owned_cap) {
        pdb->owned_cap = pdb->owned_cap ? pdb->owned_cap * 2 : 64;
        pdb->owned_strings = kdx_xrealloc(pdb->owned_strings, pdb->owned_cap * sizeof(char *));
    }
    pdb->owned_strings[pdb->nowned++] = s;
    return s;
}

/* x86 C decoration: "_name", "_name@8", "@name@8" -> "name". */
static char *strip_c_decoration(const char *name)
{
    const char *p = name;
    if (*p == '_' || *p == '@')
        p++;
    else
        return NULL;
    const char *at = strchr(p, '@');
    size_t n = at ? (size_t)(at - p) : strlen(p);
    if (at) {
        for (const char *q = at + 1; *q; q++)
            if (*q < '0' || *q > '9')
                return NULL;
    }
    return kdx_strndup(p, n);
}

/* An x86 assembler procedure may be named with its __fastcall decoration
 * ("@_EH4_CallFilterFunc@8"); DIA and WinDbg show it without. */
static const char *fastcall_display(kdx_pdb *pdb, const char *raw)
{
    char *u = pdb->machine == 0x14c ? strip_c_decoration(raw) : NULL;
    return u ? kdx_pdb_keep_string(pdb, u) : NULL;
}

typedef struct mod_walk {
    kdx_pdb *pdb;
    addr_vec *v;
    kdx_pdb_ranges chunks;  /* scratch: where a procedure landed */
} mod_walk;

static kdx_pdb_addr *push(addr_vec *v, uint32_t rva, uint32_t size, kdx_symkind kind, uint8_t prio,
                          const char *name)
{
    uint8_t flags = kind == KDX_SYM_DATA ? KDX_SYMF_DATA : kind == KDX_SYM_PUBLIC ? 0 : KDX_SYMF_CODE;
    kdx_pdb_addr a = {.rva = rva, .size = size, .kind = (uint8_t)kind, .flags = flags, .prio = prio,
                      .raw = name, .display = name};
    KDX_VEC_PUSH(*v, a);
    return &v->items[v->len - 1];
}

/* A procedure (or thunk) of [off, off+size) in section sect: one entry per
 * chunk it landed in, all with its name. */
static void push_code(mod_walk *w, uint16_t sect, uint32_t off, uint32_t size, uint8_t prio,
                      const char *name, uint32_t type, uint16_t kind)
{
    if (!kdx_pdb_sect_to_ranges(w->pdb, sect, off, size, &w->chunks))
        return;
    const char *display = NULL;
    for (size_t i = 0; i < w->chunks.len; i++) {
        kdx_pdb_addr *a = push(w->v, w->chunks.items[i].rva, w->chunks.items[i].len, KDX_SYM_FUNCTION,
                               prio, name);
        if (i == 0 && name[0] == '@')
            display = fastcall_display(w->pdb, name);
        a->display = display ? display : name;
        a->type = type;
        a->local = kind == S_LPROC32 || kind == S_LPROC32_ID;
        a->type_is_id = kind == S_GPROC32_ID || kind == S_LPROC32_ID;
    }
}

static int on_module_sym(void *ud, const uint8_t *r, uint32_t len, uint16_t kind)
{
    mod_walk *w = ud;
    uint32_t rva;
    const char *name;
    if (kdx_pdb_is_proc(kind) && len >= 39) {
        name = kdx_pdb_cstr(r, len, 39);
        if (name)
            push_code(w, kdx_le16(r + 36), kdx_le32(r + 32), kdx_le32(r + 16), PRIO_PROC, name,
                      kdx_le32(r + 28), kind);
    } else if (kind == S_THUNK32 && len >= 26) {
        name = kdx_pdb_cstr(r, len, 25);
        if (name)
            push_code(w, kdx_le16(r + 20), kdx_le32(r + 16), kdx_le16(r + 22), PRIO_THUNK, name, 0, kind);
    } else if (kind == S_LABEL32 && len >= 12) {
        /* Compiler-made labels ($LN14, $Mxxx) name no code a user wrote. */
        name = kdx_pdb_cstr(r, len, 11);
        if (name && name[0] != '$' && kdx_pdb_sect_to_rva(w->pdb, kdx_le16(r + 8), kdx_le32(r + 4), &rva))
            push(w->v, rva, 0, KDX_SYM_LABEL, PRIO_LABEL, name);
    }
    return 0;
}

/* S_PUB32 flags: cvpsfCode and cvpsfFunction name code. A public without
 * them is data in current PDBs, but old toolchains left them clear on code
 * too, so "neither" is left for the symbol layer to decide by section. */
enum { PUB_CODE = 1, PUB_FUNCTION = 2 };

static int on_public(void *ud, const uint8_t *r, uint32_t len, uint16_t kind)
{
    mod_walk *w = ud;
    uint32_t rva;
    if (kind != S_PUB32 || len < 15)
        return 0;
    const char *name = kdx_pdb_cstr(r, len, 14);
    if (name && kdx_pdb_sect_to_rva(w->pdb, kdx_le16(r + 12), kdx_le32(r + 8), &rva)) {
        kdx_pdb_addr *a = push(w->v, rva, 0, KDX_SYM_PUBLIC, PRIO_PUBLIC, name);
        if (kdx_le32(r + 4) & (PUB_CODE | PUB_FUNCTION))
            a->flags = KDX_SYMF_CODE;
    }
    return 0;
}

/* Global data from the global symbol stream's hash records. */
static void add_global_data(kdx_pdb *pdb, addr_vec *v)
{
    const kdx_pdb_gsi *g = &pdb->globals;
    if (!g->present || !kdx_msf_stream_exists(pdb, pdb->symrec_stream))
        return;
    const kdx_pdb_stream *s = &pdb->streams[pdb->symrec_stream];
    for (uint32_t i = 0; i < g->nrecords; i++) {
        uint32_t off = kdx_le32(g->records + 8 * i);
        uint16_t kind;
        uint32_t len, rva;
        if (!off || !kdx_pdb_sym_at(s->data, s->size, off - 1, &kind, &len))
            continue;
        const uint8_t *r = s->data + off - 1;
        if ((kind != S_GDATA32 && kind != S_LDATA32 && kind != S_GTHREAD32 && kind != S_LTHREAD32) ||
            len < 15)
            continue;
        const char *name = kdx_pdb_cstr(r, len, 14);
        if (name && kdx_pdb_sect_to_rva(pdb, kdx_le16(r + 12), kdx_le32(r + 8), &rva) &&
            kind != S_GTHREAD32 && kind != S_LTHREAD32)
            push(v, rva, 0, KDX_SYM_DATA, PRIO_DATA, name)->type = kdx_le32(r + 4);
    }
}

static int cmp_addr(const void *a, const void *b)
{
    const kdx_pdb_addr *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    return strcmp(x->raw, y->raw);
}

static const char *public_display(kdx_pdb *pdb, const char *raw)
{
    char *u = NULL;
    if (raw[0] == '?')
        u = kdx_undname(raw, false);
    else if (pdb->machine == 0x14c)
        u = strip_c_decoration(raw);
    return u ? kdx_pdb_keep_string(pdb, u) : raw;
}

/* True when decorated names the procedure called raw (folded functions share
 * an address; the procedure's own public is the one that names it). */
static bool names_proc(const char *decorated, const char *raw)
{
    char *u = kdx_undname(decorated, false);
    bool same = u && strcmp(u, raw) == 0;
    free(u);
    return same;
}

kdx_status kdx_pdb_build_addrs(kdx_pdb *pdb, kdx_err *err)
{
    if (pdb->addr_built)
        return KDX_OK;
    pdb->addr_built = true;
    kdx_status st = kdx_pdb_load_gsi(pdb, err);
    if (st)
        return st;
    addr_vec v = {0};
    mod_walk w = {pdb, &v, {0}};
    for (uint32_t m = 0; m < pdb->nmodules; m++) {
        kdx_err e2 = {0};
        if (kdx_msf_stream_exists(pdb, pdb->modules[m].sym_stream))
            kdx_pdb_module_syms(pdb, m, on_module_sym, &w, &e2);
    }
    add_global_data(pdb, &v);
    kdx_pdb_each_public(pdb, on_public, &w);
    KDX_VEC_FREE(w.chunks);
    if (v.len > 1)
        kdx_sort(v.items, v.len, sizeof *v.items, cmp_addr);
    /* A public at a procedure's address names the same code: keep the procedure
     * (it has a size) and remember the decorated name for its signature. */
    size_t out = 0;
    for (size_t i = 0; i < v.len; i++) {
        kdx_pdb_addr *a = &v.items[i];
        if (a->kind == KDX_SYM_PUBLIC) {
            kdx_pdb_addr *owner = NULL;
            for (size_t j = out; j-- > 0 && v.items[j].rva == a->rva;)
                if (v.items[j].kind == KDX_SYM_FUNCTION || v.items[j].kind == KDX_SYM_DATA)
                    owner = &v.items[j];
            if (owner) {
                if (a->raw[0] == '?' && (!owner->decorated || names_proc(a->raw, owner->raw)))
                    owner->decorated = a->raw;
                continue;
            }
            a->display = public_display(pdb, a->raw);
        }
        v.items[out++] = *a;
    }
    pdb->addrs = v.items;
    pdb->naddrs = (uint32_t)out;
    return KDX_OK;
}
