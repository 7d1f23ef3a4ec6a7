/* Views of what only a minidump holds, for the user-mode command family:
 * the stream directory (!mdstreams), handles (!handle), thread times
 * (!runaway) and memory regions (!address). Registered in cmd_user.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/cmd_user.h"
#include "commands/command.h"
#include "commands/families.h"
#include "dump/minidump.h"
#include "expr/expr.h"

/* ---- !handle : the handle data stream ---------------------------------- */

static void print_handle(kdx_session *s, const kdx_md_handle *h, bool full)
{
    kdx_print(s, "Handle %" PRIx64 "\n", h->handle);
    kdx_print(s, "  Type         \t%s\n", h->type_name && *h->type_name ? h->type_name : "<none>");
    if (!full)
        return;
    kdx_print(s, "  Attributes   \t0x%x\n", h->attributes);
    kdx_print(s, "  GrantedAccess\t0x%x\n", h->granted_access);
    kdx_print(s, "  HandleCount  \t%u\n", h->handle_count);
    kdx_print(s, "  PointerCount \t%u\n", h->pointer_count);
    kdx_print(s, "  Name         \t%s\n", h->object_name && *h->object_name ? h->object_name : "<none>");
}

int kdx_cmd_handle(kdx_session *s, const char *cmd, const char *args)
{
    if (s->target && s->target->kind == KDX_TARGET_KERNEL_DUMP)
        return kdx_cmd_kernel_handle(s, cmd, args); /* the kernel's handle tables (cmd_nthandle.c) */
    if (!kdx_user_need_target(s, cmd))
        return 1;
    const kdx_minidump *md = kdx_minidump_of(s->target);
    if (!md || !md->handles) {
        kdx_print(s, "The dump holds no handle data (it was written without "
                     "MiniDumpWithHandleData).\n");
        return 1;
    }
    uint64_t want = 0, flags = 0;
    kdx_err err;
    const char *end = args;
    if (*args && kdx_expr_eval(s, args, &want, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    end = kdx_skip_ws(end);
    if (*end && kdx_expr_eval_all(s, end, &flags, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    bool full = (flags & ~1ull) != 0;
    if (want) {
        for (size_t i = 0; i < md->nhandles; i++)
            if (md->handles[i].handle == want) {
                print_handle(s, &md->handles[i], full);
                return 0;
            }
        kdx_print(s, "Handle %" PRIx64 " is not in the dump's handle data\n", want);
        return 1;
    }
    /* Every handle, then a count per type in first-seen order. */
    KDX_VEC(const char *) types = {0};
    KDX_VEC(unsigned) counts = {0};
    for (size_t i = 0; i < md->nhandles; i++) {
        const kdx_md_handle *h = &md->handles[i];
        print_handle(s, h, full);
        const char *ty = h->type_name && *h->type_name ? h->type_name : "None";
        size_t k = 0;
        while (k < types.len && strcmp(types.items[k], ty) != 0)
            k++;
        if (k == types.len) {
            KDX_VEC_PUSH(types, ty);
            KDX_VEC_PUSH(counts, 0u);
        }
        counts.items[k]++;
    }
    kdx_print(s, "%zu Handles\nType           \tCount\n", md->nhandles);
    for (size_t k = 0; k < types.len; k++)
        kdx_print(s, "%-15s\t%u\n", types.items[k], counts.items[k]);
    KDX_VEC_FREE(types);
    KDX_VEC_FREE(counts);
    return 0;
}

/* ---- !runaway : thread times ------------------------------------------- */

/* 100 ns units as "0 days 0:00:05.000". */
static void fmt_span(char *buf, size_t len, uint64_t t100ns)
{
    uint64_t ms = t100ns / 10000ull;
    uint64_t sec = ms / 1000;
    snprintf(buf, len, "%" PRIu64 " days %" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64,
             sec / 86400, (sec / 3600) % 24, (sec / 60) % 60, sec % 60, ms % 1000);
}

static uint64_t thread_time(const kdx_minidump *md, size_t i, int which, uint64_t dump_time)
{
    const kdx_md_thread *th = &md->threads[i];
    if (which == 0)
        return th->user_time;
    if (which == 1)
        return th->kernel_time;
    uint64_t end = th->exit_time ? th->exit_time : dump_time;
    return th->create_time && end > th->create_time ? end - th->create_time : 0;
}

/* FILETIME as "Thu Oct 13 22:16:52.123 2016 (UTC)"; raw hex before 1970. */
static void fmt_filetime_utc(char *buf, size_t len, uint64_t ft)
{
    char d[64];
    if (kdx_filetime_to_unix(ft) < 0 || !kdx_fmt_filetime(d, sizeof d, ft, 0))
        snprintf(buf, len, "0x%" PRIx64, ft);
    else
        snprintf(buf, len, "%s (UTC)", d);
}

int kdx_cmd_ttime(kdx_session *s, const char *cmd, const char *args)
{
    (void)args;
    if (!kdx_user_need_target(s, cmd))
        return 1;
    const kdx_minidump *md = kdx_minidump_of(s->target);
    if (!md || s->cur_context >= md->nthreads || !md->threads[s->cur_context].has_times) {
        kdx_print(s, "The dump holds no times for this thread (no ThreadInfoListStream entry).\n");
        return 1;
    }
    const kdx_md_thread *th = &md->threads[s->cur_context];
    char a[96];
    fmt_filetime_utc(a, sizeof a, th->create_time);
    kdx_print(s, "Created: %s\n", a);
    if (th->exit_time) {
        fmt_filetime_utc(a, sizeof a, th->exit_time);
        kdx_print(s, "Exited:  %s\n", a);
    }
    fmt_span(a, sizeof a, th->kernel_time);
    kdx_print(s, "Kernel:  %s\n", a);
    fmt_span(a, sizeof a, th->user_time);
    kdx_print(s, "User:    %s\n", a);
    return 0;
}

int kdx_cmd_runaway(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    const kdx_minidump *md = kdx_minidump_of(s->target);
    bool have = false;
    for (size_t i = 0; md && i < md->nthreads; i++)
        have |= md->threads[i].has_times;
    if (!have) {
        kdx_print(s, "The dump holds no thread times (no ThreadInfoListStream: it was written "
                     "without MiniDumpWithThreadInfo).\n");
        return 1;
    }
    uint64_t flags = 1;
    kdx_err err;
    if (*args && kdx_expr_eval_all(s, args, &flags, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    static const char *const titles[] = {" User Mode Time", " Kernel Mode Time", " Elapsed Time"};
    size_t *order = kdx_xcalloc(md->nthreads, sizeof *order);
    for (int which = 0; which < 3; which++) {
        if (!(flags & (1u << which)))
            continue;
        kdx_print(s, "%s\n  Thread       Time\n", titles[which]);
        /* Longest first, as WinDbg sorts them. */
        for (size_t i = 0; i < md->nthreads; i++)
            order[i] = i;
        for (size_t i = 1; i < md->nthreads; i++)
            for (size_t j = i; j > 0 && thread_time(md, order[j], which, s->target->sys.dump_time) >
                                            thread_time(md, order[j - 1], which,
                                                        s->target->sys.dump_time);
                 j--) {
                size_t tmp = order[j];
                order[j] = order[j - 1];
                order[j - 1] = tmp;
            }
        for (size_t k = 0; k < md->nthreads; k++) {
            char id[32], span[64];
            snprintf(id, sizeof id, "%zu:%x", order[k], md->threads[order[k]].id);
            fmt_span(span, sizeof span,
                     thread_time(md, order[k], which, s->target->sys.dump_time));
            /* The time starts under "Time" (column 15), as in WinDbg's table. */
            kdx_print(s, "   %s%*s%s\n", id, (int)KDX_MAX(1, 12 - (int)strlen(id)), "", span);
        }
    }
    free(order);
    return 0;
}

/* ---- !address : the memory info list ---------------------------------- */

static const char *mem_state_name(uint32_t v)
{
    switch (v) {
    case 0x1000: return "MEM_COMMIT";
    case 0x2000: return "MEM_RESERVE";
    case 0x10000: return "MEM_FREE";
    default: return "";
    }
}

static const char *mem_type_name(uint32_t v)
{
    switch (v) {
    case 0x20000: return "MEM_PRIVATE";
    case 0x40000: return "MEM_MAPPED";
    case 0x1000000: return "MEM_IMAGE";
    default: return "";
    }
}

/* PAGE_* protection with its modifier flags, "PAGE_READWRITE | PAGE_GUARD". */
static void mem_protect_name(uint32_t v, char *buf, size_t len)
{
    static const struct { uint32_t bit; const char *name; } base[] = {
        {0x01, "PAGE_NOACCESS"}, {0x02, "PAGE_READONLY"}, {0x04, "PAGE_READWRITE"},
        {0x08, "PAGE_WRITECOPY"}, {0x10, "PAGE_EXECUTE"}, {0x20, "PAGE_EXECUTE_READ"},
        {0x40, "PAGE_EXECUTE_READWRITE"}, {0x80, "PAGE_EXECUTE_WRITECOPY"}};
    static const struct { uint32_t bit; const char *name; } mods[] = {
        {0x100, "PAGE_GUARD"}, {0x200, "PAGE_NOCACHE"}, {0x400, "PAGE_WRITECOMBINE"}};
    buf[0] = 0;
    for (size_t i = 0; i < KDX_ARRAY_LEN(base); i++)
        if ((v & 0xff) == base[i].bit)
            snprintf(buf, len, "%s", base[i].name);
    for (size_t i = 0; i < KDX_ARRAY_LEN(mods); i++)
        if (v & mods[i].bit) {
            size_t n = strlen(buf);
            snprintf(buf + n, len - n, "%s%s", n ? " | " : "", mods[i].name);
        }
}

/* What a region holds, from what the dump knows: a module image or a thread's stack. */
static void region_usage(kdx_session *s, const kdx_md_meminfo *mi, char *buf, size_t len)
{
    kdx_target *t = s->target;
    if (mi->state == 0x10000) {
        snprintf(buf, len, "Free");
        return;
    }
    const kdx_module *m = kdx_target_module_at(t, mi->base);
    if (m && mi->type == 0x1000000) {
        snprintf(buf, len, "Image [%s; \"%s\"]", m->name,
                 m->image_path ? m->image_path : m->image_name ? m->image_name : "");
        return;
    }
    for (unsigned i = 0; i < t->ncontexts; i++) {
        kdx_thread_info ti;
        kdx_err err;
        if (t->ops->get_thread_info(t->impl, i, &ti, &err) != KDX_OK)
            continue;
        if (ti.teb >= mi->base && ti.teb - mi->base < mi->region_size) {
            snprintf(buf, len, "TEB [~%u; %x.%x]", i, t->sys.process_id, ti.id);
            return;
        }
        uint64_t lo = ti.stack_limit, hi = ti.stack_base;
        if (hi > lo && mi->base < hi && mi->base + mi->region_size > lo) {
            snprintf(buf, len, "Stack [~%u; %x.%x]", i, t->sys.process_id, ti.id);
            return;
        }
    }
    snprintf(buf, len, "<unknown>");
}

static void fmt_region_size(char *buf, size_t len, uint64_t size)
{
    if (size < (1ull << 20))
        snprintf(buf, len, "%7.3f kB", (double)size / 1024);
    else if (size < (1ull << 30))
        snprintf(buf, len, "%7.3f MB", (double)size / (1 << 20));
    else
        snprintf(buf, len, "%7.3f GB", (double)size / (1 << 30));
}

static void print_region(kdx_session *s, const kdx_md_meminfo *mi)
{
    char a[KDX_ADDR_BUF], usage[320], prot[96], sz[32];
    region_usage(s, mi, usage, sizeof usage);
    kdx_print(s, "Usage:                  %s\n", usage);
    kdx_print(s, "Base Address:           %s\n", kdx_session_fmt_ptr(s, a, mi->base));
    kdx_print(s, "End Address:            %s\n", kdx_session_fmt_ptr(s, a, mi->base + mi->region_size));
    fmt_region_size(sz, sizeof sz, mi->region_size);
    kdx_print(s, "Region Size:            %s (%s)\n", kdx_session_fmt_ptr(s, a, mi->region_size), sz);
    kdx_print(s, "State:                  %08x          %s\n", mi->state, mem_state_name(mi->state));
    if (mi->state != 0x10000) {
        mem_protect_name(mi->protect, prot, sizeof prot);
        kdx_print(s, "Protect:                %08x          %s\n", mi->protect, prot);
        kdx_print(s, "Type:                   %08x          %s\n", mi->type, mem_type_name(mi->type));
        kdx_print(s, "Allocation Base:        %s\n", kdx_session_fmt_ptr(s, a, mi->allocation_base));
        mem_protect_name(mi->allocation_protect, prot, sizeof prot);
        kdx_print(s, "Allocation Protect:     %08x          %s\n", mi->allocation_protect, prot);
    }
}

/* One row per distinct key: region count and total size. */
typedef struct summary_row {
    char key[64];
    size_t count;
    uint64_t size;
} summary_row;

typedef KDX_VEC(summary_row) summary_vec;

static void summary_add(summary_vec *rows, const char *key, uint64_t size)
{
    for (size_t i = 0; i < rows->len; i++)
        if (!strcmp(rows->items[i].key, key)) {
            rows->items[i].count++;
            rows->items[i].size += size;
            return;
        }
    summary_row r = {.count = 1, .size = size};
    snprintf(r.key, sizeof r.key, "%s", key);
    KDX_VEC_PUSH(*rows, r);
}

static void summary_print(kdx_session *s, const char *title, const summary_row *rows, size_t n,
                          uint64_t busy, uint64_t total)
{
    kdx_print(s, "--- %-28s RgnCount ----------- Total Size -------- %%ofBusy %%ofTotal\n", title);
    for (size_t i = 0; i < n; i++) {
        char a[KDX_ADDR_BUF], sz[32];
        fmt_region_size(sz, sizeof sz, rows[i].size);
        bool free_row = !strcmp(rows[i].key, "Free") || !strcmp(rows[i].key, "MEM_FREE");
        kdx_print(s, "%-33s %8zu %17s (%s) ", rows[i].key, rows[i].count,
                  kdx_fmt_u64(a, rows[i].size), sz);
        if (free_row || !busy)
            kdx_print(s, "%7s ", "");
        else
            kdx_print(s, "%6.2f%% ", 100.0 * (double)rows[i].size / (double)busy);
        kdx_print(s, "%7.2f%%\n", total ? 100.0 * (double)rows[i].size / (double)total : 0.0);
    }
    kdx_print(s, "\n");
}

/* !address -summary: regions and sizes by usage, type and state. */
static void print_address_summary(kdx_session *s, const kdx_minidump *md)
{
    summary_vec usage = {0}, type = {0}, state = {0};
    uint64_t busy = 0, total = 0;
    for (size_t i = 0; i < md->nmeminfo; i++) {
        const kdx_md_meminfo *mi = &md->meminfo[i];
        char u[320];
        region_usage(s, mi, u, sizeof u);
        char *bracket = strchr(u, ' '); /* "Image [...]" -> "Image" */
        if (bracket && u[0] != '<')
            *bracket = 0;
        summary_add(&usage, u, mi->region_size);
        if (mi->state != 0x10000) {
            summary_add(&type, *mem_type_name(mi->type) ? mem_type_name(mi->type) : "<none>",
                        mi->region_size);
            busy += mi->region_size;
        }
        summary_add(&state, *mem_state_name(mi->state) ? mem_state_name(mi->state) : "<none>",
                    mi->region_size);
        total += mi->region_size;
    }
    summary_print(s, "Usage Summary -------------", usage.items, usage.len, busy, total);
    summary_print(s, "Type Summary (for busy) ---", type.items, type.len, busy, total);
    summary_print(s, "State Summary -------------", state.items, state.len, busy, total);
    KDX_VEC_FREE(usage);
    KDX_VEC_FREE(type);
    KDX_VEC_FREE(state);
}

int kdx_cmd_address(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    const kdx_minidump *md = kdx_minidump_of(s->target);
    if (!md || !md->meminfo) {
        kdx_print(s, "The dump holds no memory region list (no MemoryInfoListStream: it was "
                     "written without MiniDumpWithFullMemoryInfo).\n");
        return 1;
    }
    if (!strcmp(args, "-summary")) {
        print_address_summary(s, md);
        return 0;
    }
    if (*args) {
        uint64_t va;
        kdx_err err;
        if (kdx_expr_eval_all(s, args, &va, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        for (size_t i = 0; i < md->nmeminfo; i++) {
            const kdx_md_meminfo *mi = &md->meminfo[i];
            if (va >= mi->base && va - mi->base < mi->region_size) {
                print_region(s, mi);
                return 0;
            }
        }
        char a[KDX_ADDR_BUF];
        kdx_print(s, "%s is not in any region of the dump's memory region list\n",
                  kdx_session_fmt_ptr(s, a, va));
        return 1;
    }
    kdx_print(s, "%-17s %-17s %-17s %-12s %-12s %-24s %s\n", "BaseAddress", "EndAddress+1",
              "RegionSize", "Type", "State", "Protect", "Usage");
    for (size_t i = 0; i < md->nmeminfo; i++) {
        const kdx_md_meminfo *mi = &md->meminfo[i];
        char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF], c[KDX_ADDR_BUF], prot[96], usage[320];
        mem_protect_name(mi->protect, prot, sizeof prot);
        region_usage(s, mi, usage, sizeof usage);
        kdx_print(s, "%-17s %-17s %-17s %-12s %-12s %-24s %s\n", kdx_session_fmt_ptr(s, a, mi->base),
                  kdx_session_fmt_ptr(s, b, mi->base + mi->region_size),
                  kdx_session_fmt_ptr(s, c, mi->region_size), mem_type_name(mi->type),
                  mem_state_name(mi->state), mi->state == 0x10000 ? "" : prot, usage);
    }
    return 0;
}

/* ---- !mdstreams : the stream directory ---------------------------------- */

static void fmt_time_t(char *buf, size_t len, uint32_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%a %b %e %H:%M:%S %Y (UTC)", &tm))
        snprintf(buf, len, "0x%x", t);
}

static void stream_summary(kdx_session *s, const kdx_minidump *md, const kdx_md_stream *st)
{
    kdx_target *t = s->target;
    switch (st->type) {
    case KDX_MD_THREAD_LIST:
    case KDX_MD_THREAD_EX_LIST: kdx_print(s, "%zu threads", md->nthreads); break;
    case KDX_MD_MODULE_LIST: kdx_print(s, "%zu modules", t->nmodules - md->nunloaded); break;
    case KDX_MD_UNLOADED_MODULES: kdx_print(s, "%zu unloaded modules", md->nunloaded); break;
    case KDX_MD_MEMORY_LIST:
        if (st->size >= 4 && kdx_file_at(md->file, st->rva, 4))
            kdx_print(s, "%u ranges", kdx_le32(kdx_file_at(md->file, st->rva, 4)));
        break;
    case KDX_MD_MEMORY64_LIST: kdx_print(s, "full memory"); break;
    case KDX_MD_EXCEPTION:
        kdx_print(s, "code %08x, thread %x", t->exception.code, t->exception.thread_id);
        break;
    case KDX_MD_SYSTEM_INFO:
        kdx_print(s, "%s, Windows %u.%u.%u", kdx_arch_name(t->arch), t->sys.os_major,
                  t->sys.os_minor, t->sys.build);
        break;
    case KDX_MD_MISC_INFO:
        kdx_print(s, "version %s, flags 0x%x",
                  md->misc.size >= 1364 ? "5" : md->misc.size >= 832 ? "4"
                  : md->misc.size >= 232 ? "3" : md->misc.size >= 44 ? "2" : "1",
                  md->misc.flags1);
        break;
    case KDX_MD_HANDLE_DATA: kdx_print(s, "%zu handles", md->nhandles); break;
    case KDX_MD_MEMORY_INFO_LIST: kdx_print(s, "%zu regions", md->nmeminfo); break;
    case KDX_MD_TOKEN: kdx_print(s, "%u tokens", md->ntokens); break;
    case KDX_MD_SYSTEM_MEMORY_INFO:
        if (md->has_sysmem) {
            char a[KDX_ADDR_BUF];
            kdx_print(s, "%" PRIu64 " MB physical memory, %u-byte pages, user space to %s",
                      (uint64_t)md->sysmem_physical_pages * md->sysmem_page_size >> 20,
                      md->sysmem_page_size,
                      kdx_session_fmt_ptr(s, a, md->sysmem_max_user_address));
        }
        break;
    case KDX_MD_PROCESS_VM_COUNTERS:
        if (md->has_vm)
            kdx_print(s, "working set %" PRIu64 " KB (peak %" PRIu64 " KB), private %" PRIu64
                         " KB, %u page faults",
                      md->vm_working_set / 1024, md->vm_peak_working_set / 1024,
                      md->vm_private / 1024, md->vm_page_faults);
        break;
    case KDX_MD_BREAKPAD_ASSERTION:
        if (md->assert_function)
            kdx_print(s, "%s: %s in %s (%s:%u)",
                      md->assert_type == 1 ? "invalid parameter"
                      : md->assert_type == 2 ? "pure virtual call" : "assertion",
                      *md->assert_expression ? md->assert_expression : "?",
                      *md->assert_function ? md->assert_function : "?",
                      *md->assert_file ? md->assert_file : "?", md->assert_line);
        break;
    case KDX_MD_BREAKPAD_INFO:
        if (md->has_breakpad_info && (md->breakpad_validity & 3) == 3)
            kdx_print(s, "dump thread %x, requesting thread %x", md->breakpad_dump_tid,
                      md->breakpad_requesting_tid);
        else if (md->has_breakpad_info && (md->breakpad_validity & 1))
            kdx_print(s, "dump thread %x", md->breakpad_dump_tid);
        else if (md->has_breakpad_info)
            kdx_print(s, "no valid thread ids");
        break;
    default: break;
    }
}

/* -v: the threads' records and every saved memory range, to see why an
 * address is or is not in the dump. */
static void print_mdstreams_detail(kdx_session *s, const kdx_minidump *md)
{
    char a[KDX_ADDR_BUF], b[KDX_ADDR_BUF];
    int w = kdx_session_ptr_size(s) == 8 ? 17 : 8; /* pointer column width */
    kdx_print(s, "\nThreads (%zu):\n  #  Id        %-*s  %-*s  Offset   Size      CONTEXT  Size\n",
              md->nthreads, w, "Teb", w, "Stack");
    for (size_t i = 0; i < md->nthreads; i++) {
        const kdx_md_thread *th = &md->threads[i];
        kdx_print(s, "%3zu  %-8x  %-*s  %-*s  %08x %08x  %08x %08x\n", i, th->id, w,
                  kdx_session_fmt_ptr(s, a, th->teb), w, kdx_session_fmt_ptr(s, b, th->stack_start),
                  th->stack_rva, th->stack_size, th->context_rva, th->context_size);
    }
    uint64_t total = 0;
    for (size_t i = 0; i < md->nranges; i++)
        total += md->ranges[i].size;
    kdx_print(s, "\nSaved memory (%zu ranges, 0x%" PRIx64 " bytes; stacks included, overlaps "
                 "removed):\n  %-*s  %-*s  File offset\n",
              md->nranges, total, w, "Start", w, "End");
    for (size_t i = 0; i < md->nranges; i++) {
        const kdx_md_range *r = &md->ranges[i];
        kdx_print(s, "  %-*s  %-*s  %08" PRIx64 "\n", w, kdx_session_fmt_ptr(s, a, r->va), w,
                  kdx_session_fmt_ptr(s, b, r->va + r->size), r->off);
    }
}

int kdx_cmd_mdstreams(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_user_need_target(s, cmd))
        return 1;
    bool verbose = strcmp(args, "-v") == 0;
    if (*args && !verbose) {
        kdx_print(s, "Usage: %s [-v]\n", cmd);
        return 1;
    }
    const kdx_minidump *md = kdx_minidump_of(s->target);
    if (!md) {
        kdx_print(s, "%s: the target is not a minidump\n", cmd);
        return 1;
    }
    char when[64];
    fmt_time_t(when, sizeof when, md->timestamp);
    kdx_print(s, "Minidump %s\n", md->file->path);
    kdx_print(s, "  Version      0x%04x (implementation 0x%04x)\n", md->version & 0xffff,
              md->version >> 16);
    kdx_print(s, "  Streams      %zu\n", md->nstreams);
    kdx_print(s, "  Flags        0x%" PRIx64 "%s\n", md->flags,
              (md->flags & KDX_MD_FLAG_FULL_MEMORY) ? " (full memory)" : "");
    kdx_print(s, "  Time         %s\n", when);
    kdx_print(s, "  Checksum     0x%08x\n", md->checksum);
    if (kdx_minidump_is_wow64(s->target))
        kdx_print(s, "  Process      WOW64: 32-bit x86 code in a 64-bit dump\n");
    kdx_print(s, "\n");
    kdx_print(s, "Stream  Type        %-30s  Offset    Size\n", "Name");
    for (size_t i = 0; i < md->nstreams; i++) {
        const kdx_md_stream *st = &md->streams[i];
        const char *name = kdx_minidump_stream_name(st->type);
        kdx_print(s, "%6zu  0x%08x  %-30s  %08x  %08x  ", i, st->type, name ? name : "(unknown)",
                  st->rva, st->size);
        stream_summary(s, md, st);
        kdx_print(s, "\n");
    }
    if (md->notes)
        kdx_print(s, "\nProblems found:\n%s", md->notes);
    if (md->notes_dropped)
        kdx_print(s, "(and %zu more problems, not listed)\n", md->notes_dropped);
    for (size_t i = 0; i < md->ncomments; i++)
        kdx_print(s, "\nComment: %s\n", md->comments[i]);
    if (verbose)
        print_mdstreams_detail(s, md);
    return 0;
}
