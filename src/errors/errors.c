/* Error-code lookups over the generated tables, and the project's own
 * one-line explanations of the codes people meet most in crash dumps. */
#include "errors/errors.h"

#include <string.h>

#include "base/util.h"

const char *kdx_errkind_name(kdx_errkind k)
{
    switch (k) {
    case KDX_ERRKIND_WIN32: return "Win32";
    case KDX_ERRKIND_NTSTATUS: return "NTSTATUS";
    default: return "HRESULT";
    }
}

static const char *table_lookup(const kdx_error_entry *t, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == v)
            return t[i].name;
    return NULL;
}

const char *kdx_error_name(kdx_errkind kind, uint32_t value)
{
    if (kind == KDX_ERRKIND_NTSTATUS)
        return table_lookup(kdx_ntstatus_table, kdx_ntstatus_count, value);
    if (kind == KDX_ERRKIND_WIN32 && value >= 0x10000)
        return NULL;
    if (kind == KDX_ERRKIND_HRESULT && value < 0x10000 && value != 0 && value != 1)
        return NULL; /* S_OK and S_FALSE are the only small HRESULTs */
    return table_lookup(kdx_winerror_table, kdx_winerror_count, value);
}

/* Explanations written for kdx, keyed by kind and value. */
static const struct {
    kdx_errkind kind;
    uint32_t value;
    const char *text;
} explained[] = {
    {KDX_ERRKIND_WIN32, 0, "The operation succeeded."},
    {KDX_ERRKIND_WIN32, 1, "The function is not valid for this request."},
    {KDX_ERRKIND_WIN32, 2, "No file with that name was found."},
    {KDX_ERRKIND_WIN32, 3, "No such path was found."},
    {KDX_ERRKIND_WIN32, 4, "The process has no free file handles left."},
    {KDX_ERRKIND_WIN32, 5, "Access was denied."},
    {KDX_ERRKIND_WIN32, 6, "The handle is not valid."},
    {KDX_ERRKIND_WIN32, 8, "There was not enough memory (storage) to run the command."},
    {KDX_ERRKIND_WIN32, 14, "There was not enough memory (storage) to finish the operation."},
    {KDX_ERRKIND_WIN32, 32, "Another process is using the file, so it cannot be opened."},
    {KDX_ERRKIND_WIN32, 87, "A parameter was not valid."},
    {KDX_ERRKIND_WIN32, 122, "The buffer given to the system call is too small."},
    {KDX_ERRKIND_WIN32, 126, "The module was not found."},
    {KDX_ERRKIND_WIN32, 127, "The procedure was not found."},
    {KDX_ERRKIND_WIN32, 183, "The file already exists, so it cannot be created."},
    {KDX_ERRKIND_WIN32, 193, "The file is not a valid Win32 application."},
    {KDX_ERRKIND_WIN32, 203, "The environment variable was not found."},
    {KDX_ERRKIND_WIN32, 234, "More data is available."},
    {KDX_ERRKIND_WIN32, 258, "The wait timed out."},
    {KDX_ERRKIND_WIN32, 259, "There are no more data items."},
    {KDX_ERRKIND_WIN32, 487, "The address is not valid for this access."},
    {KDX_ERRKIND_WIN32, 998, "The memory location could not be accessed."},
    {KDX_ERRKIND_WIN32, 1114, "A DLL's initialization routine failed."},
    {KDX_ERRKIND_WIN32, 1168, "The element was not found."},
    {KDX_ERRKIND_WIN32, 1314, "The caller does not hold a privilege the operation needs."},
    {KDX_ERRKIND_WIN32, 1400, "The window handle is not valid."},
    {KDX_ERRKIND_WIN32, 1460, "The timeout period expired before the operation finished."},
    {KDX_ERRKIND_NTSTATUS, 0x00000000, "The operation succeeded."},
    {KDX_ERRKIND_NTSTATUS, 0x00000102, "The wait timed out."},
    {KDX_ERRKIND_NTSTATUS, 0x00000103, "The operation is still pending."},
    {KDX_ERRKIND_NTSTATUS, 0x80000002, "A guard page was touched (guard page violation)."},
    {KDX_ERRKIND_NTSTATUS, 0x80000003, "A breakpoint was reached."},
    {KDX_ERRKIND_NTSTATUS, 0x80000004, "A single step or trace operation finished."},
    {KDX_ERRKIND_NTSTATUS, 0x80000005, "The data was too large for the buffer (buffer overflow)."},
    {KDX_ERRKIND_NTSTATUS, 0x80000006, "There are no more files."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000005,
     "Access violation: the instruction referenced memory it may not read, write or execute."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000006, "A page of memory could not be read in (in-page error)."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000008, "The handle is not valid."},
    {KDX_ERRKIND_NTSTATUS, 0xC000000D, "A parameter passed to a service or function was not valid."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000017, "Not enough virtual memory or paging file quota was left."},
    {KDX_ERRKIND_NTSTATUS, 0xC000001D, "The thread tried to run an invalid instruction."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000022, "Access was denied."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000023, "The buffer is too small for the data."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000025, "The exception cannot be continued (noncontinuable)."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000026, "An invalid exception disposition was returned by a handler."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000034, "The object name was not found."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000035, "The object name already exists."},
    {KDX_ERRKIND_NTSTATUS, 0xC000008C, "An array was indexed out of its bounds."},
    {KDX_ERRKIND_NTSTATUS, 0xC000008E, "Floating-point division by zero."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000094, "Integer division by zero."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000095, "Integer overflow."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000096, "The thread ran a privileged instruction."},
    {KDX_ERRKIND_NTSTATUS, 0xC00000FD, "The thread used up its stack (stack overflow)."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000135, "A DLL the program needs was not found."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000139, "An entry point (exported procedure) was not found in a DLL."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000142, "A DLL failed to initialize."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000374, "The heap is corrupt."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000409,
     "The stack buffer overrun check failed (the /GS cookie or a fail-fast check)."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000417, "The C runtime was given an invalid parameter."},
    {KDX_ERRKIND_NTSTATUS, 0xC0000420, "An assertion failed."},
    {KDX_ERRKIND_HRESULT, 0x00000000, "The operation succeeded."},
    {KDX_ERRKIND_HRESULT, 0x00000001, "The operation succeeded with a false result."},
    {KDX_ERRKIND_HRESULT, 0x80004001, "The function is not implemented."},
    {KDX_ERRKIND_HRESULT, 0x80004002, "The object does not support the interface."},
    {KDX_ERRKIND_HRESULT, 0x80004003, "A pointer was not valid."},
    {KDX_ERRKIND_HRESULT, 0x80004004, "The operation was aborted."},
    {KDX_ERRKIND_HRESULT, 0x80004005, "The operation failed for an unspecified reason."},
    {KDX_ERRKIND_HRESULT, 0x8000FFFF, "A catastrophic (unexpected) failure happened."},
    {KDX_ERRKIND_HRESULT, 0x80040154, "The class is not registered."},
};

