/* The PDB as a kdx symbol provider: address and name lookups, wildcard
 * enumeration, types, lines and x86 frame data. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/cv.h"
#include "pdb/pdb.h"
#include "pdb/pdb_provider.h"

static void pdb_destroy(void *impl)
{
    kdx_pdb *pdb = impl;
    if (!pdb)
        return;
    kdx_pdb_types_free(pdb->types);
    kdx_pdb_types_free(pdb->ids);
    for (uint32_t i = 0; i < pdb->nowned; i++)
        free(pdb->owned_strings[i]);
    free(pdb->owned_strings);
    free(pdb->by_display);
    free(pdb->addrs);
    free(pdb->lines);
    free(pdb->frames);
    free(pdb->modules);
    free(pdb->contribs);
    free(pdb->section_rva);
    kdx_pdb_omap_free(pdb);
    kdx_msf_close(pdb);
    kdx_file_close(pdb->file);
    free(pdb);
}

/* A data symbol's size is its type's. */
static uint32_t type_size(const kdx_type *t)
{
    t = kdx_type_strip(t);
    return t && t->size <= UINT32_MAX ? (uint32_t)t->size : 0;
}

static void fill(kdx_pdb *pdb, const kdx_pdb_addr *a, kdx_symbol *out)
{
    out->name = a->display;
    out->rva = a->rva;
    out->size = a->size;
    out->kind = (kdx_symkind)a->kind;
    out->flags = a->flags;
    out->type = a->kind == KDX_SYM_DATA && a->type ? kdx_pdb_type_by_index(pdb, a->type) : NULL;
    if (out->type && !out->size)
        out->size = type_size(out->type);
}

/* Index of the last entry at or below rva, -1 if none. */
static long addr_floor(const kdx_pdb *pdb, uint32_t rva)
{
    long i = kdx_pdb_floor(pdb->addrs, pdb->naddrs, sizeof *pdb->addrs,
                           offsetof(kdx_pdb_addr, rva), rva);
    while (i > 0 && pdb->addrs[i - 1].rva == pdb->addrs[i].rva)
        i--; /* the best-priority entry at that address */
    return i;
}

static kdx_status pdb_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    kdx_pdb *pdb = impl;
    if (kdx_pdb_build_addrs(pdb, NULL))
        return KDX_E_FORMAT;
    long i = addr_floor(pdb, rva);
    if (i < 0)
        return KDX_E_NOT_FOUND;
    fill(pdb, &pdb->addrs[i], out);
    return KDX_OK;
}

/* The address index's best entry starting exactly at rva. */
static bool fill_from_index(kdx_pdb *pdb, uint32_t rva, kdx_symbol *out)
{
    if (kdx_pdb_build_addrs(pdb, NULL))
        return false;
    long i = addr_floor(pdb, rva);
    if (i < 0 || pdb->addrs[i].rva != rva)
        return false;
    fill(pdb, &pdb->addrs[i], out);
    return true;
}

typedef struct name_query {
    kdx_pdb *pdb;
    const char *name;
    bool icase;
    bool found;
    kdx_symbol *out;
} name_query;

static bool same(const name_query *q, const char *s)
{
    return q->icase ? kdx_strcasecmp(s, q->name) == 0 : strcmp(s, q->name) == 0;
}

static int on_global(void *ud, const uint8_t *r, uint32_t len, uint16_t kind)
{
    name_query *q = ud;
    const char *name = len >= 15 ? kdx_pdb_cstr(r, len, 14) : NULL;
    if (!name || !same(q, name))
        return 0;
    if (kind == S_PROCREF || kind == S_LPROCREF) {
        uint32_t rva, size, type;
        const char *pname;
        bool local;
        uint16_t imod = kdx_le16(r + 12);
        if (imod == 0 || kdx_pdb_module_proc(q->pdb, imod - 1u, kdx_le32(r + 8), &rva, &size,
                                             &pname, &type, &local, NULL))
            return 0;
        /* In a reordered image the procedure starts with a chunk: the address
         * index has its size (building the index only then keeps opens lazy). */
        if (!q->pdb->has_omap || !fill_from_index(q->pdb, rva, q->out))
            *q->out = (kdx_symbol){.name = pname, .rva = rva, .size = size, .kind = KDX_SYM_FUNCTION,
                                   .flags = KDX_SYMF_CODE};
        q->found = true;
        return 1;
    }
    if (kind == S_GDATA32 || kind == S_LDATA32) {
        uint32_t rva;
        if (!kdx_pdb_sect_to_rva(q->pdb, kdx_le16(r + 12), kdx_le32(r + 8), &rva))
            return 0;
        const kdx_type *ty = kdx_pdb_type_by_index(q->pdb, kdx_le32(r + 4));
        *q->out = (kdx_symbol){.name = name, .rva = rva, .size = type_size(ty), .kind = KDX_SYM_DATA,
                               .type = ty, .flags = KDX_SYMF_DATA};
        q->found = true;
        return 1;
    }
    return 0;
}

