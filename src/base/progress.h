/* Progress of long work (triage, symbol downloads, .reload /f, memory
 * scans), reported to a handler the embedding program installs; the
 * library itself never writes it anywhere. The CLI installs one that draws
 * a line on stderr when stderr is a terminal and --json is off. Reports are
 * rate-limited (ten a second per process) except the last of a task. */
#ifndef KDX_BASE_PROGRESS_H
#define KDX_BASE_PROGRESS_H

#include <stdint.h>

/* task: "triage", ".reload /f", "s", "download SERVER/FILE"; unit: "dumps",
 * "modules", "bytes". total 0: unknown. */
typedef void (*kdx_progress_fn)(void *ud, const char *task, uint64_t done, uint64_t total, const char *unit);

/* NULL removes the handler. One per process, as Ctrl-C's request. */
void kdx_progress_set_handler(kdx_progress_fn fn, void *ud);
/* Reports progress of task; cheap when no handler is installed. */
void kdx_progress_report(const char *task, uint64_t done, uint64_t total, const char *unit);

#endif
