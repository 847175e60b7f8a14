#!/usr/bin/env bash
# Runs the doctest binary, shows its output, and ends with one plain line
# "tests: N passed, N failed" taken from doctest's own summary of test cases.
set -uo pipefail
bin=$1; shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -n 1)
passed=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
failed=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
if [ -z "$line" ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
