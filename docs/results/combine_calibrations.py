"""Pools `dipdefense calibrate --json` runs over disjoint image ranges into one Markdown table (calibration.md, sections 9,
11 and 12). Each setting's figures are weighted by the images of each run; only the settings and data sets that every run
has are kept. The mean is over the first four sets (clean, PGD, C&W, DDN in calibration.sh's order).
usage: python3 combine_calibrations.py RUN.json [RUN.json ...]"""
import json, sys
from calibration_common import short

runs = [json.load(open(path)) for path in sys.argv[1:]]
def key(s):
    # mark_quorum: traces that must mark an input (runs before it was swept marked with all K).
    # own_label_weight and ambiguous_fit: null while the margin is off (and absent before the fit condition existed).
    return (s['seeds'], s['gate_threshold'], s['warmup'], s['poor_fit'], s['late_change_fit'], s['ambiguous_margin'], s.get('mark_quorum') or s['seeds'],
            s.get('own_label_weight'), s.get('ambiguous_fit'), s.get('settled_fit') or 0, s.get('marked_horizon') or 1)
sets = [d['name'] for d in runs[0]['data'] if all(d['name'] in [e['name'] for e in r['data']] for r in runs)]
keys = [key(s) for s in runs[0]['settings'] if all(key(s) in [key(t) for t in r['settings']] for r in runs)]
total = sum(r['count'] for r in runs)
ranges = ', '.join(f"{r['offset']}–{r['offset'] + r['count'] - 1}" for r in sorted(runs, key=lambda r: r['offset']))

def pooled(k, name, field):
    value = 0.0
    for r in runs:
        s = next(s for s in r['settings'] if key(s) == k)
        # trace_share: absent before the early stop existed, when every trace ran to the end.
        value += r['count'] * next(p for p, d in zip(s['per_set'], r['data']) if d['name'] == name).get(field, 1.0)
    return value / total

print(f"{total} images per set ({ranges}); each cell: accuracy (8-bit) / marked share / SSIM vs clean")
print()
print('| K, q, θ, margin μ / λ / φ_a, early stops φ_s, H_m (w 30, φ_p 0.98) | ' + ' | '.join(short(n) for n in sets) + ' | mean of the first four | trace share per set |')
print('|' + '---|' * (3 + len(sets)))
for k in sorted(keys, key=lambda k: (k[0], -k[6], k[1], k[5], k[7] or 0, k[8] or 0, k[9], -k[10])):
    accuracy = [pooled(k, n, 'accuracy') for n in sets]
    cells = [f"{a:.3f} ({round(a * total)}) / {pooled(k, n, 'crossing_share'):.3f} / {pooled(k, n, 'ssim'):.3f}" for a, n in zip(accuracy, sets)]
    quorum = 'all' if k[6] == k[0] else f"q {k[6]}"
    margin = f", μ {k[5]:g} / {k[7]:g} / {k[8] or 0:g}" if k[5] else ""
    settled = (f", φ_s {k[9]:g}" if k[9] else "") + (f", H_m {k[10]:g}" if k[10] < 1 else "")
    shares = ' / '.join(f"{pooled(k, n, 'trace_share'):.3f}" for n in sets)
    print(f"| K {k[0]}, {quorum}, θ {k[1]:g}{margin}{settled} | " + ' | '.join(cells) + f" | **{sum(accuracy[:4]) / len(accuracy[:4]):.3f}** | {shares} |")
print()
print('label ceiling at w (first trace): ' + ', '.join(f"{short(n)} {pooled(keys[0], n, 'ceiling'):.3f}" for n in sets))
