/* Processors of kernel dumps: !pcr, !prcb, !irql. Layouts: docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/processor.h"
#include "sym/symbols.h"
#include "target/memory.h"

#define PCR "nt!_KPCR"
#define PRCB "nt!_KPRCB"

/* The processor named by args, or the current one. */
static bool processor_arg(kdx_session *s, const char *cmd, const char *args, unsigned *cpu)
{
    if (!kdx_cmd_need_target(s))
        return false;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP) {
        kdx_print(s, "%s works on kernel targets only.\n", cmd);
        return false;
    }
    *cpu = s->cur_context;
    if (!*kdx_skip_ws(args))
        return true;
    uint64_t v;
    kdx_err err = {0};
    if (kdx_expr_eval_all(s, args, &v, &err) != KDX_OK) {
        kdx_cmd_fail(s, &err);
        return false;
    }
    if (v >= kdx_nt_processor_count(s)) {
        kdx_print(s, "Cannot get PRCB address: processor %" PRIu64 " does not exist (the dump has %u)\n", v,
                  kdx_nt_processor_count(s));
        return false;
    }
    *cpu = (unsigned)v;
    return true;
}

/* "label: value" with WinDbg's tab and right-aligned label; "?" or "(none)" when unknown. */
static void field_line(kdx_session *s, const kdx_nt_obj *o, const char *label, const char *paths, kdx_nt_gaps *g)
{
    uint64_t v;
    kdx_err err = {0};
    kdx_status st = kdx_nt_obj_get(o, paths, &v, &err);
    if (st == KDX_OK)
        kdx_print(s, "\t%19s: %016" PRIx64 "\n", label, v);
    else if (st == KDX_E_NOT_FOUND)
        kdx_print(s, "\t%19s: (%s has no such field on this system)\n", label, o->type);
    else {
        kdx_print(s, "\t%19s: ?\n", label);
        kdx_nt_gaps_add(g, label, &err);
    }
}

typedef struct dpc_walk {
    kdx_session *s;
    unsigned n;
} dpc_walk;

/* The queued DPCs of PRCB DpcData[0]: a singly linked list of _KDPC.DpcListEntry. */
static void print_dpc_queue(kdx_session *s, uint64_t prcb)
{
    uint64_t next, link_off;
    kdx_err err = {0};
    kdx_print(s, "\n\t%19s: ", "DpcQueue");
    if (kdx_nt_read(s, PRCB, prcb, "DpcData[0].DpcList.ListHead.Next|DpcData[0].DpcListHead.Flink", &next, &err) != KDX_OK ||
        kdx_nt_offset(s, "nt!_KDPC", "DpcListEntry", &link_off, &err) != KDX_OK) {
        kdx_print(s, "(not read: %s)\n", err.msg);
        return;
    }
    kdx_nt_addrset seen = {0};
    for (unsigned n = 0; next && n < 1000; n++) {
        uint64_t dpc = next - link_off, routine;
        char sym[256];
        if (!kdx_nt_addrset_add(&seen, next, n, NULL)) {
            kdx_print(s, "(the queue loops at %" PRIx64 ")", dpc);
            break;
        }
        if (kdx_nt_read(s, "nt!_KDPC", dpc, "DeferredRoutine", &routine, &err) != KDX_OK ||
            kdx_nt_read(s, "nt!_KDPC", dpc, "DpcListEntry.Next|DpcListEntry.Flink", &next, &err) != KDX_OK) {
            kdx_print(s, "(DPC at %" PRIx64 " not read: %s)", dpc, err.msg);
            break;
        }
        kdx_sym_format(s, routine, sym, sizeof sym);
        kdx_print(s, " 0x%" PRIx64 " 0x%" PRIx64 " %s\n\t%19s  ", dpc, routine, sym, "");
    }
    kdx_nt_addrset_free(&seen);
    kdx_print(s, "\n");
}

static void print_gaps(kdx_session *s, kdx_nt_gaps *g)
{
    if (g->count)
        kdx_print(s, "(not read: %s; %s)\n", g->names.s, g->first.msg);
}

