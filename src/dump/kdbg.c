/* KDDEBUGGER_DATA64: reading, and the Windows 8+ encoding. */
#include "dump/kdbg.h"

#include <string.h>

#include "base/bytes.h"
#include "base/util.h"

uint64_t kdx_kdbg_u64(const kdx_kdbg *k, unsigned off)
{
    return k->present && off + 8 <= k->size && off + 8 <= KDX_KDBG_MAX ? kdx_le64(k->raw + off) : 0;
}

uint64_t kdx_kdbg_ptr(const kdx_kdbg *k, unsigned off)
{
    uint64_t v = kdx_kdbg_u64(k, off);
    return k->ptr32 ? v & 0xffffffffull : v;
}

uint16_t kdx_kdbg_u16(const kdx_kdbg *k, unsigned off)
{
    return k->present && off + 2 <= k->size && off + 2 <= KDX_KDBG_MAX ? kdx_le16(k->raw + off) : 0;
}

bool kdx_kdbg_looks_plain(const uint8_t *buf, size_t len)
{
    if (len < 0x18 || memcmp(buf + KDX_KDBG_OWNER_TAG, "KDBG", 4) != 0)
        return false;
    uint32_t size = kdx_le32(buf + KDX_KDBG_SIZE);
    return size >= 0x18 && size <= KDX_KDBG_MAX;
}

static uint64_t rotl64(uint64_t v, unsigned r)
{
    r &= 63;
    return r ? (v << r) | (v >> (64 - r)) : v;
}

static uint64_t rotr64(uint64_t v, unsigned r)
{
    r &= 63;
    return r ? (v >> r) | (v << (64 - r)) : v;
}

void kdx_kdbg_decode(uint8_t *buf, size_t len, uint64_t wait_never, uint64_t wait_always,
                     uint64_t block_encoded_addr)
{
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t v = kdx_le64(buf + i) ^ wait_never;
        v = rotl64(v, (unsigned)(wait_never & 0xff));
        v ^= block_encoded_addr;
        v = __builtin_bswap64(v) ^ wait_always;
        kdx_put_le64(buf + i, v);
    }
}

void kdx_kdbg_encode(uint8_t *buf, size_t len, uint64_t wait_never, uint64_t wait_always,
                     uint64_t block_encoded_addr)
{
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t v = __builtin_bswap64(kdx_le64(buf + i) ^ wait_always);
        v ^= block_encoded_addr;
        v = rotr64(v, (unsigned)(wait_never & 0xff)) ^ wait_never;
        kdx_put_le64(buf + i, v);
    }
}

bool kdx_kdbg_recover(uint8_t *buf, size_t len, uint64_t module_list, uint64_t process_head)
{
    if (len < 0x58 || module_list == process_head)
        return false;
    uint64_t e1 = kdx_le64(buf + KDX_KDBG_PS_LOADED_MODULE_LIST);
    uint64_t e2 = kdx_le64(buf + KDX_KDBG_PS_ACTIVE_PROCESS_HEAD);
    uint64_t want = __builtin_bswap64(module_list ^ process_head);
    for (unsigned r = 0; r < 64; r++) {
        if (rotl64(e1 ^ e2, r) != want)
            continue;
        uint64_t key = rotl64(e1, r) ^ __builtin_bswap64(module_list);
        uint64_t tag = __builtin_bswap64(rotl64(kdx_le64(buf + KDX_KDBG_OWNER_TAG), r) ^ key);
        if ((uint32_t)tag != 0x4742444bu) /* "KDBG" */
            continue;
        for (size_t i = 0; i + 8 <= len; i += 8)
            kdx_put_le64(buf + i, __builtin_bswap64(rotl64(kdx_le64(buf + i), r) ^ key));
        return true;
    }
    return false;
}

/* 32-bit kernels keep KDBG pointers sign-extended to 64 bits. */
static uint64_t sign_extend32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

kdx_status kdx_kdbg_from_bytes(kdx_kdbg *k, const uint8_t *buf, size_t len, uint64_t addr,
                               uint64_t module_list, uint64_t process_head, bool ptr32,
                               const char *what, kdx_err *err)
{
    memset(k, 0, sizeof *k);
    k->ptr32 = ptr32;
    len = KDX_MIN(len, (size_t)KDX_KDBG_MAX);
    memcpy(k->raw, buf, len);
    if (!kdx_kdbg_looks_plain(k->raw, len)) {
        bool ok = kdx_kdbg_recover(k->raw, len, module_list, process_head) ||
                  (ptr32 && kdx_kdbg_recover(k->raw, len, sign_extend32(module_list),
                                             sign_extend32(process_head)));
        if (!ok)
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: KDDEBUGGER_DATA64 has no KDBG tag at offset 0x10 and is not "
                               "an encoded block this dump's header can decode",
                               what);
        k->was_encoded = true;
    }
    k->size = kdx_le32(k->raw + KDX_KDBG_SIZE);
    if (k->size > len)
        k->size = (uint32_t)len;
    k->present = true;
    k->addr = addr;
    k->ptr32 = ptr32;
    return KDX_OK;
}
