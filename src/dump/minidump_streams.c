/* Minidump stream parsers. Every structure is read from the mapped file
 * through bounds checks; counts are checked against the stream size before
 * anything is allocated. Errors name the file, the stream and the offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "dump/minidump.h"

#define MAX_STRING_BYTES 0x10000u

static const struct {
    uint32_t type;
    const char *name;
} stream_names[] = {
    {0, "UnusedStream"},
    {1, "ReservedStream0"},
    {2, "ReservedStream1"},
    {3, "ThreadListStream"},
    {4, "ModuleListStream"},
    {5, "MemoryListStream"},
    {6, "ExceptionStream"},
    {7, "SystemInfoStream"},
    {8, "ThreadExListStream"},
    {9, "Memory64ListStream"},
    {10, "CommentStreamA"},
    {11, "CommentStreamW"},
    {12, "HandleDataStream"},
    {13, "FunctionTableStream"},
    {14, "UnloadedModuleListStream"},
    {15, "MiscInfoStream"},
    {16, "MemoryInfoListStream"},
    {17, "ThreadInfoListStream"},
    {18, "HandleOperationListStream"},
    {19, "TokenStream"},
    {20, "JavaScriptDataStream"},
    {21, "SystemMemoryInfoStream"},
    {22, "ProcessVmCountersStream"},
    {23, "IptTraceStream"},
    {24, "ThreadNamesStream"},
    {0x8000, "ceStreamNull"},
    {0x8001, "ceStreamSystemInfo"},
    {0x8002, "ceStreamException"},
    {0x8003, "ceStreamModuleList"},
    {0x8004, "ceStreamProcessList"},
    {0x8005, "ceStreamThreadList"},
    {0x8006, "ceStreamThreadContextList"},
    {0x8007, "ceStreamThreadCallStackList"},
    {0x8008, "ceStreamMemoryVirtualList"},
    {0x8009, "ceStreamMemoryPhysicalList"},
    {0x800a, "ceStreamBucketParameters"},
    {0x800b, "ceStreamProcessModuleMap"},
    {0x800c, "ceStreamDiagnosisList"},
    {0x47670001, "BreakpadInfoStream"},
    {0x47670002, "BreakpadAssertionInfoStream"},
    {0x47670003, "BreakpadLinuxCpuInfoStream"},
    {0x47670004, "BreakpadLinuxProcStatusStream"},
    {0x47670005, "BreakpadLinuxLsbReleaseStream"},
    {0x47670006, "BreakpadLinuxCmdLineStream"},
    {0x47670007, "BreakpadLinuxEnvironStream"},
    {0x47670008, "BreakpadLinuxAuxvStream"},
    {0x47670009, "BreakpadLinuxMapsStream"},
    {0x4767000a, "BreakpadLinuxDsoDebugStream"},
    {0x43500001, "CrashpadInfoStream"},
    {0x4d7a0001, "MozillaLinuxLimitsStream"},
    {0x4d7a0002, "MozillaSoftErrorsStream"},
    {0x4b6b0002, "ChromiumStabilityReportStream"},
};

const char *kdx_minidump_stream_name(uint32_t type)
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(stream_names); i++)
        if (stream_names[i].type == type)
            return stream_names[i].name;
    return NULL;
}

uint64_t kdx_md_time_to_filetime(uint32_t t)
{
    return ((uint64_t)t + KDX_FILETIME_UNIX_OFFSET) * 10000000ull;
}

kdx_arch kdx_md_arch_of_context_size(uint32_t size)
{
    if (size >= KDX_CONTEXT_X64_SIZE)
        return KDX_ARCH_X64;
    if (size == KDX_CONTEXT_ARM64_SIZE)
        return KDX_ARCH_ARM64;
    if (size == KDX_CONTEXT_X86_SIZE || size == KDX_CONTEXT_X86_SIZE_NO_EXT)
        return KDX_ARCH_X86;
    return KDX_ARCH_UNKNOWN;
}

kdx_status kdx_md_stream_bytes(const kdx_minidump *md, const kdx_md_stream *s, const char *what,
                               const uint8_t **out, kdx_err *err)
{
    *out = kdx_file_at(md->file, s->rva, s->size);
    if (*out || s->size == 0) {
        if (!*out)
            *out = md->file->data; /* empty stream: never dereferenced */
        return KDX_OK;
    }
    return kdx_err_set(err, KDX_E_TRUNCATED,
                       "%s: %s at offset 0x%x (0x%x bytes) extends past the end of the file "
                       "(size 0x%llx)",
                       md->file->path, what, s->rva, s->size, (unsigned long long)md->file->size);
}

