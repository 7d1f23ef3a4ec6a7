/* Command family: symbols: ln, x, lm, !lmi, .sympath, .symfix, .exepath, .reload, !sym
 * (and dt, whose renderer lives in commands/dt.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/dt.h"
#include "commands/families.h"
#include "commands/outbuf.h"
#include "expr/expr.h"
#include "pdb/pdb_provider.h"
#include "pe/pe.h"
#include "sym/symbols.h"
#include "sym/sympath.h"
#include "target/memory.h"

static const char *ptr(kdx_session *s, char buf[24], uint64_t v)
{
    return kdx_session_fmt_ptr(s, buf, v);
}

/* ---- ln ---------------------------------------------------------------- */

/* "(int, char **)" from the PDB's signature of the function at rva, as ln and
 * x show it; "(<no parameter info>)" when the symbol file has none. */
static void param_info(kdx_module *m, uint32_t rva, char *buf, size_t len)
{
    char *params = kdx_symprov_params_at(&m->symbols, rva);
    const char *text = params ? params : "(<no parameter info>)";
    size_t n = KDX_MIN(strlen(text), len - 1);
    memcpy(buf, text, n);
    buf[n] = '\0';
    free(params);
}

static void print_symref(kdx_session *s, const kdx_symhit *h)
{
    char a[24];
    kdx_print(s, "(%s)   %s!%s", ptr(s, a, h->address), h->module->name, h->name);
    if (h->displacement)
        kdx_print(s, "+0x%llx", (unsigned long long)h->displacement);
}

static void print_data_value(kdx_session *s, const kdx_type *t, uint64_t addr);

static int cmd_ln(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    uint64_t addr;
    kdx_err err = {0};
    /* Without an address, ln names the current instruction, as WinDbg does. */
    if (kdx_expr_eval_all(s, *args ? args : "@$ip", &addr, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_symhit hit, next;
    char a[24];
    if (kdx_sym_from_addr_ex(s, addr, &hit, &next) != KDX_OK) {
        kdx_print(s, "No symbol is known at %s: it is not inside any loaded module.\n",
                  ptr(s, a, addr));
        return 0;
    }
    if (!hit.name) {
        kdx_print(s, "(%s)   %s", ptr(s, a, hit.module->base), hit.module->name);
        if (addr != hit.module->base)
            kdx_print(s, "+0x%llx", (unsigned long long)(addr - hit.module->base));
        kdx_print(s, "\n");
        return 0;
    }
    print_symref(s, &hit);
    if (next.name) {
        kdx_print(s, "   |  ");
        print_symref(s, &next);
    }
    kdx_print(s, "\n");
    if (hit.displacement == 0) {
        /* A data symbol shows its value, as x shows it ("crash!g = 0n5"); code
         * its parameters. */
        kdx_symbol sym = {0};
        const kdx_symprov *p = &hit.module->symbols;
        bool typed = p->ops && p->ops->by_name && p->ops->by_name(p->impl, hit.name, &sym) == KDX_OK &&
                     sym.kind == KDX_SYM_DATA && sym.rva == (uint32_t)(hit.address - hit.module->base);
        if (typed || (hit.flags & KDX_SYMF_DATA)) {
            kdx_print(s, "Exact matches:\n    %s!%s = ", hit.module->name, hit.name);
            print_data_value(s, typed ? sym.type : NULL, hit.address);
            kdx_print(s, "\n");
            return 0;
        }
        char params[512];
        param_info(hit.module, (uint32_t)(hit.address - hit.module->base), params, sizeof params);
        kdx_print(s, "Exact matches:\n    %s!%s %s\n", hit.module->name, hit.name, params);
    }
    return 0;
}

/* ---- x ----------------------------------------------------------------- */

typedef struct xmatch {
    uint64_t addr;
    kdx_module *m;
    kdx_symbol sym;
} xmatch;

typedef struct xlist {
    KDX_VEC(xmatch) v;
} xlist;

static int x_collect(void *ud, kdx_module *m, const kdx_symbol *sym)
{
    xlist *l = ud;
    xmatch x = {m->base + sym->rva, m, *sym};
    KDX_VEC_PUSH(l->v, x);
    return 0;
}

static int x_cmp(const void *a, const void *b)
{
    const xmatch *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->sym.name, y->sym.name);
}

/* What x shows after "name = " for data: the value of integers and pointers,
 * else the type. */
static void print_data_value(kdx_session *s, const kdx_type *t, uint64_t addr)
{
    const kdx_type *b = kdx_type_strip(t);
    char tn[256];
    if (!b) {
        kdx_print(s, "<no type information>");
        return;
    }
    uint64_t size = b->kind == KDX_TYPE_ENUM && b->target ? kdx_type_strip(b->target)->size : b->size;
    uint8_t buf[8];
    if (kdx_type_is_integer(b) && size && size <= 8) {
        if (kdx_read_virt(s->target, addr, buf, (size_t)size, NULL, NULL) != KDX_OK) {
            kdx_print(s, "<Memory access error>");
            return;
        }
        uint64_t v = kdx_type_extract(b, buf);
        char a[24];
        if (b->kind == KDX_TYPE_POINTER)
            kdx_print(s, "0x%s", kdx_session_fmt_ptr(s, a, v));
        else if (kdx_type_is_signed(b))
            kdx_print(s, "0n%lld", (long long)v);
        else
            kdx_print(s, "0x%llx", (unsigned long long)v);
        return;
    }
    kdx_type_c_name(t, tn, sizeof tn);
    kdx_print(s, "%s", tn);
}

static const char *kind_name(kdx_symkind k)
{
    switch (k) {
    case KDX_SYM_FUNCTION: return "function";
    case KDX_SYM_DATA: return "data";
    case KDX_SYM_LABEL: return "label";
    case KDX_SYM_EXPORT: return "export";
    default: return "public";
    }
}

/* x with .json on: an array of {address, module, name, kind, size}. */
static void x_json(kdx_session *s, const xmatch *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char a[32];
        json_t *o = json_object();
        snprintf(a, sizeof a, "0x%llx", (unsigned long long)v[i].addr);
        json_object_set_new(o, "address", json_string(a));
        json_object_set_new(o, "module", json_string(v[i].m->name));
        json_object_set_new(o, "name", json_string(v[i].sym.name));
        json_object_set_new(o, "kind", json_string(kind_name(v[i].sym.kind)));
        if (v[i].sym.size)
            json_object_set_new(o, "size", json_integer(v[i].sym.size));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "[]");
    free(text);
    json_decref(arr);
}

