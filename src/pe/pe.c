/* PE/COFF reader: headers, sections, data directories, reads by RVA in file
 * or mapped layout, CodeView identity, exports and the .pdata table.
 * Every structure is bounds-checked against its source; the headers and
 * section table are parsed once at open, the rest is read on demand so an
 * image in a dump with paged-out parts still answers what is present. */
#include "pe/pe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/file.h"
#include "base/util.h"
#include "target/memory.h"

#define PE_MAX_SECTIONS 4096        /* Windows caps at 96; be tolerant but bounded */
#define PE_MAX_EXPORTS 0x100000     /* more than any real image exports */
#define PE_MAX_DEBUG_ENTRIES 64
#define PE_DOS_LFANEW 0x3c
#define PE_MACHINE_I386 0x14c
#define PE_MACHINE_AMD64 0x8664
#define PE_MACHINE_ARM64 0xaa64
#define PE_DEBUG_TYPE_CODEVIEW 2

typedef enum { SRC_FILE, SRC_BUFFER, SRC_TARGET } pe_source;

struct kdx_pe {
    char *name;
    pe_source source;
    bool mapped;               /* RVA == offset in the source */
    kdx_file *file;            /* SRC_FILE, SRC_BUFFER (copy) */
    kdx_target *target;        /* SRC_TARGET */
    uint64_t base;
    kdx_pe_info info;
    uint32_t section_alignment, file_alignment, size_of_headers;
    kdx_pe_section *sections;
    uint32_t ndirs;
    uint32_t dir_rva[16], dir_size[16];
    /* .pdata */
    unsigned rf_size;
    uint32_t rf_count;
    uint32_t rf_rva;
    uint8_t *rf_cache;         /* whole table when readable, else NULL */
    bool rf_tried;
};

/* ---- raw access ---- */

/* Bytes at off of a mapped-layout source (buffer or target). */
static kdx_status read_mapped(kdx_pe *pe, uint64_t off, uint8_t *buf, size_t len, size_t *done,
                              kdx_err *err)
{
    *done = 0;
    if (pe->source == SRC_TARGET) {
        return kdx_read_virt(pe->target, pe->base + off, buf, len, done, err);
    }
    uint64_t size = pe->file->size;
    if (off >= size)
        return kdx_err_set(err, KDX_E_TRUNCATED, "%s: RVA 0x%llx is beyond the image buffer (size 0x%llx)",
                           pe->name, (unsigned long long)off, (unsigned long long)size);
    size_t n = (size_t)KDX_MIN((uint64_t)len, size - off);
    memcpy(buf, pe->file->data + off, n);
    *done = n;
    if (n < len)
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: RVA 0x%llx is beyond the image buffer (size 0x%llx)", pe->name,
                           (unsigned long long)(off + n), (unsigned long long)size);
    return KDX_OK;
}

/* Header bytes: file offset == RVA for the headers in both layouts. */
static kdx_status read_header(kdx_pe *pe, uint64_t off, void *buf, size_t len, const char *what,
                              kdx_err *err)
{
    if (!pe->mapped) {
        const uint8_t *p;
        kdx_status st = kdx_file_need(pe->file, off, len, what, &p, err);
        if (st == KDX_OK)
            memcpy(buf, p, len);
        return st;
    }
    size_t done;
    kdx_status st = read_mapped(pe, off, buf, len, &done, err);
    if (st != KDX_OK)
        kdx_err_prefix(err, "%s: %s at offset 0x%llx", pe->name, what, (unsigned long long)off);
    return st;
}