/* A stream of at least min bytes (the fixed part of its structure). */
static kdx_status fixed_stream(const kdx_minidump *md, const kdx_md_stream *s, const char *what,
                               uint32_t min, const uint8_t **out, kdx_err *err)
{
    kdx_status st = kdx_md_stream_bytes(md, s, what, out, err);
    if (st == KDX_OK && s->size < min)
        st = kdx_err_set(err, KDX_E_FORMAT, "%s: %s at offset 0x%x is 0x%x bytes, needs 0x%x",
                         md->file->path, what, s->rva, s->size, min);
    return st;
}

kdx_status kdx_md_read_string(const kdx_minidump *md, uint32_t rva, const char *what, char **out,
                              kdx_err *err)
{
    *out = NULL;
    const uint8_t *p;
    kdx_status st = kdx_file_need(md->file, rva, 4, what, &p, err);
    if (st != KDX_OK)
        return st;
    uint32_t len = kdx_le32(p);
    if (len > MAX_STRING_BYTES)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: %s at offset 0x%x claims 0x%x bytes (limit 0x%x)",
                           md->file->path, what, rva, len, MAX_STRING_BYTES);
    st = kdx_file_need(md->file, (uint64_t)rva + 4, len, what, &p, err);
    if (st != KDX_OK)
        return st;
    *out = kdx_utf16le_to_utf8(p, len / 2);
    return KDX_OK;
}

/* Records a problem in an optional stream and carries on. */
static kdx_status note(kdx_minidump *md, const kdx_md_stream *s, kdx_status st, kdx_err *err)
{
    if (st == KDX_OK)
        return KDX_OK;
    const char *name = kdx_minidump_stream_name(s->type);
    kdx_minidump_note(md, "%s (type 0x%x) skipped: %s", name ? name : "stream", s->type,
                      err ? err->msg : kdx_status_name(st));
    kdx_err_clear(err);
    return KDX_OK;
}

/* Lists of fixed-size entries after a u32 count (thread, module and memory
 * lists). Some writers pad the count to 8 bytes; accept that layout too. */
static kdx_status counted_list(const kdx_minidump *md, const kdx_md_stream *s, const char *what,
                               size_t entry, const uint8_t **first, uint32_t *count, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = kdx_md_stream_bytes(md, s, what, &p, err);
    if (st != KDX_OK)
        return st;
    if (s->size < 4)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: %s at offset 0x%x is 0x%x bytes, too small for "
                           "its count", md->file->path, what, s->rva, s->size);
    uint32_t n = kdx_le32(p);
    uint64_t need = 4 + (uint64_t)n * entry;
    if (need > s->size)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: %s at offset 0x%x: %u entries of 0x%zx bytes need 0x%llx bytes, "
                           "the stream has 0x%x",
                           md->file->path, what, s->rva, n, entry, (unsigned long long)need,
                           s->size);
    size_t skip = (need + 4 == s->size) ? 8 : 4;
    *first = p + skip;
    *count = n;
    return KDX_OK;
}

/* Header-described lists (unloaded modules, handles, memory info, thread
 * info): SizeOfHeader, SizeOfEntry, NumberOfEntries (32- or 64-bit). */
