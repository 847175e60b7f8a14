#!/usr/bin/env bash
# Makes sure <doctest/doctest.h> is available; installs Debian's doctest-dev if not.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/apt_install.sh"
if have_header doctest/doctest.h; then exit 0; fi
echo "nnscratch: the test framework doctest is missing (header <doctest/doctest.h>)."
install_debian_packages "Install doctest (a single header) from your package manager (e.g. 'brew install doctest', \
'dnf install doctest-devel') or from https://github.com/doctest/doctest and put doctest/doctest.h on the include path." \
  doctest-dev
