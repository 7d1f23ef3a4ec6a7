/* The scenario writer's core: the layout source, the typed builder, memory,
 * kernel globals and saving (see scenario.h). */
#include "dump/scenario.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/scenario_internal.h"

/* Where the scenario puts kernel memory: pool-like data and kernel stacks,
 * in the ranges a Windows 10 x64 kernel uses for them. */
#define POOL_BASE 0xffffc08bd0000000ull
#define POOL_SIZE 0x40000000ull
#define STACKS_BASE 0xffff850429000000ull
#define DEFAULT_KERNEL_BASE 0xfffff8047ba00000ull
#define DEFAULT_KERNEL_SIZE 0x1046000u
#define DEFAULT_TIME 0x01d707f23dbb3399ull /* 2021-02-21 01:38:22 UTC */
/* KUSER_SHARED_DATA's fixed x64 address (target/context.h); its fields go through the type. */
#define SHARED_DATA KDX_X64_SHARED_DATA
#define TICK_100NS 156250u            /* 15.625 ms, the usual clock tick */

/* ---- errors ---- */

bool scn_fail(kdx_scn *s, kdx_status code, const char *fmt, ...)
{
    if (s->err.code)
        return false;
    va_list ap;
    va_start(ap, fmt);
    char msg[KDX_ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kdx_err_set(&s->err, code, "scenario writer: %s", msg);
    return false;
}

bool scn_ok(const kdx_scn *s)
{
    return s->err.code == KDX_OK;
}

kdx_status kdx_scn_error(const kdx_scn *s, kdx_err *err)
{
    if (s->err.code && err)
        *err = s->err;
    return s->err.code;
}

/* ---- layout lookups ---- */

const kdx_type *scn_type(kdx_scn *s, const char *name)
{
    const kdx_type *t = s->layout->ops->find_type ? s->layout->ops->find_type(s->layout->impl, name) : NULL;
    if (!t)
        scn_fail(s, KDX_E_NO_SYMBOLS, "the layout has no type %s", name);
    return t ? kdx_type_strip(t) : NULL;
}

static size_t key_hash(const char *k)
{
    size_t h = 1469598103934665603ull;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

static void fields_grow(kdx_scn *s)
{
    size_t n = s->nfields ? s->nfields * 2 : 512;
    scn_field *f = kdx_xcalloc(n, sizeof *f);
    for (size_t i = 0; i < s->nfields; i++) {
        if (!s->fields[i].key)
            continue;
        size_t j = key_hash(s->fields[i].key) & (n - 1);
        while (f[j].key)
            j = (j + 1) & (n - 1);
        f[j] = s->fields[i];
    }
    free(s->fields);
    s->fields = f;
    s->nfields = n;
}

bool scn_field_of(kdx_scn *s, const char *type, const char *path, uint64_t *offset, const kdx_type **ft)
{
    char key[256];
    snprintf(key, sizeof key, "%s\x01%s", type, path);
    if (2 * (s->used_fields + 1) > s->nfields)
        fields_grow(s);
    size_t j = key_hash(key) & (s->nfields - 1);
    for (; s->fields[j].key; j = (j + 1) & (s->nfields - 1))
        if (!strcmp(s->fields[j].key, key)) {
            *offset = s->fields[j].offset;
            *ft = s->fields[j].type;
            return true;
        }
    const kdx_type *t = scn_type(s, type);
    kdx_err e = {0};
    if (!t || kdx_type_field_path(t, path, offset, ft, &e) != KDX_OK)
        return t ? scn_fail(s, KDX_E_NO_SYMBOLS, "%s has no field %s", type, path) : false;
    *ft = kdx_type_strip(*ft);
    s->fields[j] = (scn_field){kdx_strdup(key), *offset, *ft};
    s->used_fields++;
    return true;
}

uint64_t kdx_scn_sizeof(kdx_scn *s, const char *type)
{
    const kdx_type *t = scn_type(s, type);
    return t ? t->size : 0;
}

uint64_t kdx_scn_offset(kdx_scn *s, const char *type, const char *path)
{
    uint64_t off = 0;
    const kdx_type *ft;
    scn_field_of(s, type, path, &off, &ft);
    return off;
}

uint64_t kdx_scn_symbol(kdx_scn *s, const char *name)
{
    kdx_symbol sym;
    if (s->layout->ops->by_name(s->layout->impl, name, &sym) != KDX_OK) {
        scn_fail(s, KDX_E_NO_SYMBOLS, "the layout has no symbol %s", name);
        return 0;
    }
    return s->sys.kernel_base + sym.rva;
}

int64_t kdx_scn_enum(kdx_scn *s, const char *type, const char *name)
{
    const kdx_type *t = scn_type(s, type);
    uint32_t n = 0;
    const kdx_enumerator *en = t ? kdx_type_enumerators(t, &n) : NULL;
    for (uint32_t i = 0; en && i < n; i++)
        if (!strcmp(en[i].name, name))
            return en[i].value;
    if (t)
        scn_fail(s, KDX_E_NO_SYMBOLS, "%s has no enumerator %s", type, name);
    return 0;
}

const char *const *kdx_scn_enum_names(kdx_scn *s, const char *type, size_t *n)
{
    const kdx_type *t = scn_type(s, type);
    uint32_t count = 0;
    const kdx_enumerator *en = t ? kdx_type_enumerators(t, &count) : NULL;
    *n = count;
    if (!en)
        return NULL;
    const char **names = kdx_xcalloc(count ? count : 1, sizeof *names);
    for (uint32_t i = 0; i < count; i++)
        names[i] = en[i].name;
    return names;
}

/* ---- memory ---- */

void scn_write(kdx_scn *s, uint64_t va, const void *buf, size_t len)
{
    kdx_err e = {0};
    if (scn_ok(s) && kdx_kdw_write_virt(s->w, va, buf, len, &e) != KDX_OK)
        scn_fail(s, e.code, "%s", e.msg);
}

void scn_write_ptr(kdx_scn *s, uint64_t va, uint64_t v)
{
    uint8_t b[8];
    kdx_put_le64(b, v);
    scn_write(s, va, b, 8);
}

uint64_t kdx_scn_alloc(kdx_scn *s, uint64_t size, uint64_t align)
{
    if (size == 0 || size > UINT32_MAX)
        return scn_fail(s, KDX_E_ARG, "allocation of %llu bytes", (unsigned long long)size), 0;
    uint64_t va = kdx_kdw_alloc_virt(s->w, (uint32_t)size, (uint32_t)(align ? align : 16));
    kdx_err e = {0};
    if (va + size > POOL_BASE + POOL_SIZE)
        return scn_fail(s, KDX_E_LIMIT, "the pool area (%llu MB) is full", (unsigned long long)(POOL_SIZE >> 20)), 0;
    if (kdx_kdw_map(s->w, va, size, &e) != KDX_OK)
        scn_fail(s, e.code, "%s", e.msg);
    return va;
}

uint64_t scn_kernel_dtb(kdx_scn *s)
{
    return kdx_kdw_dtb(s->w);
}

/* ---- the typed builder ---- */

void kdx_scn_obj_begin(kdx_scn *s, const char *type, uint64_t va, kdx_scn_obj *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->type = type;
    o->va = va;
    o->size = kdx_scn_sizeof(s, type);
    o->buf = kdx_xcalloc(o->size ? (size_t)o->size : 1, 1);
    if (o->size)
        kdx_kdw_read_virt(s->w, va, o->buf, (size_t)o->size);
}

void kdx_scn_set(kdx_scn_obj *o, const char *path, uint64_t value)
{
    uint64_t off;
    const kdx_type *ft;
    if (!scn_ok(o->s) || !scn_field_of(o->s, o->type, path, &off, &ft))
        return;
    unsigned pos = 0, len = 64;
    uint64_t size = ft->size;
    if (ft->kind == KDX_TYPE_BITFIELD) {
        pos = ft->bit_pos, len = ft->bit_len;
        size = kdx_type_strip(ft->target)->size;
    } else if (ft->kind == KDX_TYPE_ENUM && ft->target) {
        size = kdx_type_strip(ft->target)->size;
    }
    if (!kdx_type_is_integer(ft) || size == 0 || size > 8 || off + size > o->size) {
        scn_fail(o->s, KDX_E_ARG, "%s.%s is not an integer field", o->type, path);
        return;
    }
    uint8_t *p = o->buf + off;
    uint64_t cur = 0;
    for (unsigned i = 0; i < size; i++)
        cur |= (uint64_t)p[i] << (8 * i);
    uint64_t mask = len >= 64 ? ~0ull : ((1ull << len) - 1) << pos;
    cur = (cur & ~mask) | ((value << pos) & mask);
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(cur >> (8 * i));
}

void kdx_scn_set_bytes(kdx_scn_obj *o, const char *path, const void *bytes, size_t len)
{
    uint64_t off;
    const kdx_type *ft;
    if (!scn_ok(o->s) || !scn_field_of(o->s, o->type, path, &off, &ft))
        return;
    if (len > ft->size || off + len > o->size) {
        scn_fail(o->s, KDX_E_ARG, "%zu bytes do not fit %s.%s", len, o->type, path);
        return;
    }
    memcpy(o->buf + off, bytes, len);
}

uint64_t kdx_scn_addr(kdx_scn_obj *o, const char *path)
{
    return o->va + kdx_scn_offset(o->s, o->type, path);
}

void kdx_scn_set_empty_list(kdx_scn_obj *o, const char *path)
{
    char p[160];
    uint64_t head = kdx_scn_addr(o, path);
    snprintf(p, sizeof p, "%s.Flink", path);
    kdx_scn_set(o, p, head);
    snprintf(p, sizeof p, "%s.Blink", path);
    kdx_scn_set(o, p, head);
}

void kdx_scn_obj_end(kdx_scn_obj *o)
{
    if (o->size)
        scn_write(o->s, o->va, o->buf, (size_t)o->size);
    free(o->buf);
    o->buf = NULL;
}

void kdx_scn_poke(kdx_scn *s, const char *type, uint64_t va, const char *path, uint64_t value)
{
    uint64_t off;
    const kdx_type *ft;
    if (!scn_ok(s) || !scn_field_of(s, type, path, &off, &ft))
        return;
    /* A small builder over just the field's storage keeps neighbours intact. */
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, type, va, &o);
    kdx_scn_set(&o, path, value);
    kdx_scn_obj_end(&o);
}

static uint64_t read_ptr(kdx_scn *s, uint64_t va)
{
    uint8_t b[8];
    kdx_kdw_read_virt(s->w, va, b, 8);
    return kdx_le64(b);
}

uint64_t scn_read_ptr(kdx_scn *s, uint64_t va)
{
    return read_ptr(s, va);
}

void kdx_scn_list_append(kdx_scn *s, uint64_t head, uint64_t entry)
{
    uint64_t flink = kdx_scn_offset(s, "_LIST_ENTRY", "Flink"), blink = kdx_scn_offset(s, "_LIST_ENTRY", "Blink");
    uint64_t last = read_ptr(s, head + blink);
    if (!last) { /* an uninitialized head counts as empty */
        last = head;
        scn_write_ptr(s, head + flink, head);
    }
    scn_write_ptr(s, entry + flink, head);
    scn_write_ptr(s, entry + blink, last);
    scn_write_ptr(s, last + flink, entry);
    scn_write_ptr(s, head + blink, entry);
}

void kdx_scn_unicode(kdx_scn *s, uint64_t va, const char *text)
{
    size_t n = strlen(text);
    uint64_t buf = kdx_scn_alloc(s, 2 * n + 2, 8);
    uint8_t *tmp = kdx_xcalloc(1, 2 * n + 2);
    for (size_t i = 0; i < n; i++)
        kdx_put_le16(tmp + 2 * i, (uint8_t)text[i]);
    scn_write(s, buf, tmp, 2 * n + 2);
    free(tmp);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_UNICODE_STRING", va, &o);
    kdx_scn_set(&o, "Length", 2 * n);
    kdx_scn_set(&o, "MaximumLength", 2 * n + 2);
    kdx_scn_set(&o, "Buffer", buf);
    kdx_scn_obj_end(&o);
}

/* ---- setup ---- */

static void defaults(kdx_scn_system *sys)
{
    if (!sys->kernel_base)
        sys->kernel_base = DEFAULT_KERNEL_BASE;
    if (!sys->kernel_size)
        sys->kernel_size = DEFAULT_KERNEL_SIZE;
    if (!sys->kernel_timestamp)
        sys->kernel_timestamp = 0x0d8333e6u; /* ntoskrnl.exe of 19041.1, as in the triage dump */
    if (!sys->processors)
        sys->processors = 4;
    if (sys->processors > SCN_MAX_CPUS)
        sys->processors = SCN_MAX_CPUS;
    if (!sys->build)
        sys->build = 19041;
    if (!sys->system_time)
        sys->system_time = DEFAULT_TIME;
    if (!sys->uptime)
        sys->uptime = 36000000000ull;
    if (!sys->tick_count)
        sys->tick_count = sys->uptime / TICK_100NS;
}

/* The structure offsets the plain writer needs for PRCBs and KLDR entries, from the layout. */
static void publish_layout(kdx_scn *s)
{
    kdx_kdw_layout l = {
        .prcb_size = (uint32_t)kdx_scn_sizeof(s, "_KPRCB"),
        .prcb_current_thread = (uint32_t)kdx_scn_offset(s, "_KPRCB", "CurrentThread"),
        .prcb_number = (uint32_t)kdx_scn_offset(s, "_KPRCB", "Number"),
        .prcb_proc_state_context = (uint32_t)kdx_scn_offset(s, "_KPRCB", "ProcessorState.ContextFrame"),
        .prcb_context_ptr = (uint32_t)kdx_scn_offset(s, "_KPRCB", "Context"),
        .thread_size = (uint32_t)kdx_scn_sizeof(s, "_ETHREAD"),
        .thread_apc_process = (uint32_t)kdx_scn_offset(s, "_KTHREAD", "ApcState.Process"),
        .process_size = (uint32_t)kdx_scn_sizeof(s, "_EPROCESS")};
    kdx_kdw_ldr_layout ldr = {(uint32_t)kdx_scn_sizeof(s, "_KLDR_DATA_TABLE_ENTRY"),
                              (uint32_t)kdx_scn_offset(s, "_KLDR_DATA_TABLE_ENTRY", "DllBase"),
                              (uint32_t)kdx_scn_offset(s, "_KLDR_DATA_TABLE_ENTRY", "SizeOfImage"),
                              (uint32_t)kdx_scn_offset(s, "_KLDR_DATA_TABLE_ENTRY", "FullDllName"),
                              (uint32_t)kdx_scn_offset(s, "_KLDR_DATA_TABLE_ENTRY", "BaseDllName")};
    kdx_kdw_set_layout(s->w, &l, &ldr);
}

static void place_globals(kdx_scn *s)
{
    kdx_kdw_place(s->w, KDX_KDW_KDBG, kdx_scn_symbol(s, "KdDebuggerDataBlock"));
    kdx_kdw_place(s->w, KDX_KDW_MODULE_LIST, kdx_scn_symbol(s, "PsLoadedModuleList"));
    kdx_kdw_place(s->w, KDX_KDW_PROCESSOR_BLOCK, kdx_scn_symbol(s, "KiProcessorBlock"));
    kdx_kdw_place(s->w, KDX_KDW_PFN_DATABASE, kdx_scn_symbol(s, "MmPfnDatabase"));
    uint64_t head = kdx_scn_symbol(s, "PsActiveProcessHead");
    kdx_kdw_place(s->w, KDX_KDW_PROCESS_HEAD, head);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_LIST_ENTRY", head, &o);
    kdx_scn_set(&o, "Flink", head);
    kdx_scn_set(&o, "Blink", head);
    kdx_scn_obj_end(&o);
    uint64_t resources = kdx_scn_symbol(s, "ExpSystemResourcesList"); /* empty until a resource is declared */
    kdx_scn_poke(s, "_LIST_ENTRY", resources, "Flink", resources);
    kdx_scn_poke(s, "_LIST_ENTRY", resources, "Blink", resources);
}

/* The clock: tick length, tick count and times (KUSER_SHARED_DATA). */
static void write_clock(kdx_scn *s)
{
    uint8_t inc[4];
    kdx_put_le32(inc, TICK_100NS);
    scn_write(s, kdx_scn_symbol(s, "KeMaximumIncrement"), inc, 4);
    kdx_scn_obj o;
    kdx_scn_obj_begin(s, "_KUSER_SHARED_DATA", SHARED_DATA, &o);
    kdx_scn_set(&o, "TickCountQuad", s->sys.tick_count);
    kdx_scn_set(&o, "NtMajorVersion", 10);
    kdx_scn_set(&o, "NtBuildNumber", s->sys.build);
    kdx_scn_set(&o, "InterruptTime.LowPart", s->sys.uptime & 0xffffffffu); /* 100 ns since boot (!timer) */
    kdx_scn_set(&o, "InterruptTime.High1Time", s->sys.uptime >> 32);
    kdx_scn_set(&o, "InterruptTime.High2Time", s->sys.uptime >> 32);
    kdx_scn_set(&o, "SystemTime.LowPart", s->sys.system_time & 0xffffffffu);
    kdx_scn_set(&o, "SystemTime.High1Time", s->sys.system_time >> 32);
    kdx_scn_set(&o, "SystemTime.High2Time", s->sys.system_time >> 32);
    kdx_scn_obj_end(&o);
    uint8_t n[4];
    kdx_put_le32(n, s->sys.processors);
    scn_write(s, kdx_scn_symbol(s, "KeNumberProcessors"), n, 4);
}

kdx_status kdx_scn_new(const kdx_symprov *layout, const kdx_symfile_id *id, const kdx_scn_system *sys,
                       kdx_scn **out, kdx_err *err)
{
    *out = NULL;
    if (!layout || !layout->ops || !layout->ops->find_type)
        return kdx_err_set(err, KDX_E_ARG, "scenario writer: the layout source has no types");
    kdx_scn *s = kdx_xcalloc(1, sizeof *s);
    s->layout = layout;
    if (id)
        s->id = *id;
    if (sys)
        s->sys = *sys;
    defaults(&s->sys);
    s->w = kdx_kdw_new(KDX_ARCH_X64, false);
    s->stack_next = STACKS_BASE;
    s->cookie = 0x5a;
    kdx_kdw_set_system(s->w, s->sys.build, s->sys.processors, s->sys.system_time, s->sys.uptime);
    kdx_kdw_set_kernel(s->w, s->sys.kernel_base, s->sys.kernel_size, s->sys.kernel_timestamp);
    kdx_kdw_set_data_area(s->w, POOL_BASE, POOL_SIZE);
    kdx_kdw_set_build_lab(s->w, "19041.1.amd64fre.vb_release.191206-1406");
    publish_layout(s);
    place_globals(s);
    write_clock(s);
    kdx_scn_module(s, "ntoskrnl.exe", s->sys.kernel_base, s->sys.kernel_size);
    scn_objects_init(s);
    scn_processors_init(s);
    kdx_status st = kdx_scn_error(s, err);
    if (st != KDX_OK) {
        kdx_scn_free(s);
        return st;
    }
    *out = s;
    return KDX_OK;
}

void kdx_scn_free(kdx_scn *s)
{
    if (!s)
        return;
    kdx_kdw_free(s->w);
    for (size_t i = 0; i < s->nfields; i++)
        free(s->fields[i].key);
    free(s->fields);
    for (size_t i = 0; i < s->mods.len; i++) {
        free(s->mods.items[i].name);
        free(s->mods.items[i].file);
    }
    for (size_t i = 0; i < s->funcs.len; i++)
        free(s->funcs.items[i].name);
    for (size_t i = 0; i < s->types.len; i++)
        free(s->types.items[i].name);
    for (size_t i = 0; i < s->procs.len; i++)
        KDX_VEC_FREE(s->procs.items[i].handles);
    KDX_VEC_FREE(s->mods);
    KDX_VEC_FREE(s->funcs);
    KDX_VEC_FREE(s->sites);
    KDX_VEC_FREE(s->types);
    KDX_VEC_FREE(s->procs);
    KDX_VEC_FREE(s->threads);
    KDX_VEC_FREE(s->resources);
    KDX_VEC_FREE(s->patches);
    free(s);
}

kdx_kdw *kdx_scn_writer(kdx_scn *s)
{
    return s->w;
}

scn_process *scn_find_process(kdx_scn *s, uint64_t va)
{
    for (size_t i = 0; i < s->procs.len; i++)
        if (s->procs.items[i].va == va)
            return &s->procs.items[i];
    scn_fail(s, KDX_E_ARG, "%llx is not a process of this scenario", (unsigned long long)va);
    return NULL;
}

scn_thread *scn_find_thread(kdx_scn *s, uint64_t va)
{
    /* Threads are looked up rarely (mutant owners, APCs); a scan is enough. */
    for (size_t i = s->threads.len; i-- > 0;)
        if (s->threads.items[i].va == va)
            return &s->threads.items[i];
    scn_fail(s, KDX_E_ARG, "%llx is not a thread of this scenario", (unsigned long long)va);
    return NULL;
}

void kdx_scn_bugcheck(kdx_scn *s, uint32_t code, const uint64_t args[4])
{
    s->has_bug = true;
    s->bug_code = code;
    for (int i = 0; i < 4; i++)
        s->bug_args[i] = args ? args[i] : 0;
}

kdx_status kdx_scn_save(kdx_scn *s, const char *path, kdx_err *err)
{
    scn_write_images(s);
    scn_write_handle_tables(s);
    scn_processors_finish(s);
    if (!s->has_bug)
        kdx_scn_bugcheck(s, 0xe2, NULL);
    kdx_kdw_set_bugcheck(s->w, s->bug_code, s->bug_args[0], s->bug_args[1], s->bug_args[2], s->bug_args[3]);
    kdx_status st = kdx_scn_error(s, err);
    if (st != KDX_OK)
        return st;
    return kdx_kdw_save(s->w, KDX_KDW_COMPLETE, path, err);
}
