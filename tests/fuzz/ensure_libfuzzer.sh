#!/usr/bin/env bash
# Makes sure clang++ can build a libFuzzer target (-fsanitize=fuzzer); installs Debian's
# clang and its runtime libraries (libclang-rt-dev) when they are missing.
set -euo pipefail
FUZZ_CXX=${FUZZ_CXX:-clang++}
probe() {
  local dir; dir=$(mktemp -d)
  printf '%s\n' '#include <cstdint>' '#include <cstddef>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' >"$dir/p.cpp"
  "$FUZZ_CXX" -fsanitize=fuzzer,address,undefined "$dir/p.cpp" -o "$dir/p" >/dev/null 2>&1
  local rc=$?; rm -rf "$dir"; return $rc
}
if probe; then exit 0; fi
echo "nnscratch: $FUZZ_CXX cannot build libFuzzer targets (clang or its fuzzer runtime is missing)."
if ! command -v apt-get >/dev/null 2>&1; then
  echo "nnscratch: install clang with its compiler-rt (libFuzzer) from your package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "nnscratch: installing Debian's clang and libclang-rt-dev"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-dev ||
  { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-dev; }
probe || { echo "nnscratch: still cannot build a libFuzzer target with $FUZZ_CXX" >&2; exit 1; }
