#!/usr/bin/env bash
# Makes sure <nlohmann/json.hpp> is available; installs Debian's nlohmann-json3-dev if not.
# The library reads and writes a model file's config.json with it (src/model/model_config.cpp),
# only inside .cpp files: programs using nnscratch neither include it nor link anything more.
# Run by make test and make run (the way tests/ensure_doctest.sh installs doctest).
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/apt_install.sh"
if have_header nlohmann/json.hpp; then exit 0; fi
echo "nnscratch: the JSON library nlohmann/json is missing (header <nlohmann/json.hpp>); model.save and nn::load_model use it."
install_debian_packages "Install nlohmann/json (a header-only library) from your package manager (e.g. \
'brew install nlohmann-json', 'dnf install json-devel') or from https://github.com/nlohmann/json and put \
nlohmann/json.hpp on the include path." \
  nlohmann-json3-dev
