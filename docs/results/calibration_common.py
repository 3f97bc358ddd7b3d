"""What choose_setting.py, one_at_a_time.py and combine_calibrations.py share: the current default's values of the
settings that section 16 of calibration.md sweeps, and the short name of a data set."""

DEFAULT = {'gate_threshold': 1, 'ambiguous_margin': 20, 'own_label_weight': 0.35, 'ambiguous_fit': 0.975, 'poor_fit': 0.98, 'warmup': 30}


def changed(setting):
    """The keys of DEFAULT whose value the setting changes."""
    return [k for k, v in DEFAULT.items() if setting.get(k) is not None and abs(setting[k] - v) > 1e-9]


def short(name):
    return name.replace('test_batch_first500.bin', 'clean').replace('.bin', '')
