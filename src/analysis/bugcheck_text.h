/* Internal to src/analysis: the project's descriptions of bug-check codes
 * (data in bugcheck_text.c, logic in bugcheck.c). */
#ifndef KDX_ANALYSIS_BUGCHECK_TEXT_H
#define KDX_ANALYSIS_BUGCHECK_TEXT_H

#include "analysis/bugcheck.h"

/* One value of the selecting argument and what each argument means under it
 * (NULL: as in the code's general description). A table ends with an entry
 * whose four texts are all NULL. */
typedef struct kdx_bc_sub {
    uint64_t sub;
    const char *args[4];
} kdx_bc_sub;

typedef struct kdx_bc_text {
    uint32_t code;
    kdx_bugcheck_kind kind;
    const char *summary;
    const char *args[4];
    const kdx_bc_sub *subs; /* sub-code table, or NULL */
    int selector;           /* index of the argument that selects the sub-code (usually 0) */
    const char *unknown;    /* meaning of the selector when its value is not in subs */
} kdx_bc_text;

static inline bool kdx_bc_sub_end(const kdx_bc_sub *s)
{
    return !s->args[0] && !s->args[1] && !s->args[2] && !s->args[3];
}

/* Sorted by code, no duplicates. */
extern const kdx_bc_text kdx_bc_texts[];
extern const size_t kdx_bc_text_count;

/* The sub-code entry for a value, or NULL. */
const kdx_bc_sub *kdx_bc_find_sub(const kdx_bc_text *t, uint64_t value);
/* The description of a code (without the 0x10000000 bit), or NULL. */
const kdx_bc_text *kdx_bc_find_text(uint32_t code);

#endif
