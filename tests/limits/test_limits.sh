#!/bin/bash
# Limits for every engine (issue 14): the nodal engine stops at --time-limit
# and at Ctrl-C, is refused above --max-memory before it starts; a transient
# with a tiny step is refused at the default memory limit; limit options must
# be finite numbers in range.  Prints the measured times.
# Usage: test_limits.sh PATH/TO/xbar
set -u
XBAR=${1:?usage: test_limits.sh XBAR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() {  # check NAME COMMAND...
  if "${@:2}"; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAILED: $1"; fi
}
now() { date +%s.%N; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# 1024x1024 nodal with 16 vectors: tens of seconds of solving here.
printf 'name: n\ntile: {rows: 1024, cols: 1024}\ninputs: {vectors: 16}\nsimulator: {engine: nodal}\n' > "$T/n.yaml"

s=$(now); "$XBAR" run "$T/n.yaml" -o "$T/out_t" --time-limit 1 > "$T/log_t" 2>&1; rc=$?; wall=$(awk -v a="$s" -v b="$(now)" 'BEGIN { print b - a }')
echo "nodal --time-limit 1: exit $rc after $wall s"
check "nodal time limit: exit 3 (got $rc)" test "$rc" = 3
check "nodal time limit: says so" grep -q "time limit of 1 s exceeded" "$T/log_t"
check "nodal time limit: over within 2 s of the limit ($wall s)" lt "$wall" 3

setsid "$XBAR" run "$T/n.yaml" -o "$T/out_i" > "$T/log_i" 2>&1 &
pid=$!
sleep 1.5
s=$(now); kill -INT "$pid"; wait "$pid"; rc=$?; latency=$(awk -v a="$s" -v b="$(now)" 'BEGIN { print b - a }')
echo "nodal SIGINT: exit $rc after $latency s"
check "nodal SIGINT: exit 130 (got $rc)" test "$rc" = 130
check "nodal SIGINT: stopped within 1.5 s ($latency s)" lt "$latency" 1.5
check "nodal SIGINT: no output folder" test ! -e "$T/out_i"

"$XBAR" run "$T/n.yaml" -o "$T/out_m" --max-memory 0.2 > "$T/log_m" 2>&1; rc=$?
check "nodal --max-memory: refused with exit 2 (got $rc)" test "$rc" = 2
check "nodal --max-memory: at inputs.vectors, naming the limit" \
  grep -q "n.yaml:3:19: error: .* in the nodal engine, above the limit of 0.2 GB" "$T/log_m"
check "nodal --max-memory: nothing written" test ! -e "$T/out_m"

# A transient whose step makes 1e15 time points: refused at the default limit.
printf 'name: t\ntile: {rows: 4, cols: 4}\nanalysis:\n  type: tran\n  tran: {step: 1f, window: 1}\n' > "$T/t.yaml"
timeout 60 "$XBAR" run "$T/t.yaml" -o "$T/out_tr" > "$T/log_tr" 2>&1; rc=$?
check "tran 1 fs step: refused with exit 2 (got $rc)" test "$rc" = 2
check "tran 1 fs step: at analysis.tran.step" grep -q "t.yaml:5:16: error: .*1e+15 time points needs about" "$T/log_tr"

# Limit options: finite, in range.
for args in "run $T/t.yaml --time-limit nan" "run $T/t.yaml --time-limit 1e308" "run $T/t.yaml --time-limit inf" \
            "run $T/t.yaml --time-limit -1" "run $T/t.yaml --max-memory nan" "run $T/t.yaml --max-memory 1e308" \
            "sweep $T/t.yaml --time-limit nan" "sweep $T/t.yaml --max-memory inf" "regress $T --case-time-limit nan"; do
  # shellcheck disable=SC2086
  "$XBAR" $args > "$T/log_a" 2>&1; rc=$?
  check "xbar $args: exit 2 (got $rc)" test "$rc" = 2
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
