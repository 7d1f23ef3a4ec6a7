/* `??` output: "TYPE VALUE" ("int 0n3", "unsigned int64 0x850",
 * "struct _KTHREAD * 0xfffff800`01234560"), then for records and pointers to
 * records the fields, one per line, the way `dt` lays them out. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "expr/cpp_internal.h"
#include "target/memory.h"

static void enum_text(const kdx_type *e, uint64_t u, char *buf, size_t len)
{
    uint32_t n;
    const kdx_enumerator *en = kdx_type_enumerators(e, &n);
    for (uint32_t i = 0; i < n; i++) {
        if ((uint64_t)en[i].value == u || (uint32_t)en[i].value == (uint32_t)u) {
            snprintf(buf, len, "%s (0n%" PRId64 ")", en[i].name, (int64_t)u);
            return;
        }
    }
    snprintf(buf, len, "0n%" PRId64, (int64_t)u);
}

static void scalar_text(kdx_session *s, const kdx_expr_value *v, char *buf, size_t len)
{
    const kdx_expr_type *t = &v->type;
    char hex[KDX_ADDR_BUF];
    if (t->ptr) {
        snprintf(buf, len, "0x%s", kdx_session_fmt_ptr(s, hex, v->u));
    } else if (kdx_ct_is_enum(t)) {
        enum_text(t->sym, v->u, buf, len);
    } else if (kdx_ct_is_float(t)) {
        kdx_expr_format_double(v->d, false, buf, len);
    } else if (t->base == KDX_EB_BOOL) {
        snprintf(buf, len, "%s", v->u ? "true" : "false");
    } else if (t->base == KDX_EB_CHAR || t->base == KDX_EB_UCHAR || t->base == KDX_EB_WCHAR) {
        unsigned c = (unsigned)(v->u & (t->base == KDX_EB_WCHAR ? 0xffff : 0xff));
        int n = t->base == KDX_EB_CHAR ? snprintf(buf, len, "0n%" PRId64, (int64_t)v->u)
                                       : snprintf(buf, len, "0x%x", c);
        if (c >= 0x20 && c < 0x7f && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, " '%c'", (char)c);
    } else if (kdx_ct_is_signed_base(t->base)) {
        snprintf(buf, len, "0n%" PRId64, (int64_t)v->u);
    } else if (v->u >> 32) {
        snprintf(buf, len, "0x%s", kdx_fmt_u64(hex, v->u));
    } else {
        snprintf(buf, len, "0x%" PRIx64, v->u);
    }
}

/* One field's value as dt shows it after the colon. */
static void field_text(kdx_session *s, const kdx_field *f, uint64_t addr, char *buf, size_t len)
{
    const kdx_type *st = kdx_type_strip(f->type);
    char name[256];
    kdx_expr_type et = kdx_ct_from_symbol(f->type, 0);
    if (!st || kdx_ct_is_record(&et) || kdx_ct_is_array(&et) || st->kind == KDX_TYPE_FUNCTION) {
        kdx_type_dt_name(f->type, buf, len);
        return;
    }
    const kdx_type *storage = st->kind == KDX_TYPE_BITFIELD ? kdx_type_strip(st->target) : st;
    uint64_t size = storage ? storage->size : 0;
    if (st->kind == KDX_TYPE_POINTER)
        size = (uint64_t)kdx_session_ptr_size(s);
    uint8_t b[8] = {0};
    if (size == 0 || size > 8 || !s->target ||
        kdx_read_virt(s->target, addr + f->offset, b, (size_t)size, NULL, NULL) != KDX_OK) {
        snprintf(buf, len, "??");
        return;
    }
    if (st->kind == KDX_TYPE_BITFIELD) {
        uint64_t u = kdx_type_extract(st, b);
        size_t n = (size_t)snprintf(buf, len, "0y");
        for (int i = st->bit_len - 1; i >= 0 && n + 1 < len; i--)
            buf[n++] = (u >> i) & 1 ? '1' : '0';
        buf[n] = '\0';
        return;
    }
    kdx_expr_value v;
    memset(&v, 0, sizeof v);
    v.type = et;
    v.loaded = true;
    for (int i = (int)size - 1; i >= 0; i--)
        v.u = v.u << 8 | b[i];
    if (kdx_ct_is_float(&et)) {
        if (size == 4) {
            float fl;
            uint32_t r = (uint32_t)v.u;
            memcpy(&fl, &r, sizeof fl);
            v.d = fl;
        } else {
            memcpy(&v.d, &v.u, sizeof v.d);
        }
    }
    kdx_ct_normalize(s, &v);
    if (et.ptr && v.u == 0) {
        snprintf(buf, len, "(null) ");
        return;
    }
    scalar_text(s, &v, buf, len);
    if (et.ptr) {
        size_t n = strlen(buf);
        kdx_type_dt_name(st->target, name, sizeof name);
        snprintf(buf + n, len - n, " %s", name);
    }
}

static void print_fields(kdx_session *s, const kdx_type *rec, uint64_t addr)
{
    uint32_t n;
    const kdx_field *f = kdx_type_fields(rec, &n);
    for (uint32_t i = 0; i < n; i++) {
        char text[320];
        field_text(s, &f[i], addr, text, sizeof text);
        kdx_print(s, "   +0x%03" PRIx64 " %-16s : %s\n", f[i].offset,
                  f[i].name && *f[i].name ? f[i].name : "<anonymous>", text);
    }
}

static bool is_char_base(const kdx_expr_type *t)
{
    return t->base == KDX_EB_CHAR || t->base == KDX_EB_UCHAR;
}

/* `"text"` read from target memory (up to 256 characters), "" if unreadable. */
static void string_text(kdx_session *s, uint64_t addr, uint64_t max, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    if (!s->target || len < 4)
        return;
    buf[n++] = '"';
    for (uint64_t i = 0; i < max && i < 256 && n + 3 < len; i++) {
        uint8_t c;
        if (kdx_read_virt(s->target, addr + i, &c, 1, NULL, NULL) != KDX_OK) {
            buf[0] = '\0';
            return;
        }
        if (c == 0)
            break;
        buf[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

void kdx_expr_print_value(kdx_session *s, const kdx_expr_value *v)
{
    char tn[300], val[160];
    kdx_expr_type_name(s, &v->type, tn, sizeof tn);
    if (kdx_ct_is_record(&v->type)) {
        kdx_print(s, "%s\n", tn);
        print_fields(s, v->type.sym, v->addr);
        return;
    }
    if (kdx_ct_is_array(&v->type)) {
        kdx_expr_type el = kdx_ct_element(&v->type);
        char hex[KDX_ADDR_BUF];
        if (el.ptr == 0 && is_char_base(&el)) {
            string_text(s, v->addr, v->type.sym->count, val, sizeof val);
            if (val[0]) {
                kdx_print(s, "%s  %s\n", tn, val);
                return;
            }
        }
        kdx_print(s, "%s 0x%s\n", tn, kdx_session_fmt_ptr(s, hex, v->addr));
        return;
    }
    scalar_text(s, v, val, sizeof val);
    if (v->type.ptr == 1 && is_char_base(&v->type) && v->u) {
        char str[300];
        string_text(s, v->u, 256, str, sizeof str);
        kdx_print(s, "%s %s  %s\n", tn, val, str);
        return;
    }
    kdx_print(s, "%s %s\n", tn, val);
    kdx_expr_type pointee = kdx_ct_pointee(&v->type);
    if (v->type.ptr == 1 && kdx_ct_is_record(&pointee))
        print_fields(s, pointee.sym, v->u);
}
