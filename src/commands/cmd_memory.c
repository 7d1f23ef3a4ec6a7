/* Command family: memory display/edit/search: db dw dd dq dp dc da du dyb
 * dds dqs dps, physical !db !dw !dd !dq !dc, eb ew ed eq ea eu eza ezu, s,
 * .ignore_missing_pages.
 * Unreadable memory shows as WinDbg shows it: "??" per byte, "????????"
 * per dword, "?" in the ASCII column. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cancel.h"
#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/memory_cmds.h"
#include "expr/expr.h"
#include "expr/range.h"
#include "mm/translate.h"
#include "sym/symbols.h"
#include "target/memory.h"

/* ---- Reading a range, remembering which bytes exist ---------------------- */

typedef struct mem_buf {
    uint64_t addr;
    size_t len;
    uint8_t *data;
    uint8_t *ok;          /* 1 where data[i] was read */
    bool phys;
    bool truncated;       /* a physical page lies past the end of a cut-off dump file */
} mem_buf;

/* The physical page that made a virtual read fail, when the failure is a
 * page missing from the dump (not a not-valid PTE). */
static bool missing_pfn(kdx_target *t, uint64_t va, uint64_t *pfn)
{
    if (t->paging == KDX_PAGING_NONE || !t->ops || !t->ops->read_phys)
        return false;
    kdx_xlat x;
    kdx_status st = kdx_mm_translate(t, t->dtb, va, &x, NULL);
    if (st == KDX_E_MEM_MISSING) {
        *pfn = x.level[x.fail_level].entry_pa >> 12;
        return true;
    }
    if (st == KDX_OK) {
        *pfn = x.pa >> 12;
        return true;
    }
    return false;
}

/* WinDbg reports each page missing from a kernel dump unless
 * .ignore_missing_pages is on. */
static void report_missing(kdx_session *s, uint64_t va, uint64_t *last_pfn)
{
    uint64_t pfn;
    if (s->ignore_missing_pages || s->target->kind != KDX_TARGET_KERNEL_DUMP ||
        !missing_pfn(s->target, va, &pfn) || pfn == *last_pfn)
        return;
    *last_pfn = pfn;
    kdx_print(s, "Page %llx not present in the dump file. Type \".hh dbgerr004\" for details\n",
              (unsigned long long)pfn);
}

/* The missing-page message for every page of m with a byte missing. */
static void report_gaps(kdx_session *s, const mem_buf *m)
{
    uint64_t last_pfn = UINT64_MAX;
    for (size_t pos = 0; pos < m->len;) {
        size_t chunk = KDX_MIN(m->len - pos, 4096 - (size_t)((m->addr + pos) & 0xfff));
        const uint8_t *gap = memchr(m->ok + pos, 0, chunk);
        if (gap)
            report_missing(s, m->addr + (uint64_t)(gap - m->ok), &last_pfn);
        pos += chunk;
    }
}

/* Reads [addr, addr+len) page by page, marking what is present; false when
 * the buffers cannot be allocated. */
static bool mem_read(kdx_session *s, bool phys, uint64_t addr, size_t len, mem_buf *m)
{
    m->addr = addr;
    m->len = len;
    m->phys = phys;
    m->truncated = false;
    m->data = calloc(len ? len : 1, 1);
    m->ok = calloc(len ? len : 1, 1);
    if (!m->data || !m->ok) {
        free(m->data);
        free(m->ok);
        m->data = m->ok = NULL;
        return false;
    }
    if (!phys) {
        kdx_read_virt_present(s->target, addr, m->data, len, m->ok);
        report_gaps(s, m);
        return true;
    }
    /* Physical memory is saved (or not) a whole page at a time. */
    for (size_t pos = 0; pos < len;) {
        uint64_t a = addr + pos;
        size_t chunk = KDX_MIN(len - pos, 4096 - (size_t)(a & 0xfff));
        size_t done = 0;
        kdx_status st = s->target->ops->read_phys(s->target->impl, a, m->data + pos, chunk, &done);
        if (st == KDX_E_TRUNCATED)
            m->truncated = true;
        memset(m->ok + pos, 1, st == KDX_OK ? chunk : done);
        pos += chunk;
    }
    return true;
}

static void mem_free(mem_buf *m)
{
    free(m->data);
    free(m->ok);
}

static bool mem_ok(const mem_buf *m, size_t off, size_t n)
{
    if (off + n > m->len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!m->ok[off + i])
            return false;
    return true;
}

