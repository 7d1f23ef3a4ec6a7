/* Command family: dump headers and system facts: .dumpdebug, vertarget, ||, .time, version. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "dump/minidump.h"
#include "commands/families.h"
#include "dump/kdump.h"
#include "target/memory.h"


/* ---- times ---- */

/* 100 ns units as "0 days 0:00:03.747". */
static void fmt_uptime(char *buf, size_t len, uint64_t t100)
{
    uint64_t ms = t100 / 10000ull, s = ms / 1000;
    snprintf(buf, len, "%" PRIu64 " days %" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64,
             s / 86400, s / 3600 % 24, s / 60 % 60, s % 60, ms % 1000);
}

static void print_times(kdx_session *s, long bias_min)
{
    const kdx_system_info *si = &s->target->sys;
    char b[96];
    if (si->dump_time) {
        if (!kdx_fmt_filetime(b, sizeof b, si->dump_time, bias_min))
            snprintf(b, sizeof b, "0x%" PRIx64 " (not a valid time)", si->dump_time);
        long h = labs(bias_min) / 60, m = labs(bias_min) % 60;
        kdx_print(s, "Debug session time: %s (UTC %c %ld:%02ld)\n", b, bias_min < 0 ? '-' : '+', h, m);
    } else {
        kdx_print(s, "Debug session time: unknown (the dump does not record it)\n");
    }
    if (si->system_uptime) {
        fmt_uptime(b, sizeof b, si->system_uptime);
        kdx_print(s, "System Uptime: %s\n", b);
    } else {
        kdx_print(s, "System Uptime: not available\n");
    }
    if (s->target->kind == KDX_TARGET_USER_DUMP && si->process_create_time && si->dump_time &&
        si->dump_time >= si->process_create_time) {
        fmt_uptime(b, sizeof b, si->dump_time - si->process_create_time);
        kdx_print(s, "Process Uptime: %s\n", b);
        uint64_t kernel_time, user_time;
        if (kdx_minidump_process_times(s->target, &kernel_time, &user_time)) {
            fmt_uptime(b, sizeof b, kernel_time);
            kdx_print(s, "  Kernel time: %s\n", b);
            fmt_uptime(b, sizeof b, user_time);
            kdx_print(s, "  User time: %s\n", b);
        }
    }
}

/* .time [-h N]: session time, with the bias -h gives in hours (default UTC). */
static int cmd_time(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    long bias = 0;
    args = kdx_skip_ws(args);
    if (*args) {
        if (strncmp(args, "-h", 2) != 0)
            return kdx_cmd_syntax_error(s, cmd, args);
        char *end;
        const char *p = kdx_skip_ws(args + 2);
        bias = strtol(p, &end, 10);
        if (end == p || *kdx_skip_ws(end) || labs(bias) > 24)
            return kdx_cmd_syntax_error(s, cmd, p);
    }
    print_times(s, bias * 60);
    return 0;
}

/* ---- vertarget ---- */

/* WinDbg names the release by its client name whatever the product type:
 * "Windows 10 Version 17763 ..." then "Product: Server, ..." for Server 2019,
 * "Windows 8 Version 9200" for Server 2012 (public vertarget/version
 * transcripts); the product line tells a server apart. */
static const char *windows_name(uint32_t major, uint32_t minor, uint32_t product)
{
    bool server = product == 2 || product == 3;
    if (major == 10)
        return "Windows 10";
    if (major == 6 && minor == 3)
        return "Windows 8.1";
    if (major == 6 && minor == 2)
        return "Windows 8";
    if (major == 6 && minor == 1)
        return "Windows 7";
    if (major == 6 && minor == 0)
        return server ? "Windows Server 2008" : "Windows Vista";
    if (major == 5 && minor == 2)
        return "Windows Server 2003";
    if (major == 5 && minor == 1)
        return "Windows XP";
    return "Windows";
}

static const char *product_name(uint32_t p)
{
    switch (p) {
    case 1: return "WinNt";
    case 2: return "LanManNt";
    case 3: return "Server";
    default: return "unknown";
    }
}

static void print_suite(kdx_session *s, uint32_t mask)
{
    static const char *const names[] = {
        "SmallBusiness", "Enterprise", "BackOffice", "CommunicationServer",
        "TerminalServer", "SmallBusinessRestricted", "EmbeddedNT", "DataCenter",
        "SingleUserTS", "Personal", "Blade", "EmbeddedRestricted",
        "SecurityAppliance", "StorageServer", "ComputeServer", "WHServer"};
    bool any = false;
    for (unsigned i = 0; i < KDX_ARRAY_LEN(names); i++)
        if (mask & (1u << i)) {
            kdx_print(s, "%s%s", any ? " " : "", names[i]);
            any = true;
        }
}

