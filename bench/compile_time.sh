#!/usr/bin/env bash
# Compile time and compiler memory (GNU time -v) of six translation units, each compiled
# alone with the benchmark's flags (-O3 -march=native -DNDEBUG), median of N runs taken in
# turn (run 1 of every TU, then run 2, ...: a change of load hits them all alike):
#   inference_header.cpp  #include <ctnn/inference.hpp> alone
#   nets_ctnn_infer.cpp   networks A-D in ctnn, inference only (one sample, a batch of 64)
#   nets_eigen_infer.cpp  the same in the hand-written Eigen yardstick
#   nets_ctnn.cpp         networks A-D in ctnn: inference, forward, MSELoss, backward, Adam
#   nets_eigen.cpp        the same networks and work in the hand-written Eigen yardstick
#   mlp32.cpp             a 32-layer MLP in ctnn, same work
# Targets: issue 6, nets_ctnn <= 1.2x nets_eigen, mlp32 < 15 s and < 1.5 GB; issue 11, the
# inference header <= 1.5 s, nets_ctnn_infer <= 1.2x nets_eigen_infer.
# With CTNN_COMPILE_BASELINE=<another checkout of ctnn> (e.g. a `git worktree add` of an older
# commit), that tree's nets_ctnn.cpp and mlp32.cpp are compiled in the same turns against its
# own headers, and the growth of each is reported (issue 11: at most +10%).
#   bench/compile_time.sh [N=3]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-3}
cxx=${CXX:-g++}
common=(-std=c++20 -O3 -march=native -DNDEBUG -I/usr/include/eigen3)
flags=("${common[@]}" -I"$root/include")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

tus=(inference_header nets_eigen_infer nets_ctnn_infer nets_eigen nets_ctnn mlp32)
base=${CTNN_COMPILE_BASELINE:-}
all=("${tus[@]}")
if [[ -n $base ]]; then all+=(baseline/nets_ctnn baseline/mlp32); fi
declare -A users walls rsss user_s wall_s rss_mb
for ((i = 0; i < n; i++)); do
  for tu in "${all[@]}"; do
    if [[ $tu == baseline/* ]]; then
      src="$base/bench/compile_time/${tu#baseline/}.cpp"
      tu_flags=("${common[@]}" -I"$base/include")
    else
      src="$root/bench/compile_time/$tu.cpp"
      tu_flags=("${flags[@]}")
    fi
    /usr/bin/time -v "$cxx" "${tu_flags[@]}" -c "$src" -o "$out/x.o" 2> "$out/time.txt"
    users[$tu]+=" $(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u + s}' "$out/time.txt")"
    walls[$tu]+=" $(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; printf "%.2f", t}' "$out/time.txt")"
    rsss[$tu]+=" $(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out/time.txt")"
  done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for tu in "${all[@]}"; do
  user_s[$tu]=$(median "${users[$tu]}")
  wall_s[$tu]=$(median "${walls[$tu]}")
  rss_mb[$tu]=$(median "${rsss[$tu]}")
done

ratio=$(awk -v a="${user_s[nets_ctnn]}" -v b="${user_s[nets_eigen]}" 'BEGIN {printf "%.2f", a / b}')
ratio_infer=$(awk -v a="${user_s[nets_ctnn_infer]}" -v b="${user_s[nets_eigen_infer]}" 'BEGIN {printf "%.2f", a / b}')
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "**not met**"; fi; }
echo "Compiled with \`$cxx ${flags[*]} -c\` ($($cxx --version | head -1)), median of $n runs each,"
echo "measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/compile_time.sh $n\` (CPU time = user + system; load average $(cut -d' ' -f1-3 /proc/loadavg))."
echo
echo "| translation unit | CPU time (s) | wall time (s) | max resident memory (MB) |"
echo "|---|---|---|---|"
for tu in "${all[@]}"; do
  echo "| bench/compile_time/$tu.cpp | ${user_s[$tu]} | ${wall_s[$tu]} | ${rss_mb[$tu]} |"
done
echo
echo "| target | measured | |"
echo "|---|---|---|"
echo "| issue 11: the inference header alone <= 1.5 s | ${user_s[inference_header]} s CPU | $(verdict "${user_s[inference_header]} <= 1.5") |"
echo "| issue 11: nets A-D inference, ctnn <= 1.2x the yardstick's TU | ${ratio_infer}x (CPU time) | $(verdict "$ratio_infer <= 1.2") |"
echo "| issue 6: nets A-D: ctnn <= 1.2x the yardstick's TU | ${ratio}x (CPU time) | $(verdict "$ratio <= 1.2") |"
echo "| issue 6: 32-layer MLP < 15 s | ${user_s[mlp32]} s CPU, ${wall_s[mlp32]} s wall | $(verdict "${user_s[mlp32]} < 15") |"
echo "| issue 6: 32-layer MLP < 1.5 GB compiler memory | ${rss_mb[mlp32]} MB | $(verdict "${rss_mb[mlp32]} < 1536") |"
if [[ -n $base ]]; then
  for tu in nets_ctnn mlp32; do
    growth=$(awk -v a="${user_s[$tu]}" -v b="${user_s[baseline/$tu]}" 'BEGIN {printf "%+.1f", (a / b - 1) * 100}')
    echo "| issue 11: $tu.cpp against $(git -C "$base" log -1 --format=%h 2>/dev/null || echo "$base")'s, growth <= +10% | ${growth}% (CPU time) | $(verdict "$growth <= 10") |"
  done
fi
