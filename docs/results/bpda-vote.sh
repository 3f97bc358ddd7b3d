#!/usr/bin/env bash
# Reproduces docs/results/bpda-vote/: BPDA (PGD through the purifier, backward pass as identity) against the DIP
# purifier with the current defaults (the vote, w = 30, θ = 0.6 over 0.1-0.3, φ_p = 0.98, H = 1; named here so that the
# store accepts a rerun after a default changes), next to clean and plain PGD, on confirming images 250-265. EOT R = 1:
# the attacker knows the seed of the purification it attacks (the strongest case for one draw). About 2.7 minutes per
# image on the quiet 2-core machine. Rerunning with a larger COUNT extends the committed store.
# Usage: bash docs/results/bpda-vote.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared
count=${1:-16}
dotnet build src/DipDefense.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/DipDefense.Cli/bin/Release/net10.0/DipDefense.Cli.dll)
"${cli[@]}" evaluate --model "$shared/models/cifar10-resnet20.onnx" --data "$shared/data/cifar10/test_batch_first500.bin" \
  --defense decision-dip --attack clean,pgd:8/255,bpda-pgd:8/255 \
  --selection vote --warmup 30 --gate-threshold 0.6 --gate-window 0.1-0.3 --poor-fit 0.98 --late-change-fit 1 --horizon 1 \
  --offset 250 --count "$count" --store docs/results/bpda-vote/results.db
"${cli[@]}" report --store docs/results/bpda-vote/results.db --out docs/results/bpda-vote/report
