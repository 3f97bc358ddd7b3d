#!/usr/bin/env bash
# Reproduces docs/results/calibration.md: the calibration sweep of the purifier's settings on the choosing range
# (offsets 0–63 of the 500 shared images) and the confirmation of the chosen defaults with `purify` on the
# confirming range (offsets 250–499). ResNet-20 victim, medium DIP network, T = 1000, M = 200, seed 0.
# Usage: bash docs/results/calibration.sh [WORK_DIR]   (traces are cached in WORK_DIR/traces: a rerun is fast)
# About 90 minutes on the 2-core machine: 4 × 128 traces for the sweeps, 4 × 250 purifications to confirm.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
data=$shared/data/cifar10/test_batch_first500.bin
work=${1:-artifacts/calibration}
mkdir -p "$work"
dotnet build src/DipDefense.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/DipDefense.Cli/bin/Release/net10.0/DipDefense.Cli.dll)

# The attacked sets, 8-bit like every saved image (the paper's settings; see no-defense.md).
for attack in pgd cw ddn; do
  [ -f "$work/$attack.bin" ] || "${cli[@]}" attack --model "$model" --data "$data" --attack "$attack" --out "$work/$attack.bin" >/dev/null
done
sets=(--data "$data" --data "$work/pgd.bin" --data "$work/cw.bin" --data "$work/ddn.bin")

echo "## Sweep 1 (offsets 0–63)"
"${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --offset 0 --count 64 --batch 16 --trace-cache "$work/traces" \
  --tau 0.7 --warmup 5,10,20 --stable-run 1,2 --pairs 1,3,5 --eta 0.1,0.2,0.3 --grid 10 --json > "$work/sweep1.json"
echo "## Sweep 2 (offsets 0–63, around the best of sweep 1)"
"${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --offset 0 --count 64 --batch 16 --trace-cache "$work/traces" \
  --tau 0.5,0.7,0.9 --warmup 15,20,25,30 --pairs 1,2 --eta 0.05,0.1 --grid 10 --json > "$work/sweep2.json"

echo "## Sweep 3 (offsets 0–63: G and η = 0 at the chosen setting)"
"${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --offset 0 --count 64 --batch 16 --trace-cache "$work/traces" \
  --tau 0.7 --warmup 20 --pairs 1 --eta 0,0.1 --grid 5,10,20 --json > "$work/sweep3.json"

echo "## Sweep 4 (offsets 0–127: the leading settings on twice the images)"
"${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --offset 0 --count 128 --batch 16 --trace-cache "$work/traces" \
  --tau 0.7 --warmup 10,15,20,25 --pairs 1,3 --eta 0.1 --grid 10 --json > "$work/sweep4.json"

echo "## Confirmation with the defaults (offsets 250–499)"
for set in "$data" "$work/pgd.bin" "$work/cw.bin" "$work/ddn.bin"; do
  name=$(basename "$set" .bin)
  "${cli[@]}" purify --model "$model" --data "$set" --clean "$data" --offset 250 --count 250 --batch 16 \
    --out "$work/purified-$name.bin" --json > "$work/confirm-$name.json"
done
