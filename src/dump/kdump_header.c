/* DUMP_HEADER64 ("PAGEDU64") and DUMP_HEADER32 ("PAGEDUMP"): every field. */
#include <string.h>

#include "base/bytes.h"
#include "dump/kdump.h"

const char *kdx_kdump_type_name(uint32_t t)
{
    switch (t) {
    case KDX_DUMP_TYPE_FULL: return "Full";
    case KDX_DUMP_TYPE_SUMMARY: return "Summary";
    case KDX_DUMP_TYPE_HEADER: return "Header only";
    case KDX_DUMP_TYPE_TRIAGE: return "Triage";
    case KDX_DUMP_TYPE_BITMAP_FULL: return "Kernel bitmap";
    case KDX_DUMP_TYPE_BITMAP_KERNEL: return "Live kernel bitmap";
    case KDX_DUMP_TYPE_AUTOMATIC: return "Automatic";
    default: return "Unknown";
    }
}

/* Copies a fixed-size char field, stopping at NUL; "PAGE" fill reads as empty. */
static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    size_t i = 0;
    if (n >= 4 && memcmp(src, "PAGE", 4) == 0)
        n = 0;
    for (; i < n && i + 1 < cap && src[i]; i++)
        dst[i] = (char)src[i];
    dst[i] = 0;
}

static void parse_exception64(const uint8_t *e, kdx_kdump_header *h)
{
    h->exception_code = kdx_le32(e);
    h->exception_flags = kdx_le32(e + 4);
    h->exception_record = kdx_le64(e + 8);
    h->exception_address = kdx_le64(e + 0x10);
    h->exception_nparams = kdx_le32(e + 0x18);
    for (int i = 0; i < 15; i++)
        h->exception_params[i] = kdx_le64(e + 0x20 + 8 * i);
}

static void parse_exception32(const uint8_t *e, kdx_kdump_header *h)
{
    h->exception_code = kdx_le32(e);
    h->exception_flags = kdx_le32(e + 4);
    h->exception_record = kdx_le32(e + 8);
    h->exception_address = kdx_le32(e + 0xc);
    h->exception_nparams = kdx_le32(e + 0x10);
    for (int i = 0; i < 15; i++)
        h->exception_params[i] = kdx_le32(e + 0x14 + 4 * i);
}

static void parse64(const uint8_t *b, kdx_kdump_header *h)
{
    h->is64 = true;
    h->header_size = KDX_KDUMP_HEADER64_SIZE;
    h->major_version = kdx_le32(b + 0x8);
    h->minor_version = kdx_le32(b + 0xc);
    h->directory_table_base = kdx_le64(b + 0x10);
    h->pfn_database = kdx_le64(b + 0x18);
    h->ps_loaded_module_list = kdx_le64(b + 0x20);
    h->ps_active_process_head = kdx_le64(b + 0x28);
    h->machine_image_type = kdx_le32(b + 0x30);
    h->number_processors = kdx_le32(b + 0x34);
    h->bugcheck_code = kdx_le32(b + 0x38);
    for (int i = 0; i < 4; i++)
        h->bugcheck_params[i] = kdx_le64(b + 0x40 + 8 * i);
    copy_text(h->version_user, sizeof h->version_user, b + 0x60, 32);
    h->kd_debugger_data_block = kdx_le64(b + 0x80);
    h->number_of_runs = kdx_le32(b + KDX_DH64_PHYS_BLOCK);
    h->number_of_pages = kdx_le64(b + KDX_DH64_PHYS_BLOCK + 8);
    h->context_off = KDX_DH64_CONTEXT;
    h->context_size = KDX_DH64_CONTEXT_SIZE;
    h->exception_off = KDX_DH64_EXCEPTION;
    parse_exception64(b + KDX_DH64_EXCEPTION, h);
    h->dump_type = kdx_le32(b + KDX_DH64_DUMP_TYPE);
    h->required_dump_space = kdx_le64(b + 0xfa0);
    h->system_time = kdx_le64(b + 0xfa8);
    copy_text(h->comment, sizeof h->comment, b + 0xfb0, 128);
    h->system_uptime = kdx_le64(b + 0x1030);
    h->minidump_fields = kdx_le32(b + 0x1038);
    h->secondary_data_state = kdx_le32(b + 0x103c);
    h->product_type = kdx_le32(b + 0x1040);
    h->suite_mask = kdx_le32(b + 0x1044);
    h->writer_status = kdx_le32(b + 0x1048);
    h->kd_secondary_version = b[0x104d];
    h->attributes = kdx_le32(b + 0x1050);
    h->boot_id = kdx_le32(b + 0x1054);
}

