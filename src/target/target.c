#include "target/target.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "target/overlay.h"

kdx_target *kdx_target_new(kdx_target_kind kind, kdx_arch arch, const char *path)
{
    kdx_target *t = kdx_xcalloc(1, sizeof *t);
    t->kind = kind;
    t->arch = arch;
    t->ptr_size = kdx_arch_ptr_size(arch);
    t->path = kdx_strdup(path);
    return t;
}

void kdx_target_close(kdx_target *t)
{
    if (!t)
        return;
    if (t->ops && t->ops->close)
        t->ops->close(t->impl);
    for (size_t i = 0; i < t->nmodules; i++)
        kdx_module_free(t->modules[i]);
    free(t->modules);
    free(t->sys.csd_version);
    free(t->sys.build_lab);
    kdx_overlay_free(t->overlay);
    free(t->path);
    free(t);
}

void kdx_target_add_module(kdx_target *t, kdx_module *m)
{
    t->modules = kdx_xrealloc(t->modules, (t->nmodules + 1) * sizeof *t->modules);
    t->modules[t->nmodules++] = m;
}

kdx_module *kdx_target_module_at(const kdx_target *t, uint64_t addr)
{
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (!m->unloaded && addr >= m->base && addr - m->base < m->size)
            return m;
    }
    return NULL;
}

kdx_module *kdx_target_module_named(const kdx_target *t, const char *name)
{
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded)
            continue;
        if ((m->name && kdx_strcasecmp(m->name, name) == 0) ||
            (m->image_name && kdx_strcasecmp(m->image_name, name) == 0))
            return m;
    }
    return NULL;
}
