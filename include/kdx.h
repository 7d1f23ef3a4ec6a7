/*
 * kdx.h -- the public C API of libkdx, a Windows crash-dump debugger for Linux.
 *
 * This is the only header a program embedding kdx needs. Link with
 * `pkg-config --cflags --libs kdx` (shared, libkdx.so.1) or
 * `pkg-config --static --cflags --libs kdx` (libkdx.a).
 *
 * Conventions
 * -----------
 *  - Every name starts with `kdx_` (functions, types) or `KDX_` (constants).
 *  - Handles are opaque: a `kdx_dbg` is one opened file (dump, PE image, PDB
 *    or ISF symbol table) with its debugger state: symbol path, current
 *    thread/processor, settings. A handle is used by one thread at a time;
 *    different handles may be used from different threads.
 *  - Functions that can fail return a `kdx_status`. On failure the calling
 *    thread's last error (`kdx_last_error()`) holds a message that names what
 *    failed (file, structure, offset, field), as the CLI would print it.
 *  - Strings returned through `char **` are allocated by libkdx; release them
 *    with `kdx_free()`. `const char *` fields of the structures filled by the
 *    typed calls point into the handle and stay valid until `kdx_close()`.
 *  - Missing memory is never returned as zeros: reads fail with
 *    KDX_E_MEM_MISSING (not in the dump) or KDX_E_MEM_INVALID (the page
 *    table entry is not valid) and report how many bytes were read first.
 *
 * Example
 * -------
 *     kdx_open_options o;
 *     kdx_open_options_init(&o);
 *     o.sympath = "/var/cache/symbols"; (any .sympath text: stores, srv, cache)
 *     kdx_dbg *d;
 *     if (kdx_open(&d, "MEMORY.DMP", &o) != KDX_OK) {
 *         fprintf(stderr, "%s\n", kdx_last_error());
 *         return 1;
 *     }
 *     char *text;
 *     if (kdx_run_capture(d, "!analyze -v", 0, &text) == KDX_OK) {
 *         fputs(text, stdout);
 *         kdx_free(text);
 *     }
 *     kdx_close(d);
 */
#ifndef KDX_H
#define KDX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ----------------------------------------------------------- */

#define KDX_VERSION_MAJOR 0
#define KDX_VERSION_MINOR 16
#define KDX_VERSION_PATCH 0
#define KDX_VERSION_STRING "0.16.0"
/* The soname's number: it changes when the ABI of this header breaks. */
#define KDX_SOVERSION 1

/* The library's version string ("0.16.0"); may differ from the header's
 * KDX_VERSION_STRING when a program runs against a newer libkdx.so.1. */
const char *kdx_version(void);

/* ---- Status codes and errors ------------------------------------------- */

/* The values are part of the ABI; libkdx's own sources use this enum too
 * (src/base/err.h includes this header). */
typedef enum kdx_status {
    KDX_OK = 0,
    KDX_E_NOMEM,        /* allocation failed */
    KDX_E_IO,           /* open/read/mmap failed */
    KDX_E_FORMAT,       /* a structure in a file is corrupt or unsupported */
    KDX_E_TRUNCATED,    /* a structure extends past the end of its file */
    KDX_E_NOT_FOUND,    /* symbol, type, module, field... not found */
    KDX_E_UNSUPPORTED,  /* valid request this target or build cannot do */
    KDX_E_ARG,          /* bad argument */
    KDX_E_SYNTAX,       /* expression or command syntax error */
    KDX_E_MEM_MISSING,  /* memory is not present in the dump */
    KDX_E_MEM_INVALID,  /* translation hit a not-valid (software) PTE */
    KDX_E_NO_SYMBOLS,   /* the operation needs symbols that are not loaded */
    KDX_E_NET,          /* network / symbol-server failure */
    KDX_E_LIMIT,        /* loop, recursion or size limit hit */
    KDX_E_INTERRUPTED   /* stopped by kdx_cancel_request() (Ctrl-C) */
} kdx_status;

/* The message of the last failure on the calling thread ("" when none). */
const char *kdx_last_error(void);
/* A short description of the code: "memory not in dump". */
const char *kdx_status_str(kdx_status code);
/* Frees a string or buffer libkdx returned. */
void kdx_free(void *p);

/* ---- Opening files ----------------------------------------------------- */

typedef struct kdx_dbg kdx_dbg;

#define KDX_OPEN_OPTIONS_VERSION 1

typedef struct kdx_open_options {
    unsigned version;          /* KDX_OPEN_OPTIONS_VERSION */
    const char *sympath;       /* symbol path (.sympath syntax); NULL: _NT_SYMBOL_PATH */
    const char *imagepath;     /* image search path (.exepath); NULL: none */
    FILE *out;                 /* where kdx_run() prints; NULL: discarded */
    int json_document;         /* nonzero: kdx_run() output is one JSON array on out,
                                * an element per command, closed by kdx_close() */
} kdx_open_options;

