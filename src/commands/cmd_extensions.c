/* Command family: the extension-DLL commands (.load, .loadby, .unload,
 * .unloadall, .chain). kdx runs no extension DLLs: the extension commands
 * it has are built in and answer to their plain name and to the DLL-
 * prefixed form (!kdexts.locks, !ext.analyze). Scripts written for WinDbg
 * often start with `.load kdexts` or `.loadby sos clr`; these commands say
 * what that means here instead of failing as unknown. */
#include <string.h>

#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"

/* "C:\dbg\winext\kdexts.dll" -> "kdexts": the name an extension answers to. */
static size_t dll_base_name(const char *word, size_t len, const char **base)
{
    const char *start = word;
    for (size_t i = 0; i < len; i++)
        if (word[i] == '\\' || word[i] == '/')
            start = word + i + 1;
    size_t n = (size_t)(word + len - start);
    if (n > 4 && !kdx_strncasecmp(start + n - 4, ".dll", 4))
        n -= 4;
    *base = start;
    return n;
}

static int cmd_load(kdx_session *s, const char *cmd, const char *args)
{
    const char *p = kdx_skip_ws(args);
    size_t len = strcspn(p, " \t");
    if (!len)
        return kdx_cmd_syntax_error(s, cmd, args);
    const char *base;
    size_t n = dll_base_name(p, len, &base);
    if (kdx_command_extension_dll(base, n)) {
        kdx_print(s, "%.*s: nothing loaded; kdx runs no extension DLLs, and the commands it has of WinDbg's "
                     "extensions are built in (.chain)\n", (int)n, base);
        return 0;
    }
    kdx_print(s, "Cannot load extension DLL '%.*s': kdx runs no extension DLLs; its extension commands are "
                 "built in (.chain)\n", (int)len, p);
    return 1;
}

static int cmd_unload(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    kdx_print(s, "Nothing to unload: kdx loads no extension DLLs\n");
    return 0;
}

static size_t count_extension_commands(void)
{
    size_t n = 0;
    for (const kdx_command *const *fam = kdx_command_families; *fam; fam++)
        for (const kdx_command *c = *fam; c->name; c++)
            n += c->name[0] == '!' && c->name[1] != '!';
    return n;
}

static int cmd_chain(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    kdx_print(s, "Extension DLL search Path:\n    (none: kdx runs no extension DLLs)\n"
                 "Extension DLL chain:\n"
                 "    kdx: %zu extension commands built in; each also answers to its WinDbg DLL prefix "
                 "(!kdexts.locks, !ext.analyze). `.help` lists them.\n",
              count_extension_commands());
    return 0;
}

const kdx_command kdx_cmds_extensions[] = {
    {".load", cmd_load, "extension DLLs are built into kdx: says what .load DLL means here", 0},
    {".loadby", cmd_load, "the same as .load: DLL Module", 0},
    {".unload", cmd_unload, "nothing to unload: kdx loads no extension DLLs", 0},
    {".unloadall", cmd_unload, "the same as .unload", 0},
    {".chain", cmd_chain, "the extension commands built into kdx", 0},
    {0}};
