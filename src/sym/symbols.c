#include "sym/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "target/memory.h"

/* Baseline symbol layer: module-relative names and providers attached by
 * format readers. The symbol-path loader plugs in through kdx_sym_load_module. */
struct kdx_symctx {
    int unused;
};

struct kdx_symctx *kdx_symctx_new(void)
{
    return kdx_xcalloc(1, sizeof(struct kdx_symctx));
}

void kdx_symctx_free(struct kdx_symctx *c)
{
    free(c);
}

void kdx_sym_target_changed(kdx_session *s)
{
    (void)s;
}

kdx_status kdx_sym_load_module(kdx_session *s, kdx_module *m, kdx_err *err)
{
    (void)s;
    if (m->symbols.ops)
        return KDX_OK;
    if (m->symstatus == KDX_SYMSTATUS_DEFERRED)
        m->symstatus = KDX_SYMSTATUS_NONE;
    return kdx_err_set(err, KDX_E_NO_SYMBOLS, "no symbols loaded for %s", m->name);
}

kdx_status kdx_sym_module_image(kdx_session *s, kdx_module *m, struct kdx_pe **out, kdx_err *err)
{
    /* Baseline: no image cache and no image search yet. */
    (void)s;
    *out = NULL;
    return kdx_err_set(err, KDX_E_NOT_FOUND, "image of %s is not available", m->name);
}

kdx_status kdx_sym_from_addr(kdx_session *s, uint64_t addr, kdx_symhit *hit)
{
    memset(hit, 0, sizeof *hit);
    if (!s->target)
        return KDX_E_NOT_FOUND;
    kdx_module *m = kdx_target_module_at(s->target, addr);
    if (!m)
        return KDX_E_NOT_FOUND;
    hit->module = m;
    hit->address = m->base;
    hit->displacement = addr - m->base;
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK)
        return KDX_OK;
    kdx_symbol sym;
    if (m->symbols.ops->by_rva(m->symbols.impl, (uint32_t)(addr - m->base), &sym) == KDX_OK) {
        hit->name = sym.name;
        hit->address = m->base + sym.rva;
        hit->displacement = addr - hit->address;
        hit->size = sym.size;
    }
    return KDX_OK;
}

void kdx_sym_format(kdx_session *s, uint64_t addr, char *buf, size_t len)
{
    kdx_symhit hit;
    if (kdx_sym_from_addr(s, addr, &hit) != KDX_OK) {
        char a[24];
        snprintf(buf, len, "%s", kdx_session_fmt_ptr(s, a, addr));
        return;
    }
    int n = hit.name ? snprintf(buf, len, "%s!%s", hit.module->name, hit.name)
                     : snprintf(buf, len, "%s", hit.module->name);
    if (hit.displacement && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "+0x%llx", (unsigned long long)hit.displacement);
}

static kdx_status lookup_in(kdx_session *s, kdx_module *m, const char *name, uint64_t *addr)
{
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK)
        return KDX_E_NOT_FOUND;
    kdx_symbol sym;
    if (m->symbols.ops->by_name(m->symbols.impl, name, &sym) != KDX_OK)
        return KDX_E_NOT_FOUND;
    *addr = m->base + sym.rva;
    return KDX_OK;
}

kdx_status kdx_sym_to_addr(kdx_session *s, const char *name, uint64_t *addr, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!t)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no target is open");
    const char *bang = strchr(name, '!');
    if (bang) {
        char *modname = kdx_strndup(name, (size_t)(bang - name));
        kdx_module *m = kdx_target_module_named(t, modname);
        free(modname);
        if (m && lookup_in(s, m, bang + 1, addr) == KDX_OK)
            return KDX_OK;
        return kdx_err_set(err, KDX_E_NOT_FOUND, "symbol %s not found", name);
    }
    kdx_module *m = kdx_target_module_named(t, name);
    if (m) {
        *addr = m->base;
        return KDX_OK;
    }
    kdx_module *nt = kdx_target_module_named(t, "nt");
    if (nt && lookup_in(s, nt, name, addr) == KDX_OK)
        return KDX_OK;
    for (size_t i = 0; i < t->nmodules; i++)
        if (t->modules[i] != nt && !t->modules[i]->unloaded &&
            lookup_in(s, t->modules[i], name, addr) == KDX_OK)
            return KDX_OK;
    return kdx_err_set(err, KDX_E_NOT_FOUND, "symbol %s not found", name);
}

static const kdx_type *type_in(kdx_session *s, kdx_module *m, const char *name)
{
    if (kdx_sym_load_module(s, m, NULL) != KDX_OK || !m->symbols.ops->find_type)
        return NULL;
    return m->symbols.ops->find_type(m->symbols.impl, name);
}

const kdx_type *kdx_sym_find_type(kdx_session *s, const char *name, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!t) {
        kdx_err_set(err, KDX_E_NOT_FOUND, "no target is open");
        return NULL;
    }
    const char *bang = strchr(name, '!');
    const kdx_type *ty = NULL;
    if (bang) {
        char *modname = kdx_strndup(name, (size_t)(bang - name));
        kdx_module *m = kdx_target_module_named(t, modname);
        free(modname);
        if (m)
            ty = type_in(s, m, bang + 1);
    } else {
        for (size_t i = 0; i < t->nmodules && !ty; i++)
            if (!t->modules[i]->unloaded)
                ty = type_in(s, t->modules[i], name);
    }
    if (!ty)
        kdx_err_set(err, KDX_E_NOT_FOUND, "Symbol %s not found.", name);
    return ty;
}

kdx_status kdx_field_offset(kdx_session *s, const char *type_name, const char *field_path,
                            uint64_t *offset, kdx_err *err)
{
    const kdx_type *ty = kdx_sym_find_type(s, type_name, err);
    if (!ty)
        return KDX_E_NOT_FOUND;
    const kdx_type *ft;
    return kdx_type_field_path(ty, field_path, offset, &ft, err);
}

kdx_status kdx_read_field(kdx_session *s, const char *type_name, uint64_t addr,
                          const char *field_path, uint64_t *value, kdx_err *err)
{
    const kdx_type *ty = kdx_sym_find_type(s, type_name, err);
    if (!ty)
        return KDX_E_NOT_FOUND;
    uint64_t off;
    const kdx_type *ft;
    kdx_status st = kdx_type_field_path(ty, field_path, &off, &ft, err);
    if (st != KDX_OK)
        return st;
    const kdx_type *base = kdx_type_strip(ft);
    uint64_t size = base->kind == KDX_TYPE_BITFIELD ? kdx_type_strip(base->target)->size : base->size;
    if (!kdx_type_is_integer(base) || size == 0 || size > 8)
        return kdx_err_set(err, KDX_E_ARG, "%s.%s is not an integer or pointer field", type_name,
                           field_path);
    uint8_t buf[8];
    st = kdx_read_virt(s->target, addr + off, buf, (size_t)size, NULL, err);
    if (st != KDX_OK)
        return st;
    *value = kdx_type_extract(ft, buf);
    return KDX_OK;
}
