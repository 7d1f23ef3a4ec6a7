/* The scenario's object manager: object types (nt!ObTypeIndexTable), object
 * headers with type indexes encoded with nt!ObHeaderCookie, optional headers
 * (nt!ObpInfoMaskToOffset), named objects in directories, dispatcher
 * objects, and handle tables (process tables, nt!PspCidTable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

#define DIRECTORY_BUCKETS 37u
#define FIRST_TYPE_INDEX 2u
#define HANDLES_PER_PAGE(s) (SCN_PAGE / kdx_scn_sizeof(s, "_HANDLE_TABLE_ENTRY"))
#define POINTERS_PER_PAGE (SCN_PAGE / 8)

static const char *const optional_types[8] = {
    "_OBJECT_HEADER_CREATOR_INFO", "_OBJECT_HEADER_NAME_INFO",  "_OBJECT_HEADER_HANDLE_INFO",
    "_OBJECT_HEADER_QUOTA_INFO",   "_OBJECT_HEADER_PROCESS_INFO", "_OBJECT_HEADER_AUDIT_INFO",
    "_OBJECT_HEADER_EXTENDED_INFO", "_OBJECT_HEADER_PADDING_INFO"};

/* nt!ObpInfoMaskToOffset[m]: the bytes the optional headers in m take before the header. */
static void write_info_mask_table(kdx_scn *s)
{
    uint8_t table[256];
    uint64_t size[8];
    for (unsigned i = 0; i < 8; i++)
        size[i] = kdx_scn_sizeof(s, optional_types[i]);
    for (unsigned m = 0; m < 256; m++) {
        uint64_t sum = 0;
        for (unsigned i = 0; i < 8; i++)
            if (m & (1u << i))
                sum += size[i];
        table[m] = (uint8_t)sum;
    }
    scn_write(s, kdx_scn_symbol(s, "ObpInfoMaskToOffset"), table, sizeof table);
}

/* The hash the object manager files directory entries under (as ReactOS documents it). */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 0;
    for (const char *p = name; *p; p++) {
        unsigned c = (unsigned char)*p;
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        h += (h << 1) + (h >> 1) + c;
    }
    return h;
}

static void link_into_directory(kdx_scn *s, uint64_t body, uint64_t dir, const char *name)
{
    uint32_t hash = name_hash(name);
    uint64_t buckets = kdx_scn_offset(s, "_OBJECT_DIRECTORY", "HashBuckets");
    uint64_t slot = dir + buckets + 8ull * (hash % DIRECTORY_BUCKETS);
    uint8_t b[8];
    kdx_kdw_read_virt(s->w, slot, b, 8);
    uint64_t entry = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_OBJECT_DIRECTORY_ENTRY"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_OBJECT_DIRECTORY_ENTRY", entry, &o);
    kdx_scn_set(&o, "ChainLink", kdx_le64(b));
    kdx_scn_set(&o, "Object", body);
    kdx_scn_set(&o, "HashValue", hash);
    kdx_scn_obj_end(&o);
    scn_write_ptr(s, slot, entry);
}

static scn_otype *find_type(kdx_scn *s, const char *name)
{
    for (size_t i = 0; i < s->types.len; i++)
        if (!strcmp(s->types.items[i].name, name))
            return &s->types.items[i];
    return NULL;
}

/* An object of the type with index type_index; name info when named. */
static uint64_t raw_object(kdx_scn *s, uint8_t type_index, const char *body_type, const char *name, uint64_t dir,
                           bool link)
{
    uint64_t opt = name ? kdx_scn_sizeof(s, "_OBJECT_HEADER_NAME_INFO") : 0;
    uint64_t body_off = kdx_scn_offset(s, "_OBJECT_HEADER", "Body");
    uint64_t base = kdx_scn_alloc(s, opt + body_off + kdx_scn_sizeof(s, body_type), 16);
    uint64_t header = base + opt, body = header + body_off;
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_OBJECT_HEADER", header, &o);
    kdx_scn_set(&o, "PointerCount", 1);
    kdx_scn_set(&o, "HandleCount", 0);
    /* Windows 10 stores the index XORed with the cookie and the header address's second byte. */
    kdx_scn_set(&o, "TypeIndex", (uint8_t)(type_index ^ s->cookie ^ (uint8_t)(header >> 8)));
    kdx_scn_set(&o, "InfoMask", name ? 0x2 : 0);
    kdx_scn_obj_end(&o);
    if (name) {
        kdx_scn_poke(s, "_OBJECT_HEADER_NAME_INFO", base, "Directory", dir);
        kdx_scn_unicode(s, base + kdx_scn_offset(s, "_OBJECT_HEADER_NAME_INFO", "Name"), name);
        if (link && dir)
            link_into_directory(s, body, dir, name);
    }
    return body;
}