static void print_version_lines(kdx_session *s)
{
    kdx_target *t = s->target;
    const kdx_system_info *si = &t->sys;
    const kdx_kdump *d = kdx_kdump_of(t);
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    const char *kind = t->kind == KDX_TARGET_KERNEL_DUMP ? "Kernel" : "";
    kdx_print(s, "%s %s%sVersion %u", windows_name(si->os_major, si->os_minor, si->product_type), kind,
              *kind ? " " : "", si->build);
    if (si->csd_version && *si->csd_version)
        kdx_print(s, " (%s)", si->csd_version);
    kdx_print(s, " %s (%u procs)", si->num_processors > 1 ? "MP" : "UP", si->num_processors);
    kdx_print(s, " %s", d && d->hdr.major_version == 0xc ? "Checked" : "Free");
    /* "Free x86 compatible" for 32-bit x86 targets, as WinDbg prints it. */
    kdx_print(s, " %s%s\n", kdx_arch_name(t->arch), t->arch == KDX_ARCH_X86 ? " compatible" : "");
    kdx_print(s, "Product: %s, suite:", product_name(si->product_type));
    if (si->suite_mask)
        kdx_print(s, " ");
    print_suite(s, si->suite_mask);
    kdx_print(s, "\n");
    if (si->build_lab)
        kdx_print(s, "Edition build lab: %s\n", si->build_lab);
    kdx_print(s, "Machine Name:\n");
    if (t->kind == KDX_TARGET_KERNEL_DUMP && t->kernel.kernel_base)
        kdx_print(s, "Kernel base = 0x%s PsLoadedModuleList = 0x%s\n",
                  kdx_fmt_ptr(a, t->kernel.kernel_base, t->ptr_size),
                  kdx_fmt_ptr(b, t->kernel.ps_loaded_module_list, t->ptr_size));
    else if (t->kind == KDX_TARGET_KERNEL_DUMP)
        kdx_print(s, "Kernel base = unknown (KdDebuggerDataBlock and the module list are not readable "
                     "in this dump) PsLoadedModuleList = 0x%s\n",
                  kdx_fmt_ptr(b, t->kernel.ps_loaded_module_list, t->ptr_size));
    print_times(s, 0);
}

static int cmd_vertarget(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    const kdx_kdump *d = kdx_kdump_of(s->target);
    if (d && d->truncated)
        kdx_print(s, "WARNING: Dump file has been truncated.  Data may be missing.\n");
    print_version_lines(s);
    return 0;
}

static int cmd_version(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (s->target) {
        print_version_lines(s);
        kdx_print(s, "\n");
    }
    kdx_print(s, "kdx %s: Windows crash-dump debugger for Linux\n", KDX_VERSION_STRING);
    if (s->target)
        kdx_print(s, "%s: %s\n", s->target->ops ? s->target->ops->format_name : "Target",
                  s->target->path);
    return 0;
}

/* || : the one system of the session. */
static int cmd_systems(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_target *t = s->target;
    kdx_print(s, ".  0 %d-bit %s: %s\n", t->ptr_size * 8, t->ops ? t->ops->format_name : "target",
              t->path);
    return 0;
}

/* ---- .dumpdebug ---- */

static void field32(kdx_session *s, const char *name, uint32_t v)
{
    kdx_print(s, "%-21s %08x\n", name, v);
}

static void field64(kdx_session *s, const char *name, uint64_t v)
{
    char a[KDX_ADDR_BUF];
    kdx_print(s, "%-21s %s\n", name, kdx_fmt_u64(a, v));
}

static void fieldp(kdx_session *s, const kdx_kdump *d, const char *name, uint64_t v)
{
    if (d->hdr.is64)
        field64(s, name, v);
    else
        field32(s, name, (uint32_t)v);
}

static const char *analysis_kind(const kdx_kdump *d)
{
    switch (d->hdr.dump_type) {
    case KDX_DUMP_TYPE_FULL: return "Kernel Full Dump Analysis";
    case KDX_DUMP_TYPE_TRIAGE: return "Kernel Mini Dump Analysis";
    case KDX_DUMP_TYPE_SUMMARY: return "Kernel Summary Dump Analysis";
    case KDX_DUMP_TYPE_BITMAP_FULL:
    case KDX_DUMP_TYPE_BITMAP_KERNEL:
        /* "FDMP": a complete dump in bitmap form; "SDMP": kernel (summary) memory. */
        return d->bmp.signature == 0x504d4446u ? "Kernel Full Dump Analysis"
                                               : "Kernel Summary Dump Analysis";
    default: return "Kernel Dump Analysis";
    }
}