static uint64_t mem_value(const mem_buf *m, size_t off, unsigned size)
{
    const uint8_t *p = m->data + off;
    switch (size) {
    case 1: return p[0];
    case 2: return kdx_le16(p);
    case 4: return kdx_le32(p);
    default: return kdx_le64(p);
    }
}

/* ---- Display formats ------------------------------------------------------- */

/* DK_DEREF_*: dda/ddu/ddp, dpa/dpu/dpp, dqa/dqu/dqp show what each value points to. */
typedef enum dkind {
    DK_HEX, DK_ASCII, DK_UNICODE, DK_BINARY, DK_SYMBOLS, DK_FLOAT,
    DK_DEREF_ASCII, DK_DEREF_UNICODE, DK_DEREF_PTR
} dkind;

typedef struct dfmt {
    const char *name;
    dkind kind;
    unsigned unit;        /* bytes per value; 0 = pointer size */
    unsigned per_line;    /* values per line (characters for da/du) */
    unsigned def_bytes;   /* default range in bytes */
    bool ascii;           /* ASCII column after the values (db, dc) */
} dfmt;

static const dfmt formats[] = {
    {"db", DK_HEX, 1, 16, 128, true},     {"dw", DK_HEX, 2, 8, 128, false},
    {"dd", DK_HEX, 4, 4, 128, false},     {"dq", DK_HEX, 8, 2, 128, false},
    {"dp", DK_HEX, 0, 0, 128, false},     {"dc", DK_HEX, 4, 4, 128, true},
    {"dW", DK_HEX, 2, 8, 128, true},      {"dD", DK_FLOAT, 8, 3, 120, false},
    {"df", DK_FLOAT, 4, 4, 64, false},
    {"dda", DK_DEREF_ASCII, 4, 1, 128, false}, {"ddu", DK_DEREF_UNICODE, 4, 1, 128, false},
    {"ddp", DK_DEREF_PTR, 4, 1, 128, false},   {"dqa", DK_DEREF_ASCII, 8, 1, 128, false},
    {"dqu", DK_DEREF_UNICODE, 8, 1, 128, false}, {"dqp", DK_DEREF_PTR, 8, 1, 128, false},
    {"dpa", DK_DEREF_ASCII, 0, 1, 128, false}, {"dpu", DK_DEREF_UNICODE, 0, 1, 128, false},
    {"dpp", DK_DEREF_PTR, 0, 1, 128, false},
    {"da", DK_ASCII, 1, 32, 384, false},  {"du", DK_UNICODE, 2, 32, 768, false},
    {"dyb", DK_BINARY, 1, 4, 32, false},  {"dyd", DK_BINARY, 4, 1, 32, false},  {"dds", DK_SYMBOLS, 4, 1, 128, false},
    {"dqs", DK_SYMBOLS, 8, 1, 128, false}, {"dps", DK_SYMBOLS, 0, 1, 128, false},
    {NULL, DK_HEX, 0, 0, 0, false}};