static kdx_status sized_list(const kdx_minidump *md, const kdx_md_stream *s, const char *what,
                             bool count64, size_t min_entry, const uint8_t **first,
                             uint32_t *entry_size, uint32_t *count, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = kdx_md_stream_bytes(md, s, what, &p, err);
    if (st != KDX_OK)
        return st;
    size_t hmin = count64 ? 16 : 12;
    if (s->size < hmin)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: %s at offset 0x%x is 0x%x bytes, smaller than "
                           "its 0x%zx-byte header", md->file->path, what, s->rva, s->size, hmin);
    uint32_t hsize = kdx_le32(p), esize = kdx_le32(p + 4);
    uint64_t n = count64 ? kdx_le64(p + 8) : kdx_le32(p + 8);
    if (hsize < hmin || hsize > s->size || esize < min_entry)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: %s at offset 0x%x: header size 0x%x / entry size 0x%x are invalid "
                           "(need >= 0x%zx / >= 0x%zx)",
                           md->file->path, what, s->rva, hsize, esize, hmin, min_entry);
    if (n > (s->size - hsize) / esize)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: %s at offset 0x%x: %llu entries of 0x%x bytes do not fit in the "
                           "stream's 0x%x bytes",
                           md->file->path, what, s->rva, (unsigned long long)n, esize, s->size);
    *first = p + hsize;
    *entry_size = esize;
    *count = (uint32_t)n;
    return KDX_OK;
}

kdx_status kdx_md_parse_threads(kdx_minidump *md, const kdx_md_stream *s, bool ex, kdx_err *err)
{
    size_t esize = ex ? 64 : 48;
    const char *what = ex ? "thread-ex list stream" : "thread list stream";
    const uint8_t *p;
    uint32_t n;
    kdx_status st = counted_list(md, s, what, esize, &p, &n, err);
    if (st != KDX_OK)
        return st;
    md->threads = kdx_xcalloc(n ? n : 1, sizeof *md->threads);
    md->threads_ex = ex;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = p + (size_t)i * esize;
        kdx_md_thread *th = &md->threads[i];
        th->id = kdx_le32(e);
        th->suspend_count = kdx_le32(e + 4);
        th->priority_class = kdx_le32(e + 8);
        th->priority = kdx_le32(e + 12);
        th->teb = kdx_le64(e + 16);
        th->stack_start = kdx_le64(e + 24);
        th->stack_size = kdx_le32(e + 32);
        th->stack_rva = kdx_le32(e + 36);
        th->context_size = kdx_le32(e + 40);
        th->context_rva = kdx_le32(e + 44);
        if (!kdx_range_ok(th->context_rva, th->context_size, md->file->size))
            return kdx_err_set(err, KDX_E_TRUNCATED,
                               "%s: %s entry %u (thread %x): CONTEXT at offset 0x%x (0x%x bytes) "
                               "extends past the end of the file (size 0x%llx)",
                               md->file->path, what, i, th->id, th->context_rva, th->context_size,
                               (unsigned long long)md->file->size);
    }
    md->nthreads = n;
    return KDX_OK;
}

static void add_range(kdx_minidump *md, uint64_t va, uint64_t size, uint64_t off)
{
    md->ranges = kdx_xrealloc(md->ranges, (md->nranges + 1) * sizeof *md->ranges);
    md->ranges[md->nranges++] = (kdx_md_range){.va = va, .size = size, .off = off};
}

/* A saved memory range. An address range that wraps is corruption; data
 * running past the end of the file is a truncated dump: the bytes that are
 * there stay readable, the rest reads as missing, and a note says so. */
static kdx_status add_saved_range(kdx_minidump *md, const char *list, uint64_t index, uint64_t va,
                                  uint64_t size, uint64_t off, kdx_err *err)
{
    if (va + size < va)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: %s entry %llu: address 0x%llx + size 0x%llx wraps around",
                           md->file->path, list, (unsigned long long)index,
                           (unsigned long long)va, (unsigned long long)size);
    uint64_t have = off >= md->file->size ? 0 : KDX_MIN(size, md->file->size - off);
    if (have < size) {
        kdx_minidump_note(md, "%s entry %llu (address 0x%llx): only 0x%llx of 0x%llx bytes at offset 0x%llx are in "
                              "the file (size 0x%llx): truncated dump", list, (unsigned long long)index,
                          (unsigned long long)va, (unsigned long long)have, (unsigned long long)size,
                          (unsigned long long)off, (unsigned long long)md->file->size);
        md->truncated = true;
    }
    if (have)
        add_range(md, va, have, off);
    return KDX_OK;
}

