/* Streaming JSON reader (see jstream.h). xz input is decoded by liblzma into
 * one fixed window that the reader consumes before asking for the next, so
 * memory stays constant whatever the size of the text. */
#include "isf/jstream.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "isf/xzstream.h"


typedef struct jbuf {
    char *s;
    size_t len, cap;
} jbuf;

enum { IN_OBJECT = 1, IN_ARRAY = 2 };

struct kdx_jstream {
    const char *name;
    kdx_jlimits lim;
    kdx_err *err;
    kdx_status st;
    /* The window being read: [window, end), p the next byte. */
    const uint8_t *window, *p, *end;
    uint64_t window_off;       /* decoded offset of window[0] */
    /* Source: one plain buffer, or an xz stream decoded a window at a time. */
    kdx_xzstream *xz;
    /* Position and limits. */
    uint64_t line, line_start; /* line number (1-based) and offset of its first byte */
    uint64_t values;
    uint32_t depth, blanks;
    uint8_t *kinds;            /* IN_OBJECT / IN_ARRAY per open depth, for kdx_jskip */
    jbuf key, str;
};

uint64_t kdx_joffset(const kdx_jstream *j)
{
    return j->window_off + (uint64_t)(j->p - j->window);
}

kdx_status kdx_jstream_status(const kdx_jstream *j)
{
    return j->st;
}

static void vfail(kdx_jstream *j, kdx_status code, bool syntax, const char *fmt, va_list ap)
{
    if (j->st)
        return;
    char what[300];
    vsnprintf(what, sizeof what, fmt, ap);
    uint64_t off = kdx_joffset(j);
    unsigned long long line = j->line, col = off - j->line_start + 1;
    if (syntax)
        kdx_err_set(j->err, code, "%s: JSON error at line %llu, column %llu (offset %llu): %s",
                    j->name, line, col, (unsigned long long)off, what);
    else
        kdx_err_set(j->err, code, "%s: %s (at offset %llu, line %llu, column %llu)", j->name, what,
                    (unsigned long long)off, line, col);
    j->st = code;
}

bool kdx_jfail(kdx_jstream *j, kdx_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(j, code, false, fmt, ap);
    va_end(ap);
    return false;
}

