"""Markdown tables from `dipdefense calibrate --json` output (used for docs/results/calibration.md).
usage: python3 calibration_tables.py FILE.json [ROWS]"""
import json, sys

d = json.load(open(sys.argv[1]))
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 12
names = [s['name'] for s in d['data']]
short = {n: n.replace('test_batch_first500.bin', 'clean').replace('.bin', '') for n in names}
print(f"{d['count']} images per set from offset {d['offset']}; {len(d['settings'])} settings; traces {d['trace_seconds']:.0f} s "
      f"({d['cached_chunks']} chunks from the cache), whole run {d['seconds']:.0f} s")
print()
print('| σ_z | noise-free | selection | τ | w | N | η | ' + ' | '.join(short[n] for n in names) + ' | mean | SSIM vs clean |')
print('|' + '---|' * (9 + len(names)))
for s in d['settings'][:rows]:
    window = f"θ {s['gate_threshold']} [{s['gate_window'].replace('-', ', ')})"
    fit = ''.join(f", {name} {s[key]:g}" for name, key in (('φ_p', 'poor_fit'), ('φ_l', 'late_change_fit')) if key in s)
    traces = f", K {s['seeds']}" if s.get('seeds', 1) > 1 else ''
    traces += f", q {s['mark_quorum']}" if (s.get('mark_quorum') or s.get('seeds', 1)) < s.get('seeds', 1) else ''
    sel = {'paper': 'paper', 'vote': f"vote {window}{fit}{traces}"}.get(s['selection'], f"gate {window}")
    sigma = {0: '0', 0.02: '1/50', 0.05: '1/20', 0.1: '1/10'}.get(round(s['input_noise'], 6), '1/30' if abs(s['input_noise'] - 1 / 30) < 1e-9 else f"{s['input_noise']:g}")
    cells = [sigma, 'yes' if s.get('noise_free_snapshots') else 'no', sel, f"{s['tau']:g}", str(s['warmup']), str(s['pairs']), f"{s['eta']:g}"]
    cells += [f"{p['accuracy']:.3f}" for p in s['per_set']]
    cells += [f"**{s['mean_accuracy']:.3f}**", f"{s['ssim']:.3f}" if s['ssim'] is not None else '-']
    print('| ' + ' | '.join(cells) + ' |')
