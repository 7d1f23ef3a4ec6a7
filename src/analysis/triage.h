/* `kdx triage`: analyzes many dumps in parallel, one JSON line per dump,
 * then a summary of buckets. Each dump is analyzed in its own process so a
 * crash or hang in one cannot stop the batch. */
#ifndef KDX_ANALYSIS_TRIAGE_H
#define KDX_ANALYSIS_TRIAGE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct kdx_triage_options {
    const char *const *paths;  /* files or directories (searched recursively) */
    int npaths;
    int jobs;                  /* parallel analyses; <= 0: number of online CPUs */
    bool json;                 /* JSON lines and a JSON summary instead of text */
    const char *sympath;       /* NULL: _NT_SYMBOL_PATH */
    unsigned timeout_seconds;  /* per dump; 0: 120 */
    const char *html_path;     /* also write the HTML report there (triage_html.h); NULL: none */
} kdx_triage_options;

/* Returns the number of dumps that could not be analyzed; -1 when the
 * HTML report could not be written (stderr says why). */
int kdx_triage_run(const kdx_triage_options *o, FILE *out);

#endif
