/* Stack scanning where unwind data ends, following the algorithm Breakpad's
 * stackwalker documents (src/google_breakpad/processor/stackwalker.h:
 * ScanForReturnAddress, InstructionAddressSeemsValid; stackwalker.cc:
 * kRASearchWords, TerminateWalk): look at the words above the callee's stack
 * pointer, more of them for the context frame, and take the first value
 * that could be a return address. kdx is stricter than Breakpad about what
 * could be one: besides lying in a loaded module it must lie in an
 * executable section when the module's section table is known, and where
 * the code bytes before it are readable (dump or image file) they must
 * decode as a call that ends exactly at the candidate; where they are not,
 * a candidate at a function's first instruction is taken for a function
 * pointer and skipped. */
#include <string.h>

#include "base/fmt.h"
#include "target/memory.h"
#include "unwind/callsite.h"
#include "unwind/unwind.h"

enum {
    SCAN_WORDS = 40,          /* Breakpad's kRASearchWords; four times as many for frame 00 */
    MIN_RETURN = 0x1000,      /* lower values end the walk in Breakpad (TerminateWalk) */
    X86_CALL_MAX = 9,         /* longest call forms tried (prefix + REX + FF /2 + SIB + disp32) */
    PAGE = 0x1000,
    MAX_FRAME_GAP = 0x100000  /* a saved frame pointer points less than this far up the stack */
};

bool kdx_stack_pc_in_module(const kdx_unwind_env *env, uint64_t pc)
{
    return pc >= MIN_RETURN && kdx_target_module_at(env->target, pc - 1) != NULL;
}

/* Up to want code bytes ending at end, right-aligned in buf: from the image
 * when the resolver has one, else from the dump (the whole span, or what is
 * left of it in end's page). Returns how many bytes end at end. */
static size_t code_before(const kdx_unwind_env *env, const kdx_unwind_image *img, uint64_t end, uint8_t *buf,
                          size_t want)
{
    uint64_t start = end - want;
    if (img && start >= img->base && end - img->base <= img->size &&
        img->read(img->ud, (uint32_t)(start - img->base), buf, want, NULL) == KDX_OK)
        return want;
    if (kdx_read_virt(env->target, start, buf, want, NULL, NULL) == KDX_OK)
        return want;
    uint64_t page = (end - 1) & ~(uint64_t)(PAGE - 1);
    if (page <= start)
        return 0;
    size_t n = (size_t)(end - page);
    if (kdx_read_virt(env->target, page, buf + want - n, n, NULL, NULL) != KDX_OK)
        return 0;
    return n;
}

typedef enum { CALL_NO, CALL_YES, CALL_UNKNOWN } call_check;

/* Does an instruction of exactly k bytes ending at tail decode as a call?
 * Decoded by unwind/callsite.c, not the disassembler: loading capstone
 * would cost more than the whole walk of a minidump's stacks. */
static bool call_of_length(kdx_arch arch, const uint8_t *tail, size_t k)
{
    return kdx_callsite_is_call(arch, tail - k, k);
}

static call_check call_precedes(const kdx_unwind_env *env, const kdx_unwind_image *img, kdx_arch arch, uint64_t ret)
{
    uint8_t buf[X86_CALL_MAX];
    if (arch == KDX_ARCH_ARM64) {
        if (code_before(env, img, ret, buf, 4) < 4)
            return CALL_UNKNOWN;
        return call_of_length(arch, buf + 4, 4) ? CALL_YES : CALL_NO;
    }
    size_t n = code_before(env, img, ret, buf, sizeof buf);
    for (size_t k = 2; k <= n; k++)
        if (call_of_length(arch, buf + sizeof buf, k))
            return CALL_YES;
    /* Every length a call could have was readable and none ends here. */
    return n == sizeof buf ? CALL_NO : CALL_UNKNOWN;
}