static bool syntax(kdx_jstream *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool syntax(kdx_jstream *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(j, KDX_E_FORMAT, true, fmt, ap);
    va_end(ap);
    return false;
}

static bool limit(kdx_jstream *j, const char *what, unsigned long long max)
{
    return kdx_jfail(j, KDX_E_LIMIT, "more than %llu %s: over this reader's limit, which is "
                     "many times what the largest real symbol table needs", max, what);
}

/* ---- input ---------------------------------------------------------------- */

/* The next decoded window (isf/xzstream.c decodes ahead in a thread). */
static bool xz_fill(kdx_jstream *j)
{
    j->window_off += (uint64_t)(j->end - j->window);
    const uint8_t *p;
    size_t n;
    if (kdx_xzstream_next(j->xz, &p, &n)) {
        j->window = j->p = p;
        j->end = p + n;
        return true;
    }
    j->window = j->p = j->end;
    const char *msg;
    kdx_status st = kdx_xzstream_status(j->xz, &msg);
    if (st == KDX_E_LIMIT && j->window_off >= j->lim.max_text)
        return limit(j, "bytes of decoded text", (unsigned long long)j->lim.max_text);
    if (st != KDX_OK)
        return kdx_jfail(j, st, "%s", msg);
    return false;
}

/* More input in the window; false at the end of the text or on error. */
static bool refill(kdx_jstream *j)
{
    if (j->st || !j->xz)
        return false;
    return xz_fill(j) && j->p < j->end;
}

static inline int next_byte(kdx_jstream *j)
{
    if (j->p == j->end && !refill(j))
        return -1;
    return *j->p++;
}

/* Tables this large decode in a second thread while the first parses. */
#define XZ_THREAD_MIN (256u * 1024u)

static kdx_status start_xz(kdx_jstream *j, const uint8_t *data, size_t len)
{
    /* The kernel-ISF check may have decoded part of this text already. */
    j->xz = kdx_xzstream_unstash(data, len, j->lim.max_text);
    if (!j->xz)
        j->xz = kdx_xzstream_new(data, len, j->lim.max_text, len >= XZ_THREAD_MIN);
    j->window = j->p = j->end = data;
    xz_fill(j);
    return j->st;
}

kdx_status kdx_jstream_open(kdx_jstream **out, const char *name, const uint8_t *data, size_t len,
                            const kdx_jlimits *limits, kdx_err *err)
{
    kdx_jstream *j = kdx_xcalloc(1, sizeof *j);
    j->name = name;
    j->lim = *limits;
    j->err = err;
    j->line = 1;
    j->kinds = kdx_xcalloc(limits->max_depth + 2u, 1);
    *out = j;
    if (kdx_is_xz(data, len))
        return start_xz(j, data, len);
    if (len > limits->max_text) {
        j->st = kdx_err_set(err, KDX_E_LIMIT, "%s: %zu bytes of JSON text: more than this reader's "
                            "limit of %llu", name, len, (unsigned long long)limits->max_text);
        return j->st;
    }
    j->window = j->p = data;
    j->end = data + len;
    return KDX_OK;
}

void kdx_jstream_close(kdx_jstream *j)
{
    if (!j)
        return;
    kdx_xzstream_free(j->xz);
    free(j->kinds);
    free(j->key.s);
    free(j->str.s);
    free(j);
}

/* ---- tokens --------------------------------------------------------------- */

/* A run of spaces at j->p (indentation: a third of a pretty-printed
 * table), eight at a time, up to the blank limit: the byte that passes it
 * is left to kdx_jpeek's own count, which reports it. False when no space
 * could be taken. */
static bool skip_spaces(kdx_jstream *j)
{
    const uint8_t *start = j->p, *q = start, *stop = j->end;
    size_t room = (size_t)(j->lim.max_blanks - j->blanks);
    if ((size_t)(stop - q) > room)
        stop = q + room;
    uint64_t v;
    while (stop - q >= 8 && (memcpy(&v, q, 8), v == 0x2020202020202020ull))
        q += 8;
    while (q < stop && *q == ' ')
        q++;
    j->blanks += (uint32_t)(q - start);
    j->p = q;
    return q != start;
}

int kdx_jpeek(kdx_jstream *j)
{
    if (j->st)
        return -1;
    for (;;) {
        while (j->p < j->end) {
            uint8_t c = *j->p;
            if (c == ' ' && skip_spaces(j))
                continue;
            if (c == '\n') {
                j->line++;
                j->line_start = kdx_joffset(j) + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                j->blanks = 0;
                /* A byte-order mark may open the text (Windows tools write one). */
                if (c == 0xef && kdx_joffset(j) == 0 && j->end - j->p >= 3 &&
                    j->p[1] == 0xbb && j->p[2] == 0xbf) {
                    j->p += 3;
                    continue;
                }
                return c;
            }
            j->p++;
            if (++j->blanks > j->lim.max_blanks) {
                limit(j, "consecutive blank bytes", j->lim.max_blanks);
                return -1;
            }
        }
        if (!refill(j))
            return -1;
    }
}

bool kdx_jat_end(kdx_jstream *j)
{
    return kdx_jpeek(j) < 0 && !j->st;
}

static bool count_value(kdx_jstream *j)
{
    if (++j->values > j->lim.max_values)
        return limit(j, "JSON values", (unsigned long long)j->lim.max_values);
    return true;
}

static bool open_container(kdx_jstream *j, uint8_t kind)
{
    if (!count_value(j))
        return false;
    if (j->depth + 1 > j->lim.max_depth)
        return limit(j, "levels of nested objects and arrays", j->lim.max_depth);
    j->p++;
    j->kinds[++j->depth] = kind;
    return true;
}

static bool jbuf_put(kdx_jstream *j, jbuf *b, const void *s, size_t n)
{
    if (b->len + n > j->lim.max_string)
        return limit(j, "bytes in one string", j->lim.max_string);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = kdx_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    return true;
}

static int hex4(kdx_jstream *j)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = next_byte(j), d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static bool put_utf8(kdx_jstream *j, jbuf *b, uint32_t cp)
{
    uint8_t u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (uint8_t)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xc0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xe0 | cp >> 12), u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (uint8_t)(0xf0 | cp >> 18), u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f)), u[3] = (uint8_t)(0x80 | (cp & 0x3f)), n = 4;
    }
    return jbuf_put(j, b, u, n);
}