static int on_public(void *ud, const uint8_t *r, uint32_t len, uint16_t kind)
{
    name_query *q = ud;
    const char *name = len >= 15 ? kdx_pdb_cstr(r, len, 14) : NULL;
    uint32_t rva;
    if (kind != S_PUB32 || !name || !same(q, name) ||
        !kdx_pdb_sect_to_rva(q->pdb, kdx_le16(r + 12), kdx_le32(r + 8), &rva))
        return 0;
    /* Report the symbol the address index holds there (a procedure has a size). */
    if (!fill_from_index(q->pdb, rva, q->out))
        *q->out = (kdx_symbol){.name = name, .rva = rva, .kind = KDX_SYM_PUBLIC};
    q->found = true;
    return 1;
}

static int cmp_display(const void *a, const void *b)
{
    const kdx_pdb_addr *x = *(const kdx_pdb_addr *const *)a, *y = *(const kdx_pdb_addr *const *)b;
    int c = kdx_strcasecmp(x->display, y->display);
    return c ? c : strcmp(x->display, y->display);
}

/* Names that are not in the hash tables as typed (undecorated publics). */
static bool by_display_name(kdx_pdb *pdb, const char *name, kdx_symbol *out)
{
    if (kdx_pdb_build_addrs(pdb, NULL))
        return false;
    if (!pdb->by_display) {
        pdb->by_display = kdx_xcalloc(pdb->naddrs ? pdb->naddrs : 1, sizeof(*pdb->by_display));
        for (uint32_t i = 0; i < pdb->naddrs; i++)
            pdb->by_display[i] = &pdb->addrs[i];
        kdx_sort(pdb->by_display, pdb->naddrs, sizeof(*pdb->by_display), cmp_display);
    }
    uint32_t lo = 0, hi = pdb->naddrs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (kdx_strcasecmp(pdb->by_display[mid]->display, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const kdx_pdb_addr *best = NULL;
    for (uint32_t i = lo; i < pdb->naddrs && kdx_strcasecmp(pdb->by_display[i]->display, name) == 0;
         i++) {
        if (strcmp(pdb->by_display[i]->display, name) == 0) {
            best = pdb->by_display[i];
            break;
        }
        if (!best)
            best = pdb->by_display[i];
    }
    if (!best)
        return false;
    fill(pdb, best, out);
    return true;
}

static kdx_status pdb_by_name(void *impl, const char *name, kdx_symbol *out)
{
    kdx_pdb *pdb = impl;
    if (kdx_pdb_load_gsi(pdb, NULL))
        return KDX_E_FORMAT;
    for (int icase = 0; icase < 2; icase++) {
        name_query q = {pdb, name, icase, false, out};
        kdx_pdb_gsi_bucket(pdb, &pdb->globals, name, on_global, &q);
        if (!q.found)
            kdx_pdb_gsi_bucket(pdb, &pdb->publics, name, on_public, &q);
        if (q.found)
            return KDX_OK;
    }
    return by_display_name(pdb, name, out) ? KDX_OK : KDX_E_NOT_FOUND;
}

static kdx_status pdb_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    kdx_pdb *pdb = impl;
    kdx_status st = kdx_pdb_build_addrs(pdb, NULL);
    if (st)
        return st;
    for (uint32_t i = 0; i < pdb->naddrs; i++) {
        const kdx_pdb_addr *a = &pdb->addrs[i];
        if (i > 0 && a->rva == pdb->addrs[i - 1].rva && strcmp(a->display, pdb->addrs[i - 1].display) == 0)
            continue;
        if (!kdx_wildcard_match(pattern, a->display))
            continue;
        kdx_symbol s;
        fill(pdb, a, &s);
        if (cb(ud, &s))
            break;
    }
    return KDX_OK;
}

static const kdx_type *pdb_find_type(void *impl, const char *name)
{
    return kdx_pdb_type_by_name(impl, name);
}

static kdx_status pdb_enumerate_types(void *impl, const char *pattern, kdx_type_cb cb, void *ud)
{
    return kdx_pdb_each_type(impl, pattern, cb, ud);
}

static kdx_status pdb_line_for_rva(void *impl, uint32_t rva, const char **file, uint32_t *line)
{
    kdx_pdb *pdb = impl;
    kdx_status st = kdx_pdb_build_lines(pdb, NULL);
    if (st)
        return st;
    long i = kdx_pdb_floor(pdb->lines, pdb->nlines, sizeof *pdb->lines,
                           offsetof(kdx_pdb_line, rva), rva);
    if (i < 0 || pdb->lines[i].line == 0)
        return KDX_E_NOT_FOUND;
    *file = pdb->lines[i].file;
    *line = pdb->lines[i].line;
    return KDX_OK;
}

static kdx_status pdb_frame_data_for_rva(void *impl, uint32_t rva, kdx_frame_data *out)
{
    return kdx_pdb_frame_data(impl, rva, out, NULL);
}

static char *pdb_params_at(void *impl, uint32_t rva);

/* Line answers change at each line record (a floor lookup). */
static kdx_status pdb_line_breaks(void *impl, kdx_rva_cb cb, void *ud)
{
    kdx_pdb *pdb = impl;
    kdx_status st = kdx_pdb_build_lines(pdb, NULL);
    for (uint32_t i = 0; st == KDX_OK && i < pdb->nlines; i++)
        if (cb(ud, pdb->lines[i].rva))
            break;
    return st;
}

/* Frame data answers change where a record starts or ends. */
static kdx_status pdb_frame_breaks(void *impl, kdx_rva_cb cb, void *ud)
{
    kdx_pdb *pdb = impl;
    kdx_frame_data fd;
    kdx_pdb_frame_data(pdb, 0, &fd, NULL); /* loads the records */
    for (uint32_t i = 0; i < pdb->nframes; i++)
        if (cb(ud, pdb->frames[i].rva_start) || cb(ud, pdb->frames[i].rva_start + pdb->frames[i].code_size))
            break;
    return KDX_OK;
}

static const kdx_symprov_ops pdb_ops = {
    .kind = "pdb",
    .destroy = pdb_destroy,
    .by_rva = pdb_by_rva,
    .by_name = pdb_by_name,
    .enumerate = pdb_enumerate,
    .find_type = pdb_find_type,
    .enumerate_types = pdb_enumerate_types,
    .line_for_rva = pdb_line_for_rva,
    .frame_data_for_rva = pdb_frame_data_for_rva,
    .params_at = pdb_params_at,
    .line_breaks = pdb_line_breaks,
    .frame_breaks = pdb_frame_breaks,
};

static kdx_arch arch_of(uint16_t machine)
{
    switch (machine) {
    case 0x14c: return KDX_ARCH_X86;
    case 0x8664: return KDX_ARCH_X64;
    case 0xaa64: return KDX_ARCH_ARM64;
    default: return KDX_ARCH_UNKNOWN;
    }
}

kdx_status kdx_pdb_provider_open_file(kdx_file *file, kdx_symprov *out, kdx_symfile_id *id,
                                      kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    kdx_pdb *pdb = kdx_xcalloc(1, sizeof *pdb);
    pdb->file = file;
    pdb->path = file->path;
    kdx_status st;
    if ((st = kdx_msf_open(pdb, err)) || (st = kdx_pdb_read_info(pdb, err)) ||
        (st = kdx_pdb_read_dbi(pdb, err))) {
        pdb_destroy(pdb);
        return st;
    }
    if (id) {
        memset(id, 0, sizeof *id);
        id->has_guid = true;
        memcpy(id->guid, pdb->guid, 16);
        id->age = pdb->age;
        id->arch = arch_of(pdb->machine);
        id->has_types = kdx_msf_stream_exists(pdb, 2) && pdb->stream_sizes[2] > 56;
        id->private_symbols = pdb->has_dbi && !(pdb->dbi_flags & 2);
    }
    out->ops = &pdb_ops;
    out->impl = pdb;
    return KDX_OK;
}

kdx_status kdx_pdb_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    kdx_file *file;
    out->ops = NULL;
    out->impl = NULL;
    kdx_status st = kdx_file_open(&file, path, err);
    return st ? st : kdx_pdb_provider_open_file(file, out, id, err);
}

