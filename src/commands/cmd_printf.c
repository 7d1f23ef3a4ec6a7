/* Command family: .printf, as Microsoft's debugger documentation defines it
 * (".printf"): C conversions on 64-bit expression values (32-bit unless
 * I64/ll), %p in the debugger's pointer format, %N a host pointer, %ma %mu
 * %msa %msu strings of the target, %y/%ly symbols as "nt!Name+0x10
 * (fffff804`7bdf5a90)". The whole line is built before anything is
 * printed, so an error never leaves half a line. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"
#include "expr/expr.h"
#include "sym/symbols.h"

typedef struct printf_args {
    char **items;
    size_t len, next;
} printf_args;

/* One conversion: "%-08I64x" is flags "-0", width "8", length "I64", conv 'x'. */
typedef struct conversion {
    char flags[8];
    char width[12];
    char precision[12];
    char length[4];
    char conv[4];   /* "x", "ma", "msu", "ly" ... */
} conversion;

/* ---- parsing the command ---- */

static char unescape_char(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case '0': return '\0';
    default: return c; /* \\ \" \' and unknown escapes keep the character */
    }
}

static char *unescape(const char *p, size_t n)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n)
            c = unescape_char(p[++i]);
        if (c)
            kdx_sb_putc(&sb, c);
    }
    return kdx_sb_take(&sb);
}

/* Arguments are separated by ',' outside quotes and brackets. */
static void split_args(const char *p, printf_args *a)
{
    KDX_VEC(char *) v = {0};
    while (*(p = kdx_skip_ws(p))) {
        int depth = 0;
        const char *q = p;
        for (; *q && !(*q == ',' && depth == 0); q++) {
            if (*q == '"') {
                const char *close = kdx_script_quote_end(q);
                q = close ? close : q + strlen(q) - 1;
            } else if (strchr("([", *q)) {
                depth++;
            } else if (strchr(")]", *q) && depth > 0) {
                depth--;
            }
        }
        char *arg = kdx_strndup(p, (size_t)(q - p));
        kdx_rtrim(arg);
        KDX_VEC_PUSH(v, arg);
        p = *q ? q + 1 : q;
    }
    a->items = v.items;
    a->len = v.len;
    a->next = 0;
}

static void free_args(printf_args *a)
{
    for (size_t i = 0; i < a->len; i++)
        free(a->items[i]);
    free(a->items);
}

/* "/D" and WinDbg's colour options (/od /oe /ow ...) before the format. */
static const char *options(const char *p, bool *dml)
{
    for (p = kdx_skip_ws(p); *p == '/'; p = kdx_skip_ws(p)) {
        if (p[1] == 'D' && (isspace((unsigned char)p[2]) || p[2] == '"'))
            *dml = true, p += 2;
        else if (p[1] == 'o' && p[2] && strchr("dDenpPsvw", p[2]))
            p += 3; /* colours of WinDbg's window: nothing to do in text */
        else
            return NULL;
    }
    return p;
}

/* ---- one conversion ---- */

/* I64, I32, ll, hh, l, h; the l of %ly belongs to the conversion. */
static const char *parse_length(const char *p, char *length)
{
    static const char *const lengths[] = {"I64", "I32", "ll", "hh", "l", "h"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(lengths); i++) {
        size_t n = strlen(lengths[i]);
        if (strncmp(p, lengths[i], n) != 0)
            continue;
        if (n == 1 && p[0] == 'l' && p[1] == 'y')
            return p;
        memcpy(length, lengths[i], n + 1);
        return p + n;
    }
    return p;
}

static const char *parse_conversion(const char *p, conversion *c)
{
    memset(c, 0, sizeof *c);
    size_t n = 0;
    while (*p && strchr("-+ #0", *p) && n + 1 < sizeof c->flags)
        c->flags[n++] = *p++;
    for (n = 0; isdigit((unsigned char)*p) && n + 1 < sizeof c->width;)
        c->width[n++] = *p++;
    if (*p == '.')
        for (n = 0, p++; isdigit((unsigned char)*p) && n + 1 < sizeof c->precision;)
            c->precision[n++] = *p++;
    p = parse_length(p, c->length);
    static const char *const special[] = {"msa", "msu", "ma", "mu", "ly"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(special); i++)
        if (!strncmp(p, special[i], strlen(special[i]))) {
            strcpy(c->conv, special[i]);
            return p + strlen(special[i]);
        }
    if (!*p)
        return NULL;
    c->conv[0] = *p;
    return p + 1;
}