static const dfmt *find_format(const char *name)
{
    for (const dfmt *f = formats; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

/* Pointer-size and /c adjustments applied to a format. */
typedef struct dview {
    dfmt f;
    bool phys;
    int ptr_size;
} dview;

static void put_addr(kdx_strbuf *sb, const dview *v, uint64_t addr)
{
    if (v->phys) {
        kdx_sb_printf(sb, "#%8llx ", (unsigned long long)addr);
        return;
    }
    char a[KDX_ADDR_BUF];
    kdx_sb_printf(sb, "%s  ", kdx_fmt_ptr(a, addr, v->ptr_size));
}

/* ndigits hex digits of x (or '?' when unreadable), without printf: dumps
 * of many megabytes format millions of values. */
static void put_hex(kdx_strbuf *sb, uint64_t x, unsigned ndigits, bool ok)
{
    static const char digits[] = "0123456789abcdef";
    char buf[16];
    for (unsigned i = 0; i < ndigits; i++)
        buf[ndigits - 1 - i] = ok ? digits[(x >> (4 * i)) & 15] : '?';
    kdx_sb_putn(sb, buf, ndigits);
}

static void put_value(kdx_strbuf *sb, const mem_buf *m, size_t off, unsigned unit)
{
    bool ok = mem_ok(m, off, unit);
    uint64_t x = ok ? mem_value(m, off, unit) : 0;
    if (unit == 8) {
        put_hex(sb, x >> 32, 8, ok);
        kdx_sb_putc(sb, '`');
        put_hex(sb, x, 8, ok);
        return;
    }
    put_hex(sb, x, unit * 2, ok);
}

static char ascii_of(const mem_buf *m, size_t off)
{
    if (!m->ok[off])
        return '?';
    uint8_t c = m->data[off];
    return (c >= 0x20 && c < 0x7f) ? (char)c : '.';
}

/* One line of db/dw/dd/dq/dc: values, padded to a full line when an ASCII
 * column follows so it always starts at the same column. */
static void hex_line(kdx_strbuf *sb, const dview *v, const mem_buf *m, size_t off, size_t n)
{
    unsigned unit = v->f.unit;
    put_addr(sb, v, m->addr + off);
    size_t start = sb->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            kdx_sb_putc(sb, (unit == 1 && i == 8 && v->f.per_line == 16) ? '-' : ' ');
        put_value(sb, m, off + i * unit, unit);
    }
    if (!v->f.ascii)
        return;
    size_t width = v->f.per_line * (unit * 2 + 1) - 1;
    while (sb->len - start < width)
        kdx_sb_putc(sb, ' ');
    kdx_sb_puts(sb, v->phys ? " " : "  ");
    for (size_t i = 0; i < n * unit; i++)
        kdx_sb_putc(sb, ascii_of(m, off + i));
}

/* dyb: four bytes a line; dyd: one double word a line. Bits first (most
 * significant left, in groups of 8), then the hex values. */
static void binary_line(kdx_strbuf *sb, const dview *v, const mem_buf *m, size_t off, size_t n)
{
    unsigned unit = v->f.unit;
    put_addr(sb, v, m->addr + off);
    size_t nbytes = unit == 1 ? v->f.per_line : unit;
    for (size_t i = 0; i < nbytes; i++) {
        /* dyd shows the value's high byte first. */
        size_t byte = unit == 1 ? off + i : off + (unit - 1 - i);
        bool present = unit == 1 ? i < n : true;
        if (i)
            kdx_sb_putc(sb, ' ');
        for (int b = 7; b >= 0; b--)
            kdx_sb_putc(sb, !present ? ' ' : !m->ok[byte] ? '?'
                                : ((m->data[byte] >> b) & 1) ? '1' : '0');
    }
    kdx_sb_puts(sb, "  ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            kdx_sb_putc(sb, ' ');
        put_value(sb, m, off + i * unit, unit);
    }
}

/* Address and value of a one-value line; false when the value is unreadable. */
static bool value_cell(kdx_strbuf *sb, const dview *v, const mem_buf *m, size_t off, uint64_t *x)
{
    put_addr(sb, v, m->addr + off);
    put_value(sb, m, off, v->f.unit);
    if (!mem_ok(m, off, v->f.unit))
        return false;
    *x = mem_value(m, off, v->f.unit);
    return true;
}

static void symbol_line(kdx_session *s, kdx_strbuf *sb, const dview *v, const mem_buf *m,
                        size_t off)
{
    uint64_t x;
    if (!value_cell(sb, v, m, off, &x))
        return;
    kdx_symhit hit;
    if (kdx_sym_from_addr(s, x, &hit) == KDX_OK) {
        char name[512];
        kdx_sym_format(s, x, name, sizeof name);
        kdx_sb_printf(sb, " %s", name);
    }
}

static void put_char(kdx_strbuf *sb, uint32_t c);

/* dda/ddu/ddp and friends: the value, then the string or value it points to. */
static void deref_line(kdx_session *s, kdx_strbuf *sb, const dview *v, const mem_buf *m,
                       size_t off)
{
    unsigned unit = v->f.unit;
    uint64_t x;
    if (!value_cell(sb, v, m, off, &x))
        return;
    if (v->f.kind == DK_DEREF_PTR) {
        uint8_t b[8];
        if (kdx_read_virt(s->target, x, b, unit, NULL, NULL) != KDX_OK)
            return;
        mem_buf one = {x, unit, b, (uint8_t[8]){1, 1, 1, 1, 1, 1, 1, 1}, false, false};
        kdx_sb_putc(sb, ' ');
        put_value(sb, &one, 0, unit);
        return;
    }
    unsigned csize = v->f.kind == DK_DEREF_UNICODE ? 2 : 1;
    uint8_t b[2];
    if (kdx_read_virt(s->target, x, b, csize, NULL, NULL) != KDX_OK)
        return;
    kdx_sb_puts(sb, " \"");
    for (unsigned i = 0; i < 256; i++) {
        if (kdx_read_virt(s->target, x + i * csize, b, csize, NULL, NULL) != KDX_OK)
            break;
        uint32_t c = csize == 2 ? (uint32_t)(b[0] | b[1] << 8) : b[0];
        if (!c)
            break;
        put_char(sb, c);
    }
    kdx_sb_putc(sb, '"');
}

static void flush_line(kdx_session *s, kdx_strbuf *sb)
{
    kdx_sb_putc(sb, '\n');
    kdx_print(s, "%s", sb->s);
    sb->len = 0;
    sb->s[0] = '\0';
}

/* Appends one character of a da/du string, UTF-8 for du beyond ASCII. */
static void put_char(kdx_strbuf *sb, uint32_t c)
{
    if (c < 0x20 || c == 0x7f)
        kdx_sb_putc(sb, '.');
    else if (c < 0x80)
        kdx_sb_putc(sb, (char)c);
    else if (c < 0x800) {
        kdx_sb_putc(sb, (char)(0xc0 | (c >> 6)));
        kdx_sb_putc(sb, (char)(0x80 | (c & 0x3f)));
    } else {
        kdx_sb_putc(sb, (char)(0xe0 | (c >> 12)));
        kdx_sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
        kdx_sb_putc(sb, (char)(0x80 | (c & 0x3f)));
    }
}

/* WinDbg shows a string whose first character cannot be read as this many
 * '?' characters (four lines). */
#define UNREADABLE_STRING_CHARS 128

/* The lines of a string that cannot be read: '?' in quotes, per_line a line. */
static void unreadable_string_lines(kdx_session *s, kdx_strbuf *sb, const dview *v, uint64_t addr,
                                    size_t nchars)
{
    for (size_t i = 0; i < nchars; i += v->f.per_line) {
        put_addr(sb, v, addr + i * v->f.unit);
        kdx_sb_putc(sb, '"');
        for (size_t k = 0; k < v->f.per_line && i + k < nchars; k++)
            kdx_sb_putc(sb, '?');
        kdx_sb_putc(sb, '"');
        flush_line(s, sb);
    }
}

/* da/du: quoted strings of up to 32 characters a line (as WinDbg prints
 * them; its documentation says 48), ending at the first NUL, the end of the
 * range or the first unreadable character. Returns the bytes consumed. */
static size_t string_lines(kdx_session *s, kdx_strbuf *sb, const dview *v, const mem_buf *m)
{
    unsigned unit = v->f.unit;
    size_t nchars = m->len / unit;
    size_t i = 0;
    if (nchars && !mem_ok(m, 0, unit)) {
        size_t shown = KDX_MIN(nchars, (size_t)UNREADABLE_STRING_CHARS);
        unreadable_string_lines(s, sb, v, m->addr, shown);
        return shown * unit;
    }
    while (i < nchars) {
        put_addr(sb, v, m->addr + i * unit);
        kdx_sb_putc(sb, '"');
        size_t k = 0;
        bool stop = false;
        for (; k < v->f.per_line && i < nchars; k++, i++) {
            if (!mem_ok(m, i * unit, unit)) {
                stop = true;
                break;
            }
            uint32_t c = (uint32_t)mem_value(m, i * unit, unit);
            if (c == 0) {
                stop = true;
                i++;
                break;
            }
            put_char(sb, c);
        }
        kdx_sb_putc(sb, '"');
        flush_line(s, sb);
        if (stop)
            break;
    }
    return i * unit;
}


/* Floating point as the Microsoft C runtime prints it: %g with 12 (double)
 * or 8 (float) significant digits and a three-digit exponent. */
static void put_float(kdx_strbuf *sb, double x, int digits)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, x);
    char *e = strchr(buf, 'e');
    if (e && (e[1] == '+' || e[1] == '-') && strlen(e + 2) == 2) {
        memmove(e + 3, e + 2, 3);
        e[2] = '0';
    }
    kdx_sb_puts(sb, buf);
}

