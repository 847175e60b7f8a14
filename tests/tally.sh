# Sourced by the scripts `make test` runs (tests/run_tutorials.sh, tests/run_exercises.sh,
# tests/install/run.sh), so that every check they make is counted in make test's last
# line, "tests: N passed, N failed" (tests/run_and_summarize.sh adds them up).
#
# A check is one line on the screen,
#     tutorial 05_loss_functions --quick                        ok (0.1 s)
# and one line in the tally file named by $NN_TALLY (when set):
#     pass<TAB>label      counted as passed
#     fail<TAB>label      counted as failed
#     note<TAB>label      shown again at the end, not counted (e.g. an exercise you are
#                         still working on: make test checks the library, not your homework)
# shellcheck shell=bash

TALLY_FAILED=0  # checks failed so far: the scripts exit with it

# tally pass|fail|note LABEL
tally() {
  if [ -n "${NN_TALLY:-}" ]; then printf '%s\t%s\n' "$1" "$2" >>"$NN_TALLY"; fi
}

# report_ok LABEL MILLISECONDS
report_ok() {
  printf '%-64s ok (%d.%01d s)\n' "$1" $(($2 / 1000)) $(($2 % 1000 / 100))
  tally pass "$1"
}

# report_failed LABEL WHY [LOG]: the line, then the last lines of LOG (if given)
report_failed() {
  printf '%-64s FAILED (%s)\n' "$1" "$2"
  if [ -n "${3:-}" ] && [ -f "$3" ]; then
    echo "    last lines of $3:"
    tail -n 15 "$3" | sed 's/^/    /'
  fi
  tally fail "$1"
  TALLY_FAILED=$((TALLY_FAILED + 1))
}

# report_note LABEL TEXT: shown, not counted
report_note() {
  printf '%-64s %s\n' "$1" "$2"
  tally note "$1: $2"
}

# now_ms: a clock for the "(1.2 s)" on each line
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# log_path BUILD LABEL: where a check's output goes, named by its label
log_path() {
  mkdir -p "$1/logs"
  echo "$1/logs/${2//[^A-Za-z0-9_]/_}.log"
}
