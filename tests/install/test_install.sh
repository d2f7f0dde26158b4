#!/usr/bin/env bash
# Installs the build into a fresh prefix and uses it from a folder outside the
# source tree with nothing but the prefix on the paths:
#   - nothing installed names the source or build tree;
#   - the installed `xbar run` works on the example config, and a 1T1R run and
#     a regression case find the installed model files and cases;
#   - `import xbar` from the prefix runs the same config and its column
#     currents equal the program's columns.csv bit for bit;
#   - examples/cpp_consumer builds with find_package(xbar), and with
#     pkg-config, and prints the same currents.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR PYTHON
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
python=$3
tmp=$(mktemp -d /tmp/xbar-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }
# Runs a command quietly; shows its output when it fails.
quiet() { "$@" >"$tmp/cmd.log" 2>&1 || { cat "$tmp/cmd.log" >&2; fail "$*"; }; }

quiet cmake --install "$build" --prefix "$prefix"

[ -x "$prefix/bin/xbar" ] || fail "no $prefix/bin/xbar"
module=$(find "$prefix" -name 'xbar*.so' -path '*python*' | head -n1)
[ -n "$module" ] || fail "no Python module xbar*.so under a python folder of $prefix"
pydir=$(dirname "$module")
for f in include/xbar/xbar.hpp lib/pkgconfig/xbar.pc lib/cmake/xbar/xbarConfig.cmake \
         lib/cmake/xbar/xbarConfigVersion.cmake share/xbar/models/nmos_bsim4.lib; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# The build tree lies inside the source tree here, so one search covers both.
if hits=$(grep -rlaF -e "$src" -e "$build" "$prefix"); then
  fail "installed files name the source or build tree: $hits"
fi

work=$tmp/work
mkdir -p "$work"
cp "$src/configs/example.yaml" "$work/"
cd "$work"
# Nothing of the build or the source on any search path.
clean_env=(env -i HOME="$tmp" PATH="$prefix/bin:/usr/bin:/bin" PYTHONPATH="$pydir" LANG=C.UTF-8)

quiet "${clean_env[@]}" xbar run example.yaml -o cli_out
[ -s cli_out/columns.csv ] || fail "xbar run wrote no columns.csv"
"${clean_env[@]}" xbar run example.yaml -o t1r_out --set tile.cell=1T1R --set tile.rows=4 --set tile.cols=4 \
  >/dev/null || fail "a 1T1R run (model file nmos_bsim4.lib) failed from the prefix"
"${clean_env[@]}" xbar regress --case cf_tia_cell -o regress_out >/dev/null \
  || fail "xbar regress did not find or pass the installed case cf_tia_cell"

"${clean_env[@]}" "$python" - <<'PY'
import csv, json
import numpy as np
import xbar

r = xbar.run("example.yaml")
rows = list(csv.DictReader(open("cli_out/columns.csv")))
assert r.i_spice.shape == (r.vectors, r.cols) == (1, 64), r.i_spice.shape
assert r.i_nodal is None
for row in rows:
    v, c = int(row["vector"]), int(row["col"])
    for name in ("i_ideal", "i_spice"):
        got = getattr(r, name)[v, c]
        want = float(row[name])
        assert got == want, f"{name}[{v},{c}]: python {got!r} != columns.csv {want!r}"
summary = json.load(open("cli_out/summary.json"))
for k, want in summary["metrics"].items():
    assert r.metrics[k] == want, f"metric {k}: python {r.metrics[k]!r} != summary.json {want!r}"
print(f"python: {len(rows)} column currents equal columns.csv bit for bit")
PY

# The program's primary currents as the consumer prints them: vector,col,i_spice.
awk -F, 'NR > 1 { print $1 "," $2 "," $4 }' cli_out/columns.csv > want.txt

quiet cmake -S "$src/examples/cpp_consumer" -B consumer -G Ninja -DCMAKE_PREFIX_PATH="$prefix"
quiet cmake --build consumer
"${clean_env[@]}" ./consumer/xbar_consumer example.yaml > consumer.txt 2>consumer.err \
  || { cat consumer.err >&2; fail "the consumer (find_package) failed"; }
"${clean_env[@]}" "$python" - <<'PY'
# The same numbers; columns.csv writes the shortest round-trip text, the consumer %.17g.
want = [l.split(",") for l in open("want.txt").read().split()]
got = [l.split(",") for l in open("consumer.txt").read().split()]
assert len(want) == len(got) == 64, (len(want), len(got))
for w, g in zip(want, got):
    assert w[:2] == g[:2] and float(w[2]) == float(g[2]), (w, g)
PY

pc_flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs xbar)
# shellcheck disable=SC2086
quiet c++ -o consumer_pc "$src/examples/cpp_consumer/main.cpp" $pc_flags
"${clean_env[@]}" ./consumer_pc example.yaml simulator.engine=nodal >/dev/null 2>consumer_pc.err \
  || { cat consumer_pc.err >&2; fail "the consumer (pkg-config) failed"; }
echo "install test passed: $prefix"
