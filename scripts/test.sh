#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds everything and runs every test with ctest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# python3-torch (Debian's PyTorch, for /usr/bin/python3): interop.torch_roundtrip loads the
# files ctnn writes with it; under CI=true a missing PyTorch fails that test.
ctnn_require_packages "${CTNN_PACKAGES[@]}" python3-torch
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
(cd "$build" && ctest --output-on-failure -j2)

# The second compiler, which is also the sanitizer build: Clang with AddressSanitizer and
# UndefinedBehaviorSanitizer (any report stops the program), in one build directory: the unit
# tests (every SIMD width of kernels_test) run, the static and header tests compile, and the
# user's program builds with -Wall -Wextra -Werror (tests/CMakeLists.txt). The allocation
# tests, which interpose malloc, are GCC's only.
clang="$CTNN_ROOT/build/clang"
ctnn_configure "$clang" -DCMAKE_BUILD_TYPE=Test -DCMAKE_CXX_COMPILER=clang++ -DCTNN_BUILD_EXAMPLES=OFF \
  -DCTNN_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake --build "$clang" -j2
(cd "$clang" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j2 -L "unit|warnings")
