"""python3 -m kdx.triage on a Dask LocalCluster of 2 worker processes on
loopback, over ../shared/testdata: its summary equals `kdx triage --json`'s
bucket for bucket, lines come one per dump, and a task whose worker dies
becomes a failure line while the run goes on."""
import io
import logging
import json
import os
import subprocess
import sys
import unittest

try:
    import dask
    from distributed import Client, LocalCluster
except ImportError:  # pragma: no cover - reported as a skip
    dask = None

from kdx import triage

TESTDATA = os.path.abspath(os.environ.get("KDX_TESTDATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                                                          "shared", "testdata"))
SYMPATH = "%s;%s" % (os.path.join(TESTDATA, "symstore"), os.path.join(TESTDATA, "isf"))
KDX_BIN = os.environ.get("KDX_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "kdx"))


def buckets(summary):
    return [(b["bucket"], b["count"], b["first_seen"], b["last_seen"]) for b in summary["summary"]]


@unittest.skipUnless(dask, "needs python3-distributed (scripts/setup-deps.sh test)")
@unittest.skipUnless(os.path.isdir(os.path.join(TESTDATA, "kernel")), "needs ../shared/testdata")
class DaskTriage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A killed worker's task fails at once instead of being retried 3 times.
        dask.config.set({"distributed.scheduler.allowed-failures": 0})
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
        cls.client = Client(cls.cluster)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()

    def test_summary_equals_kdx_triage(self):
        out = io.StringIO()
        summary = triage.run(self.client, [TESTDATA], SYMPATH, 60, out=out)
        lines = [json.loads(l) for l in out.getvalue().splitlines()]
        self.assertEqual(lines[-1], summary)
        records = lines[:-1]
        c = subprocess.run([KDX_BIN, "triage", "--json", "-j", "2", "-y", SYMPATH, TESTDATA],
                           stdout=subprocess.PIPE, check=False)
        self.assertIn(c.returncode, (0, 3))
        c_lines = [json.loads(l) for l in c.stdout.decode().splitlines()]
        c_summary = c_lines[-1]
        self.assertGreaterEqual(len(summary["summary"]), 5)
        self.assertEqual(buckets(summary), buckets(c_summary))
        self.assertEqual(sorted(summary["failures"]), sorted(c_summary["failures"]))
        # One line per dump, the same dumps as kdx triage's.
        self.assertEqual(sorted(r["dump"] for r in records), sorted(r["dump"] for r in c_lines[:-1]))
        # Each example is a dump of its bucket.
        by_dump = {r["dump"]: r for r in records}
        for b in summary["summary"]:
            self.assertEqual(by_dump[b["example"]]["fields"]["FAILURE_BUCKET_ID"], b["bucket"])

    def test_command_line_local_cluster(self):
        kernel = os.path.join(TESTDATA, "kernel")
        env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), ".."))
        c = subprocess.run([sys.executable, "-m", "kdx.triage", "--local", "2", "-y", SYMPATH, kernel],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False)
        self.assertEqual(c.returncode, 0)
        lines = [json.loads(l) for l in c.stdout.decode().splitlines()]
        self.assertEqual(len(lines), 3)
        self.assertEqual(sorted(b["bucket"] for b in lines[-1]["summary"]),
                         ["0x5454414D_UNKNOWN", "AV_amdppm!WriteIoMemRawEx"])

    def test_dead_worker_is_a_failure_line(self):
        victim = os.path.join(TESTDATA, "kernel", "triage_x64.dmp")

        def analyze(path, sympath, timeout):  # pickled by value: a local function
            import os as _os
            if path == victim:
                _os._exit(9)  # the worker process dies with the task
            return triage.analyze_dump(path, sympath, timeout)

        out = io.StringIO()
        summary = triage.run(self.client, [os.path.join(TESTDATA, "kernel")], SYMPATH, 60, out=out,
                             analyze=analyze)
        lines = [json.loads(l) for l in out.getvalue().splitlines()[:-1]]
        self.assertEqual(len(lines), 2)
        dead = [l for l in lines if l["dump"] == victim][0]
        self.assertIn("the worker failed", dead["error"])
        self.assertTrue(any(f.startswith(victim + ": the worker failed") for f in summary["failures"]))
        other = [l for l in lines if l["dump"] != victim][0]
        self.assertEqual(other["fields"]["FAILURE_BUCKET_ID"], "0x5454414D_UNKNOWN")


if __name__ == "__main__":
    unittest.main()
