/* Command family: !for_each_module, as Microsoft's debugger documentation
 * defines it ("!for_each_module"): the command string runs once per loaded
 * module with the @#Name aliases of that module replaced first (also in
 * the ${@#Name} form). Memory a module's range lacks is the commands' own
 * business: `s` skips it and reports only real bytes, so the loop goes on
 * over every module; a command that fails stops it, naming the module. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cancel.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"
#include "target/module.h"
#include "sym/symbols.h"

/* The extension's own summary when no command is given (its documented
 * equivalent). */
#define DEFAULT_COMMAND ".echo @#ModuleIndex : @#Base @#End @#ModuleName @#ImageName  @#LoadedImageName"

typedef enum {
    V_INDEX, V_MODULE, V_IMAGE, V_LOADED, V_MAPPED, V_SYMFILE,
    V_MODULE_SIZE, V_IMAGE_SIZE, V_LOADED_SIZE, V_MAPPED_SIZE, V_SYMFILE_SIZE,
    V_BASE, V_SIZE, V_END, V_TIMESTAMP, V_CHECKSUM, V_UNAVAILABLE
} value_id;

/* Longer names first where one begins with another (@#ModuleNameSize). */
static const struct {
    const char *name;
    value_id id;
    const char *why_not; /* V_UNAVAILABLE: what kdx lacks */
} names[] = {
    {"@#ModuleNameSize", V_MODULE_SIZE, NULL},
    {"@#ModuleName", V_MODULE, NULL},
    {"@#ModuleIndex", V_INDEX, NULL},
    {"@#ImageNameSize", V_IMAGE_SIZE, NULL},
    {"@#ImageName", V_IMAGE, NULL},
    {"@#LoadedImageNameSize", V_LOADED_SIZE, NULL},
    {"@#LoadedImageName", V_LOADED, NULL},
    {"@#MappedImageNameSize", V_MAPPED_SIZE, NULL},
    {"@#MappedImageName", V_MAPPED, NULL},
    {"@#SymbolFileNameSize", V_SYMFILE_SIZE, NULL},
    {"@#SymbolFileName", V_SYMFILE, NULL},
    {"@#Base", V_BASE, NULL},
    {"@#Size", V_SIZE, NULL},
    {"@#End", V_END, NULL},
    {"@#TimeDateStamp", V_TIMESTAMP, NULL},
    {"@#Timestamp", V_TIMESTAMP, NULL},
    {"@#Checksum", V_CHECKSUM, NULL},
    {"@#FileVersion", V_UNAVAILABLE, "kdx does not read the version resource's text"},
    {"@#ProductVersion", V_UNAVAILABLE, "kdx does not read the version resource's text"},
    {"@#Flags", V_UNAVAILABLE, "kdx keeps no DEBUG_MODULE_* flags"},
    {"@#SymbolType", V_UNAVAILABLE, "kdx's symbol kinds (ISF, Breakpad) have no DEBUG_SYMTYPE_* value"},
};

static size_t find_name(const char *p)
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(names); i++)
        if (!strncmp(p, names[i].name, strlen(names[i].name)))
            return i;
    return SIZE_MAX;
}

/* The image name: the full path in user mode, the file name in kernel mode. */
static const char *image_name(kdx_session *s, const kdx_module *m)
{
    if (s->target->kind == KDX_TARGET_USER_DUMP && m->image_path)
        return m->image_path;
    return m->image_name ? m->image_name : m->name;
}

static const char *string_value(kdx_session *s, kdx_module *m, value_id id)
{
    switch (id) {
    case V_MODULE: return m->name;
    case V_IMAGE: return image_name(s, m);
    case V_LOADED: return image_name(s, m);
    case V_MAPPED: {
        const char *f = kdx_sym_module_image_file(s, m);
        return f ? f : "";
    }
    case V_SYMFILE: return m->symbol_file ? m->symbol_file : image_name(s, m);
    default: return NULL;
    }
}

