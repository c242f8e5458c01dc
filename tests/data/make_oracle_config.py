"""Write a network configuration file with hnn-core 0.6.1 (the oracle) and simulate it.

Run it with the interpreter of the hnn-core 0.6.1 virtualenv, from the repository root:

    $(bash ../shared/oracle/setup.sh) tests/data/make_oracle_config.py tests/data

The network: ``law_2021_model(mesh_shape=(3, 3))`` with

* the ERP drives of ``add_erp_drives_to_jones_model``;
* a cell-specific Poisson drive 'poisson_prox' (proximal, rate dict over the two pyramidal
  types, tstart 10, tstop 150, AMPA + NMDA, event_seed 21);
* a bursty drive 'bursty_dist' (distal, 2 drive cells, cell_specific False, tstart 30 +- 4,
  tstop 160, 10 Hz +- 2, 2 spikes 8 ms apart, event_seed 22);
* a tonic bias on the somata (L2_pyramidal 0.1 nA, L5_basket 0.05 nA, t0 20, tstop 140);
* ``set_global_synaptic_gains(e_i=1.2)``;
* ``modify_section('apical_oblique', L=270., diam=5.5)`` on the L5 pyramidal template: 270 um
  keeps nseg 5 of the default 255 um (0.6.1 does not update Section.nseg in
  modify_section but recomputes it from L when reading a file);
* one extra connection whose loc is a section name: L2_basket -> L5_pyramidal GABAA on
  'apical_1'.

Connection probability is 1.0 everywhere: 0.6.1's reader calls add_connection with each
connection's stored probability and no conn_seed, so connections with probability < 1 are
pruned AGAIN, with an unseeded generator, on every read; such a file does not read back
deterministically in 0.6.1.

Writes ``OUTDIR/oracle_network_config.json`` with ``net.write_configuration`` BEFORE
simulating, simulates the in-memory network (2 trials, 170 ms, dt 0.025) and the network
``read_network_configuration`` makes of the file, asserts that both give identical dipoles
and spikes, and saves the run as ``OUTDIR/oracle_network_config.npz`` (the arrays of
``../shared/oracle/run_reference.py``; see ``oracle_outputs.py``).
"""
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np

sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import law_2021_model, read_network_configuration, simulate_dipole  # noqa
from hnn_core.network_models import add_erp_drives_to_jones_model  # noqa: E402

from model_cases import modify_length  # noqa: E402
from oracle_outputs import describe_counts, run_arrays  # noqa: E402


TSTOP, DT, N_TRIALS = 170.0, 0.025, 2


def build():
    net = law_2021_model(mesh_shape=(3, 3))
    add_erp_drives_to_jones_model(net)
    net.add_poisson_drive(
        'poisson_prox', tstart=10., tstop=150.,
        rate_constant={'L2_pyramidal': 40., 'L5_pyramidal': 30.},
        location='proximal',
        weights_ampa={'L2_pyramidal': 0.0008, 'L5_pyramidal': 0.0012},
        weights_nmda={'L5_pyramidal': 0.0004},
        synaptic_delays={'L2_pyramidal': 0.1, 'L5_pyramidal': 1.0}, event_seed=21)
    net.add_bursty_drive(
        'bursty_dist', tstart=30., tstart_std=4., tstop=160., location='distal',
        burst_rate=10., burst_std=2., numspikes=2, spike_isi=8., n_drive_cells=2,
        cell_specific=False,
        weights_ampa={'L2_basket': 0.002, 'L2_pyramidal': 0.001, 'L5_pyramidal': 0.002},
        synaptic_delays=0.1, event_seed=22)
    net.add_tonic_bias(amplitude={'L2_pyramidal': 0.1, 'L5_basket': 0.05},
                       t0=20., tstop=140.)
    modify_length(net.cell_types['L5_pyramidal']['cell_object'], 'apical_oblique', 270.,
                  diam=5.5)
    net.add_connection('L2_basket', 'L5_pyramidal', 'apical_1', 'gabaa', 0.001,
                       net.delay, 50.0)
    net.set_global_synaptic_gains(e_i=1.2)
    for conn in net.connectivity:
        assert conn['probability'] == 1.0
    for drive in net.external_drives.values():
        assert drive['probability'] == 1.0
    return net


def main(out_dir):
    fname = op.join(out_dir, 'oracle_network_config.json')
    net = build()
    net.write_configuration(fname)   # before simulating
    dpls = simulate_dipole(net, tstop=TSTOP, dt=DT, n_trials=N_TRIALS, verbose=False)
    out = run_arrays(net, dpls)

    net_read = read_network_configuration(fname)
    dpls_read = simulate_dipole(net_read, tstop=TSTOP, dt=DT, n_trials=N_TRIALS,
                                verbose=False)
    out_read = run_arrays(net_read, dpls_read)
    assert out.keys() == out_read.keys()
    for key in out:
        assert np.array_equal(out[key], out_read[key]), f'{key} differs after reading'
    print(f'wrote {fname}; read back, it gives identical dipoles and spikes')

    np.savez_compressed(op.join(out_dir, 'oracle_network_config.npz'), **out)
    print('saved', op.join(out_dir, 'oracle_network_config.npz'))
    print(describe_counts(net, N_TRIALS))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