kdx_status kdx_md_parse_memory(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    uint32_t n;
    kdx_status st = counted_list(md, s, "memory list stream", 16, &p, &n, err);
    if (st != KDX_OK)
        return st;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = p + (size_t)i * 16;
        uint64_t va = kdx_le64(e);
        uint32_t size = kdx_le32(e + 8), rva = kdx_le32(e + 12);
        st = add_saved_range(md, "memory list", i, va, size, rva, err);
        if (st != KDX_OK)
            return st;
    }
    return KDX_OK;
}

kdx_status kdx_md_parse_memory64(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    const char *path = md->file->path;
    kdx_status st = kdx_md_stream_bytes(md, s, "memory64 list stream", &p, err);
    if (st != KDX_OK)
        return st;
    if (s->size < 16)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: memory64 list stream at offset 0x%x is 0x%x "
                           "bytes, smaller than its 16-byte header", path, s->rva, s->size);
    uint64_t n = kdx_le64(p), off = kdx_le64(p + 8);
    if (n > (s->size - 16) / 16)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "%s: memory64 list stream at offset 0x%x: %llu descriptors need 0x%llx "
                           "bytes, the stream has 0x%x",
                           path, s->rva, (unsigned long long)n,
                           (unsigned long long)(16 + n * 16), s->size);
    md->has_memory64 = true;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = p + 16 + i * 16;
        uint64_t va = kdx_le64(e), size = kdx_le64(e + 8);
        if (off + size < off)
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: memory64 list entry %llu (address 0x%llx): size 0x%llx "
                               "overflows the data offset 0x%llx",
                               path, (unsigned long long)i, (unsigned long long)va,
                               (unsigned long long)size, (unsigned long long)off);
        st = add_saved_range(md, "memory64 list", i, va, size, off, err);
        if (st != KDX_OK)
            return st;
        off += size;
    }
    return KDX_OK;
}

/* ProcessorArchitecture values. */
enum { PA_INTEL = 0, PA_ARM = 5, PA_IA64 = 6, PA_AMD64 = 9, PA_IA32_ON_WIN64 = 10,
       PA_ARM64 = 12, PA_ARM64_BREAKPAD = 0x8003 };

kdx_status kdx_md_parse_sysinfo(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "system info stream", 56, &p, err);
    if (st != KDX_OK)
        return st;
    md->has_sysinfo = true;
    md->cpu_arch = kdx_le16(p);
    md->cpu_level = kdx_le16(p + 2);
    md->cpu_revision = kdx_le16(p + 4);
    t->sys.num_processors = p[6];
    md->product_type = p[7];
    t->sys.product_type = p[7];
    t->sys.os_major = kdx_le32(p + 8);
    t->sys.os_minor = kdx_le32(p + 12);
    t->sys.build = kdx_le32(p + 16);
    t->sys.platform_id = kdx_le32(p + 20);
    t->sys.suite_mask = kdx_le16(p + 28);
    switch (md->cpu_arch) {
    case PA_INTEL:
    case PA_IA32_ON_WIN64: t->arch = KDX_ARCH_X86; break;
    case PA_AMD64: t->arch = KDX_ARCH_X64; break;
    case PA_ARM64:
    case PA_ARM64_BREAKPAD: t->arch = KDX_ARCH_ARM64; break;
    default: t->arch = KDX_ARCH_UNKNOWN; break;
    }
    t->ptr_size = md->cpu_arch == PA_ARM ? 4 : kdx_arch_ptr_size(t->arch);
    if (t->arch == KDX_ARCH_X86 || t->arch == KDX_ARCH_X64) {
        memcpy(md->cpu_vendor, p + 32, 12);
        md->cpu_vendor[12] = 0;
        for (int i = 0; i < 12; i++)
            if (md->cpu_vendor[i] && (md->cpu_vendor[i] < 0x20 || md->cpu_vendor[i] > 0x7e))
                md->cpu_vendor[i] = '?';
        md->cpu_version_info = kdx_le32(p + 44);
        md->cpu_feature_info = kdx_le32(p + 48);
    }
    uint32_t csd = kdx_le32(p + 24);
    if (csd) {
        char *str;
        st = kdx_md_read_string(md, csd, "system info CSD version string", &str, err);
        if (st != KDX_OK)
            return st;
        free(t->sys.csd_version);
        t->sys.csd_version = str;
    }
    return KDX_OK;
}

