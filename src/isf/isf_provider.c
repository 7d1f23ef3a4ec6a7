/* Volatility 3 Intermediate Symbol Format (ISF) tables as a symbol source:
 * `.json` or `.json.xz`, read once by a streaming parser (isf_load.c) into
 * an address-sorted symbol index, a name hash and kdx_type nodes. ISF
 * symbol "address" values are RVAs relative to the module base. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/util.h"
#include "isf/isf_internal.h"
#include "isf/isf.h"

/* ---- identity ---- */

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* "5278AFF86C341677D7D7835C85B7B844" -> GUID structure bytes (Data1..3 little-endian). */
bool kdx_isf_parse_guid(const char *s, uint8_t guid[16])
{
    uint8_t raw[16];
    size_t n = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '-' || *c == '{' || *c == '}')
            continue;
        int hi = hexval(c[0]), lo = c[1] ? hexval(c[1]) : -1;
        if (hi < 0 || lo < 0 || n == 16)
            return false;
        raw[n++] = (uint8_t)(hi << 4 | lo);
        c++;
    }
    if (n != 16)
        return false;
    /* Data1 (4), Data2 (2), Data3 (2) are printed big-endian, stored little-endian. */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        guid[i] = raw[order[i]];
    return true;
}


/* ---- provider ops ---- */

static void isf_destroy(void *impl)
{
    isf_prov *p = impl;
    if (!p)
        return;
    kdx_symindex_free(&p->syms);
    kdx_namemap_free(&p->types);
    free(p->named);
    free(p->path);
    kdx_arena_free(&p->mem);
    free(p);
}

static kdx_status isf_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    return kdx_symindex_by_rva(&((isf_prov *)impl)->syms, rva, out);
}

static kdx_status isf_by_name(void *impl, const char *name, kdx_symbol *out)
{
    return kdx_symindex_by_name(&((isf_prov *)impl)->syms, name, out);
}

static kdx_status isf_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    return kdx_symindex_enumerate(&((isf_prov *)impl)->syms, pattern, cb, ud);
}

static const kdx_type *isf_find_type(void *impl, const char *name)
{
    isf_prov *p = impl;
    const isf_name *n = kdx_namemap_get(&p->types, name);
    if (n)
        return n->t;
    for (size_t i = 0; i < p->nnamed; i++)
        if (kdx_strcasecmp(p->named[i]->name, name) == 0)
            return p->named[i];
    return NULL;
}

static kdx_status isf_enumerate_types(void *impl, const char *pattern, kdx_type_cb cb, void *ud)
{
    isf_prov *p = impl;
    for (size_t i = 0; i < p->nnamed; i++) {
        if (pattern && !kdx_wildcard_match(pattern, p->named[i]->name))
            continue;
        if (cb(ud, p->named[i]))
            break;
    }
    return KDX_OK;
}

/* Every key of the table's type namespace: base types, records and enums
 * under the table's own spelling ("__anonymous_1d46"). */
static kdx_status isf_type_names(void *impl, kdx_name_cb cb, void *ud)
{
    isf_prov *p = impl;
    for (size_t i = 0; i < p->types.cap; i++) {
        void *v;
        const char *key = kdx_namemap_slot(&p->types, i, &v);
        if (key && cb(ud, key))
            break;
    }
    return KDX_OK;
}

static const kdx_symprov_ops isf_ops = {
    .kind = "isf",
    .destroy = isf_destroy,
    .by_rva = isf_by_rva,
    .by_name = isf_by_name,
    .enumerate = isf_enumerate,
    .find_type = isf_find_type,
    .enumerate_types = isf_enumerate_types,
    .type_names = isf_type_names,
};

/* ---- open ---- */

kdx_status kdx_isf_provider_open_buffer(const char *name, const uint8_t *data, size_t len,
                                        kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    isf_prov *p = kdx_xcalloc(1, sizeof *p);
    p->path = kdx_strdup(name);
    kdx_status st = isf_load(p, data, len, err);
    if (st != KDX_OK) {
        isf_destroy(p);
        return st;
    }
    if (id)
        *id = p->id;
    out->ops = &isf_ops;
    out->impl = p;
    return KDX_OK;
}

kdx_status kdx_isf_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_open(&f, path, err);
    if (st != KDX_OK)
        return st;
    st = kdx_isf_provider_open_buffer(path, f->data ? f->data : (const uint8_t *)"", (size_t)f->size, out, id, err);
    kdx_file_close(f);
    return st;
}

bool kdx_isf_get_counts(const kdx_symprov *prov, kdx_isf_counts *out)
{
    memset(out, 0, sizeof *out);
    if (prov->ops != &isf_ops)
        return false;
    const isf_prov *p = prov->impl;
    out->symbols = p->syms.n;
    out->user_types = p->nuser_types;
    out->enums = p->nenums;
    return true;
}