/* Could v be a return address? *verified: the call before it was decoded. */
static bool return_candidate(const kdx_unwind_env *env, kdx_arch arch, uint64_t v, bool *verified)
{
    *verified = false;
    kdx_module *m = v >= MIN_RETURN ? kdx_target_module_at(env->target, v - 1) : NULL;
    if (!m)
        return false;
    kdx_unwind_image img;
    bool have_img = env->find_image(env->ud, v - 1, &img, NULL) == KDX_OK;
    if (have_img && img.is_code && !img.is_code(img.ud, (uint32_t)(v - 1 - img.base)))
        return false;
    /* Without the section table: the first page holds the headers, and code
     * starts at SectionAlignment, a page for the images Windows loads. */
    if (!(have_img && img.is_code) && v - 1 - m->base < PAGE)
        return false;
    call_check c = call_precedes(env, have_img ? &img : NULL, arch, v);
    *verified = c == CALL_YES;
    /* Unverified, a function's first instruction is far more likely a function
     * pointer kept on the stack (handlers, callbacks) than the return address of
     * a call that ended the function before it. */
    if (c == CALL_UNKNOWN && env->function_entry && env->function_entry(env->ud, v))
        return false;
    return c != CALL_NO;
}

/* The caller's frame pointer once its return address was found at loc.
 * A callee that pushed it right below the return address and points its own
 * at the copy (push rbp; mov rbp, rsp) lets it be read back, as Breakpad's
 * walkers assume; a callee frame pointer already above the return address
 * was never changed and stays. One below it belongs to a frame the scan
 * skipped (or is no frame pointer at all): then the word right below the
 * return address is taken when it points further up the stack, the shape a
 * saved frame pointer has. Inferred, like every register of a scanned frame. */
static uint64_t caller_fp(const kdx_unwind_env *env, const kdx_context *callee, uint64_t loc)
{
    int ps = kdx_arch_ptr_size(callee->arch);
    uint64_t fp = callee->r[kdx_reg_fp(callee->arch)], below = 0, up = loc + (uint64_t)ps;
    if (fp >= up)
        return fp;
    if (kdx_read_virt(env->target, loc - (uint64_t)ps, &below, (size_t)ps, NULL, NULL) != KDX_OK)
        return fp;
    if (fp == loc - (uint64_t)ps || (below > up && below - up < MAX_FRAME_GAP))
        return below;
    return fp;
}

static void caller_from_slot(const kdx_unwind_env *env, const kdx_context *callee, uint64_t loc, uint64_t ret,
                             kdx_unwind_step *out)
{
    int ps = kdx_arch_ptr_size(callee->arch);
    memset(out, 0, sizeof *out);
    out->caller = *callee;
    kdx_ctx_set(&out->caller, kdx_reg_ip(callee->arch), ret);
    kdx_ctx_set(&out->caller, kdx_reg_sp(callee->arch), loc + (uint64_t)ps);
    kdx_ctx_set(&out->caller, kdx_reg_fp(callee->arch), caller_fp(env, callee, loc));
    out->heuristic = true;
    out->method = "scan";
}

kdx_status kdx_stack_scan_caller(const kdx_unwind_env *env, const kdx_context *callee, bool context_frame,
                                 kdx_unwind_step *out, bool *call_verified, kdx_err *err)
{
    kdx_arch arch = callee->arch;
    int ps = kdx_arch_ptr_size(arch);
    if (ps == 0)
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "no stack scanning for this architecture");
    uint64_t sp = kdx_ctx_sp(callee);
    unsigned words = context_frame ? 4 * SCAN_WORDS : SCAN_WORDS;
    unsigned i = 0;
    for (; i <= words; i++) {
        uint64_t loc = sp + (uint64_t)i * (uint64_t)ps, v = 0;
        if (kdx_read_virt(env->target, loc, &v, (size_t)ps, NULL, NULL) != KDX_OK)
            break; /* the stack memory ends (or is not in the dump) */
        if (return_candidate(env, arch, v, call_verified)) {
            caller_from_slot(env, callee, loc, v, out);
            return KDX_OK;
        }
    }
    char a[KDX_ADDR_BUF];
    return kdx_err_set(err, KDX_E_NOT_FOUND, "stack scanning found no return address in %u words from %s", i,
                       kdx_fmt_ptr(a, sp, ps));
}
