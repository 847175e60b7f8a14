#!/usr/bin/env bash
# The install check, run by `make test`: is the library usable from a program outside
# this repository, the way a student's own project would use it?
#   1. make install into a fresh temporary prefix (twice: a second install must simply
#      overwrite the first), whose headers include no third-party header;
#   2. build tests/install/consumer/main.cpp in a folder outside the tree with
#      `pkg-config --cflags --libs nnscratch`, and run it;
#   3. move the prefix elsewhere (the CMake package must not depend on where it was
#      installed), build the same program with CMake's find_package(nnscratch) and the
#      target nnscratch::nn, and run it;
#   4. make uninstall must leave the prefix without a single file;
#   5. a DESTDIR install (what packagers do) must land under DESTDIR, with the paths
#      inside the files still saying PREFIX.
# One line per step, like tests/run_tutorials.sh (plus what the consumer printed), each
# counted in make test's last line (tests/tally.sh); the details go to
# $build/logs/install_*.log. The exit status is the number of steps that failed.
# Usage: tests/install/run.sh BUILD_DIR   (MAKE and CXX are taken from the environment)
# shellcheck disable=SC2317  # the step functions below are called through step()
set -uo pipefail
mkdir -p "$1/logs" || exit 1
build=$(cd "$1" && pwd)   # absolute: make -C changes folder
root=$(cd "$(dirname "$0")/../.." && pwd)
make_cmd=${MAKE:-make}
cxx=${CXX:-g++}
# shellcheck source=tests/tally.sh
source "$root/tests/tally.sh"

# step LABEL COMMAND...: runs COMMAND with its output in a log; one line ok / FAILED.
step() {
  local label=$1
  shift
  local log="$build/logs/install_${label//[^A-Za-z0-9_]/_}.log" start ms status
  start=$(date +%s%N)
  # A subshell, so nothing a step sets leaks out; -e: a step stops at its first failure;
  # -x: the log shows every command it ran.
  ( set -ex; "$@" ) >"$log" 2>&1 </dev/null
  status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ $status -eq 0 ]; then
    report_ok "install: $label" "$ms"
    grep '^consumer: mse' "$log" | sed 's/^/    /'   # what the outside program learnt
  else
    report_failed "install: $label" "exit $status" "$log"
  fi
  return $status
}

# cmake --build runs make; keep the outer make's flags and variables (BUILD=..., -j and
# its job server) out of the consumer's build, which is a project of its own.
outside() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }

install_into() {  # install_into PREFIX [DESTDIR]
  "$make_cmd" --no-print-directory -C "$root" BUILD="$build" install PREFIX="$1" DESTDIR="${2:-}"
}
uninstall_from() {
  "$make_cmd" --no-print-directory -C "$root" uninstall PREFIX="$1" DESTDIR="${2:-}"
}
# The program checks what it learnt itself: exit status 0 and a last line "consumer: ok".
run_consumer() {
  local out
  out=$("$1") || { echo "$out"; return 1; }
  echo "$out"
  [ "$(tail -n 1 <<<"$out")" = "consumer: ok" ]
}

# The installed headers are nnscratch's own: the JSON library the library is built with
# (nlohmann, used inside src/model/model_config.cpp) must not leak into them.
headers_are_ours() {
  if grep -rlE '#include *<nlohmann' "$1/include"; then echo "installed headers include nlohmann/json"; return 1; fi
}
install_twice() { install_into "$tmp/prefix" && install_into "$tmp/prefix" && headers_are_ours "$tmp/prefix"; }

build_with_pkg_config() {
  export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
  pkg-config --modversion nnscratch
  mkdir -p "$tmp/pc"
  cp "$root/tests/install/consumer/main.cpp" "$tmp/pc/"
  # shellcheck disable=SC2046  # the flags must split into words
  "$cxx" -std=c++20 -Wall -Wextra -O2 "$tmp/pc/main.cpp" $(pkg-config --cflags --libs nnscratch) -o "$tmp/pc/consumer"
  run_consumer "$tmp/pc/consumer"
}

build_with_cmake() {
  local version   # the version the .pc file announces: the CMake package must agree
  version=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --modversion nnscratch) || return 1
  mv "$tmp/prefix" "$tmp/moved" || return 1
  mkdir -p "$tmp/cm"
  cp "$root/tests/install/consumer/main.cpp" "$root/tests/install/consumer/CMakeLists.txt" "$tmp/cm/"
  outside cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$tmp/moved" \
    -DCMAKE_CXX_COMPILER="$cxx" -DWANT_VERSION="$version" &&
  outside cmake --build "$tmp/cm/build" -j 2 --verbose &&
  run_consumer "$tmp/cm/build/consumer"
}

# After uninstall, the prefix may keep empty shared folders (lib/, lib/pkgconfig/) but
# no file and nothing named nnscratch.
nothing_left() {
  local left
  left=$(find "$1" -not -type d -o -name '*nnscratch*')
  if [ -n "$left" ]; then echo "left behind in $1:"; echo "$left"; return 1; fi
}

uninstall_and_check() { uninstall_from "$tmp/moved" && nothing_left "$tmp/moved"; }

destdir_install() {
  install_into /usr "$tmp/stage" &&
  test -f "$tmp/stage/usr/include/nnscratch/nn.h" &&
  test -f "$tmp/stage/usr/lib/libnn.a" &&
  test -f "$tmp/stage/usr/lib/cmake/nnscratch/nnscratchConfig.cmake" &&
  grep -x 'prefix=/usr' "$tmp/stage/usr/lib/pkgconfig/nnscratch.pc" &&
  uninstall_from /usr "$tmp/stage" && nothing_left "$tmp/stage"
}

if ! bash "$root/tests/ensure_build_tools.sh"; then
  report_failed "install: build tools" "cmake or pkg-config missing, see above"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nnscratch-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

if step "make install PREFIX=<tmp> (twice)" install_twice; then
  step "pkg-config consumer builds and runs" build_with_pkg_config
  step "CMake consumer builds and runs (prefix moved)" build_with_cmake
  step "make uninstall leaves no file" uninstall_and_check
fi
step "make install DESTDIR=<tmp> PREFIX=/usr, uninstall" destdir_install
exit "$TALLY_FAILED"
