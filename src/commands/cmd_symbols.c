/* Command family: symbols: ln, x, lm, dt, .sympath, .symfix, .reload, !sym. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "base/bytes.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
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
    snprintf(buf, len, "(<no parameter info>)");
    if (!m->symbols.ops || !kdx_pdb_is_provider(&m->symbols))
        return;
    char *params = kdx_pdb_params_at(&m->symbols, rva);
    if (params)
        snprintf(buf, len, "%s", params);
    free(params);
}

static void print_symref(kdx_session *s, const kdx_symhit *h)
{
    char a[24];
    kdx_print(s, "(%s)   %s!%s", ptr(s, a, h->address), h->module->name, h->name);
    if (h->displacement)
        kdx_print(s, "+0x%llx", (unsigned long long)h->displacement);
}

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
    xlist l = {0};
    kdx_err err = {0};
    kdx_status st = kdx_sym_enumerate(s, modpat, pat, x_collect, &l, &err);
    free(modpat);
    if (st != KDX_OK) {
        KDX_VEC_FREE(l.v);
        return kdx_cmd_fail(s, &err);
    }
    qsort(l.v.items, l.v.len, sizeof *l.v.items, x_cmp);
    for (size_t i = 0; i < l.v.len; i++) {
        xmatch *x = &l.v.items[i];
        char a[24];
        kdx_print(s, "%s %s!%s", ptr(s, a, x->addr), x->m->name, x->sym.name);
        if (x->sym.kind == KDX_SYM_DATA) {
            kdx_print(s, " = ");
            print_data_value(s, x->sym.type, x->addr);
            kdx_print(s, "\n");
        } else {
            char params[512];
            param_info(x->m, x->sym.rva, params, sizeof params);
            kdx_print(s, " %s\n", params);
        }
    }
    KDX_VEC_FREE(l.v);
    return 0;
}

/* ---- lm ---------------------------------------------------------------- */

typedef struct lm_opts {
    bool verbose, loaded_only, symbols_only, kernel_only, user_only, one_column;
    bool problems_only;     /* e: no symbols or export symbols */
    bool sort_by_name;      /* sm */
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

/* A debug directory entry of type IMAGE_DEBUG_TYPE_REPRO (16): /Brepro build,
 * whose TimeDateStamp is a hash. */
static bool image_is_repro(kdx_session *s, kdx_module *m)
{
    /* Only an image already at hand: lm never searches or downloads. */
    struct kdx_pe *pe = kdx_sym_module_image_loaded(s, m);
    if (!pe)
        return false;
    uint32_t rva, size;
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_DEBUG, &rva, &size) != KDX_OK || !rva)
        return false;
    for (uint32_t off = 0; off + 28 <= size && off < 28 * 64; off += 28) {
        uint8_t e[28];
        if (kdx_pe_read(pe, rva + off, e, sizeof e, NULL) != KDX_OK)
            return false;
        if ((uint32_t)(e[12] | e[13] << 8 | e[14] << 16 | (uint32_t)e[15] << 24) == 16)
            return true;
    }
    return false;
}

/* A PE TimeDateStamp as a date (UTC): "Sat Feb 20 17:38:22 2021". */
static void format_time(uint32_t ts, char *buf, size_t len)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm);
}