static void float_line(kdx_strbuf *sb, const dview *v, const mem_buf *m, size_t off, size_t n)
{
    put_addr(sb, v, m->addr + off);
    for (size_t i = 0; i < n; i++) {
        size_t o = off + i * v->f.unit;
        if (i)
            kdx_sb_putc(sb, ' ');
        if (!mem_ok(m, o, v->f.unit)) {
            kdx_sb_puts(sb, "????????");
            continue;
        }
        if (v->f.unit == 8) {
            uint64_t bits = mem_value(m, o, 8);
            double d;
            memcpy(&d, &bits, sizeof d);
            put_float(sb, d, 12);
        } else {
            uint32_t bits = (uint32_t)mem_value(m, o, 4);
            float f;
            memcpy(&f, &bits, sizeof f);
            put_float(sb, f, 8);
        }
    }
}

/* Displays the lines of m; false when a failed physical read ended it. */
static bool display(kdx_session *s, const dview *v, const mem_buf *m, bool first)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    unsigned unit = v->f.unit;
    size_t nunits = m->len / unit;
    bool go_on = true;
    if (v->f.kind == DK_BINARY && first) {
        size_t indent = v->phys ? 10 : (v->ptr_size == 8 ? 19 : 10);
        if (unit == 4) {
            /* Tens digit of the bit number where it changes: bits 31, 29, 19, 9. */
            kdx_print(s, "%*s3 2          1          0\n", (int)indent, "");
            kdx_print(s, "%*s10987654 32109876 54321098 76543210\n", (int)indent, "");
        } else {
            kdx_print(s, "%*s76543210 76543210 76543210 76543210\n", (int)indent, "");
        }
        kdx_print(s, "%*s-------- -------- -------- --------\n", (int)indent, "");
    }
    for (size_t u = 0; u < nunits;) {
        size_t n = KDX_MIN((size_t)v->f.per_line, nunits - u);
        if (v->phys && !memchr(m->ok + u * unit, 1, n * unit)) {
            /* Like kdexts: a physical line that cannot be read ends the display. */
            kdx_print(s, "Physical memory read at %llx failed%s\n",
                      (unsigned long long)(m->addr + u * unit),
                      m->truncated ? " (the page lies past the end of the truncated dump file)"
                                   : "");
            go_on = false;
            break;
        }
        switch (v->f.kind) {
        case DK_HEX: hex_line(&sb, v, m, u * unit, n); break;
        case DK_BINARY: binary_line(&sb, v, m, u * unit, n); break;
        case DK_SYMBOLS: symbol_line(s, &sb, v, m, u * unit); break;
        case DK_FLOAT: float_line(&sb, v, m, u * unit, n); break;
        case DK_DEREF_ASCII:
        case DK_DEREF_UNICODE:
        case DK_DEREF_PTR: deref_line(s, &sb, v, m, u * unit); break;
        case DK_ASCII:
        case DK_UNICODE: break;
        }
        flush_line(s, &sb);
        u += n;
    }
    kdx_sb_free(&sb);
    return go_on;
}

