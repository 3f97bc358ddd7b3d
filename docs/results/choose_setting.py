"""Applies calibration.md section 16's choice to a `dipdefense calibrate --json` run: among the settings whose clean
accuracy (the first set) is at least VICTIM_CLEAN - 0.04, the best mean over the first four sets; ties go to the
setting that changes fewest values of the current default, then to the higher clean accuracy. Prints the top rows.
usage: python3 choose_setting.py RUN.json VICTIM_CLEAN [ROWS]"""
import json, sys
from calibration_common import changed as changes, short

run = json.load(open(sys.argv[1]))
victim = float(sys.argv[2])
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 15
n = run['count']

def changed(s):
    return len(changes(s))

def counts(s):
    return [round(p['accuracy'] * n) for p in s['per_set']]

def label(s):
    margin = f"μ {s['ambiguous_margin']:g} / λ {s['own_label_weight']:g} / φ_a {s['ambiguous_fit'] or 0:g}" if s['ambiguous_margin'] else 'μ off'
    return f"θ {s['gate_threshold']:g}, {margin}, φ_p {s['poor_fit']:g}, w {s['warmup']}"

seen, settings = set(), []
for s in run['settings']:
    key = label(s)
    if key not in seen:  # with μ off, λ and φ_a do not enter: one row for all of them
        seen.add(key)
        settings.append(s)
guarded = [s for s in settings if s['per_set'][0]['accuracy'] >= victim - 0.04 - 1e-9]
ranked = sorted(guarded, key=lambda s: (-sum(counts(s)[:4]), changed(s), -counts(s)[0]))
print(f"{n} images per set from offset {run['offset']}; {len(settings)} distinct settings, {len(guarded)} within 4 points of the "
      f"victim's clean accuracy {victim:.3f}")
print()
print('| setting | ' + ' | '.join(short(d['name']) for d in run['data'][:4]) + ' | mean of four | values changed |')
print('|---|' + '---|' * 6)
base = next((s for s in settings if changed(s) == 0), None)
for s in ([base] if base else []) + ranked[:rows]:
    c = counts(s)
    print(f"| {label(s)}{' (current default)' if s is base else ''} | " + ' | '.join(str(x) for x in c[:4]) + f" | {sum(c[:4]) / 4 / n:.3f} | {changed(s)} |")
