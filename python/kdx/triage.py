"""Fleet triage on a Dask cluster: the map step of `kdx triage` spread over
workers, the reduce step here, exactly as `kdx triage` reduces.

    python3 -m kdx.triage --scheduler tcp://HOST:8786 [-y SYMPATH] PATH...
    python3 -m kdx.triage --local 4 PATH...

Every dump becomes one task; a worker runs libkdx's own triage on it
(kdx_triage: the analysis in a child process with a timeout, so a crash or
hang in the analysis is a failure line, not a dead worker). Lines are
printed as JSON in completion order, then the summary line `kdx triage
--json` prints. A task whose worker dies (Dask gives up on it) or that
raises becomes a failure line too, and the run goes on. Workers need the
kdx package and libkdx.so.1, the dumps at the same paths, and a symbol path
that works where they run (docs/fleet-triage.md).
"""
import argparse
import ctypes
import datetime
import json
import os
import stat
import sys

SCHEMA = "kdx.analyze/1"


def analyze_dump(path, sympath=None, timeout=120):
    """One dump's triage line (a dict), as `kdx triage --json` prints it.
    Runs in a worker: libkdx's kdx_triage on this single path."""
    from . import _native
    libc = ctypes.CDLL(None)
    libc.open_memstream.restype = ctypes.c_void_p
    libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    buf, size = ctypes.c_void_p(), ctypes.c_size_t()
    fp = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not fp:
        return failure_line(path, "open_memstream failed on the worker")
    paths = (ctypes.c_char_p * 1)(path.encode())
    t = _native.TriageSettings(paths=paths, npaths=1, jobs=1, json=1,
                               sympath=sympath.encode() if sympath else None, timeout_seconds=timeout)
    _native.lib.kdx_triage(ctypes.byref(t), fp)
    libc.fclose(fp)
    text = ctypes.string_at(buf, size.value).decode("utf-8", "replace")
    libc.free(buf)
    for line in text.splitlines():
        if line.startswith('{"schema"'):
            return json.loads(line)
    return failure_line(path, "not a dump kdx triage analyzes (no MDMP/PAGE signature)")


def failure_line(path, why):
    return {"schema": SCHEMA, "dump": path, "error": why}


def looks_like_dump(path):
    """As triage.c: files that announce a dump (MDMP, PAGE); an unreadable
    one is kept so that its line says why."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return True
    return head[:4] in (b"MDMP", b"PAGE")


def collect(paths):
    """Dumps under paths (directories recursively, sorted, hidden entries
    skipped), as `kdx triage` collects them."""
    out = []

    def walk(p, depth):
        try:
            st = os.stat(p)
        except OSError:
            return
        if stat.S_ISREG(st.st_mode):
            if looks_like_dump(p):
                out.append(p)
        elif stat.S_ISDIR(st.st_mode) and depth <= 32:
            for name in sorted(os.listdir(p)):
                if not name.startswith("."):
                    walk(os.path.join(p, name), depth + 1)
    for p in paths:
        walk(p, 0)
    return out


def _format_time(filetime):
    """FILETIME (100 ns since 1601) as `kdx triage` prints it."""
    if not filetime:
        return "unknown"
    unix = filetime // 10000000 - 11644473600
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class Reducer:
    """The bucket reduction of src/analysis/triage.c (account/summary)."""

    def __init__(self):
        self.buckets = {}
        self.order = []
        self.failures = []

    def add(self, rec):
        bucket = (rec.get("fields") or {}).get("FAILURE_BUCKET_ID")
        error = rec.get("error")
        if error or not bucket:
            self.failures.append("%s: %s" % (rec.get("dump"), error or "no bucket produced"))
            return
        t = rec.get("dump_time") or 0
        b = self.buckets.get(bucket)
        if b is None:
            b = self.buckets[bucket] = {"bucket": bucket, "count": 0, "first": t, "last": t,
                                        "example": rec.get("dump")}
            self.order.append(bucket)
        b["count"] += 1
        if t and (not b["first"] or t < b["first"]):
            b["first"] = t
        if t > b["last"]:
            b["last"] = t

    def summary(self):
        rows = sorted(self.buckets.values(), key=lambda b: (-b["count"], b["bucket"].encode()))
        return {"summary": [{"bucket": b["bucket"], "count": b["count"], "first_seen": _format_time(b["first"]),
                             "last_seen": _format_time(b["last"]), "example": b["example"]} for b in rows],
                "failures": list(self.failures)}


def run(client, paths, sympath=None, timeout=120, out=sys.stdout, analyze=analyze_dump, progress=None):
    """Maps every dump to a task on client's cluster, prints each line as it
    completes, and returns the summary (also printed last)."""
    from distributed import as_completed
    dumps = collect(paths)
    # pure=False: a fresh key per run, never a result cached from an earlier one.
    futures = {client.submit(analyze, p, sympath, timeout, pure=False): p for p in dumps}
    reducer = Reducer()
    done = 0
    for fut in as_completed(list(futures)):
        path = futures[fut]
        try:
            rec = fut.result()
        except Exception as e:  # the worker died (KilledWorker) or the task raised
            rec = failure_line(path, "the worker failed: %s: %s" % (type(e).__name__, e))
        if rec.get("error") is None and not rec.get("fields") and rec.get("dump") is None:
            rec = failure_line(path, "no result")
        reducer.add(rec)
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")
        out.flush()
        done += 1
        if progress:
            progress(done, len(dumps))
    summary = reducer.summary()
    out.write(json.dumps(summary, separators=(",", ":")) + "\n")
    out.flush()
    return summary


def _progress_printer():
    """done/total, rate and ETA on stderr when it is a terminal."""
    import time
    start = time.monotonic()

    def show(done, total):
        rate = done / max(time.monotonic() - start, 1e-6)
        eta = (total - done) / rate if rate else 0
        sys.stderr.write("\r%d/%d dumps, %.1f/s, ETA %ds " % (done, total, rate, eta))
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show if sys.stderr.isatty() else None


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m kdx.triage",
                                 description="kdx triage over a Dask cluster: JSON lines in completion order, "
                                             "then the bucket summary of `kdx triage --json`.")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running scheduler, e.g. tcp://host:8786")
    where.add_argument("--local", metavar="N", type=int, help="a local cluster of N worker processes")
    ap.add_argument("-y", dest="sympath", help="symbol path (else _NT_SYMBOL_PATH on each worker)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per dump (default 120)")
    ap.add_argument("paths", nargs="+", metavar="PATH")
    a = ap.parse_args(argv)
    from distributed import Client, LocalCluster
    if a.local:
        cluster = LocalCluster(n_workers=a.local, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(a.scheduler)
    try:
        summary = run(client, a.paths, a.sympath, a.timeout, progress=_progress_printer())
    finally:
        client.close()
        if cluster:
            cluster.close()
    return 3 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