/* Rounds up to a, when a is a sane power of two (headers can claim anything). */
static uint32_t align_up32(uint32_t v, uint32_t a)
{
    if (a <= 1 || (a & (a - 1)) || a > 0x10000000)
        return v;
    uint64_t r = ((uint64_t)v + a - 1) / a * a;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

/* Virtual extent of a section as the loader maps it. */
static uint32_t section_span(const kdx_pe *pe, const kdx_pe_section *s)
{
    uint32_t v = s->vsize ? s->vsize : s->raw_size;
    return align_up32(v, pe->section_alignment);
}

int kdx_pe_section_for_rva(const kdx_pe *pe, uint32_t rva)
{
    for (unsigned i = 0; i < pe->info.nsections; i++) {
        const kdx_pe_section *s = &pe->sections[i];
        if (rva >= s->rva && rva - s->rva < section_span(pe, s))
            return (int)i;
    }
    return -1;
}

/* One piece of a file-layout read: bytes at rva up to the end of the
 * region (section or headers) holding it. */
static kdx_status read_file_piece(kdx_pe *pe, uint32_t rva, uint8_t *buf, size_t len, size_t *n,
                                  kdx_err *err)
{
    int si = kdx_pe_section_for_rva(pe, rva);
    uint64_t file_off;
    uint32_t raw_avail, span, d;
    const char *what;
    char secname[32];
    if (si >= 0) {
        const kdx_pe_section *s = &pe->sections[si];
        d = rva - s->rva;
        span = section_span(pe, s);
        raw_avail = KDX_MIN(s->raw_size, s->vsize ? span : s->raw_size);
        file_off = (uint64_t)s->raw_offset + d;
        snprintf(secname, sizeof secname, "section %.8s", s->name);
        what = secname;
    } else {
        uint32_t hdr_span = align_up32(pe->size_of_headers, pe->section_alignment);
        if (pe->info.nsections && pe->sections[0].rva && hdr_span > pe->sections[0].rva)
            hdr_span = pe->sections[0].rva;
        if (rva >= hdr_span)
            return kdx_err_set(err, KDX_E_NOT_FOUND,
                               "%s: RVA 0x%x lies outside the image's headers and sections",
                               pe->name, rva);
        d = rva;
        span = hdr_span;
        raw_avail = pe->size_of_headers;
        file_off = rva;
        what = "headers";
    }
    size_t want = KDX_MIN((uint64_t)len, (uint64_t)span - d);
    if (d < raw_avail) {
        size_t m = KDX_MIN(want, (size_t)(raw_avail - d));
        const uint8_t *p = kdx_file_at(pe->file, file_off, m);
        if (!p)
            return kdx_err_set(err, KDX_E_TRUNCATED,
                               "%s: %s data for RVA 0x%x (file offset 0x%llx, 0x%zx bytes) extends "
                               "past the end of the file (size 0x%llx)",
                               pe->name, what, rva, (unsigned long long)file_off, m,
                               (unsigned long long)pe->file->size);
        memcpy(buf, p, m);
        *n = m;
    } else {
        /* The loader zero-fills virtual size beyond the raw data. */
        memset(buf, 0, want);
        *n = want;
    }
    return KDX_OK;
}

kdx_status kdx_pe_read_partial(kdx_pe *pe, uint32_t rva, void *buf, size_t len, size_t *done,
                               kdx_err *err)
{
    size_t got = 0;
    kdx_status st = KDX_OK;
    if ((uint64_t)rva + len > (uint64_t)UINT32_MAX + 1) {
        *done = 0;
        return kdx_err_set(err, KDX_E_ARG, "%s: read of 0x%zx bytes at RVA 0x%x wraps the 32-bit RVA space",
                           pe->name, len, rva);
    }
    if (pe->mapped) {
        st = read_mapped(pe, rva, buf, len, &got, err);
    } else {
        while (got < len) {
            size_t n = 0;
            st = read_file_piece(pe, rva + (uint32_t)got, (uint8_t *)buf + got, len - got, &n, err);
            if (st != KDX_OK)
                break;
            got += n;
        }
    }
    if (done)
        *done = got;
    return st;
}

kdx_status kdx_pe_read(kdx_pe *pe, uint32_t rva, void *buf, size_t len, kdx_err *err)
{
    size_t done;
    return kdx_pe_read_partial(pe, rva, buf, len, &done, err);
}

kdx_status kdx_pe_read_string(kdx_pe *pe, uint32_t rva, char *buf, size_t cap, kdx_err *err)
{
    size_t got = 0;
    if (cap == 0)
        return kdx_err_set(err, KDX_E_ARG, "no room for a string");
    while (got < cap - 1) {
        /* Read up to the next 256-byte boundary so a string ending just before a
         * missing page is still read. */
        uint32_t a = rva + (uint32_t)got;
        size_t chunk = KDX_MIN(cap - 1 - got, (size_t)(0x100 - (a & 0xff)));
        kdx_status st = kdx_pe_read(pe, a, buf + got, chunk, err);
        if (st != KDX_OK) {
            buf[0] = 0;
            return st;
        }
        void *nul = memchr(buf + got, 0, chunk);
        if (nul)
            return KDX_OK;
        got += chunk;
    }
    buf[cap - 1] = 0;
    return kdx_err_set(err, KDX_E_FORMAT, "%s: string at RVA 0x%x is longer than %zu bytes",
                       pe->name, rva, cap - 1);
}

/* ---- headers ---- */

static kdx_arch arch_of_machine(uint16_t m)
{
    switch (m) {
    case PE_MACHINE_I386: return KDX_ARCH_X86;
    case PE_MACHINE_AMD64: return KDX_ARCH_X64;
    case PE_MACHINE_ARM64: return KDX_ARCH_ARM64;
    default: return KDX_ARCH_UNKNOWN;
    }
}

/* IMAGE_OPTIONAL_HEADER (PE32 or PE32+) at opt_off, opt_size bytes: image facts and
 * the data directories. */
static kdx_status parse_optional_header(kdx_pe *pe, uint64_t opt_off, uint16_t opt_size,
                                        kdx_err *err)
{
    if (opt_size < 2)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: no optional header (SizeOfOptionalHeader %u at offset 0x%llx)",
                           pe->name, opt_size, (unsigned long long)(opt_off - 4));
    uint8_t *opt = kdx_xcalloc(1, opt_size);
    kdx_status st = read_header(pe, opt_off, opt, opt_size, "IMAGE_OPTIONAL_HEADER", err);
    if (st != KDX_OK) {
        free(opt);
        return st;
    }
    uint16_t magic = kdx_le16(opt);
    unsigned dirs_off = magic == 0x20b ? 112 : 96; /* the directories follow NumberOfRvaAndSizes */
    pe->info.is64 = magic == 0x20b;
    if (magic != 0x20b && magic != 0x10b)
        st = kdx_err_set(err, KDX_E_FORMAT, "%s: unknown optional header magic 0x%x at offset 0x%llx",
                         pe->name, magic, (unsigned long long)opt_off);
    else if (opt_size < dirs_off)
        st = kdx_err_set(err, KDX_E_FORMAT,
                         "%s: optional header at offset 0x%llx is 0x%x bytes, too small for PE32%s (0x%x)",
                         pe->name, (unsigned long long)opt_off, opt_size, pe->info.is64 ? "+" : "",
                         dirs_off);
    if (st != KDX_OK) {
        free(opt);
        return st;
    }
    pe->info.entry_rva = kdx_le32(opt + 16);
    pe->info.image_base = pe->info.is64 ? kdx_le64(opt + 24) : kdx_le32(opt + 28);
    pe->section_alignment = kdx_le32(opt + 32);
    pe->file_alignment = kdx_le32(opt + 36);
    pe->info.size_of_image = kdx_le32(opt + 56);
    pe->size_of_headers = kdx_le32(opt + 60);
    pe->info.checksum = kdx_le32(opt + 64);
    pe->info.subsystem = kdx_le16(opt + 68);
    pe->info.dll_characteristics = kdx_le16(opt + 70);
    uint32_t nrva = kdx_le32(opt + dirs_off - 4);
    uint32_t fit = (opt_size - dirs_off) / 8;
    pe->ndirs = KDX_MIN(KDX_MIN(nrva, 16u), fit);
    for (uint32_t i = 0; i < pe->ndirs; i++) {
        pe->dir_rva[i] = kdx_le32(opt + dirs_off + 8 * i);
        pe->dir_size[i] = kdx_le32(opt + dirs_off + 8 * i + 4);
    }
    free(opt);
    return KDX_OK;
}

