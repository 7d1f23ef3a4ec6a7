/* Stack unwinding for x64, x86 and ARM64.
 *
 * The unwinder reads stack memory through a kdx_target and code/unwind data
 * through an image resolver (kdx_unwind_env.find_image), so it runs the same
 * on a dump with images from the symbol path and on synthetic buffers in
 * tests. Where unwind data is missing the exact walk stops and says why;
 * stack scanning (scan.c, `.stackscan`) may then go on, and every frame
 * records how it was found (kdx_frame_trust). */
#ifndef KDX_UNWIND_UNWIND_H
#define KDX_UNWIND_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "pe/pe.h"
#include "symprov/provider.h"
#include "target/context.h"
#include "target/target.h"

/* One image as the unwinder sees it: bytes and the function table by RVA. */
typedef struct kdx_unwind_image {
    uint64_t base;
    uint64_t size;
    const char *name;    /* module name for messages */
    void *ud;
    kdx_status (*read)(void *ud, uint32_t rva, void *buf, size_t len, kdx_err *err);
    /* Function-table entry containing rva: KDX_E_NOT_FOUND when there is none (leaf). */
    kdx_status (*lookup)(void *ud, uint32_t rva, kdx_runtime_function *out, kdx_err *err);
    /* Optional: the whole function table, for uf and .fnent. */
    uint32_t nentries;
    uint32_t pdata_rva;   /* RVA of the table, 0 when unknown */
    kdx_status (*entry_at)(void *ud, uint32_t index, kdx_runtime_function *out, kdx_err *err);
    /* Optional: whether rva lies in an executable section (stack scanning). */
    bool (*is_code)(void *ud, uint32_t rva);
} kdx_unwind_image;

/* Finds the image containing addr. KDX_E_NOT_FOUND: addr is in no module.
 * Any other error: the module exists but its unwind data is unavailable
 * (the message says why). */
typedef kdx_status (*kdx_unwind_find_image)(void *ud, uint64_t addr, kdx_unwind_image *out,
                                           kdx_err *err);

/* x86 frame data (FPO / FrameData / STACK WIN) covering addr; KDX_E_NOT_FOUND when none. */
typedef kdx_status (*kdx_unwind_find_frame_data)(void *ud, uint64_t addr, kdx_frame_data *out);

/* True when addr is the first instruction of a function (from symbols or .pdata). */
typedef bool (*kdx_unwind_function_entry)(void *ud, uint64_t addr);

typedef struct kdx_unwind_env {
    kdx_target *target;              /* stack memory */
    kdx_unwind_find_image find_image;
    kdx_unwind_find_frame_data frame_data;  /* x86; NULL when none */
    kdx_unwind_function_entry function_entry; /* NULL when unknown */
    bool scan;                       /* scan the stack where the exact walk stops (.stackscan) */
    void *ud;
} kdx_unwind_env;

/* ---- x64 UNWIND_INFO ---- */

enum {
    KDX_UWOP_PUSH_NONVOL = 0,
    KDX_UWOP_ALLOC_LARGE = 1,
    KDX_UWOP_ALLOC_SMALL = 2,
    KDX_UWOP_SET_FPREG = 3,
    KDX_UWOP_SAVE_NONVOL = 4,
    KDX_UWOP_SAVE_NONVOL_FAR = 5,
    KDX_UWOP_EPILOG = 6,          /* version 2; SAVE_XMM in old version 1 images */
    KDX_UWOP_SPARE_CODE = 7,      /* SAVE_XMM_FAR in old images */
    KDX_UWOP_SAVE_XMM128 = 8,
    KDX_UWOP_SAVE_XMM128_FAR = 9,
    KDX_UWOP_PUSH_MACHFRAME = 10
};

enum { KDX_UNW_FLAG_EHANDLER = 1, KDX_UNW_FLAG_UHANDLER = 2, KDX_UNW_FLAG_CHAININFO = 4 };

#define KDX_X64_UNWIND_INFO_MAX (4 + 2 * 256 + 12)

typedef struct kdx_x64_unwind_info {
    uint8_t version, flags, prolog_size, ncodes, frame_reg, frame_offset;
    uint16_t slots[256];          /* raw UNWIND_CODE slots */
    bool has_handler;
    uint32_t handler_rva;
    uint32_t handler_data;        /* first dword of the handler data (when readable) */
    bool has_chain;
    kdx_runtime_function chain;   /* UNW_FLAG_CHAININFO: the chained entry */
    uint32_t size;                /* bytes of the structure as WinDbg counts them */
} kdx_x64_unwind_info;

/* One decoded unwind code. */
typedef struct kdx_x64_unwind_code {
    uint8_t code_offset, op, info;
    unsigned nslots;              /* slots used, 1..3 */
    uint32_t operand;             /* allocation size or save offset in bytes; 0 if none */
} kdx_x64_unwind_code;

/* Parses an UNWIND_INFO from len bytes (what is present). Checks version,
 * opcodes and that every code's operand slots exist. where names the
 * structure in errors ("amdppm.sys UNWIND_INFO at RVA 0x1234"). */
