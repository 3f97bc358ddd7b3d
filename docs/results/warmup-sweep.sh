#!/usr/bin/env bash
# A first, small sweep of the warm-up w of the decision-space purifier (other parameters at their defaults),
# on clean and PGD ε=8/255 images from the choosing range (offsets 0–249). Each setting is a full DIP run.
# Usage: bash docs/results/warmup-sweep.sh [OFFSET] [COUNT] [W...]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
clean=$shared/data/cifar10/test_batch_first500.bin
offset=${1:-0}; count=${2:-16}
warmups=("${@:3}")
[ ${#warmups[@]} -gt 0 ] || warmups=(2 5 10 20)
work=$(mktemp -d)
source docs/results/cli.sh
trap 'rm -rf "$work" "$cli_copy"' EXIT
"${cli[@]}" attack --model "$model" --data "$clean" --attack pgd --eps 8/255 --out "$work/pgd.bin" --json >/dev/null 2>&1

field() { grep -o "\"$1\": [-0-9.eE+]*" <<<"$2" | head -n 1 | sed 's/.*: //'; }
echo "Command: \`bash docs/results/warmup-sweep.sh $offset $count ${warmups[*]}\` ($(date -u +%Y-%m-%d), $(nproc) CPU cores, medium preset, T=1000, M=200, τ=0.7, N=5, η=0.1, G=10, batch 16, seed 0)"
echo
echo "| w | set | images | accuracy | SSIM vs clean | traces with crossings | true label on trace after w | s/image |"
echo "|---|---|---|---|---|---|---|---|"
for w in "${warmups[@]}"; do
  for set in clean pgd; do
    data=$clean; [ "$set" = pgd ] && data=$work/pgd.bin
    json=$("${cli[@]}" purify --model "$model" --data "$data" --clean "$clean" --offset "$offset" --count "$count" --warmup "$w" --pairs 5 --out "$work/p.bin" --json 2>/dev/null)
    printf '| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %.2f |\n' "$w" "$set" "$(field count "$json")" "$(field accuracy "$json")" \
      "$(field ssim "$json")" "$(field crossing_share "$json")" "$(field trace_ceiling "$json")" "$(field seconds_per_image "$json")"
  done
done