/* Printing x's lines: code lines are put together without a format straight
 * into a large buffer (`x nt!*` lists tens of thousands); data lines, which
 * read memory and describe types, go through kdx_print. */
typedef struct xprinter {
    kdx_session *s;
    kdx_outbuf *o;
    int ptr_size;
    size_t ptr_len;            /* "fffff804`8b580000" or "8b580000" */
    const kdx_module *m;       /* the module whose name length is known */
    size_t mlen;
    bool has_high;             /* high[] spells high_bits and a backtick */
    uint32_t high_bits;
    char high[9];
    size_t lines;
} xprinter;

static void x_printer_init(xprinter *p, kdx_session *s)
{
    *p = (xprinter){.s = s, .o = kdx_xcalloc(1, sizeof *p->o), .ptr_size = kdx_session_ptr_size(s)};
    p->o->s = s;
    p->ptr_len = p->ptr_size == 4 ? 8 : 17;
}

static void x_printer_done(xprinter *p)
{
    kdx_outbuf_flush(p->o);
    free(p->o);
}

static void x_data_line(xprinter *p, uint64_t addr, const kdx_module *m, const kdx_symbol *sym)
{
    char a[KDX_ADDR_BUF];
    kdx_outbuf_flush(p->o);
    kdx_print(p->s, "%s %s!%s = ", ptr(p->s, a, addr), m->name, sym->name);
    print_data_value(p->s, sym->type, addr);
    kdx_print(p->s, "\n");
}

/* The address at w, as kdx_fmt_ptr spells it: the high half's digits, the
 * same for a whole module's lines, are spelled once. */
static char *x_address(xprinter *p, char *w, uint64_t addr)
{
    if (p->ptr_size == 4)
        return kdx_fmt_hex8(w, (uint32_t)addr);
    uint32_t hi = (uint32_t)(addr >> 32);
    if (!p->has_high || hi != p->high_bits) {
        kdx_fmt_hex8(p->high, hi);
        p->high[8] = '`';
        p->has_high = true, p->high_bits = hi;
    }
    memcpy(w, p->high, sizeof p->high);
    return kdx_fmt_hex8(w + sizeof p->high, (uint32_t)addr);
}

/* "ADDRESS MODULE!NAME (PARAMS)\n", written in place when it fits the buffer. */
static void x_code_line(xprinter *p, uint64_t addr, const kdx_module *m, const kdx_symbol *sym)
{
    static const char no_params[] = "(<no parameter info>)";
    if (m != p->m)
        p->m = m, p->mlen = strlen(m->name);
    char *owned = kdx_symprov_params_at(&m->symbols, sym->rva);
    const char *params = owned ? owned : no_params, *name = sym->name ? sym->name : "";
    size_t nlen = strlen(name), plen = owned ? strlen(owned) : sizeof no_params - 1;
    char *w = kdx_outbuf_room(p->o, KDX_ADDR_BUF + p->mlen + nlen + plen + 3);
    if (w) {
        w = x_address(p, w, addr);
        *w++ = ' ';
        memcpy(w, m->name, p->mlen), w += p->mlen;
        *w++ = '!';
        memcpy(w, name, nlen), w += nlen;
        *w++ = ' ';
        if (owned)
            memcpy(w, owned, plen);
        else
            memcpy(w, no_params, sizeof no_params - 1); /* a constant length: no call */
        w += plen;
        *w++ = '\n';
        kdx_outbuf_commit(p->o, w);
    } else { /* a name longer than the buffer: in pieces */
        char a[KDX_ADDR_BUF];
        kdx_outbuf_put(p->o, kdx_fmt_ptr(a, addr, p->ptr_size), p->ptr_len);
        kdx_outbuf_put(p->o, " ", 1);
        kdx_outbuf_put(p->o, m->name, p->mlen);
        kdx_outbuf_put(p->o, "!", 1);
        kdx_outbuf_put(p->o, name, nlen);
        kdx_outbuf_put(p->o, " ", 1);
        kdx_outbuf_put(p->o, params, plen);
        kdx_outbuf_put(p->o, "\n", 1);
    }
    if (owned)
        free(owned);
}

/* One line; false once the user interrupts. */
static bool x_line(xprinter *p, uint64_t addr, const kdx_module *m, const kdx_symbol *sym)
{
    if (sym->kind == KDX_SYM_DATA)
        x_data_line(p, addr, m, sym);
    else
        x_code_line(p, addr, m, sym);
    return (++p->lines & 1023) || !kdx_interrupted();
}

static void x_print(kdx_session *s, const xmatch *v, size_t n)
{
    xprinter p;
    x_printer_init(&p, s);
    for (size_t i = 0; i < n && x_line(&p, v[i].addr, v[i].m, &v[i].sym); i++)
        ;
    x_printer_done(&p);
}

/* The first pass of a plain x: whether the symbols come in x's order
 * (address, then name) without keeping them. A symbol table mostly lists
 * in that order already, and then a second pass prints each line as it
 * comes: no copy of tens of thousands of symbols. A symbol index can tell
 * without the first pass (kdx_sym_enumerates_in_order). */
typedef struct xorder {
    bool any, sorted;
    uint64_t addr;
    const char *name;
} xorder;

static int x_check_order(void *ud, kdx_module *m, const kdx_symbol *sym)
{
    xorder *o = ud;
    uint64_t addr = m->base + sym->rva;
    const char *name = sym->name ? sym->name : "";
    if (o->any && (addr < o->addr || (addr == o->addr && strcmp(o->name, name) > 0))) {
        o->sorted = false;
        return 1;
    }
    o->any = true, o->addr = addr, o->name = name;
    return 0;
}

static int x_stream_line(void *ud, kdx_module *m, const kdx_symbol *sym)
{
    return !x_line(ud, m->base + sym->rva, m, sym);
}

