"""The current default and every setting of a `dipdefense calibrate --json` run that changes one of its values (θ, μ, λ,
φ_a, φ_p, w): images correct per set, the mean of the first four sets, and the marked share of clean and PGD.
usage: python3 one_at_a_time.py RUN.json [RUN.json ...]   (several runs over disjoint images are pooled, over the sets that
all of them have; the mean of four needs four)"""
import json, sys
from calibration_common import DEFAULT as default, changed as changes, short

runs = [json.load(open(p)) for p in sys.argv[1:]]
names = {'gate_threshold': 'θ', 'ambiguous_margin': 'μ', 'own_label_weight': 'λ', 'ambiguous_fit': 'φ_a', 'poor_fit': 'φ_p', 'warmup': 'w'}

def key(s):
    return tuple(s.get(k) for k in default)

total = sum(r['count'] for r in runs)
keys = [key(s) for s in runs[0]['settings'] if len(changes(s)) <= 1 and all(key(s) in [key(t) for t in r['settings']] for r in runs)]
names_all = [d['name'] for d in runs[0]['data'] if all(d['name'] in [e['name'] for e in r['data']] for r in runs)]
def pooled(k, field, i):
    value = 0.0
    for r in runs:
        s = next(s for s in r['settings'] if key(s) == k)
        value += r['count'] * next(p for p, d in zip(s['per_set'], r['data']) if d['name'] == names_all[i])[field]
    return value / total

sets = [short(n) for n in names_all]
print(f"{total} images per set ({', '.join(str(r['offset']) + '–' + str(r['offset'] + r['count'] - 1) for r in runs)}); images correct")
print()
print('| setting | ' + ' | '.join(sets) + ' | mean of four | marked clean / PGD |')
print('|---|' + '---|' * (len(sets) + 2))
for k in sorted(set(keys), key=lambda k: (len(changes(dict(zip(default, k)))), [str(x) for x in k])):
    s = dict(zip(default, k))
    changed = changes(s)
    label = 'the current default' if not changed else f"{names[changed[0]]} {s[changed[0]]:g}"
    counts = [round(pooled(k, 'accuracy', i) * total) for i in range(len(sets))]
    mean = f"{sum(counts[:4]) / 4 / total:.3f}" if len(counts) >= 4 else '–'
    print(f"| {label} | " + ' | '.join(str(c) for c in counts) + f" | {mean} | "
          f"{pooled(k, 'crossing_share', 0):.3f} / {pooled(k, 'crossing_share', 1):.3f} |")
