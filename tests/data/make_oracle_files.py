"""Write dipole and spike files with hnn-core 0.6.1's own writers (oracle script).

Simulates the configuration of ``evoked_sigma0_mesh3x3.json`` (3x3 grid, the reference
example's three evoked drives with sigma 0, 170 ms) for two trials, then writes trial 0's
dipole with ``Dipole.write`` and every trial's spikes with ``CellResponse.write``. The arrays
behind those files are saved too, so a reader can be checked against the exact values.

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository root,
outside the project:

    $(bash ../shared/oracle/setup.sh) tests/data/make_oracle_files.py \
        tests/data/evoked_sigma0_mesh3x3.json tests/data
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
from hnn_core import jones_2009_model, simulate_dipole  # noqa: E402

cfg = json.load(open(sys.argv[1]))
out_dir = sys.argv[2]
n_trials = 2
net = jones_2009_model(mesh_shape=tuple(cfg['mesh_shape']))
for drive in cfg['drives']:
    drive = dict(drive)
    assert drive.pop('type') == 'evoked'
    net.add_evoked_drive(drive.pop('name'), **drive)
net._verbose = False
dpls = simulate_dipole(net, tstop=cfg['tstop'], dt=cfg['dt'], n_trials=n_trials)
cr = net.cell_response

dpls[0].write(op.join(out_dir, 'oracle_dipole.txt'))
cr.write(op.join(out_dir, 'oracle_spk_%d.txt'))

out = {'times': np.asarray(dpls[0].times),
       'gid_ranges': json.dumps({k: [v.start, v.stop] for k, v in net.gid_ranges.items()})}
for layer in ('agg', 'L2', 'L5'):
    out[layer + '_trials'] = np.array([d.data[layer] for d in dpls])
for k in range(n_trials):
    out['spike_times_trial%d' % k] = np.asarray(cr.spike_times[k])
    out['spike_gids_trial%d' % k] = np.asarray(cr.spike_gids[k])
    out['spike_types_trial%d' % k] = np.asarray(cr.spike_types[k])
np.savez_compressed(op.join(out_dir, 'oracle_files.npz'), **out)
print('saved', op.join(out_dir, 'oracle_files.npz'),
      'spikes per trial:', [len(t) for t in cr.spike_times])