bool kdx_pdb_is_provider(const kdx_symprov *prov)
{
    return prov && prov->ops == &pdb_ops;
}

/* Breakpad's cleanup of DIA's undecorated names. */
static char *tidy_signature(char *s)
{
    static const char *const drop[] = {" __ptr64", "(void)"};
    for (size_t k = 0; k < KDX_ARRAY_LEN(drop); k++) {
        char *p;
        while ((p = strstr(s, drop[k])) != NULL) {
            if (k == 1) {
                memmove(p + 1, p + 5, strlen(p + 5) + 1);
            } else {
                size_t n = strlen(drop[k]);
                memmove(p, p + n, strlen(p + n) + 1);
            }
        }
    }
    return s;
}

/* The index entry starting exactly at rva in a PDB provider, or NULL. */
static const kdx_pdb_addr *entry_at(const kdx_symprov *prov, uint32_t rva)
{
    if (!kdx_pdb_is_provider(prov))
        return NULL;
    kdx_pdb *pdb = prov->impl;
    if (kdx_pdb_build_addrs(pdb, NULL))
        return NULL;
    long i = addr_floor(pdb, rva);
    return i >= 0 && pdb->addrs[i].rva == rva ? &pdb->addrs[i] : NULL;
}

/* A procedure's TPI type (through the IPI function id for S_*PROC32_ID). */
static uint32_t proc_type_of(kdx_pdb *pdb, const kdx_pdb_addr *a)
{
    return a->type_is_id ? kdx_pdb_id_to_type(pdb, a->type) : a->type;
}

