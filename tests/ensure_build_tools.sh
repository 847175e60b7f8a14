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
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "nnscratch: installing Debian's ${missing[*]}: $SUDO apt-get install -y ${missing[*]}"
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then
    echo "nnscratch: install failed; refreshing the package lists and trying once more"
    $SUDO apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || {
      echo "nnscratch: could not install ${missing[*]}; install them yourself" \
           "(Debian/Ubuntu: apt-get install ${missing[*]}) and run make test again." >&2
      exit 1
    }
  fi
else
  echo "nnscratch: no apt-get here. Install ${missing[*]} from your package manager" >&2
  echo "           (e.g. 'brew install cmake pkgconf', 'dnf install cmake pkgconf-pkg-config')" >&2
  echo "           and run make test again." >&2
  exit 1
fi
