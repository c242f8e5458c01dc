"""Record hnn-core 0.1's answers for the reference example (oracle script).

Runs the network of ``../shared/reference/plot_simulate_evoked.py`` (default.json,
three evoked drives with seedcore=4) in hnn-core 0.1 itself: two trials with
post-processing, then the ``sync_within_trial`` copy for one trial. Saves the
dipoles of every trial (post-processed, as the example returns them) and the
spikes, for tests/test_reference_example.py.

Run it with the interpreter of the hnn-core 0.1 virtualenv, outside the project:

    MPLBACKEND=agg $(bash ../shared/oracle/setup_v01.sh) tests/data/make_v01_example.py \
        tests/data/v01_example.npz
"""
import json
import os.path as op
import sys

import numpy as np
import hnn_core  # noqa: E402
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.1')
from hnn_core import simulate_dipole, read_params, Network

params = read_params(op.join(op.dirname(hnn_core.__file__), 'param', 'default.json'))
net = Network(params)
net.add_evoked_drive(
    'evdist1', mu=63.53, sigma=3.85, numspikes=1,
    weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': .000007,
                  'L5_pyramidal': 0.142300},
    weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                  'L5_pyramidal': 0.080074},
    location='distal',
    synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_pyramidal': 0.1},
    seedcore=4)
delays_prox = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1.,
               'L5_pyramidal': 1.}
net.add_evoked_drive(
    'evprox1', mu=26.61, sigma=2.47, numspikes=1,
    weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                  'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
    weights_nmda=None, location='proximal', synaptic_delays=delays_prox, seedcore=4)
net.add_evoked_drive(
    'evprox2', mu=137.12, sigma=8.33, numspikes=1,
    weights_ampa={'L2_basket': 0.000003, 'L2_pyramidal': 1.438840,
                  'L5_basket': 0.008958, 'L5_pyramidal': 0.684013},
    location='proximal', synaptic_delays=delays_prox, seedcore=4)

dpls = simulate_dipole(net, n_trials=2, postproc=True)
net_sync = net.copy()
for name in ('evdist1', 'evprox1', 'evprox2'):
    net_sync.external_drives[name]['dynamics']['sync_within_trial'] = True
dpls_sync = simulate_dipole(net_sync, n_trials=1)

out = {'times': np.asarray(dpls[0].times),
       'gid_ranges': json.dumps({k: [v.start, v.stop] for k, v in net.gid_ranges.items()})}
for run, ds, cr in (('trials', dpls, net.cell_response),
                    ('sync', dpls_sync, net_sync.cell_response)):
    for layer in ('agg', 'L2', 'L5'):
        out[f'{run}_{layer}'] = np.array([d.data[layer] for d in ds])
    for k in range(len(ds)):
        out[f'{run}_spike_times{k}'] = np.asarray(cr.spike_times[k])
        out[f'{run}_spike_gids{k}'] = np.asarray(cr.spike_gids[k])
np.savez_compressed(sys.argv[1], **out)
print('saved', sys.argv[1])
