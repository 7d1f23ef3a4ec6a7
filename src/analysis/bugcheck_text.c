/* The project's descriptions of bug-check codes and of their four
 * arguments, with the sub-code tables that change the arguments' meaning.
 * Data only, sorted by code (tests check the order); the logic that uses it
 * is in bugcheck.c. Written for kdx in its own words from the documented
 * meaning of each code. */
#include "analysis/bugcheck_text.h"

#define R "Reserved"
#define DEP "Depends on Arg1"
#define ND "Not documented"
#define T(code, kind, summary, a1, a2, a3, a4) {code, kind, summary, {a1, a2, a3, a4}, NULL, 0, NULL}
#define TS(code, kind, summary, a1, a2, a3, a4, subs, sel, unknown) \
    {code, kind, summary, {a1, a2, a3, a4}, subs, sel, unknown}
#define TFS(code, summary) {code, KDX_BC_RECORDS_IN_ARG2_3, summary, {FS_ARGS}, NULL, 0, NULL}
#define END {0, {NULL, NULL, NULL, NULL}}
#define O KDX_BC_OTHER

/* The file-system bug checks share one argument layout. */
#define FS_ARGS "Source file (high 16 bits) and line (low 16 bits) that raised the bug check", \
    "Exception record address, when an exception caused it", "Context record address, when an exception caused it", R

#define EXC_SUMMARY \
    "An exception was raised and no handler caught it. The exception address usually\n" \
    "points at the driver or function at fault; note it together with the link date\n" \
    "of the image that contains it. Breakpoint exceptions (0x80000003) mean code hit a\n" \
    "hard-coded breakpoint with no kernel debugger attached."