static void print_header(kdx_session *s, const kdx_kdump *d)
{
    const kdx_kdump_header *h = &d->hdr;
    kdx_print(s, "%s:\n", h->is64 ? "DUMP_HEADER64" : "DUMP_HEADER32");
    field32(s, "MajorVersion", h->major_version);
    field32(s, "MinorVersion", h->minor_version);
    field32(s, "KdSecondaryVersion", h->kd_secondary_version);
    fieldp(s, d, "DirectoryTableBase", h->directory_table_base);
    fieldp(s, d, "PfnDataBase", h->pfn_database);
    fieldp(s, d, "PsLoadedModuleList", h->ps_loaded_module_list);
    fieldp(s, d, "PsActiveProcessHead", h->ps_active_process_head);
    field32(s, "MachineImageType", h->machine_image_type);
    field32(s, "NumberProcessors", h->number_processors);
    field32(s, "BugCheckCode", h->bugcheck_code);
    for (int i = 0; i < 4; i++) {
        char n[32];
        snprintf(n, sizeof n, "BugCheckParameter%d", i + 1);
        fieldp(s, d, n, h->bugcheck_params[i]);
    }
    if (!h->is64)
        field32(s, "PaeEnabled", h->pae_enabled);
    fieldp(s, d, "KdDebuggerDataBlock", h->kd_debugger_data_block);
    field32(s, "DumpType", h->dump_type);
    field64(s, "RequiredDumpSpace", h->required_dump_space);
    field64(s, "SystemTime", h->system_time);
    field64(s, "SystemUpTime", h->system_uptime);
    field32(s, "MiniDumpFields", h->minidump_fields);
    field32(s, "SecondaryDataState", h->secondary_data_state);
    field32(s, "ProductType", h->product_type);
    field32(s, "SuiteMask", h->suite_mask);
    field32(s, "WriterStatus", h->writer_status);
    field32(s, "Attributes", h->attributes);
    field32(s, "BootId", h->boot_id);
    if (h->version_user[0])
        kdx_print(s, "%-21s %s\n", "VersionUser", h->version_user);
    if (h->comment[0])
        kdx_print(s, "%-21s %s\n", "Comment", h->comment);
}

static void print_runs(kdx_session *s, const kdx_kdump *d)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF], c[KDX_ADDR_BUF];
    kdx_print(s, "\nPhysical Memory Description:\n");
    kdx_print(s, "Number of runs: %u (limited to %u)\n", d->hdr.number_of_runs, d->hdr.is64 ? 42 : 86);
    kdx_print(s, "          FileOffset           Start Address           Length\n");
    uint64_t last = 0, last_off = 0;
    for (size_t i = 0; i < d->nruns; i++) {
        const kdx_kdump_run *r = &d->runs[i];
        kdx_print(s, "    %s     %s     %s\n", kdx_fmt_u64(a, r->file_off),
                  kdx_fmt_u64(b, r->base_page * 4096), kdx_fmt_u64(c, r->page_count * 4096));
        if (r->page_count && r->file_off + r->page_count * 4096 > last_off) {
            last_off = r->file_off + r->page_count * 4096;
            last = (r->base_page + r->page_count) * 4096;
        }
    }
    if (d->nruns)
        kdx_print(s, "Last Page: %s     %s\n", kdx_fmt_u64(a, last_off - 4096), kdx_fmt_u64(b, last - 4096));
}

static void print_bitmap(kdx_session *s, const kdx_kdump *d)
{
    const kdx_kdump_bitmap *m = &d->bmp;
    kdx_print(s, "\n%s:\n", d->hdr.is64 ? "SUMMARY_DUMP64" : "SUMMARY_DUMP32");
    if (m->summary) {
        field32(s, "DumpOptions", m->dump_options);
        field32(s, "HeaderSize", m->header_size);
        field32(s, "BitmapSize", m->bitmap_size);
        field32(s, "Pages", (uint32_t)m->total_present_pages);
        return;
    }
    kdx_print(s, "%-21s %.4s\n", "Signature", (const char *)&(const char[4]){(char)m->signature,
              (char)(m->signature >> 8), (char)(m->signature >> 16), (char)(m->signature >> 24)});
    field64(s, "FirstPage", m->first_page);
    field64(s, "TotalPresentPages", m->total_present_pages);
    field64(s, "Pages", m->pages);
    field64(s, "BitmapOffset", m->bitmap_off);
}

