/* Strings for scripts: host text files (as /f, .foreach /f) and strings in
 * target memory for .printf (%ma %mu %msa %msu) and as /ma /mu /msa /msu. ANSI_STRING and UNICODE_STRING are read as `ds`
 * and `dS` read them: a USHORT Length, then the Buffer pointer at the next
 * pointer-aligned offset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "commands/script.h"
#include "target/memory.h"

/* Longest NUL-terminated string read: far more than any name or path. */
#define MAX_STRING_BYTES 0x10000u

static kdx_status missing_at(kdx_session *s, uint64_t addr, kdx_err *err)
{
    char a[KDX_ADDR_BUF];
    return kdx_err_set(err, KDX_E_MEM_MISSING, "Memory read error at %s",
                       kdx_fmt_ptr(a, addr, kdx_session_ptr_size(s)));
}

/* NUL-terminated units of 1 or 2 bytes, read a page at a time. */
static kdx_status read_terminated(kdx_session *s, uint64_t addr, size_t unit, kdx_strbuf *raw,
                                  kdx_err *err)
{
    uint8_t page[0x1000];
    uint64_t a = addr;
    while (raw->len < MAX_STRING_BYTES) {
        size_t want = 0x1000 - (size_t)(a & 0xfff);
        size_t got = 0;
        kdx_read_virt(s->target, a, page, want, &got, NULL);
        for (size_t i = 0; i + unit <= got; i += unit) {
            if (page[i] == 0 && (unit == 1 || page[i + 1] == 0))
                return KDX_OK;
            kdx_sb_putn(raw, (const char *)page + i, unit);
        }
        if (got < want)
            return missing_at(s, a + got, err);
        a += want;
    }
    return KDX_OK; /* long strings are cut, as the debugger's displays cut them */
}

/* A counted string structure: Length bytes at Buffer. */
static kdx_status read_counted(kdx_session *s, uint64_t addr, kdx_strbuf *raw, kdx_err *err)
{
    kdx_target *t = s->target;
    uint16_t len;
    uint64_t buf;
    if (kdx_read_u16(t, addr, &len, err) != KDX_OK ||
        kdx_read_ptr(t, addr + (uint64_t)t->ptr_size, &buf, err) != KDX_OK)
        return KDX_E_MEM_MISSING;
    uint8_t *text = kdx_xmalloc((size_t)len + 1);
    size_t got = 0;
    kdx_read_virt(t, buf, text, len, &got, NULL);
    if (got < len) {
        free(text);
        return missing_at(s, buf + got, err);
    }
    kdx_sb_putn(raw, (const char *)text, len);
    free(text);
    return KDX_OK;
}

kdx_status kdx_script_read_string(kdx_session *s, uint64_t addr, kdx_tstring kind, char **out,
                                  kdx_err *err)
{
    if (!s->target)
        return kdx_err_set(err, KDX_E_ARG, "No target is open; start kdx with -z FILE.");
    kdx_strbuf raw;
    kdx_sb_init(&raw);
    kdx_sb_puts(&raw, "");
    bool wide = kind == KDX_TSTR_UTF16 || kind == KDX_TSTR_UNICODE;
    kdx_status st = kind == KDX_TSTR_ASCII || kind == KDX_TSTR_UTF16
                        ? read_terminated(s, addr, wide ? 2 : 1, &raw, err)
                        : read_counted(s, addr, &raw, err);
    if (st != KDX_OK) {
        kdx_sb_free(&raw);
        return st;
    }
    if (wide) {
        *out = kdx_utf16le_to_utf8((const uint8_t *)raw.s, raw.len / 2);
        kdx_sb_free(&raw);
    } else {
        *out = kdx_sb_take(&raw);
    }
    return KDX_OK;
}

char *kdx_script_read_file(const char *path, size_t max, kdx_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kdx_err_set(err, KDX_E_IO, "Cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    char buf[4096];
    size_t n;
    while (sb.len <= max && (n = fread(buf, 1, sizeof buf, f)) > 0)
        kdx_sb_putn(&sb, buf, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || sb.len > max) {
        kdx_sb_free(&sb);
        if (failed)
            kdx_err_set(err, KDX_E_IO, "Cannot read '%s': read error", path);
        else
            kdx_err_set(err, KDX_E_LIMIT, "'%s' is larger than %zu MB, the most kdx reads for a script",
                        path, max >> 20);
        return NULL;
    }
    return kdx_sb_take(&sb);
}
