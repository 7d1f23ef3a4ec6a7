"""Tests of the kdx Python package over libkdx.so. Run by `make test`
(tests/unit/test_python.c) with KDX_LIBRARY, KDX_SAMPLE_DUMP (the sample
dump written by kdx's dump writer) and KDX_TESTDATA (../shared/testdata)."""
import os
import unittest

import kdx

TESTDATA = os.environ.get("KDX_TESTDATA", os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                                        "shared", "testdata"))
TRIAGE = os.path.join(TESTDATA, "kernel", "triage_x64.dmp")
SYMPATH = "%s;%s" % (os.path.join(TESTDATA, "symstore"), os.path.join(TESTDATA, "isf"))
SAMPLE = os.environ.get("KDX_SAMPLE_DUMP")


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@unittest.skipUnless(os.path.isfile(TRIAGE), "needs ../shared/testdata/kernel/triage_x64.dmp")
class RealTriageDump(unittest.TestCase):
    def setUp(self):
        self.d = kdx.open(TRIAGE, sympath=SYMPATH)

    def tearDown(self):
        self.d.close()

    def test_analyze_is_a_dict(self):
        a = self.d.analyze()
        self.assertEqual(a["schema"], "kdx.analyze/1")
        self.assertEqual(a["faulting_module"], "amdppm")
        self.assertEqual(a["fields"]["FAILURE_BUCKET_ID"], "AV_amdppm!WriteIoMemRawEx")

    def test_modules_threads_info(self):
        info = self.d.info
        self.assertEqual(info["bugcheck_code"], 0x1000007E)
        self.assertEqual(info["bugcheck_args"][1], 0xFFFFF8048B58334C)
        names = {m.name: m for m in self.d.modules}
        self.assertIn("nt", names)
        amdppm = names["amdppm"]
        self.assertEqual(amdppm.image_name, "amdppm.sys")
        self.assertTrue(amdppm.base <= info["bugcheck_args"][1] < amdppm.base + amdppm.size)
        self.assertEqual(len(self.d.threads), info["contexts"])

    def test_read_symbol_field(self):
        t = self.d.threads[self.d.info["current_context"]]
        self.assertEqual(self.d.field("nt!_KTHREAD", t.thread, "ApcState.Process"), t.process)
        name = self.d.field("nt!_EPROCESS", t.process, "ImageFileName")
        self.assertEqual(name.rstrip(b"\0"), b"System")
        self.assertEqual(self.d.symbol(0xFFFFF8048B58334C), "amdppm!WriteIoMemRawEx+0x70")
        rsp = self.d.register("rsp")
        self.assertEqual(self.d.read(rsp, 8), self.d.read(rsp, 16)[:8])
        self.assertEqual(int.from_bytes(self.d.read(rsp + 8, 8), "little"), self.d.evaluate("poi(@rsp+8)"))

    def test_run_and_stack(self):
        self.d.run(".cxr ffff850429891720")
        text = self.d.run("k")
        self.assertIn("amdppm!WriteIoMemRawEx+0x70", text)
        frames = self.d.stack()
        self.assertEqual(frames[0].symbol, "amdppm!WriteIoMemRawEx+0x70")
        self.assertIn(frames[1].symbol, text)
        doc = self.d.run_json("lm m amdppm")
        self.assertEqual(doc[0]["command"], "lm m amdppm")

    def test_clear_exceptions(self):
        with self.assertRaises(kdx.MemoryMissing) as cm:
            self.d.read(0xFFFFF80000000000, 16)
        self.assertEqual(cm.exception.done, 0)
        self.assertIn("not present", str(cm.exception))
        with self.assertRaises(kdx.NotFound):
            self.d.field("nt!_EPROCESS", 0, "NoSuchField")
        with self.assertRaises(kdx.NotFound):
            self.d.symbol(0x10)
        with self.assertRaises(kdx.KdxError):
            self.d.evaluate("nosuchsymbol_xyz!nope")
        self.d.close()
        with self.assertRaises(kdx.DumpClosed):
            self.d.modules
        with self.assertRaises(kdx.DumpClosed):
            next(self.d.iter_threads())

    def test_open_close_10000_times_flat_memory(self):
        def cycle(n):
            for _ in range(n):
                with kdx.open(TRIAGE) as d:
                    d.info
                    d.modules
                    d.read(d.threads[0].sp, 64)
        cycle(1000)  # allocator and caches warm up
        before = rss_kib()
        cycle(10000)
        growth = rss_kib() - before
        # A leak of even 100 bytes per cycle would show as ~1 MB.
        self.assertLess(growth, 512, "RSS grew %d KiB over 10,000 open/close cycles" % growth)


@unittest.skipUnless(SAMPLE and os.path.isfile(SAMPLE), "KDX_SAMPLE_DUMP (set by make test) is absent")
class SampleDump(unittest.TestCase):
    def test_sample(self):
        with kdx.open(SAMPLE) as d:
            self.assertEqual(d.info["bugcheck_code"], 0x20)
            self.assertTrue(d.modules)
            self.assertIn("KERNEL_APC_PENDING_DURING_EXIT (20)", d.run("!analyze -v"))


class Errors(unittest.TestCase):
    @unittest.skipUnless(SAMPLE and os.path.isfile(SAMPLE), "KDX_SAMPLE_DUMP (set by make test) is absent")
    def test_cancel_raises_interrupted(self):
        with kdx.open(SAMPLE) as d:
            kdx.cancel()
            try:
                with self.assertRaises(kdx.Interrupted):
                    d.run(".while (1) { r $t0 = @$t0 + 1 }")
            finally:
                kdx.clear_cancel()
            self.assertIn("Evaluate expression: 3", d.run("? 1+2"))

    def test_open_missing_file(self):
        with self.assertRaises(kdx.KdxError) as cm:
            kdx.open("/nonexistent/kdx-python.dmp")
        self.assertIn("/nonexistent/kdx-python.dmp", str(cm.exception))

    def test_version(self):
        self.assertRegex(kdx.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main()