static void parse32(const uint8_t *b, kdx_kdump_header *h)
{
    h->is64 = false;
    h->header_size = KDX_KDUMP_HEADER32_SIZE;
    h->major_version = kdx_le32(b + 0x8);
    h->minor_version = kdx_le32(b + 0xc);
    h->directory_table_base = kdx_le32(b + 0x10);
    h->pfn_database = kdx_le32(b + 0x14);
    h->ps_loaded_module_list = kdx_le32(b + 0x18);
    h->ps_active_process_head = kdx_le32(b + 0x1c);
    h->machine_image_type = kdx_le32(b + 0x20);
    h->number_processors = kdx_le32(b + 0x24);
    h->bugcheck_code = kdx_le32(b + 0x28);
    for (int i = 0; i < 4; i++)
        h->bugcheck_params[i] = kdx_le32(b + 0x2c + 4 * i);
    copy_text(h->version_user, sizeof h->version_user, b + 0x3c, 32);
    h->pae_enabled = b[0x5c];
    h->kd_secondary_version = b[0x5d];
    h->kd_debugger_data_block = kdx_le32(b + 0x60);
    h->number_of_runs = kdx_le32(b + KDX_DH32_PHYS_BLOCK);
    h->number_of_pages = kdx_le32(b + KDX_DH32_PHYS_BLOCK + 4);
    h->context_off = KDX_DH32_CONTEXT;
    h->context_size = KDX_DH32_CONTEXT_SIZE;
    h->exception_off = KDX_DH32_EXCEPTION;
    parse_exception32(b + KDX_DH32_EXCEPTION, h);
    copy_text(h->comment, sizeof h->comment, b + 0x820, 128);
    h->attributes = kdx_le32(b + 0x8a0);
    h->boot_id = kdx_le32(b + 0x8a4);
    h->dump_type = kdx_le32(b + KDX_DH32_DUMP_TYPE);
    h->minidump_fields = kdx_le32(b + 0xf8c);
    h->secondary_data_state = kdx_le32(b + 0xf90);
    h->product_type = kdx_le32(b + 0xf94);
    h->suite_mask = kdx_le32(b + 0xf98);
    h->writer_status = kdx_le32(b + 0xf9c);
    h->required_dump_space = kdx_le64(b + 0xfa0);
    h->system_uptime = kdx_le64(b + 0xfb8);
    h->system_time = kdx_le64(b + 0xfc0);
}

kdx_status kdx_kdump_parse_header(const kdx_file *f, kdx_kdump_header *h, kdx_err *err)
{
    memset(h, 0, sizeof *h);
    const uint8_t *b;
    kdx_status st = kdx_file_need(f, 0, 8, "dump signature", &b, err);
    if (st != KDX_OK)
        return st;
    bool is64 = memcmp(b, "PAGEDU64", 8) == 0;
    if (!is64 && memcmp(b, "PAGEDUMP", 8) != 0)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: DUMP_HEADER at offset 0x0: signature is not PAGEDU64 or PAGEDUMP",
                           f->path);
    uint64_t size = is64 ? KDX_KDUMP_HEADER64_SIZE : KDX_KDUMP_HEADER32_SIZE;
    st = kdx_file_need(f, 0, size, is64 ? "DUMP_HEADER64" : "DUMP_HEADER32", &b, err);
    if (st != KDX_OK)
        return st;
    if (is64)
        parse64(b, h);
    else
        parse32(b, h);
    return KDX_OK;
}
