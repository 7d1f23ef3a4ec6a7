"""kdx: Windows crash dumps from Python, over libkdx's C API (ctypes).

    import kdx
    with kdx.open("MEMORY.DMP", sympath="/srv/symbols") as d:
        print(d.analyze()["MODULE_NAME"])
        for m in d.modules:
            print(m.name, hex(m.base))
        print(d.run("k"))

Errors raise KdxError (or a subclass naming the case: MemoryMissing,
NotFound, Interrupted); a closed dump raises DumpClosed.
"""
import collections
import ctypes
import json as _json

from . import _native
from ._native import lib

__all__ = ["open", "cancel", "clear_cancel", "Dump", "KdxError", "MemoryMissing", "NotFound", "Interrupted",
           "DumpClosed", "Module", "Thread", "Frame", "version"]

# Status codes of kdx.h (kdx_status).
OK, E_NOMEM, E_IO, E_FORMAT, E_TRUNCATED, E_NOT_FOUND, E_UNSUPPORTED, E_ARG, E_SYNTAX, \
    E_MEM_MISSING, E_MEM_INVALID, E_NO_SYMBOLS, E_NET, E_LIMIT, E_INTERRUPTED = range(15)


class KdxError(Exception):
    """A libkdx call failed: .code (kdx_status), .status (its description), message."""

    def __init__(self, code, message):
        self.code = code
        self.status = lib.kdx_status_str(code).decode()
        super().__init__("%s (%s)" % (message, self.status))


class NotFound(KdxError, LookupError):
    """No such symbol, type, field, module or register."""


class MemoryMissing(KdxError):
    """The memory is not in the dump (or its PTE is not valid). .done: bytes
    read before the gap; .data: those bytes."""
    done = 0
    data = b""


class Interrupted(KdxError):
    """kdx.cancel() (or Ctrl-C in a host that forwards it) stopped the command."""


class DumpClosed(ValueError):
    """The dump was closed: no call can use it any more."""


_ERRORS = {E_NOT_FOUND: NotFound, E_MEM_MISSING: MemoryMissing, E_MEM_INVALID: MemoryMissing,
           E_INTERRUPTED: Interrupted}


def _error(code):
    msg = lib.kdx_last_error().decode("utf-8", "replace")
    return _ERRORS.get(code, KdxError)(code, msg)


def _check(code):
    if code != OK:
        raise _error(code)


def _b(text):
    return None if text is None else text.encode()


def version():
    """libkdx's version ("0.16.0")."""
    return lib.kdx_version().decode()


def cancel():
    """Asks running commands to stop (safe from a signal handler); they
    raise Interrupted until clear_cancel()."""
    lib.kdx_cancel_request()


def clear_cancel():
    lib.kdx_cancel_clear()


Module = collections.namedtuple("Module", "name image_name base size timestamp checksum unloaded")
Thread = collections.namedtuple("Thread", "index id teb thread process ip sp")
Frame = collections.namedtuple("Frame", "index ip sp return_address trust symbol")