static kdx_status parse_section_table(kdx_pe *pe, uint64_t sec_off, kdx_err *err)
{
    if (pe->info.nsections > PE_MAX_SECTIONS)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: %u sections in the file header is implausible",
                           pe->name, pe->info.nsections);
    size_t sec_len = (size_t)pe->info.nsections * 40;
    uint8_t *sec = kdx_xmalloc(sec_len ? sec_len : 1);
    kdx_status st = read_header(pe, sec_off, sec, sec_len, "section table", err);
    if (st != KDX_OK) {
        free(sec);
        return st;
    }
    pe->sections = kdx_xcalloc(pe->info.nsections ? pe->info.nsections : 1, sizeof *pe->sections);
    for (unsigned i = 0; i < pe->info.nsections; i++) {
        const uint8_t *e = sec + 40 * i;
        kdx_pe_section *s = &pe->sections[i];
        memcpy(s->name, e, 8);
        s->name[8] = 0;
        s->vsize = kdx_le32(e + 8);
        s->rva = kdx_le32(e + 12);
        s->raw_size = kdx_le32(e + 16);
        s->raw_offset = kdx_le32(e + 20);
        s->characteristics = kdx_le32(e + 36);
    }
    free(sec);
    return KDX_OK;
}

/* Where the .pdata table is and how many entries it holds. */
static void locate_runtime_functions(kdx_pe *pe)
{
    unsigned esz = pe->info.machine == PE_MACHINE_AMD64 ? 12
                 : pe->info.machine == PE_MACHINE_ARM64 ? 8 : 0;
    if (!esz || pe->ndirs <= KDX_PE_DIR_EXCEPTION || !pe->dir_rva[KDX_PE_DIR_EXCEPTION] ||
        pe->dir_size[KDX_PE_DIR_EXCEPTION] < esz)
        return;
    pe->rf_size = esz;
    pe->rf_rva = pe->dir_rva[KDX_PE_DIR_EXCEPTION];
    pe->rf_count = pe->dir_size[KDX_PE_DIR_EXCEPTION] / esz;
    /* A table claiming to run past SizeOfImage is cut there (corrupt header). */
    uint64_t room = pe->info.size_of_image > pe->rf_rva ? pe->info.size_of_image - pe->rf_rva : 0;
    if ((uint64_t)pe->rf_count * esz > room)
        pe->rf_count = (uint32_t)(room / esz);
}

