#!/usr/bin/env bash
# The tutorials' part of `make test`, run from the repository root. For every tutorial:
#   tutorial NN --quick                 the fast path on the best data set here, as CI must;
#                                       pictures go to out/quick/, so the ones `make run`
#                                       and full runs wrote in out/ stay as they were
#   tutorial NN --quick, NN_REFERENCE=1 the plain loops of src/reference/; what it prints
#                                       must match its recorded output in
#                                       tutorials/expected/quick/ (the rules are in
#                                       tutorials/expected/README.md; after an intended
#                                       change, `make expected` records it again)
#   tutorial NN header                  every number the header's "Expected output" quotes
#                                       is one the tutorial prints
#                                       (tests/check_tutorial_headers.sh)
# and once: every file and function the tutorials and their README point at exists
# (tests/check_tutorial_pointers.sh), the Chinese READMEs cite the same tutorials, files and
# names as the English ones (tests/check_translations.sh), and the checks above still catch
# what they should (tests/check_expected_selftest.sh). One line per check, each counted in make test's last
# line (tests/tally.sh); the output of each run is in build/logs/.
set -uo pipefail
build=$1
here=$(dirname "$0")
# shellcheck source=tests/tally.sh
source "$here/tally.sh"
# shellcheck source=tests/expected_output.sh
source "$here/expected_output.sh"

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

# compare_check NAME DATA: the reference-mode quick run, compared with its recorded output
compare_check() {
  local name=$1 data=$2 label file log start status
  label="tutorial $name --quick, NN_REFERENCE=1"
  uses_data "$name" && label="$label ($data)"
  file=$(expected_file quick "$name" "$data")
  log=$(log_path "$build" "$label")
  start=$(now_ms)
  run_recorded quick "$build/tutorials/$name" "$data" "$log.stdout" "$log"
  status=$?
  if [ $status -ne 0 ]; then
    cat "$log.stdout" >>"$log"
    report_failed "$label" "exit $status" "$log"
  elif [ "$(uname -m)" != x86_64 ]; then
    report_ok "$label" $(($(now_ms) - start))
    report_note "  its output" "not compared: the recorded outputs are from x86-64, where the same code rounds the same way"
  elif [ ! -f "$file" ]; then
    report_failed "$label" "nothing recorded in $file: run make expected"
  elif diff -u --label "recorded: $file" --label "this run (masked)" <(expected_body "$file") \
         <(expected_mask "$file" <"$log.stdout") >"$log.diff"; then
    report_ok "$label" $(($(now_ms) - start))
  else
    report_failed "$label" "its output differs from $file"
    head -n 40 "$log.diff" | sed 's/^/    /'
    echo "    (the whole difference: $log.diff. If the change is intended, run \`make expected\`"
    echo "    and read \`git diff tutorials/expected\` before committing it.)"
  fi
}

# The recorded outputs are on Fashion-MNIST when this machine has it, else on the
# built-in shapes (which every machine has).
bash datasets/fetch --local fashion-mnist >/dev/null 2>&1
data=shapes
[ -f datasets/fashion-mnist/train-images-idx3-ubyte ] && data=fashion-mnist

tutorials=()
for src in tutorials/[0-9][0-9]_*.cpp; do tutorials+=("$(basename "$src" .cpp)"); done
for name in "${tutorials[@]}"; do
  run_check "tutorial $name --quick" "$build/tutorials/$name" --quick
done
for name in "${tutorials[@]}"; do
  compare_check "$name" "$data"
done
for name in "${tutorials[@]}"; do
  run_check "tutorial $name header: its numbers are printed" bash "$here/check_tutorial_headers.sh" "$name"
done
run_check "tutorials: the files and functions they point at exist" bash "$here/check_tutorial_pointers.sh"
run_check "READMEs: the Chinese ones cite the same tutorials and files" bash "$here/check_translations.sh"
run_check "tutorials: the expected-output checks catch a changed number" bash "$here/check_expected_selftest.sh"
exit "$TALLY_FAILED"
