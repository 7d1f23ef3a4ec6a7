/* The version resource of a PE image: resource directory walk to RT_VERSION,
 * then the VS_VERSIONINFO block tree (VS_FIXEDFILEINFO, StringFileInfo,
 * VarFileInfo). Every block length is checked against its parent. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pe/pe.h"

#define RT_VERSION 16
#define VERSION_MAX_BYTES 0x10000
#define VS_FIXED_SIGNATURE 0xfeef04bdu

/* Follows the first entry (or the entry with id `want`, when want >= 0) of the
 * resource directory at dir_off; returns its OffsetToData. */
static kdx_status res_entry(kdx_pe *pe, uint32_t root, uint32_t dir_off, int want, uint32_t *data,
                            kdx_err *err)
{
    uint8_t d[16];
    kdx_status st = kdx_pe_read(pe, root + dir_off, d, sizeof d, err);
    if (st != KDX_OK)
        return st;
    uint32_t n = (uint32_t)kdx_le16(d + 12) + kdx_le16(d + 14);
    if (n > 4096)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: resource directory at RVA 0x%x claims %u entries",
                           kdx_pe_name(pe), root + dir_off, n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t e[8];
        st = kdx_pe_read(pe, root + dir_off + 16 + 8 * i, e, sizeof e, err);
        if (st != KDX_OK)
            return st;
        uint32_t name = kdx_le32(e);
        if (want >= 0 && ((name & 0x80000000u) || name != (uint32_t)want))
            continue;
        *data = kdx_le32(e + 4);
        return KDX_OK;
    }
    return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the image has no version resource", kdx_pe_name(pe));
}

/* The RVA and size of the RT_VERSION data. */
static kdx_status find_version(kdx_pe *pe, uint32_t *rva, uint32_t *size, kdx_err *err)
{
    uint32_t root, rsize, off = 0;
    if (kdx_pe_data_directory(pe, KDX_PE_DIR_RESOURCE, &root, &rsize) != KDX_OK)
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: the image has no resources", kdx_pe_name(pe));
    /* type (RT_VERSION) -> name -> language -> data entry */
    for (int level = 0; level < 3; level++) {
        uint32_t next = 0;
        kdx_status st = res_entry(pe, root, off, level == 0 ? RT_VERSION : -1, &next, err);
        if (st != KDX_OK)
            return st;
        bool is_dir = next & 0x80000000u;
        if (is_dir != (level < 2))
            return kdx_err_set(err, KDX_E_FORMAT, "%s: resource tree at RVA 0x%x: unexpected %s at level %d",
                               kdx_pe_name(pe), root + off, is_dir ? "subdirectory" : "data entry", level + 1);
        off = next & 0x7fffffffu;
        if (off >= rsize)
            return kdx_err_set(err, KDX_E_FORMAT, "%s: resource offset 0x%x is beyond the resource directory (0x%x bytes)",
                               kdx_pe_name(pe), off, rsize);
    }
    uint8_t de[16];
    kdx_status st = kdx_pe_read(pe, root + off, de, sizeof de, err);
    if (st != KDX_OK)
        return st;
    *rva = kdx_le32(de);
    *size = kdx_le32(de + 4);
    return KDX_OK;
}

/* One VS_VERSIONINFO-style block: wLength, wValueLength, wType, szKey, Value, Children. */
typedef struct vblock {
    size_t start, end;          /* [start, end) in the buffer */
    const uint8_t *key;         /* UTF-16 */
    size_t key_units;
    size_t value, value_len;    /* byte offset and length of the value */
    size_t children;            /* first child offset */
} vblock;

static size_t align4(size_t v)
{
    return (v + 3) & ~(size_t)3;
}

static bool read_block(const uint8_t *b, size_t off, size_t limit, vblock *v)
{
    if (off + 6 > limit)
        return false;
    size_t len = kdx_le16(b + off), vlen = kdx_le16(b + off + 2), type = kdx_le16(b + off + 4);
    if (len < 6 || off + len > limit)
        return false;
    v->start = off;
    v->end = off + len;
    v->key = b + off + 6;
    size_t k = 0;
    while (off + 6 + 2 * k + 1 < v->end && kdx_le16(v->key + 2 * k))
        k++;
    v->key_units = k;
    v->value = align4(off + 6 + 2 * (k + 1));
    v->value_len = type == 1 ? 2 * vlen : vlen; /* text values count UTF-16 units */
    if (v->value > v->end)
        v->value = v->end;
    if (v->value_len > v->end - v->value)
        v->value_len = v->end - v->value;
    v->children = align4(v->value + v->value_len);
    return true;
}

