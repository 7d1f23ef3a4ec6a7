/* Small helpers used everywhere: strings, growable arrays, wildcards. */
#ifndef KDX_BASE_UTIL_H
#define KDX_BASE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KDX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KDX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KDX_MAX(a, b) ((a) > (b) ? (a) : (b))

char *kdx_strdup(const char *s);            /* NULL-safe; aborts on OOM */
char *kdx_strndup(const char *s, size_t n);
char *kdx_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *kdx_xmalloc(size_t n);                /* aborts on OOM: only for small bookkeeping */
void *kdx_xcalloc(size_t n, size_t size);
void *kdx_xrealloc(void *p, size_t n);
/* qsort that accepts an empty array with a NULL base (an empty vector's
 * items), which qsort itself does not allow. */
void kdx_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

int kdx_strcasecmp(const char *a, const char *b);
int kdx_strncasecmp(const char *a, const char *b, size_t n);
bool kdx_starts_with(const char *s, const char *prefix);
bool kdx_istarts_with(const char *s, const char *prefix);
bool kdx_ends_with_i(const char *s, const char *suffix);
const char *kdx_skip_ws(const char *s);
/* Removes trailing whitespace in place; returns s. */
char *kdx_rtrim(char *s);
/* Case-insensitive wildcard match as WinDbg's `x`/`lm m` use it: `*` any run, `?` one char. */
bool kdx_wildcard_match(const char *pattern, const char *text);
/* File name without directory: "C:\\Windows\\x.sys" -> "x.sys" (both slash kinds). */
const char *kdx_basename(const char *path);

/* Growable array of elements: `KDX_VEC(int) v = {0}; KDX_VEC_PUSH(v, 3);` */
#define KDX_VEC(T) struct { T *items; size_t len, cap; }
#define KDX_VEC_PUSH(v, x)                                                              \
    do {                                                                                \
        if ((v).len == (v).cap) {                                                       \
            (v).cap = (v).cap ? (v).cap * 2 : 8;                                        \
            (v).items = kdx_xrealloc((v).items, (v).cap * sizeof(*(v).items));          \
        }                                                                               \
        (v).items[(v).len++] = (x);                                                     \
    } while (0)
#define KDX_VEC_FREE(v) (free((v).items), (v).items = NULL, (v).len = (v).cap = 0)

/* Append-only string builder. */
typedef struct kdx_strbuf {
    char *s;
    size_t len, cap;
} kdx_strbuf;

void kdx_sb_init(kdx_strbuf *sb);
void kdx_sb_free(kdx_strbuf *sb);
void kdx_sb_putc(kdx_strbuf *sb, char c);
void kdx_sb_puts(kdx_strbuf *sb, const char *s);
void kdx_sb_putn(kdx_strbuf *sb, const char *s, size_t n);
void kdx_sb_printf(kdx_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Detaches the string (caller frees); the builder is reset. */
char *kdx_sb_take(kdx_strbuf *sb);

/* UTF-16LE text of at most `units` code units (stops at a NUL) as UTF-8;
 * unpaired surrogates become U+FFFD. Returns a malloc'd string, never NULL. */
char *kdx_utf16le_to_utf8(const uint8_t *p, size_t units);
/* The same into out[cap] (always NUL-terminated, cut at a character boundary). */
void kdx_utf16le_to_utf8_buf(const uint8_t *p, size_t units, char *out, size_t cap);

/* Set of 64-bit values (addresses seen by a walk): `kdx_u64_set h = {0};`. */
typedef struct kdx_u64_set {
    uint64_t *slots; /* open addressing; 0 marks an empty slot */
    size_t cap, len;
    bool has_zero;   /* 0 itself is kept aside */
} kdx_u64_set;

bool kdx_u64_set_has(const kdx_u64_set *h, uint64_t v);
/* Adds v; false when it was there already. */
bool kdx_u64_set_add(kdx_u64_set *h, uint64_t v);
void kdx_u64_set_free(kdx_u64_set *h);

#endif
