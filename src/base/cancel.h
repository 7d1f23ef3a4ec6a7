/* User interrupts (Ctrl-C). The CLI's SIGINT handler requests one; every
 * long loop in libkdx polls kdx_interrupted() and stops, the way dbgeng
 * extensions poll IDebugControl::GetInterrupt. The command layer clears the
 * request before each command line it runs.
 * The flag is one per process (a signal cannot say which session it is
 * for) and a lock-free atomic, so the handler may set it and any thread may
 * read it. */
#ifndef KDX_BASE_CANCEL_H
#define KDX_BASE_CANCEL_H

#include <stdbool.h>

/* Async-signal-safe: the only thing a SIGINT handler calls. */
void kdx_interrupt_request(void);
/* True from a request until kdx_interrupt_clear(). */
bool kdx_interrupted(void);
void kdx_interrupt_clear(void);
/* Requests not yet cleared, counted (a handler's escape hatch for a loop
 * that never polls: the third Ctrl-C in a row ends the process). */
int kdx_interrupt_count(void);

#endif
