#!/usr/bin/env bash
# The tutorials' part of `make test`, run from the repository root. For every tutorial:
#   tutorial NN --quick                 the fast path on the best data set here, as CI must;
#                                       pictures go to out/quick/, so the ones `make run`
#                                       and full runs wrote in out/ stay as they were
#   tutorial NN --quick, NN_REFERENCE=1 the plain loops of src/reference/
# One line per check, each counted in make test's last line (tests/tally.sh); the output
# of each run is in build/logs/.
set -uo pipefail
build=$1
here=$(dirname "$0")
# shellcheck source=tests/tally.sh
source "$here/tally.sh"

# run_check LABEL COMMAND...: passes when COMMAND exits 0
run_check() {
  local label=$1 log start status
  shift
  log=$(log_path "$build" "$label")
  start=$(now_ms)
  "$@" >"$log" 2>&1 </dev/null
  status=$?
  if [ $status -eq 0 ]; then report_ok "$label" $(($(now_ms) - start)); else report_failed "$label" "exit $status" "$log"; fi
}

tutorials=()
for src in tutorials/[0-9][0-9]_*.cpp; do tutorials+=("$(basename "$src" .cpp)"); done
for name in "${tutorials[@]}"; do
  run_check "tutorial $name --quick" "$build/tutorials/$name" --quick
done
for name in "${tutorials[@]}"; do
  run_check "tutorial $name --quick, NN_REFERENCE=1" env NN_REFERENCE=1 "$build/tutorials/$name" --quick
done
exit "$TALLY_FAILED"
