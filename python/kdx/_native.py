"""ctypes declarations of libkdx's public C API (include/kdx.h).

The structures mirror kdx.h field for field; kdx.h is the reference. The
library is found, in order: $KDX_LIBRARY; a libkdx.so.1 bundled in this
package (pip install with a built tree); ../../build/libkdx.so.1 when the
package is imported from a kdx source tree; the system loader (make install).
"""
import ctypes
import os

SOVERSION = 1


class OpenOptions(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("sympath", ctypes.c_char_p),
        ("imagepath", ctypes.c_char_p),
        ("out", ctypes.c_void_p),
        ("json_document", ctypes.c_int),
    ]


class SysInfo(ctypes.Structure):
    _fields_ = [
        ("format", ctypes.c_char_p),
        ("arch", ctypes.c_char_p),
        ("pointer_size", ctypes.c_int),
        ("kernel", ctypes.c_int),
        ("os_major", ctypes.c_uint32),
        ("os_minor", ctypes.c_uint32),
        ("build", ctypes.c_uint32),
        ("processors", ctypes.c_uint32),
        ("dump_time", ctypes.c_uint64),
        ("bugcheck_code", ctypes.c_uint32),
        ("bugcheck_args", ctypes.c_uint64 * 4),
        ("exception_code", ctypes.c_uint32),
        ("exception_address", ctypes.c_uint64),
        ("contexts", ctypes.c_uint),
        ("current_context", ctypes.c_uint),
    ]


class ModuleEntry(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("image_name", ctypes.c_char_p),
        ("base", ctypes.c_uint64),
        ("size", ctypes.c_uint64),
        ("timestamp", ctypes.c_uint32),
        ("checksum", ctypes.c_uint32),
        ("unloaded", ctypes.c_int),
    ]


class ThreadEntry(ctypes.Structure):
    _fields_ = [
        ("index", ctypes.c_uint),
        ("id", ctypes.c_uint32),
        ("teb", ctypes.c_uint64),
        ("thread", ctypes.c_uint64),
        ("process", ctypes.c_uint64),
        ("ip", ctypes.c_uint64),
        ("sp", ctypes.c_uint64),
    ]


class FrameEntry(ctypes.Structure):
    _fields_ = [
        ("index", ctypes.c_uint),
        ("ip", ctypes.c_uint64),
        ("sp", ctypes.c_uint64),
        ("return_address", ctypes.c_uint64),
        ("trust", ctypes.c_char_p),
        ("symbol", ctypes.c_char * 256),
    ]


class TriageSettings(ctypes.Structure):
    _fields_ = [
        ("paths", ctypes.POINTER(ctypes.c_char_p)),
        ("npaths", ctypes.c_int),
        ("jobs", ctypes.c_int),
        ("json", ctypes.c_int),
        ("sympath", ctypes.c_char_p),
        ("timeout_seconds", ctypes.c_uint),
        ("html_path", ctypes.c_char_p),
    ]


RUN_JSON = 1

_P = ctypes.c_void_p
_U64 = ctypes.c_uint64
_PU64 = ctypes.POINTER(ctypes.c_uint64)
_PSIZE = ctypes.POINTER(ctypes.c_size_t)
_PCHAR = ctypes.POINTER(ctypes.c_char)

# name: (restype, argtypes)
_SIGNATURES = {
    "kdx_version": (ctypes.c_char_p, []),
    "kdx_last_error": (ctypes.c_char_p, []),
    "kdx_status_str": (ctypes.c_char_p, [ctypes.c_int]),
    "kdx_free": (None, [_P]),
    "kdx_open_options_init": (None, [ctypes.POINTER(OpenOptions)]),
    "kdx_create": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.POINTER(OpenOptions)]),
    "kdx_open": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.c_char_p, ctypes.POINTER(OpenOptions)]),
    "kdx_close": (None, [_P]),
    "kdx_run_capture": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(_PCHAR)]),
    "kdx_get_sysinfo": (ctypes.c_int, [_P, ctypes.POINTER(SysInfo)]),
    "kdx_module_count": (ctypes.c_size_t, [_P]),
    "kdx_module_get": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(ModuleEntry)]),
    "kdx_thread_count": (ctypes.c_size_t, [_P]),
    "kdx_thread_get": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(ThreadEntry)]),
    "kdx_set_thread": (ctypes.c_int, [_P, ctypes.c_uint]),
    "kdx_register_value": (ctypes.c_int, [_P, ctypes.c_char_p, _PU64]),
    "kdx_read_virtual": (ctypes.c_int, [_P, _U64, _P, ctypes.c_size_t, _PSIZE]),
    "kdx_read_physical": (ctypes.c_int, [_P, _U64, _P, ctypes.c_size_t, _PSIZE]),
    "kdx_symbol_from_address": (ctypes.c_int, [_P, _U64, ctypes.POINTER(_PCHAR), _PU64]),
    "kdx_evaluate": (ctypes.c_int, [_P, ctypes.c_char_p, _PU64]),
    "kdx_field_read": (ctypes.c_int, [_P, ctypes.c_char_p, _U64, ctypes.c_char_p, _PU64]),
    "kdx_field_info": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_char_p, _PU64, _PU64]),
    "kdx_type_size": (ctypes.c_int, [_P, ctypes.c_char_p, _PU64]),
    "kdx_stack_frames": (ctypes.c_int, [_P, ctypes.POINTER(FrameEntry), ctypes.c_size_t, _PSIZE]),
    "kdx_analyze_json": (ctypes.c_int, [_P, ctypes.POINTER(_PCHAR)]),
    "kdx_triage": (ctypes.c_int, [ctypes.POINTER(TriageSettings), _P]),
    "kdx_cancel_request": (None, []),
    "kdx_cancel_clear": (None, []),
}


def _candidates():
    env = os.environ.get("KDX_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "libkdx.so.%d" % SOVERSION)
    yield os.path.join(here, "..", "..", "build", "libkdx.so.%d" % SOVERSION)
    yield "libkdx.so.%d" % SOVERSION


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append("%s (absent)" % path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        return lib
    raise ImportError("kdx: cannot load libkdx.so.%d; tried: %s. Set KDX_LIBRARY to its path, "
                      "or run `make install` (then ldconfig)." % (SOVERSION, "; ".join(tried)))


lib = _load()


def take_string(ptr):
    """A char* libkdx allocated, as str (freed here)."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        lib.kdx_free(ptr)