static void print_timestamp(kdx_session *s, kdx_module *m)
{
    if (!m->timestamp) {
        kdx_print(s, "    Timestamp:        unavailable (00000000)\n");
        return;
    }
    if (image_is_repro(s, m)) {
        kdx_print(s, "    Image was built with /Brepro flag.\n");
        kdx_print(s, "    Timestamp:        %08X (This is a reproducible build file hash, not a "
                     "timestamp)\n", m->timestamp);
        return;
    }
    char when[64];
    format_time(m->timestamp, when, sizeof when);
    kdx_print(s, "    Timestamp:        %s (%08X)\n", when, m->timestamp);
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
    if (m->file_version_ms || m->file_version_ls)
        kdx_print(s, "    File version:     %u.%u.%u.%u\n", m->file_version_ms >> 16,
                  m->file_version_ms & 0xffff, m->file_version_ls >> 16,
                  m->file_version_ls & 0xffff);
    /* The language/code-page pairs WinDbg tries in the version resource. */
    kdx_print(s, "    Translations:     0000.04b0 0000.04e4 0409.04b0 0409.04e4\n");
    kdx_print(s, "    Information from resource tables:\n");
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

static void print_module_row(kdx_session *s, kdx_module *m, const lm_opts *o)
{
    char a[24], b[24];
    if (o->one_column) {
        kdx_print(s, "%s\n", m->name);
        return;
    }
    kdx_print(s, "%s %s   %-8s %c %-22s %s\n", ptr(s, a, m->base), ptr(s, b, m->base + m->size),
              m->name, status_abbrev(s, m), status_text(m), m->symbol_file ? m->symbol_file : "");
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
    kdx_print(s, "%s\n", text ? text : "{}");
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
        qsort(list.items, list.len, sizeof *list.items, module_name_cmp);
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
    if (m->timestamp)
        format_time(m->timestamp, when, sizeof when);
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

/* ---- dt ------------------------------------------------------------------ */

typedef struct dt_ctx {
    kdx_session *s;
    int max_depth;          /* -r levels below the top (0: none) */
    bool verbose;
    bool has_addr;
    int name_width;
    int printed;            /* field lines printed */
    bool prefix_match;      /* -y: filters match field names by prefix */
    bool read_failed;       /* a field could not be read: "Memory read error ADDR" at the end */
    uint64_t fail_addr;
} dt_ctx;

static void dt_verbose_name(const kdx_type *t, char *buf, size_t len)
{
    const kdx_type *b = kdx_type_strip(t);
    if (!b) {
        snprintf(buf, len, "<unknown>");
        return;
    }
    char inner[200];
    uint32_t n;
    switch (b->kind) {
    case KDX_TYPE_STRUCT:
    case KDX_TYPE_UNION:
    case KDX_TYPE_CLASS:
        kdx_type_fields(b, &n);
        snprintf(buf, len, "%s %s, %u elements, 0x%llx bytes",
                 b->kind == KDX_TYPE_UNION ? "union" : b->kind == KDX_TYPE_CLASS ? "class" : "struct",
                 b->name && *b->name ? b->name : "<unnamed-tag>", n, (unsigned long long)b->size);
        break;
    case KDX_TYPE_ENUM:
        kdx_type_enumerators(b, &n);
        snprintf(buf, len, "Enum %s, %u total enums", b->name ? b->name : "<unnamed-tag>", n);
        break;
    case KDX_TYPE_POINTER:
        dt_verbose_name(b->target, inner, sizeof inner);
        snprintf(buf, len, "Ptr%d to %s", b->size == 4 ? 32 : 64, inner);
        break;
    case KDX_TYPE_ARRAY:
        dt_verbose_name(b->target, inner, sizeof inner);
        snprintf(buf, len, "[%llu] %s", (unsigned long long)b->count, inner);
        break;
    case KDX_TYPE_BITFIELD:
        snprintf(buf, len, "Bitfield Pos %u, %u Bit%s", b->bit_pos, b->bit_len,
                 b->bit_len == 1 ? "" : "s");
        break;
    default:
        kdx_type_dt_name(b, buf, len);
        break;
    }
}

static void dt_type_text(dt_ctx *c, const kdx_type *t, char *buf, size_t len)
{
    if (c->verbose)
        dt_verbose_name(t, buf, len);
    else
        kdx_type_dt_name(t, buf, len);
}

static bool read_bytes(dt_ctx *c, uint64_t addr, void *buf, size_t len)
{
    if (kdx_read_virt(c->s->target, addr, buf, len, NULL, NULL) == KDX_OK)
        return true;
    if (!c->read_failed) {
        c->read_failed = true;
        c->fail_addr = addr;
    }
    return false;
}

static void print_binary(kdx_session *s, uint64_t v, unsigned bits)
{
    char b[65];
    for (unsigned i = 0; i < bits && i < 64; i++)
        b[i] = (v >> (bits - 1 - i)) & 1 ? '1' : '0';
    b[bits < 64 ? bits : 64] = '\0';
    kdx_print(s, "0y%s", b);
}

/* Unsigned values as dt prints them: "0" for zero, else "0x1f". */
static const char *hex(char buf[24], uint64_t v)
{
    if (v)
        snprintf(buf, 24, "0x%llx", (unsigned long long)v);
    else
        snprintf(buf, 24, "0");
    return buf;
}

static void print_char(kdx_session *s, uint64_t v)
{
    if (v >= 0x20 && v < 0x7f)
        kdx_print(s, " '%c'", (int)v);
    else
        kdx_print(s, " ''");
}

static bool is_named(const kdx_type *t, const char *name)
{
    const kdx_type *b = kdx_type_strip(t);
    return b && b->name && !strcmp(b->name, name);
}

/* Wchar / Uint2B (wide) or Char / UChar (narrow) text units. */
static bool is_text_unit(const kdx_type *t, bool wide)
{
    if (!t || t->kind != KDX_TYPE_BASE)
        return false;
    if (wide)
        return t->base == KDX_BASE_WCHAR;
    return t->base == KDX_BASE_CHAR || t->base == KDX_BASE_UCHAR;
}

/* A string of at most max units at addr, up to its NUL, ASCII with other
 * characters as '?'. False when not even the first unit can be read. */
static bool read_text(dt_ctx *c, uint64_t addr, bool wide, size_t max, char *out, size_t outlen)
{
    size_t unit = wide ? 2 : 1, len = max * unit, done = 0;
    uint8_t *buf = kdx_xmalloc(len ? len : 1);
    kdx_status st = kdx_read_virt(c->s->target, addr, buf, len, &done, NULL);
    if (st != KDX_OK && done < unit) {
        free(buf);
        return false;
    }
    if (st == KDX_OK)
        done = len;
    size_t n = 0;
    for (size_t i = 0; i + unit <= done && n + 1 < outlen; i += unit) {
        unsigned ch = wide ? kdx_le16(buf + i) : buf[i];
        if (!ch)
            break;
        out[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[n] = '\0';
    free(buf);
    return true;
}

/* _UNICODE_STRING / _STRING fields as WinDbg shows them: the text they count. */
static void print_counted_string(dt_ctx *c, const kdx_type *rec, uint64_t addr, const char *tn)
{
    kdx_session *s = c->s;
    uint64_t len_off, buf_off;
    const kdx_type *lt, *bt;
    uint8_t lb[2], pb[8] = {0};
    if (kdx_type_field_path(rec, "Length", &len_off, &lt, NULL) != KDX_OK ||
        kdx_type_field_path(rec, "Buffer", &buf_off, &bt, NULL) != KDX_OK ||
        !kdx_type_strip(bt) || kdx_type_strip(bt)->kind != KDX_TYPE_POINTER ||
        !read_bytes(c, addr + len_off, lb, 2) ||
        !read_bytes(c, addr + buf_off, pb, (size_t)kdx_type_strip(bt)->size)) {
        kdx_print(s, "%s", tn);
        return;
    }
    bool wide = is_named(rec, "_UNICODE_STRING");
    uint64_t buffer = kdx_type_extract(bt, pb);
    size_t units = kdx_le16(lb) / (wide ? 2 : 1);
    char str[1024], a[24];
    if (!units) {
        kdx_print(s, "%s \"\"", tn);
    } else if (read_text(c, buffer, wide, KDX_MIN(units, sizeof str - 1), str, sizeof str)) {
        kdx_print(s, "%s \"%s\"", tn, str);
    } else {
        kdx_print(s, "%s \"--- memory read error at address 0x%s ---\"", tn, ptr(s, a, buffer));
    }
}


/* The value of a scalar of type t at addr, as dt shows it after the colon. */
static void dt_value(dt_ctx *c, const kdx_type *t, uint64_t addr)
{
    kdx_session *s = c->s;
    const kdx_type *b = kdx_type_strip(t);
    char a[24], tn[256];
    if (b->kind == KDX_TYPE_BITFIELD) {
        const kdx_type *u = kdx_type_strip(b->target);
        uint8_t buf[8] = {0};
        if (!u || u->size > 8 || !read_bytes(c, addr, buf, (size_t)u->size)) {
            kdx_print(s, "????");
            return;
        }
        uint64_t v = kdx_type_extract(b, buf);
        print_binary(s, v, b->bit_len);
        if (b->bit_len > 1)
            kdx_print(s, " (%s)", hex(a, v));
        return;
    }
    uint64_t size = b->kind == KDX_TYPE_ENUM && b->target ? kdx_type_strip(b->target)->size : b->size;
    uint8_t buf[16] = {0};
    if (size == 0 || size > 16 || !read_bytes(c, addr, buf, (size_t)size)) {
        kdx_print(s, "????");
        return;
    }
    uint64_t v = kdx_type_extract(b, buf);
    switch (b->kind) {
    case KDX_TYPE_POINTER:
        if (!v) {
            kdx_print(s, "(null)");
            return;
        }
        kdx_type_dt_name(b->target, tn, sizeof tn);
        const kdx_type *pt = kdx_type_strip(b->target);
        char str[260];
        if ((is_text_unit(pt, true) || (pt && pt->kind == KDX_TYPE_BASE && pt->base == KDX_BASE_CHAR)) &&
            read_text(c, v, is_text_unit(pt, true), 256, str, sizeof str)) {
            kdx_print(s, "0x%s  \"%s\"", ptr(s, a, v), str);
            return;
        }
        kdx_print(s, "0x%s %s", ptr(s, a, v), tn);
        if (pt && pt->kind == KDX_TYPE_FUNCTION) {
            /* Code pointers also name their target: "  nt!IopInvalidDeviceRequest+0". */
            kdx_symhit h;
            if (kdx_sym_from_addr(s, v, &h) == KDX_OK && h.name)
                kdx_print(s, "  %s!%s+%s", h.module->name, h.name,
                          hex(a, h.displacement));
        }
        return;
    case KDX_TYPE_ENUM: {
        uint32_t n;
        const kdx_enumerator *e = kdx_type_enumerators(b, &n);
        kdx_print(s, "%lld", (long long)v);
        for (uint32_t i = 0; i < n; i++)
            if ((uint64_t)e[i].value == v ||
                (size < 8 && (uint64_t)e[i].value == (v & ((1ull << (size * 8)) - 1)))) {
                kdx_print(s, " ( %s )", e[i].name);
                break;
            }
        return;
    }
    case KDX_TYPE_BASE:
        break;
    default:
        kdx_print(s, "%s", hex(a, v));
        return;
    }
    switch (b->base) {
    case KDX_BASE_FLOAT: {
        float f;
        memcpy(&f, buf, 4);
        kdx_print(s, "%g", f);
        return;
    }
    case KDX_BASE_DOUBLE: {
        double d;
        memcpy(&d, buf, 8);
        kdx_print(s, "%g", d);
        return;
    }
    case KDX_BASE_CHAR:
        kdx_print(s, "%lld", (long long)v);
        print_char(s, v & 0xff);
        return;
    case KDX_BASE_UCHAR:
    case KDX_BASE_WCHAR:
        kdx_print(s, "%s", hex(a, v));
        print_char(s, v);
        return;
    case KDX_BASE_INT2:
    case KDX_BASE_INT4:
    case KDX_BASE_INT8:
        kdx_print(s, "0n%lld", (long long)v);
        return;
    default:
        kdx_print(s, "%s", hex(a, v));
        return;
    }
}


/* What follows "Name : " for a field: the type (no address) or the value. */
static void dt_field_body(dt_ctx *c, const kdx_type *ft, uint64_t addr, bool expanding)
{
    kdx_session *s = c->s;
    const kdx_type *b = kdx_type_strip(ft);
    char tn[256], a[24], a2[24];
    if (!c->has_addr || !b || b->kind == KDX_TYPE_FUNCTION) {
        dt_type_text(c, ft, tn, sizeof tn);
        kdx_print(s, "%s", tn);
        return;
    }
    if (kdx_type_is_record(b)) {
        dt_type_text(c, ft, tn, sizeof tn);
        uint64_t v[2];
        int ps = kdx_session_ptr_size(s);
        if (is_named(b, "_LIST_ENTRY") && !expanding) {
            uint8_t buf[16];
            if (read_bytes(c, addr, buf, (size_t)ps * 2)) {
                v[0] = ps == 4 ? kdx_le32(buf) : kdx_le64(buf);
                v[1] = ps == 4 ? kdx_le32(buf + 4) : kdx_le64(buf + 8);
                kdx_print(s, "%s [ 0x%s - 0x%s ]", tn, ptr(s, a, v[0]), ptr(s, a2, v[1]));
                return;
            }
        }
        uint8_t q[8];
        if (!expanding && (is_named(b, "_LARGE_INTEGER") || is_named(b, "_ULARGE_INTEGER")) &&
            read_bytes(c, addr, q, 8)) {
            kdx_print(s, "%s 0x%llx", tn, (unsigned long long)kdx_le64(q));
            return;
        }
        if (!expanding && (is_named(b, "_UNICODE_STRING") || is_named(b, "_STRING") ||
                           is_named(b, "_ANSI_STRING"))) {
            print_counted_string(c, b, addr, tn);
            return;
        }
        kdx_print(s, "%s", tn);
        return;
    }
    if (b->kind == KDX_TYPE_ARRAY) {
        const kdx_type *el = kdx_type_strip(b->target);
        bool wide = is_text_unit(el, true), narrow = is_text_unit(el, false);
        if ((wide || narrow) && b->count) {
            char str[1024];
            if (read_text(c, addr, wide, (size_t)KDX_MIN(b->count, 512), str, sizeof str)) {
                kdx_print(s, "[%llu]  \"%s\"", (unsigned long long)b->count, str);
                return;
            }
        }
        kdx_print(s, "[%llu] ", (unsigned long long)b->count);
        if (el && (kdx_type_is_record(el) || el->kind == KDX_TYPE_ARRAY)) {
            kdx_type_dt_name(el, tn, sizeof tn);
            kdx_print(s, "%s", tn);
        } else if (el) {
            dt_value(c, el, addr);
        }
        return;
    }
    dt_value(c, ft, addr);
}

static void dt_record(dt_ctx *c, const kdx_type *rec, uint64_t addr, int depth, const char **filt,
                      size_t nfilt);

/* Does the field name match a filter component (exact, or a prefix with '*')? */
static bool component_matches(const char *comp, size_t n, const char *name)
{
    if (n && comp[n - 1] == '*')
        return kdx_strncasecmp(comp, name, n - 1) == 0;
    return strlen(name) == n && strncmp(comp, name, n) == 0;
}

static size_t component_len(const char *f)
{
    size_t n = 0;
    while (f[n] && f[n] != '.' && !(f[n] == '-' && f[n + 1] == '>'))
        n++;
    return n;
}

static void dt_field(dt_ctx *c, const kdx_field *f, uint64_t base, int depth, const char *sub,
                     bool filtered)
{
    kdx_session *s = c->s;
    uint64_t addr = base + f->offset;
    const kdx_type *ft = kdx_type_strip(f->type);
    bool deref_all = sub && !strcmp(sub, "->*");
    bool descend = sub && *sub && !deref_all;
    bool expand = !descend && !deref_all && kdx_type_is_record(ft) && depth < c->max_depth;
    c->printed++;
    kdx_print(s, "%*s+0x%03llx %-*s : ", 3 * (depth + 1), "", (unsigned long long)f->offset,
              filtered ? c->name_width : 16, f->name && *f->name ? f->name : "<unnamed>");
    if (!descend)
        dt_field_body(c, f->type, addr, expand);
    kdx_print(s, "\n");
    if (descend && kdx_type_is_record(ft)) {
        const char *rest = sub[0] == '.' ? sub + 1 : sub;
        dt_record(c, ft, addr, depth + 1, &rest, 1);
    } else if (expand) {
        dt_record(c, ft, addr, depth + 1, NULL, 0);
    } else if (deref_all && c->has_addr && ft && ft->kind == KDX_TYPE_POINTER &&
               kdx_type_is_record(kdx_type_strip(ft->target))) {
        uint8_t buf[8] = {0};
        if (read_bytes(c, addr, buf, (size_t)ft->size)) {
            uint64_t target = kdx_type_extract(ft, buf);
            if (target)
                dt_record(c, kdx_type_strip(ft->target), target, depth + 1, NULL, 0);
        }
    }
}

static void dt_record(dt_ctx *c, const kdx_type *rec, uint64_t addr, int depth, const char **filt,
                      size_t nfilt)
{
    uint32_t n;
    const kdx_field *f = kdx_type_fields(rec, &n);
    if (depth > 16)
        return;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = f[i].name ? f[i].name : "";
        if (!nfilt) {
            dt_field(c, &f[i], addr, depth, NULL, false);
            continue;
        }
        for (size_t k = 0; k < nfilt; k++) {
            size_t len = component_len(filt[k]);
            bool last = !filt[k][len];
            if (component_matches(filt[k], len, name) ||
                (c->prefix_match && last && kdx_strncasecmp(filt[k], name, len) == 0)) {
                dt_field(c, &f[i], addr, depth, filt[k][len] ? filt[k] + len : NULL, true);
                break;
            }
        }
    }
}

static void dt_enum(dt_ctx *c, const kdx_type *t)
{
    uint32_t n;
    const kdx_enumerator *e = kdx_type_enumerators(t, &n);
    for (uint32_t i = 0; i < n; i++)
        kdx_print(c->s, "   %s = 0n%lld\n", e[i].name, (long long)e[i].value);
}

/* True when tok's first component names a field of rec. */
static bool is_field_of(const kdx_type *rec, const char *tok)
{
    if (!kdx_type_is_record(rec))
        return false;
    size_t n = component_len(tok);
    uint32_t cnt;
    const kdx_field *f = kdx_type_fields(rec, &cnt);
    for (uint32_t i = 0; i < cnt; i++)
        if (f[i].name && component_matches(tok, n, f[i].name))
            return true;
    return false;
}

typedef struct type_list {
    kdx_session *s;
    kdx_module *m;
    int count;
} type_list;

static int list_one_type(void *ud, const kdx_type *t)
{
    type_list *l = ud;
    if (t->name && *t->name) {
        kdx_print(l->s, "          %s!%s\n", l->m->name, t->name);
        l->count++;
    }
    return 0;
}

/* dt module!_KTHREAD*: the names of the matching types. */
static int dt_list_types(kdx_session *s, const char *spec)
{
    const char *bang = strchr(spec, '!');
    char *modpat = bang ? kdx_strndup(spec, (size_t)(bang - spec)) : kdx_strdup("*");
    const char *pat = bang ? bang + 1 : spec;
    type_list l = {.s = s};
    kdx_target *t = s->target;
    for (size_t i = 0; i < t->nmodules; i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded || !kdx_wildcard_match(modpat, m->name))
            continue;
        if ((bang || m->symbols.ops) && kdx_sym_load_module(s, m, NULL) == KDX_OK &&
            m->symbols.ops->enumerate_types) {
            l.m = m;
            m->symbols.ops->enumerate_types(m->symbols.impl, pat, list_one_type, &l);
        }
    }
    free(modpat);
    if (!l.count) {
        kdx_print(s, "Symbol %s not found.\n", spec);
        return 1;
    }
    return 0;
}

/* dt nt!SomeGlobal: a data symbol with a type, shown at its address. */
static bool data_symbol_type(kdx_session *s, const char *name, const kdx_type **ty, uint64_t *addr)
{
    const char *bang = strchr(name, '!');
    kdx_module *m = NULL;
    if (bang) {
        char *mod = kdx_strndup(name, (size_t)(bang - name));
        m = kdx_target_module_named(s->target, mod);
        free(mod);
    }
    if (!m || kdx_sym_load_module(s, m, NULL) != KDX_OK)
        return false;
    kdx_symbol sym;
    if (m->symbols.ops->by_name(m->symbols.impl, bang + 1, &sym) != KDX_OK || !sym.type)
        return false;
    *ty = sym.type;
    *addr = m->base + sym.rva;
    return true;
}

/* dt TYPE -l Field.Flink ADDR: the structure at ADDR, then every one its
 * list links lead to, until the list comes back to ADDR. */
static int dt_list(dt_ctx *c, const kdx_type *rec, uint64_t addr, const char *field,
                   const char **filt, size_t nfilt)
{
    kdx_session *s = c->s;
    uint64_t link_off, entry_off = 0;
    const kdx_type *lt;
    kdx_err err = {0};
    if (!c->has_addr || !rec || !kdx_type_is_record(rec))
        return kdx_cmd_syntax_error(s, "dt", field);
    if (kdx_type_field_path(rec, field, &link_off, &lt, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    lt = kdx_type_strip(lt);
    if (!lt || lt->kind != KDX_TYPE_POINTER) {
        kdx_print(s, "%s is not a pointer field.\n", field);
        return 1;
    }
    /* Links point at the list entry holding them ("Links" for "Links.Flink"). */
    const char *dot = strrchr(field, '.');
    if (dot) {
        char *parent = kdx_strndup(field, (size_t)(dot - field));
        const kdx_type *pt;
        if (kdx_type_field_path(rec, parent, &entry_off, &pt, NULL) != KDX_OK)
            entry_off = link_off;
        free(parent);
    }
    uint64_t cur = addr;
    for (int n = 0; n < 100000; n++) {
        char a[24];
        kdx_print(s, "%s at 0x%s\n", field, ptr(s, a, cur));
        dt_record(c, rec, cur, 0, filt, nfilt);
        uint8_t buf[8] = {0};
        if (kdx_read_virt(s->target, cur + link_off, buf, (size_t)lt->size, NULL, &err) != KDX_OK)
            return kdx_cmd_fail(s, &err);
        uint64_t next = kdx_type_extract(lt, buf);
        if (!next || next - entry_off == addr)
            return 0;
        cur = next - entry_off;
    }
    return 0;
}

static int cmd_dt(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    dt_ctx c = {.s = s, .name_width = 16};
    bool listed = false;
    const char *list_field = NULL;
    KDX_VEC(char *) toks = {0};
    const char *p = args;
    while (*(p = kdx_skip_ws(p))) {
        const char *e = p;
        while (*e && !isspace((unsigned char)*e))
            e++;
        KDX_VEC_PUSH(toks, kdx_strndup(p, (size_t)(e - p)));
        p = e;
    }
    const char *type_name = NULL;
    KDX_VEC(const char *) filters = {0};
    int rc = 0;
    kdx_err err = {0};
    const kdx_type *ty = NULL;
    kdx_module *where = NULL;
    uint64_t addr = 0;
    for (size_t i = 0; i < toks.len && !rc; i++) {
        char *t = toks.items[i];
        if (t[0] == '-' && t[1] && !isdigit((unsigned char)t[1]) && t[1] != '>') {
            for (char *q = t + 1; *q; q++) {
                if (*q == 'r') {
                    c.max_depth = isdigit((unsigned char)q[1]) ? q[1] - '0' : 9;
                    if (isdigit((unsigned char)q[1]))
                        q++;
                } else if (*q == 'v') {
                    c.verbose = true;
                } else if (*q == 'b') {
                    c.max_depth = 9; /* blocks expanded to any depth */
                } else if (*q == 'y') {
                    c.prefix_match = true;
                } else if (*q == 'l' && i + 1 < toks.len) {
                    list_field = toks.items[++i];
                    break;
                } else if (!strchr("ei", *q)) {
                    rc = kdx_cmd_syntax_error(s, cmd, t);
                    break;
                }
            }
        } else if (!type_name) {
            type_name = t;
            if (strpbrk(t, "*?")) {
                rc = dt_list_types(s, t);
                listed = true;
                break;
            }
            ty = kdx_sym_find_type_ex(s, t, &where, &err);
            if (!ty && data_symbol_type(s, t, &ty, &addr)) {
                c.has_addr = true;
                where = NULL;
            } else if (!ty) {
                rc = kdx_cmd_fail(s, &err);
            }
        } else if (!c.has_addr && !is_field_of(kdx_type_strip(ty), t)) {
            if (kdx_expr_eval_all(s, t, &addr, &err) != KDX_OK) {
                rc = kdx_cmd_fail(s, &err);
            } else {
                c.has_addr = true;
            }
        } else {
            KDX_VEC_PUSH(filters, t);
        }
    }
    if (!rc && !type_name)
        rc = kdx_cmd_syntax_error(s, cmd, args);
    if (!rc && !listed) {
        const kdx_type *b = kdx_type_strip(ty);
        if (filters.len) {
            c.name_width = 0;
            for (size_t i = 0; i < filters.len; i++)
                c.name_width = KDX_MAX(c.name_width, (int)strlen(filters.items[i]));
        }
        if (!strchr(type_name, '!') && !c.has_addr && where)
            kdx_print(s, "%s!%s\n", where->name, b && b->name ? b->name : type_name);
        if (c.verbose) {
            char vn[256];
            dt_verbose_name(ty, vn, sizeof vn);
            kdx_print(s, "%s\n", vn);
        }
        if (list_field) {
            rc = dt_list(&c, b, addr, list_field, filters.items, filters.len);
        } else if (b && kdx_type_is_record(b)) {
            dt_record(&c, b, addr, 0, filters.items, filters.len);
            if (filters.len && !c.printed)
                kdx_print(s, "Cannot find specified field members.\n");
        } else if (b && b->kind == KDX_TYPE_ENUM) {
            dt_enum(&c, b);
        } else {
            char tn[256];
            kdx_type_dt_name(ty, tn, sizeof tn);
            if (c.has_addr) {
                kdx_print(s, "%s ", tn);
                dt_value(&c, ty, addr);
                kdx_print(s, "\n");
            } else {
                kdx_print(s, "%s\n", tn);
            }
        }
        if (c.read_failed) {
            char a[24];
            kdx_print(s, "Memory read error %s\n", ptr(s, a, c.fail_addr));
        }
    }
    for (size_t i = 0; i < toks.len; i++)
        free(toks.items[i]);
    KDX_VEC_FREE(toks);
    KDX_VEC_FREE(filters);
    return rc;
}

const kdx_command kdx_cmds_symbols[] = {
    {"ln", cmd_ln, "list nearest symbols: ln ADDR", 0},
    {"x", cmd_x, "examine symbols: x module!pattern*", 0},
    {"lm", cmd_lm, "list modules: lm [v] [o] [l] [m PATTERN], lmvm NAME", KDX_CMD_PREFIX},
    {"dt", cmd_dt, "display type: dt [-r[N]] [-v] module!Type [ADDR] [field[.sub]] [field->*]", 0},
    {".sympath", cmd_sympath, "show or set the symbol path (takes the rest of the line)", KDX_CMD_RAW},
    {".sympath+", cmd_sympath, "append to the symbol path (takes the rest of the line)", KDX_CMD_RAW},
    {".exepath", cmd_exepath, "show or set the image path (takes the rest of the line)", KDX_CMD_RAW},
    {".exepath+", cmd_exepath, "append to the image path", KDX_CMD_RAW},
    {".symfix", cmd_symfix, "use Microsoft's symbol server: .symfix [CACHE]", 0},
    {".symfix+", cmd_symfix, "append Microsoft's symbol server: .symfix+ [CACHE]", 0},
    {".reload", cmd_reload, "reload symbols: .reload [/f] [/o] [module]", 0},
    {"!lmi", cmd_lmi, "module details: !lmi MODULE|ADDRESS", 0},
    {"!sym", cmd_sym, "symbol loading messages: !sym noisy|quiet", 0},
    {0}};
