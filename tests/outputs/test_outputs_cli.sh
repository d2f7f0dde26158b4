#!/bin/bash
# Output files and result folders (issue 14): writers refuse special files and
# symlinks without touching them; a folder holds one run's complete set or
# none, whatever analysis ran before and wherever a run is killed; a full disk
# is reported with the file and the OS error (exit 2 or 3, never 4).
# Usage: test_outputs_cli.sh PATH/TO/xbar   (some checks need root: mknod, mount)
set -u
XBAR=${1:?usage: test_outputs_cli.sh XBAR}
T=$(mktemp -d)
cleanup() { mountpoint -q "$T/small" 2> /dev/null && umount "$T/small"; rm -rf "$T"; }
trap cleanup EXIT
source "$(dirname "$0")/../support/cli_check.sh"
printf 'name: small\ntile: {rows: 4, cols: 4}\n' > "$T/op.yaml"
printf 'name: small\ntile: {rows: 4, cols: 4}\nsimulator: {engine: nodal}\n' > "$T/nodal.yaml"
printf 'name: rd\ntile: {rows: 4, cols: 4}\nanalysis: {type: read}\n' > "$T/read.yaml"
printf 'name: tr\ntile: {rows: 4, cols: 4}\nanalysis: {type: tran}\n' > "$T/tran.yaml"

# --- special files: refused (exit 2), left as they were
mkfifo "$T/fifo"
timeout 10 "$XBAR" gen "$T/op.yaml" -o "$T/fifo" > /dev/null 2> "$T/err"
check "gen -o FIFO is refused (exit 2)" test $? = 2
check "gen -o FIFO leaves the FIFO" test -p "$T/fifo"
echo keep > "$T/target"
ln -s "$T/target" "$T/link"
"$XBAR" gen "$T/op.yaml" -o "$T/link" > /dev/null 2>&1
check "gen -o symlink is refused (exit 2)" test $? = 2
check "gen -o symlink leaves the link and its target" test -L "$T/link" -a "$(cat "$T/target")" = keep
if [ "$(id -u)" = 0 ]; then
  mknod "$T/full" c 1 7
  "$XBAR" gen "$T/op.yaml" -o "$T/full" > /dev/null 2>&1
  check "gen -o a device node is refused (exit 2)" test $? = 2
  check "gen -o a device node leaves the node" test -c "$T/full"
fi
"$XBAR" run "$T/op.yaml" -o /proc > /dev/null 2> "$T/err"
rc=$?
check "run -o /proc is bad input (exit 2, got $rc)" test $rc = 2
check "run -o /proc says why" grep -q "/proc" "$T/err"

# --- a full standard output is an error
"$XBAR" gen "$T/op.yaml" > /dev/full 2> "$T/err"
rc=$?
check "gen > /dev/full fails, exit 2 (got $rc)" test $rc = 2
check "gen > /dev/full names the OS error" grep -q "No space left on device" "$T/err"
"$XBAR" check "$T/op.yaml" > /dev/full 2> /dev/null
rc=$?
check "check > /dev/full fails, exit 2 (got $rc)" test $rc = 2
"$XBAR" models > /dev/full 2> "$T/err"
rc=$?
check "models > /dev/full fails, exit 2 (got $rc)" test $rc = 2
check "models > /dev/full is not an internal error" bash -c "! grep -q 'internal error' '$T/err'"
"$XBAR" run "$T/op.yaml" -o "$T/full_stdout" > /dev/full 2> /dev/null
rc=$?
check "run > /dev/full fails, exit 2 (got $rc)" test $rc = 2

# --- a run leaves only its own analysis's files
"$XBAR" run "$T/read.yaml" -o "$T/o" > /dev/null
"$XBAR" run "$T/op.yaml" -o "$T/o" > /dev/null
check "read then op: no read.json left" test ! -e "$T/o/read.json"
"$XBAR" run "$T/nodal.yaml" -o "$T/o" > /dev/null
check "spice then nodal: no netlist.cir left" test ! -e "$T/o/netlist.cir"
check "spice then nodal: a nodal summary" grep -q '"engine": "nodal"' "$T/o/summary.json"
"$XBAR" run "$T/tran.yaml" -o "$T/o" > /dev/null
"$XBAR" run "$T/op.yaml" -o "$T/o" > /dev/null
check "tran then op: no waveforms.csv left" test ! -e "$T/o/waveforms.csv"
echo mine > "$T/o/notes.txt"
"$XBAR" run "$T/op.yaml" -o "$T/o" > /dev/null
check "a file that is not a result file is kept" test "$(cat "$T/o/notes.txt")" = mine

