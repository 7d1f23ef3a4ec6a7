/* The loaded-module list of complete and bitmap dumps: PsLoadedModuleList's
 * KLDR_DATA_TABLE_ENTRY chain, read through the target's page tables. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "dump/kdump.h"
#include "target/memory.h"

#define MAX_MODULES 4096

/* Offsets in KLDR_DATA_TABLE_ENTRY that have not changed since NT 4. */
typedef struct ldr_layout {
    unsigned dll_base, size_of_image, full_name, base_name, size;
} ldr_layout;

static const ldr_layout ldr64 = {0x30, 0x40, 0x48, 0x58, 0x68};
static const ldr_layout ldr32 = {0x18, 0x20, 0x24, 0x2c, 0x34};

/* Reads a UNICODE_STRING at va (Length, MaximumLength, Buffer). */
static char *read_unicode(kdx_target *t, const uint8_t *us)
{
    uint16_t len = kdx_le16(us);
    uint64_t buf = t->ptr_size == 8 ? kdx_le64(us + 8) : kdx_le32(us + 4);
    if (!len || !buf || len > 1024)
        return NULL;
    uint8_t tmp[1024];
    if (kdx_read_virt(t, buf, tmp, len, NULL, NULL) != KDX_OK)
        return NULL;
    return kdx_utf16le_to_utf8(tmp, len / 2);
}

/* TimeDateStamp and CheckSum from the image's PE header, when mapped. */
static void pe_identity(kdx_target *t, kdx_module *m)
{
    uint8_t dos[0x40], nt[0x60];
    if (kdx_read_virt(t, m->base, dos, sizeof dos, NULL, NULL) != KDX_OK || dos[0] != 'M' || dos[1] != 'Z')
        return;
    uint32_t lfanew = kdx_le32(dos + 0x3c);
    if (lfanew > 0x1000 || kdx_read_virt(t, m->base + lfanew, nt, sizeof nt, NULL, NULL) != KDX_OK ||
        memcmp(nt, "PE\0\0", 4) != 0)
        return;
    m->timestamp = kdx_le32(nt + 8);
    m->checksum = kdx_le32(nt + 0x18 + 0x40);
}

kdx_status kdx_kdump_walk_modules(kdx_target *t, uint64_t head, kdx_err *err)
{
    const ldr_layout *L = t->ptr_size == 8 ? &ldr64 : &ldr32;
    uint64_t entry;
    kdx_status st = kdx_read_ptr(t, head, &entry, err);
    if (st != KDX_OK) {
        kdx_err_prefix(err, "PsLoadedModuleList");
        return st;
    }
    for (unsigned n = 0; entry != head; n++) {
        if (n >= MAX_MODULES)
            return kdx_err_set(err, KDX_E_LIMIT, "PsLoadedModuleList: more than %d entries (a loop?)",
                               MAX_MODULES);
        uint8_t e[0x68];
        st = kdx_read_virt(t, entry, e, L->size, NULL, err);
        if (st != KDX_OK) {
            kdx_err_prefix(err, "PsLoadedModuleList entry %u", n);
            return st;
        }
        uint64_t base = t->ptr_size == 8 ? kdx_le64(e + L->dll_base) : kdx_le32(e + L->dll_base);
        uint64_t size = kdx_le32(e + L->size_of_image);
        char *path = read_unicode(t, e + L->full_name);
        char *file = read_unicode(t, e + L->base_name);
        if (!file)
            file = path ? kdx_strdup(kdx_basename(path)) : kdx_asprintf("image%llx", (unsigned long long)base);
        char *name = kdx_module_name_from_image(file, n == 0);
        kdx_module *m = kdx_module_new(name, base, size);
        free(name);
        m->image_name = file;
        m->image_path = path;
        pe_identity(t, m);
        kdx_target_add_module(t, m);
        uint64_t next = t->ptr_size == 8 ? kdx_le64(e) : kdx_le32(e);
        if (next == entry)
            break;
        entry = next;
    }
    return KDX_OK;
}