/* x's lines when the symbols enumerate in order; false when they do not. */
static bool x_stream(kdx_session *s, const char *modpat, const char *pat)
{
    xorder ord = {.sorted = true};
    kdx_err err = {0};
    if (!kdx_sym_enumerates_in_order(s, modpat) &&
        (kdx_sym_enumerate(s, modpat, pat, x_check_order, &ord, &err) != KDX_OK || !ord.sorted))
        return false;
    xprinter p;
    x_printer_init(&p, s);
    kdx_sym_enumerate(s, modpat, pat, x_stream_line, &p, &err);
    x_printer_done(&p);
    return true;
}

static int cmd_x(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    const char *p = args;
    while (*p == '/') { /* /a /n /z /v /t /p: sorting and display options */
        while (*p && !isspace((unsigned char)*p))
            p++;
        p = kdx_skip_ws(p);
    }
    if (!*p)
        return kdx_cmd_syntax_error(s, "x", args);
    const char *bang = strchr(p, '!');
    char *modpat = bang ? kdx_strndup(p, (size_t)(bang - p)) : kdx_strdup("*");
    const char *pat = bang ? bang + 1 : p;
    if (!*pat)
        pat = "*";
    if (!s->json && x_stream(s, modpat, pat)) {
        free(modpat);
        return 0;
    }
    xlist l = {0};
    kdx_err err = {0};
    kdx_status st = kdx_sym_enumerate(s, modpat, pat, x_collect, &l, &err);
    free(modpat);
    if (st != KDX_OK) {
        KDX_VEC_FREE(l.v);
        return kdx_cmd_fail(s, &err);
    }
    bool sorted = true; /* symbol tables mostly list in this order already */
    for (size_t i = 1; i < l.v.len && sorted; i++)
        sorted = x_cmp(&l.v.items[i - 1], &l.v.items[i]) <= 0;
    if (!sorted)
        kdx_sort(l.v.items, l.v.len, sizeof *l.v.items, x_cmp);
    if (s->json) {
        x_json(s, l.v.items, l.v.len);
        KDX_VEC_FREE(l.v);
        return 0;
    }
    x_print(s, l.v.items, l.v.len);
    KDX_VEC_FREE(l.v);
    return 0;
}

/* ---- lm ---------------------------------------------------------------- */

typedef struct lm_opts {
    bool verbose, loaded_only, symbols_only, kernel_only, user_only, one_column;
    bool problems_only;     /* e: no symbols or export symbols */
    bool sort_by_name;      /* sm */
    bool full_path;         /* f: the full image path instead of the symbol status */
    bool image_names;       /* n: the image name instead of the symbol status */
    bool timestamps;        /* t: the image's TimeDateStamp instead of the symbol status */
    char *address;          /* a ADDRESS: the module containing it */
} lm_opts;

static const char *status_text(const kdx_module *m)
{
    switch (m->symstatus) {
    case KDX_SYMSTATUS_DEFERRED: return "(deferred)";
    case KDX_SYMSTATUS_NONE: return "(no symbols)";
    case KDX_SYMSTATUS_EXPORT: return "(export symbols)";
    case KDX_SYMSTATUS_PRIVATE_PDB: return "(private pdb symbols)";
    default: return "(pdb symbols)";
    }
}

typedef enum repro_state { REPRO_NO, REPRO_YES, REPRO_UNKNOWN } repro_state;

/* Looks for a debug directory entry of type IMAGE_DEBUG_TYPE_REPRO (16): a
 * /Brepro build, whose TimeDateStamp is a hash. UNKNOWN when the debug
 * directory cannot be read. */
static repro_state debug_directory_repro(struct kdx_pe *pe)
{
    uint32_t rva, size;
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_DEBUG, &rva, &size) != KDX_OK)
        return REPRO_UNKNOWN;
    if (!rva)
        return REPRO_NO;
    for (uint32_t off = 0; off + 28 <= size && off < 28 * 64; off += 28) {
        uint8_t e[28];
        if (kdx_pe_read(pe, rva + off, e, sizeof e, NULL) != KDX_OK)
            return REPRO_UNKNOWN;
        if (kdx_le32(e + 12) == 16)
            return REPRO_YES;
    }
    return REPRO_NO;
}

/* From the image already at hand, else from the headers and debug directory
 * in the dump's memory; lm never searches or downloads an image. */
static repro_state image_is_repro(kdx_session *s, kdx_module *m)
{
    struct kdx_pe *pe = kdx_sym_module_image_loaded(s, m);
    if (pe)
        return debug_directory_repro(pe);
    kdx_err err;
    if (kdx_pe_open_target(s->target, m->base, m->image_name ? m->image_name : m->name, &pe, &err) != KDX_OK)
        return REPRO_UNKNOWN;
    repro_state r = debug_directory_repro(pe);
    kdx_pe_close(pe);
    return r;
}

/* Seconds since 1970 of the dump's creation, 0 when unknown. */
static uint64_t dump_unix_time(const kdx_session *s)
{
    uint64_t ft = s->target->sys.dump_time;
    return ft > 116444736000000000ull ? (ft - 116444736000000000ull) / 10000000ull : 0;
}

/* A PE TimeDateStamp as a date (UTC): "Sat Feb 20 17:38:22 2021". */
static void format_time(uint32_t ts, char *buf, size_t len)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm);
}

/* What a module's TimeDateStamp is, for lmv and !lmi: a date, or a
 * reproducible-build hash (known from the debug directory, or inferred when
 * the "date" comes after the dump was written). */
typedef enum { STAMP_DATE, STAMP_REPRO, STAMP_REPRO_INFERRED } stamp_kind;

static stamp_kind describe_timestamp(kdx_session *s, kdx_module *m, char *when, size_t len)
{
    format_time(m->timestamp, when, len);
    repro_state repro = image_is_repro(s, m);
    if (repro == REPRO_YES)
        return STAMP_REPRO;
    uint64_t taken = dump_unix_time(s);
    /* A build date after the dump was written is impossible: without the
     * debug directory to confirm it, say what it most likely is. */
    return repro == REPRO_UNKNOWN && taken && m->timestamp > taken ? STAMP_REPRO_INFERRED : STAMP_DATE;
}

#define REPRO_INFERRED_TEXT                                                                                   \
    "inferred: a reproducible build file hash, not a timestamp; as a date it would be %s, after the dump was " \
    "written, and the image's debug directory is not in the dump to confirm"

