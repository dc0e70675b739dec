#!/usr/bin/env bash
# Nets A-E (W1, W1dep, W2, W3) of ctnn in this tree against another checkout of ctnn (issue 11:
# "no slowdown beyond noise against the previous commit"), the hand-written Eigen yardstick of
# each tree beside them as a control. Both benchmarks are built with bench/run.sh's flags
# (Release, -march=native), without the peers (libtorch, dlib) and the CNN/RNN entries; the
# two binaries then alternate, ROUNDS rounds of 3 repetitions each, pinned to one core, and the
# medians over all repetitions are compared.
#   git worktree add /tmp/ctnn-base b400b91
#   bench/compare_trees.sh /tmp/ctnn-base            # ROUNDS=6 CTNN_BENCH_CPU=1
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
other=$(cd "$1" && pwd)
rounds=${ROUNDS:-6}
cpu=${CTNN_BENCH_CPU:-1}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in base cur; do
  src=$([[ $t == base ]] && echo "$other" || echo "$root")
  cmake -S "$src" -B "$root/build/compare-$t" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-march=native" \
    -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_dlib=ON -DCTNN_BENCH_CTNN_CNN=OFF -DCTNN_BENCH_CTNN_RNN=OFF >/dev/null 2>&1
  cmake --build "$root/build/compare-$t" --target ctnn_bench -j"${CTNN_BENCH_JOBS:-2}" >&2
done
for ((i = 1; i <= rounds; i++)); do
  for t in base cur; do
    env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 taskset -c "$cpu" "$root/build/compare-$t/bench/ctnn_bench" \
      --benchmark_filter='^W[123](dep)?/[A-E]/(ctnn|eigen)$' --benchmark_repetitions=3 --benchmark_min_time=0.05 \
      --benchmark_enable_random_interleaving=true --benchmark_out="$out/$t.$i.json" --benchmark_out_format=json >/dev/null
  done
done
echo "ctnn at $(git -C "$root" log -1 --format=%h) against $(git -C "$other" log -1 --format=%h 2>/dev/null || echo "$other"), $rounds rounds x 3 repetitions, CPU time, medians ($(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)):"
echo
/usr/bin/python3 - "$out" "$(git -C "$other" log -1 --format=%h 2>/dev/null || echo other)" <<'PY'
import collections, glob, json, statistics, sys
times = collections.defaultdict(list)
for f in glob.glob(sys.argv[1] + "/*.json"):
    tree = f.rsplit("/", 1)[1].split(".")[0]
    for b in json.load(open(f))["benchmarks"]:
        if b.get("run_type") == "iteration":
            times[(b["run_name"], tree)].append(b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]])
names = sorted({k[0] for k in times}, key=lambda n: (n.split("/")[1], n.split("/")[0], n.split("/")[2]))
print(f"| benchmark | {sys.argv[2]} (ns) | now (ns) | now / {sys.argv[2]} |")
print("|---|---|---|---|")
for n in names:
    a, b = statistics.median(times[(n, "base")]), statistics.median(times[(n, "cur")])
    print(f"| {n} | {a:.0f} | {b:.0f} | {b / a:.3f} |")
PY
