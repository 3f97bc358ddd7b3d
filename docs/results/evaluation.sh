#!/usr/bin/env bash
# The evaluation stores and reports under docs/results/: one part per folder, each a `dipdefense evaluate` on CIFAR-10
# test images 250.. into FOLDER/results.db and a `dipdefense report` into FOLDER/report.
# Usage: bash docs/results/evaluation.sh PART=COUNT [PART=COUNT ...]
#   PART names a folder below; COUNT is how many images, from 250, its store should hold. A store skips the images it
#   already holds, so a larger COUNT extends it instead of starting over and the committed COUNT only writes its report
#   again. Parts not named are skipped. For example: bash docs/results/evaluation.sh bpda-v4=16 hsj-v4=3
# The parts, in the order they were made (the COUNT named with each made its committed store):
# First, docs/results/evaluation/ (evaluation=16): issue 12's first report, reduced to images 250-265 and the white-box
# columns at ε = 8/255 by the 2-core machine's time. The store was made with the DIP purifier's defaults of its day (the
# vote, w = 30, θ = 0.7 over 0.1-0.3, no fit thresholds, H = 1), named here so that the store accepts the rerun after a
# default changes; other settings need another --store. (The first report, with the support gate's defaults w = 60, θ =
# 0.5 over 0.05-0.5, is in the git history of this folder.)
# Second, docs/results/bpda-vote/: BPDA (PGD through the purifier, backward pass as identity) against the purifier with
# the defaults of its day (the vote, w = 30, θ = 0.6 over 0.1-0.3, φ_p = 0.98, H = 1), next to clean and plain PGD, on
# images 250-265; EOT R = 1, the attacker knows the seed of the purification it attacks (the strongest case for one
# draw). About 2.7 minutes per image on the quiet 2-core machine (bpda-vote=16).
# Third, docs/results/baselines/ (baselines=250): no defense and the input-transformation baselines (JPEG 75, 4-bit
# depth, 3x3 median) against the paper's 14 white-box columns (FGSM, PGD, BIM, MI-FGSM at 2, 4 and 8/255, C&W, DDN) and
# clean images, on the confirming images 250-499 (about 20 minutes; the attacks are crafted once per image and shared by
# the defenses).
# Both DIP parts pin one trace per image (--seeds 1), as they were made; the defaults now run two.
# Fourth, docs/results/two-traces/ (two-traces=16): the DIP purifier with the two-trace default (the vote over K = 2
# traces per image, w = 30, θ = 0.7 over 0.1-0.3, φ_p = 0.98, H = 1, named here) and no defense, against clean and the
# six white-box attacks at ε = 8/255, images 250-265 (about 15 minutes).
# Fifth, docs/results/table1/ (table1=32): the paper's Table 1 and 2 columns for the DIP purifier with its defaults (the
# vote over K = 2 traces per image, w = 30, θ = 0.7 over 0.1-0.3, φ_p = 0.98, H = 1, named here) and no defense: clean
# and FGSM, PGD, BIM, MI-FGSM at ε = 2, 4 and 8/255, C&W and DDN, images 250-281 (about 50 minutes on the quiet 2-core
# machine).
# Sixth, docs/results/bpda-two-traces/ (bpda-two-traces=16): BPDA (PGD through the purifier, backward pass as identity,
# EOT R = 1, the attacker knowing the purification's seed) against the two-trace default (K = 2, w = 30, θ = 0.7 over
# 0.1-0.3, φ_p = 0.98, H = 1, named here), next to clean and plain PGD, images 250-265 (about 2 minutes per image).
# Trace arithmetic: the DIP stores record the version of the trace's kernels (DipTraceRunner.ArithmeticVersion). Those
# of the first, second and fourth parts were made with version 2 (one grouped convolution over the networks), before
# commit "DIP convolutions: one ungrouped convolution per network"; this dipdefense (version 3) refuses to extend them
# rather than mix the two, so naming those parts is refused (give another --store in their command, or check out the
# commit before that change). The third part has no DIP defense; the fifth was made with version 3.
# Seventh, docs/results/table1-baselines/: DIPDefend (its defaults, 4,000 iterations) and the input-transformation
# baselines, with no defense, against the same 15 columns and images (table1-baselines=32; table1's COUNT when not
# named): a store of its own, since a store holds one set of defenses; docs/results/table1/report is the report of the
# two stores together (dipdefense report --store ... --store ...), one Table 1 for every defense.
# Eighth, docs/results/bpda-dipdefend/: the same BPDA (EOT R = 1, the attacker knowing the purification's seed) against
# DIPDefend (its defaults, 4,000 iterations), next to clean and plain PGD, images 250.. (bpda-dipdefend=16; about 2-3
# minutes per image: every PGD step purifies the image alone).
# Ninth, docs/results/bpda-eot2/: BPDA with EOT over two seeds (--eot 2: each gradient step averages two purifications
# with fresh seeds) against the two-trace default, next to clean and plain PGD, images 250.. (bpda-eot2=4; about 5
# minutes per image).
# The parts above were made before the clean guard and the early stops became the defaults (calibration.md, section 13):
# their commands turn both off. Tenth, docs/results/bpda-default/: the same BPDA (EOT R = 1, the attacker knowing the
# seed) against the defaults since then (K = 2, θ = 1, φ_p = 0.98, μ = 20, λ = 0.35, φ_a = 0.975, the early stops φ_s =
# 0.98 and H_m = 0.4, named here), next to clean and plain PGD, images 250.. (bpda-default=16).
# Eleventh, docs/results/table1-default/: the paper's Table 1 and 2 columns for those defaults and no defense, images
# 250.. (table1-default=16).
# Trace arithmetic 4 (2026-12-03: oneDNN switched off, docs/platform.md#onednn): every DIP and DIPDefend store above
# (parts 5-11) was made with version 3, which this dipdefense refuses to extend (to extend them, give another --store in
# their command, or check out commit 4611b71). Twelfth, docs/results/bpda-eot2-default/ (version 4): BPDA with EOT over
# two fresh seeds per step (--eot 2) against the current defaults, next to clean and plain PGD, images 250..
# (bpda-eot2-default=16). Thirteenth, docs/results/table1-v4/ (version 4): the paper's Table 1 and 2 columns for the
# defaults since calibration.md section 21 (μ = 30, φ_p = φ_s = 0.985, the rest as the tenth part; named here), no
# defense and the three simple transformations, images 250.. (table1-v4=32).
# Fourteenth, docs/results/bpda-v4/ (version 4): BPDA (EOT R = 1, the attacker knowing the seed) against those same
# defaults, next to clean and plain PGD, images 250.. (bpda-v4=16).
# Fifteenth, docs/results/table1-v4-dipdefend/ (version 4): DIPDefend (its defaults, 4,000 iterations) against the same
# 15 columns and images as the thirteenth part, a store of its own (table1-v4-dipdefend=32); once it exists,
# docs/results/table1-v4/report is the report of both stores (after either part), one Table 1 for every defense.
# Sixteenth, docs/results/bpda-dipdefend-v4/ (version 4): BPDA (EOT R = 1, the attacker knowing the seed) against
# DIPDefend, next to clean and plain PGD, images 250.. (bpda-dipdefend-v4=16).
# Seventeenth, docs/results/hsj-v4/ (version 4): HopSkipJump (L2, 200 queries, through the purified classifier) against
# the thirteenth part's defaults and against no defense, next to clean, images 250.. (hsj-v4=3; about 23 minutes per
# image, each of its 200 queries a purification). Eighteenth, docs/results/hsj-dipdefend-v4/ (version 4): the same
# HopSkipJump against DIPDefend, next to clean, images 250.. (hsj-dipdefend-v4=3; about 17 minutes per image), a store
# of its own; once it exists, docs/results/hsj-v4/report is the report of both stores (after either part).
# Nineteenth, docs/results/bpda-eps-v4/ (version 4): plain PGD and BPDA (EOT R = 1, the seed known) at ε = 2, 4 and
# 8/255 against the thirteenth part's defaults, next to clean, images 250.. (bpda-eps-v4=16); its report draws accuracy
# against ε (the paper's Fig. 4, bpda-pgd-vs-eps.png); about 5-10 minutes per image. Twentieth,
# docs/results/bpda-eps-dipdefend-v4/ (version 4): the same seven columns against DIPDefend (its defaults), images 250..
# (bpda-eps-dipdefend-v4=16), a store of its own; once it exists, docs/results/bpda-eps-v4/report is the report of both
# stores (after either part), one curve per defense. Twenty-first, docs/results/bpda-iter-v4/ (version 4): BPDA (EOT R =
# 1, the seed known) at ε = 8/255 with 5, 10 and 20 steps against the thirteenth part's defaults, next to clean, images
# 250.. (bpda-iter-v4=16); its report draws accuracy against the steps (the paper's Fig. 4, its other axis); about 8-10
# minutes per image. Twenty-second, docs/results/bpda-iter-dipdefend-v4/ (version 4): the same columns against DIPDefend
# (bpda-iter-dipdefend-v4=16), a store of its own (its first 8 images were made as two shards, --shard 0/2 and 1/2,
# joined by dipdefense merge; this part, named with 16, made the other 8); once it exists,
# docs/results/bpda-iter-v4/report is the report of both stores (after either part).
# Twenty-third, docs/results/bpda-eot20-v4/ (version 4): BPDA+EOT at R = 20 (AutoAttack's EOT count for randomized
# defenses; each of the 10 PGD steps of 2/255 averages the gradient over 20 purifications with fresh seeds, and the
# evaluated purification is another draw) against the thirteenth part's defaults, next to clean and plain PGD, ε =
# 8/255, images 250.. (bpda-eot20-v4=4 made the committed store, 16 is the aim; 23-38 minutes per image on the 2-core
# machine: 200 purifications).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
parts=(evaluation bpda-vote baselines two-traces table1 bpda-two-traces table1-baselines bpda-dipdefend bpda-eot2
  bpda-default table1-default bpda-eot2-default table1-v4 bpda-v4 table1-v4-dipdefend bpda-dipdefend-v4 hsj-v4
  hsj-dipdefend-v4 bpda-eps-v4 bpda-eps-dipdefend-v4 bpda-iter-v4 bpda-iter-dipdefend-v4 bpda-eot20-v4)