/* CodeView record of a module: RSDS (PDB 7) or NB10 (PDB 2). */
#define CV_RSDS 0x53445352u
#define CV_NB10 0x3031424eu

static void parse_codeview(const kdx_minidump *md, kdx_module *m, uint32_t size, uint32_t rva)
{
    const uint8_t *cv = size >= 4 ? kdx_file_at(md->file, rva, size) : NULL;
    if (!cv)
        return;
    uint32_t sig = kdx_le32(cv);
    size_t name_off;
    if (sig == CV_RSDS && size >= 24) {
        memcpy(m->pdb_guid, cv + 4, 16);
        m->pdb_age = kdx_le32(cv + 20);
        m->has_pdb_id = true;
        name_off = 24;
    } else if (sig == CV_NB10 && size >= 16) {
        /* PDB 2.0: a 32-bit signature instead of a GUID, which kdx_module has no field for. */
        m->pdb_age = kdx_le32(cv + 12);
        name_off = 16;
    } else {
        return;
    }
    const char *name = (const char *)cv + name_off;
    m->pdb_name = kdx_strndup(name, strnlen(name, size - name_off));
}

/* The fields MINIDUMP_MODULE and MINIDUMP_UNLOADED_MODULE share: base u64,
 * size, checksum, timestamp, name rva. */
static kdx_status module_from_record(const kdx_minidump *md, const uint8_t *e, const char *what,
                                     kdx_module **out, kdx_err *err)
{
    char *path;
    kdx_status st = kdx_md_read_string(md, kdx_le32(e + 20), what, &path, err);
    if (st != KDX_OK)
        return st;
    const char *image = kdx_basename(path);
    char *name = kdx_module_name_from_image(image, false);
    kdx_module *m = kdx_module_new(name, kdx_le64(e), kdx_le32(e + 8));
    free(name);
    m->image_name = kdx_strdup(image);
    m->image_path = path;
    m->checksum = kdx_le32(e + 12);
    m->timestamp = kdx_le32(e + 16);
    *out = m;
    return KDX_OK;
}

kdx_status kdx_md_parse_modules(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                kdx_err *err)
{
    const uint8_t *p;
    uint32_t n;
    kdx_status st = counted_list(md, s, "module list stream", 108, &p, &n, err);
    if (st != KDX_OK)
        return st;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = p + (size_t)i * 108;
        kdx_module *m;
        st = module_from_record(md, e, "module list entry name", &m, err);
        if (st != KDX_OK)
            return st;
        if (kdx_le32(e + 24) == 0xfeef04bd) { /* VS_FIXEDFILEINFO signature */
            m->file_version_ms = kdx_le32(e + 24 + 8);
            m->file_version_ls = kdx_le32(e + 24 + 12);
        }
        parse_codeview(md, m, kdx_le32(e + 76), kdx_le32(e + 80));
        kdx_target_add_module(t, m);
    }
    return KDX_OK;
}