static void print_timestamp(kdx_session *s, kdx_module *m)
{
    if (!m->timestamp) {
        kdx_print(s, "    Timestamp:        unavailable (00000000)\n");
        return;
    }
    char when[64];
    switch (describe_timestamp(s, m, when, sizeof when)) {
    case STAMP_REPRO:
        kdx_print(s, "    Image was built with /Brepro flag.\n");
        kdx_print(s, "    Timestamp:        %08X (This is a reproducible build file hash, not a "
                     "timestamp)\n", m->timestamp);
        return;
    case STAMP_REPRO_INFERRED:
        kdx_print(s, "    Timestamp:        %08X (" REPRO_INFERRED_TEXT ")\n", m->timestamp, when);
        return;
    case STAMP_DATE:
        kdx_print(s, "    Timestamp:        %s (%08X)\n", when, m->timestamp);
        return;
    }
}

/* lmv's version block from the image's version resource, in WinDbg's layout
 * (public lmv transcripts): "File version:     10.5.25.0", "File flags:       8
 * (Mask 3F) Private", "File OS:          40004 NT Win32", "File type:        2.0
 * Dll", "File date:        00000000.00000000", "Translations:     0409.04b0", then
 * the strings under "Information from resource tables:" in WinDbg's order.
 * Only the names seen in those transcripts are spelled out. */
static void print_version_resource(kdx_session *s, const kdx_pe_version *v)
{
    if (v->has_fixed) {
        kdx_print(s, "    File version:     %u.%u.%u.%u\n", v->file_version_ms >> 16, v->file_version_ms & 0xffff,
                  v->file_version_ls >> 16, v->file_version_ls & 0xffff);
        kdx_print(s, "    Product version:  %u.%u.%u.%u\n", v->product_version_ms >> 16,
                  v->product_version_ms & 0xffff, v->product_version_ls >> 16, v->product_version_ls & 0xffff);
        uint32_t flags = v->file_flags & v->file_flags_mask;
        kdx_print(s, "    File flags:       %X (Mask %X)%s%s\n", flags, v->file_flags_mask,
                  flags & 0x08 ? " Private" : "", flags & 0x20 ? " Special" : "");
        const char *os = v->file_os == 0x40004 ? " NT Win32" : v->file_os == 0x4 ? " Unknown Win32" : "";
        kdx_print(s, "    File OS:          %X%s\n", v->file_os, os);
        static const char *const types[] = {NULL, "App", "Dll", "Driver"};
        const char *type = v->file_type < 4 ? types[v->file_type] : NULL;
        kdx_print(s, "    File type:        %X.%X%s%s\n", v->file_type, v->file_subtype, type ? " " : "",
                  type ? type : "");
        kdx_print(s, "    File date:        %08X.%08X\n", v->file_date_ms, v->file_date_ls);
    }
    kdx_print(s, "    Translations:    ");
    if (!v->ntranslations)
        kdx_print(s, " 0000.04b0 0000.04e4 0409.04b0 0409.04e4");
    for (uint32_t i = 0; i < v->ntranslations && i < 8; i++)
        kdx_print(s, " %04x.%04x", v->translations[i] >> 16, v->translations[i] & 0xffff);
    kdx_print(s, "\n    Information from resource tables:\n");
    static const char *const order[] = {"CompanyName", "ProductName", "InternalName", "OriginalFilename",
                                        "ProductVersion", "FileVersion", "FileDescription", "LegalCopyright",
                                        "Comments"};
    bool shown[KDX_PE_VERSION_MAX_STRINGS] = {false};
    for (size_t k = 0; k <= sizeof order / sizeof *order; k++) {
        for (uint32_t i = 0; i < v->nstrings && i < KDX_PE_VERSION_MAX_STRINGS; i++) {
            /* The known keys in order, then any others as the resource has them. */
            if (shown[i] || (k < sizeof order / sizeof *order && strcmp(v->strings[i].key, order[k])))
                continue;
            char key[80];
            snprintf(key, sizeof key, "%s:", v->strings[i].key);
            kdx_print(s, "        %-17s %s\n", key, v->strings[i].value);
            shown[i] = true;
        }
    }
}

static void print_module_verbose(kdx_session *s, kdx_module *m)
{
    struct kdx_pe *image = kdx_sym_module_image_loaded(s, m);
    const char *img_file = kdx_sym_module_image_file(s, m);
    const char *image_name = m->image_name ? kdx_basename(m->image_name) : m->name;
    if (image)
        kdx_print(s, "    Loaded symbol image file: %s\n", image_name);
    if (img_file)
        kdx_print(s, "    Mapped memory image file: %s\n", img_file);
    kdx_print(s, "    Image path: %s\n", m->image_path ? m->image_path : image_name);
    kdx_print(s, "    Image name: %s\n", image_name);
    print_timestamp(s, m);
    kdx_print(s, "    CheckSum:         %08X\n", m->checksum);
    kdx_print(s, "    ImageSize:        %08llX\n", (unsigned long long)m->size);
    kdx_pe_version v;
    kdx_err verr = {0};
    if (image && kdx_pe_version_info(image, &v, &verr) == KDX_OK) {
        print_version_resource(s, &v);
    } else {
        if (m->file_version_ms || m->file_version_ls)
            kdx_print(s, "    File version:     %u.%u.%u.%u\n", m->file_version_ms >> 16,
                      m->file_version_ms & 0xffff, m->file_version_ls >> 16,
                      m->file_version_ls & 0xffff);
        /* The language/code-page pairs WinDbg tries in the version resource. */
        kdx_print(s, "    Translations:     0000.04b0 0000.04e4 0409.04b0 0409.04e4\n");
        kdx_print(s, "    Information from resource tables:\n");
    }
    /* kdx's own additions: the CodeView identity and how symbols were chosen. */
    if (m->has_pdb_id && m->pdb_name) {
        char g[33];
        kdx_guid_format(m->pdb_guid, g);
        kdx_print(s, "    PDB:              %s  GUID %s  age %u\n", m->pdb_name, g, m->pdb_age);
    }
    if (m->symbol_note)
        kdx_print(s, "    Symbol note:      %s\n", m->symbol_note);
}

/* WinDbg's symbol-status abbreviation column: T when the image (and so its
 * timestamp) could not be checked, C when its checksum is missing. */