/* Text of one alias for module m (number index in the module list). */
static char *value_text(kdx_session *s, kdx_module *m, unsigned index, value_id id)
{
    char a[24];
    const char *str = string_value(s, m, id);
    if (str)
        return kdx_strdup(str);
    if (id >= V_MODULE_SIZE && id <= V_SYMFILE_SIZE)
        return kdx_asprintf("0x%zx", strlen(string_value(s, m, (value_id)(id - V_MODULE_SIZE + V_MODULE))) + 1);
    switch (id) {
    case V_INDEX: return kdx_asprintf("0x%x", index);
    case V_BASE: return kdx_strdup(kdx_session_fmt_ptr(s, a, m->base));
    case V_END: return kdx_strdup(kdx_session_fmt_ptr(s, a, m->base + m->size));
    case V_SIZE: return kdx_asprintf("0x%" PRIx64, m->size);
    case V_TIMESTAMP: return kdx_asprintf("0x%08x", m->timestamp);
    default: return kdx_asprintf("0x%08x", m->checksum);
    }
}

/* The command string with every @#Name (and ${@#Name}) of module m replaced. */
static char *substitute(kdx_session *s, const char *cmd, kdx_module *m, unsigned index)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (const char *p = cmd; *p;) {
        bool braced = p[0] == '$' && p[1] == '{' && p[2] == '@';
        size_t i = find_name(braced ? p + 2 : p);
        size_t len = i == SIZE_MAX ? 0 : strlen(names[i].name);
        if (i == SIZE_MAX || (braced && p[2 + len] != '}')) {
            kdx_sb_putc(&sb, *p++);
            continue;
        }
        char *v = value_text(s, m, index, names[i].id);
        kdx_sb_puts(&sb, v);
        free(v);
        p += braced ? len + 3 : len;
    }
    return kdx_sb_take(&sb);
}

/* Refuses a command string using an alias kdx cannot fill, before any run. */
static bool all_available(kdx_session *s, const char *cmd)
{
    for (const char *p = strstr(cmd, "@#"); p; p = strstr(p + 2, "@#")) {
        size_t i = find_name(p);
        if (i != SIZE_MAX && names[i].id == V_UNAVAILABLE) {
            kdx_print(s, "!for_each_module: %s is not available: %s.\n", names[i].name,
                      names[i].why_not);
            return false;
        }
    }
    return true;
}

static void print_help(kdx_session *s)
{
    kdx_print(s, "!for_each_module [\"CommandString\"]\n"
                 "  Runs CommandString once per loaded module, after replacing:\n");
    for (size_t i = 0; i < KDX_ARRAY_LEN(names); i++)
        if (names[i].id != V_UNAVAILABLE)
            kdx_print(s, "    %s\n", names[i].name);
}

/* "CommandString" in quotes (several commands) loses its quotes. */
static char *command_string(const char *args)
{
    if (!*args)
        return kdx_strdup(DEFAULT_COMMAND);
    const char *close = args[0] == '"' ? kdx_script_quote_end(args) : NULL;
    if (close && !*kdx_skip_ws(close + 1))
        return kdx_strndup(args + 1, (size_t)(close - args - 1));
    return kdx_strdup(args);
}

static int run_for_module(kdx_session *s, const char *cmd, kdx_module *m, unsigned index)
{
    char *text = substitute(s, cmd, m, index);
    int rc = kdx_script_run_block(s, text);
    free(text);
    if (rc) {
        char *what = kdx_asprintf("module %u (%s)", index, m->name);
        kdx_script_loop_stopped(s, "!for_each_module", what);
        free(what);
    }
    return rc;
}

static int cmd_for_each_module(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (!strcmp(args, "-?")) {
        print_help(s);
        return 0;
    }
    if (!kdx_cmd_need_target(s))
        return 1;
    char *command = command_string(args);
    int rc = all_available(s, command) ? 0 : 1;
    kdx_target *t = s->target;
    unsigned index = 0;
    for (size_t i = 0; !rc && i < t->nmodules && !s->quit && !kdx_interrupted(); i++) {
        kdx_module *m = t->modules[i];
        if (m->unloaded)
            continue;
        rc = run_for_module(s, command, m, index++);
    }
    free(command);
    return rc;
}

const kdx_command kdx_cmds_for_each[] = {
    {"!for_each_module", cmd_for_each_module,
     "run a command for each loaded module with @#ModuleName, @#Base, @#End, @#Size, ... replaced",
     0},
    {0}};
