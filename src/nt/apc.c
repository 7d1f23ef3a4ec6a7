/* APC state, queued APCs and APC-disable counts (apc.h). */
#include "nt/apc.h"

#include <string.h>

#include "nt/field.h"

#define AS "nt!_KAPC_STATE"

kdx_status kdx_nt_apc_state_read(kdx_session *s, uint64_t addr, kdx_nt_apc_state *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    out->addr = addr;
    kdx_nt_obj o;
    kdx_status st = kdx_nt_obj_read(s, AS, addr, &o, err);
    if (st != KDX_OK)
        return st;
    uint64_t kp = 0, up = 0, kip = 0;
    st = kdx_nt_obj_get(&o, "Process", &out->process, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&o, "KernelApcPending", &kp, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&o, "UserApcPending", &up, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&o, "KernelApcInProgress", &kip, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_addr(&o, "ApcListHead[0]", &out->list_head[0], err);
    if (st == KDX_OK)
        st = kdx_nt_obj_addr(&o, "ApcListHead[1]", &out->list_head[1], err);
    kdx_nt_obj_free(&o);
    out->kernel_pending = kp != 0;
    out->user_pending = up != 0;
    out->kernel_in_progress = kip != 0;
    return st;
}

typedef struct apc_walk {
    kdx_session *s;
    uint64_t link_off;
    kdx_nt_apc_cb cb;
    void *ud;
    kdx_status st;
    kdx_err *err;
} apc_walk;

static int one_apc(void *ud, uint64_t entry, size_t index)
{
    apc_walk *w = ud;
    (void)index;
    kdx_nt_apc a = {entry - w->link_off, 0, 0, 0};
    uint64_t mode = 0;
    w->st = kdx_nt_read(w->s, "nt!_KAPC", a.addr, "KernelRoutine", &a.kernel_routine, w->err);
    if (w->st == KDX_OK)
        w->st = kdx_nt_read(w->s, "nt!_KAPC", a.addr, "NormalRoutine", &a.normal_routine, w->err);
    if (w->st == KDX_OK)
        w->st = kdx_nt_read(w->s, "nt!_KAPC", a.addr, "ApcMode", &mode, w->err);
    a.mode = (uint8_t)mode;
    return w->st != KDX_OK || (w->cb && w->cb(w->ud, &a));
}

kdx_status kdx_nt_apc_walk(kdx_session *s, const kdx_nt_apc_state *st, unsigned mode, kdx_nt_apc_cb cb, void *ud,
                           kdx_nt_list_result *res, kdx_err *err)
{
    if (mode > 1)
        return kdx_err_set(err, KDX_E_ARG, "APC mode %u does not exist (0 kernel, 1 user)", mode);
    apc_walk w = {s, 0, cb, ud, KDX_OK, err};
    kdx_status rc = kdx_nt_offset(s, "nt!_KAPC", "ApcListEntry", &w.link_off, err);
    if (rc != KDX_OK)
        return rc;
    kdx_nt_list_opts opts = {.max = 10000};
    kdx_nt_list_result local;
    kdx_nt_list_result *r = res ? res : &local;
    rc = kdx_nt_list_walk(s, st->list_head[mode], &opts, one_apc, &w, r);
    if (w.st != KDX_OK)
        return w.st;
    if (rc != KDX_OK) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(s, r, mode ? "the user APC list" : "the kernel APC list", msg, sizeof msg);
        return kdx_err_set(err, rc, "%s", msg);
    }
    return rc;
}

kdx_status kdx_nt_thread_apc_disable(kdx_session *s, uint64_t thread, int64_t *kernel, int64_t *special,
                                     kdx_err *err)
{
    uint64_t k, sp;
    kdx_status st = kdx_nt_read(s, "nt!_KTHREAD", thread, "KernelApcDisable", &k, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, "nt!_KTHREAD", thread, "SpecialApcDisable", &sp, err);
    if (st == KDX_OK) {
        *kernel = (int64_t)k;
        *special = (int64_t)sp;
    }
    return st;
}