/* The C format for the conversion with the host conversion host_conv. */
static void host_format(const conversion *c, const char *host_conv, char *out, size_t len)
{
    snprintf(out, len, "%%%s%s%s%s%s", c->flags, c->width, c->precision[0] ? "." : "",
             c->precision, host_conv);
}

static bool is_64bit(const conversion *c)
{
    return !strcmp(c->length, "I64") || !strcmp(c->length, "ll");
}

static void put_integer(kdx_strbuf *sb, const conversion *c, uint64_t v)
{
    char fmt[48];
    bool is_signed = c->conv[0] == 'd' || c->conv[0] == 'i';
    const char *host = is_signed ? PRId64 : c->conv[0] == 'u' ? PRIu64 : c->conv[0] == 'o' ? PRIo64
                       : c->conv[0] == 'x' ? PRIx64 : PRIX64;
    if (!is_64bit(c)) { /* %d, %x...: the low 32 bits, or 16/8 with h/hh */
        unsigned bits = !strcmp(c->length, "h") ? 16 : !strcmp(c->length, "hh") ? 8 : 32;
        uint64_t mask = (1ull << bits) - 1;
        v &= mask;
        if (is_signed && (v >> (bits - 1)))
            v |= ~mask;
    }
    host_format(c, host, fmt, sizeof fmt);
    kdx_sb_printf(sb, fmt, v);
}

static void put_float(kdx_strbuf *sb, const conversion *c, uint64_t v)
{
    char fmt[48], host[2] = {c->conv[0], 0};
    double d;
    if (!strcmp(c->length, "l") || is_64bit(c)) {
        memcpy(&d, &v, sizeof d);
    } else { /* the documented default: the low 32 bits are a float */
        uint32_t lo = (uint32_t)v;
        float f;
        memcpy(&f, &lo, sizeof f);
        d = f;
    }
    host_format(c, host, fmt, sizeof fmt);
    kdx_sb_printf(sb, fmt, d);
}

static void put_text(kdx_strbuf *sb, const conversion *c, const char *text)
{
    char fmt[48];
    host_format(c, "s", fmt, sizeof fmt);
    kdx_sb_printf(sb, fmt, text);
}

/* %y: "module!name+0xdisp (address)", or the address alone outside modules. */
static char *symbol_text(kdx_session *s, uint64_t v)
{
    char a[24], name[512];
    kdx_session_fmt_ptr(s, a, v);
    kdx_symhit hit;
    if (kdx_sym_from_addr(s, v, &hit) != KDX_OK)
        return kdx_strdup(a);
    kdx_sym_format(s, v, name, sizeof name);
    return kdx_asprintf("%s (%s)", name, a);
}

static bool is_quoted(const char *arg)
{
    size_t n = strlen(arg);
    return n >= 2 && arg[0] == '"' && arg[n - 1] == '"';
}

/* The text a string conversion prints; NULL after an error in err. */
static char *string_value(kdx_session *s, const conversion *c, const char *arg, kdx_err *err)
{
    if (c->conv[0] == 's' && is_quoted(arg)) /* a literal: %s prints it */
        return unescape(arg + 1, strlen(arg) - 2);
    uint64_t v;
    if (kdx_expr_eval_all(s, arg, &v, err) != KDX_OK)
        return NULL;
    if (c->conv[0] == 'y' || !strcmp(c->conv, "ly"))
        return symbol_text(s, v);
    kdx_tstring kind = !strcmp(c->conv, "mu")    ? KDX_TSTR_UTF16
                       : !strcmp(c->conv, "msa") ? KDX_TSTR_ANSI
                       : !strcmp(c->conv, "msu") ? KDX_TSTR_UNICODE
                                                 : KDX_TSTR_ASCII; /* %ma, and %s of an address */
    char *text;
    return kdx_script_read_string(s, v, kind, &text, err) == KDX_OK ? text : NULL;
}

static bool is_string_conversion(const conversion *c)
{
    return c->conv[1] || strchr("sy", c->conv[0]);
}

