"""A minimal PEP 517 build backend for the kdx package, so that
`pip install ./python` needs no network and no setuptools: it writes a
wheel (a zip with the package, its .dist-info and a RECORD) by hand."""
import base64
import hashlib
import os
import sysconfig
import zipfile

NAME = "kdx"
VERSION = "0.16.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METADATA = """Metadata-Version: 2.1
Name: kdx
Version: %s
Summary: Windows crash dumps from Python: WinDbg commands, typed queries and !analyze over libkdx
License: MIT
Requires-Python: >=3.7
""" % VERSION


def _library():
    """The libkdx.so.1 to bundle, or None (the package then uses the system's)."""
    for path in (os.environ.get("KDX_LIBRARY"), os.path.join(HERE, "..", "build", "libkdx.so.1")):
        if path and os.path.isfile(path):
            return path
    return None


def _files():
    """(archive name, bytes) of the package."""
    pkg = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py"):
            with open(os.path.join(pkg, name), "rb") as f:
                yield "%s/%s" % (NAME, name), f.read()
    lib = _library()
    if lib:
        with open(lib, "rb") as f:
            yield "%s/libkdx.so.1" % NAME, f.read()


def _tag(bundled):
    if not bundled:
        return "py3-none-any"
    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = list(_files())
    bundled = any(n.endswith(".so.1") for n, _ in files)
    tag = _tag(bundled)
    dist = "%s-%s.dist-info" % (NAME, VERSION)
    files.append(("%s/METADATA" % dist, METADATA.encode()))
    wheel = "Wheel-Version: 1.0\nGenerator: kdx_build\nRoot-Is-Purelib: %s\nTag: %s\n" % (
        "false" if bundled else "true", tag)
    files.append(("%s/WHEEL" % dist, wheel.encode()))
    files.append(("%s/top_level.txt" % dist, b"kdx\n"))
    record = [_record_line(n, d) for n, d in files] + ["%s/RECORD,," % dist]
    files.append(("%s/RECORD" % dist, ("\n".join(record) + "\n").encode()))
    filename = "%s-%s-%s.whl" % (NAME, VERSION, tag)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so.1") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return filename
