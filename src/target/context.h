/* Register contexts of the three architectures, in one shape.
 * A kdx_context holds a value per register index of its arch plus a mask of
 * which registers are known (unwinding recovers only some of them). Parsers
 * for the Windows CONTEXT layouts of x86, x64 and ARM64 live here. */
#ifndef KDX_TARGET_CONTEXT_H
#define KDX_TARGET_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef enum kdx_arch {
    KDX_ARCH_UNKNOWN = 0,
    KDX_ARCH_X86,
    KDX_ARCH_X64,
    KDX_ARCH_ARM64
} kdx_arch;

const char *kdx_arch_name(kdx_arch a);   /* "x86", "x64", "ARM64" */
int kdx_arch_ptr_size(kdx_arch a);       /* 4 or 8; 0 for unknown */

/* x64 register indices (also used for the CONTEXT's integer order). */
enum {
    KDX_X64_RAX, KDX_X64_RCX, KDX_X64_RDX, KDX_X64_RBX, KDX_X64_RSP, KDX_X64_RBP,
    KDX_X64_RSI, KDX_X64_RDI, KDX_X64_R8, KDX_X64_R9, KDX_X64_R10, KDX_X64_R11,
    KDX_X64_R12, KDX_X64_R13, KDX_X64_R14, KDX_X64_R15, KDX_X64_RIP, KDX_X64_EFL,
    KDX_X64_CS, KDX_X64_DS, KDX_X64_ES, KDX_X64_FS, KDX_X64_GS, KDX_X64_SS,
    KDX_X64_DR0, KDX_X64_DR1, KDX_X64_DR2, KDX_X64_DR3, KDX_X64_DR6, KDX_X64_DR7,
    KDX_X64_MXCSR,
    KDX_X64_NREGS
};

/* x86 register indices. */
enum {
    KDX_X86_EAX, KDX_X86_ECX, KDX_X86_EDX, KDX_X86_EBX, KDX_X86_ESP, KDX_X86_EBP,
    KDX_X86_ESI, KDX_X86_EDI, KDX_X86_EIP, KDX_X86_EFL,
    KDX_X86_CS, KDX_X86_DS, KDX_X86_ES, KDX_X86_FS, KDX_X86_GS, KDX_X86_SS,
    KDX_X86_DR0, KDX_X86_DR1, KDX_X86_DR2, KDX_X86_DR3, KDX_X86_DR6, KDX_X86_DR7,
    KDX_X86_NREGS
};

/* ARM64 register indices: x0..x28, fp (x29), lr (x30), sp, pc, cpsr. */
enum {
    KDX_ARM64_X0 = 0,
    KDX_ARM64_FP = 29,
    KDX_ARM64_LR = 30,
    KDX_ARM64_SP = 31,
    KDX_ARM64_PC = 32,
    KDX_ARM64_CPSR = 33,
    KDX_ARM64_FPCR = 34,
    KDX_ARM64_FPSR = 35,
    KDX_ARM64_NREGS
};

#define KDX_MAX_REGS 40

typedef struct kdx_context {
    kdx_arch arch;
    uint64_t r[KDX_MAX_REGS];
    uint64_t valid;              /* bit i set: r[i] is known */
    uint8_t xmm[32][16];         /* x64 XMM0-15 / ARM64 V0-31, when has_vector */
    bool has_vector;
} kdx_context;

/* Instruction pointer, stack pointer and frame pointer of any arch. */
int kdx_reg_ip(kdx_arch a);
int kdx_reg_sp(kdx_arch a);
int kdx_reg_fp(kdx_arch a);
uint64_t kdx_ctx_ip(const kdx_context *c);
uint64_t kdx_ctx_sp(const kdx_context *c);
void kdx_ctx_set(kdx_context *c, int reg, uint64_t v);

int kdx_reg_count(kdx_arch a);
/* Canonical lower-case name ("rax", "efl", "x19", "fp"). */
const char *kdx_reg_name(kdx_arch a, int reg);
/* Register size in bytes as WinDbg prints it (segment registers: 2, efl: 4). */
int kdx_reg_width(kdx_arch a, int reg);

/* Looks up a register by name, case-insensitive, including sub-registers
 * (eax/ax/al/ah on x64, w0 on ARM64, rip/eip/ip aliases). Returns the full
 * register index and the shift/mask to extract the sub-register, or -1. */
typedef struct kdx_reg_ref {
    int reg;
    unsigned shift;
    uint64_t mask;
} kdx_reg_ref;
bool kdx_reg_lookup(kdx_arch a, const char *name, size_t name_len, kdx_reg_ref *out);

/* Sizes of Windows CONTEXT records. */
#define KDX_CONTEXT_X64_SIZE 0x4d0
#define KDX_CONTEXT_X86_SIZE 0x2cc
#define KDX_CONTEXT_X86_SIZE_NO_EXT 0xcc /* without ExtendedRegisters */
#define KDX_CONTEXT_ARM64_SIZE 0x390

/* What SwapContext leaves at KTHREAD.KernelStack on x64 Windows (7 to 11):
 * the frame _KSWITCH_FRAME describes, with rbp at +0x30 and the return
 * address into KiSwapContext at +0x38. Used only when the loaded symbols do
 * not describe _KSWITCH_FRAME (public 19041 tables lack it); readers say so. */
#define KDX_X64_SWITCH_FRAME_RBP 0x30
#define KDX_X64_SWITCH_FRAME_RETURN 0x38
#define KDX_X64_SWITCH_FRAME_SIZE 0x40
/* KUSER_SHARED_DATA sits at a fixed address on x64 and x86 Windows (an ABI
 * constant, like the page size); its fields are still read through the type. */
#define KDX_X64_SHARED_DATA 0xfffff78000000000ull
#define KDX_X86_SHARED_DATA 0xffdf0000ull

/* Parses a Windows CONTEXT record of arch a from len bytes. */
kdx_status kdx_context_parse(kdx_arch a, const void *buf, size_t len, kdx_context *out,
                             kdx_err *err);
/* Writes a Windows CONTEXT (for the dump writer); buf must hold the arch's full size. */
size_t kdx_context_write(const kdx_context *c, void *buf, size_t len);

#endif