static char status_abbrev(kdx_session *s, kdx_module *m)
{
    kdx_target_kind k = s->target->kind;
    if (m->symstatus == KDX_SYMSTATUS_DEFERRED ||
        (k != KDX_TARGET_KERNEL_DUMP && k != KDX_TARGET_USER_DUMP && k != KDX_TARGET_IMAGE))
        return ' ';
    if (!m->timestamp || kdx_sym_module_image_missing(s, m))
        return 'T';
    return m->checksum ? ' ' : 'C';
}

/* lm n / lm t / lm t n: the image name (12 wide) and the TimeDateStamp
 * ("Sat Nov 20 04:03:07 2010 (4CE7951B)") in place of the symbol status, the
 * layout Microsoft's !drivers page describes for lm t n. A stamp that is a
 * reproducible-build hash is never printed as a date. */
static void print_name_time_row(kdx_session *s, kdx_module *m, const lm_opts *o)
{
    char a[24], b[24], image[64] = "", stamp[96] = "";
    if (o->image_names)
        snprintf(image, sizeof image, "%-12s", m->image_name ? kdx_basename(m->image_name) : m->name);
    if (o->timestamps) {
        char when[64];
        if (!m->timestamp)
            snprintf(stamp, sizeof stamp, "unavailable (00000000)");
        else {
            stamp_kind kind = describe_timestamp(s, m, when, sizeof when);
            if (kind == STAMP_DATE)
                snprintf(stamp, sizeof stamp, "%s (%08X)", when, m->timestamp);
            else
                snprintf(stamp, sizeof stamp, "%08X (%sa reproducible build file hash, not a timestamp)",
                         m->timestamp, kind == STAMP_REPRO_INFERRED ? "inferred: " : "");
        }
    }
    kdx_print(s, "%s %s   %-8s %s%s%s\n", ptr(s, a, m->base), ptr(s, b, m->base + m->size), m->name, image,
              *image && *stamp ? " " : "", stamp);
}

static void print_module_row(kdx_session *s, kdx_module *m, const lm_opts *o)
{
    char a[24], b[24];
    if (o->one_column) {
        kdx_print(s, "%s\n", m->name);
        return;
    }
    if (o->full_path) {
        /* lm f: "cmd      cmd.exe     ", "kernel32 C:\Windows\system32\kernel32.dll": the
         * path in a 12-wide column and no symbol status (lm documentation;
         * public lmf / "lm f" transcripts). */
        const char *path = m->image_path ? m->image_path
                                         : m->image_name ? m->image_name : m->name;
        kdx_print(s, "%s %s   %-8s %-12s\n", ptr(s, a, m->base), ptr(s, b, m->base + m->size), m->name, path);
    } else if (o->image_names || o->timestamps) {
        print_name_time_row(s, m, o);
    } else {
        kdx_print(s, "%s %s   %-8s %c %-22s %s\n", ptr(s, a, m->base), ptr(s, b, m->base + m->size),
                  m->name, status_abbrev(s, m), status_text(m), m->symbol_file ? m->symbol_file : "");
    }
    if (o->verbose)
        print_module_verbose(s, m);
}

/* The next blank-delimited word at *p, malloc'd; *p moves past it. */
static char *next_word(const char **p)
{
    const char *b = kdx_skip_ws(*p), *e = b;
    while (*e && !isspace((unsigned char)*e))
        e++;
    *p = e;
    return kdx_strndup(b, (size_t)(e - b));
}

static const char *parse_lm_opts(const char *p, lm_opts *o, char **pattern_out)
{
    while (*p) {
        p = kdx_skip_ws(p);
        if (!*p)
            break;
        const char *tok = p;
        bool is_opts = true;
        for (const char *q = tok; *q && !isspace((unsigned char)*q); q++)
            if (!strchr("vmolkufnt1sDaeci", *q))
                is_opts = false;
        if (!is_opts)
            return tok;
        bool want_pattern = false, want_address = false;
        for (; *p && !isspace((unsigned char)*p); p++) {
            switch (*p) {
            case 'v': o->verbose = true; break;
            case 'o': o->loaded_only = true; break;
            case 'l': o->symbols_only = true; break;
            case 'k': o->kernel_only = true; break;
            case 'u': o->user_only = true; break;
            case 'e': o->problems_only = true; break;
            case 'f': o->full_path = true; break;
            case 'n': o->image_names = true; break;
            case 't': o->timestamps = true; break;
            case 'a': want_address = true; break;
            case 's':
                if (p[1] == 'm') {
                    o->sort_by_name = true;
                    p++;
                }
                break;
            case '1':
                if (p[1] == 'm') {
                    o->one_column = true;
                    p++;
                }
                break;
            case 'm': want_pattern = true; break;
            default: break;
            }
        }
        if (want_pattern) {
            free(*pattern_out);
            *pattern_out = next_word(&p);
        }
        if (want_address) {
            free(o->address);
            o->address = next_word(&p);
        }
    }
    return NULL;
}

static int module_name_cmp(const void *a, const void *b)
{
    const kdx_module *x = *(kdx_module *const *)a, *y = *(kdx_module *const *)b;
    return kdx_strcasecmp(x->name, y->name);
}

static json_t *module_json(kdx_session *s, kdx_module *m)
{
    char buf[64];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(m->name));
    if (m->image_name)
        json_object_set_new(o, "image", json_string(m->image_name));
    if (m->image_path)
        json_object_set_new(o, "image_path", json_string(m->image_path));
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)m->base);
    json_object_set_new(o, "start", json_string(buf));
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)(m->base + m->size));
    json_object_set_new(o, "end", json_string(buf));
    snprintf(buf, sizeof buf, "%08X", m->timestamp);
    json_object_set_new(o, "timestamp", json_string(buf));
    snprintf(buf, sizeof buf, "%08X", m->checksum);
    json_object_set_new(o, "checksum", json_string(buf));
    if (!m->unloaded) {
        const char *st = status_text(m);
        json_object_set_new(o, "symbols", json_stringn(st + 1, strlen(st) - 2));
    }
    if (m->symbol_file)
        json_object_set_new(o, "symbol_file", json_string(m->symbol_file));
    if (m->has_pdb_id && m->pdb_name) {
        char g[33];
        kdx_guid_format(m->pdb_guid, g);
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(m->pdb_name));
        json_object_set_new(p, "guid", json_string(g));
        json_object_set_new(p, "age", json_integer(m->pdb_age));
        json_object_set_new(o, "pdb", p);
    }
    if (m->symbol_note)
        json_object_set_new(o, "symbol_note", json_string(m->symbol_note));
    (void)s;
    return o;
}

