"""Checks a browser's rendering of `kdx triage --html` against the JSON
summary of the same run: the DOM's bucket table (bucket, count, first and
last seen, example) row for row, the counts, the links to the embedded
analyses; and that the screenshot is not blank (many distinct colours).
    check-report.py TRIAGE.jsonl DOM.html REPORT.png"""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser


class Table(HTMLParser):
    """Rows of <table id="buckets"> tbody, ids of elements, and hrefs."""

    def __init__(self):
        super().__init__()
        self.rows, self.ids, self.hrefs, self.texts = [], set(), [], {}
        self._in_table = self._in_body = False
        self._cell = None
        self._id = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
            self._id = a["id"]
        if tag == "table" and a.get("id") == "buckets":
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = ""
        elif tag == "a" and "href" in a:
            self.hrefs.append(a["href"])

    def handle_endtag(self, tag):
        self._id = None  # an id's text: up to the first end tag (<b id="n-dumps">16</b>)
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "table":
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._id:
            self.texts[self._id] = self.texts.get(self._id, "") + data


def png_colours(path):
    """Distinct RGB(A) pixel values of a PNG (8-bit RGB or RGBA, as Chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG format %d/%d" % (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    colours, prev = set(), bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 255
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 255
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 8 == 0:
            for x in range(0, stride, bpp * 4):
                colours.add(bytes(cur[x:x + 3]))
        prev = cur
    return colours


def main(jsonl, dom, png):
    lines = [json.loads(l) for l in open(jsonl) if l.strip()]
    summary = [l for l in lines if "summary" in l][-1]
    dumps = [l for l in lines if "schema" in l]
    t = Table()
    t.feed(open(dom, encoding="utf-8").read())
    want = [[b["bucket"], str(b["count"]), b["first_seen"], b["last_seen"], b["example"]]
            for b in summary["summary"]]
    got = [[r[0], r[1], r[2], r[3], r[6]] for r in t.rows]
    errors = []
    if got != want:
        errors.append("DOM bucket table differs from the JSON summary:\n  DOM:  %s\n  JSON: %s" % (got, want))
    if t.texts.get("n-dumps") != str(len(dumps)):
        errors.append("dump count %r, JSON has %d lines" % (t.texts.get("n-dumps"), len(dumps)))
    if t.texts.get("n-failed") != str(len(summary["failures"])):
        errors.append("failed count %r, JSON has %d failures" % (t.texts.get("n-failed"), len(summary["failures"])))
    for i in range(len(want)):
        if "#dump-%d" % i not in t.hrefs or "dump-%d" % i not in t.ids:
            errors.append("bucket %d has no link to its embedded analysis" % i)
    for needed in ("bars", "timeline"):
        if needed not in t.ids:
            errors.append("no #%s chart in the DOM" % needed)
    colours = png_colours(png)
    if len(colours) < 8:
        errors.append("screenshot looks blank: %d distinct colours" % len(colours))
    if errors:
        print("test-browser: FAIL\n" + "\n".join(errors))
        return 1
    print("test-browser: ok: %d buckets in the DOM table equal the JSON summary; %d dumps, %d failed; "
          "screenshot has %d distinct colours" % (len(want), len(dumps), len(summary["failures"]), len(colours)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
