#include "base/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
    fputs("kdx: out of memory\n", stderr);
    abort();
}

void *kdx_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *kdx_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *kdx_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

void kdx_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

char *kdx_strdup(const char *s)
{
    return s ? kdx_strndup(s, strlen(s)) : NULL;
}

char *kdx_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = kdx_xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *kdx_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = kdx_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int kdx_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

int kdx_strncasecmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
    return 0;
}

bool kdx_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool kdx_istarts_with(const char *s, const char *prefix)
{
    return kdx_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool kdx_ends_with_i(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && kdx_strcasecmp(s + ls - lx, suffix) == 0;
}

const char *kdx_skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

char *kdx_rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

bool kdx_wildcard_match(const char *p, const char *t)
{
    if (p[0] == '*' && !p[1])
        return true; /* everything: the common case of listing a whole table */
    /* Iterative matcher with single-star backtracking: linear in practice, no recursion. */
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            star = p++;
            resume = t;
        } else if (*p == '?' || (*p && tolower((unsigned char)*p) == tolower((unsigned char)*t))) {
            p++;
            t++;
        } else if (star) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

const char *kdx_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

void kdx_sb_init(kdx_strbuf *sb)
{
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

void kdx_sb_free(kdx_strbuf *sb)
{
    free(sb->s);
    kdx_sb_init(sb);
}

static void sb_reserve(kdx_strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    sb->s = kdx_xrealloc(sb->s, cap);
    sb->cap = cap;
}

void kdx_sb_putn(kdx_strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void kdx_sb_putc(kdx_strbuf *sb, char c)
{
    kdx_sb_putn(sb, &c, 1);
}

void kdx_sb_puts(kdx_strbuf *sb, const char *s)
{
    kdx_sb_putn(sb, s, strlen(s));
}

void kdx_sb_printf(kdx_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *kdx_sb_take(kdx_strbuf *sb)
{
    char *s = sb->s ? sb->s : kdx_strdup("");
    kdx_sb_init(sb);
    return s;
}

/* One code point as UTF-8 into b[4]; returns its length. */
static size_t utf8_encode(uint32_t c, char b[4])
{
    if (c < 0x80) {
        b[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (char)(0xc0 | c >> 6);
        b[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (char)(0xe0 | c >> 12);
        b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    b[0] = (char)(0xf0 | c >> 18);
    b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    b[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* Next code point of UTF-16LE text at *i (advanced past it); 0 at a NUL. */
static uint32_t utf16_next(const uint8_t *p, size_t units, size_t *i)
{
    uint32_t c = (uint32_t)p[2 * *i] | (uint32_t)p[2 * *i + 1] << 8;
    (*i)++;
    if (c >= 0xd800 && c < 0xdc00 && *i < units) {
        uint32_t lo = (uint32_t)p[2 * *i] | (uint32_t)p[2 * *i + 1] << 8;
        if (lo >= 0xdc00 && lo < 0xe000) {
            (*i)++;
            return 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        }
    }
    return c >= 0xd800 && c < 0xe000 ? 0xfffd : c;
}

char *kdx_utf16le_to_utf8(const uint8_t *p, size_t units)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (size_t i = 0; i < units;) {
        uint32_t c = utf16_next(p, units, &i);
        if (!c)
            break;
        char b[4];
        kdx_sb_putn(&sb, b, utf8_encode(c, b));
    }
    return kdx_sb_take(&sb);
}

void kdx_utf16le_to_utf8_buf(const uint8_t *p, size_t units, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < units;) {
        uint32_t c = utf16_next(p, units, &i);
        if (!c)
            break;
        char b[4];
        size_t k = utf8_encode(c, b);
        if (o + k >= cap)
            break;
        memcpy(out + o, b, k);
        o += k;
    }
    if (cap)
        out[o] = 0;
}

static size_t u64_slot(const kdx_u64_set *h, uint64_t v)
{
    size_t i = (size_t)((v * 0x9e3779b97f4a7c15ull) >> 20) & (h->cap - 1);
    while (h->slots[i] && h->slots[i] != v)
        i = (i + 1) & (h->cap - 1);
    return i;
}

bool kdx_u64_set_has(const kdx_u64_set *h, uint64_t v)
{
    if (!v)
        return h->has_zero;
    return h->cap && h->slots[u64_slot(h, v)] == v;
}

bool kdx_u64_set_add(kdx_u64_set *h, uint64_t v)
{
    if (!v) {
        bool added = !h->has_zero;
        h->has_zero = true;
        return added;
    }
    if (2 * (h->len + 1) > h->cap) {
        kdx_u64_set n = {.cap = h->cap ? 2 * h->cap : 256, .has_zero = h->has_zero};
        n.slots = kdx_xcalloc(n.cap, sizeof *n.slots);
        for (size_t i = 0; i < h->cap; i++)
            if (h->slots[i])
                n.slots[u64_slot(&n, h->slots[i])] = h->slots[i], n.len++;
        free(h->slots);
        *h = n;
    }
    size_t i = u64_slot(h, v);
    if (h->slots[i])
        return false;
    h->slots[i] = v;
    h->len++;
    return true;
}

void kdx_u64_set_free(kdx_u64_set *h)
{
    free(h->slots);
    *h = (kdx_u64_set){0};
}