/* lm with .json on: every listed module as an object. */
static void lm_json(kdx_session *s, const lm_opts *o, const char *pattern)
{
    json_t *root = json_object(), *mods = json_array(), *unl = json_array();
    kdx_target *t = s->target;
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (pattern && !kdx_wildcard_match(pattern, m->name))
            continue;
        if (m->unloaded && !o->loaded_only)
            json_array_append_new(unl, module_json(s, m));
        else if (!m->unloaded)
            json_array_append_new(mods, module_json(s, m));
    }
    json_object_set_new(root, "modules", mods);
    json_object_set_new(root, "unloaded_modules", unl);
    char *text = json_dumps(root, JSON_INDENT(2));
    kdx_print_json(s, text ? text : "{}");
    free(text);
    json_decref(root);
}

static int cmd_lm(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    lm_opts o = {0};
    char *pattern = NULL;
    char *all = kdx_asprintf("%s %s", cmd + 2, args);
    const char *bad = parse_lm_opts(all, &o, &pattern);
    if (bad) {
        free(pattern);
        free(o.address);
        int rc = kdx_cmd_syntax_error(s, cmd, bad);
        free(all);
        return rc;
    }
    free(all);
    kdx_target *t = s->target;
    if (s->json) {
        lm_json(s, &o, pattern);
        free(pattern);
        free(o.address);
        return 0;
    }
    if (!o.one_column)
        kdx_print(s, t->ptr_size == 4 ? "start    end        module name\n"
                                      : "start             end                 module name\n");
    kdx_module *only = NULL;
    if (o.address) {
        uint64_t a;
        kdx_err err = {0};
        if (kdx_expr_eval_all(s, o.address, &a, &err) != KDX_OK) {
            free(o.address);
            free(pattern);
            return kdx_cmd_fail(s, &err);
        }
        only = kdx_target_module_at(t, a);
    }
    KDX_VEC(kdx_module *) list = {0};
    for (size_t i = 0; i < t->nmodules; i++)
        if (!t->modules[i]->unloaded && (!o.address || t->modules[i] == only))
            KDX_VEC_PUSH(list, t->modules[i]);
    if (o.sort_by_name && list.len)
        kdx_sort(list.items, list.len, sizeof *list.items, module_name_cmp);
    for (size_t i = 0; i < list.len; i++) {
        kdx_module *m = list.items[i];
        if (pattern && !kdx_wildcard_match(pattern, m->name))
            continue;
        if (o.symbols_only && (m->symstatus == KDX_SYMSTATUS_DEFERRED ||
                               m->symstatus == KDX_SYMSTATUS_NONE))
            continue;
        if (o.problems_only && m->symstatus != KDX_SYMSTATUS_NONE &&
            m->symstatus != KDX_SYMSTATUS_EXPORT)
            continue;
        bool kernel_addr = t->ptr_size == 8 ? m->base >= 0xffff800000000000ull : m->base >= 0x80000000u;
        if ((o.kernel_only && !kernel_addr) || (o.user_only && kernel_addr))
            continue;
        print_module_row(s, m, &o);
    }
    KDX_VEC_FREE(list);
    bool header = false;
    bool filtered = o.loaded_only || o.symbols_only || o.problems_only || o.address || o.one_column;
    for (size_t i = 0; i < t->nmodules && !filtered; i++) {
        kdx_module *m = t->modules[i];
        if (!m->unloaded || (pattern && !kdx_wildcard_match(pattern, m->name)))
            continue;
        if (!header)
            kdx_print(s, "\nUnloaded modules:\n");
        header = true;
        char a[24], b[24];
        kdx_print(s, "%s %s   %s\n", ptr(s, a, m->base), ptr(s, b, m->base + m->size),
                  m->image_name ? kdx_basename(m->image_name) : m->name);
        if (o.verbose)
            print_module_verbose(s, m);
    }
    free(pattern);
    free(o.address);
    return 0;
}

/* ---- !lmi ----------------------------------------------------------------- */

static const char *debug_type_name(uint32_t type)
{
    static const char *const names[] = {
        [1] = "COFF", [2] = "CODEVIEW", [3] = "FPO", [4] = "MISC", [5] = "EXCEPTION",
        [6] = "FIXUP", [7] = "OMAP_TO_SRC", [8] = "OMAP_FROM_SRC", [9] = "BORLAND",
        [11] = "CLSID", [12] = "VC_FEATURE", [13] = "POGO", [14] = "ILTCG", [15] = "MPX",
        [16] = "REPRO", [20] = "EX_DLLCHARACTERISTICS"};
    return type < KDX_ARRAY_LEN(names) && names[type] ? names[type] : NULL;
}

static const char *machine_name(uint16_t machine)
{
    switch (machine) {
    case 0x14c: return "I386";
    case 0x8664: return "X64";
    case 0xaa64: return "ARM64";
    case 0x1c4: return "ARMNT";
    default: return "unknown";
    }
}

static void lmi_debug_dirs(kdx_session *s, kdx_module *m, struct kdx_pe *pe)
{
    uint32_t rva, size;
    kdx_print(s, "Debug Data Dirs: Type  Size     VA  Pointer\n");
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_DEBUG, &rva, &size) != KDX_OK || !rva)
        return;
    for (uint32_t off = 0; off + 28 <= size && off < 28 * 64; off += 28) {
        uint8_t e[28];
        if (kdx_pe_read(pe, rva + off, e, sizeof e, NULL) != KDX_OK) {
            kdx_print(s, "%21s [Data not mapped]\n", "");
            return;
        }
        uint32_t type = kdx_le32(e + 12), dsize = kdx_le32(e + 16), va = kdx_le32(e + 20),
                 fp = kdx_le32(e + 24);
        const char *name = debug_type_name(type);
        char tbuf[16];
        if (!name) {
            snprintf(tbuf, sizeof tbuf, "%x", type);
            name = tbuf;
        }
        kdx_print(s, "%21s %5x, %6x, %7x", name, dsize, va, fp);
        if (type == 2 && m->has_pdb_id) {
            const uint8_t *g = m->pdb_guid;
            kdx_print(s, " RSDS - GUID: {%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}\n",
                      kdx_le32(g), kdx_le16(g + 4), kdx_le16(g + 6), g[8], g[9], g[10], g[11],
                      g[12], g[13], g[14], g[15]);
            kdx_print(s, "%15sAge: %u, Pdb: %s\n", "", m->pdb_age,
                      m->pdb_name ? kdx_basename(m->pdb_name) : "");
        } else {
            kdx_print(s, "\n");
        }
    }
}

