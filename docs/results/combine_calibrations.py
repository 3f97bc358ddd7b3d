"""Pools `dipdefense calibrate --json` runs over disjoint image ranges into one Markdown table (calibration.md, sections 9,
11 and 12). Each setting's figures are weighted by the images of each run; only the settings and data sets that every run
has are kept. The mean is over the first four sets (clean, PGD, C&W, DDN in calibration.sh's order).
usage: python3 combine_calibrations.py RUN.json [RUN.json ...]"""
import json, sys
from calibration_common import pooled, short

runs = [json.load(open(path)) for path in sys.argv[1:]]
def key(s):
    # mark_quorum: traces that must mark an input (runs before it was swept marked with all K).
    # own_label_weight and ambiguous_fit: null while the margin is off (and absent before the fit condition existed).
    return (s['seeds'], s['gate_threshold'], s['warmup'], s['poor_fit'], s['late_change_fit'], s['ambiguous_margin'], s.get('mark_quorum') or s['seeds'],
            s.get('own_label_weight'), s.get('ambiguous_fit'), s.get('settled_fit') or 0, s.get('marked_horizon') or 1)
total = sum(r['count'] for r in runs)
ranges = ', '.join(f"{r['offset']}–{r['offset'] + r['count'] - 1}" for r in sorted(runs, key=lambda r: r['offset']))
# trace_share: absent before the early stop existed, when every trace ran to the end.
fields = {field: pooled(runs, key, field, default) for field, default in
          [('accuracy', None), ('crossing_share', None), ('ssim', None), ('ceiling', None), ('trace_share', 1.0)]}
sets = fields['accuracy'][0]
keys = list(fields['accuracy'][1])
def per_set(k, field):
    return fields[field][1][k][1]

print(f"{total} images per set ({ranges}); each cell: accuracy (8-bit) / marked share / SSIM vs clean")
print()
print('| K, q, θ, margin μ / λ / φ_a, early stops φ_s, H_m (w 30, φ_p 0.98 unless named) | ' + ' | '.join(short(n) for n in sets) + ' | mean of the first four | trace share per set |')
print('|' + '---|' * (3 + len(sets)))
for k in sorted(keys, key=lambda k: (k[0], -k[6], k[1], k[5], k[7] or 0, k[8] or 0, k[9], -k[10])):
    accuracy = per_set(k, 'accuracy')
    cells = [f"{a:.3f} ({round(a * total)}) / {c:.3f} / {s:.3f}" for a, c, s in zip(accuracy, per_set(k, 'crossing_share'), per_set(k, 'ssim'))]
    quorum = 'all' if k[6] == k[0] else f"q {k[6]}"
    margin = f", μ {k[5]:g} / {k[7]:g} / {k[8] or 0:g}" if k[5] else ""
    settled = (f", φ_s {k[9]:g}" if k[9] else "") + (f", H_m {k[10]:g}" if k[10] < 1 else "")
    # The header's w 30 and φ_p 0.98, named in the row where a run sweeps them.
    settled += (f", φ_p {k[3]:g}" if abs(k[3] - 0.98) > 1e-9 else "") + (f", w {k[2]}" if k[2] != 30 else "")
    shares = ' / '.join(f"{t:.3f}" for t in per_set(k, 'trace_share'))
    print(f"| K {k[0]}, {quorum}, θ {k[1]:g}{margin}{settled} | " + ' | '.join(cells) + f" | **{sum(accuracy[:4]) / len(accuracy[:4]):.3f}** | {shares} |")
print()
print('label ceiling at w (first trace): ' + ', '.join(f"{short(n)} {c:.3f}" for n, c in zip(sets, per_set(keys[0], 'ceiling'))))
