/* Object headers, types, names and directories (object.h). */
#include "nt/object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nt/field.h"
#include "nt/list.h"
#include "nt/ntctx.h"
#include "target/memory.h"

#define OH "nt!_OBJECT_HEADER"
#define MAX_CHAIN 100000u

kdx_status kdx_nt_object_header_of(kdx_session *s, uint64_t body, uint64_t *header, kdx_err *err)
{
    uint64_t off;
    kdx_status st = kdx_nt_offset(s, OH, "Body", &off, err);
    if (st == KDX_OK)
        *header = body - off;
    return st;
}

/* nt!ObHeaderCookie, read once; KDX_E_NOT_FOUND when the kernel has none (before Windows 10). */
static kdx_status header_cookie(kdx_session *s, uint8_t *cookie, kdx_err *err)
{
    struct kdx_ntctx *c = kdx_nt_ctx(s);
    if (!c->cookie_tried) {
        kdx_err e = {0};
        uint64_t addr;
        c->cookie_tried = true;
        if (kdx_nt_symbol(s, "nt!ObHeaderCookie", &addr, NULL) != KDX_OK)
            c->cookie_st = kdx_err_set(&e, KDX_E_NOT_FOUND, "this kernel has no nt!ObHeaderCookie");
        else if ((c->cookie_st = kdx_read_u8(s->target, addr, &c->cookie, &e)) != KDX_OK)
            kdx_err_prefix(&e, "nt!ObHeaderCookie, needed to decode object type indexes: ");
        c->cookie_why = c->cookie_st != KDX_OK ? kdx_strdup(e.msg) : NULL;
    }
    if (c->cookie_st != KDX_OK)
        return kdx_err_set(err, c->cookie_st, "%s", c->cookie_why);
    *cookie = c->cookie;
    return KDX_OK;
}

kdx_status kdx_nt_object_decode_index(kdx_session *s, uint64_t header, uint8_t raw, uint8_t *index,
                                      bool *cookie_applied, kdx_err *err)
{
    uint8_t cookie;
    kdx_status st = header_cookie(s, &cookie, err);
    *cookie_applied = st == KDX_OK;
    if (st == KDX_E_NOT_FOUND) {
        *index = raw;
        return KDX_OK;
    }
    if (st != KDX_OK)
        return st;
    /* Windows 10: TypeIndex ^ second byte of the header's address ^ cookie. */
    *index = (uint8_t)(raw ^ (uint8_t)(header >> 8) ^ cookie);
    return KDX_OK;
}

kdx_status kdx_nt_object_type(kdx_session *s, uint8_t index, uint64_t *type, char *name, size_t cap,
                              kdx_err *err)
{
    uint64_t table, name_off;
    kdx_status st = kdx_nt_symbol(s, "nt!ObTypeIndexTable", &table, err);
    if (st != KDX_OK)
        return st;
    kdx_err why = {0};
    st = kdx_read_ptr(s->target, table + (uint64_t)s->target->ptr_size * index, type, &why);
    if (st != KDX_OK)
        return kdx_err_set(err, st, "nt!ObTypeIndexTable[0x%x]: %s", index, why.msg);
    if (!*type)
        return kdx_err_set(err, KDX_E_FORMAT, "nt!ObTypeIndexTable[0x%x] is NULL: no object type has that index",
                           index);
    uint64_t own;
    st = kdx_nt_read(s, "nt!_OBJECT_TYPE", *type, "Index", &own, err);
    if (st != KDX_OK)
        return st;
    if (own != index)
        return kdx_err_set(err, KDX_E_FORMAT,
                           "nt!ObTypeIndexTable[0x%x] points at an _OBJECT_TYPE whose Index is 0x%llx",
                           index, (unsigned long long)own);
    if (name && cap) {
        st = kdx_nt_offset(s, "nt!_OBJECT_TYPE", "Name", &name_off, err);
        if (st == KDX_OK)
            st = kdx_nt_unicode_string(s, *type + name_off, name, cap, err);
    }
    return st;
}

