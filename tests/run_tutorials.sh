#!/usr/bin/env bash
# Runs every tutorial with --quick (a small slice, seconds each), as CI does, from the
# repository root so they find datasets/ and write pictures to out/. Prints one line per
# tutorial; on a failure, the end of its output.
set -uo pipefail
dir=$1
failed=0
for bin in "$dir"/[0-9][0-9]_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  log="$dir/$name.quick.log"
  start=$(date +%s%N)
  if "$bin" --quick >"$log" 2>&1 </dev/null; then
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    printf 'tutorial %-36s ok (%d.%01d s)\n' "$name --quick" $((ms / 1000)) $((ms % 1000 / 100))
  else
    printf 'tutorial %-36s FAILED, last lines of %s:\n' "$name --quick" "$log"
    tail -n 15 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
exit "$failed"