char *kdx_pdb_signature_at(const kdx_symprov *prov, uint32_t rva)
{
    const kdx_pdb_addr *a = entry_at(prov, rva);
    if (!a)
        return NULL;
    kdx_pdb *pdb = prov->impl;
    const char *decorated = a->decorated ? a->decorated : a->raw[0] == '?' ? a->raw : NULL;
    if (decorated) {
        char *u = kdx_undname(decorated, true);
        if (u)
            return tidy_signature(u);
    }
    if (a->kind == KDX_SYM_FUNCTION && a->local) {
        char *sig = kdx_pdb_proc_signature(pdb, proc_type_of(pdb, a), a->raw, true);
        if (sig)
            return sig;
    }
    /* DIA undecorates a C name by dropping one leading underscore. */
    return kdx_strdup(a->display == a->raw && a->raw[0] == '_' ? a->raw + 1 : a->display);
}

char *kdx_pdb_params_at(const kdx_symprov *prov, uint32_t rva)
{
    const kdx_pdb_addr *a = entry_at(prov, rva);
    if (!a || a->kind != KDX_SYM_FUNCTION || !a->type)
        return NULL;
    return kdx_pdb_proc_params(prov->impl, proc_type_of(prov->impl, a));
}

static char *pdb_params_at(void *impl, uint32_t rva)
{
    kdx_symprov p = {&pdb_ops, impl};
    return kdx_pdb_params_at(&p, rva);
}

bool kdx_pdb_has_private_symbols(const kdx_symprov *prov)
{
    const kdx_pdb *pdb = kdx_pdb_is_provider(prov) ? prov->impl : NULL;
    return pdb && pdb->has_dbi && !(pdb->dbi_flags & 2);
}

uint32_t kdx_pdb_streams_read(const kdx_symprov *prov, uint32_t *total)
{
    const kdx_pdb *pdb = prov->impl;
    uint32_t n = 0;
    for (uint32_t i = 0; i < pdb->num_streams; i++)
        n += pdb->streams[i].loaded;
    if (total)
        *total = pdb->num_streams;
    return n;
}
