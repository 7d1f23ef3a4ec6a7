/* The object manager's objects: !object ADDR [Flags] | \Path. Layout: docs/nt.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"
#include "nt/field.h"
#include "nt/object.h"

enum {
    OBJ_NAME = 0x1,       /* name and reference counts */
    OBJ_CONTENTS = 0x8,   /* with 0x1: directory entries, symbolic link target */
    OBJ_OPTIONAL = 0x10,  /* optional headers */
    OBJ_PATH = 0x20       /* with 0x1: the full path */
};

static void print_optional_headers(kdx_session *s, const kdx_nt_object *o)
{
    static const char *const names[8] = {"CreatorInfo", "NameInfo",  "HandleInfo",   "QuotaInfo",
                                         "ProcessInfo", "AuditInfo", "ExtendedInfo", "PaddingInfo"};
    kdx_print(s, "Optional Headers: \n");
    for (unsigned i = 0; i < 8; i++) {
        uint64_t addr;
        kdx_err err = {0};
        if (!(o->info_mask & (1u << i)))
            continue;
        if (kdx_nt_object_optional(s, o, 1u << i, &addr, &err) == KDX_OK)
            kdx_print(s, "    %s(%0*" PRIx64 ")\n", names[i], kdx_session_ptr_size(s) * 2, addr);
        else
            kdx_print(s, "    %s(?: %s)\n", names[i], err.msg);
    }
}

typedef struct dir_print {
    kdx_session *s;
    int last_bucket;
} dir_print;

static int print_entry(void *ud, unsigned bucket, uint64_t entry, uint64_t object)
{
    dir_print *d = ud;
    kdx_session *s = d->s;
    kdx_nt_object o;
    char name[256] = "?", type[64] = "?", b[8] = "   ";
    uint64_t dir;
    (void)entry;
    if (kdx_nt_object_read(s, object, &o, NULL) == KDX_OK) {
        snprintf(type, sizeof type, "%s", o.type_name);
        if (kdx_nt_object_name(s, &o, &dir, name, sizeof name, NULL) != KDX_OK)
            snprintf(name, sizeof name, "?");
    }
    if ((int)bucket != d->last_bucket)
        snprintf(b, sizeof b, "%02u", bucket);
    else
        snprintf(b, sizeof b, "  ");
    d->last_bucket = (int)bucket;
    kdx_print(s, "     %s  %0*" PRIx64 " %-13s %s\n", b, kdx_session_ptr_size(s) * 2, object, type, name);
    return 0;
}

static void print_contents(kdx_session *s, const kdx_nt_object *o)
{
    kdx_err err = {0};
    if (!strcmp(o->type_name, "Directory")) {
        kdx_print(s, "\n    Hash Address          Type          Name\n    ---- -------          ----          ----\n");
        dir_print d = {s, -1};
        if (kdx_nt_directory_walk(s, o->body, print_entry, &d, &err) != KDX_OK)
            kdx_print(s, "    (%s)\n", err.msg);
    } else if (!strcmp(o->type_name, "SymbolicLink")) {
        uint64_t off;
        char target[512];
        if (kdx_nt_offset(s, "nt!_OBJECT_SYMBOLIC_LINK", "LinkTarget", &off, &err) == KDX_OK &&
            kdx_nt_unicode_string(s, o->body + off, target, sizeof target, &err) == KDX_OK)
            kdx_print(s, "    Target String is '%s'\n", target);
        else
            kdx_print(s, "    Target String not read: %s\n", err.msg);
    }
}

static void print_name_lines(kdx_session *s, const kdx_nt_object *o, uint64_t flags)
{
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "    HandleCount: %" PRId64 "  PointerCount: %" PRId64 "\n", o->handle_count, o->pointer_count);
    char name[256], path[1024];
    uint64_t dir;
    kdx_err err = {0};
    kdx_status st = kdx_nt_object_name(s, o, &dir, name, sizeof name, &err);
    if (st == KDX_OK)
        kdx_print(s, "    Directory Object: %0*" PRIx64 "  Name: %s\n", w, dir, name);
    else if (st != KDX_E_NOT_FOUND)
        kdx_print(s, "    Name not read: %s\n", err.msg);
    if (st == KDX_OK && (flags & OBJ_PATH)) {
        if (kdx_nt_object_path(s, o, path, sizeof path, &err) == KDX_OK)
            kdx_print(s, "    Full Name: %s\n", path);
        else
            kdx_print(s, "    Full name not read: %s\n", err.msg);
    }
}

static int show_object(kdx_session *s, uint64_t body, uint64_t flags)
{
    kdx_nt_object o;
    kdx_err err = {0};
    if (kdx_nt_object_read(s, body, &o, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    int w = kdx_session_ptr_size(s) * 2;
    kdx_print(s, "Object: %0*" PRIx64 "  Type: (%0*" PRIx64 ") %s\n", w, body, w, o.type, o.type_name);
    kdx_print(s, "    ObjectHeader: %0*" PRIx64 " (%s version)\n", w, o.header, o.cookie_applied ? "new" : "old");
    if (flags & OBJ_NAME)
        print_name_lines(s, &o, flags);
    if (flags & OBJ_OPTIONAL)
        print_optional_headers(s, &o);
    if ((flags & (OBJ_NAME | OBJ_CONTENTS)) == (OBJ_NAME | OBJ_CONTENTS))
        print_contents(s, &o);
    return 0;
}

static int cmd_object(kdx_session *s, const char *cmd, const char *args)
{
    if (!kdx_cmd_need_target(s))
        return 1;
    if (s->target->kind != KDX_TARGET_KERNEL_DUMP) {
        kdx_print(s, "%s works on kernel targets only.\n", cmd);
        return 1;
    }
    const char *p = kdx_skip_ws(args);
    kdx_err err = {0};
    uint64_t body, flags = 0x9;
    if (*p == '\\') {
        /* "\Path [Flags]": the path ends at the first blank. */
        size_t n = strcspn(p, " \t");
        char *path = kdx_strndup(p, n);
        const char *rest = kdx_skip_ws(p + n);
        kdx_status st = *rest ? kdx_expr_eval_all(s, rest, &flags, &err) : KDX_OK;
        if (st == KDX_OK)
            st = kdx_nt_object_lookup(s, path, &body, &err);
        free(path);
        return st == KDX_OK ? show_object(s, body, flags) : kdx_cmd_fail(s, &err);
    }
    if (!*p || !strcmp(p, "-h") || !strcmp(p, "-?")) {
        kdx_print(s, "Usage: !object ADDR [Flags] | !object \\Path\n");
        return *p ? 0 : 1;
    }
    const char *end;
    if (kdx_expr_eval(s, p, &body, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    end = kdx_skip_ws(end);
    if (body == 0) {
        kdx_print(s, "!object 0 TypeName (every object of a type) needs the type's object list, which kdx does "
                     "not walk yet.\n");
        return 1;
    }
    if (*end && kdx_expr_eval_all(s, end, &flags, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    return show_object(s, body, flags);
}

const kdx_command kdx_cmds_object[] = {
    {"!object", cmd_object, "an object manager object: !object ADDR [Flags 0x1|0x8|0x10|0x20] | !object \\Path", 0},
    {0}};
