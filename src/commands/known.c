/* Names of WinDbg commands that kdx does not have (yet). The dispatcher
 * consults this list only when no registered handler matches, so a command
 * another family implements later simply wins; until then the user reads
 * "!locks: not implemented in kdx yet" instead of WinDbg's "No export" or a
 * syntax error, which would suggest a typo. The names are those of
 * Microsoft's debugger reference (Debugger Commands, Meta-Commands,
 * Extension Commands); see docs/cli.md. */
#include <ctype.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"

static const char *const known_plain[] = {
    "ad", "ah", "al", "as", "aS", "ba", "bc", "bd", "be", "bl", "bm", "bp", "br", "bs", "bsc", "bu",
    "c", "dg", "dl", "dt", "dtx", "dv", "dx", "e", "f", "fp", "g", "gc", "gh", "gn", "gN", "gu",
    "ib", "id", "iw", "j", "l", "ld", "lm", "ln", "ls", "lsa", "lsc", "lse", "lsf", "lsp", "m",
    "n", "ob", "od", "ow", "p", "pa", "pc", "pct", "ph", "pt", "q", "qd", "qq", "r", "rdmsr", "rm",
    "s", "so", "sq", "ss", "sx", "sxd", "sxe", "sxi", "sxn", "sxr", "t", "ta", "tb", "tc", "tct",
    "th", "tt", "u", "ub", "uf", "up", "ur", "ux", "vercommand", "version", "vertarget", "wrmsr",
    "wt", "x", "z", NULL};

static const char *const known_dot[] = {
    "allow_exec_cmds", "allow_image_mapping", "apply_dbp", "asm", "attach", "bpcmds",
    "bpsync", "breakin", "browse", "cache", "call", 
    "childdbg", "clients", "closehandle", "cls", "context", "copysym", "cordll",
    "crash", "create", "createdir", "dbgdbg", "detach", "dml_flow", "dml_start",
    "drivers", "dump", "dumpcab", "dvalloc", "dvfree", "echotime", "echotimestamps",
    "effmach", "enable_long_status", "enable_unicode", "endpsrv",
    "endsrv", "enumtag", "event_code", "eventlog", "excr", "exptr",
    "extmatch", "extpath", "fiber", "fiximports", "flash_on_break", "fnret",
    "force_radix_output", "force_tb", "fpo",
    "hideinjectedcode", "holdmem", "idle_cmd", "imgscan",
    "jdinfo", "kdfiles", "kframes", "kill", "lines", 
    "locale", "netuse", "noversion",
    "ofilter", "open", "opendump", "outmask", "pagein", "pcmd", "pop", "prefer_dml",
    "prompt_allow", "push", "quit_lock", "readmem", "reboot", "record_branches",
    "remote", "remote_exit", "restart", "rrestart", "scroll_prefs", "secure",
    "send_file", "server", "servers", "setdll", "show_read_failures",
    "show_sym_failures", "sleep", "sound_notify", "srcfix", "srcnoisy", "srcpath", "step_filter",
    "symopt", "tlist", "typeopt",
    "urestart", "wake", "write_cmd_hist", "writemem", "wtitle",
    NULL};

static const char *const known_bang[] = {
    "acl", "ahcache", "arbiter", "atom", "avrf", "bcb", "blockeddrv",
    "bpid", "bugdump", "ca", "calldata", "can_write_kdump", "cbreg", "chkimg", "cmreslist",
    "cpuid", "critsec", "cs", "dbgprint", "dblink", "deadlock", "defwrites", "devext",
    "devhandles", "dflink", "dh", "diskspace", "dlls",
    "dml_proc", "drivers", "dskheap", "envvar", "errlog", "errpkt",
    "exca", "exchain", "exrlog", "filecache", "filelock", "findfilelockowner",
    "findthreads", "for_each_frame", "for_each_function", "for_each_local",
    "fpsearch", "frag", "fwver", "fxdevice", "gentable", "gflag",
    "heap", "help", "hidppd", "htrace", "ib", "idt", "ih", "imgreloc", "ioresdes",
    "ioreslist", "iovirp", "ipi", "irpzone", "isainfo", "job", "kuser",
    "lookaside", "lpc", "mapped_file", "memusage", "mps", "mtrr", "mui", "npx",
    "ob", "obja", "openmaps", "pat", "pci", "pciir", "pcitree", "pcm", "pcrs",
    "pfn", "pnpevent", "pocaps", "popolicy", 
    "poolval", "powertriage", "processfields", "processirps",
    "pte2va", "ptov", "qlocks", "reg", "ruleinfo", "scm", "sd", "search",
    "searchpte", "sel", "sid", "slist", "smt", "sprocess", "srb", "swd",
    "sysinfo", "sysptes", "threadfields", "token", "tokenfields", "tp",
    "trap", "tz", "tzinfo", "ubc", "ubd", "ube", "ubl", "ubp", "urb", "usbanalyze", "vad",
    "vad_reload", "validatelist", "vpb", "vpdd", "vprot", "whea",
    "wsle", "zombies",NULL};

/* Debugger extension DLLs whose commands are written !dll.command. */
static const char *const known_extension_dlls[] = {
    "acpikd", "afdkd", "ext", "exts", "fltkd", "gpiokd", "hidkd", "kdexts", "kdextx86", "logexts",
    "minipkd", "ndiskd", "ntsdexts", "rcdrkd", "scsikd", "sos", "storagekd", "uext", "usb3kd", "usbkd",
    "wdfkd", "wmitrace", "wow64exts", NULL};

static bool in_list(const char *const *list, const char *word, size_t len, bool case_sensitive)
{
    for (; *list; list++) {
        if (strlen(*list) != len)
            continue;
        if (case_sensitive ? !strncmp(*list, word, len) : !kdx_strncasecmp(*list, word, len))
            return true;
    }
    return false;
}

bool kdx_command_extension_dll(const char *name, size_t len)
{
    return in_list(known_extension_dlls, name, len, false);
}

/* "!name" or "!dll.name": a command of a known extension DLL counts as known. */
static bool known_bang_word(const char *word, size_t len)
{
    const char *dot = memchr(word, '.', len);
    if (!dot)
        return in_list(known_bang, word, len, false);
    return in_list(known_extension_dlls, word, (size_t)(dot - word), false);
}

bool kdx_command_known_windbg_listed(const char *name)
{
    size_t len = strlen(name + 1);
    if (name[0] == '!')
        return !memchr(name + 1, '.', len) && in_list(known_bang, name + 1, len, false);
    return name[0] == '.' && in_list(known_dot, name + 1, len, false);
}

size_t kdx_command_known_windbg(const char *text)
{
    size_t len = 0;
    if (text[0] == '!' || text[0] == '.') {
        while (text[1 + len] && !isspace((unsigned char)text[1 + len]) && text[1 + len] != ';')
            len++;
        if (!len)
            return 0;
        bool known = text[0] == '!' ? known_bang_word(text + 1, len)
                                    : in_list(known_dot, text + 1, len, false);
        return known ? len + 1 : 0;
    }
    while (isalpha((unsigned char)text[len]))
        len++;
    if (!len || isdigit((unsigned char)text[len]) || text[len] == '_')
        return 0;
    /* gN and aS differ from gn and as only by case. */
    if (in_list(known_plain, text, len, true) || in_list(known_plain, text, len, false))
        return len;
    return 0;
}
