#!/bin/bash
# Sweeps that cannot be fooled (issue 14): merge refuses a folder of another
# sweep; the inputs are frozen at the start (an edit mid-sweep changes
# nothing, an edit before --resume is refused naming the file); a worker
# killed from outside is retried on resume; journal lines of another sweep are
# refused; two sweeps cannot share a folder; huge ranges are refused before
# they are expanded; a regression case at the root of DIR cannot delete
# other evidence.
# Usage: test_sweep_guards.sh PATH/TO/xbar
set -u
XBAR=${1:?usage: test_sweep_guards.sh XBAR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/../support/cli_check.sh"
journaled() { [ -f "$1/journal.jsonl" ] && wc -l < "$1/journal.jsonl" || echo 0; }
wait_journal() {  # wait_journal DIR N: until N points are journaled (10 s at most)
  for _ in $(seq 200); do [ "$(journaled "$1")" -ge "$2" ] && return 0; sleep 0.05; done
  return 1
}

python3 - "$T/w.csv" << 'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for _ in range(64):
        f.write(",".join(f"{random.random():.6f}" for _ in range(64)) + "\n")
PY
cp "$T/w.csv" "$T/w_orig.csv"
cat > "$T/s.yaml" << 'YAML'
name: guards
tile: {rows: 64, cols: 64}
weights: {source: file, file: w.csv}
sweep:
  params:
    parasitics.r_wl: [0.5, 1, 1.5, 2, 2.5, 3]
YAML
cp "$T/s.yaml" "$T/s_orig.yaml"
"$XBAR" sweep "$T/s.yaml" -o "$T/ref" -j 1 -q
check "reference sweep: 6 points" test "$(($(wc -l < "$T/ref/sweep.csv") - 1))" = 6

# --- inputs edited while the sweep runs: the points use the frozen copy
"$XBAR" sweep "$T/s.yaml" -o "$T/edit" -j 1 -q &
pid=$!
wait_journal "$T/edit" 1
sed -i 's/rows: 64, cols: 64/rows: 8, cols: 8/' "$T/s.yaml"
printf '1,1,1,1,1,1,1,1\n' > "$T/w.csv"
wait $pid
check "config and weights edited mid-sweep: same sweep.csv as without the edit" same_csv "$T/ref/sweep.csv" "$T/edit/sweep.csv"
cp "$T/s_orig.yaml" "$T/s.yaml"
cp "$T/w_orig.csv" "$T/w.csv"

# --- inputs edited between an interruption and --resume: refused, naming the file
"$XBAR" sweep "$T/s.yaml" -o "$T/res" -j 1 -q &
pid=$!
wait_journal "$T/res" 2
kill -INT $pid
wait $pid 2> /dev/null
printf '# edited\n' >> "$T/w.csv"
"$XBAR" sweep "$T/s.yaml" -o "$T/res" -j 1 --resume -q 2> "$T/err"
check "resume with an edited weights file: exit 2" test $? = 2
check "resume with an edited weights file: names it" grep -q "w.csv' changed since the sweep started" "$T/err"
cp "$T/w_orig.csv" "$T/w.csv"
"$XBAR" sweep "$T/s.yaml" -o "$T/res" -j 1 --resume -q
check "resume with the original files: the reference sweep.csv" same_csv "$T/ref/sweep.csv" "$T/res/sweep.csv"

# --- a worker killed from outside: the point fails, --resume retries it
"$XBAR" sweep "$T/s.yaml" -o "$T/crash" -j 1 -q 2> /dev/null &
pid=$!
wait_journal "$T/crash" 1
sleep 0.1
worker=$(pgrep -P $pid | head -1)
[ -n "$worker" ] && kill -9 "$worker"
wait $pid
check "a worker killed by SIGKILL: the sweep reports a failed point" grep -q "crashed" "$T/crash/sweep.csv"
"$XBAR" sweep "$T/s.yaml" -o "$T/crash" -j 1 --resume -q
check "resume retries the crashed point: the reference sweep.csv" same_csv "$T/ref/sweep.csv" "$T/crash/sweep.csv"

# --- journal lines that are not points of this sweep
cp -r "$T/ref" "$T/bad"
echo '{"point": 999, "values": ["9"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}}' >> "$T/bad/journal.jsonl"
echo '{"point": 0, "values": ["0.5"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}}' >> "$T/bad/journal.jsonl"
"$XBAR" sweep "$T/s.yaml" -o "$T/bad" --resume -q 2> "$T/err"
check "a journal line for point 999 is refused (exit 2)" test $? = 2
check "the refusal names the journal line" grep -q "journal.jsonl:7:1: error: point 999" "$T/err"

# --- a FIFO in place of the journal: refused, not read (reading would block)
cp -r "$T/ref" "$T/fifo"
rm "$T/fifo/journal.jsonl" && mkfifo "$T/fifo/journal.jsonl"
timeout 20 "$XBAR" sweep "$T/s.yaml" -o "$T/fifo" --resume -q 2> /dev/null
rc=$?
check "a FIFO as the journal is refused (exit 2, got $rc)" test $rc = 2
check "the FIFO is left as it was" test -p "$T/fifo/journal.jsonl"

# --- two sweeps on one folder at once
"$XBAR" sweep "$T/s.yaml" -o "$T/two" -j 1 -q &
pid=$!
wait_journal "$T/two" 1
"$XBAR" sweep "$T/s.yaml" -o "$T/two" -j 1 --resume -q 2> "$T/err"
rc=$?
wait $pid
check "a second sweep on a busy folder is refused (exit 2, got $rc)" test $rc = 2
check "the refusal says the folder is in use" grep -q "another xbar sweep is using this folder" "$T/err"
check "the first sweep's journal has 6 lines ($(journaled "$T/two"))" test "$(journaled "$T/two")" = 6

# --- merge into a folder of another sweep, or a folder of other files
printf 'name: other\ntile: {rows: 4, cols: 4}\nsweep:\n  params:\n    parasitics.r_wl: [1, 2]\n' > "$T/o.yaml"
"$XBAR" sweep "$T/o.yaml" -o "$T/other" -j 1 -q
cp "$T/other/sweep.json" "$T/other_manifest"
"$XBAR" sweep --merge "$T/ref" -o "$T/other" 2> "$T/err"
check "merge -o a folder of another sweep: exit 2" test $? = 2
check "merge -o a folder of another sweep: its manifest untouched" cmp -s "$T/other/sweep.json" "$T/other_manifest"
mkdir "$T/mine" && echo x > "$T/mine/notes.txt"
"$XBAR" sweep --merge "$T/ref" -o "$T/mine" 2> /dev/null
check "merge -o a folder of other files: exit 2" test $? = 2
"$XBAR" sweep --merge "$T/ref" -o "$T/merged" 2> /dev/null && "$XBAR" sweep --merge "$T/ref" -o "$T/merged" 2> /dev/null
check "merge into a new folder, then again into the same sweep" same_csv "$T/ref/sweep.csv" "$T/merged/sweep.csv"

# --- ranges: refused before expansion (no gigabytes), under a 1 GB address-space limit and 20 s
cat > "$T/huge.yaml" << 'YAML'
name: huge
sweep:
  params:
    parasitics.r_wl: {from: 1, to: 2, steps: 9000000}
    parasitics.r_bl: {from: 1, to: 2, steps: 9000000}
    device.g_on: {from: 1u, to: 2u, steps: 9000000}
YAML
# (AddressSanitizer reserves terabytes of address space: no limit for that build.)
limit=1000000
grep -q __asan_init "$XBAR" && limit=unlimited
(ulimit -v $limit; timeout 20 "$XBAR" check "$T/huge.yaml" > /dev/null 2> "$T/err")
rc=$?
check "three ranges of 9e6 steps: exit 2 (got $rc)" test $rc = 2
check "three ranges of 9e6 steps: says the limit" grep -q "at most 10000000" "$T/err"

# --- a regression case at the root of DIR
mkdir -p "$T/suite" "$T/rout/failed/other"
printf 'name: r\ntile: {rows: 2, cols: 2}\n' > "$T/suite/config.yaml"
printf 'values:\n  max_rel_err: 12345\n' > "$T/suite/expected.yaml"
echo keep > "$T/rout/failed/other/diff.txt"
"$XBAR" regress "$T/suite" -o "$T/rout" > "$T/rlog" 2>&1
check "a root case is not named '.'" bash -c "! grep -q \"case \\.\" '$T/rlog' && ! grep -q ' \\. ' '$T/rlog'"
check "a root case leaves the evidence of other cases" test -f "$T/rout/failed/other/diff.txt"

report