/* \uXXXX, with a following \uXXXX for a surrogate pair. */
static bool unicode_escape(kdx_jstream *j, jbuf *b)
{
    int hi = hex4(j);
    if (hi < 0)
        return syntax(j, "invalid \\u escape");
    if (hi < 0xd800 || hi > 0xdfff)
        return put_utf8(j, b, (uint32_t)hi);
    if (hi > 0xdbff || next_byte(j) != '\\' || next_byte(j) != 'u')
        return syntax(j, "unpaired UTF-16 surrogate in a \\u escape");
    int lo = hex4(j);
    if (lo < 0xdc00 || lo > 0xdfff)
        return syntax(j, "unpaired UTF-16 surrogate in a \\u escape");
    return put_utf8(j, b, 0x10000u + ((uint32_t)(hi - 0xd800) << 10) + (uint32_t)(lo - 0xdc00));
}

static bool escape(kdx_jstream *j, jbuf *b)
{
    int c = next_byte(j);
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = c > 0 ? strchr(from, c) : NULL;
    if (k && *k) {
        char o = to[k - from];
        return jbuf_put(j, b, &o, 1);
    }
    if (c == 'u')
        return unicode_escape(j, b);
    return syntax(j, c < 0 ? "unterminated string" : "invalid escape in a string");
}

/* A string token at j->p (the opening quote) into b, NUL-terminated. */
static bool read_string(kdx_jstream *j, jbuf *b)
{
    b->len = 0;
    j->p++;
    for (;;) {
        const uint8_t *s = j->p;
        while (s < j->end && *s != '"' && *s != '\\' && *s >= 0x20)
            s++;
        if (!jbuf_put(j, b, j->p, (size_t)(s - j->p)))
            return false;
        j->p = s;
        if (s == j->end) {
            if (!refill(j))
                return j->st ? false : syntax(j, "unterminated string");
            continue;
        }
        j->p++;
        if (*s == '"')
            break;
        if (*s < 0x20)
            return syntax(j, "control character in a string");
        if (!escape(j, b))
            return false;
    }
    if (!b->s && !jbuf_put(j, b, "", 0))
        return false;
    b->s[b->len] = '\0';
    return true;
}

bool kdx_jobject_begin(kdx_jstream *j, kdx_jiter *it)
{
    it->started = false;
    int c = kdx_jpeek(j);
    if (c != '{')
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected an object");
    return open_container(j, IN_OBJECT);
}

/* After an object's '{' or ',': a key and its ':'. */
static bool read_key(kdx_jstream *j, jbuf *b)
{
    int c = kdx_jpeek(j);
    if (c != '"')
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected a string key");
    if (!read_string(j, b))
        return false;
    c = kdx_jpeek(j);
    if (c != ':')
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected ':' after a key");
    j->p++;
    return true;
}

bool kdx_jobject_next(kdx_jstream *j, kdx_jiter *it, const char **key, size_t *key_len)
{
    int c = kdx_jpeek(j);
    if (c == '}') {
        j->p++;
        j->depth--;
        return false;
    }
    if (it->started) {
        if (c != ',')
            return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected ',' or '}'");
        j->p++;
    }
    it->started = true;
    if (!read_key(j, &j->key))
        return false;
    *key = j->key.s;
    if (key_len)
        *key_len = j->key.len;
    return true;
}

bool kdx_jstring(kdx_jstream *j, const char **s, size_t *len)
{
    int c = kdx_jpeek(j);
    if (c != '"')
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected a string");
    if (!count_value(j) || !read_string(j, &j->str))
        return false;
    *s = j->str.s;
    if (len)
        *len = j->str.len;
    return true;
}

/* The next byte without consuming it or skipping blanks; -1 at the end. */
static inline int peek_raw(kdx_jstream *j)
{
    if (j->p == j->end && !refill(j))
        return -1;
    return *j->p;
}

static int skip_digits(kdx_jstream *j)
{
    int n = 0;
    for (int c = peek_raw(j); c >= '0' && c <= '9'; c = peek_raw(j), n++)
        j->p++;
    return n;
}

/* A number token: sign, magnitude, whether it is an integer and whether the
 * magnitude overflowed 64 bits. */