static void lmi_symbol_type(kdx_session *s, kdx_module *m)
{
    const char *file = m->symbol_file ? m->symbol_file : "";
    switch (m->symstatus) {
    case KDX_SYMSTATUS_DEFERRED:
        kdx_print(s, "    Symbol Type: DEFERRED - No error - symbol load deferred\n");
        kdx_print(s, "    Load Report: no symbols loaded\n");
        return;
    case KDX_SYMSTATUS_NONE:
        kdx_print(s, "    Symbol Type: NONE     - %s\n",
                  m->symbol_note ? m->symbol_note : "PDB not found");
        kdx_print(s, "    Load Report: no symbols loaded\n");
        return;
    case KDX_SYMSTATUS_EXPORT:
        kdx_print(s, "    Symbol Type: EXPORT   - PDB not found\n");
        kdx_print(s, "    Load Report: export symbols\n");
        return;
    default:
        kdx_print(s, "    Symbol Type: PDB      - Symbols loaded successfully from symbol search path.\n");
        kdx_print(s, "%17s%s\n", "", file);
        kdx_print(s, "    Load Report: %s symbols , not source indexed \n",
                  m->symstatus == KDX_SYMSTATUS_PRIVATE_PDB ? "private" : "public");
        kdx_print(s, "%17s%s\n", "", file);
        return;
    }
}

static int cmd_lmi(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    if (!*args)
        return kdx_cmd_syntax_error(s, "!lmi", args);
    kdx_target *t = s->target;
    kdx_module *m = kdx_target_module_named(t, args);
    if (!m) {
        uint64_t a;
        kdx_err err = {0};
        if (kdx_expr_eval_all(s, args, &a, &err) == KDX_OK)
            m = kdx_target_module_at(t, a);
    }
    if (!m) {
        kdx_print(s, "%s not found\n", args);
        return 1;
    }
    kdx_sym_load_module(s, m, NULL);
    struct kdx_pe *pe = NULL;
    kdx_err ierr = {0};
    kdx_sym_module_image(s, m, &pe, &ierr);
    int digits = t->ptr_size == 4 ? 8 : 16;
    kdx_print(s, "Loaded Module Info: [%s] \n", args);
    kdx_print(s, "%15s: %s\n", "Module", m->name);
    kdx_print(s, "%15s: %0*llx\n", "Base Address", digits, (unsigned long long)m->base);
    kdx_print(s, "%15s: %s\n", "Image Name", m->image_name ? m->image_name : m->name);
    if (pe) {
        const kdx_pe_info *in = kdx_pe_get_info(pe);
        kdx_print(s, "%15s: %u (%s)\n", "Machine Type", in->machine, machine_name(in->machine));
    }
    char when[64] = "";
    stamp_kind kind = m->timestamp ? describe_timestamp(s, m, when, sizeof when) : STAMP_DATE;
    if (kind == STAMP_REPRO)
        kdx_print(s, "%15s: %x (This is a reproducible build file hash, not a timestamp)\n", "Time Stamp",
                  m->timestamp);
    else if (kind == STAMP_REPRO_INFERRED)
        kdx_print(s, "%15s: %x (" REPRO_INFERRED_TEXT ")\n", "Time Stamp", m->timestamp, when);
    else
        kdx_print(s, "%15s: %x%s%s\n", "Time Stamp", m->timestamp, *when ? " " : "", when);
    kdx_print(s, "%15s: %llx\n", "Size", (unsigned long long)m->size);
    kdx_print(s, "%15s: %x\n", "CheckSum", m->checksum);
    if (pe) {
        kdx_print(s, "%15s: %x\n", "Characteristics", kdx_pe_get_info(pe)->characteristics);
        lmi_debug_dirs(s, m, pe);
        const char *file = kdx_sym_module_image_file(s, m);
        if (file)
            kdx_print(s, "     Image Type: FILE     - Image read successfully from debugger.\n%17s%s\n",
                      "", file);
        else
            kdx_print(s, "     Image Type: MEMORY   - Image read successfully from loaded memory.\n");
    } else {
        kdx_print(s, "     Image Type: NONE     - %s\n", ierr.msg[0] ? ierr.msg : "image not available");
    }
    lmi_symbol_type(s, m);
    return 0;
}

/* ---- .sympath / .symfix / .reload / !sym --------------------------------- */

static void print_sympath(kdx_session *s)
{
    const char *p = kdx_sym_path(s);
    char *e = kdx_sym_path_expanded(s);
    kdx_print(s, "Symbol search path is: %s\n", p && *p ? p : "<empty>");
    kdx_print(s, "Expanded Symbol search path is: %s\n", *e ? e : "<empty>");
    free(e);
    const kdx_sympath *sp = kdx_sym_parsed_path(s);
    if (!sp->n)
        return;
    kdx_print(s, "\n************* Path validation summary **************\n");
    kdx_print(s, "%-33s%-14s%s\n", "Response", "Time (ms)", "Location");
    for (size_t i = 0; i < sp->n; i++) {
        const kdx_symel *el = &sp->els[i];
        const char *resp = "Deferred";
        if (el->kind == KDX_SYMEL_DIR) {
            struct stat st;
            resp = stat(el->tiers[0], &st) == 0 && S_ISDIR(st.st_mode) ? "OK" : "Error";
        }
        kdx_print(s, "%-47s%s\n", resp, el->text);
        if (!strcmp(resp, "Error"))
            kdx_print(s, "%-47s%s\n", "", "The system cannot find the path specified.");
    }
}

