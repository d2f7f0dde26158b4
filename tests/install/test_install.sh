#!/usr/bin/env bash
# Installs the build into a fresh prefix and uses it from a folder outside the
# source tree with nothing but the prefix on the paths:
#   - nothing installed names the source or build tree;
#   - the installed `xbar run` works on the example config, and a 1T1R run and
#     a regression case find the installed model files and cases;
#   - `import xbar` from the prefix runs the same config and its column
#     currents equal the program's columns.csv bit for bit;
#   - examples/cpp_consumer builds with find_package(xbar), and with
#     pkg-config, and prints the same currents;
#   - only the public API is reachable: include/ holds the public headers and
#     nothing else, they include no header of xbar's own folders, and a
#     program including an internal header (spice_bridge/simulator.hpp) does
#     not compile against the package, by find_package or by pkg-config.
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
# The public headers and nothing else; they include each other, never an internal header.
public_headers="xbar/version.hpp xbar/xbar.hpp xbar/yaml.hpp"
installed=$(cd "$prefix/include" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$installed" = "$public_headers " ] || fail "include/ holds '$installed', not only the public headers '$public_headers'"
if bad=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$prefix"/include/xbar/*.hpp | grep -vE '"xbar/[a-z_]+\.hpp"'); then
  fail "a public header includes a header outside include/xbar: $bad"
fi
for folder in $(cd "$src" && ls -d */ | tr -d /); do
  [ "$folder" = include ] && continue
  if bad=$(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]$folder/" "$prefix"/include/xbar/*.hpp); then
    fail "a public header includes an internal one: $bad"
  fi
done
# The exported target names the installed include folder alone.
dirs=$(grep -h 'INTERFACE_INCLUDE_DIRECTORIES' "$prefix"/lib/cmake/xbar/*.cmake)
others=$(echo "$dirs" | sed 's/.*INTERFACE_INCLUDE_DIRECTORIES *//' | tr -d '"' | tr ';' '\n' | grep -vxF '${_IMPORT_PREFIX}/include' || true)
[ -n "$dirs" ] && [ -z "$others" ] || fail "xbar::xbar exports include folders other than PREFIX/include: $dirs"
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
# An internal header is out of reach of a consumer, whichever way it builds.
mkdir -p probe
printf '#include <xbar/xbar.hpp>\n#include "spice_bridge/simulator.hpp"\nint main() { return 0; }\n' > probe/main.cpp
printf 'cmake_minimum_required(VERSION 3.16)\nproject(probe LANGUAGES CXX)\nfind_package(xbar REQUIRED)\nadd_executable(probe main.cpp)\ntarget_link_libraries(probe PRIVATE xbar::xbar)\n' \
  > probe/CMakeLists.txt
quiet cmake -S probe -B probe/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix"
if cmake --build probe/build >"$tmp/probe.log" 2>&1; then fail "an internal header compiles against find_package(xbar)"; fi
grep -q 'spice_bridge/simulator.hpp' "$tmp/probe.log" || { cat "$tmp/probe.log" >&2; fail "the probe failed for another reason"; }
# shellcheck disable=SC2086
if c++ -fsyntax-only $pc_flags probe/main.cpp >"$tmp/probe.log" 2>&1; then fail "an internal header compiles with pkg-config xbar"; fi
grep -q 'spice_bridge/simulator.hpp' "$tmp/probe.log" || { cat "$tmp/probe.log" >&2; fail "the pkg-config probe failed for another reason"; }
echo "install test passed: $prefix"
