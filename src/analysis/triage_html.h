/* `kdx triage --html FILE`: one self-contained page (inline CSS, SVG and a
 * few lines of script, no network fetches) from the triage summary and
 * every dump's JSON line: counts, a sortable bucket table linking each
 * bucket's example dump to its embedded `!analyze -v` text, a bar chart of
 * the top buckets and a crashes-per-day timeline. Layout: docs/triage-report.md. */
#ifndef KDX_ANALYSIS_TRIAGE_HTML_H
#define KDX_ANALYSIS_TRIAGE_HTML_H

#include <jansson.h>

#include "base/err.h"

/* summary: {"summary": [...], "failures": [...]} as `kdx triage --json`
 * prints it; records: the dumps' lines (with "analyze_text" where known). */
kdx_status kdx_triage_html_write(const char *path, json_t *summary, json_t *records, kdx_err *err);

#endif
