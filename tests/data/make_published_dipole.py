"""Record hnn-core 0.6.1's answer for the published HNN network (oracle script).

``jones_2009_model(default.json, add_drives_from_params=True, legacy_mode=True)`` on the
10x10 grid, tstop 170 ms, one trial (the configuration hnn-core's own test suite compares with
HNN-GUI's ``dpl.txt``). Saves the raw dipoles (nAm), trial 0's spikes and the gid ranges, and
writes the ``smooth(30).scale(3000)`` copy with the oracle's own ``Dipole.write`` (HNN text
format). Prints the spike count per type.

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository root,
outside the project:

    $(bash ../shared/oracle/setup.sh) tests/data/make_published_dipole.py \
        tests/data/published_dipole.npz tests/data/published_dipole_smooth30_scale3000.txt
"""
import json
import os.path as op
import sys
from collections import Counter

import matplotlib
matplotlib.use('Agg')
import numpy as np  # noqa: E402
import hnn_core  # noqa: E402
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import jones_2009_model, read_params, simulate_dipole

out_npz, out_txt = sys.argv[1], sys.argv[2]
params = read_params(op.join(op.dirname(hnn_core.__file__), 'param', 'default.json'))
net = jones_2009_model(params, add_drives_from_params=True, legacy_mode=True)
net._verbose = False
dpls = simulate_dipole(net, tstop=170., n_trials=1)
cr = net.cell_response


def _span(r):
    r = list(r)
    return [int(r[0]), int(r[-1]) + 1] if r else [0, 0]


np.savez_compressed(
    out_npz, times=np.asarray(dpls[0].times),
    agg=np.asarray(dpls[0].data['agg']), L2=np.asarray(dpls[0].data['L2']),
    L5=np.asarray(dpls[0].data['L5']),
    spike_times=np.asarray(cr.spike_times[0]), spike_gids=np.asarray(cr.spike_gids[0]),
    spike_types=np.asarray(cr.spike_types[0]),
    gid_ranges=json.dumps({k: _span(v) for k, v in net.gid_ranges.items()}))
dpls[0].copy().smooth(30).scale(3000).write(out_txt)
counts = Counter(cr.spike_types[0])
print('saved', out_npz, out_txt)
print('gid_ranges', json.dumps({k: _span(v) for k, v in net.gid_ranges.items()}))
print('spike counts:', json.dumps(dict(sorted(counts.items()))))
