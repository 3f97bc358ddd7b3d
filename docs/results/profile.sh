#!/usr/bin/env bash
# Reproduces the table of docs/results/profile.md: `perf record` of one `dipdefense bench` run per batch size (Release
# build, nothing else running), grouped by tools/perf-categories.py. Needs Linux perf (Debian: linux-perf).
# Usage: bash docs/results/profile.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/profile}
mkdir -p "$out"
source docs/results/cli.sh
labels=()
for batch in 1 8 16; do
  perf record -F 999 -g -o "$out/b$batch.data" -- "${cli[@]}" bench --iterations 300 --batch "$batch" >/dev/null 2>&1
  labels+=("B = $batch=$out/b$batch.data")
done
python3 tools/perf-categories.py "${labels[@]}"
