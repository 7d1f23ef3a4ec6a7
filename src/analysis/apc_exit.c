/* Bug check 0x20 facts (apc_exit.h). */
#include "analysis/apc_exit.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/util.h"
#include "nt/apc.h"
#include "nt/field.h"
#include "sym/symbols.h"

typedef struct apc_list {
    kdx_session *s;
    kdx_strbuf text;
    unsigned n;
} apc_list;

static int one_apc(void *ud, const kdx_nt_apc *apc)
{
    apc_list *l = ud;
    char sym[256];
    kdx_sym_format(l->s, apc->kernel_routine, sym, sizeof sym);
    kdx_sb_printf(&l->text, "%sKAPC %016" PRIx64 " KernelRoutine %s", l->n++ ? "; " : "", apc->addr, sym);
    return l->n >= 8;
}

static char *pending_apcs(kdx_session *s, uint64_t thread)
{
    kdx_nt_apc_state st;
    uint64_t at;
    kdx_err err = {0};
    if (kdx_nt_offset(s, "nt!_KTHREAD", "ApcState", &at, &err) != KDX_OK ||
        kdx_nt_apc_state_read(s, thread + at, &st, &err) != KDX_OK)
        return kdx_asprintf("? (the APC state of thread %016" PRIx64 ": %s)", thread, err.msg);
    if (!st.kernel_pending)
        return NULL;
    apc_list l = {s, {0}, 0};
    kdx_sb_init(&l.text);
    kdx_sb_puts(&l.text, "");
    kdx_status rc = kdx_nt_apc_walk(s, &st, 0, one_apc, &l, NULL, &err);
    char *list = kdx_sb_take(&l.text);
    char *out = rc == KDX_OK ? kdx_asprintf("KernelApcPending, %u queued: %s", l.n, list)
                             : kdx_asprintf("KernelApcPending, %u queued: %s (list incomplete: %s)", l.n, list, err.msg);
    free(list);
    return out;
}

void kdx_apc_exit_fields(kdx_session *s, uint64_t thread, uint64_t arg2, char **disable, char **pending)
{
    int64_t kernel, special;
    kdx_err err = {0};
    *pending = NULL;
    if (kdx_nt_thread_apc_disable(s, thread, &kernel, &special, &err) != KDX_OK) {
        *disable = kdx_asprintf("%" PRIx64 " (the thread's counts cannot be read: %s)", arg2, err.msg);
        return;
    }
    /* Arg2 is the 16-bit KernelApcDisable as an unsigned number: 0xffff is -1. */
    bool agrees = (uint16_t)arg2 == (uint16_t)kernel;
    *disable = kdx_asprintf("%" PRIx64 " (thread %016" PRIx64 ": KernelApcDisable = %" PRId64 ", SpecialApcDisable = %" PRId64
                            "%s%s)",
                            arg2, thread, kernel, special,
                            kernel < 0 ? ": a critical region (KeEnterCriticalRegion, FsRtlEnterFileSystem, a mutex) "
                                         "was entered and not left"
                                       : "",
                            agrees ? "" : "; Arg2 differs from the thread's KernelApcDisable");
    *pending = pending_apcs(s, thread);
}