kdx_status kdx_md_parse_unloaded(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                 kdx_err *err)
{
    const uint8_t *p;
    uint32_t esize, n;
    kdx_status st = sized_list(md, s, "unloaded module list stream", false, 24, &p, &esize, &n,
                               err);
    for (uint32_t i = 0; st == KDX_OK && i < n; i++) {
        const uint8_t *e = p + (size_t)i * esize;
        kdx_module *m;
        st = module_from_record(md, e, "unloaded module name", &m, err);
        if (st != KDX_OK)
            break;
        m->unloaded = true;
        kdx_target_add_module(t, m);
        md->nunloaded++;
    }
    return note(md, s, st, err);
}

kdx_status kdx_md_parse_misc(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "misc info stream", 24, &p, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    kdx_md_misc *m = &md->misc;
    m->present = true;
    /* The structure's own size says which version it is; never read past the stream. */
    m->size = KDX_MIN(kdx_le32(p), s->size);
    m->flags1 = kdx_le32(p + 4);
    m->process_id = kdx_le32(p + 8);
    m->process_create_time = kdx_le32(p + 12);
    m->process_user_time = kdx_le32(p + 16);
    m->process_kernel_time = kdx_le32(p + 20);
    if (m->size >= 44) {
        m->processor_max_mhz = kdx_le32(p + 24);
        m->processor_current_mhz = kdx_le32(p + 28);
        m->processor_mhz_limit = kdx_le32(p + 32);
        m->processor_max_idle_state = kdx_le32(p + 36);
        m->processor_current_idle_state = kdx_le32(p + 40);
    }
    if (m->size >= 232) {
        m->integrity_level = kdx_le32(p + 44);
        m->execute_flags = kdx_le32(p + 48);
        m->protected_process = kdx_le32(p + 52);
        m->time_zone_id = kdx_le32(p + 56);
        m->tz_bias = (int32_t)kdx_le32(p + 60);
        m->tz_standard_name = kdx_utf16le_to_utf8(p + 64, 32);
        m->tz_daylight_name = kdx_utf16le_to_utf8(p + 64 + 64 + 16 + 4, 32);
    }
    if (m->size >= 832) {
        m->build_string = kdx_utf16le_to_utf8(p + 232, 260);
        m->dbg_build_string = kdx_utf16le_to_utf8(p + 232 + 520, 40);
    }
    if (m->size >= 1364)
        m->process_cookie = kdx_le32(p + 1360);
    return KDX_OK;
}

kdx_status kdx_md_parse_exception(kdx_minidump *md, kdx_target *t, const kdx_md_stream *s,
                                  kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "exception stream", 168, &p, err);
    if (st != KDX_OK)
        return st;
    kdx_exception *x = &t->exception;
    bool narrow = t->ptr_size == 4;
    uint64_t mask = narrow ? 0xffffffffull : ~0ull;
    x->present = true;
    x->thread_id = kdx_le32(p);
    x->code = kdx_le32(p + 8);
    x->flags = kdx_le32(p + 12);
    x->record_addr = 0; /* the stream holds the record itself, not its address */
    x->address = kdx_le64(p + 24) & mask;
    x->nparams = KDX_MIN(kdx_le32(p + 32), 15u);
    for (uint32_t i = 0; i < x->nparams; i++)
        x->params[i] = kdx_le64(p + 40 + 8 * i) & mask;
    for (size_t i = 0; i < md->nthreads; i++)
        if (md->threads[i].id == x->thread_id) {
            md->exception_thread = (long)i;
            x->context_index = (unsigned)i;
            break;
        }
    uint32_t csize = kdx_le32(p + 160), crva = kdx_le32(p + 164);
    if (!csize)
        return KDX_OK;
    const uint8_t *c;
    st = kdx_file_need(md->file, crva, csize, "exception CONTEXT record", &c, err);
    if (st != KDX_OK)
        return st;
    kdx_arch a = t->arch != KDX_ARCH_UNKNOWN ? t->arch : kdx_md_arch_of_context_size(csize);
    if (a == KDX_ARCH_UNKNOWN)
        return KDX_OK; /* unsupported CPU: the record is still listed */
    st = kdx_context_parse(a, c, csize, &x->context, err);
    if (st != KDX_OK) {
        kdx_err_prefix(err, "%s: exception CONTEXT at offset 0x%x", md->file->path, crva);
        return st;
    }
    x->has_context = true;
    return KDX_OK;
}

