/* ARM64 unwinding. Frames are followed through the frame-pointer chain
 * (fp -> {caller fp, lr}); frame 0 of a leaf returns through lr. The walk is
 * labelled a heuristic because .pdata/.xdata are not consulted yet. */
#include <string.h>

#include "base/fmt.h"
#include "target/memory.h"
#include "unwind/unwind.h"

kdx_status kdx_arm64_unwind(const kdx_unwind_env *env, const kdx_context *ctx, kdx_unwind_step *out,
                            kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->caller = *ctx;
    kdx_context *c = &out->caller;
    uint64_t fp = ctx->r[KDX_ARM64_FP];
    uint64_t saved_fp, lr;
    kdx_err e2 = {0};
    if (fp == 0 || kdx_read_u64(env->target, fp, &saved_fp, &e2) != KDX_OK ||
        kdx_read_u64(env->target, fp + 8, &lr, &e2) != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, KDX_E_MEM_MISSING, "frame pointer %s does not lead to a frame record%s%s",
                           kdx_fmt_u64(a, fp), e2.msg[0] ? ": " : "", e2.msg);
    }
    kdx_ctx_set(c, KDX_ARM64_FP, saved_fp);
    kdx_ctx_set(c, KDX_ARM64_LR, lr);
    kdx_ctx_set(c, KDX_ARM64_PC, lr);
    kdx_ctx_set(c, KDX_ARM64_SP, fp + 16);
    out->establisher = fp;
    out->method = "fp-chain";
    out->heuristic = true;
    return KDX_OK;
}