static kdx_status parse_headers(kdx_pe *pe, kdx_err *err)
{
    uint8_t dos[64];
    kdx_status st = read_header(pe, 0, dos, sizeof dos, "IMAGE_DOS_HEADER", err);
    if (st != KDX_OK)
        return st;
    if (dos[0] != 'M' || dos[1] != 'Z')
        return kdx_err_set(err, KDX_E_FORMAT, "%s: no MZ signature at offset 0 (not a PE image)",
                           pe->name);
    uint32_t lfanew = kdx_le32(dos + PE_DOS_LFANEW);
    if (lfanew > 0x10000000)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: e_lfanew 0x%x at offset 0x3c is implausible",
                           pe->name, lfanew);
    uint8_t nt[24];
    st = read_header(pe, lfanew, nt, sizeof nt, "IMAGE_NT_HEADERS", err);
    if (st != KDX_OK)
        return st;
    if (memcmp(nt, "PE\0\0", 4) != 0)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: no PE signature at offset 0x%x", pe->name, lfanew);
    const uint8_t *fh = nt + 4; /* IMAGE_FILE_HEADER */
    pe->info.machine = kdx_le16(fh);
    pe->info.nsections = kdx_le16(fh + 2);
    pe->info.timestamp = kdx_le32(fh + 4);
    uint16_t opt_size = kdx_le16(fh + 16);
    pe->info.characteristics = kdx_le16(fh + 18);
    pe->info.arch = arch_of_machine(pe->info.machine);
    uint64_t opt_off = (uint64_t)lfanew + 24;
    st = parse_optional_header(pe, opt_off, opt_size, err);
    if (st == KDX_OK)
        st = parse_section_table(pe, opt_off + opt_size, err);
    if (st == KDX_OK)
        locate_runtime_functions(pe);
    return st;
}