kdx_status kdx_md_parse_thread_names(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    uint32_t n;
    kdx_status st = counted_list(md, s, "thread names stream", 12, &p, &n, err);
    for (uint32_t i = 0; st == KDX_OK && i < n; i++) {
        const uint8_t *e = p + (size_t)i * 12;
        uint32_t tid = kdx_le32(e);
        uint64_t rva = kdx_le64(e + 4);
        if (rva > UINT32_MAX) {
            st = kdx_err_set(err, KDX_E_FORMAT, "%s: thread names entry %u: name offset 0x%llx "
                             "is beyond any minidump", md->file->path, i, (unsigned long long)rva);
            break;
        }
        char *name;
        st = kdx_md_read_string(md, (uint32_t)rva, "thread name", &name, err);
        if (st != KDX_OK)
            break;
        bool used = false;
        for (size_t k = 0; k < md->nthreads && !used; k++)
            if (md->threads[k].id == tid && !md->threads[k].name) {
                md->threads[k].name = name;
                used = true;
            }
        if (!used)
            free(name);
    }
    return note(md, s, st, err);
}

kdx_status kdx_md_parse_thread_info(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    uint32_t esize, n;
    kdx_status st = sized_list(md, s, "thread info list stream", false, 64, &p, &esize, &n, err);
    for (uint32_t i = 0; st == KDX_OK && i < n; i++) {
        const uint8_t *e = p + (size_t)i * esize;
        uint32_t tid = kdx_le32(e);
        for (size_t k = 0; k < md->nthreads; k++) {
            kdx_md_thread *th = &md->threads[k];
            if (th->id != tid || th->has_times)
                continue;
            th->has_times = true;
            th->dump_flags = kdx_le32(e + 4);
            th->dump_error = kdx_le32(e + 8);
            th->exit_status = kdx_le32(e + 12);
            th->create_time = kdx_le64(e + 16);
            th->exit_time = kdx_le64(e + 24);
            th->kernel_time = kdx_le64(e + 32);
            th->user_time = kdx_le64(e + 40);
            th->start_address = kdx_le64(e + 48);
            th->affinity = kdx_le64(e + 56);
            break;
        }
    }
    return note(md, s, st, err);
}

kdx_status kdx_md_parse_handles(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    uint32_t esize, n;
    kdx_status st = sized_list(md, s, "handle data stream", false, 32, &p, &esize, &n, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    /* The header has a 4th reserved field: SizeOfHeader is 16 in practice. */
    md->handles = kdx_xcalloc(n ? n : 1, sizeof *md->handles);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = p + (size_t)i * esize;
        kdx_md_handle *h = &md->handles[md->nhandles];
        h->handle = kdx_le64(e);
        uint32_t type_rva = kdx_le32(e + 8), obj_rva = kdx_le32(e + 12);
        h->attributes = kdx_le32(e + 16);
        h->granted_access = kdx_le32(e + 20);
        h->handle_count = kdx_le32(e + 24);
        h->pointer_count = kdx_le32(e + 28);
        md->nhandles++;
        if (type_rva && (st = kdx_md_read_string(md, type_rva, "handle type name", &h->type_name,
                                                 err)) != KDX_OK)
            break;
        if (obj_rva && (st = kdx_md_read_string(md, obj_rva, "handle object name",
                                                &h->object_name, err)) != KDX_OK)
            break;
    }
    return note(md, s, st, err);
}

