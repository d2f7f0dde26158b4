# Sourced by the command-line test scripts.  `check NAME COMMAND...` runs a
# check and prints ok/FAILED; `report` prints the totals and fails when any
# check failed; `same_csv A B` compares two sweep.csv files without their
# elapsed_s column, the only one allowed to differ between runs.
pass=0 fail=0
check() {
  if "${@:2}"; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAILED: $1"; fi
}
untimed() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "elapsed_s") c = i } { $c = ""; print }' OFS=, "$1"; }
same_csv() { diff <(untimed "$1") <(untimed "$2") > /dev/null; }
report() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
