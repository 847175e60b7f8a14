#!/usr/bin/env bash
# install_debian_packages HINT PACKAGE...: installs Debian packages with apt-get (with sudo
# when not root; once more after refreshing the package lists if the first try fails).
# Without apt-get, or when installing fails, it prints HINT (how to get them elsewhere)
# and returns 1. Sourced by tests/ensure_doctest.sh, tests/ensure_json.sh and tests/ensure_build_tools.sh.
install_debian_packages() {
  local hint=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "nnscratch: no apt-get here. $hint" >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "nnscratch: installing Debian's $*: $sudo apt-get install -y $*"
  if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; then return 0; fi
  echo "nnscratch: install failed; refreshing the package lists and trying once more"
  $sudo apt-get update -q || true
  if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; then return 0; fi
  echo "nnscratch: could not install $*. $hint" >&2
  return 1
}

# have_header HEADER: true when the C++ compiler ($CXX, default g++) finds <HEADER>.
have_header() {
  echo "#include <$1>" | "${CXX:-g++}" -std=c++20 -x c++ -fsyntax-only - 2>/dev/null
}