static kdx_status finish_open(kdx_pe *pe, kdx_pe **out, kdx_err *err)
{
    kdx_status st = parse_headers(pe, err);
    if (st != KDX_OK) {
        kdx_pe_close(pe);
        *out = NULL;
        return st;
    }
    *out = pe;
    return KDX_OK;
}

kdx_status kdx_pe_open_file(const char *path, kdx_pe **out, kdx_err *err)
{
    *out = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_open(&f, path, err);
    if (st != KDX_OK)
        return st;
    kdx_pe *pe = kdx_xcalloc(1, sizeof *pe);
    pe->name = kdx_strdup(path);
    pe->source = SRC_FILE;
    pe->file = f;
    return finish_open(pe, out, err);
}

kdx_status kdx_pe_open_target(kdx_target *t, uint64_t base, const char *name, kdx_pe **out,
                              kdx_err *err)
{
    *out = NULL;
    kdx_pe *pe = kdx_xcalloc(1, sizeof *pe);
    pe->name = kdx_strdup(name ? name : "image");
    pe->source = SRC_TARGET;
    pe->mapped = true;
    pe->target = t;
    pe->base = base;
    return finish_open(pe, out, err);
}

kdx_status kdx_pe_open_buffer(const char *name, const uint8_t *data, size_t len, bool mapped,
                              kdx_pe **out, kdx_err *err)
{
    *out = NULL;
    kdx_file *f;
    kdx_status st = kdx_file_from_memory(&f, name ? name : "image", data, len, err);
    if (st != KDX_OK)
        return st;
    kdx_pe *pe = kdx_xcalloc(1, sizeof *pe);
    pe->name = kdx_strdup(name ? name : "image");
    pe->source = SRC_BUFFER;
    pe->mapped = mapped;
    pe->file = f;
    return finish_open(pe, out, err);
}

void kdx_pe_close(kdx_pe *pe)
{
    if (!pe)
        return;
    if (pe->file)
        kdx_file_close(pe->file);
    free(pe->sections);
    free(pe->rf_cache);
    free(pe->name);
    free(pe);
}

const kdx_pe_info *kdx_pe_get_info(const kdx_pe *pe) { return &pe->info; }
const char *kdx_pe_name(const kdx_pe *pe) { return pe->name; }
uint32_t kdx_pe_section_alignment(const kdx_pe *pe) { return pe->section_alignment; }
uint32_t kdx_pe_file_alignment(const kdx_pe *pe) { return pe->file_alignment; }
uint32_t kdx_pe_size_of_headers(const kdx_pe *pe) { return pe->size_of_headers; }
bool kdx_pe_is_file_layout(const kdx_pe *pe) { return !pe->mapped; }

kdx_status kdx_pe_section_at(const kdx_pe *pe, unsigned index, kdx_pe_section *out)
{
    if (index >= pe->info.nsections)
        return KDX_E_NOT_FOUND;
    *out = pe->sections[index];
    return KDX_OK;
}

kdx_status kdx_pe_data_directory(const kdx_pe *pe, unsigned index, uint32_t *rva, uint32_t *size)
{
    if (index >= pe->ndirs || (pe->dir_rva[index] == 0 && pe->dir_size[index] == 0))
        return KDX_E_NOT_FOUND;
    *rva = pe->dir_rva[index];
    *size = pe->dir_size[index];
    return KDX_OK;
}

/* ---- debug directory ---- */

/* Reads a debug entry's data: by RVA, or by file offset when the data is not mapped. */
static kdx_status read_debug_data(kdx_pe *pe, uint32_t rva, uint32_t file_off, uint8_t *buf,
                                  size_t len, kdx_err *err)
{
    if (rva)
        return kdx_pe_read(pe, rva, buf, len, err);
    if (pe->mapped || !file_off)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: CodeView data is not mapped (no RVA)", pe->name);
    const uint8_t *p;
    kdx_status st = kdx_file_need(pe->file, file_off, len, "CodeView record", &p, err);
    if (st == KDX_OK)
        memcpy(buf, p, len);
    return st;
}

