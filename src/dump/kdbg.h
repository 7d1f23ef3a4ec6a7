/* KDDEBUGGER_DATA64 ("KDBG"): the kernel's table of global addresses and
 * structure offsets kept for debuggers. Found through the dump header's
 * KdDebuggerDataBlock pointer or the triage dump's copy, decoded when
 * Windows 8+ stored it encoded (KiWaitNever / KiWaitAlways / KdpDataBlockEncoded). */
#ifndef KDX_DUMP_KDBG_H
#define KDX_DUMP_KDBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Field offsets in KDDEBUGGER_DATA64 (the same 64-bit layout on every arch). */
enum {
    KDX_KDBG_OWNER_TAG = 0x10,
    KDX_KDBG_SIZE = 0x14,
    KDX_KDBG_KERN_BASE = 0x18,
    KDX_KDBG_PS_LOADED_MODULE_LIST = 0x48,
    KDX_KDBG_PS_ACTIVE_PROCESS_HEAD = 0x50,
    KDX_KDBG_MM_PFN_DATABASE = 0xc0,
    KDX_KDBG_NT_BUILD_LAB = 0x208,
    KDX_KDBG_KI_PROCESSOR_BLOCK = 0x218,
    KDX_KDBG_CM_NT_CSD_VERSION = 0x268,
    KDX_KDBG_OFF_KTHREAD_APC_PROCESS = 0x2a0,
    KDX_KDBG_SIZE_EPROCESS = 0x2a8,
    KDX_KDBG_SIZE_PRCB = 0x2b0,
    KDX_KDBG_OFF_PRCB_CURRENT_THREAD = 0x2b4,
    KDX_KDBG_OFF_PRCB_PROC_STATE_CONTEXT = 0x2bc,
    KDX_KDBG_OFF_PRCB_NUMBER = 0x2be,
    KDX_KDBG_SIZE_ETHREAD = 0x2c0,
    KDX_KDBG_OFF_PRCB_CONTEXT = 0x338,
    KDX_KDBG_PTE_BASE = 0x360
};

#define KDX_KDBG_MAX 0x400  /* larger than any known block */
#define KDX_KDBG_MIN 0x290  /* up to the structure offsets */

typedef struct kdx_kdbg {
    bool present;
    bool was_encoded;        /* decoded from the Windows 8+ encoding */
    uint64_t addr;           /* KdDebuggerDataBlock, 0 unknown */
    uint32_t size;           /* Header.Size */
    bool ptr32;              /* a 32-bit kernel: pointers are stored sign-extended */
    uint8_t raw[KDX_KDBG_MAX];
} kdx_kdbg;

/* Field readers; 0 for a field beyond the block's size. */
uint64_t kdx_kdbg_u64(const kdx_kdbg *k, unsigned off);
/* A pointer field: truncated to 32 bits for a 32-bit kernel. */
uint64_t kdx_kdbg_ptr(const kdx_kdbg *k, unsigned off);
uint16_t kdx_kdbg_u16(const kdx_kdbg *k, unsigned off);

/* True when buf (len bytes) starts like a plain KDBG block: tag and a sane size. */
bool kdx_kdbg_looks_plain(const uint8_t *buf, size_t len);

/* Kernel's encoding, 8 bytes at a time: decode with the values of
 * nt!KiWaitNever, nt!KiWaitAlways and the address of nt!KdpDataBlockEncoded. */
void kdx_kdbg_decode(uint8_t *buf, size_t len, uint64_t wait_never, uint64_t wait_always,
                     uint64_t block_encoded_addr);
void kdx_kdbg_encode(uint8_t *buf, size_t len, uint64_t wait_never, uint64_t wait_always,
                     uint64_t block_encoded_addr);

/* Decodes an encoded block without symbols: the encoding reduces to
 * bswap(rotl(v, r) ^ K), and r, K follow from two known plain values (the
 * dump header's PsLoadedModuleList and PsActiveProcessHead). Checks the
 * result's "KDBG" tag. Returns false when no key fits. */
bool kdx_kdbg_recover(uint8_t *buf, size_t len, uint64_t module_list, uint64_t process_head);

/* Fills k from a block of len bytes at virtual address addr, decoding it when
 * needed (with the header's known values). ptr32: the kernel is 32-bit.
 * what names the source for errors. */
kdx_status kdx_kdbg_from_bytes(kdx_kdbg *k, const uint8_t *buf, size_t len, uint64_t addr,
                               uint64_t module_list, uint64_t process_head, bool ptr32,
                               const char *what, kdx_err *err);

#endif
