#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds everything and runs every test with ctest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ctnn_require_packages "${CTNN_PACKAGES[@]}"
build="$CTNN_ROOT/build/test"
ctnn_configure "$build" -DCMAKE_BUILD_TYPE=Test
cmake --build "$build" -j2
cd "$build"
ctest --output-on-failure -j2
