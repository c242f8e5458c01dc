"""Record hnn-core 0.1's answers for a Poisson and a bursty drive (oracle script).

``Network(params)`` from the package's default.json with N_pyr_x = N_pyr_y = 3, one
cell-specific Poisson drive (proximal, rate per cell type, seedcore 7) and one bursty drive
(distal, repeats 3, seedcore 8), two trials, ``postproc=False``. Saves the raw dipoles (nAm)
and spikes of every trial, the gid ranges and the event times 0.1 generated for every drive
cell of every trial (``net.external_drives[name]['events']``).

Run it with the interpreter of the hnn-core 0.1 virtualenv, from the repository root,
outside the project:

    MPLBACKEND=agg $(bash ../shared/oracle/setup_v01.sh) tests/data/make_v01_drives.py \
        tests/data/v01_drives.npz

Layout of the npz: times; agg_trials, L2_trials, L5_trials (one row per trial);
spike_times_trial<k>, spike_gids_trial<k>; gid_ranges (JSON text, name -> [start, stop));
for each drive <name>: src_gids_<name> (the drive-cell gid of each event list, in the order
0.1 keeps them), and per trial events_<name>_trial<k>_times (all lists concatenated) with
events_<name>_trial<k>_counts (length of each list), so list i is
times[counts[:i].sum():counts[:i + 1].sum()].
"""
import json
import os.path as op
import sys

import numpy as np
import hnn_core  # noqa: E402
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.1')
from hnn_core import Network, read_params, simulate_dipole

params = read_params(op.join(op.dirname(hnn_core.__file__), 'param', 'default.json'))
params['N_pyr_x'] = 3
params['N_pyr_y'] = 3
net = Network(params)
net.add_poisson_drive(
    'poisson', tstart=10., tstop=150.,
    rate_constant={'L2_basket': 40., 'L2_pyramidal': 20., 'L5_basket': 60.,
                   'L5_pyramidal': 30.},
    location='proximal',
    weights_ampa={'L2_basket': 0.02, 'L2_pyramidal': 0.02, 'L5_basket': 0.04,
                  'L5_pyramidal': 0.02},
    weights_nmda={'L2_basket': 0.005, 'L2_pyramidal': 0.005, 'L5_basket': 0.005,
                  'L5_pyramidal': 0.005},
    synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1.0,
                     'L5_pyramidal': 1.0},
    seedcore=7)
net.add_bursty_drive(
    'bursty', tstart=20., tstart_std=5., location='distal', burst_rate=10.,
    burst_std=3., numspikes=2, spike_isi=10, repeats=3,
    weights_ampa={'L2_basket': 0.002, 'L2_pyramidal': 0.002, 'L5_pyramidal': 0.004},
    weights_nmda={'L2_pyramidal': 0.001, 'L5_pyramidal': 0.002},
    synaptic_delays=0.1, seedcore=8)

dpls = simulate_dipole(net, n_trials=2, postproc=False)
cr = net.cell_response

out = {'times': np.asarray(dpls[0].times),
       'gid_ranges': json.dumps({k: [v.start, v.stop] for k, v in net.gid_ranges.items()})}
for layer in ('agg', 'L2', 'L5'):
    out[layer + '_trials'] = np.array([d.data[layer] for d in dpls])
for k in range(len(dpls)):
    out['spike_times_trial%d' % k] = np.asarray(cr.spike_times[k])
    out['spike_gids_trial%d' % k] = np.asarray(cr.spike_gids[k])
for name, drive in net.external_drives.items():
    # the event lists follow drive['conn'] (cell types in order, their src gids; only the
    # first entry for a drive that is not cell specific), as in Network._instantiate_drives
    src = []
    for conn in drive['conn'].values():
        src.extend(conn['src_gids'])
        if not drive['cell_specific']:
            break
    out['src_gids_' + name] = np.asarray(src, dtype=int)
    for k, trial_events in enumerate(drive['events']):
        assert len(trial_events) == len(src), (name, len(trial_events), len(src))
        out['events_%s_trial%d_times' % (name, k)] = np.concatenate(
            [np.asarray(e, dtype=float) for e in trial_events])
        out['events_%s_trial%d_counts' % (name, k)] = np.array(
            [len(e) for e in trial_events], dtype=int)
np.savez_compressed(sys.argv[1], **out)

print('saved', sys.argv[1])
print('gid_ranges', out['gid_ranges'])
for k in range(len(dpls)):
    gids = np.asarray(cr.spike_gids[k])
    counts = {n: int(((gids >= r.start) & (gids < r.stop)).sum())
              for n, r in net.gid_ranges.items()}
    print('trial', k, 'spike counts', json.dumps(counts))
    for name in net.external_drives:
        c = out['events_%s_trial%d_counts' % (name, k)]
        print('  events', name, 'n lists', len(c), 'n events', int(c.sum()),
              'first list', net.external_drives[name]['events'][k][0][:8])
