#!/usr/bin/env bash
# Reproduces docs/results/table3.md: the paper's Table 3, the mean accuracy over clean, PGD ε = 8/255, C&W and DDN by
# DIP network (small, medium, large) and iterations T (500 to 1,500), the purifier's other settings at the defaults of its
# day (before the clean guard and the early stops of calibration.md section 13: pinned below),
# on the confirming images 250.. (COUNT per set, default 16). ResNet-20 victim, seed 0 (image i uses seed + i).
# The traces run T = 1,500 with M = 300 snapshots (one every 5 iterations, as the default T = 1,000, M = 200); a smaller
# T reads their first T / 5 snapshots, which is what `purify --iterations T --snapshots T/5` computes (docs/cli.md,
# "calibrate"). Cost on the 2-core machine for 16 images per set (two traces per image): about 14 min (medium),
# 6 min (small) and 40 min (large) of traces, cached in WORK_DIR/traces.
# Usage: bash docs/results/table3.sh [WORK_DIR] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
data=$shared/data/cifar10/test_batch_first500.bin
work=${1:-artifacts/calibration}
count=${2:-16}
mkdir -p "$work" docs/results/table3
source docs/results/cli.sh

# The attacked sets, as calibration.sh makes them.
for attack in pgd cw ddn; do
  [ -f "$work/$attack.bin" ] || "${cli[@]}" attack --model "$model" --data "$data" --attack "$attack" --out "$work/$attack.bin" >/dev/null
done
"${cli[@]}" calibrate --model "$model" --data "$data" --data "$work/pgd.bin" --data "$work/cw.bin" --data "$work/ddn.bin" --clean "$data" \
  --offset 250 --count "$count" --batch 16 --preset small,medium,large --iterations 500,750,1000,1250,1500 --snapshots 300 \
  --trace-cache "$work/traces" --gate-threshold 0.7 --ambiguous-margin 0 --settled-fit 0 --marked-horizon 1 \
  --plot docs/results/table3 --json > docs/results/table3/table3.json 2> "$work/table3.log"
