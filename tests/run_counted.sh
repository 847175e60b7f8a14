#!/usr/bin/env bash
# run_counted.sh SCRIPT ARGS...: runs one of make test's check scripts (they record each
# check in $NN_TALLY, see tests/tally.sh) and makes sure a script that stops early cannot
# go unnoticed: a non-zero exit status with no failed check recorded is recorded as a
# failure of its own. (A script's status is the number of checks that failed.)
set -uo pipefail
count_failed() { if [ -f "${NN_TALLY:-}" ]; then grep -c $'^fail\t' "$NN_TALLY"; else echo 0; fi; }
before=$(count_failed)
bash "$@"
status=$?
if [ "$status" -ne 0 ] && [ "$(count_failed)" -eq "$before" ]; then
  echo "$1 stopped with exit status $status before reporting which check failed"
  if [ -n "${NN_TALLY:-}" ]; then printf 'fail\t%s\n' "$1 stopped (exit status $status)" >>"$NN_TALLY"; fi
fi
exit "$status"
