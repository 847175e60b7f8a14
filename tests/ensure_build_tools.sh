#!/usr/bin/env bash
# Makes sure the tools the install check (tests/install/run.sh) builds its outside
# programs with are here: cmake and pkg-config. Installs Debian's packages if not, the way
# tests/ensure_doctest.sh installs doctest. The library itself needs neither.
set -euo pipefail
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "nnscratch: the install check builds outside programs with cmake and pkg-config; missing: ${missing[*]}"
source "${BASH_SOURCE[0]%/*}/apt_install.sh"
install_debian_packages "Install ${missing[*]} from your package manager (e.g. 'brew install cmake pkgconf', \
'dnf install cmake pkgconf-pkg-config') and run make test again." "${missing[@]}"
