#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds everything and runs every test with ctest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ctnn_require_packages "${CTNN_PACKAGES[@]}"
source "$CTNN_ROOT/scripts/cross.sh"  # Arm: cross packages, aarch64 unit tests under QEMU (docs/embedded.md)
build="$CTNN_ROOT/build/test"
ctnn_configure "$build" -DCMAKE_BUILD_TYPE=Test
cmake --build "$build" -j2
# The safetensors reader under libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer (clang):
# every file of the corpus, then a bounded fuzzing run (CTNN_FUZZ_SECONDS, 60 by default).
fuzz="$CTNN_ROOT/build/fuzz"
cmake -S "$CTNN_ROOT/tests/fuzz" -B "$fuzz" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$fuzz" -j2
"$fuzz/fuzz_safetensors" -runs=0 "$CTNN_ROOT/tests/fuzz/corpus"
fuzz_new=$(mktemp -d)
"$fuzz/fuzz_safetensors" -max_total_time="${CTNN_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$fuzz_new" "$CTNN_ROOT/tests/fuzz/corpus"
rm -rf "$fuzz_new"
cd "$build"
ctest --output-on-failure -j2
