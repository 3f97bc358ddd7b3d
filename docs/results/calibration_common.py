"""What choose_setting.py, one_at_a_time.py and combine_calibrations.py share: the current default's values of the
settings that section 16 of calibration.md sweeps, the short name of a data set, and the pooling of runs over disjoint
images."""

# Since section 21 (2026-12-04): μ 30 and φ_p 0.985; the tables of sections 16-20 were printed with μ 20 and φ_p 0.98 here.
DEFAULT = {'gate_threshold': 1, 'ambiguous_margin': 30, 'own_label_weight': 0.35, 'ambiguous_fit': 0.975, 'poor_fit': 0.985, 'warmup': 30}


def changed(setting):
    """The keys of DEFAULT whose value the setting changes."""
    return [k for k, v in DEFAULT.items() if setting.get(k) is not None and abs(setting[k] - v) > 1e-9]


def short(name):
    return name.replace('test_batch_first500.bin', 'clean').replace('.bin', '')


def pooled(runs, key, field, default=None):
    """Pools `calibrate --json` runs over disjoint images: for each setting key (key(setting); the first setting of a run
    with that key) that every run has, the image-weighted mean of per_set[field] on each data set that every run has
    (`default` where an older run lacks the field). Returns the set names (in the first run's order) and
    {key: (the first run's setting, [value per set])}."""
    names = [d['name'] for d in runs[0]['data'] if all(d['name'] in [e['name'] for e in r['data']] for r in runs)]
    total = sum(r['count'] for r in runs)
    value = (lambda cell: cell[field]) if default is None else (lambda cell: cell.get(field, default))
    sums = {}
    for r in runs:
        column = {d['name']: i for i, d in enumerate(r['data'])}
        seen = set()
        for s in r['settings']:
            k = key(s)
            if k in seen:
                continue
            seen.add(k)
            entry = sums.setdefault(k, [s, [0.0] * len(names), 0])
            entry[1] = [v + r['count'] * value(s['per_set'][column[n]]) for v, n in zip(entry[1], names)]
            entry[2] += 1
    return names, {k: (s, [v / total for v in values]) for k, (s, values, seen_in) in sums.items() if seen_in == len(runs)}
