"""What electrode arrays cost: one trial with and without two arrays, against the oracle.

The network is ``extracellular_mesh10x10`` of tests/data/extracellular_cases.py: the
default 10 x 10 model with the ERP drives, 170 ms at dt = 0.025 ms, one trial. With
arrays it records ``shank_psa`` and ``shank_lsa``: two vertical arrays of 25 contacts
through the column (point- and line-source). Each measurement runs in a fresh process on
one core with one BLAS/OpenMP thread; runs alternate (ours without, ours with, oracle
without, oracle with) so that a change of load hits every series alike.

    python benchmarks/bench_extracellular.py [--repeats N] [--engine coreneuron|neuron]
        [--oracle $(bash ../shared/oracle/setup.sh)]

Printed: the CPU and its vector flags, the load average before and after, every run's
total wall time of ``simulate_dipole`` and peak RSS, the medians, the time arrays add on
each side (in % of the same side's trial without arrays), and whether our dipole and
spikes are bit-identical with and without the arrays.
"""
import argparse
import hashlib
import json
import os.path as op
import statistics
import sys
import time

HERE = op.dirname(op.abspath(__file__))
sys.path.insert(0, HERE)
from bench_trial import _run  # noqa: E402  (one core, one thread, JSON line)
from _common import cpu_description, load_average  # noqa: E402

ARRAYS = ('shank_psa', 'shank_lsa')


def _digest(*arrays):
    import numpy as np
    sha = hashlib.sha256()
    for a in arrays:
        sha.update(np.ascontiguousarray(a).tobytes())
    return sha.hexdigest()[:16]


def _child(engine, arrays):
    """One trial in this process; prints a JSON line of measurements."""
    import resource
    sys.path.insert(0, op.join(HERE, '..', 'tests', 'data'))
    from extracellular_cases import build_extracellular_case
    from hnn_core import simulate_dipole
    from hnn_core.engine import compile_mechanisms
    compile_mechanisms()
    net, kwargs = build_extracellular_case('extracellular_mesh10x10', arrays=arrays)
    kwargs['n_trials'] = 1
    start = time.perf_counter()
    dpls = simulate_dipole(net, engine=engine, verbose=False, **kwargs)
    total = time.perf_counter() - start
    response = net.cell_response
    print(json.dumps({
        'total': total, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.,
        'dipole': _digest(*(dpls[0].data[k] for k in ('agg', 'L2', 'L5'))),
        'spikes': _digest(response.spike_times[0], response.spike_gids[0]),
        'n_contacts': sum(net.rec_arrays[a].n_contacts for a in arrays)}))


def ours(engine, arrays):
    cmd = [sys.executable, op.abspath(__file__), '--child', '--engine', engine]
    if arrays:
        cmd += ['--arrays', *arrays]
    return _run(cmd)


def oracle(python, arrays):
    return _run([python, op.join(HERE, '_oracle_lfp_trial.py'), *arrays])


def _summary(name, runs):
    totals = [r['total'] for r in runs]
    rss = max(r['rss'] for r in runs)
    return statistics.median(totals), (
        f'{name:<28} median {statistics.median(totals):6.2f} s '
        f'(runs {" ".join(f"{t:.2f}" for t in totals)})  peak RSS {rss:5.0f} MiB')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--arrays', nargs='*', default=[], help=argparse.SUPPRESS)
    parser.add_argument('--engine', default='coreneuron', choices=('coreneuron', 'neuron'))
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--oracle', metavar='PYTHON',
                        help="the oracle's interpreter ($(bash ../shared/oracle/setup.sh))")
    args = parser.parse_args()
    if args.child:
        return _child(args.engine, tuple(args.arrays))

    print(cpu_description())
    print(f'load average before: {load_average(" ")}')
    series = {'ours': [], 'ours + arrays': [], 'oracle': [], 'oracle + arrays': []}
    for k in range(args.repeats):
        for name, run in (('ours', lambda: ours(args.engine, ())),
                          ('ours + arrays', lambda: ours(args.engine, ARRAYS)),
                          ('oracle', lambda: oracle(args.oracle, ())),
                          ('oracle + arrays', lambda: oracle(args.oracle, ARRAYS))):
            if name.startswith('oracle') and not args.oracle:
                continue
            m = run()
            series[name].append(m)
            print(f'run {k + 1} {name:<16} total {m["total"]:6.2f} s  '
                  f'peak RSS {m["rss"]:5.0f} MiB', flush=True)
    print(f'load average after:  {load_average(" ")}')
    medians = {}
    for name, runs in series.items():
        if runs:
            medians[name], line = _summary(f'{name} ({args.engine})' if
                                           name.startswith('ours') else name, runs)
            print(line)
    for side in ('ours', 'oracle'):
        if f'{side} + arrays' in medians and side in medians:
            added = medians[f'{side} + arrays'] / medians[side] - 1
            print(f'{side}: two arrays of 25 contacts add {100 * added:.1f} % '
                  f'({medians[f"{side} + arrays"] - medians[side]:.2f} s)')
    if series['oracle + arrays']:
        print(f'ours + arrays is {medians["oracle + arrays"] / medians["ours + arrays"]:.2f}x '
              'faster than the oracle + arrays')
    same_dipole = {r['dipole'] for r in series['ours'] + series['ours + arrays']}
    same_spikes = {r['spikes'] for r in series['ours'] + series['ours + arrays']}
    print('our dipole and spikes bit-identical with and without arrays: '
          f'{len(same_dipole) == 1 and len(same_spikes) == 1}')


if __name__ == '__main__':
    main()
