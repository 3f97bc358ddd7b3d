#!/usr/bin/env bash
# Reproduces docs/results/confirmation/: the purifier with its defaults (nothing but the output named) on the 250
# confirming images (offsets 250-499) of clean, PGD ε = 8/255, C&W, DDN and FGSM ε = 8/255, exactly as a user runs it:
# `dipdefense attack` crafts each set on the undefended ResNet-20 victim, `dipdefense purify` purifies it (the early
# stops, batch 16 and the refill on) and scores the victim on the saved 8-bit images. One JSON per set (accuracy,
# SSIM against the clean images, lock-in median, trace share, seconds, and every image's diagnostics).
# calibration.md section 15 reads them (FGSM was not run for it). 16-35 minutes per set on the 2-core machine (the early
# stops cut clean and PGD traces; C&W, DDN and FGSM traces mostly run to T).
# Usage: [COUNT=N] [OUT=DIR] bash docs/results/confirmation.sh [WORK_DIR] [SET...]   (sets: clean pgd cw ddn fgsm; default all five;
# OUT: the JSON folder, default docs/results/confirmation; COUNT: images 250.. per set, default 250; the clean file always holds 250, and a set's file is crafted once per WORK_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
data=$shared/data/cifar10/test_batch_first500.bin
work=${1:-artifacts/confirmation}
shift || true
sets=("${@:-clean pgd cw ddn fgsm}")
sets=(${sets[*]})
count=${COUNT:-250}
out=${OUT:-docs/results/confirmation}
mkdir -p "$work" "$out"
source docs/results/cli.sh

# The clean images 250-499 as a file of their own (the "none" defense writes its input unchanged), so that every set
# is read from image 0 of its file and the purifier's seeds (seed + image index) are the same for every set.
[ -f "$work/clean.bin" ] || "${cli[@]}" purify --model "$model" --defense none --data "$data" --offset 250 --count 250 \
  --out "$work/clean.bin" >/dev/null 2>&1
for set in "${sets[@]}"; do
  if [ "$set" != clean ] && [ ! -f "$work/$set.bin" ]; then
    "${cli[@]}" attack --model "$model" --data "$data" --offset 250 --count "$count" --attack "$set" --out "$work/$set.bin" >/dev/null 2>&1
  fi
  "${cli[@]}" purify --model "$model" --data "$work/$set.bin" --count "$count" --clean "$work/clean.bin" --out "$work/purified-$set.bin" \
    --json > "$out/$set.json"
done
