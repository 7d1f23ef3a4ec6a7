/* A PE image opened as the target (`kdx -z IMAGE`), as WinDbg does: the
 * image is mapped at its preferred base the way the loader would map it
 * (headers, then each section; virtual size beyond the raw data reads as
 * zeros), and it is the target's one module. There are no threads and no
 * registers; memory outside the image is not present. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dump/formats.h"
#include "pe/pe.h"

typedef struct pe_target {
    kdx_pe *pe;
    uint64_t base;
    uint32_t size;
} pe_target;

static void pe_target_close(void *impl)
{
    pe_target *p = impl;
    kdx_pe_close(p->pe);
    free(p);
}

static kdx_status pe_target_read_virt(void *impl, uint64_t va, void *buf, size_t len, size_t *done)
{
    pe_target *p = impl;
    *done = 0;
    if (va < p->base || va - p->base >= p->size)
        return KDX_E_MEM_MISSING;
    uint64_t rva = va - p->base;
    size_t n = (size_t)KDX_MIN((uint64_t)len, p->size - rva);
    kdx_status st = kdx_pe_read_partial(p->pe, (uint32_t)rva, buf, n, done, NULL);
    if (st != KDX_OK || n < len)
        return KDX_E_MEM_MISSING;
    return KDX_OK;
}

static const kdx_target_ops pe_target_ops = {
    .format_name = "PE image",
    .close = pe_target_close,
    .read_virt = pe_target_read_virt,
};

bool kdx_pe_target_probe(const uint8_t *head, size_t n)
{
    return n >= 2 && head[0] == 'M' && head[1] == 'Z';
}

/* The image's identity on its module, as a dump's module list would give it. */
static kdx_module *image_module(kdx_pe *pe, const char *path)
{
    const kdx_pe_info *i = kdx_pe_get_info(pe);
    const char *file = kdx_basename(path);
    char *name = kdx_module_name_from_image(file, false);
    kdx_module *m = kdx_module_new(name, i->image_base, i->size_of_image);
    free(name);
    m->image_name = kdx_strdup(file);
    m->image_path = kdx_strdup(path);
    m->timestamp = i->timestamp;
    m->checksum = i->checksum;
    kdx_pe_codeview cv;
    if (kdx_pe_codeview_info(pe, &cv, NULL) == KDX_OK && !cv.is_nb10) {
        m->has_pdb_id = true;
        memcpy(m->pdb_guid, cv.guid, 16);
        m->pdb_age = cv.age;
        m->pdb_name = kdx_strdup(cv.pdb_name);
    }
    return m;
}

/* The image must fit where the loader would map it. */
static kdx_status check_image_range(const kdx_pe_info *i, const char *path, kdx_err *err)
{
    if (i->size_of_image == 0)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: SizeOfImage is 0", path);
    if (!i->is64 && i->image_base + i->size_of_image > 0x100000000ull)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: image base 0x%llx + SizeOfImage 0x%x exceeds 4 GB", path,
                           (unsigned long long)i->image_base, i->size_of_image);
    if (i->image_base + i->size_of_image < i->image_base)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: image base 0x%llx + SizeOfImage wraps", path,
                           (unsigned long long)i->image_base);
    return KDX_OK;
}

kdx_status kdx_pe_target_open(const char *path, kdx_target **out, kdx_err *err)
{
    *out = NULL;
    kdx_pe *pe;
    kdx_status st = kdx_pe_open_file(path, &pe, err);
    if (st != KDX_OK)
        return st;
    const kdx_pe_info *i = kdx_pe_get_info(pe);
    st = check_image_range(i, path, err);
    if (st != KDX_OK) {
        /* The message is written from i before the image (and i) is freed. */
        kdx_pe_close(pe);
        return st;
    }
    pe_target *p = kdx_xcalloc(1, sizeof *p);
    p->pe = pe;
    p->base = i->image_base;
    p->size = i->size_of_image;
    kdx_target *t = kdx_target_new(KDX_TARGET_IMAGE, i->arch, path);
    t->ptr_size = i->is64 ? 8 : 4; /* also for machines kdx cannot disassemble */
    t->ops = &pe_target_ops;
    t->impl = p;
    t->paging = KDX_PAGING_NONE;
    kdx_module *m = image_module(pe, path);
    kdx_target_add_module(t, m);
    t->main_module = m;
    *out = t;
    return KDX_OK;
}