static void copy_pdb_name(char *dst, size_t cap, const uint8_t *src, size_t avail)
{
    size_t n = 0;
    while (n < avail && n < cap - 1 && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = 0;
}

kdx_status kdx_pe_codeview_info(kdx_pe *pe, kdx_pe_codeview *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    uint32_t drva, dsize;
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_DEBUG, &drva, &dsize) != KDX_OK || dsize < 28)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the image has no debug directory", pe->name);
    uint32_t n = KDX_MIN(dsize / 28, (uint32_t)PE_MAX_DEBUG_ENTRIES);
    kdx_status last = KDX_E_NOT_FOUND;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t e[28];
        kdx_status st = kdx_pe_read(pe, drva + 28 * i, e, sizeof e, err);
        if (st != KDX_OK) {
            kdx_err_prefix(err, "%s: IMAGE_DEBUG_DIRECTORY[%u] at RVA 0x%x", pe->name, i, drva + 28 * i);
            return st;
        }
        if (kdx_le32(e + 12) != PE_DEBUG_TYPE_CODEVIEW)
            continue;
        uint32_t size = kdx_le32(e + 16), rva = kdx_le32(e + 20), foff = kdx_le32(e + 24);
        if (size < 16) {
            last = kdx_err_set(err, KDX_E_FORMAT, "%s: CodeView record of %u bytes is too small",
                               pe->name, size);
            continue;
        }
        uint8_t rec[24 + 260];
        size_t len = KDX_MIN((size_t)size, sizeof rec);
        st = read_debug_data(pe, rva, foff, rec, len, err);
        if (st != KDX_OK) {
            kdx_err_prefix(err, "%s: CodeView record at RVA 0x%x", pe->name, rva);
            return st;
        }
        if (memcmp(rec, "RSDS", 4) == 0 && len >= 24) {
            memcpy(out->guid, rec + 4, 16);
            out->age = kdx_le32(rec + 20);
            copy_pdb_name(out->pdb_name, sizeof out->pdb_name, rec + 24, len - 24);
            return KDX_OK;
        }
        if (memcmp(rec, "NB10", 4) == 0 && len >= 16) {
            out->is_nb10 = true;
            out->nb10_signature = kdx_le32(rec + 8);
            out->age = kdx_le32(rec + 12);
            copy_pdb_name(out->pdb_name, sizeof out->pdb_name, rec + 16, len - 16);
            return KDX_OK;
        }
        last = kdx_err_set(err, KDX_E_FORMAT, "%s: CodeView record at RVA 0x%x has unknown signature %.4s",
                           pe->name, rva, (const char *)rec);
    }
    if (last == KDX_E_NOT_FOUND)
        kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the debug directory has no CodeView record", pe->name);
    return last;
}

/* ---- exports ---- */

