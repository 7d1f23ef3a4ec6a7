/* Process and thread lists, client-id lookups, process facts (process.h). */
#include "nt/process.h"

#include <stdio.h>
#include <string.h>

#include "nt/field.h"
#include "nt/handle.h"
#include "nt/processor.h"
#include "target/memory.h"

typedef struct walk_ctx {
    uint64_t link_off;
    kdx_nt_object_cb cb;
    void *ud;
} walk_ctx;

static int container_cb(void *ud, uint64_t entry, size_t index)
{
    walk_ctx *w = ud;
    return w->cb ? w->cb(w->ud, entry - w->link_off, index) : 0;
}

/* Walks head's list of type/link elements; describes an early end in err. */
static kdx_status walk_list(kdx_session *s, uint64_t head, const char *type, const char *link, const char *what,
                            kdx_nt_object_cb cb, void *ud, kdx_nt_list_result *res, kdx_err *err)
{
    walk_ctx w = {0, cb, ud};
    kdx_status st = kdx_nt_offset(s, type, link, &w.link_off, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_list_result local;
    kdx_nt_list_result *r = res ? res : &local;
    st = kdx_nt_list_walk(s, head, NULL, container_cb, &w, r);
    if (st != KDX_OK) {
        char msg[KDX_ERR_MSG_MAX];
        kdx_nt_list_describe(s, r, what, msg, sizeof msg);
        kdx_err_set(err, st, "%s", msg);
    }
    return st;
}

kdx_status kdx_nt_process_walk(kdx_session *s, kdx_nt_object_cb cb, void *ud, kdx_nt_list_result *res,
                               kdx_err *err)
{
    uint64_t head;
    kdx_status st = kdx_nt_symbol(s, "nt!PsActiveProcessHead", &head, err);
    if (st != KDX_OK && s->target && s->target->kernel.ps_active_process_head) {
        head = s->target->kernel.ps_active_process_head; /* the dump header's copy */
        st = KDX_OK;
    }
    if (st != KDX_OK)
        return st;
    return walk_list(s, head, KDX_NT_EPROCESS, "ActiveProcessLinks", "the active process list", cb, ud, res, err);
}

kdx_status kdx_nt_process_threads(kdx_session *s, uint64_t process, kdx_nt_object_cb cb, void *ud,
                                  kdx_nt_list_result *res, kdx_err *err)
{
    uint64_t head_off;
    char what[64];
    snprintf(what, sizeof what, "the thread list of process %llx", (unsigned long long)process);
    if (kdx_nt_offset(s, KDX_NT_EPROCESS, "ThreadListHead", &head_off, NULL) == KDX_OK &&
        kdx_nt_has_field(s, KDX_NT_ETHREAD, "ThreadListEntry"))
        return walk_list(s, process + head_off, KDX_NT_ETHREAD, "ThreadListEntry", what, cb, ud, res, err);
    kdx_status st = kdx_nt_offset(s, KDX_NT_EPROCESS, "Pcb.ThreadListHead", &head_off, err);
    if (st != KDX_OK)
        return st;
    return walk_list(s, process + head_off, KDX_NT_ETHREAD, "Tcb.ThreadListEntry", what, cb, ud, res, err);
}

bool kdx_nt_is_dispatcher_kind(kdx_session *s, uint64_t addr, const char *kind)
{
    uint64_t type;
    if (kdx_nt_read(s, "nt!_DISPATCHER_HEADER", addr, "Type", &type, NULL) != KDX_OK)
        return false;
    const char *name = kdx_nt_enum_name(s, "nt!_KOBJECTS", (int64_t)type);
    return name && !strcmp(name, kind);
}

/* ---- client ids ---- */

typedef struct cid_find {
    kdx_session *s;
    uint64_t id;
    const char *field;
    uint64_t found;
} cid_find;

static int match_cid(void *ud, uint64_t object, size_t index)
{
    cid_find *f = ud;
    uint64_t v;
    (void)index;
    const char *type = !strcmp(f->field, "UniqueProcessId") ? KDX_NT_EPROCESS : KDX_NT_ETHREAD;
    if (kdx_nt_read(f->s, type, object, f->field, &v, NULL) == KDX_OK && v == f->id) {
        f->found = object;
        return 1;
    }
    return 0;
}

/* nt!PspCidTable holds object bodies at index cid/4; the answer is checked. */
static bool cid_table_lookup(kdx_session *s, uint64_t id, const char *kind, const char *type, const char *field,
                             uint64_t *out)
{
    uint64_t var, table, v;
    kdx_nt_handle_table ht;
    kdx_nt_handle h;
    if (kdx_nt_symbol(s, "nt!PspCidTable", &var, NULL) != KDX_OK)
        return false;
    if (kdx_read_ptr(s->target, var, &table, NULL) != KDX_OK || kdx_nt_handle_table_read(s, table, &ht, NULL) != KDX_OK ||
        kdx_nt_handle_lookup(s, &ht, id, &h, NULL) != KDX_OK)
        return false;
    if (!kdx_nt_is_dispatcher_kind(s, h.object, kind) ||
        kdx_nt_read(s, type, h.object, field, &v, NULL) != KDX_OK || v != id)
        return false;
    *out = h.object;
    return true;
}

kdx_status kdx_nt_process_by_cid(kdx_session *s, uint64_t pid, uint64_t *process, kdx_err *err)
{
    if (cid_table_lookup(s, pid, "ProcessObject", KDX_NT_EPROCESS, "UniqueProcessId", process))
        return KDX_OK;
    cid_find f = {s, pid, "UniqueProcessId", 0};
    kdx_err walk_err = {0};
    kdx_status st = kdx_nt_process_walk(s, match_cid, &f, NULL, &walk_err);
    if (f.found) {
        *process = f.found;
        return KDX_OK;
    }
    if (st != KDX_OK)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no process with Cid %llx among those read (%s)",
                           (unsigned long long)pid, walk_err.msg);
    return kdx_err_set(err, KDX_E_NOT_FOUND, "no process has Cid %llx", (unsigned long long)pid);
}