kdx_status kdx_x64_unwind_info_parse(const uint8_t *buf, size_t len, const char *where,
                                     kdx_x64_unwind_info *out, kdx_err *err);
/* Reads and parses the UNWIND_INFO at rva of img. */
kdx_status kdx_x64_unwind_info_read(const kdx_unwind_image *img, uint32_t rva,
                                    kdx_x64_unwind_info *out, kdx_err *err);
/* Decodes the code starting at slot i (i < ncodes). */
kdx_status kdx_x64_unwind_code_at(const kdx_x64_unwind_info *ui, unsigned i,
                                  kdx_x64_unwind_code *out, kdx_err *err);
const char *kdx_x64_uwop_name(uint8_t op, uint8_t version);

/* Result of unwinding one frame. */
typedef struct kdx_unwind_step {
    kdx_context caller;           /* registers in the caller (rip = return address) */
    uint64_t establisher;         /* establisher frame (x64) */
    bool machine_frame;           /* a PUSH_MACHFRAME (trap/interrupt frame) was unwound */
    bool in_epilog;               /* the pc was inside an epilogue */
    bool leaf;                    /* no function entry: return address taken at [rsp] */
    uint64_t machframe_addr;      /* where the machine frame's rip was read */
    bool heuristic;               /* x86: result of a heuristic, labelled as such */
    const char *method;           /* "fpo", "framedata", "ebp", "pdata", ... */
    bool has_frame_data;          /* x86: the record used */
    kdx_frame_data frame_data;
    kdx_runtime_function fn;      /* the function entry used (x64/ARM64) */
} kdx_unwind_step;

/* Virtually unwinds one x64 frame: ctx is the frame's context, the caller's
 * context goes to out. Follows chained unwind info (a loop or a chain deeper
 * than 32 is an error), detects epilogues, handles leaf functions. */
kdx_status kdx_x64_unwind(const kdx_unwind_env *env, const kdx_context *ctx,
                          kdx_unwind_step *out, kdx_err *err);

/* Evaluates an FPO/FrameData postfix program ("$T0 $ebp = $eip $T0 4 + ^ = ...")
 * over x86 registers and pseudo-variables; reads memory for ^. On success
 * *assigned has bit i set for every register i the program assigned. */
typedef struct kdx_x86_program_vars {
    uint64_t cb_saved_regs, cb_locals, cb_params, cb_callee_params, ra_search_start;
} kdx_x86_program_vars;
kdx_status kdx_x86_eval_program(const kdx_unwind_env *env, const char *program, const kdx_x86_program_vars *vars,
                                kdx_context *regs, uint32_t *assigned, kdx_err *err);

/* x86: FPO/FrameData records, then EBP chains (labelled). */
kdx_status kdx_x86_unwind(const kdx_unwind_env *env, const kdx_context *ctx,
                          kdx_unwind_step *out, kdx_err *err);
/* ARM64: packed and unpacked .pdata/.xdata, then the frame-pointer chain. */
kdx_status kdx_arm64_unwind(const kdx_unwind_env *env, const kdx_context *ctx,
                            kdx_unwind_step *out, kdx_err *err);

/* ---- Stack walks ---- */

typedef enum kdx_frame_end {
    KDX_FRAME_CONTINUES = 0,      /* next frame follows */
    KDX_FRAME_END_ZERO,           /* return address 0: end of the stack */
    KDX_FRAME_END_NO_UNWIND,      /* unwind data unavailable: stopped here (note says why) */
    KDX_FRAME_END_ERROR,          /* memory missing or unwind data corrupt (note says why) */
    KDX_FRAME_END_LIMIT           /* frame count reached */
} kdx_frame_end;

/* How a frame was found, as Breakpad's "Found by:" says it: the register
 * context, unwind data (call frame info: .pdata/.xdata, FPO/FrameData, the
 * rule for a function's first instruction), a frame-pointer chain, or
 * scanning the stack for a value that looks like a return address. */
typedef enum kdx_frame_trust {
    KDX_TRUST_CONTEXT = 0,
    KDX_TRUST_CFI,
    KDX_TRUST_FRAME_POINTER,
    KDX_TRUST_SCAN
} kdx_frame_trust;

/* "context", "cfi", "frame_pointer", "scan" (JSON and kv). */
const char *kdx_frame_trust_name(kdx_frame_trust t);

typedef struct kdx_frame {
    unsigned index;
    kdx_frame_trust trust;        /* how this frame's registers were found */
    bool call_verified;           /* scan: the bytes before the return address decode as a call */
    bool exact_walk_stopped;      /* the exact walk failed here and scanning found the caller (note says why) */
    kdx_context ctx;              /* registers in this frame (ip = pc in the frame) */
    uint64_t child_sp;            /* stack pointer in this frame */
    uint64_t ret_addr;            /* return address (caller's ip); valid when has_ret */
    bool has_ret;
    uint64_t frame_ptr;           /* x86: ebp of the frame */
    uint64_t args[4];             /* first stack arguments / home slots (kb) */
    bool args_valid;
    bool trap_frame;              /* this frame's unwind went through a machine frame */
    uint64_t trap_addr;           /* the KTRAP_FRAME holding that machine frame */
    const char *method;
    bool heuristic;
    bool has_frame_data;          /* x86: FPO/FrameData record used (kv shows it) */
    kdx_frame_data frame_data;
    kdx_frame_end end;
    char note[KDX_ERR_MSG_MAX];
} kdx_frame;