kdx_status kdx_md_parse_meminfo(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    uint32_t esize, n;
    kdx_status st = sized_list(md, s, "memory info list stream", true, 48, &p, &esize, &n, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    md->meminfo = kdx_xcalloc(n ? n : 1, sizeof *md->meminfo);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = p + (size_t)i * esize;
        kdx_md_meminfo *mi = &md->meminfo[i];
        mi->base = kdx_le64(e);
        mi->allocation_base = kdx_le64(e + 8);
        mi->allocation_protect = kdx_le32(e + 16);
        mi->region_size = kdx_le64(e + 24);
        mi->state = kdx_le32(e + 32);
        mi->protect = kdx_le32(e + 36);
        mi->type = kdx_le32(e + 40);
    }
    md->nmeminfo = n;
    return KDX_OK;
}

kdx_status kdx_md_parse_comment(kdx_minidump *md, const kdx_md_stream *s, bool wide, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = kdx_md_stream_bytes(md, s, "comment stream", &p, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    uint32_t n = KDX_MIN(s->size, MAX_STRING_BYTES);
    char *text = wide ? kdx_utf16le_to_utf8(p, n / 2)
                      : kdx_strndup((const char *)p, strnlen((const char *)p, n));
    md->comments = kdx_xrealloc(md->comments, (md->ncomments + 1) * sizeof *md->comments);
    md->comments[md->ncomments++] = text;
    return KDX_OK;
}

kdx_status kdx_md_parse_token(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "token stream", 16, &p, err);
    if (st == KDX_OK)
        md->ntokens = kdx_le32(p + 4);
    return note(md, s, st, err);
}

kdx_status kdx_md_parse_breakpad_info(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "Breakpad info stream", 12, &p, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    md->has_breakpad_info = true;
    md->breakpad_validity = kdx_le32(p);
    md->breakpad_dump_tid = kdx_le32(p + 4);
    md->breakpad_requesting_tid = kdx_le32(p + 8);
    return KDX_OK;
}

kdx_status kdx_md_parse_vm_counters(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "process VM counters stream", 80, &p, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    uint16_t revision = kdx_le16(p);
    /* Revision 2 puts PeakVirtualSize and VirtualSize before PrivateUsage. */
    size_t private_off = revision >= 2 ? 88 : 72;
    if (private_off + 8 > s->size)
        return note(md, s, kdx_err_set(err, KDX_E_FORMAT, "%s: process VM counters revision %u at "
                                       "offset 0x%x is 0x%x bytes, too small for its fields",
                                       md->file->path, revision, s->rva, s->size), err);
    md->has_vm = true;
    md->vm_page_faults = kdx_le32(p + 4);
    md->vm_peak_working_set = kdx_le64(p + 8);
    md->vm_working_set = kdx_le64(p + 16);
    md->vm_private = kdx_le64(p + private_off);
    return KDX_OK;
}

kdx_status kdx_md_parse_assertion(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "Breakpad assertion info stream", 776, &p, err);
    if (st != KDX_OK)
        return note(md, s, st, err);
    /* Three UTF-16 fields of 128 code units, then line and type. */
    md->assert_expression = kdx_utf16le_to_utf8(p, 128);
    md->assert_function = kdx_utf16le_to_utf8(p + 256, 128);
    md->assert_file = kdx_utf16le_to_utf8(p + 512, 128);
    md->assert_line = kdx_le32(p + 768);
    md->assert_type = kdx_le32(p + 772);
    return KDX_OK;
}

kdx_status kdx_md_parse_system_memory(kdx_minidump *md, const kdx_md_stream *s, kdx_err *err)
{
    const uint8_t *p;
    kdx_status st = fixed_stream(md, s, "system memory info stream", 56, &p, err);
    /* Revision, Flags, then MINIDUMP_SYSTEM_BASIC_INFORMATION (52 bytes). */
    if (st != KDX_OK)
        return note(md, s, st, err);
    md->has_sysmem = true;
    md->sysmem_page_size = kdx_le32(p + 8);
    md->sysmem_physical_pages = kdx_le32(p + 12);
    md->sysmem_allocation_granularity = kdx_le32(p + 24);
    md->sysmem_max_user_address = kdx_le64(p + 36);
    return KDX_OK;
}