# --- kill -9 at many moments of a run: never a mixed set, leftovers cleaned.
# Two runs with different results write the same folder by turns; each one is
# killed at another moment.  Every result file present must come from one run.
printf 'name: one\ntile: {rows: 300, cols: 300}\nsimulator: {engine: nodal}\n' > "$T/one.yaml"
printf 'name: two\ntile: {rows: 300, cols: 300}\nsimulator: {engine: nodal}\nparasitics: {r_wl: 2}\n' > "$T/two.yaml"
"$XBAR" run "$T/one.yaml" -o "$T/ref_one" > /dev/null
"$XBAR" run "$T/two.yaml" -o "$T/ref_two" > /dev/null
owner() {  # owner FILE: which run wrote it (one, two or ?)
  local f=$T/k/$1
  for run in one two; do cmp -s "$f" "$T/ref_$run/$1" && { echo $run; return; }; done
  if [ "$1" = summary.json ]; then grep -o '"name": "[a-z]*"' "$f" | cut -d'"' -f4; else echo '?'; fi
}
mixed=0
"$XBAR" run "$T/one.yaml" -o "$T/k" > /dev/null
for delay in 0.05 0.1 0.13 0.16 0.19 0.22 0.25 0.28 0.31 0.34 0.37 0.4 0.45 0.5; do
  "$XBAR" run "$T/two.yaml" -o "$T/k" > /dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2> /dev/null
  wait $pid 2> /dev/null
  owners=$(for f in summary.json columns.csv cells.csv resolved.yaml; do [ -e "$T/k/$f" ] && owner $f; done | sort -u)
  [ "$(echo "$owners" | grep -c .)" -le 1 ] || { mixed=$((mixed + 1)); echo "mixed after ${delay} s: $owners"; }
  [ -e "$T/k/summary.json" ] && [ ! -e "$T/k/cells.csv" ] && mixed=$((mixed + 1))
  "$XBAR" run "$T/one.yaml" -o "$T/k" > /dev/null
done
check "kill -9 at 14 moments: never a mixed set ($mixed mixed)" test $mixed = 0
left=$(find "$T/k" -name '.*' | wc -l)
check "no temporary file or folder left after the next run ($left)" test "$left" = 0

# --- a full disk: the file and the OS error, exit 2 or 3, the old set intact
if [ "$(id -u)" = 0 ] && mkdir -p "$T/small" && mount -t tmpfs -o size=200k tmpfs "$T/small" 2> /dev/null; then
  "$XBAR" run "$T/op.yaml" -o "$T/small/o" > /dev/null
  cp "$T/small/o/summary.json" "$T/before.json"
  printf 'name: big\ntile: {rows: 64, cols: 64}\nsimulator: {engine: nodal}\n' > "$T/fill.yaml"
  "$XBAR" run "$T/fill.yaml" -o "$T/small/o" > /dev/null 2> "$T/err"
  rc=$?
  check "full disk: exit 2 or 3 (got $rc)" test $rc = 2 -o $rc = 3
  check "full disk: says No space left on device" grep -q "No space left on device" "$T/err"
  check "full disk: names the file" grep -q "$T/small/o" "$T/err"
  check "full disk: not an internal error" bash -c "! grep -q 'internal error' '$T/err'"
  check "full disk: the earlier complete set is intact" cmp -s "$T/small/o/summary.json" "$T/before.json"
  left=$(find "$T/small" -name '.*' | wc -l)
  check "full disk: no temporary left ($left)" test "$left" = 0
  printf 'name: s\ntile: {rows: 64, cols: 64}\nsimulator: {engine: nodal}\nsweep:\n  keep: all\n  params:\n    parasitics.r_wl: [1, 2]\n' > "$T/sw.yaml"
  "$XBAR" sweep "$T/sw.yaml" -o "$T/small/sw" -j 1 -q 2> "$T/err"
  rc=$?
  check "full disk, sweep: exit 2 or 3 (got $rc)" test $rc = 2 -o $rc = 3
  check "full disk, sweep: each point says No space left on device" test "$(grep -c "No space left on device" "$T/err")" = 2
  check "full disk, sweep: not an internal error" bash -c "! grep -q 'internal error' '$T/err'"
else
  echo "skipped: full-disk checks (need root to mount a tmpfs)"
fi

report
