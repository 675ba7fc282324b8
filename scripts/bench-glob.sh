#!/bin/bash
# Compares `supermin-compile glob` with bash expanding the same 150
# patterns (shopt -s nullglob), as a ratio of median wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
patterns=globber/testdata/bench-patterns.txt
bin=bin/supermin-compile
runs=${RUNS:-7}

# median_ms CMD...: runs CMD $runs times, prints the median wall time in ms.
median_ms() {
	local times=()
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

bash_glob() {
	# shellcheck disable=SC2046
	bash -c 'shopt -s nullglob; while read -r p; do for f in $p; do echo "$f"; done; done' <"$patterns"
}

ours=$(median_ms "$bin" glob -f "$patterns")
theirs=$(median_ms bash_glob)
echo "glob, 150 patterns ($runs runs, medians): supermin-compile ${ours} ms, bash ${theirs} ms, ratio $(awk "BEGIN {printf \"%.2f\", $ours / $theirs}")"