kdx_status kdx_nt_object_read(kdx_session *s, uint64_t body, kdx_nt_object *o, kdx_err *err)
{
    memset(o, 0, sizeof *o);
    o->body = body;
    kdx_status st = kdx_nt_object_header_of(s, body, &o->header, err);
    if (st != KDX_OK)
        return st;
    kdx_nt_obj h;
    st = kdx_nt_obj_read(s, OH, o->header, &h, err);
    if (st != KDX_OK)
        return st;
    uint64_t raw = 0, mask = 0;
    st = kdx_nt_obj_get(&h, "TypeIndex|Type", &raw, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&h, "InfoMask", &mask, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&h, "PointerCount", (uint64_t *)&o->pointer_count, err);
    if (st == KDX_OK)
        st = kdx_nt_obj_get(&h, "HandleCount", (uint64_t *)&o->handle_count, err);
    kdx_nt_obj_free(&h);
    if (st != KDX_OK)
        return st;
    o->raw_index = (uint8_t)raw;
    o->info_mask = (uint8_t)mask;
    st = kdx_nt_object_decode_index(s, o->header, o->raw_index, &o->type_index, &o->cookie_applied, err);
    if (st == KDX_OK && o->cookie_applied)
        header_cookie(s, &o->cookie, NULL);
    if (st != KDX_OK)
        return st;
    st = kdx_nt_object_type(s, o->type_index, &o->type, o->type_name, sizeof o->type_name, err);
    if (st != KDX_OK) {
        char a[24];
        kdx_err_prefix(err, "object header %s: type index 0x%x%s: ", kdx_session_fmt_ptr(s, a, o->header),
                       o->type_index, o->cookie_applied ? " (decoded with nt!ObHeaderCookie)" : "");
    }
    return st;
}

/* The optional headers' types, in InfoMask bit order. */
static const char *const optional_types[8] = {
    "nt!_OBJECT_HEADER_CREATOR_INFO", "nt!_OBJECT_HEADER_NAME_INFO",  "nt!_OBJECT_HEADER_HANDLE_INFO",
    "nt!_OBJECT_HEADER_QUOTA_INFO",   "nt!_OBJECT_HEADER_PROCESS_INFO", "nt!_OBJECT_HEADER_AUDIT_INFO",
    "nt!_OBJECT_HEADER_EXTENDED_INFO", "nt!_OBJECT_HEADER_PADDING_INFO"};

/* Offset back from the header: the kernel's table, or (when the dump lacks
 * it) the sum of the sizes of the headers that precede, as the kernel builds it. */
static kdx_status optional_offset(kdx_session *s, uint8_t mask, unsigned bit, uint8_t *off, kdx_err *err)
{
    uint8_t key = (uint8_t)(mask & (bit | (bit - 1)));
    uint64_t table;
    if (kdx_nt_symbol(s, "nt!ObpInfoMaskToOffset", &table, NULL) == KDX_OK &&
        kdx_read_u8(s->target, table + key, off, NULL) == KDX_OK)
        return KDX_OK;
    unsigned sum = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (!(key & (1u << i)))
            continue;
        uint64_t size;
        kdx_status st = kdx_nt_sizeof(s, optional_types[i], &size, err);
        if (st != KDX_OK)
            return st;
        sum += (unsigned)size;
    }
    *off = (uint8_t)sum;
    return KDX_OK;
}

kdx_status kdx_nt_object_optional(kdx_session *s, const kdx_nt_object *o, unsigned bit, uint64_t *addr,
                                  kdx_err *err)
{
    if (!(o->info_mask & bit))
        return kdx_err_set(err, KDX_E_NOT_FOUND, "the object has no such optional header (InfoMask 0x%x)",
                           o->info_mask);
    uint8_t off;
    kdx_status st = optional_offset(s, o->info_mask, bit, &off, err);
    if (st == KDX_OK)
        *addr = o->header - off;
    return st;
}

kdx_status kdx_nt_object_name(kdx_session *s, const kdx_nt_object *o, uint64_t *directory, char *name,
                              size_t cap, kdx_err *err)
{
    uint64_t ni, name_off;
    kdx_status st = kdx_nt_object_optional(s, o, KDX_NT_OBJ_NAME_INFO, &ni, err);
    if (st != KDX_OK)
        return st;
    const char *t = "nt!_OBJECT_HEADER_NAME_INFO";
    st = kdx_nt_read(s, t, ni, "Directory", directory, err);
    if (st == KDX_OK)
        st = kdx_nt_offset(s, t, "Name", &name_off, err);
    if (st == KDX_OK)
        st = kdx_nt_unicode_string(s, ni + name_off, name, cap, err);
    return st;
}

kdx_status kdx_nt_object_path(kdx_session *s, const kdx_nt_object *o, char *path, size_t cap, kdx_err *err)
{
    char *acc = kdx_strdup("");
    kdx_nt_object cur = *o;
    kdx_status st = KDX_OK;
    for (unsigned depth = 0; depth < 32; depth++) {
        char name[256];
        uint64_t dir;
        st = kdx_nt_object_name(s, &cur, &dir, name, sizeof name, err);
        if (st != KDX_OK)
            break;
        if (!dir && !strcmp(name, "\\"))
            break; /* the root directory, named "\" */
        char *next = kdx_asprintf("\\%s%s", name, acc);
        free(acc);
        acc = next;
        if (!dir)
            break;
        st = kdx_nt_object_read(s, dir, &cur, err);
        if (st != KDX_OK)
            break;
        if (depth == 31)
            st = kdx_err_set(err, KDX_E_LIMIT, "the directory chain is deeper than 32 levels");
    }
    if (st == KDX_OK)
        snprintf(path, cap, "%s", *acc ? acc : "\\");
    free(acc);
    return st;
}

