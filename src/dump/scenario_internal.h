/* Internals shared by the scenario writer's files (scenario*.c). */
#ifndef KDX_DUMP_SCENARIO_INTERNAL_H
#define KDX_DUMP_SCENARIO_INTERNAL_H

#include "base/util.h"
#include "dump/scenario.h"
#include "target/context.h"

#define SCN_MAX_CPUS 64
#define SCN_PAGE 0x1000ull

typedef struct scn_field {
    char *key;                /* "type\x01path" */
    uint64_t offset;
    const kdx_type *type;     /* stripped field type */
} scn_field;

typedef struct scn_module {
    char *name;               /* "nt", "kdxscen" */
    char *file;               /* "ntoskrnl.exe", "kdxscen.sys" */
    uint64_t base;
    uint32_t size, next_rva;
    bool is_kernel;
} scn_module;

typedef struct scn_func {
    char *name;               /* "KiSwapContext" */
    size_t module;
    uint64_t addr;
    uint32_t size, frame, next_site;
} scn_func;

typedef struct scn_site {
    size_t caller, callee;    /* indexes into funcs; callee SIZE_MAX: a call out of the image */
    uint32_t offset;          /* of the call instruction in the caller */
    uint64_t target;          /* callee address */
} scn_site;

typedef struct scn_handle {
    uint64_t value, object;   /* object: header (process tables) or body (CID table) */
    uint32_t access;
} scn_handle;

typedef struct scn_process {
    uint64_t va;
    uint32_t pid;
    uint64_t dtb;
    unsigned levels;
    uint64_t next_handle;
    KDX_VEC(scn_handle) handles;
} scn_process;

typedef struct scn_thread {
    uint64_t va, process, rsp;
    uint32_t tid;
} scn_thread;

typedef struct scn_resource {
    uint64_t va, table;       /* the _ERESOURCE; its OwnerTable (0: none yet) */
    uint64_t shared_obj, exclusive_obj; /* the first waiter entry of each chain (0: none) */
    uint32_t owners, shared_waiters, exclusive_waiters;
    bool exclusive;
} scn_resource;

typedef struct scn_otype {
    char *name;
    uint64_t body;
    uint8_t index;
} scn_otype;

/* Bytes written over a function's code after the images are laid out
 * (kdx_scn_code_patch). */
typedef struct scn_patch {
    uint64_t va;
    uint8_t bytes[32];
    size_t len;
} scn_patch;

struct kdx_scn {
    kdx_kdw *w;
    const kdx_symprov *layout;
    kdx_symfile_id id;
    kdx_scn_system sys;
    kdx_err err;              /* the first error (sticky) */
    scn_field *fields;        /* lookup cache, open addressing */
    size_t nfields, used_fields;
    uint64_t stack_next;
    uint8_t cookie;
    KDX_VEC(scn_module) mods;
    KDX_VEC(scn_func) funcs;
    KDX_VEC(scn_site) sites;
    KDX_VEC(scn_otype) types;
    unsigned next_type_index;
    uint64_t root_dir, types_dir, sessions[8];
    KDX_VEC(scn_process) procs;
    KDX_VEC(scn_thread) threads;
    uint64_t pcr[SCN_MAX_CPUS], prcb[SCN_MAX_CPUS];
    uint64_t cpu_thread[SCN_MAX_CPUS], cpu_process[SCN_MAX_CPUS];
    kdx_context cpu_ctx[SCN_MAX_CPUS];
    bool has_bug;
    uint32_t bug_code;
    uint64_t bug_args[4];
    /* scenario_io.c: \Driver, \Device, \FileSystem and the root device node */
    uint64_t io_dirs[3], io_root_devnode;
    KDX_VEC(scn_resource) resources; /* scenario_locks.c */
    KDX_VEC(scn_patch) patches;
    kdx_scn_segheap *segheap; /* scenario_segheap.c: where kdx_scn_small_alloc places blocks (NULL: plain memory) */
};

/* Records the first error; later ones are dropped. Returns false. */
bool scn_fail(kdx_scn *s, kdx_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool scn_ok(const kdx_scn *s);
const kdx_type *scn_type(kdx_scn *s, const char *name);
/* Field lookup: false (and the sticky error) when the layout lacks it. */
bool scn_field_of(kdx_scn *s, const char *type, const char *path, uint64_t *offset, const kdx_type **ft);
void scn_write(kdx_scn *s, uint64_t va, const void *buf, size_t len);
void scn_write_ptr(kdx_scn *s, uint64_t va, uint64_t v);
uint64_t scn_read_ptr(kdx_scn *s, uint64_t va); /* what was written there (0 if nothing) */
uint64_t scn_kernel_dtb(kdx_scn *s);
scn_process *scn_find_process(kdx_scn *s, uint64_t va);
scn_thread *scn_find_thread(kdx_scn *s, uint64_t va);

/* scenario_image.c */
size_t scn_function_index(kdx_scn *s, const char *name);
/* The return address of a call from caller into callee (a call site allocated once). */
uint64_t scn_return_address(kdx_scn *s, size_t caller, size_t callee);
/* The same for a call whose target is an address outside the declared functions. */
uint64_t scn_return_to(kdx_scn *s, size_t caller, uint64_t target);
void scn_write_images(kdx_scn *s);

/* scenario_objects.c */
void scn_objects_init(kdx_scn *s);
void scn_write_handle_tables(kdx_scn *s);

/* scenario_procs.c */
void scn_processors_init(kdx_scn *s);
void scn_processors_finish(kdx_scn *s);

#endif