static bool key_is(const vblock *v, const char *ascii)
{
    size_t n = strlen(ascii);
    if (v->key_units != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (kdx_le16(v->key + 2 * i) != (uint8_t)ascii[i])
            return false;
    return true;
}

static void parse_strings(const uint8_t *b, const vblock *sfi, kdx_pe_version *out)
{
    vblock table;
    /* the first StringTable ("040904B0") */
    if (!read_block(b, sfi->children, sfi->end, &table))
        return;
    for (size_t off = table.children; off < table.end && out->nstrings < KDX_PE_VERSION_MAX_STRINGS;) {
        vblock s;
        if (!read_block(b, off, table.end, &s))
            break;
        kdx_utf16le_to_utf8_buf(s.key, s.key_units, out->strings[out->nstrings].key, sizeof out->strings[0].key);
        kdx_utf16le_to_utf8_buf(b + s.value, s.value_len / 2, out->strings[out->nstrings].value,
                      sizeof out->strings[0].value);
        out->nstrings++;
        off = align4(s.end);
    }
}

static void parse_translations(const uint8_t *b, const vblock *vfi, kdx_pe_version *out)
{
    vblock var;
    if (!read_block(b, vfi->children, vfi->end, &var) || !key_is(&var, "Translation"))
        return;
    for (size_t i = 0; i + 4 <= var.value_len && out->ntranslations < 8; i += 4)
        out->translations[out->ntranslations++] =
            (uint32_t)kdx_le16(b + var.value + i) << 16 | kdx_le16(b + var.value + i + 2);
}

kdx_status kdx_pe_version_info(kdx_pe *pe, kdx_pe_version *out, kdx_err *err)
{
    memset(out, 0, sizeof *out);
    uint32_t rva = 0, size = 0;
    kdx_status st = find_version(pe, &rva, &size, err);
    if (st != KDX_OK)
        return st;
    size = KDX_MIN(size, (uint32_t)VERSION_MAX_BYTES);
    uint8_t *b = kdx_xmalloc(size ? size : 1);
    st = kdx_pe_read(pe, rva, b, size, err);
    if (st != KDX_OK) {
        free(b);
        kdx_err_prefix(err, "%s: version resource at RVA 0x%x", kdx_pe_name(pe), rva);
        return st;
    }
    vblock root;
    if (!read_block(b, 0, size, &root) || !key_is(&root, "VS_VERSION_INFO")) {
        free(b);
        return kdx_err_set(err, KDX_E_FORMAT, "%s: version resource at RVA 0x%x is not a VS_VERSIONINFO block",
                           kdx_pe_name(pe), rva);
    }
    if (root.value_len >= 52 && kdx_le32(b + root.value) == VS_FIXED_SIGNATURE) {
        const uint8_t *f = b + root.value;
        out->has_fixed = true;
        out->file_version_ms = kdx_le32(f + 8);
        out->file_version_ls = kdx_le32(f + 12);
        out->product_version_ms = kdx_le32(f + 16);
        out->product_version_ls = kdx_le32(f + 20);
        out->file_flags_mask = kdx_le32(f + 24);
        out->file_flags = kdx_le32(f + 28);
        out->file_os = kdx_le32(f + 32);
        out->file_type = kdx_le32(f + 36);
        out->file_subtype = kdx_le32(f + 40);
        out->file_date_ms = kdx_le32(f + 44);
        out->file_date_ls = kdx_le32(f + 48);
    }
    for (size_t off = root.children; off < root.end;) {
        vblock child;
        if (!read_block(b, off, root.end, &child))
            break;
        if (key_is(&child, "StringFileInfo"))
            parse_strings(b, &child, out);
        else if (key_is(&child, "VarFileInfo"))
            parse_translations(b, &child, out);
        off = align4(child.end);
    }
    free(b);
    return KDX_OK;
}
