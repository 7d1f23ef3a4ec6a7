/* Breakpad text symbols (.sym), as written by dump_syms: MODULE, INFO,
 * FILE, FUNC with line records, PUBLIC, STACK WIN (x86 frame data) and
 * STACK CFI (DWARF-style rules). The text is kept in memory and split in
 * place; records point into it. Malformed records are errors naming the
 * file and line; record types kdx does not use (INLINE, INLINE_ORIGIN,
 * other INFO) are skipped. */
#include "sym/breakpad.h"

#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/util.h"
#include "isf/isf.h"
#include "symprov/symindex.h"

typedef struct bp_line {
    uint32_t rva, size, line, file;
} bp_line;

typedef struct bp_func {
    uint32_t rva, size;
    size_t first_line, nlines;   /* into lines[], sorted by rva */
} bp_func;

typedef struct bp_file {
    uint32_t number;
    const char *name;
} bp_file;

typedef struct bp_win {
    kdx_frame_data fd;
    uint32_t type;
} bp_win;

typedef struct bp_cfi {
    uint32_t rva, size;
    const char *init_rules;
    size_t first_delta, ndeltas;
} bp_cfi;

typedef struct bp_prov {
    char *path;
    char *text;
    kdx_breakpad_module module;
    kdx_symindex ix;
    KDX_VEC(bp_func) funcs;
    KDX_VEC(bp_line) lines;
    KDX_VEC(bp_file) files;
    KDX_VEC(bp_win) wins;
    KDX_VEC(bp_cfi) cfis;
    KDX_VEC(kdx_breakpad_cfi_delta) deltas;
    kdx_symfile_id id;
} bp_prov;

/* ---- tokenizing ---- */

typedef struct cursor {
    char *p;
    const char *path;
    size_t lineno;
    kdx_err *err;
} cursor;

static kdx_status malformed(cursor *c, const char *what)
{
    return kdx_err_set(c->err, KDX_E_FORMAT, "%s:%zu: malformed %s record", c->path, c->lineno, what);
}

/* Next space-separated token, NUL-terminated in place; NULL at the end of the line. */
static char *token(cursor *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
    if (!*c->p)
        return NULL;
    char *start = c->p;
    while (*c->p && *c->p != ' ' && *c->p != '\t')
        c->p++;
    if (*c->p)
        *c->p++ = 0;
    return start;
}

/* The rest of the line, leading blanks skipped (may be empty). */
static char *rest(cursor *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
    return c->p;
}

