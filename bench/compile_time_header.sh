#!/usr/bin/env bash
# Compile cost of the inference header against its control, <Eigen/Core> alone (through
# ctnn/detail/eigen.hpp, as every ctnn header includes it): each one-line TU compiled with the
# benchmark's flags, the TUs taken in turn (run 1 of each, then run 2, ...) so that a change
# of load on a shared machine hits them alike; medians of N runs of CPU time (user + system,
# GNU time) and wall time. ctnn's own cost is the difference of the two CPU medians.
# With OTHER=<another checkout's include/ folder> (e.g. a `git worktree add` of an older
# commit), that tree's inference header is compiled in the same turns.
#   bench/compile_time_header.sh [N=7]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-7}
cxx=${CXX:-g++}
flags=(-std=c++20 -O3 -march=native -DNDEBUG -I/usr/include/eigen3)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo '#include <ctnn/detail/eigen.hpp>' > "$out/eigen_core.cpp"
echo '#include <ctnn/inference.hpp>' > "$out/inference.cpp"
labels=(eigen_core inference)
declare -A src inc cpu wall
src[eigen_core]=$out/eigen_core.cpp inc[eigen_core]=$root/include
src[inference]=$out/inference.cpp inc[inference]=$root/include
if [[ -n ${OTHER:-} ]]; then labels+=(other_inference); src[other_inference]=$out/inference.cpp inc[other_inference]=$OTHER; fi
for ((i = 0; i < n; i++)); do
  for l in "${labels[@]}"; do
    /usr/bin/time -f '%U %S %e' -o "$out/t" "$cxx" "${flags[@]}" -I"${inc[$l]}" -c "${src[$l]}" -o "$out/x.o"
    cpu[$l]+=" $(awk '{printf "%.2f", $1 + $2}' "$out/t")"
    wall[$l]+=" $(awk '{print $3}' "$out/t")"
  done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "\`$cxx ${flags[*]} -c\`, $n runs each in turn, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
echo "| TU | CPU time, median (s) | wall time, median (s) | CPU times of the runs (s) |"
echo "|---|---|---|---|"
for l in "${labels[@]}"; do
  echo "| $l | $(median "${cpu[$l]}") | $(median "${wall[$l]}") |${cpu[$l]} |"
done