typedef struct kdx_stack {
    kdx_frame *frames;
    size_t len;
} kdx_stack;

/* Walks up to max frames from ctx. Always returns at least the first frame
 * on success; the last frame's `end` says why the walk stopped. Where the
 * exact walk cannot go on and env->scan is set, the stack is scanned for
 * return addresses as Breakpad's stackwalker does (scan.c); such frames have
 * trust KDX_TRUST_SCAN. */
kdx_status kdx_stack_walk(const kdx_unwind_env *env, const kdx_context *ctx, size_t max,
                          kdx_stack *out, kdx_err *err);
void kdx_stack_free(kdx_stack *st);

/* Stack scanning (scan.c): looks for the caller of the frame with context
 * callee in the words above its stack pointer (more words for frame 00). A
 * candidate must lie in a loaded module, in an executable section when the
 * section table is known, and, where the code bytes are readable, follow an
 * instruction that decodes as a call. KDX_E_NOT_FOUND when nothing qualifies. */
kdx_status kdx_stack_scan_caller(const kdx_unwind_env *env, const kdx_context *callee, bool context_frame,
                                 kdx_unwind_step *out, bool *call_verified, kdx_err *err);
/* Whether a frame-pointer or other guessed caller pc lies in a loaded module. */
bool kdx_stack_pc_in_module(const kdx_unwind_env *env, uint64_t pc);

struct kdx_session;
/* Environment that finds images through the session's modules and symbol
 * path (kdx_sym_module_image) and x86 frame data through symbol providers. */
void kdx_unwind_env_for_session(struct kdx_session *s, kdx_unwind_env *env);
/* The unwinder's view of an opened PE image loaded at base. */
void kdx_unwind_image_from_pe(struct kdx_pe *pe, uint64_t base, uint64_t size, const char *name,
                              kdx_unwind_image *out);
/* Replaces the session resolver (synthetic targets in tests); NULL restores it. */
void kdx_unwind_set_resolver(kdx_unwind_find_image fn, void *ud);
/* Image of the module at addr, for .fnent/uf. */
kdx_status kdx_unwind_session_image(struct kdx_session *s, uint64_t addr, kdx_unwind_image *out,
                                    kdx_err *err);

/* Follows an entry's chain to its primary entry (indirect entries resolved).
 * KDX_E_LIMIT with a clear message when the chain loops. */
kdx_status kdx_x64_primary_entry(const kdx_unwind_image *img, kdx_runtime_function fn,
                                 kdx_runtime_function *primary, kdx_err *err);

/* ---- Display (k family, r) ---- */

enum {
    KDX_K_NUMBERS = 1 << 0,   /* n */
    KDX_K_ARGS = 1 << 1,      /* b */
    KDX_K_VERBOSE = 1 << 2,   /* v */
    KDX_K_CALLSITE = 1 << 3,  /* c */
    KDX_K_PARAMS = 1 << 4,    /* p / P */
    KDX_K_NO_LINES = 1 << 5,  /* L: no source lines */
    KDX_K_MEMORY = 1 << 6     /* f: stack bytes used by each frame (numbers implied) */
};

void kdx_stack_print_header(struct kdx_session *s, kdx_arch arch, unsigned opts);
void kdx_stack_print_frame(struct kdx_session *s, const kdx_frame *f, unsigned opts);
/* Header, every frame and, after the last, why the walk stopped. */
void kdx_stack_print(struct kdx_session *s, const kdx_stack *st, unsigned opts);
/* A frame's call site as k prints it: module!symbol+0xoff, module+0xoff, or
 * for a pc in no module "0x" and the address (WinDbg's 0x436f6900). */
void kdx_stack_call_site(struct kdx_session *s, uint64_t ip, char *buf, size_t cap);
/* WinDbg's warning before a frame 00 whose pc is in no module. */
#define KDX_STACK_STRAY_IP_WARNING "WARNING: Frame IP not in any known module. Following frames may be wrong.\n"
/* The walk as one JSON object (frames with trust, where and why the exact
 * walk stopped); caller frees. */
char *kdx_stack_json(struct kdx_session *s, const kdx_stack *st);
/* WinDbg's `r` layout for the context's arch, with the flags line, the
 * symbol and the disassembled instruction at the pc. */
void kdx_regs_print(struct kdx_session *s, const kdx_context *c);
/* .fnent body for an ARM64 entry: packed fields, or the .xdata header, epilog scopes and codes. */
void kdx_arm64_fnent_print(struct kdx_session *s, const kdx_unwind_image *img, const kdx_runtime_function *fn);
/* .fnent: the function-table entry for addr, its unwind codes and chained entries. */
int kdx_fnent_print(struct kdx_session *s, uint64_t addr);
/* "iopl=0         nv up ei pl zr na po nc" */
void kdx_flags_format(uint64_t efl, char *buf, size_t cap);

#endif
