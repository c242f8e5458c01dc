"""Read a network configuration file with hnn-core 0.6.1 (the oracle) and simulate it.

For files written by this package: checks that the oracle reads them and what it makes of
them. Run it with the interpreter of the hnn-core 0.6.1 virtualenv:

    $(bash ../shared/oracle/setup.sh) tests/data/run_configuration.py CONFIG.json OUT.npz \
        [--tstop 170] [--dt 0.025] [--n-trials 2]

OUT.npz (``np.savez_compressed``) holds the arrays of ``../shared/oracle/run_reference.py``
(see ``oracle_outputs.py``). Run on ``tests/data/oracle_network_config.json`` it reproduces
``tests/data/oracle_network_config.npz`` exactly.

Note: 0.6.1's reader re-prunes every connection whose stored probability is < 1 with an
unseeded generator, so such files do not give reproducible results.
"""
import argparse
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
import numpy as np

sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import read_network_configuration, simulate_dipole  # noqa: E402
from oracle_outputs import describe_counts, run_arrays  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('out')
    parser.add_argument('--tstop', type=float, default=170.0)
    parser.add_argument('--dt', type=float, default=0.025)
    parser.add_argument('--n-trials', type=int, default=2)
    args = parser.parse_args()

    net = read_network_configuration(args.config)
    probs = [conn['probability'] for conn in net.connectivity]
    if any(p != 1.0 for p in probs):
        print('WARNING: connections with probability < 1 were pruned again, unseeded, '
              'by the reader', file=sys.stderr)
    dpls = simulate_dipole(net, tstop=args.tstop, dt=args.dt, n_trials=args.n_trials,
                           verbose=False)
    np.savez_compressed(args.out, **run_arrays(net, dpls))
    print('saved', args.out)
    print(describe_counts(net, args.n_trials))


if __name__ == '__main__':
    main()
