#!/usr/bin/env bash
# The exercises' part of `make test`, run from the repository root. For each exercise
# tutorials/exercises/N_name.h:
#   exercise N_name: solution passes      the reference solution (solutions/N_name.h)
#                                         passes every check
#   exercise N_name: catches <bug>        each planted bug (checks/planted/N_name/<bug>.bug:
#                                         the solution with one mistake, made by
#                                         tests/tools/plant_bug.cpp) fails the checks, with the
#                                         hint its "// expect-hint:" line names
#   exercise N_name: your file / the stub your file in tutorials/exercises/:
#     * still the stub as shipped (its SHA-256 is the one in checks/stubs.sha256): its checks
#       must build and report "not implemented yet" (counted);
#     * edited (you are solving it): its checks are built and run. Passing is counted as a
#       pass; not building or not passing yet is shown at the end but not counted, because
#       make test checks the library, and unfinished homework is not a broken library.
#       `make exercise N=1` is where your file is judged, with every hint.
# A maintainer who changes a stub records it again:
#   sha256sum tutorials/exercises/[0-9]_*.h > tutorials/exercises/checks/stubs.sha256
# Binaries: build/exercises/ (yours, built here so that a file that does not compile yet
# stops nothing), build/exercises/solutions/, build/exercises/planted/ (built by make test).
set -uo pipefail
build=$1
here=$(dirname "$0")
make_cmd=${MAKE:-make}
# shellcheck source=tests/tally.sh
source "$here/tally.sh"
checks=tutorials/exercises/checks
sums=$checks/stubs.sha256

# run_logged LABEL LOG COMMAND...: runs COMMAND into LOG; sets $status and $ms
run_logged() {
  local start
  start=$(now_ms)
  "${@:3}" >"$2" 2>&1 </dev/null
  status=$?
  ms=$(($(now_ms) - start))
}

names=()
for f in $checks/[0-9]*_check.cpp; do names+=("$(basename "$f" _check.cpp)"); done

for name in "${names[@]}"; do
  label="exercise $name: solution passes"
  log=$(log_path "$build" "$label")
  run_logged "$label" "$log" "$build/exercises/solutions/${name}_check"
  if [ $status -eq 0 ]; then report_ok "$label" $ms; else report_failed "$label" "exit $status" "$log"; fi
done

for file in $checks/planted/*/*.bug; do
  [ -f "$file" ] || continue
  bug=$(basename "$file" .bug)
  name=$(basename "$(dirname "$file")")
  label="exercise $name: catches $bug"
  hint=$(sed -n 's|^// expect-hint: ||p' "$file")
  log=$(log_path "$build" "$label")
  run_logged "$label" "$log" "$build/exercises/planted/$bug"
  if [ -z "$hint" ]; then
    report_failed "$label" "$file has no \"// expect-hint:\" line saying what the checks must say"
  elif [ $status -eq 0 ]; then
    report_failed "$label" "the checks passed: they do not catch this mistake" "$log"
  elif [ $status -ne 1 ]; then
    report_failed "$label" "the checks crashed (exit $status) instead of failing with a hint" "$log"
  elif ! grep -qF -- "$hint" "$log"; then
    report_failed "$label" "the checks failed, but without saying \"$hint\"" "$log"
  else
    report_ok "$label" $ms
  fi
done

# plant_bug itself: a block whose lines are not in the solution (a solution changed there
# since) must stop it with a message, not plant nothing.
label="exercises: plant_bug refuses a block the solution does not hold"
log=$(log_path "$build" "$label")
stale=$(mktemp)
printf '// expect-hint: anything\n<<<<<<< solution\n  no such line in any solution\n=======\n  x\n>>>>>>> planted\n' >"$stale"
run_logged "$label" "$log" "$build/tools/plant_bug" "$stale" tutorials/exercises/solutions/1_elu.h "$stale.h"
if [ $status -eq 1 ] && grep -q "are not in tutorials/exercises/solutions/1_elu.h" "$log" && [ ! -e "$stale.h" ]; then
  report_ok "$label" $ms
else
  report_failed "$label" "exit $status; it must exit 1, name the solution and write nothing" "$log"
fi
rm -f "$stale" "$stale.h"

for name in "${names[@]}"; do
  file=tutorials/exercises/$name.h
  want=$(awk -v f="$file" '$2 == f { print $1 }' "$sums" 2>/dev/null)
  have=$(sha256sum "$file" | cut -d' ' -f1)
  number=${name%%_*}
  if [ -z "$want" ]; then
    report_failed "exercise $name: the stub" "$sums has no line for $file (see the top of tests/run_exercises.sh)"
  elif [ "$want" = "$have" ]; then
    label="exercise $name: the stub says \"not implemented yet\""
    log=$(log_path "$build" "$label")
    run_logged "$label" "$log" "$make_cmd" --no-print-directory BUILD="$build" "$build/exercises/${name}_check"
    if [ $status -ne 0 ]; then
      report_failed "$label" "the stub's checks do not build" "$log"
    else
      run_logged "$label" "$log" "$build/exercises/${name}_check"
      if [ $status -eq 1 ] && grep -q "not implemented yet" "$log"; then report_ok "$label" $ms
      else report_failed "$label" "exit $status, expected 1 and \"not implemented yet\"" "$log"; fi
    fi
  else
    label="exercise $name: your file"
    log=$(log_path "$build" "$label")
    run_logged "$label" "$log" "$make_cmd" --no-print-directory BUILD="$build" "$build/exercises/${name}_check"
    if [ $status -ne 0 ]; then
      report_note "$label" "does not build yet (not counted; make exercise N=$number shows why)"
    else
      run_logged "$label" "$log" "$build/exercises/${name}_check"
      if [ $status -eq 0 ]; then report_ok "$label" $ms
      elif grep -q "not implemented yet" "$log"; then
        # Still (partly) a stub: a student's work in progress, or a maintainer's edit of the
        # stub that was not recorded in stubs.sha256. Say both.
        report_note "$label" "not finished yet (not counted; make exercise N=$number). Changed the stub itself? Record it: see tests/run_exercises.sh"
      else report_note "$label" "does not pass its checks yet (not counted; make exercise N=$number shows the hints)"; fi
    fi
  fi
done
exit "$TALLY_FAILED"
