/* Wait blocks and dispatcher objects (wait.h). */
#include "nt/wait.h"

#include <stdio.h>
#include <string.h>

#include "nt/field.h"
#include "nt/list.h"

#define KT "nt!_KTHREAD"
#define WB "nt!_KWAIT_BLOCK"
#define DH "nt!_DISPATCHER_HEADER"

const char *kdx_nt_thread_state_name(kdx_session *s, uint64_t state)
{
    return kdx_nt_enum_name(s, "nt!_KTHREAD_STATE", (int64_t)state);
}

const char *kdx_nt_wait_reason_name(kdx_session *s, uint64_t reason)
{
    return kdx_nt_enum_name(s, "nt!_KWAIT_REASON", (int64_t)reason);
}

void kdx_nt_dispatcher_describe(kdx_session *s, kdx_nt_wait_block *b)
{
    uint64_t type;
    b->has_object_type = kdx_nt_read(s, DH, b->object, "Type", &type, &b->why) == KDX_OK;
    if (!b->has_object_type)
        return;
    b->object_type = (uint8_t)type;
    b->object_kind = kdx_nt_enum_name(s, "nt!_KOBJECTS", (int64_t)type);
    if (b->object_kind && !strcmp(b->object_kind, "MutantObject"))
        kdx_nt_read(s, "nt!_KMUTANT", b->object, "OwnerThread", &b->owner, NULL);
    if (b->object_kind && !strcmp(b->object_kind, "SemaphoreObject"))
        kdx_nt_read(s, "nt!_KSEMAPHORE", b->object, "Limit", (uint64_t *)&b->limit, NULL);
}

static kdx_status read_block(kdx_session *s, uint64_t addr, kdx_nt_wait_block *b, kdx_err *err)
{
    memset(b, 0, sizeof *b);
    b->addr = addr;
    uint64_t wt;
    kdx_status st = kdx_nt_read(s, WB, addr, "Object", &b->object, err);
    if (st == KDX_OK)
        st = kdx_nt_read(s, WB, addr, "WaitType", &wt, err);
    if (st != KDX_OK)
        return st;
    b->wait_type = (uint8_t)wt;
    kdx_nt_dispatcher_describe(s, b);
    return KDX_OK;
}

/* Windows 8 and later: WaitBlockCount blocks from WaitBlockList, contiguous. */
static kdx_status blocks_by_count(kdx_session *s, uint64_t first, uint64_t count, kdx_nt_wait_block *out,
                                  size_t max, size_t *n, kdx_err *err)
{
    uint64_t size;
    kdx_status st = kdx_nt_sizeof(s, WB, &size, err);
    for (uint64_t i = 0; st == KDX_OK && i < count && *n < max; i++)
        st = read_block(s, first + i * size, &out[(*n)++], err);
    return st;
}

/* Older kernels: a ring through NextWaitBlock. */
static kdx_status blocks_by_ring(kdx_session *s, uint64_t first, kdx_nt_wait_block *out, size_t max, size_t *n,
                                 kdx_err *err)
{
    kdx_nt_addrset seen = {0};
    kdx_status st = KDX_OK;
    for (uint64_t b = first; b && *n < max; ) {
        if (!kdx_nt_addrset_add(&seen, b, *n, NULL))
            break;
        if ((st = read_block(s, b, &out[(*n)++], err)) != KDX_OK)
            break;
        if ((st = kdx_nt_read(s, WB, b, "NextWaitBlock", &b, err)) != KDX_OK || b == first)
            break;
    }
    kdx_nt_addrset_free(&seen);
    return st;
}

kdx_status kdx_nt_thread_waits(kdx_session *s, uint64_t thread, kdx_nt_wait_block *out, size_t max, size_t *n,
                               kdx_err *err)
{
    *n = 0;
    uint64_t first, count;
    kdx_status st = kdx_nt_read(s, KT, thread, "WaitBlockList", &first, err);
    if (st != KDX_OK || !first)
        return st;
    if (kdx_nt_has_field(s, WB, "NextWaitBlock"))
        return blocks_by_ring(s, first, out, max, n, err);
    st = kdx_nt_read(s, KT, thread, "WaitBlockCount", &count, err);
    if (st != KDX_OK)
        return st;
    if (count > 64)
        return kdx_err_set(err, KDX_E_FORMAT, "KTHREAD.WaitBlockCount is %llu, more than a wait can have",
                           (unsigned long long)count);
    return blocks_by_count(s, first, count, out, max, n, err);
}

/* _KOBJECTS enumerators and WinDbg's words for them. */
static const struct {
    const char *kind, *word;
} words[] = {
    {"EventNotificationObject", "NotificationEvent"},
    {"EventSynchronizationObject", "SynchronizationEvent"},
    {"ProcessObject", "ProcessObject"},
    {"QueueObject", "QueueObject"},
    {"ThreadObject", "ThreadObject"},
    {"GateObject", "GateObject"},
    {"TimerNotificationObject", "NotificationTimer"},
    {"TimerSynchronizationObject", "SynchronizationTimer"},
    {"PriQueueObject", "PriQueueObject"},
};

void kdx_nt_wait_object_text(kdx_session *s, const kdx_nt_wait_block *b, char *buf, size_t cap)
{
    if (!b->has_object_type) {
        snprintf(buf, cap, "(object header not readable: %s)", b->why.msg);
        return;
    }
    const char *k = b->object_kind;
    if (!k) {
        snprintf(buf, cap, "Unknown (dispatcher type %u)", b->object_type);
        return;
    }
    if (!strcmp(k, "MutantObject")) {
        snprintf(buf, cap, "Mutant - owning thread %0*llx", kdx_session_ptr_size(s) * 2,
                 (unsigned long long)b->owner);
        return;
    }
    if (!strcmp(k, "SemaphoreObject")) {
        snprintf(buf, cap, "Semaphore Limit 0x%llx", (unsigned long long)b->limit);
        return;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(k, words[i].kind)) {
            snprintf(buf, cap, "%s", words[i].word);
            return;
        }
    snprintf(buf, cap, "%s", k);
}
