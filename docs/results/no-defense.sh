#!/usr/bin/env bash
# Reproduces docs/results/no-defense.md: ResNet-20 (../shared/models) on the 500 shared CIFAR-10 test
# images, attacked at the paper's settings, no defense. Adversarial images are saved as 8-bit CIFAR-10
# files (what is measured is what is saved). Usage: bash docs/results/no-defense.sh [HSJ_COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
data=$shared/data/cifar10/test_batch_first500.bin
hsj_count=${1:-100}
work=$(mktemp -d)
source docs/results/cli.sh
trap 'rm -rf "$work" "$cli_copy"' EXIT

field() { grep -o "\"$1\": [-0-9.eE+]*" <<<"$2" | head -n 1 | sed 's/.*: //'; }
row() { # label, linf|l2, then attack arguments; accuracy within an L2 radius is shown for minimum-norm L2 attacks only
  local label=$1 kind=$2; shift 2
  local json; json=$("${cli[@]}" attack --model "$model" --data "$data" --out "$work/adv.bin" --json "$@" 2>/dev/null)
  local r05="–" r1="–"
  if [ "$kind" = l2 ]; then r05=$(printf '%.3f' "$(field 0.5 "$json")"); r1=$(printf '%.3f' "$(field 1 "$json")"); fi
  printf '| %s | %s | %.3f | %.3f | %s | %s | %.3f | %.2f/255 | %.3f | %.1f |\n' "$label" "$(field count "$json")" \
    "$(field clean_accuracy "$json")" "$(field adversarial_accuracy "$json")" "$r05" "$r1" "$(field success_rate "$json")" \
    "$(echo "$(field max_linf "$json") * 255" | bc -l)" "$(field mean_l2 "$json")" "$(field seconds "$json")"
}

echo "Command: \`bash docs/results/no-defense.sh $hsj_count\` ($(date -u +%Y-%m-%d), $(nproc) CPU cores, no GPU)"
echo
echo "| attack | images | clean acc | adversarial acc | acc within L2 ≤ 0.5 | acc within L2 ≤ 1 | success rate | max L∞ | mean L2 | seconds |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for eps in 2 4 8; do
  row "FGSM ε=$eps/255" linf --attack fgsm --eps "$eps/255"
  row "PGD ε=$eps/255 (10 steps, α=2/255, random start)" linf --attack pgd --eps "$eps/255"
  row "BIM ε=$eps/255 (10 steps, α=2/255)" linf --attack bim --eps "$eps/255"
  row "MI-FGSM ε=$eps/255 (10 steps, α=2/255, μ=1)" linf --attack mifgsm --eps "$eps/255"
done
row "C&W L2 (c=1, κ=0, 50 steps, lr=0.01)" l2 --attack cw
row "DDN L2 (100 steps, γ=0.05)" l2 --attack ddn
for q in 200 1000 2500; do
  row "HopSkipJump L2, $q queries/image (first $hsj_count images)" l2 --attack hsj --queries "$q" --count "$hsj_count"
done
