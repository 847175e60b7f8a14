#!/usr/bin/env bash
# Runs, from the repository root (so they find datasets/ and write pictures to out/):
#   * every tutorial with --quick (a small slice, seconds each), as CI must, and once more
#     in reference mode (NN_REFERENCE=1: the plain loops of src/reference/);
#   * every exercise's reference solution, which must pass its checks;
#   * every exercise's untouched stub, which must fail with "not implemented yet".
# One line each; on a failure, the end of the program's output.
set -uo pipefail
build=$1
failed=0

# run LABEL EXPECT COMMAND... : EXPECT is "pass" or "not-implemented"
run() {
  local label=$1 expect=$2
  shift 2
  local log="$build/logs/${label//[^A-Za-z0-9_]/_}.log" start ms status
  mkdir -p "$build/logs"
  start=$(date +%s%N)
  "$@" >"$log" 2>&1 </dev/null
  status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if { [ "$expect" = pass ] && [ $status -eq 0 ]; } ||
     { [ "$expect" = not-implemented ] && [ $status -ne 0 ] && grep -q "not implemented yet" "$log"; }; then
    printf '%-64s ok (%d.%01d s)\n' "$label" $((ms / 1000)) $((ms % 1000 / 100))
  else
    printf '%-64s FAILED (exit %d), last lines of %s:\n' "$label" "$status" "$log"
    tail -n 15 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

for bin in "$build"/tutorials/[0-9][0-9]_*; do
  [ -x "$bin" ] && run "tutorial $(basename "$bin") --quick" pass "$bin" --quick
done
for bin in "$build"/tutorials/[0-9][0-9]_*; do
  [ -x "$bin" ] && run "tutorial $(basename "$bin") --quick, NN_REFERENCE=1" pass env NN_REFERENCE=1 "$bin" --quick
done
for bin in "$build"/exercises/solutions/*_check; do
  [ -x "$bin" ] && run "exercise $(basename "$bin" _check): solution passes" pass "$bin"
done
for bin in "$build"/exercises/*_check; do
  [ -x "$bin" ] && run "exercise $(basename "$bin" _check): stub says not implemented" not-implemented "$bin"
done
exit "$failed"
