/* Kernel !handle [Handle [Flags [Process [TypeName]]]] (the user-mode form
 * reads a minidump's handle stream and passes kernel dumps here). Layout:
 * Microsoft's !handle page, kernel-mode example (the process lines, `Handle
 * table at ADDR with N Entries in use`, `0004: Object: ADDR  GrantedAccess:
 * 001f0fff Entry: ADDR`, `Object: ADDR  Type: (ADDR) Process`, `ObjectHeader:
 * ADDR (new version)`, `HandleCount: 2  PointerCount: 123`); docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/nt_show.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/handle.h"
#include "nt/object.h"
#include "nt/process.h"
#include "nt/processor.h"

enum { HANDLE_BASIC = 0x1, HANDLE_OBJECT = 0x2 };

typedef struct handle_run {
    kdx_session *s;
    uint64_t want, flags;
    const char *type_name;
    uint64_t body_off, in_use, shown;
    kdx_show show;
} handle_run;

static int count_one(void *ud, const kdx_nt_handle *h)
{
    (void)h;
    ((handle_run *)ud)->in_use++;
    return kdx_interrupted();
}

static void print_object(handle_run *r, const kdx_nt_object *o)
{
    kdx_session *s = r->s;
    int w = kdx_session_ptr_size(s) * 2;
    char name[256];
    uint64_t dir;
    kdx_print(s, "Object: %0*" PRIx64 "  Type: (%0*" PRIx64 ") %s\n", w, o->body, w, o->type, o->type_name);
    kdx_print(s, "    ObjectHeader: %0*" PRIx64 " (new version)\n", w, o->header);
    kdx_print(s, "        HandleCount: %" PRId64 "  PointerCount: %" PRId64 "\n", o->handle_count, o->pointer_count);
    if (kdx_nt_object_name(s, o, &dir, name, sizeof name, NULL) == KDX_OK)
        kdx_print(s, "        Directory Object: %0*" PRIx64 "  Name: %s\n", w, dir, name);
}

static int print_one(void *ud, const kdx_nt_handle *h)
{
    handle_run *r = ud;
    kdx_session *s = r->s;
    int w = kdx_session_ptr_size(s) * 2;
    uint64_t body = h->object + r->body_off; /* process tables point at the object header */
    kdx_nt_object o;
    kdx_err err = {0};
    bool have = kdx_nt_object_read(s, body, &o, &err) == KDX_OK;
    if (r->type_name && (!have || kdx_strcasecmp(o.type_name, r->type_name)))
        return kdx_interrupted();
    r->shown++;
    kdx_print(s, "%04" PRIx64 ": Object: %0*" PRIx64 "  GrantedAccess: %08x Entry: %0*" PRIx64 "\n", h->value, w, body,
              h->access, w, h->entry);
    if (r->flags & HANDLE_OBJECT) {
        if (have)
            print_object(r, &o);
        else
            kdx_print(s, "Object: %0*" PRIx64 "  (header not read: %s)\n", w, body, err.msg);
    }
    kdx_print(s, "\n");
    return kdx_interrupted();
}

static void process_handles(handle_run *r, uint64_t process)
{
    kdx_session *s = r->s;
    uint64_t table;
    kdx_nt_handle_table ht;
    kdx_err err = {0};
    kdx_show_process(&r->show, process, 0);
    kdx_print(s, "\n");
    if (kdx_nt_read(s, "nt!_EPROCESS", process, "ObjectTable", &table, &err) != KDX_OK ||
        kdx_nt_handle_table_read(s, table, &ht, &err) != KDX_OK) {
        kdx_print(s, "Handle table not read: %s\n\n", err.msg);
        return;
    }
    if (r->want) {
        kdx_nt_handle h;
        if (kdx_nt_handle_lookup(s, &ht, r->want, &h, &err) == KDX_OK)
            print_one(r, &h);
        else
            kdx_print(s, "Handle %" PRIx64 ": %s\n\n", r->want, err.code == KDX_E_NOT_FOUND ? "not in use" : err.msg);
        return;
    }
    uint64_t skipped = 0;
    kdx_err why = {0};
    r->in_use = 0;
    kdx_nt_handle_walk(s, &ht, count_one, r, &skipped, &why);
    if (skipped) /* never a count that looks complete when it is not */
        kdx_print(s, "Handle table at %0*" PRIx64 " with %" PRIu64 " entries in use among those read (%" PRIu64
                     " entries not read: %s)\n\n",
                  kdx_session_ptr_size(s) * 2, table, r->in_use, skipped, why.msg);
    else
        kdx_print(s, "Handle table at %0*" PRIx64 " with %" PRIu64 " entries in use\n\n", kdx_session_ptr_size(s) * 2,
                  table, r->in_use);
    kdx_nt_handle_walk(s, &ht, print_one, r, &skipped, &why);
}

static int each_process(void *ud, uint64_t process, size_t index)
{
    (void)index;
    process_handles(ud, process);
    return kdx_interrupted();
}

int kdx_cmd_kernel_handle(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    handle_run r = {.s = s, .flags = HANDLE_BASIC | HANDLE_OBJECT};
    uint64_t v[3] = {0, HANDLE_BASIC | HANDLE_OBJECT, UINT64_MAX};
    const char *p = kdx_skip_ws(args);
    kdx_err err = {0};
    for (int i = 0; i < 3 && *p; i++) {
        const char *end = p;
        if (kdx_expr_eval(s, p, &v[i], &end, &err))
            return kdx_cmd_fail(s, &err);
        p = kdx_skip_ws(end);
    }
    r.want = v[0];
    r.flags = v[1];
    r.type_name = *p ? p : NULL;
    if (kdx_nt_offset(s, "nt!_OBJECT_HEADER", "Body", &r.body_off, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    kdx_show_init(&r.show, s);
    uint64_t process = v[2];
    kdx_status st = KDX_OK;
    if (process == 0) {
        st = kdx_nt_process_walk(s, each_process, &r, NULL, &err);
    } else {
        if (process == UINT64_MAX && (st = kdx_nt_current_process(s, &process, &err)) != KDX_OK) {
            kdx_show_finish(&r.show);
            return kdx_cmd_fail(s, &err);
        }
        process_handles(&r, process);
    }
    if (st != KDX_OK && st != KDX_E_INTERRUPTED)
        kdx_print(s, "(the process list ends early: %s)\n", err.msg);
    kdx_show_finish(&r.show);
    return 0;
}
