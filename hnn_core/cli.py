"""Command line: ``hnn-core simulate`` runs the evoked-response simulation."""

import argparse
import os
import os.path as op
import sys

DRIVES_HELP = """\
The network is the reference evoked-response example: the packaged default.json
with one distal (evdist1, ~63.5 ms) and two proximal (evprox1 ~26.6 ms, evprox2
~137.1 ms) evoked drives. Dipoles are smoothed (dipole_smooth_win) and scaled
(dipole_scalefctr) as HNN does."""


def _evoked_example_network(params):
    """default.json with the reference example's three evoked drives (seedcore 4)."""
    from .network import Network
    net = Network(params)
    net.add_evoked_drive(
        'evdist1', mu=63.53, sigma=3.85, numspikes=1, location='distal',
        weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': 0.000007,
                      'L5_pyramidal': 0.142300},
        weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                      'L5_pyramidal': 0.080074},
        synaptic_delays=0.1, seedcore=4)
    delays = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1.,
              'L5_pyramidal': 1.}
    net.add_evoked_drive(
        'evprox1', mu=26.61, sigma=2.47, numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                      'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
        synaptic_delays=delays, seedcore=4)
    net.add_evoked_drive(
        'evprox2', mu=137.12, sigma=8.33, numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.000003, 'L2_pyramidal': 1.438840,
                      'L5_basket': 0.008958, 'L5_pyramidal': 0.684013},
        synaptic_delays=delays, seedcore=4)
    return net


def _parser():
    parser = argparse.ArgumentParser(
        prog='hnn-core',
        description='Simulate the HNN laminar cortical circuit and its current dipole.')
    sub = parser.add_subparsers(dest='command', required=True)
    sim = sub.add_parser(
        'simulate', help='run the evoked-response simulation',
        description='Run the evoked-response simulation and write the dipole of each '
                    'trial (text, HNN format) and a figure.',
        epilog=DRIVES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sim.add_argument('--trials', type=int, default=1, metavar='N',
                     help='number of trials (default: 1)')
    sim.add_argument('--tstop', type=float, default=None, metavar='MS',
                     help="simulated time in ms (default: the parameters' tstop, 170)")
    sim.add_argument('--jobs', type=int, default=1, metavar='N',
                     help='trials to run in parallel (default: 1)')
    sim.add_argument('--out', default='out', metavar='DIR',
                     help='output directory (default: ./out)')
    sim.add_argument('--quiet', action='store_true', help='no progress output')
    return parser


def _simulate(args):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from .backends import JoblibBackend
    from .network import DEFAULT_PARAMS
    from .params import read_params
    from .simulation import simulate_dipole
    from .viz import plot_dipole

    net = _evoked_example_network(read_params(DEFAULT_PARAMS))
    with JoblibBackend(n_jobs=args.jobs):
        dpls = simulate_dipole(net, tstop=args.tstop, n_trials=args.trials,
                               verbose=not args.quiet)
    os.makedirs(args.out, exist_ok=True)
    written = []
    for trial, dpl in enumerate(dpls):
        fname = op.join(args.out, f'dipole_{trial}.txt')
        dpl.write(fname)
        written.append(fname)
    fig, ax = plt.subplots(1, 1, figsize=(6, 3.5), constrained_layout=True)
    plot_dipole(dpls, ax=ax, layer='agg', show=False)
    fname = op.join(args.out, 'dipole.png')
    fig.savefig(fname, dpi=150)
    written.append(fname)
    print('Wrote:')
    for fname in written:
        print(f'  {op.abspath(fname)}')
    return 0


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == 'simulate':
            return _simulate(args)
    except (ValueError, TypeError, OSError) as err:
        print(f'hnn-core: error: {err}', file=sys.stderr)
        return 2
    return 1


if __name__ == '__main__':
    sys.exit(main())
