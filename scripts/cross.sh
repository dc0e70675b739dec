#!/usr/bin/env bash
# The Arm targets of docs/embedded.md. Sourced by test.sh (or run alone): installs Debian's
# cross compilers and QEMU, which the host build's ctest needs for the Cortex-M firmware
# (tests/cross), then builds the unit tests for aarch64 Linux and runs them under qemu-aarch64.
if [ -z "${CTNN_ROOT:-}" ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
fi
CTNN_CROSS_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
                     qemu-user g++-aarch64-linux-gnu)
ctnn_require_packages "${CTNN_CROSS_PACKAGES[@]}"

cross_start=$SECONDS
aarch64="$CTNN_ROOT/build/aarch64"
cmake -S "$CTNN_ROOT/tests/cross/aarch64" -B "$aarch64" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$CTNN_ROOT/cmake/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$aarch64" -j2
(cd "$aarch64" && ctest --output-on-failure -j2)
echo "ctnn: aarch64 unit tests built and run under qemu-aarch64 in $((SECONDS - cross_start)) s"
