/* Reading target memory. Every command and analysis reads through these,
 * so the edit overlay, direct virtual ranges and page-table translation are
 * applied the same way everywhere. A read never invents bytes: a gap is an
 * error naming the first missing address. */
#ifndef KDX_TARGET_MEMORY_H
#define KDX_TARGET_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

/* Reads len bytes of virtual memory at va in the current address space.
 * On failure, *done (if given) is the count of bytes read before the first
 * unreadable one, and the error says why (not in dump / PTE not valid). */
kdx_status kdx_read_virt(kdx_target *t, uint64_t va, void *buf, size_t len, size_t *done,
                         kdx_err *err);
/* Reads what the dump holds of [va, va+len), as WinDbg does: page by page,
 * and run by run inside a page (triage blocks and minidump ranges start and
 * end anywhere). present[i] is 1 where buf[i] was read; missing bytes are 0
 * in both. Gaps are skipped a page or a whole reader range at a time, never
 * probed byte by byte. Returns the count of bytes read. */
size_t kdx_read_virt_present(kdx_target *t, uint64_t va, void *buf, size_t len, uint8_t *present);
kdx_status kdx_read_phys(kdx_target *t, uint64_t pa, void *buf, size_t len, size_t *done,
                         kdx_err *err);

kdx_status kdx_read_u8(kdx_target *t, uint64_t va, uint8_t *v, kdx_err *err);
kdx_status kdx_read_u16(kdx_target *t, uint64_t va, uint16_t *v, kdx_err *err);
kdx_status kdx_read_u32(kdx_target *t, uint64_t va, uint32_t *v, kdx_err *err);
kdx_status kdx_read_u64(kdx_target *t, uint64_t va, uint64_t *v, kdx_err *err);
/* Pointer-sized read; 32-bit pointers are zero-extended (use kdx_sign_extend_ptr for kernel). */
kdx_status kdx_read_ptr(kdx_target *t, uint64_t va, uint64_t *v, kdx_err *err);
/* Writes into the private overlay (eb/ed/eq). Never touches the dump file. */
kdx_status kdx_write_virt(kdx_target *t, uint64_t va, const void *buf, size_t len, kdx_err *err);

/* Canonical form of an address for the target's pointer size. */
uint64_t kdx_sign_extend_ptr(const kdx_target *t, uint64_t v);

#endif
