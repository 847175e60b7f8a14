#!/usr/bin/env bash
# Runs the doctest binary, shows its output, and ends with one plain line
#     tests: N passed, N failed
# which counts doctest's test cases plus, when $NN_TALLY names a tally file (make test
# does; see tests/tally.sh), every check the other scripts recorded there: the tutorial
# runs and their expected output, the exercises, the install check.
#
# That line and the exit status always agree: the status is 0 exactly when the line says
# "0 failed" and at least one test passed. So a doctest binary that crashes before its
# summary, or exits non-zero without a failed test case, is counted as one failure, and so
# is a tally file that was asked for but is missing.
set -uo pipefail
bin=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
passed=$(sed -nE 's/.*\| *([0-9]+) passed.*/\1/p' <<<"$line")
failed=$(sed -nE 's/.*\| *([0-9]+) failed.*/\1/p' <<<"$line")
passed=${passed:-0}
failed=${failed:-0}
problems=()
if [ -z "$line" ]; then
  problems+=("the unit tests printed no summary (exit status $status): counted as 1 failure")
  failed=$((failed + 1))
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  problems+=("the unit tests exited with status $status although no test case failed: counted as 1 failure")
  failed=1
fi
doctest_passed=$passed doctest_failed=$failed

if [ -n "${NN_TALLY:-}" ]; then
  if [ -r "$NN_TALLY" ]; then
    t_pass=$(grep -c $'^pass\t' "$NN_TALLY")
    t_fail=$(grep -c $'^fail\t' "$NN_TALLY")
    passed=$((passed + t_pass))
    failed=$((failed + t_fail))
    echo
    echo "counted: $doctest_passed + $doctest_failed unit test cases (doctest), $t_pass + $t_fail checks of the tutorials," \
         "exercises and install (passed + failed)"
    if [ "$t_fail" -gt 0 ]; then
      echo "failed before the unit tests ran (their output is further up, logs in build/logs/):"
      grep $'^fail\t' "$NN_TALLY" | cut -f 2- | sed 's/^/    /'
    fi
    if grep -q $'^note\t' "$NN_TALLY"; then
      echo "not counted:"
      grep $'^note\t' "$NN_TALLY" | cut -f 2- | sed 's/^/    /'
    fi
  else
    problems+=("the tally file $NN_TALLY of the tutorial, exercise and install checks is missing: counted as 1 failure")
    failed=$((failed + 1))
  fi
fi
for p in ${problems[@]+"${problems[@]}"}; do echo "$p"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
