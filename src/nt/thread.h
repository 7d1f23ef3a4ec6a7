/* Threads: the register context of any thread (the processor's when the
 * thread is running, else what SwapContext saved at KTHREAD.KernelStack,
 * which the normal unwinder then walks), and making a thread implicit
 * (.thread). */
#ifndef KDX_NT_THREAD_H
#define KDX_NT_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "target/context.h"
#include "target/session.h"

typedef enum kdx_nt_ctx_source {
    KDX_NT_CTX_PROCESSOR,       /* the thread runs: its processor's context */
    KDX_NT_CTX_SWITCH_FRAME,    /* _KSWITCH_FRAME at KernelStack, read through the types */
    KDX_NT_CTX_SWITCH_ASSUMED   /* the same frame, its x64 layout assumed (symbols lack the type) */
} kdx_nt_ctx_source;

/* Registers of thread; *cpu is its processor or -1. */
kdx_status kdx_nt_thread_context(kdx_session *s, uint64_t thread, kdx_context *ctx, int *cpu,
                                 kdx_nt_ctx_source *src, kdx_err *err);
/* The thread's stack: its context (above), then the unwinder, at most max
 * frames (caller frees with kdx_stack_free); *src (optional) says how the
 * first frame was found. */
struct kdx_stack;
kdx_status kdx_nt_thread_stack(kdx_session *s, uint64_t thread, size_t max, struct kdx_stack *st,
                               kdx_nt_ctx_source *src, kdx_err *err);
/* The process that owns thread (KTHREAD.Process). */
kdx_status kdx_nt_thread_process(kdx_session *s, uint64_t thread, uint64_t *process, kdx_err *err);
/* .thread: thread's registers become the scope context; with_process also
 * makes its process implicit (.thread /p). thread 0 resets both. */
kdx_status kdx_nt_set_implicit_thread(kdx_session *s, uint64_t thread, bool with_process, kdx_err *err);
/* The sentence a display adds once when some context used the assumed layout. */
const char *kdx_nt_assumed_frame_note(void);

#endif
