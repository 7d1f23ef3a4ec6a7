/* Private copy-on-write overlay for memory edits (eb/ew/ed/eq/ea/eu).
 * Edits live only in the session; the dump file is never written. */
#ifndef KDX_TARGET_OVERLAY_H
#define KDX_TARGET_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kdx_overlay kdx_overlay;

kdx_overlay *kdx_overlay_new(void);
void kdx_overlay_free(kdx_overlay *o);
void kdx_overlay_write(kdx_overlay *o, uint64_t va, const void *buf, size_t len);
/* Replaces bytes of buf (which holds memory read at va) with edited ones. */
/* True when no byte has been edited. */
bool kdx_overlay_empty(const kdx_overlay *o);
void kdx_overlay_apply(const kdx_overlay *o, uint64_t va, void *buf, size_t len);

#endif