class Dump:
    """One opened file (dump, image, PDB or ISF) and its debugger state."""

    def __init__(self, path, sympath=None, imagepath=None):
        opts = _native.OpenOptions()
        lib.kdx_open_options_init(ctypes.byref(opts))
        opts.sympath = _b(sympath)
        opts.imagepath = _b(imagepath)
        handle = ctypes.c_void_p()
        _check(lib.kdx_open(ctypes.byref(handle), _b(str(path)), ctypes.byref(opts)))
        self._h = handle
        self.path = str(path)

    # ---- lifetime ----
    def close(self):
        """Frees everything; further calls raise DumpClosed. Idempotent."""
        if self._h:
            lib.kdx_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        if getattr(self, "_h", None):
            self.close()

    def _handle(self):
        if not self._h:
            raise DumpClosed("kdx: %s is closed" % self.path)
        return self._h

    # ---- commands ----
    def run(self, command):
        """Runs WinDbg command(s) (';'-separated); returns their text. A
        failing command's error is part of the text, as at the prompt."""
        out = ctypes.POINTER(ctypes.c_char)()
        code = lib.kdx_run_capture(self._handle(), _b(command), 0, ctypes.byref(out))
        text = _native.take_string(out) or ""
        if code not in (OK, E_ARG):
            raise _error(code)
        return text

    def run_json(self, command):
        """The --json document of the command(s): a list, an element per command."""
        out = ctypes.POINTER(ctypes.c_char)()
        code = lib.kdx_run_capture(self._handle(), _b(command), _native.RUN_JSON, ctypes.byref(out))
        text = _native.take_string(out)
        if code not in (OK, E_ARG):
            raise _error(code)
        return _json.loads(text)

    def analyze(self):
        """`!analyze -v` as a dict (schema kdx.analyze/1, docs/analyze-json.md)."""
        out = ctypes.POINTER(ctypes.c_char)()
        _check(lib.kdx_analyze_json(self._handle(), ctypes.byref(out)))
        return _json.loads(_native.take_string(out))

    # ---- typed queries ----
    @property
    def info(self):
        """System and dump facts as a dict."""
        si = _native.SysInfo()
        _check(lib.kdx_get_sysinfo(self._handle(), ctypes.byref(si)))
        d = {name: getattr(si, name) for name, _ in si._fields_}
        d["format"] = si.format.decode()
        d["arch"] = si.arch.decode()
        d["bugcheck_args"] = list(si.bugcheck_args)
        return d

    def iter_modules(self):
        h = self._handle()
        m = _native.ModuleEntry()
        for i in range(lib.kdx_module_count(h)):
            _check(lib.kdx_module_get(self._handle(), i, ctypes.byref(m)))
            yield Module(m.name.decode(), m.image_name.decode(), m.base, m.size, m.timestamp,
                         m.checksum, bool(m.unloaded))

    @property
    def modules(self):
        return list(self.iter_modules())

    def iter_threads(self):
        h = self._handle()
        t = _native.ThreadEntry()
        for i in range(lib.kdx_thread_count(h)):
            _check(lib.kdx_thread_get(self._handle(), i, ctypes.byref(t)))
            yield Thread(t.index, t.id, t.teb, t.thread, t.process, t.ip, t.sp)

    @property
    def threads(self):
        """Threads of a user dump, processors of a kernel dump."""
        return list(self.iter_threads())

    def set_thread(self, index):
        _check(lib.kdx_set_thread(self._handle(), index))

    def register(self, name):
        v = ctypes.c_uint64()
        _check(lib.kdx_register_value(self._handle(), _b(name), ctypes.byref(v)))
        return v.value

    def _read(self, fn, addr, n):
        buf = ctypes.create_string_buffer(n)
        done = ctypes.c_size_t(0)
        code = fn(self._handle(), addr, buf, n, ctypes.byref(done))
        if code != OK:
            err = _error(code)
            err.done = done.value
            err.data = buf.raw[:done.value]
            raise err
        return buf.raw

    def read(self, addr, n):
        """n bytes of virtual memory; MemoryMissing (with .done, .data) on a gap."""
        return self._read(lib.kdx_read_virtual, addr, n)

    def read_physical(self, addr, n):
        return self._read(lib.kdx_read_physical, addr, n)

    def symbol(self, addr):
        """"nt!KeBugCheckEx+0x10" for an address; NotFound outside every module."""
        out = ctypes.POINTER(ctypes.c_char)()
        disp = ctypes.c_uint64()
        _check(lib.kdx_symbol_from_address(self._handle(), addr, ctypes.byref(out), ctypes.byref(disp)))
        return _native.take_string(out)

    def evaluate(self, expr):
        """A MASM expression's value: "nt!KeBugCheckEx", "@rsp+8", "poi(x)"."""
        v = ctypes.c_uint64()
        _check(lib.kdx_evaluate(self._handle(), _b(expr), ctypes.byref(v)))
        return v.value

    address = evaluate

    def field_info(self, type_name, field):
        """(offset, size) of a field path in a type."""
        off, size = ctypes.c_uint64(), ctypes.c_uint64()
        _check(lib.kdx_field_info(self._handle(), _b(type_name), _b(field), ctypes.byref(off),
                                  ctypes.byref(size)))
        return off.value, size.value

    def field(self, type_name, addr, field):
        """A field of the structure at addr, by name through the loaded types:
        an int for integers and pointers, bytes for anything larger (arrays,
        strings such as _EPROCESS.ImageFileName, nested structures)."""
        v = ctypes.c_uint64()
        code = lib.kdx_field_read(self._handle(), _b(type_name), addr, _b(field), ctypes.byref(v))
        if code == OK:
            return v.value
        if code != E_ARG:  # E_ARG: not an integer field, read its bytes
            raise _error(code)
        off, size = self.field_info(type_name, field)
        return self.read(addr + off, size)

    def type_size(self, type_name):
        v = ctypes.c_uint64()
        _check(lib.kdx_type_size(self._handle(), _b(type_name), ctypes.byref(v)))
        return v.value

    def stack(self, max_frames=256):
        """Frames of the context in scope (as `k` walks them)."""
        frames = (_native.FrameEntry * max_frames)()
        n = ctypes.c_size_t()
        _check(lib.kdx_stack_frames(self._handle(), frames, max_frames, ctypes.byref(n)))
        return [Frame(f.index, f.ip, f.sp, f.return_address, f.trust.decode(), f.symbol.decode())
                for f in frames[:n.value]]

    def __repr__(self):
        return "<kdx.Dump %r%s>" % (self.path, "" if self._h else " closed")


def open(path, sympath=None, imagepath=None):  # noqa: A001 (the natural name, as io.open)
    """Opens a dump, PE image, PDB or ISF file (format detected from its content)."""
    return Dump(path, sympath=sympath, imagepath=imagepath)
