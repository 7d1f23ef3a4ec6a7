/* `dt`: structures, unions, enums and bit fields laid out as WinDbg shows
 * them, with values read from the target when an address is given: field
 * filters and paths ("u.Hard", "Links.Flink->*"), -r[N], -b, -v, -y, -l
 * list walks, type wildcards. Part of the symbols command family. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/dt.h"
#include "expr/expr.h"
#include "sym/symbols.h"
#include "target/memory.h"

static const char *ptr(kdx_session *s, char buf[24], uint64_t v)
{
    return kdx_session_fmt_ptr(s, buf, v);
}

typedef struct dt_ctx {
    kdx_session *s;
    int max_depth;          /* -r levels below the top (0: none) */
    bool verbose;
    bool has_addr;
    int name_width;
    int printed;            /* field lines printed */
    bool prefix_match;      /* -y: filters match field names by prefix */
    bool read_failed;       /* a field could not be read: "Memory read error ADDR" at the end */
    uint64_t fail_addr;     /* the last address that could not be read, as WinDbg reports it */
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
    c->read_failed = true;
    c->fail_addr = addr;
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
            kdx_print(s, "??");
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
        /* WinDbg's marks for a value it cannot read: "???? " for a pointer, "??" else. */
        kdx_print(s, b->kind == KDX_TYPE_POINTER ? "???? " : "??");
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
 * list links lead to, until the list comes back to ADDR; a link back to any
 * other entry already shown is a loop, named and not walked again. */
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
    kdx_u64_set seen = {0};
    int rc = 0;
    for (int n = 0; n < 100000 && !kdx_interrupted(); n++) {
        char a[24], b[24];
        kdx_u64_set_add(&seen, cur);
        kdx_print(s, "%s at 0x%s\n", field, ptr(s, a, cur));
        dt_record(c, rec, cur, 0, filt, nfilt);
        uint8_t buf[8] = {0};
        if (kdx_read_virt(s->target, cur + link_off, buf, (size_t)lt->size, NULL, &err) != KDX_OK) {
            rc = kdx_cmd_fail(s, &err);
            break;
        }
        uint64_t next = kdx_type_extract(lt, buf);
        if (!next || next - entry_off == addr)
            break;
        if (kdx_u64_set_has(&seen, next - entry_off)) {
            /* kdx's own notice: WinDbg would walk the loop until stopped. */
            kdx_print(s, "The list loops: %s of the entry at 0x%s leads back to the entry at 0x%s, "
                         "shown above; the walk stops here.\n",
                      field, ptr(s, a, cur), ptr(s, b, next - entry_off));
            rc = 1;
            break;
        }
        cur = next - entry_off;
    }
    kdx_u64_set_free(&seen);
    return rc;
}

int kdx_cmd_dt(kdx_session *s, const char *cmd, const char *args)
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
        if (c.read_failed) /* WinDbg's %p: all digits, no backtick */
            kdx_print(s, "Memory read error %0*llx\n", kdx_session_ptr_size(s) * 2,
                      (unsigned long long)c.fail_addr);
    }
    for (size_t i = 0; i < toks.len; i++)
        free(toks.items[i]);
    KDX_VEC_FREE(toks);
    KDX_VEC_FREE(filters);
    return rc;
}

