/* Bug-check names and the project's descriptions of their arguments. The
 * names come from the generated table; every description here is written
 * for kdx from the documented meaning of each code. */
#include <stdio.h>
#include <string.h>

#include "analysis/bugcheck.h"

const char *kdx_bugcheck_name_of(uint32_t code, char *buf, size_t len)
{
    uint32_t base = code & ~0x10000000u;
    const char *name = NULL;
    for (const kdx_bugcheck_name *n = kdx_bugcheck_names; n->name; n++)
        if (n->code == base) {
            name = n->name;
            break;
        }
    if (!name)
        return NULL;
    if (base == code)
        return name;
    snprintf(buf, len, "%s_M", name);
    return buf;
}

typedef struct bc_text {
    uint32_t code;
    kdx_bugcheck_kind kind;
    const char *summary;
    const char *args[4];
    /* Refines the arguments' meaning from their values (sub-codes). */
    void (*refine)(const uint64_t args[4], kdx_bugcheck_expl *e);
} bc_text;

static void set_arg(kdx_bugcheck_expl *e, int i, const char *fmt, const char *detail)
{
    snprintf(e->arg_buf[i], sizeof e->arg_buf[i], fmt, detail);
    e->args[i] = e->arg_buf[i];
}

/* 0x1A MEMORY_MANAGEMENT: Arg1 selects the failure. */
static void refine_1a(const uint64_t a[4], kdx_bugcheck_expl *e)
{
    static const struct { uint64_t sub; const char *what; } subs[] = {
        {0x1, "An old fork clone descriptor's reference count is corrupt"},
        {0x31, "The image relocation fix-up table or code stream has been corrupted"},
        {0x3f, "An inpage operation failed a CRC check (page contents differ from what was written)"},
        {0x403, "The page table entry and the page frame number database disagree (PTE corruption)"},
        {0x404, "A page being deleted is still referenced (PFN reference count corrupt)"},
        {0x411, "A page table entry has been corrupted"},
        {0x41284, "A PTE or the working set list is corrupt"},
        {0x41287, "An illegal page fault occurred while holding working set synchronization"},
        {0x41790, "A page table page has been corrupted: its used-entry count is wrong"},
        {0x41792, "A corrupted PTE was found while deleting a virtual address range"},
        {0x5003, "The working set free list is corrupt"},
        {0x5100, "The working set free list is corrupt (allocation)"},
        {0x61940, "A PDE was unexpectedly invalidated"},
        {0x61946, "The MDL being created is flawed (probed pages changed)"},
        {0x8884, "Two pages on the standby list disagree about their owning process"},
        {0x8888, "Internal memory-management PFN corruption"},
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (subs[i].sub == a[0]) {
            set_arg(e, 0, "%s", subs[i].what);
            return;
        }
    set_arg(e, 0, "%s", "The subtype of the memory management violation (not in kdx's table)");
}

/* A sub-code of Arg1 and what each argument means under it (NULL: as in the
 * code's general description). The last entry has all-NULL texts. */
typedef struct bc_sub {
    uint64_t sub;
    const char *args[4];
} bc_sub;

static void apply_subs(const bc_sub *subs, const uint64_t a[4], kdx_bugcheck_expl *e, const char *unknown)
{
    for (; subs->args[0]; subs++)
        if (subs->sub == a[0]) {
            for (int i = 0; i < 4; i++)
                if (subs->args[i])
                    e->args[i] = subs->args[i];
            return;
        }
    e->args[0] = unknown;
}

/* 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION: Arg1 names the rule broken. */
static const bc_sub verifier_subs[] = {
    {0x0, {"A driver requested a pool allocation of zero bytes", "Current IRQL", "Pool type", "Number of bytes"}},
    {0x1, {"A driver allocated paged pool at IRQL above APC_LEVEL", "Current IRQL", "Pool type", "Size of the allocation"}},
    {0x62, {"A driver is unloading without freeing its pool allocations", "Name of the driver (UNICODE_STRING address)", "Verifier internal structure with driver information", "Total number of allocations not freed"}},
    {0xc5, {"A driver's dispatch routine returned with a different APC disable count than it was called with", "Address of the driver dispatch routine", "Current thread's APC disable count (KernelApcDisable)", "Thread's APC disable count before the dispatch routine was called"}},
    {0x1000, {"A resource was acquired or released with APCs enabled, or in the wrong state", "Address of the resource", "Reserved", "Reserved"}},
    {0x2000, {"Code Integrity: a driver allocated executable non-paged pool", NULL, NULL, NULL}},
    {0, {NULL, NULL, NULL, NULL}}};

static void refine_c4(const uint64_t a[4], kdx_bugcheck_expl *e)
{
    apply_subs(verifier_subs, a, e, "The Driver Verifier rule that was broken (see !analyze -show C4 ARG1)");
}

/* 0x133 DPC_WATCHDOG_VIOLATION: a single DPC, or DPCs cumulatively, ran too long. */
static void refine_133(const uint64_t a[4], kdx_bugcheck_expl *e)
{
    if (a[0] == 0) {
        set_arg(e, 0, "%s", "A single DPC or ISR exceeded its time allotment; the offending component is usually on the stack");
        set_arg(e, 1, "%s", "The DPC time count (in ticks)");
        set_arg(e, 2, "%s", "The DPC time allotment (in ticks)");
        set_arg(e, 3, "%s", "Address of nt!KiDpcWatchdog-related data (cast to nt!_KPRCB-relative info), reserved");
    } else if (a[0] == 1) {
        set_arg(e, 0, "%s", "The system cumulatively spent too long at IRQL DISPATCH_LEVEL or above");
        set_arg(e, 1, "%s", "The watchdog period (in ticks)");
        set_arg(e, 2, "%s", "Address of nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK (cast with dt to see details)");
        set_arg(e, 3, "%s", "Reserved");
    }
}

/* 0x9F DRIVER_POWER_STATE_FAILURE: Arg1 says what was stuck. */
static const bc_sub power_state_subs[] = {
    {0x1, {"A device object was freed while it still had an outstanding power request", "Physical device object of the stack", "Functional device object of the stack", "Reserved"}},
    {0x2, {"A device object completed a power IRP that is not pending", "The target device object", "The device object", "The driver object, if available"}},
    {0x3, {"A device object has been blocking a power IRP for too long", "Physical device object of the stack", "nt!TRIAGE_9F_POWER on Windows 7 and later, else the functional device object", "The blocked IRP"}},
    {0x4, {"A power transition timed out waiting to synchronize with the PnP subsystem", "Timeout in seconds", "The thread currently holding the PnP lock", "nt!TRIAGE_9F_PNP on Windows 7 and later"}},
    {0x500, {"A device did not complete its directed power transition in time", "Reserved", "Physical device object of the stack", "nt!TRIAGE_DEVICE_NODE"}},
    {0, {NULL, NULL, NULL, NULL}}};

static void refine_9f(const uint64_t a[4], kdx_bugcheck_expl *e)
{
    apply_subs(power_state_subs, a, e, "The kind of power-state failure (not in kdx's table)");
}

/* 0x139 KERNEL_SECURITY_CHECK_FAILURE: Arg1 is the FAST_FAIL code. */
static void refine_139(const uint64_t a[4], kdx_bugcheck_expl *e)
{
    static const char *const kinds[] = {
        [0] = "FAST_FAIL_LEGACY_GS_VIOLATION: a stack cookie (/GS) check failed",
        [1] = "FAST_FAIL_VTGUARD_CHECK_FAILURE",
        [2] = "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE: a stack-based buffer has been overrun",
        [3] = "FAST_FAIL_CORRUPT_LIST_ENTRY: a LIST_ENTRY has been corrupted (double remove)",
        [4] = "FAST_FAIL_INCORRECT_STACK",
        [5] = "FAST_FAIL_INVALID_ARG",
        [6] = "FAST_FAIL_GS_COOKIE_INIT",
        [7] = "FAST_FAIL_FATAL_APP_EXIT",
        [8] = "FAST_FAIL_RANGE_CHECK_FAILURE",
        [9] = "FAST_FAIL_UNSAFE_REGISTRY_ACCESS",
        [10] = "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE: an indirect call target failed the CFG check",
        [11] = "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE",
        [12] = "FAST_FAIL_INVALID_FIBER_SWITCH",
        [13] = "FAST_FAIL_INVALID_SET_OF_CONTEXT",
        [14] = "FAST_FAIL_INVALID_REFERENCE_COUNT: a reference count went negative or overflowed",
        [18] = "FAST_FAIL_INVALID_JUMP_BUFFER",
        [19] = "FAST_FAIL_MRDATA_MODIFIED",
        [20] = "FAST_FAIL_CERTIFICATION_FAILURE",
        [21] = "FAST_FAIL_INVALID_EXCEPTION_CHAIN",
        [22] = "FAST_FAIL_CRYPTO_LIBRARY",
        [23] = "FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT",
        [24] = "FAST_FAIL_INVALID_IMAGE_BASE",
        [25] = "FAST_FAIL_DLOAD_PROTECTION_FAILURE",
        [26] = "FAST_FAIL_UNSAFE_EXTENSION_CALL",
        [29] = "FAST_FAIL_INVALID_BALANCED_TREE: an RTL_BALANCED_NODE tree is corrupt",
        [37] = "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG",
        [38] = "FAST_FAIL_CAST_GUARD",
        [43] = "FAST_FAIL_INVALID_FAST_FAIL_CODE",
    };
    if (a[0] < sizeof kinds / sizeof kinds[0] && kinds[a[0]])
        set_arg(e, 0, "%s", kinds[a[0]]);
    else
        set_arg(e, 0, "%s", "The type of security check failure (FAST_FAIL code not in kdx's table)");
}

#define EXC_SUMMARY \
    "An exception was raised and no handler caught it. The exception address usually\n" \
    "points at the driver or function at fault; note it together with the link date\n" \
    "of the image that contains it. Breakpoint exceptions (0x80000003) mean code hit a\n" \
    "hard-coded breakpoint with no kernel debugger attached."

static const bc_text texts[] = {
    {0x0a, KDX_BC_IRQL,
     "Kernel-mode code touched pageable or invalid memory at an IRQL that was too high.\n"
     "A driver that uses an improper address is the usual cause.",
     {"memory referenced", "IRQL", "bitfield :\n\tbit 0 : value 0 = read operation, 1 = write operation\n\tbit 3 : value 0 = not an execute operation, 1 = execute operation (only on chips which support this level of status)",
      "address which referenced memory"}, NULL},
    {0x19, KDX_BC_OTHER, "A pool header is corrupt: some code wrote past its allocation or freed it twice.",
     {"Type of pool violation the caller is guilty of", "Pointer to the pool block or header", "Depends on Arg1 (often the first part of the pool header)", "Depends on Arg1"}, NULL},
    {0x1a, KDX_BC_OTHER, "A severe memory-management error occurred.",
     {"The subtype of the memory management violation", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, refine_1a},
    {0x1e, KDX_BC_EXCEPTION_TRAPFRAME, EXC_SUMMARY,
     {"The exception code that was not handled", "The address that the exception occurred at",
      "Parameter 0 of the exception", "Parameter 1 of the exception"}, NULL},
    {0x20, KDX_BC_OTHER,
     "A thread exited with APCs still disabled or pending: some component left a critical or\n"
     "guarded region (KeEnterCriticalRegion, FsRtlEnterFileSystem) without leaving it.",
     {"The address of the APC found pending during exit", "The thread's APC disable count",
      "The current IRQL", "Reserved"}, NULL},
    {0x24, KDX_BC_OTHER, "A problem occurred in ntfs.sys, the driver that reads and writes NTFS volumes.",
     {"Source file and line number", "Exception record address when an exception occurred",
      "Context record address when an exception occurred", "Reserved"}, NULL},
    {0x3b, KDX_BC_EXCEPTION_TRAPFRAME,
     "An exception happened while executing a routine that transitions from non-privileged\n"
     "code to privileged code (a system service).",
     {"Exception code that caused the bugcheck", "Address of the instruction which caused the bugcheck",
      "Address of the context record for the exception that caused the bugcheck", "zero"}, NULL},
    {0x3d, KDX_BC_OTHER, "An exception in an interrupt service routine was not handled.",
     {"Reserved", "Reserved", "Reserved", "Reserved"}, NULL},
    {0x44, KDX_BC_OTHER, "A driver completed an IRP that was already completed.",
     {"Address of the IRP", "Reserved", "Reserved", "Reserved"}, NULL},
    {0x4a, KDX_BC_OTHER, "A system call returned to user mode at IRQL above PASSIVE_LEVEL.",
     {"Address of the system function (system call routine)", "Current IRQL", "0", "0"}, NULL},
    {0x50, KDX_BC_PAGE_FAULT,
     "Invalid system memory was referenced. This cannot be protected by try-except;\n"
     "typically the address is plainly bad or points at freed memory.",
     {"memory referenced", "value 0 = read operation, 1 = write operation, 10 = execute",
      "If non-zero, the instruction address which referenced the bad memory address", "(reserved)"}, NULL},
    {0x7a, KDX_BC_OTHER, "A page of kernel data could not be read back from the paging file.",
     {"PTE or PDE address (lock type: 1, 2, 3 = PTE, PDE, page table)", "Error status (usually an I/O status code)",
      "Current process (virtual address for lock type 3, or PTE)", "Virtual address that could not be in-paged (or PTE contents if arg1 is a PTE address)"}, NULL},
    {0x7b, KDX_BC_OTHER, "Windows lost access to the system partition during startup.",
     {"Address of the UNICODE_STRING or device object", "0", "0", "0"}, NULL},
    {0x7e, KDX_BC_EXCEPTION_RECORD_CONTEXT, EXC_SUMMARY,
     {"The exception code that was not handled", "The address that the exception occurred at",
      "Exception Record Address", "Context Record Address"}, NULL},
    {0x7f, KDX_BC_OTHER, "The processor raised a trap the kernel did not catch (double fault, divide error, ...).",
     {"EXCEPTION_DOUBLE_FAULT (8) and others: the trap number", "Reserved", "Reserved", "Reserved"}, NULL},
    {0x8e, KDX_BC_EXCEPTION_TRAPFRAME, EXC_SUMMARY,
     {"The exception code that was not handled", "The address that the exception occurred at",
      "Trap Frame", "Reserved"}, NULL},
    {0x9f, KDX_BC_OTHER, "A driver has failed to complete a power IRP within a specific time.",
     {"Describes the failure (sub-code)", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, refine_9f},
    {0xc2, KDX_BC_OTHER, "The current thread made a bad pool request (wrong IRQL, double free, bad size).",
     {"Type of bad pool request", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, NULL},
    {0xc4, KDX_BC_OTHER,
     "Driver Verifier caught a driver breaking one of its rules. Arg1 names the rule and\n"
     "gives the other arguments their meaning.",
     {"The Driver Verifier rule that was broken", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, refine_c4},
    {0xc5, KDX_BC_OTHER, "The kernel touched an invalid pool address at too high an IRQL (usually pool corruption).",
     {"memory referenced", "IRQL", "value 0 = read operation, 1 = write operation", "address which referenced memory"}, NULL},
    {0xd1, KDX_BC_IRQL,
     "A driver touched pageable (or completely invalid) memory at an IRQL that was too high.\n"
     "The faulting instruction usually belongs to the culprit driver.",
     {"memory referenced", "IRQL", "value 0 = read operation, 1 = write operation",
      "address which referenced memory"}, NULL},
    {0xd5, KDX_BC_PAGE_FAULT, "A driver referenced memory it had already freed (caught by special pool).",
     {"memory referenced", "value 0 = read operation, 1 = write operation", "if non-zero, the address which referenced memory", "(reserved)"}, NULL},
    {0xe2, KDX_BC_OTHER, "The user deliberately initiated a crash dump (keyboard or debugger).",
     {"Reserved", "Reserved", "Reserved", "Reserved"}, NULL},
    {0xef, KDX_BC_OTHER, "A process or thread crucial to system operation has unexpectedly exited or been terminated.",
     {"Process object", "If this is 0, a process died. If this is 1, a thread died.", "Reserved", "Reserved"}, NULL},
    {0xf4, KDX_BC_OTHER, "A process or thread crucial to system operation has unexpectedly exited or been terminated.",
     {"Process / thread object type: 3 = process, 6 = thread", "Terminating object", "Process image file name",
      "Explanatory message (ASCII)"}, NULL},
    {0xfc, KDX_BC_PAGE_FAULT, "An attempt was made to execute non-executable memory.",
     {"Virtual address for the attempted execute", "PTE contents", "(reserved)", "(reserved)"}, NULL},
    {0xfe, KDX_BC_OTHER, "The USB driver stack detected an error.",
     {"USB bugcheck type", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, NULL},
    {0x101, KDX_BC_OTHER, "An expected clock interrupt on a secondary processor was not received in time.",
     {"Clock interrupt time-out interval, in clock ticks", "0", "Address of the PRCB of the unresponsive processor", "Index of the unresponsive processor"}, NULL},
    {0x109, KDX_BC_OTHER, "The kernel found its own code or critical data modified (PatchGuard).",
     {"Reserved", "Reserved", "Failure type dependent information", "Type of corrupted region"}, NULL},
    {0x116, KDX_BC_OTHER, "The display driver did not respond in time and could not be reset (TDR).",
     {"Optional pointer to internal TDR recovery context (TDR_RECOVERY_CONTEXT)", "The pointer into the responsible device driver module",
      "Optional error code (NTSTATUS) of the last failed operation", "Optional internal context dependent data"}, NULL},
    {0x124, KDX_BC_OTHER, "A fatal hardware error occurred (WHEA).",
     {"Type of error source that reported the error", "Address of the WHEA_ERROR_RECORD structure",
      "High order 32-bits of the MCi_STATUS value", "Low order 32-bits of the MCi_STATUS value"}, NULL},
    {0x133, KDX_BC_OTHER, "The DPC watchdog expired: code ran at DISPATCH_LEVEL or above for too long.",
     {"The kind of DPC violation (0 single DPC, 1 cumulative)", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, refine_133},
    {0x139, KDX_BC_OTHER,
     "The kernel detected corruption of a critical data structure (a stack buffer overrun,\n"
     "a corrupt list entry, a CFG violation).",
     {"Type of memory safety violation", "Address of the trap frame for the exception that caused the bugcheck",
      "Address of the exception record for the exception that caused the bugcheck", "Reserved"}, refine_139},
    {0x13a, KDX_BC_OTHER, "The kernel heap detected corruption.",
     {"Type of corruption detected", "Address of the heap that reported the corruption",
      "Address at which the corruption was detected", "Reserved"}, NULL},
    {0x154, KDX_BC_OTHER, "The store component caught an unexpected exception.",
     {"Pointer to the store context or data manager", "Exception information", "Reserved", "Reserved"}, NULL},
    {0x15f, KDX_BC_OTHER, "The system did not enter or leave connected standby in time.",
     {"Subsystem that did not respond", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"}, NULL},
    {0x1c8, KDX_BC_OTHER, "The power button was held to collect a dump of a hung system.",
     {"Time the power button was held, in milliseconds", "Reserved", "Reserved", "Reserved"}, NULL},
};

static const bc_text *find_text(uint32_t base)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].code == base)
            return &texts[i];
    return NULL;
}

void kdx_bugcheck_explain(uint32_t code, const uint64_t args[4], kdx_bugcheck_expl *e)
{
    memset(e, 0, sizeof *e);
    e->name = kdx_bugcheck_name_of(code, e->name_buf, sizeof e->name_buf);
    const bc_text *t = find_text(code & ~0x10000000u);
    if (!t) {
        for (int i = 0; i < 4; i++)
            e->args[i] = "(kdx has no description of this argument)";
        return;
    }
    e->described = true;
    e->summary = t->summary;
    e->kind = t->kind;
    for (int i = 0; i < 4; i++)
        e->args[i] = t->args[i];
    if (t->refine)
        t->refine(args, e);
}

void kdx_bugcheck_print(uint32_t code, const uint64_t args[4], int ptr_size, kdx_line_fn out, void *ctx)
{
    kdx_bugcheck_expl e;
    kdx_bugcheck_explain(code, args, &e);
    out(ctx, "%s (%x)\n", e.name ? e.name : "Unknown bugcheck code", code);
    if (e.summary)
        out(ctx, "%s\n", e.summary);
    out(ctx, "Arguments:\n");
    for (int i = 0; i < 4; i++) {
        if (ptr_size == 4)
            out(ctx, "Arg%d: %08llx, %s\n", i + 1, (unsigned long long)(args[i] & 0xffffffffu), e.args[i]);
        else
            out(ctx, "Arg%d: %016llx, %s\n", i + 1, (unsigned long long)args[i], e.args[i]);
    }
}