static int cmd_pcr(kdx_session *s, const char *cmd, const char *args)
{
    unsigned cpu;
    if (!processor_arg(s, cmd, args, &cpu))
        return 1;
    uint64_t pcr, prcb;
    kdx_err err = {0};
    kdx_nt_obj o;
    if (kdx_nt_pcr(s, cpu, &pcr, &err) != KDX_OK || kdx_nt_prcb(s, cpu, &prcb, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_print(s, "KPCR for Processor %u at %016" PRIx64 ":\n", cpu, pcr);
    if (kdx_nt_obj_read(s, PCR, pcr, &o, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_nt_gaps g;
    kdx_nt_gaps_init(&g);
    char b1[24] = "?", b2[24] = "?";
    uint64_t v;
    if (kdx_nt_obj_get(&o, "MajorVersion", &v, NULL) == KDX_OK)
        snprintf(b1, sizeof b1, "%" PRIu64, v);
    if (kdx_nt_obj_get(&o, "MinorVersion", &v, NULL) == KDX_OK)
        snprintf(b2, sizeof b2, "%" PRIu64, v);
    kdx_print(s, "    Major %s Minor %s\n", b1, b2);
    static const char *const tib[][2] = {
        {"NtTib.ExceptionList", "NtTib.ExceptionList"}, {"NtTib.StackBase", "NtTib.StackBase"},
        {"NtTib.StackLimit", "NtTib.StackLimit"},       {"NtTib.SubSystemTib", "NtTib.SubSystemTib"},
        {"NtTib.Version", "NtTib.Version|NtTib.FiberData"}, {"NtTib.UserPointer", "NtTib.ArbitraryUserPointer"},
        {"NtTib.SelfTib", "NtTib.Self"}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(tib); i++)
        field_line(s, &o, tib[i][0], tib[i][1], &g);
    kdx_print(s, "\n");
    field_line(s, &o, "SelfPcr", "SelfPcr|Self", &g);
    kdx_print(s, "\t%19s: %016" PRIx64 "\n", "Prcb", prcb);
    static const char *const rest[][2] = {{"Irql", "Irql"}, {"IRR", "IRR"}, {"IDR", "IDR"},
                                          {"InterruptMode", "InterruptMode"}, {"IDT", "IDT|IdtBase"},
                                          {"GDT", "GDT|GdtBase"}, {"TSS", "TSS|TssBase"}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(rest); i++)
        field_line(s, &o, rest[i][0], rest[i][1], &g);
    kdx_print(s, "\n");
    static const char *const threads[][2] = {{"CurrentThread", "Prcb.CurrentThread|PrcbData.CurrentThread"},
                                             {"NextThread", "Prcb.NextThread|PrcbData.NextThread"},
                                             {"IdleThread", "Prcb.IdleThread|PrcbData.IdleThread"}};
    for (size_t i = 0; i < KDX_ARRAY_LEN(threads); i++)
        field_line(s, &o, threads[i][0], threads[i][1], &g);
    print_dpc_queue(s, prcb);
    print_gaps(s, &g);
    kdx_nt_gaps_free(&g);
    kdx_nt_obj_free(&o);
    return 0;
}

static const char *hex8(const kdx_nt_obj *o, const char *path, kdx_nt_gaps *g, char *buf, size_t cap)
{
    bool ok;
    uint64_t v = kdx_nt_obj_val(o, path, g, &ok);
    snprintf(buf, cap, ok ? "%08" PRIx64 : "?", v);
    return buf;
}

static const char *ptr(kdx_session *s, const kdx_nt_obj *o, const char *path, kdx_nt_gaps *g, char *buf, size_t cap)
{
    bool ok;
    uint64_t v = kdx_nt_obj_val(o, path, g, &ok);
    snprintf(buf, cap, ok ? "%0*" PRIx64 : "?", kdx_session_ptr_size(s) * 2, v);
    return buf;
}

static int cmd_prcb(kdx_session *s, const char *cmd, const char *args)
{
    unsigned cpu;
    if (!processor_arg(s, cmd, args, &cpu))
        return 1;
    if (!*kdx_skip_ws(args))
        cpu = 0; /* WinDbg: processor zero when none is named */
    uint64_t prcb, pcr, irql;
    kdx_err err = {0};
    kdx_nt_obj o;
    if (kdx_nt_prcb(s, cpu, &prcb, &err) != KDX_OK || kdx_nt_obj_read(s, PRCB, prcb, &o, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_nt_gaps g;
    kdx_nt_gaps_init(&g);
    char b[6][32];
    kdx_print(s, "PRCB for Processor %u at %0*" PRIx64 ":\n", cpu, kdx_session_ptr_size(s) * 2, prcb);
    if (kdx_nt_pcr(s, cpu, &pcr, &err) == KDX_OK && kdx_nt_read(s, PCR, pcr, "Irql", &irql, &err) == KDX_OK)
        kdx_print(s, "Current IRQL -- %" PRIu64 "\n", irql);
    else {
        kdx_print(s, "Current IRQL -- ?\n");
        kdx_nt_gaps_add(&g, "KPCR.Irql", &err);
    }
    kdx_print(s, "Threads--  Current %s Next %s Idle %s\n", ptr(s, &o, "CurrentThread", &g, b[0], 32),
              ptr(s, &o, "NextThread", &g, b[1], 32), ptr(s, &o, "IdleThread", &g, b[2], 32));
    bool ok;
    uint64_t number = kdx_nt_obj_val(&o, "Number", &g, &ok);
    uint64_t group = kdx_nt_obj_val(&o, "Group", &g, NULL), index = kdx_nt_obj_val(&o, "GroupIndex", &g, NULL);
    uint64_t member = kdx_nt_obj_val(&o, "GroupSetMember", &g, NULL);
    kdx_print(s, "Processor Index %" PRIu64 " Number (%" PRIu64 ", %" PRIu64 ") GroupSetMember %" PRIx64 "\n", number,
              group, index, member);
    kdx_print(s, "Interrupt Count -- %s\n", hex8(&o, "InterruptCount", &g, b[0], 32));
    kdx_print(s, "Times -- Dpc    %s Interrupt %s \n", hex8(&o, "DpcTime", &g, b[0], 32),
              hex8(&o, "InterruptTime", &g, b[1], 32));
    kdx_print(s, "         Kernel %s User      %s \n", hex8(&o, "KernelTime", &g, b[0], 32),
              hex8(&o, "UserTime", &g, b[1], 32));
    print_gaps(s, &g);
    kdx_nt_gaps_free(&g);
    kdx_nt_obj_free(&o);
    return 0;
}

static int cmd_irql(kdx_session *s, const char *cmd, const char *args)
{
    unsigned cpu;
    if (!processor_arg(s, cmd, args, &cpu))
        return 1;
    uint64_t prcb, irql;
    kdx_err err = {0};
    if (kdx_nt_prcb(s, cpu, &prcb, &err) != KDX_OK) {
        kdx_print(s, "Cannot get PRCB address: %s\n", err.msg);
        return 1;
    }
    if (kdx_nt_read(s, PRCB, prcb, "DebuggerSavedIRQL", &irql, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    const char *name = kdx_nt_irql_name(s->target->arch, (unsigned)irql);
    kdx_print(s, "Debugger saved IRQL for processor 0x%x -- %" PRIu64 "%s%s%s\n", cpu, irql, name ? " (" : "",
              name ? name : "", name ? ")" : "");
    return 0;
}

/* ---- !cpuinfo ---- */

/* _KPRCB.VendorString, a char array: "GenuineIntel", "AuthenticAMD". */
static bool vendor_string(kdx_session *s, uint64_t prcb, char out[13], kdx_err *err)
{
    uint64_t off;
    memset(out, 0, 13);
    if (kdx_field_offset(s, PRCB, "VendorString", &off, err) != KDX_OK)
        return false;
    return kdx_read_virt(s->target, prcb + off, out, 12, NULL, err) == KDX_OK;
}

/* One processor's line in WinDbg's layout (public !cpuinfo transcripts):
 * " 0  6,158,13 GenuineIntel 3600 000000b800000000                   3d1b3fff 0".
 * The MSR 8B column needs a live target (rdmsr): in a dump it stays blank,
 * as WinDbg leaves it. ArchitectureClass only where _KPRCB has the field. */
static void cpuinfo_line(kdx_session *s, unsigned cpu, bool arch_class)
{
    uint64_t prcb;
    kdx_err err = {0};
    kdx_nt_obj o;
    if (kdx_nt_prcb(s, cpu, &prcb, &err) != KDX_OK || kdx_nt_obj_read(s, PRCB, prcb, &o, &err) != KDX_OK) {
        kdx_print(s, "%2u (not read: %s)\n", cpu, err.msg);
        return;
    }
    kdx_nt_gaps g;
    kdx_nt_gaps_init(&g);
    bool ok_f, ok_m, ok_s, ok_mhz, ok_sig, ok_feat;
    uint64_t family = kdx_nt_obj_val(&o, "CpuType", &g, &ok_f);
    uint64_t model = kdx_nt_obj_val(&o, "CpuModel", &g, &ok_m);
    uint64_t stepping = kdx_nt_obj_val(&o, "CpuStepping", &g, &ok_s);
    uint64_t mhz = kdx_nt_obj_val(&o, "MHz", &g, &ok_mhz);
    uint64_t sig = kdx_nt_obj_val(&o, "UpdateSignature.QuadPart", &g, &ok_sig);
    uint64_t feat = kdx_nt_obj_val(&o, "FeatureBits", &g, &ok_feat);
    char vendor[13], fms[32], m[16], sg[24], ft[16], ac[16] = "";
    kdx_err verr = {0};
    if (!vendor_string(s, prcb, vendor, &verr)) {
        snprintf(vendor, sizeof vendor, "?");
        kdx_nt_gaps_add(&g, "VendorString", &verr);
    }
    if (ok_f && ok_m && ok_s)
        snprintf(fms, sizeof fms, "%2" PRIu64 ",%" PRIu64 ",%" PRIu64, family, model, stepping);
    else
        snprintf(fms, sizeof fms, " ?,?,?");
    snprintf(m, sizeof m, ok_mhz ? "%" PRIu64 : "?", mhz);
    if (ok_sig)
        snprintf(sg, sizeof sg, "%016" PRIx64, sig);
    else
        snprintf(sg, sizeof sg, "%16s", "?");
    snprintf(ft, sizeof ft, ok_feat ? "%08" PRIx64 : "?", feat & 0xffffffffu);
    if (arch_class)
        snprintf(ac, sizeof ac, " %" PRIu64, kdx_nt_obj_val(&o, "ArchitectureClass", &g, NULL));
    kdx_print(s, "%2u %s %s %s %s %18s%s%s\n", cpu, fms, vendor, m, sg, "", ft, ac);
    print_gaps(s, &g);
    kdx_nt_gaps_free(&g);
    kdx_nt_obj_free(&o);
}

static int cmd_cpuinfo(kdx_session *s, const char *cmd, const char *args)
{
    unsigned cpu;
    if (!processor_arg(s, cmd, args, &cpu))
        return 1;
    bool one = *kdx_skip_ws(args) != 0;
    uint64_t off;
    kdx_err err = {0};
    if (kdx_field_offset(s, PRCB, "CpuType", &off, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    bool arch_class = kdx_field_offset(s, PRCB, "ArchitectureClass", &off, NULL) == KDX_OK;
    kdx_print(s, "CP  F/M/S Manufacturer  MHz PRCB Signature    MSR 8B Signature Features%s\n",
              arch_class ? " ArchitectureClass" : "");
    unsigned n = kdx_nt_processor_count(s);
    for (unsigned i = one ? cpu : 0; i < (one ? cpu + 1 : n); i++)
        cpuinfo_line(s, i, arch_class);
    return 0;
}

const kdx_command kdx_cmds_processor[] = {
    {"!cpuinfo", cmd_cpuinfo, "processor family, model, stepping, MHz and microcode: !cpuinfo [Processor]", 0},
    {"!pcr", cmd_pcr, "processor control region: !pcr [Processor]", 0},
    {"!prcb", cmd_prcb, "processor control block: !prcb [Processor]", 0},
    {"!irql", cmd_irql, "IRQL saved before the bug check or break: !irql [Processor]", 0},
    {0}};