/* Fills o with the defaults (every field 0/NULL, the version set). */
void kdx_open_options_init(kdx_open_options *o);

/* A debugger with no file open yet: for commands that need none (`?`,
 * `.formats`) and to open one later with kdx_load(). opts may be NULL. */
kdx_status kdx_create(kdx_dbg **out, const kdx_open_options *opts);
/* Opens a dump (kernel or user, any format kdx reads), a PE image, a PDB or
 * an ISF symbol table, detected from its content. opts may be NULL. */
kdx_status kdx_open(kdx_dbg **out, const char *path, const kdx_open_options *opts);
/* Opens path in an existing handle, closing the file it had. In a JSON
 * document, a failure also becomes the document's element that says so. */
kdx_status kdx_load(kdx_dbg *d, const char *path);
/* Closes the file and frees everything; ends the JSON document. NULL is fine. */
void kdx_close(kdx_dbg *d);

/* ---- Running WinDbg commands ------------------------------------------- */

/* Runs one input line (commands separated by ';', as typed at the kd
 * prompt), printing to the handle's output stream. KDX_E_SYNTAX-like codes
 * are not used here: a command that fails prints its error and the line
 * goes on; the return is KDX_E_ARG when any command failed,
 * KDX_E_INTERRUPTED when kdx_cancel_request() stopped it (after printing
 * "*** Interrupted"), else KDX_OK. */
kdx_status kdx_run(kdx_dbg *d, const char *line);

enum {
    KDX_RUN_JSON = 1 << 0  /* capture: a JSON array, an element per command (docs/cli.md) */
};
/* Same, returning the output in *text (free with kdx_free) instead of
 * printing it. With KDX_RUN_JSON the text is a JSON document. */
kdx_status kdx_run_capture(kdx_dbg *d, const char *line, unsigned flags, char **text);

/* Batch transcripts: print "PROMPT command" before each command, as cdb -c does. */
void kdx_set_echo(kdx_dbg *d, int on);
/* Nonzero once `q` ran. */
int kdx_quit_requested(const kdx_dbg *d);
/* The prompt WinDbg would show ("0: kd> ", "0:000> "), NUL-terminated. */
void kdx_prompt(kdx_dbg *d, char *buf, size_t len);
/* What an empty line at the prompt repeats after `last` (free with kdx_free). */
char *kdx_repeat_command(const char *last);

/* The command registry: name and one-line summary of command i (NULL past
 * the end), for completion and help. */
const char *kdx_command_name(size_t i);
const char *kdx_command_summary(size_t i);

/* ---- Cancellation (Ctrl-C) --------------------------------------------- */

/* Asks every running command in the process to stop (async-signal-safe:
 * call it from a SIGINT handler). Long loops poll it and stop. */
void kdx_cancel_request(void);
/* Nonzero from a request until kdx_cancel_clear(). */
int kdx_cancel_pending(void);
/* Requests since the last clear. */
int kdx_cancel_count(void);
void kdx_cancel_clear(void);

/* ---- Progress of long work --------------------------------------------- */

/* Called during `kdx triage` (task "triage", unit "dumps"), symbol downloads
 * (task: the URL, unit "bytes"), `.reload /f` ("modules") and `s` scans
 * ("bytes"); total 0 when unknown. At most ten calls a second, plus the last
 * of each task (done == total). libkdx never draws progress itself. */
typedef void (*kdx_progress_callback)(void *user, const char *task, uint64_t done, uint64_t total,
                                      const char *unit);
/* One callback per process; NULL removes it. */
void kdx_set_progress_callback(kdx_progress_callback cb, void *user);

/* ---- Typed queries ----------------------------------------------------- */

typedef struct kdx_sysinfo {
    const char *format;        /* "Kernel triage dump", "User mini dump", ... */
    const char *arch;          /* "x64", "x86", "arm64" */
    int pointer_size;          /* 4 or 8 */
    int kernel;                /* 1 kernel dump, 0 otherwise */
    uint32_t os_major, os_minor, build;
    uint32_t processors;
    uint64_t dump_time;        /* FILETIME (100 ns since 1601), 0 unknown */
    uint32_t bugcheck_code;    /* kernel dumps */
    uint64_t bugcheck_args[4];
    uint32_t exception_code;   /* the dump's exception, 0 when none */
    uint64_t exception_address;
    unsigned contexts;         /* threads (user) or processors (kernel) */
    unsigned current_context;  /* the one kdx starts in (crashing thread/processor) */
} kdx_sysinfo;