static bool read_number(kdx_jstream *j, bool *neg, uint64_t *mag, bool *integer, bool *overflow)
{
    *neg = *overflow = false;
    *integer = true;
    if (!count_value(j))
        return false;
    int c = next_byte(j);
    if (c == '-') {
        *neg = true;
        c = next_byte(j);
    }
    if (c < '0' || c > '9')
        return j->st ? false : syntax(j, "invalid number");
    uint64_t v = (uint64_t)(c - '0');
    for (c = peek_raw(j); c >= '0' && c <= '9'; c = peek_raw(j)) {
        j->p++;
        if (v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
            *overflow = true;
        v = v * 10 + (uint64_t)(c - '0');
    }
    *mag = v;
    if (c == '.') {
        *integer = false;
        j->p++;
        if (!skip_digits(j))
            return j->st ? false : syntax(j, "invalid number");
        c = peek_raw(j);
    }
    if (c == 'e' || c == 'E') {
        *integer = false;
        j->p++;
        c = peek_raw(j);
        if (c == '+' || c == '-')
            j->p++;
        if (!skip_digits(j))
            return j->st ? false : syntax(j, "invalid number");
    }
    return !j->st;
}

static bool number_start(int c)
{
    return c == '-' || (c >= '0' && c <= '9');
}

bool kdx_juint(kdx_jstream *j, uint64_t *v)
{
    int c = kdx_jpeek(j);
    bool neg, integer, overflow;
    if (!number_start(c))
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected a number");
    if (!read_number(j, &neg, v, &integer, &overflow))
        return false;
    if (!integer || overflow || (neg && *v))
        return kdx_jfail(j, KDX_E_FORMAT, "expected a non-negative integer below 2^64");
    return true;
}

bool kdx_jint(kdx_jstream *j, int64_t *v)
{
    int c = kdx_jpeek(j);
    bool neg, integer, overflow;
    uint64_t m;
    if (!number_start(c))
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected a number");
    if (!read_number(j, &neg, &m, &integer, &overflow))
        return false;
    if (!integer || overflow || m > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return kdx_jfail(j, KDX_E_FORMAT, "expected an integer that fits in 64 bits");
    *v = neg ? (int64_t)(0 - m) : (int64_t)m;
    return true;
}

static bool literal(kdx_jstream *j, const char *word)
{
    if (!count_value(j))
        return false;
    for (const char *w = word; *w; w++)
        if (next_byte(j) != *w)
            return j->st ? false : syntax(j, "invalid literal (expected %s)", word);
    return true;
}

bool kdx_jbool(kdx_jstream *j, bool *v)
{
    int c = kdx_jpeek(j);
    if (c != 't' && c != 'f')
        return c < 0 && j->st ? false : syntax(j, c < 0 ? "unexpected end of input" : "expected true or false");
    *v = c == 't';
    return literal(j, *v ? "true" : "false");
}

/* One scalar at j->p. */
static bool skip_scalar(kdx_jstream *j, int c)
{
    if (c == '"') {
        if (!count_value(j))
            return false;
        return read_string(j, &j->str);
    }
    if (c == 't')
        return literal(j, "true");
    if (c == 'f')
        return literal(j, "false");
    if (c == 'n')
        return literal(j, "null");
    if (number_start(c)) {
        bool neg, integer, overflow;
        uint64_t m;
        return read_number(j, &neg, &m, &integer, &overflow);
    }
    return syntax(j, c < 0 ? "unexpected end of input" : "unexpected character '%c'",
                  c >= 0x20 && c < 0x7f ? c : '?');
}

/* After a value inside a skipped container: ',' (and a key in an object)
 * or the closing bracket; returns 1 to read another value, 0 when the
 * container closed, -1 on error. */
static int after_value(kdx_jstream *j)
{
    int c = kdx_jpeek(j);
    uint8_t kind = j->kinds[j->depth];
    if (c == ',') {
        j->p++;
        return kind == IN_OBJECT && !read_key(j, &j->key) ? -1 : 1;
    }
    if ((c == '}' && kind == IN_OBJECT) || (c == ']' && kind == IN_ARRAY)) {
        j->p++;
        j->depth--;
        return 0;
    }
    if (c < 0 && j->st)
        return -1;
    syntax(j, c < 0 ? "unexpected end of input" : kind == IN_OBJECT ? "expected ',' or '}'"
                                                                      : "expected ',' or ']'");
    return -1;
}

bool kdx_jskip(kdx_jstream *j)
{
    uint32_t base = j->depth;
    for (;;) {
        int c = kdx_jpeek(j);
        if (c == '{' || c == '[') {
            if (!open_container(j, c == '{' ? IN_OBJECT : IN_ARRAY))
                return false;
            int e = kdx_jpeek(j);
            if (e == (c == '{' ? '}' : ']')) {
                j->p++;
                j->depth--;
            } else if (c == '{' && !read_key(j, &j->key)) {
                return false;
            } else {
                continue; /* the container's first value */
            }
        } else if (!skip_scalar(j, c)) {
            return false;
        }
        /* A value is complete: close every container that ends here. */
        int r = 0;
        while (j->depth > base && (r = after_value(j)) == 0)
            ;
        if (r < 0)
            return false;
        if (j->depth == base)
            return true;
    }
}
