/* Disassembly in WinDbg's syntax (capstone underneath) for x86, x64 and
 * ARM64: `fffff804`7bdf5a80 48894c2408      mov     qword ptr [rsp+8],rcx`,
 * with symbols for call/jump targets and RIP-relative data. */
#ifndef KDX_DISASM_DISASM_H
#define KDX_DISASM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/context.h"

struct kdx_session;

typedef enum kdx_insn_flow {
    KDX_FLOW_NONE = 0,
    KDX_FLOW_CALL,
    KDX_FLOW_JUMP,       /* unconditional */
    KDX_FLOW_COND,       /* conditional branch */
    KDX_FLOW_RET,
    KDX_FLOW_TRAP        /* int3 / ud2 / brk: ends a block */
} kdx_insn_flow;

typedef struct kdx_insn {
    uint64_t addr;
    uint8_t bytes[16];
    size_t len;
    char mnemonic[32];
    char operands[256];     /* WinDbg syntax, symbols not yet applied */
    kdx_insn_flow flow;
    bool has_target;        /* direct branch/call target */
    uint64_t target;
    bool has_mem_ref;       /* RIP-relative (x64) or absolute data reference */
    uint64_t mem_ref;
    /* x86/x64 memory operand, for the effective address `r` shows. */
    bool has_mem_operand;
    int mem_base, mem_index;         /* register indices of the arch, -1 when none */
    uint64_t base_mask, index_mask;  /* 32-bit registers in 64-bit code */
    int mem_scale;
    int64_t mem_disp;
    unsigned mem_size;               /* bytes accessed */
    int mem_seg;                     /* explicit segment register index, -1 when default */
} kdx_insn;

/* Decodes one instruction at addr from buf. KDX_E_FORMAT for bytes that do
 * not decode (the caller prints "???"). */
kdx_status kdx_disasm_one(kdx_arch arch, uint64_t addr, const uint8_t *buf, size_t len, kdx_insn *out);

/* Converts capstone Intel operand text to WinDbg's: no spaces around '+'/'-'
 * and after ',', hex as 0C0000428h. out may be the same as in. */
void kdx_disasm_windbg_operands(const char *in, char *out, size_t cap);

/* The full WinDbg line for an instruction (without newline), symbols from
 * the session when s is not NULL. */
void kdx_disasm_format(struct kdx_session *s, kdx_arch arch, const kdx_insn *in, char *line, size_t cap);

/* Effective address of the instruction's memory operand in the registers of
 * ctx, and the segment register it uses (explicit, else ss for rsp/rbp
 * bases, else ds). False when the instruction has none. */
bool kdx_disasm_effective_address(const kdx_insn *in, const kdx_context *ctx, uint64_t *ea, int *seg);

/* Reads and decodes the instruction at addr from the session's target. */
kdx_status kdx_disasm_read(struct kdx_session *s, uint64_t addr, kdx_insn *out, kdx_err *err);

/* ---- listings for u, ub, uf ---- */

/* u: count instructions from addr (or up to end_addr when nonzero), with
 * symbol labels; remembers where a following `u` continues. */
kdx_status kdx_disasm_u(struct kdx_session *s, uint64_t addr, uint64_t count, uint64_t end_addr, kdx_err *err);
bool kdx_disasm_has_next(struct kdx_session *s);
uint64_t kdx_disasm_next(struct kdx_session *s);
/* ub: the count instructions that end right before addr, found by decoding
 * from candidate starts and keeping one that lands exactly on addr. */
kdx_status kdx_disasm_ub(struct kdx_session *s, uint64_t addr, uint64_t count, kdx_err *err);
/* Start of the sequence ub would print (exposed for tests). */
kdx_status kdx_disasm_back(struct kdx_session *s, uint64_t addr, uint64_t count, uint64_t *start, kdx_err *err);
/* uf: the whole function containing addr, following branches and the
 * .pdata chunks of BBT-split functions; calls_only prints `uf /c`. */
kdx_status kdx_disasm_uf(struct kdx_session *s, uint64_t addr, bool calls_only, kdx_err *err);

/* Why capstone cannot be used (it is loaded on first use), NULL when it can. */
const char *kdx_disasm_unavailable(void);

#endif
