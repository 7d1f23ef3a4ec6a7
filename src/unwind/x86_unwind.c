/* x86 unwinding: FPO / FrameData records from the symbol provider first;
 * without them, the EBP chain, flagged as a heuristic so `k` can warn. */
#include <string.h>

#include "base/fmt.h"
#include "target/memory.h"
#include "unwind/unwind.h"

static kdx_status rd32(const kdx_unwind_env *env, uint64_t va, uint64_t *v, const char *what, kdx_err *err)
{
    uint32_t x;
    kdx_err e2 = {0};
    if (kdx_read_u32(env->target, va, &x, &e2) != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, e2.code ? e2.code : KDX_E_MEM_MISSING, "cannot read %s at %s: %s", what,
                           kdx_fmt_ptr(a, va, 4), e2.msg);
    }
    *v = x;
    return KDX_OK;
}

/* Frame with EBP as its base: [ebp] = caller's ebp, [ebp+4] = return address. */
static kdx_status ebp_frame(const kdx_unwind_env *env, kdx_context *c, kdx_err *err)
{
    uint64_t ebp = c->r[KDX_X86_EBP], saved, ret;
    if (rd32(env, ebp, &saved, "the saved ebp", err) != KDX_OK ||
        rd32(env, ebp + 4, &ret, "the return address", err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    kdx_ctx_set(c, KDX_X86_EBP, saved);
    kdx_ctx_set(c, KDX_X86_EIP, ret);
    kdx_ctx_set(c, KDX_X86_ESP, (ebp + 8) & 0xffffffffu);
    return KDX_OK;
}

kdx_status kdx_x86_unwind(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *out,
                          kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->caller = *ctx;
    kdx_context *c = &out->caller;
    uint64_t pc = ctx->r[KDX_X86_EIP];
    out->establisher = ctx->r[KDX_X86_EBP];
    kdx_unwind_image img;
    kdx_frame_data fd;
    bool have_fd = false;
    if (env->find_image(env->ud, pc, &img, NULL) == KDX_OK && img.frame_data &&
        img.frame_data(img.fd_ud, (uint32_t)(pc - img.base), &fd) == KDX_OK)
        have_fd = true;
    if (have_fd && !fd.uses_base_pointer && !fd.has_program) {
        /* FPO frame without EBP: locals and saved registers sit below the return address. */
        uint32_t off = (uint32_t)(pc - img.base) - fd.rva_start;
        uint64_t slot = ctx->r[KDX_X86_ESP];
        if (off >= fd.prolog_size)
            slot += fd.locals_size + fd.saved_regs_size;
        uint64_t ret;
        if (rd32(env, slot, &ret, "the return address", err) != KDX_OK)
            return KDX_E_MEM_MISSING;
        kdx_ctx_set(c, KDX_X86_EIP, ret);
        kdx_ctx_set(c, KDX_X86_ESP, (slot + 4) & 0xffffffffu);
        out->establisher = slot - 4;
        out->method = "fpo";
        return KDX_OK;
    }
    if (ebp_frame(env, c, err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    out->method = have_fd ? "framedata-ebp" : "ebp-chain";
    out->heuristic = !have_fd;
    return KDX_OK;
}
