"""Applies calibration.md section 16's choice to `dipdefense calibrate --json` runs: among the settings whose clean
accuracy (the first set) is at least VICTIM_CLEAN - 0.04, the best mean over the first four sets (--sets: the first N); ties go to the
setting that changes fewest values of the current default, then to the higher clean accuracy. Prints the top rows.
Several runs over disjoint images (each run numbers its seeds from its first image) are pooled: a setting's counts are
summed over the runs.
usage: python3 choose_setting.py RUN.json [RUN.json ...] --victim VICTIM_CLEAN [--rows ROWS] [--sets N]"""
import argparse, json
from calibration_common import changed as changes, pooled, short

parser = argparse.ArgumentParser()
parser.add_argument('runs', nargs='+')
parser.add_argument('--victim', type=float, required=True, help="the victim's clean accuracy on the pooled images")
parser.add_argument('--rows', type=int, default=15)
parser.add_argument('--sets', type=int, default=4, help='the mean is over the first N sets (clean first)')
args = parser.parse_args()
runs = [json.load(open(p)) for p in args.runs]
n = sum(r['count'] for r in runs)

def label(s):
    margin = f"μ {s['ambiguous_margin']:g} / λ {s['own_label_weight']:g} / φ_a {s['ambiguous_fit'] or 0:g}" if s['ambiguous_margin'] else 'μ off'
    return f"θ {s['gate_threshold']:g}, {margin}, φ_p {s['poor_fit']:g}, w {s['warmup']}"

# One row per distinct setting (with μ off, λ and φ_a do not enter), its counts summed over the runs that all have it.
names, accuracy = pooled(runs, label, 'accuracy')
rows = [{'setting': s, 'counts': [round(a * n) for a in values[:args.sets]]} for s, values in accuracy.values()]
guarded = [v for v in rows if v['counts'][0] / n >= args.victim - 0.04 - 1e-9]
ranked = sorted(guarded, key=lambda v: (-sum(v['counts']), len(changes(v['setting'])), -v['counts'][0]))
ranges = ', '.join(f"{r['offset']}–{r['offset'] + r['count'] - 1}" for r in runs)
print(f"{n} images per set ({ranges}); {len(rows)} distinct settings, {len(guarded)} within 4 points of the "
      f"victim's clean accuracy {args.victim:.4f}")
print()
print('| setting | ' + ' | '.join(short(name) for name in names[:args.sets]) + f' | mean of {len(names[:args.sets])} | values changed |')
print('|---|' + '---|' * (len(names[:args.sets]) + 2))
base = next((v for v in rows if not changes(v['setting'])), None)
for v in ([base] if base else []) + ranked[:args.rows]:
    c = v['counts']
    print(f"| {label(v['setting'])}{' (current default)' if v is base else ''} | " + ' | '.join(str(x) for x in c)
          + f" | {sum(c) / len(c) / n:.3f} | {len(changes(v['setting']))} |")
