"""The current default and every setting of a `dipdefense calibrate --json` run that changes one of its values (θ, μ, λ,
φ_a, φ_p, w): images correct per set, the mean of the first four sets, and the marked share of clean and PGD.
usage: python3 one_at_a_time.py RUN.json [RUN.json ...]   (several runs over disjoint images are pooled, over the sets that
all of them have; the mean of four needs four)"""
import json, sys
from calibration_common import DEFAULT as default, changed as changes, pooled, short

runs = [json.load(open(p)) for p in sys.argv[1:]]
names = {'gate_threshold': 'θ', 'ambiguous_margin': 'μ', 'own_label_weight': 'λ', 'ambiguous_fit': 'φ_a', 'poor_fit': 'φ_p', 'warmup': 'w'}

def key(s):
    return tuple(s.get(k) for k in default)

total = sum(r['count'] for r in runs)
names_all, accuracy = pooled(runs, key, 'accuracy')
_, marked = pooled(runs, key, 'crossing_share')
keys = [k for k, (s, _) in accuracy.items() if len(changes(s)) <= 1]

sets = [short(n) for n in names_all]
print(f"{total} images per set ({', '.join(str(r['offset']) + '–' + str(r['offset'] + r['count'] - 1) for r in runs)}); images correct")
print()
print('| setting | ' + ' | '.join(sets) + ' | mean of four | marked clean / PGD |')
print('|---|' + '---|' * (len(sets) + 2))
for k in sorted(keys, key=lambda k: (len(changes(dict(zip(default, k)))), [str(x) for x in k])):
    s = dict(zip(default, k))
    changed = changes(s)
    label = 'the current default' if not changed else f"{names[changed[0]]} {s[changed[0]]:g}"
    counts = [round(a * total) for a in accuracy[k][1]]
    mean = f"{sum(counts[:4]) / 4 / total:.3f}" if len(counts) >= 4 else '–'
    print(f"| {label} | " + ' | '.join(str(c) for c in counts) + f" | {mean} | "
          f"{marked[k][1][0]:.3f} / {marked[k][1][1]:.3f} |")
