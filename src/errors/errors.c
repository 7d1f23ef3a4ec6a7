/* Error-code lookups over the generated tables: names from mingw-w64's
 * headers, message texts from [MS-ERREF]. */
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

/* Binary search of a generated text table (sorted by value). */
static const char *text_lookup(const kdx_error_text_entry *t, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].value == v)
            return t[mid].text;
        if (t[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const char *ms_erref_text(kdx_errkind kind, uint32_t value)
{
    switch (kind) {
    case KDX_ERRKIND_WIN32: return text_lookup(kdx_win32_texts, kdx_win32_texts_count, value);
    case KDX_ERRKIND_NTSTATUS: return text_lookup(kdx_ntstatus_texts, kdx_ntstatus_texts_count, value);
    default: return text_lookup(kdx_hresult_texts, kdx_hresult_texts_count, value);
    }
}

const char *kdx_error_text(kdx_errkind kind, uint32_t value)
{
    const char *text = ms_erref_text(kind, value);
    if (text)
        return text;
    /* HRESULT_FROM_WIN32: facility 7 carries a Win32 code in its low word. */
    if (kind == KDX_ERRKIND_HRESULT && (value & 0xffff0000u) == 0x80070000u &&
        (text = ms_erref_text(KDX_ERRKIND_WIN32, value & 0xffff)))
        return text;
    /* HRESULT_FROM_NT: an NTSTATUS with the facility-NT bit (0x10000000) set. */
    if (kind == KDX_ERRKIND_HRESULT && (value & 0x10000000u) &&
        (text = ms_erref_text(KDX_ERRKIND_NTSTATUS, value & ~0x10000000u)))
        return text;
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