static int cmd_sympath(kdx_session *s, const char *cmd, const char *args)
{
    bool append = cmd[strlen(cmd) - 1] == '+';
    if (*args || append)
        kdx_sym_set_path(s, args, append);
    print_sympath(s);
    return 0;
}

/* .exepath[+] [PATH]: where images are looked for (the -i option). */
static int cmd_exepath(kdx_session *s, const char *cmd, const char *args)
{
    bool append = cmd[strlen(cmd) - 1] == '+';
    if (*args) {
        char *p = append && s->image_path && *s->image_path
                      ? kdx_asprintf("%s;%s", s->image_path, args)
                      : kdx_strdup(args);
        free(s->image_path);
        s->image_path = p;
    }
    const char *p = s->image_path && *s->image_path ? s->image_path : "<empty>";
    kdx_print(s, "Executable image search path is: %s\n", p);
    if (s->image_path && *s->image_path) {
        kdx_sympath *ip = kdx_sympath_parse(s->image_path);
        char *e = kdx_sympath_expand(ip, kdx_sym_default_cache(s));
        kdx_print(s, "Expanded Executable image search path is: %s\n", e);
        free(e);
        kdx_sympath_free(ip);
    }
    return 0;
}

static int cmd_symfix(kdx_session *s, const char *cmd, const char *args)
{
    bool append = cmd[strlen(cmd) - 1] == '+';
    char *el = *args ? kdx_asprintf("srv*%s*%s", args, KDX_MS_SYMBOL_SERVER)
                     : kdx_asprintf("srv*%s", KDX_MS_SYMBOL_SERVER);
    kdx_sym_set_path(s, el, append);
    free(el);
    if (kdx_sym_noisy(s)) {
        char *e = kdx_sym_path_expanded(s);
        kdx_print(s, "DBGHELP: Symbol Search Path: %s\n", e);
        free(e);
    }
    return 0;
}

static int cmd_reload(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!kdx_cmd_need_target(s))
        return 1;
    bool force = false, overwrite = false;
    const char *p = kdx_skip_ws(args);
    while (*p == '/') {
        if (p[1] == 'f' || p[1] == 'F')
            force = true;
        /* /o: download again over the cached copies (implies loading now). */
        if (p[1] == 'o' || p[1] == 'O')
            force = overwrite = true;
        /* /n, /user, /unl: accepted, nothing else to do on a dump. */
        while (*p && !isspace((unsigned char)*p))
            p++;
        p = kdx_skip_ws(p);
    }
    char *module = kdx_strdup(p);
    kdx_rtrim(module);
    /* "name=base,size" loads a module WinDbg does not know; only the name is used here. */
    char *eq = strchr(module, '=');
    if (eq)
        *eq = '\0';
    /* "amdppm.sys" names the module by image name. */
    kdx_err err = {0};
    kdx_target *t = s->target;
    bool dump = t->kind == KDX_TARGET_USER_DUMP || t->kind == KDX_TARGET_KERNEL_DUMP;
    if (!*module && dump)
        kdx_print(s, t->kind == KDX_TARGET_USER_DUMP ? "Loading User Symbols\n"
                                                     : "Loading Kernel Symbols\n");
    kdx_status st = kdx_sym_reload_ex(s, module, force, overwrite, &err);
    if (!*module && dump && st == KDX_OK) {
        /* One dot per module, in lines of 63 as WinDbg draws its progress. */
        size_t dots = 0;
        for (size_t i = 0; i < t->nmodules; i++) {
            if (t->modules[i]->unloaded)
                continue;
            kdx_print(s, "%s.", dots && dots % 63 == 0 ? "\n" : "");
            dots++;
        }
        kdx_print(s, "\n");
    }
    free(module);
    if (st != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return 0;
}

static int cmd_sym(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!strcmp(args, "noisy"))
        kdx_sym_set_noisy(s, true);
    else if (!strcmp(args, "quiet"))
        kdx_sym_set_noisy(s, false);
    else if (*args && strcmp(args, "prompts") && strcmp(args, "prompts off"))
        return kdx_cmd_syntax_error(s, "!sym", args);
    kdx_print(s, "%s mode - symbol prompts on\n", kdx_sym_noisy(s) ? "noisy" : "quiet");
    return 0;
}

/* kdx's own: where symbol indexes are kept (sym/symcache.h). */
static int cmd_symindex(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (*args)
        kdx_sym_set_index_dir(s, args);
    const char *dir = kdx_sym_index_dir(s);
    if (dir)
        kdx_print(s, "Symbol index directory: %s\n", dir);
    else
        kdx_print(s, "Symbol index: off (symbol files are parsed on every load)\n");
    return 0;
}

const kdx_command kdx_cmds_symbols[] = {
    {"ln", cmd_ln, "list nearest symbols: ln ADDR", 0},
    {"x", cmd_x, "examine symbols: x module!pattern*", 0},
    {"lm", cmd_lm, "list modules: lm [v] [o] [l] [f] [n] [t] [m PATTERN], lmvm NAME", KDX_CMD_PREFIX},
    {"dt", kdx_cmd_dt, "display type: dt [-r[N]] [-v] module!Type [ADDR] [field[.sub]] [field->*]", 0},
    {".sympath", cmd_sympath, "show or set the symbol path (takes the rest of the line)", KDX_CMD_RAW},
    {".sympath+", cmd_sympath, "append to the symbol path (takes the rest of the line)", KDX_CMD_RAW},
    {".exepath", cmd_exepath, "show or set the image path (takes the rest of the line)", KDX_CMD_RAW},
    {".exepath+", cmd_exepath, "append to the image path", KDX_CMD_RAW},
    {".symfix", cmd_symfix, "use Microsoft's symbol server: .symfix [CACHE]", 0},
    {".symfix+", cmd_symfix, "append Microsoft's symbol server: .symfix+ [CACHE]", 0},
    {".reload", cmd_reload, "reload symbols: .reload [/f] [/o] [module]", 0},
    {"!lmi", cmd_lmi, "module details: !lmi MODULE|ADDRESS", 0},
    {"!sym", cmd_sym, "symbol loading messages: !sym noisy|quiet", 0},
    {".symindex", cmd_symindex, "symbol index cache: .symindex [DIR|off|default] (kdx's own)", 0},
    {0}};
