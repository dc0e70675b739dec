#!/usr/bin/env bash
# Builds the benchmarks with -O3 -march=native -DNDEBUG, runs every workload pinned to one core
# (repetitions randomly interleaved), checks that all implementations compute the same outputs,
# and writes the results into docs/performance.md (between its "results" markers) and the plot
# docs/performance.svg.
#
#   bench/run.sh [extra Google Benchmark flags]
#   CTNN_BENCH_CPU=1 CTNN_BENCH_REPETITIONS=10 CTNN_BENCH_MIN_TIME=0.1 bench/run.sh
#
# Installs the peers (libtorch with OpenBLAS, dlib) and Google Benchmark from Debian first; the
# README's commands do not, as only benchmarking needs them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh"
ctnn_require_packages "${CTNN_PACKAGES[@]}" libbenchmark-dev libtorch-dev libopenblas0-pthread libdlib-dev

build="${CTNN_BENCH_BUILD:-$CTNN_ROOT/build/bench-release}"
ctnn_configure "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-march=native" \
  -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF
cmake --build "$build" --target ctnn_bench -j"${CTNN_BENCH_JOBS:-2}"

cpu=${CTNN_BENCH_CPU:-1}
reps=${CTNN_BENCH_REPETITIONS:-10}
min_time=${CTNN_BENCH_MIN_TIME:-0.1}
command=(taskset -c "$cpu" "$build/bench/ctnn_bench" --benchmark_repetitions="$reps"
         --benchmark_enable_random_interleaving=true --benchmark_min_time="$min_time"
         --benchmark_out="$build/results.json" --benchmark_out_format=json "$@")
# One thread everywhere; OpenBLAS chooses its kernels itself (no core type or cache size forced).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "${command[@]}" | tee "$build/run.log"

# ---- docs/performance.md: machine, date, command, table, plot -----------------------------------
results="$build/results.md"
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bench/run.sh\`, which ran"
  echo
  echo '```'
  echo "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \\"
  echo "  taskset -c $cpu ctnn_bench --benchmark_repetitions=$reps --benchmark_enable_random_interleaving=true --benchmark_min_time=$min_time $*"
  echo '```'
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores ($(lscpu | sed -n 's/^Hypervisor vendor: *//p' | sed 's/^./virtual, &/')), $(lscpu | sed -n 's/^L2 cache: *//p') L2, $(lscpu | sed -n 's/^L3 cache: *//p') L3;" \
       "SIMD: $(grep -o -w -E 'avx512f|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')(compiled with -march=native);" \
       "$(g++ --version | head -1); Eigen $(sed -n 's/^#define EIGEN_[A-Z]*_VERSION *//p' /usr/include/eigen3/Eigen/src/Core/util/Macros.h | head -3 | paste -sd.);" \
       "libtorch $(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null) with $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | sed 's|.*/\(openblas[^/]*\)/.*|\1|;s|.*/blas/.*|reference BLAS|');" \
       "dlib $(dpkg-query -W -f='${Version}' libdlib-dev 2>/dev/null); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  /usr/bin/python3 "$CTNN_ROOT/bench/report.py" "$build/results.json" "$build/run.log" --svg "$CTNN_ROOT/docs/performance.svg"
} > "$results"

doc="$CTNN_ROOT/docs/performance.md"
if [ -f "$doc" ] && grep -q '<!-- results:start -->' "$doc"; then
  /usr/bin/python3 - "$doc" "$results" <<'PY'
import re, sys
doc, res = sys.argv[1], open(sys.argv[2]).read()
s = open(doc).read()
s = re.sub(r"<!-- results:start -->.*<!-- results:end -->",
           lambda _: "<!-- results:start -->\n" + res + "\n<!-- results:end -->", s, flags=re.S)
open(doc, "w").write(s)
PY
  echo "ctnn: results written to docs/performance.md and docs/performance.svg"
else
  cat "$results"
fi
