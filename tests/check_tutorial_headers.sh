#!/usr/bin/env bash
# check_tutorial_headers.sh NN_name [SOURCE FULL_OUTPUT QUICK_OUTPUT]: is every number that
# the tutorial's header promises in its "Expected output" paragraph one that the tutorial
# prints? (The three files, given, replace tutorials/NN_name.cpp and its recorded outputs:
# tests/check_expected_selftest.sh uses them.)
#
# The paragraph runs from the comment line starting "// Expected output" to the next empty
# comment line ("//") or the end of the comment. In it:
#   * a number written with a leading ~ (~15 s, ~2x, ~0.7) is an approximation, not checked;
#   * so is a number glued to a word or a path (Conv2D, 8x32, out/09_filters.svg, AVX-512);
#   * the text from "--quick" to the end of its sentence is about the --quick run and is
#     checked against the recorded --quick output (tutorials/expected/quick/);
#   * everything else is about the full run, checked against the recorded full run
#     (tutorials/expected/full/), which `make expected` records on Fashion-MNIST.
# A number "appears" when the output prints the same value as a number of its own:
# 0.0775 matches 0.077500, 5,000 matches 5000 and 1e-6 matches 1.0e-06.
# VERBOSE=1 lists every number checked.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
name=$1
src=${2:-tutorials/$name.cpp}
# shellcheck source=tests/expected_output.sh
source tests/expected_output.sh

recorded() {  # recorded MODE: the recorded output the header talks about
  local f
  if [ $# -gt 1 ]; then f=$2; else f=$(expected_file "$1" "$name" fashion-mnist); fi
  [ -f "$f" ] && expected_body "$f"
}
full=$(mktemp) quick=$(mktemp)
trap 'rm -f "$full" "$quick"' EXIT
recorded full ${3:+"$3"} >"$full" || { echo "$name: no recorded full run in $EXPECTED_DIR/full/: run make expected"; exit 1; }
recorded quick ${4:+"$4"} >"$quick" || { echo "$name: no recorded --quick run in $EXPECTED_DIR/quick/: run make expected"; exit 1; }

LC_ALL=C awk -v name="$name" -v full="$full" -v quick="$quick" -v verbose="${VERBOSE:-0}" '
  # Every number in `text`, as "value<TAB>as written" lines in out[1..n]; strict = 1 skips the
  # ones that are not a promise (approximations, parts of words and paths).
  function numbers(text, out, strict,   n, tok, pre, pre2, post, neg, value) {
    n = 0
    while (match(text, /[0-9]+(,[0-9][0-9][0-9])*(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
      tok = substr(text, RSTART, RLENGTH)
      pre = RSTART > 1 ? substr(text, RSTART - 1, 1) : " "
      pre2 = RSTART > 2 ? substr(text, RSTART - 2, 1) : " "
      post = substr(text, RSTART + RLENGTH, 1)
      text = substr(text, RSTART + RLENGTH)
      neg = pre == "-" && pre2 ~ /[ (\[=:,]/
      if (strict && (pre ~ /[A-Za-z0-9_.\/~]/ || (pre == "-" && !neg) || post ~ /[A-Za-z_]/)) continue
      gsub(/,/, "", tok)
      value = sprintf("%.9g", (neg ? -1 : 1) * (tok + 0))
      out[++n] = value "\t" (neg ? "-" : "") tok
    }
    return n
  }
  function load(file, set,   line, got, k, i) {
    while ((getline line < file) > 0) {
      k = numbers(line, got, 0)
      for (i = 1; i <= k; i++) { split(got[i], part, "\t"); set[part[1]] = 1 }
    }
  }
  # The paragraph, joined into one line.
  /^\/\/ Expected output/ { inside = 1 }
  inside && (!/^\/\// || /^\/\/ *$/) { inside = 0; done = 1 }
  inside { sub(/^\/\/ ?/, ""); paragraph = paragraph " " $0 }
  END {
    if (paragraph == "") { print name ": the header has no \"// Expected output\" paragraph"; exit 1 }
    load(full, in_full); load(quick, in_quick)
    # Split off the --quick parts: from "--quick" to the end of that sentence.
    rest = paragraph; about_full = ""; about_quick = ""
    while ((i = index(rest, "--quick")) > 0) {
      about_full = about_full substr(rest, 1, i - 1)
      rest = substr(rest, i)
      if (match(rest, /\.( |$)/)) { about_quick = about_quick " " substr(rest, 1, RSTART); rest = substr(rest, RSTART + 1) }
      else { about_quick = about_quick " " rest; rest = "" }
    }
    about_full = about_full rest
    missing = 0
    k = numbers(about_full, promised, 1)
    for (i = 1; i <= k; i++) { split(promised[i], part, "\t"); checked++
      if (verbose) print "  full run: " part[2] (part[1] in in_full ? " printed" : " NOT printed")
      if (!(part[1] in in_full)) { print name ": the header promises " part[2] " (full run), the full run does not print it"; missing++ } }
    k = numbers(about_quick, promised, 1)
    for (i = 1; i <= k; i++) { split(promised[i], part, "\t"); checked++
      if (verbose) print "  --quick run: " part[2] (part[1] in in_quick ? " printed" : " NOT printed")
      if (!(part[1] in in_quick)) { print name ": the header promises " part[2] " (--quick), the --quick run does not print it"; missing++ } }
    print name ": " checked " numbers in the header, " missing " not printed"
    exit missing > 0
  }' "$src"