kdx_status kdx_get_sysinfo(kdx_dbg *d, kdx_sysinfo *out);

typedef struct kdx_module_entry {
    const char *name;          /* WinDbg module name: "nt", "amdppm" */
    const char *image_name;    /* "ntoskrnl.exe" */
    uint64_t base, size;
    uint32_t timestamp, checksum;
    int unloaded;
} kdx_module_entry;

size_t kdx_module_count(kdx_dbg *d);
kdx_status kdx_module_get(kdx_dbg *d, size_t i, kdx_module_entry *out);

typedef struct kdx_thread_entry {
    unsigned index;            /* what `~N s` / `~Ns` takes */
    uint32_t id;               /* thread id (user), processor number (kernel) */
    uint64_t teb;              /* user dumps */
    uint64_t thread, process;  /* kernel dumps: KTHREAD and EPROCESS running there */
    uint64_t ip, sp;           /* from its register context, 0 when unknown */
} kdx_thread_entry;

/* Threads of a user dump, processors of a kernel dump. */
size_t kdx_thread_count(kdx_dbg *d);
kdx_status kdx_thread_get(kdx_dbg *d, size_t i, kdx_thread_entry *out);
/* Makes thread/processor i current (`~Ns`), for registers and stacks. */
kdx_status kdx_set_thread(kdx_dbg *d, unsigned index);

/* A register of the context in scope ("rip", "eax", "x19"). */
kdx_status kdx_register_value(kdx_dbg *d, const char *name, uint64_t *value);

/* Reads n bytes; on a gap returns the error and *done (may be NULL) says
 * how many bytes were read before it. */
kdx_status kdx_read_virtual(kdx_dbg *d, uint64_t addr, void *buf, size_t n, size_t *done);
kdx_status kdx_read_physical(kdx_dbg *d, uint64_t addr, void *buf, size_t n, size_t *done);

/* "nt!KeBugCheckEx+0x10", "amdppm+0x334c": the symbol naming addr (free
 * with kdx_free). KDX_E_NOT_FOUND when addr is in no module. */
kdx_status kdx_symbol_from_address(kdx_dbg *d, uint64_t addr, char **name, uint64_t *displacement);
/* A MASM expression's value: "nt!KeBugCheckEx", "@rsp+8", "poi(x)". */
kdx_status kdx_evaluate(kdx_dbg *d, const char *expr, uint64_t *value);

/* Reads a field by path from a structure at addr through the loaded types:
 * kdx_field_read(d, "nt!_KTHREAD", t, "ApcState.Process", &v). Fields up to
 * 8 bytes; larger ones through kdx_field_info() and kdx_read_virtual(). */
kdx_status kdx_field_read(kdx_dbg *d, const char *type, uint64_t addr, const char *field, uint64_t *value);
/* Offset and size in bytes of a field (by path) in a type. */
kdx_status kdx_field_info(kdx_dbg *d, const char *type, const char *field, uint64_t *offset, uint64_t *size);
kdx_status kdx_type_size(kdx_dbg *d, const char *type, uint64_t *size);

typedef struct kdx_frame_entry {
    unsigned index;
    uint64_t ip, sp, return_address;
    const char *trust;         /* "context", "cfi", "frame_pointer", "scan" */
    char symbol[256];          /* "amdppm!WriteIoMemRawEx+0x70" or the address */
} kdx_frame_entry;

/* The stack of the context in scope, up to max frames into frames[];
 * *count receives how many were written. */
kdx_status kdx_stack_frames(kdx_dbg *d, kdx_frame_entry *frames, size_t max, size_t *count);

/* `!analyze -v` as one JSON object (schema kdx.analyze/1, docs/analyze-json.md). */
kdx_status kdx_analyze_json(kdx_dbg *d, char **json);

/* ---- Fleet triage ------------------------------------------------------ */

typedef struct kdx_triage_settings {
    const char *const *paths;  /* files or directories (searched recursively) */
    int npaths;
    int jobs;                  /* parallel analyses; <= 0: online CPUs */
    int json;                  /* JSON lines and a JSON summary */
    const char *sympath;       /* NULL: _NT_SYMBOL_PATH */
    unsigned timeout_seconds;  /* per dump; 0: 120 */
    const char *html_path;     /* also write a self-contained HTML report there; NULL: none */
} kdx_triage_settings;

/* `kdx triage`: each dump analyzed in its own process; one line per dump,
 * then the bucket summary, on out. Returns the number of dumps that could
 * not be analyzed; -1 when the HTML report could not be written (the
 * reason is on stderr). */
int kdx_triage(const kdx_triage_settings *t, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
