#!/usr/bin/env bash
# Reproduces docs/results/baselines.md: the input-transformation baselines (and no defense) on the confirming images
# 250-499 of the clean, PGD, C&W and DDN sets of docs/results/calibration.md, with the ResNet-20 victim.
# Usage: bash docs/results/baselines.sh ATTACK_DIR   (ATTACK_DIR holds pgd.bin, cw.bin, ddn.bin made by calibration.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
model=$shared/models/cifar10-resnet20.onnx
clean=$shared/data/cifar10/test_batch_first500.bin
attacks=${1:?the folder with pgd.bin, cw.bin and ddn.bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/DipDefense.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/DipDefense.Cli/bin/Release/net10.0/DipDefense.Cli.dll)

field() { grep -o "\"$1\": [-0-9.eE+]*" <<<"$2" | head -n 1 | sed 's/.*: //'; }
cell() { # defense, data file: "accuracy (SSIM)"
  local json; json=$("${cli[@]}" purify --defense "$1" --model "$model" --data "$2" --clean "$clean" --offset 250 --count 250 \
    --out "$work/out.bin" --json 2>/dev/null)
  printf '%.3f (%.3f)' "$(field accuracy "$json")" "$(field ssim "$json")"
}

echo "Command: \`bash docs/results/baselines.sh ATTACK_DIR\` ($(date -u +%Y-%m-%d), $(nproc) CPU cores, no GPU)"
echo
echo "| defense | clean | PGD ε = 8/255 | C&W L2 | DDN L2 |"
echo "|---|---|---|---|---|"
for defense in none jpeg bit-depth median; do
  echo "| $defense | $(cell $defense "$clean") | $(cell $defense "$attacks/pgd.bin") | $(cell $defense "$attacks/cw.bin") | $(cell $defense "$attacks/ddn.bin") |"
done

# DIPDefend (T = 4000) on images 250-313 only: about 5 s per image.
dd() {
  local json; json=$("${cli[@]}" purify --defense dipdefend --model "$model" --data "$1" --clean "$clean" --offset 250 --count 64 \
    --out "$work/out.bin" --json 2>/dev/null)
  printf '%.3f (%.3f)' "$(field accuracy "$json")" "$(field ssim "$json")"
}
echo
echo "| DIPDefend, images 250–313 | $(dd "$clean") | $(dd "$attacks/pgd.bin") | $(dd "$attacks/cw.bin") | $(dd "$attacks/ddn.bin") |"