typedef struct thread_find {
    kdx_session *s;
    cid_find f;
    kdx_err first;
    bool incomplete;
} thread_find;

static int search_process(void *ud, uint64_t process, size_t index)
{
    thread_find *t = ud;
    kdx_err e = {0};
    (void)index;
    if (kdx_nt_process_threads(t->s, process, match_cid, &t->f, NULL, &e) != KDX_OK && !t->f.found &&
        !t->incomplete) {
        t->incomplete = true;
        t->first = e;
    }
    return t->f.found != 0;
}

kdx_status kdx_nt_thread_by_cid(kdx_session *s, uint64_t tid, uint64_t *thread, kdx_err *err)
{
    if (cid_table_lookup(s, tid, "ThreadObject", KDX_NT_ETHREAD, "Cid.UniqueThread", thread))
        return KDX_OK;
    /* The threads the processors run are in every dump, even when the lists are not. */
    for (unsigned i = 0; i < kdx_nt_processor_count(s); i++) {
        uint64_t t, v;
        if (kdx_nt_processor_thread(s, i, &t, NULL) == KDX_OK &&
            kdx_nt_read(s, KDX_NT_ETHREAD, t, "Cid.UniqueThread", &v, NULL) == KDX_OK && v == tid) {
            *thread = t;
            return KDX_OK;
        }
    }
    thread_find t = {s, {s, tid, "Cid.UniqueThread", 0}, {0}, false};
    kdx_err walk_err = {0};
    if (kdx_nt_process_walk(s, search_process, &t, NULL, &walk_err) != KDX_OK && !t.incomplete) {
        t.incomplete = true;
        t.first = walk_err;
    }
    if (t.f.found) {
        *thread = t.f.found;
        return KDX_OK;
    }
    if (t.incomplete)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "no thread with Cid %llx among those read (%s)",
                           (unsigned long long)tid, t.first.msg);
    return kdx_err_set(err, KDX_E_NOT_FOUND, "no thread has Cid %llx", (unsigned long long)tid);
}

/* ---- facts ---- */

kdx_status kdx_nt_process_image(kdx_session *s, uint64_t process, char name[16], kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = kdx_nt_field_of(s, KDX_NT_EPROCESS, "ImageFileName", &f, err);
    if (st != KDX_OK)
        return st;
    uint8_t raw[16] = {0};
    kdx_err why = {0};
    size_t n = (size_t)(f->size < 15 ? f->size : 15);
    st = kdx_read_virt(s->target, process + f->offset, raw, n, NULL, &why);
    if (st != KDX_OK)
        return kdx_err_set(err, st, "EPROCESS.ImageFileName of %llx: %s", (unsigned long long)process, why.msg);
    memcpy(name, raw, 15);
    name[15] = 0;
    return KDX_OK;
}

kdx_status kdx_nt_process_dtb(kdx_session *s, uint64_t process, uint64_t *dtb, kdx_err *err)
{
    return kdx_nt_read(s, KDX_NT_EPROCESS, process, "Pcb.DirectoryTableBase", dtb, err);
}

kdx_status kdx_nt_process_session(kdx_session *s, uint64_t process, bool *has, uint32_t *id, kdx_err *err)
{
    uint64_t space, v;
    *has = false;
    if (kdx_nt_has_field(s, KDX_NT_EPROCESS, "SessionId")) {
        kdx_status st = kdx_nt_read(s, KDX_NT_EPROCESS, process, "SessionId", &v, err);
        *has = st == KDX_OK;
        *id = (uint32_t)v;
        return st;
    }
    kdx_status st = kdx_nt_read(s, KDX_NT_EPROCESS, process, "Session", &space, err);
    if (st != KDX_OK || !space)
        return st;
    st = kdx_nt_read(s, "nt!_MM_SESSION_SPACE", space, "SessionId", &v, err);
    *has = st == KDX_OK;
    *id = (uint32_t)v;
    return st;
}

kdx_status kdx_nt_set_implicit_process(kdx_session *s, uint64_t process, kdx_err *err)
{
    kdx_target *t = s->target;
    if (!process) {
        s->implicit_process = 0;
        t->dtb = t->kernel_dtb;
        return KDX_OK;
    }
    uint64_t dtb;
    kdx_status st = kdx_nt_process_dtb(s, process, &dtb, err);
    if (st != KDX_OK)
        return st;
    s->implicit_process = process;
    /* The low bits hold flags (PCID, KVA shadow), not address bits. */
    uint64_t mask = t->paging == KDX_PAGING_X86_PAE ? ~0x1full
                    : t->paging == KDX_PAGING_X86  ? ~0xfffull
                                                    : 0x000ffffffffff000ull;
    if (t->paging != KDX_PAGING_NONE)
        t->dtb = dtb & mask;
    return KDX_OK;
}

void kdx_nt_follow_processor(kdx_session *s)
{
    uint64_t process, saved = s->implicit_process;
    if (kdx_nt_current_process(s, &process, NULL) == KDX_OK && kdx_nt_set_implicit_process(s, process, NULL) == KDX_OK)
        s->implicit_process = saved;
}
