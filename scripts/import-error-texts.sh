#!/bin/sh
# Regenerates src/errors/data/{win32,ntstatus,hresult}.tsv, the Windows error
# message texts of the [MS-ERREF] open specification, from the copy of its
# tables that Debian's python3-impacket package ships (impacket's
# system_errors.py, nt_errors.py and hresult_errors.py, "Errors from
# [MS-ERREF]"). Run by hand when updating; the build only reads the TSV files.
# Usage: scripts/import-error-texts.sh   (needs apt-get and python3)
set -e
out=src/errors/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download python3-impacket >/dev/null)
deb=$(ls "$work"/python3-impacket_*.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$work/x"
src=$(dirname "$(find "$work/x" -name nt_errors.py | head -1)")
python3 - "$src" "$out" "$version" <<'PY'
import ast, sys, datetime
src, out, version = sys.argv[1:4]
today = datetime.date.today().isoformat()
for module, name, kind in (("system_errors", "win32", "Win32 error codes (MS-ERREF 2.2)"),
                           ("nt_errors", "ntstatus", "NTSTATUS values (MS-ERREF 2.3)"),
                           ("hresult_errors", "hresult", "HRESULT values (MS-ERREF 2.1)")):
    tree = ast.parse(open(f"{src}/{module}.py", encoding="utf-8").read())
    table = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ERROR_MESSAGES":
            for k, v in zip(node.value.keys, node.value.values):
                code = ast.literal_eval(k) & 0xffffffff
                sym, text = ast.literal_eval(v)
                table[code] = (sym, " ".join(text.split()))
    with open(f"{out}/{name}.tsv", "w", encoding="utf-8") as f:
        f.write(f"# {kind}: value, symbolic name, message text.\n")
        f.write("# Source: [MS-ERREF] Windows Error Codes, Microsoft Open Specifications,\n")
        f.write("#   https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-erref/\n")
        f.write(f"# Taken from Debian's python3-impacket {version}, impacket/{module}.py\n")
        f.write("#   (its ERROR_MESSAGES table, which impacket states is from [MS-ERREF]),\n")
        f.write(f"#   by scripts/import-error-texts.sh on {today}.\n")
        f.write("# Licence: Microsoft's Open Specifications notice allows copies of the documentation\n")
        f.write("#   and distribution of portions of it in implementations; impacket is under a\n")
        f.write("#   modified Apache Software License 1.1 (SecureAuth Corporation).\n")
        for code in sorted(table):
            sym, text = table[code]
            f.write(f"0x{code:08X}\t{sym}\t{text}\n")
    print(f"{name}: {len(table)} codes")
PY