declare -A images=()
for arg in "$@"; do
  part=${arg%%=*}
  if [[ $arg != *=* || " ${parts[*]} " != *" $part "* || ! ${arg#*=} =~ ^[0-9]+$ ]]; then
    echo "evaluation.sh: '$arg' is not PART=COUNT with PART one of: ${parts[*]}" >&2
    exit 2
  fi
  images[$part]=${arg#*=}
done
if [ $# -eq 0 ]; then
  echo "usage: bash docs/results/evaluation.sh PART=COUNT [PART=COUNT ...], PART one of: ${parts[*]}" >&2
  exit 2
fi
[ -n "${images[table1-baselines]:-}" ] || images[table1-baselines]=${images[table1]:-0}
# count PART: the images PART's store should hold (0 when the part was not named).
count() { echo "${images[$1]:-0}"; }
source docs/results/cli.sh
# evaluate_into FOLDER SETTINGS...: images 250.. into docs/results/FOLDER/results.db, as many as `count FOLDER`.
evaluate_into() {
  local folder=docs/results/$1 n
  n=$(count "$1")
  shift
  mkdir -p "$folder"
  "${cli[@]}" evaluate --model "$shared/models/cifar10-resnet20.onnx" --data "$shared/data/cifar10/test_batch_first500.bin" \
    "$@" --offset 250 --count "$n" --store "$folder/results.db"
}
# evaluate_and_report FOLDER SETTINGS...: when FOLDER was named, evaluate_into, then its report in FOLDER/report.
evaluate_and_report() {
  [ "$(count "$1")" -gt 0 ] || return 0
  evaluate_into "$@"
  "${cli[@]}" report --store "docs/results/$1/results.db" --out "docs/results/$1/report"
}
evaluate_and_report evaluation \
  --defense none,decision-dip,jpeg,bit-depth,median --attack clean,fgsm:8/255,pgd:8/255,bim:8/255,mifgsm:8/255,cw,ddn \
  --selection vote --warmup 30 --gate-threshold 0.7 --gate-window 0.1-0.3 --poor-fit 0 --late-change-fit 1 --ambiguous-margin 0 --seeds 1 --horizon 1 --settled-fit 0 --marked-horizon 1
evaluate_and_report bpda-vote --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 \
  --selection vote --warmup 30 --gate-threshold 0.6 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0 --seeds 1 --horizon 1 --settled-fit 0 --marked-horizon 1
evaluate_and_report baselines --defense none,jpeg,bit-depth,median \
  --attack clean,fgsm:2/255,fgsm:4/255,fgsm:8/255,pgd:2/255,pgd:4/255,pgd:8/255,bim:2/255,bim:4/255,bim:8/255,mifgsm:2/255,mifgsm:4/255,mifgsm:8/255,cw,ddn
evaluate_and_report two-traces --defense none,decision-dip --attack clean,fgsm:8/255,pgd:8/255,bim:8/255,mifgsm:8/255,cw,ddn \
  --selection vote --warmup 30 --gate-threshold 0.7 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0 --seeds 2 --horizon 1 --settled-fit 0 --marked-horizon 1
table1_attacks=clean,fgsm:2/255,fgsm:4/255,fgsm:8/255,pgd:2/255,pgd:4/255,pgd:8/255,bim:2/255,bim:4/255,bim:8/255,mifgsm:2/255,mifgsm:4/255,mifgsm:8/255,cw,ddn
if [ "$(count table1)" -gt 0 ]; then
  evaluate_into table1 --defense none,decision-dip --attack "$table1_attacks" \
    --selection vote --warmup 30 --gate-threshold 0.7 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0 --seeds 2 --horizon 1 --settled-fit 0 --marked-horizon 1
  evaluate_into table1-baselines --defense none,dipdefend,jpeg,bit-depth,median --attack "$table1_attacks"
  "${cli[@]}" report --store docs/results/table1/results.db --store docs/results/table1-baselines/results.db --out docs/results/table1/report
fi
evaluate_and_report bpda-two-traces --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 \
  --selection vote --warmup 30 --gate-threshold 0.7 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0 --seeds 2 --horizon 1 --settled-fit 0 --marked-horizon 1
evaluate_and_report bpda-dipdefend --defense dipdefend --attack clean,pgd:8/255,bpda-pgd:8/255
evaluate_and_report bpda-eot2 --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 --eot 2 \
  --selection vote --warmup 30 --gate-threshold 0.7 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --ambiguous-margin 0 --seeds 2 --horizon 1 --settled-fit 0 --marked-horizon 1
# report_together FOLDER OTHER: when either part was named and OTHER's store exists, FOLDER/report is the report of
# both stores (they differ only in their defenses), one table for every defense.
report_together() {
  [ $(($(count "$1") + $(count "$2"))) -gt 0 ] && [ -f "docs/results/$2/results.db" ] || return 0
  "${cli[@]}" report --store "docs/results/$1/results.db" --store "docs/results/$2/results.db" --out "docs/results/$1/report"
}
# guarded_settings FIT MARGIN: the purifier's settings since the clean guard and the early stops became the defaults
# (calibration.md section 13), with φ_p = φ_s = FIT and μ = MARGIN; named in full so that a store's settings stay
# readable and a later change of the library's defaults cannot change what a rerun extends.
guarded_settings() {
  echo --selection vote --warmup 30 --gate-threshold 1 --gate-window 0.1-0.3 --poor-fit "$1" --late-change-fit 1 --ambiguous-margin "$2" \
    --own-label-weight 0.35 --ambiguous-fit 0.975 --seeds 2 --horizon 1 --settled-fit "$1" --marked-horizon 0.4
}
# dipdefend_beside OTHER FOLDER ATTACKS: when FOLDER was named, DIPDefend (its defaults) against ATTACKS into
# docs/results/FOLDER, a store of its own; then, when either part was named, OTHER/report reports both stores.
dipdefend_beside() {
  [ "$(count "$2")" -eq 0 ] || evaluate_into "$2" --defense dipdefend --attack "$3"
  report_together "$1" "$2"
}
read -ra defaults <<< "$(guarded_settings 0.98 20)"
evaluate_and_report bpda-default --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 "${defaults[@]}"
evaluate_and_report table1-default --defense none,decision-dip --attack "$table1_attacks" "${defaults[@]}"
evaluate_and_report bpda-eot2-default --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 --eot 2 "${defaults[@]}"
read -ra defaults_21 <<< "$(guarded_settings 0.985 30)"
evaluate_and_report table1-v4 --defense none,decision-dip,jpeg,bit-depth,median --attack "$table1_attacks" "${defaults_21[@]}"
evaluate_and_report bpda-v4 --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 "${defaults_21[@]}"
dipdefend_beside table1-v4 table1-v4-dipdefend "$table1_attacks"
evaluate_and_report bpda-dipdefend-v4 --defense dipdefend --attack clean,pgd:8/255,bpda-pgd:8/255
evaluate_and_report hsj-v4 --defense none,decision-dip --attack clean,hsj:200 "${defaults_21[@]}"
dipdefend_beside hsj-v4 hsj-dipdefend-v4 clean,hsj:200
eps_attacks=clean,pgd:2/255,pgd:4/255,pgd:8/255,bpda-pgd:2/255,bpda-pgd:4/255,bpda-pgd:8/255
evaluate_and_report bpda-eps-v4 --defense decision-dip --attack "$eps_attacks" "${defaults_21[@]}"
dipdefend_beside bpda-eps-v4 bpda-eps-dipdefend-v4 "$eps_attacks"
iter_attacks=clean,bpda-pgd:8/255:5,bpda-pgd:8/255:10,bpda-pgd:8/255:20
evaluate_and_report bpda-iter-v4 --defense decision-dip --attack "$iter_attacks" "${defaults_21[@]}"
dipdefend_beside bpda-iter-v4 bpda-iter-dipdefend-v4 "$iter_attacks"
evaluate_and_report bpda-eot20-v4 --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 --eot 20 \
  "${defaults_21[@]}"