kdx_status kdx_pe_exports(kdx_pe *pe, kdx_pe_export_cb cb, void *ud, kdx_err *err)
{
    uint32_t erva, esize;
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_EXPORT, &erva, &esize) != KDX_OK)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the image has no export directory", pe->name);
    uint8_t d[40];
    kdx_status st = kdx_pe_read(pe, erva, d, sizeof d, err);
    if (st != KDX_OK) {
        kdx_err_prefix(err, "%s: IMAGE_EXPORT_DIRECTORY at RVA 0x%x", pe->name, erva);
        return st;
    }
    uint32_t ord_base = kdx_le32(d + 16), nfuncs = kdx_le32(d + 20), nnames = kdx_le32(d + 24);
    uint32_t funcs_rva = kdx_le32(d + 28), names_rva = kdx_le32(d + 32), ords_rva = kdx_le32(d + 36);
    if (nfuncs > PE_MAX_EXPORTS || nnames > PE_MAX_EXPORTS)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: export directory at RVA 0x%x claims %u functions and %u names",
                           pe->name, erva, nfuncs, nnames);
    uint32_t *funcs = kdx_xcalloc(nfuncs ? nfuncs : 1, 4);
    uint32_t *name_of = kdx_xcalloc(nfuncs ? nfuncs : 1, 4); /* name RVA per function, 0 none */
    uint8_t *tmp = NULL;
    size_t tmplen = (size_t)KDX_MAX(nfuncs, nnames) * 4;
    tmp = kdx_xmalloc(tmplen ? tmplen : 1);
    st = kdx_pe_read(pe, funcs_rva, tmp, (size_t)nfuncs * 4, err);
    if (st != KDX_OK) {
        kdx_err_prefix(err, "%s: export address table at RVA 0x%x", pe->name, funcs_rva);
        goto out;
    }
    for (uint32_t i = 0; i < nfuncs; i++)
        funcs[i] = kdx_le32(tmp + 4 * i);
    if (nnames) {
        uint8_t *ords = kdx_xmalloc((size_t)nnames * 2);
        st = kdx_pe_read(pe, names_rva, tmp, (size_t)nnames * 4, err);
        if (st == KDX_OK)
            st = kdx_pe_read(pe, ords_rva, ords, (size_t)nnames * 2, err);
        if (st != KDX_OK) {
            free(ords);
            kdx_err_prefix(err, "%s: export name table", pe->name);
            goto out;
        }
        for (uint32_t i = 0; i < nnames; i++) {
            uint16_t o = kdx_le16(ords + 2 * i);
            if (o < nfuncs && !name_of[o])
                name_of[o] = kdx_le32(tmp + 4 * i);
        }
        free(ords);
    }
    for (uint32_t i = 0; i < nfuncs; i++) {
        if (!funcs[i])
            continue;
        char name[512], fwd[512];
        const char *np = NULL, *fp = NULL;
        if (name_of[i]) {
            if (kdx_pe_read_string(pe, name_of[i], name, sizeof name, NULL) == KDX_OK)
                np = name;
            else
                continue; /* name page missing from the dump: skip rather than misname */
        }
        if (funcs[i] >= erva && funcs[i] - erva < esize) {
            if (kdx_pe_read_string(pe, funcs[i], fwd, sizeof fwd, NULL) == KDX_OK)
                fp = fwd;
            else
                continue;
        }
        if (cb(ud, np, ord_base + i, funcs[i], fp))
            break;
    }
    st = KDX_OK;
out:
    free(tmp);
    free(funcs);
    free(name_of);
    return st;
}

/* ---- .pdata ---- */

uint32_t kdx_pe_runtime_function_count(const kdx_pe *pe) { return pe->rf_count; }
unsigned kdx_pe_runtime_function_size(const kdx_pe *pe) { return pe->rf_size; }

static kdx_status rf_raw(kdx_pe *pe, uint32_t index, uint8_t *e, kdx_err *err)
{
    if (!pe->rf_tried) {
        pe->rf_tried = true;
        /* Real tables are well under 1 MB; a bigger claim is read entry by entry. */
        size_t len = (size_t)pe->rf_count * pe->rf_size;
        uint8_t *b = len <= (16u << 20) ? malloc(len ? len : 1) : NULL;
        if (b && kdx_pe_read(pe, pe->rf_rva, b, len, NULL) == KDX_OK)
            pe->rf_cache = b;
        else
            free(b);
    }
    if (pe->rf_cache) {
        memcpy(e, pe->rf_cache + (size_t)index * pe->rf_size, pe->rf_size);
        return KDX_OK;
    }
    kdx_status st = kdx_pe_read(pe, pe->rf_rva + index * pe->rf_size, e, pe->rf_size, err);
    if (st != KDX_OK)
        kdx_err_prefix(err, "%s: .pdata entry %u at RVA 0x%x", pe->name, index,
                       pe->rf_rva + index * pe->rf_size);
    return st;
}

