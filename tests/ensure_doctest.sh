#!/usr/bin/env bash
# Makes sure <doctest/doctest.h> is available; installs Debian's doctest-dev if not.
set -euo pipefail
CXX=${CXX:-g++}
if echo '#include <doctest/doctest.h>' | "$CXX" -std=c++20 -x c++ -fsyntax-only - 2>/dev/null; then
  exit 0
fi
echo "nnscratch: the test framework doctest is missing (header <doctest/doctest.h>)."
source "${BASH_SOURCE[0]%/*}/apt_install.sh"
install_debian_packages "Install doctest (a single header) from your package manager (e.g. 'brew install doctest', \
'dnf install doctest-devel') or from https://github.com/doctest/doctest and put doctest/doctest.h on the include path." \
  doctest-dev