/* ---- directories ---- */

static kdx_status walk_chain(kdx_session *s, unsigned bucket, uint64_t entry, kdx_nt_dir_cb cb, void *ud,
                             bool *stop, kdx_err *err)
{
    const char *t = "nt!_OBJECT_DIRECTORY_ENTRY";
    kdx_nt_addrset seen = {0};
    kdx_status st = KDX_OK;
    for (unsigned n = 0; entry && st == KDX_OK && !*stop; n++) {
        char a[24];
        if (n >= MAX_CHAIN || !kdx_nt_addrset_add(&seen, entry, n, NULL)) {
            st = kdx_err_set(err, KDX_E_LIMIT, "hash bucket %u of the directory loops at entry %s", bucket,
                             kdx_session_fmt_ptr(s, a, entry));
            break;
        }
        uint64_t object = 0, next = 0;
        st = kdx_nt_read(s, t, entry, "Object", &object, err);
        if (st == KDX_OK)
            st = kdx_nt_read(s, t, entry, "ChainLink", &next, err);
        if (st == KDX_OK && cb(ud, bucket, entry, object))
            *stop = true;
        entry = next;
    }
    kdx_nt_addrset_free(&seen);
    return st;
}

kdx_status kdx_nt_directory_walk(kdx_session *s, uint64_t directory, kdx_nt_dir_cb cb, void *ud, kdx_err *err)
{
    const kdx_nt_field *f;
    kdx_status st = kdx_nt_field_of(s, "nt!_OBJECT_DIRECTORY", "HashBuckets", &f, err);
    if (st != KDX_OK)
        return st;
    const kdx_type *arr = f->type;
    uint64_t n = arr && arr->kind == KDX_TYPE_ARRAY ? arr->count : 0;
    int ps = s->target->ptr_size;
    bool stop = false;
    for (uint64_t b = 0; b < n && !stop; b++) {
        uint64_t head;
        kdx_err why = {0};
        st = kdx_read_ptr(s->target, directory + f->offset + b * (uint64_t)ps, &head, &why);
        if (st != KDX_OK)
            return kdx_err_set(err, st, "hash bucket %llu of the directory: %s", (unsigned long long)b, why.msg);
        st = walk_chain(s, (unsigned)b, head, cb, ud, &stop, err);
        if (st != KDX_OK)
            return st;
    }
    return KDX_OK;
}

typedef struct find_ctx {
    kdx_session *s;
    const char *name;
    size_t len;
    uint64_t found;
} find_ctx;

static int match_entry(void *ud, unsigned bucket, uint64_t entry, uint64_t object)
{
    find_ctx *f = ud;
    (void)bucket, (void)entry;
    kdx_nt_object o;
    char name[256];
    uint64_t dir;
    if (kdx_nt_object_read(f->s, object, &o, NULL) != KDX_OK ||
        kdx_nt_object_name(f->s, &o, &dir, name, sizeof name, NULL) != KDX_OK)
        return 0;
    if (strlen(name) == f->len && kdx_strncasecmp(name, f->name, f->len) == 0) {
        f->found = object;
        return 1;
    }
    return 0;
}

kdx_status kdx_nt_object_lookup(kdx_session *s, const char *path, uint64_t *object, kdx_err *err)
{
    uint64_t root_var, cur;
    kdx_status st = kdx_nt_symbol(s, "nt!ObpRootDirectoryObject", &root_var, err);
    if (st != KDX_OK)
        return st;
    kdx_err why = {0};
    if ((st = kdx_read_ptr(s->target, root_var, &cur, &why)) != KDX_OK)
        return kdx_err_set(err, st, "nt!ObpRootDirectoryObject: %s", why.msg);
    const char *p = path;
    while (*p == '\\')
        p++;
    while (*p) {
        const char *slash = strchr(p, '\\');
        find_ctx f = {s, p, slash ? (size_t)(slash - p) : strlen(p), 0};
        st = kdx_nt_directory_walk(s, cur, match_entry, &f, err);
        if (st != KDX_OK)
            return st;
        if (!f.found) {
            int dir_len = (int)(p - path);
            while (dir_len > 1 && path[dir_len - 1] == '\\')
                dir_len--;
            return kdx_err_set(err, KDX_E_NOT_FOUND, "%.*s is not in the object directory %.*s", (int)f.len, p,
                               dir_len ? dir_len : 1, dir_len ? path : "\\");
        }
        cur = f.found;
        p += f.len;
        while (*p == '\\')
            p++;
    }
    *object = cur;
    return KDX_OK;
}