static void count_object(kdx_scn *s, uint64_t type_body)
{
    uint64_t off = kdx_scn_offset(s, "_OBJECT_TYPE", "TotalNumberOfObjects");
    uint8_t b[4];
    kdx_kdw_read_virt(s->w, type_body + off, b, 4);
    kdx_put_le32(b, kdx_le32(b) + 1);
    scn_write(s, type_body + off, b, 4);
}

static scn_otype *create_type(kdx_scn *s, const char *name)
{
    if (s->next_type_index > 0xff) {
        scn_fail(s, KDX_E_LIMIT, "too many object types");
        return NULL;
    }
    uint8_t index = (uint8_t)s->next_type_index++;
    scn_otype *tt = find_type(s, "Type");
    uint64_t type_type = tt ? tt->body : 0;
    uint64_t body = raw_object(s, tt ? tt->index : index, "_OBJECT_TYPE", name, s->types_dir, s->types_dir != 0);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_OBJECT_TYPE", body, &o);
    kdx_scn_set_empty_list(&o, "TypeList");
    kdx_scn_set(&o, "Index", index);
    char key[5] = {0};
    memcpy(key, name, strlen(name) < 4 ? strlen(name) : 4);
    kdx_scn_set(&o, "Key", kdx_le32((const uint8_t *)key));
    kdx_scn_obj_end(&o);
    kdx_scn_unicode(s, body + kdx_scn_offset(s, "_OBJECT_TYPE", "Name"), name);
    scn_write_ptr(s, kdx_scn_symbol(s, "ObTypeIndexTable") + 8ull * index, body);
    scn_otype t = {kdx_strdup(name), body, index};
    KDX_VEC_PUSH(s->types, t);
    count_object(s, type_type ? type_type : body);
    return &s->types.items[s->types.len - 1];
}

uint64_t kdx_scn_object_type(kdx_scn *s, const char *name)
{
    scn_otype *t = find_type(s, name);
    if (!t)
        t = create_type(s, name);
    return t ? t->body : 0;
}

uint64_t kdx_scn_object(kdx_scn *s, const char *otype, const char *body_type, const char *name, uint64_t directory)
{
    kdx_scn_object_type(s, otype);
    scn_otype *t = find_type(s, otype);
    if (!t || !scn_ok(s))
        return 0;
    uint64_t type_body = t->body;
    uint64_t body = raw_object(s, t->index, body_type, name, directory, true);
    count_object(s, type_body);
    return body;
}

uint64_t kdx_scn_root_directory(kdx_scn *s)
{
    return s->root_dir;
}

uint64_t kdx_scn_directory(kdx_scn *s, uint64_t parent, const char *name)
{
    return kdx_scn_object(s, "Directory", "_OBJECT_DIRECTORY", name, parent ? parent : s->root_dir);
}

uint64_t kdx_scn_symlink(kdx_scn *s, uint64_t parent, const char *name, const char *target)
{
    uint64_t body = kdx_scn_object(s, "SymbolicLink", "_OBJECT_SYMBOLIC_LINK", name, parent ? parent : s->root_dir);
    kdx_scn_unicode(s, body + kdx_scn_offset(s, "_OBJECT_SYMBOLIC_LINK", "LinkTarget"), target);
    return body;
}

/* The types and directories every scenario has. */
void scn_objects_init(kdx_scn *s)
{
    scn_write(s, kdx_scn_symbol(s, "ObHeaderCookie"), &s->cookie, 1);
    write_info_mask_table(s);
    s->next_type_index = FIRST_TYPE_INDEX;
    static const char *const early[] = {"Type", "Directory", "SymbolicLink", "Token", "Job", "Process", "Thread"};
    for (size_t i = 0; i < sizeof early / sizeof early[0]; i++)
        kdx_scn_object_type(s, early[i]);
    s->root_dir = raw_object(s, find_type(s, "Directory") ? find_type(s, "Directory")->index : 0,
                             "_OBJECT_DIRECTORY", "\\", 0, false);
    scn_write_ptr(s, kdx_scn_symbol(s, "ObpRootDirectoryObject"), s->root_dir);
    s->types_dir = kdx_scn_directory(s, s->root_dir, "ObjectTypes");
    /* The types made before \ObjectTypes existed go into it now. */
    for (size_t i = 0; i < s->types.len; i++) {
        uint64_t ni = s->types.items[i].body - kdx_scn_offset(s, "_OBJECT_HEADER", "Body") -
                      kdx_scn_sizeof(s, "_OBJECT_HEADER_NAME_INFO");
        kdx_scn_poke(s, "_OBJECT_HEADER_NAME_INFO", ni, "Directory", s->types_dir);
        link_into_directory(s, s->types.items[i].body, s->types_dir, s->types.items[i].name);
    }
}