/* ---- d* commands ------------------------------------------------------------ */

/* Parses leading options: /cN (values per line) and /p (physical). */
static const char *parse_options(kdx_session *s, const char *p, dview *v, kdx_err *err)
{
    for (;;) {
        p = kdx_skip_ws(p);
        if (p[0] != '/')
            return p;
        if (p[1] == 'c' || p[1] == 'C') {
            uint64_t cols;
            const char *e;
            if (kdx_expr_eval(s, p + 2, &cols, &e, err) != KDX_OK)
                return NULL;
            if (cols == 0 || cols > 1024) {
                kdx_err_set(err, KDX_E_ARG, "Invalid column count in '%s'", p);
                return NULL;
            }
            v->f.per_line = (unsigned)cols;
            p = e;
        } else if (p[1] == 'p' || p[1] == 'P') {
            v->phys = true;
            p += 2;
            while (*p && !isspace((unsigned char)*p))
                p++;
        } else {
            kdx_err_set(err, KDX_E_SYNTAX, "Unknown option '%.2s'", p);
            return NULL;
        }
    }
}

static uint64_t default_start(kdx_session *s)
{
    if (s->display_next_valid)
        return s->display_next;
    kdx_context ctx;
    if (kdx_session_context(s, &ctx, NULL) == KDX_OK)
        return kdx_ctx_ip(&ctx);
    return 0;
}

/* A display ends at the last address rather than wrapping around to 0
 * (0xffffffff on 32-bit targets, 2^64-1 otherwise, physical included). */
static size_t clip_to_address_space(kdx_session *s, bool phys, uint64_t start, size_t len)
{
    uint64_t last = !phys && s->target->ptr_size == 4 ? 0xffffffffull : UINT64_MAX;
    if (len == 0 || start > last)
        return 0;
    return (uint64_t)len - 1 > last - start ? (size_t)(last - start + 1) : len;
}