static bool parse_num(const char *s, int base, uint64_t max, uint32_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0'
              : (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10
              : (base == 16 && *s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
        if (d < 0)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool hex32(cursor *c, uint32_t *out)
{
    return parse_num(token(c), 16, UINT32_MAX, out);
}

/* Optional "m" (multiple) flag of FUNC and PUBLIC. */
static void skip_m(cursor *c)
{
    char *save = c->p;
    while (*save == ' ')
        save++;
    if (save[0] == 'm' && (save[1] == ' ' || save[1] == '\t'))
        c->p = save + 2;
}

/* ---- records ---- */

static kdx_status parse_module(bp_prov *p, cursor *c)
{
    p->module.os = token(c);
    p->module.arch = token(c);
    p->module.debug_id = token(c);
    p->module.name = rest(c);
    if (!p->module.debug_id)
        return malformed(c, "MODULE");
    const char *a = p->module.arch;
    p->id.arch = strcmp(a, "x86") == 0 ? KDX_ARCH_X86 : strcmp(a, "x86_64") == 0 ? KDX_ARCH_X64
               : strcmp(a, "arm64") == 0 ? KDX_ARCH_ARM64 : KDX_ARCH_UNKNOWN;
    /* debug id: 32 hex digits of GUID, then the age in hex */
    size_t n = strlen(p->module.debug_id);
    char guid[33];
    uint32_t age;
    if (n > 32 && n <= 40) {
        memcpy(guid, p->module.debug_id, 32);
        guid[32] = 0;
        if (kdx_isf_parse_guid(guid, p->id.guid) && parse_num(p->module.debug_id + 32, 16, UINT32_MAX, &age)) {
            p->id.has_guid = true;
            p->id.age = age;
        }
    }
    return KDX_OK;
}

static kdx_status parse_func(bp_prov *p, cursor *c)
{
    uint32_t rva, size, params;
    skip_m(c);
    if (!hex32(c, &rva) || !hex32(c, &size) || !hex32(c, &params))
        return malformed(c, "FUNC");
    const char *name = rest(c);
    bp_func f = {rva, size, p->lines.len, 0};
    KDX_VEC_PUSH(p->funcs, f);
    kdx_symindex_add(&p->ix, *name ? name : "<name omitted>", rva, size, KDX_SYM_FUNCTION);
    return KDX_OK;
}

static kdx_status parse_public(bp_prov *p, cursor *c)
{
    uint32_t rva, params;
    skip_m(c);
    if (!hex32(c, &rva) || !hex32(c, &params))
        return malformed(c, "PUBLIC");
    const char *name = rest(c);
    kdx_symindex_add(&p->ix, *name ? name : "<name omitted>", rva, 0, KDX_SYM_PUBLIC);
    p->ix.syms[p->ix.n - 1].flags = KDX_SYMF_CODE; /* dump_syms writes code publics only */
    return KDX_OK;
}

static kdx_status parse_file(bp_prov *p, cursor *c)
{
    uint32_t num;
    if (!parse_num(token(c), 10, UINT32_MAX, &num))
        return malformed(c, "FILE");
    bp_file f = {num, rest(c)};
    KDX_VEC_PUSH(p->files, f);
    return KDX_OK;
}

static kdx_status parse_line(bp_prov *p, cursor *c, const char *first)
{
    uint32_t rva, size, line, file;
    if (!p->funcs.len)
        return kdx_err_set(c->err, KDX_E_FORMAT, "%s:%zu: line record outside a FUNC", c->path, c->lineno);
    if (!parse_num(first, 16, UINT32_MAX, &rva) || !hex32(c, &size) ||
        !parse_num(token(c), 10, UINT32_MAX, &line) || !parse_num(token(c), 10, UINT32_MAX, &file))
        return malformed(c, "line");
    if (size == 0)
        return KDX_OK; /* covers no code (Breakpad's resolver drops these too) */
    bp_line l = {rva, size, line, file};
    KDX_VEC_PUSH(p->lines, l);
    p->funcs.items[p->funcs.len - 1].nlines++;
    return KDX_OK;
}

static kdx_status parse_stack_win(bp_prov *p, cursor *c)
{
    uint32_t v[9], has_program;
    for (int i = 0; i < 9; i++)
        if (!hex32(c, &v[i]))
            return malformed(c, "STACK WIN");
    if (!hex32(c, &has_program) || has_program > 1)
        return malformed(c, "STACK WIN");
    bp_win w = {{0}, v[0]};
    w.fd.rva_start = v[1];
    w.fd.code_size = v[2];
    w.fd.prolog_size = v[3];
    /* v[4] is the epilog size, which kdx_frame_data does not carry */
    w.fd.params_size = v[5];
    w.fd.saved_regs_size = v[6];
    w.fd.locals_size = v[7];
    w.fd.max_stack_size = v[8];
    w.fd.is_fpo = v[0] == 0;
    if (has_program) {
        w.fd.has_program = true;
        w.fd.program = rest(c);
    } else {
        uint32_t bp;
        if (!hex32(c, &bp))
            return malformed(c, "STACK WIN");
        w.fd.uses_base_pointer = bp != 0;
    }
    KDX_VEC_PUSH(p->wins, w);
    return KDX_OK;
}

static kdx_status parse_stack_cfi(bp_prov *p, cursor *c)
{
    char *kw = rest(c);
    if (strncmp(kw, "INIT", 4) == 0 && (kw[4] == ' ' || kw[4] == '\t')) {
        c->p = kw + 4;
        uint32_t rva, size;
        if (!hex32(c, &rva) || !hex32(c, &size))
            return malformed(c, "STACK CFI INIT");
        bp_cfi r = {rva, size, rest(c), p->deltas.len, 0};
        KDX_VEC_PUSH(p->cfis, r);
        return KDX_OK;
    }
    uint32_t rva;
    if (!hex32(c, &rva))
        return malformed(c, "STACK CFI");
    if (!p->cfis.len)
        return kdx_err_set(c->err, KDX_E_FORMAT, "%s:%zu: STACK CFI record before any STACK CFI INIT",
                           c->path, c->lineno);
    kdx_breakpad_cfi_delta d = {rva, rest(c)};
    KDX_VEC_PUSH(p->deltas, d);
    p->cfis.items[p->cfis.len - 1].ndeltas++;
    return KDX_OK;
}

static kdx_status parse_record(bp_prov *p, cursor *c)
{
    char *kw = token(c);
    if (!kw)
        return KDX_OK; /* blank line */
    if (strcmp(kw, "MODULE") == 0)
        return parse_module(p, c);
    if (strcmp(kw, "FILE") == 0)
        return parse_file(p, c);
    if (strcmp(kw, "FUNC") == 0)
        return parse_func(p, c);
    if (strcmp(kw, "PUBLIC") == 0)
        return parse_public(p, c);
    if (strcmp(kw, "STACK") == 0) {
        char *kind = token(c);
        if (kind && strcmp(kind, "WIN") == 0)
            return parse_stack_win(p, c);
        if (kind && strcmp(kind, "CFI") == 0)
            return parse_stack_cfi(p, c);
        return malformed(c, "STACK");
    }
    if (strcmp(kw, "INFO") == 0) {
        char *what = token(c);
        if (what && strcmp(what, "CODE_ID") == 0)
            p->module.code_id = token(c);
        return KDX_OK;
    }
    if (strcmp(kw, "INLINE") == 0 || strcmp(kw, "INLINE_ORIGIN") == 0)
        return KDX_OK;
    if ((*kw >= '0' && *kw <= '9') || (*kw >= 'a' && *kw <= 'f') || (*kw >= 'A' && *kw <= 'F'))
        return parse_line(p, c, kw);
    return kdx_err_set(c->err, KDX_E_FORMAT, "%s:%zu: unknown record \"%.40s\"", c->path, c->lineno, kw);
}

/* ---- indexes ---- */

static int cmp_line(const void *a, const void *b)
{
    const bp_line *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int cmp_func(const void *a, const void *b)
{
    const bp_func *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int cmp_file(const void *a, const void *b)
{
    const bp_file *x = a, *y = b;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* STACK WIN: by start (then type, for a stable order). */
static int cmp_win(const void *a, const void *b)
{
    const bp_win *x = a, *y = b;
    if (x->fd.rva_start != y->fd.rva_start)
        return x->fd.rva_start < y->fd.rva_start ? -1 : 1;
    return x->type > y->type ? -1 : x->type < y->type;
}

static int cmp_cfi(const void *a, const void *b)
{
    const bp_cfi *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int cmp_delta(const void *a, const void *b)
{
    const kdx_breakpad_cfi_delta *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static void build_indexes(bp_prov *p)
{
    for (size_t i = 0; i < p->funcs.len; i++) {
        bp_func *f = &p->funcs.items[i];
        if (f->nlines)
            kdx_sort(p->lines.items + f->first_line, f->nlines, sizeof(bp_line), cmp_line);
    }
    if (p->funcs.len)
        kdx_sort(p->funcs.items, p->funcs.len, sizeof(bp_func), cmp_func);
    if (p->files.len)
        kdx_sort(p->files.items, p->files.len, sizeof(bp_file), cmp_file);
    if (p->wins.len)
        kdx_sort(p->wins.items, p->wins.len, sizeof(bp_win), cmp_win);
    for (size_t i = 0; i < p->cfis.len; i++) {
        bp_cfi *r = &p->cfis.items[i];
        if (r->ndeltas)
            kdx_sort(p->deltas.items + r->first_delta, r->ndeltas, sizeof *p->deltas.items, cmp_delta);
    }
    if (p->cfis.len)
        kdx_sort(p->cfis.items, p->cfis.len, sizeof(bp_cfi), cmp_cfi);
    kdx_symindex_finish(&p->ix);
    p->module.nfuncs = p->funcs.len;
    p->module.nlines = p->lines.len;
    p->module.nstack_win = p->wins.len;
    p->module.ncfi = p->cfis.len;
    p->module.npublics = p->ix.n - p->funcs.len;
}

/* Index of the last element whose start <= rva, or -1 (elements sorted by start). */
#define LAST_AT_OR_BELOW(arr, n, startfield, rva, out)                                  \
    do {                                                                                \
        size_t lo_ = 0, hi_ = (n);                                                      \
        while (lo_ < hi_) {                                                             \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                        \
            if ((arr)[mid_].startfield <= (rva))                                        \
                lo_ = mid_ + 1;                                                         \
            else                                                                        \
                hi_ = mid_;                                                             \
        }                                                                               \
        (out) = (long)lo_ - 1;                                                          \
    } while (0)

/* ---- provider ops ---- */

static void bp_destroy(void *impl)
{
    bp_prov *p = impl;
    if (!p)
        return;
    kdx_symindex_free(&p->ix);
    KDX_VEC_FREE(p->funcs);
    KDX_VEC_FREE(p->lines);
    KDX_VEC_FREE(p->files);
    KDX_VEC_FREE(p->wins);
    KDX_VEC_FREE(p->cfis);
    KDX_VEC_FREE(p->deltas);
    free(p->text);
    free(p->path);
    free(p);
}

static kdx_status bp_by_rva(void *impl, uint32_t rva, kdx_symbol *out)
{
    return kdx_symindex_by_rva(&((bp_prov *)impl)->ix, rva, out);
}

static kdx_status bp_by_name(void *impl, const char *name, kdx_symbol *out)
{
    return kdx_symindex_by_name(&((bp_prov *)impl)->ix, name, out);
}

static kdx_status bp_enumerate(void *impl, const char *pattern, kdx_symbol_cb cb, void *ud)
{
    return kdx_symindex_enumerate(&((bp_prov *)impl)->ix, pattern, cb, ud);
}

static const char *file_name(const bp_prov *p, uint32_t number)
{
    if (!p->files.len)
        return NULL;
    bp_file key = {number, NULL};
    const bp_file *f = bsearch(&key, p->files.items, p->files.len, sizeof key, cmp_file);
    return f ? f->name : NULL;
}

static kdx_status bp_line_for_rva(void *impl, uint32_t rva, const char **file, uint32_t *line)
{
    bp_prov *p = impl;
    long fi, li;
    LAST_AT_OR_BELOW(p->funcs.items, p->funcs.len, rva, rva, fi);
    if (fi < 0)
        return KDX_E_NOT_FOUND;
    const bp_func *f = &p->funcs.items[fi];
    if (rva - f->rva >= f->size || !f->nlines)
        return KDX_E_NOT_FOUND;
    const bp_line *lines = p->lines.items + f->first_line;
    LAST_AT_OR_BELOW(lines, f->nlines, rva, rva, li);
    if (li < 0 || rva - lines[li].rva >= lines[li].size)
        return KDX_E_NOT_FOUND;
    *file = file_name(p, lines[li].file);
    *line = lines[li].line;
    return *file ? KDX_OK : KDX_E_NOT_FOUND;
}

/* The innermost STACK WIN record of the wanted kind (FrameData, type 4, or any other)
 * whose range holds rva. Records nest (a funclet inside its parent's range), so walk
 * back from the last one starting at or below rva; bounded, ranges rarely overlap. */
static const bp_win *innermost_win(const bp_prov *p, uint32_t rva, bool frame_data)
{
    long i;
    LAST_AT_OR_BELOW(p->wins.items, p->wins.len, fd.rva_start, rva, i);
    for (int guard = 0; i >= 0 && guard < 64; i--, guard++) {
        const bp_win *w = &p->wins.items[i];
        if ((w->type == 4) == frame_data && rva - w->fd.rva_start < w->fd.code_size)
            return w;
    }
    return NULL;
}

/* FrameData records win over FPO ones, as in Breakpad's resolver. */
static kdx_status bp_frame_data_for_rva(void *impl, uint32_t rva, kdx_frame_data *out)
{
    bp_prov *p = impl;
    const bp_win *w = innermost_win(p, rva, true);
    if (!w)
        w = innermost_win(p, rva, false);
    if (!w)
        return KDX_E_NOT_FOUND;
    *out = w->fd;
    return KDX_OK;
}

/* Line answers change where a function or a line record starts or ends. */
static kdx_status bp_line_breaks(void *impl, kdx_rva_cb cb, void *ud)
{
    bp_prov *p = impl;
    for (size_t i = 0; i < p->funcs.len; i++)
        if (cb(ud, p->funcs.items[i].rva) || cb(ud, p->funcs.items[i].rva + p->funcs.items[i].size))
            return KDX_OK;
    for (size_t i = 0; i < p->lines.len; i++)
        if (cb(ud, p->lines.items[i].rva) || cb(ud, p->lines.items[i].rva + p->lines.items[i].size))
            return KDX_OK;
    return KDX_OK;
}

/* Frame answers change where a STACK WIN record starts or ends. */
static kdx_status bp_frame_breaks(void *impl, kdx_rva_cb cb, void *ud)
{
    bp_prov *p = impl;
    for (size_t i = 0; i < p->wins.len; i++) {
        const kdx_frame_data *fd = &p->wins.items[i].fd;
        if (cb(ud, fd->rva_start) || cb(ud, fd->rva_start + fd->code_size))
            break;
    }
    return KDX_OK;
}

static const kdx_symprov_ops breakpad_ops = {
    .kind = "breakpad",
    .destroy = bp_destroy,
    .by_rva = bp_by_rva,
    .by_name = bp_by_name,
    .enumerate = bp_enumerate,
    .line_for_rva = bp_line_for_rva,
    .frame_data_for_rva = bp_frame_data_for_rva,
    .line_breaks = bp_line_breaks,
    .frame_breaks = bp_frame_breaks,
};

bool kdx_breakpad_module_info(const kdx_symprov *prov, kdx_breakpad_module *out)
{
    if (prov->ops != &breakpad_ops)
        return false;
    *out = ((const bp_prov *)prov->impl)->module;
    return true;
}

kdx_status kdx_breakpad_cfi_for(const kdx_symprov *prov, uint32_t rva, kdx_breakpad_cfi *out)
{
    if (prov->ops != &breakpad_ops)
        return KDX_E_NOT_FOUND;
    const bp_prov *p = prov->impl;
    long i;
    LAST_AT_OR_BELOW(p->cfis.items, p->cfis.len, rva, rva, i);
    if (i < 0 || rva - p->cfis.items[i].rva >= p->cfis.items[i].size)
        return KDX_E_NOT_FOUND;
    const bp_cfi *r = &p->cfis.items[i];
    out->rva = r->rva;
    out->size = r->size;
    out->init_rules = r->init_rules;
    out->deltas = r->ndeltas ? p->deltas.items + r->first_delta : NULL;
    out->ndeltas = (uint32_t)r->ndeltas;
    return KDX_OK;
}

/* ---- open ---- */

static kdx_status parse_text(bp_prov *p, kdx_err *err)
{
    cursor c = {p->text, p->path, 0, err};
    char *line = p->text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[n - 1] = 0;
        c.p = line;
        c.lineno++;
        kdx_status st = parse_record(p, &c);
        if (st != KDX_OK)
            return st;
        if (c.lineno == 1 && !p->module.debug_id)
            return kdx_err_set(err, KDX_E_FORMAT, "%s:1: no MODULE record (not a Breakpad .sym file)",
                               p->path);
        line = nl ? nl + 1 : NULL;
    }
    if (!p->module.debug_id)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: empty (no MODULE record)", p->path);
    return KDX_OK;
}

kdx_status kdx_breakpad_provider_open_buffer(const char *name, const char *text, size_t len,
                                             kdx_symprov *out, kdx_symfile_id *id, kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    if (memchr(text, 0, len))
        return kdx_err_set(err, KDX_E_FORMAT, "%s: NUL byte at offset 0x%zx (not a text .sym file)", name,
                           (size_t)((const char *)memchr(text, 0, len) - text));
    bp_prov *p = kdx_xcalloc(1, sizeof *p);
    p->path = kdx_strdup(name);
    p->text = kdx_strndup(text, len);
    kdx_status st = parse_text(p, err);
    if (st != KDX_OK) {
        bp_destroy(p);
        return st;
    }
    build_indexes(p);
    if (id)
        *id = p->id;
    out->ops = &breakpad_ops;
    out->impl = p;
    return KDX_OK;
}

kdx_status kdx_breakpad_provider_open(const char *path, kdx_symprov *out, kdx_symfile_id *id,
                                      kdx_err *err)
{
    out->ops = NULL;
    out->impl = NULL;
    uint8_t *buf;
    size_t len;
    kdx_status st = kdx_read_all(path, &buf, &len, err);
    if (st != KDX_OK)
        return st;
    st = kdx_breakpad_provider_open_buffer(path, (const char *)buf, len, out, id, err);
    free(buf);
    return st;
}