/* Formats one conversion with the next argument; false after an error. */
static bool convert(kdx_session *s, const conversion *c, printf_args *a, kdx_strbuf *sb,
                    kdx_err *err)
{
    if (c->conv[0] == '%' && !c->conv[1]) {
        kdx_sb_putc(sb, '%');
        return true;
    }
    if (!c->conv[1] && !strchr("diuoxXcpNsyfeEgG", c->conv[0])) {
        kdx_err_set(err, KDX_E_SYNTAX, ".printf: '%%%s' is not a conversion kdx knows", c->conv);
        return false;
    }
    if (a->next >= a->len) {
        kdx_err_set(err, KDX_E_SYNTAX, ".printf: the format needs more than the %zu argument%s given",
                    a->len, a->len == 1 ? "" : "s");
        return false;
    }
    const char *arg = a->items[a->next++];
    if (is_string_conversion(c)) {
        char *text = string_value(s, c, arg, err);
        if (!text)
            return false;
        put_text(sb, c, text);
        free(text);
        return true;
    }
    uint64_t v;
    if (kdx_expr_eval_all(s, arg, &v, err) != KDX_OK)
        return false;
    char buf[32];
    switch (c->conv[0]) {
    case 'p':
        kdx_sb_puts(sb, kdx_session_fmt_ptr(s, buf, v));
        break;
    case 'N': /* a pointer of the host, as C's %p on Windows prints it */
        kdx_sb_printf(sb, "%0*" PRIX64, (int)sizeof(void *) * 2, v);
        break;
    case 'c':
        kdx_sb_putc(sb, (char)v);
        break;
    case 'f': case 'e': case 'E': case 'g': case 'G':
        put_float(sb, c, v);
        break;
    default:
        put_integer(sb, c, v);
        break;
    }
    return true;
}

/* ---- DML ---- */

/* /D: kdx prints text only, so markup tags go and entities become characters. */
static char *strip_dml(const char *text)
{
    static const struct { const char *entity; char c; } entities[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}};
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (const char *p = text; *p;) {
        if (*p == '<' && strchr(p, '>')) {
            p = strchr(p, '>') + 1;
            continue;
        }
        size_t i = 0;
        while (i < KDX_ARRAY_LEN(entities) && strncmp(p, entities[i].entity, strlen(entities[i].entity)))
            i++;
        if (i < KDX_ARRAY_LEN(entities)) {
            kdx_sb_putc(&sb, entities[i].c);
            p += strlen(entities[i].entity);
        } else {
            kdx_sb_putc(&sb, *p++);
        }
    }
    return kdx_sb_take(&sb);
}

/* ---- the command ---- */

static bool format_all(kdx_session *s, const char *fmt, printf_args *a, kdx_strbuf *out,
                       kdx_err *err)
{
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            kdx_sb_putc(out, *p++);
            continue;
        }
        conversion c;
        const char *next = parse_conversion(p + 1, &c);
        if (!next) {
            kdx_err_set(err, KDX_E_SYNTAX, ".printf: the format ends inside a conversion");
            return false;
        }
        if (!convert(s, &c, a, out, err))
            return false;
        p = next;
    }
    return true;
}

static int cmd_printf(kdx_session *s, const char *cmd, const char *args)
{
    bool dml = false;
    const char *p = options(args, &dml);
    const char *close = p && *p == '"' ? kdx_script_quote_end(p) : NULL;
    const char *rest = close ? kdx_skip_ws(close + 1) : NULL;
    if (!rest || (*rest && *rest != ',')) {
        return kdx_script_syntax_error(s, cmd, args);
    }
    char *fmt = unescape(p + 1, (size_t)(close - p - 1));
    printf_args a;
    split_args(*rest ? rest + 1 : rest, &a);
    kdx_strbuf out;
    kdx_sb_init(&out);
    kdx_sb_puts(&out, "");
    kdx_err err = {0};
    bool ok = format_all(s, fmt, &a, &out, &err);
    if (ok) {
        char *text = dml ? strip_dml(out.s) : kdx_strdup(out.s);
        kdx_print(s, "%s", text);
        free(text);
    } else {
        kdx_print_err(s, &err);
    }
    kdx_sb_free(&out);
    free_args(&a);
    free(fmt);
    return ok ? 0 : 1;
}

const kdx_command kdx_cmds_printf[] = {
    {".printf", cmd_printf,
     "formatted output: .printf [/D] \"FORMAT\", ARGS (%p %x %I64x %d %u %c %s %ma %mu %msa "
     "%msu %y %N)", 0},
    {0}};
