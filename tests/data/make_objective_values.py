"""Record hnn-core 0.6.1's objective values for given dipoles (oracle script).

The dipoles are the oracle's own single trials stored in
``evoked_sigma0_mesh10x10.npz`` and ``evoked_sigma0_mesh3x3.npz`` (0-170 ms, dt
0.025 ms); the target is HNN's ``yes_trial_S1_ERP_all_avg.txt`` recording
(the copy packaged in ``hnn_core/data``, with its ``LICENSE-HNN.txt``). Each case is preprocessed and scored the way 0.6.1's
Optimizer does it (``_preprocess_dipole``, ``average_dipoles``, ``_rmse`` /
``_anticorr`` with tstart 0, and ``_get_relative_power`` of the first trial).

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository
root, outside the project:

    $(bash ../shared/oracle/setup.sh) tests/data/make_objective_values.py \
        tests/data/objective_values.json
"""
import json
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np  # noqa: E402
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import read_dipole  # noqa: E402
from hnn_core.dipole import Dipole, average_dipoles, _rmse, _anticorr  # noqa: E402
from hnn_core.optimization.objective_functions import (  # noqa: E402
    _preprocess_dipole, _get_relative_power)

here = op.dirname(op.abspath(__file__))
# the copy packaged with hnn_core (read as a file: this script runs under the oracle)
target_file = op.join(here, '..', '..', 'hnn_core', 'data', 'yes_trial_S1_ERP_all_avg.txt')
CASES = [  # (objective, tstop, fit keyword arguments)
    ('dipole_rmse', 169.8259311846296669, {'scale_factor': 3000, 'smooth_window_len': 30}),
    ('dipole_rmse', 100.0, {'scale_factor': 3000}),
    ('dipole_rmse', 170.0, {}),
    ('dipole_corr', 169.8259311846296669, {'scale_factor': 3000, 'smooth_window_len': 30}),
    ('dipole_corr', 120.0, {'smooth_window_len': 20}),
    ('maximize_psd', 170.0, {'f_bands': [[15, 25]], 'relative_bandpower': 1.0}),
    ('maximize_psd', 170.0, {'f_bands': [[8, 12], [15, 25]],
                             'relative_bandpower': [0.5, 2.0], 'smooth_window_len': 10}),
]


def trials():
    dpls = []
    for mesh in ('10x10', '3x3'):
        data = np.load(op.join(here, f'evoked_sigma0_mesh{mesh}.npz'))
        dpls.append(Dipole(data['times'], np.c_[data['agg'], data['L2'], data['L5']]))
    return dpls


target = read_dipole(target_file)
out = {'target_file': 'yes_trial_S1_ERP_all_avg.txt',
       'trials': ['evoked_sigma0_mesh10x10.npz', 'evoked_sigma0_mesh3x3.npz'],
       'cases': []}
for obj, tstop, kwargs in CASES:
    dpls = trials()
    _preprocess_dipole(dpls, kwargs)
    if obj == 'dipole_rmse':
        value = _rmse(average_dipoles(dpls), target, tstop=tstop)
    elif obj == 'dipole_corr':
        value = _anticorr(average_dipoles(dpls), target, tstop=tstop)
    else:
        value = _get_relative_power(dpls[0], kwargs)
    out['cases'].append({'obj_fun': obj, 'tstop': tstop, 'kwargs': kwargs,
                         'value': float(value)})
    print(obj, tstop, kwargs, float(value))
with open(sys.argv[1], 'w') as fid:
    json.dump(out, fid, indent=1)
