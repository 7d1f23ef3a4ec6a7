/* Bug-check names and the project's descriptions of their arguments. The
 * names come from the generated table; every description here is written
 * for kdx from the documented meaning of each code. */
#include <stdio.h>
#include <string.h>

#include "analysis/bugcheck.h"
#include "analysis/bugcheck_text.h"

const char *kdx_bugcheck_name_of(uint32_t code, char *buf, size_t len)
{
    uint32_t base = code & ~0x10000000u;
    const char *name = NULL;
    for (const kdx_bugcheck_name *n = kdx_bugcheck_names; n->name; n++)
        if (n->code == base) {
            name = n->name;
            break;
        }
    if (!name)
        return NULL;
    if (base == code)
        return name;
    snprintf(buf, len, "%s_M", name);
    return buf;
}

const kdx_bc_text *kdx_bc_find_text(uint32_t code)
{
    size_t lo = 0, hi = kdx_bc_text_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kdx_bc_texts[mid].code == code)
            return &kdx_bc_texts[mid];
        if (kdx_bc_texts[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const kdx_bc_sub *kdx_bc_find_sub(const kdx_bc_text *t, uint64_t value)
{
    if (!t->subs)
        return NULL;
    for (const kdx_bc_sub *s = t->subs; !kdx_bc_sub_end(s); s++)
        if (s->sub == value)
            return s;
    return NULL;
}

void kdx_bugcheck_explain(uint32_t code, const uint64_t args[4], kdx_bugcheck_expl *e)
{
    memset(e, 0, sizeof *e);
    e->name = kdx_bugcheck_name_of(code, e->name_buf, sizeof e->name_buf);
    const kdx_bc_text *t = kdx_bc_find_text(code & ~0x10000000u);
    if (!t) {
        for (int i = 0; i < 4; i++)
            e->args[i] = "(kdx has no description of this argument)";
        return;
    }
    e->described = true;
    e->summary = t->summary;
    e->kind = t->kind;
    for (int i = 0; i < 4; i++)
        e->args[i] = t->args[i];
    if (t->subs) {
        int sel = t->selector & 3;
        const kdx_bc_sub *sub = kdx_bc_find_sub(t, args[sel]);
        if (sub) {
            for (int i = 0; i < 4; i++)
                if (sub->args[i])
                    e->args[i] = sub->args[i];
        } else if (t->unknown) {
            e->args[sel] = t->unknown;
        }
    }
}

void kdx_bugcheck_print(uint32_t code, const uint64_t args[4], int ptr_size, kdx_line_fn out, void *ctx)
{
    kdx_bugcheck_expl e;
    kdx_bugcheck_explain(code, args, &e);
    out(ctx, "%s (%x)\n", e.name ? e.name : "Unknown bugcheck code", code);
    if (e.summary)
        out(ctx, "%s\n", e.summary);
    out(ctx, "Arguments:\n");
    for (int i = 0; i < 4; i++) {
        if (ptr_size == 4)
            out(ctx, "Arg%d: %08llx, %s\n", i + 1, (unsigned long long)(args[i] & 0xffffffffu), e.args[i]);
        else
            out(ctx, "Arg%d: %016llx, %s\n", i + 1, (unsigned long long)args[i], e.args[i]);
    }
}

bool kdx_bugcheck_record_args(kdx_bugcheck_kind k, int *exr, int *cxr)
{
    switch (k) {
    case KDX_BC_EXCEPTION_RECORD_CONTEXT: *exr = 2, *cxr = 3; return true;
    case KDX_BC_RECORDS_IN_ARG2_3: *exr = 1, *cxr = 2; return true;
    case KDX_BC_RECORDS_IN_ARG1_2: *exr = 0, *cxr = 1; return true;
    case KDX_BC_RECORDS_IN_ARG3_4: *exr = 2, *cxr = 3; return true;
    default: return false;
    }
}