static int run_display(kdx_session *s, const char *cmd, const dfmt *f, const char *args,
                       bool phys)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    dview v;
    v.f = *f;
    v.phys = phys;
    v.ptr_size = s->target->ptr_size ? s->target->ptr_size : 8;
    if (v.f.unit == 0) {
        v.f.unit = (unsigned)v.ptr_size;
        if (v.f.kind == DK_HEX)
            v.f.per_line = 16 / v.f.unit;
    }
    kdx_err err;
    kdx_err_clear(&err);
    const char *p = parse_options(s, args, &v, &err);
    if (!p)
        return kdx_cmd_fail(s, &err);
    if (v.phys && (!s->target->ops || !s->target->ops->read_phys)) {
        kdx_print(s, "Physical memory is not available in this dump (%s).\n",
                  s->target->ops ? s->target->ops->format_name : "no reader");
        return 1;
    }
    kdx_range r;
    const char *end;
    if (kdx_parse_range(s, p, v.f.unit, 0, &r, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (*end)
        return kdx_cmd_syntax_error(s, cmd, end);
    uint64_t start = r.has_start ? r.start : default_start(s);
    uint64_t count = r.has_count ? r.count : v.f.def_bytes / v.f.unit;
    if (v.ptr_size == 4 && !v.phys)
        start &= 0xffffffffull;
    if (count > SIZE_MAX / v.f.unit) {
        kdx_print(s, "Range error in '%s %s'\n", cmd, args);
        return 1;
    }
    size_t len = clip_to_address_space(s, v.phys, start, (size_t)(count * v.f.unit));
    size_t consumed = len;
    mem_buf m;
    if (v.f.kind == DK_ASCII || v.f.kind == DK_UNICODE) {
        /* Strings end at their NUL; read at most 1 MB of them at once. */
        len = KDX_MIN(len, (size_t)1 << 20);
        if (!mem_read(s, v.phys, start, len, &m))
            return 1;
        kdx_strbuf sb;
        kdx_sb_init(&sb);
        kdx_sb_puts(&sb, "");
        consumed = string_lines(s, &sb, &v, &m);
        kdx_sb_free(&sb);
        mem_free(&m);
    } else {
        /* Large ranges stream through a bounded buffer, whole lines at a time. */
        size_t line = (size_t)v.f.per_line * v.f.unit;
        size_t chunk = KDX_MAX(line, (size_t)65536 / line * line);
        for (size_t off = 0; off < len && !kdx_interrupted(); off += chunk) {
            if (!mem_read(s, v.phys, start + off, KDX_MIN(chunk, len - off), &m))
                return 1;
            bool go_on = display(s, &v, &m, off == 0);
            mem_free(&m);
            if (!go_on)
                break;
        }
    }
    s->display_next = start + consumed;
    s->display_next_valid = !v.phys;
    snprintf(s->display_last_cmd, sizeof s->display_last_cmd, "%s", f->name);
    return 0;
}

static int cmd_display(kdx_session *s, const char *cmd, const char *args)
{
    /* Commands are case-insensitive, but the second letter of dD and dW
     * selects another format (doubles, words with ASCII). */
    char name[8];
    snprintf(name, sizeof name, "%s", cmd);
    bool upper_second = cmd[0] == 'd' && (cmd[1] == 'D' || cmd[1] == 'W') && !cmd[2];
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (upper_second)
        name[1] = cmd[1];
    const dfmt *f = find_format(name);
    if (!strcmp(name, "d"))
        f = find_format(s->display_last_cmd[0] ? s->display_last_cmd : "db");
    if (!f)
        return kdx_cmd_syntax_error(s, cmd, cmd);
    return run_display(s, cmd, f, args, false);
}

/* ds / dS: a STRING/ANSI_STRING or UNICODE_STRING structure (Length,
 * MaximumLength, Buffer), shown as the buffer's text, 32 characters a line
 * like da/du, with '?' for characters the dump does not hold. */
static int cmd_string_struct(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    kdx_target *t = s->target;
    bool unicode = cmd[1] == 'S';
    kdx_err err;
    uint64_t addr;
    if (!*args)
        addr = default_start(s);
    else if (kdx_expr_eval_all(s, args, &addr, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    uint16_t len;
    uint64_t buf;
    if (kdx_read_u16(t, addr, &len, &err) != KDX_OK ||
        kdx_read_ptr(t, addr + (uint64_t)t->ptr_size, &buf, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    dview v = {.f = *find_format(unicode ? "du" : "da"), .phys = false, .ptr_size = t->ptr_size};
    mem_buf m;
    if (!mem_read(s, false, buf, len, &m))
        return 1;
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    size_t nchars = len / v.f.unit;
    for (size_t i = 0; i < nchars || i == 0; i += v.f.per_line) {
        put_addr(&sb, &v, buf + i * v.f.unit);
        kdx_sb_putc(&sb, '"');
        for (size_t k = i; k < nchars && k < i + v.f.per_line; k++)
            put_char(&sb, mem_ok(&m, k * v.f.unit, v.f.unit)
                              ? (uint32_t)mem_value(&m, k * v.f.unit, v.f.unit) : '?');
        kdx_sb_putc(&sb, '"');
        flush_line(s, &sb);
    }
    kdx_sb_free(&sb);
    mem_free(&m);
    return 0;
}

/* !db !dw !dd !dq !dc: physical memory, "#" address column. */
static int cmd_phys_display(kdx_session *s, const char *cmd, const char *args)
{
    char name[8];
    snprintf(name, sizeof name, "%s", cmd + 1);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    const dfmt *f = find_format(name);
    if (!f)
        return kdx_cmd_syntax_error(s, cmd, cmd);
    /* Caching attributes ([c], [uc], [wc]) matter on live targets only. */
    const char *p = kdx_skip_ws(args);
    if (*p == '[') {
        const char *q = strchr(p, ']');
        if (!q)
            return kdx_cmd_syntax_error(s, cmd, p);
        args = q + 1;
    }
    return run_display(s, cmd, f, args, true);
}

/* ---- e* commands: edits into the session overlay ---------------------------- */

const char *kdx_memory_char_literal(const char *p, uint64_t *v)
{
    if (*p != '\'')
        return NULL;
    const char *q = p + 1;
    uint64_t x = 0;
    while (*q && *q != '\'')
        x = (x << 8) | (uint8_t)*q++;
    if (*q != '\'' || q == p + 1)
        return NULL;
    *v = x;
    return q + 1;
}

static int write_bytes(kdx_session *s, uint64_t addr, const uint8_t *b, size_t n)
{
    kdx_err err;
    if (kdx_write_virt(s->target, addr, b, n, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return 0;
}

const char *kdx_memory_parse_quoted(const char *p, kdx_strbuf *out)
{
    return kdx_cmd_parse_quoted(p, out); /* one quoting rule for every command (docs/cli.md) */
}

static int edit_string(kdx_session *s, const char *cmd, const char *p, uint64_t addr,
                       bool unicode, bool zero)
{
    kdx_strbuf str;
    kdx_sb_init(&str);
    kdx_sb_puts(&str, "");
    const char *end = kdx_memory_parse_quoted(p, &str);
    if (!end || *kdx_skip_ws(end)) {
        kdx_sb_free(&str);
        return kdx_cmd_syntax_error(s, cmd, p);
    }
    size_t n = str.len + (zero ? 1 : 0);
    size_t unit = unicode ? 2 : 1;
    uint8_t *b = kdx_xcalloc(n * unit + 1, 1);
    for (size_t i = 0; i < str.len; i++)
        b[i * unit] = (uint8_t)str.s[i];
    int rc = write_bytes(s, addr, b, n * unit);
    free(b);
    kdx_sb_free(&str);
    return rc;
}

static int cmd_edit(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    char c = (char)tolower((unsigned char)cmd[1]);
    kdx_err err;
    uint64_t addr;
    const char *p;
    if (!*args) {
        kdx_print(s, "Interactive entry is not supported; give the values: %s ADDRESS VALUES\n",
                  cmd);
        return 1;
    }
    if (kdx_expr_eval(s, args, &addr, &p, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    if (s->target->ptr_size == 4)
        addr &= 0xffffffffull;
    if (c == 'a' || c == 'u')
        return edit_string(s, cmd, p, addr, c == 'u', false);
    if (c == 'z')
        return edit_string(s, cmd, p, addr, tolower((unsigned char)cmd[2]) == 'u', true);
    unsigned unit = c == 'b' ? 1 : c == 'w' ? 2 : c == 'd' ? 4 : c == 'q' ? 8
                  : (unsigned)s->target->ptr_size;
    KDX_VEC(uint8_t) bytes = {0};
    p = kdx_skip_ws(p);
    while (*p) {
        uint64_t x;
        const char *e = kdx_memory_char_literal(p, &x);
        if (!e && kdx_expr_eval(s, p, &x, &e, &err) != KDX_OK) {
            KDX_VEC_FREE(bytes);
            return kdx_cmd_fail(s, &err);
        }
        if (unit < 8 && (x >> (unit * 8)) != 0 && (x >> (unit * 8)) != (~0ull >> (unit * 8))) {
            KDX_VEC_FREE(bytes);
            kdx_print(s, "Overflow in '%s %s'\n", cmd, args);
            return 1;
        }
        for (unsigned i = 0; i < unit; i++)
            KDX_VEC_PUSH(bytes, (uint8_t)(x >> (8 * i)));
        p = kdx_skip_ws(e);
    }
    if (bytes.len == 0) {
        kdx_print(s, "Interactive entry is not supported; give the values: %s ADDRESS VALUES\n",
                  cmd);
        return 1;
    }
    int rc = write_bytes(s, addr, bytes.items, bytes.len);
    KDX_VEC_FREE(bytes);
    return rc;
}

/* One display line at addr, as search hits show them (memory_cmds.h). */
void kdx_memory_print_line(kdx_session *s, const char *format, bool ascii, uint64_t addr)
{
    const dfmt *f = find_format(format);
    if (!f || f->kind != DK_HEX)
        return;
    dview v;
    v.f = *f;
    v.f.ascii = v.f.ascii || ascii;
    v.phys = false;
    v.ptr_size = s->target->ptr_size;
    mem_buf m;
    if (!mem_read(s, false, addr, v.f.per_line * v.f.unit, &m))
        return;
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    hex_line(&sb, &v, &m, 0, v.f.per_line);
    flush_line(s, &sb);
    kdx_sb_free(&sb);
    mem_free(&m);
}

/* ---- .ignore_missing_pages ---------------------------------------------------- */

static int cmd_ignore_missing(kdx_session *s, const char *cmd, const char *args)
{
    if (*args) {
        uint64_t v;
        kdx_err err;
        if (kdx_expr_eval_all(s, args, &v, &err) != KDX_OK)
            return kdx_cmd_syntax_error(s, cmd, args);
        s->ignore_missing_pages = v != 0;
    }
    kdx_print(s, s->ignore_missing_pages ? "Suppress kernel summary dump missing page error message\n"
                                         : "Display kernel summary dump missing page error message\n");
    return 0;
}

const kdx_command kdx_cmds_memory[] = {
    {"d", cmd_display, "display memory in the format of the last d* command (db at first)", 0},
    {"db", cmd_display, "display bytes and ASCII: db [/p] [/cN] RANGE", 0},
    {"dw", cmd_display, "display words", 0},
    {"dd", cmd_display, "display double words", 0},
    {"dq", cmd_display, "display quad words", 0},
    {"dp", cmd_display, "display pointer-sized values", 0},
    {"dc", cmd_display, "display double words and ASCII", 0},
    {"da", cmd_display, "display an ASCII string", 0},
    {"du", cmd_display, "display a Unicode string", 0},
    {"dyb", cmd_display, "display bytes in binary", 0},
    {"dyd", cmd_display, "display double words in binary", 0},
    {"df", cmd_display, "display single-precision floats (dD: doubles; dW: words and ASCII)", 0},
    {"dds", cmd_display, "display double words with symbols", 0},
    {"dqs", cmd_display, "display quad words with symbols", 0},
    {"dps", cmd_display, "display pointers with symbols", 0},
    {"ds", cmd_string_struct, "display a STRING/ANSI_STRING (dS: UNICODE_STRING) structure", 0},
    {"dda", cmd_display, "display double words and the ASCII strings they point to", 0},
    {"ddu", cmd_display, "display double words and the Unicode strings they point to", 0},
    {"ddp", cmd_display, "display double words and the values they point to", 0},
    {"dqa", cmd_display, "display quad words and the ASCII strings they point to", 0},
    {"dqu", cmd_display, "display quad words and the Unicode strings they point to", 0},
    {"dqp", cmd_display, "display quad words and the values they point to", 0},
    {"dpa", cmd_display, "display pointers and the ASCII strings they point to", 0},
    {"dpu", cmd_display, "display pointers and the Unicode strings they point to", 0},
    {"dpp", cmd_display, "display pointers and the values they point to", 0},
    {"!db", cmd_phys_display, "display physical memory as bytes: !db PADDR [L count]", 0},
    {"!dw", cmd_phys_display, "display physical memory as words", 0},
    {"!dd", cmd_phys_display, "display physical memory as double words", 0},
    {"!dq", cmd_phys_display, "display physical memory as quad words", 0},
    {"!dc", cmd_phys_display, "display physical memory as double words and ASCII", 0},
    {"eb", cmd_edit, "edit bytes (session overlay; the dump file is never written)", 0},
    {"ew", cmd_edit, "edit words", 0},
    {"ed", cmd_edit, "edit double words", 0},
    {"eq", cmd_edit, "edit quad words", 0},
    {"ep", cmd_edit, "edit pointer-sized values", 0},
    {"ea", cmd_edit, "write an ASCII string (no terminator)", 0},
    {"eu", cmd_edit, "write a Unicode string (no terminator)", 0},
    {"eza", cmd_edit, "write a NUL-terminated ASCII string", 0},
    {"ezu", cmd_edit, "write a NUL-terminated Unicode string", 0},
    {"s", kdx_cmd_search, "search memory: s [-b|-w|-d|-q|-a|-u] RANGE PATTERN", 0},
    {".ignore_missing_pages", cmd_ignore_missing,
     "suppress (1) or show (0) missing-page messages of kernel dumps", 0},
    {0}};