const char *kdx_error_text(kdx_errkind kind, uint32_t value)
{
    for (size_t i = 0; i < KDX_ARRAY_LEN(explained); i++)
        if (explained[i].kind == kind && explained[i].value == value)
            return explained[i].text;
    /* HRESULT_FROM_WIN32: facility 7 carries a Win32 code in its low word. */
    if (kind == KDX_ERRKIND_HRESULT && (value & 0xffff0000u) == 0x80070000u) {
        const char *w = kdx_error_text(KDX_ERRKIND_WIN32, value & 0xffff);
        if (w)
            return w;
    }
    /* HRESULT_FROM_NT: an NTSTATUS with the facility-NT bit (0x10000000) set. */
    if (kind == KDX_ERRKIND_HRESULT && (value & 0x10000000u) &&
        kdx_error_name(KDX_ERRKIND_NTSTATUS, value & ~0x10000000u))
        return kdx_error_text(KDX_ERRKIND_NTSTATUS, value & ~0x10000000u);
    return kdx_error_name(kind, value);
}

kdx_errkind kdx_error_classify(uint32_t value)
{
    if (value < 0x10000)
        return KDX_ERRKIND_WIN32;
    if (kdx_error_name(KDX_ERRKIND_NTSTATUS, value))
        return KDX_ERRKIND_NTSTATUS;
    if (kdx_error_name(KDX_ERRKIND_HRESULT, value))
        return KDX_ERRKIND_HRESULT;
    /* NTSTATUS sets bit 30 with severity error (0xC...); HRESULTs use 0x8.... */
    return (value >> 28) == 0xC ? KDX_ERRKIND_NTSTATUS : KDX_ERRKIND_HRESULT;
}