/* 0x19 BAD_POOL_HEADER */
static const kdx_bc_sub bad_pool_header_subs[] = {
    {0x2, {"A special pool pattern check failed (the owner probably overwrote its block)", "The pool entry being checked", "Size of the pool block", "0"}},
    {0x3, {"The pool free list is corrupt (Arg2..Arg4 agree on a healthy list)", "The pool entry being checked", "Flink read back from the free list", "Blink read back from the free list"}},
    {0x5, {"Two adjacent pool entries have headers that contradict each other", "One of the pool entries", R, "The other pool entry"}},
    {0x6, {"A pool header's previous-size field is too large", "The entry computed from the bad field", R, "The entry whose header caused the bad computation"}},
    {0x7, {"A pool block header is corrupt (double free or overrun)", "0", R, "The bad pool entry"}},
    {0x8, {"A pool block header has a size of zero", "0", R, "The bad pool entry"}},
    {0x9, {"A pool block header's size is corrupt (too large)", "The entry computed from the bad field", R, "The entry whose header caused the bad computation"}},
    {0xa, {"A pool block header's size is corrupt", "The pool entry that should have been found", R, "Virtual address of the page that should hold the entry"}},
    {0xd, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    {0xe, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    {0xf, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    {0x20, {"A pool block header's size is corrupt", "The pool entry that should have been found", "The next pool entry", R}},
    {0x21, {"The data after a pool block being freed has been overwritten", "The pool block being freed", "Number of bytes allocated for it", "The corrupted value found"}},
    {0x22, {"An address being freed has no tracking entry (freed twice, or never allocated)", "The address being freed", R, R}},
    {0x23, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    {0x24, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    {0x25, {"A freed block's header changed after it was freed (usually the block before it overran)", R, R, R}},
    END};

/* 0x1A MEMORY_MANAGEMENT */
static const kdx_bc_sub memory_management_subs[] = {
    {0x1, {"An old fork clone descriptor's reference count is corrupt", NULL, NULL, NULL}},
    {0x31, {"The image relocation fix-up table or code stream has been corrupted", NULL, NULL, NULL}},
    {0x3f, {"An inpage operation failed a CRC check (page contents differ from what was written)", NULL, NULL, NULL}},
    {0x403, {"The page table entry and the page frame number database disagree (PTE corruption)", NULL, NULL, NULL}},
    {0x404, {"A page being deleted is still referenced (PFN reference count corrupt)", NULL, NULL, NULL}},
    {0x411, {"A page table entry has been corrupted", NULL, NULL, NULL}},
    {0x5003, {"The working set free list is corrupt", NULL, NULL, NULL}},
    {0x5100, {"The working set free list is corrupt (allocation)", NULL, NULL, NULL}},
    {0x8884, {"Two pages on the standby list disagree about their owning process", NULL, NULL, NULL}},
    {0x8888, {"Internal memory-management PFN corruption", NULL, NULL, NULL}},
    {0x41284, {"A PTE or the working set list is corrupt", NULL, NULL, NULL}},
    {0x41287, {"An illegal page fault occurred while holding working set synchronization", NULL, NULL, NULL}},
    {0x41790, {"A page table page has been corrupted: its used-entry count is wrong", NULL, NULL, NULL}},
    {0x41792, {"A corrupted PTE was found while deleting a virtual address range", NULL, NULL, NULL}},
    {0x61940, {"A PDE was unexpectedly invalidated", NULL, NULL, NULL}},
    {0x61946, {"The MDL being created is flawed (probed pages changed)", NULL, NULL, NULL}},
    END};

/* 0x4E PFN_LIST_CORRUPT */
static const kdx_bc_sub pfn_list_subs[] = {
    {0x1, {"The head of a page list has been corrupted", "The list head value", "Number of pages available", "0"}},
    {0x2, {"A list entry being removed has been corrupted", "The entry being removed", "Highest physical page number", "Reference count of the entry"}},
    {0x7, {"A driver unlocked a page more times than it locked it", "Page frame number", "Current share count", "0"}},
    {0x8d, {"The free page list is corrupt (most likely hardware)", "Page frame number whose state is inconsistent", "0", "0"}},
    {0x8f, {"The head of a free or zeroed page list is corrupt", "New page number", "Old page number", "0"}},
    {0x99, {"A page table entry or PFN entry is corrupt", "Page frame number", "Current page state", "0"}},
    {0x9a, {"A driver asked to free a page that is still locked for I/O", "Page frame number", "Current page state", "Reference count"}},
    END};

/* 0x76 PROCESS_HAS_LOCKED_PAGES */
static const kdx_bc_sub locked_pages_subs[] = {
    {0x0, {"A process is ending while a driver still has pages of it locked", "The process object", "Number of locked pages", "Driver stack traces, if tracking is on, else 0"}},
    {0x1, {"A driver is unlocking process pages that are not locked", "The MDL the driver passed", "Number of pages currently locked in the process", "Driver stack traces, if tracking is on, else 0"}},
    END};

/* 0xD9 LOCKED_PAGES_TRACKER_CORRUPTION */
static const kdx_bc_sub locked_tracker_subs[] = {
    {0x1, {"1: an MDL is being inserted twice on the same process list", "Internal lock tracking structure", "The MDL", "Pages locked for the current process"}},
    {0x2, {"2: an MDL is being inserted twice on the system-wide list", "Internal lock tracking structure", "The MDL", "Pages locked for the current process"}},
    {0x3, {"3: an MDL was found twice in the process list when freed", "First tracking structure found", "Internal lock tracking structure", "The MDL"}},
    {0x4, {"4: an MDL was still in the system-wide list on free after removal", "Internal lock tracking structure", "The MDL", "0"}},
    END};

/* 0xDA SYSTEM_PTE_MISUSE */
static const kdx_bc_sub pte_misuse_subs[] = {
    {0x1, {"The mapping being freed is a duplicate", "Internal lock tracking structure", "The MDL", "The duplicate tracking structure"}},
    {0x2, {"The number of mappings being freed is wrong", "Internal lock tracking structure", "Number of mappings the system expects to free", "Number the driver asks to free"}},
    {0x3, {"The mapping address being freed is wrong", "First tracking structure found", "Mapping address the system expects", "Mapping address the driver passed"}},
    {0x4, {"The first page of a mapped MDL changed after it was mapped", "Internal lock tracking structure", "Page frame number expected first in the MDL", "Page frame number now first in the MDL"}},
    {0x5, {"The start address of an MDL being freed changed after it was mapped", "First tracking structure found", "Virtual address the system expects", "Virtual address the driver passed"}},
    {0x6, {"The MDL being freed is not mapped (or never was)", "The MDL the driver passed", "Virtual address the driver passed", "Number of mappings to free"}},
    {0x100, {"The caller asked for zero mappings", "Number of mappings requested", "Caller's tag", "Routine that called the caller"}},
    {0x101, {"The caller frees a mapping range it does not own", "First mapping address", "Caller's tag", "Owner's tag"}},
    {0x102, {"The mapping range being freed appears empty", "First mapping address", "Caller's tag", R}},
    {0x103, {"The mapping range being freed is still reserved (unmap it first)", "The invalid mapping", "Caller's tag", "Number of mappings in the range"}},
    {0x104, {"The caller maps an MDL into a mapping range it does not own", "First mapping address", "Caller's tag", "Owner's tag"}},
    {0x105, {"The caller maps an MDL into an invalid mapping range", "First mapping address", "Caller's tag", R}},
    {0x107, {"The caller maps an MDL into a range that was not properly reserved", "First mapping address", "The mapping that is not empty", "Last mapping address"}},
    {0x108, {"The caller unmaps a locked mapping range it does not own", "First mapping address", "Caller's tag", "Owner's tag"}},
    {0x109, {"The caller unmaps a locked range that appears empty", "First mapping address", "Caller's tag", R}},
    {0x10a, {"The caller unmaps more mappings than the locked range holds", "First mapping address", "Number of mappings in the range", "Number to unmap"}},
    {0x10b, {"The caller unmaps part of a locked range that is not mapped", "First mapping address", "Caller's tag", "Number to unmap"}},
    {0x10c, {"The caller does not unmap the whole locked range", "First mapping address", "Caller's tag", "Number to unmap"}},
    {0x200, {"The caller reserves a mapping range with no mappings", "First mapping address", "0", "0"}},
    {0x201, {"A mapping the caller reserves is already reserved", "First mapping address to reserve", "The mapping already reserved", "Number of mappings to reserve"}},
    {0x202, {"A mapping the caller reserves is already reserved", "First mapping address to reserve", "The mapping already reserved", "Number of mappings to reserve"}},
    {0x300, {"The caller releases a mapping range with no mappings", "First mapping address to release", "0", "0"}},
    {0x301, {"The caller releases a mapping it may not release", "The mapping", "0", "0"}},
    {0x302, {"The caller releases a system address that is not mapped", "Address being released", R, R}},
    {0x303, {"The caller releases a mapping range that was not reserved", "First mapping address", "Number of mappings to release", "0"}},
    {0x304, {"The caller releases a range that starts inside another allocation", "First mapping address", "Number of mappings to release", "0"}},
    END};

/* 0xE6 DRIVER_VERIFIER_DMA_VIOLATION */
#define VDATA "The verifier's internal data for it"
static const kdx_bc_sub dma_verifier_subs[] = {
    {0x0, {"Miscellaneous DMA error", "1: flushing past the end of the map register file, 2: out of contiguous map registers", "1: bytes left in the MDL; 2: map registers needed", "1: bytes asked to flush; 2: contiguous map registers available"}},
    {0x1, {"The performance counter went backwards", NULL, NULL, NULL}},
    {0x2, {"The performance counter increased too fast", NULL, NULL, NULL}},
    {0x3, {"The driver freed too many common buffers (likely a double free)", "Number of extra common buffers freed", NULL, NULL}},
    {0x4, {"The driver freed too many adapter channels (likely a double free)", "Number of extra adapter channels freed", NULL, NULL}},
    {0x5, {"The driver freed too many map registers (likely a double free)", "Number of extra map registers freed", NULL, NULL}},
    {0x6, {"The driver freed too many scatter/gather lists (likely a double free)", "Scatter/gather lists allocated", "Scatter/gather lists freed", NULL}},
    {0x7, {"The adapter was released with common buffers still allocated", "The DMA adapter", "Number of common buffers outstanding", VDATA}},
    {0x8, {"The adapter was released with adapter channels still allocated", "The DMA adapter", "Number of adapter channels outstanding", VDATA}},
    {0x9, {"The adapter was released with map registers still allocated", "The DMA adapter", "Number of map registers outstanding", VDATA}},
    {0xa, {"The adapter was released with scatter/gather lists still allocated", "The DMA adapter", "Number of scatter/gather lists outstanding", VDATA}},
    {0xb, {"More than one adapter channel was allocated at once", "Adapter channels outstanding", NULL, NULL}},
    {0xc, {"Too many map registers were allocated at once", "Map registers required", "Maximum map registers", NULL}},
    {0xd, {"The driver did not flush its adapter buffers", "Number of bytes mapped", "Most bytes that can be mapped at once", NULL}},
    {0xe, {"A DMA transfer used a buffer in paged memory that was not locked", "MDL of the DMA buffer", NULL, NULL}},
    {0xf, {"The driver or device wrote outside its DMA buffer", "Which check failed (1/2 tags, 3 free map register, 4/5 padding)", "Depends on Arg2 (buffer length, start or corrupt address)", "Depends on Arg2 (buffer start or corrupt address)"}},
    {0x10, {"Map registers were freed while some were still mapped", "Number of registers still mapped", NULL, NULL}},
    {0x11, {"The driver holds too many references on the adapter", "Reference count", "The DMA adapter", VDATA}},
    {0x13, {"A DMA routine was called at the wrong IRQL", "1: IRQL differs from the one expected, 2: IRQL above the maximum", "Expected (or maximum) IRQL", "Current IRQL"}},
    {0x14, {"A DMA routine was called at the wrong IRQL", NULL, NULL, NULL}},
    {0x15, {"Too many map registers were allocated", "Map registers allocated", "Maximum map registers", NULL}},
    {0x16, {"The driver flushed a buffer that is not mapped", "System address of the map register", VDATA, NULL}},
    {0x18, {"A DMA operation used an adapter that was already released", "The DMA adapter", VDATA, NULL}},
    {0x19, {"A NULL DMA_ADAPTER was passed to a HAL routine", NULL, NULL, NULL}},
    {0x1b, {"An address passed with an MDL to a HAL routine lies outside the MDL", "The virtual address outside the MDL", "The MDL", NULL}},
    {0x1d, {"The driver mapped an address range that is already mapped", "Start of the buffer to map", "End of the buffer to map", "System address in the buffer that is already mapped"}},
    {0x1e, {"The driver called the obsolete HalGetAdapter (use IoGetDmaAdapter)", NULL, NULL, NULL}},
    {0x1f, {"The driver referenced an invalid DMA buffer address", "Which check failed (1 before MDL, 2 after MDL, 3 length, 4/5 cache alignment)", "Depends on Arg2 (buffer start, MDL or length)", "Depends on Arg2 (MDL or transfer length)"}},
    {0x20, {"The driver flushed a map register that was never mapped", "Map register base", "Virtual address of the start of the DMA buffer", "MDL of the DMA buffer"}},
    {0x21, {"The driver mapped a zero-length buffer for transfer", VDATA, NULL, NULL}},
    {0x22, {"The DMA buffer is not mapped in system address space", "The MDL", NULL, NULL}},
    {0x23, {"A channel was flushed before it completed or was cancelled", "Violation code (0: illegal channel flush)", "Controller ID", "Channel number"}},
    {0x24, {"The buffer is too small for the requested length", "Length not accounted for", NULL, NULL}},
    {0x25, {"The device description has an unknown version", NULL, NULL, NULL}},
    {0x26, {"The IOMMU detected a DMA violation", "Device object of the faulting device", "Fault information (usually the physical address)", "Fault type (hardware specific)"}},
    END};

/* 0xE7 INVALID_FLOATING_POINT_STATE */
static const kdx_bc_sub float_state_subs[] = {
    {0x0, {"The saved context's flags are invalid (FLOAT_SAVE_VALID clear or reserved bits set)", "The flags field", "0", NULL}},
    {0x1, {"The IRQL differs from the one at which the floating-point state was saved", "The saved IRQL", "The current IRQL", NULL}},
    {0x2, {"The saved floating-point state belongs to another thread", "Thread that owns the saved state", "The current thread", NULL}},
    END};

/* 0x77 KERNEL_STACK_INPAGE_ERROR: 0, 1 and 2 in Arg1 use another layout. */
static const kdx_bc_sub stack_inpage_subs[] = {
    {0x0, {"0: the stack page came from the page cache but its signature is missing", "Value found where the stack signature should be", "0", "Address of the signature on the kernel stack"}},
    {0x1, {"1: the stack page came from disk but its signature is missing", "Value found where the stack signature should be", "0", "Address of the signature on the kernel stack"}},
    {0x2, {"2: the storage stack reported success but read less than a page", "Value found where the stack signature should be", "0", "Address of the signature on the kernel stack"}},
    END};

/* 0x7C BUGCODE_NDIS_DRIVER */
#define MA "The miniport adapter block (see !ndiskd.netadapter)"
static const kdx_bc_sub ndis_subs[] = {
    {0x1, {"NdisMAllocateSharedMemory was called at raised IRQL", MA, "Length of shared memory requested", "Current IRQL"}},
    {0x2, {"A shared memory page allocated earlier has been corrupted", MA, "The corrupted shared memory page", "NDIS_WRAPPER_CONTEXT tracking the driver's shared memory"}},
    {0x3, {"NdisMFreeSharedMemory was given shared memory already freed", MA, "Page the shared memory came from", "Virtual address of the shared memory"}},
    {0x4, {"AddDevice was called for a driver not registered with NDIS", "The NDIS_M_DRIVER_BLOCK", "The DRIVER_OBJECT", "0"}},
    {0x5, {"A received packet's descriptor is still in use by the protocol stack (stack location check)", MA, "The packet descriptor (see !ndiskd.pkt)", "Packet array holding the descriptor"}},
    {0x6, {"A received packet's descriptor is still in use by the protocol stack (reference count check)", MA, "The packet descriptor (see !ndiskd.pkt)", "Packet array holding the descriptor"}},
    {0x7, {"An FDDI driver received a packet into a descriptor still in use", MA, "The packet descriptor (see !ndiskd.pkt)", "Packet array holding the descriptor"}},
    {0x8, {"A miniport halted without deregistering its interrupt", MA, "The NDIS_MINIPORT_INTERRUPT", "0"}},
    {0x9, {"A miniport halted without cancelling all its timers", MA, "The miniport's timer queue (NDIS_MINIPORT_TIMER)", "0"}},
    {0xa, {"A miniport driver is being unloaded too early", "The NDIS_M_DRIVER_BLOCK", "The DRIVER_OBJECT", "The miniport driver's reference count"}},
    {0xb, {"A miniport failed initialization without deregistering its interrupt", MA, "The NDIS_MINIPORT_INTERRUPT", "0"}},
    {0xc, {"A miniport failed initialization without cancelling all its timers", MA, "The miniport's timer queue (NDIS_MINIPORT_TIMER)", "0"}},
    {0xd, {"A miniport halted from initialization without deregistering its interrupt", MA, "The NDIS_MINIPORT_INTERRUPT", "0"}},
    {0xe, {"A miniport halted from initialization without cancelling all its timers", MA, "The miniport's timer queue (NDIS_MINIPORT_TIMER)", "0"}},
    {0xf, {"NdisMResetComplete was called with no reset pending", MA, "The reset status", "AddressingReset (BOOLEAN)"}},
    {0x10, {"After resume, a miniport failed initialization without deregistering its interrupt", MA, "The NDIS_MINIPORT_INTERRUPT", "0"}},
    {0x11, {"After resume, a miniport failed initialization without cancelling all its timers", MA, "The miniport's timer queue (NDIS_MINIPORT_TIMER)", "0"}},
    {0x12, {"A miniport received a packet into a descriptor still in use (reference count check)", MA, "The packet descriptor (see !ndiskd.pkt)", "Packet array holding the descriptor"}},
    {0x13, {"A Token-Ring miniport received a packet into a descriptor still in use", MA, "The packet descriptor (see !ndiskd.pkt)", "Packet array holding the descriptor"}},
    {0x14, {"NdisWaitEvent was called at an IRQL where it is not allowed", "The IRQL", "0", "0"}},
    {0x15, {"A miniport called an API meant only for NDIS 5 drivers", MA, "0", "0"}},
    {0x16, {"A protocol driver opened an adapter the wrong way while binding", "The protocol (see !ndiskd.protocol)", "The protocol's bind context (ndis!NDIS_BIND_CONTEXT)", "The open handle (see !ndiskd.mopen)"}},
    {0x17, {"An interface provider deregistered before removing its interfaces", "The interface provider handle (see !ndiskd.ifprovider)", "0", "0"}},
    END};

/* 0x79 MISMATCHED_HAL */
static const kdx_bc_sub mismatched_hal_subs[] = {
    {0x1, {"The PRCB release levels of the kernel and the HAL differ", "Major PRCB level of ntoskrnl.exe", "Major PRCB level of hal.dll", R}},
    {0x2, {"The build types (checked/free, UP/MP) of the kernel and the HAL differ", "Build type of ntoskrnl.exe", "Build type of hal.dll", R}},
    {0x3, {"The HAL does not support the machine type that was detected", "Machine type that was detected", "Machine type the HAL supports", R}},
    END};

/* 0x7F UNEXPECTED_KERNEL_MODE_TRAP: Arg1 is the x86/x64 trap number. */
static const kdx_bc_sub trap_subs[] = {
    {0x0, {"Trap 0x0: divide error (integer division by zero or overflow)", NULL, NULL, NULL}},
    {0x1, {"Trap 0x1: debug exception (single step or hardware breakpoint) with no debugger", NULL, NULL, NULL}},
    {0x2, {"Trap 0x2: non-maskable interrupt (usually a hardware failure)", NULL, NULL, NULL}},
    {0x3, {"Trap 0x3: breakpoint instruction with no debugger attached", NULL, NULL, NULL}},
    {0x4, {"Trap 0x4: overflow (INTO instruction)", NULL, NULL, NULL}},
    {0x5, {"Trap 0x5: BOUND range exceeded", NULL, NULL, NULL}},
    {0x6, {"Trap 0x6: invalid opcode", NULL, NULL, NULL}},
    {0x7, {"Trap 0x7: floating-point unit not available", NULL, NULL, NULL}},
    {0x8, {"Trap 0x8: double fault (often a kernel stack overflow)", NULL, NULL, NULL}},
    {0x9, {"Trap 0x9: coprocessor segment overrun", NULL, NULL, NULL}},
    {0xa, {"Trap 0xA: invalid TSS", NULL, NULL, NULL}},
    {0xb, {"Trap 0xB: segment not present", NULL, NULL, NULL}},
    {0xc, {"Trap 0xC: stack-segment fault", NULL, NULL, NULL}},
    {0xd, {"Trap 0xD: general protection fault", NULL, NULL, NULL}},
    {0xe, {"Trap 0xE: page fault", NULL, NULL, NULL}},
    {0x10, {"Trap 0x10: x87 floating-point error", NULL, NULL, NULL}},
    {0x11, {"Trap 0x11: alignment check", NULL, NULL, NULL}},
    {0x12, {"Trap 0x12: machine check", NULL, NULL, NULL}},
    {0x13, {"Trap 0x13: SIMD floating-point exception", NULL, NULL, NULL}},
    {0x15, {"Trap 0x15: control-protection exception (shadow stack / CET)", NULL, NULL, NULL}},
    END};

/* 0x9F DRIVER_POWER_STATE_FAILURE */
static const kdx_bc_sub power_state_subs[] = {
    {0x1, {"A device object was freed while it still had an outstanding power request", "Physical device object of the stack", "Functional device object of the stack", R}},
    {0x2, {"A device object completed a power IRP that is not pending", "The target device object", "The device object", "The driver object, if available"}},
    {0x3, {"A device object has been blocking a power IRP for too long", "Physical device object of the stack", "nt!TRIAGE_9F_POWER on Windows 7 and later, else the functional device object", "The blocked IRP"}},
    {0x4, {"A power transition timed out waiting to synchronize with the PnP subsystem", "Timeout in seconds", "The thread currently holding the PnP lock", "nt!TRIAGE_9F_PNP on Windows 7 and later"}},
    {0x500, {"A device did not complete its directed power transition in time", R, "Physical device object of the stack", "nt!TRIAGE_DEVICE_NODE"}},
    END};

/* 0xA0 INTERNAL_POWER_ERROR */
static const kdx_bc_sub internal_power_subs[] = {
    {0x1, {"A power IRP could not be handled", "1: reference count overrun; 2-4: too many inrush IRPs; 5: passive device; 6: no IRP", "Arg2 1: reference limit; 2-4: pending IRP limit; 6: target device object", "Arg2 6: 0 for a system power IRP, 1 for a device power IRP"}},
    {0x2, {"An internal failure occurred while processing a power event", R, R, R}},
    {0x3, {"A hibernation context page failed its checksum", "Expected checksum", "Actual checksum", "Source line of the failure"}},
    {0x4, {"A page about to be written to the hibernation file failed its checksum", "Expected checksum", "Actual checksum", "Source line of the failure"}},
    {0x5, {"The shutdown handler received an unknown shutdown code", R, R, R}},
    {0x7, {"An exception was not handled in the power manager", R, R, R}},
    {0x8, {"A fatal error occurred while handling a system power event", "Always 0x100", "The device object", "POWER_CHANNEL_SUMMARY"}},
    {0x9, {"A fatal error occurred while preparing the hibernation file", "Status code", "Mirroring phase", R}},
    {0xa, {"A bug check was requested on wake, for debugging", "When: 0 at resume, 1 after non-pageable devices, 2 after all devices powered on", R, R}},
    {0xb, {"The hibernation file is too small", "Size of the hibernation file", "How far hibernation got (HIBERFILE_PROGRESS_*) before space ran out", "Size of the memory ranges left"}},
    {0xc, {"The dump stack could not be initialized", "Status code", "Dump stack context", R}},
    {0x101, {"An exception was not handled while a system power event was processed", R, "Exception pointers", R}},
    {0x102, {"The hibernation working buffer's size is not a multiple of the page size", R, "DUMP_INITIALIZATION_CONTEXT", "POP_HIBER_CONTEXT"}},
    {0x103, {"Not all working pages were accounted for during hibernation", R, "POP_HIBER_CONTEXT", R}},
    {0x104, {"Internal hibernation memory was mapped while its structures were locked", R, "POP_HIBER_CONTEXT", R}},
    {0x105, {"Internal hibernation memory was mapped with an unsupported memory type", R, "POP_HIBER_CONTEXT", R}},
    {0x106, {"Hibernation built an MDL describing memory that is not page aligned", R, "The MDL", R}},
    {0x107, {"Internal hibernation data structures disagree", R, "POP_HIBER_CONTEXT", "PO_MEMORY_RANGE_ARRAY"}},
    {0x108, {"The disk stack did not write part of the hibernation file correctly", R, "POP_HIBER_CONTEXT", R}},
    {0x109, {"The saved processor state failed its checksum", R, "Expected checksum", "Actual checksum"}},
    {0x10a, {"The disk stack did not read or write part of the hibernation file correctly", R, "POP_HIBER_CONTEXT", "NTSTATUS of the failure"}},
    {0x10b, {"PoSetHiberRange marked boot-phase pages at the wrong time", R, "Current hibernation progress", R}},
    {0x10c, {"PoSetHiberRange was called with invalid parameters", R, "Flags passed to the function", "Length to mark"}},
    {0x200, {"An unknown device type was checked for idleness", R, "DEVICE_OBJECT", "DEVICE_OBJECT_POWER_EXTENSION"}},
    {0x300, {"A battery power IRP returned an unknown status", R, "DEVICE_OBJECT", "IRP"}},
    {0x301, {"The battery is in an unknown state", R, "DEVICE_OBJECT", "IRP"}},
    {0x400, {"A device overran its maximum number of references", R, "IO_STACK_LOCATION", "DEVICE_OBJECT"}},
    {0x401, {"Too many inrush power IRPs are queued", R, "List of pending IRPs", "DEVICE_OBJECT"}},
    {0x402, {"Too many inrush power IRPs are queued", R, "List of pending IRPs", "DEVICE_OBJECT"}},
    {0x403, {"Too many inrush power IRPs are queued", R, "List of pending IRPs", "DEVICE_OBJECT"}},
    {0x404, {"A power IRP was sent to a device object that handles it at passive level", R, "IO_STACK_LOCATION", "DEVICE_OBJECT"}},
    {0x500, {"A thermal power IRP returned an unknown status", R, "IRP", "DEVICE_OBJECT"}},
    {0x600, {"A driver registered twice with the power runtime framework", "The physical device object", R, R}},
    {0x601, {"No power engine plug-in accepted the device's registration", "POP_FX_DEVICE", "PEP_DEVICE_REGISTER", R}},
    {0x602, {"A device node's sleep count does not match its activation count", "The device node", "Sleep count", R}},
    {0x603, {"A power engine plug-in made an invalid work request", "POP_FX_PLUGIN", "Kind of work request", R}},
    END};

/* 0xA5 ACPI_BIOS_ERROR */
static const kdx_bc_sub acpi_bios_subs[] = {
    {0x1, {"ACPI found no System Control Interrupt (SCI) vector in its start resources", "ACPI's device extension", "ACPI's resource list", "0: no resource list, 1: no IRQ resource in the list"}},
    {0x2, {"ACPI could not process the resource list of the PCI root buses", "ACPI extension of the PCI bus", "Which problem it hit", "Depends on Arg3"}},
    {0x3, {"A control method failed while ACPI built its namespace device extensions", "The ACPI object being run", "Value the interpreter returned", "Name of the control method (as a ULONG)"}},
    {0x4, {"A _PRW package element is not an integer", "ACPI extension the _PRW belongs to", "The method", "Data type that came back (see amli.h)"}},
    {0x5, {"A _PRW package has fewer than the two elements the specification requires", "ACPI extension the _PRW belongs to", "The _PRW", "Number of elements in it"}},
    {0x6, {"ACPI could not find a named object that a _PRx refers to", "ACPI extension the _PRx belongs to", "The _PRx", "Name of the object looked for"}},
    {0x7, {"A method that must return a buffer returned another type", "ACPI extension the method belongs to", "The method", "Data type that came back (see amli.h)"}},
    {0x8, {"A method that must return an integer returned another type", "ACPI extension the method belongs to", "The method", "Data type that came back (see amli.h)"}},
    {0x9, {"A method that must return a package returned another type", "ACPI extension the method belongs to", "The method", "Data type that came back (see amli.h)"}},
    {0xa, {"A method that must return a string returned another type", "ACPI extension the method belongs to", "The method", "Data type that came back (see amli.h)"}},
    {0xb, {"ACPI cannot find the object an _EJD string names", "ACPI extension the _EJD belongs to", "Status the interpreter returned", "Name of the object looked for"}},
    {0xc, {"The BIOS gives wrong or too little information for docking", "ACPI extension of the dock device", "The _EJD method", "0: BIOS does not claim a dockable system, 1: duplicate dock extensions"}},
    {0xd, {"A required method or object (_HID or _ADR) is missing from the namespace", "ACPI extension that needs it", "Name of the method looked for (as a ULONG)", "0: base case, 1: conflict"}},
    {0xe, {"A power resource lacks a required _ON, _OFF or _STA", "The namespace power resource", "Name of the method looked for (as a ULONG)", "0: base case"}},
    {0xf, {"ACPI could not parse a resource descriptor", "The buffer being parsed", "The buffer's tag", "Length given for the buffer"}},
    {0x14, {"A resource descriptor's length is larger than MAXULONG", "The buffer being parsed", "The buffer's tag", "Pointer to the 64-bit length"}},
    {0x15, {"Loading an ACPI table failed", "The AML context", "1 load failed, 2 parameter path missing, 3 parameter insert failed, 4 no memory", "NTSTATUS"}},
    {0x16, {"A table declares a child under an object that cannot have children", "The parent NSOBJ", "The child namespace object", R}},
    {0x2001, {"Evaluating the PIC control method failed", "InterruptModel (integer)", "Value the interpreter returned", "The PIC control method"}},
    {0x10001, {"Interrupt routing failed", "The device object", "Its parent", "The _PRT object"}},
    {0x10002, {"A link node named in a _PRT does not exist", "The device object", "Name ACPI looked for", "The _PRT object"}},
    {0x10003, {"The _PRT has no mapping for a device", "The device object", "Device and function (bits 5:0 device, 8:6 function)", "The _PRT object"}},
    {0x10005, {"A _PRT entry gives a function number other than all ones", "The _PRT object", "The current _PRT element", "Device (bits 31:16) and function (bits 15:0)"}},
    {0x10006, {"A link node cannot be disabled (it has no _DIS)", "The link node", "0", "0"}},
    {0x10007, {"The _PRT names a vector the I/O APIC table does not describe", "The vector", "0", "0"}},
    {0x10008, {"The ACPI SCI interrupt level is invalid", "The interrupt level", "0", "0"}},
    {0x10009, {"The Fixed ACPI Description Table (FADT) was not found", "0", "0", "0"}},
    {0x1000a, {"The RSDP or XSDT was not found", "0", "0", "0"}},
    {0x1000b, {"An ACPI table's length does not match its revision", "Signature of the table", "The table", "0"}},
    {0x20000, {"The FADT's PM_TMR_BLK does not point at a working ACPI timer", "The I/O port in the fixed table", "0", "0"}},
    END};

/* 0xC1 SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION: Arg4 selects. */
static const kdx_bc_sub special_pool_subs[] = {
    {0x20, {"Address the driver tried to free", R, "0", "0x20: the driver freed pool that was never allocated"}},
    {0x21, {"Address the driver tried to free", "Bytes requested", "Bytes actually given to the caller", "0x21: the driver freed a bad address"}},
    {0x22, {"Address the driver tried to free", "Bytes requested", "Bytes actually given to the caller", "0x22: the driver freed a bad address"}},
    {0x23, {"Address the driver tried to free", "Address where the bits are corrupted", R, "0x23: bytes next to the block, in the same page, were overwritten"}},
    {0x24, {"Address the driver tried to free", "Address where the bits are corrupted", R, "0x24: bytes after the end of the allocation were overwritten"}},
    END};

/* 0xC2 BAD_POOL_CALLER */
static const kdx_bc_sub bad_pool_caller_subs[] = {
    {0x0, {"The thread asked for a pool allocation of zero bytes", "0", "Pool type", "Pool tag"}},
    {0x1, {"A pool header is corrupt", "Address of the pool header", "First part of the header's contents", "0"}},
    {0x2, {"A pool header is corrupt", "Address of the pool header", "First part of the header's contents", "0"}},
    {0x4, {"A pool header is corrupt", "Address of the pool header", "First part of the header's contents", "0"}},
    {0x6, {"The thread freed pool that was already free", R, "Address of the pool header", "Contents of the pool header"}},
    {0x7, {"The thread freed pool that was already free", R, "Contents of the pool header", "Address of the block being freed"}},
    {0x8, {"The thread allocated pool at an IRQL where that pool type is not allowed", "Current IRQL", "Pool type", "Size of the allocation in bytes"}},
    {0x9, {"The thread freed pool at an IRQL where that pool type is not allowed", "Current IRQL", "Pool type", "Address of the pool"}},
    {0xa, {"The thread freed pool with a tag other than the one it was allocated with", "Address of the pool", "Tag the block was allocated with", "Tag passed to the free"}},
    {0xb, {"Quota was released on a corrupt pool allocation", "Address of the pool", "Tag of the allocation", "The bad quota process pointer"}},
    {0xc, {"Quota was released on a corrupt pool allocation", "Address of the pool", "Tag of the allocation", "The bad quota process pointer"}},
    {0xd, {"Quota was released on a corrupt pool allocation", "Address of the pool", "Tag of the allocation", "The bad quota process pointer"}},
    {0x40, {"The thread freed kernel pool at a user-mode address", "Starting address", "Start of system address space", "0"}},
    {0x41, {"The thread freed a nonpaged pool address that is not allocated", "Starting address", "Physical page frame", "Highest physical page frame"}},
    {0x42, {"The thread freed a virtual address that was never in any pool", "Address being freed", "0", "0"}},
    {0x43, {"The thread freed a virtual address that was never in any pool", "Address being freed", "0", "0"}},
    {0x44, {"The thread freed a nonpaged pool address that is not allocated", "Starting address", R, "0"}},
    {0x46, {"The thread freed an invalid pool address", "Starting address", "0", "0"}},
    {0x47, {"The thread freed a nonpaged pool address that is not allocated", "Starting address", "Physical page frame", "Highest physical page frame"}},
    {0x48, {"The thread freed a paged pool address that is not allocated", "Starting address", R, R}},
    {0x50, {"The thread freed a paged pool address that is not allocated", "Starting address", "Offset in pages from the start of paged pool", "Size of paged pool in bytes"}},
    {0x60, {"MmFreeContiguousMemory was given an address it never allocated", "Starting address", "0", "0"}},
    {0x99, {"The thread freed pool at an invalid address (or the pool header is corrupt)", "Address being freed", "0", "0"}},
    {0x9a, {"An allocation asked for MUST_SUCCEED pool, which is no longer supported", "Pool type", "Number of bytes requested", "Pool tag"}},
    {0x9b, {"An allocation used a pool tag of zero", "Pool type", "Number of bytes requested", "Address of the caller"}},
    {0x9c, {"An allocation used the reserved pool tag \"BIG\"", "Pool type", "Number of bytes requested", "Address of the caller"}},
    {0x9d, {"An allocation used a pool tag with no letters or digits", "The tag that was used", "Pool type", "Address of the caller"}},
    {0x41286, {"The thread freed a paged pool address in the middle of an allocation", R, R, "Offset in pages from the start of paged pool"}},
    END};

/* 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION */
static const kdx_bc_sub verifier_subs[] = {
    {0x0, {"A driver requested a pool allocation of zero bytes", "Current IRQL", "Pool type", "Number of bytes"}},
    {0x1, {"A driver allocated paged pool at IRQL above APC_LEVEL", "Current IRQL", "Pool type", "Size of the allocation"}},
    {0x2, {"A driver allocated nonpaged pool at IRQL above DISPATCH_LEVEL", "Current IRQL", "Pool type", "Size of the allocation"}},
    {0x10, {"A driver freed an address that no allocation returned", "The bad address", "0", "0"}},
    {0x11, {"A driver freed paged pool at IRQL above APC_LEVEL", "Current IRQL", "Pool type", "Address of the pool"}},
    {0x12, {"A driver freed nonpaged pool at IRQL above DISPATCH_LEVEL", "Current IRQL", "Pool type", "Address of the pool"}},
    {0x13, {"A driver freed pool that was already freed", R, "Address of the pool header", "Contents of the pool header"}},
    {0x14, {"A driver freed pool that was already freed", R, "Address of the pool header", "Contents of the pool header"}},
    {0x62, {"A driver is unloading without freeing its pool allocations", "Name of the driver (UNICODE_STRING address)", "Verifier internal structure with driver information", "Total number of allocations not freed"}},
    {0xc5, {"A driver's dispatch routine returned with a different APC disable count than it was called with", "Address of the driver dispatch routine", "Current thread's APC disable count (KernelApcDisable)", "Thread's APC disable count before the dispatch routine was called"}},
    {0x1000, {"A resource was acquired or released with APCs enabled, or in the wrong state", "Address of the resource", R, R}},
    {0x2000, {"Code Integrity: a driver allocated executable non-paged pool", NULL, NULL, NULL}},
    END};

/* 0xC7 TIMER_OR_DPC_INVALID */
static const kdx_bc_sub timer_dpc_subs[] = {
    {0x0, {"A timer object lies in memory where timers are not allowed (freed without cancelling?)", "The timer object", "Start of the memory range checked", "End of the memory range checked"}},
    {0x1, {"A DPC object lies in memory where DPCs are not allowed", "The DPC object", "Start of the memory range checked", "End of the memory range checked"}},
    {0x2, {"A DPC routine lies in memory where DPCs are not allowed (driver unloaded?)", "The DPC routine", "Start of the memory range checked", "End of the memory range checked"}},
    {0x3, {"The DPC object's processor number is wrong", "The DPC object", "Processor number", "Number of processors"}},
    {0x4, {"A DPC routine changed the thread's APC disable count", "The DPC routine", "APC disable count before the call", "APC disable count after the call"}},
    {0x5, {"A timer DPC routine changed the thread's APC disable count", "The DPC routine", "APC disable count before the call", "APC disable count after the call"}},
    END};

/* 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION */
static const kdx_bc_sub io_verifier_subs[] = {
    {0x1, {"The driver freed an object that is not an IRP (type is not IO_TYPE_IRP)", "Address of the IRP being freed", "0", "0"}},
    {0x2, {"The driver freed an IRP that is still associated with a thread", "Address of the IRP being freed", "0", "0"}},
    {0x3, {"IoCallDriver was given an IRP whose type field is wrong", "Address of the IRP being sent", "0", "0"}},
    {0x4, {"IoCallDriver was given an invalid device object", "Address of the device object", "0", "0"}},
    {0x5, {"The IRQL changed across a call to a driver dispatch routine", "Device object of the driver at fault", "IRQL before IoCallDriver", "IRQL after IoCallDriver"}},
    {0x6, {"IoCompleteRequest was called with a pending status (or -1)", "The IRP status", "Address of the IRP being completed", "0"}},
    {0x7, {"IoCompleteRequest was called while the IRP's cancel routine was still set", "Address of the cancel routine", "Address of the IRP being completed", "0"}},
    {0x8, {"IoBuildAsynchronousFsdRequest was given an invalid buffer", "Address of the device object", "IRP major function code", "Exception status code"}},
    {0x9, {"IoBuildDeviceIoControlRequest was given an invalid buffer", "Address of the device object", "I/O control code", "Exception status code"}},
    {0xa, {"IoInitializeTimer was given a device object whose timer is already initialized", "Address of the device object", "0", "0"}},
    {0xc, {"An IRP was given an I/O status block on a stack that has already unwound", "Address of the I/O status block", "0", "0"}},
    {0xd, {"An IRP was given a user event on a stack that has already unwound", "Address of the user event object", "0", "0"}},
    {0xe, {"IoCompleteRequest was called above DISPATCH_LEVEL", "Current IRQL", "Address of the IRP", "0"}},
    {0xf, {"A create request was sent with a file object that was closed or whose open was cancelled", "Device object the IRP is sent to", "The IRP", "The file object"}},
    {0x10, {"IoCallDriver was called above DISPATCH_LEVEL", "Current IRQL", R, R}},
    {0x11, {"A fast I/O dispatch routine returned at a different IRQL", "Address of the fast I/O dispatch routine", "IRQL before the call", "Current IRQL"}},
    {0x12, {"A dispatch routine returned at a different IRQL", "Address of the dispatch routine", "IRQL before the call", "Current IRQL"}},
    END};

/* 0xCA PNP_DETECTED_FATAL_ERROR */
static const kdx_bc_sub pnp_fatal_subs[] = {
    {0x1, {"Two child devices reported the same identity (duplicate PDO)", "The newly reported PDO", "The older PDO it duplicates", R}},
    {0x2, {"An API that needs a PDO got random memory, an FDO, or a PDO never reported to PnP", "The object passed as a PDO", "The driver object", R}},
    {0x3, {"A driver reported an invalid identifier for a child device", "PDO whose identifier is bad", "Address of the identifier buffer", "Which ID: 1 device, 2 unique, 3 hardware, 4 compatible"}},
    {0x4, {"A PDO was enumerated again after it had been deleted", "The PDO", R, R}},
    {0x5, {"A PDO was freed while still linked into the device tree (missing reference?)", "The PDO", R, R}},
    {0x8, {"A bus driver returned a NULL PDO among its bus relations", "PDO whose stack returned the relations", "Number of PDOs returned", "Index of the first NULL PDO"}},
    {0x9, {"IoDisconnectInterruptEx got a connection type that does not match the connect call", "The connection type passed", R, R}},
    {0xa, {"A driver's PnP notification callback changed the IRQL or APC disable count", "The driver object", "IRQL after the callback", "Combined APC disable count after the callback"}},
    {0xb, {"A removal relation of the device being removed was already deleted", "The related PDO", "The removal relations", R}},
    END};

/* 0x10D WDF_VIOLATION */
static const kdx_bc_sub wdf_subs[] = {
    {0x1, {"A framework driver timed out in a power operation (often pageable code after the paging stack slept)", "WDF_POWER_ROUTINE_TIMED_OUT_DATA", R, R}},
    {0x2, {"The driver tried to acquire a framework lock it already holds", R, R, R}},
    {0x3, {"A request was completed while its input or output buffers were still referenced", "The WDFREQUEST handle", "Number of references left on the buffers", R}},
    {0x4, {"NULL was passed to a framework function that requires a value", R, "Address of the caller", R}},
    {0x5, {"A framework object handle of the wrong type was passed to a method", "The handle that was passed", R, R}},
    {0x6, {"A fatal error occurred while a WDF request was processed", "Which error (WDF_REQUEST_FATAL_ERROR value)", "Depends on Arg2", R}},
    {0x7, {"A framework object was deleted by dereferencing its handle, not by WdfObjectDelete", "Handle of the framework object", R, R}},
    {0x8, {"A DMA transaction object was used while in the wrong state", "Handle of the DMA transaction", R, R}},
    {0xa, {"A fatal error occurred while a queue processed its requests", "WDF_QUEUE_FATAL_ERROR_DATA", R, R}},
    {0xb, {"A fatal error occurred with a framework object (Arg2 says which)", "Kind of error", "Depends on Arg2", R}},
    {0xc, {"A state-changing PnP IRP arrived while another was still being handled", "The WDFDEVICE handle", "The new PnP IRP", R}},
    {0xd, {"The device's power policy owner got a power IRP it did not request (two owners?)", "The WDFDEVICE handle", "The power IRP", R}},
    {0xe, {"An event callback returned at a different IRQL than it was called at", "IRQL when the callback was called", "IRQL when the callback returned", R}},
    {0xf, {"An event callback entered a critical region and did not leave it", "Address of the event callback", R, R}},
    END};

/* 0x126 NETIO_INVALID_POOL_CALLER */
static const kdx_bc_sub netio_pool_subs[] = {
    {0x1, {"A NETIO pool is in an invalid state", "The memory block or MDL", "The page", "The per-CPU pool"}},
    {0x2, {"A NETIO MDL is in an invalid state", "The MDL", "The per-CPU pool", "The pool header"}},
    END};

/* 0x133 DPC_WATCHDOG_VIOLATION */
static const kdx_bc_sub dpc_watchdog_subs[] = {
    {0x0, {"A single DPC or ISR exceeded its time allotment; the offending component is usually on the stack",
           "The DPC time count (in ticks)", "The DPC time allotment (in ticks)", "Address of watchdog triage data (cast to nt!_KPRCB-relative info), reserved"}},
    {0x1, {"The system cumulatively spent too long at IRQL DISPATCH_LEVEL or above", "The watchdog period (in ticks)",
           "Address of nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK (cast with dt to see details)", R}},
    END};

/* 0x139 KERNEL_SECURITY_CHECK_FAILURE: Arg1 is the FAST_FAIL code. */
static const kdx_bc_sub fast_fail_subs[] = {
    {0, {"FAST_FAIL_LEGACY_GS_VIOLATION: a stack cookie (/GS) check failed", NULL, NULL, NULL}},
    {1, {"FAST_FAIL_VTGUARD_CHECK_FAILURE", NULL, NULL, NULL}},
    {2, {"FAST_FAIL_STACK_COOKIE_CHECK_FAILURE: a stack-based buffer has been overrun", NULL, NULL, NULL}},
    {3, {"FAST_FAIL_CORRUPT_LIST_ENTRY: a LIST_ENTRY has been corrupted (double remove)", NULL, NULL, NULL}},
    {4, {"FAST_FAIL_INCORRECT_STACK", NULL, NULL, NULL}},
    {5, {"FAST_FAIL_INVALID_ARG", NULL, NULL, NULL}},
    {6, {"FAST_FAIL_GS_COOKIE_INIT", NULL, NULL, NULL}},
    {7, {"FAST_FAIL_FATAL_APP_EXIT", NULL, NULL, NULL}},
    {8, {"FAST_FAIL_RANGE_CHECK_FAILURE", NULL, NULL, NULL}},
    {9, {"FAST_FAIL_UNSAFE_REGISTRY_ACCESS", NULL, NULL, NULL}},
    {10, {"FAST_FAIL_GUARD_ICALL_CHECK_FAILURE: an indirect call target failed the CFG check", NULL, NULL, NULL}},
    {11, {"FAST_FAIL_GUARD_WRITE_CHECK_FAILURE", NULL, NULL, NULL}},
    {12, {"FAST_FAIL_INVALID_FIBER_SWITCH", NULL, NULL, NULL}},
    {13, {"FAST_FAIL_INVALID_SET_OF_CONTEXT", NULL, NULL, NULL}},
    {14, {"FAST_FAIL_INVALID_REFERENCE_COUNT: a reference count went negative or overflowed", NULL, NULL, NULL}},
    {18, {"FAST_FAIL_INVALID_JUMP_BUFFER", NULL, NULL, NULL}},
    {19, {"FAST_FAIL_MRDATA_MODIFIED", NULL, NULL, NULL}},
    {20, {"FAST_FAIL_CERTIFICATION_FAILURE", NULL, NULL, NULL}},
    {21, {"FAST_FAIL_INVALID_EXCEPTION_CHAIN", NULL, NULL, NULL}},
    {22, {"FAST_FAIL_CRYPTO_LIBRARY", NULL, NULL, NULL}},
    {23, {"FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT", NULL, NULL, NULL}},
    {24, {"FAST_FAIL_INVALID_IMAGE_BASE", NULL, NULL, NULL}},
    {25, {"FAST_FAIL_DLOAD_PROTECTION_FAILURE", NULL, NULL, NULL}},
    {26, {"FAST_FAIL_UNSAFE_EXTENSION_CALL", NULL, NULL, NULL}},
    {29, {"FAST_FAIL_INVALID_BALANCED_TREE: an RTL_BALANCED_NODE tree is corrupt", NULL, NULL, NULL}},
    {37, {"FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG", NULL, NULL, NULL}},
    {38, {"FAST_FAIL_CAST_GUARD", NULL, NULL, NULL}},
    {43, {"FAST_FAIL_INVALID_FAST_FAIL_CODE", NULL, NULL, NULL}},
    END};

/* 0x13A KERNEL_MODE_HEAP_CORRUPTION */
static const kdx_bc_sub kernel_heap_subs[] = {
    {0x3, {"An entry header is corrupt", NULL, NULL, NULL}},
    {0x4, {"Several entry headers are corrupt", NULL, NULL, NULL}},
    {0x5, {"The entry header of a large allocation is corrupt", NULL, NULL, NULL}},
    {0x6, {"Corruption that looks like a buffer overrun", NULL, NULL, NULL}},
    {0x7, {"Corruption that looks like a buffer underrun", NULL, NULL, NULL}},
    {0x8, {"A free block was given to an operation that needs an allocated one (double free?)", NULL, NULL, NULL}},
    {0x9, {"An invalid argument was passed to the heap operation", NULL, NULL, NULL}},
    {0xa, {"An invalid allocation type was found", NULL, NULL, NULL}},
    {0xb, {"Corruption that looks like a use after free", NULL, NULL, NULL}},
    {0xc, {"The operation was given the wrong heap for the block", NULL, NULL, NULL}},
    {0xd, {"A free list is corrupt", NULL, NULL, NULL}},
    {0xe, {"A list other than the free list is corrupt", NULL, NULL, NULL}},
    {0xf, {"A free block was given to an operation that needs an allocated one", NULL, NULL, NULL}},
    {0x10, {"Invalid internal heap state (usually from a buffer overflow)", NULL, NULL, NULL}},
    {0x11, {"Invalid internal heap state (usually from a buffer overflow)", NULL, NULL, NULL}},
    {0x12, {"Invalid internal heap state (usually from a buffer overflow)", NULL, NULL, NULL}},
    {0x13, {"A NULL heap handle was passed to the heap", NULL, NULL, NULL}},
    {0x14, {"The allocation is larger than the current allocation limit", NULL, NULL, NULL}},
    {0x15, {"A commit would exceed the current commit limit", NULL, NULL, NULL}},
    {0x16, {"A size query on a VA manager allocation was invalid", NULL, NULL, NULL}},
    END};

/* 0xE4 WORKER_INVALID */
static const kdx_bc_sub worker_invalid_subs[] = {
    {0x0, {"A work item that was still active was freed", "Address of the work item", "Start of the pool block", "End of the pool block"}},
    {0x1, {"A work item that was still active was queued again", "Address of the work item", "Queue number", "0"}},
    {0x2, {"A queued I/O work item was freed", "Address of the work item", "Address of the I/O worker routine", "0"}},
    {0x3, {"An I/O work item was initialized with an invalid object", "Address of the work item", "Address of the invalid object", "0"}},
    {0x5, {"A work item was queued before the worker queues were initialized", "Address of the work item", "Queue number", "Targeted NUMA node, or -1 if all nodes were searched"}},
    {0x6, {"A work item was queued with an invalid queue type", "Address of the work item", "Queue number", "0"}},
    {0x7, {"A work item was queued with an invalid worker routine address", "Address of the work item", "Queue number", "0"}},
    END};

/* 0x103 MUP_FILE_SYSTEM */
static const kdx_bc_sub mup_subs[] = {
    {0x1, {"MUP has no file context for a file object (it never saw the create; likely a filter)", "The pending IRP", "File object whose context is missing", "The device object"}},
    {0x2, {"A file object's file context is not the one expected (for example NULL)", "The file context expected", "The value found in the file object", R}},
    {0x3, {"An IRP completed with an unexpected status (checked builds; filter on a legacy redirector)", "The IRP context", "The completion status", "Driver object of the UNC provider that completed it (may be NULL)"}},
    {0x4, {"I/O was started on a file object before its create request completed", "The IRP", "The file object", "The file object's context"}},
    END};

/* 0xF5 FLTMGR_FILE_SYSTEM */
static const kdx_bc_sub fltmgr_subs[] = {
    {0x66, {"A minifilter asked for a post-operation callback it never registered", "The operation's callback data (see !fltkd.cbd)", "0", "0"}},
    {0x67, {"An internal object ran out of space and more could not be allocated", "The operation's callback data", "0", "NTSTATUS of the failure"}},
    {0x68, {"A FLT_FILE_NAME_INFORMATION was dereferenced too many times", R, "The FLT_FILE_NAME_INFORMATION", R}},
    {0x6a, {"A create could not be cancelled because handles were already opened to the file", "The file object", "0", "0"}},
    {0x6b, {"Invalid internal state of a back-pocket IRPCTRL", "Frame ID", "0", "The thread"}},
    {0x6c, {"Too many nested page faults for a back-pocket IRPCTRL", "Frame ID", "The back-pocket list", "The thread"}},
    {0x6d, {"A minifilter context was released too many times (FltReleaseContext)", "The minifilter's context", "The CONTEXT_NODE", "0"}},
    {0x6e, {"A minifilter context was referenced after it was freed", "The minifilter's context", "The CONTEXT_NODE", "0"}},
    END};

/* 0xF6 PCI_VERIFIER_DETECTED_VIOLATION: only Arg1 is documented. */
static const kdx_bc_sub pci_verifier_subs[] = {
    {0x1, {"1: the BIOS reprogrammed an active bridge during a docking event", NULL, NULL, NULL}},
    {0x2, {"2: the PMCSR register was not updated within the time the specification requires", NULL, NULL, NULL}},
    {0x3, {"3: a driver wrote to parts of a device's PCI config space that Windows controls", NULL, NULL, NULL}},
    END};

/* 0xF8 RAMDISK_BOOT_INITIALIZATION_FAILED */
static const kdx_bc_sub ramdisk_subs[] = {
    {0x1, {"1: no LoaderXIPRom descriptor in the loader memory list", NULL, NULL, NULL}},
    {0x2, {"2: the RAM disk driver (ramdisk.sys, \\Device\\Ramdisk) could not be opened", NULL, NULL, NULL}},
    {0x3, {"3: FSCTL_CREATE_RAM_DISK failed", NULL, NULL, NULL}},
    {0x4, {"4: the GUID string could not be built from the binary GUID", NULL, NULL, NULL}},
    {0x5, {"5: the symbolic link to the RAM disk device could not be created", NULL, NULL, NULL}},
    END};

/* 0x10C FSRTL_EXTRA_CREATE_PARAMETER_VIOLATION */
static const kdx_bc_sub ecp_subs[] = {
    {0x1, {"The ECP's signature is wrong (bad pointer or memory corruption)", NULL, NULL, NULL}},
    {0x2, {"The ECP has undefined flags set", NULL, NULL, NULL}},
    {0x3, {"The ECP was not allocated by FsRtl", NULL, NULL, NULL}},
    {0x4, {"The ECP has flags that a create caller may not pass", NULL, NULL, NULL}},
    {0x5, {"The ECP is corrupt: its size is smaller than its header", NULL, NULL, NULL}},
    {0x6, {"An ECP being freed is still linked into a list", NULL, NULL, NULL}},
    {0x11, {"The ECP list's signature is wrong (bad pointer or memory corruption)", NULL, NULL, NULL}},
    {0x12, {"The ECP list has undefined flags set", NULL, NULL, NULL}},
    {0x13, {"The ECP list was not allocated by FsRtl", NULL, NULL, NULL}},
    {0x14, {"The ECP list has flags that a create caller may not pass", NULL, NULL, NULL}},
    {0x15, {"The ECP list passed by the create caller is empty", NULL, NULL, NULL}},
    END};

/* 0x14F PDC_WATCHDOG_TIMEOUT and its live dump 0x15C: Arg2 selects. */
static const kdx_bc_sub pdc_subs[] = {
    {0x1, {NULL, "1: a notification client did not respond", "The notification client (PDC_NOTIFICATION_CLIENT)", "pdc!PDC_14F_TRIAGE"}},
    {0x2, {NULL, "2: a resiliency client did not respond", "The resiliency client (PDC_RESILIENCY_CLIENT)", "pdc!PDC_14F_TRIAGE"}},
    {0x3, {NULL, "3: an activator client kept its reference too long", "The activator client (pdc!_PDC_ACTIVATOR_CLIENT)", "pdc!PDC_14F_TRIAGE"}},
    {0x100, {NULL, "0x100: Win32k did not finish a monitor-on request in time", "Latest POWER_MONITOR_REQUEST_REASON of the request", "Which internal path started the request"}},
    END};

/* 0x157 KERNEL_THREAD_PRIORITY_FLOOR_VIOLATION: Arg3 selects. */
static const kdx_bc_sub priority_floor_subs[] = {
    {0x1, {NULL, NULL, "1: the counter for the target priority overflowed", NULL}},
    {0x2, {NULL, NULL, "2: the counter for the target priority underflowed", NULL}},
    {0x3, {NULL, NULL, "3: the target priority value is not allowed", NULL}},
    END};

/* 0x164 WIN32K_CRITICAL_FAILURE */
static const kdx_bc_sub win32k_critical_subs[] = {
    {0x1, {"A region lies outside the bounds of its surface", "The DC", "The SURFACE", "The REGION"}},
    {0x2, {"Memory was allocated with operator new", R, R, R}},
    {0x3, {"A critical API set extension function is missing", "Name of the missing function (wchar_t *)", R, R}},
    {0x4, {"A GDI sprite's shape was deleted while the sprite still exists", "Handle of the SURFACE", "Reference count of the SURFACE", "Process ID of the SURFACE's owner"}},
    {0x5, {"The pointer device could not be opened exclusively", "Name of the device (UNICODE_STRING)", R, R}},
    {0x8, {"A public DC points at an object one process owns", "The DC", "Process ID that owns the object", R}},
    {0xa, {"TTFD used an invalid function table index", R, R, R}},
    {0xb, {"ATMFD used an invalid function table index", R, R, R}},
    {0xc, {"A PALETTE used an invalid function table index", "The PALETTE", "The invalid index", "Highest valid index plus one"}},
    {0x10, {"Registering the secure attention sequence (SAS) key failed", "Virtual key", "Modifiers", "Flags"}},
    END};

/* 0x1A0 TTM_WATCHDOG_TIMEOUT */
static const kdx_bc_sub ttm_subs[] = {
    {0x1, {"Assigning a device to a terminal is not making progress", NULL, NULL, NULL}},
    {0x2, {"The device's close callback is not making progress", NULL, NULL, NULL}},
    {0x3, {"The device's set-input-mode callback is not making progress", NULL, NULL, NULL}},
    {0x4, {"The device's set-display-state callback is not making progress", NULL, NULL, NULL}},
    {0x5, {"Setting the device's built-in panel state is not making progress", NULL, NULL, NULL}},
    {0x6, {"Updating the device's primary display visibility is not making progress", NULL, NULL, NULL}},
    END};

/* 0x1C6 FAST_ERESOURCE_PRECONDITION_VIOLATION */
static const kdx_bc_sub fast_eresource_subs[] = {
    {0x0, {"The caller's IRQL is above the highest the routine allows", "IRQL of the caller", "Highest IRQL the routine allows", R}},
    {0x1, {"The caller passed an owner entry that was never initialized", "The owner entry", R, R}},
    {0x2, {"The caller passed an owner entry already tied to a lock acquisition", "The owner entry", "The resource the entry is tied to", R}},
    {0x3, {"A legacy resource was passed to a fast resource routine", "The resource", R, R}},
    {0x4, {"The resource still has acquisitions outstanding", "The resource", R, R}},
    {0x5, {"The caller was running inside a DPC", R, R, R}},
    {0x6, {"The caller was running inside a special kernel APC", R, R, R}},
    {0x7, {"The caller did not disable normal kernel APCs", R, R, R}},
    {0x8, {"The owner entry is not tied to an acquisition of this resource", "The resource passed", "The owner entry", "The resource the entry is tied to"}},
    END};

/* 0x1C7 STORE_DATA_STRUCTURE_CORRUPTION */
static const kdx_bc_sub store_corruption_subs[] = {
    {0x0, {"A chunk heap buffer's hash does not match", "The chunk heap buffer", "Expected hash of the buffer", "Page frame number of the corrupted page"}},
    {0x1, {"An exception on the store thread, likely from a chunk heap buffer whose hash does not match", "The chunk heap buffer", "Expected hash of the buffer", "Page frame number of the corrupted page"}},
    {0x2, {"Page data read back looks corrupt and its page record's buffer hash does not match", "The chunk heap buffer holding the page record", "Expected hash of the buffer", "Page frame number of the corrupted page"}},
    {0x3, {"Page data read back looks corrupt and its page record changed during the read", "Page location captured when the read started", "The page record now in the page tree for that key", R}},
    END};

/* 0x119 VIDEO_SCHEDULER_INTERNAL_ERROR: only Arg1 is documented. */
static const kdx_bc_sub video_scheduler_subs[] = {
    {0x1, {"The driver reported an invalid fence ID", NULL, NULL, NULL}},
    {0x2, {"The driver failed when a command was submitted", NULL, NULL, NULL}},
    {0x3, {"The driver failed while patching the command buffer", NULL, NULL, NULL}},
    {0x4, {"The driver reported an invalid flip capability", NULL, NULL, NULL}},
    {0x5, {"The driver failed a system or paging command", NULL, NULL, NULL}},
    {0x400, {"Internal OS state error (usually memory corruption or bad hardware)", NULL, NULL, NULL}},
    {0xe00, {"No preallocated packets were left for passive flip requests", NULL, NULL, NULL}},
    {0x1000, {"Internal OS state error (usually memory corruption or bad hardware)", NULL, NULL, NULL}},
    {0x10000, {"Internal OS state error (usually memory corruption or bad hardware)", NULL, NULL, NULL}},
    END};

/* 0x144 BUGCODE_USB3_DRIVER */
#define XHCI_CTX "XHCI_LIVEDUMP_CONTEXT"
static const kdx_bc_sub usb3_subs[] = {
    {0x1, {"A client driver reused a URB it had already sent to the core stack", "IRP used to resend the URB (optional)", "The URB", "Client driver's device object"}},
    {0x2, {"A boot or paging device failed to enumerate again", "PDO of the boot device", R, R}},
    {0x3, {"A client driver sent a corrupt URB (not from USBD_xxxUrbAllocate, or underrun)", "IRP used to send the URB (optional)", "The corrupt URB", "Client driver's device object"}},
    {0x800, {"An Open Static Streams request was sent above PASSIVE_LEVEL", "IRQL of the request", "The Open Static Streams IRP", "Client driver's device object"}},
    {0x801, {"Static streams were opened before the streams capability was queried", "The Open Static Streams IRP", "The Open Static Streams URB", "Client driver's device object"}},
    {0x802, {"A client asked for an invalid number of static streams", "Number of streams asked for", "Number of streams granted", "Client driver's device object"}},
    {0x803, {"Static streams were opened on an endpoint that already has them open", "The Open Static Streams IRP", "The Open Static Streams URB", "Client driver's device object"}},
    {0x804, {"A client did not close a USBD handle or free a URB (see !usbanalyze -v)", "The leaked handle context", "Device object passed to USBD_CreateHandle", R}},
    {0x805, {"A Close Static Streams URB was sent in an invalid state", "WDFREQUEST of the Close Static Streams URB", "The Close Static Streams URB", "Client driver's device object"}},
    {0x806, {"A chained MDL was sent before the chained MDL capability was queried", "The IRP", "The URB", "Client driver's device object"}},
    {0x807, {"A URB's transfer length is longer than its MDL's byte count", "The chained MDL", "The URB", "Client driver's device object, if known"}},
    {0x1001, {"The xHCI controller raised HSE (host system error)", XHCI_CTX, R, R}},
    {0x1002, {"The xHCI controller raised HCE (host controller error)", XHCI_CTX, R, R}},
    {0x1003, {"An xHCI stop endpoint command returned an unhandled completion code", XHCI_CTX, R, R}},
    {0x1007, {"Resetting the xHCI controller failed during reset recovery", XHCI_CTX, R, R}},
    {0x1008, {"Restarting the xHCI controller failed during reset recovery", XHCI_CTX, R, R}},
    {0x1009, {"An xHCI command did not complete after the command-timeout abort", XHCI_CTX, R, R}},
    {0x100c, {"The xHCI controller's firmware is not supported", XHCI_CTX, R, R}},
    {0x100d, {"The controller was physically removed", XHCI_CTX, R, R}},
    {0x100f, {"The xHCI controller's firmware is outdated", XHCI_CTX, R, R}},
    {0x1010, {"A transfer event TRB completed with an unhandled completion code", XHCI_CTX, R, R}},
    {0x1011, {"The controller's event ring became full (events may be lost)", XHCI_CTX, R, R}},
    END};

/* 0x189 BAD_OBJECT_HEADER: Arg3 selects. */
static const kdx_bc_sub bad_object_header_subs[] = {
    {0x0, {NULL, NULL, "0: the type index is corrupt", NULL}},
    {0x1, {NULL, NULL, "1: the object's security descriptor is invalid", NULL}},
    END};

/* 0x1D2 WORKER_THREAD_INVALID_STATE */
static const kdx_bc_sub worker_state_subs[] = {
    {0x0, {"A worker thread that is terminating still has I/O outstanding", NULL, NULL, NULL}},
    END};

/* 0x131 INVALID_EXTENDED_PROCESSOR_STATE */
static const kdx_bc_sub xstate_subs[] = {
    {0x0, {"0: an invalid feature mask was passed, or extended state is not enabled", "Non-zero if extended state is enabled", "Low 32 bits of the feature mask", "High 32 bits of the feature mask"}},
    {0x1, {"1: extended state was saved or restored above DISPATCH_LEVEL", "The IRQL", R, R}},
    {0x2, {"2: the state saved earlier is for an equal or higher level", "The saved level", "The current level", R}},
    {0x3, {"3: the state saved earlier belongs to another thread", "The saved thread", "The current thread", R}},
    {0x4, {"4: the state saved earlier is for a different level", "The saved level", "The current level", R}},
    END};

/* 0x153 KERNEL_LOCK_ENTRY_LEAKED_ON_THREAD_TERMINATION: Arg3 selects. */
static const kdx_bc_sub lock_entry_subs[] = {
    {0x1, {NULL, NULL, "1: the entry's lock pointer is not NULL", NULL}},
    {0x2, {NULL, NULL, "2: reserved bits of the entry's thread pointer are set", NULL}},
    {0x3, {NULL, NULL, "3: the entry's thread pointer is corrupt", NULL}},
    {0x4, {NULL, NULL, "4: the entry still has I/O or CPU boosts left", NULL}},
    END};

/* 0x18C HYPERGUARD_VIOLATION */
static const kdx_bc_sub hyperguard_subs[] = {
    {0x1001, {"Corrupted region: a generic data region", NULL, NULL, NULL}},
    {0x1002, {"Corrupted region: a page hash mismatch", NULL, NULL, NULL}},
    {0x1004, {"Corrupted region: a processor IDT", NULL, NULL, NULL}},
    {0x1005, {"Corrupted region: a processor GDT", NULL, NULL, NULL}},
    {0x1007, {"Corrupted region: a debug routine was modified", NULL, NULL, NULL}},
    {0x1008, {"Corrupted region: a dynamic code region", NULL, NULL, NULL}},
    {0x1009, {"Corrupted region: a generic shareable data region", NULL, NULL, NULL}},
    {0x100a, {"Corrupted region: a hypervisor overlay region", NULL, NULL, NULL}},
    {0x100b, {"Corrupted region: a processor mode is misconfigured", NULL, NULL, NULL}},
    {0x100c, {"Corrupted region: an extended processor control register", NULL, NULL, NULL}},
    {0x100d, {"Corrupted region: a secure memory region", NULL, NULL, NULL}},
    {0x100e, {"Corrupted region: a loaded module", NULL, NULL, NULL}},
    {0x100f, {"Corrupted region: a processor state region", NULL, NULL, NULL}},
    {0x1010, {"Corrupted region: the kernel CFG bitmap", NULL, NULL, NULL}},
    {0x1011, {"Corrupted region: the page at virtual address 0", NULL, NULL, NULL}},
    {0x1012, {"Corrupted region: the alternate inverted function table", NULL, NULL, NULL}},
    {0x1013, {"An on-demand page verification failed", NULL, NULL, NULL}},
    {0x1016, {"Corrupted region: a secure image region", NULL, NULL, NULL}},
    {0x1017, {"Kernel virtual address protections are inconsistent", NULL, NULL, NULL}},
    {0x1101, {"Internal context corruption", NULL, NULL, NULL}},
    {0x1102, {"The IDTR was modified", NULL, NULL, NULL}},
    {0x1103, {"The GDTR was modified", NULL, NULL, NULL}},
    END};

/* 0x1E4 VIDEO_DXGKRNL_SYSMM_FATAL_ERROR */
static const kdx_bc_sub sysmm_subs[] = {
    {0x1, {"Invalid physical object type", NULL, NULL, NULL}},
    {0x2, {"IOMMU enabled with an invalid reason", NULL, NULL, NULL}},
    {0x3, {"IOMMU disabled with an invalid reason", NULL, NULL, NULL}},
    {0x4, {"An ADL is being built over memory that is not locked", NULL, NULL, NULL}},
    {0x5, {"Memory is being unlocked while ADLs still exist", NULL, NULL, NULL}},
    {0x6, {"Adapter objects were leaked", NULL, NULL, NULL}},
    {0x7, {"An ADL was leaked", NULL, NULL, NULL}},
    {0x8, {"A logical block pool was leaked", NULL, NULL, NULL}},
    {0x9, {"A logical block pool allocator was leaked", NULL, NULL, NULL}},
    {0xa, {"Reattaching a domain failed", NULL, NULL, NULL}},
    END};

/* 0x12A MUI_NO_VALID_SYSTEM_LANGUAGE */
static const kdx_bc_sub mui_subs[] = {
    {0x1, {"No installed language pack was found during phase 1 initialization", "NTSTATUS of the failure", NULL, NULL}},
    {0x2, {"No installed, licensed pack for the default UI language was found while building the kernel cache", "NTSTATUS of the failure", NULL, NULL}},
    END};

/* 0x13B PASSIVE_INTERRUPT_ERROR */
static const kdx_bc_sub passive_interrupt_subs[] = {
    {0x1, {"A driver acquired an interrupt spin lock with a passive-level interrupt object", NULL, NULL, NULL}},
    END};

/* 0x10E VIDEO_MEMORY_MANAGEMENT_INTERNAL: only Arg1 is documented. */
static const kdx_bc_sub vidmm_subs[] = {
    {0x1, {"A range that cannot be rotated was rotated", NULL, NULL, NULL}},
    {0x2, {"A process heap that is not empty was destroyed", NULL, NULL, NULL}},
    {0x3, {"Unmapping from an aperture segment failed", NULL, NULL, NULL}},
    {0x4, {"A rotation on a must-succeed path failed", NULL, NULL, NULL}},
    {0x5, {"A deferred command failed", NULL, NULL, NULL}},
    {0x6, {"Resources were reallocated for an allocation whose eviction was being cancelled", NULL, NULL, NULL}},
    {0x7, {"Free usage was deferred in a way that is not allowed", NULL, NULL, NULL}},
    {0x8, {"A split DMA buffer holds an invalid reference", NULL, NULL, NULL}},
    {0x9, {"Evicting an allocation failed", NULL, NULL, NULL}},
    {0xa, {"A pinned allocation was used in a way that is not allowed", NULL, NULL, NULL}},
    {0xb, {"The driver returned an invalid error code from BuildPagingBuffer", NULL, NULL, NULL}},
    {0xc, {"A segment leaked resources", NULL, NULL, NULL}},
    {0xd, {"A segment was used the wrong way", NULL, NULL, NULL}},
    {0xe, {"Mapping an allocation into an aperture segment failed", NULL, NULL, NULL}},
    {0xf, {"The driver returned an invalid error code from AcquireSwizzlingRange", NULL, NULL, NULL}},
    {0x10, {"The driver returned an invalid error code from ReleaseSwizzlingRange", NULL, NULL, NULL}},
    {0x11, {"An aperture segment was used in a way that is not allowed", NULL, NULL, NULL}},
    {0x12, {"The driver overflowed the DMA buffer it was given", NULL, NULL, NULL}},
    {0x13, {"The driver overflowed the private data buffer it was given", NULL, NULL, NULL}},
    {0x14, {"Purging all segments failed", NULL, NULL, NULL}},
    {0x15, {"A VAD still in the rotated state was freed", NULL, NULL, NULL}},
    {0x16, {"The driver broke the guaranteed DMA buffer model contract", NULL, NULL, NULL}},
    {0x17, {"A system command failed unexpectedly", NULL, NULL, NULL}},
    {0x18, {"Releasing a pinned allocation's resource failed", NULL, NULL, NULL}},
    {0x19, {"The driver failed to patch a DMA buffer", NULL, NULL, NULL}},
    {0x1a, {"The owner of a shared allocation was freed", NULL, NULL, NULL}},
    {0x1b, {"An aperture range still in use was released", NULL, NULL, NULL}},
    {0x25, {"The GPU wrote over an undefined area of the aperture", NULL, NULL, NULL}},
    END};

/* 0x122 WHEA_INTERNAL_ERROR */
#define WHEA_SRC "Error source type (0 MCE, 1 CMC, 2 CPE, 3 NMI, 4 PCIe, 5 generic, 7 boot, 8 SCI)"
static const kdx_bc_sub whea_internal_subs[] = {
    {0x1, {"Not enough memory for all error sources in the hardware error source table", "Size of memory", "Number of error sources", "0"}},
    {0x2, {"Not enough memory for a WHEA information block per processor", "Number of processors", "0", "0"}},
    {0x5, {"Not enough memory for the error sources, or enumerating them failed", "Status", "Initialization phase", "0"}},
    {0x6, {"An error source failed to initialize", "Status", "Initialization phase", WHEA_SRC}},
    {0x7, {"Not enough memory", "Status", "0", "0"}},
    {0x8, {"Not enough memory for all error source descriptors", "Number of error sources", "0", "0"}},
    {0x9, {"An uncorrected error came from an invalid error source", WHEA_SRC, "Source ID", "0"}},
    {0xa, {"No error record could be allocated for an uncorrected error", WHEA_SRC, "Source ID", "0"}},
    {0xb, {"The error record for an uncorrected error could not be filled in", WHEA_SRC, "Source ID", "0"}},
    END};

/* 0x85 SETUP_FAILURE */
static const kdx_bc_sub setup_subs[] = {
    {0x0, {"The OEM HAL font is not a valid .fon file, so setup cannot show text (damaged media?)", "0", "0", NULL}},
    {0x1, {"Video initialization failed", "Which step failed (0 open \\device\\video0, 1-6 a video IOCTL)", "Status of the call, if any", NULL}},
    {0x2, {"Setup ran out of memory", "0", "0", NULL}},
    {0x3, {"Keyboard initialization failed", "0: no keyboard found, 1: keyboard layout DLL did not load", "0", NULL}},
    {0x4, {"Setup could not resolve the ARC path of the device it started from", "0", "0", NULL}},
    {0x5, {"The partitioning sanity check failed (a disk driver bug)", R, R, NULL}},
    END};

/* 0x9A SYSTEM_LICENSE_VIOLATION (the common sub-codes) */
static const kdx_bc_sub license_subs[] = {
    {0x0, {"The product type was changed offline", "0: should be WinNT, 1: should be LanmanNT or ServerNT", "Part of the serial number", "First two characters of the product type in the product options"}},
    {0x1, {"The evaluation period was changed offline", "Evaluation time registered in the first source", "Part of the serial number", "Evaluation time registered in the other source"}},
    {0x2, {"The setup key could not be opened", "Status of the open", "0", "0"}},
    {0x3, {"The SetupType or SetupInProgress value is missing from the setup key", "Status of the lookup", "0", "0"}},
    {0x4, {"The SystemPrefix value is missing from the setup key", "Status of the lookup", "0", "0"}},
    {0x5, {"The number of licensed processors was changed offline", "See the setup code", "The invalid value found", "Number of processors licensed"}},
    {0x6, {"The ProductOptions key could not be opened", "Status of the open", "0", "0"}},
    {0x7, {"The ProductType value could not be read", "Status of the read", "0", "0"}},
    {0xa, {"A workstation (NTW) system was converted to a server (NTS)", "0", "0", "0"}},
    {0x14, {"A memory allocation failed", "Size of the allocation", "0", "0"}},
    {0x1b, {"The policy cache was changed", "0", "0", "0"}},
    END};

/* 0xA2 MEMORY_IMAGE_CORRUPT */
static const kdx_bc_sub memory_image_subs[] = {
    {0x2, {"A table page failed its check", "Page number in the table page (or of the failing run index, if Arg3 is not 0)", "0, or the index that did not match the run", "0"}},
    {0x3, {"A memory range failed its checksum (CRC)", "First physical page of the range", "Length of the range, in pages", "Page number of the table page holding this run"}},
    END};

/* 0xBB NETWORK_BOOT_INITIALIZATION_FAILED */
static const kdx_bc_sub netboot_subs[] = {
    {0x1, {"1: updating the registry failed", NULL, NULL, NULL}},
    {0x2, {"2: starting the network stack failed (the redirector was not ready in time)", NULL, NULL, NULL}},
    {0x3, {"3: sending the DHCP IOCTL (the IP address) to TCP failed", NULL, NULL, NULL}},
    END};

/* 0xBD INVALID_HIBERNATED_STATE */
static const kdx_bc_sub hibernated_state_subs[] = {
    {0x1, {"1: fewer processors are installed than before hibernation", "Number of processors before hibernation", "Number of processors now", NULL}},
    END};

/* 0x1DD BUGCODE_MBBADAPTER_DRIVER */
static const kdx_bc_sub mbbcx_subs[] = {
    {0x0, {"0: the driver's private globals are corrupt", NULL, NULL, NULL}},
    {0x1, {"1: the IRQL is not PASSIVE_LEVEL", NULL, NULL, NULL}},
    {0x2, {"2: the IRQL is above DISPATCH_LEVEL", NULL, NULL, NULL}},
    {0x3, {"3: a structure has an invalid type or size", NULL, NULL, NULL}},
    {0x4, {"4: invalid power capabilities", NULL, NULL, NULL}},
    {0x5, {"5: invalid wake reason", NULL, NULL, NULL}},
    {0x6, {"6: a disarm was completed that was not in progress", NULL, NULL, NULL}},
    {0x7, {"7: creating a WDF object failed", NULL, NULL, NULL}},
    END};

/* 0x12F VHD_BOOT_INITIALIZATION_FAILED */
static const kdx_bc_sub vhd_boot_subs[] = {
    {0x1, {"1: VHD information could not be read from the boot device", NULL, NULL, NULL}},
    {0x2, {"2: the VHD's parent device did not appear in time", NULL, NULL, NULL}},
    {0x3, {"3: allocating the VHD path string failed", NULL, NULL, NULL}},
    {0x4, {"4: building the VHD path failed", NULL, NULL, NULL}},
    {0x5, {"5: mounting the VHD boot device failed", NULL, NULL, NULL}},
    {0x6, {"6: disabling sleep states failed", NULL, NULL, NULL}},
    {0x7, {"7: allocating the VHD information failed", NULL, NULL, NULL}},
    {0x8, {"8: building the VHD information failed", NULL, NULL, NULL}},
    END};

/* 0x143 PROCESSOR_DRIVER_INTERNAL */
static const kdx_bc_sub ppm_subs[] = {
    {0x1, {"1: the power engine plug-in (PEP) did not accept a required notification", "Type of PEP runtime notification", "The notification message", "Processor device context (FDO_DATA) that sent it"}},
    {0x2, {"2: the PEP returned an invalid processor idle state", "0: too many CPUs for a coordinated idle state, 1: bad processor state, 2: bad platform state", "Processor count or idle state index requested", "Processor device context (FDO_DATA)"}},
    END};

/* 0x14A KERNEL_WMI_INTERNAL */
static const kdx_bc_sub kernel_wmi_subs[] = {
    {0x0, {"0: a kernel WMI entry's reference count was raised from 0", "The kernel WMI entry", NULL, NULL}},
    {0x1, {"1: a kernel WMI data source was removed too early", "The kernel WMI data source", NULL, NULL}},
    END};

/* 0x178 ELAM_DRIVER_DETECTED_FATAL_ERROR */
static const kdx_bc_sub elam_subs[] = {
    {0x0, {"0: TPM attestation could not be revoked", "BDCB_IMAGE_INFORMATION of the driver being inspected", "TBS_RESULT failure code", NULL}},
    {0x10000, {"0x10000: a failure defined by the ELAM vendor", "Vendor-supplied value (optional)", "Vendor-supplied value (optional)", NULL}},
    END};

/* 0x187 VIDEO_DWMINIT_TIMEOUT_FALLBACK_BDD */
static const kdx_bc_sub dwminit_subs[] = {
    {0x1, {"1: DWM did not initialize after retries; display adapters stopped, falling back to BDD", NULL, NULL, NULL}},
    END};

/* 0x18E KERNEL_PARTITION_REFERENCE_VIOLATION */
static const kdx_bc_sub partition_ref_subs[] = {
    {0x0, {"0: a partition that still has hard references is being deleted", "The partition", "Number of hard references outstanding", R}},
    {0x1, {"1: the system partition is being deleted", "The partition", R, R}},
    {0x2, {"2: a partition with queued executive work items is being deleted", "The partition", "The work queue that still has items", R}},
    END};

/* Live dumps and win32k/TTM codes with a single documented failure type. */
static const kdx_bc_sub smb_livedump_subs[] = {
    {0x1, {"1: an I/O did not complete in a reasonable time", "The I/O's SRV2_WORK_ITEM", NULL, NULL}},
    END};
static const kdx_bc_sub win32k_security_subs[] = {
    {0x1, {"1: an object's handle entry does not point back at the object", "The object type", "The object's handle entry", "The object expected"}},
    END};
static const kdx_bc_sub ufx_livedump_subs[] = {
    {0x1, {"1: a class driver did not activate the bus", "Mask of enumerated child PDOs", "Mask of activated child PDOs", R}},
    END};
static const kdx_bc_sub ttm_fatal_subs[] = {
    {0x1, {"1: a terminal object could not be created", "NTSTATUS of the failure", R, R}},
    END};

/* 0x19C WIN32K_POWER_WATCHDOG_TIMEOUT (win32kbase!POWER_WATCHDOG_TYPE) */
#define PWR_WORKER "The power request worker thread"
static const kdx_bc_sub win32k_power_subs[] = {
    {0x10, {"0x10: the power request queue is not making progress", "Thread processing power requests, if any", "The win32k user lock", "Power request being processed (win32kbase!PPOWERREQUEST), if any"}},
    {0x20, {"0x20: stuck calling the power manager to set the power state", PWR_WORKER, R, R}},
    {0x30, {"0x30: stuck calling GDI to power on", PWR_WORKER, R, R}},
    {0x40, {"0x40: stuck calling DWM to render", PWR_WORKER, R, R}},
    {0x50, {"0x50: stuck calling the monitor driver to power on", PWR_WORKER, R, R}},
    END};

static const kdx_bc_sub wfp_subs[] = {
    {0x1, {"1: a callout injected a multi-NET_BUFFER NBL in the inbound path", R, "The NBL", R}},
    END};

static const kdx_bc_sub ucmucsi_subs[] = {
    {0x0, {"0: a UCSI command timed out (the firmware did not answer)", NULL, NULL, NULL}},
    {0x1, {"1: a UCSI command failed (client driver or firmware error)", NULL, NULL, NULL}},
    END};

static const kdx_bc_sub hal_iommu_subs[] = {
    {0x0, {"0: deleting an IOMMU domain failed", "Status", "The IOMMU domain object", NULL}},
    {0x1, {"1: unmapping pages from an IOMMU domain failed", "Status", "The IOMMU domain object", "Logical address"}},
    {0x2, {"2: leaving an IOMMU domain failed", "Status", "The IOMMU domain object", NULL}},
    END};

#define PPM_OP "Operation: 1 MSR read, 2 MSR write, 3 port read, 4 port write, 5 idle state registration"
static const kdx_bc_sub blocked_cpu_subs[] = {
    {0x1, {"1: the library failed to initialize", "NTSTATUS", NULL, NULL}},
    {0x2, {"2: a processor failed to start", "Processor index", "APIC ID", NULL}},
    {0x3, {"3: querying the PPM package ID failed", "Processor index", NULL, NULL}},
    {0x4, {"4: a PPM operation failed", PPM_OP, "Processor index", "PPM mailbox"}},
    {0x5, {"5: a blocked processor took a fatal exception", "Processor index", "Vector number", "Trap frame"}},
    {0x6, {"6: a PPM operation timed out", PPM_OP, "Processor index", "PPM mailbox"}},
    END};

/* 0x1DC DMA_COMMON_BUFFER_VECTOR_ERROR */
static const kdx_bc_sub dma_vector_subs[] = {
    {0x1, {"1: called at the wrong IRQL", "Current IRQL", NULL, NULL}},
    {0x2, {"2: the vector still holds buffers", "Index of the remaining buffer", "Virtual address of the remaining buffer", "Logical address of the remaining buffer"}},
    {0x3, {"3: index out of bounds", "Number of entries available", "Index requested", NULL}},
    {0x4, {"4: the index was already freed", "Index requested", NULL, NULL}},
    {0x5, {"5: a common buffer was leaked", NULL, NULL, NULL}},
    END};

/* 0x1DE BUGCODE_WIFIADAPTER_DRIVER */
static const kdx_bc_sub wificx_subs[] = {
    {0x0, {"0: WiFiCx's private globals are corrupt", NULL, NULL, NULL}},
    {0x1, {"1: a passive-level WiFiCx API was called at a higher IRQL", "Current IRQL", NULL, NULL}},
    {0x2, {"2: a WiFiCx API was called above DISPATCH_LEVEL", "Current IRQL", NULL, NULL}},
    {0x3, {"3: a structure of invalid size was passed to a WiFiCx API", "Size the driver passed", "Size this WiFiCx version uses", NULL}},
    {0x4, {"4: the driver reported an invalid wake reason", "The wake reason", NULL, NULL}},
    {0x5, {"5: an invalid WIFI_POWER_OFFLOAD_LIST was passed", "The WIFI_POWER_OFFLOAD_LIST", NULL, NULL}},
    {0x6, {"6: an invalid WIFI_WAKE_SOURCE_LIST was passed", "The WIFI_WAKE_SOURCE_LIST", NULL, NULL}},
    {0x7, {"7: an invalid or uninitialized WIFI_INTERFACE_CONTEXT was passed", "The WIFI_INTERFACE_CONTEXT", NULL, NULL}},
    {0x8, {"8: a WIFI_ADAPTER_TX_DEMUX has an invalid type", "The WIFI_ADAPTER_TX_DEMUX", "Its type", NULL}},
    {0x9, {"9: a WIFI_ADAPTER_TX_DEMUX has an invalid range", "The WIFI_ADAPTER_TX_DEMUX", "Its range", NULL}},
    {0xa, {"0xA: a wake reason was reported outside the disarm-wake callback", NULL, NULL, NULL}},
    {0xb, {"0xB: the driver uses a deprecated field of a WiFiCx structure", "Name of the deprecated field", NULL, NULL}},
    END};

/* 0xFA HTTP_DRIVER_CORRUPTED (the mingw header names 0xFA differently) */
static const kdx_bc_sub http_subs[] = {
    {0x1, {"1: a work item is invalid (thread pool corruption and an access violation will follow)", "The work item", "Name of the source file holding the check", "Line of the check in that file"}},
    END};

/* 0x138 GPIO_CONTROLLER_DRIVER_ERROR */
static const kdx_bc_sub gpio_subs[] = {
    {0x1, {"1: no GPIO controller is registered for the GSIV", "The GSIV", R, R}},
    {0x2, {"2: a client passed an invalid context to a lock or unlock request", "The context value", R, R}},
    {0x3, {"3: PoFx sent a bank through an unsuitable F1 state or critical transition", "Whether a critical transition was requested", "Whether the bank is already in F1 (non-critical)", "Whether the bank is already in F1 (critical)"}},
    {0x4, {"4: PoFx sent a bank through an unsuitable F0 state or critical transition", "Whether a critical transition was requested", "Whether the bank is in F1 (non-critical)", "Whether the bank is in F1 (critical)"}},
    {0x5, {"5: an on-SoC GPIO interrupt operation failed", "NTSTATUS", "The GPIO device extension", "The GPIO interrupt parameters"}},
    {0x6, {"6: an on-SoC GPIO I/O operation failed", "NTSTATUS", "The GPIO device extension", "The GPIO I/O parameters"}},
    {0x7, {"7: a _DSM method returned badly formed data", "Revision ID", "Function index", R}},
    END};

const kdx_bc_text kdx_bc_texts[] = {
    T(0x01, O, "A system call or worker routine returned with a mismatched APC state: the thread's\n"
               "APC disable count or APC index was not restored (unbalanced KeEnterCriticalRegion).",
      "Address of the system call or worker routine", "The thread's current APC state index",
      "The thread's combined APC disable count (special and kernel)", "0: returned from a system call, 1: from a worker routine"),
    T(0x02, O, "A device queue was expected to be busy but was not.", R, R, R, R),
    T(0x03, O, "An invalid processor affinity set was used (very rare).", ND, ND, ND, ND),
    T(0x04, O, "An invalid data access trap occurred.", R, R, R, R),
    T(0x05, O, "A thread attached to a process when that was not allowed (already attached, or in a DPC).",
      "Target process (or, if already attached, the original process)", "Process the thread is attached to now", "The thread's APC state index", "Non-zero if a DPC is running on this processor"),
    T(0x06, O, "A thread detached from a process when that was not allowed.", R, R, R, R),
    T(0x07, O, "An invalid software interrupt was requested (very rare).", ND, ND, ND, ND),
    T(0x08, O, "The IRQL was expected to be DISPATCH_LEVEL and was not.", R, R, R, R),
    T(0x09, O, "The IRQL was expected to be at or above a given level and was not.", R, R, R, R),
    T(0x0a, KDX_BC_IRQL,
      "Kernel-mode code touched pageable or invalid memory at an IRQL that was too high.\n"
      "A driver that uses an improper address is the usual cause.",
      "The address that was accessed", "The IRQL the processor was running at",
      "Kind of access: bit 0 set for a write, clear for a read; bit 3 set for an instruction fetch",
      "The instruction that made the access"),
    T(0x0b, O, "An exception was raised on a system that has no exception-handling support.", R, R, R, R),
    T(0x0c, O, "A thread waited on more objects than a single wait allows.", R, R, R, R),
    T(0x0d, O, "A thread acquired mutexes out of their required level order.", R, R, R, R),
    T(0x0e, O, "A thread with no user-mode context tried to return to user mode.", R, R, R, R),
    T(0x0f, O, "A thread tried to acquire a spin lock it already holds.", "Address of the spin lock", R, R, R),
    T(0x10, O, "A thread released a spin lock it does not hold.", R, R, R, R),
    T(0x11, O, "A thread released a mutex it does not own.", R, R, R, R),
    T(0x12, O, "The processor raised a trap whose cause could not be determined.", R, R, R, R),
    T(0x13, O, "The list of threads waiting to be reaped is unexpectedly empty.", R, R, R, R),
    T(0x14, O, "The process create/delete lock was expected to be held and was not (very rare).", ND, ND, ND, ND),
    T(0x15, O, "The last-chance exception handler was called from kernel mode (very rare).", ND, ND, ND, ND),
    T(0x16, O, "Creating a client ID (process or thread ID) handle failed (very rare).", ND, ND, ND, ND),
    T(0x17, O, "Deleting a client ID (process or thread ID) handle failed (very rare).", ND, ND, ND, ND),
    T(0x18, O, "An object's reference count went below zero (too many dereferences).",
      "Type of the object whose count was being lowered", "The object whose count was being lowered", R, R),
    TS(0x19, O, "A pool header is corrupt: some code wrote past its allocation or freed it twice.",
       "Type of pool header corruption", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1",
       bad_pool_header_subs, 0, "Type of pool header corruption (not in kdx's table)"),
    TS(0x1a, O, "A severe memory-management error occurred.",
       "The subtype of the memory management violation", DEP, DEP, DEP,
       memory_management_subs, 0, "The subtype of the memory management violation (not in kdx's table)"),
    T(0x1b, O, "A page frame number (PFN) database entry has a corrupt share count (very rare).", ND, ND, ND, ND),
    T(0x1c, O, "A page frame number (PFN) database entry has a corrupt reference count (very rare).", ND, ND, ND, ND),
    T(0x1d, O, "No spin lock was available (very rare).", ND, ND, ND, ND),
    T(0x1e, KDX_BC_EXCEPTION_TRAPFRAME, EXC_SUMMARY,
      "Code of the exception no handler took", "The instruction that raised it",
      "First exception parameter (for an access violation: 0 read, 1 write, 8 execute)",
      "Second exception parameter (for an access violation: the address accessed)"),
    T(0x1f, O, "Converting a shared executive resource failed (very rare).", ND, ND, ND, ND),
    T(0x20, O,
      "A thread exited with APCs still disabled or pending: some component left a critical or\n"
      "guarded region (KeEnterCriticalRegion, FsRtlEnterFileSystem) without leaving it.",
      "The address of the APC found pending during exit", "The thread's APC disable count",
      "The current IRQL", R),
    T(0x21, O, "More quota was returned to a process than had been charged to it.",
      "The process originally charged, if known", "Quota type (see ps.h in the WDK)", "Amount of quota originally charged", "Amount of quota left unreturned"),
    T(0x22, O, "A problem occurred in a file system (very rare).", ND, ND, ND, ND),
    TFS(0x23, "A problem occurred in fastfat.sys, the FAT file system driver."),
    TFS(0x24, "A problem occurred in ntfs.sys, the driver that reads and writes NTFS volumes."),
    T(0x25, O, "A problem occurred in npfs.sys, the named-pipe file system.", R, R, R, R),
    TFS(0x26, "A problem occurred in cdfs.sys, the CD-ROM file system."),
    T(0x27, KDX_BC_RECORDS_IN_ARG2_3, "A problem occurred in the SMB redirector file system (rdbss.sys); nonpaged pool exhaustion is one cause.",
      "Type of problem in the high 16 bits (0xCA55 cache, 0xC1EE cleanup, 0xC10E close, 0xBAAD exception)",
      "Exception record, if RxExceptionFilter is on the stack", "Context record, if RxExceptionFilter is on the stack", R),
    T(0x28, O, "An access token is corrupt (very rare).", ND, ND, ND, ND),
    T(0x29, O, "The security system hit a fatal error (very rare).", ND, ND, ND, ND),
    T(0x2a, O, "An IRP was found in a state that contradicts itself (code kept for debugging; not raised today).",
      "Address of the inconsistent IRP", R, R, R),
    T(0x2b, O, "The kernel stack overflowed while switching to the panic stack.", "The trap frame", R, R, R),
    T(0x2c, O, "A storage port driver hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x2d, O, "The SCSI disk driver hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x2e, O, "A parity error in system memory, or a driver touching a physical address that does\n"
               "not exist, raised a data bus error.",
      "Virtual address that caused the fault", "Physical address that caused the fault",
      "Processor status register (PSR)", "Faulting instruction register (FIR)"),
    T(0x2f, O, "An instruction fetch caused a bus error (very rare).", ND, ND, ND, ND),
    T(0x30, O, "Code tried to set a trap frame's stack pointer below the current stack pointer.",
      "The new stack pointer", "The old stack pointer", "Address of the trap frame", "0"),
    T(0x31, O, "Windows failed during phase 0 of its initialization.", R, R, R, R),
    T(0x32, O, "Windows failed during phase 1 of its initialization.", "NTSTATUS explaining the failure", R, R, R),
    T(0x33, O, "An initialization routine was called when it was not expected (very rare).", ND, ND, ND, ND),
    T(0x34, O, "A problem occurred in the file system cache manager (nonpaged pool exhaustion is one cause).",
      "Source file (high 16 bits) and line (low 16 bits) that raised the bug check", R, R, R),
    T(0x35, O, "IoCallDriver found no free stack location in the IRP (a driver forwarded it too far).",
      "Address of the IRP", R, R, R),
    T(0x36, O, "A device object was deleted while its reference count was not zero.", "Address of the device object", R, R, R),
    T(0x37, O, "The floppy disk driver hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x38, O, "The serial port driver hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x39, O, "A system thread exited while it still owned a mutex.", R, R, R, R),
    T(0x3a, O, "Unwinding into a previous user-mode frame failed (very rare).", ND, ND, ND, ND),
    T(0x3b, KDX_BC_EXCEPTION_TRAPFRAME,
      "An exception happened while executing a routine that transitions from non-privileged\n"
      "code to privileged code (a system service).",
      "Code of the exception", "The instruction that raised it",
      "Address of the CONTEXT record of the exception", "Always zero"),
    T(0x3c, O, "An unwind was attempted through an interrupt frame (very rare).", ND, ND, ND, ND),
    T(0x3d, O, "An exception in an interrupt service routine was not handled.", R, R, R, R),
    T(0x3e, O, "The processors are not symmetric (different types or levels), which Windows does not support.", R, R, R, R),
    T(0x3f, O, "The system ran out of page table entries (system PTEs), usually because a driver leaks them.",
      "0: system PTE pool, 1: nonpaged pool expansion", "Size of the request that failed", "Number of free system PTEs", "Total number of system PTEs"),
    T(0x40, O, "IoBuildPartialMdl was given a target MDL too small for the requested range.", R, R, R, R),
    T(0x41, O, "A must-succeed pool allocation could not be satisfied.",
      "Size of the request that failed", "Pages used from nonpaged pool", "Nonpaged pool requests larger than a page", "Number of pages available"),
    T(0x42, O, "The AT disk driver hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x43, O, "A disk partition that was expected does not exist (very rare).", ND, ND, ND, ND),
    T(0x44, O, "A driver completed an IRP that was already completed.", "Address of the IRP", R, R, R),
    T(0x45, O, "Not enough system map registers were available (very rare).", ND, ND, ND, ND),
    T(0x46, O, "A reference to an unknown logon session was released (very rare).", ND, ND, ND, ND),
    T(0x47, O, "An unknown logon session was referenced (very rare).", ND, ND, ND, ND),
    T(0x48, O, "A driver tried to cancel an IRP that had already been completed.", "Address of the IRP", "The cancel routine the driver set", R, R),
    T(0x49, O, "A page fault occurred while interrupts were disabled.", R, R, R, R),
    T(0x4a, O, "A system call returned to user mode at IRQL above PASSIVE_LEVEL.",
      "Address of the system function (system call routine)", "Current IRQL", "0", "0"),
    T(0x4b, O, "The STREAMS subsystem hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x4c, O, "A fatal hard error was not handled (very rare).", ND, ND, ND, ND),
    T(0x4d, O, "No physical pages are available to continue.",
      "Total number of dirty pages", "Dirty pages bound for the paging file", "Free nonpaged pool when the bug check occurred", "Latest modified-write error status"),
    TS(0x4e, O, "The memory manager's page frame number (PFN) lists are corrupt, usually from a driver\n"
                "passing a bad memory descriptor list.",
       "Type of PFN list corruption", DEP, DEP, DEP,
       pfn_list_subs, 0, "Type of PFN list corruption (not in kdx's table)"),
    T(0x4f, O, "NDIS hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x50, KDX_BC_PAGE_FAULT,
      "Invalid system memory was referenced. This cannot be protected by try-except;\n"
      "typically the address is plainly bad or points at freed memory.",
      "The address that was accessed", "Kind of access: 0 read, 1 write, 10 instruction fetch",
      "The instruction that made the access, when known (0 otherwise)", "Reserved"),
    T(0x51, O, "The registry hit a fatal I/O or consistency error (often a failing disk or corrupt hive).",
      R, R, "The hive, if known", "Return code of the hive check, if the hive is corrupt"),
    T(0x52, O, "A problem occurred in the mailslot file system (very rare).", ND, ND, ND, ND),
    T(0x53, O, "The boot device could not be initialized.", R, R, R, R),
    T(0x54, O, "The LAN Manager server hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x55, O, "A data coherency exception occurred (very rare).", ND, ND, ND, ND),
    T(0x56, O, "An instruction coherency exception occurred (very rare).", ND, ND, ND, ND),
    T(0x57, O, "The XNS network component hit an internal error (very rare).", ND, ND, ND, ND),
    T(0x58, O, "The system booted from the wrong copy of a mirrored partition (the hives point at an invalid\n"
               "mirror; boot from the shadow partition).", R, R, R, R),
    TFS(0x59, "A problem occurred in the HPFS (pinball) file system."),
    T(0x5a, O, "A critical service failed to start during setup.", R, R, R, R),
    T(0x5b, O, "Setting a firmware environment variable failed (very rare).", ND, ND, ND, ND),
    T(0x5c, O, "The hardware abstraction layer (HAL) failed to initialize.", R, R, R, R),
    T(0x5d, O, "The processor is not supported by this version of Windows.", R, R, R, R),
    T(0x5e, O, "Object manager initialization failed (very rare).", ND, ND, ND, ND),
    T(0x5f, O, "Security initialization (phase 0) failed (very rare).", ND, ND, ND, ND),
    T(0x60, O, "Process initialization (phase 0) failed (very rare).", ND, ND, ND, ND),
    T(0x61, O, "HAL initialization (phase 1) failed (very rare).", ND, ND, ND, ND),
    T(0x62, O, "Object manager initialization (phase 1) failed (very rare).", ND, ND, ND, ND),
    T(0x63, O, "Security initialization (phase 1) failed.", "Not documented", "Not documented", "Not documented", "Not documented"),
    T(0x64, O, "Symbolic link initialization failed (very rare).", ND, ND, ND, ND),
    T(0x65, O, "Memory manager initialization (phase 1) failed (very rare).", ND, ND, ND, ND),
    T(0x66, O, "Cache manager initialization failed (very rare).", ND, ND, ND, ND),
    T(0x67, O, "The registry (configuration manager) failed to initialize.",
      R, "Location selector (where in the initialization it failed)", "NTSTATUS of the failure", R),
    T(0x68, O, "File system initialization failed (very rare).", ND, ND, ND, ND),
    T(0x69, O, "The I/O system failed to initialize (often a boot driver or device problem).", R, R, R, R),
    T(0x6a, O, "LPC (local procedure call) initialization failed (very rare).", ND, ND, ND, ND),
    T(0x6b, O, "Process and thread initialization failed during startup.",
      "NTSTATUS of the failure (often the disk subsystem or a missing boot file)", R, R, R),
    T(0x6c, O, "Security reference monitor initialization failed (very rare).", ND, ND, ND, ND),
    T(0x6d, O, "Session manager initialization (stage 1) failed during startup.", "NTSTATUS that made initialization fail", "0", "0", "0"),
    T(0x6e, O, "Session manager initialization (stage 2) failed during startup.", "NTSTATUS that made initialization fail", "0", "0", "0"),
    T(0x6f, O, "Session manager initialization (stage 3) failed during startup.", "NTSTATUS that made initialization fail", "0", "0", "0"),
    T(0x70, O, "Session manager initialization (stage 4) failed during startup.", "NTSTATUS that made initialization fail", "0", "0", "0"),
    T(0x71, O, "Session manager initialization (stage 5) failed during startup.", "NTSTATUS that made initialization fail", "0", "0", "0"),
    T(0x72, O, "Assigning drive letters failed (very rare).", ND, ND, ND, ND),
    T(0x73, O, "A core registry hive (SAM, SECURITY, SOFTWARE or DEFAULT) loaded but could not be linked\n"
               "into the registry tree (often no disk space or no pool).",
      "1", "NTSTATUS of the failure", "Index of the hive in the hive list", "File name of the hive (UNICODE_STRING)"),
    T(0x74, O, "The SYSTEM registry hive is corrupt or missing data Windows needs to start.", R, R, R, "NTSTATUS of the failure, if known"),
    T(0x75, O, "The SYSTEM hive file could not be converted to a mapped file (usually out of pool).",
      "1", "NTSTATUS of the failure", R, R),
    TS(0x76, O, "A driver did not unlock pages it locked in a process, or unlocked pages that were not locked.",
       "Type of problem", DEP, DEP, DEP, locked_pages_subs, 0, "Type of problem (not in kdx's table)"),
    TS(0x77, O, "A page of kernel stack could not be read back from the paging file (disk, cabling or RAM).",
       "Status code of the failed read (NTSTATUS)", "I/O status code", "Page file number", "Offset in the paging file",
       stack_inpage_subs, 0, NULL),
    T(0x78, O, "An exception occurred during phase 0 of initialization.", R, R, R, R),
    TS(0x79, O, "The kernel and the HAL do not match (different build types or release levels).",
       "Type of mismatch", DEP, DEP, R, mismatched_hal_subs, 0, "Type of mismatch (not in kdx's table)"),
    T(0x7a, O, "A page of kernel data could not be read back from the paging file.",
      "PTE or PDE address (lock type: 1, 2, 3 = PTE, PDE, page table)", "Error status (usually an I/O status code)",
      "Current process (virtual address for lock type 3, or PTE)", "Virtual address that could not be in-paged (or PTE contents if arg1 is a PTE address)"),
    T(0x7b, O, "Windows lost access to the system partition during startup.",
      "Address of the UNICODE_STRING or device object", "0", "0", "0"),
    TS(0x7c, O, "NDIS found an error in a networking driver.", "Type of NDIS violation", DEP, DEP, DEP,
       ndis_subs, 0, "Type of NDIS violation (not in kdx's table)"),
    T(0x7d, O, "Windows does not have enough memory to start.",
      "Number of physical pages found", "Lowest physical page", "Highest physical page", "0"),
    T(0x7e, KDX_BC_EXCEPTION_RECORD_CONTEXT, EXC_SUMMARY,
      "Code of the exception no handler took", "The instruction that raised it",
      "Address of the EXCEPTION_RECORD", "Address of the CONTEXT record"),
    TS(0x7f, O, "The processor raised a trap the kernel did not catch or was not allowed to take in kernel\n"
                "mode (double fault, divide error, NMI, ...). A double fault often means a stack overflow.",
       "The trap number", R, R, R, trap_subs, 0, "The trap number (not one kdx knows)"),
    T(0x80, O, "A non-maskable interrupt reported a hardware failure.", R, R, R, R),
    T(0x81, O, "A spin lock could not be initialized.", R, R, R, R),
    T(0x82, O, "A problem occurred in the DFS file system (very rare).", ND, ND, ND, ND),
    TS(0x85, O, "A fatal error occurred during setup.", "Type of failure", DEP, DEP, "Not used", setup_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x8b, O, "The master boot record's checksum differs from the one the loader computed (boot virus?).",
      "Disk signature from the MBR", "MBR checksum recorded by the loader", "MBR checksum recorded by the system", R),
    T(0x8e, KDX_BC_EXCEPTION_TRAPFRAME, EXC_SUMMARY,
      "Code of the exception no handler took", "The instruction that raised it",
      "Address of the KTRAP_FRAME at the exception", R),
    T(0x8f, O, "Phase 0 initialization of the Plug and Play manager failed.", R, R, R, R),
    T(0x90, O, "Phase 1 initialization of the Plug and Play manager failed.", R, R, R, R),
    T(0x92, O, "A driver built for uniprocessor systems was loaded on a multiprocessor system.", "Base address of the driver", R, R, R),
    T(0x93, O, "Kernel-mode code referenced an invalid handle or closed a protected one.",
      "The handle passed to NtClose (or referenced)", "0: protected handle closed, 1: invalid handle; if Arg4 is 1, the handle table", "0",
      "1: an invalid handle was referenced with bad-handle detection on"),
    T(0x94, O, "A thread exited while its kernel stack was marked not swappable.", R, R, R, R),
    T(0x96, O, "KeRemoveQueue removed an entry whose Flink or Blink is NULL (a work item queued twice?).",
      "The queue entry with the NULL link", "The queue (usually an ExWorkerQueue)", "Base of the ExWorkerQueue array",
      "Worker routine the item would have run, if the queue is an ExWorkerQueue"),
    T(0x97, O, "A bound image is not supported (very rare).", ND, ND, ND, ND),
    T(0x98, O, "The evaluation period of this Windows installation has ended.",
      "Expiration date of the product (low 32 bits)", "Expiration date of the product (high 32 bits)", R, R),
    T(0x99, O, "ExInitializeRegion or ExInterlockedExtendRegion got invalid parameters.", R, R, R, R),
    TS(0x9a, O, "Windows detected a violation of the software license (product type or trial period changed offline).",
       "Type of violation", DEP, DEP, DEP, license_subs, 0, "Type of violation (not in kdx's table)"),
    TFS(0x9b, "A problem occurred in udfs.sys, the UDF file system."),
    T(0x9c, O, "The processor reported a fatal machine check (hardware error).",
      "Bank number (MCA processors; on Pentium-class MCE only: low 32 bits of P5_MC_TYPE)", "Address of the MCA_EXCEPTION structure",
      "High 32 bits of the bank's MCi_STATUS (or of P5_MC_ADDR)", "Low 32 bits of the bank's MCi_STATUS (or of P5_MC_ADDR)"),
    T(0x9e, O, "A user-mode process failed the health check the cluster or monitor expects.",
      "The process that failed the health check", "Health monitoring timeout, in seconds",
      "Watchdog source (cluster RHS/clussvc watchdogs: 1-0xA, 0x65-0x6B, 0xC9-0xCF)", R),
    TS(0x9f, O, "A driver has failed to complete a power IRP within a specific time.",
       "Describes the failure (sub-code)", DEP, DEP, DEP, power_state_subs, 0, "The kind of power-state failure (not in kdx's table)"),
    TS(0xa0, O, "The power policy manager hit a fatal error.",
       "Type of power failure", DEP, DEP, DEP, internal_power_subs, 0, "Type of power failure (not in kdx's table)"),
    T(0xa1, O, "The PCI bus driver found its internal structures inconsistent.", R, R, R, R),
    TS(0xa2, O, "An executable image in memory is corrupt (a memory range failed its CRC, e.g. on wake).",
       "Type of failure", DEP, DEP, DEP, memory_image_subs, 0, "Type of failure (not in kdx's table)"),
    T(0xa3, O, "The ACPI driver found an internal inconsistency too severe to continue (possibly a BIOS error).", R, R, R, R),
    T(0xa4, O, "A problem occurred in the CNSS file system filter (often nonpaged pool exhausted).",
      "Source file (high 16 bits) and line (low 16 bits) that raised the bug check", R, R, R),
    TS(0xa5, O, "The computer's ACPI BIOS does not follow the ACPI specification closely enough for Windows.",
       "Type of ACPI problem", DEP, DEP, DEP, acpi_bios_subs, 0, "Type of ACPI problem (not in kdx's table)"),
    T(0xa7, O, "The kernel handle table found a handle table entry in an inconsistent state.", R, R, R, R),
    T(0xab, O, "A session unloaded while it still had pool allocations (a session driver leaks pool).",
      "The session ID", "Paged pool bytes leaked", "Nonpaged pool bytes leaked", "Leaked allocations: nonpaged count in the upper half, paged in the lower"),
    T(0xac, O, "The HAL could not get memory it needed during startup.",
      "Size of the allocation that failed", "0", "Name of the source file that asked for it", R),
    T(0xad, O, "The video port wrote a non-fatal minidump because the video driver asked for a debug report.",
      "Driver specific", "Driver specific", "Driver specific", "Number of reports requested since boot"),
    T(0xb4, O, "Windows could not enter graphics mode: no display driver started.", R, R, R, R),
    T(0xb8, O, "A thread tried to wait or switch context while running a DPC, which is not allowed.",
      "The thread that was running", "The thread it tried to switch to", "Stack address of the original thread", R),
    T(0xb9, O, "The chipset detected an error (very rare).", ND, ND, ND, ND),
    T(0xba, O, "A session unloaded while it still had mapped views.",
      "The session ID", "Number of mapped views left", "Address of the session's mapped view table", "Size of that table"),
    TS(0xbb, O, "Windows could not finish booting from the network: a critical step of I/O initialization failed.",
       "Which part of network start-up failed", "Status of the failure", R, R, netboot_subs, 0, "Which part of network start-up failed (not in kdx's table)"),
    T(0xbc, O, "Booting from the network, another machine answered for this machine's IP address.",
      "The IP address (aa.bb.cc.dd reads as 0xDDCCBBAA)", "Hardware address of the other machine (Ethernet: first 4 MAC bytes)",
      "Hardware address of the other machine (Ethernet: last 2 MAC bytes, shifted up)", "Hardware address of the other machine (0 for Ethernet)"),
    TS(0xbd, O, "The hardware changed while the system was hibernated; the saved image does not match it.",
       "Which hardware no longer matches", DEP, DEP, R, hibernated_state_subs, 0, "Which hardware no longer matches (not in kdx's table)"),
    T(0xbe, O, "A driver wrote to read-only memory.",
      "Virtual address of the attempted write", "Contents of its PTE", R, R),
    T(0xbf, O, "A thread tried to acquire a mutex it already owns.", "Address of the mutex", "The thread that tried again", "0", R),
    TS(0xc1, O, "A driver wrote to a part of special pool it does not own (caught by Driver Verifier).",
       DEP, DEP, DEP, "Type of special pool violation (selects the others' meaning)",
       special_pool_subs, 3, "Type of special pool violation (not in kdx's table)"),
    TS(0xc2, O, "The current thread made a bad pool request (wrong IRQL, double free, bad size or tag).",
       "Type of bad pool request", DEP, DEP, DEP, bad_pool_caller_subs, 0, "Type of bad pool request (not in kdx's table)"),
    TS(0xc4, O,
       "Driver Verifier caught a driver breaking one of its rules. Arg1 names the rule and\n"
       "gives the other arguments their meaning.",
       "The Driver Verifier rule that was broken", DEP, DEP, DEP,
       verifier_subs, 0, "The Driver Verifier rule that was broken (see !analyze -show C4 ARG1)"),
    T(0xc5, KDX_BC_IRQL, "The kernel touched an invalid pool address at too high an IRQL (usually pool corruption).",
      "memory referenced", "IRQL", "value 0 = read operation, 1 = write operation", "address which referenced memory"),
    T(0xc6, O, "A driver touched pool after freeing it (caught by Driver Verifier special pool).",
      "Memory referenced", "0: read, 1: write", "0: kernel mode, 1: user mode", R),
    TS(0xc7, O, "A kernel timer or DPC was found in memory where it may not be (usually a driver freed\n"
                "memory holding a timer or DPC without cancelling it).",
       "Type of problem", DEP, DEP, DEP, timer_dpc_subs, 0, "Type of problem (not in kdx's table)"),
    T(0xc8, O, "The IRQL was not what the kernel expected (a driver changed it and did not restore it).",
      "(current IRQL << 16) | (expected IRQL << 8) | location code", "0, or the APC's KernelRoutine", "0, or the APC", "0, or the APC's NormalRoutine"),
    TS(0xc9, O, "Driver Verifier's I/O verification caught a driver misusing an IRP or the I/O manager.\n"
                "Codes 0x200 and above are WDM driver errors: Arg2 is the address in the driver, Arg3 the IRP.",
       "Type of I/O violation", DEP, DEP, DEP, io_verifier_subs, 0, "Type of I/O violation (not in kdx's table; 0x200+ are WDM driver errors)"),
    TS(0xca, O, "Plug and Play hit a fatal error, usually a bus driver reporting bad child devices.",
       "Type of PnP error", DEP, DEP, DEP, pnp_fatal_subs, 0, "Type of PnP error (not in kdx's table)"),
    T(0xcb, O, "A driver or the I/O manager left pages locked after an I/O operation. When the I/O manager\n"
               "locked them, Arg1/Arg2 are the top driver's dispatch routine and device object instead.",
      "Address in the driver that locked the pages", "The caller of that address", "The MDL that holds the locked pages", "Number of locked pages"),
    T(0xcc, KDX_BC_PAGE_FAULT, "Memory in special pool was referenced after it was freed.",
      "Memory referenced", "0: read, 1: write", "Address of the instruction that referenced it, if known", R),
    T(0xcd, KDX_BC_PAGE_FAULT, "A driver read or wrote past the end of its special pool allocation.",
      "Memory referenced", "0: read, 1: write", "Address of the instruction that referenced it, if known", R),
    T(0xce, KDX_BC_PAGE_FAULT, "A driver unloaded without cancelling its timers, DPCs, worker threads or other pending work.",
      "Memory referenced", "0: read, 1: write", "Address of the instruction that referenced it, if known", R),
    T(0xcf, KDX_BC_PAGE_FAULT, "A driver referenced memory in a way that breaks Terminal Server session rules.",
      "Memory referenced", "0: read, 1: write", "Address of the instruction that referenced it, if known", R),
    T(0xd0, KDX_BC_IRQL, "A driver referenced an invalid address at too high an IRQL (usually corrupt pool).",
      "Memory referenced", "IRQL at the time", "0: read, 1: write", "Address of the instruction that referenced it"),
    T(0xd1, KDX_BC_IRQL,
      "A driver touched pageable (or completely invalid) memory at an IRQL that was too high.\n"
      "The faulting instruction usually belongs to the culprit driver.",
      "The address that was accessed", "The IRQL the processor was running at",
      "Kind of access: 0 read, 1 write, 8 instruction fetch", "The instruction that made the access"),
    T(0xd2, O, "An NDIS miniport driver misbehaved (Windows 2000 and XP; later versions use 0x7C).",
      "The miniport block (or MiniBlock)", "Depends on the message printed with it", "Depends on the message printed with it", "Depends on the message printed with it"),
    T(0xd3, KDX_BC_IRQL, "A driver's code or data that must stay resident was paged out (wrong section attributes).",
      "Memory referenced", "IRQL at the time", "0: read, 1: write", "Address of the instruction that referenced it"),
    T(0xd4, KDX_BC_IRQL, "A driver unloaded without cancelling pending operations (found by a scan at raised IRQL).",
      "Memory referenced", "IRQL at the time", "0: read, 1: write", "Address of the instruction that referenced it"),
    T(0xd5, KDX_BC_PAGE_FAULT, "A driver referenced memory it had already freed (caught by special pool).",
      "memory referenced", "value 0 = read operation, 1 = write operation", "if non-zero, the address which referenced memory", "(reserved)"),
    T(0xd6, KDX_BC_PAGE_FAULT, "A driver read or wrote past the end of its pool allocation (caught by special pool).",
      "Memory referenced", "0: read, 1: write", "Address of the instruction that referenced it, if known", R),
    T(0xd7, O, "A driver unmapped a view that is not mapped (or not a view).",
      "Virtual address being unmapped", "1: the view is being unmapped, 2: committed", "0", "0"),
    T(0xd8, O, "Drivers used too many system PTEs.",
      "Name of the driver that used the most PTEs, if known", "Number of PTEs that driver used", "Number of free system PTEs", "Total number of system PTEs"),
    TS(0xd9, O, "The structure that tracks locked pages is corrupt.",
       "Type of corruption", DEP, DEP, DEP, locked_tracker_subs, 0, "Type of corruption (not in kdx's table)"),
    TS(0xda, O, "A driver used a page table entry (PTE) routine the wrong way.", "Type of misuse", DEP, DEP, DEP,
       pte_misuse_subs, 0, "Type of misuse (not in kdx's table)"),
    T(0xdb, KDX_BC_IRQL, "A driver corrupted system PTEs, then touched an address through them at raised IRQL.",
      "Memory referenced", "IRQL at the time", "0: read, 1: write", "Address of the instruction that referenced it"),
    T(0xdc, O, "A driver touched a stack address below its thread's stack pointer.", R, R, R, R),
    T(0xde, O, "A driver corrupted pool memory that backs file data in the cache.", R, R, R, R),
    T(0xdf, O, "A worker thread returned while still impersonating a client.",
      "The worker routine", "Parameter passed to it", "The work item", R),
    T(0xe0, O, "The BIOS reported a component so faulty that Windows cannot run; only the vendor can interpret it.",
      "Set by the BIOS", "Set by the BIOS", "Set by the BIOS", "Set by the BIOS"),
    T(0xe1, O, "A worker routine returned at an IRQL other than PASSIVE_LEVEL.",
      "Address of the worker routine", "IRQL it returned at", "Parameter passed to it", "The work item"),
    T(0xe2, O, "The user deliberately initiated a crash dump (keyboard or debugger).", R, R, R, R),
    T(0xe3, O, "A thread released a resource it does not own.",
      "Address of the resource", "Address of the thread", "Owner table of the resource, if any", R),
    TS(0xe4, O, "Memory that still holds an executive work item was freed, or an active work item was queued.",
       "Where the problem was found (code position)", DEP, DEP, DEP, worker_invalid_subs, 0, "Code position (not in kdx's table)"),
    TS(0xe6, O, "DMA verification caught a driver misusing DMA (also raised without Driver Verifier, e.g. by the IOMMU).",
       "Type of DMA violation (the main argument)", "Depends on Arg1, often unused", "Depends on Arg1, often unused", "Depends on Arg1, often unused",
       dma_verifier_subs, 0, "Type of DMA violation (not in kdx's table)"),
    TS(0xe7, O, "A thread's saved floating-point state was invalid when it was restored.",
       "Which check failed", DEP, DEP, "Not used", float_state_subs, 0, "Which check failed (not in kdx's table)"),
    T(0xe8, O, "IoCancelFileOpen got an invalid file object (its reference count must be 1); the caller is at fault.",
      "The file object passed to IoCancelFileOpen", "The device object passed to it", R, R),
    T(0xe9, O, "An executive worker thread was terminated while still active.", "The worker thread (ETHREAD)", R, R, R),
    T(0xea, O, "A thread in a display driver was stuck in an endless loop waiting for the hardware.",
      "The stuck thread", "The DEFERRED_WATCHDOG object", "Name of the offending driver", "Number of times this was detected"),
    T(0xeb, O, "No free pages remain: the modified and mapped page writers are deadlocked (often a\n"
               "file system, filter or storage driver).",
      "Total number of dirty pages", "Dirty pages bound for the paging file",
      "Free nonpaged pool in pages (Server 2003), else reserved", "Latest modified-write error status (Vista and later)"),
    T(0xec, O, "A session unloaded while it still had special pool allocations.", "The session ID", "Number of special pool pages leaked", R, R),
    T(0xed, O, "Windows could not mount the boot volume (file system or storage driver failure).",
      "Device object of the boot volume", "Status the file system returned for the failed mount", R, R),
    T(0xef, O, "A process or thread crucial to system operation has unexpectedly exited or been terminated.",
      "Process object", "If this is 0, a process died. If this is 1, a thread died.", R, R),
    T(0xf1, O, "The SCSI verifier caught a storage port or miniport driver breaking a rule.", "Type of violation", DEP, DEP, DEP),
    T(0xf2, O, "A device kept asserting its level-triggered interrupt (interrupt storm).",
      "Address of the interrupt service routine (the first in the chain)", "Context value of that routine", "The interrupt object",
      "1: the ISR is not chained (likely culprit), 2: chained (first ISR, not necessarily at fault)"),
    T(0xf3, O, "Windows could not shut down cleanly because memory ran out.",
      "Total number of dirty pages", "Dirty pages bound for the paging file",
      "Free nonpaged pool in pages (Server 2003), else reserved", "Shutdown stage (Server 2003), else latest modified-write status"),
    T(0xf4, O, "A process or thread crucial to system operation has unexpectedly exited or been terminated.",
      "Process / thread object type: 3 = process, 6 = thread", "Terminating object", "Process image file name",
      "Explanatory message (ASCII)"),
    TS(0xf5, O, "The filter manager (fltmgr.sys) hit an unrecoverable error, usually caused by a minifilter.",
       "Type of violation", DEP, DEP, DEP, fltmgr_subs, 0, "Type of violation (not in kdx's table)"),
    TS(0xf6, O, "The PCI driver's verifier found an error in a device or the BIOS.", "Nature of the failure (the only documented argument)",
       "Not documented", "Not documented", "Not documented", pci_verifier_subs, 0, "Nature of the failure (not in kdx's table)"),
    T(0xf7, O, "A driver overran a stack buffer: the /GS security cookie was overwritten.",
      "The cookie found on the stack", "The cookie expected", "The complement of the expected cookie", "0"),
    TS(0xf8, O, "Booting from a RAM disk failed during initialization.", "Cause of the failure", "NTSTATUS of the failure", "0", "0",
       ramdisk_subs, 0, "Cause of the failure (not in kdx's table)"),
    T(0xf9, O, "A driver returned STATUS_REPARSE for a create request with no trailing name (a volume open).",
      "The device object that was opened", "The device object the create was sent to",
      "The new file name to reparse to (UNICODE_STRING)", "The information the driver returned for the create"),
    TS(0xfa, O, "The HTTP kernel driver (http.sys) reached a corrupt state it cannot recover from (HTTP_DRIVER_CORRUPTED\n"
                "in Microsoft's reference).", "State of the driver", DEP, DEP, DEP, http_subs, 0, "State of the driver (not in kdx's table)"),
    T(0xfc, O, "An attempt was made to execute non-executable memory.",
      "Virtual address for the attempted execute", "PTE contents", "(reserved)", "(reserved)"),
    T(0xfd, O, "Not enough free pages remain because too many dirty no-write pages are held.",
      "Pages used by dirty no-write pages", "Number of dirty no-write pages", "Internal flags", "Status of the most recent modified-page write"),
    T(0xfe, O, "The USB driver stack detected an error.", "USB bugcheck type", DEP, DEP, DEP),
    T(0xff, O, "A reserve queue overflowed.", "Address of the reserve queue", "Size of the reserve queue", R, R),
    T(0x100, O, "The loader block is invalid or does not match the system being loaded.",
      "3", "Size of the loader block extension", "Major version of the loader block", "Minor version of the loader block"),
    T(0x101, O, "An expected clock interrupt on a secondary processor was not received in time.",
      "Clock interrupt time-out interval, in clock ticks", "0", "Address of the PRCB of the unresponsive processor", "Index of the unresponsive processor"),
    T(0x102, O, "The DPC watchdog routine did not run in time: an ISR or DPC is hung on the processor.",
      "DPC watchdog timeout interval, in nominal clock ticks", "PRCB of the hung processor", R, R),
    TS(0x103, O, "The multiple UNC provider (MUP) found invalid data and cannot route a remote file request.",
       "Type of violation", DEP, DEP, DEP, mup_subs, 0, "Type of violation (not in kdx's table)"),
    T(0x104, O, "The graphics card wrote to memory the GART reserves for the processor.",
      "Offset (in ULONGs) of the first corrupted ULONG in the AGP verifier page", R, R, R),
    T(0x105, O, "The AGP GART (graphics address remapping table) is corrupt.",
      "Base address of the GART", "Offset in the GART where corruption was found", "Cached copy of the GART", R),
    T(0x106, O, "The AGP command register was changed behind the AGP driver's back.",
      "Original value of the command register", "Current value of the command register", R, R),
    T(0x108, KDX_BC_RECORDS_IN_ARG2_3, "A third-party file system or file system filter failed beyond recovery.",
      "Which file system failed (1: Polyserve psfs.sys)", "Address of the exception record", "Address of the context record", R),
    T(0x109, O, "The kernel found its own code or critical data modified (PatchGuard).",
      R, R, "Failure type dependent information", "Type of corrupted region"),
    T(0x10a, O, "Application tagging failed to initialize (very rare).", ND, ND, ND, ND),
    TS(0x10c, O, "The FsRtl extra create parameter (ECP) package found a bad ECP or ECP list.",
       "Type of violation", "0", "Address of the ECP", "Start of the ECP list", ecp_subs, 0, "Type of violation (not in kdx's table)"),
    TS(0x10d, O, "The Kernel-Mode Driver Framework found a framework-based driver misusing it.",
       "Type of WDF violation", DEP, DEP, R, wdf_subs, 0, "Type of WDF violation (not in kdx's table)"),
    TS(0x10e, O, "The video memory manager hit a condition it cannot recover from (usually the video driver).",
       "Type of violation (the only documented argument)", "Not documented", "Not documented", "Not documented",
       vidmm_subs, 0, "Type of violation (not in kdx's table)"),
    T(0x10f, KDX_BC_RECORDS_IN_ARG1_2, "A kernel-mode transaction resource manager raised an exception that was not handled.",
      "Address of the exception record", "Address of the context record", "Address of the routine that raised it", R),
    T(0x111, O, "A non-maskable interrupt (NMI) arrived while another was being handled (usually faulty SMI firmware).",
      R, R, R, R),
    T(0x112, O, "An RPC call in kernel mode broke the state machine of the MSRPC runtime.",
      "Error code", "Depends on Arg1", "Depends on Arg1", "Depends on Arg1"),
    T(0x113, O, "The DirectX graphics kernel (dxgkrnl.sys) detected a violation.", "Reason code", DEP, DEP, DEP),
    T(0x114, O, "The video shadow driver detected a violation (very rare).", ND, ND, ND, ND),
    T(0x115, O, "The AGP (accelerated graphics port) driver detected a violation (very rare).", ND, ND, ND, ND),
    T(0x116, O, "The display driver did not respond in time and could not be reset (TDR).",
      "Optional pointer to internal TDR recovery context (TDR_RECOVERY_CONTEXT)", "The pointer into the responsible device driver module",
      "Optional error code (NTSTATUS) of the last failed operation", "Optional internal context dependent data"),
    T(0x117, O, "The display driver did not respond in time and was reset (TDR live dump; never a real crash).",
      "Internal TDR recovery context (dt dxgkrnl!_TDR_RECOVERY_CONTEXT), if known", "An address inside the driver at fault (e.g. its owner tag)",
      "Secondary bucketing key chosen by the driver", "Internal context-dependent data, if any"),
    TS(0x119, O, "The video scheduler detected a fatal violation (often by the display driver).",
       "Type of violation (the only documented argument)", "Not documented", "Not documented", "Not documented",
       video_scheduler_subs, 0, "Type of violation (not in kdx's table)"),
    T(0x11a, O, "The errata manager (EM) failed to initialize.", R, R, R, R),
    T(0x11b, O, "A driver's cancel routine returned still holding the global cancel spin lock.",
      "The IRP that was cancelled (may no longer be valid)", "Address of the cancel routine", "Not documented", "Not documented"),
    T(0x11c, O, "A driver wrote to memory the configuration manager protects.",
      "Virtual address of the attempted write", "Contents of its PTE", R, R),
    T(0x11d, O, "Event tracing (ETW) hit an unexpected fatal error.", "Not documented", "Not documented", "Not documented", "Not documented"),
    T(0x11e, O, "A file system caused too many recursive faults under low resources.", R, R, R, R),
    T(0x11f, O, "The initial handle to a driver object was closed between inserting the object and referencing the handle.",
      "The handle to the driver object", "Status returned when referencing the object", "The DRIVER_OBJECT", R),
    T(0x120, O, "BitLocker hit a fatal error.", "Type of violation", R, R, R),
    T(0x121, O, "A driver caused a violation; the call stack names the driver.", "Type of violation", R, R, "Not documented"),
    TS(0x122, O, "The Windows Hardware Error Architecture (WHEA) hit an internal error (often a vendor PSHED\n"
                 "plug-in or firmware error records).",
       "Type of failure", DEP, DEP, DEP, whea_internal_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x123, O, "The cryptographic subsystem failed a mandatory algorithm self-test at start-up.", R, R, R, R),
    T(0x124, O, "A fatal hardware error occurred (WHEA).",
      "Type of error source that reported the error", "Address of the WHEA_ERROR_RECORD structure",
      "High order 32-bits of the MCi_STATUS value", "Low order 32-bits of the MCi_STATUS value"),
    T(0x125, O, "The network module registrar (NMR) found an object in an invalid state.",
      "Subtype of the bug check (the kind of state)", "The NMR handle", "The expected type, when known", R),
    TS(0x126, O, "An invalid request was made to the NETIO managed memory pool (FSB, MDL).",
       "Subtype of the bug check", DEP, DEP, DEP, netio_pool_subs, 0, "Subtype of the bug check (not in kdx's table)"),
    T(0x127, O, "A page that should be all zeros is not (memory hardware or a driver wrote to a free page).",
      "Virtual address that maps the page", "Physical page number", "0 (reserved)", "0 (reserved)"),
    T(0x128, O, "A worker routine returned with its thread's I/O priority changed.",
      "Address of the worker routine", "I/O priority it returned with", "Parameter passed to it", "The work item"),
    T(0x129, O, "A worker routine returned with its thread's paging I/O priority changed.",
      "Address of the worker routine", "Paging I/O priority it returned with", "Parameter passed to it", "The work item"),
    TS(0x12a, O, "Windows found no installed, licensed language pack for the default UI language.",
       "Subtype of the bug check", DEP, R, R, mui_subs, 0, "Subtype of the bug check (not in kdx's table)"),
    T(0x12b, O, "A single-bit error was found on a page that should hold zeros: faulty memory hardware.",
      "Virtual address that maps the page", "Physical page number", "0 (reserved)", "0 (reserved)"),
    TFS(0x12c, "A problem occurred in the exFAT file system."),
    T(0x12d, O, "volsnap accessed a shared table from two threads at once, which can corrupt it.", R, R, R, R),
    T(0x12e, O, "A driver called IoBuildPartialMdl with a range its source MDL does not cover.",
      "The source MDL", "The target MDL", "Start of the requested range (virtual address)", "Length of the requested range"),
    TS(0x12f, O, "Booting from a VHD failed during initialization.",
       "Step that failed", "NTSTATUS of the failure", R, R, vhd_boot_subs, 0, "Step that failed (not in kdx's table)"),
    T(0x130, O, "A processor added at run time is incompatible with the current configuration.", R, R, R, R),
    TS(0x131, O, "Saving or restoring extended processor state (XSAVE) was asked with invalid parameters.",
       "Which check failed", DEP, DEP, DEP, xstate_subs, 0, "Which check failed (not in kdx's table)"),
    T(0x132, O, "An invalid resource owner pointer was passed in.",
      "The resource", "The resource's owner table", "The current thread", "The owner pointer passed in"),
    TS(0x133, O, "The DPC watchdog expired: code ran at DISPATCH_LEVEL or above for too long.",
       "The kind of DPC violation (0 single DPC, 1 cumulative)", DEP, DEP, DEP, dpc_watchdog_subs, 0, NULL),
    T(0x134, O, "The drive extender component hit a severe internal error.", R, R, R, R),
    T(0x135, O, "A registry filter driver did not handle an exception in its notification routine.",
      "The exception code", "Address of the context record of the exception", "The driver's callback routine (names the driver)", R),
    T(0x136, O, "Booting from a VHD failed: the host volume has no room to expand the VHD to full size.",
      "0: the VHD file could not be expanded to its full size", "NTSTATUS of the failure", R, R),
    T(0x137, O, "The win32k/ntuser handle manager hit a fatal error.", R, "Address of the object, if known", R, R),
    TS(0x138, O, "The GPIO class extension driver hit a fatal error.", "Type of violation", DEP, DEP, DEP,
       gpio_subs, 0, "Type of violation (not in kdx's table)"),
    TS(0x139, O,
       "The kernel detected corruption of a critical data structure (a stack buffer overrun,\n"
       "a corrupt list entry, a CFG violation).",
       "Type of memory safety violation", "Address of the trap frame for the exception that caused the bugcheck",
       "Address of the exception record for the exception that caused the bugcheck", R,
       fast_fail_subs, 0, "The type of security check failure (FAST_FAIL code not in kdx's table)"),
    TS(0x13a, O, "The kernel heap manager detected corruption in a heap.",
       "Type of corruption detected", "Address of the heap that reported the corruption",
       "Address at which the corruption was detected", R,
       kernel_heap_subs, 0, "Type of corruption detected (not in kdx's table)"),
    TS(0x13b, O, "The kernel found a passive-level interrupt being misused.",
       "Type of error", "KINTERRUPT of the passive-level interrupt", R, R, passive_interrupt_subs, 0, "Type of error (not in kdx's table)"),
    T(0x13c, O, "A thread exited with a non-zero I/O boost state.",
      "The thread with the bad boost state", "Its boost state or throttle count", R, R),
    T(0x13d, O, "Early kernel initialization failed.", R, R, R, R),
    T(0x140, O, "The storage stack saw a device stop responding too often or fail to respond.", R, R, R, R),
    TS(0x143, O, "The processor power management (PPM) driver hit a fatal error, often caused by the PEP.",
       "Type of failure", DEP, DEP, DEP, ppm_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x144, O, "The USB 3 driver stack detected an error.", "Type of USB 3 error", DEP, DEP, DEP,
       usb3_subs, 0, "Type of USB 3 error (not in kdx's table)"),
    T(0x145, O, "Secure Boot policy enforcement could not start (invalid policy, or a required step not done).",
      "Status of the failure", "Address of the Secure Boot policy", "Size of the Secure Boot policy", R),
    T(0x147, O, "Windows reset abnormally: no context or exception record was saved, no callbacks ran.", R, R, R, R),
    TFS(0x149, "A problem occurred in refs.sys, the ReFS file system."),
    TS(0x14a, O, "The kernel WMI subsystem hit a fatal error.", "Type of failure", DEP, R, R, kernel_wmi_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x14b, O, "A System on a Chip (SoC) subsystem hit an unrecoverable critical fault.",
      "SOC_SUBSYSTEM_FAILURE_DETAILS (dt nt!SOC_SUBSYSTEM_FAILURE_DETAILS)", R, R, "Vendor-supplied data block (optional)"),
    T(0x14c, O, "An unrecoverable error occurred or the system reset abnormally (hardware watchdog, brownout, ...).",
      R, R, R, R),
    T(0x14d, O, "Exception dispatching found its own state inconsistent.", R, R, R, R),
    T(0x14e, O, "A critical SoC device was unexpectedly removed or failed.",
      "ID of the removed device (four packed characters), when known", R, R, R),
    TS(0x14f, O, "A component did not respond in time, keeping the system from leaving connected standby.",
       "Client ID of the component that hung", "Client type of the component that hung", "Depends on Arg2", "Depends on Arg2",
       pdc_subs, 1, "Client type of the component that hung (not in kdx's table)"),
    T(0x150, O, "TCP/IP held the NIC active reference after the send queue drained (connected standby).", R, R, R, R),
    T(0x151, O, "Code ran in an unsupported processor instruction mode (e.g. classic ARM instead of Thumb-2).",
      "Program counter when it was detected", "The trap frame", R, R),
    T(0x152, O, "A push lock API was given invalid flags.", "The invalid flags", "Address of the push lock", R, R),
    TS(0x153, O, "A thread ended before freeing all its AutoBoost lock entries.",
       "The thread", "The entry that was not freed", "State of the entry", R, lock_entry_subs, 2, "State of the entry (not in kdx's table)"),
    T(0x154, O, "The store component caught an unexpected exception.",
      "Pointer to the store context or data manager", "Exception information", R, R),
    T(0x155, O, "Tampering with operating system data was detected.", R, R, R, R),
    T(0x156, O, "Winsock found a hung transport endpoint close during closesocket (live dump, not a crash).",
      "The AFD endpoint (!afdkd.endp)", "Endpoint type: 1 UDP, 2 raw, 3 TCP listener, 4 TCP", "Bytes buffered for sending (datagram endpoints)", "afd!NETIO_SUPER_TRIAGE_BLOCK"),
    TS(0x157, O, "An operation on a thread's priority floor was not allowed.",
       "The thread", "The target priority", "Kind of violation", R, priority_floor_subs, 2, "Kind of violation (not in kdx's table)"),
    T(0x158, O, "The IOMMU delivered a page fault for an invalid ASID (which may already be reused).",
      "The invalid ASID", "Number of ASIDs in use", "The process using the ASID", "The ASID's reference count"),
    T(0x159, O, "The IOMMU delivered a page fault for an ASID being freed: a driver left requests in flight.",
      "IOMMU vendor selector (0x3xxx: the second layout)", "The fault packet (0x3xxx: status)", "Vendor-specific fault data (0x3xxx: PASID)", "Vendor-specific fault data (0x3xxx: directory base)"),
    T(0x15a, O, "An SD-attached device had an unrecoverable hardware failure.",
      "The internal SD work packet that failed", "The controller's socket information", "The SD request packet sent to the bus driver", R),
    T(0x15b, O, "A worker routine returned with system page priority still raised.",
      "Address of the worker routine", "Current system page priority", "Parameter passed to it", "The work item"),
    TS(0x15c, O, "A component did not respond in time for connected standby (live dump, not a crash).",
       "Client ID of the component that hung", "Client type of the component that hung", "Depends on Arg2", "Depends on Arg2",
       pdc_subs, 1, "Client type of the component that hung (not in kdx's table)"),
    T(0x15f, O, "The system did not enter or leave connected standby in time.",
      "Subsystem that did not respond", DEP, DEP, DEP),
    T(0x160, O, "A Win32k function broke an ATOMICCHECK.", "Number of functions on the stack inside an atomic operation", R, R, R),
    T(0x161, O, "An administrator asked for a live dump of system memory.", R, R, R, R),
    T(0x162, O, "A thread released an AutoBoost-tracked lock it does not own.",
      "The thread", "Address of the lock", "Session ID of the thread", R),
    T(0x163, O, "A test of the kernel worker threads reported a failure.",
      "Test flags that were active", "Flag of the test that failed", R, R),
    TS(0x164, O, "Win32k hit a critical failure.", "Type of failure", DEP, DEP, DEP,
       win32k_critical_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x16c, O, "A rundown protection API was given invalid flags.", "The invalid flags", "Address of the rundown reference", R, R),
    T(0x16d, O, "A slot allocator API was given invalid flags.", "The invalid flags", R, R, R),
    T(0x16e, O, "ExReleaseResourceForThreadLite was given an invalid target thread.",
      "The resource being released", "The current thread", "The wrong target thread that was passed", R),
    T(0x170, O, "A cluster disconnect is not making progress (cluster CSV watchdog).",
      "ID of the thread handling the disconnect", "Timeout in milliseconds", R, R),
    T(0x171, O, "The crypto library hit an anomaly it cannot report to its caller (possibly an attack).", "ID of the failure", R, R, R),
    T(0x173, O, "CoreMessageCall detected an unrecoverable error.", "Type of failure", R, R, R),
    T(0x174, O, "CoreMessaging detected an unrecoverable error.", "Type of failure", R, R, R),
    TS(0x178, O, "An early-launch anti-malware (ELAM) driver detected a fatal error.",
       "Type of failure", DEP, DEP, "Vendor-supplied data block (optional)", elam_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x17b, O, "The profiler configuration is not allowed.", R, R, R, R),
    T(0x17e, O, "Processors have different microcode loaded (firmware updated only some of them).",
      "CPUID signature of the mismatching processor", "Microcode revision expected", "Microcode revision reported", "Index of the mismatching processor"),
    TS(0x187, O, "Video fell back to the basic display driver (BDD) instead of the vendor driver (live dump).",
       "Reason code", R, R, R, dwminit_subs, 0, "Reason code (not in kdx's table)"),
    TS(0x189, O, "An object header (OBJECT_HEADER) is corrupt.",
       "The bad OBJECT_HEADER", "OBJECT_TYPE that the header's TypeIndex leads to", "Type of corruption", R,
       bad_object_header_subs, 2, "Type of corruption (not in kdx's table)"),
    T(0x18b, O, "The secure kernel (virtualization-based security) hit a fatal error.", R, R, R, R),
    TS(0x18c, O, "HyperGuard found critical kernel code or data corrupted (a driver, a breakpoint set by a\n"
                 "debugger attached after boot, or failing hardware).",
       "Type of corrupted region", "Depends on the failure type", R, R, hyperguard_subs, 0, "Type of corrupted region (not in kdx's table)"),
    T(0x18d, KDX_BC_RECORDS_IN_ARG3_4, "A secure fault raised by the secure kernel could not be handled.",
      "Secure fault bits: 1 SLAT no-execute, 2 SLAT read, 4 SLAT write, 8 fault before the last one ended",
      "Virtual address of the fault (some fault types only)", "Address of the exception record", "Address of the context record"),
    TS(0x18e, O, "A partition object was dereferenced wrongly (a driver's reference bug, or kernel data corruption).",
       "Type of failure", DEP, DEP, R, partition_ref_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x191, O, "The PF component detected corruption (the reference documents no arguments).", R, R, R, R),
    T(0x192, O, "An AutoBoost-tracked lock was acquired at DISPATCH_LEVEL or above.",
      "The thread", "Address of the lock", "IRQL at which it was acquired", R),
    T(0x193, O, "The DirectX graphics kernel took a live dump for a recoverable problem.", "Reason code", DEP, DEP, DEP),
    TS(0x195, O, "The SMB server detected a problem and took a live dump.", "Type of problem", DEP, R, R,
       smb_livedump_subs, 0, "Type of problem (not in kdx's table)"),
    T(0x196, O, "The OS loader's security version does not match the operating system's (rollback).",
      "Security version of the loader", "Security version of the OS", R, R),
    TS(0x197, O, "win32k detected a security failure.", "Type of failure", DEP, DEP, DEP,
       win32k_security_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x198, O, "A UFX (USB function) live dump was taken; this code never stops the system.", "Type of failure", DEP, DEP, DEP,
       ufx_livedump_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x199, O, "A storage slot cannot be freed because an object still uses it.", "Address of the storage array", R, R, R),
    T(0x19a, O, "A worker routine attached to a silo and returned without detaching.",
      "Address of the worker routine (ln names the driver)", "Parameter passed to it", "The work item", R),
    TS(0x19b, O, "The terminal topology manager hit a fatal error.", "Type of failure", DEP, DEP, DEP,
       ttm_fatal_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x19c, O, "Win32k did not turn the monitor on in time.", "Failure type (win32kbase!POWER_WATCHDOG_TYPE)", DEP, DEP, DEP,
       win32k_power_subs, 0, "Failure type (not in kdx's table)"),
    TS(0x1a0, O, "The terminal topology manager found a device operation that did not finish in its time limit.",
       "Type of failure", "The device", "The worker thread", "The callout routine", ttm_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x1a2, O, "A callout into Win32k did not return promptly.", "The thread blocking the callout's return", R, R, R),
    T(0x1c4, O, "Driver Verifier caught a driver breaking a DDI compliance rule (live dump, not a crash).",
      "ID of the rule that was broken", "Text describing the broken rule condition",
      "Internal rule state (second argument to !ruleinfo), or reserved", "Supplemental states (third argument to !ruleinfo), or reserved"),
    T(0x1c5, O, "A kernel-mode thread pool deadlocked (live dump).", "Pool number (0: ExPoolUntrusted)", "The work queue (PEX_WORK_QUEUE)", R, R),
    TS(0x1c6, O, "The current thread called a fast resource (ERESOURCE) routine in a way it does not allow.",
       "Type of violation", DEP, DEP, DEP, fast_eresource_subs, 0, "Type of violation (not in kdx's table)"),
    TS(0x1c7, O, "The store (compressed memory) component found its data structures corrupt; often bad RAM or DMA.",
       "Corruption ID", DEP, DEP, DEP, store_corruption_subs, 0, "Corruption ID (not in kdx's table)"),
    T(0x1c8, O, "The power button was held to collect a dump of a hung system.",
      "Time the power button was held, in milliseconds", R, R, R),
    T(0x1ca, O, "A system-wide watchdog expired: the system is hung and does not process timer ticks.",
      "Time since the watchdog was last reset (interrupt time)", "Current interrupt time", "Current QPC value", "Index of the clock processor"),
    T(0x1cb, O, "A thread exited without detaching from the silo it was attached to.",
      "The attached thread", "The silo it was attached to", "The thread's process", R),
    T(0x1cd, O, "The callback stack is at a user-mode address, which is not allowed.", R, R, R, R),
    T(0x1ce, O, "A context switch found an invalid initial kernel stack address.", R, R, R, R),
    T(0x1cf, O, "The hardware watchdog expired: the system is hung and does not process timer ticks.",
      "Time since the watchdog was last reset (interrupt time)", "Current interrupt time", "Current QPC value", "Index of the clock processor"),
    T(0x1d0, O, "The ACPI driver did not finish an operation in the time allowed (ACPI_FIRMWARE_WATCHDOG_TIMEOUT\n"
                "in Microsoft's reference).",
      "The AMLI context", "Name of the AML context (Unicode)", "The ACPI device extension", "The ACPI triage block"),
    TS(0x1d2, O, "An executive worker thread is in an invalid state.",
       "Type of failure", "The worker thread", R, R, worker_state_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x1d3, O, "A Windows Filtering Platform callout did something that is not allowed.", "Subtype of the bug check", R, R, R,
       wfp_subs, 0, "Subtype of the bug check (not in kdx's table)"),
    T(0x1d5, O, "A driver did not finish a Plug and Play operation in time (system-wide watchdog).",
      "First characters of the service name of the device node", "nt!TRIAGE_PNP_WATCHDOG (Windows 10 1803 and later)",
      "The thread the PnP watchdog blames", "Milliseconds since the watchdog was armed"),
    T(0x1d6, O, "A worker routine changed its thread's workload class and did not restore it.",
      "Address of the worker routine (ln names the driver)", "Current workload class", "Parameter passed to it", "The work item"),
    T(0x1d7, O, "EFS hit an error it cannot handle without losing or corrupting data.",
      "Subclass (1: failure before crypto offloading)", "NTSTATUS of the operation", "The current IRP (see !irp)", "The file's encryption context"),
    TS(0x1d8, O, "The UcmUcsi driver hit an error and was configured to crash rather than take a live dump.",
       "Type of failure", "The UCSI command", "Extra information, if not 0 (dt UcmUcsiCx!UCMUCSICX_TRIAGE)", R,
       ucmucsi_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x1d9, O, "The HAL IOMMU library detected an internal error.", "The operation that failed", DEP, DEP, DEP,
       hal_iommu_subs, 0, "The operation that failed (not in kdx's table)"),
    TS(0x1da, O, "The HAL blocked-processor library detected an internal error.", "Type of failure", DEP, DEP, DEP,
       blocked_cpu_subs, 0, "Type of failure (not in kdx's table)"),
    T(0x1db, O, "A processor stayed in an inter-processor interrupt (IPI) loop longer than allowed.",
      "QPC frequency", "Current QPC value", "Baseline QPC value", R),
    TS(0x1dc, O, "A driver misused the DMA vectored common buffer APIs.", "Type of failure", DEP, DEP, DEP,
       dma_vector_subs, 0, "Type of failure (not in kdx's table)"),
    TS(0x1dd, O, "A mobile broadband driver managed by MBBCx caused an error; the call stack names it.",
       "Failure code", R, R, R, mbbcx_subs, 0, "Failure code (not in kdx's table)"),
    TS(0x1de, O, "A Wi-Fi driver managed by WiFiCx caused an error; the call stack names it.", "WiFiCx subcode", DEP, DEP, R,
       wificx_subs, 0, "WiFiCx subcode (not in kdx's table)"),
    T(0x1df, O, "A processor did not start in the time allowed (early in initialization).",
      "Virtual address of the processor state", R, "NT processor number", "Local unit ID of the processor"),
    TS(0x1e4, O, "The DirectX graphics kernel's system memory manager detected a violation.",
       "Subcode of the violation", R, R, R, sysmm_subs, 0, "Subcode of the violation (not in kdx's table)"),
    T(0x1e9, O, "A driver enabled ATS on a device already enabled for shared virtual memory (SVM).",
      "The physical device object", R, R, R),
    T(0x1ea, O, "Code mapped PCI config space (MCFG) directly from VTL0 while secure PCI is enabled.",
      "Opcode that faulted", "RID of the device", "Offset of the config space access", "Address of the faulting instruction"),
    T(0x1eb, O, "The Desktop Activity Moderator did not unfreeze user-session processes in time after modern standby.",
      "The DAM user session delay context", R, R, R),
    T(0x1ed, O, "A system-critical thread used an invalid handle in kernel mode.", R, R, R, R),
};

const size_t kdx_bc_text_count = sizeof kdx_bc_texts / sizeof kdx_bc_texts[0];
