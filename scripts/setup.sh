# Sourced by demo.sh and test.sh: installs the Debian packages ctnn needs when they are missing,
# then configures the build tree. Nothing is downloaded but Debian's packages.
set -euo pipefail

CTNN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ccache (the build's compiler launcher) hashes paths below CTNN_ROOT as relative ones and not
# the build directory, so a clone in another folder (CI's fresh clone) reuses the objects of
# earlier builds; the tests compile no absolute path in (tests/support/source_dir.hpp).
export CCACHE_BASEDIR="$CTNN_ROOT" CCACHE_NOHASHDIR=true

# ctnn_require_packages PKG...: apt-get installs those not installed yet (one update at most).
ctnn_require_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ctnn: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The library and its tests: compiler, CMake, Eigen 3.4, Boost.Hana, Catch2 2.13, nlohmann-json.
# clang and its runtime (libFuzzer, ASan, UBSan) build the safetensors reader's fuzz target.
# examples/fashion_mnist: the images (gzipped IDX files in /usr/share/datasets/fashion-mnist)
# and zlib, which inflates them.
CTNN_PACKAGES=(g++ cmake ninja-build ccache libeigen3-dev libboost-dev catch2 nlohmann-json3-dev clang libclang-rt-dev
               libbenchmark-dev  # Google Benchmark: bench/ builds and runs once in ctest
               dataset-fashion-mnist zlib1g-dev)

# ctnn_configure BUILD_DIR CMAKE_ARGS...: configures with Ninja (the build uses -j2: CI has 2 cores).
ctnn_configure() {
  local dir=$1
  shift
  cmake -S "$CTNN_ROOT" -B "$dir" -G Ninja "$@"
}
