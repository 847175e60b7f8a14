#!/usr/bin/env bash
# check_expected_selftest.sh: the expected-output machinery itself, on made-up examples, so
# that make test would notice if it stopped catching anything:
#   1. the marker rule (tests/expected_output.sh) masks durations and `# vary:` lines, and
#      nothing else;
#   2. the header check (tests/check_tutorial_headers.sh) passes a header whose numbers are
#      printed and fails one that promises a number the run does not print.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tests/expected_output.sh
source tests/expected_output.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
problems=0
expect() {  # expect WHAT GOT WANT
  if [ "$2" != "$3" ]; then echo "$1: got '$2', expected '$3'"; problems=$((problems + 1)); fi
}

# 1. The marker rule.
printf '# vary: GFLOP/s\n' >"$tmp/rules.txt"
expect "progress bar" "$(echo '94/94 [====] - 1s 615us/step - loss: 1.0676' | expected_mask "$tmp/rules.txt")" \
  '94/94 [====] - ~s ~s/step - loss: 1.0676'
expect "durations with a space" "$(echo '  2 epochs in 0.1 s (0.06 s per epoch)' | expected_mask "$tmp/rules.txt")" \
  '  2 epochs in ~s (~s per epoch)'
expect "table padding" "$(echo '      8     0.006 s     1.1678' | expected_mask "$tmp/rules.txt")" '      8 ~s 1.1678'
expect "a vary line" "$(echo '    naive    2.3 GFLOP/s' | expected_mask "$tmp/rules.txt")" '~'
expect "words after numbers stay" "$(echo '64 steps, 3 epochs, 10 seconds, 5 shapes' | expected_mask "$tmp/rules.txt")" \
  '64 steps, 3 epochs, 10 seconds, 5 shapes'
expect "no rules file" "$(echo 'accuracy 0.8909 in 4.2 s' | expected_mask "$tmp/none.txt")" 'accuracy 0.8909 in ~s'

# 2. The header check.
cat >"$tmp/full.txt" <<'OUT'
# a recorded full run
  test loss 0.3255, test accuracy 0.8909 (chance: 0.10)
  x_train (60000, 28, 28, 1), 5000 images, largest difference 1.0e-06
OUT
printf '  2 epochs on 3000 images\n' >"$tmp/quick.txt"
header() {  # header TEXT: a tutorial source whose Expected output paragraph is TEXT
  printf '// 99 - a made-up tutorial\n//\n// Expected output: %s\n//\n// More text: 12345.\nint main() {}\n' "$1" \
    >"$tmp/99_made_up.cpp"
}
check() { bash tests/check_tutorial_headers.sh 99_made_up "$tmp/99_made_up.cpp" "$tmp/full.txt" "$tmp/quick.txt"; }
header 'accuracy 0.8909 (loss 0.32550) on 5,000 images of 28×28, agreeing to 1e-6, in ~4 s; --quick: 3,000 images.'
check >"$tmp/out" || { echo "a header whose numbers are all printed failed the check:"; cat "$tmp/out"; problems=$((problems + 1)); }
header 'accuracy 0.8910 on 5,000 images.'
if check >"$tmp/out"; then echo "a header promising 0.8910 (printed: 0.8909) passed the check"; problems=$((problems + 1)); fi
grep -q 'promises 0.8910 (full run)' "$tmp/out" || { echo "the check did not name 0.8910:"; cat "$tmp/out"; problems=$((problems + 1)); }
header 'accuracy 0.8909; --quick: 2 epochs on 4,000 images.'
if check >"$tmp/out"; then echo "a header promising 4,000 --quick images (printed: 3000) passed"; problems=$((problems + 1)); fi

if [ $problems -eq 0 ]; then echo "the marker rule and the header check work on their examples"; fi
exit $((problems > 0))