static void print_triage(kdx_session *s, const kdx_kdump *d)
{
    const kdx_kdump_triage *t = &d->tri;
    kdx_print(s, "\n%s:\n", d->hdr.is64 ? "TRIAGE_DUMP64" : "TRIAGE_DUMP32");
    field32(s, "ServicePackBuild", t->service_pack_build);
    field32(s, "SizeOfDump", t->size_of_dump);
    field32(s, "ValidOffset", t->valid_offset);
    field32(s, "ContextOffset", t->context_offset);
    field32(s, "ExceptionOffset", t->exception_offset);
    field32(s, "MmOffset", t->mm_offset);
    field32(s, "UnloadedDriversOffset", t->unloaded_drivers_offset);
    field32(s, "PrcbOffset", t->prcb_offset);
    field32(s, "ProcessOffset", t->process_offset);
    field32(s, "ThreadOffset", t->thread_offset);
    field32(s, "CallStackOffset", t->call_stack_offset);
    field32(s, "SizeOfCallStack", t->size_of_call_stack);
    field32(s, "DriverListOffset", t->driver_list_offset);
    field32(s, "DriverCount", t->driver_count);
    field32(s, "StringPoolOffset", t->string_pool_offset);
    field32(s, "StringPoolSize", t->string_pool_size);
    field32(s, "BrokenDriverOffset", t->broken_driver_offset);
    field32(s, "TriageOptions", t->triage_options);
    fieldp(s, d, "TopOfStack", t->top_of_stack);
    if (d->hdr.is64) {
        field32(s, "BStoreOffset", t->bstore_offset);
        field32(s, "SizeOfBStore", t->size_of_bstore);
        field64(s, "LimitOfBStore", t->limit_of_bstore);
    }
    fieldp(s, d, "DataPageAddress", t->data_page_address);
    field32(s, "DataPageOffset", t->data_page_offset);
    field32(s, "DataPageSize", t->data_page_size);
    field32(s, "DebuggerDataOffset", t->debugger_data_offset);
    field32(s, "DebuggerDataSize", t->debugger_data_size);
    field32(s, "DataBlocksOffset", t->data_blocks_offset);
    field32(s, "DataBlocksCount", t->data_blocks_count);
    kdx_print(s, "\nTriage data blocks mapped: %zu virtual ranges\n", d->nvranges);
}

static void print_processors(kdx_session *s, const kdx_kdump *d)
{
    uint64_t kpb = kdx_kdbg_ptr(&d->kdbg, KDX_KDBG_KI_PROCESSOR_BLOCK);
    if (!kpb)
        return;
    char a[KDX_ADDR_BUF];
    kdx_target *t = s->target;
    kdx_print(s, "\nKiProcessorBlock at %s\n", kdx_fmt_ptr(a, kpb, t->ptr_size));
    kdx_print(s, "%8u KiProcessorBlock entries:\n", d->hdr.number_processors);
    for (unsigned i = 0; i < d->hdr.number_processors; i++) {
        uint64_t v;
        const char *text = kdx_read_ptr(t, kpb + (uint64_t)t->ptr_size * i, &v, NULL) == KDX_OK
                               ? kdx_fmt_ptr(a, v, t->ptr_size)
                               : t->ptr_size == 8 ? "????????`????????" : "????????";
        bool eol = i % 4 == 3 || i + 1 == d->hdr.number_processors;
        kdx_print(s, "%s%s%s", i % 4 == 0 ? "    " : "", text, eol ? "\n" : " ");
    }
}

static int cmd_dumpdebug(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    if (!kdx_cmd_need_target(s))
        return 1;
    const kdx_kdump *d = kdx_kdump_of(s->target);
    if (!d && s->target->kind == KDX_TARGET_USER_DUMP) {
        /* A minidump's "header" is its stream directory: show it without echoing a second command. */
        bool echo = s->echo_commands;
        s->echo_commands = false;
        int rc = kdx_execute(s, "!mdstreams");
        s->echo_commands = echo;
        return rc;
    }
    if (!d) {
        kdx_print(s, ".dumpdebug shows kernel dump headers; this target is a %s.\n",
                  s->target->ops ? s->target->ops->format_name : "not a kernel dump");
        return 1;
    }
    kdx_print(s, "----- %d bit %s\n", d->hdr.is64 ? 64 : 32, analysis_kind(d));
    if (d->truncated) {
        char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
        kdx_print(s, "WARNING: Dump file has been truncated: the file has %s bytes, the header "
                     "describes %s.\n",
                  kdx_fmt_u64(a, d->file->size), kdx_fmt_u64(b, d->expected_size));
    }
    kdx_print(s, "\n");
    print_header(s, d);
    if (d->hdr.dump_type == KDX_DUMP_TYPE_FULL)
        print_runs(s, d);
    if (d->has_bitmap)
        print_bitmap(s, d);
    if (d->is_triage)
        print_triage(s, d);
    print_processors(s, d);
    return 0;
}

const kdx_command kdx_cmds_dump[] = {
    {".dumpdebug", cmd_dumpdebug, "show the kernel dump's header, memory runs and triage blocks", 0},
    {"vertarget", cmd_vertarget, "OS version, processors, kernel base, session time and uptime", 0},
    {"version", cmd_version, "target version and the debugger's own version", 0},
    {"||", cmd_systems, "the system (dump file) being debugged", 0},
    {".time", cmd_time, "debug session time and system uptime; -h N shifts by N hours", 0},
    {0}};
