#!/usr/bin/env bash
# Reproduces docs/results/calibration.md: the choice of the purifier's defaults (DIP regularisation, warm-up, selection
# mode) on the choosing images and their confirmation on the confirming images (offsets 250–499). ResNet-20 victim,
# medium DIP network, T = 1000, M = 200, seed 0 (image i of a run uses seed + i).
# Usage: bash docs/results/calibration.sh [WORK_DIR]
# Steps 6-8 pin one trace per image (--seeds 1), the setting of their day; the defaults now run two (step 9).
# Every DIP trace is cached in WORK_DIR/traces (keyed by pixels and trace settings), so a rerun, or a sweep of other
# reconstruction settings on the same traces, takes minutes. From scratch: about 3 × 1000 traces at ~3 s each on the
# 2-core machine. The figures of steps 1-9 in calibration.md were made with trace arithmetic 2 (one grouped convolution
# over the networks); steps 10-12 were made with version 3, which this version computes, so a rerun of steps 1-9 gives figures of the spread that
# calibration.md section 10 measured, not the same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
data=$shared/data/cifar10/test_batch_first500.bin
work=${1:-artifacts/calibration}
mkdir -p "$work"
source docs/results/cli.sh

# The attacked sets, 8-bit like every saved image (the paper's settings; see no-defense.md).
for attack in pgd cw ddn; do
  [ -f "$work/$attack.bin" ] || "${cli[@]}" attack --model "$model" --data "$data" --attack "$attack" --out "$work/$attack.bin" >/dev/null
