/* Windows error codes: Win32 errors, NTSTATUS and HRESULT values with their
 * names (tables generated at build time from mingw-w64's winerror.h and
 * ntstatus.h) and their message texts (from the [MS-ERREF] open
 * specification's tables, src/errors/data). Used by !error, !gle and
 * exception descriptions. */
#ifndef KDX_ERRORS_ERRORS_H
#define KDX_ERRORS_ERRORS_H

#include <stddef.h>
#include <stdint.h>

typedef struct kdx_error_entry {
    uint32_t value;
    const char *name;
} kdx_error_entry;

/* Generated tables (build/gen/error_tables.c); each ends with {0, NULL}.
 * winerror holds Win32 codes (< 0x10000) and HRESULTs. */
extern const kdx_error_entry kdx_winerror_table[];
extern const size_t kdx_winerror_count;
extern const kdx_error_entry kdx_ntstatus_table[];
extern const size_t kdx_ntstatus_count;

/* Message texts of [MS-ERREF] (build/gen/error_texts.c from src/errors/data),
 * each table sorted by value and ending with {0, NULL}. */
typedef struct kdx_error_text_entry {
    uint32_t value;
    const char *text;
} kdx_error_text_entry;
extern const kdx_error_text_entry kdx_win32_texts[];
extern const size_t kdx_win32_texts_count;
extern const kdx_error_text_entry kdx_ntstatus_texts[];
extern const size_t kdx_ntstatus_texts_count;
extern const kdx_error_text_entry kdx_hresult_texts[];
extern const size_t kdx_hresult_texts_count;

typedef enum kdx_errkind {
    KDX_ERRKIND_WIN32,
    KDX_ERRKIND_NTSTATUS,
    KDX_ERRKIND_HRESULT
} kdx_errkind;

const char *kdx_errkind_name(kdx_errkind k); /* "Win32", "NTSTATUS", "HRESULT" */

/* The symbolic name ("ERROR_FILE_NOT_FOUND"), or NULL when unknown. */
const char *kdx_error_name(kdx_errkind kind, uint32_t value);

/* Windows' message text for the code from [MS-ERREF] (an HRESULT wrapping a
 * Win32 error or an NTSTATUS gets that code's text), else the symbolic
 * name, else NULL. */
const char *kdx_error_text(kdx_errkind kind, uint32_t value);

/* How !error reads a bare value: Win32 below 0x10000, NTSTATUS when the
 * NTSTATUS table knows it (or it has the NTSTATUS customer/facility shape
 * and no HRESULT name), HRESULT otherwise. */
kdx_errkind kdx_error_classify(uint32_t value);

#endif