/* ---- dispatcher objects ---- */

static void dispatcher_header(kdx_scn_obj *o, const char *kind, int64_t signal)
{
    kdx_scn_set(o, "Header.Type", (uint64_t)kdx_scn_enum(o->s, "_KOBJECTS", kind));
    kdx_scn_set(o, "Header.Size", o->size / 4);
    kdx_scn_set(o, "Header.SignalState", (uint64_t)signal);
    kdx_scn_set_empty_list(o, "Header.WaitListHead");
}

uint64_t kdx_scn_event(kdx_scn *s, kdx_scn_event_kind kind, bool signaled, const char *name, uint64_t directory)
{
    uint64_t body = kdx_scn_object(s, "Event", "_KEVENT", name, directory);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KEVENT", body, &o);
    dispatcher_header(&o, kind == KDX_SCN_NOTIFICATION ? "EventNotificationObject" : "EventSynchronizationObject",
                      signaled);
    kdx_scn_obj_end(&o);
    return body;
}

uint64_t kdx_scn_mutant(kdx_scn *s, uint64_t owner_thread, const char *name, uint64_t directory)
{
    uint64_t body = kdx_scn_object(s, "Mutant", "_KMUTANT", name, directory);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KMUTANT", body, &o);
    dispatcher_header(&o, "MutantObject", owner_thread ? 0 : 1);
    kdx_scn_set(&o, "OwnerThread", owner_thread);
    kdx_scn_set_empty_list(&o, "MutantListEntry");
    kdx_scn_obj_end(&o);
    if (owner_thread)
        kdx_scn_list_append(s, owner_thread + kdx_scn_offset(s, "_KTHREAD", "MutantListHead"),
                            body + kdx_scn_offset(s, "_KMUTANT", "MutantListEntry"));
    return body;
}

uint64_t kdx_scn_semaphore(kdx_scn *s, int32_t count, int32_t limit, const char *name, uint64_t directory)
{
    uint64_t body = kdx_scn_object(s, "Semaphore", "_KSEMAPHORE", name, directory);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KSEMAPHORE", body, &o);
    dispatcher_header(&o, "SemaphoreObject", count);
    kdx_scn_set(&o, "Limit", (uint32_t)limit);
    kdx_scn_obj_end(&o);
    return body;
}

uint64_t kdx_scn_timer(kdx_scn *s, kdx_scn_event_kind kind, const char *name, uint64_t directory)
{
    uint64_t body = kdx_scn_object(s, "Timer", "_KTIMER", name, directory);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KTIMER", body, &o);
    dispatcher_header(&o, kind == KDX_SCN_NOTIFICATION ? "TimerNotificationObject" : "TimerSynchronizationObject", 0);
    kdx_scn_obj_end(&o);
    return body;
}

uint64_t kdx_scn_queue(kdx_scn *s, const char *name, uint64_t directory)
{
    uint64_t body = kdx_scn_object(s, "IoCompletion", "_KQUEUE", name, directory);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KQUEUE", body, &o);
    dispatcher_header(&o, "QueueObject", 0);
    kdx_scn_set_empty_list(&o, "EntryListHead");
    kdx_scn_set_empty_list(&o, "ThreadListHead");
    kdx_scn_obj_end(&o);
    return body;
}

/* ---- handles ---- */

uint64_t kdx_scn_handle(kdx_scn *s, uint64_t process, uint64_t object, uint32_t access, uint64_t value)
{
    scn_process *p = scn_find_process(s, process);
    if (!p)
        return 0;
    uint64_t per_page = HANDLES_PER_PAGE(s);
    if (!value) {
        /* Index 0 of every table page is reserved. */
        if ((p->next_handle / 4) % per_page == 0)
            p->next_handle += 4;
        value = p->next_handle;
        p->next_handle += 4;
    }
    if (value & 3 || (value / 4) % per_page == 0)
        return scn_fail(s, KDX_E_ARG, "handle %llx cannot exist", (unsigned long long)value), 0;
    scn_handle h = {value, object - kdx_scn_offset(s, "_OBJECT_HEADER", "Body"), access};
    KDX_VEC_PUSH(p->handles, h);
    uint64_t hc_off = kdx_scn_offset(s, "_OBJECT_HEADER", "HandleCount");
    uint8_t b[8];
    kdx_kdw_read_virt(s->w, h.object + hc_off, b, 8);
    kdx_put_le64(b, kdx_le64(b) + 1);
    scn_write(s, h.object + hc_off, b, 8);
    return value;
}

static void write_entry(kdx_scn *s, uint64_t at, const scn_handle *h)
{
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_HANDLE_TABLE_ENTRY", at, &o);
    kdx_scn_set(&o, "Unlocked", 1);
    kdx_scn_set(&o, "RefCnt", 1);
    kdx_scn_set(&o, "ObjectPointerBits", (h->object >> 4) & ((1ull << 44) - 1));
    kdx_scn_set(&o, "GrantedAccessBits", h->access);
    kdx_scn_obj_end(&o);
}