done
sets=(--data "$data" --data "$work/pgd.bin" --data "$work/cw.bin" --data "$work/ddn.bin")
# Steps 1-12 ran before the early stops existed (section 13): they are pinned off there.
calibrate() { "${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --batch 16 --trace-cache "$work/traces" --settled-fit 0 --marked-horizon 1 "$@"; }

echo "## 1. The input-noise regularisation σ_z on clean and PGD (offsets 0–63), the paper's rule at w 10, 20, 40"
for sigma in 0 1/20 1/10; do
  "${cli[@]}" calibrate --model "$model" --data "$data" --data "$work/pgd.bin" --clean "$data" --offset 0 --count 64 --batch 16 \
    --trace-cache "$work/traces" --input-noise "$sigma" --selection paper --tau 0.7 --warmup 10,20,40 --settled-fit 0 --json > "$work/sigma-$(echo $sigma | tr / _).json"
done

echo "## 2. σ_z = 1/30 on all four sets (offsets 0–63): warm-up, τ, the support gate"
calibrate --offset 0 --count 64 --input-noise 1/30 --warmup 30,40,50,60,80 --tau 0.7,0.9 \
  --selection paper,support-gate --gate-threshold 0.3,0.5,0.7 --gate-window 0.05-0.25,0.1-0.3,0.05-0.5 --json > "$work/sweep-1_30.json"

echo "## 3. Noise-free snapshots (σ_z = 1/30, offsets 0–63)"
calibrate --offset 0 --count 64 --input-noise 1/30 --noise-free-snapshots true --warmup 10,20,30,40,50,60 --tau 0.7 \
  --selection paper,support-gate --gate-threshold 0.3,0.5,0.7 --gate-window 0.05-0.25,0.1-0.3,0.05-0.5 --json > "$work/sweep-noise-free.json"

echo "## 4. Confirmation (offsets 250–499): the defaults, and for comparison the paper's rule at w 40 and the best mean of step 2"
calibrate --offset 250 --count 250 --input-noise 1/30 --tau 0.7 --warmup 40,60 --selection paper,support-gate \
  --gate-threshold 0.5,0.7 --gate-window 0.05-0.5,0.1-0.3 --json > "$work/confirm.json"

echo "## 6. The vote: choosing sweep on offsets 0–127 (traces 64–127 computed here), then its confirmation on 250–499"
calibrate --offset 0 --count 128 --input-noise 1/30 --tau 0.7 --warmup 20,30,40 --selection vote --poor-fit 0 --ambiguous-margin 0 --seeds 1 \
  --gate-threshold 0.5,0.7,0.8,0.85,0.9,0.95 --gate-window 0.1-0.3,0.15-0.3 --horizon 0.4,0.5,0.6,1 --json > "$work/vote-choose.json"
calibrate --offset 250 --count 250 --input-noise 1/30 --tau 0.7 --warmup 30 --selection vote --poor-fit 0 --ambiguous-margin 0 --seeds 1 \
  --gate-threshold 0.7 --gate-window 0.1-0.3 --horizon 0.5,1 --json > "$work/vote-confirm.json"

echo "## 7. All 250 choosing images (offsets 0-249): the vote with the fit thresholds φ_p, φ_l (sensitivity figures in"
echo "##    docs/results/calibration-figures), then the same grid on all 250 confirming images (250-499)"
grid=(--selection vote --warmup 20,30,40 --gate-threshold 0.5,0.6,0.7,0.8,0.9 --gate-window 0.1-0.3 --poor-fit 0,0.975,0.98,0.985
  --late-change-fit 0.98,0.99,1 --ambiguous-margin 0 --seeds 1 --horizon 1)
calibrate --offset 0 --count 250 --input-noise 1/30 "${grid[@]}" --plot docs/results/calibration-figures --json > "$work/choose-fit.json"
calibrate --offset 250 --count 250 --input-noise 1/30 "${grid[@]}" --json > "$work/confirm-fit.json"

echo "## 8. The ambiguous margin μ and the own-label weight λ (offsets 0-249), then the same grid on 250-499; and the"
echo "##    defaults and the margin against FGSM ε = 8/255 (a lower-confidence attack than PGD) on 250-499"
grid=(--selection vote --warmup 30 --gate-threshold 0.6,0.7,0.8,0.9,1 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1
  --ambiguous-margin 0,15,20,25,30 --own-label-weight 0.25,0.35,0.5,1 --seeds 1 --horizon 1)
calibrate --offset 0 --count 250 --input-noise 1/30 "${grid[@]}" --json > "$work/choose-margin.json"
calibrate --offset 250 --count 250 --input-noise 1/30 "${grid[@]}" --json > "$work/confirm-margin.json"
[ -f "$work/fgsm.bin" ] || "${cli[@]}" attack --model "$model" --data "$data" --attack fgsm --out "$work/fgsm.bin" >/dev/null
"${cli[@]}" calibrate --model "$model" --data "$data" --data "$work/fgsm.bin" --clean "$data" --batch 16 --trace-cache "$work/traces" \
  --settled-fit 0 --marked-horizon 1 --offset 250 --count 250 --input-noise 1/30 --selection vote --warmup 30 --gate-threshold 0.6,1 --gate-window 0.1-0.3 \
  --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0,5,10,15,20,25,30 --own-label-weight 0.25,0.35 --seeds 1 --horizon 1 \
  --json > "$work/fgsm-margin.json"

echo "## 9. K traces per image (trace k of image i has seed + 1000·k + i): choosing on offsets 0-249, then the same grid"
echo "##    on 378-457 (80 images, for the machine's time), with FGSM ε = 8/255 beside the four sets"
grid=(--selection vote --warmup 30 --gate-threshold 0.6,0.7,0.8,0.9,1 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1
  --ambiguous-margin 0 --seeds 1,2 --horizon 1)
calibrate --offset 0 --count 250 --input-noise 1/30 "${grid[@]}" --json > "$work/choose-seeds.json"
sets+=(--data "$work/fgsm.bin")
calibrate --offset 378 --count 80 --input-noise 1/30 "${grid[@]}" --json > "$work/confirm-seeds.json"

echo "## 9, continued. The new default (K 2, θ 0.7) against the single trace on the rest of the confirming images"
echo "##    (250-377, 458-499; four sets), pooled with 378-457 over all 250"
sets=(--data "$data" --data "$work/pgd.bin" --data "$work/cw.bin" --data "$work/ddn.bin")
grid=(--selection vote --warmup 30 --gate-threshold 0.6,0.7 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1
  --ambiguous-margin 0 --seeds 1,2 --horizon 1)
for range in "250 64" "314 64" "458 42"; do
  set -- $range
  calibrate --offset "$1" --count "$2" --input-noise 1/30 "${grid[@]}" --json > "$work/confirm-$1-$2.json"
done
python3 docs/results/combine_calibrations.py "$work/confirm-250-64.json" "$work/confirm-314-64.json" "$work/confirm-seeds.json" \
  "$work/confirm-458-42.json"

echo "## 10. With the current kernel (trace arithmetic 3, one convolution per network) the traces of 250-313 are new (the"
echo "##     cache key holds the version): the same command as confirm-250-64 above, compared with the grouped kernel's run"
echo "##     committed in calibration-json/confirm-250-64.json"
python3 docs/results/combine_calibrations.py "$work/confirm-250-64.json"

echo "## 11. Three traces and a marking quorum: chosen on 0-63, confirmed on 250-377 (four sets, trace arithmetic 3)"
grid=(--selection vote --warmup 30 --gate-threshold 0.6,0.7,0.8,0.9,1 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1
  --ambiguous-margin 0 --seeds 1,2,3 --mark-quorum 0,1,2 --horizon 1)
calibrate --offset 0 --count 64 --input-noise 1/30 "${grid[@]}" --json > "$work/k3-choose-0-64.json"
for range in "250 64" "314 64"; do
  set -- $range
  calibrate --offset "$1" --count "$2" --input-noise 1/30 "${grid[@]}" --json > "$work/k3-confirm-$1-$2.json"
done
python3 docs/results/calibration_tables.py "$work/k3-choose-0-64.json" 30
python3 docs/results/combine_calibrations.py "$work/k3-confirm-250-64.json" "$work/k3-confirm-314-64.json"

echo "## 12. The ambiguous margin with a fit condition: chosen on 0-63, confirmed on 250-377 (five sets with FGSM, trace"
echo "##     arithmetic 3), then all 250 confirming images for the record (378-499 added)"
sets=(--data "$data" --data "$work/pgd.bin" --data "$work/cw.bin" --data "$work/ddn.bin" --data "$work/fgsm.bin")
grid=(--selection vote --warmup 30 --gate-threshold 0.7,1 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1
  --ambiguous-margin 0,20,25,30 --own-label-weight 0.25,0.35 --ambiguous-fit 0,0.975,0.98,0.985,0.99 --seeds 2 --horizon 1)
for range in "0 64" "250 64" "314 64" "378 122"; do
  set -- $range
  calibrate --offset "$1" --count "$2" --input-noise 1/30 "${grid[@]}" --json > "$work/fit-$1-$2.json"
done
python3 docs/results/combine_calibrations.py "$work/fit-250-64.json" "$work/fit-314-64.json"
python3 docs/results/combine_calibrations.py "$work/fit-250-64.json" "$work/fit-314-64.json" "$work/fit-378-122.json"

echo "## 13. The clean guard as the default; the early stops per trace (settled fit φ_s, marked horizon H_m): chosen on"
echo "##     0-63, confirmed on 250-499 (five sets with FGSM; the traces of step 12, so only the grids run)"
stops() { "${cli[@]}" calibrate --model "$model" "${sets[@]}" --clean "$data" --batch 16 --trace-cache "$work/traces" --input-noise 1/30 \
  --selection vote --warmup 30 --gate-threshold 1 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 20 \
  --own-label-weight 0.35 --ambiguous-fit 0.975 --seeds 2 --horizon 1 "$@"; }
stops --offset 0 --count 64 --settled-fit 0,0.98,0.985,0.99 --marked-horizon 1 --json > "$work/settled-0-64.json"
stops --offset 0 --count 64 --settled-fit 0,0.9,0.93,0.95,0.96,0.97,0.98 --marked-horizon 1 --json > "$work/settled-low-0-64.json"
stops --offset 0 --count 64 --settled-fit 0,0.98 --marked-horizon 0.4,0.5,0.6,0.7,0.8,1 --json > "$work/marked-unambiguous-0-64.json"
for range in "250 64" "314 64" "378 122"; do
  set -- $range
  stops --offset "$1" --count "$2" --settled-fit 0,0.98,0.985,0.99 --marked-horizon 1 --json > "$work/settled-$1-$2.json"
  stops --offset "$1" --count "$2" --settled-fit 0,0.98 --marked-horizon 0.4,1 --json > "$work/marked-unambiguous-$1-$2.json"
done
python3 docs/results/combine_calibrations.py "$work/settled-250-64.json" "$work/settled-314-64.json" "$work/settled-378-122.json"
python3 docs/results/combine_calibrations.py "$work/marked-unambiguous-250-64.json" "$work/marked-unambiguous-314-64.json" "$work/marked-unambiguous-378-122.json"

echo "## 16. Recalibration on version-4 traces (trace arithmetic 4, the sets crafted again by this build): grid A chosen on"
echo "##     0-63 (four sets), confirmed on 250-313 (four sets) and 314-377 (clean and PGD); the early stops on 250-313"
v4=$work/v4
mkdir -p "$v4"
for attack in pgd cw ddn; do
  [ -f "$v4/$attack.bin" ] || "${cli[@]}" attack --model "$model" --data "$data" --attack "$attack" --out "$v4/$attack.bin" >/dev/null
done
base=(--clean "$data" --batch 16 --trace-cache "$v4/traces" --input-noise 1/30 --seeds 2 --selection vote --warmup 30 --gate-window 0.1-0.3
  --late-change-fit 1)
grid=("${base[@]}" --settled-fit 0 --marked-horizon 1 --gate-threshold 0.7,0.8,0.9,1 --ambiguous-margin 0,20,25,30
  --own-label-weight 0.35,0.5,0.75 --ambiguous-fit 0,0.965,0.97,0.975 --poor-fit 0.975,0.98,0.985)
four=(--data "$data" --data "$v4/pgd.bin" --data "$v4/cw.bin" --data "$v4/ddn.bin")
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 0 --count 64 --json > "$v4/choose-0-64.json"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 250 --count 64 --json > "$v4/grid-250-64.json"
"${cli[@]}" calibrate --model "$model" --data "$data" --data "$v4/pgd.bin" "${grid[@]}" --offset 314 --count 64 --json > "$v4/grid-314-64-2sets.json"
python3 docs/results/choose_setting.py "$v4/choose-0-64.json" --victim 0.921875
python3 docs/results/one_at_a_time.py "$v4/choose-0-64.json"
python3 docs/results/one_at_a_time.py "$v4/grid-250-64.json"
python3 docs/results/one_at_a_time.py "$v4/grid-314-64-2sets.json"
python3 docs/results/one_at_a_time.py "$v4/grid-250-64.json" "$v4/grid-314-64-2sets.json"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${base[@]}" --gate-threshold 1 --ambiguous-margin 20 --own-label-weight 0.35 \
  --ambiguous-fit 0.975 --poor-fit 0.98,0.985 --settled-fit 0,0.98,0.985 --marked-horizon 0.4,1 --offset 250 --count 64 --json > "$v4/stops-250-64.json"

echo "## 18. Grid A chosen on 0-127 (four sets), confirmed on 250-377 (four sets), as 64-image runs (image i of a run has"
echo "##     seed i: the traces of the runs from 0, 64, 250 and 314 are the ones cached); section 17's vote fit ran at commit 485432e"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 64 --count 64 --json > "$v4/choose-64-64.json"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 314 --count 64 --json > "$v4/grid-314-64.json"
python3 docs/results/choose_setting.py "$v4/choose-0-64.json" "$v4/choose-64-64.json" --victim 0.9375
python3 docs/results/one_at_a_time.py "$v4/choose-0-64.json" "$v4/choose-64-64.json"
python3 docs/results/one_at_a_time.py "$v4/grid-250-64.json" "$v4/grid-314-64.json"
for offset in 250 314; do
  "${cli[@]}" calibrate --model "$model" "${four[@]}" "${base[@]}" --gate-threshold 1 --ambiguous-margin 20 --own-label-weight 0.35 \
    --ambiguous-fit 0.97,0.975 --poor-fit 0.98,0.985 --settled-fit 0,0.98,0.985 --marked-horizon 0.4,1 --offset $offset --count 64 --json > "$v4/stops18-$offset-64.json"
done

echo "## 19. Grid A chosen on all 250 choosing images 0-249 (four sets, as the 64-image runs from 0, 64, 128 and 192), confirmed"
echo "##     on 250-377 (the runs of step 18)"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 128 --count 64 --json > "$v4/choose-128-64.json"
"${cli[@]}" calibrate --model "$model" "${four[@]}" "${grid[@]}" --offset 192 --count 58 --json > "$v4/choose-192-58.json"
python3 docs/results/choose_setting.py "$v4/choose-0-64.json" "$v4/choose-64-64.json" "$v4/choose-128-64.json" "$v4/choose-192-58.json" --victim 0.908
python3 docs/results/one_at_a_time.py "$v4/choose-0-64.json" "$v4/choose-64-64.json" "$v4/choose-128-64.json" "$v4/choose-192-58.json"

echo "## 20. σ_z = 1/50 (version 4): grid A on 0-63, clean and PGD"
# "${base[@]/1\/30/1/50}": the base options with --input-noise 1/50 in place of 1/30.
"${cli[@]}" calibrate --model "$model" --data "$data" --data "$v4/pgd.bin" "${base[@]/1\/30/1/50}" --settled-fit 0 --marked-horizon 1 \
  --gate-threshold 0.7,0.8,0.9,1 --ambiguous-margin 0,20,25,30 --own-label-weight 0.35,0.5,0.75 --ambiguous-fit 0,0.965,0.97,0.975 \
  --poor-fit 0.975,0.98,0.985 --offset 0 --count 64 --json > "$v4/sigma50-0-64.json"
for run in "$v4/choose-0-64.json" "$v4/sigma50-0-64.json"; do
  python3 docs/results/choose_setting.py "$run" --victim 0.921875 --sets 2
  python3 docs/results/one_at_a_time.py "$run"
  python3 docs/results/combine_calibrations.py "$run" | tail -1
done

echo "## 21. The confirmation on 378-499 of section 19's three settings (four sets, early stops on); then the same grid on"
echo "##     250-377 for the new default's figures on all 250 confirming images"
for range in "378 64" "442 58" "250 64" "314 64"; do
  set -- $range
  "${cli[@]}" calibrate --model "$model" "${four[@]}" "${base[@]}" --gate-threshold 1 --ambiguous-margin 20,30 --own-label-weight 0.35 \
    --ambiguous-fit 0.975 --poor-fit 0.98,0.985 --settled-fit 0.98,0.985 --marked-horizon 0.4 --offset "$1" --count "$2" --json > "$v4/confirm21-$1-$2.json"
done
python3 docs/results/combine_calibrations.py "$v4/confirm21-378-64.json" "$v4/confirm21-442-58.json"
python3 docs/results/combine_calibrations.py "$v4/confirm21-250-64.json" "$v4/confirm21-314-64.json" "$v4/confirm21-378-64.json" "$v4/confirm21-442-58.json"

echo "## 22. Output averaging β = 0.99 (version 4): grid A at w 30 and 50 on 0-63, clean and PGD"
ema=(); for option in "${base[@]}"; do [ "$option" = 30 ] && option=30,50; ema+=("$option"); done  # the base options with w 30,50
"${cli[@]}" calibrate --model "$model" --data "$data" --data "$v4/pgd.bin" "${ema[@]}" --output-averaging 0.99 --settled-fit 0 --marked-horizon 1 \
  --gate-threshold 0.7,0.8,0.9,1 --ambiguous-margin 0,20,25,30 --own-label-weight 0.35,0.5,0.75 --ambiguous-fit 0,0.965,0.97,0.975 \
  --poor-fit 0.975,0.98,0.985 --offset 0 --count 64 --json > "$v4/ema-0-64.json"
python3 docs/results/choose_setting.py "$v4/ema-0-64.json" --victim 0.921875 --sets 2