/* ARM64 function length from the packed word or the .xdata header. */
static kdx_status arm64_end(kdx_pe *pe, kdx_runtime_function *f, kdx_err *err)
{
    uint32_t words;
    if (f->packed) {
        words = (f->unwind_rva >> 2) & 0x7ff;
    } else {
        uint8_t x[4];
        kdx_status st = kdx_pe_read(pe, f->unwind_rva, x, 4, err);
        if (st != KDX_OK) {
            kdx_err_prefix(err, "%s: .xdata of the function at RVA 0x%x", pe->name, f->begin_rva);
            return st;
        }
        words = kdx_le32(x) & 0x3ffff;
    }
    f->end_rva = f->begin_rva + 4 * words;
    return KDX_OK;
}

/* Entry index without its end (enough for the binary search). */
static kdx_status rf_begin(kdx_pe *pe, uint32_t index, uint32_t *begin, kdx_err *err)
{
    uint8_t e[12];
    kdx_status st = rf_raw(pe, index, e, err);
    if (st == KDX_OK)
        *begin = kdx_le32(e);
    return st;
}

kdx_status kdx_pe_runtime_function_at(kdx_pe *pe, uint32_t index, kdx_runtime_function *out,
                                      kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (index >= pe->rf_count)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: .pdata entry %u is beyond the table's %u entries",
                           pe->name, index, pe->rf_count);
    uint8_t e[12];
    kdx_status st = rf_raw(pe, index, e, err);
    if (st != KDX_OK)
        return st;
    out->index = index;
    out->begin_rva = kdx_le32(e);
    if (pe->rf_size == 12) {
        out->end_rva = kdx_le32(e + 4);
        out->unwind_rva = kdx_le32(e + 8);
        return KDX_OK;
    }
    out->unwind_rva = kdx_le32(e + 4);
    out->flag = out->unwind_rva & 3;
    out->packed = out->flag != 0;
    /* An unreadable .xdata leaves end_rva == begin_rva (length unknown) rather than failing
     * the whole entry: callers that need the extent use kdx_pe_runtime_function_for. */
    if (arm64_end(pe, out, NULL) != KDX_OK)
        out->end_rva = out->begin_rva;
    return KDX_OK;
}

kdx_status kdx_pe_runtime_function_for(kdx_pe *pe, uint32_t rva, kdx_runtime_function *out,
                                       kdx_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pe->rf_count)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the image has no .pdata table", pe->name);
    /* Last entry with begin <= rva. */
    uint32_t lo = 0, hi = pe->rf_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, b;
        kdx_status st = rf_begin(pe, mid, &b, err);
        if (st != KDX_OK)
            return st;
        if (b <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: no .pdata entry covers RVA 0x%x", pe->name, rva);
    kdx_status st = kdx_pe_runtime_function_at(pe, lo - 1, out, err);
    if (st != KDX_OK)
        return st;
    if (pe->rf_size == 8 && out->end_rva == out->begin_rva) {
        st = arm64_end(pe, out, err);
        if (st != KDX_OK)
            return st;
    }
    if (rva >= out->end_rva)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: no .pdata entry covers RVA 0x%x", pe->name, rva);
    return KDX_OK;
}

kdx_status kdx_pe_read_unwind(kdx_pe *pe, uint32_t rva, void *buf, size_t cap, size_t *got,
                              kdx_err *err)
{
    *got = 0;
    size_t len = cap;
    if (!pe->mapped || pe->source == SRC_TARGET) {
        int si = kdx_pe_section_for_rva(pe, rva);
        if (si < 0)
            return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: unwind data at RVA 0x%x lies in no section",
                               pe->name, rva);
        const kdx_pe_section *s = &pe->sections[si];
        len = KDX_MIN(len, (size_t)(section_span(pe, s) - (rva - s->rva)));
    }
    kdx_status st = kdx_pe_read_partial(pe, rva, buf, len, got, err);
    if (st != KDX_OK && *got == 0)
        kdx_err_prefix(err, "%s: unwind data at RVA 0x%x", pe->name, rva);
    return *got ? KDX_OK : st;
}