/* The page holding entry index, through levels of pointer pages (created on demand). */
static uint64_t entry_page(kdx_scn *s, uint64_t top, unsigned levels, uint64_t index)
{
    uint64_t per_low = HANDLES_PER_PAGE(s), page = top;
    uint64_t slot[2] = {index / (per_low * POINTERS_PER_PAGE), (index / per_low) % POINTERS_PER_PAGE};
    if (levels == 1)
        slot[1] = index / per_low;
    for (unsigned l = levels; l > 0; l--) {
        uint64_t at = page + 8 * (l == 2 ? slot[0] : slot[1]);
        uint8_t b[8];
        kdx_kdw_read_virt(s->w, at, b, 8);
        page = kdx_le64(b);
        if (!page) {
            page = kdx_scn_alloc(s, SCN_PAGE, SCN_PAGE);
            scn_write_ptr(s, at, page);
        }
    }
    return page;
}

static unsigned levels_for(kdx_scn *s, uint64_t max_index)
{
    uint64_t per_low = HANDLES_PER_PAGE(s);
    return max_index < per_low ? 0 : max_index < per_low * POINTERS_PER_PAGE ? 1 : 2;
}

/* A _HANDLE_TABLE holding handles; returns its address. */
static uint64_t build_table(kdx_scn *s, const scn_handle *handles, size_t n, unsigned forced, uint64_t owner,
                            uint32_t pid)
{
    uint64_t max_index = 0, per_low = HANDLES_PER_PAGE(s);
    for (size_t i = 0; i < n; i++)
        max_index = KDX_MAX(max_index, handles[i].value / 4);
    unsigned levels = forced ? forced - 1 : levels_for(s, max_index);
    if (levels < levels_for(s, max_index))
        return scn_fail(s, KDX_E_ARG, "process %u: %u table levels cannot hold handle %llx", pid, levels,
                        (unsigned long long)max_index * 4), 0;
    uint64_t top = kdx_scn_alloc(s, SCN_PAGE, SCN_PAGE);
    uint64_t esize = kdx_scn_sizeof(s, "_HANDLE_TABLE_ENTRY");
    for (size_t i = 0; i < n && scn_ok(s); i++) {
        uint64_t index = handles[i].value / 4;
        write_entry(s, entry_page(s, top, levels, index) + (index % per_low) * esize, &handles[i]);
    }
    uint64_t table = kdx_scn_alloc(s, kdx_scn_sizeof(s, "_HANDLE_TABLE"), 16);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_HANDLE_TABLE", table, &o);
    kdx_scn_set(&o, "TableCode", top | levels);
    kdx_scn_set(&o, "NextHandleNeedingPool", (max_index / per_low + 1) * per_low * 4);
    kdx_scn_set(&o, "QuotaProcess", owner);
    kdx_scn_set(&o, "UniqueProcessId", pid);
    kdx_scn_obj_end(&o);
    kdx_scn_list_append(s, kdx_scn_symbol(s, "HandleTableListHead"),
                        table + kdx_scn_offset(s, "_HANDLE_TABLE", "HandleTableList"));
    return table;
}

/* nt!PspCidTable: every process and thread at index cid/4, pointing at the body. */
static void build_cid_table(kdx_scn *s)
{
    KDX_VEC(scn_handle) cids = {0};
    for (size_t i = 0; i < s->procs.len; i++)
        if (s->procs.items[i].pid)
            KDX_VEC_PUSH(cids, ((scn_handle){s->procs.items[i].pid, s->procs.items[i].va, 0}));
    for (size_t i = 0; i < s->threads.len; i++)
        if (s->threads.items[i].tid)
            KDX_VEC_PUSH(cids, ((scn_handle){s->threads.items[i].tid, s->threads.items[i].va, 0}));
    uint64_t table = build_table(s, cids.items, cids.len, 0, 0, 0);
    scn_write_ptr(s, kdx_scn_symbol(s, "PspCidTable"), table);
    KDX_VEC_FREE(cids);
}

void scn_write_handle_tables(kdx_scn *s)
{
    for (size_t i = 0; i < s->procs.len && scn_ok(s); i++) {
        scn_process *p = &s->procs.items[i];
        uint64_t table = build_table(s, p->handles.items, p->handles.len, p->levels, p->va, p->pid);
        kdx_scn_poke(s, "_EPROCESS", p->va, "ObjectTable", table);
        if (p->pid == 4)
            scn_write_ptr(s, kdx_scn_symbol(s, "ObpKernelHandleTable"), table);
    }
    build_cid_table(s);
}
