#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds ctnn's examples and runs the quickstart,
# then a training example (an MLP fitting a noisy curve, printed as it learns).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ctnn_require_packages "${CTNN_PACKAGES[@]}"
build="$CTNN_ROOT/build/demo"
ctnn_configure "$build" -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_TESTS=OFF
cmake --build "$build" -j2 --target quickstart train_regression
"$build/examples/quickstart"
"$build/examples/train_regression"
