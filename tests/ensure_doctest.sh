#!/usr/bin/env bash
# Makes sure <doctest/doctest.h> is available; installs Debian's doctest-dev if not.
set -euo pipefail
CXX=${CXX:-g++}
if echo '#include <doctest/doctest.h>' | "$CXX" -std=c++20 -x c++ -fsyntax-only - 2>/dev/null; then
  exit 0
fi
echo "nnscratch: the test framework doctest is missing (header <doctest/doctest.h>)."
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "nnscratch: installing Debian's doctest-dev: $SUDO apt-get install -y doctest-dev"
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q doctest-dev; then
    echo "nnscratch: install failed; refreshing the package lists and trying once more"
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q doctest-dev
  fi
else
  echo "nnscratch: no apt-get here. Install doctest (a single header) from your package manager" >&2
  echo "           (e.g. 'brew install doctest', 'dnf install doctest-devel') or from" >&2
  echo "           https://github.com/doctest/doctest and put doctest/doctest.h on the include path." >&2
  exit 1
fi
