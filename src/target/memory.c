#include "target/memory.h"

#include <string.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "mm/translate.h"
#include "target/overlay.h"

static kdx_status missing(kdx_target *t, uint64_t va, kdx_status code, kdx_err *err,
                          const char *why)
{
    char a[KDX_ADDR_BUF];
    return kdx_err_set(err, code, "memory at %s %s", kdx_fmt_ptr(a, va, t->ptr_size), why);
}

/* Reads within one 4 KB page of virtual memory; *done is the count of bytes
 * read before the first missing one (direct ranges may end mid-page). */
static kdx_status read_virt_page(kdx_target *t, uint64_t va, uint8_t *buf, size_t len,
                                 size_t *done, kdx_err *err)
{
    *done = 0;
    bool tables = t->paging != KDX_PAGING_NONE && t->ops && t->ops->read_phys;
    if (t->ops && t->ops->read_virt) {
        kdx_status st = t->ops->read_virt(t->impl, va, buf, len, done);
        if (st == KDX_OK)
            return KDX_OK;
        if (!tables)
            return missing(t, va + *done, KDX_E_MEM_MISSING, err, "is not present in the dump");
        *done = 0;
    }
    if (!tables)
        return missing(t, va, KDX_E_MEM_MISSING, err, "is not present in the dump");
    kdx_xlat x;
    kdx_status st = kdx_mm_translate(t, t->dtb, va, &x, err);
    if (st != KDX_OK)
        return st;
    st = t->ops->read_phys(t->impl, x.pa, buf, len, done);
    if (st != KDX_OK)
        return missing(t, va + *done, KDX_E_MEM_MISSING, err,
                       st == KDX_E_TRUNCATED
                           ? "is not present in the dump (its physical page lies past the end of "
                             "the truncated dump file)"
                           : "is not present in the dump (its physical page is not saved)");
    return KDX_OK;
}

kdx_status kdx_read_virt(kdx_target *t, uint64_t va, void *buf, size_t len, size_t *done,
                         kdx_err *err)
{
    uint8_t *dst = buf;
    size_t got = 0;
    kdx_status st = KDX_OK;
    while (got < len) {
        uint64_t a = va + got;
        size_t n = KDX_MIN(len - got, 4096 - (size_t)(a & 0xfff)), page_done = 0;
        st = read_virt_page(t, a, dst + got, n, &page_done, err);
        got += KDX_MIN(page_done, n);
        if (st != KDX_OK)
            break;
    }
    kdx_overlay_apply(t->overlay, va, buf, got);
    if (done)
        *done = got;
    return st;
}

/* The lowest address above the unreadable va that may hold bytes: the next
 * direct range the reader knows of, or the next page. 0 when none. */
static uint64_t next_readable_candidate(kdx_target *t, uint64_t va)
{
    uint64_t page = (va | 0xfff) + 1; /* 0 past the top of the address space */
    bool tables = t->paging != KDX_PAGING_NONE && t->ops && t->ops->read_phys;
    if (!t->next_virt)
        return page;
    uint64_t next;
    if (t->next_virt(t->impl, va + 1, &next) != KDX_OK || next <= va)
        return tables ? page : 0;
    return tables && page && page < next ? page : next;
}

size_t kdx_read_virt_present(kdx_target *t, uint64_t va, void *buf, size_t len, uint8_t *present)
{
    uint8_t *dst = buf;
    memset(dst, 0, len);
    memset(present, 0, len);
    size_t pos = 0, total = 0;
    while (pos < len) {
        size_t done = 0;
        kdx_status st = kdx_read_virt(t, va + pos, dst + pos, len - pos, &done, NULL);
        memset(present + pos, 1, done);
        total += done;
        pos += done;
        if (st == KDX_OK || pos >= len)
            break;
        uint64_t next = next_readable_candidate(t, va + pos);
        if (!next || next <= va + pos || next - va >= len)
            break;
        pos = (size_t)(next - va);
    }
    return total;
}

kdx_status kdx_read_phys(kdx_target *t, uint64_t pa, void *buf, size_t len, size_t *done,
                         kdx_err *err)
{
    size_t got = 0;
    if (!t->ops || !t->ops->read_phys) {
        if (done)
            *done = 0;
        return kdx_err_set(err, KDX_E_UNSUPPORTED, "this dump holds no physical memory");
    }
    kdx_status st = t->ops->read_phys(t->impl, pa, buf, len, &got);
    if (done)
        *done = got;
    if (st != KDX_OK) {
        char a[KDX_ADDR_BUF];
        return kdx_err_set(err, KDX_E_MEM_MISSING, "physical memory at %s is not present in the dump%s",
                           kdx_fmt_u64(a, pa + got),
                           st == KDX_E_TRUNCATED ? " (the page lies past the end of the truncated dump file)" : "");
    }
    return KDX_OK;
}

kdx_status kdx_read_u8(kdx_target *t, uint64_t va, uint8_t *v, kdx_err *err)
{
    return kdx_read_virt(t, va, v, 1, NULL, err);
}

kdx_status kdx_read_u16(kdx_target *t, uint64_t va, uint16_t *v, kdx_err *err)
{
    uint8_t b[2];
    kdx_status st = kdx_read_virt(t, va, b, 2, NULL, err);
    *v = st == KDX_OK ? kdx_le16(b) : 0;
    return st;
}

kdx_status kdx_read_u32(kdx_target *t, uint64_t va, uint32_t *v, kdx_err *err)
{
    uint8_t b[4];
    kdx_status st = kdx_read_virt(t, va, b, 4, NULL, err);
    *v = st == KDX_OK ? kdx_le32(b) : 0;
    return st;
}

kdx_status kdx_read_u64(kdx_target *t, uint64_t va, uint64_t *v, kdx_err *err)
{
    uint8_t b[8];
    kdx_status st = kdx_read_virt(t, va, b, 8, NULL, err);
    *v = st == KDX_OK ? kdx_le64(b) : 0;
    return st;
}

kdx_status kdx_read_ptr(kdx_target *t, uint64_t va, uint64_t *v, kdx_err *err)
{
    if (t->ptr_size == 4) {
        uint32_t x;
        kdx_status st = kdx_read_u32(t, va, &x, err);
        *v = x;
        return st;
    }
    return kdx_read_u64(t, va, v, err);
}

kdx_status kdx_write_virt(kdx_target *t, uint64_t va, const void *buf, size_t len, kdx_err *err)
{
    /* Only memory that exists in the dump can be edited, as on a real target. */
    uint8_t probe[256];
    for (size_t off = 0; off < len; off += sizeof probe) {
        size_t n = KDX_MIN(sizeof probe, len - off);
        kdx_status st = kdx_read_virt(t, va + off, probe, n, NULL, err);
        if (st != KDX_OK)
            return st;
    }
    if (!t->overlay)
        t->overlay = kdx_overlay_new();
    kdx_overlay_write(t->overlay, va, buf, len);
    return KDX_OK;
}

uint64_t kdx_sign_extend_ptr(const kdx_target *t, uint64_t v)
{
    if (t->ptr_size == 4)
        return v & 0xffffffffull;
    return v;
}
