#!/usr/bin/env bash
# The two outside tools the ONNX tests (tests/test_onnx.cpp) check exported files with,
# installed when missing; make test runs this before the unit tests.
#   * Debian's python3-onnx, for /usr/bin/python3 (Debian's own python: the python3 first
#     on PATH may be another one without it): onnx.checker.
#   * onnxruntime-node from npm, into DIR/node_modules (DIR = the first argument, e.g.
#     build/onnxruntime): installed once, then reused. `npm install --ignore-scripts`,
#     because the package's install script downloads extra GPU libraries from a host
#     outside the npm registry; the CPU runtime the tests need is inside the package.
#     The version is pinned, so every machine tests against the same runtime.
# No node on this machine: the onnxruntime comparison is skipped (the test says so), and
# this script only says so too. Node but no working npm or registry: this fails, loudly,
# and so does make test — a run that quietly skipped the comparison would report the
# exports as checked when they were not. Once installed, no network is needed again.
# Usage: tests/onnx/ensure_tools.sh DIR
set -uo pipefail
dir=${1:?usage: tests/onnx/ensure_tools.sh DIR (e.g. build/onnxruntime)}
version=1.30.0
status=0

if ! /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1; then
  echo "nnscratch: the ONNX checker is missing (Debian's python3-onnx, for /usr/bin/python3)."
  source "${BASH_SOURCE[0]%/*}/../apt_install.sh"
  install_debian_packages "Install the onnx Python package for /usr/bin/python3 (e.g. 'pip install onnx')." \
    python3-onnx || status=1
fi

if ! command -v node >/dev/null 2>&1; then
  echo "nnscratch: node is not installed, so the ONNX tests will skip the onnxruntime comparison" \
       "(install Node.js and npm, e.g. 'apt-get install nodejs npm', to run it)."
  exit "$status"
fi

# An absolute path: require() takes "build/..." for a package name, not a folder.
mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || { echo "nnscratch: cannot create the folder $1 for onnxruntime-node" >&2; exit 1; }
installed=$(node -p "require('$dir/node_modules/onnxruntime-node/package.json').version" 2>/dev/null)
if [ "$installed" = "$version" ]; then exit "$status"; fi

fail() {
  echo "nnscratch: FAILED to install onnxruntime-node $version into $dir: $1" >&2
  echo "  The ONNX tests need it and will fail. Fix the cause (e.g. network access to the npm" >&2
  echo "  registry, $(npm config get registry 2>/dev/null || echo 'https://registry.npmjs.org/')), then run" >&2
  echo "  'bash tests/onnx/ensure_tools.sh $dir' or make test again; later runs reuse the installed copy." >&2
  exit 1
}
command -v npm >/dev/null 2>&1 || fail "node is here but npm is not (e.g. 'apt-get install npm')"
# A package.json of its own, so npm installs here and not into a project further up.
[ -f "$dir/package.json" ] || echo '{ "private": true, "description": "onnxruntime for the nnscratch tests" }' >"$dir/package.json"
echo "nnscratch: installing onnxruntime-node $version into $dir (once): npm install --ignore-scripts"
log="$dir/npm-install.log"
if ! npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=120000 \
     "onnxruntime-node@$version" >"$log" 2>&1; then
  tail -n 15 "$log" | sed 's/^/    /' >&2
  fail "npm install failed (whole log: $log)"
fi
node -e "require('$dir/node_modules/onnxruntime-node')" >>"$log" 2>&1 ||
  fail "installed, but node cannot load it (see $log)"
exit "$status"
