#!/usr/bin/env bash
# Expected output of the tutorials, like an expect test: what each tutorial prints is kept
# in tutorials/expected/ and compared by `make test`. The rules are in
# tutorials/expected/README.md; in short:
#
#   tutorials/expected/quick/NN_name[.DATA].txt   NN_REFERENCE=1 NN_name --quick
#                                                 (compared by make test on every run)
#   tutorials/expected/full/NN_name[.DATA].txt    NN_name, the full run on this machine's
#                                                 fastest path (not rerun by make test: the
#                                                 header check reads the numbers in it)
#   .DATA   for the tutorials that load a data set (fashion-mnist or shapes): the run used it
#   ~       in a recorded line: a duration (1s, 615us, 0.81 s), which changes from run to run
#   "# vary: REGEX" at the top of a file: output lines matching REGEX (grep -E) are recorded
#           as a lone "~" and match any line (timings and speeds in tables, the CPU's kernel)
#
# Sourced by tests/run_tutorials.sh for the comparison; run directly by `make expected`:
#   tests/expected_output.sh record BUILD [quick|full|all] [NAME_PATTERN]
# shellcheck shell=bash

EXPECTED_DIR=tutorials/expected

# uses_data NAME: does this tutorial load a data set (and so has one file per data set)?
uses_data() { grep -q '"tutorial_data.h"' "tutorials/$1.cpp"; }

# expected_file MODE NAME DATA: the recorded output of one run
expected_file() {
  if uses_data "$2"; then echo "$EXPECTED_DIR/$1/$2.$3.txt"; else echo "$EXPECTED_DIR/$1/$2.txt"; fi
}

# expected_command MODE: the environment and flags of a recorded run (the same for
# recording and comparing). The quick runs are in reference mode: its plain loops give the
# same numbers on every x86-64 machine, while the fast kernels' rounding depends on the
# CPU (FMA or not) and shows after a few hundred training steps.
expected_command() {
  case $1 in
    quick) echo "NN_REFERENCE=1 %s --quick" ;;
    full) echo "%s" ;;
  esac
}

# run_recorded MODE BIN DATA STDOUT_FILE LOG_FILE: one run as it is recorded; its exit status
run_recorded() {
  local mode=$1 bin=$2 data=$3
  if [ "$mode" = quick ]; then
    NN_REFERENCE=1 NN_TUTORIAL_DATA=$data "$bin" --quick >"$4" 2>"$5" </dev/null
  else
    NN_TUTORIAL_DATA=$data "$bin" >"$4" 2>"$5" </dev/null
  fi
}

# expected_mask RECORDED_FILE < output > masked: applies the rules above. RECORDED_FILE
# (which may not exist yet) supplies the "# vary:" rules.
expected_mask() {
  local rules=""
  [ -f "$1" ] && rules=$(sed -n 's/^# vary: //p' "$1")
  # durations: a number and a time unit, glued or after one space
  LC_ALL=C sed -E 's/[0-9]+(\.[0-9]+)? ?(min|ms|us|µs|s)\b/~s/g' |
    RULES=$rules LC_ALL=C awk 'BEGIN { n = split(ENVIRON["RULES"], rule, "\n") }
      { for (i = 1; i <= n; i++) if (rule[i] != "" && $0 ~ rule[i]) { $0 = "~"; break }
        print }' |
    # the padding next to a masked value depended on its width: one space is kept
    LC_ALL=C sed -E 's/ +~/ ~/g; s/~(s?) +/~\1 /g'
}

# expected_body RECORDED_FILE: the recorded output without the "# " header lines at its top
expected_body() { awk 'body || !/^# / { body = 1; print }' "$1"; }

# record_one MODE NAME DATA BUILD: runs the tutorial and writes its expected file
record_one() {
  local mode=$1 name=$2 data=$3 build=$4 file out log status
  file=$(expected_file "$mode" "$name" "$data")
  out=$(mktemp) log=$(mktemp)
  mkdir -p "$(dirname "$file")"
  printf '%-64s ' "record $file"
  local start=$SECONDS
  run_recorded "$mode" "$build/tutorials/$name" "$data" "$out" "$log"
  status=$?
  if [ $status -ne 0 ]; then
    echo "FAILED (exit $status)"
    tail -n 15 "$log" "$out" | sed 's/^/    /'
    rm -f "$out" "$log"
    return 1
  fi
  {
    local how
    # shellcheck disable=SC2059  # the command is the format
    how=$(printf "$(expected_command "$mode")" "build/tutorials/$name")
    uses_data "$name" && how="NN_TUTORIAL_DATA=$data $how"
    echo "# The output of: $how"
    echo "# recorded by \`make expected\`; ~ marks what changes from run to run (see tutorials/expected/README.md)"
    [ -f "$file" ] && grep '^# vary: ' "$file"
    expected_mask "$file" <"$out"
  } >"$file.new"
  mv "$file.new" "$file"
  echo "ok ($((SECONDS - start)) s)"
  rm -f "$out" "$log"
}

# The data sets a tutorial's expected output is recorded for: Fashion-MNIST (when this
# machine has it) and the built-in shapes, which every machine has.
recorded_data_sets() {
  local mode=$1
  if [ -f datasets/fashion-mnist/train-images-idx3-ubyte ]; then echo fashion-mnist; fi
  # The full runs are what the headers describe: Fashion-MNIST only.
  if [ "$mode" = quick ]; then echo shapes; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  [ "${1:-}" = record ] || { echo "usage: $0 record BUILD [quick|full|all] [NAME_PATTERN]" >&2; exit 2; }
  build=${2:-build}
  runs=${3:-all}
  pattern=${4:-}
  cd "$(dirname "$0")/.." || exit 1
  bash datasets/fetch --local fashion-mnist >/dev/null 2>&1
  if [ ! -f datasets/fashion-mnist/train-images-idx3-ubyte ]; then
    echo "note: Fashion-MNIST is not on this machine, so only the quick runs on the built-in shapes are recorded" \
         "(make data NAME=fashion-mnist)"
  fi
  failed=0
  for mode in quick full; do
    [ "$runs" = all ] || [ "$runs" = "$mode" ] || continue
    for src in tutorials/[0-9][0-9]_*.cpp; do
      name=$(basename "$src" .cpp)
      [ -z "$pattern" ] || [[ $name == *$pattern* ]] || continue
      if uses_data "$name"; then
        for data in $(recorded_data_sets "$mode"); do record_one "$mode" "$name" "$data" "$build" || failed=1; done
      else
        record_one "$mode" "$name" none "$build" || failed=1
      fi
    done
  done
  echo "Now look at what changed before committing it: git diff --stat tutorials/expected; git diff tutorials/expected"
  exit $failed
fi
