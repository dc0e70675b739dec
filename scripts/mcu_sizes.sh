#!/usr/bin/env bash
# Flash and RAM of the Cortex-M4F firmware of examples/mcu for nets A-G (float), as recorded in
# docs/embedded.md: builds what is missing (ctnn-embed and the weights in the host build, the
# firmware with arm-none-eabi-g++), runs each firmware under QEMU for the stack it measured,
# and prints one row per network.
#   scripts/mcu_sizes.sh [HOST_BUILD_DIR]   (build/test by default, as scripts/test.sh makes it)
# flash = text + data (.data's image is in flash too); RAM = data + bss (the model: parameters
# and their gradients) + the stack inference used, found by painting the stack. "beyond
# weights" is flash minus the float32 weights; "ctnn code" also leaves out the baseline
# firmware (startup, semihosting, printing: the same program without a network).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
host=${1:-$CTNN_ROOT/build/test}
[ -f "$host/CMakeCache.txt" ] || ctnn_configure "$host" -DCMAKE_BUILD_TYPE=Test >/dev/null
cmake --build "$host" -j2 --target ctnn-embed mcu_weights >/dev/null
fw="$host/tests/cross/mcu"
cmake -DSOURCE="$CTNN_ROOT/examples/mcu" -DBUILD="$fw" -DGENERATOR=Ninja \
  -DTOOLCHAIN="$CTNN_ROOT/cmake/arm-none-eabi.cmake" -DEMBED="$host/tools/ctnn-embed" \
  -DWEIGHTS="$host/tests/cross/mcu_weights" -P "$CTNN_ROOT/tests/cross/build_firmware.cmake" >/dev/null

# bytes of the named sections of an ELF file, summed (arm-none-eabi-size -A)
section_bytes() {
  local elf=$1
  shift
  arm-none-eabi-size -A "$elf" | awk -v names=" $* " 'index(names, " " $1 " ") { s += $2 } END { print s + 0 }'
}
flash_of() { section_bytes "$1" .text .ARM.exidx .data; }
run() {
  qemu-system-arm -machine mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$1" 2>&1
}

base=$(flash_of "$fw/mcu_baseline.elf")
printf '%-4s %10s %10s %10s %10s %10s %10s %10s\n' net weights flash beyond ctnn_code data+bss stack RAM
printf '%-4s %10s %10s %10s %10s %10s %10s %10s\n' "" "(f32)" "text+data" weights "" "(model)" "(painted)" total
for net in a b c d e f g; do
  elf="$fw/mcu_net_$net.elf"
  out=$(run "$elf")
  name=$(echo "$net" | tr a-z A-Z)
  weights=$(echo "$out" | awk -v n="$name" '$1 == "weights" && $2 == n { print $3 }')
  stack=$(echo "$out" | awk -v n="$name" '$1 == "stack" && $2 == n { print $3 }')
  flash=$(flash_of "$elf")
  ram=$(section_bytes "$elf" .data .bss)
  printf '%-4s %10d %10d %10d %10d %10d %10d %10d\n' "$name" "$weights" "$flash" $((flash - weights)) \
    $((flash - weights - base)) "$ram" "$stack" $((ram + stack))
done
echo "baseline firmware (no network): flash $base bytes"
